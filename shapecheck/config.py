"""Settings: ``[tool.shapecheck]`` in ``pyproject.toml`` (or a ``shapecheck.toml``), and the command line.

One parser for every front door: the command (:mod:`shapecheck.cli`) and the mypy plugin
(:mod:`shapecheck.mypy.options`) read the same keys with the same validation.  A value is checked
where it is read, and a bad one is a :class:`ConfigError` naming the file, the key and what is
allowed.  ``docs/configuration.md`` describes every key.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from .core.findings import CODES, FILE_ERRORS, UNUSED_IGNORE, Code, Severity, code_named

#: the name of the standalone configuration file (its top level holds the keys); in one directory it
#: wins over ``pyproject.toml``, as ``ruff.toml`` does over Ruff's
STANDALONE = "shapecheck.toml"
LEVELS: tuple[Severity, ...] = ("error", "warning", "note")

#: every key, as written in the file (kebab-case; snake_case is read too), and what it holds
KEYS: dict[str, str] = {
    "select": "a list of finding codes, names or prefixes (SC201, rank-mismatch, SC2, SC)",
    "extend-select": "a list of finding codes, names or prefixes (SC201, rank-mismatch, SC2, SC)",
    "ignore": "a list of finding codes, names or prefixes (SC201, rank-mismatch, SC2, SC)",
    "per-file-ignores": 'a table of gitignore-style patterns to lists of codes ("tests/**" = ["SC201"])',
    "severity": 'a table of codes, names or prefixes to "error", "warning" or "note"',
    "exclude": "a list of gitignore-style patterns",
    "extend-exclude": "a list of gitignore-style patterns",
    "respect-gitignore": "true or false",
    "force-exclude": "true or false",
    "keras-version": "2 or 3",
    "warn-unused-ignores": "true or false",
    "file-time-limit": "a number of seconds (0: no limit)",
    "max-file-size": 'a size such as "2MB" or "500KiB", or a number of bytes (0: no limit)',
}


class ConfigError(ValueError):
    """A setting shapecheck cannot use (exit status 2; the mypy plugin says it and uses the defaults)."""


# -- finding codes, names and prefixes ------------------------------------------------------------------

def code_of(text: str) -> Optional[Code]:
    """The code a suppression comment names exactly (``SC201``, ``sc201`` or ``rank-mismatch``)."""
    return code_named(text, mypy=False)


def expand(selector: str) -> frozenset[str]:
    """The code names a selector stands for: a number (``SC201``), a name (``rank-mismatch``, or the
    mypy plugin's ``shape-rank-mismatch``), a prefix of numbers (``SC2``, ``SC20``, ``SC``) or ``ALL``.
    ``KeyError`` when it stands for none."""
    text = str(selector).strip()
    code = code_named(text)
    if code is not None:
        return frozenset({code.name})
    if text.upper() == "ALL":
        return frozenset(CODES)
    prefix = text.upper()
    if re.fullmatch(r"SC\d{0,2}", prefix):
        names = frozenset(c.name for c in CODES.values() if c.number.startswith(prefix))
        if names:
            return names
    raise KeyError(text)


def specificity(selector: str) -> int:
    """How narrow a selector is: an exact code or name beats any prefix, a longer prefix a shorter one."""
    text = str(selector).strip().upper()
    if text == "ALL":
        return 0
    if re.fullmatch(r"SC\d{0,2}", text):
        return len(text)
    return 10


def _known() -> str:
    return ", ".join(f"{c.number} {c.name}" for c in sorted(CODES.values(), key=lambda c: c.number))


def _selectors(value: Any, key: str, where: str) -> tuple[str, ...]:
    """A list of selectors (a comma- or space-separated string is read too: mypy.ini values are strings)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"{where}: {key} must be {KEYS['select']}, not {value!r}")
    for item in items:
        try:
            expand(item)
        except KeyError:
            raise ConfigError(f"{where}: unknown finding code {item!r} in {key} (a code such as SC201, a name "
                              f"such as rank-mismatch, or a prefix such as SC2; known: {_known()})") from None
        code = code_of(item)
        if key not in ("select", "extend-select") and code is not None and code.name in FILE_ERRORS:
            raise ConfigError(f"{where}: {item!r} in {key}: a file that cannot be read or parsed is always "
                              "reported (exit status 2)")
    return tuple(items)


# -- the settings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerFileIgnore:
    """Codes not reported in the files a gitignore-style ``pattern`` matches, relative to ``base``."""

    pattern: str
    base: str
    codes: frozenset[str]

    def matches(self, path: str) -> bool:
        rel = os.path.relpath(os.path.abspath(path), self.base)
        if rel.startswith(".."):
            return False
        return bool(_spec(self.pattern).match_file(rel.replace(os.sep, "/")))


