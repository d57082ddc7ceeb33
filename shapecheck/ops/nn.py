"""Rules for the ``keras.ops.nn`` functions that are not plain elementwise activations:
convolution, pooling, normalization, attention, losses and the CTC functions.

Each rule mirrors the op's ``compute_output_spec`` in ``keras/src/ops/nn.py`` (what a
model definition sees) and, where that symbolic path lets through what the TensorFlow
backend rejects as soon as data flows (``conv`` on a rank-2 input, ``padding="causal"``,
``strides > 1`` with ``dilation_rate > 1``, a transposed convolution whose output does not
convolve back to its input), reports that too: only when it fails for every size the
undefined axes could take.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import (
    AXIS_MISMATCH,
    INCOMPATIBLE_SHAPES,
    INVALID_ARGUMENT,
    NEGATIVE_DIMENSION,
    RANK_MISMATCH,
    ShapeError,
)
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, OpRule, T, Unknowable, register
from ..core.shapes import Shape, TensorType, broadcast, show_shape
from ..layers import conv_utils as cu
from .op_utils import axis_index, broadcast_or_fail, is_int, known, never_holds, param, tensor

# -- shared argument handling ---------------------------------------------------------------


def _fmt(v: Any) -> str:
    """``backend.standardize_data_format``: ``None`` is the default ``channels_last``."""
    if v is None:
        return cu.CHANNELS_LAST
    v = known(v)
    fmt = str(v).lower()
    if fmt not in (cu.CHANNELS_FIRST, cu.CHANNELS_LAST):
        raise ShapeError(INVALID_ARGUMENT, "The `data_format` argument must be one of "
                         f"{{'channels_first', 'channels_last'}}. Received: data_format={v}")
    return fmt


def _padding(v: Any) -> str:
    """``padding.lower()``, as each op does before anything else."""
    v = known(v)
    if not isinstance(v, str):
        raise ShapeError(INVALID_ARGUMENT, f"`padding` must be a string ('valid' or 'same'): "
                         f"'{type(v).__name__}' object has no attribute 'lower'. Received: padding={v!r}")
    return v.lower()


def _per_axis(v: Any, n: int, name: str, *, minimum: int = 1) -> tuple[Dim, ...]:
    """An int or a sequence of ints broadcast over ``n`` spatial axes (NumPy broadcasting lets a
    sequence of one through); a value the front end could not follow is opaque."""
    if v is UNKNOWN:
        return tuple(dims.unknown() for _ in range(n))
    if is_int(v) or isinstance(v, dims.Sym):
        values: tuple = (v,) * n
    elif isinstance(v, (list, tuple)):
        if len(v) == 1 and n != 1:
            values = tuple(v) * n
        elif len(v) != n:
            raise ShapeError(INVALID_ARGUMENT, f"`{name}` must be an int or a tuple of {n} integers, one per "
                             f"spatial axis: operands could not be broadcast together. Received {name}={v!r}")
        else:
            values = tuple(v)
    else:
        raise Unknowable()
    out = []
    for x in values:
        if is_int(x):
            if x < minimum:
                raise ShapeError(INVALID_ARGUMENT, f"`{name}` values must be >= {minimum}. Received {name}={v!r}")
            out.append(x)
        elif isinstance(x, dims.Sym):
            out.append(x)
        else:
            raise Unknowable()
    return tuple(out)


def _is_sym(d: Dim) -> bool:
    return isinstance(d, dims.Sym)


def _same(a: Dim, b: Dim, traced: bool = False) -> Optional[bool]:
    """Python's ``==`` on two dimensions as Keras compares shapes (``None == None``); ``None``
    when a dimension the front end could not follow makes it undecidable.  Inside a layer's
    ``call`` (``traced``) the backend runs instead, and an undefined axis may be any size."""
    if traced and (a is None) != (b is None):
        return None
    if _is_sym(a) or _is_sym(b):
        eq = dims.equal(a, b) if a is not None and b is not None else None
        return True if eq is True else None
    return a == b


def _same_shape(a: Shape, b: Shape, traced: bool = False) -> Optional[bool]:
    if len(a) != len(b):
        return False
    verdicts = [_same(x, y, traced) for x, y in zip(a, b)]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _incompatible_unless(same: Optional[bool], message: str) -> None:
    """A finding where a comparison is ``False``; unknowable where it is ``None`` (undecidable)."""
    if same is False:
        raise ShapeError(INCOMPATIBLE_SHAPES, message)
    if same is None:
        raise Unknowable()


def _backend_rank(shape: Shape, what: str) -> None:
    """The TensorFlow backend's convolutions and poolings take 1-, 2- and 3-D inputs only."""
    if len(shape) not in (3, 4, 5):
        raise ShapeError(RANK_MISMATCH, f"Input rank not supported: {len(shape)}. Expected values are [3, 4, 5] "
                         f"({what} on data; input shape {show_shape(shape)}).")


def _valid_lengths(space: tuple[Dim, ...], kernel: tuple[Dim, ...], strides: tuple[Dim, ...],
                   dilation: tuple[Dim, ...], padding: str, what: str) -> tuple[Dim, ...]:
    out = tuple(cu.conv_output_length(n, k, s, padding, d) for n, k, s, d in zip(space, kernel, strides, dilation))
    cu.check_positive_lengths(out, what)
    return out


