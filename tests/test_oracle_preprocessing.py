"""Non-image preprocessing rules and ``ReversibleEmbedding`` against Keras itself, over generated cases.

For each generated case shapecheck reports a finding exactly when Keras rejects the call
(its constructor, its symbolic call, or its call on data when every non-batch axis is
known), and otherwise infers the output shape Keras computes symbolically.

Two things differ from :func:`tests.test_oracle_core.agrees`:

* ``keras_oracle`` cannot make string data (``numpy`` has no ``"string"`` dtype), and its
  integer data (0 and 1) are not tokens of the vocabularies drawn here; so the run on data
  is made here, with tokens from the layer's vocabulary (:func:`_run_on_data`).
* Layers that need ``adapt()`` before data can flow (a lookup or ``TextVectorization``
  without ``vocabulary``, a ``Discretization`` with only ``num_bins``) are compared with
  Keras's symbolic call, and with the failures of their call on data other than the one
  for want of ``adapt`` (which a program may call after building the model).
"""

from __future__ import annotations

import os
from typing import Any, Optional

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.core.engine import Engine, _as_tensor, infer
from shapecheck.core.rules import LAYERS, Call, T

from .keras_oracle import KerasResult, _make_layer, keras_apply
from .test_oracle_core import _fill, agrees, has_undefined_axis, opaque_is_sound

# SHAPECHECK_ORACLE_EXAMPLES raises the count for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _all_known(v: Any) -> bool:
    if isinstance(v, T):
        return v.shape is not None and all(d is not None for d in v.shape[1:])
    if isinstance(v, tuple):
        return all(d is not None for d in v[1:])
    if isinstance(v, list):
        return all(_all_known(x) for x in v)
    return True


def _data(v: Any, tokens: list, rng: np.random.Generator) -> Any:
    """Arrays of the inputs' shapes (batch 2 for ``None``) holding the given tokens."""
    if isinstance(v, list):
        return [_data(x, tokens, rng) for x in v]
    shape = v.shape if isinstance(v, T) else v
    dtype = v.dtype if isinstance(v, T) else "float32"
    full = tuple(2 if d is None else d for d in shape)
    if dtype == "string":
        picks = [str(tokens[i % len(tokens)]) for i in range(int(np.prod(full, dtype=int)))]
        return np.array(picks, dtype=object).reshape(full)
    if dtype.startswith("int"):
        picks = [int(tokens[i % len(tokens)]) for i in range(int(np.prod(full, dtype=int)))]
        return np.array(picks, dtype=dtype).reshape(full)
    return rng.standard_normal(full).astype(dtype)


def _run_on_data(op: str, config: dict, inputs: Any, call_kwargs: dict, tokens: list) -> Optional[BaseException]:
    try:
        _make_layer(op, config)(_data(inputs, tokens, np.random.default_rng(0)), **call_kwargs)
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        return e
    return None


def _needs_adapt(e: BaseException) -> bool:
    """The failure of a layer called on data before ``adapt()`` (an uninitialised lookup table)."""
    import tensorflow as tf

    return isinstance(e, tf.errors.FailedPreconditionError) or "adapt" in str(e)


def keras_result(op: str, config: dict, inputs: Any, call_kwargs: Optional[dict] = None,
                 tokens: Optional[list] = None, adapted: bool = True) -> KerasResult:
    """Keras's verdict: the symbolic call, then (every non-batch axis known) a call on data made
    of ``tokens`` (the oracle's own random data when ``tokens`` is ``None``).

    For a layer that is not ``adapted``, the call on data fails for want of ``adapt()``; any
    other failure of it (before the lookup: the input's shape) still counts.
    """
    call_kwargs = call_kwargs or {}
    if tokens is None and adapted:
        return keras_apply(op, config, inputs, call_kwargs=call_kwargs)
    result = keras_apply(op, config, inputs, call_kwargs=call_kwargs, eager=False)
    if not result.rejected and _all_known(inputs):
        error = _run_on_data(op, config, inputs, call_kwargs, tokens or [0, 1])
        if error is not None and not (not adapted and _needs_adapt(error)):
            result.eager_error = error
    return result