@functools.lru_cache(maxsize=256)
def _spec(pattern: str) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([pattern])


@dataclass(frozen=True)
class Rules:
    """What a file's findings go through after the analysis (:func:`shapecheck.api.check_source`)."""

    #: the code names reported (``None``: all)
    enabled: Optional[frozenset[str]] = None
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    #: code name -> its level where it differs from the code's own
    severity: tuple[tuple[str, Severity], ...] = ()
    #: report ``# shapecheck: ignore`` comments (and codes in them) that silenced nothing
    warn_unused_ignores: bool = False

    def reported(self, name: str, path: str) -> bool:
        if name in FILE_ERRORS:
            return True
        if self.enabled is not None and name not in self.enabled:
            return False
        return not any(name in p.codes and p.matches(path) for p in self.per_file_ignores)

    def level(self, name: str) -> Optional[Severity]:
        return dict(self.severity).get(name)


@dataclass(frozen=True)
class Layer:
    """One source of settings (the file, then the command line): only the keys it sets."""

    values: Mapping[str, Any] = field(default_factory=dict)
    #: where the values come from, for messages (``pyproject.toml: [tool.shapecheck]``)
    where: str = "the command line"
    #: the directory its relative patterns are relative to
    base: str = "."


def enabled_codes(layers: Iterable[Layer]) -> frozenset[str]:
    """Ruff's selection, layer by layer: ``select`` replaces what the layers before enabled, ``extend-select``
    adds, ``ignore`` removes; within a layer the most specific selector decides a code (``ignore`` wins a tie),
    so ``select = ["SC2"]`` with ``ignore = ["SC201"]`` leaves SC202 ... on, and ``ignore = ["SC2"]`` with
    ``extend-select = ["SC201"]`` leaves SC201 on."""
    enabled = frozenset(CODES)
    for layer in layers:
        select = layer.values.get("select")
        extend = layer.values.get("extend-select", ())
        ignore = layer.values.get("ignore", ())
        votes: dict[str, tuple[int, bool]] = {}
        for selectors, on in ((select or (), True), (extend, True), (ignore, False)):
            for selector in selectors:
                rank = specificity(selector)
                for name in expand(selector):
                    best = votes.get(name)
                    if best is None or rank > best[0] or (rank == best[0] and not on):
                        votes[name] = (rank, on)
        start = frozenset() if select is not None else enabled
        enabled = frozenset(n for n in CODES if votes.get(n, (0, n in start))[1])
    return enabled


def severity_overrides(layers: Iterable[Layer]) -> tuple[tuple[str, Severity], ...]:
    """Code name -> level: a later layer wins, and within one the most specific selector."""
    levels: dict[str, Severity] = {}
    for layer in layers:
        table = layer.values.get("severity", {})
        for selector in sorted(table, key=specificity):
            for name in expand(selector):
                levels[name] = table[selector]
    return tuple(sorted((n, lv) for n, lv in levels.items() if lv != CODES[n].severity))