def _no_strided_dilation(strides: tuple[Dim, ...], dilation: tuple[Dim, ...]) -> None:
    if any(is_int(s) and s > 1 for s in strides) and any(is_int(d) and d > 1 for d in dilation):
        raise ShapeError(INVALID_ARGUMENT, "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                         f"Received: strides={cu.show_tuple(strides)} and dilation_rate={cu.show_tuple(dilation)}")


def _channels(shape: Shape, fmt: str) -> Dim:
    if len(shape) < (1 if fmt == cu.CHANNELS_LAST else 2):
        raise ShapeError(RANK_MISMATCH, f"The input has no channel axis: tuple index out of range. Received input "
                         f"shape {show_shape(shape)}.")
    return shape[-1] if fmt == cu.CHANNELS_LAST else shape[1]


def _check_channels(x: Shape, kernel_in: Dim, fmt: str) -> None:
    """``check_conv_input_channels``: compared only when both are known integers."""
    c = _channels(x, fmt)
    if is_int(c) and is_int(kernel_in) and c != kernel_in:
        raise ShapeError(AXIS_MISMATCH, "The number of input channels must match the kernel's input channels. "
                         f"Received: input channels={c}, kernel input channels={kernel_in}, data_format='{fmt}'.")


# -- convolutions -----------------------------------------------------------------------------


class _ConvOp(OpRule):
    """What ``conv``, ``depthwise_conv`` and ``separable_conv`` share: the kernel has the input's
    rank, ``(*kernel_spatial, in_channels, out)``; ``compute_conv_output_shape`` on the rest."""

    params: ClassVar[tuple[str, ...]] = ("inputs", "kernel", "strides", "padding", "data_format", "dilation_rate")
    defaults: ClassVar[dict[str, Any]] = {"strides": 1, "padding": "valid", "data_format": None, "dilation_rate": 1}
    kernel_param: ClassVar[str] = "kernel"
    #: the largest spatial rank the TensorFlow backend runs
    max_spatial: ClassVar[int] = 3

    def geometry(self, call: Call, out_channels: Any) -> tuple[TensorType, Shape, str, tuple[Dim, ...]]:
        x = tensor(call, "inputs")
        kernel = tensor(call, self.kernel_param).shape
        fmt = _fmt(param(call, "data_format"))
        padding = _padding(param(call, "padding"))
        shape = x.shape
        assert shape is not None and kernel is not None
        if len(kernel) < 2 or len(shape) < 1:
            raise ShapeError(RANK_MISMATCH, f"The kernel needs rank >= 2 (spatial axes, input channels, output "
                             f"channels): tuple index out of range. Received kernel shape {show_shape(kernel)}.")
        _check_channels(shape, kernel[-2], fmt)
        filters = out_channels(kernel)
        kernel_shape = (*kernel[:-2], _channels(shape, fmt), filters)
        if len(kernel_shape) != len(shape):
            raise ShapeError(RANK_MISMATCH, "Kernel shape must have the same length as input, but received kernel "
                             f"of shape {show_shape(kernel_shape)} and input of shape {show_shape(shape)}.")
        n = len(shape) - 2
        dilation = param(call, "dilation_rate")
        if isinstance(dilation, (list, tuple)) and len(dilation) != max(n, 0):
            raise ShapeError(INVALID_ARGUMENT, "Dilation must be None, scalar or tuple/list of length of inputs' "
                             f"spatial shape, but received `dilation_rate={dilation}` and input of shape "
                             f"{show_shape(shape)}.")
        strides_t = _per_axis(param(call, "strides"), n, "strides")
        dilation_t = _per_axis(dilation, n, "dilation_rate")
        if padding not in ("valid", "same", "causal"):
            raise ShapeError(INVALID_ARGUMENT, f"`padding` must be either `'valid'` or `'same'`. Received {padding}.")
        space = cu.spatial(shape, fmt)
        ksize = tuple(kernel[:-2])
        if padding == "valid" and any(k is None for k, d in zip(ksize, space) if d is not None):
            if call.traced:
                raise Unknowable()
            raise ShapeError(INVALID_ARGUMENT, "unsupported operand type(s) for -: 'NoneType' and 'int': a kernel "
                             f"with an undefined spatial axis {show_shape(kernel)} under padding='valid'.")
        if any(k is None for k in ksize):
            ksize = tuple(dims.unknown() if k is None else k for k in ksize)
        if padding == "same" or padding == "causal":
            out = tuple(cu.conv_output_length(d, k, s, "same") for d, k, s in zip(space, ksize, strides_t))
        else:
            out = _valid_lengths(space, ksize, strides_t, dilation_t, "valid",
                                 f"`inputs shape={show_shape(shape)}`, `kernel shape={show_shape(kernel_shape)}`, "
                                 f"`dilation_rate={cu.show_tuple(dilation_t)}`, `strides={cu.show_tuple(strides_t)}`, "
                                 f"`padding={padding}`")
        # What the TensorFlow backend rejects as soon as data flows.
        _backend_rank(shape, call.rule.names[0])
        if n > self.max_spatial:
            raise ShapeError(RANK_MISMATCH, f"`inputs` rank must be 3 (1D conv) or 4 (2D conv). Received: "
                             f"{len(shape)} (input shape {show_shape(shape)}).")
        if padding == "causal":
            raise ShapeError(INVALID_ARGUMENT, "Value for attr 'padding' of \"CAUSAL\" is not in the list of allowed "
                             "values: \"SAME\", \"VALID\", \"EXPLICIT\" (the op has no causal padding; pad the "
                             "input on the left, or use a Conv1D layer).")
        return x, cu.assemble(shape[0], out, filters, fmt), fmt, strides_t + dilation_t


@register
class Conv(_ConvOp):
    """``keras.ops.conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1)``:
    a kernel of shape ``(*spatial, in_channels, filters)``, of the input's rank; channels become
    ``filters``, each spatial axis follows the conv arithmetic."""

    names = ("keras.ops.conv",)
    examples = (
        Example({}, (None, 10, 3), (None, 8, 4), args=((3, 3, 4),)),
        Example({"strides": 2, "padding": "same"}, (None, 9, 9, 3), (None, 5, 5, 8), args=((3, 3, 3, 8),)),
        Example({"data_format": "channels_first"}, (2, 3, 6, 6), (2, 5, 4, 4), args=((3, 3, 3, 5),)),
        Example({}, (None, 10, 3), "axis-mismatch", args=((3, 2, 4),)),
        Example({}, (None, 10, 10, 3), "rank-mismatch", args=((3, 3, 4),)),
        Example({}, (None, 2, 3), "negative-dimension", args=((3, 3, 4),)),
        Example({"padding": "causal"}, (2, 10, 3), "invalid-argument", args=((3, 3, 4),)),
        Example({"strides": 2, "dilation_rate": 2}, (2, 10, 3), "invalid-argument", args=((3, 3, 4),)),
        Example({}, (2, 3), "rank-mismatch", args=((3, 4),)),
    )

    def output(self, call: Call) -> TensorType:
        x, out, _, geom = self.geometry(call, lambda k: k[-1])
        n = len(out) - 2
        _no_strided_dilation(geom[:n], geom[n:])
        return x.with_shape(out)


@register
class DepthwiseConv(_ConvOp):
    """``keras.ops.depthwise_conv(inputs, kernel, ...)``: a kernel ``(*spatial, in_channels,
    multiplier)``; channels become ``in_channels * multiplier``; 1-D and 2-D only on data."""

    names = ("keras.ops.depthwise_conv",)
    max_spatial = 2
    examples = (
        Example({}, (None, 10, 3), (None, 8, 6), args=((3, 3, 2),)),
        Example({"strides": 2, "dilation_rate": 2, "padding": "same"}, (2, 8, 8, 3), (2, 4, 4, 3),
                args=((3, 3, 3, 1),)),
        Example({}, (None, 10, 4), "axis-mismatch", args=((3, 3, 2),)),
        Example({}, (2, 8, 8, 8, 3), "rank-mismatch", args=((3, 3, 3, 3, 1),)),
    )

    def output(self, call: Call) -> TensorType:
        x, out, _, _ = self.geometry(call, lambda k: dims.mul(k[-1], k[-2]))
        return x.with_shape(out)


@register
class SeparableConv(_ConvOp):
    """``keras.ops.separable_conv(inputs, depthwise_kernel, pointwise_kernel, ...)``: a depthwise
    convolution, then a pointwise ``(1, ..., in_channels * multiplier, filters)`` kernel; channels
    become ``filters``; 1-D and 2-D only on data."""

    names = ("keras.ops.separable_conv",)
    params = ("inputs", "depthwise_kernel", "pointwise_kernel", "strides", "padding", "data_format",
              "dilation_rate")
    kernel_param = "depthwise_kernel"
    max_spatial = 2
    examples = (
        Example({}, (None, 10, 10, 3), (None, 8, 8, 7), args=((3, 3, 3, 2), (1, 1, 6, 7))),
        Example({"padding": "same"}, (None, 10, 4), (None, 10, 5), args=((3, 4, 1), (1, 4, 5))),
        Example({}, (None, 10, 10, 3), "axis-mismatch", args=((3, 3, 3, 2), (1, 1, 5, 7))),
        Example({}, (None, 10, 10, 3), "axis-mismatch", args=((3, 3, 2, 2), (1, 1, 4, 7))),
    )

    def output(self, call: Call) -> TensorType:
        pointwise = tensor(call, "pointwise_kernel").shape
        assert pointwise is not None
        if not pointwise:
            raise ShapeError(RANK_MISMATCH, "`pointwise_kernel` must have a rank: tuple index out of range.")
        x, out, fmt, _ = self.geometry(call, lambda k: dims.mul(k[-1], k[-2]))
        depth = out[-1] if fmt == cu.CHANNELS_LAST else out[1]
        n = len(out) - 2
        # On data the pointwise kernel is a (1, ..., depth, filters) convolution kernel.
        if len(pointwise) != n + 2:
            raise ShapeError(RANK_MISMATCH, f"Shape {show_shape(pointwise)} must have rank {n + 2}: the pointwise "
                             "kernel is (1, ..., in_channels * depth_multiplier, filters).")
        if any(is_int(d) and d != 1 for d in pointwise[:-2]):
            raise ShapeError(AXIS_MISMATCH, f"The pointwise kernel's spatial axes must be 1. Received pointwise "
                             f"kernel shape {show_shape(pointwise)}.")
        if is_int(depth) and is_int(pointwise[-2]) and depth != pointwise[-2]:
            raise ShapeError(AXIS_MISMATCH, f"The pointwise kernel's input channels ({pointwise[-2]}) must be the "
                             f"depthwise output channels (in_channels * depth_multiplier = {depth}).")
        out = list(out)
        out[-1 if fmt == cu.CHANNELS_LAST else 1] = pointwise[-1]
        return x.with_shape(tuple(out))


@register
class ConvTranspose(OpRule):
    """``keras.ops.conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
    data_format=None, dilation_rate=1)``: a kernel ``(*spatial, filters, in_channels)``; each spatial
    axis grows to ``(length - 1) * strides + kernel`` (valid) or ``length * strides`` (same),
    ``output_padding`` replacing the remainder; on data the output must convolve back to the input."""

    names = ("keras.ops.conv_transpose",)
    params = ("inputs", "kernel", "strides", "padding", "output_padding", "data_format", "dilation_rate")
    defaults = {"strides": 1, "padding": "valid", "output_padding": None, "data_format": None, "dilation_rate": 1}
    examples = (
        Example({"strides": 2}, (None, 8, 3), (None, 17, 4), args=((3, 4, 3),)),
        Example({"strides": 2, "output_padding": 1}, (None, 8, 3), (None, 18, 4), args=((3, 4, 3),)),
        Example({"strides": 2, "padding": "same"}, (None, 5, 5, 3), (None, 10, 10, 2), args=((3, 3, 2, 3),)),
        Example({"data_format": "channels_first"}, (2, 3, 4), (2, 6, 6), args=((3, 6, 3),)),
        Example({}, (None, 8, 3), "axis-mismatch", args=((3, 4, 2),)),
        Example({"strides": 2, "output_padding": 2}, (2, 8, 3), "invalid-argument", args=((3, 4, 3),)),
        Example({"padding": "same", "output_padding": 0}, (2, 8, 3), "invalid-argument", args=((2, 4, 3),)),
        Example({"padding": "causal"}, (2, 8, 3), "invalid-argument", args=((3, 4, 3),)),
        Example({}, (2, 3), "rank-mismatch", args=((4, 3),)),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "inputs")
        kernel = tensor(call, "kernel").shape
        fmt = _fmt(param(call, "data_format"))
        padding = _padding(param(call, "padding"))
        shape = x.shape
        assert shape is not None and kernel is not None
        if len(kernel) < 1 or len(shape) < 1:
            raise ShapeError(RANK_MISMATCH, f"The kernel needs rank >= 2 (spatial axes, filters, input channels): "
                             f"tuple index out of range. Received kernel shape {show_shape(kernel)}.")
        c = _channels(shape, fmt)
        if is_int(c) and is_int(kernel[-1]) and c != kernel[-1]:
            raise ShapeError(AXIS_MISMATCH, "The number of input channels must match the kernel's input channels. "
                             f"Received: input channels={c}, kernel input channels={kernel[-1]}, data_format='{fmt}'.")
        if len(kernel) < 2:
            raise ShapeError(RANK_MISMATCH, f"The kernel needs rank >= 2: tuple index out of range. Received kernel "
                             f"shape {show_shape(kernel)}.")
        # Fewer than one spatial axis: the backend has no such transposed convolution.
        _backend_rank(shape, "keras.ops.conv_transpose")
        n = len(shape) - 2
        ksize = tuple(kernel[:-2])
        filters = kernel[-2]
        if len(ksize) < n:
            raise ShapeError(RANK_MISMATCH, f"Kernel shape {show_shape(kernel)} has fewer spatial axes than the input "
                             f"{show_shape(shape)}: tuple index out of range.")
        space = cu.spatial(shape, fmt)
        strides = param(call, "strides")
        if isinstance(strides, (list, tuple)) and len(strides) < n:
            raise ShapeError(INVALID_ARGUMENT, f"`strides` must have one value per spatial axis ({n}): tuple index "
                             f"out of range. Received strides={strides!r}")
        dilation = param(call, "dilation_rate")
        if isinstance(dilation, (list, tuple)) and len(dilation) < n:
            raise ShapeError(INVALID_ARGUMENT, f"`dilation_rate` must have one value per spatial axis ({n}): tuple "
                             f"index out of range. Received dilation_rate={dilation!r}")
        output_padding = param(call, "output_padding")
        if isinstance(output_padding, (list, tuple)) and len(output_padding) < n:
            raise ShapeError(INVALID_ARGUMENT, f"`output_padding` must have one value per spatial axis ({n}): tuple "
                             f"index out of range. Received output_padding={output_padding!r}")
        if any(isinstance(v, (list, tuple)) and len(v) > n for v in (strides, dilation, output_padding)):
            raise Unknowable()
        strides_t = _per_axis(strides, n, "strides")
        dilation_t = _per_axis(dilation, n, "dilation_rate")
        if output_padding is None:
            op_t: tuple = (None,) * n
        else:
            op_t = _per_axis(output_padding, n, "output_padding", minimum=0)
        defined = [d is not None for d in space]
        if any(defined) and padding not in ("valid", "same"):
            raise ShapeError(INVALID_ARGUMENT, "The `padding` argument must be one of 'valid', 'same'. Received: "
                             f"padding={padding}")
        if any(k is None for k, d in zip(ksize, defined) if d):
            if call.traced:
                raise Unknowable()
            raise ShapeError(INVALID_ARGUMENT, "unsupported operand type(s) for -: 'NoneType' and 'int': a kernel "
                             f"with an undefined spatial axis {show_shape(kernel)}.")
        ksize = tuple(dims.unknown() if k is None else k for k in ksize[:n])
        out = tuple(cu.deconv_output_length(d, k, s, padding if padding in ("valid", "same") else None, op, r)
                    for d, k, s, op, r in zip(space, ksize, strides_t, op_t, dilation_t))
        # What the TensorFlow backend rejects as soon as data flows.
        if len(kernel) != len(shape):
            raise Unknowable()  # TensorFlow runs some of these (a 4-D kernel on a 1-D input of length 1)
        if padding not in ("valid", "same"):
            raise ShapeError(INVALID_ARGUMENT, "The `padding` argument must be one of 'valid', 'same'. Received: "
                             f"padding={padding}")
        problems, maybe_empty = [], False
        for i, (d, k, s, op, r) in enumerate(zip(space, ksize, strides_t, op_t, dilation_t)):
            if op is None or not (is_int(k) and is_int(s) and is_int(r)):
                continue
            effective = (k - 1) * r + 1
            if padding == "same" and effective % 2 + op == 0 and not (is_int(d) and d > 1):
                maybe_empty = True  # (length - 1) * strides: an empty output for length 1, which runs
            # The output must convolve back to the input's length.
            if not (op < s if padding == "valid" else 1 <= effective % 2 + op <= s):
                problems.append(f"at spatial axis {i}, output_padding={op} with strides={s}, an effective kernel "
                                f"of {effective} and padding='{padding}'")
        if problems and not maybe_empty:
            raise ShapeError(INVALID_ARGUMENT, f"Conv2DCustomBackpropInput: Size of out_backprop doesn't match "
                             f"computed: {problems[0]} gives an output that does not convolve back to the input's "
                             "length (valid needs output_padding < strides; same needs 1 <= kernel % 2 + "
                             "output_padding <= strides).")
        return x.with_shape(cu.assemble(shape[0], out, filters, fmt))


# -- pooling ----------------------------------------------------------------------------------


class _PoolOp(OpRule):
    """``max_pool`` / ``average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None)``:
    ``compute_pooling_output_shape``, strides defaulting to ``pool_size``; 1- to 3-D on data."""

    params = ("inputs", "pool_size", "strides", "padding", "data_format")
    defaults = {"strides": None, "padding": "valid", "data_format": None}

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "inputs")
        fmt = _fmt(param(call, "data_format"))
        padding = _padding(param(call, "padding"))
        shape = x.shape
        assert shape is not None
        if len(shape) < 2:
            raise Unknowable()
        n = len(shape) - 2
        pool = _per_axis(param(call, "pool_size"), n, "pool_size")
        strides_v = param(call, "strides")
        strides = pool if strides_v is None else _per_axis(strides_v, n, "strides")
        if padding not in ("valid", "same"):
            raise ShapeError(INVALID_ARGUMENT, "Argument `padding` must be either 'valid' or 'same'. Received: "
                             f"padding={padding}")
        space = cu.spatial(shape, fmt)
        out = _valid_lengths(space, pool, strides, (1,) * n, padding,
                             f"`inputs.shape={show_shape(shape)}`, `pool_size={cu.show_tuple(pool)}`, "
                             f"`strides={cu.show_tuple(strides)}`, `padding={padding}`")
        _backend_rank(shape, call.rule.names[0])
        return x.with_shape(cu.assemble(shape[0], out, _channels(shape, fmt), fmt))


