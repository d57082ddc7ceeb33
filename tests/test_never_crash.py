"""Issue 9: shapecheck never crashes on any program and never runs the analysed code.

* Random Python programs -- hypothesmith's (from CPython's grammar and from libcst's node
  types) and this file's own generator, which mixes Keras layer and ops calls with arbitrary
  expressions and statements (control flow, comprehensions, decorators, classes, lambdas,
  star-args, walrus, ``match``, f-strings, ``async``...) -- are analysed after ``import keras``
  lines, so the interpreter really runs: :func:`shapecheck.api.check_source` never raises and
  never reports ``internal-error``.
* Every fixture, mutated (a line deleted, duplicated, swapped with another, the text truncated,
  garbage inserted): the same.
* The mypy plugin over the trap fixture (it writes a file when run): the file never appears,
  and the plugin's finding on the trap's Reshape shows the plugin did analyse it.

The whole-tree check (stdlib, keras, tensorflow, fixtures) is ``benchmarks/robustness.py``.
"""

from __future__ import annotations

import ast
import sys
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mypy import api as mypy_api

from shapecheck.api import Options, check_source

from .fixtures_support import FIXTURES
from .mypy_support import mypy_config, stub_search_path

FIXTURE_PATHS = sorted(FIXTURES.rglob("*.py"))
TRAP = FIXTURES / "trap" / "writes_files.py"

HEADER = "import keras\nfrom keras import layers\nimport numpy as np\nimport tensorflow as tf\n"
#: a tensor to start from, so that the generated code finds Keras tensors under common names
START = "x = keras.Input(shape=(8, 8, 3))\ny = layers.Dense(4)(x)\ninputs = x\n"

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


#: internal errors found by these tests and not fixed yet: (the last lines of the traceback that
#: identify the bug, its reproduction). Each has a strict xfail test below; the random tests pass
#: over it (and only it) so that they keep looking for others. Fixed: the xfail passes; remove it.
KNOWN: list[tuple[str, str]] = []
#: the reproductions of internal errors these tests found and that are fixed: each stays a test
FIXED = [
    "import keras\nfrom keras import layers\ny = layers.Dense(3)([])\n",  # a layer called on no tensor
]


