"""Rules for ``keras.ops.math``: segment reductions, FFTs, ``stft``/``istft``, ``top_k`` and friends."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, OpRule, T, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from .op_utils import broadcast_or_fail, is_int, known, never_holds, param, shape_of, tensor


def _later(what: str) -> str:
    return f"{what}; Keras builds the call, but it fails as soon as data flows."


def _negative(d: Dim, what: str, shape: Shape) -> None:
    if is_int(d) and d < 0:  # type: ignore[operator]
        raise ShapeError(INVALID_ARGUMENT, f"Negative dimensions are not allowed: `{what}` of {show_shape(shape)} "
                         f"gives {d} frames.")


# -- FFTs: a (real, imag) pair in, the same out ------------------------------------------


def _complex_pair(call: Call, rank: int, defined: int) -> tuple[TensorType, TensorType]:
    """Keras's checks of ``x = (real, imag)``: two tensors of one shape (``!=`` on the shapes), of rank
    ``rank`` or more, the last ``defined`` axes defined."""
    x = param(call, "x")
    what = call.rule.names[0].split(".")[-1]
    if isinstance(x, TensorType) or (isinstance(x, (list, tuple)) and len(x) != 2):
        raise ShapeError(INVALID_ARGUMENT, f"Input `x` should be a tuple of two tensors - real and imaginary "
                         f"(`{what}`).")
    if not isinstance(x, (list, tuple)) or not all(isinstance(t, TensorType) for t in x):
        raise Unknowable()
    real, imag = x
    if real.shape is None or imag.shape is None:
        raise Unknowable()
    sr, si = real.shape, imag.shape
    if len(sr) != len(si) or any((a is None) != (b is None) or dims.differs(a, b) for a, b in zip(sr, si)):
        raise ShapeError(INCOMPATIBLE_SHAPES, "Input `x` should be a tuple of two tensors - real and imaginary. Both "
                         "the real and imaginary parts should have the same shape. Received: x[0].shape = "
                         f"{show_shape(sr)}, x[1].shape = {show_shape(si)}")
    if any(a != b for a, b in zip(sr, si)):
        raise Unknowable()  # two opaque sizes: Keras compares them
    if len(sr) < rank:
        raise ShapeError(RANK_MISMATCH, f"Input should have rank >= {rank}. Received: input.shape = {show_shape(sr)}")
    if any(d is None for d in sr[len(sr) - defined:]):
        raise ShapeError(INVALID_ARGUMENT, f"Input should have its last {defined} dimension(s) fully-defined. "
                         f"Received: input.shape = {show_shape(sr)}")
    return real, imag


class _FFT(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x",)
    rank: ClassVar[int] = 1

    def output(self, call: Call) -> list[TensorType]:
        real, imag = _complex_pair(call, self.rank, self.rank)
        return [real, imag]


@register
class Fft(_FFT):
    """``keras.ops.fft(x)``: ``x = (real, imag)`` of one shape, rank 1 or more, the last axis defined; the
    same pair out."""

    names = ("keras.ops.fft",)
    examples = (
        Example({}, [(None, 8), (None, 8)], [(None, 8), (None, 8)]),
        Example({}, [(None, None), (None, None)], "invalid-argument"),
        Example({}, [(None, 8), (None, 4)], "incompatible-shapes"),
        Example({}, (None, 8), "invalid-argument"),
    )


@register
class Fft2(_FFT):
    """``keras.ops.fft2(x)``: ``x = (real, imag)`` of one shape, rank 2 or more, the last two axes defined; the
    same pair out."""

    names = ("keras.ops.fft2",)
    rank = 2
    examples = (
        Example({}, [(None, 4, 8), (None, 4, 8)], [(None, 4, 8), (None, 4, 8)]),
        Example({}, [(8,), (8,)], "rank-mismatch"),
        Example({}, [(None, 8), (None, 8)], "invalid-argument"),
    )


@register
class Ifft2(Fft2):
    """``keras.ops.ifft2(x)``: ``x = (real, imag)`` of one shape, rank 2 or more, the last two axes defined; the
    same pair out."""

    names = ("keras.ops.ifft2",)


@register
class Rfft(OpRule):
    """``keras.ops.rfft(x, fft_length=None)``: the last axis becomes ``fft_length // 2 + 1`` (``fft_length``
    defaults to its length); a real and an imaginary part."""

    names = ("keras.ops.rfft",)
    params = ("x", "fft_length")
    defaults = {"fft_length": None}
    examples = (
        Example({}, (None, 8), [(None, 5), (None, 5)]),
        Example({"fft_length": 6}, (None, None), [(None, 4), (None, 4)]),
        Example({}, (), "rank-mismatch"),
    )

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if not shape:
            raise ShapeError(RANK_MISMATCH, "Input should have rank >= 1. Received: input.shape = ()")
        n = known(param(call, "fft_length"))
        if n == 0:
            raise ShapeError(INVALID_ARGUMENT, _later("axis length mismatch: `rfft` with fft_length=0 (TensorFlow "
                                                      "aborts the process)"))
        base = shape[-1] if n is None else n
        last = None if base is None else dims.add(dims.floordiv(base, 2), 1)
        out = x.with_shape(shape[:-1] + (last,))
        return [out, out]


@register
class Irfft(OpRule):
    """``keras.ops.irfft(x, fft_length=None)``: ``x = (real, imag)`` of one shape, rank 1 or more; the last
    axis becomes ``fft_length`` (default ``2 * (n - 1)``)."""

    names = ("keras.ops.irfft",)
    params = ("x", "fft_length")
    defaults = {"fft_length": None}
    examples = (
        Example({}, [(None, 5), (None, 5)], (None, 8)),
        Example({"fft_length": 7}, [(None, 5), (None, 5)], (None, 7)),
        Example({}, [(None, 5), (None, 4)], "incompatible-shapes"),
    )

    def output(self, call: Call) -> TensorType:
        real, _ = _complex_pair(call, 1, 0)
        shape = real.shape
        assert shape is not None
        n = known(param(call, "fft_length"))
        last = n if n is not None else None if shape[-1] is None else dims.mul(2, dims.add(shape[-1], -1))
        if last == 0:
            raise ShapeError(INVALID_ARGUMENT, _later(f"no zero-sized FFTs: `irfft` of {show_shape(shape)} computes "
                                                      "an FFT of length 0 (TensorFlow aborts the process)"))
        return real.with_shape(shape[:-1] + (last,))


# -- frames: extract_sequences, stft, istft ----------------------------------------------


def _positive_stride(stride: Any) -> int:
    stride = known(stride)
    if not is_int(stride) or stride <= 0:
        raise ShapeError(INVALID_ARGUMENT, f"`sequence_stride` must be a positive integer. Received: "
                         f"sequence_stride={stride}")
    return stride


@register
class ExtractSequences(OpRule):
    """``keras.ops.extract_sequences(x, sequence_length, sequence_stride)``: the last axis ``n`` becomes
    ``(1 + (n - sequence_length) // sequence_stride, sequence_length)`` (no negative count)."""

    names = ("keras.ops.extract_sequences",)
    params = ("x", "sequence_length", "sequence_stride")
    examples = (
        Example({"sequence_length": 4, "sequence_stride": 2}, (None, 10), (None, 4, 4)),
        Example({"sequence_length": 4, "sequence_stride": 2}, (None, None), (None, None, 4)),
        Example({"sequence_length": 13, "sequence_stride": 2}, (None, 10), "invalid-argument"),
        Example({"sequence_length": 4, "sequence_stride": 2}, (), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if not shape:
            raise ShapeError(RANK_MISMATCH, "Input should have rank >= 1. Received: input.shape = ()")
        length, stride = known(param(call, "sequence_length")), known(param(call, "sequence_stride"))
        if not (is_int(length) and is_int(stride)):
            raise Unknowable()
        n = shape[-1]
        if stride == 0:
            raise ShapeError(INVALID_ARGUMENT, "integer division or modulo by zero: `sequence_stride=0`")
        count: Dim = None
        if n is not None:
            count = dims.add(1, dims.floordiv(dims.sub(n, length), stride)) if stride > 0 else dims.unknown()
            _negative(count, "extract_sequences", shape)
        if stride < 0:
            raise Unknowable()
        return x.with_shape(shape[:-1] + (count, length))


@register
class Stft(OpRule):
    """``keras.ops.stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True)``: the last
    axis ``n`` becomes ``(1 + (n + padding - fft_length) // sequence_stride, fft_length // 2 + 1)`` (padding
    ``2 * (fft_length // 2)`` when centered), a real and an imaginary part.  Once data flows the TensorFlow
    backend needs ``fft_length >= sequence_length``, a hann or hamming window, and a centered signal longer
    than ``fft_length // 2`` (it is reflected)."""

    names = ("keras.ops.stft",)
    params = ("x", "sequence_length", "sequence_stride", "fft_length", "window", "center")
    defaults = {"window": "hann", "center": True}
    examples = (
        Example({"sequence_length": 4, "sequence_stride": 2, "fft_length": 4}, (None, 8), [(None, 5, 3)] * 2),
        Example({"sequence_length": 4, "sequence_stride": 2, "fft_length": 8, "center": False}, (None, 8),
                [(None, 1, 5)] * 2),
        Example({"sequence_length": 4, "sequence_stride": 0, "fft_length": 4}, (None, 8), "invalid-argument"),
        Example({"sequence_length": 4, "sequence_stride": 2, "fft_length": 2}, (None, 8), "invalid-argument"),
        Example({"sequence_length": 4, "sequence_stride": 2, "fft_length": 8}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> list[TensorType]:
        stride = _positive_stride(param(call, "sequence_stride"))
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if not shape:
            raise ShapeError(RANK_MISMATCH, "tuple index out of range: `stft` needs an input of rank 1 or more.")
        length, fft, center = (known(param(call, p)) for p in ("sequence_length", "fft_length", "center"))
        window = param(call, "window")
        if not (is_int(length) and is_int(fft)):
            raise Unknowable()
        n = shape[-1]
        count: Dim = None
        if n is not None:
            padded = 0 if center is False else (fft // 2) * 2
            count = dims.add(1, dims.floordiv(dims.sub(dims.add(n, padded), fft), stride))
            _negative(count, "stft", shape)
        if fft < length:
            raise ShapeError(INVALID_ARGUMENT, _later(f"`fft_length` must equal or larger than `sequence_length`. "
                                                      f"Received: sequence_length={length}, fft_length={fft}"))
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ShapeError(INVALID_ARGUMENT, _later(f"If a string is passed to `window`, it must be one of "
                                                      f'`"hann"`, `"hamming"`. Received: window={window}'))
        if center and is_int(n) and fft // 2 >= n:  # type: ignore[operator]
            raise ShapeError(INVALID_ARGUMENT, _later(f"paddings must be less than the dimension size: `stft` "
                                                      f"reflects {fft // 2} values at each end of a signal of {n}"))
        out = x.with_shape(shape[:-1] + (count, fft // 2 + 1))
        return [out, out]


@register
class Istft(OpRule):
    """``keras.ops.istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
    center=True)``: ``x = (real, imag)`` of one shape ``(..., frames, bins)``; the two last axes become
    ``length``, or ``(frames - 1) * sequence_stride + fft_length`` (less ``2 * (fft_length // 2)`` when
    centered)."""

    names = ("keras.ops.istft",)
    params = ("x", "sequence_length", "sequence_stride", "fft_length", "length", "window", "center")
    defaults = {"length": None, "window": "hann", "center": True}
    examples = (
        Example({"sequence_length": 4, "sequence_stride": 2, "fft_length": 4}, [(None, 5, 3)] * 2, (None, 8)),
        Example({"sequence_length": 4, "sequence_stride": 2, "fft_length": 8, "length": 10}, [(None, 5, 5)] * 2,
                (None, 10)),
        Example({"sequence_length": 4, "sequence_stride": 2, "fft_length": 4}, [(5,)] * 2, "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        stride = _positive_stride(param(call, "sequence_stride"))
        real, _ = _complex_pair(call, 2, 0)
        shape = real.shape
        assert shape is not None
        fft, length, center = (known(param(call, p)) for p in ("fft_length", "length", "center"))
        seq = known(param(call, "sequence_length"))
        window = param(call, "window")
        if not is_int(fft):
            raise Unknowable()
        frames = shape[-2]
        size: Dim = length
        if frames is not None and length is None:
            size = dims.add(dims.mul(dims.add(frames, -1), stride), fft)
            if center:
                size = dims.sub(size, (fft // 2) * 2)
            _negative(size, "istft", shape)
        if is_int(seq) and fft < seq and window is not None:
            raise ShapeError(INVALID_ARGUMENT, _later(f"`istft` pads its window by fft_length - sequence_length = "
                                                      f"{fft - seq}"))
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise Unknowable()
        return real.with_shape(shape[:-2] + (size,))


# -- segment reductions -------------------------------------------------------------------


class _Segment(OpRule):
    """``(num_segments,) + data.shape[1:]``; ``segment_ids`` a vector as long as ``data``'s first axis."""

    params: ClassVar[tuple[str, ...]] = ("data", "segment_ids", "num_segments", "sorted")
    defaults: ClassVar[dict[str, Any]] = {"num_segments": None, "sorted": False}

    def output(self, call: Call) -> TensorType:
        data, ids = tensor(call, "data"), tensor(call, "segment_ids")
        sd, si = data.shape, ids.shape
        assert sd is not None and si is not None
        if len(si) > 1:
            raise ShapeError(RANK_MISMATCH, f"Argument `segment_ids` should be an 1-D vector, got shape: {len(si)}.")
        if not si:
            raise ShapeError(RANK_MISMATCH, "tuple index out of range: `segment_ids` must be a vector, received a "
                             "scalar.")
        if not sd:
            raise ShapeError(RANK_MISMATCH, _later("`data` of a segment reduction needs a first axis, received "
                                                   "a scalar"))
        if dims.differs(si[0], sd[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Argument `segment_ids` and `data` should have same leading "
                             f"dimension. Got {show_shape(si)} v.s. {show_shape(sd)}.")
        num, is_sorted = known(param(call, "num_segments")), known(param(call, "sorted"))
        if is_sorted and num is not None:
            raise ShapeError(INVALID_ARGUMENT, _later("Argument `num_segments` cannot be set when sorted is True "
                                                      f"when using the tensorflow backend. Received: "
                                                      f"num_segments={num}, sorted={is_sorted}"))
        count: Dim = num if is_int(num) else None if num is None else dims.unknown()
        return data.with_shape((count,) + sd[1:])


def _segment(name: str) -> type:
    cls = type(f"Segment{name.title()}", (_Segment,), {
        "__doc__": f"``keras.ops.segment_{name}(data, segment_ids, num_segments=None, sorted=False)``: "
                   "``(num_segments,) + data.shape[1:]`` (an unknown first axis without ``num_segments``); "
                   "``segment_ids`` is a vector as long as ``data``'s first axis.  The TensorFlow backend "
                   "rejects ``num_segments`` with ``sorted=True``.",
        "names": (f"keras.ops.segment_{name}",),
        "examples": (
            Example({"num_segments": 3}, (6, 4), (3, 4), args=(T((6,), "int32"),)),
            Example({}, (None, None), (None, None), args=(T((None,), "int32"),)),
            Example({"num_segments": 3}, (6, 4), "incompatible-shapes", args=(T((5,), "int32"),)),
            Example({"num_segments": 3}, (6, 4), "rank-mismatch", args=(T((6, 4), "int32"),)),
            Example({"num_segments": 3, "sorted": True}, (6, 4), "invalid-argument", args=(T((6,), "int32"),)),
        ),
    })
    return register(cls)


SegmentSum = _segment("sum")
SegmentMax = _segment("max")
SegmentMin = _segment("min")
SegmentProd = _segment("prod")


# -- in_top_k, histogram, bincount, digitize, searchsorted --------------------------------


@register
class InTopK(OpRule):
    """``keras.ops.in_top_k(targets, predictions, k)``: ``targets``'s shape, bool; once data flows
    ``targets`` is a vector and ``predictions`` a matrix with as many rows."""

    names = ("keras.ops.in_top_k",)
    params = ("targets", "predictions", "k")
    examples = (
        Example({"k": 2}, T((None,), "int32"), (None,), args=((None, 5),)),
        Example({"k": 2}, T((None,), "int32"), "rank-mismatch", args=((None, 5, 2),)),
        Example({"k": 2}, T((3,), "int32"), "incompatible-shapes", args=((4, 5),)),
    )

    def output(self, call: Call) -> TensorType:
        t, p = tensor(call, "targets"), tensor(call, "predictions")
        st, sp = t.shape, p.shape
        assert st is not None and sp is not None
        if len(sp) != 2:
            raise ShapeError(RANK_MISMATCH, _later(f"predictions must be 2-dimensional, received {show_shape(sp)}"))
        if len(st) != 1:
            raise ShapeError(RANK_MISMATCH, _later(f"targets must be 1-dimensional, received {show_shape(st)}"))
        if dims.differs(st[0], sp[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, _later(f"First dimension of predictions {dims.show(sp[0])} must "
                                                         f"match length of targets {dims.show(st[0])}"))
        return TensorType(st, "bool")


@register
class Histogram(OpRule):
    """``keras.ops.histogram(x, bins=10, range=None)``: counts ``(bins,)`` and edges ``(bins + 1,)``; once data
    flows ``x`` must be a vector and ``bins`` positive."""

    names = ("keras.ops.histogram",)
    params = ("x", "bins", "range")
    defaults = {"bins": 10, "range": None}
    examples = (
        Example({}, (None,), [(10,), (11,)]),
        Example({"bins": 4, "range": (0.0, 1.0)}, (5,), [(4,), (5,)]),
        Example({}, (None, 3), "rank-mismatch"),
        Example({"bins": -1}, (5,), "invalid-argument"),
        Example({"range": (1.0, 0.0)}, (5,), "invalid-argument"),
    )

    def output(self, call: Call) -> list[TensorType]:
        bins, rng = known(param(call, "bins")), known(param(call, "range"))
        if not is_int(bins):
            raise ShapeError(INVALID_ARGUMENT, f"Argument `bins` must be of type `int`. Received: bins={bins}")
        if bins < 0:
            raise ShapeError(INVALID_ARGUMENT, f"Argument `bins` should be a non-negative integer. Received: "
                             f"bins={bins}")
        if rng:
            if not isinstance(rng, tuple) or len(rng) < 2:
                raise ShapeError(INVALID_ARGUMENT, f"Argument `range` must be a tuple of two elements. Received: "
                                 f"range={rng}")
            if rng[1] < rng[0]:
                raise ShapeError(INVALID_ARGUMENT, "The second element of `range` must be greater than the first. "
                                 f"Received: range={rng}")
        x = tensor(call, "x")
        assert x.shape is not None
        if len(x.shape) != 1:
            raise ShapeError(RANK_MISMATCH, _later(f"Input tensor must be 1-dimensional. Received: "
                                                   f"input.shape={show_shape(x.shape)}"))
        if bins == 0:
            raise ShapeError(INVALID_ARGUMENT, _later("Indices and updates specified for empty output: `histogram` "
                                                      "with bins=0"))
        return [x.with_shape((bins,)), x.with_shape((bins + 1,))]


@register
class Bincount(OpRule):
    """``keras.ops.bincount(x, weights=None, minlength=0, sparse=False)``: ``x.shape[:-1]`` and a last axis of
    counts only the data tells; rank 2 at most once data flows, ``weights`` of ``x``'s shape."""

    names = ("keras.ops.bincount",)
    params = ("x", "weights", "minlength", "sparse")
    defaults = {"weights": None, "minlength": 0, "sparse": False}
    examples = (
        Example({}, T((None,), "int32"), (None,)),
        Example({}, T((None, 4), "int32"), (None, None)),
        Example({}, T((2, 3, 4), "int32"), "rank-mismatch"),
        Example({}, T((None, 4), "int32"), "invalid-argument", args=((None, 4),)),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if len(shape) > 2:
            raise ShapeError(RANK_MISMATCH, _later(f"Shape must be at most rank 2 but is rank {len(shape)} "
                                                   "(`bincount`)"))
        w = param(call, "weights")
        dtype = "int32"
        if isinstance(w, TensorType) and not call.traced:
            raise ShapeError(INVALID_ARGUMENT, "A KerasTensor cannot be used as input to a TensorFlow function: "
                             "Keras's symbolic `bincount` converts `weights` to a tensor when it is built, so "
                             "symbolic weights fail (pass them inside a layer's `call`).")
        if isinstance(w, TensorType) and w.shape is not None:
            if len(w.shape) != len(shape) or any(dims.differs(a, b) for a, b in zip(w.shape, shape)):
                raise ShapeError(INCOMPATIBLE_SHAPES, _later(f"`weights` must be the same shape as `arr`: "
                                                             f"{show_shape(w.shape)} and {show_shape(shape)}"))
            dtype = w.dtype or "float32"
        return TensorType(shape[:-1] + (None,), dtype)


@register
class Digitize(OpRule):
    """``keras.ops.digitize(x, bins)``: ``x``'s shape, int32; ``bins`` is a vector."""

    names = ("keras.ops.digitize",)
    params = ("x", "bins")
    examples = (
        Example({}, (None, None), (None, None), args=((4,),)),
        Example({}, (None, 3), "rank-mismatch", args=((2, 2),)),
        Example({}, (None, 3), "rank-mismatch", args=((),)),
    )

    def output(self, call: Call) -> TensorType:
        x, bins = tensor(call, "x"), tensor(call, "bins")
        assert x.shape is not None and bins.shape is not None
        if len(bins.shape) > 1:
            raise ShapeError(RANK_MISMATCH, f"`bins` must be a 1D array. Received: bins.shape="
                             f"{show_shape(bins.shape)}")
        if not bins.shape:
            raise ShapeError(RANK_MISMATCH, _later("iteration over a 0-d array: `bins` must be a 1D array"))
        return TensorType(x.shape, "int32")


@register
class Searchsorted(OpRule):
    """``keras.ops.searchsorted(sorted_sequence, values, side="left")``: ``values``'s shape; ``sorted_sequence``
    is a vector, and once data flows ``values`` has rank 1 or more and leading axes of 1 (TensorFlow's
    ``searchsorted`` pairs their leading axes)."""

    names = ("keras.ops.searchsorted",)
    params = ("sorted_sequence", "values", "side")
    defaults = {"side": "left"}
    examples = (
        Example({}, (None,), (None,), args=((None,),)),
        Example({}, (5,), "rank-mismatch", args=((2, 3),)),
        Example({}, (None, 5), "rank-mismatch", args=((3,),)),
        Example({}, (5,), "rank-mismatch", args=((),)),
    )

    def output(self, call: Call) -> TensorType:
        s, v = tensor(call, "sorted_sequence"), tensor(call, "values")
        assert s.shape is not None and v.shape is not None
        if len(s.shape) != 1:
            raise ShapeError(RANK_MISMATCH, "searchsorted only supports 1-D sorted sequences. Use "
                             "keras.ops.vectorized_map to extend to N-D sequences.")
        if not v.shape or never_holds(v.shape[:-1], 1):
            raise ShapeError(RANK_MISMATCH, _later(f"Leading dim_size of both tensors must match: `values` of shape "
                                                   f"{show_shape(v.shape)} for a sorted vector (TensorFlow pairs "
                                                   "their leading axes)"))
        return TensorType(v.shape, "int32")


# -- TensorFlow's normalisation helpers (tf.keras 2: TFOpLambda on Keras tensors) ----------

def _tf_reduction_axes(v: Any, rank: int) -> set[int]:
    """Literal reduction axes (an int or a list), each within the rank, none twice (the kernel's check)."""
    v = known(v)
    seq = list(v) if isinstance(v, (list, tuple)) else [v]
    if not all(is_int(a) for a in seq):
        raise Unknowable()
    for a in seq:
        if not -rank <= a < rank:
            raise ShapeError(INVALID_ARGUMENT, f"Invalid reduction dimension {a} for input with {rank} dimensions.")
    if len({a % rank for a in seq}) != len(seq):
        raise ShapeError(INVALID_ARGUMENT, f"Invalid reduction arguments: Axes contains duplicate dimension: {seq}")
    return {a % rank for a in seq}


@register
class TfL2Normalize(OpRule):
    """``tf.math.l2_normalize(x, axis=None, epsilon=1e-12)``: the same shape; the axes within the rank."""

    names = ("tensorflow.math.l2_normalize", "tensorflow.nn.l2_normalize", "tensorflow.linalg.l2_normalize",
             "keras.backend.l2_normalize")
    params = ("x", "axis", "epsilon")
    defaults = {"axis": None}
    keras_equivalent = "keras.ops.normalize"
    examples = (Example({"axis": -1}, (None, 3), (None, 3)), Example({"axis": 2}, (None, 3), "invalid-argument"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        axis = param(call, "axis")
        if axis is not None:
            _tf_reduction_axes(axis, len(x.shape))
        return x


@register
class TfBiasAdd(OpRule):
    """``tf.nn.bias_add(value, bias, data_format=None)``: ``value`` of rank 2 at least; ``bias`` a vector as
    long as the channel axis (last, or 1 for ``"NC..."``)."""

    names = ("tensorflow.nn.bias_add",)
    params = ("value", "bias", "data_format")
    defaults = {"data_format": None}
    examples = (
        Example({}, (None, 3), (None, 3), args=((3,),)),
        Example({}, (None, 3), "incompatible-shapes", args=((4,),)),
        Example({}, (3,), "rank-mismatch", args=((3,),)),
        Example({}, (None, 3), "rank-mismatch", args=((1, 3),)),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "value")
        bias = tensor(call, "bias")
        fmt = known(param(call, "data_format"))
        if fmt is not None and not (isinstance(fmt, str) and fmt.startswith("N") and fmt.endswith("C")):
            raise Unknowable()
        if len(bias.shape) != 1:
            raise ShapeError(RANK_MISMATCH, f"Shape must be rank 1 but is rank {len(bias.shape)} for the bias "
                             f"{show_shape(bias.shape)}")
        if len(x.shape) < 2:
            raise ShapeError(RANK_MISMATCH, f"Shape must be at least rank 2 but is rank {len(x.shape)}: "
                             f"{show_shape(x.shape)}")
        if dims.differs(x.shape[-1], bias.shape[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Dimensions must be equal, but are {dims.show(x.shape[-1])} and "
                             f"{dims.show(bias.shape[0])}: value {show_shape(x.shape)}, bias {show_shape(bias.shape)}")
        return x


@register
class TfMoments(OpRule):
    """``tf.nn.moments(x, axes, shift=None, keepdims=False)``: mean and variance, ``axes`` reduced."""

    names = ("tensorflow.nn.moments",)
    params = ("x", "axes", "shift", "keepdims")
    defaults = {"shift": None, "keepdims": False}
    keras_equivalent = "keras.ops.moments"
    examples = (
        Example({"axes": [0, 1]}, (None, 3, 4), [(4,), (4,)]),
        Example({"axes": [1], "keepdims": True}, (None, 3, 4), [(None, 1, 4), (None, 1, 4)]),
        Example({"axes": [3]}, (None, 3, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "x")
        where = _tf_reduction_axes(param(call, "axes"), len(x.shape))
        keep = known(param(call, "keepdims"))
        if keep:
            shape = tuple(1 if i in where else d for i, d in enumerate(x.shape))
        else:
            shape = tuple(d for i, d in enumerate(x.shape) if i not in where)
        return [TensorType(shape, x.dtype), TensorType(shape, x.dtype)]


# -- TensorFlow's segment reductions ------------------------------------------------------

class _TfSegment(OpRule):
    params: ClassVar[tuple[str, ...]] = ("data", "segment_ids")

    def output(self, call: Call) -> TensorType:
        data, ids = tensor(call, "data"), tensor(call, "segment_ids")
        if len(ids.shape) != 1:
            raise ShapeError(RANK_MISMATCH, f"Shape must be rank 1 but is rank {len(ids.shape)}: segment_ids "
                             f"{show_shape(ids.shape)}")
        if not data.shape:
            raise ShapeError(RANK_MISMATCH, "Shape must be at least rank 1 but is rank 0: data")
        if dims.differs(ids.shape[0], data.shape[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Dimensions must be equal, but are {dims.show(data.shape[0])} "
                             f"and {dims.show(ids.shape[0])}: data {show_shape(data.shape)}, segment_ids "
                             f"{show_shape(ids.shape)}")
        return data.with_shape((None,) + data.shape[1:])


class _TfUnsortedSegment(OpRule):
    params: ClassVar[tuple[str, ...]] = ("data", "segment_ids", "num_segments")

    def output(self, call: Call) -> TensorType:
        data, ids = tensor(call, "data"), tensor(call, "segment_ids")
        if len(ids.shape) > len(data.shape):
            raise ShapeError(RANK_MISMATCH, f"Shape must be at least rank {len(ids.shape)} but is rank "
                             f"{len(data.shape)}: data {show_shape(data.shape)}")
        for d, e in zip(data.shape, ids.shape):
            if dims.differs(d, e):
                raise ShapeError(INCOMPATIBLE_SHAPES, f"segment_ids.shape = {show_shape(ids.shape)} is not a prefix "
                                 f"of data.shape = {show_shape(data.shape)}")
        num = known(param(call, "num_segments"))
        count: Dim = num if is_int(num) else dims.unknown()
        return data.with_shape((count,) + data.shape[len(ids.shape):])


for _name in ("sum", "max", "min", "mean", "prod"):
    register(type(f"TfSegment{_name.title()}", (_TfSegment,), {
        "__doc__": f"``tf.math.segment_{_name}(data, segment_ids)``: an undefined first axis (the last id + 1), "
                   "then ``data.shape[1:]``; ``segment_ids`` a vector as long as ``data``'s first axis.",
        "__module__": __name__, "names": (f"tensorflow.math.segment_{_name}",),
        "keras_equivalent": f"keras.ops.segment_{_name}" if _name != "mean" else None,
        "examples": (
            Example({}, (6, 4), (None, 4), args=(T((6,), "int32"),)),
            Example({}, (6, 4), "incompatible-shapes", args=(T((5,), "int32"),)),
            Example({}, (6, 4), "rank-mismatch", args=(T((6, 4), "int32"),)),
        ),
    }))
    register(type(f"TfUnsortedSegment{_name.title()}", (_TfUnsortedSegment,), {
        "__doc__": f"``tf.math.unsorted_segment_{_name}(data, segment_ids, num_segments)``: ``(num_segments,)`` "
                   "then ``data``'s axes after those of ``segment_ids``, whose shape is a prefix of "
                   "``data``'s.",
        "__module__": __name__, "names": (f"tensorflow.math.unsorted_segment_{_name}",),
        "keras_equivalent": f"keras.ops.segment_{_name}" if _name != "mean" else None,
        "examples": (
            Example({"num_segments": 3}, (6, 4), (3, 4), args=(T((6,), "int32"),)),
            Example({"num_segments": 3}, (6, 4), (3,), args=(T((6, 4), "int32"),)),
            Example({"num_segments": 3}, (6, 4), "incompatible-shapes", args=(T((5,), "int32"),)),
        ),
    }))


# -- TensorFlow's cross-entropies ---------------------------------------------------------

@register
class TfSigmoidCrossEntropy(OpRule):
    """``tf.nn.sigmoid_cross_entropy_with_logits(labels, logits)``: ``labels`` and ``logits`` of one shape
    (no broadcasting), which the loss keeps."""

    names = ("tensorflow.nn.sigmoid_cross_entropy_with_logits",)
    params = ("labels", "logits")
    keras_equivalent = "keras.ops.binary_crossentropy"
    examples = (
        Example({}, (None, 3), (None, 3), args=((None, 3),)),
        Example({}, (None, 3), "incompatible-shapes", args=((None, 1),)),
    )

    def output(self, call: Call) -> TensorType:
        labels, logits = tensor(call, "labels"), tensor(call, "logits")
        if len(labels.shape) != len(logits.shape) or any(
                dims.differs(a, b) for a, b in zip(labels.shape, logits.shape)):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"`logits` and `labels` must have the same shape, received "
                             f"({show_shape(logits.shape)} vs {show_shape(labels.shape)}).")
        return logits.with_shape(tuple(a if b is None else b for a, b in zip(labels.shape, logits.shape)))


@register
class TfSparseSoftmaxCrossEntropy(OpRule):
    """``tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)``: ``labels`` has the shape of
    ``logits`` without its last (class) axis, and is the loss's shape."""

    names = ("tensorflow.nn.sparse_softmax_cross_entropy_with_logits",)
    params = ("labels", "logits")
    keras_equivalent = "keras.ops.sparse_categorical_crossentropy"
    examples = (
        Example({}, T((None,), "int32"), (None,), args=((None, 10),)),
        Example({}, T((None, 1), "int32"), "rank-mismatch", args=((None, 10),)),
        Example({}, T((4,), "int32"), "incompatible-shapes", args=((3, 10),)),
    )

    def output(self, call: Call) -> TensorType:
        labels, logits = tensor(call, "labels"), tensor(call, "logits")
        if not logits.shape:
            raise ShapeError(RANK_MISMATCH, "Logits cannot be scalars - received shape ().")
        if len(labels.shape) != len(logits.shape) - 1:
            raise ShapeError(RANK_MISMATCH, f"Rank mismatch: Rank of labels (received {len(labels.shape)}) should "
                             f"equal rank of logits minus 1 (received {len(logits.shape)}).")
        for a, b in zip(labels.shape, logits.shape):
            if dims.differs(a, b):
                raise ShapeError(INCOMPATIBLE_SHAPES, f"Shapes of labels {show_shape(labels.shape)} and logits "
                                 f"{show_shape(logits.shape)} are incompatible")
        return TensorType(tuple(a if b is None else b for a, b in zip(labels.shape, logits.shape)), logits.dtype)


# -- tf.signal ----------------------------------------------------------------------------

@register
class TfFrame(OpRule):
    """``tf.signal.frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1)``: ``axis``
    becomes ``(frames, frame_length)``: ``1 + (n - frame_length) // frame_step`` frames (none when the
    signal is shorter), or ``ceil(n / frame_step)`` with ``pad_end``."""

    names = ("tensorflow.signal.frame",)
    params = ("signal", "frame_length", "frame_step", "pad_end", "pad_value", "axis")
    defaults = {"pad_end": False, "pad_value": 0, "axis": -1}
    keras_equivalent = "keras.ops.extract_sequences"
    examples = (
        Example({"frame_length": 4, "frame_step": 2}, (None, 10), (None, 4, 4)),
        Example({"frame_length": 4, "frame_step": 3, "pad_end": True}, (None, 10), (None, 4, 4)),
        Example({"frame_length": 4, "frame_step": 2}, (None, 2), (None, 0, 4)),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "signal")
        length, step = known(param(call, "frame_length")), known(param(call, "frame_step"))
        pad_end, axis = known(param(call, "pad_end")), known(param(call, "axis"))
        if not (is_int(length) and is_int(step) and is_int(axis)):
            raise Unknowable()
        if not x.shape:
            raise ShapeError(RANK_MISMATCH, "Shape must be at least rank 1 but is rank 0: signal")
        rank = len(x.shape)
        if not -rank <= axis < rank:
            raise ShapeError(INVALID_ARGUMENT, f"axis {axis} is out of range for a signal of rank {rank}")
        a = axis % rank
        n = x.shape[a]
        if length < 0 or step <= 0:
            raise Unknowable()
        frames: Dim
        if not is_int(n):
            frames = None if n is None else dims.unknown()
        elif pad_end:
            frames = -(-n // step)  # type: ignore[operator]
        else:
            frames = max(0, 1 + (n - length) // step)  # type: ignore[operator]
        return x.with_shape(x.shape[:a] + (frames, length) + x.shape[a + 1:])


@register
class TfRfft(OpRule):
    """``tf.signal.rfft(input_tensor, fft_length=None)``: the last axis ``n`` becomes ``n // 2 + 1``
    (``fft_length[0] // 2 + 1`` when given), complex."""

    names = ("tensorflow.signal.rfft",)
    params = ("input_tensor", "fft_length")
    defaults = {"fft_length": None}
    keras_equivalent = "keras.ops.rfft"
    examples = (Example({}, (None, 10), (None, 6)), Example({"fft_length": [8]}, (None, 10), (None, 5)),
                Example({}, (), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "input_tensor")
        if not x.shape:
            raise ShapeError(RANK_MISMATCH, "Shape must be at least rank 1 but is rank 0")
        fft_length = known(param(call, "fft_length"))
        if fft_length is None:
            n = x.shape[-1]
        elif isinstance(fft_length, (list, tuple)) and len(fft_length) == 1 and is_int(fft_length[0]):
            n = fft_length[0]
        else:
            raise Unknowable()
        return TensorType(x.shape[:-1] + (dims.add(dims.floordiv(n, 2), 1),), "complex64")


@register
class TfInTopK(OpRule):
    """``tf.math.in_top_k(targets, predictions, k)``: ``predictions`` a matrix, ``targets`` a vector as long;
    a boolean vector."""

    names = ("tensorflow.math.in_top_k", "tensorflow.nn.in_top_k")
    params = ("targets", "predictions", "k")
    keras_equivalent = "keras.ops.in_top_k"
    examples = (
        Example({"k": 2}, T((None,), "int32"), (None,), args=((None, 10),)),
        Example({"k": 2}, T((None,), "int32"), "rank-mismatch", args=((None, 3, 10),)),
        Example({"k": 2}, T((4,), "int32"), "incompatible-shapes", args=((3, 10),)),
    )

    def output(self, call: Call) -> TensorType:
        targets, predictions = tensor(call, "targets"), tensor(call, "predictions")
        if len(predictions.shape) != 2:
            raise ShapeError(RANK_MISMATCH, f"Shape must be rank 2 but is rank {len(predictions.shape)}: predictions "
                             f"{show_shape(predictions.shape)}")
        if len(targets.shape) != 1:
            raise ShapeError(RANK_MISMATCH, f"Shape must be rank 1 but is rank {len(targets.shape)}: targets "
                             f"{show_shape(targets.shape)}")
        a, b = predictions.shape[0], targets.shape[0]
        if dims.differs(a, b):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Dimensions must be equal, but are {dims.show(a)} and "
                             f"{dims.show(b)}: predictions {show_shape(predictions.shape)}, targets "
                             f"{show_shape(targets.shape)}")
        return TensorType((b if a is None else a,), "bool")


@register
class TfBatchNormalization(OpRule):
    """``tf.nn.batch_normalization(x, mean, variance, offset, scale, variance_epsilon)``: ``x`` and the
    statistics (``offset`` and ``scale`` may be ``None``) broadcast together."""

    names = ("tensorflow.nn.batch_normalization",)
    params = ("x", "mean", "variance", "offset", "scale", "variance_epsilon")
    keras_equivalent = "keras.ops.batch_normalization"
    examples = (
        Example({"variance_epsilon": 1e-3, "offset": None, "scale": None}, (None, 3), (None, 3),
                args=((3,), (3,))),
        Example({"variance_epsilon": 1e-3, "offset": None, "scale": None}, (None, 3), "incompatible-shapes",
                args=((4,), (4,))),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        for name in ("mean", "variance", "offset", "scale"):
            v = param(call, name)
            if v is None:
                continue
            shape = broadcast_or_fail(shape, shape_of(v))
        return x.with_shape(shape)


@register
class TfSoftmaxCrossEntropy(OpRule):
    """``tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis=-1)``: ``logits``'s shape without
    ``axis``. TensorFlow moves ``axis`` last in both and flattens the outer axes, so only the
    matrices ``(outer elements, classes)`` must broadcast (sizes that are neither equal nor 1 fail)."""

    names = ("tensorflow.nn.softmax_cross_entropy_with_logits",)
    params = ("labels", "logits", "axis")
    defaults = {"axis": -1}
    keras_equivalent = "keras.ops.categorical_crossentropy"
    examples = (
        Example({}, (None, 10), (None,), args=((None, 10),)),
        Example({"axis": 1}, (None, 4, 3), (None, 3), args=((None, 4, 3),)),
        Example({}, (None, 10), "incompatible-shapes", args=((None, 9),)),
        Example({}, (2, 3, 5), "incompatible-shapes", args=((5, 2, 5),)),
    )

    def output(self, call: Call) -> TensorType:
        labels, logits = tensor(call, "labels"), tensor(call, "logits")
        axis = known(param(call, "axis"))
        if not is_int(axis):
            raise Unknowable()
        ls, gs = labels.shape, logits.shape
        if len(ls) != len(gs):
            raise Unknowable()
        if not gs:
            return TensorType((), logits.dtype)
        if not -len(gs) <= axis < len(gs):
            raise ShapeError(INVALID_ARGUMENT, f"axis {axis} is out of range for logits of rank {len(gs)}")
        if axis < -1:
            # TensorFlow moves the axis last with range(0, axis), which a negative axis breaks
            raise ShapeError(INVALID_ARGUMENT, f"Requires start <= limit when delta > 0: 0/{axis} (a negative axis "
                             "other than -1)")
        a = axis % len(gs)
        rest = [i for i in range(len(gs)) if i != a]
        outer = [tuple(s[i] for i in rest) for s in (ls, gs)]
        if _cannot_match(outer[0], outer[1]) or _cannot_match((ls[a],), (gs[a],)):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"logits and labels must be broadcastable: logits {show_shape(gs)} "
                             f"and labels {show_shape(ls)}, as (outer elements, classes) matrices with `axis` last")
        # The labels' rows broadcast a single row of logits: the cost no longer reshapes to the
        # logits' outer axes.
        if dims.product(outer[1]) == 1 and math.prod(d for d in outer[0] if is_int(d)) > 1:
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Cannot reshape the cost of {show_shape(outer[0])} label rows to "
                             f"the logits' outer shape {show_shape(outer[1])}")
        if any(dims.differs(x, y) for x, y in zip(ls, gs)):
            raise Unknowable()  # may broadcast once flattened, or fail for the sizes the axes take
        return TensorType(tuple(gs[i] for i in rest), logits.dtype)


def _cannot_match(a: Shape, b: Shape) -> bool:
    """The element counts of ``a`` and ``b`` can be neither equal nor 1 (a broadcast), whatever
    sizes their undefined axes take."""
    ka, kb = math.prod(d for d in a if is_int(d)), math.prod(d for d in b if is_int(d))
    ua, ub = any(not is_int(d) for d in a), any(not is_int(d) for d in b)
    if not ua and not ub:
        return ka != kb and 1 not in (ka, kb)
    if ua and ub:
        return False
    n, k = (kb, ka) if ua else (ka, kb)  # n: the fully known count; k: the known factor of the other
    return n != 1 and k > 1 and n % k != 0


@register
class TfBincount(OpRule):
    """``tf.math.bincount(arr, weights=None, minlength=None, maxlength=None, dtype=tf.int32, name=None,
    axis=None)``: a vector of undefined length (the largest value + 1)."""

    names = ("tensorflow.math.bincount",)
    params = ("arr", "weights", "minlength", "maxlength", "dtype", "name", "axis")
    defaults = {"axis": None}
    keras_equivalent = "keras.ops.bincount"
    examples = (Example({}, T((None,), "int32"), (None,)), Example({}, T((None, 3), "int32"), (None,)))

    def output(self, call: Call) -> TensorType:
        tensor(call, "arr")
        if known(param(call, "axis")) is not None or param(call, "weights") not in (None, UNKNOWN):
            raise Unknowable()
        dtype = param(call, "dtype")
        return TensorType((None,), dtype if isinstance(dtype, str) else "int32")


@register
class TfStft(OpRule):
    """``tf.signal.stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
    pad_end=False)``: the last axis becomes frames (as ``tf.signal.frame``) and ``fft_length // 2 + 1``
    bins (``fft_length`` defaults to the power of 2 at or above ``frame_length``), complex."""

    names = ("tensorflow.signal.stft",)
    params = ("signals", "frame_length", "frame_step", "fft_length", "window_fn", "pad_end")
    defaults = {"fft_length": None, "pad_end": False}
    keras_equivalent = "keras.ops.stft"
    examples = (
        Example({"frame_length": 6, "frame_step": 2}, (None, 16), (None, 6, 5)),
        Example({"frame_length": 4, "frame_step": 4, "fft_length": 16, "pad_end": True}, (None, 10),
                (None, 3, 9)),
        Example({"frame_length": 4, "frame_step": 2}, (), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "signals")
        length, step = known(param(call, "frame_length")), known(param(call, "frame_step"))
        fft_length, pad_end = known(param(call, "fft_length")), known(param(call, "pad_end"))
        if not (is_int(length) and is_int(step)) or length < 1 or step < 1:
            raise Unknowable()
        if not x.shape:
            raise ShapeError(RANK_MISMATCH, "Shape must be at least rank 1 but is rank 0: signals")
        if fft_length is None:
            fft_length = 1 << max(0, (length - 1).bit_length())
        if not is_int(fft_length):
            raise Unknowable()
        n = x.shape[-1]
        frames: Dim
        if not is_int(n):
            frames = None if n is None else dims.unknown()
        elif pad_end:
            frames = -(-n // step)  # type: ignore[operator]
        else:
            frames = max(0, 1 + (n - length) // step)  # type: ignore[operator]
        if frames == 0:
            raise Unknowable()  # no frames: the traced shape has 0 frames, but the kernel fails on data
        return TensorType(x.shape[:-1] + (frames, fft_length // 2 + 1), "complex64")


@register
class TfFft(OpRule):
    """``tf.signal.fft(input)`` / ``ifft``: a complex tensor of rank 1 at least, the same shape."""

    names = ("tensorflow.signal.fft", "tensorflow.signal.ifft")
    params = ("input",)
    keras_equivalent = "keras.ops.fft"
    examples = (Example({}, T((None, 8), "complex64"), (None, 8)), Example({}, T((), "complex64"), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "input")
        if not x.shape:
            raise ShapeError(RANK_MISMATCH, "Shape must be at least rank 1 but is rank 0")
        return x