@register
class MaxPool(_PoolOp):
    """``keras.ops.max_pool``: the spatial axes pooled, batch and channels kept."""

    names = ("keras.ops.max_pool",)
    examples = (
        Example({"pool_size": 2}, (None, 10, 3), (None, 5, 3)),
        Example({"pool_size": 3, "strides": 1, "padding": "same"}, (None, 7, None, 3), (None, 7, None, 3)),
        Example({"pool_size": 2, "data_format": "channels_first"}, (None, 3, 8, 8), (None, 3, 4, 4)),
        Example({"pool_size": 4}, (None, 3, 3), "negative-dimension"),
        Example({"pool_size": 2, "padding": "full"}, (None, 10, 3), "invalid-argument"),
        Example({"pool_size": 2}, (2, 10), "rank-mismatch"),
    )


@register
class AveragePool(_PoolOp):
    """``keras.ops.average_pool``: the spatial axes pooled, batch and channels kept."""

    names = ("keras.ops.average_pool",)
    examples = (
        Example({"pool_size": (2, 3)}, (None, 10, 9, 3), (None, 5, 3, 3)),
        Example({"pool_size": 2, "strides": 3, "padding": "same"}, (None, 10, 3), (None, 4, 3)),
        Example({"pool_size": (2, 2, 2)}, (None, 10, 9, 3), "invalid-argument"),
        Example({"pool_size": 2}, (2, 4, 4, 4, 4, 3), "rank-mismatch"),
    )


