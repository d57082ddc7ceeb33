"""Rules for ``keras/src/layers/reshaping``: flatten, reshape, permute, repeat, up-sample, pad, crop.

None of these layers has weights; each keeps the batch axis and rearranges, repeats,
pads or crops the others.  Reshape's element count is checked only when every input
axis is defined: with a ``None`` axis the check is Keras's, at run time.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INVALID_ARGUMENT, INVALID_RESHAPE, NEGATIVE_DIMENSION, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, InputSpec, LayerRule, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from . import conv_utils as cu

_ORDINALS = ("1st", "2nd", "3rd")


@register
class Flatten(LayerRule):
    """Flattens every non-batch axis into one: ``(batch, 7, 7, 32)`` -> ``(batch, 1568)``."""

    weightless = True

    output_dtype = "input"

    keeps_sparse = True
    passes_dtype = True
    names = ("Flatten",)
    params = ("data_format",)
    defaults = {"data_format": None}
    spec = InputSpec(min_ndim=1)
    examples = (
        Example({}, (None, 7, 7, 32), (None, 1568)),
        Example({}, (None,), (None, 1)),
        Example({"data_format": "channels_first"}, (None, 3, None), (None, None)),
        Example({"data_format": "rows_first"}, (None, 3), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        cu.data_format(call)

    def output(self, call: Call) -> TensorType:
        rest = call.shape[1:]
        size = None if any(d is None for d in rest) else dims.product(rest)
        return call.input.with_shape((call.shape[0], size))


def _target_shape(call: Call) -> tuple[Any, ...]:
    """``Reshape``'s target, validated like ``validate_reshape_shape``."""
    target = call.known("target_shape")
    if not isinstance(target, (list, tuple)):
        raise ShapeError(INVALID_ARGUMENT, f"`target_shape` must be a tuple of integers. Received: "
                         f"target_shape={target!r}")
    target = tuple(target)
    shown = "(" + ", ".join("None" if d is None else str(d) for d in target) + ("," if len(target) == 1 else "") + ")"
    if any(cu._is_int(d) and d < -1 for d in target):
        raise ShapeError(INVALID_ARGUMENT, "Each dimension in `target_shape` must be a non-negative integer, or "
                         f"`-1` for a single unknown dimension. Received: target_shape={shown}.")
    if sum(1 for d in target if d == -1 and cu._is_int(d)) > 1:
        raise ShapeError(INVALID_ARGUMENT, "There must be at most one unknown dimension (-1) in `target_shape`. "
                         f"Received: target_shape={shown}.")
    return target


