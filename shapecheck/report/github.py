"""``--format github``: one GitHub Actions workflow command per finding, which the runner turns into
an annotation on the line of the pull request:

``::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=SC201 rank-mismatch::message``

``warning`` findings are ``::warning``, ``note`` ones ``::notice``. The notes (where each shape came
from) and, with ``--runtime``, Keras's verdict follow the message on lines of their own. Nothing
else is printed: every line is a command (a line that is not one would only be noise in the log).
A finding in a notebook's cell annotates the file (no ``line``: the lines GitHub shows are the JSON's), its
message starting with ``cell N:line:col:``.
Escaping is the runner's (``actions/toolkit``'s ``command.ts``): ``%``, CR and LF in the message;
also ``:`` and ``,`` in the properties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, TextIO

from ..api import Report
from ..core.findings import Finding

if TYPE_CHECKING:  # the runtime package loads only with --runtime
    from ..runtime import Verdict, RuntimeReport

#: a finding's severity as a workflow command
COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f: Finding, verdict: Optional[Verdict] = None) -> str:
    """The workflow command of one finding (one line)."""
    s = f.span
    props = [("file", s.path), ("line", s.line), ("col", s.column), ("endLine", s.end_line),
             ("endColumn", s.end_column), ("title", f.code.label)]
    lines = [f.message]
    if s.cell is not None:
        # a notebook: its lines in the pull request are the JSON file's, so the annotation is the file's, and
        # the message says where in which cell
        props = [("file", s.path), ("title", f.code.label)]
        lines = [f"cell {s.cell}:{s.line}:{s.column}: {f.message}"]
    lines += [f"{n.span.location}: note: {n.message}" for n in f.notes]
    if verdict is not None:
        lines.append(f"runtime: {verdict.verdict}: {verdict.message}")
    head = ",".join(f"{k}={escape_property(str(v))}" for k, v in props)
    return f"::{COMMAND[f.level]} {head}::{escape_data(chr(10).join(lines))}"


def render(report: Report, out: TextIO, *, runtime: Optional[RuntimeReport] = None) -> None:
    for file in report.files:
        checked = runtime.files.get(file.path) if runtime is not None else None
        for i, f in enumerate(file.findings):
            out.write(command(f, checked.findings[i] if checked is not None else None) + "\n")