@dataclass(frozen=True)
class Settings:
    """Every setting, resolved: the file's values under the command line's, over the defaults."""

    #: the configuration file read (``None``: none)
    path: Optional[str] = None
    rules: Rules = Rules()
    #: (base directory, gitignore-style patterns), from the file and the command line
    exclude: tuple[tuple[str, tuple[str, ...]], ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    keras_version: int = 3
    #: ``None`` where neither the file nor the command line says: the caller's default applies
    file_time_limit: Optional[float] = None
    max_file_size: Optional[int] = None
    #: the directory of the configuration file (where a walk for ``.gitignore`` files may stop)
    root: Optional[str] = None


def resolve(layers: list[Layer], path: Optional[str] = None) -> Settings:
    """The settings the layers (the file first, then the command line) make together."""
    merged: dict[str, Any] = {}
    exclude: Optional[tuple[str, tuple[str, ...]]] = None
    extend_exclude: list[tuple[str, tuple[str, ...]]] = []
    pfi: list[PerFileIgnore] = []
    for layer in layers:
        merged.update(layer.values)
        base = os.path.abspath(layer.base)
        if "exclude" in layer.values:  # the command line's replaces the file's
            exclude = (base, tuple(layer.values["exclude"]))
        if "extend-exclude" in layer.values:  # both count
            extend_exclude.append((base, tuple(layer.values["extend-exclude"])))
        if "per-file-ignores" in layer.values:  # the command line's replaces the file's
            pfi = [PerFileIgnore(pattern, base, frozenset(n for s in codes for n in expand(s)))
                   for pattern, codes in layer.values["per-file-ignores"].items()]
    warn = bool(merged.get("warn-unused-ignores", False))
    enabled = enabled_codes(layers)
    if warn and not any(UNUSED_IGNORE.name in expand(s) for layer in layers for s in layer.values.get("ignore", ())):
        # asking for the warning is asking for its code, whatever a select says; an ignore still wins
        enabled |= {UNUSED_IGNORE.name}
    rules = Rules(enabled=enabled, per_file_ignores=tuple(pfi), severity=severity_overrides(layers),
                  warn_unused_ignores=warn)
    if rules.enabled == frozenset(CODES):
        rules = Rules(None, rules.per_file_ignores, rules.severity, rules.warn_unused_ignores)
    return Settings(path=path, rules=rules, exclude=tuple(e for e in [exclude, *extend_exclude] if e and e[1]),
                    respect_gitignore=merged.get("respect-gitignore", True),
                    force_exclude=merged.get("force-exclude", False),
                    keras_version=merged.get("keras-version", 3), file_time_limit=merged.get("file-time-limit"),
                    max_file_size=merged.get("max-file-size"),
                    root=os.path.dirname(os.path.abspath(path)) if path else None)


# -- reading and checking values ------------------------------------------------------------------------


def check_table(table: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The table's values, keys in kebab-case, each checked; :class:`ConfigError` for the first bad one."""
    out: dict[str, Any] = {}
    for raw, value in table.items():
        key = str(raw).replace("_", "-")
        if key not in KEYS:
            import difflib

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(f"{where}: unknown key {raw!r} ({hint}the keys are: {', '.join(KEYS)})")
        if key in out:
            raise ConfigError(f"{where}: {key} is given twice (as {key!r} and in snake_case)")
        out[key] = check_value(key, value, where)
    return out


def check_value(key: str, value: Any, where: str) -> Any:
    """One value, checked and normalised (``where`` names its origin in the message)."""
    def bad() -> ConfigError:
        return ConfigError(f"{where}: {key} must be {KEYS[key]}, not {value!r}")

    if key in ("select", "extend-select", "ignore"):
        return _selectors(value, key, where)
    if key in ("exclude", "extend-exclude"):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
            raise bad()
        return tuple(items)
    if key in ("respect-gitignore", "force-exclude", "warn-unused-ignores"):
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "1", "0", "on", "off"):
            return value.strip().lower() in ("true", "yes", "1", "on")  # mypy.ini's booleans
        if not isinstance(value, bool):
            raise bad()
        return value
    if key == "keras-version":
        if isinstance(value, bool) or str(value).strip() not in ("2", "3"):
            raise ConfigError(f"{where}: keras-version must be 2 or 3, not {value!r}")
        return int(str(value).strip())
    if key == "file-time-limit":
        try:
            seconds = float(value) if not isinstance(value, bool) else -1.0
        except (TypeError, ValueError):
            raise bad() from None
        if not seconds >= 0 or seconds == float("inf"):
            raise bad()
        return seconds
    if key == "max-file-size":
        size = value if isinstance(value, int) and not isinstance(value, bool) else (
            parse_size(value) if isinstance(value, str) else None)
        if size is None or size < 0:
            raise bad()
        return size
    if key == "per-file-ignores":
        if not isinstance(value, Mapping):
            raise bad()
        return {str(pattern): _selectors(codes, "per-file-ignores", f"{where}: per-file-ignores {pattern!r}")
                for pattern, codes in value.items()}
    if key == "severity":
        if not isinstance(value, Mapping):
            raise bad()
        out = {}
        for selector, level in value.items():
            _selectors([selector], "severity", where)
            names = expand(selector)
            if names & FILE_ERRORS and code_of(selector) is not None:
                raise ConfigError(f"{where}: severity of {selector!r}: a file that cannot be read or parsed "
                                  "is always an error (exit status 2)")
            if level not in LEVELS:
                raise ConfigError(f"{where}: severity of {selector!r} must be \"error\", \"warning\" or \"note\", "
                                  f"not {level!r}")
            out[selector] = level
        return out
    raise AssertionError(key)


_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 2**10, "m": 10**6, "mb": 10**6, "mib": 2**20,
          "g": 10**9, "gb": 10**9, "gib": 2**30, "t": 10**12, "tb": 10**12, "tib": 2**40}


