"""No false positive, and coverage, on every valid program in the repository (issue 10).

``shapecheck --format json --show-shapes`` runs once over

* every valid fixture: ``fixtures/valid/``, the demos and projects under ``fixtures/`` that carry
  no ``# error:`` / ``# keras-error:`` expectation;
* the examples in README.md and docs/ that are whole Keras programs (a ``python`` block that imports
  keras or tensorflow), except the failing ``## Example`` of each finding's page in docs/rules/;
* the real-world sample in ``tests/data/realworld/`` (files from PyPI packages, see its NOTICE).

It fails on any finding in these programs, and when the calls whose output rank was inferred
(``layer_calls_inferred`` over ``layer_calls``, summed) fall below 90%.  The figure is printed
(``pytest -s`` shows it).  The corpus behind the real-world sample: ``benchmarks/corpus.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.90
_EXPECTATION = re.compile(r"#\s*(keras-)?error:")
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_IMPORTS_KERAS = re.compile(r"^\s*(import|from)\s+(keras|tensorflow|tf_keras)\b", re.M)


def _expects_an_error(path: Path) -> bool:
    return bool(_EXPECTATION.search(path.read_text(encoding="utf-8")))


def valid_fixtures() -> list[Path]:
    """Whole programs (files) and projects (folders) under fixtures/ that Keras accepts."""
    fixtures = ROOT / "fixtures"
    found = sorted((fixtures / "valid").glob("*.py"))
    found += [p for p in sorted((fixtures / "demo").glob("*.py")) if not _expects_an_error(p)]
    projects = fixtures / "projects"
    if projects.is_dir():
        for project in sorted(p for p in projects.iterdir() if p.is_dir()):
            if not any(_expects_an_error(p) for p in project.rglob("*.py")):
                found.append(project)
    return found


def doc_examples() -> dict[str, str]:
    """The Keras programs in README.md and docs/**.md, by ``<page>-<n>``; a rule page's failing
    ``## Example`` is left out (its ``## Use instead`` is in)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    out = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for n, m in enumerate(_BLOCK.finditer(text)):
            code = m.group(1)
            if not _IMPORTS_KERAS.search(code):
                continue
            heading = re.findall(r"^#+ (.*)$", text[:m.start()], re.M)
            if page.parent.name == "rules" and heading and heading[-1].strip() == "Example":
                continue
            out[f"{page.stem}-{n}"] = code
    return out


def realworld() -> list[Path]:
    return sorted((ROOT / "tests" / "data" / "realworld").rglob("*.py"))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    docs = tmp_path_factory.mktemp("doc_examples")
    for name, code in doc_examples().items():
        (docs / f"{name}.py").write_text(code, encoding="utf-8")
    paths = [*valid_fixtures(), docs, *realworld()]
    result = CliRunner().invoke(main, ["--isolated", "--no-cache", "--format", "json", "--show-shapes",
                                       *map(str, paths)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_the_programs_are_there() -> None:
    # A glob that finds nothing would make the other tests pass on nothing.
    assert len(valid_fixtures()) >= 50
    assert len(doc_examples()) >= 15
    assert len(realworld()) >= 5


def test_no_finding_in_a_valid_program(report: dict) -> None:
    shown = [f"{f['path']}:{f['line']}: {f['name']}: {f['message']}" for f in report["findings"]]
    assert shown == []


def test_coverage_of_valid_programs_meets_the_goal(report: dict) -> None:
    summary = report["summary"]
    calls, inferred = summary["layer_calls"], summary["layer_calls_inferred"]
    figure = inferred / calls
    print(f"\ncoverage: {inferred} of {summary['layer_calls']} Keras calls inferred ({figure:.1%}) "
          f"in {summary['files']} files")
    assert calls >= 500  # the programs are really analysed
    assert figure >= GOAL, f"coverage {figure:.1%} is below {GOAL:.0%}"


def test_shapes_are_shown_for_every_file_with_keras_calls(report: dict) -> None:
    # --show-shapes lists a shape for each call: every real-world file contributes some.
    with_shapes = {Path(s["path"]).name for s in report["shapes"]}
    missing = [p.name for p in realworld() if p.name not in with_shapes]
    assert missing == []
