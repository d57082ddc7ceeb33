"""TensorFlow functions applied to Keras tensors (tf.keras 2: TFOpLambda), and tf.keras 2 backend
functions, against TensorFlow itself, over generated cases.

``tensorflow.*`` rules are compared with the TensorFlow function, traced with ``tf.function`` (its
shape functions decide).  ``keras.backend.*`` rules are compared with ``tf_keras.backend``'s
function on TensorFlow tensors.  Both are traced with ``tf.function`` (TensorFlow's shape functions,
which is what tf.keras 2 gives a TFOpLambda's output) and, except for the few ops whose oneDNN kernels
TensorFlow 2.21 should not run many rejected times eagerly (``GRAPH_ONLY``), also run eagerly: a
kernel-time failure (a repeated reduction axis, a slice past the end) is what the model meets on data.
Each ``None`` axis is filled with several sizes: shapecheck must give
TensorFlow's shape for each filling, and report a finding on the undefined shapes only when TensorFlow
fails for every filling.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shapecheck.core.engine import infer
from shapecheck.core.rules import OPS, T, load_rules

from . import keras_oracle  # noqa: F401 - quiet TensorFlow before it is imported
from .test_oracle_ops import (SETTINGS, SIZES, _fill, _fill_each, _lookup, _shapes_in, _tf_shapes, _tf_specs,
                              _undefined, broadcast_pair, shape)

FILLS = (1, 2, 3, 5)
# tried before concluding that TensorFlow fails for every size: some calls need one size (a bias of
# 4 on a (None,) tensor)
MORE = (4, 6, 8, 9, 12, 16)

tf = pytest.importorskip("tensorflow")
load_rules()


def _function(op: str) -> Callable:
    if op.startswith("keras.backend."):
        import tf_keras

        return getattr(tf_keras.backend, op.rsplit(".", 1)[1])
    return _lookup(tf, op)


def _consensus(v: Any, pick: dict) -> Any:
    """Each ``None`` axis takes the size other shapes have there (counted from the end, or the start)."""
    if isinstance(v, T):
        return T(None if v.shape is None else _consensus(v.shape, pick), v.dtype)
    if isinstance(v, tuple):
        return tuple(pick.get((len(v) - i, i), d) if d is None else d for i, d in enumerate(v))
    if isinstance(v, list):
        return [_consensus(x, pick) for x in v]
    return v


def _consensus_fills(inputs: Any, args: tuple) -> list:
    shapes = _shapes_in([inputs, *args])
    out = []
    for align in ("end", "start"):
        for size in (1, 2, 3):
            pick: dict = {}
            for sh in shapes:
                for i, d in enumerate(sh):
                    if d is not None and d != 1:
                        for other in shapes:
                            j = len(other) - (len(sh) - i) if align == "end" else i
                            if 0 <= j < len(other):
                                pick.setdefault((len(other) - j, j), d)
            filled = _consensus([inputs, *args], pick)
            out.append((_fill(filled[0], size), tuple(_fill(a, size) for a in filled[1:])))
    return out


def _mixed_fills(inputs: Any, args: tuple) -> list:
    """Each ``None`` axis a size of its own: every combination for up to three such axes."""
    n = sum(d is None for sh in _shapes_in([inputs, *args]) for d in sh)
    if n > 3:
        return []
    out = []
    for combo in itertools.product((1, 2, 3, 4), repeat=n):
        filled = _fill_each([inputs, *args], iter(combo))
        out.append((filled[0], tuple(filled[1:])))
    return out


def _array(v: Any, rng: np.random.Generator) -> Any:
    if isinstance(v, T):
        if v.dtype == "bool":
            return rng.integers(0, 2, size=v.shape).astype(bool)
        if v.dtype.startswith("complex"):
            return (rng.standard_normal(v.shape) + 1j).astype(v.dtype)
        if v.dtype.startswith("int"):
            return np.zeros(v.shape, v.dtype)  # valid ids and labels for any size
        return rng.standard_normal(v.shape).astype(v.dtype)
    if isinstance(v, tuple):
        return rng.standard_normal(v).astype("float32")
    if isinstance(v, list):
        return [_array(x, rng) for x in v]
    return v


#: traced only: matrix kernels (oneDNN) that are not run eagerly on rejected shapes
GRAPH_ONLY = {"tensorflow.linalg.det", "tensorflow.linalg.inv", "keras.backend.batch_dot"}


def tf_run(op: str, config: dict, inputs: Any, args: tuple = ()) -> Any:
    """TensorFlow's output shape(s) for concrete arguments, or the exception it raised (traced, then
    run eagerly unless ``op`` is in ``GRAPH_ONLY``)."""
    rng = np.random.default_rng(0)
    fn = _function(op)
    arrays = [_array(inputs, rng), *[_array(a, rng) for a in args]]
    try:
        out = tf.function(lambda *xs: fn(*xs, **config), autograph=False).get_concrete_function(
            *_tf_specs(arrays)).structured_outputs
        if op not in GRAPH_ONLY:  # a kernel's failure counts; the shape is the traced one (sequence_mask)
            fn(*[tf.constant(a) if isinstance(a, np.ndarray) else a for a in arrays], **config)
    except Exception as e:  # noqa: BLE001 - TensorFlow's verdict
        return e
    return _tf_shapes(out)


def agrees_with_tf(op: str, config: dict, inputs: Any, args: tuple = ()) -> None:
    """shapecheck gives TensorFlow's shape for each filling of the ``None`` axes; a finding on the
    original shapes only when TensorFlow fails for every filling."""
    ours = infer(op, config, inputs, args, keras_version=2)
    fills = FILLS if _undefined([inputs, *args]) else (0,)
    theirs = [tf_run(op, config, _fill(inputs, s), tuple(_fill(a, s) for a in args)) for s in fills]
    failed = [isinstance(t, Exception) for t in theirs]
    if isinstance(ours, str):
        assert all(failed), f"shapecheck says {ours} for {op}({config}) on {inputs} {args}; TensorFlow gives {theirs}"
        return
    for s, t in zip(fills, theirs):
        mine = infer(op, config, _fill(inputs, s), tuple(_fill(a, s) for a in args), keras_version=2)
        if isinstance(t, Exception):
            assert isinstance(mine, str) or mine is None or not all(failed), \
                f"TensorFlow rejects {op}({config}) on {_fill(inputs, s)} {args}: {t!r}; shapecheck says {mine}"
        elif mine is not None:  # unknown is never wrong
            assert mine == t, f"{op}({config}) on {_fill(inputs, s)} {tuple(_fill(a, s) for a in args)}: " \
                              f"TF {t}, shapecheck {mine}"
    if all(failed) and ours is not None and _undefined([inputs, *args]):
        failed += [isinstance(tf_run(op, config, _fill(inputs, s), tuple(_fill(a, s) for a in args)), Exception)
                   for s in MORE]
        failed += [isinstance(tf_run(op, config, i, a), Exception) for i, a in _consensus_fills(inputs, args)]
        if all(failed):
            failed += [isinstance(tf_run(op, config, i, a), Exception) for i, a in _mixed_fills(inputs, args)]
    if all(failed):
        # on the undefined shapes shapecheck may stay silent only when it cannot tell
        assert ours is None, f"TensorFlow fails for every filling of {op}({config}) on {inputs} {args}: " \
                             f"{theirs[0]!r}; shapecheck says {ours}"


# -- the rules' own examples --------------------------------------------------------------

_MINE = sorted({n for n, r in OPS.items() if type(r).__module__.startswith("shapecheck.ops")
                and (n.startswith("tensorflow.") or n.startswith("keras.backend."))
                and type(r).__name__ in {
                    "TfUnstack", "TfReverse", "TfRoll", "TfShape", "TfSize", "TfDepthToSpace", "TfSpaceToDepth",
                    "TfSequenceMask", "TfSlice", "KRepeat", "KTemporalPadding", "KSpatial2dPadding", "TfTrace",
                    "TfDet", "TfInv", "TfDiagPart", "TfDiag", "TfBandPart", "TfL2Normalize", "TfBiasAdd",
                    "TfMoments", "TfEuclideanNorm", "TfCountNonzero", "TfDropout", "Tf_arccos", "Tf_arcsin",
                    "Tf_arctan", "Tf_sinh", "Tf_cosh", "Tf_arcsinh", "Tf_arccosh", "Tf_arctanh", "Tf_erfc",
                    "Tf_log_sigmoid", "Tf_divide_no_nan", "Tf_xlogy", "Tf_xdivy", "Tf_reduce_sum",
                    "Tf_reduce_mean", "Tf_reduce_max", "KFilled", "KConstant", "TfBooleanMask", "TfEmbeddingLookup",
                    "TfStridedSlice", *[f"Tf{u}Segment{n}" for u in ("", "Unsorted")
                                        for n in ("Sum", "Max", "Min", "Mean", "Prod")],
                    "TfSigmoidCrossEntropy", "TfSparseSoftmaxCrossEntropy", "TfFrame", "TfRfft", "TfImageResize",
                    "TfRgbToGrayscale", "TfGrayscaleToRgb", "KBatchDot", "TfInTopK", "TfBatchNormalization", "TfExtractPatches", "KResizeImages",
                    "TfSoftmaxCrossEntropy", "TfBincount", "TfStft", "TfFft", "KVariable"}})


def test_my_rules_are_registered():
    assert len(_MINE) >= 50


def test_every_name_is_public():
    missing = []
    for n in _MINE:
        try:
            _function(n)
        except AttributeError:
            missing.append(n)
    assert missing == []


def test_tensorflow_aliases_share_the_rule():
    # tf.X, tf.math.X, tf.nn.X ... that are one function have one rule
    modules = {"": tf, "math.": tf.math, "nn.": tf.nn, "linalg.": tf.linalg, "signal.": tf.signal,
               "image.": tf.image, "random.": tf.random}
    paths: dict[int, list[str]] = {}
    for prefix, module in modules.items():
        for n in dir(module):
            obj = getattr(module, n, None)
            if not n.startswith("_") and callable(obj):
                paths.setdefault(id(obj), []).append(f"tensorflow.{prefix}{n}")
    missing = []
    for name, rule in OPS.items():
        if name.startswith("tensorflow."):
            try:
                fn = _function(name)
            except AttributeError:
                continue  # a TensorFlow 1 spelling
            missing += [(alias, name) for alias in paths.get(id(fn), []) if OPS.get(alias) is not rule]
    assert missing == []


@pytest.mark.parametrize("op", _MINE)
def test_examples_hold_for_tensorflow(op):
    for ex in OPS[op].examples:
        if ex.inputs is None:  # a constructor: shape, value arguments
            assert infer(op, ex.config, None, keras_version=2) == tuple(_function(op)(**ex.config).shape)
        else:
            agrees_with_tf(op, ex.config, ex.inputs, ex.args)


# -- strategies ---------------------------------------------------------------------------


def axes_arg(rank: int) -> st.SearchStrategy:
    one = st.integers(-rank - 1, rank)
    return st.one_of(one, st.lists(one, min_size=1, max_size=3))


# -- elementwise --------------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from(["tensorflow.math.acos", "tensorflow.asinh", "tensorflow.math.cosh", "tensorflow.atanh",
                        "tensorflow.math.erfc", "tensorflow.math.log_sigmoid", "tensorflow.nn.dropout"]),
       shape(1, 4))
def test_unary(op, x):
    agrees_with_tf(op, {"rate": 0.5} if op.endswith("dropout") else {}, x)


@SETTINGS
@given(st.sampled_from(["tensorflow.math.divide_no_nan", "tensorflow.math.xlogy", "tensorflow.math.xdivy"]),
       broadcast_pair())
def test_binary(op, pair):
    agrees_with_tf(op, {}, pair[0], (pair[1],))


# -- reductions and normalisation ---------------------------------------------------------


@SETTINGS
@given(st.sampled_from(["tensorflow.math.reduce_euclidean_norm", "tensorflow.math.count_nonzero",
                        "tensorflow.reduce_sum", "tensorflow.math.reduce_variance", "tensorflow.reduce_max"]),
       st.data())
def test_reductions(op, data):
    x = data.draw(shape(1, 4))
    config = {"axis": data.draw(st.one_of(st.none(), axes_arg(len(x)))), "keepdims": data.draw(st.booleans())}
    agrees_with_tf(op, config, x)


@SETTINGS
@given(st.sampled_from(["tensorflow.math.l2_normalize", "tensorflow.nn.moments", "keras.backend.l2_normalize"]),
       st.data())
def test_normalisation_axes(op, data):
    x = data.draw(shape(1, 4))
    if op == "tensorflow.nn.moments":
        axes = data.draw(st.lists(st.integers(-len(x) - 1, len(x)), min_size=1, max_size=3))
        agrees_with_tf(op, {"axes": axes, "keepdims": data.draw(st.booleans())}, x)
    else:
        agrees_with_tf(op, {"axis": data.draw(st.one_of(st.none(), axes_arg(len(x))))}, x)


@SETTINGS
@given(shape(1, 4), st.sampled_from([(1,), (2,), (3,), (4,), (None,), (1, 3), ()]))
def test_bias_add(x, bias):
    agrees_with_tf("tensorflow.nn.bias_add", {}, x, (bias,))


# -- shapes -------------------------------------------------------------------------------


@SETTINGS
@given(shape(0, 4), st.integers(-4, 3), st.sampled_from([None, 1, 2, 3]))
def test_unstack(x, axis, num):
    agrees_with_tf("tensorflow.unstack", {"num": num, "axis": axis}, x)


@SETTINGS
@given(shape(1, 4), st.data())
def test_reverse(x, data):
    axes = data.draw(st.lists(st.integers(-len(x) - 1, len(x)), max_size=3))
    agrees_with_tf("tensorflow.reverse", {"axis": axes}, x)


@SETTINGS
@given(shape(1, 4), st.data())
def test_roll(x, data):
    if data.draw(st.booleans()):
        config = {"shift": 1, "axis": data.draw(st.integers(-len(x) - 1, len(x)))}
    else:
        axes = data.draw(st.lists(st.integers(-len(x) - 1, len(x)), min_size=1, max_size=3))
        config = {"shift": [1] * data.draw(st.integers(1, 3)), "axis": axes}
    agrees_with_tf("tensorflow.roll", config, x)


@SETTINGS
@given(st.sampled_from(["tensorflow.shape", "tensorflow.size", "tensorflow.rank"]), shape(1, 5))
def test_shape_size_rank(op, x):
    agrees_with_tf(op, {}, x)


@SETTINGS
@given(st.sampled_from(["tensorflow.nn.depth_to_space", "tensorflow.nn.space_to_depth"]), shape(3, 5),
       st.sampled_from([1, 2, 3]), st.sampled_from([1, 2, 4, 6, 8, 9, None]))
def test_depth_space(op, x, block, channels):
    x = x[:-1] + (channels,)
    agrees_with_tf(op, {"block_size": block}, x)


@SETTINGS
@given(shape(1, 3), st.sampled_from([None, 0, 1, 5]))
def test_sequence_mask(x, maxlen):
    agrees_with_tf("tensorflow.sequence_mask", {"maxlen": maxlen}, T(x, "int32"))


@SETTINGS
@given(shape(1, 3), st.data())
def test_slice(x, data):
    n = data.draw(st.sampled_from([len(x), len(x), len(x) - 1, len(x) + 1]))
    begin = data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    size = data.draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n))
    agrees_with_tf("tensorflow.slice", {"begin": begin, "size": size}, x)


# -- linear algebra -----------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from(["tensorflow.linalg.trace", "tensorflow.linalg.det", "tensorflow.linalg.inv",
                        "tensorflow.linalg.diag_part", "tensorflow.linalg.diag", "tensorflow.linalg.band_part"]),
       shape(0, 4))
def test_matrix_functions(op, x):
    config = {"num_lower": 0, "num_upper": -1} if op.endswith("band_part") else {}
    agrees_with_tf(op, config, x)


# -- tf.keras 2 backend -------------------------------------------------------------------


@SETTINGS
@given(shape(1, 4), st.sampled_from([0, 1, 3]))
def test_k_repeat(x, n):
    agrees_with_tf("keras.backend.repeat", {"n": n}, x)


@SETTINGS
@given(shape(1, 5), st.sampled_from([(1, 1), (0, 2), (3, 0)]))
def test_k_temporal_padding(x, padding):
    agrees_with_tf("keras.backend.temporal_padding", {"padding": padding}, x)


@SETTINGS
@given(shape(2, 5), st.sampled_from([((1, 1), (1, 1)), ((0, 2), (3, 0))]),
       st.sampled_from([None, "channels_first", "channels_last"]))
def test_k_spatial_2d_padding(x, padding, data_format):
    agrees_with_tf("keras.backend.spatial_2d_padding", {"padding": padding, "data_format": data_format}, x)


# -- the second family: masks, lookups, strided slices, segments, losses, signal, image ---------


@SETTINGS
@given(shape(1, 4), st.data())
def test_boolean_mask(x, data):
    start = data.draw(st.integers(0, len(x)))
    k = data.draw(st.integers(0, 3))
    mask = list(x[start:start + k])
    if mask and data.draw(st.booleans()):
        mask[data.draw(st.integers(0, len(mask) - 1))] = data.draw(SIZES)
    axis = data.draw(st.sampled_from([None, start, start - len(x)]))
    agrees_with_tf("tensorflow.boolean_mask", {"axis": axis}, x, (T(tuple(mask), "bool"),))


@SETTINGS
@given(shape(1, 3), shape(1, 3))
def test_embedding_lookup(params, ids):
    agrees_with_tf("tensorflow.nn.embedding_lookup", {}, params, (T(ids, "int32"),))


@SETTINGS
@given(shape(1, 4), st.data())
def test_strided_slice(x, data):
    n = data.draw(st.integers(1, len(x) + 1))
    ints = st.lists(st.integers(-5, 5), min_size=n, max_size=n)
    begin, end = data.draw(ints), data.draw(ints)
    strides = data.draw(st.one_of(st.none(), st.lists(st.sampled_from([1, 1, 2, -1, 3]), min_size=n, max_size=n)))
    masks = {m: data.draw(st.integers(0, (1 << n) - 1))
             for m in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
             if data.draw(st.booleans())}
    if n != len(begin) or data.draw(st.integers(0, 9)) == 0:
        end = end[:-1]
    agrees_with_tf("tensorflow.strided_slice", {"begin": begin, "end": end, "strides": strides, **masks}, x)


@SETTINGS
@given(st.sampled_from(["sum", "max", "mean"]), shape(1, 3), shape(1, 3), st.booleans())
def test_segments(name, data, ids, unsorted):
    if unsorted:
        agrees_with_tf(f"tensorflow.math.unsorted_segment_{name}", {"num_segments": 3}, data, (T(ids, "int32"),))
    else:
        agrees_with_tf(f"tensorflow.math.segment_{name}", {}, data, (T(ids, "int32"),))


@SETTINGS
@given(broadcast_pair(), st.booleans())
def test_cross_entropies(pair, sparse):
    labels, logits = pair
    if sparse:
        agrees_with_tf("tensorflow.nn.sparse_softmax_cross_entropy_with_logits", {}, T(labels, "int32"), (logits,))
    else:
        agrees_with_tf("tensorflow.nn.sigmoid_cross_entropy_with_logits", {}, labels, (logits,))


@SETTINGS
@given(shape(1, 3), st.integers(1, 5), st.integers(1, 3), st.booleans(), st.integers(-3, 2))
def test_frame(x, length, step, pad_end, axis):
    agrees_with_tf("tensorflow.signal.frame",
                   {"frame_length": length, "frame_step": step, "pad_end": pad_end, "axis": axis}, x)


@SETTINGS
@given(shape(0, 3), st.sampled_from([None, [4], [5]]))
def test_rfft(x, fft_length):
    agrees_with_tf("tensorflow.signal.rfft", {"fft_length": fft_length}, x)


@SETTINGS
@given(st.sampled_from(["tensorflow.image.resize", "tensorflow.image.rgb_to_grayscale",
                        "tensorflow.image.grayscale_to_rgb"]), shape(1, 5), st.sampled_from([1, 3, None]),
       st.sampled_from([(2, 3), (5,), [1, 1]]))
def test_image(op, x, channels, size):
    x = x[:-1] + (channels,)
    agrees_with_tf(op, {"size": size} if op.endswith("resize") else {}, x)


@SETTINGS
@given(shape(1, 4), shape(1, 4), st.sampled_from([None, 1, 2, -1, 0, [1, 2], [2, 1], [-1, 1]]))
def test_k_batch_dot(x, y, axes):
    agrees_with_tf("keras.backend.batch_dot", {"axes": axes}, x, (y,))


@SETTINGS
@given(shape(1, 3), shape(1, 3), st.sampled_from([1, 2]))
def test_in_top_k(targets, predictions, k):
    agrees_with_tf("tensorflow.math.in_top_k", {"k": k}, T(targets, "int32"), (predictions,))


@SETTINGS
@given(broadcast_pair(), st.booleans())
def test_batch_normalization(pair, affine):
    x, stats = pair
    config = {"variance_epsilon": 1e-3, **({} if affine else {"offset": None, "scale": None})}
    args = (stats, stats, stats, stats) if affine else (stats, stats)
    agrees_with_tf("tensorflow.nn.batch_normalization", config, x, args)


@SETTINGS
@given(shape(1, 5), st.sampled_from([[1, 3, 3, 1], [1, 2, 1, 1]]), st.sampled_from([[1, 2, 2, 1], [1, 1, 3, 1]]),
       st.sampled_from([[1, 1, 1, 1], [1, 2, 2, 1]]), st.sampled_from(["VALID", "SAME"]))
def test_extract_patches(x, sizes, strides, rates, padding):
    agrees_with_tf("tensorflow.image.extract_patches",
                   {"sizes": sizes, "strides": strides, "rates": rates, "padding": padding}, x)


@SETTINGS
@given(shape(2, 5), st.sampled_from([1, 2]), st.sampled_from([1, 3]),
       st.sampled_from(["channels_first", "channels_last"]))
def test_k_resize_images(x, hf, wf, data_format):
    agrees_with_tf("keras.backend.resize_images",
                   {"height_factor": hf, "width_factor": wf, "data_format": data_format}, x)


@SETTINGS
@given(broadcast_pair(), st.integers(-3, 2))
def test_softmax_cross_entropy(pair, axis):
    agrees_with_tf("tensorflow.nn.softmax_cross_entropy_with_logits", {"axis": axis}, pair[0], (pair[1],))


@SETTINGS
@given(shape(1, 3))
def test_bincount(x):
    agrees_with_tf("tensorflow.math.bincount", {}, T(x, "int32"))


@SETTINGS
@given(shape(1, 3), st.integers(1, 6), st.integers(1, 3), st.sampled_from([None, 8]), st.booleans())
def test_stft(x, length, step, fft_length, pad_end):
    agrees_with_tf("tensorflow.signal.stft", {"frame_length": length, "frame_step": step,
                                               "fft_length": fft_length, "pad_end": pad_end}, x)


@SETTINGS
@given(st.sampled_from(["tensorflow.signal.fft", "tensorflow.signal.ifft"]), shape(0, 3))
def test_fft(op, x):
    agrees_with_tf(op, {}, T(x, "complex64"))
