"""Data against the model (issue 4): small programs, checked by shapecheck and run by Keras.

Each case is a whole program with tiny arrays. ``# error: [name]`` marks the line where Keras
raises (the innermost frame of the program) and where shapecheck must report that finding;
a case without one must train under Keras and give shapecheck nothing to report. Both halves
run here: the expectation is never taken on trust.
"""

from __future__ import annotations

import sys
import traceback

import pytest

from shapecheck.api import check_source
from tests.fixtures_support import _ERROR

from . import keras_oracle  # noqa: F401 - sets the backend before Keras is imported

HEAD = """\
import numpy as np
import keras
import tensorflow as tf
from keras import layers

"""

MNIST_MLP = """\
inputs = keras.Input(shape=(28, 28, 1))
h = layers.Flatten()(inputs)
outputs = layers.Dense(10, activation="softmax")(h)
model = keras.Model(inputs, outputs)
"""

TWO_INPUTS = """\
a = keras.Input((4,), name="a")
b = keras.Input((3,), name="b")
out = layers.Dense(1, name="out")(layers.Concatenate()([a, b]))
model = keras.Model([a, b], out)
model.compile(optimizer="adam", loss="mse")
"""

TWO_OUTPUTS = """\
a = keras.Input((4,), name="a")
o1 = layers.Dense(1, name="price")(a)
o2 = layers.Dense(3, activation="softmax", name="kind")(a)
model = keras.Model(a, [o1, o2])
"""

CASES: dict[str, str] = {
    # -- features against the inputs
    "trailing_axis_added": MNIST_MLP + """\
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.zeros((16, 28, 28)), np.zeros((16,)), epochs=1, verbose=0)
""",
    "trailing_one_dropped": MNIST_MLP + """\
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.zeros((16, 28, 28, 1, 1)), np.zeros((16,)), epochs=1, verbose=0)
""",
    "wrong_width": MNIST_MLP + """\
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.zeros((16, 28, 27)), np.zeros((16,)), epochs=1, verbose=0)  # error: [data-shape-mismatch]
""",
    "flattened_for_an_image_model": MNIST_MLP + """\
x = np.zeros((16, 28, 28)).reshape(-1, 784)
model.predict(x, verbose=0)  # error: [data-shape-mismatch]
""",
    "one_sample_without_batch_axis": MNIST_MLP + """\
x_test = np.zeros((8, 28, 28, 1))
model.predict(x_test[0], verbose=0)  # error: [data-shape-mismatch]
""",
    "one_sample_with_batch_axis": MNIST_MLP + """\
x_test = np.zeros((8, 28, 28, 1))
probs = model.predict(x_test[None, 0], verbose=0)
model.predict(x_test[:1], verbose=0)
model.predict(np.expand_dims(x_test[0], 0), verbose=0)
""",
    "vector_sample": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.predict(np.zeros((4,)), verbose=0)  # error: [data-shape-mismatch]
""",
    "model_called_on_arrays": """\
inputs = keras.Input((100,), dtype="int32")
h = layers.GlobalAveragePooling1D()(layers.Embedding(50, 4)(inputs))
model = keras.Model(inputs, layers.Dense(1)(h))
seq = keras.Sequential([keras.Input((100,), dtype="int32"), layers.Embedding(50, 4), layers.GlobalAveragePooling1D()])
scores = model(np.zeros((8, 100, 1), dtype="int32"))
features = seq(np.zeros((8, 200), dtype="int32"))
three = keras.Input((3,))
head = keras.Model(three, layers.Dense(2)(three))
head.predict(np.zeros((8, 3)), verbose=0)
head.predict(np.asarray(features), verbose=0)  # error: [data-shape-mismatch]
""",
    "model_called_on_wrong_arrays": """\
inputs = keras.Input((100,), dtype="int32")
h = layers.GlobalAveragePooling1D()(layers.Embedding(50, 4)(inputs))
model = keras.Model(inputs, layers.Dense(1)(h))
model(np.zeros((8, 200), dtype="int32"))  # error: [data-shape-mismatch]
""",
    "predictions_fed_back": """\
inputs = keras.Input((8,))
model = keras.Model(inputs, layers.Dense(3, activation="softmax")(inputs))
probs = model.predict(np.zeros((5, 8)), verbose=0)
labels = np.argmax(probs, axis=1)
model.predict(labels, verbose=0)  # error: [data-shape-mismatch]
""",
    "sequential_checks_only_the_rank": """\
model = keras.Sequential([keras.Input((6,), dtype="int32"), layers.Embedding(50, 4), layers.GlobalAveragePooling1D(),
                          layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 9), dtype="int32"), np.zeros((8, 1)), epochs=1, verbose=0)