def check(op: str, config: dict, inputs: Any, call_kwargs: Optional[dict] = None,
          tokens: Optional[list] = None, adapted: bool = True) -> None:
    """shapecheck and Keras agree: the same output shape, or both reject.

    A finding on inputs with an undefined axis (where Keras's symbolic call passed and no data
    could flow) must hold for every size tried in place of the ``None`` axes.
    """
    ours = infer(op, config, inputs, (), call_kwargs)
    theirs = keras_result(op, config, inputs, call_kwargs, tokens, adapted)
    if theirs.rejected:
        assert isinstance(ours, str), (f"Keras rejects {op}({config}) on {inputs} {call_kwargs or ''}: "
                                       f"{theirs.error or theirs.eager_error!r}; shapecheck says {ours}")
        return
    if isinstance(ours, str) and has_undefined_axis(inputs):
        for size in (1, 2, 3, 5):
            filled = keras_result(op, config, _fill(inputs, size), call_kwargs, tokens, adapted)
            assert filled.rejected, (f"shapecheck rejects {op}({config}) on {inputs}: {ours}, but Keras accepts "
                                     f"None axes = {size}")
        return
    assert ours == theirs.single, f"{op}({config}) on {inputs} {call_kwargs or ''}: Keras {theirs.single}, " \
                                  f"shapecheck {ours}"


SIZES = st.sampled_from([1, 2, 3, None])


def _rarely(draw, value: Any, usual: Any) -> Any:
    """``value`` one time in eight, else ``usual``: invalid settings, drawn often enough to test them
    but not so often that valid configurations become rare."""
    return value if draw(st.integers(0, 7)) == 0 else usual


def pick(draw, usual: list, bad: tuple = ()) -> Any:
    """One of ``usual``, or (one time in eight) one of the invalid values ``bad``."""
    if bad and draw(st.integers(0, 7)) == 0:
        return draw(st.sampled_from(list(bad)))
    return draw(st.sampled_from(usual))


@st.composite
def shape(draw, min_rank: int = 1, max_rank: int = 4, sizes: Any = SIZES) -> tuple:
    return (None, *[draw(sizes) for _ in range(draw(st.integers(min_rank, max_rank)) - 1)])


# -- categorical encodings ------------------------------------------------------------------


@SETTINGS
@given(st.data(), shape(1, 4), st.sampled_from(["int32", "int64"]))
def test_category_encoding(data, input_shape, dtype):
    config = {"num_tokens": pick(data.draw, [1, 3, 5], (0, -1, 2.5, None, "3")),
              "output_mode": pick(data.draw, ["one_hot", "multi_hot", "count", "binary"], ("int", "onehot"))}
    if data.draw(st.integers(0, 3)) == 0:
        config["sparse"] = True
    if data.draw(st.integers(0, 5)) == 0:
        config["dtype"] = data.draw(st.sampled_from(["int32", "float16", "mixed_float16", "float64"]))
    inputs = T(input_shape, dtype)
    check("CategoryEncoding", config, inputs)
    opaque_is_sound("CategoryEncoding", config, inputs)


@SETTINGS
@given(st.data(), shape(1, 4))
def test_discretization(data, input_shape):
    draw = data.draw
    config: dict = {"output_mode": pick(draw, ["int", "one_hot", "multi_hot", "count"], ("binary", "tf_idf")),
                    "sparse": _rarely(draw, True, False)}
    if draw(st.booleans()):
        config["bin_boundaries"] = pick(draw, [[], [0.0], [0.0, 1.0], [-0.5, 0.0, 0.5], [0.0, 0.0]], ([1.0, 0.0],))
        if draw(st.integers(0, 7)) == 0:
            config["num_bins"] = 3
    elif _rarely(draw, False, True):
        config["num_bins"] = pick(draw, [0, 1, 3], (-1,))
    # With only num_bins the layer needs adapt() before data flows (see keras_result).
    check("Discretization", config, input_shape, adapted=config.get("bin_boundaries") is not None)
    opaque_is_sound("Discretization", config, input_shape)


@SETTINGS
@given(st.data(), shape(1, 4), st.sampled_from(["int64", "string"]))
def test_hashing(data, input_shape, dtype):
    draw = data.draw
    config = {"num_bins": pick(draw, [1, 3, 8], (0, -2, None)),
              "output_mode": pick(draw, ["int", "one_hot", "multi_hot", "count"], ("binary",)),
              "salt": pick(draw, [None, None, 1, [1, 2]], (1.5, (1, 2, 3))), "sparse": _rarely(draw, True, False)}
    if config["sparse"] is False and config["output_mode"] != "int" and draw(st.booleans()):
        config["sparse"] = True
    if draw(st.booleans()):
        config["mask_value"] = "0" if dtype == "string" else 0
    if draw(st.integers(0, 5)) == 0:
        config["dtype"] = draw(st.sampled_from(["int32", "float32", "float16", "mixed_bfloat16"]))
    inputs = T(input_shape, dtype)
    check("Hashing", config, inputs, tokens=["0", "a", "b"] if dtype == "string" else [0, 1, 2])
    opaque_is_sound("Hashing", config, inputs)


