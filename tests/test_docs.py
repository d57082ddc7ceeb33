"""The generated docs are committed and up to date; every finding code has its page."""

from __future__ import annotations

from pathlib import Path

from shapecheck.core.findings import CODES
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
    for code in CODES.values():
        assert code.summary and code.explanation, code.name