model.fit(np.zeros((8, 9, 2), dtype="int32"), np.zeros((8, 1)), epochs=1, verbose=0)  # error: [data-shape-mismatch]
""",
    "sequential_layer_rejects_data": """\
model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(4)])
model.predict(np.zeros((2, 14, 56)), verbose=0)
model.predict(np.zeros((2, 28, 27)), verbose=0)  # error: [data-shape-mismatch]
""",
    # -- sample counts
    "x_and_y_counts": MNIST_MLP + """\
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
x = np.zeros((20, 28, 28))
y = np.zeros((20,))
model.fit(x, y[:10], epochs=1, verbose=0)  # error: [sample-count-mismatch]
""",
    "sample_weight_count": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 4)), np.zeros((8, 2)), sample_weight=np.ones((7,)), verbose=0)  # error: [sample-count-mismatch]
""",
    "validation_split_too_little_data": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((1, 4)), np.zeros((1, 2)), validation_split=0.2, verbose=0)  # error: [invalid-argument]
""",
    "validation_split_fine": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((10, 4)), np.zeros((10, 2)), validation_split=0.2, epochs=1, verbose=0)
""",
    "validation_data_not_preprocessed": """\
inputs = keras.Input((10,))
model = keras.Model(inputs, layers.Dense(3)(inputs))
model.compile(optimizer="adam", loss="mse")
x_val = np.zeros((8, 9))
model.fit(np.zeros((16, 10)), np.zeros((16, 3)), validation_data=(x_val, np.zeros((8, 3))),  # error: [data-shape-mismatch]
          epochs=1, verbose=0)
""",
    "validation_split_cuts_before_counting": """\
inputs = keras.Input((1,))
model = keras.Model(inputs, layers.Dense(1)(inputs))
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((4, 1)), np.zeros((16, 1)), validation_split=0.25, epochs=1, verbose=0)
model.fit(np.zeros((16, 1)), np.zeros((4, 1)), validation_split=0.25, epochs=1, verbose=0)  # error: [sample-count-mismatch]
""",
    "validation_split_uneven_validation_part": """\
inputs = keras.Input((3,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((5, 3)), np.zeros((3, 2)), validation_split=0.25, epochs=1, verbose=0)  # error: [sample-count-mismatch]
""",
    "two_outputs_on_batch_target_rows": TWO_OUTPUTS + """\
model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"])
model.train_on_batch(np.zeros((2, 4)), [np.zeros((2,)), np.zeros((2,))])
model.train_on_batch(np.zeros((2, 4)), [np.zeros((2,)), np.zeros((1,))])  # error: [target-shape-mismatch]
""",
    "train_on_batch_counts_broadcast": """\
inputs = keras.Input((3,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")
model.train_on_batch(np.zeros((6, 3)), np.zeros((1, 2)))
model.train_on_batch(np.zeros((6, 3)), np.zeros((4, 2)))  # error: [target-shape-mismatch]
""",
    "validation_dataset": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")
val = tf.data.Dataset.from_tensor_slices((np.zeros((4, 5)), np.zeros((4, 2)))).batch(2)
model.fit(np.zeros((8, 4)), np.zeros((8, 2)), validation_data=val, epochs=1, verbose=0)  # error: [data-shape-mismatch]
""",
    # -- several inputs
    "two_inputs_one_array": TWO_INPUTS + """\
model.fit(np.zeros((8, 4)), np.zeros((8, 1)), verbose=0)  # error: [data-structure-mismatch]
""",
    "two_inputs_dict_missing_key": TWO_INPUTS + """\
model.fit({"a": np.zeros((8, 4))}, np.zeros((8, 1)), verbose=0)  # error: [data-structure-mismatch]
""",
    "two_inputs_dict_and_list": TWO_INPUTS + """\
model.fit({"a": np.zeros((8, 4)), "b": np.zeros((8, 3)), "extra": np.zeros((8, 2))}, np.zeros((8, 1)), verbose=0)
model.fit([np.zeros((8, 4)), np.zeros((8, 3))], np.zeros((8, 1)), verbose=0)
""",
    "fewer_losses_than_outputs": TWO_OUTPUTS + """\
