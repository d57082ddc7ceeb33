"""Bad input (issue 9): every file a CI run may meet is a finding on that file or a clean
result, the run goes on and reports every other file's findings, the exit status is 2 and no
traceback reaches the user.

One run of the real CLI (``python -m shapecheck --format json``) over a tree holding every
input the issue lists, plus an ordinary invalid fixture; then, in-process, what a tree cannot
hold (a file without read permission: the suite runs as root) and the per-file time limit.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shapecheck import api
from shapecheck.api import Options, check_file, check_source

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "invalid" / "conv2d_missing_channel_axis.py"

KERAS_HEAD = "import keras\nfrom keras import layers\n\n"
#: a rank mismatch at line 5
BAD = KERAS_HEAD + "x = keras.Input(shape=(28, 28))\ny = layers.Conv2D(8, 3)(x)\n"
#: the size the run is given: the 10 MB files are far over it, every other file far under it
MAX_SIZE = "1MB"
TEN_MB = 10_000_000


def _ten_mb_of_keras() -> str:
    block = "x = layers.Dense(16, name='dense_{i}')(x)  # generated\n"
    parts, n, i = [KERAS_HEAD, "x = keras.Input(shape=(16,))\n"], 0, 0
    while n < TEN_MB:
        parts.append(block.format(i=i))
        n += len(parts[-1])
        i += 1
    return "".join(parts)


def _syntax_error() -> str:
    return KERAS_HEAD + "def build(:\n    return layers.Dense(3)\n"


#: file (relative to the tree) -> (finding name, line, a piece of its message) of its one finding,
#: or None for a clean file
EXPECTED: dict[str, tuple[str, int, str] | None] = {
    "fixture.py": ("rank-mismatch", 15, 'layer "conv2d" is incompatible'),
    "syntax_error.py": ("syntax-error", 4, "Syntax error: "),
    "binary.py": ("unreadable-file", 1, "a null byte: this looks like a binary file"),
    "latin1.py": ("rank-mismatch", 7, 'layer "conv2d" is incompatible'),
    "undeclared_byte.py": ("unreadable-file", 1, "can't decode byte 0xe9 in position"),
    "empty.py": None,
    "big_keras.py": ("analysis-limit", 1, "over the 1MB limit on the size of a file to analyse; raise it with "
                                          "--max-file-size (e.g. --max-file-size 20MB)"),
    "big_plain.py": None,  # not Keras: nothing to say, whatever its size
    "nested_parens.py": ("syntax-error", 4, "too many nested parentheses"),
    "nested_ops.py": ("syntax-error", 1, "nested too deeply"),
    "layers_20000.py": None,
    "loop/inner.py": ("rank-mismatch", 5, 'layer "conv2d" is incompatible'),
    "dangling.py": ("unreadable-file", 1, "No such file or directory"),
}


def _build_tree(root: Path) -> None:
    shutil.copy(FIXTURE, root / "fixture.py")
    (root / "syntax_error.py").write_text(_syntax_error())
    (root / "binary.py").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    # latin-1, declared: a real finding in it, after a non-ASCII comment and string
    (root / "latin1.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n# Mod\xe8le na\xefve\n" + KERAS_HEAD.encode()
        + b"x = keras.Input(shape=(28, 28), name='entr\xe9e')\ny = layers.Conv2D(8, 3)(x)\n")
    (root / "undeclared_byte.py").write_bytes(KERAS_HEAD.encode() + b"# caf\xe9\n" + BAD.encode())
    (root / "empty.py").write_text("")
    (root / "big_keras.py").write_text(_ten_mb_of_keras())
    (root / "big_plain.py").write_text("DATA = [\n" + "    (1, 2.5, 'abc'),\n" * (TEN_MB // 20) + "]\n")
    (root / "nested_parens.py").write_text(KERAS_HEAD + "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (root / "nested_ops.py").write_text(KERAS_HEAD + "x = " + "-" * 5000 + "1\n")
    (root / "layers_20000.py").write_text(KERAS_HEAD + (
        "model = keras.Sequential([keras.Input(shape=(16,))])\n"
        "for i in range(20000):\n"
        "    model.add(layers.Dense(16))\n"
        "x = keras.Input(shape=(16,))\n"
        "y = x\n"
        "for i in range(20000):\n"
        "    y = layers.Dense(16)(y)\n"
        "deep = keras.Model(x, y)\n"))
    (root / "loop").mkdir()
    (root / "loop" / "inner.py").write_text(BAD)
    os.symlink("..", root / "loop" / "again")  # loop/again/loop/again/...
    os.symlink("no_such_file.py", root / "dangling.py")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The tree, the CLI's result over it, its JSON report and how long it took."""
    base = tmp_path_factory.mktemp("bad")
    (base / "tree").mkdir()
    _build_tree(base / "tree")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "shapecheck", "--format", "json", "--max-file-size", MAX_SIZE,
                           "tree"], cwd=base, env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - started
    return proc, json.loads(proc.stdout), elapsed


