"""``--summary``: every model the code builds, as Keras's ``model.summary()`` prints it.

Text: one table per model, laid out as Keras 3's own summary (``Model: "name"``, columns
Layer (type) / Output Shape / Param #, then the total, trainable and non-trainable counts),
after a ``path:line variable`` line; ``?`` for what is not known. JSON:
``{"models": [{"variable", "name", "kind", "path", "line", "layers": [{"name", "layer",
"output_shape", "params", "built"}], "total_params", "trainable_params", "non_trainable_params"}]}``
(an op's row has ``"op"``, the function applied, its Keras name and class being unknown),
``null`` for what is not known.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..api import Report
from ..core.summary import ModelSummary, show_output_shape

#: Keras's layout for a model shown as a sequence of layers (``summary_utils.print_summary``)
_LINE_LENGTH = 88
_POSITIONS = (0.45, 0.80, 1.0)


def as_dict(report: Report) -> dict[str, Any]:
    return {"models": [m.as_json() for file in report.files for m in file.models]}


def _count(n: Any) -> str:
    return "?" if n is None else f"{n:,}"


def table(m: ModelSummary) -> Table:
    widths, current = [], 0
    for pos in _POSITIONS:
        w = int(pos * _LINE_LENGTH) - current
        widths.append(w)
        current += w
    t = Table("Layer (type)", "Output Shape", "Param #", width=_LINE_LENGTH, show_lines=True)
    for col, w, justify in zip(t.columns, widths, ("left", "left", "right")):
        col.width = w
        col.justify = justify  # type: ignore[assignment]
    for r in m.layers or []:
        name = escape(r.name if r.name is not None else "?")
        cls = escape(r.layer if r.layer is not None else (r.op or "?"))
        shape = "?" if r.built is False else show_output_shape(r.output_shape)
        params = "0 (unbuilt)" if r.built is False else _count(r.params)
        t.add_row(f"{name} ({cls})", escape(shape), params)
    if m.layers is None:
        t.add_row("? (layers not known)", "?", "?")
    return t


def render(report: Report, out: TextIO, *, fmt: str = "text", color: bool | None = None) -> None:
    if fmt == "json":
        json.dump(as_dict(report), out, indent=2)
        out.write("\n")
        return
    console = Console(file=out, highlight=False, soft_wrap=False, width=max(_LINE_LENGTH + 2, 100),
                      force_terminal=color, no_color=color is False)
    first = True
    for file in report.files:
        for m in file.models:
            if not first:
                console.print()
            first = False
            console.print(f"{escape(m.path)}:{m.line} {escape(m.variable or '(unnamed)')}")
            console.print(f'[bold]Model: "{escape(m.name or "?")}"[/bold]')
            console.print(table(m))
            console.print(f"[bold] Total params:[/bold] {_count(m.total_params)}")
            console.print(f"[bold] Trainable params:[/bold] {_count(m.trainable_params)}")
            console.print(f"[bold] Non-trainable params:[/bold] {_count(m.non_trainable_params)}")
    if first:
        console.print("No models built in the checked files.")
