"""Parameter counts (``model.summary()``'s "Param #") against Keras itself.

For each generated configuration and input shape, the layer is built in Keras by a call on
symbolic inputs and its weights are counted (``trainable_weights``, ``non_trainable_weights``
and ``count_params()``); shapecheck's :func:`~shapecheck.core.engine.infer_params` must give
the same ``(trainable, non_trainable)`` pair, or nothing when Keras cannot build the layer.
Where Keras builds it and shapecheck reports a finding instead (a fault that shows once data
flows), the shape oracles check the finding, and where shapecheck cannot follow the call at
all (its output is unknown), the count is absent too.  A count
never rests on a size the front end could not follow: each known axis made opaque gives the
same count or none.
"""

from __future__ import annotations

import os
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.core import dims
from shapecheck.core.engine import infer, infer_params
from shapecheck.core.ir import LayerRef
from shapecheck.core.rules import LAYERS, Call, LayerRule, T, Unknowable, load_rules
from shapecheck.core.shapes import TensorType

from .keras_oracle import _make_layer, _symbolic
from .test_oracle_rnn import _leaves, _with_dim

load_rules()

# SHAPECHECK_ORACLE_EXAMPLES raises the count for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SIZES = st.sampled_from([1, 2, 3, 4, 5, None])
FLAGS = st.sampled_from([None, True, False])  # None: the argument is not given


def _weights_count(weights: list) -> int:
    import numpy as np

    return sum(int(np.prod(w.shape)) for w in weights)


def keras_params(op: str, config: dict, inputs: Any, args: tuple = (),
                 call_kwargs: Optional[dict] = None) -> Optional[tuple[int, int]]:
    """The counts of layer ``op(**config)`` once called on symbolic ``inputs``; ``None`` if Keras refuses."""
    positional = ([inputs] if inputs is not None else []) + list(args)
    try:
        layer = _make_layer(op, config)
        layer(*[_symbolic(v) for v in positional], **{k: _symbolic(v) for k, v in (call_kwargs or {}).items()})
    except Exception:  # noqa: BLE001 - Keras's verdict
        return None
    counts = (_weights_count(layer.trainable_weights), _weights_count(layer.non_trainable_weights))
    assert layer.count_params() == sum(counts)
    return counts


def opaque_params_sound(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None,
                        expected: Optional[tuple[int, int]] = None) -> None:
    """Each known non-batch axis made opaque in turn: the count is the same, or unknown (never another)."""
    bundle = (inputs, args, dict(call_kwargs or {}))
    for path, shape in _leaves(bundle):
        for axis, d in enumerate(shape or ()):
            if axis == 0 or not isinstance(d, int):
                continue
            b = _with_dim(bundle, path, axis, dims.unknown())
            got = infer_params(op, config, b[0], tuple(b[1]), b[2])
            assert got in (None, expected), (f"{op}({config}) on {bundle} with axis {axis} of {path} opaque: "
                                             f"count {got}, but {expected} when known")


def opaque_config_sound(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None,
                        expected: Optional[tuple[int, int]] = None) -> None:
    """Each constructor argument the front end could not follow, in turn: the same count, or none."""
    from shapecheck.core.ir import UNKNOWN

    for key in config:
        got = infer_params(op, {**config, key: UNKNOWN}, inputs, args, call_kwargs)
        assert got in (None, expected), f"{op}({config}) with {key} unknown: count {got}, but {expected} when known"


def params_agree(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None) -> Any:
    """shapecheck's counts are Keras's (or absent where shapecheck reports a fault); returns Keras's."""
    ours = infer_params(op, config, inputs, args, call_kwargs)
    theirs = keras_params(op, config, inputs, args, call_kwargs)
    where = f"{op}({config}) on {inputs}, {args}, {call_kwargs}"
    if theirs is None:
        assert ours is None, f"Keras cannot build {where}; shapecheck counts {ours}"
        return None
    if ours is None:
        # A finding (checked by the shape oracles) or a call shapecheck cannot follow at all.
        verdict = infer(op, config, inputs, args, call_kwargs)
        assert verdict is None or isinstance(verdict, str), \
            f"{where}: Keras counts {theirs}, shapecheck none (output {verdict})"
        return theirs
    assert ours == theirs, f"{where}: Keras counts {theirs}, shapecheck {ours}"
    opaque_params_sound(op, config, inputs, args, call_kwargs, ours)
    opaque_config_sound(op, config, inputs, args, call_kwargs, ours)
    return theirs