def _findings(report: dict, name: str) -> list[dict]:
    return [f for f in report["findings"] if f["path"] == f"tree/{name}"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_gets_its_finding_and_nothing_else(run, name):
    _, report, _ = run
    got = _findings(report, name)
    expected = EXPECTED[name]
    if expected is None:
        assert got == []
        return
    code, line, piece = expected
    assert [(f["name"], f["line"]) for f in got] == [(code, line)], got
    assert piece in got[0]["message"]


def test_the_syntax_error_has_cpythons_position(run):
    _, report, _ = run
    (finding,) = _findings(report, "syntax_error.py")
    with pytest.raises(SyntaxError) as e:
        compile(_syntax_error(), "syntax_error.py", "exec")
    assert (finding["line"], finding["column"]) == (e.value.lineno, e.value.offset)
    assert finding["message"] == f"Syntax error: {e.value.msg}"


def test_the_run_reports_every_file_once_and_exits_2_without_a_traceback(run):
    proc, report, elapsed = run
    assert proc.returncode == 2
    assert proc.stderr == ""  # no traceback, no warning from a library: the findings say it all
    # every .py file counted once: the symlink loop is not followed round, the dangling link is a file
    assert report["summary"]["files"] == len(EXPECTED)
    assert report["complete"] is True
    names = {f["name"] for f in report["findings"]}
    assert "internal-error" not in names
    assert elapsed < 120  # about 10 s here, most of it reading and checking the two 10 MB files


def test_the_size_limit_message_gives_the_size(run):
    _, report, _ = run
    (finding,) = _findings(report, "big_keras.py")
    size = len(_ten_mb_of_keras().encode())
    assert finding["severity"] == "warning"
    assert 10_000_000 < size < 10_050_000
    assert finding["message"].startswith(f"Not analysed: this file is 10MB ({size:,} bytes), over the 1MB limit")


def test_a_missing_path_is_a_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "shapecheck", "no/such/file.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Usage:" in proc.stderr and "no/such/file.py" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_file_without_read_permission_is_unreadable(tmp_path, monkeypatch):
    path = tmp_path / "secret.py"
    path.write_text(BAD)

    def refuse(file, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr(api, "open", refuse, raising=False)  # read_source's open
    result = check_file(str(path))
    assert [(f.code.name, f.span.line) for f in result.findings] == [("unreadable-file", 1)]
    assert result.findings[0].message == "Cannot read this file: Permission denied"
    monkeypatch.undo()
    assert [f.code.name for f in check_file(str(path)).findings] == ["rank-mismatch"]


#: ~90,000 steps under MAX_STEPS (about 1.7 s of analysis here), after the rank mismatch at line 5
SLOW = BAD + "t = 0\nfor i in range(300):\n    for j in range(300):\n        t = t + i * j\n"


def test_the_time_limit_stops_the_analysis_and_keeps_the_findings_before(monkeypatch):
    started = time.monotonic()
    # (the limit a third of what the loop takes here, ~0.35 s: the loop is followed for LOOP_STEPS
    # steps, so a faster machine finishes sooner; 0.3 s once let it finish before the limit)
    result = check_source(SLOW, "slow.py", Options(file_time_limit=0.1))
    elapsed = time.monotonic() - started
    assert [(f.code.name, f.span.line) for f in result.findings] == [("rank-mismatch", 5), ("analysis-limit", 9)]
    message = result.findings[1].message
    m = re.fullmatch(r"Analysis stopped here after (\d+\.\d) s \(the per-file time limit, --file-time-limit, is "
                     r"0\.1 s; parsing took (\d+\.\d) s\); the code after this point is not checked\.", message)
    assert m is not None, message
    assert 0.1 <= float(m.group(1)) < 1.5 and float(m.group(2)) < 0.3
    assert result.findings[1].level == "warning"
    assert elapsed < 1.5


def test_without_the_time_limit_the_slow_program_finishes():
    # (what makes the test above mean something: only the time stopped it, not MAX_STEPS)
    result = check_source(SLOW, "slow.py", Options(file_time_limit=None))
    assert [(f.code.name, f.span.line) for f in result.findings] == [("rank-mismatch", 5)]


def test_a_file_under_the_size_limit_is_checked_as_before():
    limited = check_source(BAD, "bad.py", Options(max_file_size=len(BAD)))
    assert [f.code.name for f in limited.findings] == ["rank-mismatch"]
    over = check_source(BAD, "bad.py", Options(max_file_size=len(BAD) - 1))
    assert [f.code.name for f in over.findings] == ["analysis-limit"]


@pytest.mark.parametrize("text, imports", [
    ("import os, tensorflow as tf\n", True),
    ("try: import keras\nexcept ImportError: pass\n", True),
    ("x = 1; from keras import layers\n", True),
    ("def build():\n    from tensorflow.keras import layers\n", True),
    ("import tf_keras as keras\n", True),
    ("os.environ['TF_USE_LEGACY_KERAS'] = '1'\n", True),
    ("import keras_cv\n", False),
    ("from .keras import model\n", False),
    ("from tools import keras\n", False),
    ("# a keras model\nx = 'tensorflow'\n", False),
])
def test_the_text_test_for_large_files_agrees_with_the_parse(text, imports):
    assert api._mentions_keras_import(text) is imports
    assert bool(api._imported_packages(ast.parse(text)) & api.KERAS_PACKAGES) is imports


def test_a_1200_layer_functional_chain_is_summarised():
    source = KERAS_HEAD + ("x = keras.Input(shape=(16,))\ny = x\nfor i in range(1200):\n"
                           "    y = layers.Dense(16)(y)\nmodel = keras.Model(x, y)\n")
    result = check_source(source, "chain.py")
    assert [f.code.name for f in result.findings] == []
    assert len(result.models) == 1


def test_a_fifo_named_py_is_unreadable_not_a_hang(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes: the run would hang forever."""
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    result = check_file(str(fifo))
    assert [(f.code.name, f.span.line) for f in result.findings] == [("unreadable-file", 1)]
    assert "not a regular file" in result.findings[0].message