@SETTINGS
@given(st.sampled_from([2, 2, 2, 2, 1, 3]), st.data(), st.sampled_from([4, 0]), st.sampled_from(["int64", "string"]))
def test_hashed_crossing(n, data, num_bins, dtype):
    output_mode = pick(data.draw, ["int", "one_hot"], ("multi_hot",))
    first = data.draw(shape(1, 3, st.sampled_from([1, 1, 2, None])))
    shapes = [first if data.draw(st.integers(0, 3)) else data.draw(shape(1, 3, st.sampled_from([1, 2, None])))
              for _ in range(n)]
    inputs = [T(s, dtype) for s in shapes]
    config = {"num_bins": num_bins, "output_mode": output_mode}
    check("HashedCrossing", config, inputs, tokens=["a", "b"] if dtype == "string" else [0, 1])
    opaque_is_sound("HashedCrossing", config, inputs)


# -- lookups ----------------------------------------------------------------------------------


_MODES = st.sampled_from(["int", "int", "one_hot", "multi_hot", "count", "tf_idf", "binary", "tf-idf", "onehot"])


@st.composite
def lookup_config(draw, strings: bool) -> dict:
    if strings:
        vocabularies = [None, ["a", "b", "c"], ["[UNK]", "a", "b"], ["", "[UNK]", "a"], ["a"]]
        invalid = [["a", "b", "a"], [], ["a", ""]]
        mask = st.sampled_from([None, None, ""])
    else:
        vocabularies = [None, [3, 4, 5], [-1, 3, 4], [0, -1, 3], [3]]
        invalid = [[3, 4, 3], [], [3, 0], [3, -1]]
        mask = st.sampled_from([None, None, 0])
    mode = draw(st.sampled_from(["int", "one_hot", "multi_hot", "count", "tf_idf", "binary", "tf-idf"]))
    config: dict = {"vocabulary": _rarely(draw, draw(st.sampled_from(invalid)), draw(st.sampled_from(vocabularies))),
                    "output_mode": _rarely(draw, "onehot", mode), "mask_token": draw(mask),
                    "num_oov_indices": _rarely(draw, -1, draw(st.sampled_from([1, 1, 0, 2]))),
                    "invert": _rarely(draw, True, False)}
    max_tokens = _rarely(draw, 1, draw(st.sampled_from([None, None, 3, 5, 10])))
    config["max_tokens"] = max_tokens
    config["pad_to_max_tokens"] = _rarely(draw, True, max_tokens is not None and draw(st.booleans()))
    if config["output_mode"] in ("tf_idf", "tf-idf") and config["vocabulary"] and _rarely(draw, False, True):
        config["idf_weights"] = [1.0] * (len(config["vocabulary"]) + _rarely(draw, 1, 0))
    if draw(st.integers(0, 9)) == 0:
        config["sparse"] = True
    return config


def _lookup_tokens(config: dict, strings: bool) -> list:
    """Data for a lookup: ids when inverted, else tokens of its vocabulary (OOV with one OOV index)."""
    if config.get("invert"):
        return [0, 1]
    vocab = [t for t in (config["vocabulary"] or []) if t not in ("", "[UNK]", -1, 0)]
    return vocab or (["a"] if strings else [3])


@SETTINGS
@given(lookup_config(strings=True), shape(1, 3))
def test_string_lookup(config, input_shape):
    inputs = T(input_shape, "int64" if config["invert"] else "string")
    # Without a vocabulary the layer needs adapt() before data flows (see keras_result).
    check("StringLookup", config, inputs, tokens=_lookup_tokens(config, True), adapted=config["vocabulary"] is not None)
    opaque_is_sound("StringLookup", config, inputs)


@SETTINGS
@given(lookup_config(strings=False), shape(1, 3))
def test_integer_lookup(config, input_shape):
    inputs = T(input_shape, "int64")
    check("IntegerLookup", config, inputs, tokens=_lookup_tokens(config, False),
          adapted=config["vocabulary"] is not None)
    opaque_is_sound("IntegerLookup", config, inputs)