def _given(config: dict, **maybe: Any) -> dict:
    """``config`` plus the ``maybe`` arguments that are not ``None`` (not given)."""
    return {**config, **{k: v for k, v in maybe.items() if v is not None}}


@st.composite
def shape(draw, min_rank: int = 2, max_rank: int = 4, sizes: Any = SIZES) -> tuple:
    return (None, *[draw(sizes) for _ in range(draw(st.integers(min_rank, max_rank)) - 1)])


# -- every layer ------------------------------------------------------------------------

def _unique_rules() -> list[tuple[str, Any]]:
    seen: set = set()
    out = []
    for name, rule in sorted(LAYERS.items()):
        if id(rule) not in seen:
            seen.add(id(rule))
            out.append((name, rule))
    return out


#: layers without a valid example (their calls return nested states): a config and input of our own
_NO_EXAMPLE = {
    "LSTMCell": ({"units": 4}, (None, 3)),
    "StackedRNNCells": ({"cells": [LayerRef("LSTMCell", {"units": 4}), LayerRef("GRUCell", {"units": 2})]},
                        (None, 3)),
}


@pytest.mark.parametrize("name", [n for n, _ in _unique_rules() if n != "InputLayer"])
def test_every_layer_counts_its_weights(name):
    rule = LAYERS[name]
    example = next((e for e in rule.examples if not isinstance(e.expect, str)), None)
    if example is None:
        config, inputs = _NO_EXAMPLE[name]
        # The call's outputs are not followed (nested states): the count is asked of the rule itself.
        ours = rule.count_params(Call(rule, config, [TensorType(inputs)], {}, name=name.lower()))
        layer = _make_layer(name, config)
        layer.build(inputs)
        theirs = (_weights_count(layer.trainable_weights), _weights_count(layer.non_trainable_weights))
        assert ours == theirs
        return
    ours = infer_params(name, example.config, example.inputs, example.args, example.call_kwargs)
    assert ours is not None, f"{name}: no count for its example {example}"
    assert ours == keras_params(name, example.config, example.inputs, example.args, example.call_kwargs)
    opaque_params_sound(name, example.config, example.inputs, example.args, example.call_kwargs, ours)
    opaque_config_sound(name, example.config, example.inputs, example.args, example.call_kwargs, ours)


@pytest.mark.parametrize("dtype", ["int8_from_float32", "int4_from_float32", "float8_from_float32", "float16",
                                   "mixed_bfloat16"])
def test_quantized_layers_are_not_counted(dtype):
    ours = infer_params("Dense", {"units": 3, "dtype": dtype}, (None, 4))
    theirs = keras_params("Dense", {"units": 3, "dtype": dtype}, (None, 4))
    # A float policy keeps the float weights; a quantized one makes others (int8 kernels, scales).
    assert ours == (theirs if theirs == (15, 0) else None)


def test_input_layer_has_no_weights():
    assert infer_params("InputLayer", {"shape": (3,)}, None) == (0, 0)


def test_unknown_config_gives_no_count():
    from shapecheck.core.ir import UNKNOWN

    assert infer_params("Dense", {"units": 3}, (None, 4)) == (15, 0)
    assert infer_params("Dense", {"units": 3, "use_bias": UNKNOWN}, (None, 4)) is None
    assert infer_params("Dense", {"units": 3, "trainable": UNKNOWN}, (None, 4)) is None
    assert infer_params("Dense", {"units": 3}, (None, dims.unknown())) is None
    assert infer_params("Flatten", {"trainable": UNKNOWN}, (None, 4)) == (0, 0)


# -- core -------------------------------------------------------------------------------

@SETTINGS
@given(st.sampled_from([1, 3, 8]), FLAGS, st.sampled_from([None, None, 1, 2]), FLAGS, shape(2, 4))
def test_dense(units, use_bias, lora_rank, trainable, input_shape):
    params_agree("Dense", _given({"units": units}, use_bias=use_bias, lora_rank=lora_rank,
                                 trainable=trainable), input_shape)


@SETTINGS
@given(st.sampled_from([2, 10]), st.sampled_from([1, 4]), st.sampled_from([None, None, 2]), FLAGS,
       shape(1, 3, st.sampled_from([1, 3, None])))
def test_embedding(input_dim, output_dim, lora_rank, trainable, input_shape):
    config = _given({"input_dim": input_dim, "output_dim": output_dim}, lora_rank=lora_rank, trainable=trainable)
    params_agree("Embedding", config, T(input_shape, "int32"))


