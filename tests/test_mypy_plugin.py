"""The mypy plugin (``plugins = shapecheck.mypy``) against the CLI, its options, dmypy and mypy's cache.

The inline ``reveal_type`` / ``# E:`` cases are pytest-mypy-plugins cases in ``tests/mypy/``.
Each mypy run here costs one to a few seconds (the stubs are parsed each time): cases share
runs where they can.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest
from mypy import api as mypy_api

from shapecheck.api import check_file
from shapecheck.mypy.codes import MYPY_REPORTS

from .mypy_support import mypy_config, stub_search_path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
#: every fixture but fixtures/trap (a program that writes a file when run: the runtime tests' own)
FIXTURE_FILES = sorted(p for folder in ("valid", "invalid", "demo") for p in (FIXTURES / folder).glob("*.py"))
#: mypy's output line with --show-column-numbers --show-error-codes --no-pretty
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|note): "
                  r"(?P<message>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$")
#: a module-level finding is reported from inside mypy's trial checks of NumPy's operators, which
#: then fail: `0.0005 * np.arange(n)` gets an [operator] error (see test_findings_do_not_break_numpy)
NUMPY_OPERATOR_BUG = pytest.mark.xfail(
    strict=True, reason="plugin bug: a finding reported inside mypy's trial check of a NumPy operator")
FLAGS = ["--show-column-numbers", "--show-error-codes", "--no-pretty", "--no-error-summary"]


@dataclass(frozen=True)
class Message:
    path: Path
    line: int
    column: int
    severity: str
    message: str
    code: Optional[str]


def parse(output: str) -> tuple[list[Message], list[str]]:
    """mypy's messages, and the lines of its output that are not a message (continuations)."""
    messages, others = [], []
    for text in output.splitlines():
        m = LINE.match(text)
        if m is None:
            others.append(text)
            continue
        messages.append(Message(Path(m["path"]).resolve(), int(m["line"]), int(m["column"]), m["severity"],
                                m["message"], m["code"]))
    return messages, others


def run_mypy(config: Path, *args: str) -> tuple[str, str, int]:
    return mypy_api.run(["--config-file", str(config), *FLAGS, *args])


@pytest.fixture(scope="module")
def stub_path(tmp_path_factory) -> str:
    return stub_search_path(tmp_path_factory)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- 1. parity with the CLI over every fixture ----------------------------------------------------


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory, stub_path):
    """One mypy run with the plugin over every fixture: its messages by file, and the rest."""
    folder = tmp_path_factory.mktemp("parity")
    config = mypy_config(folder, plugin=True, extra="incremental = False", stub_path=stub_path)
    out, err, status = run_mypy(config, *map(str, FIXTURE_FILES))
    messages, others = parse(out)
    by_file: dict[Path, list[Message]] = {}
    for m in messages:
        by_file.setdefault(m.path, []).append(m)
    return by_file, others, err, status


def test_mypy_output_is_one_message_a_line(fixture_run):
    """Keras's multi-line messages become an error line and notes: no line of mypy's output
    continues a message (an editor would show such a line as nothing, or as garbage)."""
    by_file, others, err, status = fixture_run
    assert err == ""
    assert status == 1  # the invalid fixtures have errors
    assert others == []


