"""Rules for ``keras/src/layers/pooling``: windowed, global and adaptive pooling.

Windowed pooling follows ``compute_pooling_output_shape`` (the conv arithmetic with
``strides`` defaulting to ``pool_size``); global pooling drops (or, with ``keepdims``,
keeps as 1) the spatial axes; adaptive pooling sets them to ``output_size``.  None of
them has weights, so nothing is fixed once built.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import FLOATING, INTEGER, NUMERIC, Call, Example, InputSpec, LayerRule, Unknowable, register
from ..core.shapes import TensorType, show_shape
from . import conv_utils as cu


class _Pooling(LayerRule):
    """``BasePooling``: a window of ``pool_size`` moved by ``strides`` over each spatial axis."""

    weightless = True

    rank: ClassVar[int] = 2
    params = ("pool_size", "strides", "padding", "data_format")

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(ndim=self.rank + 2)

    def geometry(self, call: Call) -> tuple[tuple[Dim, ...], tuple[Dim, ...]]:
        pool = cu.standardize_tuple(call, "pool_size", self.rank)
        strides_value = call.get("strides")
        if strides_value is None:
            strides_value = call.get("pool_size")
        strides = cu.standardize_tuple(call, "strides", self.rank, allow_zero=True, value=strides_value)
        return pool, strides

    def check_config(self, call: Call) -> None:
        self.geometry(call)
        cu.data_format(call)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = cu.data_format(call)
        pool, strides = self.geometry(call)
        # Pooling checks `padding` (case-sensitive) only when computing the output shape.
        padding = call.get("padding")
        if padding is not UNKNOWN and padding not in ("valid", "same"):
            raise ShapeError(INVALID_ARGUMENT, "Argument `padding` must be either 'valid' or 'same'. "
                             f"Received: padding={padding}")
        if any(s == 0 for s in strides if dims.is_known(s)):
            raise ShapeError(INVALID_ARGUMENT, f"Pooling strides must be positive: division by zero computing the "
                             f"output shape. Received: strides={cu.show_tuple(strides)}")
        padding = padding if isinstance(padding, str) else None
        out = tuple(cu.conv_output_length(n, p, s, padding) for n, p, s in zip(cu.spatial(shape, fmt), pool, strides))
        cu.check_positive_lengths(out, f"`inputs.shape={show_shape(shape)}`, `pool_size={cu.show_tuple(pool)}`, "
                                  f"`strides={cu.show_tuple(strides)}`, `padding={padding}`")
        return call.input.with_shape(cu.assemble(shape[0], out, shape[cu.channel_axis(fmt)], fmt))


@register
class MaxPooling1D(_Pooling):
    """Max pooling over steps: ``(batch, steps, features)`` -> ``(batch, pooled_steps, features)``."""

    accepts = FLOATING | INTEGER
    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("MaxPooling1D", "MaxPool1D")
    rank = 1
    defaults = {"pool_size": 2, "strides": None, "padding": "valid", "data_format": None}
    examples = (
        Example({}, (None, 10, 3), (None, 5, 3)),
        Example({"pool_size": 3, "strides": 1}, (None, 10, 3), (None, 8, 3)),
        Example({"pool_size": 3, "padding": "same"}, (None, 10, 3), (None, 4, 3)),
        Example({"data_format": "channels_first"}, (None, 3, 10), (None, 3, 5)),
        Example({"pool_size": 4}, (None, 3, 3), "negative-dimension"),
        Example({}, (None, 10), "rank-mismatch"),
        Example({"padding": "SAME"}, (None, 10, 3), "invalid-argument"),
        Example({"strides": 0}, (None, 10, 3), "invalid-argument"),
    )


@register
class MaxPooling2D(_Pooling):
    """Max pooling over rows and columns."""

    accepts = FLOATING | INTEGER
    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("MaxPooling2D", "MaxPool2D")
    rank = 2
    defaults = {"pool_size": (2, 2), "strides": None, "padding": "valid", "data_format": None}
    examples = (
        Example({}, (None, 28, 28, 8), (None, 14, 14, 8)),
        Example({"pool_size": (3, 2), "strides": (2, 1), "padding": "same"}, (None, 7, None, 8), (None, 4, None, 8)),
        Example({"pool_size": 5}, (None, 4, 28, 8), "negative-dimension"),
        Example({}, (None, 28, 28), "rank-mismatch"),
        Example({"pool_size": 0}, (None, 28, 28, 8), "invalid-argument"),
    )


@register
class MaxPooling3D(_Pooling):
    """Max pooling over three spatial axes."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("MaxPooling3D", "MaxPool3D")
    rank = 3
    defaults = {"pool_size": (2, 2, 2), "strides": None, "padding": "valid", "data_format": None}
    examples = (
        Example({}, (None, 8, 8, 8, 2), (None, 4, 4, 4, 2)),
        Example({}, (None, 8, 8, 2), "rank-mismatch"),
    )


