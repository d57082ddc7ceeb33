"""Text output, as a compiler prints it: ``path:line:col: error: message [SC201 rank-mismatch]``."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape

from ..api import Report
from ..core.shapes import show_shape

_STYLE = {"error": "bold red", "warning": "bold yellow", "note": "cyan"}


def render(report: Report, out: TextIO, *, show_shapes: bool = False, color: bool | None = None) -> None:
    # rich honours NO_COLOR and colours only a terminal unless told otherwise.
    console = Console(file=out, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False)
    for file in report.files:
        for f in file.findings:
            s = f.span
            console.print(f"[bold]{escape(s.path)}:{s.line}:{s.column}:[/bold] "
                          f"[{_STYLE[f.level]}]{f.level}:[/{_STYLE[f.level]}] {escape(f.message)} "
                          f"[dim]\\[{f.code.number} {f.code.name}][/dim]")
            for n in f.notes:
                console.print(f"    {escape(n.span.path)}:{n.span.line}:{n.span.column}: "
                              f"[{_STYLE['note']}]note:[/{_STYLE['note']}] {escape(n.message)}")
        if show_shapes:
            for entry in file.shapes:
                s = entry["span"]
                shapes = ", ".join(show_shape(t.shape) for t in entry["outputs"])
                console.print(f"{escape(s.path)}:{s.line}:{s.column}: [{_STYLE['note']}]shape:[/{_STYLE['note']}] "
                              f"{escape(entry['layer'])} -> {escape(shapes)}")
    counts = {lvl: sum(1 for f in report.findings if f.level == lvl) for lvl in ("error", "warning", "note")}
    n_files = len(report.files)
    if report.findings:
        parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "note") if counts[k]]
        console.print(f"Found {', '.join(parts)} in {n_files} file{'s' if n_files != 1 else ''}.")
    else:
        console.print(f"No shape errors in {n_files} file{'s' if n_files != 1 else ''}.")