model.compile(optimizer="adam", loss=["mse"])
model.fit(np.zeros((8, 4)), [np.zeros((8, 1)), np.zeros((8, 3))], epochs=1, verbose=0)
model.compile(optimizer="adam", loss=["mse"])
model.fit(np.zeros((8, 4)), np.zeros((8, 1)), epochs=1, verbose=0)
model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy", "mse"])
model.fit(np.zeros((8, 4)), [np.zeros((8, 1)), np.zeros((8, 3))], epochs=1, verbose=0)  # error: [data-structure-mismatch]
""",
    "targets_of_one_output_in_a_list": MNIST_MLP + """\
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.zeros((8, 28, 28)), [np.zeros((8, 10))], epochs=1, verbose=0)
model.fit(np.zeros((8, 28, 28)), [np.zeros((8,))], epochs=1, verbose=0)  # error: [target-shape-mismatch]
""",
    "one_output_targets_in_a_dict": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2, name="score")(inputs))
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 4)), {"score": np.zeros((8, 2))}, verbose=0)  # error: [data-structure-mismatch]
""",
    "two_inputs_swapped": TWO_INPUTS + """\
model.fit([np.zeros((8, 3)), np.zeros((8, 4))], np.zeros((8, 1)), verbose=0)  # error: [data-shape-mismatch]
""",
    # -- models built by the data
    "unbuilt_sequential_conv_on_3d": """\
model = keras.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 12, 12)), np.zeros((8, 2)), verbose=0)  # error: [rank-mismatch]
""",
    "unbuilt_sequential_then_other_width": """\
model = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(2)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 5)), np.zeros((8, 2)), epochs=1, verbose=0)
model.predict(np.zeros((3, 6)), verbose=0)  # error: [data-shape-mismatch]
""",
    # -- tf.data
    "dataset_not_batched": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")
ds = tf.data.Dataset.from_tensor_slices((np.zeros((8, 4)), np.zeros((8, 2))))
model.fit(ds, epochs=1, verbose=0)  # error: [data-shape-mismatch]
""",
    "dataset_not_batched_into_a_sequential": """\
