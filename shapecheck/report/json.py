"""``--format json``: one object, ``{"version": 1, "findings": [...], "shapes": [...], "summary": {...}}``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional, TextIO

from ..api import Report
from ..core import dims
from ..core.findings import Finding, Span, UnknownShape
from ..core.shapes import shows_dtype

if TYPE_CHECKING:  # the runtime package loads only with --runtime
    from ..runtime import RuntimeReport


def _cell(s: Span) -> dict[str, int]:
    """``{"cell": N}`` for a position in a notebook's cell (every cell counted from 1, as Ruff does), else nothing."""
    return {} if s.cell is None else {"cell": s.cell}


def _finding(f: Finding) -> dict[str, Any]:
    s = f.span
    return {
        "path": s.path, **_cell(s), "line": s.line, "column": s.column, "end_line": s.end_line, "end_column": s.end_column,
        "code": f.code.number, "name": f.code.name, "severity": f.level, "message": f.message,
        "notes": [{"path": n.span.path, **_cell(n.span), "line": n.span.line, "column": n.span.column,
                   "message": n.message} for n in f.notes],
    }


def _shape(t: Any) -> Any:
    return None if t.shape is None else [dims.to_json(d) for d in t.shape]


def _unknown(u: UnknownShape) -> dict[str, Any]:
    """``--explain-unknown``: a call whose output rank is unknown, the reason and where the value was lost."""
    o = u.origin
    return {"path": u.span.path, **_cell(u.span), "line": u.span.line, "column": u.span.column, "layer": u.layer,
            "reason": u.reason, "origin": {"path": o.path, **_cell(o), "line": o.line, "column": o.column},
            "notes": [{"path": n.span.path, **_cell(n.span), "line": n.span.line, "column": n.span.column,
                       "message": n.message} for n in u.notes]}


def as_dict(report: Report, *, show_shapes: bool = False, runtime: Optional[RuntimeReport] = None,
            explain_unknown: bool = False) -> dict[str, Any]:
    """``explain_unknown``: ``"unknown"`` lists why each call of unknown output rank is (else it is empty);
    with ``show_shapes``, each shape of unknown rank gets its ``"reason"`` either way."""
    shapes = []
    if show_shapes:
        for file in report.files:
            checked = runtime.files.get(file.path) if runtime is not None else None
            why = {(u.span, u.layer): u.reason for u in file.unknowns}
            for i, entry in enumerate(file.shapes):
                s = entry["span"]
                item: dict[str, Any] = {"path": s.path, **_cell(s), "line": s.line, "column": s.column,
                                        "layer": entry["layer"]}
                outs = entry["outputs"]
                if len(outs) == 1:
                    item["shape"] = _shape(outs[0])
                else:
                    item["outputs"] = [_shape(t) for t in outs]
                # as the text shows it: a dtype only where it is known and not float32
                if any(shows_dtype(t.dtype) for t in outs):
                    item.update({"dtype": outs[0].dtype} if len(outs) == 1 else {"dtypes": [t.dtype for t in outs]})
                if (s, entry["layer"]) in why and any(t.shape is None for t in outs):
                    item["reason"] = why[(s, entry["layer"])]
                if any(t.sparse for t in outs):
                    item["sparse"] = [t.sparse for t in outs] if len(outs) > 1 else True
                if any(t.ragged for t in outs):
                    item["ragged"] = [t.ragged for t in outs] if len(outs) > 1 else True
                if checked is not None:
                    v = checked.shapes[i]
                    keras = [None if s is None else list(s) for s in v.runtime_shapes]
                    item["runtime_shape"] = (keras[0] if keras else None) if len(outs) == 1 else keras
                    item["agrees"] = v.agrees
                shapes.append(item)
    findings = report.findings
    items = []
    for file in report.files:
        checked = runtime.files.get(file.path) if runtime is not None else None
        for i, f in enumerate(file.findings):
            item = _finding(f)
            if checked is not None:
                item["runtime"] = {"verdict": checked.findings[i].verdict, "message": checked.findings[i].message}
            items.append(item)
    out = {
        "version": 1,
        "findings": items,
        "shapes": shapes,
        "unknown": [_unknown(u) for file in report.files for u in file.unknowns] if explain_unknown else [],
        "summary": {
            "files": len(report.files),
            "errors": sum(1 for f in findings if f.level == "error"),
            "warnings": sum(1 for f in findings if f.level == "warning"),
            "notes": sum(1 for f in findings if f.level == "note"),
            "layer_calls": sum(r.layer_calls for r in report.files),
            "layer_calls_inferred": sum(r.layer_calls_inferred for r in report.files),
        },
    }
    if runtime is not None:
        out["runtime"] = {
            "backend": runtime.backend, "keras_version": runtime.keras_version, "device": runtime.device,
            "confirmed": runtime.count("confirmed"), "contradicted": runtime.count("contradicted"),
            "unverifiable": runtime.count("unverifiable"),
            "shapes": sum(len(f.shapes) for f in runtime.files.values()),
            "shapes_agree": runtime.shapes_checked - runtime.shapes_disagree,
            "shapes_disagree": runtime.shapes_disagree,
            "missed": [{"path": path, **_cell(span), "line": span.line, "column": span.column, "message": message}
                       for path, f in runtime.files.items() for span, message in f.missed],
        }
    return out


def render(report: Report, out: TextIO, *, show_shapes: bool = False,
           runtime: Optional[RuntimeReport] = None, explain_unknown: bool = False) -> None:
    json.dump(as_dict(report, show_shapes=show_shapes, runtime=runtime, explain_unknown=explain_unknown), out,
              indent=2)
    out.write("\n")