@SETTINGS
@given(st.sampled_from([2, 10]), st.sampled_from([1, 4]), FLAGS, st.booleans(), shape(1, 3, st.sampled_from([2, 4])))
def test_reversible_embedding(input_dim, output_dim, tie_weights, reverse, input_shape):
    config = _given({"input_dim": input_dim, "output_dim": output_dim}, tie_weights=tie_weights)
    if reverse:
        params_agree("ReversibleEmbedding", config, input_shape[:-1] + (output_dim,), call_kwargs={"reverse": True})
    else:
        params_agree("ReversibleEmbedding", config, T(input_shape, "int32"))


_EINSUMS = [
    ("ab,bc->ac", 4, ["c", None]),
    ("abc,cd->abd", (None, 4), ["d", None, "b"]),
    ("abc,cde->abde", (None, 4, 2), ["de", "e", None]),
    ("...b,bc->...c", 4, ["c", None]),
    ("abc,bcd->ad", 5, ["d", None]),
]


@SETTINGS
@given(st.sampled_from(range(len(_EINSUMS))), st.data(), shape(2, 4))
def test_einsum_dense(which, data, input_shape):
    equation, output_shape, biases = _EINSUMS[which]
    bias_axes = data.draw(st.sampled_from(biases))
    config = _given({"equation": equation, "output_shape": output_shape, "bias_axes": bias_axes},
                    lora_rank=data.draw(st.sampled_from([None, None, 2])))
    params_agree("EinsumDense", config, input_shape)


# -- convolutions -----------------------------------------------------------------------

@SETTINGS
@given(st.sampled_from(["Conv", "ConvTranspose", "DepthwiseConv", "SeparableConv"]), st.integers(1, 3), st.data())
def test_convolutions(kind, rank, data):
    if kind in ("DepthwiseConv", "SeparableConv"):
        rank = min(rank, 2)
    op = f"Conv{rank}DTranspose" if kind == "ConvTranspose" else f"{kind}{rank}D"
    config: dict = {"kernel_size": data.draw(st.sampled_from([1, 2, 3, (2,) * rank]))}
    if kind != "DepthwiseConv":
        config["filters"] = data.draw(st.sampled_from([1, 4, 6]))
    if kind in ("DepthwiseConv", "SeparableConv"):
        config["depth_multiplier"] = data.draw(st.sampled_from([1, 2]))
    if kind == "Conv":
        config["groups"] = data.draw(st.sampled_from([1, 1, 2, 3]))
        config = _given(config, lora_rank=data.draw(st.sampled_from([None, None, 2])))
    fmt = data.draw(st.sampled_from([None, "channels_first"]))
    config = _given(config, use_bias=data.draw(FLAGS), data_format=fmt, padding="same")
    channels = data.draw(st.sampled_from([1, 2, 3, 6, None]))
    space = tuple(data.draw(st.sampled_from([4, 5, None])) for _ in range(rank))
    input_shape = (None, channels, *space) if fmt == "channels_first" else (None, *space, channels)
    if fmt == "channels_first":
        # TensorFlow's CPU kernels run no channels-first convolution: build only, as a summary does.
        assert infer_params(op, config, input_shape) == keras_params(op, config, input_shape) or \
            isinstance(infer(op, config, input_shape), str)
        return
    params_agree(op, config, input_shape)


# -- normalization ----------------------------------------------------------------------

@SETTINGS
@given(st.sampled_from([-1, 1, 2]), FLAGS, FLAGS, FLAGS, FLAGS, shape(2, 4))
def test_batch_normalization(axis, center, scale, renorm, trainable, input_shape):
    params_agree("BatchNormalization", _given({"axis": axis}, center=center, scale=scale, renorm=renorm,
                                              trainable=trainable), input_shape)


@SETTINGS
@given(st.sampled_from([-1, 1, [1, 2], [-2, -1], [2, 1]]), FLAGS, FLAGS, FLAGS, shape(2, 4))
def test_layer_normalization(axis, center, scale, rms_scaling, input_shape):
    params_agree("LayerNormalization", _given({"axis": axis}, center=center, scale=scale, rms_scaling=rms_scaling),
                 input_shape)


@SETTINGS
@given(st.sampled_from([-1, 1, [1, 2], [-2, -1]]), shape(2, 4))
def test_rms_normalization(axis, input_shape):
    params_agree("RMSNormalization", {"axis": axis}, input_shape)


