"""The front end follows every style of model-building code, and stays silent where it cannot."""

from __future__ import annotations

import textwrap

import pytest

from shapecheck.api import Options, check_source
from shapecheck.core import dims


def findings(src: str, keras_version: int = 3) -> list[tuple[int, str]]:
    result = check_source(textwrap.dedent(src), "t.py")
    from shapecheck.api import Options

    if keras_version != 3:
        result = check_source(textwrap.dedent(src), "t.py", Options(keras_version=keras_version))
    return [(f.span.line, f.code.name) for f in result.findings]


def shape_at(src: str, line: int) -> object:
    """The shape of the outermost call on ``line`` (the last entry recorded there)."""
    result = check_source(textwrap.dedent(src), "t.py")
    entries = [e for e in result.shapes if e["span"].line == line]
    assert entries, f"no shape recorded on line {line}"
    # The outermost call on the line; in a loop, its last iteration.
    first_column = min(e["span"].column for e in entries)
    entry = [e for e in entries if e["span"].column == first_column][-1]
    outs = entry["outputs"]
    show = [None if t.shape is None else tuple(dims.to_json(d) for d in t.shape) for t in outs]
    return show[0] if len(show) == 1 else show


IMPORT_STYLES = [
    "from tensorflow import keras\nfrom tensorflow.keras import layers\nInput = keras.Input\n",
    "import tensorflow as tf\nlayers = tf.keras.layers\nInput = tf.keras.Input\n",
    "import keras\nfrom keras import layers\nfrom keras import Input\n",
    "from keras import layers\nfrom keras.layers import Input\n",
    "import tf_keras as keras\nlayers = keras.layers\nInput = keras.layers.Input\n",
    "from tensorflow.python import keras\nlayers = keras.layers\nInput = keras.Input\n",
]


@pytest.mark.parametrize("header", IMPORT_STYLES)
def test_every_import_style_resolves_to_the_same_rule(header):
    src = header + "x = Input(shape=(28, 28))\ny = layers.Conv2D(8, 3)(x)\n"
    line = header.count("\n") + 2
    assert findings(src) == [(line, "rank-mismatch")]


def test_keras2_module_paths_and_aliases():
    src = """
    from keras.layers.core import Dense
    from keras.layers.convolutional import Convolution2D
    from keras.layers import Input
    x = Input((28, 28))
    y = Convolution2D(4, 3)(x)
    z = Dense(4)(x)
    """
    assert findings(src) == [(6, "rank-mismatch")]


def test_star_import():
    src = """
    from tensorflow.keras.layers import *
    x = Input((10,))
    y = Dense(4)(x)
    z = LSTM(4)(y)
    """
    assert findings(src) == [(5, "rank-mismatch")]


def test_sequential_list_with_input_shape():
    src = """
    from tensorflow import keras
    from tensorflow.keras import layers
    model = keras.Sequential([
        layers.Dense(64, activation="relu", input_shape=(784,)),
        layers.Dense(10),
    ])
    out = model.output
    """
    assert findings(src) == []
    assert shape_at(src, 4) is not None


def test_sequential_add_with_input_dim_reports_at_the_add():
    src = """
    from keras.models import Sequential
    from keras.layers import Dense, Conv1D
    model = Sequential()
    model.add(Dense(32, input_dim=16))
    model.add(Dense(8))
    model.add(Conv1D(4, 3))
    """
    assert findings(src) == [(7, "rank-mismatch")]


def test_sequential_build_and_deferred_layers():
    src = """
    import keras
    model = keras.Sequential([keras.layers.Dense(8), keras.layers.Dense(4)])
    model.build((None, 16))
    y = model(keras.Input((16,)))
    z = model(keras.Input((3, 16)))
    w = model(keras.Input((17,)))
    """
    assert findings(src) == [(6, "rank-mismatch"), (7, "axis-mismatch")]


