"""The ``--keras-version 2`` setting against tf.keras 2 itself (the ``tf_keras`` package).

Each program runs under tf.keras 2 (``import tf_keras as keras``) in this process, and under
shapecheck with ``keras_version=2``: the line tf.keras raises at (or none) must be the line
of shapecheck's only error (or none), and the last assignment's shape must agree.
"""

from __future__ import annotations

import linecache
import sys
import textwrap
import traceback

import pytest

from shapecheck.api import Options, check_source

HEADER = "import tensorflow as tf\nimport tf_keras as keras\nfrom tf_keras import layers\n"

PROGRAMS = {
    "int_input_shape": "x = keras.Input(shape=784)\ny = layers.Dense(3)(x)\n",
    "tf_op_on_symbolic_tensor": "x = keras.Input(shape=(32,))\ny = tf.square(x)\n",
    "bare_slice_key": "x = keras.Input(shape=(4, 5))\ny = x[1:3]\n",
    "batch_input_shape_on_a_layer": "m = keras.Sequential([layers.Dense(3, batch_input_shape=(8, 4))])\n"
                                    "y = m.output\n",
    "dense_zero_units": "y = layers.Dense(0)(keras.Input((4,)))\n",
    "dense_float_units": "y = layers.Dense(3.5)(keras.Input((4,)))\n",
    "dense_negative_units": "y = layers.Dense(-3)(keras.Input((4,)))\n",
    "lstm_float_units": "y = layers.LSTM(64 / 2)(keras.Input((8, 4)))\n",
    "gru_float_units": "y = layers.GRU(4.5)(keras.Input((8, 4)))\n",
    "cropping_past_the_length": "y = layers.Cropping1D((6, 5))(keras.Input((10, 3)))\n",
    "batchnorm_over_two_axes": "y = layers.BatchNormalization(axis=[1, 3])(keras.Input((8, 8, 4)))\n",
    "subclass_build_runs_call": textwrap.dedent("""\
        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.r = layers.Reshape((-1, 48))
            def call(self, x):
                return self.r(x)
        m = M()
        m.build((None, 30, 30, 3))
        """),
    "build_with_a_list_of_shapes": textwrap.dedent("""\
        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.add = layers.Add()
            def call(self, xs):
                return self.add(xs)
        m = M()
        m.build([(None, 4), (None, 5)])
        """),
    "build_with_a_dict_of_shapes": textwrap.dedent("""\
        class M(keras.Model):
            def call(self, xs):
                return layers.Reshape((-1, 7))(xs["a"])
        m = M()
        m.build({"a": (None, 6, 4)})
        """),
    "a_layer_build_does_not_run_call": textwrap.dedent("""\
        class L(layers.Layer):
            def call(self, x):
                return layers.Reshape((-1, 7))(x)
        l = L()
        l.build((None, 6, 4))
        """),
    "own_build_then_super_build": textwrap.dedent("""\
        class M(keras.Model):
            def build(self, shape):
                self.d = layers.Dense(3)
                super().build(shape)
            def call(self, x):
                return layers.Reshape((-1, 7))(self.d(x))
        m = M()
        m.build((None, 6, 4))
        """),
    "build_of_a_functional_subclass": textwrap.dedent("""\
        class M(keras.Model):
            def __init__(self):
                inp = keras.Input((4,), name="a")
                super().__init__(inputs={"a": inp}, outputs=layers.Dense(2)(inp))
        m = M()
        m.build({"a": keras.Input((4,))})
        y = m({"a": keras.Input((4,))})
        """),
    "attention_key_of_unknown_length": textwrap.dedent("""\
        v = keras.Input((3, 5))
        k = layers.EinsumDense("abc,cd->abd", output_shape=[None, 8])(keras.Input((3, 5)))
        y = layers.MultiHeadAttention(2, 4)(v, v, keras.Input((None, 8)))
        """),
    "attention_key_of_another_length": textwrap.dedent("""\
        v = keras.Input((3, 5))
        y = layers.MultiHeadAttention(2, 4)(v, v, keras.Input((4, 8)))
        """),
    "einsum_dense_none_is_the_input_size": textwrap.dedent("""\
        z = layers.EinsumDense("abc,cd->abd", output_shape=[None, 8])(keras.Input((3, 5)))
        y = layers.Dense(2)(layers.Flatten()(z))
        """),
    "backbone_on_larger_images": textwrap.dedent("""\
        b = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 3), layers.GlobalAveragePooling2D()])
        y = b(keras.Input(shape=(64, 64, 3)))
        """),
    "model_on_higher_rank": textwrap.dedent("""\
        s = keras.Sequential([keras.Input((10,)), layers.Dense(3)])
        y = s(keras.Input((4, 10)))
        """),
    "model_on_other_width": textwrap.dedent("""\
        s = keras.Sequential([keras.Input((10,)), layers.Dense(3)])
        y = s(keras.Input((12,)))
        """),
    "disconnected_output": textwrap.dedent("""\
        a = keras.Input((3,))
        b = keras.Input((3,))
        m = keras.Model(a, layers.Dense(1)(layers.Concatenate()([a, b])))
        """),
    "embedding_first_in_sequential": textwrap.dedent("""\
        m = keras.Sequential([layers.Embedding(5000, 32, input_length=500), layers.LSTM(100)])
        y = m.output
        """),
}


def _keras2(source: str) -> tuple[int | None, tuple | None]:
    """The line tf.keras 2 raises at (in the program) and the last assigned tensor's shape."""
    pytest.importorskip("tf_keras")
    name = "<keras2-program>"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    scope: dict = {}
    try:
        exec(compile(source, name, "exec"), scope)  # noqa: S102 - the oracle runs our own snippets
    except Exception:  # noqa: BLE001 - tf.keras's verdict
        lines = [f.lineno for f in traceback.extract_tb(sys.exc_info()[2]) if f.filename == name]
        return lines[-1], None
    last = source.rstrip().splitlines()[-1].split("=")[0].strip()
    value = scope.get(last)
    return None, (tuple(value.shape) if hasattr(value, "shape") else None)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_keras2_setting_agrees_with_tf_keras(name):
    source = HEADER + PROGRAMS[name]
    line, shape = _keras2(source)
    result = check_source(source, "p.py", Options(keras_version=2))
    errors = [f.span.line for f in result.findings if f.code.severity == "error"]
    assert errors == ([] if line is None else [line]), f"tf.keras 2 raises at {line}; shapecheck: {result.findings}"
    if shape is not None:
        entries = [e for e in result.shapes if e["span"].line == source.count("\n")]
        if entries:
            ours = entries[-1]["outputs"][0].shape
            assert ours is None or len(ours) == len(shape) and all(
                a == b or not isinstance(a, int) for a, b in zip(ours, shape)), (ours, shape)
