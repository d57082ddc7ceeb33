"""``--format json``: one object, ``{"version": 1, "findings": [...], "shapes": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..api import Report
from ..core import dims
from ..core.findings import Finding


def _finding(f: Finding) -> dict[str, Any]:
    s = f.span
    return {
        "path": s.path, "line": s.line, "column": s.column, "end_line": s.end_line, "end_column": s.end_column,
        "code": f.code.number, "name": f.code.name, "severity": f.level, "message": f.message,
        "notes": [{"path": n.span.path, "line": n.span.line, "column": n.span.column, "message": n.message}
                  for n in f.notes],
    }


def _shape(t: Any) -> Any:
    return None if t.shape is None else [dims.to_json(d) for d in t.shape]


def as_dict(report: Report, *, show_shapes: bool = False) -> dict[str, Any]:
    shapes = []
    if show_shapes:
        for file in report.files:
            for entry in file.shapes:
                s = entry["span"]
                item: dict[str, Any] = {"path": s.path, "line": s.line, "column": s.column, "layer": entry["layer"]}
                outs = entry["outputs"]
                if len(outs) == 1:
                    item["shape"] = _shape(outs[0])
                else:
                    item["outputs"] = [_shape(t) for t in outs]
                shapes.append(item)
    findings = report.findings
    return {
        "version": 1,
        "findings": [_finding(f) for f in findings],
        "shapes": shapes,
        "summary": {
            "files": len(report.files),
            "errors": sum(1 for f in findings if f.level == "error"),
            "warnings": sum(1 for f in findings if f.level == "warning"),
            "notes": sum(1 for f in findings if f.level == "note"),
            "layer_calls": sum(r.layer_calls for r in report.files),
            "layer_calls_inferred": sum(r.layer_calls_inferred for r in report.files),
        },
    }


def render(report: Report, out: TextIO, *, show_shapes: bool = False) -> None:
    json.dump(as_dict(report, show_shapes=show_shapes), out, indent=2)
    out.write("\n")
