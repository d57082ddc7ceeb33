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
  Keras's symbolic call only: their eager call fails until ``adapt``, which a program may
  call after building the model.
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
from .test_oracle_core import _fill, has_undefined_axis, opaque_is_sound

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


def keras_result(op: str, config: dict, inputs: Any, call_kwargs: Optional[dict] = None,
                 tokens: Optional[list] = None, eager: bool = True) -> KerasResult:
    """Keras's verdict: the symbolic call, then (``eager``, every non-batch axis known) a call on
    data made of ``tokens`` (the oracle's own random data when ``tokens`` is ``None``)."""
    call_kwargs = call_kwargs or {}
    if tokens is None:
        return keras_apply(op, config, inputs, call_kwargs=call_kwargs, eager=eager)
    result = keras_apply(op, config, inputs, call_kwargs=call_kwargs, eager=False)
    if eager and not result.rejected and _all_known(inputs):
        result.eager_error = _run_on_data(op, config, inputs, call_kwargs, tokens)
    return result


def check(op: str, config: dict, inputs: Any, call_kwargs: Optional[dict] = None,
          tokens: Optional[list] = None, eager: bool = True) -> None:
    """shapecheck and Keras agree: the same output shape, or both reject.

    A finding on inputs with an undefined axis (where Keras's symbolic call passed and no data
    could flow) must hold for every size tried in place of the ``None`` axes.
    """
    ours = infer(op, config, inputs, (), call_kwargs)
    theirs = keras_result(op, config, inputs, call_kwargs, tokens, eager)
    if theirs.rejected:
        assert isinstance(ours, str), (f"Keras rejects {op}({config}) on {inputs} {call_kwargs or ''}: "
                                       f"{theirs.error or theirs.eager_error!r}; shapecheck says {ours}")
        return
    if isinstance(ours, str) and has_undefined_axis(inputs):
        for size in (1, 2, 3, 5):
            filled = keras_result(op, config, _fill(inputs, size), call_kwargs, tokens, eager)
            assert filled.rejected, (f"shapecheck rejects {op}({config}) on {inputs}: {ours}, but Keras accepts "
                                     f"None axes = {size}")
        return
    assert ours == theirs.single, f"{op}({config}) on {inputs} {call_kwargs or ''}: Keras {theirs.single}, " \
                                  f"shapecheck {ours}"


SIZES = st.sampled_from([1, 2, 3, None])


@st.composite
def shape(draw, min_rank: int = 1, max_rank: int = 4, sizes: Any = SIZES) -> tuple:
    return (None, *[draw(sizes) for _ in range(draw(st.integers(min_rank, max_rank)) - 1)])


def _special_and_vocab_tokens(vocabulary: Any, fallback: list) -> list:
    if isinstance(vocabulary, list) and vocabulary:
        return vocabulary
    return fallback


# -- categorical encodings ------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from([1, 3, 5, 0, -1, 2.5, None, "3"]),
       st.sampled_from(["one_hot", "multi_hot", "count", "binary", "int", "onehot"]),
       shape(1, 4), st.sampled_from(["int32", "int64"]))
def test_category_encoding(num_tokens, output_mode, input_shape, dtype):
    config = {"num_tokens": num_tokens, "output_mode": output_mode}
    inputs = T(input_shape, dtype)
    check("CategoryEncoding", config, inputs)
    opaque_is_sound("CategoryEncoding", config, inputs)


@SETTINGS
@given(st.sampled_from([None, None, [], [0.0], [0.0, 1.0], [1.0, 0.0], [-0.5, 0.0, 0.5]]),
       st.sampled_from([None, None, 0, 3, -1]),
       st.sampled_from(["int", "one_hot", "multi_hot", "count", "binary"]), st.booleans(), shape(1, 4))
def test_discretization(bin_boundaries, num_bins, output_mode, sparse, input_shape):
    config = {"bin_boundaries": bin_boundaries, "num_bins": num_bins, "output_mode": output_mode, "sparse": sparse}
    # With only num_bins the layer needs adapt() before data flows: symbolic comparison only.
    check("Discretization", config, input_shape, eager=bin_boundaries is not None)
    opaque_is_sound("Discretization", config, input_shape)


@SETTINGS
@given(st.sampled_from([1, 3, 0, -2, None]), st.sampled_from(["int", "one_hot", "multi_hot", "count", "binary"]),
       st.sampled_from([None, None, 1, [1, 2], 1.5, (1, 2, 3)]), st.sampled_from([None, 0]), st.booleans(),
       shape(1, 4), st.sampled_from(["int64", "string"]))
def test_hashing(num_bins, output_mode, salt, mask_value, sparse, input_shape, dtype):
    config = {"num_bins": num_bins, "output_mode": output_mode, "salt": salt, "sparse": sparse}
    if mask_value is not None:
        config["mask_value"] = "0" if dtype == "string" else mask_value
    inputs = T(input_shape, dtype)
    check("Hashing", config, inputs, tokens=["0", "a", "b"] if dtype == "string" else [0, 1, 2])
    opaque_is_sound("Hashing", config, inputs)


@SETTINGS
@given(st.sampled_from([2, 2, 2, 2, 1, 3]), st.data(), st.sampled_from(["int", "one_hot", "multi_hot"]),
       st.sampled_from([4, 0]), st.sampled_from(["int64", "string"]))
