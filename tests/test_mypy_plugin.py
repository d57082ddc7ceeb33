"""The mypy plugin (``plugins = shapecheck.mypy``) against the CLI, its options, dmypy and mypy's cache.

The inline ``reveal_type`` / ``# E:`` cases are pytest-mypy-plugins cases in ``tests/mypy/``.
Each mypy run here costs one to a few seconds (the stubs are parsed each time): cases share
runs where they can.
"""

from __future__ import annotations

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
from shapecheck.core.findings import FILE_ERRORS

from .mypy_support import mypy_config, stub_search_path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
#: every fixture but fixtures/trap (a program that writes a file when run: the runtime tests' own)
FIXTURE_FILES = sorted(p for folder in ("valid", "invalid", "demo") for p in (FIXTURES / folder).glob("*.py"))
#: mypy's output line with --show-column-numbers --show-error-codes --no-pretty
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|note): "
                  r"(?P<message>.*?)(?:  \[(?P<code>[a-z0-9-]+)\])?$")
FLAGS = ["--show-column-numbers", "--show-error-codes", "--no-pretty", "--no-error-summary"]


@dataclass(frozen=True)
class Message:
    path: Path
    line: int
    column: int
    severity: str
    message: str
    code: Optional[str]


def parse(output: str, base: Optional[Path] = None) -> tuple[list[Message], list[str]]:
    """mypy's messages, and the lines of its output that are not a message (continuations).
    ``base``: the directory mypy ran in (default: this one)."""
    messages, others = [], []
    for text in output.splitlines():
        m = LINE.match(text)
        if m is None:
            others.append(text)
            continue
        path = (base or Path.cwd()).joinpath(m["path"]).resolve()
        messages.append(Message(path, int(m["line"]), int(m["column"]), m["severity"], m["message"], m["code"]))
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


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_parity_with_the_cli(fixture_run, path):
    by_file, _, _, _ = fixture_run
    messages = by_file.get(path, [])
    findings = [f for f in check_file(str(path)).findings if f.code.name not in FILE_ERRORS]
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
    #: at each place, each note: its start, its end, and the line it points to (a note of the
    #: finding's own message: the whole text, no line)
    expected: dict[tuple[int, int], list[tuple[str, str, Optional[int]]]] = {}
    for f in findings:
        first, *more = f.message.splitlines()
        wanted = expected.setdefault((f.span.line, f.span.column), [])
        if f.level != "error":
            wanted.append((f"{f.level}: {first}", "", None))
        wanted += [(line.strip(), "", None) for line in more if line.strip()]
        # a note points at its own place: "created here" is shown as "created at line N"
        for n in f.notes:
            before, _, after = n.message.partition(" here")
            wanted.append((before, after, n.span.line))

    def fits(note: str, want: tuple[str, str, Optional[int]]) -> bool:
        start, end, line = want
        if line is None:
            return note == start
        middle = note[len(start):len(note) - len(end)]
        return note.startswith(start) and note.endswith(end) and re.search(rf"(line |:){line}\b", middle) is not None

    for place, wanted in expected.items():
        here = [m.message for m in notes if (m.line, m.column) == place]
        for want in wanted:
            assert any(fits(note, want) for note in here), (place, want, here)
        for note in here:
            assert any(fits(note, want) for want in wanted), (place, note, wanted)
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


def test_findings_do_not_break_numpy(tmp_path, stub_path):
    """A shape finding in a module makes no NumPy arithmetic of that module an error.

    (It did: the plugin reports the findings of the enclosing function at every hooked call, and
    mypy checks ``0.5 * t`` by trying ``float.__mul__`` and then ``ndarray.__rmul__`` with its
    errors watched: a finding reported inside that trial failed it.)"""
    messages, _ = check_program(tmp_path, stub_path, """\
        import numpy as np
        import keras
        from keras import layers
        t = np.arange(10)
        y = 0.5 * t
        z = layers.Conv2D(4, 3)(keras.Input(shape=(10,)))
        """)
    assert errors(messages) == [(6, "shape-rank-mismatch")]


def test_a_number_on_the_left_of_a_tensor_gives_a_tensor(tmp_path, stub_path):
    """mypy tries ``int.__sub__`` first, and the Any-based KerasTensor passes for an int: without
    the plugin's hook ``1 - x`` would be an int and ``(1 - x).shape`` an error."""
    messages, _ = check_program(tmp_path, stub_path, """\
        import keras
        from keras import layers
        x = layers.Dense(4)(keras.Input(shape=(3,)))
        reveal_type(1 - x)
        reveal_type(0.5 * x)
        y = 1.0 - x
        print(y.shape)
        reveal_type(2 - 1)
        """)
    assert [(m.line, m.message) for m in messages] == [
        (4, 'Revealed type is "keras.KerasTensor[(None, 4)]"'),
        (5, 'Revealed type is "keras.KerasTensor[(None, 4)]"'),
        (8, 'Revealed type is "int"'),
    ]


