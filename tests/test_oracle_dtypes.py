"""The dtype rules (``LayerRule.accepts``, ``accepts_sparse``, ``accepts_ragged``) agree with Keras run on data.

Ground truth: ``tests/data/dtype_table.json`` (``python -m tests.dtype_table``), every layer rule's
representative configuration built into a model on ``keras.Input(dtype=..., sparse=..., ragged=...)``
and called on data of that dtype. Compared here:

* with the table, every (layer, dense/sparse/ragged, dtype) case: shapecheck never reports what
  Keras runs (no false positive), and reports everything Keras rejects except the misses listed in
  ``MISSES`` with their reason (each of which must still be a miss: the list cannot go stale);
* with Keras live, a sample drawn by hypothesis (about 40 s): the table still holds for this Keras,
  and shapecheck agrees with the live run the same way.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.core.engine import infer_types
from shapecheck.core.rules import LAYERS, MEASURED_DTYPES, NUMERIC, T, load_rules

from . import dtype_table

load_rules()
TABLE = json.loads(dtype_table.TABLE.read_text())
CASES = dtype_table.cases()

#: layers whose rule states less than Keras rejects, and why (no claim beats a false positive).
#: (Wrappers whose inner layer is applied by its own rule on the symbolic input, ``Bidirectional`` and
#: ``SpectralNormalization``, are checked through it.)
MISSES = {
    "Activation": "depends on the activation (`linear` takes strings): no claim",
    "Lambda": "depends on the function: no claim",
    "TimeDistributed": "a wrapper: the wrapped layer decides",
    "RNN": "a wrapper of its cell: the cell decides",
    "Pipeline": "its layers run inside its traced call, where dtypes are not checked",
    # sparse inputs of some dtypes only (TensorFlow's sparse kernels cover fewer dtypes than dense)
    "Add": "sparse uint8 / bool / string",
    "Subtract": "sparse uint8",
    "Average": "sparse uint8",
}


def keras_runs(result: dict) -> bool:
    """Keras runs the case: called on data, or in ``predict`` (a tf.function, where Resizing differs)."""
    return result["ok"] or result.get("predict") == "ok"


def shapecheck_verdict(name: str, dtype: str, kind: str):
    """``None`` when shapecheck accepts the call, else the finding's name."""
    ex = CASES[name]
    first = ex.inputs if isinstance(ex.inputs, list) else [ex.inputs]
    shapes = [dtype_table._shape(t) for t in first + list(ex.args)]
    if name in dtype_table.SHAPES:
        shapes = [dtype_table.SHAPES[name]]
    tensors = [T(s, dtype, sparse=kind == "sparse", ragged=kind == "ragged") for s in shapes]
    head, rest = tensors[:len(first)], tuple(tensors[len(first):])
    got = infer_types(name, ex.config, head if isinstance(ex.inputs, list) else head[0], rest)
    return got if isinstance(got, str) else None


def _table_cases():
    for name, entry in sorted(TABLE["layers"].items()):
        if name not in CASES:
            continue
        for kind, by_dtype in sorted(entry["cases"].items()):
            for dtype, result in sorted(by_dtype.items()):
                if result.get("stage") in ("build", "input"):
                    continue  # Keras rejects it before data: not a dtype rule's business
                yield name, kind, dtype, result


TABLE_CASES = list(_table_cases())


def test_the_table_covers_every_layer_rule():
    assert TABLE["keras"].split(".")[0] == "3"
    assert set(CASES) <= set(TABLE["layers"]), "run `python -m tests.dtype_table`"
    assert len(TABLE_CASES) > 2500
    assert {d for _, _, d, _ in TABLE_CASES} == MEASURED_DTYPES