@SETTINGS
@given(st.sampled_from([1, 2, 3, -1]), st.sampled_from([-1, 1]), FLAGS, FLAGS, shape(2, 4))
def test_group_normalization(groups, axis, center, scale, input_shape):
    params_agree("GroupNormalization", _given({"groups": groups, "axis": axis}, center=center, scale=scale),
                 input_shape)


@SETTINGS
@given(st.sampled_from([-1, 1, [1, 2]]), shape(2, 4))
def test_unit_normalization(axis, input_shape):
    params_agree("UnitNormalization", {"axis": axis}, input_shape)


@SETTINGS
@given(st.sampled_from([None, 1, [1, 2], [2], -1]), shape(2, 4))
def test_prelu(shared_axes, input_shape):
    params_agree("PReLU", _given({}, shared_axes=shared_axes), input_shape)


@SETTINGS
@given(st.sampled_from([-1, 1, None, (1, 2), (-1, 1)]), st.sampled_from([None, 0.5]), shape(2, 4))
def test_normalization_statistics(axis, mean, input_shape):
    config = {"axis": axis} if mean is None else {"axis": axis, "mean": mean, "variance": 1.0}
    params_agree("Normalization", config, input_shape)


@SETTINGS
@given(st.sampled_from([LayerRef("Dense", {"units": 3}), LayerRef("Conv1D", {"filters": 2, "kernel_size": 2}),
                        LayerRef("Conv2D", {"filters": 2, "kernel_size": 1, "use_bias": False}),
                        LayerRef("Conv1DTranspose", {"filters": 2, "kernel_size": 2}),
                        LayerRef("DepthwiseConv1D", {"kernel_size": 2, "depth_multiplier": 3}),
                        LayerRef("DepthwiseConv1D", {"kernel_size": 2}),
                        LayerRef("Embedding", {"input_dim": 5, "output_dim": 2})]),
       shape(2, 4, st.sampled_from([2, 3, 4, None])))
def test_spectral_normalization(layer, input_shape):
    if layer.class_name == "Embedding":
        params_agree("SpectralNormalization", {"layer": layer}, T(input_shape, "int32"))
    else:
        params_agree("SpectralNormalization", {"layer": layer}, input_shape)


@SETTINGS
@given(st.sampled_from(["log", "real", "imag", "stft", "magnitude"]), st.sampled_from([4, 6, 8]),
       st.sampled_from([None, 16, 9]), st.sampled_from([1, 2]), FLAGS)
def test_stft_spectrogram(mode, frame_length, fft_length, channels, trainable):
    config = _given({"mode": mode, "frame_length": frame_length}, fft_length=fft_length, trainable=trainable)
    params_agree("STFTSpectrogram", config, (None, 32, channels))


# -- attention --------------------------------------------------------------------------

@SETTINGS
@given(st.integers(1, 3), st.sampled_from([1, 2, 4]), st.sampled_from([None, 3]), FLAGS,
       st.sampled_from([None, 2, (2, 3), ()]), st.sampled_from([2, 5, None]), st.sampled_from([3, 7]),
       st.sampled_from([None, 4]))
def test_multi_head_attention(heads, key_dim, value_dim, use_bias, output_shape, q_width, v_width, k_width):
    config = _given({"num_heads": heads, "key_dim": key_dim}, value_dim=value_dim, use_bias=use_bias,
                    output_shape=output_shape)
    kwargs = {} if k_width is None else {"key": T((None, 6, k_width))}
    params_agree("MultiHeadAttention", config, (None, 4, q_width), ((None, 6, v_width),), kwargs)


@SETTINGS
@given(st.sampled_from([2, 4]), st.sampled_from([(4, 2), (2, 2), (4, 1)]), FLAGS, FLAGS,
       st.sampled_from([5, None]), st.sampled_from([None, 3]))
def test_group_query_attention(head_dim, heads, use_bias, use_gate, width, k_width):
    config = _given({"head_dim": head_dim, "num_query_heads": heads[0], "num_key_value_heads": heads[1]},
                    use_bias=use_bias, use_gate=use_gate)
    kwargs = {} if k_width is None else {"key": T((None, 6, k_width))}
    params_agree("GroupQueryAttention", config, (None, 4, width), ((None, 6, width),), kwargs)


@SETTINGS
@given(st.sampled_from(["Attention", "AdditiveAttention"]), FLAGS, st.sampled_from([None, "dot", "concat"]),
       st.sampled_from([1, 3, None]), FLAGS)