@register
class AveragePooling1D(_Pooling):
    """Average pooling over steps (``pool_size`` is required)."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("AveragePooling1D", "AvgPool1D")
    rank = 1
    defaults = {"strides": None, "padding": "valid", "data_format": None}
    examples = (
        Example({"pool_size": 2}, (None, 9, 3), (None, 4, 3)),
        Example({"pool_size": 2, "padding": "same"}, (None, 9, 3), (None, 5, 3)),
        Example({"pool_size": 2, "strides": 3}, (None, 1, 3), "negative-dimension"),
    )


@register
class AveragePooling2D(_Pooling):
    """Average pooling over rows and columns (``pool_size`` is required)."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("AveragePooling2D", "AvgPool2D")
    rank = 2
    defaults = {"strides": None, "padding": "valid", "data_format": None}
    examples = (
        Example({"pool_size": 2, "data_format": "channels_first"}, (None, 3, 8, 9), (None, 3, 4, 4)),
        Example({"pool_size": (2, 2, 2)}, (None, 8, 8, 3), "invalid-argument"),
    )


@register
class AveragePooling3D(_Pooling):
    """Average pooling over three spatial axes (``pool_size`` is required)."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("AveragePooling3D", "AvgPool3D")
    rank = 3
    defaults = {"strides": None, "padding": "valid", "data_format": None}
    examples = (
        Example({"pool_size": 2, "strides": 1}, (None, 4, 4, 4, 1), (None, 3, 3, 3, 1)),
        Example({"pool_size": 2}, (None, 4, 1, 4, 1), "negative-dimension"),
    )


class _GlobalPooling(LayerRule):
    """``BaseGlobalPooling``: reduce every spatial axis."""

    weightless = True

    rank: ClassVar[int] = 2
    params = ("data_format", "keepdims")
    defaults = {"data_format": None, "keepdims": False}

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(ndim=self.rank + 2)

    def check_config(self, call: Call) -> None:
        cu.data_format(call)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = cu.data_format(call)
        keepdims = call.known("keepdims")
        space: tuple[Dim, ...] = (1,) * (len(shape) - 2) if keepdims else ()
        return call.input.with_shape(cu.assemble(shape[0], space, shape[cu.channel_axis(fmt)], fmt))


@register
class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over steps: ``(batch, steps, features)`` -> ``(batch, features)``."""

    accepts = NUMERIC
    accepts_sparse = False
    names = ("GlobalAveragePooling1D", "GlobalAvgPool1D")
    rank = 1
    examples = (
        Example({}, (None, 10, 3), (None, 3)),
        Example({"keepdims": True}, (None, 10, 3), (None, 1, 3)),
        Example({"data_format": "channels_first"}, (None, 3, 10), (None, 3)),
        Example({}, (None, 10, 3, 3), "rank-mismatch"),
    )


