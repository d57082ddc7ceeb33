"""The generated docs are committed and up to date; every finding code has its page."""

from __future__ import annotations

import re
from pathlib import Path

from shapecheck.core.findings import CODES, FILE_ERRORS
from shapecheck.docs import generate

ROOT = Path(__file__).resolve().parent.parent


def test_generated_docs_are_up_to_date():
    stale = [rel for rel, content in generate().items()
             if not (ROOT / rel).exists() or (ROOT / rel).read_text() != content]
    assert stale == [], "run `python -m shapecheck.docs` and commit the result"


def test_no_page_without_a_code():
    pages = {p.name for p in (ROOT / "docs" / "rules").glob("SC*.md")}
    assert pages == {f"{c.number}-{c.name}.md" for c in CODES.values()}


def test_every_code_is_documented_in_full():
    """What it does, why it is bad, an example and the fix (tests/test_rule_docs.py runs the last two)."""
    for code in CODES.values():
        assert code.summary and code.explanation and code.example and code.fix, code.name


def test_the_mypy_page_lists_every_error_code():
    """docs/mypy.md's table of sub-codes: one row per code the plugin reports, with its number."""
    rows = re.findall(r"^\| `(shape-[a-z0-9-]+)` \| (SC\d{3})", (ROOT / "docs" / "mypy.md").read_text(), re.M)
    assert sorted(rows) == sorted((c.mypy_code, c.number) for c in CODES.values() if c.name not in FILE_ERRORS)