def test_no_false_positive_and_only_the_listed_misses():
    false_positives, misses = [], {}
    for name, kind, dtype, result in TABLE_CASES:
        ours = shapecheck_verdict(name, dtype, kind)
        if keras_runs(result) and ours == "dtype-mismatch":
            false_positives.append(f"{name} {kind} {dtype}: Keras runs it: {result}")
        elif not keras_runs(result) and ours is None:
            misses.setdefault(name, []).append(f"{kind} {dtype}")
    assert not false_positives, "\n".join(false_positives)
    unexplained = {n: m for n, m in misses.items() if n not in MISSES}
    assert not unexplained, json.dumps(unexplained, indent=1)
    stale = sorted(set(MISSES) - set(misses))
    assert not stale, f"no longer missed (remove from MISSES): {stale}"


def test_a_measured_rejection_is_reported_as_dtype_mismatch():
    # (and not as another finding: every representative configuration is valid for float32)
    other = sorted({f"{n}: {shapecheck_verdict(n, d, k)}" for n, k, d, r in TABLE_CASES
                    if not keras_runs(r) and shapecheck_verdict(n, d, k) not in (None, "dtype-mismatch")})
    assert other == [], other


@pytest.mark.parametrize("name,accepts", [("Conv2D", "floating"), ("Dense", "numeric"), ("StringLookup", "string"),
                                          ("Embedding", "numeric"), ("LSTM", "numeric")])
def test_families_the_issue_names(name, accepts):
    # The realistic cases: images as uint8 into a convolution, strings into Dense, numbers into a lookup.
    rejected = {d for d in MEASURED_DTYPES if shapecheck_verdict(name, d, "dense") == "dtype-mismatch"}
    expected = {"floating": MEASURED_DTYPES - {"float16", "float32", "float64"},
                "numeric": MEASURED_DTYPES - NUMERIC, "string": MEASURED_DTYPES - {"string"}}[accepts]
    assert rejected == expected


# ------------------------------------------------------------------ live Keras, a generated sample

LIVE = sorted(CASES)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(name=st.sampled_from(LIVE), dtype=st.sampled_from(sorted(MEASURED_DTYPES)),
       kind=st.sampled_from(dtype_table.KINDS))
def test_live_keras_agrees(name, dtype, kind):
    import warnings

    warnings.simplefilter("ignore")
    live = dtype_table.measure(name, CASES[name], dtype, kind)
    if live is None:
        return  # (a ragged tensor of rank 1)
    recorded = TABLE["layers"][name]["cases"][kind][dtype]
    assert keras_runs(live) == keras_runs(recorded), f"the table is stale for {name} {kind} {dtype}: {live}"
    if live.get("stage") in ("build", "input"):
        return
    ours = shapecheck_verdict(name, dtype, kind)
    if keras_runs(live):
        assert ours != "dtype-mismatch", f"{name} {kind} {dtype}: Keras runs it"
    elif name not in MISSES:
        assert ours == "dtype-mismatch", f"{name} {kind} {dtype}: Keras fails: {live['message']}"


# ------------------------------------------------------------------ the engine's side


def test_unknown_dtype_is_never_reported():
    assert infer_types("Conv2D", {"filters": 2, "kernel_size": 3}, T((None, 8, 8, 1), None)) != "dtype-mismatch"


def test_tf_keras_2_is_not_checked():
    got = infer_types("Conv2D", {"filters": 2, "kernel_size": 3}, T((None, 8, 8, 1), "uint8"), keras_version=2)
    assert got != "dtype-mismatch"


def test_inverted_lookup_takes_ids():
    cfg = {"vocabulary": ["a", "b"], "invert": True}
    assert not isinstance(infer_types("StringLookup", cfg, T((None, 3), "int64")), str)
    assert infer_types("StringLookup", {"vocabulary": ["a", "b"]}, T((None, 3), "int64")) == "dtype-mismatch"