def test_dot_attention(op, use_scale, score_mode, width, trainable):
    config = _given({}, use_scale=use_scale, trainable=trainable)
    if op == "Attention":
        config = _given(config, score_mode=score_mode)
    params_agree(op, config, [(None, 4, width), (None, 5, width)])


# -- recurrent --------------------------------------------------------------------------

_CELLS = st.sampled_from([LayerRef("SimpleRNNCell", {"units": 2}), LayerRef("LSTMCell", {"units": 3}),
                          LayerRef("GRUCell", {"units": 2, "reset_after": False}),
                          LayerRef("GRUCell", {"units": 1, "use_bias": False})])


@SETTINGS
@given(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]), st.sampled_from([1, 4]), FLAGS, FLAGS, FLAGS,
       st.sampled_from([1, 3, None]))
def test_recurrent(op, units, use_bias, reset_after, trainable, features):
    config = _given({"units": units}, use_bias=use_bias, trainable=trainable)
    if op == "GRU":
        config = _given(config, reset_after=reset_after)
    params_agree(op, config, (None, 5, features))


@SETTINGS
@given(st.lists(_CELLS, min_size=1, max_size=3), st.booleans(), st.sampled_from([2, 3, None]))
def test_rnn_over_cells(cells, as_list, features):
    cell = cells if as_list else cells[0]
    params_agree("RNN", {"cell": cell}, (None, 5, features))
    if as_list:
        params_agree("RNN", {"cell": LayerRef("StackedRNNCells", {"cells": cells})}, (None, 5, features))


@SETTINGS
@given(st.sampled_from([LayerRef("LSTM", {"units": 3}), LayerRef("GRU", {"units": 2, "use_bias": False}),
                        LayerRef("SimpleRNN", {"units": 2, "trainable": False})]),
       st.sampled_from([None, LayerRef("GRU", {"units": 3, "go_backwards": True}),
                        LayerRef("SimpleRNN", {"units": 4, "go_backwards": True})]),
       st.sampled_from([2, 3, None]), FLAGS)
def test_bidirectional(layer, backward, features, trainable):
    params_agree("Bidirectional", _given({"layer": layer}, backward_layer=backward, trainable=trainable),
                 (None, 5, features))


@SETTINGS
@given(st.sampled_from([LayerRef("Dense", {"units": 3}), LayerRef("Conv1D", {"filters": 2, "kernel_size": 2}),
                        LayerRef("BatchNormalization", {}), LayerRef("Flatten", {}),
                        LayerRef("LSTM", {"units": 2})]),
       shape(3, 4, st.sampled_from([2, 3, None])))
def test_time_distributed(layer, input_shape):
    params_agree("TimeDistributed", {"layer": layer}, input_shape)


@SETTINGS
@given(st.integers(1, 2), st.sampled_from([1, 3]), st.sampled_from([1, 2, (2, 1)]), FLAGS,
       st.sampled_from([None, "channels_first"]), st.sampled_from([1, 3, None]))
def test_conv_lstm(rank, filters, kernel_size, use_bias, fmt, channels):
    if rank == 1 and isinstance(kernel_size, tuple):
        kernel_size = kernel_size[0]
    config = _given({"filters": filters, "kernel_size": kernel_size}, use_bias=use_bias, data_format=fmt)
    space = (4,) * rank
    input_shape = (None, 3, channels, *space) if fmt else (None, 3, *space, channels)
    if fmt:
        # TensorFlow's CPU kernels run no channels-first convolution: build only, as a summary does.
        ours = infer_params(f"ConvLSTM{rank}D", config, input_shape)
        assert ours == keras_params(f"ConvLSTM{rank}D", config, input_shape)
        return
    params_agree(f"ConvLSTM{rank}D", config, input_shape)


# -- weightless layers, trainable=False -------------------------------------------------

@SETTINGS
@given(st.sampled_from(["Flatten", "Dropout", "ReLU", "MaxPooling1D", "GlobalAveragePooling1D", "Reshape",
                        "RepeatVector", "UpSampling1D", "Cropping1D", "Permute", "Masking"]),
       shape(3, 3, st.sampled_from([2, 4, None])), FLAGS)
def test_weightless(op, input_shape, trainable):
    config = {"Dropout": {"rate": 0.5}, "Reshape": {"target_shape": (-1,)}, "RepeatVector": {"n": 2},
              "Permute": {"dims": (2, 1)}}.get(op, {})
    if op == "RepeatVector":
        input_shape = input_shape[:2]
    assert params_agree(op, _given(config, trainable=trainable), input_shape) in (None, (0, 0))