model = keras.Sequential([keras.Input((5, 1)), layers.GlobalAveragePooling1D(), layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
ds = tf.data.Dataset.from_tensor_slices((np.zeros((6, 5, 2)), np.zeros((6, 2))))
model.fit(ds, epochs=1, verbose=0)  # error: [target-shape-mismatch]
""",
    "dataset_batched_and_mapped": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")


def scale(x, y):
    return tf.cast(x, tf.float32) / 255.0, y


ds = tf.data.Dataset.from_tensor_slices((np.zeros((8, 4)), np.zeros((8, 2))))
model.fit(ds.map(scale).shuffle(8).batch(4).prefetch(1), epochs=1, verbose=0)
""",
    # an array compared with `is` decides a branch (elementwise comparisons of data aside)
    "array_is_none_decides_the_branch": """\
x = np.zeros((4, 3))
if x is None:
    inputs = keras.Input((5,))
else:
    inputs = keras.Input((3,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.predict(np.zeros((4, 7)), verbose=0)  # error: [data-shape-mismatch]
""",
    "dataset_with_labels_not_followed": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
labels = list(np.random.randint(0, 2, size=8))
ds = tf.data.Dataset.from_tensor_slices((np.zeros((8, 5)), labels)).batch(4)
model.fit(ds, epochs=1, verbose=0)  # error: [data-shape-mismatch]
""",
    "validation_dataset_not_batched": """\
inputs = keras.Input((2,))
model = keras.Model(inputs, layers.Dense(1)(inputs))
model.compile(optimizer="sgd", loss="mse")
ds = tf.data.Dataset.from_tensor_slices((np.zeros((4, 2)), np.zeros((4, 1)))).batch(2)
val = tf.data.Dataset.from_tensor_slices((np.zeros((2, 2)), np.zeros((2, 1))))
model.fit(ds, validation_data=val, epochs=1, verbose=0)  # error: [data-shape-mismatch]
""",
    "dataset_and_validation_split": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")
ds = tf.data.Dataset.from_tensor_slices((np.zeros((8, 4)), np.zeros((8, 2)))).batch(4)
model.fit(ds, validation_split=0.2, epochs=1, verbose=0)  # error: [invalid-argument]
""",
    # -- what is not followed stays silent
    "generator_data": """\
inputs = keras.Input((4,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
model.compile(optimizer="adam", loss="mse")


def batches():
    while True:
        yield np.zeros((4, 4)), np.zeros((4, 2))


model.fit(batches(), steps_per_epoch=2, epochs=1, verbose=0)
""",
    "custom_train_step": """\
class Custom(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        return {"loss": 0.0}


model = Custom()
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 4)), np.zeros((8, 7)), epochs=1, verbose=0)
""",
    "subclassed_model_on_data": """\
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv = layers.Conv1D(4, 3)
        self.pool = layers.GlobalAveragePooling1D()
        self.out = layers.Dense(2)

    def call(self, x):
        x = self.conv(x)  # error: [rank-mismatch]
        return self.out(self.pool(x))


model = Net()
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 10)), np.zeros((8, 2)), epochs=1, verbose=0)
""",
}


def _expected(source: str) -> dict[int, str]:
    out = {}
    for number, line in enumerate(source.splitlines(), start=1):
        found = _ERROR.search(line)
        if found:
            out[number] = found.group(1)
    return out


def _source(case: str) -> str:
    return HEAD + CASES[case]


@pytest.mark.parametrize("case", sorted(CASES))
def test_shapecheck_reports_what_the_case_states(case):
    source = _source(case)
    result = check_source(source, f"{case}.py")
    errors = {f.span.line: f.code.name for f in result.findings if f.level == "error"}
    assert errors == _expected(source), "\n".join(f"{f.span.line}: {f.message}" for f in result.findings)


@pytest.mark.parametrize("case", sorted(CASES))
def test_keras_does_what_the_case_states(case):
    pytest.importorskip("tensorflow")
    _run_and_compare(_source(case), f"<case {case}>", "Keras")


def _run_and_compare(source: str, filename: str, who: str) -> None:
    """Run the program; it must raise on the annotated line (its innermost frame), or not at all."""
    expected = _expected(source)
    try:
        exec(compile(source, filename, "exec"), {"__name__": "__case__"})  # noqa: S102 - our own test programs
    except Exception:  # noqa: BLE001 - the verdict is whether and where it raised
        frames = [f for f in traceback.extract_tb(sys.exc_info()[2]) if f.filename == filename]
        line = frames[-1].lineno if frames else None
        assert line in expected, f"{who} raised on line {line}, the case expects {expected}:\n" \
                                 f"{traceback.format_exc()[-2000:]}"
        return
    assert not expected, f"{who} ran the whole case; it expects an error at {expected}"


# --------------------------------------------------------------------------- tf.keras 2

HEAD2 = """\
import numpy as np
import tf_keras as keras
from tf_keras import layers

"""

DENSE10 = """\
inputs = keras.Input((10,))
model = keras.Model(inputs, layers.Dense(3, activation="softmax")(inputs))
"""

#: the same kind of programs under ``--keras-version 2``, run by tf.keras 2 (the ``tf_keras`` package)
CASES2: dict[str, str] = {
    "counts": DENSE10 + """\
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 10)), np.zeros((7, 3)), verbose=0)  # error: [sample-count-mismatch]
""",
    "wrong_width": DENSE10 + """\
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 9)), np.zeros((8, 3)), verbose=0)  # error: [data-shape-mismatch]
""",
    "trailing_axis_added": MNIST_MLP + """\
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.zeros((16, 28, 28)), np.zeros((16,)), epochs=1, verbose=0)
""",
    "integer_labels_categorical": DENSE10 + """\
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.zeros((8, 10)), np.zeros((8,)), verbose=0)  # error: [target-shape-mismatch]
""",
    "one_hot_labels_sparse": DENSE10 + """\
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.zeros((8, 10)), np.zeros((8, 3)), verbose=0)  # error: [target-shape-mismatch]
""",
    "labels_against_three_units_mse": DENSE10 + """\
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 10)), np.zeros((8,)), epochs=1, verbose=0)
""",
    "one_target_for_two_outputs": TWO_OUTPUTS + """\
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((8, 4)), np.zeros((8, 1)), epochs=1, verbose=0)
""",
}


@pytest.mark.parametrize("case", sorted(CASES2))
def test_keras2_shapecheck_reports_what_the_case_states(case):
    from shapecheck.api import Options

    source = HEAD2 + CASES2[case]
    result = check_source(source, f"{case}.py", Options(keras_version=2))
    errors = {f.span.line: f.code.name for f in result.findings if f.level == "error"}
    assert errors == _expected(source), "\n".join(f"{f.span.line}: {f.message}" for f in result.findings)


@pytest.mark.parametrize("case", sorted(CASES2))
def test_keras2_does_what_the_case_states(case):
    pytest.importorskip("tf_keras")
    _run_and_compare(HEAD2 + CASES2[case], f"<case2 {case}>", "tf.keras")
