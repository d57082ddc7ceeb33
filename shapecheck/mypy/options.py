"""The plugin's settings, read from the mypy configuration file.

In ``mypy.ini`` / ``setup.cfg`` / ``.mypy.ini``: a ``[shapecheck.mypy]`` section; in
``pyproject.toml``: the ``[tool.shapecheck]`` table (the place of shapecheck's own settings).  Where an ini file
has no section, the ``pyproject.toml`` beside it (or in the working directory) is read.

* ``keras-version`` (``keras_version``): 3 (default) or 2, the tf.keras 2.x rules;
* ``ignore``: finding codes or names not to report (``SC201``, ``rank-mismatch``).
"""

from __future__ import annotations

import configparser
import os
import tomllib
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ..core.findings import CODES

SECTION = "shapecheck.mypy"


class ConfigError(ValueError):
    """A setting shapecheck cannot use; mypy stops with this message."""


@dataclass(frozen=True)
class PluginOptions:
    keras_version: int = 3
    ignore: frozenset[str] = frozenset()

    def to_json(self) -> dict:
        return {"keras_version": self.keras_version, "ignore": sorted(self.ignore)}


def read(config_file: Optional[str]) -> PluginOptions:
    """The settings for a mypy run whose configuration file is ``config_file`` (or none)."""
    if config_file and os.path.basename(config_file) == "pyproject.toml":
        return _from_table(_pyproject_table(config_file), f"{config_file}: [tool.shapecheck]")
    if config_file and os.path.exists(config_file):
        parser = configparser.ConfigParser()
        try:
            parser.read(config_file, encoding="utf-8")
        except configparser.Error as e:
            raise ConfigError(f"{config_file}: {e}") from e
        if parser.has_section(SECTION):
            return _from_table(dict(parser.items(SECTION)), f"{config_file}: [{SECTION}]")
    here = os.path.dirname(os.path.abspath(config_file)) if config_file else os.getcwd()
    pyproject = os.path.join(here, "pyproject.toml")
    if os.path.exists(pyproject):
        return _from_table(_pyproject_table(pyproject), f"{pyproject}: [tool.shapecheck]")
    return PluginOptions()


def _pyproject_table(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from e
    table = data.get("tool", {}).get("shapecheck", {})
    return table if isinstance(table, dict) else {}


def _from_table(table: dict, where: str) -> PluginOptions:
    """Only the plugin's keys; the command's other keys (``select``, ``exclude`` ...) are not ours."""
    table = {k.replace("_", "-"): v for k, v in table.items()}
    version = table.get("keras-version", 3)
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = None
    if version not in (2, 3):
        raise ConfigError(f"{where}: keras-version must be 2 or 3, not {table.get('keras-version')!r}")
    return PluginOptions(version, frozenset(_code_names(table.get("ignore", ()), where)))


def _code_names(value: Any, where: str) -> Iterable[str]:
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ConfigError(f"{where}: ignore must be a list of finding codes or names, not {value!r}")
    by_number = {c.number: c.name for c in CODES.values()}
    for item in items:
        name = by_number.get(str(item).upper(), str(item).removeprefix("shape-"))
        if name not in CODES:
            known = ", ".join(f"{c.number} {c.name}" for c in CODES.values())
            raise ConfigError(f"{where}: unknown finding code {item!r} in ignore (known: {known})")
        yield name