@register
class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over rows and columns."""

    accepts = NUMERIC
    accepts_sparse = False
    names = ("GlobalAveragePooling2D", "GlobalAvgPool2D")
    rank = 2
    examples = (
        Example({}, (None, 7, 7, 32), (None, 32)),
        Example({"keepdims": True, "data_format": "channels_first"}, (None, 32, 7, 7), (None, 32, 1, 1)),
        Example({}, (None, 7, 32), "rank-mismatch"),
    )


@register
class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over three spatial axes."""

    accepts = NUMERIC
    accepts_sparse = False
    names = ("GlobalAveragePooling3D", "GlobalAvgPool3D")
    rank = 3
    examples = (
        Example({}, (None, 4, 4, 4, 8), (None, 8)),
        Example({}, (None, 4, 4, 8), "rank-mismatch"),
    )


@register
class GlobalMaxPooling1D(_GlobalPooling):
    """Max over steps."""

    accepts = NUMERIC
    accepts_sparse = False
    passes_dtype = True
    names = ("GlobalMaxPooling1D", "GlobalMaxPool1D")
    rank = 1
    examples = (
        Example({}, (None, None, 3), (None, 3)),
        Example({}, (None, 3), "rank-mismatch"),
    )


@register
class GlobalMaxPooling2D(_GlobalPooling):
    """Max over rows and columns."""

    accepts = NUMERIC
    accepts_sparse = False
    passes_dtype = True
    names = ("GlobalMaxPooling2D", "GlobalMaxPool2D")
    rank = 2
    examples = (
        Example({"keepdims": True}, (None, 7, 7, 32), (None, 1, 1, 32)),
        Example({"data_format": "channels_middle"}, (None, 7, 7, 32), "invalid-argument"),
    )


@register
class GlobalMaxPooling3D(_GlobalPooling):
    """Max over three spatial axes."""

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    passes_dtype = True
    names = ("GlobalMaxPooling3D", "GlobalMaxPool3D")
    rank = 3
    examples = (
        Example({"data_format": "channels_first"}, (None, 8, 4, 4, 4), (None, 8)),
        Example({}, (None, 4, 4, 4, 4, 8), "rank-mismatch"),
    )


class _AdaptivePooling(LayerRule):
    """``BaseAdaptivePooling``: each spatial axis becomes the matching ``output_size``.

    Keras declares no input spec: a wrong rank is accepted symbolically and fails as soon
    as data flows, so the rank is checked here -- except rank 3, which every adaptive
    pooling layer accepts (the op pools it as one sequence; a 2-D or 3-D layer's symbolic
    shape is then not what data gives, but Keras raises nothing).
    """

    weightless = True

    rank: ClassVar[int] = 2
    params = ("output_size", "data_format")
    defaults = {"data_format": None}

    def sizes(self, call: Call) -> tuple[Dim, ...]:
        v: Any = call.get("output_size")
        if v is UNKNOWN:
            return tuple(dims.unknown() for _ in range(self.rank))
        if cu._is_int(v) or isinstance(v, dims.Sym):
            return (v,) * self.rank
        if not isinstance(v, (list, tuple)) or len(v) != self.rank:
            raise ShapeError(INVALID_ARGUMENT, f"`output_size` must be an integer or a tuple of {self.rank} "
                             f"integers. Received: {v!r}")
        return tuple(x if cu._is_int(x) or isinstance(x, dims.Sym) else dims.unknown() for x in v)

    def data_format(self, call: Call) -> str:
        # Unlike other layers, adaptive pooling neither lower-cases nor standardises it.
        v = call.get("data_format")
        if v is None:
            return cu.CHANNELS_LAST
        if not isinstance(v, str):
            raise Unknowable()
        if v not in (cu.CHANNELS_FIRST, cu.CHANNELS_LAST):
            raise ShapeError(INVALID_ARGUMENT, f"Invalid data_format: {v}. Expected 'channels_first' or "
                             "'channels_last'.")
        return v

    def check_config(self, call: Call) -> None:
        self.sizes(call)
        self.data_format(call)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = self.data_format(call)
        sizes = self.sizes(call)
        if any(dims.is_known(s) and s < 0 for s in sizes):  # type: ignore[operator]
            raise ShapeError(INVALID_ARGUMENT, f"Cannot convert '{show_shape(sizes)}' to a shape. Negative "
                             "dimensions are not allowed.")
        if len(shape) not in (self.rank + 2, 3):
            raise ShapeError(RANK_MISMATCH, f'Input 0 of layer "{call.name}" is incompatible with the layer: '
                             f"expected ndim={self.rank + 2}, found ndim={len(shape)}. Full shape received: "
                             f"{show_shape(shape)}")
        if any(s == 0 for s in sizes if dims.is_known(s)):
            raise ShapeError(INVALID_ARGUMENT, "`output_size` must be positive: adaptive pooling divides the input "
                             f"by it (division by zero). Received: output_size={cu.show_tuple(sizes)}")
        return call.input.with_shape(cu.assemble(shape[0], sizes, shape[cu.channel_axis(fmt)], fmt))


