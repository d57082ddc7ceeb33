"""Coverage counting (``summary.layer_calls`` / ``layer_calls_inferred``) and ``--explain-unknown``.

Programs with one kind of unknown each, the reason and origin expected; counts checked against a
hand count on small programs, and on every valid and demo fixture against what ``--show-shapes``
lists (one call per source location and created layer; inferred when every entry has a rank).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecheck.api import Options, check_file, check_source
from shapecheck.cli import main

ROOT = Path(__file__).resolve().parent.parent


def analyse(source: str, **options: object):
    return check_source(textwrap.dedent(source), "m.py", Options(debug=True, **options))  # type: ignore[arg-type]


def unknown_at(result, line: int, layer: str):
    found = [u for u in result.unknowns if u.span.line == line and u.layer == layer]
    assert len(found) == 1, [(u.span.line, u.layer, u.reason) for u in result.unknowns]
    return found[0]


# ---------------------------------------------------------------- each kind of unknown, and why
def test_a_model_loaded_from_disk_is_not_followed():
    r = analyse("""\
        import keras
        from keras import layers

        base = keras.models.load_model("m.keras")
        x = base.output
        y = layers.Dense(3)(x)
        z = layers.Dense(4)(y)
        """)
    assert not r.findings
    u = unknown_at(r, 6, "keras.layers.Dense")
    assert u.reason == "`keras.models.load_model(...)` is not followed"
    assert (u.origin.line, u.origin.column) == (4, 8)
    assert [(n.span.line, n.message) for n in u.notes] == [
        (6, "its input `x` is not a known tensor"), (5, "`x` comes from `base.output`"),
        (4, "`keras.models.load_model(...)` is not followed")]
    assert u.message.endswith("is not followed (line 4)")
    # the next layer: walked back through the IR to the first call whose rank was lost
    v = unknown_at(r, 7, "keras.layers.Dense")
    assert v.origin.line == 4
    assert v.notes[0].span.line == 6 and "keras.layers.Dense" in v.notes[0].message


def test_an_input_shape_that_is_not_known():
    r = analyse("""\
        import json
        import keras
        from keras import layers

        config = json.load(open("config.json"))
        inputs = keras.Input(shape=config["shape"])
        h = layers.Dense(8)(inputs)
        """)
    u = unknown_at(r, 7, "keras.layers.Dense")
    assert u.reason == "`json.load(...)` is not followed"
    assert u.origin.line == 5
    messages = [n.message for n in u.notes]
    assert "the shape is lost first at `keras.Input` here" in messages
    assert "`config` comes from `json.load(open(\"config.json\"))`" not in messages  # the same place: said once


def test_one_step_back_to_where_the_shape_was_lost_however_far():
    r = analyse("""\
        import keras
        from keras import layers

        x = keras.models.load_model("m.keras").output
        for _ in range(20):
            x = layers.Dense(8)(x)
        y = layers.Dense(2)(x)
        """)
    u = unknown_at(r, 7, "keras.layers.Dense")
    assert u.reason == "`keras.models.load_model(...)` is not followed" and u.origin.line == 4
    assert [(n.span.line, n.message) for n in u.notes] == [
        (6, "the shape is lost first at `keras.layers.Dense` here"),
        (6, "its input `x` is not a known tensor"),
        (4, "`x` comes from `keras.models.load_model(\"m.keras\").output`"),
        (4, "`keras.models.load_model(...)` is not followed")]


def test_a_layer_keras_refuses_to_construct():
    r = analyse("""\
        import keras
        from keras import layers

        x = keras.Input(shape=(4, 5))
        p = layers.Permute((1, 1))
        y = p(x)
        """)
    assert [f.code.name for f in r.findings] == ["invalid-argument"]
    u = unknown_at(r, 6, "keras.layers.Permute")
    assert u.reason == "Keras rejects `keras.layers.Permute` (SC206 invalid-argument, line 6)"
    assert u.origin.line == 5


def test_an_operand_of_an_operator_that_is_not_known():
    r = analyse("""\
        import json
        import keras
        from keras import layers

        x = keras.Input(shape=(4,))
        scale = json.loads("2")
        y = layers.Dense(2)(x * 0 + scale)
        """)
    u = unknown_at(r, 7, "keras.ops.add")
    assert u.reason == "`json.loads(...)` is not followed" and u.origin.line == 6
    assert [(n.span.line, n.message) for n in u.notes] == [
        (7, "its operand `scale` is not a known value"), (6, "`json.loads(...)` is not followed")]


def test_an_attribute_of_a_known_object_that_is_not_known():
    r = analyse("""\
        import keras
        from keras import layers

        class Settings:
            pass

        settings = Settings()
        x = keras.Input(shape=(4,))
        y = layers.Reshape(settings.target)(x)
        """)
    u = unknown_at(r, 9, "keras.layers.Reshape")
    assert u.reason == "`settings.target` is not a known value"
    assert (u.origin.line, u.origin.column) == (9, 20)


def test_an_op_without_a_rule():
    r = analyse("""\
        import keras
        import tensorflow as tf

        x = keras.Input(shape=(10,))
        y = tf.py_function(lambda t: t, [x], tf.float32)
        z = keras.layers.Dense(2)(y)
        """, keras_version=2)
    assert not r.findings
    u = unknown_at(r, 6, "keras.layers.Dense")
    assert u.reason == "shapecheck has no rule for `tensorflow.py_function`: its output shape is unknown"
    assert u.origin.line == 5


def test_a_function_imported_from_a_module_that_is_not_read():
    r = analyse("""\
        import keras
        from keras import layers
        from somewhere_else import make_block

        x = keras.Input(shape=(10,))
        b = make_block(x)
        c = layers.Dense(2)(b)
        """)
    u = unknown_at(r, 7, "keras.layers.Dense")
    assert u.reason == "`somewhere_else.make_block(...)` is not followed"
    assert u.origin.line == 6


def test_a_parameter_of_a_function_never_called():
    r = analyse("""\
        import keras
        from keras import layers

        def head(features):
            return layers.Dense(2)(features)
        """)
    u = unknown_at(r, 5, "keras.layers.Dense")
    assert "`features` is a parameter of a function this file never calls" in u.reason


def test_a_helper_given_an_unknown_argument_says_so_at_its_call():
    r = analyse("""\
        import json
        import keras
        from keras import layers

        def block(t):
            return layers.Dense(2)(t)

        x = keras.Input(shape=(3,))
        block(x)
        block(json.loads("[]"))
        """)
    u = unknown_at(r, 6, "keras.layers.Dense")  # counted once, unknown in one of its two runs
    assert u.reason == "`json.loads(...)` is not followed"
    assert u.origin.line == 10
    assert [(n.span.line, n.message) for n in u.notes] == [
        (6, "its input `t` is not a known tensor"),
        (10, "`json.loads(...)` is not followed"),  # (where `t` is given it: the same place)
        (10, "in the call made here")]
    assert (r.layer_calls, r.layer_calls_inferred) == (1, 0)


def test_after_a_call_keras_rejects():
    r = analyse("""\
        import keras
        from keras import layers

        x = keras.Input(shape=(28, 28))
        y = layers.Conv2D(8, 3)(x)
        z = layers.Flatten()(y)
        """)
    assert [f.code.name for f in r.findings] == ["rank-mismatch"]
    u = unknown_at(r, 6, "keras.layers.Flatten")
    assert u.reason == "Keras rejects `keras.layers.Conv2D` here (SC201 rank-mismatch)"
    assert u.origin.line == 5


def test_a_model_called_on_an_unknown_value():
    r = analyse("""\
        import json
        import keras
        from keras import layers

        inputs = keras.Input(shape=(4,))
        model = keras.Model(inputs, layers.Dense(2)(inputs))
        y = model(json.loads("[]"))
        """)
    u = unknown_at(r, 7, "keras.Model")
    assert u.reason == "`json.loads(...)` is not followed"
    assert [(n.span.line, n.span.column, n.message) for n in u.notes] == [
        (7, 11, "`json.loads(...)` is not followed")]


def test_unknown_callables_are_not_counted_but_layers_on_unknown_inputs_are():
    r = analyse("""\
        import keras
        from keras import layers

        import tensorflow_hub as hub

        encoder = hub.KerasLayer("https://tfhub.dev/some/encoder")
        x = keras.Input(shape=(224, 224, 3))
        y = encoder(x)
        z = layers.Dense(3)(y)
        """)
    # `encoder(x)`: nothing says it is a Keras call; `Dense(3)` on what it gives is one, of unknown shape
    assert (r.layer_calls, r.layer_calls_inferred) == (1, 0)
    [u] = r.unknowns
    assert u.layer == "keras.layers.Dense" and u.origin.line == 6
    assert u.reason == "`tensorflow_hub.KerasLayer(...)` is not followed"
    assert "`encoder(x)` calls something unknown" in [n.message for n in u.notes]


# ---------------------------------------------------------------- counts against a hand count
def test_counts_once_per_source_location():
    r = analyse("""\
        import keras
        from keras import layers

        def block(t, units):
            t = layers.Dense(units)(t)       # 1: one location, run 4 times
            return layers.ReLU()(t)          # 2

        x = keras.Input(shape=(10,))
        for _ in range(3):
            x = block(x, 8)
        y = block(x, 4)
        seq = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.Dense(2)])  # 3, 4: one call, two layers
        out = seq(y)                         # 5: a model call
        w = x + 1                            # 6: an op
        """)
    assert not r.findings
    assert (r.layer_calls, r.layer_calls_inferred) == (6, 6)
    assert r.unknowns == []


def test_a_location_is_inferred_only_when_every_run_knew_its_rank():
    r = analyse("""\
        import json
        import keras
        from keras import layers

        def head(t):
            return layers.Dense(2)(t)        # 1: known once, unknown once

        head(keras.Input(shape=(3,)))
        head(json.loads("[]"))
        x = keras.Input(shape=(5,))
        y = layers.Dense(4)(x)               # 2
        z = layers.Dense(4)(json.loads("1")) # 3
        """)
    assert (r.layer_calls, r.layer_calls_inferred) == (3, 1)
    assert sorted(u.span.line for u in r.unknowns) == [6, 12]


def _fixture_files() -> list[Path]:
    return sorted([*(ROOT / "fixtures" / "valid").glob("*.py"), *(ROOT / "fixtures" / "demo").glob("*.py")])


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_counts_agree_with_show_shapes_on_fixtures(path: Path):
    r = check_file(str(path), Options(debug=True))
    calls: dict[tuple, list[bool]] = {}
    for entry in r.shapes:
        if entry["layer"].endswith("()") or entry["layer"] == "keras.layers.InputLayer":
            continue  # a helper's or a subclassed model's result; an input: not calls of Keras
        key = (entry["span"], entry["layer"], entry["created"])
        calls.setdefault(key, []).append(all(t.shape is not None for t in entry["outputs"]))
    assert r.layer_calls_inferred <= r.layer_calls
    assert (r.layer_calls, r.layer_calls_inferred) == (len(calls), sum(all(v) for v in calls.values()))
    assert len(r.unknowns) == r.layer_calls - r.layer_calls_inferred
    unknown = {(u.span, u.layer) for u in r.unknowns}
    assert unknown == {(k[0], k[1]) for k, v in calls.items() if not all(v)}
    for u in r.unknowns:
        assert u.reason and u.origin.path == r.path


# ---------------------------------------------------------------- the command
PROGRAM = """\
import keras
from keras import layers

