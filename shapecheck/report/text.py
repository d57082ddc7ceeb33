"""Text output, as a compiler prints it: ``path:line:col: error: message [SC201 rank-mismatch]`` (in a notebook,
``path:cell N:line:col: ...``, as Ruff writes it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, TextIO

from rich.console import Console
from rich.markup import escape

from ..api import Report
from ..core.shapes import show_shape, show_type
from . import statistics as statistics_report

if TYPE_CHECKING:  # the runtime package loads only with --runtime
    from ..runtime import RuntimeReport, ShapeVerdict

_STYLE = {"error": "bold red", "warning": "bold yellow", "note": "cyan"}


_VERDICT = {"confirmed": "green", "contradicted": "bold red reverse", "unverifiable": "yellow"}


def render(report: Report, out: TextIO, *, show_shapes: bool = False, color: bool | None = None,
           runtime: Optional[RuntimeReport] = None, quiet: bool = False, statistics: bool = False,
           explain_unknown: bool = False) -> None:
    """``runtime``: what ``--runtime`` found; each finding and shape then says whether Keras agrees.
    ``quiet``: the findings only, no closing count or runtime line. ``statistics``: a count per code
    instead of the findings. ``explain_unknown``: a note per call whose shape is unknown, saying why
    (``--show-shapes`` puts the reason under each unknown shape)."""
    # rich honours NO_COLOR and colours only a terminal unless told otherwise.
    console = Console(file=out, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False)
    if statistics:
        for line in statistics_report.lines(report):
            console.print(escape(line))
    for file in [] if statistics else report.files:
        checked = runtime.files.get(file.path) if runtime is not None else None
        for i, f in enumerate(file.findings):
            s = f.span
            console.print(f"[bold]{escape(s.location)}:[/bold] "
                          f"[{_STYLE[f.level]}]{f.level}:[/{_STYLE[f.level]}] {escape(f.message)} "
                          f"[dim]\\[{f.code.number} {f.code.name}][/dim]")
            for n in f.notes:
                console.print(f"    {escape(n.span.location)}: "
                              f"[{_STYLE['note']}]note:[/{_STYLE['note']}] {escape(n.message)}")
            if checked is not None:
                v = checked.findings[i]
                word = v.verdict.upper() if v.verdict == "contradicted" else v.verdict
                console.print(f"    runtime: [{_VERDICT[v.verdict]}]{word}[/{_VERDICT[v.verdict]}]: "
                              f"{escape(v.message)}")
        if explain_unknown:
            for u in file.unknowns:
                console.print(f"{escape(u.span.location)}: [{_STYLE['note']}]note:[/{_STYLE['note']}] "
                              f"{escape(u.message)}")
                for n in u.notes:
                    console.print(f"    {escape(n.span.location)}: "
                                  f"[{_STYLE['note']}]note:[/{_STYLE['note']}] {escape(n.message)}")
        why = {(u.span, u.layer): u for u in file.unknowns} if show_shapes else {}
        if show_shapes:
            for i, entry in enumerate(file.shapes):
                s = entry["span"]
                shapes = ", ".join(show_type(t) for t in entry["outputs"])
                tail = "" if checked is None else _shape_verdict(checked.shapes[i])
                console.print(f"{escape(s.location)}: [{_STYLE['note']}]shape:[/{_STYLE['note']}] "
                              f"{escape(entry['layer'])} -> {escape(shapes)}{tail}")
                unknown = why.get((s, entry["layer"]))
                if unknown is not None and any(t.shape is None for t in entry["outputs"]):
                    console.print(f"    {escape(unknown.origin.location)}: [{_STYLE['note']}]note:"
                                  f"[/{_STYLE['note']}] unknown: {escape(unknown.reason)}")
        if checked is not None:
            for span, message in checked.missed:
                console.print(f"{escape(span.location)}: [{_STYLE['note']}]note:[/{_STYLE['note']}] "
                              f"runtime: Keras rejects this call and shapecheck reported nothing: {escape(message)}")
    if quiet:
        return
    counts = {lvl: sum(1 for f in report.findings if f.level == lvl) for lvl in ("error", "warning", "note")}
    n_files = len(report.files)
    if report.findings:
        parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "note") if counts[k]]
        console.print(f"Found {', '.join(parts)} in {n_files} file{'s' if n_files != 1 else ''}.")
    else:
        console.print(f"No shape errors in {n_files} file{'s' if n_files != 1 else ''}.")
    if runtime is not None:
        console.print(runtime_summary(runtime))


def _shape_verdict(v: ShapeVerdict) -> str:
    keras = ", ".join("?" if s is None else show_shape(tuple(s)) for s in v.runtime_shapes)
    if v.agrees is True:
        return f" [green](Keras: {escape(keras)})[/green]"
    if v.agrees is False:
        return f" [bold red reverse](Keras DISAGREES: {escape(v.message)})[/bold red reverse]"
    return f" [yellow](Keras: unverifiable: {escape(v.message)})[/yellow]"


def runtime_summary(rt: RuntimeReport) -> str:
    """The ``--runtime`` summary line: where it ran, and how many results Keras confirmed."""
    shapes = sum(len(f.shapes) for f in rt.files.values())
    missed = sum(len(f.missed) for f in rt.files.values())
    contradicted = rt.count("contradicted")
    style = "bold red" if contradicted or rt.shapes_disagree else "bold green"
    text = (f"[{style}]Runtime[/{style}] ({rt.backend} backend, Keras {rt.keras_version}, {escape(rt.device)}): "
            f"{rt.count('confirmed')} confirmed, {contradicted} contradicted, {rt.count('unverifiable')} unverifiable "
            f"finding(s); {rt.shapes_checked - rt.shapes_disagree} of {shapes} shape(s) agree, "
            f"{rt.shapes_disagree} disagree, {shapes - rt.shapes_checked} unverifiable")
    if missed:
        text += f"; Keras rejects {missed} call(s) shapecheck reported nothing for"
    return text + "."
