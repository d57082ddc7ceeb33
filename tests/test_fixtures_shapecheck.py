"""shapecheck on the fixtures: exactly the annotated findings, and the annotated shapes.

``python -m shapecheck --format json --show-shapes fixtures`` runs once (a subprocess, the way
users run it); each fixture is then compared with its inline expectations:

* findings: the set of ``(line, name)`` of the error and warning findings in the file equals
  the set of ``# error: [name]`` comments; notes are advice, not findings, and are not compared.
* shapes: for a ``# shape:`` line, the ``shapes`` entries on that line with the smallest column
  are the outermost call, the one whose result is assigned (``x = layers.Dense(8)(layers.Flatten()(x))``:
  Dense's call starts at ``layers``, Flatten's further right). A line that runs several
  times (a loop, a helper called twice) has several such entries: every one must match.
  A tuple target compares with the entry's ``outputs``. The contract lists layer, op and model
  calls only, so fixtures put ``# shape:`` on such calls, never on a helper function's call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest

from tests.fixtures_support import FIXTURES, ROOT, Fixture, all_fixtures, project_fixtures, show

FIXTURE_LIST = all_fixtures()
IDS = [f.rel for f in FIXTURE_LIST]
#: every file of the fixture projects, scripts and imported modules alike: each is checked as a file of
#: its own, with the others read where it imports them
PROJECT_FILES = project_fixtures()
COMPARED = ("error", "warning")


def shapecheck_json(*args: str) -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-m", "shapecheck", "--format", "json", "--show-shapes", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), f"shapecheck exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def report() -> dict:
    """The JSON report for the whole fixture tree, findings and shapes grouped by path."""
    data = shapecheck_json(FIXTURES.relative_to(ROOT).as_posix())
    findings, shapes = defaultdict(list), defaultdict(list)
    for finding in data["findings"]:
        findings[finding["path"]].append(finding)
    for entry in data["shapes"]:
        shapes[entry["path"]].append(entry)
    return {"findings": findings, "shapes": shapes, "summary": data["summary"]}


def _diff(expected: set, got: set, messages: dict) -> str:
    lines = []
    for line, name in sorted(expected - got):
        lines.append(f"  missing  line {line}: [{name}]")
    for line, name in sorted(got - expected):
        lines.append(f"  extra    line {line}: [{name}] {messages.get((line, name), '')}")
    return "\n".join(lines)


@pytest.mark.parametrize("fixture", FIXTURE_LIST + PROJECT_FILES, ids=IDS + [f.rel for f in PROJECT_FILES])
def test_findings_match_annotations(fixture: Fixture, report):
    found = [f for f in report["findings"][fixture.rel] if f["severity"] in COMPARED]
    got = {(f["line"], f["name"]) for f in found}
    expected = {(line, name) for line, name in fixture.errors.items()}
    messages = {(f["line"], f["name"]): f["message"] for f in found}
    assert got == expected, f"{fixture.rel}: findings differ from the annotations\n" + _diff(expected, got, messages)


@pytest.mark.parametrize("fixture", [f for f in FIXTURE_LIST + PROJECT_FILES if f.shapes],
                         ids=[f.rel for f in FIXTURE_LIST + PROJECT_FILES if f.shapes])
def test_shapes_match_annotations(fixture: Fixture, report):
    problems = _shape_problems(fixture, report["shapes"][fixture.rel])
    assert not problems, f"{fixture.rel}:\n" + "\n".join(problems)


def _shape_problems(fixture: Fixture, entries: list[dict]) -> list[str]:
    by_line = defaultdict(list)
    for entry in entries:
        by_line[entry["line"]].append(entry)
    problems = []
    for expectation in fixture.shapes:
        on_line = by_line.get(expectation.line)
        if not on_line:
            problems.append(f"  line {expectation.line}: no shape inferred, annotated {show(expectation.expected)}")
            continue
        outermost = min(e["column"] for e in on_line)
        for entry in (e for e in on_line if e["column"] == outermost):
            got = _entry_shape(entry, expectation.is_tuple)
            if got != _as_json(expectation.expected):
                problems.append(f"  line {expectation.line}: shapecheck gives {_show_json(got)} "
                                f"({entry['layer']}), annotated {show(expectation.expected)}")
    return problems


def _entry_shape(entry: dict, several: bool):
    if several:
        return entry.get("outputs")
    return entry.get("shape", entry.get("outputs"))


def _as_json(shape):
    return [_as_json(s) for s in shape] if isinstance(shape, list) else list(shape)


def _show_json(shape) -> str:
    if shape is None:
        return "nothing"
    if shape and all(isinstance(s, list) for s in shape):
        return "[" + ", ".join(_show_json(s) for s in shape) + "]"
    return show(tuple(shape))


def test_keras_2_accepts_tf_ops_on_keras_tensors():
    """Under tf.keras 2 a TensorFlow op on a symbolic tensor is a layer: no finding, same shape."""
    path = "fixtures/invalid/tf_square_on_keras_tensor.py"
    data = shapecheck_json("--keras-version", "2", path)
    assert [f for f in data["findings"] if f["severity"] in COMPARED] == []
    line = next(n for n, text in enumerate((ROOT / path).read_text().splitlines(), 1)
                if text.startswith("y = tf.square("))
    shapes = [e["shape"] for e in data["shapes"] if e["path"] == path and e["line"] == line]
    assert shapes == [[None, 32]]


def test_project_shapes_are_of_their_own_file():
    """A script checked alone lists its own lines only: the calls inside an imported module are that
    module's, even though the analysis followed them (the finding inside one is at the script's call)."""
    path = "fixtures/projects/package_relative/train.py"
    data = shapecheck_json(path)
    assert {e["path"] for e in data["shapes"]} == {path}
    assert {(f["path"], f["line"], f["name"]) for f in data["findings"]} == {(path, 15, "rank-mismatch")}
    # (the layer calls counted are this file's too: Flatten, GlobalMaxPooling1D, Concatenate, Dense)
    calls = [e for e in data["shapes"]
             if e["layer"].startswith("keras.layers.") and e["layer"] != "keras.layers.InputLayer"]
    assert data["summary"]["layer_calls"] == len(calls) == 4