@SETTINGS
@given(st.data(), shape(1, 3))
def test_text_vectorization(data, input_shape):
    draw = data.draw
    vocabulary = pick(draw, [None, ["a", "b", "c"], ["", "[UNK]", "a"], ["[UNK]", "a"]], (["a", "a"], ["a", ""]))
    mode = pick(draw, ["int", "int", "multi_hot", "count", "tf_idf", "one_hot", "binary"], ("bad",))
    length = pick(draw, [None, 0, 3] if mode == "int" else [None], (3, -1, 2.5))
    max_tokens = pick(draw, [None, None, 4, 10], (1, 3))
    config: dict = {"vocabulary": vocabulary, "output_mode": mode, "output_sequence_length": length,
                    "split": pick(draw, ["whitespace", "character", None], ("comma",)),
                    "ngrams": pick(draw, [None, None, 2, 0, (1, 2), ()], ((0,), [1, 2])), "max_tokens": max_tokens,
                    "pad_to_max_tokens": _rarely(draw, True, max_tokens is not None and draw(st.booleans()))}
    if mode == "tf_idf" and vocabulary and _rarely(draw, False, True):
        config["idf_weights"] = [1.0] * (len(vocabulary) + _rarely(draw, 1, 0))
    if draw(st.integers(0, 9)) == 0:
        config["standardize"] = draw(st.sampled_from(["lower", None, "upper"]))
    if draw(st.integers(0, 9)) == 0:
        config["ragged"] = True
    if draw(st.integers(0, 5)) == 0:
        config["sparse"] = True
    inputs = T(input_shape, "string")
    # Without a vocabulary the layer needs adapt() before data flows (see keras_result).
    check("TextVectorization", config, inputs, tokens=["a b", "c"], adapted=vocabulary is not None)
    opaque_is_sound("TextVectorization", config, inputs)


# -- audio ----------------------------------------------------------------------------------


@SETTINGS
@given(st.data(), shape(2, 3, st.sampled_from([1, 3, 8, 16, 40, None])))
def test_mel_spectrogram(data, input_shape):
    # Rank 2 and 3 only: on a rank-1 input the samples are the batch axis, which the oracle's
    # data fixes at 2 (and no model has a known batch there).
    draw = data.draw
    fft_length = draw(st.sampled_from([2, 4, 8, 16]))
    config = {"fft_length": fft_length, "sequence_stride": pick(draw, [1, 2, 4, 5], (0, -1)),
              "sequence_length": pick(draw, [None, None, 2, fft_length], (32,)),
              "num_mel_bins": pick(draw, [1, 4, 10], (0,)),
              "window": pick(draw, ["hann", "hann", "hamming", None], ("blackman",))}
    check("MelSpectrogram", config, input_shape)
    opaque_is_sound("MelSpectrogram", config, input_shape)


@SETTINGS
@given(st.data(), shape(3, 3, st.sampled_from([1, 2, 8, 16, 17, None])))
def test_stft_spectrogram(data, input_shape):
    draw = data.draw
    frame_length = draw(st.sampled_from([2, 4, 6, 8]))
    config = {"frame_length": _rarely(draw, 1, frame_length),
              "frame_step": pick(draw, [None, None, 1, 2, 3], (9, 0)),
              "fft_length": pick(draw, [None, None, 8, 16], (4,)),
              "mode": pick(draw, ["log", "magnitude", "psd", "stft", "real", "imag", "angle"], ("bad",)),
              "padding": pick(draw, ["valid", "same"], ("causal",)), "expand_dims": draw(st.booleans()),
              "data_format": pick(draw, [None, "channels_first", "channels_last"], ("NHWC",)),
              "scaling": pick(draw, ["density", "spectrum", None], ("bad",))}
    # Sometimes another rank.
    if draw(st.integers(0, 7)) == 0:
        input_shape = draw(shape(2, 4, st.sampled_from([1, 2, 8, 16, None])))
    check("STFTSpectrogram", config, input_shape)
    opaque_is_sound("STFTSpectrogram", config, input_shape)


# -- ReversibleEmbedding ----------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from([1, 3, 4]), st.sampled_from([None, False, True]), st.booleans(), st.data())
def test_reversible_embedding(output_dim, reverse, tie_weights, data):
    input_dim = pick(data.draw, [2, 5], (0, -1, 2.5))
    config = {"input_dim": input_dim, "output_dim": output_dim, "tie_weights": tie_weights}
    kwargs = {} if reverse is None else {"reverse": reverse}
    if reverse:
        # Rank 2 and more: a rank-1 input's last axis is the batch, fixed at 2 by the data.
        inputs: Any = data.draw(shape(2, 3, st.sampled_from([1, 3, 4, None])))
    else:
        inputs = T(data.draw(shape(1, 3)), "int32")
    check("ReversibleEmbedding", config, inputs, kwargs)
    if not reverse:
        opaque_is_sound("ReversibleEmbedding", config, inputs)


# -- output dtypes ------------------------------------------------------------------------------