def test_no_message_outside_the_fixtures(fixture_run):
    """The stubs (on mypy_path, where mypy reports their errors) add none of their own."""
    by_file, _, _, _ = fixture_run
    outside = {str(path): [m.message for m in ms][:3] for path, ms in by_file.items()
               if path not in set(FIXTURE_FILES)}
    assert outside == {}


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=NUMPY_OPERATOR_BUG) if p.name == "train_sensor_lstm_feature_axis.py" else p
    for p in FIXTURE_FILES], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_parity_with_the_cli(fixture_run, path):
    by_file, _, _, _ = fixture_run
    messages = by_file.get(path, [])
    findings = [f for f in check_file(str(path)).findings if f.code.name not in MYPY_REPORTS]
    shape = [m for m in messages if m.code is not None and m.code.startswith("shape-")]

    # every error finding is one mypy error, at its line and column, with its sub-code and the
    # first line of Keras's message; no other shape error
    expected_errors = Counter((f.span.line, f.span.column, f"shape-{f.code.name}", f.message.splitlines()[0])
                              for f in findings if f.level == "error")
    actual_errors = Counter((m.line, m.column, m.code, m.message) for m in shape if m.severity == "error")
    assert actual_errors == expected_errors

    # a warning or note finding is a note starting with its level; each finding's further message
    # lines and its notes are notes at the finding's place (mypy shows no code on a note, and
    # prints a note repeated at one place once), and there are no other notes
    notes = [m for m in messages if m.severity == "note"]
    expected: dict[tuple[int, int], list[str]] = {}
    for f in findings:
        first, *more = f.message.splitlines()
        wanted = expected.setdefault((f.span.line, f.span.column), [])
        if f.level != "error":
            wanted.append(f"{f.level}: {first}")
        wanted += [line.strip() for line in more if line.strip()]
        # a note's place is written as "line N" (or "path:N" in another file): its text before "here"
        wanted += [n.message.removesuffix(" here") for n in f.notes]
    for place, wanted in expected.items():
        here = [m.message for m in notes if (m.line, m.column) == place]
        for text in wanted:
            assert any(note.startswith(text) for note in here), (place, text, here)
        for note in here:
            assert any(note.startswith(text) for text in wanted), (place, note, wanted)
    assert [m for m in notes if (m.line, m.column) not in expected] == []

    # no error but shape errors; a valid or demo file without findings: no message at all
    assert [m for m in messages if m.severity == "error" and m not in shape] == []
    if path.parent.name in ("valid", "demo") and not findings:
        assert messages == []


def test_every_invalid_fixture_has_a_shape_error(fixture_run):
    """The parity test would pass with the plugin silent on files the CLI is silent on: it is
    not, since the CLI reports on every invalid fixture (a guard against a vacuous parity)."""
    by_file, _, _, _ = fixture_run
    invalid = [p for p in FIXTURE_FILES if p.parent.name == "invalid"]
    silent = [p.name for p in invalid
              if not any(m.severity == "error" and (m.code or "").startswith("shape-") for m in by_file.get(p, []))]
    assert silent == []


# -- programs of our own --------------------------------------------------------------------------


def check_program(folder: Path, stub_path: str, source: str, *, extra: str = "", args=()) -> tuple[list[Message], str]:
    """mypy with the plugin on ``source`` as ``main.py`` in ``folder``: its messages and stderr."""
    config = mypy_config(folder, plugin=True, extra="incremental = False\n" + extra, stub_path=stub_path)
    main = write(folder, "main.py", source)
    out, err, _ = run_mypy(config, *args, str(main))
    messages, others = parse(out)
    assert others == []
    return messages, err


def errors(messages: list[Message]) -> list[tuple[int, Optional[str]]]:
    return [(m.line, m.code) for m in messages if m.severity == "error"]


@NUMPY_OPERATOR_BUG
def test_findings_do_not_break_numpy(tmp_path, stub_path):
    """A shape finding in a module makes no NumPy arithmetic of that module an error.

    The bug: ShapecheckPlugin._on_call (shapecheck/mypy/hooks.py) reports all the findings of the
    enclosing function at every hooked call, NumPy's methods included, and mypy checks
    ``0.5 * t`` by trying ``float.__mul__`` and then ``ndarray.__rmul__`` with its errors
    filtered: the finding reported inside that trial makes the trial fail."""
    messages, _ = check_program(tmp_path, stub_path, """\
        import numpy as np
        import keras
        from keras import layers
        t = np.arange(10)
        y = 0.5 * t
        z = layers.Conv2D(4, 3)(keras.Input(shape=(10,)))
        """)
    assert errors(messages) == [(6, "shape-rank-mismatch")]