@register
class Reshape(LayerRule):
    """Reshapes the non-batch axes to ``target_shape`` (one ``-1`` inferred); the element count must not change."""

    weightless = True

    output_dtype = "input"

    keeps_sparse = True
    passes_dtype = True
    names = ("Reshape",)
    params = ("target_shape",)
    examples = (
        Example({"target_shape": (784,)}, (None, 28, 28), (None, 784)),
        Example({"target_shape": (-1, 4)}, (None, 6, 2), (None, 3, 4)),
        Example({"target_shape": (-1, 4)}, (None, None, 2), (None, None, 4)),
        Example({"target_shape": (3, 4)}, (None, None, 2), (None, 3, 4)),
        Example({"target_shape": (28, 27)}, (None, 28, 28), "invalid-reshape"),
        Example({"target_shape": (-1, 5)}, (None, 6, 2), "invalid-reshape"),
        Example({"target_shape": (None, 5)}, (None, 6, 2), "invalid-reshape"),
        Example({"target_shape": (-1, -1)}, (None, 6, 2), "invalid-argument"),
        Example({"target_shape": (-2, 6)}, (None, 6, 2), "invalid-argument"),
        Example({"target_shape": 12}, (None, 12), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _target_shape(call)

    def output(self, call: Call) -> TensorType:
        target = _target_shape(call)
        if any(d is UNKNOWN for d in target):
            # An element the front end could not follow might be the -1.
            return call.input.with_shape((call.shape[0],) + tuple(dims.unknown() for _ in target))
        shape = call.shape
        # Keras treats any non-int entry (None) as unknown; at run time it becomes -1 too.
        new = tuple(d if (cu._is_int(d) or isinstance(d, dims.Sym)) else None for d in target)
        rest = shape[1:]
        if any(d is None for d in rest):
            return call.input.with_shape((shape[0],) + tuple(None if d == -1 else d for d in new))
        return call.input.with_shape((shape[0],) + self._resolve(rest, new))

    def _resolve(self, rest: Shape, new: tuple[Dim, ...]) -> tuple[Dim, ...]:
        size = dims.product(rest)
        free = [i for i, d in enumerate(new) if d is None or d == -1]
        mismatch = (f"The total size of the tensor must be unchanged. Received: input_shape={show_shape(rest)}, "
                    f"target_shape={show_shape(new)}")
        if len(free) > 1:
            # Symbolically accepted, but the run-time reshape has two -1 entries.
            raise ShapeError(INVALID_ARGUMENT, "There must be at most one unknown dimension (-1) in `newshape`: "
                             f"`target_shape={show_shape(new)}` has {len(free)} unknown entries (-1 or None).")
        if not free:
            if dims.differs(size, dims.product(new)):
                raise ShapeError(INVALID_RESHAPE, mismatch)
            return new
        index = free[0]
        known = dims.product([d for i, d in enumerate(new) if i != index])
        if known == 0 or cu.certainly_indivisible(size, known):
            raise ShapeError(INVALID_RESHAPE, "The total size of the tensor must be unchanged, however, the input "
                             "size cannot by divided by the specified dimensions in target_shape. Received: "
                             f"input_shape={show_shape(rest)}, target_shape={show_shape(new)}")
        inferred = cu.exact_div(size, known)
        if not dims.equal(dims.mul(inferred, known), size):
            inferred = dims.unknown()
        # A None entry stays None symbolically (Keras resolves only -1).
        value = inferred if new[index] == -1 else None
        return new[:index] + (value,) + new[index + 1:]


@register
class Permute(LayerRule):
    """Permutes the non-batch axes: ``dims`` is a permutation of ``1..rank-1``."""

    weightless = True

    output_dtype = "input"

    accepts_ragged = False
    keeps_sparse = True
    passes_dtype = True
    names = ("Permute",)
    params = ("dims",)
    examples = (
        Example({"dims": (2, 1)}, (None, 10, 64), (None, 64, 10)),
        Example({"dims": (3, 1, 2)}, (None, 4, 5, 6), (None, 6, 4, 5)),
        Example({"dims": (2, 1)}, (None, 4, 5, 6), "rank-mismatch"),
        Example({"dims": (0, 1)}, (None, 4, 5), "invalid-argument"),
        Example({"dims": (1, 1)}, (None, 4, 5), "invalid-argument"),
    )

    def _dims(self, call: Call) -> tuple[int, ...]:
        order = call.known("dims")
        if not isinstance(order, (list, tuple)) or any(not cu._is_int(d) for d in order):
            raise Unknowable()
        if sorted(order) != list(range(1, len(order) + 1)):
            raise ShapeError(INVALID_ARGUMENT, "Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. Received "
                             f"dims={tuple(order)}")
        return tuple(order)

    def check_config(self, call: Call) -> None:
        order = call.get("dims")
        if isinstance(order, (list, tuple)) and all(cu._is_int(d) for d in order):
            self._dims(call)

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(ndim=len(self._dims(call)) + 1)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        return call.input.with_shape((shape[0],) + tuple(shape[d] for d in self._dims(call)))


def _positive_int(call: Call, key: str) -> Dim:
    v = call.get(key)
    if v is UNKNOWN or isinstance(v, dims.Sym):
        return dims.unknown() if v is UNKNOWN else v
    if not cu._is_int(v):
        raise ShapeError(INVALID_ARGUMENT, f"Expected an integer value for `{key}`, got {type(v)}.")
    if v <= 0:
        raise ShapeError(INVALID_ARGUMENT, f"Argument `{key}` should be a positive integer. Received: {key}={v}")
    return v


@register
class RepeatVector(LayerRule):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``."""

    weightless = True

    accepts_sparse = False
    passes_dtype = True
    names = ("RepeatVector",)
    params = ("n",)
    spec = InputSpec(ndim=2)
    examples = (
        Example({"n": 3}, (None, 32), (None, 3, 32)),
        Example({"n": 3}, (None, 4, 32), "rank-mismatch"),
        Example({"n": 0}, (None, 32), "invalid-argument"),
        Example({"n": 2.0}, (None, 32), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _positive_int(call, "n")

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        return call.input.with_shape((shape[0], _positive_int(call, "n"), shape[1]))


def _scale(d: Dim, factor: Dim) -> Dim:
    return None if d is None else dims.mul(d, factor)


@register
class UpSampling1D(LayerRule):
    """Repeats each step ``size`` times: ``(batch, steps, features)`` -> ``(batch, steps * size, features)``."""

    weightless = True

    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("UpSampling1D",)
    params = ("size",)
    defaults = {"size": 2}
    spec = InputSpec(ndim=3)
    examples = (
        Example({}, (None, 5, 3), (None, 10, 3)),
        Example({"size": 3}, (None, None, 3), (None, None, 3)),
        Example({}, (None, 5), "rank-mismatch"),
        Example({"size": 0}, (None, 5, 3), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _positive_int(call, "size")

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        return call.input.with_shape((shape[0], _scale(shape[1], _positive_int(call, "size")), shape[2]))


_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


class _UpSampling(LayerRule):
    """``UpSampling2D`` / ``3D``: each spatial axis multiplied by its ``size``."""

    weightless = True

    rank: ClassVar[int] = 2

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(ndim=self.rank + 2)

    def check_config(self, call: Call) -> None:
        cu.data_format(call)
        cu.standardize_tuple(call, "size", self.rank)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = cu.data_format(call)
        size = cu.standardize_tuple(call, "size", self.rank)
        space = tuple(_scale(d, f) for d, f in zip(cu.spatial(shape, fmt), size))
        return call.input.with_shape(cu.assemble(shape[0], space, shape[cu.channel_axis(fmt)], fmt))


@register
class UpSampling2D(_UpSampling):
    """Repeats rows and columns (or resizes with ``interpolation``) by ``size``."""

    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("UpSampling2D",)
    params = ("size", "data_format", "interpolation")
    defaults = {"size": (2, 2), "data_format": None, "interpolation": "nearest"}
    rank = 2
    examples = (
        Example({}, (None, 7, 7, 3), (None, 14, 14, 3)),
        Example({"size": (2, 3), "data_format": "channels_first", "interpolation": "bilinear"}, (None, 3, 7, None),
                (None, 3, 14, None)),
        Example({}, (None, 7, 3), "rank-mismatch"),
        Example({"interpolation": "linear"}, (None, 7, 7, 3), "invalid-argument"),
        Example({"size": (2, 0)}, (None, 7, 7, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        interpolation = call.get("interpolation")
        # Checked only when data flows: `ops.image.resize` rejects it.
        if isinstance(interpolation, str) and interpolation.lower() not in _INTERPOLATIONS:
            raise ShapeError(INVALID_ARGUMENT, f"Invalid value for argument `interpolation`. Expected of one "
                             f"{_INTERPOLATIONS}. Received: interpolation={interpolation.lower()}")
        return super().output(call)


@register
class UpSampling3D(_UpSampling):
    """Repeats three spatial axes by ``size``."""

    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("UpSampling3D",)
    params = ("size", "data_format")
    defaults = {"size": (2, 2, 2), "data_format": None}
    rank = 3
    examples = (
        Example({}, (None, 2, 3, 4, 1), (None, 4, 6, 8, 1)),
        Example({"size": (1, 2, 3), "data_format": "channels_first"}, (None, 1, 2, 3, 4), (None, 1, 2, 6, 12)),
        Example({}, (None, 2, 3, 4), "rank-mismatch"),
    )


def _pairs(call: Call, key: str, rank: int, *, check_negative_int: bool) -> tuple[tuple[Dim, Dim], ...]:
    """``padding`` / ``cropping`` of the 2-D and 3-D layers: an int, or one int or pair per spatial axis."""
    v = call.get(key)
    if v is UNKNOWN:
        return tuple((dims.unknown(), dims.unknown()) for _ in range(rank))
    if cu._is_int(v) or isinstance(v, dims.Sym):
        if check_negative_int and cu._is_int(v) and v < 0:
            raise ShapeError(INVALID_ARGUMENT, f"`{key}` cannot be negative. Received: {key}={v}.")
        return ((v, v),) * rank
    if not isinstance(v, (list, tuple)):
        raise ShapeError(INVALID_ARGUMENT, f"`{key}` should be either an int, a tuple of {rank} ints or a tuple of "
                         f"{rank} tuples of 2 ints. Received: {key}={v!r}.")
    if len(v) != rank:
        raise ShapeError(INVALID_ARGUMENT, f"`{key}` should have {rank} elements. Received: {key}={v!r}.")
    return tuple(cu.standardize_tuple(call, key, 2, allow_zero=True, value=entry,
                                      label=f"{_ORDINALS[i]} entry of {key}")  # type: ignore[misc]
                 for i, entry in enumerate(v))


class _ZeroPadding(LayerRule):
    """``ZeroPadding1D/2D/3D``: each spatial axis grows by its two paddings."""

    weightless = True

    rank: ClassVar[int] = 2
    params = ("padding", "data_format")

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(ndim=self.rank + 2)

    def paddings(self, call: Call) -> tuple[tuple[Dim, Dim], ...]:
        if self.rank == 1:
            return (cu.standardize_tuple(call, "padding", 2, allow_zero=True),)  # type: ignore[return-value]
        return _pairs(call, "padding", self.rank, check_negative_int=False)

    def check_config(self, call: Call) -> None:
        cu.data_format(call)
        self.paddings(call)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = cu.data_format(call)
        pads = self.paddings(call)
        if any(cu._is_int(p) and p < 0 for pair in pads for p in pair):
            # Only an int padding escapes the constructor's check; `ops.pad` rejects it.
            raise ShapeError(INVALID_ARGUMENT, f"Paddings must be non-negative: `ops.pad` rejects "
                             f"padding={call.get('padding')!r} as soon as data flows.")
        space = tuple(None if d is None else dims.add(d, dims.add(a, b))
                      for d, (a, b) in zip(cu.spatial(shape, fmt), pads))
        return call.input.with_shape(cu.assemble(shape[0], space, shape[cu.channel_axis(fmt)], fmt))


@register
class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis with zeros: ``padding`` is an int or ``(left, right)``."""

    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("ZeroPadding1D",)
    rank = 1
    defaults = {"padding": 1, "data_format": None}
    examples = (
        Example({}, (None, 5, 3), (None, 7, 3)),
        Example({"padding": (0, 3), "data_format": "channels_first"}, (None, 3, 5), (None, 3, 8)),
        Example({}, (None, 5), "rank-mismatch"),
        Example({"padding": -1}, (None, 5, 3), "invalid-argument"),
    )


@register
class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns with zeros."""

    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("ZeroPadding2D",)
    rank = 2
    defaults = {"padding": (1, 1), "data_format": None}
    examples = (
        Example({}, (None, 5, 5, 3), (None, 7, 7, 3)),
        Example({"padding": ((1, 2), (0, 3))}, (None, 5, None, 3), (None, 8, None, 3)),
        Example({"padding": -1}, (None, 5, 5, 3), "invalid-argument"),
        Example({"padding": (1, 2, 3)}, (None, 5, 5, 3), "invalid-argument"),
    )


@register
class ZeroPadding3D(_ZeroPadding):
    """Pads three spatial axes with zeros."""

    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("ZeroPadding3D",)
    rank = 3
    defaults = {"padding": ((1, 1), (1, 1), (1, 1)), "data_format": None}
    examples = (
        Example({"padding": 2, "data_format": "channels_first"}, (None, 1, 2, 3, 4), (None, 1, 6, 7, 8)),
        Example({}, (None, 2, 3, 4), "rank-mismatch"),
    )


class _Cropping(LayerRule):
    """``Cropping1D/2D/3D``: each spatial axis shrinks by its two croppings, and must stay positive."""

    weightless = True

    rank: ClassVar[int] = 2

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(ndim=self.rank + 2)

    def croppings(self, call: Call) -> tuple[tuple[Dim, Dim], ...]:
        if self.rank == 1:
            return (cu.standardize_tuple(call, "cropping", 2, allow_zero=True),)  # type: ignore[return-value]
        return _pairs(call, "cropping", self.rank, check_negative_int=True)

    def data_format(self, call: Call) -> str:
        return cu.CHANNELS_LAST if self.rank == 1 else cu.data_format(call)

    def check_config(self, call: Call) -> None:
        self.data_format(call)
        self.croppings(call)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = self.data_format(call)
        crops = self.croppings(call)
        space = tuple(None if d is None else dims.sub(d, dims.add(a, b))
                      for d, (a, b) in zip(cu.spatial(shape, fmt), crops))
        if not all(cu.certainly_positive(d) for d in space):
            if self.rank == 1:
                raise ShapeError(NEGATIVE_DIMENSION, "`cropping` parameter of `Cropping1D` layer must be smaller than "
                                 f"the input length. Received: input_shape={show_shape(shape)}, "
                                 f"cropping={crops[0]}")
            raise ShapeError(NEGATIVE_DIMENSION, "Values in `cropping` argument should be smaller than the "
                             f"corresponding spatial dimension of the input. Received: "
                             f"input_shape={show_shape(shape)}, cropping={crops}")
        return call.input.with_shape(cu.assemble(shape[0], space, shape[cu.channel_axis(fmt)], fmt))


@register
class Cropping1D(_Cropping):
    """Crops the steps axis: ``cropping`` is an int or ``(left, right)``."""

    accepts_sparse = False
    keeps_ragged = True
    passes_dtype = True
    names = ("Cropping1D",)
    params = ("cropping",)
    defaults = {"cropping": (1, 1)}
    rank = 1
    examples = (
        Example({}, (None, 5, 3), (None, 3, 3)),
        Example({"cropping": (0, 2)}, (None, None, 3), (None, None, 3)),
        Example({"cropping": (2, 3)}, (None, 5, 3), "negative-dimension"),
        Example({}, (None, 5), "rank-mismatch"),
        Example({"cropping": -1}, (None, 5, 3), "invalid-argument"),
    )


@register
class Cropping2D(_Cropping):
    """Crops rows and columns."""

    accepts_sparse = False
    keeps_ragged = True
    passes_dtype = True
    names = ("Cropping2D",)
    params = ("cropping", "data_format")
    defaults = {"cropping": ((0, 0), (0, 0)), "data_format": None}
    rank = 2
    examples = (
        Example({"cropping": ((1, 2), (0, 3))}, (None, 28, 28, 3), (None, 25, 25, 3)),
        Example({"cropping": 2, "data_format": "channels_first"}, (None, 3, 28, None), (None, 3, 24, None)),
        Example({"cropping": (14, 0)}, (None, 28, 28, 3), "negative-dimension"),
        Example({"cropping": -1}, (None, 28, 28, 3), "invalid-argument"),
        Example({"cropping": ((1, 2, 3), (0, 0))}, (None, 28, 28, 3), "invalid-argument"),
    )


@register
class Cropping3D(_Cropping):
    """Crops three spatial axes."""

    accepts_sparse = False
    keeps_ragged = True
    passes_dtype = True
    names = ("Cropping3D",)
    params = ("cropping", "data_format")
    defaults = {"cropping": ((1, 1), (1, 1), (1, 1)), "data_format": None}
    rank = 3
    examples = (
        Example({}, (None, 4, 5, 6, 2), (None, 2, 3, 4, 2)),
        Example({}, (None, 4, 2, 6, 2), "negative-dimension"),
        Example({}, (None, 4, 5, 2), "rank-mismatch"),
    )
