"""Jupyter notebooks (shapecheck.notebook): real notebooks written with nbformat, analysed as one program,
findings reported by cell and line; the same notebooks executed under Keras (code cells in order, IPython's
own transformation of the magics) fail in the same cell, on the same line.

Run as ``python -m tests.test_notebooks OUT.json NOTEBOOK...`` it is the Keras side: it executes each
notebook as Jupyter would (no kernel: IPython's ``TransformerManager`` rewrites the magics into
``get_ipython()`` calls, and a stand-in shell runs the Python ones: ``%time`` and the ``%%time`` /
``%%capture`` cells) and writes, per notebook, the exception that escaped and the cell and line of the
innermost frame in a cell.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import hypothesmith
import jsonschema
import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from click.testing import CliRunner
from IPython.core.inputtransformer2 import TransformerManager
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from shapecheck.api import Options, check_file, iter_python_files
from shapecheck.cli import main
from shapecheck.notebook import NotANotebook, python_lines, read_cells

ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())

# A 1x1 PNG, as a plot's output holds it
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

DATA_CELL = """\
%matplotlib inline
!pip install -q keras
import numpy as np
import keras
from keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_train.shape?
"""
MODEL_CELL = """\
model = keras.Sequential([
    keras.Input(shape=({input_shape})),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
"""
FIT_CELL = """\
%%time
# one epoch is enough to see the loss fall
history = model.fit(x_train, y_train, batch_size=128, epochs=1)
"""


#: what shapecheck finds in ``tutorial(input_shape="28, 28")``: the fit cell, and the evaluate after it
FIT_BUG = [(6, 3, "data-shape-mismatch"), (7, 1, "data-shape-mismatch")]


def tutorial(input_shape: str = "784,", outputs: bool = False, fit: str = FIT_CELL) -> Any:
    """An MNIST tutorial as people write it: prose, a data cell with magics, a model cell, a fit cell.
    ``input_shape`` "28, 28" puts a bug in the model that the fit cell (cell 6) meets."""
    cells = [
        new_markdown_cell("# MNIST in a few cells\nThe data, a model, one epoch."),
        new_code_cell(DATA_CELL),
        new_raw_cell("not Python: %%% !!"),
        new_markdown_cell("## The model"),
        new_code_cell(MODEL_CELL.format(input_shape=input_shape)),
        new_code_cell(fit),
        new_code_cell("%time loss, accuracy = model.evaluate(x_test.reshape(-1, 784) / 255, y_test)\nprint(loss)"),
    ]
    if outputs:  # what a run left in the file: text, an image, an error
        cells[1].outputs = [new_output("stream", name="stdout", text="Collecting keras\n")]
        cells[1].execution_count = 1
        cells[4].outputs = [new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
                            new_output("execute_result", data={"text/plain": "ok"}, execution_count=2)]
        cells[5].outputs = [new_output("error", ename="ValueError", evalue="boom", traceback=["..."])]
    return new_notebook(cells=cells)


def write(path: Path, nb: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--no-cache", "-j", "1", *args])
    return result.exit_code, result.output


def errors(path: Path, options: Options = Options()) -> list[tuple[Optional[int], int, str]]:
    return [(f.span.cell, f.span.line, f.code.name) for f in check_file(str(path), options).findings]


# --- the Keras side -----------------------------------------------------------------------------------

class _Shell:
    """What ``get_ipython()`` returns: magics do nothing, except those that run Python in the namespace."""

    def __init__(self, namespace: dict) -> None:
        self.namespace = namespace

    def _run(self, code: str, first_line: int) -> None:
        caller = sys._getframe(2)  # the cell's frame: its file name is the cell's
        exec(compile("\n" * (first_line - 1) + code, caller.f_code.co_filename, "exec"), self.namespace)

    def run_line_magic(self, name: str, line: str, *_: Any) -> Any:
        if name == "time":
            self._run(line, sys._getframe(1).f_lineno)
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        if name in ("time", "capture"):
            self._run(cell, sys._getframe(1).f_lineno + 1)
        return None

    def system(self, *_: Any) -> None:
        return None

    def getoutput(self, *_: Any) -> list:
        return []


def _run_notebook(path: str) -> dict:
    import contextlib
    import io
    import signal

    import keras

    keras.backend.clear_session()
    namespace: dict = {"__name__": "__main__"}
    shell = _Shell(namespace)
    namespace["get_ipython"] = lambda: shell
    result: dict = {"path": path, "error": None}
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("ran for more than 60 s")))
    signal.alarm(60)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for number, source in _code_cells(path):
                code = TransformerManager().transform_cell(source)
                exec(compile(code, f"<cell {number}>", "exec"), namespace)
    except BaseException as exc:  # noqa: BLE001 - what the notebook raises is the data here
        where = None
        tb = exc.__traceback__
        while tb is not None:
            m = re.fullmatch(r"<cell (\d+)>", tb.tb_frame.f_code.co_filename)
            if m:
                where = (int(m.group(1)), tb.tb_lineno)
            tb = tb.tb_next
        result["error"] = {"type": type(exc).__name__, "message": str(exc)[:500], "where": where}
    finally:
        signal.alarm(0)
    return result


def _code_cells(path: str) -> list[tuple[int, str]]:
    """nbformat's reading: (number among all cells, source) of each code cell."""
    nb = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(nb.cells, start=1) if c.cell_type == "code"]


def keras_runs(paths: list[Path], tmp_path: Path) -> dict[str, dict]:
    out = tmp_path / "keras.json"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow", "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-m", "tests.test_notebooks", str(out), *map(str, paths)], cwd=ROOT, env=env,
                   check=True, timeout=600)
    return {r["path"]: r for r in json.loads(out.read_text())}