def test_a_layer_that_densifies_ends_the_sparse_tensor():
    # Dense on a SparseTensor gives a dense tensor: what follows is not reported for sparsity.
    out = infer_types("Dense", {"units": 4}, T((None, 8), "float32", sparse=True))
    assert not isinstance(out, str) and out[0].sparse is False
    kept = infer_types("Dropout", {"rate": 0.5}, T((None, 8), "float32", sparse=True))
    assert not isinstance(kept, str) and kept[0].sparse is True
    assert infer_types("LayerNormalization", {}, T((None, 8), "float32", sparse=True)) == "dtype-mismatch"


def test_every_claim_has_a_measurement():
    # A rule that states a dtype precondition is one the table measured.
    claimed = {r.names[0] for r in LAYERS.values()
               if r.accepts is not None or not r.accepts_sparse or not r.accepts_ragged}
    assert claimed <= set(TABLE["layers"]), sorted(claimed - set(TABLE["layers"]))


def test_dtypes_spelled_as_module_attributes():
    # `dtype=tf.uint8`, `np.uint8`, `tf.string` are what get_config() holds as "uint8", "string".
    from shapecheck.api import check_source

    source = "\n".join([
        "import numpy as np",
        "import tensorflow as tf",
        "import keras",
        "from keras import layers",
        "a = layers.Conv2D(2, 3)(keras.Input((8, 8, 1), dtype=tf.uint8))",
        "b = layers.Conv2D(2, 3)(keras.Input((8, 8, 1), dtype=np.uint8))",
        "c = layers.Dense(2)(keras.Input((1,), dtype=tf.string))",
        "d = layers.Conv2D(2, 3)(keras.Input((8, 8, 1), dtype=tf.float16))",
        "e = layers.Conv2D(2, 3)(keras.Input((8, 8, 1), dtype=tf.experimental.numpy.uint8))",
        "f = layers.Conv2D(2, 3)(keras.Input((8, 8, 1), dtype=some_module.uint8))",
        "",
    ])
    found = [(f.span.line, f.code.name) for f in check_source(source).findings]
    assert found == [(5, "dtype-mismatch"), (6, "dtype-mismatch"), (7, "dtype-mismatch"), (9, "dtype-mismatch")]


