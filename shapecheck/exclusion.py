"""Which files a run leaves out: ``exclude`` / ``extend-exclude`` patterns and ``.gitignore`` files.

Both are gitignore-style and matched with pathspec (``GitIgnoreSpec``: git's own rules, negation and
directory patterns included).  A pattern is relative to the directory of the configuration file that
holds it (the working directory for the command line's); a ``.gitignore`` to its own directory, a deeper
one overriding a shallower one as in git.
"""

from __future__ import annotations

import os
from typing import Any, Optional

from .config import Settings


def _spec(lines: list[str]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


class Exclusion:
    """Decides, for a path met while walking (or named on the command line), whether it is left out."""

    def __init__(self, settings: Settings) -> None:
        self.patterns = [(base, _spec(list(patterns))) for base, patterns in settings.exclude]
        self.respect_gitignore = settings.respect_gitignore
        self.force_exclude = settings.force_exclude
        self.root = settings.root
        self._gitignores: dict[str, Any] = {}
        self._chains: dict[str, list[str]] = {}

    def excluded(self, path: str, is_dir: bool) -> bool:
        """Whether ``path`` (met while walking a directory) is left out."""
        path = os.path.abspath(path)
        for base, spec in self.patterns:
            rel = _relative(path, base, is_dir)
            if rel is not None and _verdict(spec, rel):
                return True
        return self.respect_gitignore and self._gitignored(path, is_dir)

    def excluded_explicitly_named(self, path: str) -> bool:
        """Whether a path named on the command line is left out: only with ``force-exclude`` (as Ruff does, so
        that pre-commit, which names every file, can honour the exclusions), when it or a directory above it
        is excluded."""
        if not self.force_exclude:
            return False
        path = os.path.abspath(path)
        if self.excluded(path, os.path.isdir(path)):
            return True
        parent = os.path.dirname(path)
        while parent != os.path.dirname(parent):
            if self.excluded(parent, True):
                return True
            if os.path.exists(os.path.join(parent, ".git")) or parent == self.root:
                break
            parent = os.path.dirname(parent)
        return False

    def _gitignored(self, path: str, is_dir: bool) -> bool:
        """git's answer for ``path``, from the ``.gitignore`` files of the directories above it up to the
        repository root (the directory with ``.git``; outside a repository: the configuration file's
        directory, else the working directory, when above it)."""
        verdict: Optional[bool] = None
        parent = os.path.dirname(path)
        if parent not in self._chains:
            self._chains[parent] = self._ancestors(parent)
        for directory in self._chains[parent]:
            spec = self._gitignore(directory)
            if spec is None:
                continue
            rel = _relative(path, directory, is_dir)
            if rel is None:
                continue
            include = _verdict(spec, rel)
            if include is not None:
                verdict = include
        return bool(verdict)

    def _ancestors(self, directory: str) -> list[str]:
        """``directory`` and those above it where ``.gitignore`` files count, the highest first."""
        chain = [directory]
        stops = {d for d in (self.root, os.getcwd()) if d}
        current = directory
        while True:
            if os.path.exists(os.path.join(current, ".git")):
                return chain[::-1]
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
            chain.append(current)
        # outside a repository: up to the project root, when it is above
        for i, d in enumerate(chain):
            if d in stops:
                return chain[: i + 1][::-1]
        return [directory]

    def _gitignore(self, directory: str) -> Any:
        """The patterns of ``directory``'s ``.gitignore``; at a repository root, ``.git/info/exclude``'s
        first (git reads both; the ``.gitignore`` wins where they disagree, being later here)."""
        if directory not in self._gitignores:
            lines: list[str] = []
            for name in (os.path.join(".git", "info", "exclude"), ".gitignore"):
                try:
                    with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as fh:
                        lines += fh.read().splitlines()
                except OSError:
                    pass
            self._gitignores[directory] = _spec(lines) if lines else None
        return self._gitignores[directory]


def _relative(path: str, base: str, is_dir: bool) -> Optional[str]:
    """``path`` relative to ``base`` as gitignore patterns see it (``a/b/`` for a directory); ``None`` when it
    is not under ``base``."""
    rel = os.path.relpath(path, base)
    if rel == "." or rel.startswith(".." + os.sep) or rel == "..":
        return None
    rel = rel.replace(os.sep, "/")
    return rel + "/" if is_dir else rel


def _verdict(spec: Any, rel: str) -> Optional[bool]:
    """git's verdict of one gitignore-style file on ``rel`` (``a/b/`` for a directory): ``True`` ignored,
    ``False`` re-included, ``None`` no pattern matches it.  The walk asks about every folder before what is
    in it (git's rule: nothing comes back from an ignored folder), so a pattern counts only where it
    matches the path itself.  pathspec's patterns also match what lies under a folder they match (``sub/``
    matches ``sub/x.py``), and compile ``b/**`` (what is inside ``b``) to a prefix that matches ``b/``
    itself; the folder mark pathspec puts in its patterns (the ``ps_d`` group) tells these apart."""
    verdict = None
    for pattern in spec.patterns:
        if pattern.include is None:
            continue
        regex = pattern.regex
        # (``**/`` compiles to an unanchored regex: any of its matches may be the one at the end)
        matches = [regex.match(rel)] if regex.pattern.startswith("^") else list(regex.finditer(rel))
        if any(m is not None and _exact(m, pattern, rel) for m in matches):
            verdict = pattern.include
    return verdict


def _exact(m: Any, pattern: Any, rel: str) -> bool:
    """Whether a match of ``pattern`` is on ``rel`` itself, not on a folder above it."""
    if "ps_d" in m.re.groupindex:
        mark = m.start("ps_d")
        # matched through the folder mark: the path itself only when that mark is its last character
        return mark == -1 or mark == len(rel) - 1
    if str(pattern.pattern).rstrip().endswith("/**"):  # a path strictly inside the prefix
        return m.end() < len(rel)
    return True  # ``*``