def test_a_bug_of_ours_is_a_finding_not_a_mypy_crash(tmp_path, stub_path, monkeypatch):
    """If the analysis itself raises, mypy goes on and says so at the file's first line."""
    import shapecheck.mypy.facts as facts

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a stand-in bug")

    monkeypatch.setattr(facts, "facts_of", broken)
    messages, _ = check_program(tmp_path, stub_path, """\
        import keras
        x = keras.Input(shape=(3,))
        """)
    assert [(m.line, m.severity, m.code) for m in messages] == [(1, "error", "shape-internal-error")]
    assert "ZeroDivisionError: a stand-in bug" in messages[0].message


def test_a_call_after_non_ascii_text_on_its_line_has_its_shape(tmp_path, stub_path):
    messages, _ = check_program(tmp_path, stub_path, """\
        import keras
        from keras import layers
        inp = keras.Input(shape=(4,))
        s = "ascii"; a = layers.Dense(3)(inp); reveal_type(a)
        s = "ééé"; b = layers.Dense(3)(inp); reveal_type(b)
        """)
    assert [m.message for m in messages] == ['Revealed type is "keras.KerasTensor[(None, 3)]"'] * 2


# -- 3. the plugin's options ----------------------------------------------------------------------

#: a TensorFlow op on a Keras tensor (Keras 3 rejects it, tf.keras 2 takes it) and a rank mismatch
#: (both reject it)
TWO_FINDINGS = """\
    import tensorflow as tf
    from tensorflow.keras import Input, layers

    x = Input(shape=(32,))
    y = tf.square(x)
    z = layers.Conv2D(8, 3)(x)
    """
TF_OP = (5, "shape-tf-op-on-keras-tensor")
RANK = (6, "shape-rank-mismatch")


@pytest.mark.parametrize("section, expected", [
    ("", [TF_OP, RANK]),
    ("keras_version = 3", [TF_OP, RANK]),
    ("keras_version = 2", [RANK]),
    ("keras-version = 2", [RANK]),
    ("ignore = rank-mismatch", [TF_OP]),
    ("ignore = SC201", [TF_OP]),
    ("ignore = shape-rank-mismatch", [TF_OP]),
    ("ignore = SC201, tf-op-on-keras-tensor", []),
    ("keras_version = 2\nignore = sc201", []),
])
def test_options_in_mypy_ini(tmp_path, stub_path, capsys, section, expected):
    messages, _ = check_program(tmp_path, stub_path, TWO_FINDINGS, extra=f"[shapecheck.mypy]\n{section}")
    assert errors(messages) == expected
    assert capsys.readouterr().err == ""


def test_options_in_pyproject_toml(tmp_path, stub_path, capsys):
    """pyproject.toml as mypy's configuration: the plugin reads [tool.shapecheck] (and leaves the keys
    about which files the command checks alone)."""
    write(tmp_path, "main.py", TWO_FINDINGS)
    config = write(tmp_path, "pyproject.toml", f"""\
        [tool.mypy]
        mypy_path = "{stub_path}"
        plugins = ["shapecheck.mypy"]
        incremental = false

        [tool.shapecheck]
        keras-version = 2
        exclude = ["build/"]
        """)
    out, err, _ = run_mypy(config, str(tmp_path / "main.py"))
    assert errors(parse(out)[0]) == [RANK]
    config.write_text(config.read_text().replace("keras-version = 2", 'ignore = ["rank-mismatch"]'))
    out, err, _ = run_mypy(config, str(tmp_path / "main.py"))
    assert errors(parse(out)[0]) == [TF_OP]
    assert capsys.readouterr().err == ""
    config.write_text(config.read_text().replace('ignore = ["rank-mismatch"]', "keras-version = 4"))
    out, err, _ = run_mypy(config, str(tmp_path / "main.py"))
    assert errors(parse(out)[0]) == [TF_OP, RANK]
    complaint, = capsys.readouterr().err.splitlines()
    assert str(config) in complaint and "[tool.shapecheck]" in complaint
    assert "keras-version must be 2 or 3, not 4" in complaint


def test_an_ini_without_the_section_takes_the_pyproject_beside_it(tmp_path, stub_path):
    write(tmp_path, "pyproject.toml", """\
        [tool.shapecheck]
        ignore = ["SC207"]
        """)
    messages, _ = check_program(tmp_path, stub_path, TWO_FINDINGS)
    assert errors(messages) == [RANK]