@register
class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Average pooling of the steps axis to exactly ``output_size`` steps."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("AdaptiveAveragePooling1D",)
    rank = 1
    examples = (
        Example({"output_size": 4}, (None, 10, 3), (None, 4, 3)),
        Example({"output_size": 5}, (None, 3, 3), (None, 5, 3)),
        Example({"output_size": 4, "data_format": "channels_first"}, (None, 3, None), (None, 3, 4)),
        Example({"output_size": 4}, (None, 10, 3, 3), "rank-mismatch"),
        Example({"output_size": 0}, (None, 10, 3), "invalid-argument"),
        Example({"output_size": (4, 4)}, (None, 10, 3), "invalid-argument"),
    )


@register
class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Average pooling of rows and columns to exactly ``output_size``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("AdaptiveAveragePooling2D",)
    rank = 2
    examples = (
        Example({"output_size": (2, 3)}, (None, 10, 9, 3), (None, 2, 3, 3)),
        Example({"output_size": (7, 4)}, (None, 6, 1), (None, 7, 4, 1)),
        Example({"output_size": 2}, (None, 6, 5, 4, 3), "rank-mismatch"),
        Example({"output_size": -1}, (None, 10, 9, 3), "invalid-argument"),
        Example({"output_size": 2, "data_format": "CHANNELS_LAST"}, (None, 10, 9, 3), "invalid-argument"),
    )


@register
class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Average pooling of three spatial axes to exactly ``output_size``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("AdaptiveAveragePooling3D",)
    rank = 3
    examples = (
        Example({"output_size": 2}, (None, 4, 5, 6, 3), (None, 2, 2, 2, 3)),
        Example({"output_size": 2}, (None, 4, 5, 3), "rank-mismatch"),
    )


@register
class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Max pooling of the steps axis to exactly ``output_size`` steps."""

    accepts = FLOATING | INTEGER
    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("AdaptiveMaxPooling1D",)
    rank = 1
    examples = (
        Example({"output_size": 2}, (None, 7, 3), (None, 2, 3)),
        Example({"output_size": 2}, (None, 7), "rank-mismatch"),
    )


@register
class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Max pooling of rows and columns to exactly ``output_size``."""

    accepts = FLOATING | INTEGER
    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("AdaptiveMaxPooling2D",)
    rank = 2
    examples = (
        Example({"output_size": 3, "data_format": "channels_first"}, (None, 4, 1, 2), (None, 4, 3, 3)),
        Example({"output_size": 3}, (None, 4, 1, 2, 2), "rank-mismatch"),
    )


@register
class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Max pooling of three spatial axes to exactly ``output_size``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("AdaptiveMaxPooling3D",)
    rank = 3
    examples = (
        Example({"output_size": (1, 2, 3)}, (None, 4, 4, 4, 2), (None, 1, 2, 3, 2)),
        Example({"output_size": (1, 2)}, (None, 4, 4, 4, 2), "invalid-argument"),
    )