# -- tf.keras 2 -------------------------------------------------------------------------

def _tf_keras_layer(name: str, config: dict) -> Any:
    import tf_keras

    def build(v: Any) -> Any:
        if isinstance(v, LayerRef):
            return _tf_keras_layer(v.class_name, v.config)
        if isinstance(v, list):
            return [build(x) for x in v]
        return v

    return getattr(tf_keras.layers, name)(**{k: build(v) for k, v in config.items()})


def _keras2_shape_gap(name: str, config: dict) -> bool:
    """tf.keras 2 refuses ``strides > 1`` with ``dilation_rate > 1`` in depthwise and separable
    convolutions too (Keras 3 accepts them): a shape rule's matter, not a count's."""
    strided = config.get("strides", 1) not in (1, (1,)) and config.get("dilation_rate", 1) not in (1, (1,))
    if name == "LeakyReLU":
        return "negative_slope" in config  # tf.keras 2 calls it `alpha`
    if name == "Concatenate":
        return config.get("axis") == 2  # one input: Keras 3 passes it through, tf.keras 2 fails to build
    return strided and name.startswith(("DepthwiseConv", "SeparableConv"))


def _keras2_cases() -> list:
    import tf_keras

    cases = []
    for name, rule in _unique_rules():
        if not (rule.keras2_weights or rule.weightless) or name == "InputLayer" or not hasattr(tf_keras.layers, name):
            continue
        for ex in rule.examples:
            shapes = ex.inputs if isinstance(ex.inputs, list) else [ex.inputs]
            if isinstance(ex.expect, str) or ex.args or ex.call_kwargs or \
                    not all(isinstance(s, (tuple, T)) for s in shapes):
                continue
            if _keras2_shape_gap(name, ex.config):
                continue
            cases.append(pytest.param(name, ex, id=f"{name}-{len(cases)}"))
    return cases


@pytest.mark.parametrize("name,ex", _keras2_cases())
def test_keras2_counts_agree_with_tf_keras(name, ex):
    tf_keras = pytest.importorskip("tf_keras")
    ours = infer_params(name, ex.config, ex.inputs, keras_version=2)
    try:
        layer = _tf_keras_layer(name, ex.config)
        shapes = ex.inputs if isinstance(ex.inputs, list) else [ex.inputs]
        tensors = [tf_keras.Input(batch_shape=s.shape, dtype=s.dtype) if isinstance(s, T) else
                   tf_keras.Input(batch_shape=s) for s in shapes]
        layer(tensors if isinstance(ex.inputs, list) else tensors[0])
    except TypeError as e:
        # An argument only Keras 3 knows (`data_format`, `value_range`): a constructor's matter, not a count's.
        assert "Keyword argument not understood" in str(e)
        assert keras_params(name, ex.config, ex.inputs) == ours
        return
    except Exception as e:  # noqa: BLE001 - tf.keras 2 refuses: shapecheck must not count
        assert ours is None, f"tf.keras 2 refuses {name}({ex.config}) on {ex.inputs}: {e!r}; shapecheck counts {ours}"
        return
    from tf_keras.src.utils.layer_utils import count_params  # what tf.keras 2's summary counts

    theirs = (count_params(layer.trainable_weights), count_params(layer.non_trainable_weights))
    if ours is None:
        # A call shapecheck does not follow under tf.keras 2 (or reports): no count either.
        verdict = infer(name, ex.config, ex.inputs, keras_version=2)
        assert verdict is None or isinstance(verdict, str), f"{name}({ex.config}): tf.keras 2 counts {theirs}"
        return
    assert ours == theirs, f"{name}({ex.config}) under tf.keras 2: {theirs}, shapecheck {ours}"


def test_keras2_weightless_counts():
    assert infer_params("Flatten", {}, (None, 3, 4), keras_version=2) == (0, 0)
    assert infer_params("Dense", {"units": 3}, (None, 4), keras_version=2) == (15, 0)
    # Not checked against tf.keras 2: no count rather than a guess.
    assert infer_params("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, (None, 4, 5), ((None, 6, 7),),
                        keras_version=2) is None


def test_unknowable_is_the_base_default():
    class Bare(LayerRule):
        pass

    with pytest.raises(Unknowable):
        Bare().count_params(Call(LAYERS["Dense"], {}, [TensorType((None, 3))], {}, name="x"))