class _AdaptivePool(OpRule):
    """``adaptive_*_pool(inputs, output_size, data_format=None)``, as its ``compute_output_spec`` has it:
    ``output_size`` must be a tuple; channels first gives ``(batch, channels, *output_size)``;
    channels last keeps ``inputs.shape[:-len(output_size)]`` before it (Keras 3.15 keeps one spatial
    axis too many there: ``(2, 8, 8, 3)`` pooled to ``(4, 4)`` reads ``(2, 8, 4, 4, 3)``, while data
    gives ``(2, 4, 4, 3)``).  On data the TensorFlow backend takes 1- to 3-D inputs and unpacks one
    size per spatial axis; ``adaptive_max_pool`` there can kill the process (SIGFPE) for some sizes."""

    params = ("inputs", "output_size", "data_format")
    defaults = {"data_format": None}

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "inputs")
        size = known(param(call, "output_size"))
        fmt = param(call, "data_format")
        shape = x.shape
        assert shape is not None
        if fmt not in (None, cu.CHANNELS_LAST, cu.CHANNELS_FIRST):
            raise Unknowable()
        if call.traced:
            return self.traced_output(x, size, fmt)
        if not isinstance(size, tuple):
            raise ShapeError(INVALID_ARGUMENT, "`output_size` must be a tuple for a symbolic input (Keras computes "
                             f"`shape[:-len(output_size)] + output_size`). Received output_size={size!r}")
        if not all(is_int(s) for s in size):
            raise Unknowable()
        if len(shape) not in (3, 4, 5):
            raise ShapeError(RANK_MISMATCH, f"{call.rule.names[0].rsplit('.', 1)[-1]} supports 1D, 2D, or 3D inputs "
                             f"only. Received input shape {show_shape(shape)}.")
        if len(size) > len(shape) - 2:
            raise Unknowable()  # the 1-D kernels read the first size only
        if len(size) < len(shape) - 2:
            raise ShapeError(INVALID_ARGUMENT, f"`output_size` needs one size per spatial axis "
                             f"({len(shape) - 2}): not enough values to unpack. Received output_size={size!r}")
        if fmt == cu.CHANNELS_FIRST:
            out = (shape[0], shape[1], *size)
        else:
            out = (*shape[:-len(size)], *size, shape[-1]) if size else (*shape, shape[-1])
        return x.with_shape(out)


    def traced_output(self, x: TensorType, size: Any, fmt: Any) -> TensorType:
        """Inside a layer's ``call`` the backend runs: ``output_size`` an int or a sequence, and the
        spatial axes replaced."""
        shape = x.shape
        assert shape is not None
        if len(shape) not in (3, 4, 5):
            raise ShapeError(RANK_MISMATCH, f"adaptive pooling supports 1D, 2D, or 3D inputs only. Received input "
                             f"shape {show_shape(shape)}.")
        n = len(shape) - 2
        sizes = (size,) * n if is_int(size) else tuple(size) if isinstance(size, (list, tuple)) else None
        if sizes is None or len(sizes) != n or not all(is_int(v) for v in sizes):
            raise Unknowable()
        if fmt == cu.CHANNELS_FIRST:
            return x.with_shape((shape[0], shape[1], *sizes))
        return x.with_shape((shape[0], *sizes, shape[-1]))


@register
class AdaptiveAveragePool(_AdaptivePool):
    """``keras.ops.adaptive_average_pool``: the spatial axes set to ``output_size``."""

    names = ("keras.ops.adaptive_average_pool",)
    examples = (
        Example({"output_size": (4, 4), "data_format": "channels_first"}, (None, 3, None, 9), (None, 3, 4, 4)),
        Example({"output_size": (4,)}, (None, None, 3), (None, None, 4, 3)),
        Example({"output_size": 4}, (None, 9, 9, 3), "invalid-argument"),
    )


@register
class AdaptiveMaxPool(_AdaptivePool):
    """``keras.ops.adaptive_max_pool``: the spatial axes set to ``output_size``."""

    names = ("keras.ops.adaptive_max_pool",)
    examples = (
        Example({"output_size": (2, 3, 4), "data_format": "channels_first"}, (None, 3, None, 9, 9),
                (None, 3, 2, 3, 4)),
        Example({"output_size": [4, 4]}, (None, 9, 9, 3), "invalid-argument"),
        Example({"output_size": (4,)}, (None, 9), "rank-mismatch"),
    )


# -- normalization ----------------------------------------------------------------------------