def test_show_shapes_gives_the_dtype_where_it_is_not_float32(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from shapecheck.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text("\n".join([
        "import keras",
        "from keras import layers",
        'text = keras.Input((1,), dtype="string")',
        "ids = layers.StringLookup(vocabulary=['a', 'b'])(text)",
        "vec = layers.Embedding(4, 2)(ids)",
        "bag = keras.Input((100,), sparse=True)",
        "",
    ]))
    out = CliRunner().invoke(main, ["--show-shapes", "m.py"]).output
    assert "InputLayer -> (None, 1) string\n" in out
    assert "StringLookup -> (None, 1) int64\n" in out
    assert "Embedding -> (None, 1, 2)\n" in out
    assert "InputLayer -> (None, 100) sparse\n" in out
    data = json.loads(CliRunner().invoke(main, ["--show-shapes", "--format", "json", "m.py"]).output)
    by_line = {s["line"]: s for s in data["shapes"]}
    assert by_line[3]["dtype"] == "string" and by_line[4]["dtype"] == "int64"
    assert "dtype" not in by_line[5] and "sparse" not in by_line[5]
    assert by_line[6]["sparse"] is True


ENCODINGS = [
    ("StringLookup", {"vocabulary": ["a", "bb"], "output_mode": "one_hot"}, (None, 1), "string"),
    ("StringLookup", {"vocabulary": ["a", "bb"], "output_mode": "multi_hot"}, (None, 3), "string"),
    ("StringLookup", {"vocabulary": ["a", "bb"]}, (None, 3), "string"),
    ("IntegerLookup", {"vocabulary": [0, 1], "output_mode": "count"}, (None, 3), "int64"),
    ("Hashing", {"num_bins": 4, "output_mode": "multi_hot"}, (None, 3), "int64"),
    ("Hashing", {"num_bins": 4}, (None, 3), "int64"),
    ("Discretization", {"bin_boundaries": [0.5, 1.0], "output_mode": "one_hot"}, (None, 1), "float32"),
    ("TextVectorization", {"vocabulary": ["a", "b"], "output_mode": "multi_hot"}, (None, 1), "string"),
]


@pytest.mark.parametrize("kind", ["sparse", "ragged"])
@pytest.mark.parametrize("name,config,shape,dtype", ENCODINGS, ids=lambda v: str(v))
def test_encodings_give_dense_tensors(name, config, shape, dtype, kind):
    # Whether a sparse or ragged input stays so depends on `output_mode`: only the ids keep it.
    # shapecheck may say dense where Keras keeps the kind (a miss downstream), never the reverse.
    import warnings

    from shapecheck.core.rules import Example

    warnings.simplefilter("ignore")
    live = dtype_table.measure(name, Example(config, shape, None), dtype, kind)
    ours = infer_types(name, config, T(shape, dtype, sparse=kind == "sparse", ragged=kind == "ragged"))
    if not live["ok"]:
        return
    assert not isinstance(ours, str), f"Keras runs it: {ours}"
    if live["kind"][0] == "dense":
        assert not ours[0].sparse and not ours[0].ragged


# ------------------------------------------------------------------ chains: what the dtypes become

#: layers that take and give (batch, 6, 4)-like tensors, to chain in any order
CHAINABLE = [
    ("Dense", {"units": 4}), ("Dropout", {"rate": 0.5}), ("LayerNormalization", {}),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "padding": "same"}), ("LSTM", {"units": 4, "return_sequences": True}),
    ("ReLU", {}), ("Softmax", {}), ("Rescaling", {"scale": 0.5}), ("ZeroPadding1D", {"padding": 1}),
    ("Cropping1D", {"cropping": 1}), ("UpSampling1D", {"size": 2}), ("MaxPooling1D", {"pool_size": 2}),
    ("AveragePooling1D", {"pool_size": 2}), ("BatchNormalization", {}), ("Permute", {"dims": (2, 1)}),
    ("Embedding", {"input_dim": 4, "output_dim": 4}), ("Flatten", {}), ("Reshape", {"target_shape": (-1, 4)}),
    ("GaussianNoise", {"stddev": 0.1}), ("Masking", {}), ("Normalization", {"mean": 0.0, "variance": 1.0}),
    ("Hashing", {"num_bins": 4}), ("UnitNormalization", {}), ("GlobalMaxPooling1D", {}), ("RepeatVector", {"n": 3}),
]


def _chain_source(dtype: str, kind: str, chain: list) -> str:
    lines = ["import keras", "from keras import layers",
             f'x = keras.Input(batch_shape=(None, 6, 4), dtype="{dtype}", sparse={kind == "sparse"}, '
             f"ragged={kind == 'ragged'})"]
    lines += [f"x = layers.{name}(**{config!r})(x)" for name, config in chain]
    return "\n".join(lines) + "\n"


def _keras_chain(dtype: str, kind: str, chain: list) -> bool:
    """Whether Keras builds the chain and runs it on data of that dtype and kind (called, or in predict)."""
    import keras

    from .keras_oracle import _make_layer

    keras.utils.clear_session(free_memory=False)
    try:
        x = inp = keras.Input(batch_shape=(None, 6, 4), dtype=dtype, sparse=kind == "sparse",
                              ragged=kind == "ragged")
        for name, config in chain:
            x = _make_layer(name, config)(x)
        model = keras.Model(inp, x)
    except Exception:  # noqa: BLE001 - Keras rejects the chain symbolically: shapecheck's shape rules
        return False
    import numpy as np

    data = dtype_table._data((None, 6, 4), dtype, kind, np.random.default_rng(0))
    try:
        model(data, training=False)
    except Exception:  # noqa: BLE001 - and in predict's tf.function?
        return dtype_table._predict(model, data) == "ok"
    return True


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(dtype=st.sampled_from(sorted(MEASURED_DTYPES)), kind=st.sampled_from(dtype_table.KINDS),
       chain=st.lists(st.sampled_from(CHAINABLE), min_size=1, max_size=3))