def main_keras(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.fixtures_support import _prepare_keras

    _prepare_keras()  # mnist without a download, one short epoch
    Path(argv[0]).write_text(json.dumps([_run_notebook(p) for p in argv[1:]], indent=1))
    return 0


# --- the same verdict as Keras --------------------------------------------------------------------------

BUGGY_MODEL = """\
import keras
from keras import layers

inputs = keras.Input(shape=(32,))
%time x = layers.Dense(16)(inputs)
for units in (8, 4):
    !echo {units}
    x = layers.Dense(units)(x)
y = layers.Dense(3)(inputs)
merged = layers.Add()([x, y])
"""


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("notebooks")
    return {
        "valid": write(d / "valid.ipynb", tutorial()),
        "fit-bug": write(d / "fit-bug.ipynb", tutorial(input_shape="28, 28", outputs=True)),
        "model-bug": write(d / "model-bug.ipynb", new_notebook(cells=[
            new_markdown_cell("A functional model whose branches do not meet"),
            new_code_cell("%load_ext autoreload\n%autoreload 2"),
            new_code_cell(BUGGY_MODEL)])),
    }


@pytest.fixture(scope="module")
def keras_verdicts(notebooks: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    runs = keras_runs(list(notebooks.values()), tmp_path_factory.mktemp("keras"))
    return {name: runs[str(path)] for name, path in notebooks.items()}


def test_a_valid_tutorial_runs_under_keras_and_shapecheck_says_nothing(notebooks, keras_verdicts):
    assert keras_verdicts["valid"]["error"] is None
    result = check_file(str(notebooks["valid"]))
    assert result.findings == []
    assert result.layer_calls > 0 and result.layer_calls == result.layer_calls_inferred


@pytest.mark.parametrize("name, expected", [("fit-bug", FIT_BUG), ("model-bug", [(3, 10, "incompatible-shapes")])])
def test_a_bug_is_reported_in_the_cell_and_line_where_keras_raises(notebooks, keras_verdicts, name, expected):
    keras_error = keras_verdicts[name]["error"]
    assert keras_error is not None and keras_error["type"] == "ValueError", keras_error
    assert errors(notebooks[name]) == expected
    # Keras stops at the first (the evaluate cell after a failed fit would fail the same way)
    assert tuple(keras_error["where"]) == expected[0][:2]


# --- magics: IPython's TransformerManager is the reference -------------------------------------------------

PYTHON_LINES = [
    "x = 1", "print('!not a command')", "s = '%d' % 3", "x = y % 2", "a != b", "a == b", "f(a=1)",
    "x = [1, 2]", "x = 1  # !pip install in a comment", "d = {'a': 1}", "x %= 2", "x = (1 if a else 2)", "x = a <= b",
    "x: int = 1", "lambda: 0", "x = '?'", "y = x  # what? ",
]
MAGIC_LINES = [
    "%matplotlib inline", "!pip install -q keras", "!!ls", "%time x = 1", "%timeit f(x)", "files = !ls",
    "out = %who_ls", "a, b = !ls", "d['k'] = !ls", "x.attr = %env HOME", "x?", "x??", "?x", "??x",
    "np.zeros?", "%%time", "/f 1 2", ",f a b", ";f a b", "%load_ext autoreload", "x = ! ls", "%pinfo x",
    "x = np.zeros?", "y = x[0]??",
]


@pytest.mark.parametrize("line", PYTHON_LINES + MAGIC_LINES)
@pytest.mark.parametrize("context", ["{}", "for i in range(2):\n    {}\n", "if True:\n    pass\n    {}\n"])
def test_magic_lines_are_those_ipython_rewrites(line, context):
    cell = context.format(line)
    ipython_changes = TransformerManager().transform_cell(cell) != (cell if cell.endswith("\n") else cell + "\n")
    ours = python_lines(cell)
    assert (line in MAGIC_LINES) == ipython_changes  # the corpus itself, as IPython reads it
    assert ([text for text, _ in ours] != cell.splitlines()) == ipython_changes
    module = "".join(text + "\n" for text, _ in ours)
    compile(module, "<cell>", "exec")  # what shapecheck analyses is Python


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_a_python_cell_stays_as_it_is(code):
    """Any valid Python (CPython's grammar: strings over lines, brackets and backslashes whose next line starts
    with ``%``, ``,`` or ``/``) is left line for line as it is: only IPython's syntax is taken out (~5 s)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    expected = re.split(r"\r\n|\r|\n", code)
    if expected[-1] == "":
        expected.pop()
    first = next((line for line in expected if line.strip()), "")
    if first[:1].isspace():
        return  # (a first line that is indented, a comment: IPython takes the indent off every line)
    assert [text for text, _ in python_lines(code)] == expected


def test_what_an_assignment_magic_assigns_is_what_ipython_assigns():
    for line in ["files = !ls", "out = %who_ls", "a, b = !ls", "d['k'] = !ls", "x.attr = %env HOME"]:
        ipython = ast.parse(TransformerManager().transform_cell(line)).body[0]
        [(ours, _)] = python_lines(line)
        assert ast.dump(ast.parse(ours).body[0].targets[0]) == ast.dump(ipython.targets[0]), line


def test_lines_that_only_look_like_magics_stay_python():
    cell = ('s = """\n!not a command\n%not a magic\n"""\nf(a,\n  b)?\nt = (\n    1,\n)\nu = "a" \\\n    "b"\n'
            "!echo (\n  continued)\nv = 1\n")
    ipython = TransformerManager().transform_cell(cell)
    ours = [text for text, _ in python_lines(cell)]
    assert ours[:5] == cell.splitlines()[:5]  # the string's lines, and the call's first line
    assert ours[11:13] == ["pass", ""] and ours[13] == "v = 1"
    assert "v = 1" in ipython and "!not a command" in ipython


@pytest.mark.parametrize("line, expected", [
    ("%run helpers.py", "from helpers import *"),
    ("%run -i ./utils/plots.py --epochs 3", "from utils.plots import *"),
    ("%run -m pkg.train", "from pkg.train import *"),
    ("if True:\n    %run helpers.py", "    from helpers import *"),
    ("%run ../helpers.py", "pass"),  # outside the notebook's folder: no module name reaches it
    ("%run other.ipynb", "pass"),
    ("%run class.py", "pass"),
    ("%run 'my helpers.py'", "pass"),
    ("%run", "pass"),
])
def test_a_run_magic_imports_the_scripts_names(line, expected):
    assert [t for t, _ in python_lines(line)][-1] == expected


def test_the_names_of_a_script_run_with_run_are_followed(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("from keras import layers\n\n\ndef conv_block(x, filters=8):\n"
                                         "    return layers.Conv2D(filters, 3)(x)\n\n\nSIZE = 28\n")
    nb = new_notebook(cells=[new_code_cell("%run helpers.py"),
                             new_code_cell("import keras\ninp = keras.Input((SIZE, SIZE))\ny = conv_block(inp)")])
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    result = check_file(str(tmp_path / "n.ipynb"))
    assert [(f.span.cell, f.span.line, f.code.name) for f in result.findings] == [(2, 3, "rank-mismatch")]
    # the Input's size is the script's SIZE
    assert [e["outputs"][0].shape for e in result.shapes if e["span"].line == 2] == [(None, 28, 28)]


def test_cell_magics_keep_the_python_cells_and_leave_out_the_others():
    assert [t for t, _ in python_lines("%%time\nx = 1\ny = 2")] == ["pass", "x = 1", "y = 2"]
    assert [t for t, _ in python_lines("%%capture captured --no-stderr\nx = 1")] == ["captured = get_ipython()",
                                                                                 "x = 1"]
    for magic in ("%%bash", "%%writefile model.py", "%%timeit -n1", "%%html", "%%python3"):
        assert [t for t, _ in python_lines(f"{magic}\nx = 1 +\n")] == ["", ""]
    # IPython's cleanup: leading blank lines, then a common indent taken off (the columns follow)
    assert python_lines("\n  x = 1\n  y = 2\n") == [("", 0), ("x = 1", 2), ("y = 2", 2)]
    assert python_lines("%time y = f(1,\n   2)") == [("y = f(1,", 6), ("   2)", 0)]


# --- every fixture program, as a notebook ----------------------------------------------------------------

FIXTURES = sorted(p for kind in ("valid", "invalid", "demo") for p in (ROOT / "fixtures" / kind).glob("*.py"))
#: what a cell may start with: IPython's syntax that shapecheck skips (``%%time`` only as a cell's first line)
PREFIXES = [["%matplotlib inline"], ["!pip install -q keras", "files = !ls"], ["%%time"],
            ["?print", "%load_ext tensorboard"], ["%%capture captured"]]


def as_notebook(source: str, seed: int) -> tuple[Any, dict[int, tuple[int, int]]]:
    """The program cut into cells at some of its top-level statements, with prose between and magics at the
    top of some cells (seeded); and where each line of the program is in the notebook (cell, line)."""
    import random

    rng = random.Random(seed)
    lines = source.splitlines()
    starts = sorted({min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])])
                     for n in ast.parse(source).body})
    cuts = [1] + [line for line in starts[1:] if rng.random() < 0.4] + [len(lines) + 1]
    cells: list = []
    where: dict[int, tuple[int, int]] = {}
    for a, b in zip(cuts, cuts[1:]):
        if rng.random() < 0.5:
            cells.append(new_markdown_cell(f"Cells {a} to {b - 1}"))
        prefix = rng.choice(PREFIXES) if rng.random() < 0.6 else []
        for line in range(a, b):
            where[line] = (len(cells) + 1, line - a + 1 + len(prefix))
        cells.append(new_code_cell("\n".join(prefix + lines[a - 1:b - 1])))
    return new_notebook(cells=cells), where


def _positions(result: Any, where: Optional[dict] = None) -> list:
    """The findings (code, position, the notes' positions) and the shapes (layer, position, shapes) of a result;
    with ``where``, a program's lines moved to the notebook's cells."""
    def at(s: Any) -> tuple:
        if s.path != result.path:
            return (s.path, s.line, s.column)
        return (*where[s.line], s.column) if where is not None else (s.cell, s.line, s.column)

    return [("finding", f.code.name, at(f.span), [at(n.span) for n in f.notes]) for f in result.findings] + \
        [("shape", e["layer"], at(e["span"]), repr(e["outputs"])) for e in result.shapes]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_fixture_as_a_notebook_has_the_same_findings_and_shapes_in_its_cells(fixture, tmp_path):
    nb, where = as_notebook(fixture.read_text(), seed=FIXTURES.index(fixture))
    program = check_file(str(fixture))
    notebook = check_file(str(write(tmp_path / "program.ipynb", nb)))
    assert _positions(notebook) == _positions(program, where)
    assert (notebook.layer_calls, notebook.layer_calls_inferred) == (program.layer_calls, program.layer_calls_inferred)


def test_a_future_import_at_the_top_of_a_later_cell_is_no_syntax_error(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import keras"), new_code_cell(
        "from __future__ import annotations\nx = keras.layers.Reshape((3,))(keras.Input((4,)))")])
    assert errors(write(tmp_path / "nb.ipynb", nb)) == [(2, 2, "invalid-reshape")]


AWAITING_CELLS = [
    "data = await fetch(1)\nawait asyncio.sleep(0)",
    "async with session() as s:\n    x = [y async for y in s]\n    await s.close()",
    "async for batch in stream():\n    pass",
    "async def f():\n    await g()\n    async for a in b:\n        pass\nresult = await f()",
    "for i in range(2):\n    if i:\n        r = (await h(i)) + 1\ns = 'await x'  # await",
    "x = await  f()  # await",
]


class _WithoutTopLevelAwait(ast.NodeTransformer):
    """What IPython's autoawait runs, as plain Python: ``await x`` outside a function is ``x``, ``async for`` and
    ``async with`` are ``for`` and ``with``; a function's body is left as it is."""

    def visit_AsyncFunctionDef(self, node):
        return node

    visit_FunctionDef = visit_Lambda = visit_AsyncFunctionDef

    def visit_Await(self, node):
        return self.visit(node.value)

    def visit_AsyncFor(self, node):
        return self.generic_visit(ast.For(**{f: getattr(node, f) for f in node._fields + node._attributes}))

    def visit_AsyncWith(self, node):
        return self.generic_visit(ast.With(**{f: getattr(node, f) for f in node._fields + node._attributes}))

    def visit_comprehension(self, node):
        node.is_async = 0
        return self.generic_visit(node)


@pytest.mark.parametrize("cell", AWAITING_CELLS)
def test_top_level_await_is_read_as_ipython_runs_it(cell):
    """IPython runs a cell's top-level ``await`` (autoawait), which CPython compiles with
    ``PyCF_ALLOW_TOP_LEVEL_AWAIT``: the module shapecheck reads is that program without the awaits, line for
    line, every expression in its column."""
    with pytest.raises(SyntaxError):
        compile(cell, "<cell>", "exec")
    parsed = compile(cell, "<cell>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    original = _WithoutTopLevelAwait().visit(parsed)
    ours = python_lines(cell)
    assert len(ours) == len(cell.splitlines())
    module = ast.parse("".join(text + "\n" for text, _ in ours))
    assert ast.dump(module) == ast.dump(original)
    shift = [s for _, s in ours]
    mine = [(e.lineno, e.col_offset + shift[e.lineno - 1]) for e in ast.walk(module) if isinstance(e, ast.expr)]
    assert mine == [(e.lineno, e.col_offset) for e in ast.walk(original) if isinstance(e, ast.expr)]


def test_a_bug_after_a_top_level_await_is_found_in_its_column(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import keras\nx = keras.Input((4,))"),
                             new_code_cell("await load()\ny = await keras.layers.Reshape((3,))(x)")])
    found = check_file(str(write(tmp_path / "nb.ipynb", nb))).findings
    assert [(f.code.name, f.span.cell, f.span.line, f.span.column) for f in found] == [("invalid-reshape", 2, 2, 11)]


# --- reading --------------------------------------------------------------------------------------------

def test_a_v3_notebook_reads_as_nbformat_reads_it(tmp_path):
    from nbformat import v3

    nb = v3.new_notebook(worksheets=[v3.new_worksheet(cells=[
        v3.new_heading_cell("Title"), v3.new_code_cell(input="import keras\nx = keras.Input((3,))"),
        v3.new_text_cell("markdown", source="prose"), v3.new_code_cell(input="y = keras.layers.Reshape((2,))(x)")])])
    path = tmp_path / "old.ipynb"
    path.write_text(v3.writes_json(nb))
    ours = [(c.number, c.source) for c in read_cells(path.read_text())]
    assert ours == _code_cells(str(path))
    assert errors(path) == [(4, 1, "invalid-reshape")]


def test_sources_as_lists_of_lines_and_as_strings_read_alike(tmp_path):
    nb = tutorial(input_shape="28, 28")
    raw = json.loads(nbformat.writes(nb))
    for cell in raw["cells"]:
        cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    as_strings = tmp_path / "strings.ipynb"
    as_strings.write_text(json.dumps(raw))
    assert errors(as_strings) == errors(write(tmp_path / "lists.ipynb", nb)) == FIT_BUG


@pytest.mark.parametrize("text, line, why", [
    ("{\"cells\": [", 1, "not valid JSON"),
    ("", 1, "not valid JSON"),
    ("[1, 2]", 1, "the JSON is not an object"),
    ("{\n  \"metadata\": {}\n}", 1, "no \"cells\" list"),
    ('{"cells": [{"cell_type": "code", "source": 3}]}', 1, "source is not text"),
    ('{"cells": [\n\n  {"cell_type": "code", "source": "x"},\n  oops]}', 4, "not valid JSON"),
])
def test_a_broken_notebook_is_an_unreadable_file_and_the_run_goes_on(tmp_path, monkeypatch, text, line, why):
    monkeypatch.chdir(tmp_path)
    Path("broken.ipynb").write_text(text)
    write(Path("good.ipynb"), tutorial(input_shape="28, 28"))
    code, out = run("broken.ipynb", "good.ipynb")
    assert code == 2
    assert re.search(rf"^broken\.ipynb:{line}:\d+: error: Cannot read this notebook: .*{re.escape(why)}", out,
                     re.M), out
    assert "good.ipynb:cell 6:3:" in out
    with pytest.raises(NotANotebook):
        read_cells(text)


@pytest.mark.parametrize("metadata, checked", [
    ({"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}, "language_info": {"name": "R"}}, False),
    ({"kernelspec": {"name": "julia-1.10", "language": "julia", "display_name": "Julia"}}, False),
    ({"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
      "language_info": {"name": "python", "version": "3.11.7"}}, True),
    ({}, True),
])
def test_a_notebook_in_another_language_is_not_python(tmp_path, metadata, checked):
    """An R or Julia notebook's cells are not Python: nothing to check in them (as Ruff does)."""
    nb = new_notebook(cells=[new_code_cell("library(keras)\nmodel <- function(x) { x }")], metadata=metadata)
    found = errors(write(tmp_path / "nb.ipynb", nb))
    assert found == ([(1, 2, "syntax-error")] if checked else [])


def test_a_binary_file_named_ipynb_is_unreadable(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_bytes(b"\xff\xfe\x00junk")
    [f] = check_file(str(path)).findings
    assert f.code.name == "unreadable-file" and f.span.cell is None


@pytest.mark.parametrize("nb", [new_notebook(), new_notebook(cells=[new_markdown_cell("only prose")]),
                                new_notebook(cells=[new_code_cell(""), new_code_cell("%matplotlib inline")])])
def test_an_empty_notebook_has_nothing_to_report(tmp_path, monkeypatch, nb):
    monkeypatch.chdir(tmp_path)
    write(Path("empty.ipynb"), nb)
    assert run("empty.ipynb") == (0, "No shape errors in 1 file.\n")


def test_outputs_and_images_change_nothing(tmp_path):
    plain = check_file(str(write(tmp_path / "plain.ipynb", tutorial(input_shape="28, 28"))))
    shown = check_file(str(write(tmp_path / "outputs.ipynb", tutorial(input_shape="28, 28", outputs=True))))
    assert [(f.span.cell, f.span.line, f.span.column, f.message) for f in shown.findings] == \
        [(f.span.cell, f.span.line, f.span.column, f.message) for f in plain.findings] != []


def test_the_size_limit_counts_the_code_not_the_outputs(tmp_path, monkeypatch):
    """Plots saved in a notebook make it megabytes of JSON; ``--max-file-size`` is about the code to parse."""
    monkeypatch.chdir(tmp_path)
    nb = tutorial(input_shape="28, 28", outputs=True)
    nb.cells[4].outputs.append(new_output("display_data", data={"image/png": "A" * 3_000_000}))
    write(Path("big.ipynb"), nb)
    assert Path("big.ipynb").stat().st_size > 3_000_000
    code, out = run("--max-file-size", "1MB", "big.ipynb")
    assert code == 1 and out.count("[SC301 data-shape-mismatch]") == 2
    code, out = run("--max-file-size", "200B", "big.ipynb")
    assert "[SC004 analysis-limit]" in out and "SC301" not in out


def test_a_syntax_error_is_reported_in_its_cell(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import keras"), new_markdown_cell("x"),
                             new_code_cell("x = 1\ny = (2,\nz = 3 3")])
    [f] = check_file(str(write(tmp_path / "bad.ipynb", nb))).findings
    assert (f.code.name, f.span.cell) == ("syntax-error", 3)
    assert f.span.line in (2, 3)


# --- positions ----------------------------------------------------------------------------------------

def test_notes_and_shapes_are_in_their_cells(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(Path("nb.ipynb"), tutorial(input_shape="28, 28"))
    code, out = run("--show-shapes", "nb.ipynb")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("nb.ipynb:cell 6:3:11: error: `fit` data of shape (60000, 784)")
    assert "    nb.ipynb:cell 2:8:11: note: x has shape (60000, 784)" in out
    assert re.search(r"^    nb\.ipynb:cell 5:2:5: note: the model's input", out, re.M)
    assert "nb.ipynb:cell 5:2:5: shape: keras.layers.InputLayer -> (None, 28, 28)" in lines
    # the positions are those of the text in the cell
    cells = {c.number: c.source.splitlines() for c in read_cells(Path("nb.ipynb").read_text())}
    assert cells[6][3 - 1][11 - 1:].startswith("model.fit(")
    assert cells[2][8 - 1][11 - 1:].startswith("x_train.reshape")


def test_a_column_after_time_or_a_common_indent_is_the_cells_column(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import keras\nx = keras.Input((4,))"),
                             new_code_cell("%time y = keras.layers.Reshape((3,))(x)"),
                             new_code_cell("\n    z = keras.layers.Reshape((5,))(x)\n")])
    found = check_file(str(write(tmp_path / "nb.ipynb", nb))).findings
    assert [(f.span.cell, f.span.line, f.span.column) for f in found] == [(2, 1, 11), (3, 2, 9)]


def test_a_helper_in_one_cell_called_in_another(tmp_path, monkeypatch):
    """The notes, and the lines a message names, are in their cells too (the engine writes the helper's call
    site into the note: ``in the call at line N`` of the module becomes the cell's line)."""
    monkeypatch.chdir(tmp_path)
    write(Path("nb.ipynb"), new_notebook(cells=[
        new_code_cell("import keras\n\ndef head(x):\n    return keras.layers.Dense(10)(x)\n"), new_markdown_cell("m"),
        new_code_cell("x = keras.Input((4, 4))\ny = head(x)\nz = keras.layers.Reshape((7,))(y)")]))
    code, out = run("nb.ipynb")
    assert out.splitlines()[:2] == [
        "nb.ipynb:cell 3:3:5: error: The total size of the tensor must be unchanged. Received: input_shape=(4, 10), "
        "target_shape=(7,) [SC204 invalid-reshape]",
        '    nb.ipynb:cell 1:4:12: note: input 0 has shape (None, 4, 10), produced by "dense" (Dense) here (in the '
        "call at cell 3:2)"]
    # a comment on the helper's call silences what fails inside it, in a cell as in a file
    write(Path("quiet.ipynb"), new_notebook(cells=[
        new_code_cell("import keras\n\ndef head(x):\n    return keras.layers.Reshape((7,))(x)\n"),
        new_code_cell("x = keras.Input((4, 4))\ny = head(x)  # shapecheck: ignore[invalid-reshape]")]))
    assert run("quiet.ipynb") == (0, "No shape errors in 1 file.\n")


def test_json_sarif_and_github_say_the_cell(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(Path("nb.ipynb"), tutorial(input_shape="28, 28"))
    code, out = run("--format", "json", "--show-shapes", "nb.ipynb")
    data = json.loads(out)
    f = data["findings"][0]
    assert [(f["path"], f["cell"], f["line"], f["column"]) for f in data["findings"]] == [
        ("nb.ipynb", 6, 3, 11), ("nb.ipynb", 7, 1, 24)]
    assert [n["cell"] for n in f["notes"]] == [2, 5]
    assert {s["cell"] for s in data["shapes"]} == {5}

    code, out = run("--format", "sarif", "nb.ipynb")
    sarif = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    result = sarif["runs"][0]["results"][0]
    assert result["properties"]["cell"] == 6
    assert result["message"]["text"].startswith("cell 6: `fit` data")
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3

    code, out = run("--format", "github", "nb.ipynb")
    assert out.startswith("::error file=nb.ipynb,title=SC301 data-shape-mismatch::cell 6:3:11: `fit` data")
    assert "%0Anb.ipynb:cell 2:8:11: note:" in out


@pytest.mark.runtime
def test_runtime_says_the_cell_of_a_call_keras_rejects_and_shapecheck_missed(tmp_path, monkeypatch):
    """``--runtime``: a call Keras rejects and shapecheck did not report (``--ignore``d here) is reported in its
    cell, in text and JSON."""
    monkeypatch.chdir(tmp_path)
    write(Path("nb.ipynb"), new_notebook(cells=[new_markdown_cell("m"), new_code_cell("import keras"),
                                                new_code_cell("x = keras.Input(shape=(28, 28))\n%matplotlib inline\n"
                                                              "y = keras.layers.Conv2D(8, 3)(x)")]))
    code, out = run("--runtime", "--device", "cpu", "--ignore", "SC2", "--format", "json", "nb.ipynb")
    [missed] = json.loads(out)["runtime"]["missed"]
    assert (missed["path"], missed["cell"], missed["line"], missed["column"]) == ("nb.ipynb", 3, 3, 5)
    code, out = run("--runtime", "--device", "cpu", "--ignore", "SC2", "nb.ipynb")
    assert "nb.ipynb:cell 3:3:5: note: runtime: Keras rejects this call and shapecheck reported nothing" in out


def test_a_suppression_comment_in_a_cell(tmp_path):
    fit = FIT_CELL.replace("epochs=1)", "epochs=1)  # shapecheck: ignore[data-shape-mismatch]")
    assert errors(write(tmp_path / "quiet.ipynb", tutorial(input_shape="28, 28", fit=fit))) == FIT_BUG[1:]
    unused = FIT_CELL + "print(1)  # shapecheck: ignore\n"
    rules = Options().rules.__class__(warn_unused_ignores=True)
    assert errors(write(tmp_path / "unused.ipynb", tutorial(fit=unused)), Options(rules=rules)) == \
        [(6, 4, "unused-ignore")]


def test_summary_names_the_cell(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(Path("nb.ipynb"), tutorial())
    code, out = run("--summary", "nb.ipynb")
    assert out.startswith("nb.ipynb:cell 5:1 model\n")
    code, out = run("--summary", "--format", "json", "nb.ipynb")
    [model] = json.loads(out)["models"]
    assert (model["cell"], model["line"]) == (5, 1)


# --- discovery, exclusions, cache and workers -----------------------------------------------------------

def test_directories_yield_notebooks_but_not_checkpoints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(Path("proj/a.ipynb"), tutorial(input_shape="28, 28"))
    write(Path("proj/.ipynb_checkpoints/a-checkpoint.ipynb"), tutorial(input_shape="28, 28"))
    write(Path("proj/sub/b.ipynb"), tutorial())
    Path("proj/c.py").write_text("x = 1\n")
    Path("proj/notes.ipynb.txt").write_text("x")
    assert list(iter_python_files(["proj"])) == ["proj/a.ipynb", "proj/c.py", "proj/sub/b.ipynb"]
    code, out = run("proj")
    assert code == 1 and out.endswith("Found 2 errors in 3 files.\n") and "proj/a.ipynb:cell 6:3:11:" in out
    # the exclusions apply to notebooks as to any file; a notebook named on the command line is checked
    assert run("--extend-exclude", "*.ipynb", "proj") == (0, "No shape errors in 1 file.\n")
    assert run("--per-file-ignores", "*.ipynb:SC301", "proj") == (0, "No shape errors in 3 files.\n")
    Path("proj/.gitignore").write_text("a.ipynb\n")
    subprocess.run(["git", "init", "-q", "proj"], check=True)
    assert run("proj")[1].endswith("No shape errors in 2 files.\n")
    assert run("proj/a.ipynb")[0] == 1


def test_the_pre_commit_hook_is_given_notebooks(tmp_path, monkeypatch):
    """pre-commit's own file selection (identify's tags, the manifest's types) passes the hook .py and .ipynb
    files, not the others."""
    from pre_commit.clientlib import load_manifest
    from pre_commit.commands.run import Classifier

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    monkeypatch.chdir(tmp_path)
    files = ["model.py", "tutorial.ipynb", "nb/.ipynb_checkpoints/x.ipynb", "README.md", "data.json", "setup.cfg"]
    for name in files:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text("{}\n")
    classifier = Classifier.from_config(files, "", "^$")
    chosen = classifier.by_types(files, hook["types"], hook["types_or"], hook["exclude_types"])
    assert list(chosen) == ["model.py", "tutorial.ipynb", "nb/.ipynb_checkpoints/x.ipynb"]


def test_cache_and_workers_give_the_same_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i in range(3):
        write(Path(f"nb{i}.ipynb"), tutorial(input_shape="28, 28" if i != 1 else "784,"))
    args = ["--format", "json", "--show-shapes", "nb0.ipynb", "nb1.ipynb", "nb2.ipynb"]
    plain = CliRunner().invoke(main, ["--no-cache", "-j", "1", *args]).output
    cache = ["--cache-dir", str(tmp_path / "cache")]
    cold = CliRunner().invoke(main, [*cache, "-j", "2", *args]).output
    assert list((tmp_path / "cache").rglob("*.pickle"))
    warm = CliRunner().invoke(main, [*cache, "-j", "1", *args]).output
    assert plain == cold == warm
    assert [(f["path"], f["cell"]) for f in json.loads(plain)["findings"]] == [
        ("nb0.ipynb", 6), ("nb0.ipynb", 7), ("nb2.ipynb", 6), ("nb2.ipynb", 7)]


# --- the README's example -------------------------------------------------------------------------------

def test_readme_notebook_example_is_what_the_command_prints():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"\$ shapecheck docs/examples/mnist.ipynb\n(.*?)\n```", readme, re.S)
    assert block, "the README lost its notebook example"
    done = subprocess.run([sys.executable, "-m", "shapecheck", "--no-cache", "docs/examples/mnist.ipynb"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.stdout.rstrip() == block.group(1)
    # the example notebook is the tutorial with its bug, as this module writes it
    assert [(c.number, c.source) for c in read_cells((ROOT / "docs/examples/mnist.ipynb").read_text())] == \
        [(i, c.source) for i, c in enumerate(tutorial(input_shape="28, 28").cells, start=1) if c.cell_type == "code"]


if __name__ == "__main__":
    sys.exit(main_keras(sys.argv[1:]))
