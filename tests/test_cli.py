"""The ``shapecheck`` command: output formats, exit codes, the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from shapecheck.cli import main

BAD = """\
import keras
from keras import layers

x = keras.Input(shape=(28, 28))
y = layers.Conv2D(8, 3)(x)
"""
GOOD = """\
import keras
from keras import layers

x = keras.Input(shape=(28, 28, 1))
y = layers.Conv2D(8, 3)(x)
z = layers.Dense(4)(y)
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "bad.py").write_text(BAD)
    (tmp_path / "pkg" / "good.py").write_text(GOOD)
    (tmp_path / "pkg" / "notes.txt").write_text("not python")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_text_output_reads_like_a_compiler(tree):
    code, out = run("pkg")
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("pkg/bad.py:5:5: error: Input 0 of layer \"conv2d\" is incompatible with the layer: "
                            "expected min_ndim=4, found ndim=3. Full shape received: (None, 28, 28)")
    assert first.endswith("[SC201 rank-mismatch]")
    assert "    pkg/bad.py:4:5: note: input 0 has shape (None, 28, 28)" in out
    assert "Found 1 error in 2 files." in out


def test_clean_code_exits_zero(tree):
    code, out = run("pkg/good.py")
    assert code == 0
    assert "No shape errors in 1 file." in out


def test_json_contract(tree):
    code, out = run("--format", "json", "--show-shapes", "pkg")
    assert code == 1
    data = json.loads(out)
    assert data["version"] == 1
    [f] = data["findings"]
    assert {k: f[k] for k in ("path", "line", "column", "end_line", "end_column", "code", "name", "severity")} == {
        "path": "pkg/bad.py", "line": 5, "column": 5, "end_line": 5, "end_column": 27,
        "code": "SC201", "name": "rank-mismatch", "severity": "error"}
    assert f["notes"][0] == {"path": "pkg/bad.py", "line": 4, "column": 5,
                             "message": 'input 0 has shape (None, 28, 28), produced by keras.Input here'}
    conv = [s for s in data["shapes"] if s["path"] == "pkg/good.py" and s["layer"] == "keras.layers.Conv2D"]
    assert conv == [{"path": "pkg/good.py", "line": 5, "column": 5, "layer": "keras.layers.Conv2D",
                     "shape": [None, 26, 26, 8]}]
    assert data["summary"] == {"files": 2, "errors": 1, "warnings": 0, "notes": 0,
                               "layer_calls": 3, "layer_calls_inferred": 2}


def test_several_outputs_in_json(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(textwrap.dedent("""\
        import keras
        a, b = keras.ops.split(keras.Input((6,)), 2, axis=-1)
        """))
    code, out = run("--format", "json", "--show-shapes", "m.py")
    entries = [s for s in json.loads(out)["shapes"] if s["layer"] == "keras.ops.split"]
    if entries and "outputs" in entries[0]:
        assert entries[0]["outputs"] == [[None, 3], [None, 3]]
    else:
        pytest.skip("keras.ops.split has no rule yet")


def test_missing_path_is_a_usage_error(tree):
    code, out = run("does/not/exist.py")
    assert code == 2
    assert "path does not exist" in out


def test_unparsable_file_exits_2_and_the_rest_is_reported(tree):
    (tree / "pkg" / "broken.py").write_text("def f(:\n")
    code, out = run("pkg")
    assert code == 2
    assert "pkg/broken.py:1:7: error: Syntax error" in out
    assert "[SC201 rank-mismatch]" in out


@pytest.mark.parametrize("source", [
    "import keras\nx = " + "(" * 3000 + "1" + ")" * 3000 + "\n",  # crashed libcst's native parser
    "import keras\nx = " + "[" * 300 + "]" * 300 + "\n",
    "import keras\nx = " + "-" * 5000 + "1\n",
])
def test_deeply_nested_file_is_a_finding_and_the_rest_is_reported(tree, source):
    (tree / "pkg" / "deep.py").write_text(source)
    code, out = run("pkg")
    assert code == 2
    assert "pkg/deep.py:" in out and "[SC001 syntax-error]" in out
    assert "[SC201 rank-mismatch]" in out


def test_no_color_when_not_a_terminal(tree):
    code, out = run("pkg")
    assert "\x1b[" not in out


def test_version_and_module_entry_point_do_not_import_tensorflow():
    code = ("import sys, runpy; sys.argv = ['shapecheck', '--version']\n"
            "try:\n    runpy.run_module('shapecheck', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "False False"


def test_static_check_never_imports_tensorflow(tree):
    code = ("import sys; from shapecheck.api import check_paths; check_paths(['pkg']);"
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tree).stdout
    assert out.strip() == "False False"


def test_list_layers_names_public_keras_layers_aliases_included():
    keras = pytest.importorskip("keras")
    code, out = run("--list-layers", "--format", "json")
    assert code == 0
    listed = json.loads(out)["layers"]
    assert listed == sorted(listed)
    assert {"keras.layers.Conv2D", "keras.layers.Convolution2D", "keras.layers.AvgPool2D"} <= set(listed)
    assert [n for n in listed if not hasattr(keras.layers, n.split(".")[-1])] == []
    code, text_out = run("--list-layers")
    assert code == 0 and text_out.splitlines() == listed
