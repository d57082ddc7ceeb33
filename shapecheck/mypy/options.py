"""The plugin's settings, read from the mypy configuration file.

In ``mypy.ini`` / ``setup.cfg`` / ``.mypy.ini``: a ``[shapecheck.mypy]`` section; in
``pyproject.toml``: the ``[tool.shapecheck]`` table (the place of shapecheck's own settings).  Where an ini file
has no section, the ``pyproject.toml`` beside it (or in the working directory) is read.

The keys and their checks are the command's (:mod:`shapecheck.config`, ``docs/configuration.md``):
``keras-version``, ``select``, ``extend-select``, ``ignore``, ``per-file-ignores``, ``severity`` and
``warn-unused-ignores`` act on what mypy reports; the keys about which files to check (``exclude`` ...)
and the per-file limits are the command's alone (mypy decides which files it checks).
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from typing import Optional

from .. import config
from ..config import Rules

SECTION = "shapecheck.mypy"


class ConfigError(ValueError):
    """A setting shapecheck cannot use; mypy stops with this message."""


@dataclass(frozen=True)
class PluginOptions:
    keras_version: int = 3
    #: selection, per-file ignores, severity overrides, unused-ignore reports (as the command applies them)
    rules: Rules = Rules()

    def to_json(self) -> dict:
        rules = self.rules
        return {"keras_version": self.keras_version,
                "enabled": None if rules.enabled is None else sorted(rules.enabled),
                "per_file_ignores": [[p.pattern, p.base, sorted(p.codes)] for p in rules.per_file_ignores],
                "severity": [list(pair) for pair in rules.severity],
                "warn_unused_ignores": rules.warn_unused_ignores}


def read(config_file: Optional[str]) -> PluginOptions:
    """The settings for a mypy run whose configuration file is ``config_file`` (or none)."""
    if config_file and os.path.basename(config_file) == "pyproject.toml":
        return _from_table(_pyproject_table(config_file), f"{config_file}: [tool.shapecheck]", config_file)
    if config_file and os.path.exists(config_file):
        parser = configparser.ConfigParser()
        try:
            parser.read(config_file, encoding="utf-8")
        except configparser.Error as e:
            raise ConfigError(f"{config_file}: {e}") from e
        if parser.has_section(SECTION):
            return _from_table(dict(parser.items(SECTION)), f"{config_file}: [{SECTION}]", config_file)
    here = os.path.dirname(os.path.abspath(config_file)) if config_file else os.getcwd()
    pyproject = os.path.join(here, "pyproject.toml")
    if os.path.exists(pyproject):
        return _from_table(_pyproject_table(pyproject), f"{pyproject}: [tool.shapecheck]", pyproject)
    return PluginOptions()


def _pyproject_table(path: str) -> dict:
    try:
        return config.read_file(path)[0]
    except config.ConfigError as e:
        raise ConfigError(str(e)) from e


def _from_table(table: dict, where: str, path: str) -> PluginOptions:
    """Every key is checked as the command checks it (an unknown key, code or value is an error); the
    ones about files and limits are the command's and have no effect here."""
    try:
        values = config.check_table(table, where)
        settings = config.resolve([config.Layer(values, where, os.path.dirname(os.path.abspath(path)))], path)
    except config.ConfigError as e:
        raise ConfigError(str(e)) from e
    return PluginOptions(settings.keras_version, settings.rules)