def test_chains_report_only_what_keras_rejects(dtype, kind, chain):
    # What one layer gives the next (its dtype label, sparse or ragged) must never make shapecheck
    # report a call that Keras runs: e.g. Embedding on ragged ids stays ragged, Dense densifies.
    import warnings

    from shapecheck.api import check_source

    warnings.simplefilter("ignore")
    source = _chain_source(dtype, kind, chain)
    reported = [f for f in check_source(source).findings if f.code.name == "dtype-mismatch"]
    if reported:
        assert not _keras_chain(dtype, kind, chain), f"Keras runs it:\n{source}{reported[0].message}"


def test_mypy_reveals_the_dtype_beside_the_shape(tmp_path, tmp_path_factory):
    from mypy import api as mypy_api

    from .mypy_support import mypy_config, stub_search_path

    config = mypy_config(tmp_path, plugin=True, extra="incremental = False",
                         stub_path=stub_search_path(tmp_path_factory))
    main = tmp_path / "main.py"
    main.write_text("\n".join([
        "import keras",
        "from keras import layers",
        'text = keras.Input(shape=(1,), dtype="string")',
        "reveal_type(text)",
        "ids = layers.StringLookup(vocabulary=['a', 'b'])(text)",
        "reveal_type(ids)",
        "reveal_type(layers.Embedding(4, 2)(ids))",
        "x = layers.Dense(2)(text)",
        "",
    ]))
    out, _, _ = mypy_api.run(["--config-file", str(config), "--no-error-summary", "--show-error-codes", str(main)])
    lines = [ln.split(": ", 1)[1] for ln in out.splitlines()]
    assert lines[:3] == [
        'note: Revealed type is "keras.KerasTensor[(None, 1) string]"',
        'note: Revealed type is "keras.KerasTensor[(None, 1) int64]"',
        'note: Revealed type is "keras.KerasTensor[(None, 1, 2)]"',
    ]
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1 and "has dtype string" in errors[0] and errors[0].endswith("[shape-dtype-mismatch]")


def test_layers_that_pass_the_dtype_on_do_so_in_the_table():
    # passes_dtype: the layer's data keeps an integer, bool or string input's dtype (Keras labels
    # the symbolic output float32), so a Conv2D after ZeroPadding2D on uint8 is reported.
    passing = {r.names[0] for r in LAYERS.values() if r.passes_dtype}
    assert {"ZeroPadding2D", "MaxPooling2D", "Cropping2D", "Concatenate", "Reshape"} <= passing
    wrong = []
    assert "Resizing" not in passing  # (its data stays uint8 in an eager call, not in predict)
    for name in sorted(passing):
        by_dtype = TABLE["layers"][name]["cases"]["dense"]
        for dtype in sorted(MEASURED_DTYPES - {"float16", "float32", "float64"}):
            case = by_dtype[dtype]
            if case["ok"] and (case["dtype"] != [dtype] or case["predict_dtype"] not in ([dtype], [])):
                wrong.append(f"{name} {dtype}: data becomes {case['dtype']}, in predict {case['predict_dtype']}")
    assert not wrong, wrong
    out = infer_types("ZeroPadding2D", {"padding": 1}, T((None, 8, 8, 1), "uint8"))
    assert out[0].dtype == "float32" and out[0].arrives == "uint8"


# -- the global dtype policy (mixed precision) ---------------------------------------------------------------

POLICY_PROGRAM = """\
import keras
from keras import layers

{set_policy}
x = keras.Input((12, 12, 3))
a = layers.Conv2D(4, 3)(x)
b = layers.MaxPooling2D()(a)
c = layers.Flatten()(b)
d = layers.Dense(8, dtype={dense_dtype})(c)
e = layers.Dense(2)(d)
"""


