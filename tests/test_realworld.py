"""Regressions reduced from real-world Keras code (``benchmarks/corpus.py``, ``docs/coverage.md``).

Each case is a program Keras accepts on which shapecheck once reported a finding (a false
positive) or gave up early (coverage).  Two checks per case, so that neither side can drift:

* shapecheck reports nothing on it (and, where the case is about coverage, infers every call);
* Keras itself runs it without an error: all cases run in one subprocess (the program and then
  its ``run`` lines, which call what the program leaves uncalled with concrete values).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from shapecheck.api import check_source

from .keras_oracle import run_programs

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    source: str
    #: appended when Keras runs the case (shapecheck sees only ``source``)
    run: str = ""
    #: every layer call's shape must be inferred
    full_coverage: bool = False


CASES: dict[str, Case] = {
    # keras 2.3.1 examples/mnist_sklearn_wrapper.py: the model function is handed to
    # KerasClassifier and never called in the file; an unknown pool_size with strides=None
    # was read as strides=None itself ("must be a tuple of 2 integers").
    "pool_size_from_a_parameter": Case(
        """
        from keras.models import Sequential
        from keras.layers import Conv2D, MaxPooling2D


        def make_model(filters, kernel_size, pool_size):
            model = Sequential()
            model.add(Conv2D(filters, kernel_size, input_shape=(28, 28, 1)))
            model.add(MaxPooling2D(pool_size=pool_size))
            return model
        """,
        run="make_model(8, 3, 2)",
    ),
    # The same mix-up in ZeroPadding2D's per-axis pairs: one entry not followed.
    "padding_entry_not_followed": Case(
        """
        import keras
        from keras import layers


        def block(widths):
            x = keras.Input((8, 8, 3))
            return layers.ZeroPadding2D(padding=(widths[0], (1, 1)))(x)
        """,
        run="block([(1, 2)])",
    ),
    # keras 2.3.1 examples/addition_rnn.py: a data-generation loop of 50,000 rounds before the
    # model used up the step budget, and the model after it went unchecked.
    "model_after_a_long_data_loop": Case(
        """
        import numpy as np
        from keras import layers
        from keras.models import Sequential

        questions = []
        seen = set()
        while len(questions) < 50000:
            a, b = np.random.randint(0, 1000), np.random.randint(0, 1000)
            key = tuple(sorted((a, b)))
            if key in seen:
                continue
            seen.add(key)
            questions.append(f"{a}+{b}")

        model = Sequential()
        model.add(layers.Input((7, 12)))
        model.add(layers.LSTM(128))
        model.add(layers.RepeatVector(4))
        model.add(layers.LSTM(128, return_sequences=True))
        model.add(layers.Dense(12, activation="softmax"))
        """,
        full_coverage=True,
    ),
    # keras 2.3.1 examples/variational_autoencoder.py: the sampling function of a Lambda that declares
    # its output_shape was followed as a function nobody calls (unknown arguments): its ops stayed
    # unknown.  It is followed on the Lambda's inputs now.
    "lambda_with_output_shape": Case(
        """
        import keras
        from keras import layers, ops


        def sampling(args):
            z_mean, z_log_var = args
            epsilon = keras.random.normal(shape=ops.shape(z_mean))
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon


        inputs = keras.Input(shape=(784,))
        x = layers.Dense(512, activation="relu")(inputs)
        z_mean = layers.Dense(2)(x)
        z_log_var = layers.Dense(2)(x)
        z = layers.Lambda(sampling, output_shape=(2,))([z_mean, z_log_var])
        decoded = layers.Dense(784)(z)
        """,
        full_coverage=True,
    ),
    # ... and as a path that may not run: Keras takes the declared output_shape and runs the function
    # only on data, so a function that would fail on these inputs still builds.
    "lambda_with_output_shape_fails_only_on_data": Case(
        """
        import keras
        from keras import layers, ops


        def project(x):
            return ops.matmul(x, ops.ones((5, 5)))


        inputs = keras.Input(shape=(3,))
        y = layers.Lambda(project, output_shape=(5,))(inputs)
        model = keras.Model(inputs, layers.Dense(1)(y))
        """,
    ),
    # keras 2.3.1 examples/class_activation_maps.py reads a layer's output through
    # model.get_layer(name).output (there of a ResNet50); the corpus listed `get_layer` as not
    # followed. Of a model built in the file, functional or Sequential, it is followed now.
    "get_layer_output": Case(
        """
        import keras
        from keras import layers

        inp = keras.Input((28, 28, 1))
        x = layers.Conv2D(8, 3, name="conv")(inp)
        x = layers.Flatten()(x)
        code = layers.Dense(16, name="bottleneck")(x)
        out = layers.Dense(10)(code)
        model = keras.Model(inp, out)
        encoder = keras.Model(model.input, model.get_layer("bottleneck").output)
        features = layers.Dense(4)(model.get_layer("conv").output)
        head = layers.Dense(3)(encoder.get_layer(name="bottleneck").output)
        seq = keras.Sequential([keras.Input((5,)), layers.Dense(3, name="d1"), layers.Dense(2)])
        y = layers.Dense(7)(seq.get_layer("d1").output)
        """,
        full_coverage=True,
    ),
    # keras 2.3.1 examples/variational_autoencoder.py and others: a loss function of the program's
    # own given to compile, and a metric; Keras calls them only once training starts (there the
    # loss also read the encoder's tensors from the enclosing scope, which Keras 3 rejects on data). They were analysed as functions nobody calls, with
    # unknown arguments, so none of the ops inside was inferred.
    "compile_loss_and_metric_functions": Case(
        """
        import keras
        from keras import layers, ops

        inputs = keras.Input(shape=(28, 28, 1))
        x = layers.Flatten()(inputs)
        z_mean = layers.Dense(2)(x)
        z_log_var = layers.Dense(2)(x)
        h = layers.Dense(64, activation="relu")(z_mean)
        outputs = layers.Dense(784, activation="sigmoid")(h)
        model = keras.Model(inputs, outputs)


        def vae_loss(y_true, y_pred):
            spread = -0.5 * ops.sum(1 + y_pred - ops.square(y_pred) - ops.exp(y_pred), axis=-1)
            return ops.mean(ops.square(y_pred), axis=-1) + spread


        def peak(y_true, y_pred):
            return ops.max(y_pred, axis=-1)


        model.compile(optimizer="adam", loss=vae_loss, metrics=[peak, "mae"])
        """,
        run="import numpy as np\nmodel.fit(np.zeros((4, 28, 28, 1)), np.zeros((4, 784)), epochs=1, verbose=0)",
        full_coverage=True,
    ),
    # deepctr 0.9.4 models/fgcnn.py, sequence/dien.py: parameters of a function the file never calls,
    # in a list, are not numbers (a list of them is not a constant array: "axis 2 is out of bounds")
    "parameters_in_a_list_are_not_numbers": Case(
        """
        import keras
        from keras import ops


        def merge(query, keys):
            both = ops.concatenate([query, keys], axis=2)
            return both[:, 0, :]
        """,
        run="merge(keras.Input((3, 4)), keras.Input((3, 4)))",
    ),
    # keras 2.3.1 examples/conv_filter_visualization.py: a loop over a range whose end is not known
    # (a count of weights) still gives an int each time: `features[:, :, :, f]` drops an axis.
    "index_from_a_range_of_unknown_length": Case(
        """
        import keras
        from keras import ops

        inputs = keras.Input((8, 8, 3))
        conv = keras.layers.Conv2D(16, 3)
        features = conv(inputs)
        losses = []
        for f in range(0, len(conv.get_weights()[1])):
            channel = features[:, :, :, f]
            losses.append(ops.mean(ops.square(channel[:, 1:-1, 1:-1])))
        """,
        full_coverage=True,
    ),
    # keras 2.3.1 examples/mnist_siamese.py: a Lambda whose output_shape is a function of the input
    # shapes (Keras 3 builds the output from what it returns), and K.epsilon() in the function.
    "lambda_output_shape_function": Case(
        """
        import keras
        from keras import backend as K
        from keras.layers import Dense, Input, Lambda


        def euclidean_distance(vects):
            x, y = vects
            sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
            return K.sqrt(K.maximum(sum_square, K.epsilon()))


        def eucl_dist_output_shape(shapes):
            shape1, shape2 = shapes
            return (shape1[0], 1)


        input_a = Input(shape=(8,))
        input_b = Input(shape=(8,))
        distance = Lambda(euclidean_distance, output_shape=eucl_dist_output_shape)([input_a, input_b])
        model = keras.Model([input_a, input_b], Dense(3)(distance))
        """,
        full_coverage=True,
    ),
    # keras 2.3.1 examples/mnist_swwae.py: the same with sizes known only symbolically (pool sizes
    # read from a NumPy array), where the declared shape must keep them.
    "lambda_output_shape_of_unknown_sizes": Case(
        """
        import numpy as np
        import keras
        from keras import layers, ops


        def getwhere(x):
            y_prepool, y_postpool = x
            return ops.ones_like(y_prepool)


        pool_sizes = np.array([1, 1]) * 2
        x = inp = keras.Input(shape=(32, 32, 4))
        wheres = []
        for i in range(2):
            y_prepool = layers.Conv2D(4, 3, padding="same")(x)
            x = layers.MaxPooling2D(pool_size=(pool_sizes[i], pool_sizes[i]))(y_prepool)
            wheres.append(layers.Lambda(getwhere, output_shape=lambda shapes: shapes[0])([y_prepool, x]))
        for i in reversed(range(2)):
            x = layers.UpSampling2D(size=(pool_sizes[i], pool_sizes[i]))(x)
            x = layers.multiply([x, wheres[i]])
        model = keras.Model(inp, layers.Conv2D(1, 1)(x))
        """,
        full_coverage=True,
    ),
    # The same for the program's own subclasses of keras.losses.Loss (Keras calls `call`) and
    # keras.metrics.Metric (`update_state`), as training repositories write them.
    "compile_loss_and_metric_classes": Case(
        """
        import keras
        from keras import layers, ops


        class Focal(keras.losses.Loss):
            def __init__(self, gamma=2.0, **kwargs):
                super().__init__(**kwargs)
                self.gamma = gamma

            def call(self, y_true, y_pred):
                p = ops.clip(y_pred, 1e-7, 1.0)
                return ops.mean(ops.power(1.0 - p, self.gamma) * ops.log(p), axis=-1)


        class Peak(keras.metrics.Metric):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.total = self.add_weight(name="total", initializer="zeros")

            def update_state(self, y_true, y_pred, sample_weight=None):
                self.total.assign_add(ops.sum(ops.max(y_pred, axis=-1)))

            def result(self):
                return self.total


        inputs = keras.Input(shape=(16,))
        outputs = layers.Dense(4, activation="softmax")(layers.Dense(8)(inputs))
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss=Focal(), metrics=[Peak()])
        """,
        run="import numpy as np\nmodel.fit(np.zeros((4, 16)), np.zeros((4, 4)), epochs=1, verbose=0)",
        full_coverage=True,
    ),
    # TensorFlow's image segmentation tutorial: the encoder of a U-Net is a MobileNetV2's inner
    # layers (model.get_layer(name).output), their sizes halving from 64x64 to 4x4; `.layers` too.
    "application_inner_layers": Case(
        """
        import tensorflow as tf

        base_model = tf.keras.applications.MobileNetV2(input_shape=[128, 128, 3], include_top=False,
                                                       weights=None)
        layer_names = [
            "block_1_expand_relu",   # 64x64
            "block_3_expand_relu",   # 32x32
            "block_6_expand_relu",   # 16x16
            "block_13_expand_relu",  # 8x8
            "block_16_project",      # 4x4
        ]
        base_model_outputs = [base_model.get_layer(name).output for name in layer_names]
        down_stack = tf.keras.Model(inputs=base_model.input, outputs=base_model_outputs)
        down_stack.trainable = False

        inputs = tf.keras.layers.Input(shape=[128, 128, 3])
        skips = down_stack(inputs)
        x = skips[-1]
        for skip, filters in zip(reversed(skips[:-1]), [512, 256, 128, 64]):
            x = tf.keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same")(x)
            x = tf.keras.layers.Concatenate()([x, skip])
        outputs = tf.keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same")(x)
        model = tf.keras.Model(inputs=inputs, outputs=outputs)
        features = tf.keras.layers.GlobalAveragePooling2D()(base_model.layers[-2].output)
        """,
        full_coverage=True,
    ),
    # keras 2.3.1 examples/deep_dream.py, neural_style_transfer.py: the layers found by name in a dict
    # of `model.layers`; Keras names the input layer from a counter, but no other layer of the model
    # may have that name.
    "application_layers_by_name_in_a_dict": Case(
        """
        import keras
        from keras import ops

        model = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3))
        layer_dict = dict([(layer.name, layer) for layer in model.layers])
        loss = 0.0
        for name in ["block_1_expand_relu", "block_3_expand_relu"]:
            x = layer_dict[name].output
            loss = loss + ops.sum(ops.square(x[:, 2:-2, 2:-2, :])) / ops.cast(ops.size(x), "float32")
        outputs = {layer.name: layer.output for layer in model.layers}
        features = keras.Model(model.input, outputs["block_6_expand_relu"])
        pooled = keras.layers.GlobalAveragePooling2D()(features.output)
        """,
        full_coverage=True,
    ),
    # Two outputs: losses by output name, metrics one list per output; each function is followed
    # on the output it is given for (a rank-2 op on the rank-3 one would not be inferred).
    "compile_functions_per_output": Case(
        """
        import keras
        from keras import layers, ops

        inputs = keras.Input(shape=(10, 8))
        seq = layers.Dense(4, name="seq")(inputs)
        vec = layers.Dense(3, name="vec")(layers.GlobalAveragePooling1D()(inputs))
        model = keras.Model(inputs, [seq, vec])


        def seq_loss(y_true, y_pred):
            return ops.mean(ops.square(y_pred), axis=(1, 2))


        def vec_loss(y_true, y_pred):
            return ops.mean(ops.matmul(y_pred, ops.ones((3, 2))), axis=-1)


        def seq_metric(y_true, y_pred):
            return ops.max(ops.reshape(y_pred, (-1, 40)), axis=-1)


        model.compile(optimizer="adam", loss={"seq": seq_loss, "vec": vec_loss},
                      metrics=[[seq_metric], []])
        """,
        run=("import numpy as np\n"
             "model.fit(np.zeros((4, 10, 8)), [np.zeros((4, 10, 4)), np.zeros((4, 3))], epochs=1, verbose=0)"),
        full_coverage=True,
    ),
    # keras-self-attention 0.51.0 tests/: models built in the methods of a unittest.TestCase, which
    # nothing in the file calls (the test runner does): none of their calls was seen.
    "test_case_methods": Case(
        """
        import unittest

        import keras
        from keras import layers


        class ModelTest(unittest.TestCase):
            def setUp(self):
                self.units = 7

            def get_model(self, steps):
                inputs = keras.Input((steps, 5))
                x = layers.Conv1D(self.units, 3)(inputs)
                return keras.Model(inputs, layers.GlobalAveragePooling1D()(x))


        class TestBlocks(ModelTest):
            def test_head(self):
                model = self.get_model(8)
                out = layers.Dense(2)(model.output)
                self.assertEqual(out.shape, (None, 2))

            def test_sequence(self):
                x = layers.Conv1D(self.units, 3)(keras.Input((8, 5)))
                self.assertEqual(layers.LSTM(4)(x).shape, (None, 4))
        """,
        run='TestBlocks("test_head").debug()\nTestBlocks("test_sequence").debug()',
        full_coverage=True,
    ),
    # Parametrized tests (pytest's, absl's): the runner calls them with each parameter; tf-models
    # and Keras's own tests are mostly written so.
    "parametrized_tests": Case(
        """
        import keras
        import pytest
        from absl.testing import parameterized
        from keras import layers


        @pytest.mark.parametrize("units", [1, 2])
        def test_dense(units):
            y = layers.Dense(units)(layers.Conv1D(4, 3)(keras.Input((8, 5))))
            assert y.shape == (None, 6, units)


        class LayersTest(parameterized.TestCase):
            @parameterized.named_parameters(("one", 1), ("two", 2))
            def test_conv(self, filters):
                y = layers.LSTM(3)(layers.Conv1D(filters, 3)(keras.Input((8, 5))))
                self.assertEqual(y.shape, (None, 3))
        """,
        run='test_dense(2)\nLayersTest("test_conv_one").debug()',
        full_coverage=True,
    ),
    # keras 3.15's tests of its ops (1,500 calls): symbolic tensors made directly, of a whole shape
    "keras_tensors_made_directly": Case(
        """
        import keras
        from keras import ops
        from keras.src.backend.common.keras_tensor import KerasTensor

        x = KerasTensor((None, 4))
        y = keras.layers.Dense(3)(x)
        z = ops.add(KerasTensor((2, 3)), keras.KerasTensor([1, 3], dtype="int32"))
        """,
        full_coverage=True,
    ),
    # keras 3.15 ops/image_test.py: the image ops take the global data format, as layers do
    "image_ops_under_channels_first": Case(
        """
        import keras
        from keras import ops

        keras.config.set_image_data_format("channels_first")
        x = keras.Input((3, 20, 20))
        gray = ops.image.rgb_to_grayscale(x)
        small = ops.image.resize(x, (10, 10))
        pooled = keras.layers.MaxPooling2D()(small)
        keras.config.set_image_data_format("channels_last")
        """,
        full_coverage=True,
    ),
    # Tests of the error itself: Keras raises, `pytest.raises` / `assertRaises` catches it.
    "error_expected_by_a_test": Case(
        """
        import unittest

        import keras
        import pytest
        from keras import layers


        def test_rank_is_checked():
            x = keras.Input((4, 5))
            with pytest.raises(ValueError):
                layers.Conv2D(3, 3)(x)
            layers.Conv1D(3, 3)(x)


        class TestLayers(unittest.TestCase):
            def test_rank_is_checked(self):
                with self.assertRaisesRegex(ValueError, "ndim"):
                    layers.LSTM(3)(keras.Input((4,)))
        """,
        run='test_rank_is_checked()\nTestLayers("test_rank_is_checked").debug()',
    ),
    # tf-models-official 2.20 (official/nlp/modeling/layers/mobile_bert_layers_test.py): layers run
    # on data at once; an EinsumDense's `None` in output_shape is the input's size there (and in a
    # layer's traced `call`), where MultiHeadAttention's key meets its value. Layers on NumPy arrays
    # were not followed at all.
    "layers_run_on_data": Case(
        """
        import numpy as np
        import keras
        from keras import layers

        x = np.random.uniform(size=(2, 3, 16)).astype("float32")
        shared = layers.EinsumDense("abc,cd->abd", output_shape=[None, 8], bias_axes="d")(x)
        out = layers.MultiHeadAttention(num_heads=2, key_dim=4, output_shape=8)(shared, x, shared)
        features = layers.Conv2D(4, 3)(np.random.rand(2, 8, 8, 3))
        ids = layers.Embedding(10, 4)(np.random.randint(0, 10, size=(2, 5)))
        both = layers.Concatenate()([np.zeros((2, 5, 4)), ids])


        class Block(layers.Layer):
            def __init__(self):
                super().__init__()
                self.bottleneck = layers.EinsumDense("abc,cd->abd", output_shape=[None, 8])
                self.attention = layers.MultiHeadAttention(num_heads=2, key_dim=4)

            def call(self, x):
                key = self.bottleneck(x)
                return self.attention(key, x, key)


        y = Block()(keras.Input((3, 16)))
        z = Block()(x)
        """,
        full_coverage=True,
    ),
    # A list changed where shapecheck cannot follow the change (an extend by what it does not know,
    # a sort) was kept as it was: here the LSTM would meet the Dense's (None, 4).
    "list_changed_by_what_is_not_followed": Case(
        """
        import random

        import keras
        from keras import layers

        blocks = [layers.Dense(4)]
        blocks.extend(random.sample([layers.Reshape((2, 2))], 1))
        x = keras.Input((8,))
        for block in blocks:
            x = block(x)
        y = layers.LSTM(3)(x)
        sizes = [(1, 4), (2, 2)]
        sizes.sort(reverse=True)
        z = layers.Reshape(sizes[0])(keras.Input((4,)))
        """,
    ),
    # keras 3.15 utils/jax_layer_test.py: a model whose inputs are a dict takes data by the dict's
    # keys, not by its inputs' names ("Missing data for input "input_layer"")
    "inputs_given_as_a_dict": Case(
        """
        import numpy as np
        import keras
        from keras import layers

        inputs = {"b": keras.Input((4,)), "a": keras.Input((3,))}
        outputs = layers.Concatenate()([inputs["a"], layers.Dense(2)(inputs["b"])])
        model = keras.Model(inputs, outputs)
        y = model({"a": np.ones((2, 3)), "b": np.ones((2, 4))})
        z = model({"a": keras.Input((3,)), "b": keras.Input((4,))})
        model.compile("adam", "mse")
        model.fit({"b": np.ones((8, 4)), "a": np.ones((8, 3))}, np.zeros((8, 5)), verbose=0)
        """,
        full_coverage=True,
    ),
}


def _source(case: Case) -> str:
    return textwrap.dedent(case.source)


@pytest.fixture(autouse=True)
def small_step_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same budgets, a tenth of their size: the long loop costs a tenth of the time."""
    from shapecheck.frontend import interpreter

    monkeypatch.setattr(interpreter, "MAX_STEPS", interpreter.MAX_STEPS // 10)
    monkeypatch.setattr(interpreter, "LOOP_STEPS", interpreter.LOOP_STEPS // 10)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapecheck_reports_nothing(name: str) -> None:
    case = CASES[name]
    result = check_source(_source(case), f"{name}.py")
    assert [(f.span.line, f.code.name, f.message) for f in result.findings] == []
    if case.full_coverage:
        assert result.layer_calls > 0
        assert result.layer_calls_inferred == result.layer_calls


def test_a_layer_read_through_get_layer_is_checked() -> None:
    # Keras: Dense(4) on the bottleneck's (None, 16) is fine; LSTM on it is a rank error.
    source = _source(CASES["get_layer_output"]).replace("layers.Dense(3)(encoder", "layers.LSTM(3)(encoder")
    result = check_source(source, "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(13, "rank-mismatch")]


def test_a_loss_function_that_fails_on_data_is_not_reported_at_compile() -> None:
    # Keras calls a loss only once training starts: compile accepts it, as shapecheck does.
    source = _source(CASES["compile_functions_per_output"]).replace("ops.ones((3, 2))", "ops.ones((5, 2))")
    result = check_source(source, "t.py")
    assert result.findings == [] and result.layer_calls_inferred < result.layer_calls


def test_a_lambda_output_shape_function_decides_the_output() -> None:
    # Keras 3: the declared (None, 1) meets a Dense built for (None, 8) in a second model
    source = _source(CASES["lambda_output_shape_function"]) + (
        "shared = Dense(2)\nshared(input_a)\nshared(distance)\n")
    result = check_source(source, "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(24, "axis-mismatch")]


def test_an_application_layer_of_the_wrong_size_is_found() -> None:
    # the 4x4 decoder step meets the 16x16 skip: Keras's Concatenate rejects it
    source = _source(CASES["application_inner_layers"]).replace("reversed(skips[:-1])", "skips[:-1]")
    result = check_source(source, "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(22, "incompatible-shapes")]


def test_a_model_with_its_top_keeps_its_layers_unknown() -> None:
    source = _source(CASES["application_inner_layers"]).replace("include_top=False", "include_top=True")
    source = source.replace("[128, 128, 3]", "[224, 224, 3]")
    result = check_source(source, "t.py")
    assert result.findings == [] and result.layer_calls_inferred < result.layer_calls


def test_a_string_key_that_may_be_a_counter_name_is_not_trusted() -> None:
    # `d["input_layer"]` is the input layer when Keras's counter names it so (the session's first
    # Input), and layers[5] otherwise: either, so unknown; taken as layers[5], the Add would be reported
    source = _source(CASES["application_layers_by_name_in_a_dict"]) + (
        'd = {"input_layer": model.layers[5]}\n'
        "d[model.layers[0].name] = model.layers[0]\n"
        'same = keras.layers.Add()([d["input_layer"].output, model.input])\n')
    assert check_source(source, "t.py").findings == []
    # (where the counter's name is surely another, layers[5] it is: Keras rejects that Add)
    wrong = source.replace("d[model.layers[0].name] = model.layers[0]\n", "")
    assert [f.code.name for f in check_source(wrong, "t.py").findings] == ["incompatible-shapes"]


def test_a_parameter_as_an_index_is_not_taken_for_an_int() -> None:
    # `idx` may be a slice or a list: the rank of `x[:, idx]` is not known (it would be with `f`)
    source = _source(CASES["index_from_a_range_of_unknown_length"]) + (
        "def pick(idx):\n    return features[:, idx] + 1\n")
    result = check_source(source, "t.py")
    last = source.count("\n")
    assert [e["outputs"][0].shape for e in result.shapes if e["span"].line == last] == [None, None]


def test_a_parameter_as_an_index_of_data_or_get_item_is_not_taken_for_an_int() -> None:
    # `show(slice(0, 5))` is fine in Keras; with `idx` taken for an int, predict would meet (28, 28, 1)
    source = (
        "import numpy as np\nimport keras\nfrom keras import ops\n\n"
        "x_train = np.zeros((100, 28, 28, 1))\n"
        "model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])\n\n\n"
        "def show(idx):\n"
        "    model.predict(x_train[idx])\n"
        "    model.predict(x_train[idx, :, :])\n"
        "    return ops.get_item(model.output, (0, idx)) + 1\n")
    result = check_source(source, "t.py")
    assert result.findings == []
    last = source.count("\n")
    assert [e["outputs"][0].shape for e in result.shapes if e["span"].line == last] == [None, None]


def test_a_bug_after_a_long_data_loop_is_still_found() -> None:
    source = _source(CASES["model_after_a_long_data_loop"]).replace('model.add(layers.RepeatVector(4))\n', '')
    result = check_source(source, "t.py")
    assert [f.code.name for f in result.findings] == ["rank-mismatch"]  # an LSTM on the last LSTM's vectors


def test_a_test_method_is_checked_as_its_runner_calls_it() -> None:
    # setUp's units (7) reach the Conv1D the helper method makes; the LSTM on the model's
    # (None, 7) output is what Keras rejects
    source = _source(CASES["test_case_methods"]).replace("layers.Dense(2)(model.output)",
                                                         "layers.LSTM(2)(model.output)")
    result = check_source(source, "t.py")
    assert [(f.span.line, f.code.name, "(None, 7)" in f.message) for f in result.findings] == [
        (21, "rank-mismatch", True)]


def test_a_parametrized_test_is_checked_and_a_skipped_one_is_not() -> None:
    source = _source(CASES["parametrized_tests"]).replace("layers.LSTM(3)", "layers.Conv2D(3, 3)")
    source += ('\n    @pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="fails there")\n'
               "    def test_skipped(self):\n        layers.LSTM(3)(keras.Input((4,)))\n")
    result = check_source(source, "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(17, "rank-mismatch")]


def test_a_keras_tensor_made_directly_is_checked() -> None:
    source = _source(CASES["keras_tensors_made_directly"]).replace("[1, 3]", "[4, 3]")
    result = check_source(source, "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(8, "incompatible-shapes")]


def test_only_the_block_a_test_expects_to_fail_is_excused() -> None:
    source = _source(CASES["error_expected_by_a_test"]).replace("layers.Conv1D(3, 3)(x)", "layers.Conv2D(3, 3)(x)")
    result = check_source(source, "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(13, "rank-mismatch")]


def test_a_layer_run_on_data_is_checked() -> None:
    # Keras raises at once: Conv2D on 3-d data; the Dense built on 16 features then meets 12
    source = _source(CASES["layers_run_on_data"]).replace("np.random.rand(2, 8, 8, 3)", "np.random.rand(8, 8, 3)")
    source += "dense = layers.Dense(2)\ndense(x)\ndense(keras.Input((3, 12)))\n"
    result = check_source(source, "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == [(9, "rank-mismatch"), (29, "axis-mismatch")]


def test_data_for_a_model_with_a_dict_of_inputs_goes_by_its_keys() -> None:
    source = _source(CASES["inputs_given_as_a_dict"])
    wrong = source.replace('model.fit({"b": np.ones((8, 4))', 'model.fit({"b": np.ones((8, 5))')
    assert [(f.span.line, f.code.name) for f in check_source(wrong, "t.py").findings] == [(12, "data-shape-mismatch")]
    missing = source.replace('model.fit({"b"', 'model.fit({"c"')
    assert [(f.span.line, f.code.name) for f in check_source(missing, "t.py").findings] == [
        (12, "data-structure-mismatch")]


@pytest.fixture(scope="module")
def keras_verdicts() -> dict:
    return run_programs({name: _source(c) + "\n" + c.run + "\n" for name, c in CASES.items()}, ROOT)


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_accepts(name: str, keras_verdicts: dict) -> None:
    assert keras_verdicts[name] is None
