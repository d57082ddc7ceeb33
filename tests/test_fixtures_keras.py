"""The fixtures hold for real Keras: valid ones run, invalid ones fail on the annotated line.

Every fixture runs under Keras 3 in a subprocess (never in this process: fixtures are whole
programs), two shards in parallel; ``# shape:`` expectations are checked against the shapes
the assigned tensors really have. If shapecheck and Keras disagree on a fixture, this file
says whether the fixture itself is right.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from shapecheck.core.findings import CODES
from tests.fixtures_support import FIXTURES, ROOT, Fixture, all_fixtures, is_entry, project_fixtures, show

FIXTURE_LIST = all_fixtures()
IDS = [f.rel for f in FIXTURE_LIST]
PROJECT_FILES = project_fixtures()
#: the scripts of the fixture projects (what runs under Keras); the other files are imported modules
ENTRIES = [f for f in PROJECT_FILES if is_entry(f.path)]
SHARDS = 2
BROKEN_FIXTURE = {"NameError", "UnboundLocalError", "ImportError", "ModuleNotFoundError", "SyntaxError",
                  "TimeoutError", "KeyboardInterrupt", "SystemExit"}


@pytest.fixture(scope="module")
def keras_results() -> dict[str, dict]:
    """Run every fixture once under Keras; results by repository-relative path."""
    return run_under_keras([str(f.path) for f in FIXTURE_LIST], SHARDS)


@pytest.fixture(scope="module")
def project_results() -> dict[str, dict]:
    """Run the scripts of the fixture projects under Keras (one process: they are few)."""
    return run_under_keras([str(f.path) for f in ENTRIES], 1)


def run_under_keras(paths: list[str], shards: int) -> dict[str, dict]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="")
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for shard in range(shards):
            out = Path(tmp) / f"shard{shard}.json"
            command = [sys.executable, "-m", "tests.fixtures_support", str(out), *paths[shard::shards]]
            jobs.append((out, subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                               stderr=subprocess.PIPE, text=True)))
        results: dict[str, dict] = {}
        for out, job in jobs:
            stdout, stderr = job.communicate(timeout=600)
            assert job.returncode == 0, f"fixture runner crashed:\n{stdout}\n{stderr[-5000:]}"
            results.update({r["path"]: r for r in json.loads(out.read_text())})
    return results


# --------------------------------------------------------------------- the fixtures themselves


def test_enough_fixtures_of_each_kind():
    kinds = [f.kind for f in FIXTURE_LIST]
    assert kinds.count("valid") >= 25 and kinds.count("invalid") >= 25 and kinds.count("demo") >= 2


@pytest.mark.parametrize("fixture", FIXTURE_LIST, ids=IDS)
def test_expectations_are_well_formed(fixture: Fixture):
    unknown = {name for name in fixture.errors.values() if name not in CODES}
    assert not unknown, f"unknown finding names {unknown}; known: {sorted(CODES)}"
    if fixture.kind == "valid":
        assert not fixture.errors, "a valid fixture states no error"
    elif fixture.kind == "invalid":
        # One bug; where it surfaces again in a later call (`evaluate` after `fit` on the same
        # unprepared data), that call is annotated too. Keras stops at the first.
        assert fixture.errors, "an invalid fixture has a bug"
        assert len(set(fixture.errors.values())) == 1, "an invalid fixture has one bug"
        stray = {n for n in fixture.keras_errors.values() if n not in fixture.errors.values()}
        assert not stray, f"keras-error names {stray} that no error line reports"
        assert not fixture.keras_errors or min(fixture.keras_errors) > min(fixture.errors), \
            "Keras raises after the layer that shapecheck reports"
    else:
        assert len(fixture.errors) <= 1, "Keras stops at the first error: one bug per demo file"
    if fixture.kind != "demo":
        lines = len(fixture.path.read_text().splitlines())
        assert 30 <= lines <= 120, f"{lines} lines: fixtures are whole, realistic programs"


def test_no_stray_files():
    # (trap/ holds a program that writes a file if run: tests/test_runtime.py checks that neither
    # mode runs it; it is never run as a fixture)
    stray = [p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix == ".py" and p.parent.name not in
             ("valid", "invalid", "demo", "trap") and "projects" not in p.relative_to(FIXTURES).parts[:1]]
    assert not stray


def test_projects_are_projects():
    """Each fixture project has a script and the modules it imports; only scripts state errors (an
    imported function that Keras rejects is annotated at the script's call)."""
    projects = {f.path.relative_to(FIXTURES / "projects").parts[0] for f in PROJECT_FILES}
    assert len(projects) >= 4
    for name in projects:
        files = [f for f in PROJECT_FILES if f.path.relative_to(FIXTURES / "projects").parts[0] == name]
        assert any(is_entry(f.path) for f in files) and len(files) >= 2, name
    assert any(f.errors for f in ENTRIES) and any(not f.errors for f in ENTRIES)
    assert not [f.rel for f in PROJECT_FILES if not is_entry(f.path) and (f.errors or f.shapes)]
    assert all(len(set(f.errors.values())) <= 1 for f in ENTRIES)


# --------------------------------------------------------------------- Keras agrees


@pytest.mark.parametrize("fixture", FIXTURE_LIST, ids=IDS)
def test_keras_fails_exactly_where_annotated(fixture: Fixture, keras_results):
    result = keras_results[fixture.rel]
    error = result["error"]
    expected_line = fixture.keras_error_line
    if expected_line is None:
        assert error is None, (f"Keras raised {error['type']} on line {error['line']} of a fixture that "
                               f"states no error:\n{error['message']}")
        return
    assert error is not None, f"Keras ran the whole file; expected a failure on line {expected_line}"
    assert error["line"] == expected_line, (
        f"Keras failed on line {error['line']}, not {expected_line}: {error['type']}: {error['message']}")
    # A NameError or an ImportError is a broken fixture, not a shape bug Keras found (Keras itself
    # rejects some arguments with IndexError or TypeError: those count).
    assert error["type"].rsplit(".", 1)[-1] not in BROKEN_FIXTURE, (
        f"{error['type']} is not how Keras rejects shapes: {error['message']}")


@pytest.mark.parametrize("fixture", [f for f in FIXTURE_LIST if f.shapes],
                         ids=[f.rel for f in FIXTURE_LIST if f.shapes])
def test_keras_shapes_match_annotations(fixture: Fixture, keras_results):
    seen = keras_results[fixture.rel]["shapes"]
    problems = []
    for expectation in fixture.shapes:
        runs = seen.get(str(expectation.line))
        if not runs:
            problems.append(f"line {expectation.line}: never ran under Keras (after the failure?)")
            continue
        expected = _as_json(expectation.expected)
        for got in runs:
            if got != expected:
                problems.append(f"line {expectation.line}: Keras gives {show(_as_tuples(got))}, "
                                f"annotated {show(expectation.expected)}")
    assert not problems, "\n".join(problems)


def _as_json(shape):
    return [_as_json(s) for s in shape] if isinstance(shape, list) else list(shape)


def _as_tuples(shape):
    if isinstance(shape, list) and shape and isinstance(shape[0], list):
        return [tuple(s) for s in shape]
    return tuple(shape) if isinstance(shape, list) else shape


# --------------------------------------------------------------------- projects: Keras agrees


@pytest.mark.parametrize("fixture", ENTRIES, ids=[f.rel for f in ENTRIES])
def test_keras_fails_where_projects_are_annotated(fixture: Fixture, project_results):
    test_keras_fails_exactly_where_annotated(fixture, project_results)
    test_keras_shapes_match_annotations(fixture, project_results)


@pytest.mark.parametrize("fixture", [f for f in ENTRIES if f.errors], ids=[f.rel for f in ENTRIES if f.errors])
def test_a_finding_in_imported_code_points_where_keras_raises(fixture: Fixture, project_results):
    """The finding at the script's call carries a note at the line of the other module whose call Keras
    rejects: the innermost frame of the project in Keras's traceback."""
    from shapecheck.api import check_file
    from shapecheck.frontend.modules import REJECTED_THERE

    frame = project_results[fixture.rel]["error"]["project_frame"]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = check_file(fixture.rel)
    finally:
        os.chdir(cwd)
    errors = [f for f in result.findings if f.level == "error"]
    assert [(f.span.path, f.span.line) for f in errors] == [(fixture.rel, fixture.error_line)]
    there = [[n.span.path, n.span.line] for n in errors[0].notes if n.message == REJECTED_THERE]
    if frame[0] == fixture.rel:
        assert there == [], "Keras raised in the script itself: no note into another module"
    else:
        assert there == [frame]