def analyse(source: str, path: str = "<generated>", keras_version: int = 3):
    """``check_source``, failing on an ``internal-error`` finding (with the source, to reproduce),
    other than a :data:`KNOWN` one."""
    result = check_source(source, path, Options(debug=True, keras_version=keras_version))
    internal = [f for f in result.findings if f.code.name == "internal-error"
                and not any(where in f.message for where, _ in KNOWN)]
    assert not internal, f"{internal[0].message}\n--- source:\n{source}"
    return result


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (invalid escapes in hypothesmith's strings)
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# -- hypothesmith ---------------------------------------------------------------------------------


@settings(max_examples=60, **SETTINGS)
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(code):
    analyse(HEADER + START + code)


# hypothesmith filters most of what it draws from libcst's nodes itself: slow, ~1 s a program
@settings(max_examples=8, **{**SETTINGS, "suppress_health_check": [*SETTINGS["suppress_health_check"],
                                                                    HealthCheck.filter_too_much]})
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(code):
    analyse(HEADER + START + code)


# -- this file's generator: Keras calls inside arbitrary Python ---------------------------------

NAMES = ["x", "y", "z", "t", "inputs", "model", "w", "n"]
LAYERS = {
    # class -> the positional/keyword arguments it gets besides wild ones
    "Dense": ["{n}"], "Conv1D": ["{n}", "{k}"], "Conv2D": ["{n}", "{k}", "padding='same'"],
    "MaxPooling2D": [], "AveragePooling1D": ["{k}"], "Flatten": [], "Reshape": ["{shape}"],
    "Permute": ["(2, 1)"], "Dropout": ["0.5"], "BatchNormalization": ["axis={axis}"],
    "LSTM": ["{n}", "return_sequences={bool}"], "GRU": ["{n}"], "Embedding": ["{n}", "{n}"],
    "GlobalAveragePooling2D": [], "Activation": ["'relu'"], "UpSampling2D": ["{k}"],
    "ZeroPadding2D": ["{k}"], "Cropping1D": ["{k}"], "RepeatVector": ["{n}"], "Rescaling": ["1 / 255"],
    "LayerNormalization": ["axis={axis}"], "Conv2DTranspose": ["{n}", "{k}", "strides={k}"],
    "SeparableConv2D": ["{n}", "{k}"], "Normalization": [], "EinsumDense": ["'abc,cd->abd'", "({n}, {n})"],
}
MERGES = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Concatenate", "Dot"]
OPS = {
    "reshape": "{e}, {shape}", "transpose": "{e}", "matmul": "{e}, {e}", "concatenate": "[{e}, {e}], axis={axis}",
    "expand_dims": "{e}, {axis}", "squeeze": "{e}", "sum": "{e}, axis={axis}", "mean": "{e}, axis={axis}",
    "stack": "[{e}, {e}]", "split": "{e}, {n}", "add": "{e}, {e}", "where": "{e} > 0, {e}, {e}",
    "softmax": "{e}", "cast": "{e}, 'int32'", "tile": "{e}, {shape}", "broadcast_to": "{e}, {shape}",
}
TF = {"reshape": "{e}, {shape}", "concat": "[{e}, {e}], {axis}", "matmul": "{e}, {e}", "zeros": "{shape}",
      "reduce_sum": "{e}, {axis}"}


def _int(draw, lo=-2, hi=16) -> str:
    return str(draw(st.integers(lo, hi)))


@st.composite
def shapes(draw, depth: int) -> str:
    items = draw(st.lists(st.one_of(st.integers(-1, 16).map(str), st.just("None"), st.sampled_from(NAMES),
                                    st.just("x.shape[1]"), exprs(depth - 1)), max_size=4))
    if len(items) == 1 and draw(st.booleans()):
        return f"({items[0]},)"
    return f"({', '.join(items)})" if draw(st.booleans()) else f"[{', '.join(items)}]"


def _fill(draw, template: str, depth: int) -> str:
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        key = out[start + 1:end]
        if key == "e":
            value = draw(exprs(depth - 1))
        elif key == "shape":
            value = draw(shapes(depth - 1))
        elif key == "n":
            value = draw(st.one_of(st.integers(0, 16).map(str), exprs(depth - 1))) if depth > 1 else _int(draw, 0)
        elif key == "k":
            value = draw(st.sampled_from(["1", "2", "3", "(2, 2)", "(1, 3)", "0", "-1"]))
        elif key == "axis":
            value = draw(st.sampled_from(["-1", "1", "2", "0", "-4", "5", "(1, 2)", "None"]))
        elif key == "bool":
            value = draw(st.sampled_from(["True", "False"]))
        else:  # pragma: no cover - a typo in a template
            raise AssertionError(key)
        out = out[:start] + "\x00" + value.replace("{", "\x01").replace("}", "\x02") + "\x00" + out[end + 1:]
    return out.replace("\x00", "").replace("\x01", "{").replace("\x02", "}")


@st.composite
def layer_exprs(draw, depth: int) -> str:
    """``layers.X(...)`` -- the layer object, not called."""
    cls = draw(st.sampled_from(sorted(LAYERS)))
    args = [_fill(draw, a, depth) for a in LAYERS[cls]]
    keyword = draw(st.sampled_from(['name', 'units', 'axis', 'dtype', 'activation']))
    if draw(st.integers(0, 3)) == 0 and not any(a.startswith(keyword + "=") for a in args):  # a wild extra one
        args.append(f"{keyword}={draw(exprs(depth - 1))}")
    return f"layers.{cls}({', '.join(args)})"


@st.composite
def keras_exprs(draw, depth: int) -> str:
    kind = draw(st.integers(0, 9))
    e = lambda: draw(exprs(depth - 1))  # noqa: E731
    if kind <= 2:
        return f"{draw(layer_exprs(depth))}({e()})"
    if kind == 3:
        merge = draw(st.sampled_from(MERGES))
        return f"layers.{merge}()([{', '.join(e() for _ in range(draw(st.integers(1, 3))))}])"
    if kind == 4:
        op = draw(st.sampled_from(sorted(OPS)))
        return f"keras.ops.{op}({_fill(draw, OPS[op], depth)})"
    if kind == 5:
        op = draw(st.sampled_from(sorted(TF)))
        return f"tf.{op}({_fill(draw, TF[op], depth)})"
    if kind == 6:
        return f"keras.Input(shape={draw(shapes(depth))}, batch_size={draw(st.sampled_from(['None', '4', 'n']))})"
    if kind == 7:
        return f"keras.Model({e()}, {e()})"
    if kind == 8:
        return f"keras.Sequential([{', '.join(draw(st.lists(layer_exprs(depth), max_size=3)))}])"
    return draw(st.sampled_from([f"layers.Lambda(lambda v: v * 2)({e()})", f"layers.TimeDistributed("
                                 f"{draw(layer_exprs(depth))})({e()})", f"layers.MultiHeadAttention(2, 4)({e()}, {e()})",
                                 f"layers.Bidirectional(layers.LSTM(4))({e()})", f"np.zeros({draw(shapes(depth))})"]))


@st.composite
def exprs(draw, depth: int) -> str:
    if depth <= 0:
        return draw(st.one_of(st.sampled_from(NAMES), st.integers(-3, 20).map(str),
                              st.sampled_from(["None", "True", "...", "0.5", "'same'", "b''", "x.shape", "x.ndim",
                                               "x.shape[-1]", "model.output", "model.layers[0]", "[]", "{}", "()"])))
    e = lambda: draw(exprs(depth - 1))  # noqa: E731
    kind = draw(st.integers(0, 19))
    if kind <= 5:
        return draw(keras_exprs(depth))
    if kind == 6:
        return f"({e()} {draw(st.sampled_from(['+', '-', '*', '@', '/', '//', '%', '**', '&', '|', '<<']))} {e()})"
    if kind == 7:
        return f"({draw(st.sampled_from(['-', 'not ', '~', '+']))}{e()})"
    if kind == 8:
        index = draw(st.sampled_from(["0", "-1", ":", "1:", "::2", "..., 0", "None", ":, None", "0, 0", "n"]))
        return f"{e()}[{index}]"
    if kind == 9:
        return f"({e()}).{draw(st.sampled_from(['shape', 'dtype', 'ndim', 'output', 'input', 'layers', 'units']))}"
    if kind == 10:
        return f"{draw(st.sampled_from(['f', 'len', 'tuple', 'list', 'range', 'max', 'sum', 'print', 'C']))}" \
               f"(*{e()}, **{{'k': {e()}}})"
    if kind == 11:
        return f"(lambda v, *a, k={e()}, **kw: {e()})"
    if kind == 12:
        return f"({e()} if {e()} else {e()})"
    if kind == 13:
        comp = draw(st.sampled_from(["[{0} for c in {1}]", "{{c: {0} for c in {1} if c}}", "{{{0} for c in {1}}}",
                                     "list({0} for c in {1} for d in c)"]))
        return comp.format(e(), e())
    if kind == 14:
        return f"(w := {e()})"
    if kind == 15:
        e = lambda: (lambda v: v if '"' not in v else "x")(draw(exprs(depth - 1)))  # noqa: E731 (3.11)
        return f"f\"{{({e()})!r:>{{({e()})}}}} {{({e()})=}}\""
    if kind == 16:
        return f"[*{e()}, {e()}]" if draw(st.booleans()) else f"({e()}, {e()})"
    if kind == 17:
        return f"({e()} {draw(st.sampled_from(['<', '==', 'is not', 'in', '>=']))} {e()} < {e()})"
    if kind == 18:
        return f"({e()} {draw(st.sampled_from(['and', 'or']))} {e()})"
    return f"{{'a': {e()}, **{e()}}}"


FIRST_LINE = len((HEADER + "import functools\n" + START).splitlines())  # the generated code starts after


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@st.composite
def statements(draw, depth: int, in_function: bool = False, in_loop: bool = False) -> list[str]:
    e = lambda: draw(exprs(draw(st.integers(1, 3))))  # noqa: E731
    name = lambda: draw(st.sampled_from(NAMES))  # noqa: E731

    def body(**kw) -> list[str]:
        kw = {"in_function": in_function, "in_loop": in_loop, **kw}
        return _indent([line for _ in range(draw(st.integers(1, 3)))
                        for line in draw(statements(depth - 1, **kw))])

    kind = draw(st.integers(0, 26 if depth > 0 else 9))
    if kind <= 3:
        return [f"{name()} = {e()}"]
    if kind == 4:
        return [f"x = {draw(layer_exprs(2))}(x)"]  # keep the chain going
    if kind == 5:
        return [e()]
    if kind == 6:
        return [f"{name()}, *{name()} = {e()}" if draw(st.booleans()) else f"{name()} {draw(st.sampled_from(['+', '*', '@', '-']))}= {e()}"]
    if kind == 7:
        return [f"{name()}: {draw(st.sampled_from(['int', 'keras.KerasTensor', 'list[int]', 'tf.Tensor']))} = {e()}"]
    if kind == 8:
        return [draw(st.sampled_from([
            "model = keras.Model(inputs, x)", "model.summary()", "model.compile(optimizer='adam', loss='mse')",
            f"model.fit(np.zeros({draw(shapes(1))}), np.zeros({draw(shapes(1))}), batch_size=4, epochs=1)",
            f"model.predict({e()})", f"model.add({draw(layer_exprs(1))})", "model = keras.Sequential()",
            f"model.evaluate({e()}, {e()})", "import keras.layers as L", "from keras import ops",
            f"assert {e()}, {e()}", "pass", f"del {name()}"]))]
    if kind == 9:
        if in_loop:
            return [draw(st.sampled_from(["break", "continue"]))]
        if in_function:
            return [f"return {e()}" if draw(st.booleans()) else f"yield {e()}"]
        return [f"raise ValueError({e()})"]
    if kind <= 11:
        out = [f"if {e()}:", *body()]
        if draw(st.booleans()):
            out += [f"elif {e()}:", *body()]
        if draw(st.booleans()):
            out += ["else:", *body()]
        return out
    if kind <= 13:
        target = draw(st.sampled_from(["i", "x", "_", "i, j", "(a, *b)"]))
        it = draw(st.sampled_from(["range({})", "{}", "enumerate({})", "zip({0}, {0})", "model.layers"])).format(e())
        out = [f"for {target} in {it}:", *body(in_loop=True)]
        return out + (["else:", *body()] if draw(st.booleans()) else [])
    if kind == 14:
        return [f"while {e()}:", *body(in_loop=True), "    break"]
    if kind == 15:
        e = lambda: (lambda v: v if '"' not in v else "x")(draw(exprs(depth - 1)))  # noqa: E731 (3.11)
        return [f"with {e()} as {name()}:", *body()]
    if kind == 16:
        out = ["try:", *body(), f"except {draw(st.sampled_from(['Exception', '(ValueError, TypeError) as err', 'ValueError']))}:", *body()]
        if draw(st.booleans()):
            out += ["else:", *body()]
        return out + (["finally:", *body()] if draw(st.booleans()) else [])
    if kind <= 19:
        decorators = draw(st.lists(st.sampled_from(["@staticmethod", "@functools.lru_cache", "@tf.function",
                                                    "@keras.saving.register_keras_serializable()", "@deco(x)"]),
                                   max_size=2))
        params = draw(st.sampled_from(["t", "t, n=4", "*args, **kwargs", "t, /, k, *, m=None", "t=x, *rest",
                                       ""]))
        prefix = "async def" if draw(st.integers(0, 5)) == 0 else "def"
        fname = draw(st.sampled_from(["block", "f", "helper", "C"]))
        out = [*decorators, f"{prefix} {fname}({params}):", *body(in_function=True, in_loop=False),
               f"    return {e()}"]
        if draw(st.booleans()):
            out.append(f"{name()} = {fname}({draw(st.sampled_from(['x', 'y', '*[x]', 'x, 3', 't=x', '']))})")
        return out
    if kind <= 21:
        base = draw(st.sampled_from(["layers.Layer", "keras.Model", "object", "layers.Dense", ""]))
        out = [f"class C({base}):", "    units = 4",
               "    def __init__(self, *a, **k):", "        super().__init__(*a, **k)",
               f"        self.d = {draw(layer_exprs(1))}",
               "    def call(self, t, training=None):",
               *_indent(body(in_function=True, in_loop=False)),
               f"        return {draw(st.sampled_from(['self.d(t)', 't', 'x']))}"]
        if draw(st.booleans()):
            out.append(f"x = C()({draw(st.sampled_from(['x', 'y', 'inputs']))})")
        return out
    if kind <= 23:
        cases = draw(st.lists(st.sampled_from([
            "case [a, *rest]:", "case {'k': v, **kw}:", "case (1 | 2) as one:", "case keras.KerasTensor(shape=s):",
            "case int(v) if v > 0:", "case None:", "case str() | bytes():", "case [_, _, (c, d)]:"]),
            min_size=1, max_size=3, unique=True))
        out = [f"match {e()}:"]
        for case in cases:
            out += ["    " + case, *_indent(body())]
        if draw(st.booleans()):
            out += ["    case _:", *_indent(body())]
        return out
    if kind == 24:
        return [f"{name()} = [{e()} for i in range({draw(st.integers(0, 4))})]",
                f"x = layers.Concatenate()({draw(st.sampled_from(NAMES))})"]
    if kind == 25 and in_function:
        return [f"global {name()}" if draw(st.booleans()) else f"nonlocal {name()}"]
    return [f"for i in range({draw(st.integers(0, 40))}):", "    x = layers.Dense(4)(x)",
            *body(in_loop=True)]


@st.composite
def programs(draw) -> str:
    lines = [line for _ in range(draw(st.integers(1, 6))) for line in draw(statements(2))]
    return HEADER + "import functools\n" + START + "\n".join(lines) + "\n"


@settings(max_examples=60, **SETTINGS)
@given(programs(), st.sampled_from([3, 2]))
def test_keras_calls_inside_random_python(source, keras_version):
    assert parses(source), source  # the generator writes valid syntax
    result = analyse(source, keras_version=keras_version)
    assert not any(f.code.name == "syntax-error" for f in result.findings), source


def test_the_generator_reaches_the_analysis():
    """A guard on the generator above: its Keras calls are analysed (shapes recorded past the
    header's) and errors found, so the test above exercises the interpreter, not just the parser."""
    analysed = []

    @settings(max_examples=40, database=None, **SETTINGS)
    @given(programs())
    def sample(source):
        analysed.append((parses(source), check_source(source, "<generated>")))

    sample()
    parsed = [r for ok, r in analysed if ok]
    assert len(parsed) >= 0.8 * len(analysed)
    # (past the header's own layer call)
    assert sum(any(s["span"].line > FIRST_LINE for s in r.shapes) for r in parsed) >= 0.8 * len(parsed)
    assert sum(bool(r.findings) for r in parsed) >= 0.2 * len(parsed)  # errors found, not just nothing


@pytest.mark.parametrize("source", [
    *[pytest.param(source, marks=pytest.mark.xfail(strict=True, reason=f"internal error: {source!r}"))
      for _, source in KNOWN],
    *FIXED])
def test_known_internal_errors(source):
    result = check_source(source, "<known>")
    assert not [f for f in result.findings if f.code.name == "internal-error"], result.findings


# -- mutated fixtures -----------------------------------------------------------------------------

GARBAGE = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["(", ")", "]", "[", "{", ":", "\\", "'", '"""', "\t", "  ", "lambda", "def", "class X:",
                     "x = ", "@", "*", "**", "if x:", "else:", "\x00", "\x0c", "\r", "#", "# error: [rank-mismatch]",
                     "yield", "return", "await", "match x:", "case _:", "layers.Dense(", ")(x)", "...", ";",
                     "\ufeff", "é", "𝔁 = 1"]),
)


