"""``--summary``: every model the code builds, as Keras's ``model.summary()`` prints it."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..api import Report


def as_dict(report: Report) -> dict[str, Any]:
    return {"models": [m.as_json() for file in report.files for m in file.models]}


def render(report: Report, out: TextIO, *, fmt: str = "text", color: bool | None = None) -> None:
    if fmt == "json":
        json.dump(as_dict(report), out, indent=2)
        out.write("\n")
        return
    for file in report.files:
        for m in file.models:
            out.write(f"{m.path}:{m.line} {m.variable or ''}\n")