def test_helper_function_inlined_with_call_site_note():
    src = """
    import keras
    from keras import layers

    def conv_block(x, filters, kernel=3):
        x = layers.Conv2D(filters, kernel, padding="same")(x)
        return layers.MaxPooling2D()(x)

    inp = keras.Input((28, 28))
    out = conv_block(inp, 8)
    """
    result = check_source(textwrap.dedent(src), "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(6, "rank-mismatch")]
    assert any(n.span.line == 10 and "call" in n.message for n in result.findings[0].notes)


def test_loops_comprehensions_and_unpacking():
    src = """
    import keras
    from keras import layers
    x = inp = keras.Input((32,))
    for units in [64, 32, 16]:
        x = layers.Dense(units)(x)
    heads = [layers.Dense(n)(x) for n in range(1, 4)]
    a, b, c = heads
    y = layers.Dense(2)(c)
    for i in range(2):
        x = layers.Dense(8 * (i + 1))(x)
    """
    assert findings(src) == []
    assert shape_at(src, 6) == (None, 16)
    assert shape_at(src, 9) == (None, 2)
    assert shape_at(src, 11) == (None, 16)


def test_shape_reads_feed_later_layers():
    src = """
    import keras
    from keras import layers
    from keras import backend as K
    x = keras.Input((7, 5))
    n = x.shape[1]
    f = K.int_shape(x)[-1]
    y = layers.Reshape((n * f,))(x)
    z = layers.Dense(x.shape[-1] * 2)(x)
    """
    assert findings(src) == []
    assert shape_at(src, 9) == (None, 7, 10)


def test_shared_layer_fixes_its_input_axis():
    src = """
    import keras
    from keras import layers
    shared = layers.Dense(16)
    a = shared(keras.Input((32,)))
    b = shared(keras.Input((32,)))
    c = shared(keras.Input((8,)))
    """
    assert findings(src) == [(7, "axis-mismatch")]


def test_nested_model_called_as_a_layer():
    src = """
    import keras
    from keras import layers
    enc_in = keras.Input((20,))
    encoder = keras.Model(enc_in, layers.Dense(4)(enc_in))
    x = keras.Input((20,))
    y = encoder(x)
    z = layers.Dense(2)(y)
    bad = encoder(keras.Input((21,)))
    """
    assert findings(src) == [(9, "axis-mismatch")]
    assert shape_at(src, 8) == (None, 2)


def test_subclassed_model_built_or_called():
    src = """
    import keras
    from keras import layers

    class Net(keras.Model):
        def __init__(self, hidden=32):
            super().__init__()
            self.body = [layers.Dense(hidden), layers.Dense(hidden // 2)]
            self.head = layers.Conv1D(4, 3)

        def call(self, x):
            for layer in self.body:
                x = layer(x)
            return self.head(x)

    net = Net(hidden=64)
    net.build((None, 10))
    """
    # tf.keras 2's Model.build runs `call` on placeholders; Keras 3's only marks the model
    # built, and `call` first runs when the model is called.
    assert findings(src, keras_version=2) == [(14, "rank-mismatch")]
    assert findings(src) == []
    assert findings(src + "y = net(keras.Input((10,)))\n") == [(14, "rank-mismatch")]


def test_a_build_method_of_the_class_runs_with_the_shape():
    src = """
    import keras
    from keras import layers

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.proj = layers.Dense(8)

        def build(self, input_shape):
            self.proj.build(input_shape)
            self.wide = layers.Dense(input_shape[-1] * 2)

        def call(self, x):
            return layers.Reshape((3, 5))(self.wide(self.proj(x)))

    net = Net()
    net.build((None, 10))
    y = net(keras.Input((10,)))
    """
    assert findings(src) == [(15, "invalid-reshape")]


def test_unknown_condition_keeps_only_findings_on_every_path():
    src = """
    import keras, sys
    from keras import layers
    x = keras.Input((10,))
    if len(sys.argv) > 1:
        y = layers.Conv1D(4, 3)(x)
    else:
        y = layers.Dense(4)(x)
    if sys.argv:
        z = layers.Dense(4)(x)
    else:
        z = layers.Dense(6)(x)
    w = layers.Dense(3)(y)
    v = layers.Conv2D(4, 3)(z)
    """
    assert findings(src) == [(14, "rank-mismatch")]


def test_known_condition_follows_one_branch():
    src = """
    import keras
    from keras import layers
    USE_CONV = False
    x = keras.Input((10,))
    if USE_CONV:
        x = layers.Conv1D(4, 3)(x)
    else:
        x = layers.Dense(4)(x)
    y = layers.Dense(2)(x)
    """
    assert findings(src) == []
    assert shape_at(src, 10) == (None, 2)


def test_uncalled_function_is_checked_with_symbolic_parameters():
    src = """
    import keras
    from keras import layers

    def build(seq_len, n_features):
        x = keras.Input((seq_len, n_features))
        y = layers.Conv2D(8, 3)(x)
        return keras.Model(x, y)
    """
    assert findings(src) == [(7, "rank-mismatch")]


def test_tf_function_on_keras_tensor_depends_on_keras_version():
    src = """
    import tensorflow as tf
    from tensorflow.keras.layers import Input, Dense
    x = Input(shape=(32,))
    y = Dense(16, activation='softmax')(x)
    y = tf.square(x)
    """
    assert findings(src) == [(6, "tf-op-on-keras-tensor")]
    assert findings(src, keras_version=2) == []


def test_tf_function_inside_a_layer_call_is_fine():
    src = """
    import tensorflow as tf
    import keras

    class Square(keras.layers.Layer):
        def call(self, x):
            return tf.square(x)

    y = Square()(keras.Input((4,)))
    """
    assert findings(src) == []


def test_messy_code_gives_no_false_positive():
    src = """
    import os, json, random
    import numpy as np
    import keras
    from keras import layers
    from mypackage.blocks import residual_block, CONFIG

    cfg = json.load(open("cfg.json"))
    units = cfg["units"]
    x = inp = keras.Input((None, cfg["features"]))
    x = layers.Dense(units)(x)
    x = residual_block(x, units)
    x = layers.Conv1D(CONFIG.filters, CONFIG.kernel)(x)
    while random.random() > 0.5:
        x = layers.Dense(random.randint(1, 9))(x)
    for k in cfg["kernels"]:
        x = layers.Conv1D(8, k, padding="same")(x)
    x = layers.Reshape((-1, units))(x)
    x = layers.Dense(os.cpu_count())(x)
    arr = np.zeros((3, 4))
    model = keras.Model(inp, x)
    model.compile("adam", "mse")
    """
    assert findings(src) == []


def test_bad_python_is_a_finding_not_a_crash():
    assert findings("def f(:\n  pass\n") == [(1, "syntax-error")]


def test_unreadable_files(tmp_path):
    from shapecheck.api import check_paths, exit_status

    (tmp_path / "bin.py").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin.py").write_bytes("# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1"))
    (tmp_path / "undeclared.py").write_bytes(b"name = '\xe9'\n")
    (tmp_path / "empty.py").write_bytes(b"")
    report = check_paths([str(tmp_path)])
    got = {r.path.rsplit("/", 1)[-1]: [f.code.name for f in r.findings] for r in report.files}
    assert got == {"bin.py": ["unreadable-file"], "empty.py": [], "latin.py": [], "undeclared.py": ["unreadable-file"]}
    assert exit_status(report) == 2


def test_shared_layer_build_checks_run_once():
    src = """
    import keras
    from keras import layers
    bn = layers.BatchNormalization(axis=1)
    a = bn(keras.Input((4, 1)))
    b = bn(keras.Input((4, None)))
    d = layers.Dense(3)
    c = d(keras.Input((None, 5)))
    e = d(keras.Input((7, 5)))
    """
    assert findings(src) == []


def test_a_rejected_constructor_is_reported_once():
    # Keras raises at `Conv2D(...)`: the program never reaches the calls below.
    src = """
    import keras
    from keras import layers
    x = keras.Input(shape=(28, 28, 3))
    conv = layers.Conv2D(8, 3, padding="full")
    y = conv(x)
    z = layers.Dense(4)(y)
    """
    assert findings(src) == [(5, "invalid-argument")]


def test_bare_slice_keys_fail_on_symbolic_tensors_only():
    # Keras 3's KerasTensor takes an int or a tuple; inside `call` the tensors are
    # TensorFlow's, which take any key; tf.keras 2 slices symbolic tensors with TensorFlow.
    src = """
    import keras
    x = keras.Input(shape=(4, 5))
    a = x[1:3]
    b = x[:, 1:3]
    c = x[None]
    d = x[..., None]
    class M(keras.Model):
        def call(self, t):
            return t[1:3]
    y = M()(x)
    """
    assert findings(src) == [(4, "invalid-argument"), (6, "invalid-argument")]
    assert findings(src, keras_version=2) == []
    assert shape_at(src, 5) == (None, 2, 5)


def test_a_model_called_on_other_axes_than_its_inputs():
    # Keras checks a model's inputs against its Input shapes (any batch; a trailing 1
    # squeezed away) before any of its layers runs.
    src = """
    import keras
    from keras import layers
    backbone = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3), layers.GlobalAveragePooling2D()])
    y = backbone(keras.Input(shape=(64, 64, 3)))
    i = keras.Input((10, 4))
    m = keras.Model(i, layers.GlobalAveragePooling1D()(i))
    z = m(keras.Input((12, 4)))
    ok = m(keras.Input((10, 4, 1), batch_size=8))
    s = keras.Sequential([keras.Input((10,)), layers.Dense(3)])
    w = s(keras.Input((4, 10)))
    """
    assert findings(src) == [(5, "axis-mismatch"), (8, "axis-mismatch"), (11, "rank-mismatch")]
    assert shape_at(src, 9) == (8, 4)
    result = check_source(textwrap.dedent(src), "t.py")
    assert "Input 0 with name 'input_layer_2' of layer 'functional' is incompatible with the layer: expected " \
           "shape=(None, 10, 4), found shape=(None, 12, 4)" in result.findings[1].message


def test_a_file_that_needs_too_many_steps_gets_a_warning_and_keeps_its_findings():
    src = """
    import keras
    x = keras.Input((4,))
    y = keras.layers.Conv2D(3, 3)(x)
    def spin():  # one loop is followed for LOOP_STEPS, then as a loop of any length: six use up MAX_STEPS
        for i in range(10000):
            for j in range(10000):
                k = i * j
    spin(); spin(); spin(); spin(); spin(); spin()
    z = keras.layers.Conv1D(3, 3)(x)
    """
    result = check_source(textwrap.dedent(src), "t.py")
    assert [(f.span.line, f.code.name, f.code.severity) for f in result.findings] == [
        (4, "rank-mismatch", "error"), (8, "analysis-limit", "warning")]


def test_a_comprehension_counts_each_element_against_the_step_budget(monkeypatch):
    # keras 3.15 backend/common/thread_safe_test.py: a loop of 10,000 rounds over a comprehension of a
    # list that grew each round took minutes, outside every budget (the steps count statements)
    from shapecheck.frontend import interpreter

    monkeypatch.setattr(interpreter, "MAX_STEPS", 1_000)
    src = ("import keras\nx = keras.Input((4,))\ny = keras.layers.Conv2D(3, 3)(x)\n"
           "squares = [i * i for i in range(5000)]\n")
    result = check_source(src, "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(3, "rank-mismatch"), (4, "analysis-limit")]


def test_recursion_under_an_unknown_condition_is_not_followed():
    # Following both branches of every level would take 2**n calls.
    from shapecheck.frontend.interpreter import Interpreter

    src = textwrap.dedent("""
    import keras, sys
    def fib(n):
        if n < 2:
            return n
        return fib(n - 1) + fib(n - 2)
    x = fib(len(sys.argv) + 30)
    def block(x, depth):
        if depth == 0:
            return x
        return block(keras.layers.Dense(8)(x), depth - 1)
    y = block(keras.Input((4,)), 3)
    z = keras.layers.Conv1D(3, 3)(y)
    """)
    interp = Interpreter.for_source(src, "t.py")
    interp.run()
    assert interp._steps < 500
    # A recursion whose condition is known is followed to its end.
    assert [(f.span.line, f.code.name) for f in interp.findings] == [(13, "rank-mismatch")]


def test_while_loops_iterate_while_their_condition_is_known():
    src = """
    import sys
    import keras
    from keras import layers
    x = inp = keras.Input(shape=(64, 64, 3))
    while x.shape[1] > 4:
        x = layers.Conv2D(16, 3, strides=2, padding="same")(x)
    z = layers.Add()([x, layers.Conv2D(16, 1)(inp)])
    y = inp
    n = 0
    while n < len(sys.argv):
        y = layers.Conv2D(16, 3, strides=2, padding="same")(y)
        n += 1
    w = layers.Dense(4)(y)
    v = layers.Add()([w, layers.Dense(5)(inp)])
    """
    assert findings(src) == [(8, "incompatible-shapes"), (15, "incompatible-shapes")]
    assert shape_at(src, 7) == (None, 4, 4, 16)
    # Any number of iterations: the axes that change are unknown, the others stay.
    assert shape_at(src, 14)[0] is None and shape_at(src, 14)[3] == 4


def test_a_loop_of_unknown_length_does_not_fix_what_its_second_iteration_changes():
    # a is (None, 3) after zero and after one iteration, (None, 5) after two: a single
    # round of the body would wrongly report the Add.
    src = """
    import sys
    import keras
    from keras import layers
    inp = keras.Input((8,))
    a, b = layers.Dense(3)(inp), layers.Dense(3)(inp)
    for _ in sys.argv:
        a, b = b, layers.Dense(5)(a)
    z = layers.Add()([a, layers.Dense(5)(inp)])
    """
    assert findings(src) == []


def test_f_strings_with_known_fields_are_followed():
    src = """
    import keras
    from keras import layers
    widths = {f"fc{i}": 8 * (i + 1) for i in range(3)}
    x = layers.Dense(widths["fc1"], name=f"fc_{1}")(keras.Input(shape=(12,)))
    y = layers.Reshape((4, 5))(x)
    z = layers.Dense(4, name=f"{x.shape[-1]:03d}{{}}")(x)
    """
    result = check_source(textwrap.dedent(src), "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(6, "invalid-reshape")]
    assert '"fc_1" (Dense)' in result.findings[0].notes[0].message
    assert shape_at(src, 5) == (None, 16)


def test_weights_made_by_add_weight_have_their_shape():
    src = """
    import keras
    from keras import layers, ops
    class Proj(layers.Layer):
        def __init__(self, units=16, fan_in=None):
            super().__init__()
            self.units, self.fan_in = units, fan_in
        def build(self, input_shape):
            self.w = self.add_weight(shape=(self.fan_in or input_shape[-1], self.units))
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")
        def call(self, x):
            return ops.matmul(x, self.w) + self.b
    inp = keras.Input(shape=(24,))
    out = layers.Add()([Proj()(inp), layers.Dense(8)(inp)])
    bad = Proj(fan_in=32)(inp)
    """
    assert findings(src) == [(12, "incompatible-shapes"), (14, "incompatible-shapes")]


def test_a_model_class_that_calls_the_functional_constructor():
    src = """
    import keras
    from keras import layers
    class Tower(keras.Model):
        def __init__(self, width=48, **kwargs):
            a = keras.Input(shape=(width,))
            h = layers.Dense(16)(a)
            super().__init__(inputs=a, outputs=layers.Dense(2)(h), **kwargs)
    y = Tower()(keras.Input(shape=(48,)))
    z = layers.Reshape((3, 3))(y)
    w = Tower(name="tower_b")(keras.Input(shape=(50,)))
    """
    assert findings(src) == [(10, "invalid-reshape"), (11, "axis-mismatch")]
    assert shape_at(src, 9) == (None, 2)
    assert "of layer 'tower_b'" in check_source(textwrap.dedent(src), "t.py").findings[1].message


def test_a_lambda_layer_without_output_shape_follows_its_function():
    # Keras 3 traces the function on the inputs (TensorFlow functions are fine there).
    src = """
    import keras
    import tensorflow as tf
    from keras import layers
    inp = keras.Input((8, 8, 6))
    x = layers.Lambda(lambda t: t[..., :3])(inp)
    y = layers.LSTM(4)(x)
    def scale(t, factor=2.0):
        return tf.reduce_mean(t, axis=1) * factor
    z = layers.Lambda(scale, arguments={"factor": 3.0})(inp)
    w = layers.Conv2D(3, 3)(z)
    m = keras.Sequential([keras.Input((4, 5)), layers.Lambda(lambda t: keras.ops.sum(t, axis=-1))])
    """
    assert findings(src) == [(7, "rank-mismatch"), (11, "rank-mismatch")]
    assert shape_at(src, 10) == (None, 8, 6)
    assert shape_at(src, 12) == (None, 4)


def test_an_output_that_needs_an_input_left_out_of_the_model():
    src = """
    import sys
    import keras
    from keras import layers
    a = keras.Input((3,), name="a")
    b = keras.Input((3,), name="b")
    h = layers.Concatenate()([layers.Dense(2)(a), layers.Dense(2)(b)])
    m1 = keras.Model(a, layers.Dense(1)(h))
    m2 = keras.Model([a], {"y": layers.Dense(1)(a), "z": [layers.Dense(1)(a), layers.Dense(1)(b)]})
    ok = keras.Model([a, b], layers.Dense(1)(h))
    either = a if len(sys.argv) > 1 else b
    maybe = keras.Model(a, layers.Dense(1)(either))
    """
    result = check_source(textwrap.dedent(src), "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(8, "disconnected-output"),
                                                                      (9, "disconnected-output")]
    assert [f.message for f in result.findings] == ["Output with path `` is not connected to `inputs`",
                                                    "Output with path `z.1` is not connected to `inputs`"]


def test_tf_keras_2_models_take_inputs_of_other_sizes_and_ranks():
    # tf.keras 2 only warns when a model is called on other shapes than its Inputs; its
    # layers decide (Keras 3's input spec and _adjust_input_rank reject these calls).
    src = """
    import keras
    from keras import layers
    backbone = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3), layers.GlobalAveragePooling2D()])
    y = backbone(keras.Input(shape=(64, 64, 3)))
    s = keras.Sequential([keras.Input((10,)), layers.Dense(3)])
    w = s(keras.Input((4, 10)))
    v = s(keras.Input((12,)))
    """
    assert findings(src) == [(5, "axis-mismatch"), (7, "rank-mismatch"), (8, "axis-mismatch")]
    assert findings(src, keras_version=2) == [(8, "axis-mismatch")]


def test_an_embedding_first_in_a_sequential_takes_ids_not_its_vocabulary():
    # Embedding's input_dim is the vocabulary size, not an input shape.
    src = """
    import keras
    from keras import layers
    model = keras.Sequential([layers.Embedding(5000, 32, input_length=500), layers.LSTM(100)])
    model.build((None, 500))
    m2 = keras.Sequential([layers.Embedding(1000, 64), layers.LSTM(8)])
    m2.build((None, 20))
    y = layers.Dense(3)(m2.output)
    """
    assert findings(src) == [] and findings(src, keras_version=2) == []
    assert shape_at(src, 8) == (None, 3)


def test_stacked_lstm_cells_return_their_states_nested():
    # Keras returns [output, [h1, c1], [h2, c2]] for stacked cells with two states each.
    src = """
    import keras
    from keras import layers
    enc = layers.RNN([layers.LSTMCell(32), layers.LSTMCell(16)], return_state=True)(keras.Input(shape=(None, 12)))
    dec = layers.LSTM(16, return_sequences=True)(keras.Input(shape=(None, 8)), initial_state=enc[-1])
    c = layers.Concatenate()(enc[1])
    g = layers.RNN([layers.GRUCell(8), layers.GRUCell(4)], return_state=True)(keras.Input(shape=(None, 12)))
    h = layers.Add()([g[1], g[2]])
    """
    assert findings(src) == [(8, "incompatible-shapes")]
    assert shape_at(src, 5) == (None, None, 16)
    assert shape_at(src, 6) == (None, 64)


def test_a_nested_model_whose_layer_weights_reject_the_input_says_it_fails_when_data_flows():
    # The trailing 1 is squeezed away by the model's input spec, so Keras 3 builds the
    # call; the convolution's kernel, made for 3 channels, fails at predict/fit.
    src = """
    import keras
    from keras import layers
    inp = keras.Input(shape=(96, 96, 3))
    emb = keras.Model(inp, layers.GlobalAveragePooling2D()(layers.Conv2D(32, 3)(inp)))
    y = emb(keras.Input(shape=(96, 96, 1)))
    """
    result = check_source(textwrap.dedent(src), "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(6, "axis-mismatch")]
    assert "fails as soon as data flows" in result.findings[0].message
    result2 = check_source(textwrap.dedent(src), "t.py", Options(keras_version=2))
    assert [(f.span.line, f.code.name) for f in result2.findings] == [(6, "axis-mismatch")]
    assert "data flows" not in result2.findings[0].message


def test_standard_library_helpers_of_plain_values():
    src = """
    import functools, itertools, math
    import keras
    from keras import layers
    x = keras.Input(shape=(4, 4, 3))
    for k, s in itertools.product([3, 5], [1]):
        y = layers.Conv2D(8, k, strides=s)(x)
    Conv = functools.partial(layers.Conv2D, kernel_size=3, padding="same")
    z = Conv(16)(x)
    w = layers.LSTM(4)(z)
    q = layers.Dense(math.ceil(4.2) + 1)(layers.Flatten()(x))
    r = layers.Reshape((2, 2))(q)
    """
    assert findings(src) == [(7, "negative-dimension"), (10, "rank-mismatch"), (12, "invalid-reshape")]
    assert shape_at(src, 9) == (None, 4, 4, 16)


def test_time_distributed_over_a_model():
    src = """
    import keras
    from keras import layers
    cnn = keras.Sequential([keras.Input(shape=(16, 16, 3)), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()])
    feats = layers.TimeDistributed(cnn)(keras.Input(shape=(6, 16, 16, 3)))
    x = layers.Conv2D(8, 3)(feats)
    bad = layers.TimeDistributed(cnn)(keras.Input(shape=(6, 20, 20, 3)))
    y = layers.LSTM(8)(feats)
    """
    assert findings(src) == [(6, "rank-mismatch"), (7, "axis-mismatch")]
    assert shape_at(src, 5) == (None, 6, 4)


def test_image_data_format_is_keras_default():
    # The layer rules take data_format=None as channels_last, Keras's default; the classic
    # MNIST example's branch on it is decided the same way.
    src = """
    from tensorflow import keras
    from tensorflow.keras import backend as K
    from keras import layers
    if K.image_data_format() == "channels_first":
        input_shape = (1, 28, 28)
    else:
        input_shape = (28, 28, 1)
    model = keras.Sequential()
    model.add(layers.Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=input_shape))
    model.add(layers.MaxPooling2D(pool_size=(2, 2)))
    y = layers.Reshape((13, 13, 16))(model.output)
    """
    assert findings(src) == [(12, "invalid-reshape")]


def test_a_list_grown_in_a_loop_of_unknown_length_is_unknown():
    # One round appends one skip, four rounds four: after the loop the list could hold
    # any number, so the decoder loop over it is not followed.
    src = """
    import sys
    import keras
    from keras import layers
    x = keras.Input((64, 64, 3))
    skips = []
    for f in sys.argv:
        x = layers.Conv2D(8, 3, padding="same")(x)
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    for s in reversed(skips):
        x = layers.UpSampling2D()(x)
        x = layers.Concatenate()([x, layers.Conv2D(4, 1)(keras.Input((64, 64, 3)))])
    y = layers.Dense(len(skips))(keras.Input((3,)))
    z = layers.Reshape((5,))(y)
    """
    assert findings(src) == []


def test_tensorflow_functions_on_tensors_made_from_constants_are_fine():
    # tf.zeros(...) and keras.ops.ones(...) outside a model are TensorFlow tensors, not
    # symbolic Keras tensors: TensorFlow functions and any slice take them under Keras 3.
    src = """
    import numpy as np
    import tensorflow as tf
    import keras
    c = tf.zeros((3, 4))
    d = tf.square(c)
    e = c[1:3]
    k = keras.ops.ones((2, 5))
    f = tf.matmul(k, tf.ones((5, 2)))
    x = keras.Input((4,))
    g = tf.add(x, tf.zeros((4,)))
    h = x[:, tf.newaxis]
    i = x[:, np.newaxis, :]
    """
    assert findings(src) == [(11, "tf-op-on-keras-tensor")]
    assert shape_at(src, 7) == (2, 4)
    assert shape_at(src, 12) == (None, 1, 4) and shape_at(src, 13) == (None, 1, 4)


def test_the_global_image_data_format_applies_to_later_layers():
    src = """
    import sys
    import keras
    from keras import layers
    keras.config.set_image_data_format("channels_first")
    x = layers.Conv2D(16, 5)(keras.Input((3, 8, 8)))
    inp = keras.Input((3, 16, 16))
    c = layers.Concatenate(axis=1)([layers.Conv2D(8, 3, padding="same")(inp), inp])
    if len(sys.argv) > 1:
        keras.backend.set_image_data_format("channels_last")
    y = layers.Conv2D(4, 3)(keras.Input((3, 8, 8)))
    """
    assert findings(src) == []
    assert shape_at(src, 6) == (None, 16, 4, 4)
    assert shape_at(src, 8) == (None, 11, 16, 16)


def test_a_try_whose_handler_catches_keras_errors():
    src = """
    import keras
    from keras import layers
    inp = keras.Input((4, 4, 3))
    try:
        x = layers.Conv2D(8, 5)(inp)
    except ValueError:
        x = layers.Conv2D(8, 1)(inp)
    try:
        import tensorflow as tf
    except ImportError:
        tf = None
    y = layers.Conv2D(8, 5)(inp)
    try:
        z = layers.Reshape((5,))(layers.Dense(3)(inp))
    except (KeyError, ImportError):
        pass
    """
    assert findings(src) == [(13, "negative-dimension"), (15, "invalid-reshape")]


def test_a_file_that_imports_tf_keras_follows_tf_keras_2():
    src = """
    import tf_keras as keras
    i = keras.Input((32, 32, 3))
    fcn = keras.Model(i, keras.layers.Conv2D(4, 3, padding="same")(i))
    y = fcn(keras.Input((64, 64, 3)))
    z = keras.layers.BatchNormalization(axis=[1, 3])(keras.Input((8, 8, 4)))
    """
    assert findings(src) == []


def test_a_patched_module_attribute_is_followed():
    src = """
    import functools
    import keras
    from keras import layers
    layers.Conv2D = functools.partial(layers.Conv2D, padding="same")
    x = layers.Conv2D(8, 5)(keras.Input((4, 4, 3)))
    y = keras.layers.Conv2D(8, 5)(keras.Input((4, 4, 3)))
    """
    assert findings(src) == []
    assert shape_at(src, 6) == (None, 4, 4, 8) and shape_at(src, 7) == (None, 4, 4, 8)


CUSTOM_WITH_DECLARED_SHAPE = """
import keras
from keras import layers

class Widen(layers.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return layers.Dense(x.shape[-1] * 3)(x)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] * self.factor)

x = keras.Input(shape=(5, 4))
y = Widen(2)(x)
z = layers.Conv1D(8, 3)(y)
"""


def test_keras3_takes_a_custom_layers_output_from_its_compute_output_shape():
    # Keras 3 builds the symbolic output from compute_output_shape and never traces call there.
    assert shape_at(CUSTOM_WITH_DECLARED_SHAPE, 17) == (None, 5, 8)
    assert shape_at(CUSTOM_WITH_DECLARED_SHAPE, 18) == (None, 3, 8)


def test_keras2_traces_call_instead():
    result = check_source(textwrap.dedent(CUSTOM_WITH_DECLARED_SHAPE), "t.py", Options(keras_version=2))
    outs = [e["outputs"][0].shape for e in result.shapes if e["span"].line == 17]
    assert outs and outs[-1][1:] == (5, 12)


def test_compute_output_shape_that_cannot_be_followed_leaves_calls_result():
    src = CUSTOM_WITH_DECLARED_SHAPE.replace("return (*input_shape[:-1], input_shape[-1] * self.factor)",
                                             "return unknown_helper(input_shape)")
    assert shape_at(src, 17) == (None, 5, 12)
    assert findings(src) == []
