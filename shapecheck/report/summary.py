"""``--summary``: every model the code builds, as Keras's ``model.summary()`` prints it.

Text: one table per model, laid out as Keras 3's own summary (``Model: "name"``, columns
Layer (type) / Output Shape / Param #, then the total, trainable and non-trainable counts),
after a ``path:line variable`` line; ``?`` for what is not known. JSON:
``{"models": [{"variable", "name", "kind", "path", "line", "layers": [{"name", "layer",
"output_shape", "params", "built"}], "total_params", "trainable_params", "non_trainable_params"}]}``
(an op's row has ``"op"``, the function applied, its Keras name and class being unknown; a row whose
output is known and not float32, its ``"dtype"``, also shown after the shape in text),
``null`` for what is not known.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..api import Report
from ..core.summary import ModelSummary, show_output_shape, shown_dtype

if TYPE_CHECKING:  # the runtime package loads only with --runtime
    from ..runtime import FileRuntime, RuntimeReport

#: Keras's layout for a model shown as a sequence of layers (``summary_utils.print_summary``)
_LINE_LENGTH = 88
_POSITIONS = (0.45, 0.80, 1.0)


def as_dict(report: Report, runtime: Optional[RuntimeReport] = None) -> dict[str, Any]:
    models = []
    for file in report.files:
        checked = runtime.files.get(file.path) if runtime is not None else None
        for m in file.models:
            item = m.as_json()
            if checked is not None:
                counts = [_keras_params(r, checked) for r in m.layers or []]
                for row, n in zip(item["layers"] or [], counts):
                    row["runtime_params"] = n
                item["runtime_total_params"] = _keras_total(m, counts)
            models.append(item)
    return {"models": models}


def _keras_params(row: Any, checked: FileRuntime) -> Optional[int]:
    """The parameters Keras counted for the layer of ``row`` once the replay built it."""
    counts = checked.params.get(row.layer_id) if row.layer_id is not None else None
    return None if counts is None else sum(counts)


def _keras_total(m: ModelSummary, counts: list) -> Optional[int]:
    if m.layers is None or any(n is None for n, r in zip(counts, m.layers) if r.params != 0):
        return None
    return sum(n or 0 for n in counts)


def _count(n: Any) -> str:
    return "?" if n is None else f"{n:,}"


def table(m: ModelSummary, checked: Optional[FileRuntime] = None) -> Table:
    """The model's table; with ``checked`` (``--runtime``), a last column with Keras's own counts."""
    widths, current = [], 0
    for pos in _POSITIONS:
        w = int(pos * _LINE_LENGTH) - current
        widths.append(w)
        current += w
    heads = ("Layer (type)", "Output Shape", "Param #") + (("Keras #",) if checked is not None else ())
    t = Table(*heads, width=_LINE_LENGTH + (14 if checked is not None else 0), show_lines=True)
    for col, w, justify in zip(t.columns, widths + [14], ("left", "left", "right", "right")):
        col.width = w
        col.justify = justify  # type: ignore[assignment]
    for r in m.layers or []:
        name = escape(r.name if r.name is not None else "?")
        cls = escape(r.layer if r.layer is not None else (r.op or "?"))
        shape = "?" if r.built is False else " ".join(filter(None, [show_output_shape(r.output_shape),
                                                                      shown_dtype(r.dtype)]))
        params = "0 (unbuilt)" if r.built is False else _count(r.params)
        cells = [f"{name} ({cls})", escape(shape), params]
        if checked is not None:
            keras = _keras_params(r, checked)
            differs = keras is not None and r.params is not None and keras != r.params
            cells.append(f"[bold red]{_count(keras)}[/bold red]" if differs else _count(keras))
        t.add_row(*cells)
    if m.layers is None:
        t.add_row(*(["? (layers not known)", "?", "?"] + (["?"] if checked is not None else [])))
    return t


def render(report: Report, out: TextIO, *, fmt: str = "text", color: bool | None = None,
           runtime: Optional[RuntimeReport] = None) -> None:
    """``runtime`` (``--runtime --summary``): Keras's counts from the replay beside shapecheck's."""
    if fmt == "json":
        json.dump(as_dict(report, runtime), out, indent=2)
        out.write("\n")
        return
    extra = 14 if runtime is not None else 0  # the column of Keras's counts
    console = Console(file=out, highlight=False, soft_wrap=False, width=max(_LINE_LENGTH + extra + 2, 100),
                      force_terminal=color, no_color=color is False)
    first = True
    for file in report.files:
        checked = runtime.files.get(file.path) if runtime is not None else None
        for m in file.models:
            if not first:
                console.print()
            first = False
            where = m.line if m.cell is None else f"cell {m.cell}:{m.line}"
            console.print(f"{escape(m.path)}:{where} {escape(m.variable or '(unnamed)')}")
            console.print(f'[bold]Model: "{escape(m.name or "?")}"[/bold]')
            console.print(table(m, checked))
            keras = ""
            if checked is not None:
                keras = f" (Keras: {_count(_keras_total(m, [_keras_params(r, checked) for r in m.layers or []]))})"
            console.print(f"[bold] Total params:[/bold] {_count(m.total_params)}{keras}")
            console.print(f"[bold] Trainable params:[/bold] {_count(m.trainable_params)}")
            console.print(f"[bold] Non-trainable params:[/bold] {_count(m.non_trainable_params)}")
    if first:
        console.print("No models built in the checked files.")
