"""``--format sarif``: SARIF 2.1.0, one run, ready for GitHub code scanning's ``upload-sarif``.

* ``tool.driver.rules``: every finding code (sorted by number, so a code's ``ruleIndex`` is the
  same in every report), with its kebab name (the one ``ignore[...]`` and the mypy sub-code use),
  summary, explanation, its ``docs/rules/`` page as ``help.markdown`` and ``helpUri``.
* one ``result`` per finding: the code, its level, the message, the span as a region, the notes
  as ``relatedLocations``, a ``partialFingerprints`` entry that survives moving the line, and with
  ``--runtime`` the verdict in ``properties.runtime``.
* paths under the working directory are relative URIs against ``%SRCROOT%`` (which
  ``originalUriBaseIds`` maps to the working directory); others are absolute ``file:`` URIs.
  Columns are Unicode code points (``columnKind``), 1-based, the end exclusive, as in the JSON report.
* a finding in a notebook: the region's lines and columns are those of its cell, whose number the
  message starts with (``cell 3: ...``) and ``properties.cell`` holds.
* ``invocations[0].executionSuccessful`` is false when the run was interrupted, with the reason
  as a tool notification.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Optional, TextIO
from urllib.parse import quote

from .. import __version__
from ..api import Report, read_source
from ..core.findings import CODES, Code, Finding, Span

if TYPE_CHECKING:  # the runtime package loads only with --runtime
    from ..runtime import RuntimeReport

#: the project's home (tool.driver.informationUri; each rule's helpUri is its docs/rules/ page there).
#: The repository has no public URL yet: this one is assumed, and this is the one place to change it.
PROJECT_URL = "https://github.com/keras-shapecheck/keras-shapecheck"
#: the rule pages, ``docs/rules/<number>-<name>.md``, are below it
DOCS_URL = f"{PROJECT_URL}/blob/main/"
SCHEMA_URL = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: the base of every relative artifact URI: the working directory the paths are relative to
SRCROOT = "%SRCROOT%"
#: a finding's severity as a SARIF level
LEVEL = {"error": "error", "warning": "warning", "note": "note"}
#: the ``partialFingerprints`` key (versioned: a change in how it is computed gets a new key)
FINGERPRINT = "shapecheck/v1"


def rules() -> list[Code]:
    """The codes in ``ruleIndex`` order."""
    return sorted(CODES.values(), key=lambda c: c.number)


def artifact_uri(path: str) -> dict[str, str]:
    """An ``artifactLocation``: a percent-encoded relative URI against ``%SRCROOT%``, or a ``file:``
    URI for a path outside the working directory."""
    p = PurePath(path)
    if p.is_absolute() or p.parts[:1] == ("..",):  # not under the working directory
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(p.as_posix(), safe="/"), "uriBaseId": SRCROOT}


def _region(s: Span) -> dict[str, int]:
    region = {"startLine": s.line, "startColumn": s.column, "endLine": s.end_line, "endColumn": s.end_column}
    return {k: v for k, v in region.items() if v >= 1}  # SARIF's minimum; an unknown end is left out


def _in_cell(s: Span, message: str) -> str:
    """In a notebook, the message says the cell (the region's lines are the cell's, not the JSON file's)."""
    return message if s.cell is None else f"cell {s.cell}: {message}"


def _location(s: Span) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": artifact_uri(s.path), "region": _region(s)}}


def _unwrap(text: str) -> str:
    """Paragraphs as single lines (the code's prose is wrapped for the source file, not for a viewer)."""
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


def _rule(code: Code) -> dict[str, Any]:
    from ..docs import DOCS_URL as PAGE, rule_page

    page = PAGE.format(number=code.number, name=code.name)
    return {
        "id": code.number,
        "name": code.name,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": _unwrap(code.explanation)},
        "help": {"text": f"{code.summary}\n\n{_unwrap(code.explanation)}", "markdown": rule_page(code)},
        "helpUri": DOCS_URL + quote(page),
        "defaultConfiguration": {"level": LEVEL[code.severity]},
        "properties": {"tags": ["keras", "shape"]},
    }


class _Lines:
    """The text of each file's lines, read once, for the fingerprints ('' for a file that cannot be read); in a
    notebook, the lines of the cell."""

    def __init__(self) -> None:
        self.files: dict[str, list[str]] = {}
        self.cells: dict[str, dict[int, list[str]]] = {}

    def get(self, path: str, line: int, cell: Optional[int] = None) -> str:
        if cell is not None:
            if path not in self.cells:
                from ..notebook import cell_lines

                self.cells[path] = cell_lines(path)
            lines = self.cells[path].get(cell, [])
            return lines[line - 1] if 0 < line <= len(lines) else ""
        if path not in self.files:
            try:
                self.files[path] = read_source(path).splitlines()
            except (OSError, ValueError):
                self.files[path] = []
        lines = self.files[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""


def fingerprint(f: Finding, line_text: str, occurrence: int) -> str:
    """The code, the path and the line's text without its indentation (so that moving the line keeps
    the alert), and which occurrence of those three it is in the file."""
    key = "\0".join((f.code.number, f.span.path, " ".join(line_text.split()), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def as_dict(report: Report, *, runtime: Optional[RuntimeReport] = None,
            interrupted: Optional[str] = None) -> dict[str, Any]:
    """The SARIF log; ``interrupted``: why the run stopped before the end (the report is incomplete)."""
    codes = rules()
    index = {c.number: i for i, c in enumerate(codes)}
    lines = _Lines()
    seen: dict[tuple[str, str, str], int] = {}
    results = []
    for file in report.files:
        checked = runtime.files.get(file.path) if runtime is not None else None
        for i, f in enumerate(file.findings):
            text = lines.get(f.span.path, f.span.line, f.span.cell)
            key = (f.code.number, f.span.path, " ".join(text.split()))
            seen[key] = seen.get(key, -1) + 1
            result: dict[str, Any] = {
                "ruleId": f.code.number,
                "ruleIndex": index[f.code.number],
                "level": LEVEL[f.level],
                "message": {"text": _in_cell(f.span, f.message)},
                "locations": [_location(f.span)],
                "partialFingerprints": {FINGERPRINT: fingerprint(f, text, seen[key])},
            }
            if f.notes:
                result["relatedLocations"] = [{"id": j, **_location(n.span),
                                               "message": {"text": _in_cell(n.span, n.message)}}
                                              for j, n in enumerate(f.notes)]
            if f.span.cell is not None:
                result["properties"] = {"cell": f.span.cell}
            if checked is not None:
                v = checked.findings[i]
                result.setdefault("properties", {})["runtime"] = {"verdict": v.verdict, "message": v.message}
            results.append(result)
    invocation: dict[str, Any] = {"executionSuccessful": interrupted is None}
    if interrupted is not None:
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": interrupted}}]
    root = Path.cwd().as_uri()
    return {
        "$schema": SCHEMA_URL,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "shapecheck",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URL,
                "rules": [_rule(c) for c in codes],
            }},
            "invocations": [invocation],
            "originalUriBaseIds": {SRCROOT: {"uri": root if root.endswith("/") else root + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(report: Report, out: TextIO, *, runtime: Optional[RuntimeReport] = None,
           interrupted: Optional[str] = None) -> None:
    json.dump(as_dict(report, runtime=runtime, interrupted=interrupted), out, indent=2)
    out.write("\n")