@pytest.mark.parametrize("set_policy, policy", [
    ('keras.mixed_precision.set_global_policy("mixed_float16")', "mixed_float16"),
    ('keras.config.set_dtype_policy("mixed_bfloat16")', "mixed_bfloat16"),
    ('keras.mixed_precision.set_global_policy(keras.mixed_precision.Policy("float16"))', "float16"),
    ('keras.mixed_precision.set_global_policy("float32")', "float32"),
])
@pytest.mark.parametrize("dense_dtype", ["None", '"float32"', '"mixed_float16"'])
def test_the_global_policy_sets_the_dtype_of_every_layer_after_it(set_policy, policy, dense_dtype):
    """The program run by Keras under the policy gives each call's dtype; shapecheck's shapes say the same
    (keras.Input keeps float32; a layer's own dtype= wins)."""
    import keras

    from shapecheck.api import check_source

    source = POLICY_PROGRAM.format(set_policy=set_policy, dense_dtype=dense_dtype)
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        from keras import layers

        x = keras.Input((12, 12, 3))
        a = layers.Conv2D(4, 3)(x)
        b = layers.MaxPooling2D()(a)
        c = layers.Flatten()(b)
        d = layers.Dense(8, dtype=None if dense_dtype == "None" else dense_dtype.strip('"'))(c)
        e = layers.Dense(2)(d)
        expected = [str(t.dtype) for t in (x, a, b, c, d, e)]
    finally:
        keras.config.set_dtype_policy(before)
    shapes = check_source(source, "policy.py").shapes
    assert [s["outputs"][0].dtype for s in shapes] == expected


def test_a_policy_set_on_a_branch_that_may_not_run_leaves_the_dtype_unknown():
    from shapecheck.api import check_source

    source = POLICY_PROGRAM.format(set_policy='import sys\nif sys.argv[1:]:\n    '
                                   'keras.mixed_precision.set_global_policy("mixed_float16")', dense_dtype="None")
    shapes = check_source(source, "policy.py").shapes
    assert [s["outputs"][0].dtype for s in shapes] == ["float32", None, None, None, None, None]


SUMMARY_PROGRAM = """\
import keras
from keras import layers

keras.mixed_precision.set_global_policy({policy!r})
x = keras.Input((28, 28, 1), dtype={input_dtype!r})
y = layers.Rescaling(1 / 255)(x)
y = layers.Conv2D(8, 3)(y)
y = layers.MaxPooling2D()(y)
z = layers.Flatten()(y)
o = layers.Dense(10, dtype="float32")(z)
m = keras.Model(x, o)
"""


@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])
@pytest.mark.parametrize("input_dtype", ["float32", "uint8", "int32"])
def test_the_summary_shows_each_layers_output_dtype_as_keras_has_it(policy, input_dtype):
    """--summary's rows carry the dtype of each layer's output (Keras's summary does not show it): the same as
    ``layer.output.dtype`` of the model Keras builds; shown beside the shape where it is not float32."""
    import keras

    from shapecheck.api import check_source
    from shapecheck.report.summary import as_dict

    source = SUMMARY_PROGRAM.format(policy=policy, input_dtype=input_dtype)
    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        from keras import layers

        x = keras.Input((28, 28, 1), dtype=input_dtype)
        y = layers.Rescaling(1 / 255)(x)
        y = layers.Conv2D(8, 3)(y)
        y = layers.MaxPooling2D()(y)
        z = layers.Flatten()(y)
        o = layers.Dense(10, dtype="float32")(z)
        m = keras.Model(x, o)
        expected = [str(layer.output.dtype) for layer in m.layers]
    finally:
        keras.config.set_dtype_policy(before)
    (model,) = check_source(source, "summary.py").models
    assert [row.dtype for row in model.layers] == expected
    from shapecheck.api import Report
    from shapecheck.core.findings import FileResult

    report = Report([FileResult("summary.py", models=[model])])
    rows = as_dict(report)["models"][0]["layers"]
    assert [row.get("dtype", "float32") for row in rows] == expected