@st.composite
def mutations(draw, text: str) -> str:
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or [""]
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "garbage"]))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        text = "".join(lines)
        if kind == "truncate":
            text = text[:draw(st.integers(0, len(text)))]
        elif kind == "garbage":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(GARBAGE) + text[at:]
    return text


@pytest.mark.parametrize("path", FIXTURE_PATHS, ids=lambda p: f"{p.parent.name}/{p.name}")
@settings(max_examples=6, **SETTINGS)
@given(data=st.data())
def test_mutated_fixtures(path, data):
    text = path.read_text(encoding="utf-8")
    mutated = data.draw(mutations(text), label="mutated")
    analyse(mutated, str(path))


# -- the mypy plugin never runs user code --------------------------------------------------------


def test_the_mypy_plugin_never_runs_the_trap(tmp_path, tmp_path_factory, monkeypatch):
    trapped = tmp_path / "trapped.txt"
    monkeypatch.setenv("SHAPECHECK_TRAP", str(trapped))
    monkeypatch.chdir(tmp_path)  # where the trap writes without SHAPECHECK_TRAP
    # the trap itself, and a module that imports it and calls its function, so that mypy follows it
    (tmp_path / "writes_files.py").write_text(TRAP.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "user.py").write_text("import writes_files\nwrites_files.spy(writes_files.x)\n", encoding="utf-8")
    config = mypy_config(tmp_path, plugin=True, extra="incremental = False",
                         stub_path=stub_search_path(tmp_path_factory))
    before = set(sys.modules)
    out, err, status = mypy_api.run(["--config-file", str(config), "--show-error-codes", "--no-error-summary",
                                     "writes_files.py", "user.py"])
    assert not trapped.exists(), f"mypy with the plugin ran the trap: {trapped.read_text()}"
    assert not (tmp_path / "shapecheck-trap.txt").exists()
    assert not {"writes_files", "user"} & (set(sys.modules) - before)
    # the plugin did analyse the trap: its Reshape finding is there (and mypy did not crash)
    assert "writes_files.py:36: error:" in out and "[shape-invalid-reshape]" in out, out + err
    assert status == 1 and "Traceback" not in out + err, out + err