def test_hashed_crossing(n, data, output_mode, num_bins, dtype):
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
        vocabularies = [None, None, ["a", "b", "c"], ["[UNK]", "a", "b"], ["", "[UNK]", "a"], ["a", "b", "a"],
                        [], ["a", ""]]
        mask = st.sampled_from([None, None, ""])
    else:
        vocabularies = [None, None, [3, 4, 5], [-1, 3, 4], [0, -1, 3], [3, 4, 3], [], [3, 0], [3, -1]]
        mask = st.sampled_from([None, None, 0])
    config: dict = {"vocabulary": draw(st.sampled_from(vocabularies)), "output_mode": draw(_MODES),
                    "mask_token": draw(mask), "num_oov_indices": draw(st.sampled_from([1, 1, 0, 2, -1])),
                    "max_tokens": draw(st.sampled_from([None, None, 1, 3, 5, 10])),
                    "pad_to_max_tokens": draw(st.booleans()), "invert": draw(st.sampled_from([False, False, True]))}
    if config["output_mode"] in ("tf_idf", "tf-idf") and draw(st.integers(0, 3)):
        size = len(config["vocabulary"] or []) + draw(st.sampled_from([0, 0, 0, 1]))
        config["idf_weights"] = [1.0] * size if config["vocabulary"] else None
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
    # Without a vocabulary the layer needs adapt() before data flows: symbolic comparison only.
    check("StringLookup", config, inputs, tokens=_lookup_tokens(config, True), eager=config["vocabulary"] is not None)
    opaque_is_sound("StringLookup", config, inputs)


@SETTINGS
@given(lookup_config(strings=False), shape(1, 3))
def test_integer_lookup(config, input_shape):
    inputs = T(input_shape, "int64")
    check("IntegerLookup", config, inputs, tokens=_lookup_tokens(config, False),
          eager=config["vocabulary"] is not None)
    opaque_is_sound("IntegerLookup", config, inputs)


@SETTINGS
@given(st.sampled_from([None, None, ["a", "b", "c"], ["", "[UNK]", "a"], ["[UNK]", "a"], ["a", "a"], ["a", ""]]),
       st.sampled_from(["int", "int", "multi_hot", "count", "tf_idf", "one_hot", "binary", "bad"]),
       st.sampled_from([None, None, 0, 3, -1, 2.5]), st.sampled_from(["whitespace", "character", None, "comma"]),
       st.sampled_from([None, None, 2, 0, (1, 2), (0,), [1, 2]]), st.sampled_from([None, None, 3, 4, 10]),
       st.booleans(), st.data(), shape(1, 3))
def test_text_vectorization(vocabulary, output_mode, length, split, ngrams, max_tokens, pad, data, input_shape):
    config: dict = {"vocabulary": vocabulary, "output_mode": output_mode, "output_sequence_length": length,
                    "split": split, "ngrams": ngrams, "max_tokens": max_tokens, "pad_to_max_tokens": pad}
    if output_mode == "tf_idf" and vocabulary and data.draw(st.booleans()):
        config["idf_weights"] = [1.0] * len(vocabulary)
    if data.draw(st.integers(0, 9)) == 0:
        config["standardize"] = data.draw(st.sampled_from(["lower", None, "upper"]))
    if data.draw(st.integers(0, 9)) == 0:
        config["ragged"] = True
    inputs = T(input_shape, "string")
    # Without a vocabulary the layer needs adapt() before data flows: symbolic comparison only.
    check("TextVectorization", config, inputs, tokens=["a b", "c"], eager=vocabulary is not None)
    opaque_is_sound("TextVectorization", config, inputs)


# -- audio ----------------------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from([2, 4, 8, 16]), st.sampled_from([1, 2, 4, 4, 0, -1]), st.sampled_from([None, None, 2, 4, 32]),
       st.sampled_from([1, 4, 4, 0]), st.sampled_from(["hann", "hann", "hamming", None, "blackman"]),
       shape(2, 3, st.sampled_from([1, 3, 8, 16, None])))
def test_mel_spectrogram(fft_length, stride, sequence_length, num_mel_bins, window, input_shape):
    # Rank 2 and 3 only: on a rank-1 input the samples are the batch axis, which the oracle's
    # data fixes at 2 (and no model has a known batch there).
    config = {"fft_length": fft_length, "sequence_stride": stride, "sequence_length": sequence_length,
              "num_mel_bins": num_mel_bins, "window": window}
    check("MelSpectrogram", config, input_shape)
    opaque_is_sound("MelSpectrogram", config, input_shape)


@SETTINGS
@given(st.sampled_from([1, 4, 6, 8]), st.sampled_from([None, None, 1, 2, 3, 9, 0]),
       st.sampled_from([None, None, 4, 8, 16]), st.sampled_from(["log", "magnitude", "psd", "stft", "real", "angle",
                                                                 "bad"]),
       st.sampled_from(["valid", "same", "causal"]), st.booleans(),
       st.sampled_from([None, "channels_first", "channels_last", "NHWC"]),
       st.sampled_from(["density", "spectrum", None, "bad"]), shape(2, 4, st.sampled_from([1, 2, 8, 16, None])))
def test_stft_spectrogram(frame_length, frame_step, fft_length, mode, padding, expand_dims, data_format, scaling,
                          input_shape):
    config = {"frame_length": frame_length, "frame_step": frame_step, "fft_length": fft_length, "mode": mode,
              "padding": padding, "expand_dims": expand_dims, "data_format": data_format, "scaling": scaling}
    check("STFTSpectrogram", config, input_shape)
    opaque_is_sound("STFTSpectrogram", config, input_shape)


# -- ReversibleEmbedding ----------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from([2, 5, 0]), st.sampled_from([1, 3, 4]), st.sampled_from([None, False, True]),
       st.booleans(), st.data())
def test_reversible_embedding(input_dim, output_dim, reverse, tie_weights, data):
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