_DTYPE_CASES = [
    ("CategoryEncoding", {"num_tokens": 4}, T((None, 3), "int32"), {}),
    ("Discretization", {"bin_boundaries": [0.0, 1.0]}, T((None, 3)), {}),
    ("Discretization", {"bin_boundaries": [0.0, 1.0], "output_mode": "count"}, T((None, 3)), {}),
    ("Hashing", {"num_bins": 4}, T((None, 3), "string"), {}),
    ("Hashing", {"num_bins": 4, "output_mode": "one_hot"}, T((None, 1), "int64"), {}),
    ("Hashing", {"num_bins": 4, "output_mode": "count", "dtype": "mixed_float16"}, T((None, 1), "int64"), {}),
    ("CategoryEncoding", {"num_tokens": 4, "dtype": "mixed_float16"}, T((None, 3), "int32"), {}),
    ("CategoryEncoding", {"num_tokens": 4, "dtype": "int32"}, T((None, 3), "int32"), {}),
    ("HashedCrossing", {"num_bins": 4}, [T((None, 1), "int64"), T((None, 1), "int64")], {}),
    ("HashedCrossing", {"num_bins": 4, "output_mode": "one_hot"}, [T((None, 1), "int64"), T((None, 1), "int64")], {}),
    ("StringLookup", {"vocabulary": ["a"]}, T((None, 3), "string"), {}),
    ("StringLookup", {"vocabulary": ["a"], "output_mode": "count"}, T((None, 3), "string"), {}),
    ("StringLookup", {"vocabulary": ["a"], "invert": True}, T((None, 3), "int64"), {}),
    ("IntegerLookup", {"vocabulary": [3], "output_mode": "multi_hot"}, T((None, 3), "int64"), {}),
    ("TextVectorization", {"max_tokens": 5}, T((None, 1), "string"), {}),
    ("TextVectorization", {"max_tokens": 5, "output_mode": "tf_idf", "pad_to_max_tokens": True},
     T((None, 1), "string"), {}),
    ("MelSpectrogram", {"fft_length": 8, "sequence_stride": 4}, T((None, 16)), {}),
    ("STFTSpectrogram", {"frame_length": 8}, T((None, 16, 1)), {}),
    ("ReversibleEmbedding", {"input_dim": 5, "output_dim": 3}, T((None, 2), "int32"), {}),
    ("ReversibleEmbedding", {"input_dim": 5, "output_dim": 3}, T((None, 3)), {"reverse": True}),
]


def test_output_dtypes_match_keras():
    import keras

    from .keras_oracle import _symbolic

    engine = Engine()
    for op, config, inputs, kwargs in _DTYPE_CASES:
        rule = LAYERS[op]
        call = Call(rule, config, [_as_tensor(inputs)], dict(kwargs), name=op.lower())
        ours = engine._apply_layer(rule, call, None)[0].dtype
        theirs = _make_layer(op, config)(_symbolic(inputs), **kwargs)
        assert isinstance(theirs, keras.KerasTensor)
        assert ours == theirs.dtype, f"{op}({config}): Keras {theirs.dtype}, shapecheck {ours}"


_KERAS3_ONLY = ("CategoryEncoding", "Discretization", "Hashing", "HashedCrossing", "StringLookup", "IntegerLookup",
                "TextVectorization", "MelSpectrogram", "STFTSpectrogram", "ReversibleEmbedding")


def test_silent_under_tf_keras_2():
    # tf.keras 2 traces these layers' call symbolically, with other shapes and errors (or lacks
    # the layer): under --keras-version 2 the rules neither infer nor report.
    for op in _KERAS3_ONLY:
        for ex in LAYERS[op].examples:
            assert infer(op, ex.config, ex.inputs, ex.args, ex.call_kwargs, keras_version=2) is None, (op, ex)


# -- Rescaling and Normalization ------------------------------------------------------

VALUES = st.one_of(st.floats(-2, 2, allow_nan=False), st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=1, max_size=4))


@SETTINGS
@given(VALUES, st.one_of(st.none(), VALUES), st.lists(st.sampled_from([1, 2, 3, 4, None]), min_size=1, max_size=3))
def test_rescaling(scale, offset, axes):
    config = {"scale": scale} if offset is None else {"scale": scale, "offset": offset}
    agrees("Rescaling", config, (None, *axes))


@SETTINGS
@given(st.one_of(st.none(), st.integers(-4, 4), st.lists(st.integers(-4, 4), min_size=1, max_size=2, unique=True)),
       st.one_of(st.none(), VALUES),
       st.lists(st.sampled_from([1, 2, 3, 4, None]), min_size=1, max_size=3))
def test_normalization(axis, mean, axes):
    config: dict = {} if axis == -1 else {"axis": axis}
    if mean is not None:
        config.update(mean=mean, variance=mean)
    agrees("Normalization", config, (None, *axes))