def parse_size(text: str) -> Optional[int]:
    """``2GiB``, ``500MB``, ``1.5g`` or a number of bytes; ``None`` when it is none of these."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if m is None or m.group(2).lower() not in _UNITS:
        return None
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


# -- finding the file -----------------------------------------------------------------------------------


def read_file(path: str) -> tuple[dict[str, Any], str]:
    """The settings table of a configuration file and how to name it in messages: ``[tool.shapecheck]`` of
    a ``pyproject.toml`` (empty when it has none), the top level of any other TOML file."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the configuration file: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("shapecheck", {})
        where = f"{path}: [tool.shapecheck]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table")
        return table, where
    return data, path


def has_settings(directory: Path) -> Optional[Path]:
    """The configuration file of ``directory``: a ``shapecheck.toml``, or a ``pyproject.toml`` with a
    ``[tool.shapecheck]`` table."""
    standalone = directory / STANDALONE
    if standalone.is_file():
        return standalone
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            with open(pyproject, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError):
            return pyproject  # read again to say what is wrong with it
        if isinstance(data.get("tool"), dict) and "shapecheck" in data["tool"]:
            return pyproject
    return None


def discover(paths: Iterable[str]) -> Optional[str]:
    """The configuration file for a run over ``paths``: walking up from their common directory (the working
    directory when none), the first one found; the walk stops at a repository root (a ``.git``)."""
    dirs = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))) for p in paths]
    try:
        start = Path(os.path.commonpath(dirs)) if dirs else Path.cwd()
    except ValueError:  # different drives
        start = Path.cwd()
    for directory in (start, *start.parents):
        found = has_settings(directory)
        if found is not None:
            return str(found)
        if (directory / ".git").exists():
            break
    return None


def load(paths: Iterable[str], config: Optional[str] = None, isolated: bool = False,
         overrides: Optional[Mapping[str, Any]] = None) -> Settings:
    """The settings of a run over ``paths``: the file (``config``, else the one :func:`discover` finds;
    none with ``isolated``) under ``overrides`` (checked values, keyed as in the file: the command line)."""
    layers = []
    path = None if isolated else (config or discover(list(paths)))
    if path is not None:
        table, where = read_file(path)
        layers.append(Layer(check_table(table, where), where, os.path.dirname(os.path.abspath(path))))
    if overrides:
        layers.append(Layer(dict(overrides), "the command line", os.getcwd()))
    return resolve(layers, path)


# -- the command line -----------------------------------------------------------------------------------

#: key -> its command-line flag (the same settings; the command line wins)
FLAGS = {
    "select": "--select", "extend-select": "--extend-select", "ignore": "--ignore",
    "per-file-ignores": "--per-file-ignores", "severity": "--severity", "exclude": "--exclude",
    "extend-exclude": "--extend-exclude", "respect-gitignore": "--respect-gitignore",
    "force-exclude": "--force-exclude", "keras-version": "--keras-version",
    "warn-unused-ignores": "--warn-unused-ignores", "file-time-limit": "--file-time-limit",
    "max-file-size": "--max-file-size",
}


class FlagError(ConfigError):
    """A bad command-line value (a usage error): ``flag`` names the option."""

    def __init__(self, flag: str, message: str) -> None:
        super().__init__(message)
        self.flag = flag


def command_line(flags: Mapping[str, Any]) -> dict[str, Any]:
    """The checked settings of the command line, keyed as in the file, from click's values (keyed by
    the key in snake_case; ``None`` or an empty tuple: not given). Lists are comma-separated and the
    flags repeatable; ``--per-file-ignores PATTERN:CODES`` and ``--severity CODE=LEVEL`` are repeatable."""
    out: dict[str, Any] = {}
    for key, flag in FLAGS.items():
        value = flags.get(key.replace("-", "_"))
        if value is None or value == ():
            continue
        try:
            if key in ("select", "extend-select", "ignore", "exclude", "extend-exclude"):
                value = [item.strip() for v in value for item in v.split(",") if item.strip()]
            elif key == "per-file-ignores":
                table: dict[str, list[str]] = {}
                for v in value:
                    pattern, sep, codes = v.rpartition(":")
                    if not sep or not pattern.strip():
                        raise ConfigError(f"{v!r} is not PATTERN:CODES (e.g. 'tests/*:SC201,SC203')")
                    table.setdefault(pattern.strip(), []).extend(c for c in codes.split(",") if c.strip())
                value = table
            elif key == "severity":
                levels: dict[str, str] = {}
                for v in value:
                    selector, sep, level = v.partition("=")
                    if not sep:
                        raise ConfigError(f"{v!r} is not CODE=LEVEL (e.g. SC004=error)")
                    levels[selector.strip()] = level.strip()
                value = levels
            out[key] = check_value(key, value, flag)
        except ConfigError as e:
            raise FlagError(flag, str(e).removeprefix(f"{flag}: ")) from None
    return out