base = keras.models.load_model("m.keras")
y = layers.Dense(3)(base.output)
x = keras.Input(shape=(4,))
z = layers.Dense(2)(x)
"""


@pytest.fixture
def program(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.py").write_text(PROGRAM)
    return "m.py"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--no-cache", *args])
    return result.exit_code, result.output


def test_text_notes_change_neither_the_exit_status_nor_the_closing_line(program):
    code, out = run("--explain-unknown", program)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("m.py:5:5: note: the output shape of keras.layers.Dense is unknown: "
                        "`keras.models.load_model(...)` is not followed (line 4)")
    assert lines[1] == "    m.py:5:21: note: its input `base.output` is not a known tensor"
    assert lines[-1] == "No shape errors in 1 file."
    assert run(program)[1] == "No shape errors in 1 file.\n"


def test_show_shapes_says_why_under_an_unknown_shape(program):
    code, out = run("--show-shapes", program)
    lines = out.splitlines()
    i = lines.index("m.py:5:5: shape: keras.layers.Dense -> <unknown rank>")
    assert lines[i + 1] == "    m.py:4:8: note: unknown: `keras.models.load_model(...)` is not followed"
    assert "m.py:7:5: shape: keras.layers.Dense -> (None, 2)" in lines


def test_json_lists_the_unknown_calls(program):
    code, out = run("--format", "json", "--explain-unknown", "--show-shapes", program)
    data = json.loads(out)
    assert code == 0
    assert data["summary"]["layer_calls"] == 2 and data["summary"]["layer_calls_inferred"] == 1
    [u] = data["unknown"]
    assert {k: u[k] for k in ("path", "line", "column", "layer", "reason", "origin")} == {
        "path": "m.py", "line": 5, "column": 5, "layer": "keras.layers.Dense",
        "reason": "`keras.models.load_model(...)` is not followed",
        "origin": {"path": "m.py", "line": 4, "column": 8}}
    assert u["notes"][0] == {"path": "m.py", "line": 5, "column": 21,
                             "message": "its input `base.output` is not a known tensor"}
    [shape] = [s for s in data["shapes"] if s["line"] == 5]
    assert shape["shape"] is None and shape["reason"] == u["reason"]
    assert json.loads(run("--format", "json", program)[1])["unknown"] == []  # only when asked


@pytest.mark.parametrize("other", [["--format", "sarif"], ["--format", "github"], ["--summary"],
                                   ["--statistics"]])
def test_combinations_without_meaning_are_usage_errors(program, other):
    code, out = run("--explain-unknown", *other, program)
    assert code == 2 and "--explain-unknown" in out


def test_a_builtin_given_a_lost_value_and_a_list_holding_one():
    r = analyse("""\
        import json
        import keras
        from keras import layers

        x = keras.Input(shape=(4,))
        shape = tuple(json.loads("[4]"))
        y = layers.Dense(2)(keras.Input(shape=shape))
        z = layers.Concatenate()([x, json.loads("[]")])
        act = eval("layers.ReLU")()
        w = layers.Dense(2)(act(x))
        """)
    u = unknown_at(r, 7, "keras.layers.Dense")
    assert u.reason == "`json.loads(...)` is not followed" and u.origin.line == 6
    assert "`tuple(json.loads(\"[4]\"))` is not known: it is given a value that is not" in [n.message for n in u.notes]
    v = unknown_at(r, 8, "keras.layers.Concatenate")
    assert v.reason == "`json.loads(...)` is not followed" and (v.origin.line, v.origin.column) == (8, 30)
    w = unknown_at(r, 10, "keras.layers.Dense")
    assert w.reason == "`eval` is a Python builtin shapecheck does not follow" and w.origin.line == 9


def test_the_note_says_where_the_origin_is_in_a_notebook_or_another_file():
    from shapecheck.core.findings import Span, UnknownShape

    def message(origin: Span) -> str:
        return UnknownShape(Span("nb.ipynb", 3, 5, 3, 20, cell=4), "keras.layers.Dense", "why", origin).message

    assert message(Span("nb.ipynb", 3, 9, 3, 12, cell=4)).endswith(": why")
    assert message(Span("nb.ipynb", 3, 9, 3, 12, cell=2)).endswith(": why (cell 2:3)")
    assert message(Span("nb.ipynb", 1, 1, 1, 9, cell=4)).endswith(": why (cell 4:1)")
    assert message(Span("blocks.py", 7, 1, 7, 9)).endswith(": why (blocks.py:7)")
    plain = UnknownShape(Span("m.py", 5, 5, 5, 9), "keras.layers.Dense", "why", Span("m.py", 4, 8, 4, 9))
    assert plain.message == "the output shape of keras.layers.Dense is unknown: why (line 4)"


def test_a_notebook_says_it_by_cell(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    monkeypatch.chdir(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import keras\nbase = keras.models.load_model('m.keras')"),
                nbformat.v4.new_markdown_cell("text"),
                nbformat.v4.new_code_cell("x = base.output\ny = keras.layers.Dense(3)(x)")]
    nbformat.write(nb, "nb.ipynb")
    code, out = run("--explain-unknown", "nb.ipynb")
    assert code == 0
    assert out.splitlines()[:4] == [
        "nb.ipynb:cell 3:2:5: note: the output shape of keras.layers.Dense is unknown: "
        "`keras.models.load_model(...)` is not followed (cell 1:2)",
        "    nb.ipynb:cell 3:2:27: note: its input `x` is not a known tensor",
        "    nb.ipynb:cell 3:1:5: note: `x` comes from `base.output`",
        "    nb.ipynb:cell 1:2:8: note: `keras.models.load_model(...)` is not followed"]


def test_an_index_that_is_not_known():
    r = analyse("""\
        import json
        import keras

        x = keras.Input(shape=(4, 5))
        i = json.loads("1")
        y = x[:, i, :]
        """)
    u = unknown_at(r, 6, "operator.getitem")
    assert u.reason == "its index is not a known value"


def test_a_value_chosen_by_a_condition_that_is_not_known():
    r = analyse("""\
        import sys
        import keras
        from keras import layers

        x = keras.Input(shape=(4,))
        width = 8 if len(sys.argv) > 1 else (8, 2)
        y = layers.Reshape(width)(x)
        """)
    u = unknown_at(r, 7, "keras.layers.Reshape")
    assert u.reason == "the value depends on the condition `len(sys.argv) > 1`, which is not known"
    assert u.origin.line == 6