@register
class BatchNormalization(OpRule):
    """``keras.ops.batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3)``:
    ``mean``, ``variance`` (and ``offset``, ``scale`` when given) are vectors of length
    ``x.shape[axis]``, compared as Keras compares shapes (``None`` equals only ``None``); an
    ``offset`` without a ``scale`` fails (Keras reads ``scale.shape``).  Output: ``x``'s shape."""

    names = ("keras.ops.batch_normalization",)
    params = ("x", "mean", "variance", "axis", "offset", "scale", "epsilon")
    defaults = {"offset": None, "scale": None, "epsilon": 1e-3}
    examples = (
        Example({"axis": -1}, (None, 5, 3), (None, 5, 3), args=((3,), (3,))),
        Example({"axis": 1}, (None, 4, 6), (None, 4, 6), args=((4,), (4,)), call_kwargs={"scale": T((4,))}),
        Example({"axis": -1}, (None, 5, 3), "incompatible-shapes", args=((5,), (5,))),
        Example({"axis": -1}, (None, 5, None), "incompatible-shapes", args=((3,), (3,))),
        Example({"axis": -1}, (None, 5, 3), "incompatible-shapes", args=((3,), (3,)), call_kwargs={"offset": T((3,))}),
        Example({"axis": 3}, (None, 5, 3), "invalid-argument", args=((3,), (3,))),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        axis = known(param(call, "axis"))
        if not is_int(axis):
            raise Unknowable()
        if not -len(shape) <= axis < len(shape):
            raise ShapeError(INVALID_ARGUMENT, f"tuple index out of range: axis={axis} for x of shape "
                             f"{show_shape(shape)}.")
        expected = (shape[axis],)
        offset, scale = param(call, "offset"), param(call, "scale")
        named = [("mean", param(call, "mean")), ("variance", param(call, "variance"))]
        if offset is not None:
            named.append(("offset", offset))
        if offset is not scale:
            named.append(("scale", scale))
        for name, v in named:
            if v is None:
                raise ShapeError(INCOMPATIBLE_SHAPES, f"`{name}` must be given with `offset` ('NoneType' object has "
                                 "no attribute 'shape'): pass both `offset` and `scale`, or `scale` alone.")
            if v is UNKNOWN or not isinstance(v, TensorType):
                raise Unknowable()
            if v.shape is None:
                raise Unknowable()
            _incompatible_unless(_same_shape(v.shape, expected, call.traced),
                                 f"Arguments `{name}` must be a vector of length `x.shape[axis]`. "
                                 f"Expected: `{show_shape(expected)}`. Received: `{show_shape(v.shape)}`.")
        return x


@register
class Moments(OpRule):
    """``keras.ops.moments(x, axes, keepdims=False, synchronized=False)``: the mean and the variance,
    each ``x``'s shape with ``axes`` removed (kept as 1 with ``keepdims``)."""

    names = ("keras.ops.moments",)
    params = ("x", "axes", "keepdims", "synchronized")
    defaults = {"keepdims": False, "synchronized": False}
    examples = (
        Example({"axes": (0, 1)}, (None, 5, 3), [(3,), (3,)]),
        Example({"axes": [1], "keepdims": True}, (None, 5, 3), [(None, 1, 3), (None, 1, 3)]),
        Example({"axes": 2}, (None, 5, 3), [(None, 5), (None, 5)]),
        Example({"axes": (3,)}, (None, 5, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        axes = known(param(call, "axes"))
        keep = known(param(call, "keepdims"))
        if axes is None:
            out: Shape = tuple(1 for _ in shape) if keep else ()
        else:
            seq = (axes,) if is_int(axes) else tuple(axes) if isinstance(axes, (list, tuple)) else None
            if seq is None or not all(is_int(a) for a in seq):
                raise Unknowable()
            where = [axis_index(a, len(shape)) for a in seq]
            if len(set(where)) != len(where):
                if keep:
                    raise Unknowable()
                rest = list(shape)
                for a in sorted(where, reverse=True):
                    if a >= len(rest):  # Keras deletes a repeated axis twice
                        raise ShapeError(INVALID_ARGUMENT, f"list assignment index out of range: repeated axis in "
                                         f"axes={axes!r} for x of shape {show_shape(shape)}.")
                    del rest[a]
                raise Unknowable()
            out = tuple(1 if i in where else d for i, d in enumerate(shape)) if keep else \
                tuple(d for i, d in enumerate(shape) if i not in where)
        return [x.with_shape(out), x.with_shape(out)]


def _norm_axes(axis: Any, rank: int) -> tuple[int, ...]:
    axis = known(axis)
    seq = (axis,) if is_int(axis) else tuple(axis) if isinstance(axis, (list, tuple)) else None
    if seq is None or not all(is_int(a) for a in seq):
        raise Unknowable()
    return tuple(axis_index(a, rank) for a in seq)


def _broadcasts(a: Shape, b: Shape, what: str) -> None:
    try:
        broadcast_or_fail(a, b)
    except ShapeError as e:
        raise ShapeError(INCOMPATIBLE_SHAPES, f"{what}: {e.message}") from None


def _optional_tensor(call: Call, name: str) -> Optional[Shape]:
    v = param(call, name)
    if v is None:
        return None
    if not isinstance(v, TensorType) or v.shape is None:
        raise Unknowable()
    return v.shape


@register
class LayerNormalization(OpRule):
    """``keras.ops.layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None)``: ``x``'s
    shape.  On data ``axis`` must be in range, and ``gamma``/``beta`` must broadcast against ``x``
    (reshaped to the normalized axes first when their rank differs and ``axis`` is not literally
    ``rank - 1``: with the default ``axis=-1`` a ``(3,)`` gamma is reshaped, a scalar one fails)."""

    names = ("keras.ops.layer_normalization",)
    params = ("x", "gamma", "beta", "axis", "epsilon")
    defaults = {"gamma": None, "beta": None, "axis": -1, "epsilon": None}
    examples = (
        Example({}, (None, 5, 3), (None, 5, 3), args=((3,), (3,))),
        Example({"axis": (1, 2)}, (2, 5, 3), (2, 5, 3), args=((5, 3),)),
        Example({"axis": 1}, (2, 5, 3), (2, 5, 3), args=((5,),)),
        Example({}, (2, 5, 3), "incompatible-shapes", args=((4,),)),
        Example({"axis": 1}, (2, 5, 3), "incompatible-shapes", args=((3,),)),
        Example({"axis": 3}, (2, 5, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        rank = len(shape)
        axes = sorted(_norm_axes(param(call, "axis"), rank))
        raw = param(call, "axis")
        raw = sorted([raw] if is_int(raw) else raw)
        counts: list[tuple[Shape, Dim]] = []  # gamma and beta reshaped to the same axes hold as many values
        for name in ("gamma", "beta"):
            v = _optional_tensor(call, name)
            if v is None:
                continue
            # Keras compares the axes as given: `axis=-1` is not `[ndims - 1]`.
            if len(v) != rank and raw != [rank - 1]:
                # Reshaped to 1s but the normalized axes.
                target = tuple(shape[a] for a in sorted(set(axes)))
                n, m = dims.product(list(target)), dims.product(list(v))
                counts.append((v, m))
                other = counts[0] if len(counts) == 2 else None
                if (is_int(m) and never_holds(target, m)) or (is_int(n) and never_holds(v, n)) or \
                        (other is not None and ((is_int(other[1]) and never_holds(v, other[1]))
                                                or (is_int(m) and never_holds(other[0], m)))):
                    raise ShapeError(INCOMPATIBLE_SHAPES, f"`{name}` of shape {show_shape(v)} cannot be reshaped to "
                                     f"the normalized axes {axes} of x {show_shape(shape)} ({n} values).")
                continue
            _broadcasts(shape, v, f"`{name}` must broadcast against x")
            reduced = tuple(1 if i in axes else d for i, d in enumerate(shape))
            _broadcasts(reduced, v, f"`{name}` must broadcast against the statistics")
        return x


@register
class RMSNormalization(OpRule):
    """``keras.ops.rms_normalization(x, scale=None, axis=-1, epsilon=None)``: ``x``'s shape; on data
    ``axis`` must be in range and ``scale`` must broadcast against ``x``."""

    names = ("keras.ops.rms_normalization",)
    params = ("x", "scale", "axis", "epsilon")
    defaults = {"scale": None, "axis": -1, "epsilon": None}
    examples = (
        Example({}, (None, 5, 3), (None, 5, 3), args=((3,),)),
        Example({"axis": (1, 2)}, (None, 5, 3), (None, 5, 3), args=((5, 3),)),
        Example({}, (2, 5, 3), "incompatible-shapes", args=((5,),)),
        Example({"axis": -4}, (2, 5, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        run = shape if shape else (1,)
        _norm_axes(param(call, "axis"), len(run))
        scale = _optional_tensor(call, "scale")
        if scale is not None:
            _broadcasts(run, scale, "`scale` must broadcast against x")
        return x


@register
class Normalize(OpRule):
    """``keras.ops.normalize(x, axis=-1, order=2, epsilon=None)``: ``x``'s shape; ``axis`` in range;
    on data ``order`` must be an int >= 1."""

    names = ("keras.ops.normalize",)
    params = ("x", "axis", "order", "epsilon")
    defaults = {"axis": -1, "order": 2, "epsilon": None}
    examples = (
        Example({}, (None, 5, 3), (None, 5, 3)),
        Example({"axis": 1, "order": 1}, (None, 5, 3), (None, 5, 3)),
        Example({"axis": 3}, (None, 5, 3), "invalid-argument"),
        Example({"order": 0}, (2, 5, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        axis = known(param(call, "axis"))
        if axis is not None:
            _norm_axes(axis, len(shape))
        order = known(param(call, "order"))
        if not is_int(order) or order < 1:
            raise ShapeError(INVALID_ARGUMENT, f"Argument `order` must be an int >= 1. Received: order={order}")
        if order != 2 and not is_int(axis):
            raise Unknowable()  # a matrix norm, or a norm over every axis
        return x


# -- losses -----------------------------------------------------------------------------------


def _pair_shapes(call: Call, a: str, b: str) -> tuple[TensorType, TensorType]:
    return tensor(call, a), tensor(call, b)


def _same_or_fail(target: Shape, output: Shape, message: str, traced: bool = False) -> None:
    """Keras's ``target.shape != output.shape`` (``None`` equals only ``None``); ranks first, as the
    backend compares them (``must have the same rank (ndim)``) when ``message`` is about the shape."""
    if len(target) != len(output) and message.endswith("must have the same shape."):
        message = "Arguments `target` and `output` must have the same rank (ndim)."
    _incompatible_unless(_same_shape(target, output, traced), f"{message} Received: target.shape={show_shape(target)}, "
                         f"output.shape={show_shape(output)}")


@register
class BinaryCrossentropy(OpRule):
    """``keras.ops.binary_crossentropy(target, output, from_logits=False)``: elementwise, so
    ``target`` and ``output`` have the same shape (as Keras compares shapes: ``(None, 3)`` is not
    ``(2, 3)``); the output has it too."""

    names = ("keras.ops.binary_crossentropy",)
    params = ("target", "output", "from_logits")
    defaults = {"from_logits": False}
    examples = (
        Example({}, (None, 3), (None, 3), args=((None, 3),)),
        Example({"from_logits": True}, (4,), (4,), args=((4,),)),
        Example({}, (None, 3), "incompatible-shapes", args=((None, 1),)),
        Example({}, (2, 3), "incompatible-shapes", args=((None, 3),)),
    )

    def output(self, call: Call) -> TensorType:
        target, output = _pair_shapes(call, "target", "output")
        assert target.shape is not None and output.shape is not None
        _same_or_fail(target.shape, output.shape, "Arguments `target` and `output` must have the same shape.",
                      call.traced)
        return output


@register
class CategoricalCrossentropy(OpRule):
    """``keras.ops.categorical_crossentropy(target, output, from_logits=False, axis=-1)``: the same
    shape for both, rank >= 1; the last axis is dropped whatever ``axis`` says (symbolically; data
    drops ``axis``, which must be in range, and with ``from_logits=True`` not negative but -1)."""

    names = ("keras.ops.categorical_crossentropy",)
    params = ("target", "output", "from_logits", "axis")
    defaults = {"from_logits": False, "axis": -1}
    examples = (
        Example({}, (None, 5), (None,), args=((None, 5),)),
        Example({"axis": 1}, (2, 4, 5), (2, 4), args=((2, 4, 5),)),
        Example({}, (None, 5), "incompatible-shapes", args=((None, 4),)),
        Example({}, (), "rank-mismatch", args=((),)),
        Example({"axis": 3}, (2, 4, 5), "invalid-argument", args=((2, 4, 5),)),
    )

    def output(self, call: Call) -> TensorType:
        target, output = _pair_shapes(call, "target", "output")
        assert target.shape is not None and output.shape is not None
        _same_or_fail(target.shape, output.shape, "Arguments `target` and `output` must have the same shape.",
                      call.traced)
        if not output.shape:
            raise ShapeError(RANK_MISMATCH, "Arguments `target` and `output` must be at least rank 1. Received: "
                             f"target.shape={show_shape(target.shape)}, output.shape={show_shape(output.shape)}")
        axis = known(param(call, "axis"))
        if is_int(axis):
            axis_index(axis, len(output.shape))  # the reduction on data
        else:
            raise Unknowable()
        if axis < -1 and param(call, "from_logits") is True:
            raise ShapeError(INVALID_ARGUMENT, f"softmax_cross_entropy_with_logits fails on data for a negative axis "
                             f"other than -1 (Range: Requires start <= limit). Received axis={axis}; use "
                             f"axis={axis + len(output.shape)}.")
        if call.traced:  # the backend drops `axis`
            a = axis_index(axis, len(output.shape))
            return output.with_shape(output.shape[:a] + output.shape[a + 1:])
        return output.with_shape(output.shape[:-1])


@register
class SparseCategoricalCrossentropy(OpRule):
    """``keras.ops.sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1)``:
    integer ``target`` of ``output``'s shape without the class ``axis`` (a trailing 1 is dropped
    first), compared as Keras compares shapes; on data ``axis`` must be the last."""

    names = ("keras.ops.sparse_categorical_crossentropy",)
    params = ("target", "output", "from_logits", "axis")
    defaults = {"from_logits": False, "axis": -1}
    examples = (
        Example({}, T((None,), "int32"), (None,), args=((None, 5),)),
        Example({}, T((None, 7, 1), "int32"), (None, 7), args=((None, 7, 5),)),
        Example({}, T((None, 4), "int32"), "incompatible-shapes", args=((None, 5),)),
        Example({"axis": 1}, T((2, 5), "int32"), "invalid-argument", args=((2, 3, 5),)),
        Example({}, T((), "int32"), "rank-mismatch", args=((),)),
    )

    def output(self, call: Call) -> TensorType:
        target, output = _pair_shapes(call, "target", "output")
        t, o = target.shape, output.shape
        assert t is not None and o is not None
        if not o:
            raise ShapeError(RANK_MISMATCH, f"Argument `output` must be at least rank 1. Received: output.shape="
                             f"{show_shape(o)}")
        axis = known(param(call, "axis"))
        if not is_int(axis):
            raise Unknowable()
        a = axis_index(axis, len(o))
        if len(t) == len(o) and t and _same(t[-1], 1, call.traced) is not False:
            if _same(t[-1], 1, call.traced) is None:
                raise Unknowable()
            t = t[:-1]
        without = o[:a] + o[a + 1:]
        if len(t) != len(without):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Argument `output` must have rank (ndim) `target.ndim - 1`. "
                             f"Received: target.shape={show_shape(target.shape)}, output.shape={show_shape(o)}")
        _same_or_fail(t, without, "Arguments `target` and `output` must have the same shape up until the last "
                      "dimension.", call.traced)
        if axis != -1 and axis != len(o) - 1:
            raise ShapeError(INVALID_ARGUMENT, f"Only axis=-1 is currently supported. Received: axis={axis}")
        return output.with_shape(without)


# -- encodings and rearrangements -------------------------------------------------------------


@register
class MultiHot(OpRule):
    """``keras.ops.multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False)``: the
    classes axis inserted at ``axis`` (``-1``: appended), then the second axis reduced away
    (the first for a rank-1 input)."""

    names = ("keras.ops.multi_hot",)
    params = ("inputs", "num_classes", "axis", "dtype", "sparse")
    defaults = {"num_classes": None, "axis": -1, "dtype": None, "sparse": False}
    examples = (
        Example({"num_classes": 10}, T((None, 4), "int32"), (None, 10)),
        Example({"num_classes": 10}, T((4,), "int32"), (10,)),
        Example({"num_classes": 10, "axis": 0}, T((None, 4, 3), "int32"), (10, 4, 3)),
        Example({}, T((None, 4), "int32"), "invalid-argument"),
        Example({"num_classes": 10, "axis": 2}, T((None, 4), "int32"), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "inputs")
        shape = x.shape
        assert shape is not None
        n = param(call, "num_classes")
        if n is None and "num_tokens" not in call.kwargs:
            raise ShapeError(INVALID_ARGUMENT, "Argument `num_classes` must be specified.")
        n = call.kwargs.get("num_tokens", n) if n is None else n
        if n is UNKNOWN or isinstance(n, dims.Sym):
            n = dims.unknown()
        elif not is_int(n) or n <= 0:
            raise Unknowable()
        axis = known(param(call, "axis"))
        if not is_int(axis):
            raise Unknowable()
        out = list(shape)
        if axis == -1:
            out.append(n)
        elif 0 <= axis < len(out):
            out.insert(axis, n)
        else:
            raise ShapeError(INVALID_ARGUMENT, f"axis must be -1 or between [0, {len(shape)}), but received {axis}.")
        if call.traced and not shape:
            raise Unknowable()  # the backend reduces the one-hot axis itself
        out = [out[-1]] if len(out) == 2 else [out[0]] + out[2:]
        return TensorType(tuple(out), x.dtype)


class _BlockOp(OpRule):
    params = ("x", "block_size", "data_format")
    defaults = {"data_format": "channels_last"}

    def parts(self, call: Call) -> tuple[TensorType, int, str]:
        x = tensor(call, "x")
        fmt = _fmt(param(call, "data_format"))
        bs = known(param(call, "block_size"))
        if not is_int(bs):
            raise Unknowable()
        if bs < 2:
            raise ShapeError(INVALID_ARGUMENT, f"`block_size` must be at least 2. Received: block_size={bs}")
        assert x.shape is not None
        if len(x.shape) != 4:
            raise ShapeError(RANK_MISMATCH, f"`{call.rule.names[0].rsplit('.', 1)[-1]}` requires a 4D input tensor. "
                             f"Received: x.shape={show_shape(x.shape)}")
        return x, bs, fmt


def _bhwc(shape: Shape, fmt: str) -> tuple[Dim, Dim, Dim, Dim]:
    if fmt == cu.CHANNELS_LAST:
        return shape[0], shape[1], shape[2], shape[3]
    return shape[0], shape[2], shape[3], shape[1]


def _from_bhwc(b: Dim, h: Dim, w: Dim, c: Dim, fmt: str) -> Shape:
    return (b, h, w, c) if fmt == cu.CHANNELS_LAST else (b, c, h, w)


@register
class DepthToSpace(_BlockOp):
    """``keras.ops.depth_to_space(x, block_size, data_format="channels_last")``: a 4-D input; channels
    (divisible by ``block_size**2``) become ``block_size x block_size`` spatial blocks."""

    names = ("keras.ops.depth_to_space",)
    examples = (
        Example({"block_size": 2}, (None, 4, 5, 8), (None, 8, 10, 2)),
        Example({"block_size": 2, "data_format": "channels_first"}, (None, 8, 4, None), (None, 2, 8, None)),
        Example({"block_size": 2}, (None, 4, 5, 6), "axis-mismatch"),
        Example({"block_size": 1}, (None, 4, 5, 4), "invalid-argument"),
        Example({"block_size": 2}, (None, 4, 4), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x, bs, fmt = self.parts(call)
        assert x.shape is not None
        b, h, w, c = _bhwc(x.shape, fmt)
        if cu.certainly_indivisible(c, bs * bs):
            raise ShapeError(AXIS_MISMATCH, f"The number of channels ({c}) must be divisible by block_size**2 "
                             f"({bs * bs}).")
        return x.with_shape(_from_bhwc(b, dims.mul(h, bs), dims.mul(w, bs), cu.exact_div(c, bs * bs), fmt))


@register
class SpaceToDepth(_BlockOp):
    """``keras.ops.space_to_depth(x, block_size, data_format="channels_last")``: a 4-D input; height and
    width (divisible by ``block_size``) fold into the channels."""

    names = ("keras.ops.space_to_depth",)
    examples = (
        Example({"block_size": 2}, (None, 4, 6, 3), (None, 2, 3, 12)),
        Example({"block_size": 3, "data_format": "channels_first"}, (None, 2, 6, None), (None, 18, 2, None)),
        Example({"block_size": 2}, (None, 5, 6, 3), "axis-mismatch"),
        Example({"block_size": 2}, (None, 4, 6, 3, 1), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x, bs, fmt = self.parts(call)
        assert x.shape is not None
        b, h, w, c = _bhwc(x.shape, fmt)
        for name, d in (("Height", h), ("Width", w)):
            if cu.certainly_indivisible(d, bs):
                raise ShapeError(AXIS_MISMATCH, f"{name} ({d}) must be divisible by block_size ({bs}).")
        return x.with_shape(_from_bhwc(b, cu.exact_div(h, bs), cu.exact_div(w, bs), dims.mul(c, bs * bs), fmt))


def _two(v: Any, name: str) -> tuple[Any, Any]:
    """``_pair``: an int for both axes, else a pair (Keras unpacks two values)."""
    v = known(v)
    if is_int(v):
        return v, v
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise ShapeError(INVALID_ARGUMENT, f"`{name}` must be an int or a pair of ints: expected 2 values to "
                             f"unpack. Received {name}={v!r}")
        if all(is_int(x) for x in v):
            return v[0], v[1]
    raise Unknowable()


@register
class Unfold(OpRule):
    """``keras.ops.unfold(x, kernel_size, dilation=1, padding=0, stride=1)``: a ``(N, C, H, W)`` input
    (C, H and W defined) to ``(N, C * kH * kW, L)`` sliding blocks, ``L`` the number of positions."""

    names = ("keras.ops.unfold",)
    params = ("x", "kernel_size", "dilation", "padding", "stride")
    defaults = {"dilation": 1, "padding": 0, "stride": 1}
    examples = (
        Example({"kernel_size": 2}, (None, 3, 4, 4), (None, 12, 9)),
        Example({"kernel_size": 3, "padding": 1, "stride": 2}, (2, 1, 5, 5), (2, 9, 9)),
        Example({"kernel_size": 2}, (None, 3, 4), "rank-mismatch"),
        Example({"kernel_size": 2}, (None, 3, None, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if len(shape) != 4:
            raise ShapeError(RANK_MISMATCH, f"Input must be a 4D tensor. Received: input.shape={show_shape(shape)}")
        n, c, h, w = shape
        (kh, kw), (dh, dw) = _two(param(call, "kernel_size"), "kernel_size"), _two(param(call, "dilation"), "dilation")
        (ph, pw), (sh, sw) = _two(param(call, "padding"), "padding"), _two(param(call, "stride"), "stride")
        if c is None or h is None or w is None:
            if call.traced:
                raise Unknowable()
            raise ShapeError(INVALID_ARGUMENT, "unsupported operand type(s) for *: 'NoneType' and 'int': unfold needs "
                             f"defined channels, height and width. Received: input.shape={show_shape(shape)}")
        if any(isinstance(d, dims.Sym) for d in (c, h, w)) or min(sh, sw) <= 0:
            raise Unknowable()
        oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1  # type: ignore[operator]
        ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1  # type: ignore[operator]
        if oh * ow < 0:
            raise ShapeError(NEGATIVE_DIMENSION, f"Cannot convert the output shape to a shape: the block count "
                             f"{oh} x {ow} is negative (the kernel is larger than the padded input).")
        if oh <= 0 or ow <= 0:
            raise Unknowable()
        return x.with_shape((n, c * kh * kw, oh * ow))  # type: ignore[operator]


def _fold_fits(ckk: Dim, length: int, kk: int, positions: int) -> bool:
    """Whether some channel count (``ckk`` itself when known) gives ``ckk * length`` elements equal to
    ``(ckk // kk) * kk * positions``; ``ckk = q * kk + r`` needs ``q * kk * (positions - length) ==
    r * length``."""
    if is_int(ckk):
        return ckk * length == (ckk // kk) * kk * positions  # type: ignore[operator]
    if ckk is not None and not isinstance(ckk, dims.Sym):
        return True
    if length == positions:
        return True
    if length > positions:
        return False
    step = kk * (positions - length)
    return any((r * length) % step == 0 for r in range(1, kk))


@register
class Fold(OpRule):
    """``keras.ops.fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1)``: ``(N, C * kH *
    kW, L)`` blocks summed back into ``(N, C, oH, oW)``; on data ``L`` must be the number of
    positions the output size gives."""

    names = ("keras.ops.fold",)
    params = ("x", "output_size", "kernel_size", "dilation", "padding", "stride")
    defaults = {"dilation": 1, "padding": 0, "stride": 1}
    examples = (
        Example({"output_size": 4, "kernel_size": 2}, (None, 12, 9), (None, 3, 4, 4)),
        Example({"output_size": (4, 4), "kernel_size": 2}, (None, None, 9), (None, None, 4, 4)),
        Example({"output_size": 4, "kernel_size": 2}, (None, 10, 9), "axis-mismatch"),
        Example({"output_size": 4, "kernel_size": 2}, (2, 12, 8), "axis-mismatch"),
        Example({"output_size": 4, "kernel_size": 2}, (None, 12, 9, 1), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if len(shape) != 3:
            raise ShapeError(RANK_MISMATCH, f"Input must be a 3D tensor. Received: input.shape={show_shape(shape)}")
        n, ckk, length = shape
        kh, kw = _two(param(call, "kernel_size"), "kernel_size")
        oh, ow = _two(param(call, "output_size"), "output_size")
        if kh * kw == 0:
            raise Unknowable()
        if cu.certainly_indivisible(ckk, kh * kw):
            raise ShapeError(AXIS_MISMATCH, f"The second dimension of the input ({ckk}) must be divisible by "
                             f"kernel_size product ({kh * kw}).")
        c = cu.exact_div(ckk, kh * kw)
        (dh, dw), (ph, pw) = _two(param(call, "dilation"), "dilation"), _two(param(call, "padding"), "padding")
        sh, sw = _two(param(call, "stride"), "stride")
        if min(sh, sw) > 0:
            nh = (oh + 2 * ph - dh * (kh - 1) - 1) // sh + 1
            nw = (ow + 2 * pw - dw * (kw - 1) - 1) // sw + 1
            # Reshaped to (N, C, kH, kW, nH, nW): with C = ckk // (kH * kW), the element counts must agree.
            if is_int(length) and nh > 0 and nw > 0 and not _fold_fits(ckk, length, kh * kw, nh * nw):
                raise ShapeError(AXIS_MISMATCH, f"The last axis of fold's input ({length}) must be the number of "
                                 f"block positions ({nh} x {nw} = {nh * nw}) for output_size=({oh}, {ow}): reshape "
                                 "fails on data.")
        return x.with_shape((n, c, oh, ow))


@register
class PSNR(OpRule):
    """``keras.ops.psnr(x1, x2, max_val)``: a scalar; the ranks must agree (symbolically), and on data
    the shapes must be equal."""

    names = ("keras.ops.psnr",)
    params = ("x1", "x2", "max_val")
    examples = (
        Example({"max_val": 1.0}, (None, 8, 8, 3), (), args=((None, 8, 8, 3),)),
        Example({"max_val": 1.0}, (None, 8, 8, 3), "rank-mismatch", args=((None, 8, 8),)),
        Example({"max_val": 1.0}, (None, 8, 8, 3), "incompatible-shapes", args=((None, 8, 8, 1),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = _pair_shapes(call, "x1", "x2")
        assert a.shape is not None and b.shape is not None
        if len(a.shape) != len(b.shape):
            raise ShapeError(RANK_MISMATCH, "Inputs must have the same rank. Received: "
                             f"x1.shape={show_shape(a.shape)}, x2.shape={show_shape(b.shape)}")
        for x, y in zip(a.shape, b.shape):
            if dims.differs(x, y):
                raise ShapeError(INCOMPATIBLE_SHAPES, f"Input shapes {show_shape(a.shape)} and {show_shape(b.shape)} "
                                 "must match for PSNR calculation.")
        return TensorType((), "float32")


@register
class Polar(OpRule):
    """``keras.ops.polar(abs_, angle)``: a complex tensor of ``abs_``'s shape (symbolically); on data
    ``abs_`` and ``angle`` must broadcast."""

    names = ("keras.ops.polar",)
    params = ("abs_", "angle")
    examples = (
        Example({}, (None, 3), (None, 3), args=((None, 3),)),
        Example({}, (2, 3), (2, 3), args=((3,),)),
        Example({}, (2, 3), "incompatible-shapes", args=((2,),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = _pair_shapes(call, "abs_", "angle")
        assert a.shape is not None and b.shape is not None
        _broadcasts(a.shape, b.shape, "`abs_` and `angle` must broadcast")
        return TensorType(a.shape, "float32")  # Keras's spec: the default dtype


# -- attention --------------------------------------------------------------------------------


def _head_repeats(q_heads: Dim, kv_heads: Dim) -> Dim:
    """How often the TensorFlow backend repeats the key and value heads: ``q_heads // kv_heads`` when
    the key has fewer heads (and more than one), else once; ``None`` when it cannot tell."""
    if is_int(q_heads) and is_int(kv_heads):
        return q_heads // kv_heads if q_heads > kv_heads > 1 else 1  # type: ignore[operator]
    if is_int(kv_heads) and kv_heads <= 1:  # type: ignore[operator]
        return 1
    return None


def _must_match(pairs: list[tuple[str, Dim, Dim]], shapes: str) -> None:
    for what, a, b in pairs:
        if dims.differs(a, b):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"dot_product_attention: the {what} differ ({dims.show(a)} vs "
                             f"{dims.show(b)}) for {shapes}; keys and values need the query's batch and heads "
                             "(or fewer heads dividing them), keys its depth, values the keys' length.")


@register
class DotProductAttention(OpRule):
    """``keras.ops.dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
    is_causal=False, flash_attention=None, attn_logits_soft_cap=None)``: ``query``'s shape
    ``(batch, T, heads, depth)`` (symbolically).  On data every tensor is 4-D; ``key`` is
    ``(batch, S, kv_heads, depth)`` and ``value`` ``(batch, S, kv_heads, depth_v)``, with
    ``kv_heads`` equal to ``heads`` or, grouped-query, repeated ``heads // kv_heads`` times to reach
    them; ``bias`` and a boolean ``mask`` broadcast to ``(batch, heads, T, S)`` (a float tensor mask
    fails there, a float NumPy array does not: left unknown)."""

    names = ("keras.ops.dot_product_attention",)
    params = ("query", "key", "value", "bias", "mask", "scale", "is_causal", "flash_attention",
              "attn_logits_soft_cap")
    defaults = {"bias": None, "mask": None, "scale": None, "is_causal": False, "flash_attention": None,
                "attn_logits_soft_cap": None}
    examples = (
        Example({}, (None, 7, 4, 8), (None, 7, 4, 8), args=((None, 9, 4, 8), (None, 9, 4, 8))),
        Example({"is_causal": True}, (2, 7, 6, 8), (2, 7, 6, 8), args=((2, 7, 2, 8), (2, 7, 2, 8))),
        Example({}, (2, 7, 4, 8), (2, 7, 4, 8), args=((2, 9, 4, 8), (2, 9, 4, 8)),
                call_kwargs={"mask": T((7, 9), "bool"), "bias": T((4, 1, 9))}),
        Example({}, (2, 7, 4, 8), "incompatible-shapes", args=((2, 9, 4, 6), (2, 9, 4, 8))),
        Example({}, (2, 7, 5, 8), "incompatible-shapes", args=((2, 9, 2, 8), (2, 9, 2, 8))),
        Example({}, (2, 7, 4, 8), "incompatible-shapes", args=((2, 9, 4, 8), (2, 8, 4, 8))),
        Example({}, (2, 7, 8), "rank-mismatch", args=((2, 9, 8), (2, 9, 8))),
        Example({"attn_logits_soft_cap": 30.0}, (2, 7, 4, 8), "invalid-argument",
                args=((2, 9, 4, 8), (2, 9, 4, 8))),
    )

    def output(self, call: Call) -> TensorType:
        if param(call, "attn_logits_soft_cap") not in (None,):
            if param(call, "attn_logits_soft_cap") is UNKNOWN:
                raise Unknowable()
            raise ShapeError(INVALID_ARGUMENT, "attn_logits_soft_cap is only supported for JAX on TPU. Set "
                             "attn_logits_soft_cap=None when not using JAX on TPU.")
        q, k, v = tensor(call, "query"), tensor(call, "key"), tensor(call, "value")
        qs, ks, vs = q.shape, k.shape, v.shape
        assert qs is not None and ks is not None and vs is not None
        # What the TensorFlow backend rejects as soon as data flows.
        flash = param(call, "flash_attention")
        if flash is UNKNOWN:
            raise Unknowable()
        if flash:
            raise ShapeError(INVALID_ARGUMENT, "Flash attention is not supported in tensorflow backend.")
        shapes = f"query {show_shape(qs)}, key {show_shape(ks)}, value {show_shape(vs)}"
        if len(qs) != 4:
            raise ShapeError(RANK_MISMATCH, f"`dot_product_attention` only supports 4D inputs. Received: {shapes}.")
        for name, s in (("key", ks), ("value", vs)):
            if len(s) != 4:
                raise ShapeError(RANK_MISMATCH, f"Expected the {name} to have rank 4 (batch, length, heads, depth) "
                                 f"but got {len(s)}: {shapes}.")
        b, t, n, h = qs
        repeats = _head_repeats(n, ks[2])
        kv_n, v_n = dims.mul(ks[2], repeats), dims.mul(vs[2], repeats)
        # Both are repeated alike and must reach the query's heads: the key's and value's heads agree.
        _must_match([("heads of key and value", ks[2], vs[2])], shapes)
        _must_match([("batch sizes of query and key", b, ks[0]), ("heads of query and key", n, kv_n),
                     ("depths of query and key", h, ks[3])], shapes)
        logits: Shape = (b, n, t, ks[1])
        for name in ("bias", "mask"):
            extra = param(call, name)
            if extra is None:
                continue
            if not isinstance(extra, TensorType) or extra.shape is None:
                raise Unknowable()
            if name == "mask" and extra.dtype not in (None, "bool"):
                # A float tensor fails LogicalAnd on data, a float NumPy array is converted: cannot tell.
                raise Unknowable()
            _broadcasts(logits, extra.shape, f"`{name}` {show_shape(extra.shape)} must broadcast to the attention "
                                             f"logits (batch, heads, T, S) = {show_shape(logits)}")
            grown = broadcast(logits, extra.shape)
            if grown is None or len(grown) != 4:
                raise ShapeError(RANK_MISMATCH, f"`{name}` {show_shape(extra.shape)} makes the attention logits "
                                 f"rank {len(extra.shape)}; Einsum expects rank 4 (batch, heads, T, S).")
            logits = grown
        _must_match([("batch sizes of the attention and value", logits[0], vs[0]),
                     ("heads of the attention and value", logits[1], v_n),
                     ("lengths of the key and value", logits[3], vs[1])], shapes)
        return q


# -- CTC --------------------------------------------------------------------------------------


def _first_axes_agree(pairs: list[tuple[str, Shape, str, Shape]], traced: bool = False) -> None:
    """``CTCLoss._check_shape_first_dim``: ``shape1[0] != shape2[0]`` as Python compares them."""
    for n1, s1, n2, s2 in pairs:
        if not s1 or not s2:
            raise ShapeError(RANK_MISMATCH, f"`{n1}` and `{n2}` need a first (batch) axis: tuple index out of range. "
                             f"Received shapes: `{show_shape(s1)}` and `{show_shape(s2)}`.")
        _incompatible_unless(_same(s1[0], s2[0], traced),
                             f"Arguments `{n1}` and `{n2}` must have the same first dimension. "
                             f"Received shapes: `{show_shape(s1)}` and `{show_shape(s2)}`.")


@register
class CTCLoss(OpRule):
    """``keras.ops.ctc_loss(target, output, target_length, output_length, mask_index=0)``: one loss
    per sample, ``(batch,)``; every argument shares the first axis (as Python compares shapes:
    ``None`` is not ``2``).  On data ``target`` is ``(batch, max_label_length)``, ``output``
    ``(batch, steps, classes)`` and the lengths are vectors."""

    names = ("keras.ops.ctc_loss",)
    params = ("target", "output", "target_length", "output_length", "mask_index")
    defaults = {"mask_index": 0}
    examples = (
        Example({}, T((None, 5), "int32"), (None,), args=((None, 20, 8), T((None,), "int32"), T((None,), "int32"))),
        Example({}, T((2, 5), "int32"), "incompatible-shapes",
                args=((None, 20, 8), T((2,), "int32"), T((None,), "int32"))),
        Example({}, T((2, 5), "int32"), "incompatible-shapes", args=((2, 20, 8), T((3,), "int32"), T((2,), "int32"))),
        Example({}, T((2, 5), "int32"), "rank-mismatch", args=((2, 20), T((2,), "int32"), T((2,), "int32"))),
    )

    def output(self, call: Call) -> TensorType:
        target, output = tensor(call, "target"), tensor(call, "output")
        tl, ol = tensor(call, "target_length"), tensor(call, "output_length")
        t, o, a, b = target.shape, output.shape, tl.shape, ol.shape
        assert t is not None and o is not None and a is not None and b is not None
        _first_axes_agree([("target", t, "output", o), ("target_length", a, "target", t),
                           ("output_length", b, "output", o)], call.traced)
        # What the TensorFlow backend rejects as soon as data flows.
        for name, s, rank in (("output", o, 3), ("target", t, 2)):
            if len(s) != rank:
                raise ShapeError(RANK_MISMATCH, f"ctc_loss needs `{name}` of rank {rank} on data (target (batch, "
                                 "max_label_length), output (batch, steps, classes)). Received "
                                 f"{name}.shape={show_shape(s)}.")
        if len(a) != 1 or len(b) != 1:
            raise Unknowable()  # lengths of shape (batch, 1) broadcast when the batch is 1
        return TensorType((t[0],), "float32")


@register
class CTCDecode(OpRule):
    """``keras.ops.ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
    merge_repeated=True, mask_index=0)``: a pair, the decoded paths ``(top_paths, batch, steps)``
    (int32) and their scores ``(batch, top_paths)``; greedy decoding gives one path.  On data
    ``inputs`` is ``(batch, steps, classes)``, ``sequence_lengths`` ``(batch,)``, and ``strategy``
    ``"greedy"`` or ``"beam_search"`` (``top_paths <= beam_width``)."""

    names = ("keras.ops.ctc_decode",)
    params = ("inputs", "sequence_lengths", "strategy", "beam_width", "top_paths", "merge_repeated", "mask_index")
    defaults = {"strategy": "greedy", "beam_width": 100, "top_paths": 1, "merge_repeated": True, "mask_index": 0}
    examples = (
        Example({}, (None, 20, 8), [(1, None, 20), (None, 1)], args=(T((None,), "int32"),)),
        Example({"strategy": "beam_search", "top_paths": 3}, (2, 20, 8), [(3, 2, 20), (2, 3)],
                args=(T((2,), "int32"),)),
        Example({"strategy": "best"}, (2, 20, 8), "invalid-argument", args=(T((2,), "int32"),)),
        Example({}, (2, 20), "rank-mismatch", args=(T((2,), "int32"),)),
        Example({"strategy": "beam_search", "top_paths": 3, "beam_width": 2}, (2, 20, 8), "invalid-argument",
                args=(T((2,), "int32"),)),
    )

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "inputs")
        lengths = tensor(call, "sequence_lengths").shape
        shape = x.shape
        assert shape is not None and lengths is not None
        if len(shape) < 2:
            raise ShapeError(RANK_MISMATCH, f"ctc_decode needs (batch, steps, classes) inputs: tuple index out of "
                             f"range. Received inputs.shape={show_shape(shape)}")
        strategy = known(param(call, "strategy"))
        top = 1 if strategy == "greedy" else known(param(call, "top_paths"))
        if not is_int(top):
            raise Unknowable()
        # What the TensorFlow backend rejects as soon as data flows.
        if len(shape) != 3:
            raise ShapeError(RANK_MISMATCH, f"ctc_decode needs (batch, steps, classes) inputs on data (transpose "
                             f"expects a vector of size {len(shape)}). Received inputs.shape={show_shape(shape)}")
        if strategy not in ("greedy", "beam_search"):
            raise ShapeError(INVALID_ARGUMENT, f"Invalid strategy {strategy}. Supported values are 'greedy' and "
                             "'beam_search'.")
        if len(lengths) != 1:
            raise ShapeError(RANK_MISMATCH, f"`sequence_lengths` must be a vector (batch,). Received shape "
                             f"{show_shape(lengths)}.")
        if dims.differs(lengths[0], shape[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"`sequence_lengths` {show_shape(lengths)} needs one length per "
                             f"sample of inputs {show_shape(shape)}.")
        if strategy == "beam_search":
            width = known(param(call, "beam_width"))
            if not is_int(width):
                raise Unknowable()
            if top < 1 or top > width:  # type: ignore[operator]
                raise ShapeError(INVALID_ARGUMENT, f"top_paths must be in [1, beam_width]: top_paths={top}, "
                                 f"beam_width={width}.")
        return [TensorType((top, shape[0], shape[1]), "int32"), TensorType((shape[0], top), x.dtype)]
