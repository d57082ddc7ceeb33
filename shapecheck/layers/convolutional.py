"""Rules for ``keras/src/layers/convolutional``: convolutions, transposed, depthwise and separable.

All of them map ``(batch, *spatial, channels)`` (or channels first) to the same rank:
each spatial axis follows the conv arithmetic of :mod:`.conv_utils`, the channel axis
becomes ``filters`` (``channels * depth_multiplier`` for depthwise convolutions), and
the kernel, once built, fixes the input's channel axis.
"""

from __future__ import annotations

from typing import ClassVar, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import AXIS_MISMATCH, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.rules import FLOATING, T, Call, Example, InputSpec, LayerRule, Unknowable, count, known_int, register
from ..core.shapes import Shape, TensorType, show_shape
from . import conv_utils as cu


def _positive(call: Call, key: str) -> None:
    v = call.get(key)
    if cu._is_int(v) and v <= 0:
        raise ShapeError(INVALID_ARGUMENT, f"Invalid value for argument `{key}`. Expected a strictly positive "
                         f"value. Received {key}={v}.")


def _no_strided_dilation(strides: tuple[Dim, ...], dilation: tuple[Dim, ...]) -> None:
    if any(dims.is_known(s) and s > 1 for s in strides) and any(dims.is_known(d) and d > 1 for d in dilation):
        raise ShapeError(INVALID_ARGUMENT, "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                         f"Received: strides={cu.show_tuple(strides)} and dilation_rate={cu.show_tuple(dilation)}")


class _Conv(LayerRule):
    """Shared arithmetic of the convolution families (not registered itself)."""

    rank: ClassVar[int] = 2
    allow_causal: ClassVar[bool] = False

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(min_ndim=self.rank + 2)

    # -- config -------------------------------------------------------------
    def geometry(self, call: Call) -> tuple[tuple[Dim, ...], tuple[Dim, ...], Optional[str], tuple[Dim, ...]]:
        kernel = cu.standardize_tuple(call, "kernel_size", self.rank)
        strides = cu.standardize_tuple(call, "strides", self.rank)
        dilation = cu.standardize_tuple(call, "dilation_rate", self.rank)
        padding = cu.standardize_padding(call, allow_causal=self.allow_causal)
        return kernel, strides, padding, dilation

    def check_config(self, call: Call) -> None:
        self.geometry(call)
        cu.data_format(call)

    # -- input ----------------------------------------------------------------
    def channels(self, call: Call, kernel_shape: str) -> tuple[Shape, str, Dim]:
        """The input shape, data format and (known or symbolic) channel count."""
        shape = call.shape
        fmt = cu.data_format(call)
        if len(shape) > self.rank + 2:
            raise ShapeError(RANK_MISMATCH, "Kernel shape must have the same length as input, but received kernel "
                             f"of shape {kernel_shape} and input of shape {show_shape(shape)}.")
        channels = shape[cu.channel_axis(fmt)]
        if channels is None and not call.built:
            # Keras cannot create the kernel without the channel axis.
            raise ShapeError(AXIS_MISMATCH, f'Layer "{call.name}" needs a known channel axis to create its kernel, '
                             f"but received input with shape {show_shape(shape)}: the channel dimension of the "
                             "inputs should be defined. Found None.")
        return shape, fmt, channels

    def spatial_output(self, call: Call, shape: Shape, fmt: str, kernel_shape: str) -> tuple[Dim, ...]:
        kernel, strides, padding, dilation = self.geometry(call)
        space = cu.spatial(shape, fmt)
        out = tuple(cu.conv_output_length(n, k, s, padding, d)
                    for n, k, s, d in zip(space, kernel, strides, dilation))
        cu.check_positive_lengths(out, f"`inputs shape={show_shape(shape)}`, `kernel shape={kernel_shape}`, "
                                  f"`dilation_rate={cu.show_tuple(dilation)}`, `strides={cu.show_tuple(strides)}`, "
                                  f"`padding={padding}`")
        return out

    def built_spec(self, call: Call) -> InputSpec:
        fmt = cu.data_format(call)
        return InputSpec.fixed({cu.channel_axis(fmt): call.shape[cu.channel_axis(fmt)]}, min_ndim=self.rank + 2)

    def kernel_shape(self, call: Call, channels: Dim, out_channels: Dim) -> str:
        kernel = cu.standardize_tuple(call, "kernel_size", self.rank)
        return cu.show_tuple((*kernel, channels, out_channels))

    # -- weights ----------------------------------------------------------------
    keras2_weights = True

    def in_channels(self, call: Call) -> int:
        return known_int(call.shape[cu.channel_axis(cu.data_format(call))])

    def window(self, call: Call) -> int:
        """The number of taps of the kernel window."""
        return count(cu.standardize_tuple(call, "kernel_size", self.rank))

    def bias(self, call: Call, size: int) -> int:
        return size if call.flag("use_bias", True) else 0

    def lora(self, call: Call, kernel: int, rest: int, out: int) -> tuple[int, int]:
        """Keras 3's ``enable_lora(lora_rank)`` on a kernel ``(..., out)``: the kernel is frozen,
        ``lora_kernel_a (..., rank)`` and ``lora_kernel_b (rank, out)`` are trained."""
        rank = call.config.get("lora_rank")
        if rank is None:
            return (kernel + rest, 0)
        if call.keras_version < 3:
            raise Unknowable()
        rank = known_int(rank)
        return (rest + kernel // out * rank + rank * out, kernel)


class _Standard(_Conv):
    """``BaseConv``: ``filters`` outputs, ``groups`` splitting the channels."""

    defaults = {"strides": 1, "padding": "valid", "data_format": None, "dilation_rate": 1, "groups": 1}

    def check_config(self, call: Call) -> None:
        _, strides, _, dilation = self.geometry(call)
        cu.data_format(call)
        _positive(call, "filters")
        groups = call.get("groups")
        if cu._is_int(groups) and groups <= 0:
            raise ShapeError(INVALID_ARGUMENT, f"The number of groups must be a positive integer. Received: "
                             f"groups={groups}.")
        if cu.certainly_indivisible(call.get("filters"), groups):
            raise ShapeError(INVALID_ARGUMENT, "The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={groups}, filters={call.get('filters')}.")
        _no_strided_dilation(strides, dilation)

    def output(self, call: Call) -> TensorType:
        filters = call.dim("filters")
        shape, fmt, channels = self.channels(call, self.kernel_shape(call, call.shape[-1], filters))
        if call.get("filters") is None:
            raise ShapeError(INVALID_ARGUMENT, "Shapes used to initialize variables must be fully-defined (no `None` "
                             "dimensions): `filters` is None.")
        given = call.get("filters")
        if isinstance(given, float) and call.keras_version >= 3:
            # `Conv2D(64 / 4, 3)`: Keras 3 keeps the float, and the kernel's shape cannot be made.
            raise ShapeError(INVALID_ARGUMENT, f"Cannot convert the kernel shape to a shape: found invalid "
                             f"dimension '{given}' of type '<class 'float'>' (`filters` must be an integer).")
        groups = call.dim("groups")
        if cu.certainly_indivisible(channels, groups):
            raise ShapeError(AXIS_MISMATCH, "The number of input channels must be evenly divisible by the number "
                             f"of groups. Received groups={groups}, but the input has {channels} channels (full "
                             f"input shape is {show_shape(shape)}).")
        out = self.spatial_output(call, shape, fmt, self.kernel_shape(call, channels, filters))
        return call.input.with_shape(cu.assemble(shape[0], out, filters, fmt))

    def weights(self, call: Call) -> tuple[int, int]:
        """``kernel (*kernel_size, channels // groups, filters)`` and ``bias (filters,)``."""
        filters, groups = known_int(call.known("filters")), known_int(call.known("groups"))
        kernel = self.window(call) * (self.in_channels(call) // groups) * filters
        return self.lora(call, kernel, self.bias(call, filters), filters)


@register
class Conv1D(_Standard):
    """1-D convolution: ``(batch, steps, channels)`` -> ``(batch, new_steps, filters)``; ``causal`` keeps the length."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("Conv1D", "Convolution1D")
    params = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups")
    rank = 1
    allow_causal = True
    examples = (
        Example({"filters": 8, "kernel_size": 3}, (None, 10, 4), (None, 8, 8)),
        Example({"filters": 8, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, (None, 10, 4),
                (None, 10, 8)),
        Example({"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}, (None, 9, 4), (None, 5, 8)),
        Example({"filters": 8, "kernel_size": 3, "data_format": "channels_first"}, (None, 4, 10), (None, 8, 8)),
        Example({"filters": 8, "kernel_size": 3}, (None, None, 4), (None, None, 8)),
        Example({"filters": 8.0, "kernel_size": 3}, (None, 10, 4), "invalid-argument"),
        Example({"filters": 8, "kernel_size": 5}, (None, 4, 4), "negative-dimension"),
        Example({"filters": 8, "kernel_size": 3}, (None, 10), "rank-mismatch"),
        Example({"filters": 8, "kernel_size": 3}, (None, 10, 4, 4), "rank-mismatch"),
        Example({"filters": 8, "kernel_size": 3}, (None, 10, None), "axis-mismatch"),
        Example({"filters": 8, "kernel_size": 3, "groups": 3}, (None, 10, 6), "invalid-argument"),
        Example({"filters": 8, "kernel_size": 3, "groups": 4}, (None, 10, 6), "axis-mismatch"),
        Example({"filters": 8, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, (None, 10, 4),
                "invalid-argument"),
    )


@register
class Conv2D(_Standard):
    """2-D convolution: ``(batch, rows, cols, channels)`` -> ``(batch, new_rows, new_cols, filters)``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("Conv2D", "Convolution2D")
    params = Conv1D.params
    rank = 2
    examples = (
        Example({"filters": 16, "kernel_size": 3}, (None, 28, 28, 1), (None, 26, 26, 16)),
        Example({"filters": 16, "kernel_size": (3, 5), "strides": (2, 1), "padding": "same"}, (None, 28, 28, 3),
                (None, 14, 28, 16)),
        Example({"filters": 16, "kernel_size": 3, "dilation_rate": 2}, (None, 28, None, 3), (None, 24, None, 16)),
        Example({"filters": 16, "kernel_size": 3, "data_format": "channels_first"}, (None, 3, 28, 28),
                (None, 16, 26, 26)),
        Example({"filters": 4, "kernel_size": 3, "groups": 2}, (None, 8, 8, 4), (None, 6, 6, 4)),
        Example({"filters": 8, "kernel_size": 5}, (None, 4, 4, 3), "negative-dimension"),
        Example({"filters": 8, "kernel_size": 3}, (None, 28, 28), "rank-mismatch"),
        Example({"filters": 8, "kernel_size": 3}, (None, 28, 28, None), "axis-mismatch"),
        Example({"filters": 8, "kernel_size": 3, "padding": "causal"}, (None, 28, 28, 3), "invalid-argument"),
        Example({"filters": 8, "kernel_size": (3, 3, 3)}, (None, 28, 28, 3), "invalid-argument"),
        Example({"filters": 8, "kernel_size": 0}, (None, 28, 28, 3), "invalid-argument"),
        Example({"filters": 0, "kernel_size": 3}, (None, 28, 28, 3), "invalid-argument"),
        Example({"filters": 8, "kernel_size": 3, "data_format": "nhwc"}, (None, 28, 28, 3), "invalid-argument"),
        Example({"filters": 8, "kernel_size": 3}, T((None, 28, 28, 1), "uint8"), "dtype-mismatch"),
    )


@register
class Conv3D(_Standard):
    """3-D convolution over ``(batch, d1, d2, d3, channels)``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("Conv3D", "Convolution3D")
    params = Conv1D.params
    rank = 3
    examples = (
        Example({"filters": 4, "kernel_size": 3}, (None, 8, 8, 8, 2), (None, 6, 6, 6, 4)),
        Example({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "data_format": "channels_first"},
                (None, 2, 8, 7, None), (None, 4, 4, 4, None)),
        Example({"filters": 4, "kernel_size": 3}, (None, 8, 2, 8, 2), "negative-dimension"),
        Example({"filters": 4, "kernel_size": 3}, (None, 8, 8, 2), "rank-mismatch"),
    )


class _Transpose(_Conv):
    """``BaseConvTranspose``: the transposed-conv arithmetic, ``output_padding`` < ``strides``."""

    defaults = {"strides": 1, "padding": "valid", "output_padding": None, "data_format": None, "dilation_rate": 1}

    def output_padding(self, call: Call) -> tuple[Dim, ...]:
        if call.get("output_padding") is None:
            return (None,) * self.rank
        return cu.standardize_tuple(call, "output_padding", self.rank, allow_zero=True)

    def check_config(self, call: Call) -> None:
        _, strides, _, dilation = self.geometry(call)
        cu.data_format(call)
        _positive(call, "filters")
        for i, (op, s) in enumerate(zip(self.output_padding(call), strides)):
            if dims.is_known(op) and dims.is_known(s) and op >= s:  # type: ignore[operator]
                raise ShapeError(INVALID_ARGUMENT, "`output_padding` must be strictly less than `strides` for all "
                                 f"dimensions. At dimension {i}, `output_padding` is {op} but `strides` is {s}.")
        _no_strided_dilation(strides, dilation)

    def output(self, call: Call) -> TensorType:
        filters = call.dim("filters")
        shape = call.shape
        if len(shape) > self.rank + 2:
            raise ShapeError(RANK_MISMATCH, f"A {self.rank}-D transposed convolution needs an input of rank "
                             f"{self.rank + 2}, but received input with shape {show_shape(shape)}.")
        shape, fmt, channels = self.channels(call, self.kernel_shape(call, filters, shape[-1]))
        if call.get("filters") is None:
            raise ShapeError(INVALID_ARGUMENT, "Shapes used to initialize variables must be fully-defined (no `None` "
                             "dimensions): `filters` is None.")
        given = call.get("filters")
        if isinstance(given, float) and call.keras_version >= 3:
            # `Conv2D(64 / 4, 3)`: Keras 3 keeps the float, and the kernel's shape cannot be made.
            raise ShapeError(INVALID_ARGUMENT, f"Cannot convert the kernel shape to a shape: found invalid "
                             f"dimension '{given}' of type '<class 'float'>' (`filters` must be an integer).")
        kernel, strides, padding, dilation = self.geometry(call)
        output_padding = self.output_padding(call)
        if padding == "same":
            _check_same_round_trip(kernel, strides, output_padding, dilation)
        out = tuple(cu.deconv_output_length(n, k, s, padding, op, d) for n, k, s, op, d in
                    zip(cu.spatial(shape, fmt), kernel, strides, output_padding, dilation))
        return call.input.with_shape(cu.assemble(shape[0], out, filters, fmt))

    def weights(self, call: Call) -> tuple[int, int]:
        """``kernel (*kernel_size, filters, channels)`` and ``bias (filters,)``."""
        if call.config.get("lora_rank") is not None:
            raise Unknowable()
        filters = known_int(call.known("filters"))
        return (self.window(call) * filters * self.in_channels(call) + self.bias(call, filters), 0)


def _check_same_round_trip(kernel: tuple[Dim, ...], strides: tuple[Dim, ...], output_padding: tuple[Dim, ...],
                           dilation: tuple[Dim, ...]) -> None:
    """With ``padding="same"``, the output must convolve back to the input's length.

    Keras computes ``(length - 1) * strides + effective_kernel % 2 + output_padding``;
    when the effective kernel is even and ``output_padding`` is 0 that is one stride
    short, and TensorFlow's backprop-input kernel raises as soon as data flows, for
    every input length (oneDNN on CPU lets a length of 1 through as an empty axis).
    """
    for i, (k, s, op, d) in enumerate(zip(kernel, strides, output_padding, dilation)):
        effective = dims.add(dims.mul(dims.sub(k, 1), d), 1)
        if dims.is_known(effective) and op == 0 and cu._is_int(op) and effective % 2 == 0:  # type: ignore[operator]
            raise ShapeError(INVALID_ARGUMENT, "Size of out_backprop doesn't match computed: with padding=\"same\", "
                             f"output_padding=0 and an even effective kernel size {effective} at dimension {i}, the "
                             f"output length (length - 1) * {dims.show(s)} convolves back to one less than the "
                             "input length; use output_padding=None, an odd kernel, or output_padding >= 1 "
                             "(strides > 1).")


@register
class Conv1DTranspose(_Transpose):
    """Transposed 1-D convolution: ``steps`` grows to ``(steps - 1) * strides + kernel`` (valid)."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("Conv1DTranspose", "Convolution1DTranspose")
    params = ("filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate")
    rank = 1
    examples = (
        Example({"filters": 4, "kernel_size": 3, "strides": 2}, (None, 5, 2), (None, 11, 4)),
        Example({"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, (None, 5, 2), (None, 10, 4)),
        Example({"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 1}, (None, 5, 2), (None, 12, 4)),
        Example({"filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 2}, (None, 5, 2),
                "invalid-argument"),
        Example({"filters": 4, "kernel_size": 3, "padding": "causal"}, (None, 5, 2), "invalid-argument"),
        Example({"filters": 4, "kernel_size": 3}, (None, 5, None), "axis-mismatch"),
    )


@register
class Conv2DTranspose(_Transpose):
    """Transposed 2-D convolution (``Deconvolution``): spatial axes grow by the strides."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("Conv2DTranspose", "Convolution2DTranspose")
    params = Conv1DTranspose.params
    rank = 2
    examples = (
        Example({"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}, (None, 7, 7, 16),
                (None, 14, 14, 8)),
        Example({"filters": 8, "kernel_size": 3}, (None, 7, None, 16), (None, 9, None, 8)),
        Example({"filters": 8, "kernel_size": 2, "strides": 3}, (None, 4, 4, 16), (None, 12, 12, 8)),
        Example({"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 0,
                 "data_format": "channels_first"}, (None, 16, 7, 7), (None, 8, 13, 13)),
        Example({"filters": 8, "kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 0},
                (None, 3, 3, 2), "invalid-argument"),
        Example({"filters": 8, "kernel_size": 3}, (None, 7, 7), "rank-mismatch"),
        Example({"filters": 8, "kernel_size": 3}, (None, 7, 7, 7, 2), "rank-mismatch"),
        Example({"filters": 8, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, (None, 7, 7, 16),
                "invalid-argument"),
    )


@register
class Conv3DTranspose(_Transpose):
    """Transposed 3-D convolution."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("Conv3DTranspose", "Convolution3DTranspose")
    # Unlike the 1-D and 2-D layers, ``data_format`` comes before ``output_padding``.
    params = ("filters", "kernel_size", "strides", "padding", "data_format", "output_padding", "dilation_rate")
    rank = 3
    examples = (
        Example({"filters": 2, "kernel_size": 3, "strides": 2}, (None, 3, 3, 3, 4), (None, 7, 7, 7, 2)),
        Example({"filters": 2, "kernel_size": 3}, (None, 3, 3, 4), "rank-mismatch"),
    )


class _Depthwise(_Conv):
    """``BaseDepthwiseConv``: every channel convolved on its own, ``depth_multiplier`` times."""

    defaults = {"strides": 1, "padding": "valid", "depth_multiplier": 1, "data_format": None, "dilation_rate": 1}

    def check_config(self, call: Call) -> None:
        super().check_config(call)
        _positive(call, "depth_multiplier")

    def output(self, call: Call) -> TensorType:
        multiplier = call.dim("depth_multiplier")
        shape, fmt, channels = self.channels(call, self.kernel_shape(call, call.shape[-1], multiplier))
        out_channels = dims.mul(channels, multiplier)
        out = self.spatial_output(call, shape, fmt, self.kernel_shape(call, channels, out_channels))
        return call.input.with_shape(cu.assemble(shape[0], out, out_channels, fmt))

    def weights(self, call: Call) -> tuple[int, int]:
        """``kernel (*kernel_size, channels, depth_multiplier)`` and ``bias (channels * depth_multiplier,)``."""
        if call.config.get("lora_rank") is not None:
            raise Unknowable()
        out = self.in_channels(call) * known_int(call.known("depth_multiplier"))
        return (self.window(call) * out + self.bias(call, out), 0)


@register
class DepthwiseConv1D(_Depthwise):
    """Depthwise 1-D convolution: channels become ``channels * depth_multiplier``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("DepthwiseConv1D",)
    params = ("kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate")
    rank = 1
    examples = (
        Example({"kernel_size": 3, "depth_multiplier": 2}, (None, 10, 4), (None, 8, 8)),
        Example({"kernel_size": 3, "strides": 2, "dilation_rate": 2}, (None, 10, 4), (None, 3, 4)),
        Example({"kernel_size": 3, "padding": "causal"}, (None, 10, 4), "invalid-argument"),
        Example({"kernel_size": 11}, (None, 10, 4), "negative-dimension"),
        Example({"kernel_size": 3, "depth_multiplier": 0}, (None, 10, 4), "invalid-argument"),
    )


@register
class DepthwiseConv2D(_Depthwise):
    """Depthwise 2-D convolution: channels become ``channels * depth_multiplier``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("DepthwiseConv2D",)
    params = DepthwiseConv1D.params
    rank = 2
    examples = (
        Example({"kernel_size": 3}, (None, 28, 28, 8), (None, 26, 26, 8)),
        Example({"kernel_size": 3, "depth_multiplier": 3, "padding": "same", "data_format": "channels_first"},
                (None, 8, 28, 28), (None, 24, 28, 28)),
        Example({"kernel_size": 3}, (None, 28, 28, None), "axis-mismatch"),
        Example({"kernel_size": 3}, (None, 28, 28, 8, 8), "rank-mismatch"),
    )


class _Separable(_Conv):
    """``BaseSeparableConv``: a depthwise then a pointwise convolution to ``filters`` channels."""

    defaults = {"strides": 1, "padding": "valid", "data_format": None, "dilation_rate": 1, "depth_multiplier": 1}

    def check_config(self, call: Call) -> None:
        super().check_config(call)
        _positive(call, "depth_multiplier")
        _positive(call, "filters")

    def output(self, call: Call) -> TensorType:
        filters = call.dim("filters")
        shape, fmt, channels = self.channels(call, self.kernel_shape(call, call.shape[-1], filters))
        out = self.spatial_output(call, shape, fmt, self.kernel_shape(call, channels, filters))
        return call.input.with_shape(cu.assemble(shape[0], out, filters, fmt))

    def weights(self, call: Call) -> tuple[int, int]:
        """``depthwise_kernel (*kernel_size, channels, depth_multiplier)``, ``pointwise_kernel (1, ...,
        channels * depth_multiplier, filters)`` and ``bias (filters,)``."""
        if call.config.get("lora_rank") is not None:
            raise Unknowable()
        filters = known_int(call.known("filters"))
        middle = self.in_channels(call) * known_int(call.known("depth_multiplier"))
        return (self.window(call) * middle + middle * filters + self.bias(call, filters), 0)


@register
class SeparableConv1D(_Separable):
    """Depthwise-separable 1-D convolution: the channel axis becomes ``filters``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("SeparableConv1D", "SeparableConvolution1D")
    params = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier")
    rank = 1
    examples = (
        Example({"filters": 8, "kernel_size": 3}, (None, 10, 4), (None, 8, 8)),
        Example({"filters": 8, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, (None, 10, 4), (None, 3, 8)),
        Example({"filters": 8, "kernel_size": 3, "padding": "causal"}, (None, 10, 4), "invalid-argument"),
        Example({"filters": 8, "kernel_size": 3}, (None, 2, 4), "negative-dimension"),
    )


@register
class SeparableConv2D(_Separable):
    """Depthwise-separable 2-D convolution: the channel axis becomes ``filters``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("SeparableConv2D", "SeparableConvolution2D")
    params = SeparableConv1D.params
    rank = 2
    examples = (
        Example({"filters": 8, "kernel_size": 3, "depth_multiplier": 2}, (None, 28, 28, 3), (None, 26, 26, 8)),
        Example({"filters": 8, "kernel_size": 3, "padding": "same"}, (None, None, 28, 3), (None, None, 28, 8)),
        Example({"filters": 8, "kernel_size": 3}, (None, 28, 28), "rank-mismatch"),
        Example({"filters": 8, "kernel_size": 3}, (None, 28, 28, None), "axis-mismatch"),
    )
