"""``--statistics``: how many findings of each code, the most frequent first, as ``ruff --statistics``
prints them (``count  code  name``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..api import Report
from ..core.findings import CODES, Code


def counts(report: Report) -> list[tuple[int, Code]]:
    """``(count, code)`` for every code found, by count (highest first), then by code number."""
    found = Counter(f.code.name for f in report.findings)
    return sorted(((n, CODES[name]) for name, n in found.items()), key=lambda item: (-item[0], item[1].number))


def lines(report: Report) -> list[str]:
    table = counts(report)
    width = max((len(str(n)) for n, _ in table), default=1)
    return [f"{n:>{width}}  {code.number}  {code.name}" for n, code in table]


def as_json(report: Report) -> list[dict[str, Any]]:
    """The ``statistics`` list of ``--format json``: ``{"code", "name", "count"}`` per code found."""
    return [{"code": code.number, "name": code.name, "count": n} for n, code in counts(report)]