@pytest.mark.parametrize("section, complaint", [
    ("keras_version = 4", "keras-version must be 2 or 3, not '4'"),
    ("keras_version = two", "keras-version must be 2 or 3, not 'two'"),
    ("ignore = SC999", "unknown finding code 'SC999' in ignore"),
    ("ignore = rank-mismatch, no-such-finding", "unknown finding code 'no-such-finding' in ignore"),
])
def test_a_bad_setting_is_one_clear_line_and_the_defaults(tmp_path, stub_path, capsys, section, complaint):
    """As mypy treats a bad value of its own: one line on stderr naming the file, the section and
    the value, then the check with the defaults (not a traceback, not a silent default)."""
    messages, mypy_err = check_program(tmp_path, stub_path, TWO_FINDINGS, extra=f"[shapecheck.mypy]\n{section}")
    err = capsys.readouterr().err + mypy_err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert str(tmp_path / "mypy.ini") in lines[0] and "[shapecheck.mypy]" in lines[0] and complaint in lines[0]
    assert "Traceback" not in err
    assert errors(messages) == [TF_OP, RANK]


#: a module whose tensors another module imports (its line 6: a rank mismatch)
PRODUCER = """\
    import keras
    from keras import layers

    features = layers.Conv2D(8, 3)(keras.Input(shape=(28, 28, 1)))
    vector = layers.Dense(4)(keras.Input(shape=(3,)))
    bad = layers.Conv2D(8, 3)(vector)
    """


# -- 4. dmypy -------------------------------------------------------------------------------------

DAEMON_PROGRAM = """\
    import keras
    from keras import layers


    def build():
        x = keras.Input(shape=(32,))
        y = layers.Conv2D(8, 3)(x)
        return keras.Model(x, y)


    z = keras.Input(shape=(28, 28, 1))
    z = layers.Conv2D(8, 3)(z)
    reveal_type(z)
    """


class Daemon:
    """``dmypy run`` on one file with its own status file (so never another session's daemon)."""

    def __init__(self, folder: Path, config: Path, main: Path) -> None:
        self.folder, self.config, self.main = folder, config, main
        self.dmypy = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(folder / "dmypy.json")]

    def run(self, *more: Path) -> list[Message]:
        done = subprocess.run([*self.dmypy, "run", "--timeout", "120", "--", "--config-file", str(self.config),
                               *FLAGS, str(self.main), *map(str, more)],
                              cwd=self.folder, capture_output=True, text=True, timeout=300)
        messages, others = parse(done.stdout.removeprefix("Daemon started\n"), self.folder)
        assert others == [] and done.returncode in (0, 1), done.stdout + done.stderr
        return messages

    def mypy(self) -> list[Message]:
        out, _, _ = mypy_api.run(["--config-file", str(self.config), "--no-incremental", *FLAGS, str(self.main)])
        return parse(out)[0]

    def stop(self) -> None:
        subprocess.run([*self.dmypy, "stop"], cwd=self.folder, capture_output=True, timeout=60)


@pytest.fixture
def daemon(tmp_path, stub_path):
    config = mypy_config(tmp_path, plugin=True, stub_path=stub_path)
    d = Daemon(tmp_path, config, write(tmp_path, "main.py", DAEMON_PROGRAM))
    try:
        yield d
    finally:
        d.stop()


def shapes(messages: list[Message]) -> list[tuple[int, Optional[str], str]]:
    """The shape errors and the revealed types."""
    return [(m.line, m.code, m.message) for m in messages
            if (m.code or "").startswith("shape") or m.message.startswith("Revealed type")]


FIRST = [(7, "shape-rank-mismatch", 'Input 0 of layer "conv2d_1" is incompatible with the layer: expected '
                                    "min_ndim=4, found ndim=2. Full shape received: (None, 32)"),
         (13, None, 'Revealed type is "keras.KerasTensor[(None, 26, 26, 8)]"')]


def test_dmypy_gives_mypys_output(daemon):
    first = daemon.run()
    assert shapes(first) == FIRST
    assert first == daemon.mypy()
    assert daemon.run() == first  # a run with nothing changed


def test_dmypy_follows_the_edits(daemon):
    """After an edit dmypy gives the edited file's output (no stale finding, no stale shape): a bug
    fixed inside a function, then a new bug and a new shape in the module.  (Before f53689f the
    old findings and shapes stayed: dmypy merges an edited file's new tree into the old one, and
    the plugin kept a file's facts while the tree object was the same.)"""
    assert shapes(daemon.run()) == FIRST

    main = daemon.main
    main.write_text(main.read_text().replace("y = layers.Conv2D(8, 3)(x)", "y = layers.Dense(8)(x)"))
    fixed = daemon.run()
    assert shapes(fixed) == [(13, None, 'Revealed type is "keras.KerasTensor[(None, 26, 26, 8)]"')]
    assert fixed == daemon.mypy()

    main.write_text(main.read_text().replace("shape=(28, 28, 1)", "shape=(30, 30, 3)")
                    .replace("reveal_type(z)", "reveal_type(z)\nw = layers.Conv1D(4, 3)(z)"))
    broken = daemon.run()
    assert shapes(broken) == [
        (13, None, 'Revealed type is "keras.KerasTensor[(None, 28, 28, 8)]"'),
        (14, "shape-rank-mismatch", "Kernel shape must have the same length as input, but received kernel of "
                                    "shape (3, 8, 4) and input of shape (None, 28, 28, 8).")]
    assert broken == daemon.mypy()


