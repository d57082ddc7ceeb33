"""The mypy plugin: ``plugins = shapecheck.mypy`` in a mypy configuration.

mypy (and dmypy, and the editors that run them) then reports shapecheck's findings under the
error code ``shape`` (sub-codes ``shape-rank-mismatch`` ...), and ``reveal_type`` of a Keras
tensor shows its shape.  The hooks only dispatch: the findings and shapes come from the same
analysis the ``shapecheck`` command runs (:func:`shapecheck.api.check_source`).
"""

from __future__ import annotations

from typing import Any


def plugin(version: str) -> Any:
    """mypy's entry point: the plugin class."""
    from .hooks import ShapecheckPlugin

    return ShapecheckPlugin
