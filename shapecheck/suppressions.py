"""What happens to a file's findings after the analysis: selection, per-file ignores, severity overrides
and the ``# shapecheck: ignore[...]`` comments in the analysed source.

The comments are read with :mod:`tokenize` (a string that holds the words is not a comment), and the
statement a line belongs to comes from CPython's :mod:`ast`, so that a comment on the first line of a
statement that spans several lines covers every line of it.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
from dataclasses import dataclass, field, replace
from typing import Optional

from .config import Rules, code_of
from .core.findings import ANALYSIS_LIMIT, CALL_SITE, FILE_ERRORS, INTERNAL_ERROR, UNUSED_IGNORE, FileResult, Finding, Span

#: ``# shapecheck: ignore`` or ``# shapecheck: ignore[SC201, rank-mismatch]``, at the start of a comment or
#: after another one in it (``# noqa: E501  # shapecheck: ignore``)
_DIRECTIVE = re.compile(r"(?:^|#)\s*shapecheck:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?=\s|#|$)")


@dataclass
class Suppression:
    """One comment: on ``line`` (``column`` 1-based), for ``codes`` (as written; ``None``: every code)."""

    line: int
    column: int
    end_column: int
    codes: Optional[tuple[str, ...]]
    #: the entries of ``codes`` that silenced a finding (``"*"``: the bare comment did)
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> Optional[str]:
        """The entry that silences ``finding`` (``"*"`` for a bare comment), or ``None``."""
        if self.codes is None:
            return "*"
        for entry in self.codes:
            code = code_of(entry)
            if code is not None and code.name == finding.code.name:
                return entry
        return None


def read_suppressions(source: str) -> dict[int, Suppression]:
    """The suppression comments of ``source`` by line (one per line: the first)."""
    if "shapecheck" not in source:  # tokenizing a large file costs; most have no comment of ours
        return {}
    found: dict[int, Suppression] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type != tokenize.COMMENT:
                continue
            m = _DIRECTIVE.search(tok.string)
            if m is None or tok.start[0] in found:
                continue
            codes = m.group("codes")
            entries = None if codes is None else tuple(c.strip() for c in codes.split(",") if c.strip())
            found[tok.start[0]] = Suppression(tok.start[0], tok.start[1] + 1, tok.end[1] + 1, entries or None)
    except (tokenize.TokenError, SyntaxError):
        pass  # what was read before the error stands
    return found


class StatementStarts:
    """The first line of the innermost statement around a line."""

    def __init__(self, tree: ast.Module) -> None:
        self.spans = sorted((n.lineno, n.end_lineno or n.lineno) for n in ast.walk(tree) if isinstance(n, ast.stmt))
        self.starts = [s[0] for s in self.spans]

    def of(self, line: int) -> int:
        # statements that start at or before ``line``: the innermost around it starts last
        for i in range(bisect.bisect_right(self.starts, line) - 1, -1, -1):
            start, end = self.spans[i]
            if end >= line:
                return start
        return line


def apply(result: FileResult, rules: Rules, source: Optional[str] = None, tree: Optional[ast.Module] = None,
          location: Optional[str] = None) -> None:
    """Filter ``result.findings`` in place: codes not selected or ignored for this file (``location``: its path
    on disk, default ``result.path``) go, the comments in ``source`` silence what they name, levels are
    overridden; with ``rules.warn_unused_ignores``, comments that silenced nothing become findings."""
    where = location or result.path
    kept = [f for f in result.findings if rules.reported(f.code.name, where)]
    comments = read_suppressions(source) if source is not None and tree is not None else {}
    if comments:
        starts = StatementStarts(tree) if tree is not None else None
        visible = []
        for f in kept:
            if f.code.name in FILE_ERRORS or not _silenced(f, comments, starts):
                visible.append(f)
        kept = visible
        if rules.warn_unused_ignores and not any(f.code.name in (ANALYSIS_LIMIT.name, INTERNAL_ERROR.name)
                                                 for f in result.findings):
            # (where the analysis stopped early, a comment past that point had nothing to silence)
            kept.extend(f for f in _unused(comments.values(), result.path)
                        if rules.reported(f.code.name, where))
    result.findings = [replace(f, severity=rules.level(f.code.name)) if rules.level(f.code.name) else f
                       for f in kept]
    result.findings.sort(key=lambda f: (f.span.line, f.span.column, f.code.number))


def _silenced(finding: Finding, comments: dict[int, Suppression], starts: Optional[StatementStarts]) -> bool:
    """Whether a comment silences ``finding``: one on its line, or on the first line of its statement, or on
    a call of the helper function it was found in (a call-site note): the call that passes the helper the
    wrong shapes is where a user marks it, and the helper stays checked for its other calls."""
    where = [finding.span.line]
    where += [n.span.line for n in finding.notes if n.message == CALL_SITE and n.span.path == finding.span.path]
    lines = []
    for line in where:
        lines.append(line)
        first = starts.of(line) if starts is not None else line
        if first != line:
            lines.append(first)
    for line in lines:
        comment = comments.get(line)
        if comment is None:
            continue
        entry = comment.covers(finding)
        if entry is not None:
            comment.used.add(entry)
            return True
    return False


def _unused(comments: object, path: str) -> list[Finding]:
    out = []
    for c in comments:  # type: ignore[attr-defined]
        span = Span(path, c.line, c.column, c.line, c.end_column)
        if c.codes is None:
            if not c.used:
                out.append(Finding(UNUSED_IGNORE, span, 'Unused "shapecheck: ignore" comment: no finding on this '
                                                        "line or statement to silence."))
            continue
        for entry in c.codes:
            if entry in c.used:
                continue
            code = code_of(entry)
            if code is None:
                why = f"{entry!r} is not a shapecheck finding code or name"
            else:
                why = f"no {code.label} finding on this line or statement"
            out.append(Finding(UNUSED_IGNORE, span, f'Unused "shapecheck: ignore[{entry}]": {why}.'))
    return out