def test_dmypy_follows_an_edit_of_an_imported_module(daemon):
    """An editor's case: the module that makes a tensor changes; the module that imports it
    is not edited, yet its revealed shape follows."""
    producer = write(daemon.folder, "producer.py", PRODUCER)
    daemon.main.write_text("from producer import features\nreveal_type(features)\n")

    def revealed() -> list[str]:
        return [m.message for m in daemon.run(producer) if m.path == daemon.main]

    assert revealed() == ['Revealed type is "keras.KerasTensor[(None, 26, 26, 8)]"']
    producer.write_text(producer.read_text().replace("Conv2D(8, 3)(keras", "Conv2D(16, 5)(keras"))
    assert revealed() == ['Revealed type is "keras.KerasTensor[(None, 24, 24, 16)]"']


# -- 5. mypy's incremental cache ------------------------------------------------------------------



def test_the_cache_keeps_findings_and_shapes(tmp_path, stub_path):
    """A second run from the cache says what the first said; a module rechecked against a cached
    one reads the shapes of the cached module's tensors; a changed setting is a changed cache."""
    cache = tmp_path / "cache"

    log = ""

    def run(extra: str = "") -> list[Message]:
        nonlocal log
        config = mypy_config(tmp_path, plugin=True, extra=extra, stub_path=stub_path)
        out, log, _ = run_mypy(config, "--verbose", "--cache-dir", str(cache), str(tmp_path / "producer.py"),
                               str(tmp_path / "consumer.py"))
        messages, others = parse(out)
        assert others == []
        return messages

    write(tmp_path, "producer.py", PRODUCER)
    consumer = write(tmp_path, "consumer.py", "from producer import features, vector\n")
    first = run()
    assert errors(first) == [(6, "shape-rank-mismatch")]
    assert "Metadata fresh for producer" not in log
    assert run() == first
    assert "Metadata fresh for producer" in log  # from the cache

    # only the consumer changes: the producer's types come from the cache
    consumer.write_text("from producer import features, vector\nreveal_type(features)\nreveal_type(vector)\n")
    second = run()
    assert [(m.path.name, m.line, m.message) for m in second if m.path.name == "consumer.py"] == [
        ("consumer.py", 2, 'Revealed type is "keras.KerasTensor[(None, 26, 26, 8)]"'),
        ("consumer.py", 3, 'Revealed type is "keras.KerasTensor[(None, 4)]"')]
    assert errors(second) == [(6, "shape-rank-mismatch")]
    assert "Metadata fresh for producer" in log and "Metadata fresh for consumer" not in log

    # only the producer changes: the consumer, unchanged, is checked again with the new shape
    producer = tmp_path / "producer.py"
    producer.write_text(producer.read_text().replace("Conv2D(8, 3)(keras", "Conv2D(16, 5)(keras"))
    assert [m.message for m in run() if m.path.name == "consumer.py"][0] == \
        'Revealed type is "keras.KerasTensor[(None, 24, 24, 16)]"'

    # nothing but the plugin's setting changes: the producer is checked again
    assert errors(run("[shapecheck.mypy]\nignore = rank-mismatch")) == []
    assert "Metadata fresh for producer" not in log
    assert errors(run()) == [(6, "shape-rank-mismatch")]
    assert "Metadata fresh for producer" not in log


def test_a_rebound_name_read_elsewhere_has_its_last_shape_or_none(tmp_path, stub_path):
    """``x = keras.Input(...); x = Conv2D(...)(x)``: read from another module or in a function, ``x``
    is the Conv2D's output; its type must not say the Input's shape ((None, 28, 28, 1) today)."""
    write(tmp_path, "chain.py", """\
        import keras
        from keras import layers
        x = keras.Input(shape=(28, 28, 1))
        x = layers.Conv2D(8, 3)(x)

        def later() -> None:
            reveal_type(x)
        """)
    messages, _ = check_program(tmp_path, stub_path, "from chain import x\nreveal_type(x)\n",
                                args=[str(tmp_path / "chain.py")])
    revealed = [m.message for m in messages if m.message.startswith("Revealed type")]
    assert len(revealed) == 2
    assert all("(None, 28, 28, 1)" not in text for text in revealed), revealed
