"""Functions that rearrange a tensor: reshape, transpose, moveaxis, expand/squeeze, concatenate, stack, split,
broadcast_to, tile, repeat, pad, one_hot, and indexing (``x[idx]``), in their ``keras.ops``, TensorFlow and
tf.keras 2 backend spellings."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import (
    AXIS_MISMATCH,
    INCOMPATIBLE_SHAPES,
    INVALID_ARGUMENT,
    INVALID_RESHAPE,
    RANK_MISMATCH,
    ShapeError,
)
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, OpRule, T, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from .op_utils import (
    axes_indices,
    axis_index,
    broadcast_all,
    broadcast_or_fail,
    broadcast_to_problem,
    is_int,
    known,
    param,
    shape_of,
    tensor,
    tensors,
)

# -- reshape ------------------------------------------------------------------------------


def _known_product(shape: Shape) -> tuple[int, bool]:
    """The product of the known axes, and whether every axis is known."""
    total = 1
    for d in shape:
        if dims.is_known(d):
            total *= d  # type: ignore[operator]
    return total, all(dims.is_known(d) for d in shape)


def reshape_shape(shape: Shape, newshape: Any, arg: str) -> Shape:
    """``compute_reshape_output_shape``, plus what data certainly cannot satisfy."""
    if newshape is UNKNOWN:
        raise Unknowable()
    if is_int(newshape):
        newshape = (newshape,)
    if not isinstance(newshape, (list, tuple)):
        raise Unknowable()
    target = tuple(d if is_int(d) else (None if d is None else dims.unknown()) for d in newshape)
    shown = tuple(newshape)
    if any(is_int(d) and d < -1 for d in target):
        raise ShapeError(INVALID_RESHAPE, f"Each dimension in `{arg}` must be a non-negative integer, or `-1` "
                         f"for a single unknown dimension. Received: {arg}={shown}.")
    if target.count(-1) > 1:
        raise ShapeError(INVALID_RESHAPE, f"There must be at most one unknown dimension (-1) in `{arg}`. "
                         f"Received: {arg}={shown}.")
    if not all(is_int(d) for d in target):
        return tuple(None if d == -1 else d for d in target)
    size, all_known = _known_product(shape)
    if None in shape:
        if -1 not in target and size and math.prod(target) % size:
            # However many elements the undefined axes hold, the total is a multiple of `size`.
            raise ShapeError(INVALID_RESHAPE, f"The total size of the tensor must be unchanged. Received: "
                             f"input_shape={show_shape(shape)}, {arg}={shown}")
        return tuple(None if d == -1 else d for d in target)
    if not all_known:
        total = dims.product(shape)
        if -1 not in target:
            if dims.differs(total, math.prod(target)):
                raise ShapeError(INVALID_RESHAPE, f"The total size of the tensor must be unchanged. Received: "
                                 f"input_shape={show_shape(shape)}, {arg}={shown}")
            return target
        rest = math.prod(d for d in target if d != -1)
        return tuple(dims.floordiv(total, rest) if rest else None if d == -1 else d for d in target)
    if -1 not in target:
        if size != math.prod(target):
            raise ShapeError(INVALID_RESHAPE, f"The total size of the tensor must be unchanged. Received: "
                             f"input_shape={show_shape(shape)}, {arg}={shown}")
        return target
    rest = math.prod(d for d in target if d != -1)
    if rest == 0 or size % rest:
        raise ShapeError(INVALID_RESHAPE, "The total size of the tensor must be unchanged, however, the input size "
                         f"cannot by divided by the specified dimensions in {arg}. Received: "
                         f"input_shape={show_shape(shape)}, {arg}={shown}")
    return tuple(size // rest if d == -1 else d for d in target)


class _Reshape(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "newshape")

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        return x.with_shape(reshape_shape(x.shape, param(call, self.params[1]), self.params[1]))


@register
class Reshape(_Reshape):
    """``keras.ops.reshape(x, newshape)``: at most one ``-1``; the number of elements is unchanged."""

    names = ("keras.ops.reshape",)
    examples = (
        Example({"newshape": (-1, 6)}, (None, 3, 4), (None, 6)),
        Example({"newshape": (2, -1)}, (2, 3, 4), (2, 12)),
        Example({"newshape": (4, 6)}, (2, 3, 4), (4, 6)),
        Example({"newshape": (5, 7)}, (2, 3, 4), "invalid-reshape"),
        Example({"newshape": (5, -1)}, (2, 3, 4), "invalid-reshape"),
        Example({"newshape": (-1, -1)}, (2, 3, 4), "invalid-reshape"),
        Example({"newshape": (35,)}, (None, 3, 4), "invalid-reshape"),
    )


@register
class TfReshape(_Reshape):
    """``tf.reshape(tensor, shape)`` / ``K.reshape(x, shape)``: as ``keras.ops.reshape``."""

    names = ("tensorflow.reshape", "keras.backend.reshape")
    params = ("tensor", "shape")
    keras_equivalent = "keras.ops.reshape"
    examples = (Example({"shape": (-1, 12)}, (None, 3, 4), (None, 12)),
                Example({"shape": (5, 7)}, (2, 3, 4), "invalid-reshape"))


@register
class Ravel(OpRule):
    """``keras.ops.ravel(x)``: one axis holding every element."""

    names = ("keras.ops.ravel",)
    params = ("x",)
    examples = (Example({}, (2, 3, 4), (24,)), Example({}, (None, 3), (None,)))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        return x.with_shape((dims.product(x.shape),))


@register
class Size(OpRule):
    """``keras.ops.size(x)``: the number of elements, an int32 scalar."""

    names = ("keras.ops.size",)
    params = ("x",)
    examples = (Example({}, (None, 3, 4), ()),)

    def output(self, call: Call) -> TensorType:
        return TensorType((), "int32")


@register
class Ndim(OpRule):
    """``keras.ops.ndim(x)``: the rank. Keras's symbolic result has shape ``(rank,)`` (its
    ``compute_output_spec`` passes ``[rank]`` as the shape), although data give a scalar."""

    names = ("keras.ops.ndim",)
    params = ("x",)
    examples = (Example({}, (None, 3, 4), (3,)), Example({}, (5,), (1,)))

    def output(self, call: Call) -> TensorType:
        shape = tensor(call, "x").shape
        assert shape is not None  # tensor() raises Unknowable for an unknown rank
        return TensorType((len(shape),), "float32")


@register
class KFlatten(Ravel):
    """``K.flatten(x)``: one axis holding every element."""

    names = ("keras.backend.flatten",)
    keras_equivalent = "keras.ops.ravel"
    examples = (Example({}, (2, 3, 4), (24,)),)


@register
class KBatchFlatten(OpRule):
    """``K.batch_flatten(x)``: ``(batch, everything else)``."""

    names = ("keras.backend.batch_flatten",)
    params = ("x",)
    keras_equivalent = "keras.ops.reshape"
    examples = (Example({}, (None, 3, 4), (None, 12)),)

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        if not x.shape:
            raise Unknowable()
        return x.with_shape((x.shape[0], dims.product(x.shape[1:])))


# -- transpose ----------------------------------------------------------------------------


def transpose_shape(shape: Shape, axes: Any) -> Shape:
    """``compute_transpose_output_shape``."""
    if axes is None:
        return tuple(reversed(shape))
    axes = known(axes)
    if not isinstance(axes, (list, tuple)):
        raise Unknowable()
    ndim = len(shape)
    if len(axes) != ndim:
        raise ShapeError(INVALID_ARGUMENT, "axis must be a list of the same length as the input shape, "
                         f"expected {ndim}, but received {len(axes)}.")
    out = []
    for ax in axes:
        if not is_int(ax) or not -ndim <= ax < ndim:
            raise ShapeError(INVALID_ARGUMENT, f"Each axis in `axes` must be an integer in [-{ndim}, {ndim}). "
                             f"Received: axes={list(axes)}.")
        out.append(ax % ndim)
    if len(set(out)) != ndim:
        raise ShapeError(INVALID_ARGUMENT, "`axes` must be a valid permutation of the input dimensions (no "
                         f"duplicates). Received: axes={list(axes)} for input of rank {ndim}.")
    return tuple(shape[a] for a in out)


class _Transpose(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "axes")
    defaults: ClassVar[dict[str, Any]] = {"axes": None}

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        axes = param(call, self.params[1]) if len(self.params) > 1 else None
        return x.with_shape(transpose_shape(x.shape, axes))


@register
class Transpose(_Transpose):
    """``keras.ops.transpose(x, axes=None)``: ``axes`` is a permutation of the input's axes (reversed if None)."""

    names = ("keras.ops.transpose",)
    examples = (
        Example({}, (None, 3, 4), (4, 3, None)),
        Example({"axes": (0, 2, 1)}, (None, 3, 4), (None, 4, 3)),
        Example({"axes": (0, 2)}, (None, 3, 4), "invalid-argument"),
        Example({"axes": (0, 1, 1)}, (None, 3, 4), "invalid-argument"),
        Example({"axes": (0, 1, 3)}, (None, 3, 4), "invalid-argument"),
    )


@register
class TfTranspose(_Transpose):
    """``tf.transpose(a, perm=None)``: ``perm`` is a permutation of the input's axes."""

    names = ("tensorflow.transpose",)
    params = ("a", "perm")
    defaults = {"perm": None}
    keras_equivalent = "keras.ops.transpose"
    examples = (Example({"perm": (0, 2, 1)}, (None, 3, 4), (None, 4, 3)),
                Example({"perm": (0, 1)}, (None, 3, 4), "invalid-argument"))


@register
class KPermuteDimensions(_Transpose):
    """``K.permute_dimensions(x, pattern)``: ``pattern`` is a permutation of the input's axes."""

    names = ("keras.backend.permute_dimensions",)
    params = ("x", "pattern")
    keras_equivalent = "keras.ops.transpose"
    examples = (Example({"pattern": (0, 2, 1)}, (None, 3, 4), (None, 4, 3)),)


@register
class KTranspose(_Transpose):
    """``K.transpose(x)``: the axes reversed."""

    names = ("keras.backend.transpose",)
    params = ("x",)
    keras_equivalent = "keras.ops.transpose"
    examples = (Example({}, (None, 3), (3, None)),)


@register
class SwapAxes(OpRule):
    """``keras.ops.swapaxes(x, axis1, axis2)``: two axes exchanged."""

    names = ("keras.ops.swapaxes",)
    params = ("x", "axis1", "axis2")
    examples = (Example({"axis1": 1, "axis2": -1}, (None, 3, 4), (None, 4, 3)),
                Example({"axis1": 1, "axis2": 3}, (None, 3, 4), "invalid-argument"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        a, b = (axis_index(param(call, p), len(x.shape)) for p in ("axis1", "axis2"))
        shape = list(x.shape)
        shape[a], shape[b] = shape[b], shape[a]
        return x.with_shape(tuple(shape))


_MOVED = object()  # Keras's ``-1``: an axis already placed


def _axis_list(v: Any) -> list:
    v = known(v)
    items = [v] if is_int(v) else list(v) if isinstance(v, (list, tuple)) else None
    if items is None or not all(is_int(a) for a in items):
        raise Unknowable()
    return items


def moveaxis_shape(shape: Shape, source: Any, destination: Any, traced: bool = False) -> Shape:
    """``Moveaxis``: Keras's symbolic placement (in its words when it fails), then the permutation the
    backend transposes by, which must be one.  Inside a layer's ``call`` (``traced``) only the backend runs."""
    src, dst = _axis_list(source), _axis_list(destination)
    if len(src) != len(dst):
        raise ShapeError(INVALID_ARGUMENT, "`source` and `destination` arguments must have the same number of "
                         f"elements, but received `source={source}` and `destination={destination}`.")
    ndim = len(shape)
    sources = [axis_index(a, ndim) for a in src]
    destinations = [axis_index(a, ndim) for a in dst]
    if traced:
        return _moveaxis_backend(shape, sources, destinations, source, destination)
    rest: list[Any] = list(shape)
    out: list[Any] = [_MOVED] * ndim
    for sc, ds in zip(sources, destinations):
        out[ds] = rest[sc]
        rest[sc] = _MOVED
    i = j = 0
    while i < ndim:
        while i < ndim and out[i] is not _MOVED:
            i += 1
        while j < ndim and rest[j] is _MOVED:
            j += 1
        if i == ndim:
            break
        if j == ndim:
            raise ShapeError(INVALID_ARGUMENT, f"list index out of range (Keras's symbolic `moveaxis` cannot place "
                             f"the axes of {show_shape(shape)} with source={source}, destination={destination}: "
                             "each axis must be moved once, to a position of its own).")
        out[i] = rest[j]
        i += 1
        j += 1
    _moveaxis_backend(shape, sources, destinations, source, destination)
    return tuple(out)


def _moveaxis_backend(shape: Shape, sources: list[int], destinations: list[int], source: Any,
                      destination: Any) -> Shape:
    """The TensorFlow backend's ``moveaxis``: a transpose by the permutation it builds, which must be one."""
    if sources == destinations:
        return shape
    ndim = len(shape)
    perm = [a for a in range(ndim) if a not in sources]
    for ds, sc in sorted(zip(destinations, sources)):
        perm.insert(ds, sc)
    if sorted(perm) != list(range(ndim)):
        raise ShapeError(INVALID_ARGUMENT, f"`moveaxis` with source={source}, destination={destination} gives "
                         f"{perm}, not a permutation of the {ndim} axes of {show_shape(shape)}: Keras builds it, "
                         "but the transpose fails as soon as data flows.")
    return tuple(shape[p] for p in perm)


@register
class MoveAxis(OpRule):
    """``keras.ops.moveaxis(x, source, destination)``: the ``source`` axes move to ``destination``, the others keep
    their order; one destination per source, each axis moved once."""

    names = ("keras.ops.moveaxis",)
    params = ("x", "source", "destination")
    examples = (
        Example({"source": 1, "destination": -1}, (None, 3, 4, 5), (None, 4, 5, 3)),
        Example({"source": (0, 1), "destination": (-1, -2)}, (None, 3, 4), (4, 3, None)),
        Example({"source": (1, 2), "destination": (0,)}, (None, 3, 4), "invalid-argument"),
        Example({"source": 3, "destination": 0}, (None, 3, 4), "invalid-argument"),
        Example({"source": (1, 1), "destination": (0, 2)}, (None, 3, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        return x.with_shape(moveaxis_shape(x.shape, param(call, "source"), param(call, "destination"), call.traced))


# -- expand_dims / squeeze ----------------------------------------------------------------


class _ExpandDims(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "axis")
    #: TensorFlow takes a single axis only
    single_axis: ClassVar[bool] = False

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        axis = known(param(call, self.params[1]))
        seq = tuple(axis) if isinstance(axis, (list, tuple)) and not self.single_axis else (axis,)
        out_ndim = len(x.shape) + len(seq)
        where = axes_indices(seq, out_ndim, repeats_fail=False)
        rest = iter(x.shape)
        return x.with_shape(tuple(1 if i in where else next(rest) for i in range(out_ndim)))


@register
class ExpandDims(_ExpandDims):
    """``keras.ops.expand_dims(x, axis)``: inserts axes of size 1; ``axis`` within the output rank."""

    names = ("keras.ops.expand_dims",)
    examples = (
        Example({"axis": -1}, (None, 3), (None, 3, 1)),
        Example({"axis": 1}, (None, 3), (None, 1, 3)),
        Example({"axis": (1, 2)}, (None, 3), (None, 1, 1, 3)),
        Example({"axis": 3}, (None, 3), "invalid-argument"),
    )


@register
class TfExpandDims(_ExpandDims):
    """``tf.expand_dims(input, axis)``: one axis of size 1."""

    names = ("tensorflow.expand_dims",)
    params = ("input", "axis")
    single_axis = True
    keras_equivalent = "keras.ops.expand_dims"
    examples = (Example({"axis": 1}, (None, 3), (None, 1, 3)), Example({"axis": -4}, (None, 3), "invalid-argument"))


@register
class KExpandDims(_ExpandDims):
    """``K.expand_dims(x, axis=-1)``: one axis of size 1."""

    names = ("keras.backend.expand_dims",)
    defaults = {"axis": -1}
    single_axis = True
    keras_equivalent = "keras.ops.expand_dims"
    examples = (Example({}, (None, 3), (None, 3, 1)),)


class _Squeeze(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": None}
    #: Keras's symbolic squeeze rejects an undefined axis; TensorFlow checks it on data
    none_is_error: ClassVar[bool] = True

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        shape = x.shape
        axis = param(call, self.params[1])
        if axis is None:
            if any(isinstance(d, dims.Sym) or (d is None and not self.none_is_error) for d in shape):
                raise Unknowable()  # whether that axis is 1 decides the output rank
            return x.with_shape(tuple(d for d in shape if d != 1))
        axis = known(axis)
        where = axes_indices(axis, len(shape), repeats_fail=False)
        for a in where:
            if (shape[a] is None and self.none_is_error) or dims.differs(shape[a], 1):
                raise ShapeError(INVALID_ARGUMENT, f"Cannot squeeze axis {a if self.none_is_error else axis}, "
                                 f"because the dimension is not 1. Input shape: {show_shape(shape)}")
        return x.with_shape(tuple(d for i, d in enumerate(shape) if i not in where))


@register
class Squeeze(_Squeeze):
    """``keras.ops.squeeze(x, axis=None)``: removes axes of size 1; a named axis must be 1 (not None)."""

    names = ("keras.ops.squeeze",)
    examples = (
        Example({}, (None, 1, 3, 1), (None, 3)),
        Example({"axis": -1}, (None, 3, 1), (None, 3)),
        Example({"axis": 1}, (None, 3), "invalid-argument"),
        Example({"axis": 1}, (None, None), "invalid-argument"),
        Example({"axis": 2}, (None, 1), "invalid-argument"),
    )


@register
class TfSqueeze(_Squeeze):
    """``tf.squeeze(input, axis=None)`` / ``K.squeeze(x, axis)``: a named axis must be 1 when known."""

    names = ("tensorflow.squeeze", "keras.backend.squeeze")
    params = ("input", "axis")
    none_is_error = False
    keras_equivalent = "keras.ops.squeeze"
    examples = (Example({"axis": 1}, (None, 1, 3), (None, 3)), Example({"axis": 1}, (None, 3), "invalid-argument"))


# -- concatenate / stack / split ----------------------------------------------------------


def _same_except(shape: Shape, first: Shape, axis: Optional[int]) -> bool:
    """Keras's ``shape_equal(..., allow_none=True)`` over dims: False only when certainly different."""
    if len(shape) != len(first):
        return False
    return not any(i != axis and dims.differs(a, b) for i, (a, b) in enumerate(zip(shape, first)))


def _first_conflict(shapes: list[Shape], axis: Optional[int]) -> Optional[tuple[Shape, Shape]]:
    """Two shapes that certainly differ off ``axis`` (data must agree pairwise, not only with the first)."""
    for i, a in enumerate(shapes):
        for b in shapes[i + 1:]:
            if not _same_except(a, b, axis):
                return a, b
    return None


def concat_shape(shapes: list[Shape], axis_arg: Any) -> Shape:
    if not shapes:
        raise ShapeError(INVALID_ARGUMENT, "Need at least one array to concatenate.")
    first = shapes[0]
    if not first:
        raise ShapeError(RANK_MISMATCH, "zero-dimensional arrays cannot be concatenated.")
    axis = axis_index(axis_arg, len(first))
    total: Dim = 0
    for s in shapes:
        if not _same_except(s, first, axis):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Every value in `xs` must have the same shape except on the "
                             f"`axis` dim. But found element of shape {show_shape(s)}, which is different from "
                             f"the first element's shape {show_shape(first)}.")
        total = dims.add(total, s[axis])
    conflict = _first_conflict(shapes, axis)
    if conflict is not None:
        raise ShapeError(INCOMPATIBLE_SHAPES, "Every value in `xs` must have the same shape except on the `axis` "
                         f"dim. But found elements of shapes {show_shape(conflict[0])} and "
                         f"{show_shape(conflict[1])}.")
    out = list(first)
    out[axis] = total
    return tuple(out)


class _Concatenate(OpRule):
    params: ClassVar[tuple[str, ...]] = ("xs", "axis")
    #: TensorFlow returns a single value unchanged, whatever the axis
    single_unchecked: ClassVar[bool] = False
    defaults: ClassVar[dict[str, Any]] = {"axis": 0}

    def output(self, call: Call) -> TensorType:
        xs = tensors(call, self.params[0])
        if len(xs) == 1 and self.single_unchecked:
            return xs[0]
        shape = concat_shape([x.shape for x in xs], param(call, self.params[1]))  # type: ignore[misc]
        return TensorType(shape, xs[0].dtype)


@register
class Concatenate(_Concatenate):
    """``keras.ops.concatenate(xs, axis=0)``: shapes agree except on ``axis``, whose sizes add up."""

    names = ("keras.ops.concatenate",)
    examples = (
        Example({"axis": -1}, [(None, 3), (None, 4)], (None, 7)),
        Example({"axis": 1}, [(None, 3), (None, None)], (None, None)),
        Example({}, [(2, 3), (4, 3)], (6, 3)),
        Example({"axis": -1}, [(None, 2, 3), (None, 4, 3)], "incompatible-shapes"),
        Example({"axis": -1}, [(None, 3), (None, 2, 3)], "incompatible-shapes"),
        Example({"axis": 2}, [(None, 3), (None, 3)], "invalid-argument"),
    )


@register
class TfConcat(_Concatenate):
    """``tf.concat(values, axis)``: shapes agree except on ``axis``."""

    names = ("tensorflow.concat",)
    params = ("values", "axis")
    defaults = {}
    single_unchecked = True
    keras_equivalent = "keras.ops.concatenate"
    examples = (Example({"axis": -1}, [(None, 3), (None, 4)], (None, 7)),
                Example({"axis": 2}, [(None, 2, 3), (None, 4, 3)], "incompatible-shapes"))


@register
class KConcatenate(_Concatenate):
    """``K.concatenate(tensors, axis=-1)``: shapes agree except on ``axis``."""

    names = ("keras.backend.concatenate",)
    params = ("tensors", "axis")
    defaults = {"axis": -1}
    keras_equivalent = "keras.ops.concatenate"
    examples = (Example({}, [(None, 3), (None, 4)], (None, 7)),)


class _Stack(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": 0}

    def output(self, call: Call) -> TensorType:
        xs = tensors(call, self.params[0])
        if not xs:
            raise ShapeError(INVALID_ARGUMENT, "need at least one array to stack.")
        first = xs[0].shape
        assert first is not None
        axis = axis_index(param(call, self.params[1]), len(first) + 1)
        for x in xs:
            assert x.shape is not None
            if not _same_except(x.shape, first, None):
                raise ShapeError(INCOMPATIBLE_SHAPES, "Every value in `x` must have the same shape. But found "
                                 f"element of shape {show_shape(x.shape)},  which is different from the first "
                                 f"element's shape {show_shape(first)}.")
        conflict = _first_conflict([x.shape for x in xs], None)  # type: ignore[misc]
        if conflict is not None:
            raise ShapeError(INCOMPATIBLE_SHAPES, "Every value in `x` must have the same shape. But found "
                             f"elements of shapes {show_shape(conflict[0])} and {show_shape(conflict[1])}.")
        out = list(first)
        out.insert(axis, len(xs))
        return TensorType(tuple(out), xs[0].dtype)


@register
class Stack(_Stack):
    """``keras.ops.stack(x, axis=0)``: equal shapes; a new axis of size ``len(x)``."""

    names = ("keras.ops.stack",)
    examples = (
        Example({"axis": 1}, [(None, 3), (None, 3)], (None, 2, 3)),
        Example({}, [(None, 3), (None, 3), (None, 3)], (3, None, 3)),
        Example({}, [(None, 3), (None, 4)], "incompatible-shapes"),
        Example({"axis": 3}, [(None, 3), (None, 3)], "invalid-argument"),
    )


@register
class TfStack(_Stack):
    """``tf.stack(values, axis=0)`` / ``K.stack(x, axis=0)``: equal shapes; a new axis."""

    names = ("tensorflow.stack", "keras.backend.stack")
    params = ("values", "axis")
    keras_equivalent = "keras.ops.stack"
    examples = (Example({"axis": 1}, [(None, 3), (None, 3)], (None, 2, 3)),
                Example({}, [(None, 3), (None, 4)], "incompatible-shapes"))


def _with(shape: Shape, axis: int, d: Dim) -> Shape:
    return shape[:axis] + (d,) + shape[axis + 1:]


def _split_even(shape: Shape, axis: int, n: Any) -> list[Shape]:
    if not is_int(n):
        raise Unknowable()
    if n <= 0:
        raise ShapeError(INVALID_ARGUMENT, f"Number of sections must be larger than 0. Received: {n}")
    size = shape[axis]
    if dims.is_known(size) and size % n:  # type: ignore[operator]
        raise ShapeError(INVALID_ARGUMENT, "`x` size on given `axis` must be divisible by `indices_or_sections` "
                         f"when `indices_or_sections` is an int. But received {size} and {n}.")
    return [_with(shape, axis, dims.floordiv(size, n))] * n


class _Split(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "indices_or_sections", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": 0}

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        if not shape:
            raise ShapeError(RANK_MISMATCH, "split needs an input of rank 1 or more, received shape ().")
        axis = axis_index(param(call, self.params[2]), len(shape))
        spec = known(param(call, self.params[1]))
        if isinstance(spec, (list, tuple)):
            return [x.with_shape(s) for s in self.pieces(shape, axis, list(spec))]
        return [x.with_shape(s) for s in _split_even(shape, axis, spec)]

    def pieces(self, shape: Shape, axis: int, spec: list) -> list[Shape]:
        """Split points (NumPy ``indices``); a piece of negative size is Keras's error."""
        if not all(is_int(i) and i >= 0 for i in spec):
            raise Unknowable()
        if not spec:
            # Keras builds one piece; TensorFlow's split then fails on data.
            raise ShapeError(INVALID_ARGUMENT, "`indices_or_sections` must not be an empty list.")
        bounds = [0, *spec, shape[axis]]
        sizes = [dims.sub(b, a) for a, b in zip(bounds, bounds[1:])]
        for size in sizes:
            if dims.is_known(size) and size < 0:  # type: ignore[operator]
                raise ShapeError(INVALID_ARGUMENT, f"Cannot convert '{[None if d is None else d for d in sizes]}' "
                                 "to a shape. Negative dimensions are not allowed: the split points "
                                 f"{spec} must be increasing and within the axis of size {dims.show(shape[axis])}.")
        return [_with(shape, axis, d) for d in sizes]


@register
class Split(_Split):
    """``keras.ops.split(x, indices_or_sections, axis=0)``: ``n`` equal parts (``n`` divides the axis) or at indices."""

    names = ("keras.ops.split",)
    examples = (
        Example({"indices_or_sections": 2, "axis": -1}, (None, 6), [(None, 3), (None, 3)]),
        Example({"indices_or_sections": [1, 4], "axis": 1}, (None, 6), [(None, 1), (None, 3), (None, 2)]),
        Example({"indices_or_sections": 2, "axis": 1}, (None, None), [(None, None), (None, None)]),
        Example({"indices_or_sections": 4, "axis": -1}, (None, 6), "invalid-argument"),
        Example({"indices_or_sections": 2, "axis": 2}, (None, 6), "invalid-argument"),
    )


@register
class TfSplit(_Split):
    """``tf.split(value, num_or_size_splits, axis=0)``: ``n`` equal parts, or sizes (one may be -1) adding up."""

    names = ("tensorflow.split",)
    params = ("value", "num_or_size_splits", "axis")
    keras_equivalent = "keras.ops.split"
    examples = (Example({"num_or_size_splits": [2, -1], "axis": 1}, (None, 6), [(None, 2), (None, 4)]),
                Example({"num_or_size_splits": [2, 3], "axis": 1}, (None, 6), "invalid-argument"),
                Example({"num_or_size_splits": 4, "axis": 1}, (None, 6), "invalid-argument"))

    def pieces(self, shape: Shape, axis: int, spec: list) -> list[Shape]:
        """Sizes, one of which may be ``-1``: the rest of the axis."""
        if not all(is_int(s) and s >= -1 for s in spec) or spec.count(-1) > 1:
            raise ShapeError(INVALID_ARGUMENT, f"Determined shape must either match input shape along split_dim "
                             f"exactly if fully specified, or be less than the size of the input along split_dim "
                             f"if not fully specified. Got: {spec}")
        size = shape[axis]
        if len(spec) == 1 and spec[0] == -1:
            raise ShapeError(INVALID_ARGUMENT, "If there is only one output, it must have the same size as the "
                             f"input. Output size: -1 for input shape {show_shape(shape)}")
        given = sum(s for s in spec if s != -1)
        if dims.is_known(size):
            if (-1 not in spec and given != size) or (-1 in spec and given > size):  # type: ignore[operator]
                raise ShapeError(INVALID_ARGUMENT, "Determined shape must either match input shape along "
                                 "split_dim exactly if fully specified, or be less than the size of the input "
                                 f"along split_dim if not fully specified. Got: {spec} for an axis of size {size}")
        rest = dims.sub(size, given)
        return [_with(shape, axis, rest if s == -1 else s) for s in spec]


# -- broadcast_to -------------------------------------------------------------------------


def _target_shape(v: Any, arg: str) -> Shape:
    """A ``shape`` argument; a bare int is no shape (Keras's symbolic pass iterates over it)."""
    if v is UNKNOWN:
        raise Unknowable()
    if is_int(v):
        raise ShapeError(INVALID_ARGUMENT, f"'int' object is not iterable: `{arg}` must be a tuple of sizes, "
                         f"write `{arg}=({v},)`.")
    if not isinstance(v, (list, tuple)):
        raise Unknowable()
    out: list[Dim] = []
    for d in v:
        if d is UNKNOWN:
            out.append(dims.unknown())
        elif d is None or is_int(d) or isinstance(d, dims.Sym):
            out.append(d)
        else:
            raise Unknowable()
    return tuple(out)


class _BroadcastTo(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "shape")
    #: Keras checks the two shapes symbolically (both ways round) before data flows
    symbolic: ClassVar[bool] = True

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        target = _target_shape(param(call, self.params[1]), self.params[1])
        if self.symbolic:
            broadcast_or_fail(shape, target)
        negative = [d for d in target if is_int(d) and d < 0]
        if negative:
            raise ShapeError(INVALID_ARGUMENT, f"Dimension {negative[0]} must be >= 0: cannot broadcast to "
                             f"{show_shape(target)}.")
        problem = broadcast_to_problem(shape, target)
        if problem:
            when = "; Keras builds `broadcast_to`, but it fails as soon as data flows" if self.symbolic else ""
            raise ShapeError(INCOMPATIBLE_SHAPES, f"{problem}: each axis of {show_shape(shape)} (aligned on the "
                             f"right) must be 1 or the target's{when}.")
        return x.with_shape(target)


@register
class BroadcastTo(_BroadcastTo):
    """``keras.ops.broadcast_to(x, shape)``: ``shape`` itself; each axis of ``x``, aligned on the right, is 1 or
    the target's, and ``x`` has no more axes than ``shape``."""

    names = ("keras.ops.broadcast_to",)
    examples = (
        Example({"shape": (2, 5, 3)}, (5, 3), (2, 5, 3)),
        Example({"shape": (2, 4, 3)}, (None, 1, 3), (2, 4, 3)),
        Example({"shape": (2, 5, 3)}, (5, 1), (2, 5, 3)),
        Example({"shape": (2, 4, 3)}, (5, 3), "incompatible-shapes"),
        Example({"shape": (5, 1)}, (5, 3), "incompatible-shapes"),
        Example({"shape": (3,)}, (5, 3), "incompatible-shapes"),
        Example({"shape": 3}, (3,), "invalid-argument"),
    )


@register
class TfBroadcastTo(_BroadcastTo):
    """``tf.broadcast_to(input, shape)``: ``shape`` itself; each axis of ``input``, aligned on the right, is 1 or
    the target's."""

    names = ("tensorflow.broadcast_to",)
    params = ("input", "shape")
    symbolic = False
    keras_equivalent = "keras.ops.broadcast_to"
    examples = (Example({"shape": (2, 5, 3)}, (5, 1), (2, 5, 3)),
                Example({"shape": (5, 1)}, (5, 3), "incompatible-shapes"))


# -- tile / repeat / pad / one_hot --------------------------------------------------------


class _Tile(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "repeats")
    #: TensorFlow needs one multiple per axis
    exact: ClassVar[bool] = False

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        reps = known(param(call, self.params[1]))
        reps = [reps] if is_int(reps) else list(reps) if isinstance(reps, (list, tuple)) else None
        if reps is None or not all(is_int(r) for r in reps):
            raise Unknowable()
        shape = list(x.shape)
        if any(r < 0 for r in reps):
            raise ShapeError(INVALID_ARGUMENT, f"Each entry of `repeats` must be non-negative. Received: {reps}")
        if self.exact and len(reps) != len(shape):
            raise ShapeError(INVALID_ARGUMENT, f"Expected multiples argument to be a vector of length "
                             f"{len(shape)} but got length {len(reps)}")
        if len(shape) > len(reps):
            reps = [1] * (len(shape) - len(reps)) + reps
        else:
            shape = [1] * (len(reps) - len(shape)) + shape
        return x.with_shape(tuple(dims.mul(d, r) for d, r in zip(shape, reps)))


@register
class Tile(_Tile):
    """``keras.ops.tile(x, repeats)``: each axis multiplied (repeats padded with 1s, or the shape with 1s)."""

    names = ("keras.ops.tile",)
    examples = (
        Example({"repeats": (1, 2)}, (None, 3), (None, 6)),
        Example({"repeats": 3}, (None, 3), (None, 9)),
        Example({"repeats": (2, 1, 1)}, (None, 3), (2, None, 3)),
    )


@register
class TfTile(_Tile):
    """``tf.tile(input, multiples)`` / ``K.tile(x, n)``: one multiple per axis."""

    names = ("tensorflow.tile",)
    params = ("input", "multiples")
    exact = True
    keras_equivalent = "keras.ops.tile"
    examples = (Example({"multiples": (1, 2)}, (None, 3), (None, 6)),
                Example({"multiples": (2,)}, (None, 3), "invalid-argument"))


@register
class KTile(_Tile):
    """``K.tile(x, n)``: one multiple per axis."""

    names = ("keras.backend.tile",)
    params = ("x", "n")
    exact = True
    keras_equivalent = "keras.ops.tile"
    examples = (Example({"n": (1, 2)}, (None, 3), (None, 6)),)


class _Repeat(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "repeats", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": None}

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        reps = known(param(call, self.params[1]))
        reps = [reps] if is_int(reps) else list(reps) if isinstance(reps, (list, tuple)) else None
        if reps is None or not all(is_int(r) and r >= 0 for r in reps):
            raise Unknowable()
        axis = param(call, self.params[2])
        if axis is None:
            size, _ = _known_product(shape)
            if None in shape and len(reps) > 1 and (size == 0 or len(reps) % size):
                # However many elements the undefined axes hold, the total is a multiple of `size`.
                raise ShapeError(INVALID_ARGUMENT, "Size of `repeats` and dimensions of `x` after flattening "
                                 f"should be compatible. Received: {len(reps)} and {show_shape(shape)}")
            flat = (dims.product(shape),)
            return x.with_shape(self.repeated(flat, 0, reps))
        return x.with_shape(self.repeated(shape, axis_index(axis, len(shape)), reps))

    @staticmethod
    def repeated(shape: Shape, axis: int, reps: list[int]) -> Shape:
        size = shape[axis]
        if len(reps) == 1:
            return _with(shape, axis, dims.mul(size, reps[0]))
        if dims.differs(size, len(reps)):
            raise ShapeError(INVALID_ARGUMENT, "Size of `repeats` and dimensions of `axis` of x should be "
                             f"compatible. Received: {len(reps)} and {show_shape(shape)}")
        return _with(shape, axis, sum(reps) if size is not None else None)


@register
class Repeat(_Repeat):
    """``keras.ops.repeat(x, repeats, axis=None)``: each element repeated along ``axis`` (flattened if None)."""

    names = ("keras.ops.repeat",)
    examples = (
        Example({"repeats": 2, "axis": 1}, (None, 3), (None, 6)),
        Example({"repeats": 2}, (2, 3), (12,)),
        Example({"repeats": [1, 2, 3], "axis": 1}, (None, 3), (None, 6)),
        Example({"repeats": [1, 2], "axis": 1}, (None, 3), "invalid-argument"),
        Example({"repeats": 2, "axis": 2}, (None, 3), "invalid-argument"),
    )


@register
class TfRepeat(_Repeat):
    """``tf.repeat(input, repeats, axis=None)``: as ``keras.ops.repeat``."""

    names = ("tensorflow.repeat",)
    params = ("input", "repeats", "axis")
    keras_equivalent = "keras.ops.repeat"
    examples = (Example({"repeats": 2, "axis": 1}, (None, 3), (None, 6)),)


@register
class KRepeatElements(_Repeat):
    """``K.repeat_elements(x, rep, axis)``: each element repeated ``rep`` times along ``axis``."""

    names = ("keras.backend.repeat_elements",)
    params = ("x", "rep", "axis")
    defaults = {}
    keras_equivalent = "keras.ops.repeat"
    examples = (Example({"rep": 2, "axis": 1}, (None, 3), (None, 6)),)


def _pad_pairs(pad: Any, rank: int, arg: str) -> list[tuple[Any, Any]]:
    """``Pad._process_pad_width``, then one pair per axis."""
    pad = known(pad)
    if is_int(pad):
        pairs = [(pad, pad)]
    elif isinstance(pad, (list, tuple)) and pad and is_int(pad[0]):
        pairs = [tuple(pad)]
    elif isinstance(pad, (list, tuple)) and pad and all(isinstance(p, (list, tuple)) for p in pad):
        if len({len(p) for p in pad}) != 1 or len(pad[0]) not in (1, 2) or \
                (len(pad[0]) == 1 and isinstance(pad, tuple)):
            raise ShapeError(INVALID_ARGUMENT, f"`{arg}` should be a list of tuples of length 1 or 2. "
                             f"Received: {arg}={pad}")
        pairs = [(p[0], p[-1]) for p in pad]
    else:
        raise Unknowable()
    if len(pairs[0]) != 2 or not all(is_int(v) for p in pairs for v in p):
        raise Unknowable()
    if len(pairs) != rank:
        # Keras accepts one pair for every axis symbolically; TensorFlow's pad then wants one per axis.
        raise ShapeError(INVALID_ARGUMENT, f"`{arg}` must have the same length as `x.shape`. Received: "
                         f"{arg}={pad} (of length {len(pairs)}) and x.shape={rank} axes")
    if any(v < 0 for p in pairs for v in p):
        raise ShapeError(INVALID_ARGUMENT, f"Paddings must be non-negative. Received: {arg}={pad}")
    return pairs  # type: ignore[return-value]


class _Pad(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "pad_width", "mode", "constant_values")
    #: TensorFlow needs one pair per axis
    exact: ClassVar[bool] = False

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        pad = param(call, self.params[1])
        if self.exact:
            pad = known(pad)
            if not isinstance(pad, (list, tuple)) or len(pad) != len(shape) or \
                    not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pad):
                raise ShapeError(INVALID_ARGUMENT, f"The first dimension of paddings must be the rank of inputs "
                                 f"[{len(shape)},2], received paddings {pad!r} for input shape "
                                 f"{show_shape(shape)}")
        pairs = _pad_pairs(pad, len(shape), self.params[1])
        return x.with_shape(tuple(dims.add(d, a + b) for d, (a, b) in zip(shape, pairs)))


@register
class Pad(_Pad):
    """``keras.ops.pad(x, pad_width)``: each axis grows by its ``(before, after)`` pair."""

    names = ("keras.ops.pad",)
    examples = (
        Example({"pad_width": ((0, 0), (1, 2))}, (None, 3), (None, 6)),
        Example({"pad_width": [[1], [2]]}, (2, 3), (4, 7)),
        Example({"pad_width": 1}, (2, 3), "invalid-argument"),
        Example({"pad_width": ((0, 0), (1, 1), (1, 1))}, (None, 3), "invalid-argument"),
    )


@register
class TfPad(_Pad):
    """``tf.pad(tensor, paddings)``: one ``[before, after]`` pair per axis."""

    names = ("tensorflow.pad",)
    params = ("tensor", "paddings", "mode", "constant_values")
    exact = True
    keras_equivalent = "keras.ops.pad"
    examples = (Example({"paddings": ((0, 0), (1, 2))}, (None, 3), (None, 6)),
                Example({"paddings": ((1, 2),)}, (None, 3), "invalid-argument"))


class _OneHot(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "num_classes", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": -1}
    #: the largest axis allowed is the input's rank (TensorFlow) or one less (Keras's symbolic one_hot)
    append_allowed: ClassVar[bool] = False

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        n = param(call, self.params[1])
        depth: Dim = n if is_int(n) else dims.unknown()
        axis = known(param(call, "axis") if "axis" in self.params else -1)
        axis = -1 if axis is None else axis
        if not is_int(axis):
            raise Unknowable()
        top = len(shape) + 1 if self.append_allowed else len(shape)
        if axis != -1 and not 0 <= axis < top:
            raise ShapeError(INVALID_ARGUMENT, f"axis must be -1 or between [0, {top}), but received {axis}.")
        where = len(shape) if axis == -1 else axis
        return TensorType(shape[:where] + (depth,) + shape[where:], "float32")


@register
class OneHot(_OneHot):
    """``keras.ops.one_hot(x, num_classes, axis=-1)``: a new axis of size ``num_classes``."""

    names = ("keras.ops.one_hot",)
    examples = (
        Example({"num_classes": 10}, T((None,), "int32"), (None, 10)),
        Example({"num_classes": 4, "axis": 1}, T((None, 3), "int32"), (None, 4, 3)),
        Example({"num_classes": 4, "axis": 2}, T((None, 3), "int32"), "invalid-argument"),
        Example({"num_classes": 4, "axis": -2}, T((None, 3), "int32"), "invalid-argument"),
    )


@register
class TfOneHot(_OneHot):
    """``tf.one_hot(indices, depth, on_value, off_value, axis=None)``: a new axis of size ``depth``."""

    names = ("tensorflow.one_hot",)
    append_allowed = True
    params = ("indices", "depth", "on_value", "off_value", "axis")
    defaults = {"axis": None}
    keras_equivalent = "keras.ops.one_hot"
    examples = (Example({"depth": 10}, T((None,), "int32"), (None, 10)),)


@register
class KOneHot(_OneHot):
    """``K.one_hot(indices, num_classes)``: a last axis of size ``num_classes``."""

    names = ("keras.backend.one_hot",)
    params = ("indices", "num_classes")
    keras_equivalent = "keras.ops.one_hot"
    examples = (Example({"num_classes": 10}, T((None,), "int32"), (None, 10)),)


class _SameShapeAxes(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": None}

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        axis = param(call, "axis")
        if axis is not None:
            axes_indices(axis, len(x.shape))
        return x


@register
class Flip(_SameShapeAxes):
    """``keras.ops.flip(x, axis=None)``: the same shape; ``axis`` within the rank."""

    names = ("keras.ops.flip",)
    examples = (Example({"axis": 1}, (None, 3), (None, 3)),)


# -- indexing -----------------------------------------------------------------------------


def _index_error(shape: Shape, key: Any, what: str) -> ShapeError:
    return ShapeError(INVALID_ARGUMENT, f"Array has shape {show_shape(shape)} but {what}. Received: `{key!r}`")


def _slice_length(s: slice, length: Dim) -> Dim:
    """Python's length of ``range(*s.indices(length))``; Keras keeps an undefined axis undefined."""
    if length is None:
        return None
    parts = (s.start, s.stop, s.step)
    if not all(p is None or is_int(p) for p in parts):
        return dims.unknown()
    if s.step == 0:
        raise ShapeError(INVALID_ARGUMENT, "slice step cannot be zero")
    if dims.is_known(length):
        return len(range(*s.indices(length)))  # type: ignore[arg-type]
    if s.start in (None, 0) and s.stop is None and s.step in (None, 1):
        return length
    return dims.unknown()


def getitem_shape(shape: Shape, key: Any) -> Shape:
    """``GetItem.compute_output_spec``: ints drop an axis (an int shapecheck could not follow too),
    slices clip like Python, None adds one."""
    if key is UNKNOWN:
        raise Unknowable()
    if is_int(key) or isinstance(key, slice) or (isinstance(key, dims.Sym) and key.opaque) or key is None \
            or key is Ellipsis:
        items = [key]
    elif isinstance(key, tuple):
        items = list(key)
    else:
        raise Unknowable()  # a tensor, a list: gather semantics
    if any(k is UNKNOWN for k in items):
        raise Unknowable()  # could be `tf.newaxis`, a tensor, a list: not followed
    if items.count(Ellipsis) > 1:
        raise _index_error(shape, key, "the slice should only have one ellipsis")
    if Ellipsis not in items:
        items.append(Ellipsis)
    rest = list(shape)
    out: list[Dim] = []
    while items:
        k = items.pop(0)
        if k is Ellipsis:
            consumed = len(rest) - (len(items) - items.count(None))
            if consumed < 0:
                raise _index_error(shape, key, "slice has too many indices")
            out += rest[:consumed]
            rest = rest[consumed:]
            continue
        if k is None:
            out.append(1)
            continue
        if not rest:
            raise _index_error(shape, key, "slice has too many indices")
        length = rest.pop(0)
        if is_int(k):
            if dims.is_known(length):
                index = k if k >= 0 else k + length  # type: ignore[operator]
                if not 0 <= index < length:  # type: ignore[operator]
                    raise _index_error(shape, key, f"out-of-bounds index {k} was requested for an axis of "
                                       f"size {length}")
        elif isinstance(k, slice):
            out.append(_slice_length(k, length))
        elif not (isinstance(k, dims.Sym) and k.opaque):
            # (an int shapecheck could not follow, a loop's variable over an unknown range: the axis
            # goes, unchecked; a parameter's name alone may stand for a slice or a list)
            raise Unknowable()
    return tuple(out)


def _tuple_key(key: Any) -> str:
    """The subscript Keras 3 takes for a bare ``slice``, ``None`` or ``...`` key."""
    if key is Ellipsis:
        return "`x` (the whole tensor)"
    if key is None:
        return "`x[None, ...]`"
    text = f"{'' if key.start is None else key.start}:{'' if key.stop is None else key.stop}"
    return f"`x[{text if key.step is None else f'{text}:{key.step}'}, ...]`"


@register
class GetItem(OpRule):
    """``x[idx]``: an int drops an axis (in range when the axis is known), a slice keeps it with Python's
    length, ``None`` adds an axis of 1, ``...`` stands for the axes not named."""

    names = ("operator.getitem", "keras.ops.get_item")
    params = ("x", "key")
    examples = (
        Example({"key": 0}, (None, 3, 4), (3, 4)),
        Example({"key": (slice(None), 1)}, (None, 3, 4), (None, 4)),
        Example({"key": (slice(None), slice(1, 10))}, (None, 3, 4), (None, 2, 4)),
        Example({"key": (Ellipsis, None, -1)}, (None, 3, 4), (None, 3, 1)),
        Example({"key": (slice(None), slice(None, None, 2))}, (None, 5), (None, 3)),
        Example({"key": (slice(None), 5)}, (None, 3, 4), "invalid-argument"),
        Example({"key": (0, 0, 0, 0)}, (None, 3, 4), "invalid-argument"),
        Example({"key": slice(1, 3)}, (None, 3, 4), "invalid-argument"),
        Example({"key": None}, (None, 3, 4), "invalid-argument"),
        Example({"key": Ellipsis}, (None, 3, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        key = param(call, "key")
        if call.keras_version >= 3 and not call.traced and (isinstance(key, slice) or key is None
                                                             or key is Ellipsis):
            # Keras 3's symbolic GetItem takes an int, a tuple or a list: `x[1:3]` on a
            # KerasTensor fails, `x[1:3, ...]` works (TensorFlow's tensors, in a layer's
            # `call`, take both).
            raise ShapeError(INVALID_ARGUMENT, f"Unsupported key type for array slice. Received: `{key}` "
                                               "(a Keras 3 symbolic tensor takes an int or a tuple here: "
                                               f"write {_tuple_key(key)})")
        return x.with_shape(getitem_shape(x.shape, key))  # type: ignore[arg-type]


# -- triangles, outer, roll, stacks ------------------------------------------------------


class _Triangle(OpRule):
    """``x``'s shape.  The symbolic build takes any rank, but the backend needs a matrix or a batch of them:
    rank 1 or 0 fails as soon as data flows."""

    params: ClassVar[tuple[str, ...]] = ("x", "k")
    defaults: ClassVar[dict[str, Any]] = {"k": 0}
    upper: ClassVar[bool] = False

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        assert x.shape is not None
        if len(x.shape) < 2:
            raise ShapeError(RANK_MISMATCH, f"input must be at least 2-dim, received shape: {show_shape(x.shape)}; "
                             "Keras builds the call, but it fails as soon as data flows.")
        k = param(call, "k")
        # The TensorFlow backend bands with `k` itself: `tril` with k >= 0 keeps k upper diagonals, which
        # must exist (k <= columns); `triu` with k <= 0 keeps -k lower ones (-k <= rows).
        if is_int(k):
            rows, cols = x.shape[-2], x.shape[-1]
            if not self.upper and k >= 0 and is_int(cols) and k > cols:
                raise ShapeError(INVALID_ARGUMENT, f"num_upper must be negative or less or equal to number of "
                                 f"columns ({cols}) got: {k}; Keras builds `tril`, but it fails as soon as data "
                                 "flows (TensorFlow backend).")
            if self.upper and k <= 0 and is_int(rows) and -k > rows:
                raise ShapeError(INVALID_ARGUMENT, f"num_lower must be negative or less or equal to number of "
                                 f"rows ({rows}) got: {-k}; Keras builds `triu`, but it fails as soon as data "
                                 "flows (TensorFlow backend).")
        return x


@register
class Triu(_Triangle):
    """``keras.ops.triu(x, k=0)``: ``x``'s shape, rank 2 or more; with the TensorFlow backend ``k <= 0``
    must not exceed the rows."""

    names = ("keras.ops.triu",)
    upper = True
    examples = (
        Example({}, (None, 3, 3), (None, 3, 3)),
        Example({"k": -1}, (2, 4), (2, 4)),
        Example({}, (None,), "rank-mismatch"),
        Example({"k": -3}, (2, 3), "invalid-argument"),
    )


@register
class Tril(_Triangle):
    """``keras.ops.tril(x, k=0)``: ``x``'s shape, rank 2 or more; with the TensorFlow backend ``k >= 0``
    must not exceed the columns."""

    names = ("keras.ops.tril",)
    examples = (
        Example({}, (None, 3, 3), (None, 3, 3)),
        Example({"k": 3}, (None, 4), (None, 4)),
        Example({}, (None,), "rank-mismatch"),
        Example({"k": 2}, (None, 1), "invalid-argument"),
    )


@register
class Outer(OpRule):
    """``keras.ops.outer(x1, x2)``: ``(size of x1, size of x2)``, each input flattened (a size is undefined when
    any of its axes is)."""

    names = ("keras.ops.outer",)
    params = ("x1", "x2")
    examples = (
        Example({}, (None, 3), (None, 4), args=((2, 2),)),
        Example({}, (2, 3), (6, 4), args=((4,),)),
    )

    def output(self, call: Call) -> TensorType:
        sizes = []
        dtypes = []
        for name in self.params:
            v = param(call, name)
            if isinstance(v, TensorType):
                if v.shape is None:
                    raise Unknowable()
                sizes.append(None if None in v.shape else dims.product(v.shape))
                dtypes.append(v.dtype)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                sizes.append(1)  # Keras's symbolic build counts a non-tensor as one value
            else:
                raise Unknowable()  # a list: the build counts 1, the data its length
        dtype = dtypes[0] if dtypes and all(d == dtypes[0] for d in dtypes) and len(dtypes) == 2 else None
        return TensorType(tuple(sizes), dtype)


@register
class Roll(OpRule):
    """``keras.ops.roll(x, shift, axis=None)``: ``x``'s shape; each axis must be in range."""

    names = ("keras.ops.roll",)
    params = ("x", "shift", "axis")
    defaults = {"axis": None}
    examples = (
        Example({"shift": 1}, (None, 3), (None, 3)),
        Example({"shift": (1, 2), "axis": (0, -1)}, (None, 3, 4), (None, 3, 4)),
        Example({"shift": 1, "axis": 2}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        assert x.shape is not None
        axis = param(call, "axis")
        if axis is not None:
            axis = known(axis)
            for a in axis if isinstance(axis, (list, tuple)) else (axis,):
                axis_index(a, len(x.shape))  # a repeated axis rolls twice
        return x


class _HVStack(OpRule):
    params: ClassVar[tuple[str, ...]] = ("xs",)
    #: the axis the sizes add up on
    axis: ClassVar[int] = 0

    def output(self, call: Call) -> TensorType:
        xs = tensors(call, "xs")
        if not xs:
            raise ShapeError(INVALID_ARGUMENT, "Need at least one array to stack.")
        first = xs[0].shape
        assert first is not None
        if len(first) <= self.axis:
            if call.traced:  # the backend stacks low-rank arrays as NumPy does
                raise Unknowable()
            raise ShapeError(RANK_MISMATCH, f"`{self.names[0].split('.')[-1]}` needs arrays of rank "
                             f"{self.axis + 1} or more here; received the shape {show_shape(first)}.")
        shape = concat_shape([x.shape for x in xs], self.axis)  # type: ignore[misc]
        dtype = xs[0].dtype if all(x.dtype == xs[0].dtype for x in xs) else None
        return TensorType(shape, dtype)


@register
class Hstack(_HVStack):
    """``keras.ops.hstack(xs)``: shapes agree except on axis 1, whose sizes add up; rank 2 or more."""

    names = ("keras.ops.hstack",)
    axis = 1
    examples = (
        Example({}, [(None, 3), (None, 4)], (None, 7)),
        Example({}, [(None, 3, 2), (None, 4, 5)], "incompatible-shapes"),
        Example({}, [(3,), (4,)], "rank-mismatch"),
    )


@register
class Vstack(_HVStack):
    """``keras.ops.vstack(xs)``: shapes agree except on axis 0, whose sizes add up; rank 1 or more."""

    names = ("keras.ops.vstack",)
    axis = 0
    examples = (
        Example({}, [(2, 3), (4, 3)], (6, 3)),
        Example({}, [(None, 3), (2, 3)], (None, 3)),
        Example({}, [(2, 3), (2, 4)], "incompatible-shapes"),
    )


# -- more keras.ops shape functions: append, splits, dstack, diff, flips, rot90, meshgrid ---------


def _later(what: str) -> str:
    return f"{what}; Keras builds the call, but it fails as soon as data flows."


@register
class Append(OpRule):
    """``keras.ops.append(x1, x2, axis=None)``: both flattened and joined (``axis=None``), or joined on ``axis``
    (the other axes agree, the joined ones are defined)."""

    names = ("keras.ops.append",)
    params = ("x1", "x2", "axis")
    defaults = {"axis": None}
    examples = (
        Example({}, (2, 3), (10,), args=((4,),)),
        Example({}, (None, 3), (None,), args=((4,),)),
        Example({"axis": 1}, (None, 3), (None, 7), args=((None, 4),)),
        Example({"axis": 1}, (None, 3), "incompatible-shapes", args=((2, 5, 4),)),
        Example({"axis": 0}, (None, 3), "invalid-argument", args=((2, 3),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = tensor(call, "x1"), tensor(call, "x2")
        s1, s2 = a.shape, b.shape
        assert s1 is not None and s2 is not None
        dtype = a.dtype if a.dtype == b.dtype else None
        axis = known(param(call, "axis"))
        if axis is None:
            if None in s1 or None in s2:
                return TensorType((None,), dtype)
            return TensorType((dims.add(dims.product(s1), dims.product(s2)),), dtype)
        if not is_int(axis):
            raise Unknowable()
        if len(s1) != len(s2) or not -len(s1) <= axis < len(s1) or not _same_except(s2, s1, axis % len(s1)):
            if len(s1) == len(s2) and not -len(s1) <= axis < len(s1):
                raise ShapeError(INVALID_ARGUMENT, f"list assignment index out of range: axis={axis} for the shape "
                                 f"{show_shape(s1)}")
            raise ShapeError(INCOMPATIBLE_SHAPES, "`append` requires inputs to have the same shape except the "
                             f"`axis={axis}`, but received shape {show_shape(s1)} and {show_shape(s2)}.")
        ax = axis % len(s1)
        if s1[ax] is None or s2[ax] is None:
            raise ShapeError(INVALID_ARGUMENT, "unsupported operand type(s) for +: Keras's symbolic `append` adds the "
                             f"sizes of axis {axis}, and one is undefined: {show_shape(s1)} and {show_shape(s2)}")
        return TensorType(_with(s1, ax, dims.add(s1[ax], s2[ax])), dtype)


@register
class ArraySplit(OpRule):
    """``keras.ops.array_split(x, indices_or_sections, axis=0)``: ``n`` parts as even as can be (the first
    ones one longer)."""

    names = ("keras.ops.array_split",)
    params = ("x", "indices_or_sections", "axis")
    defaults = {"axis": 0}
    examples = (
        Example({"indices_or_sections": 2, "axis": 1}, (None, 5), [(None, 3), (None, 2)]),
        Example({"indices_or_sections": 2}, (None, 5), [(None, 5), (None, 5)]),
        Example({"indices_or_sections": 0, "axis": 1}, (None, 5), "invalid-argument"),
        Example({"indices_or_sections": [1, 2], "axis": 1}, (None, 5), "invalid-argument"),
        Example({"indices_or_sections": 2, "axis": 2}, (None, 5), "invalid-argument"),
    )

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        n, axis = known(param(call, "indices_or_sections")), known(param(call, "axis"))
        if not is_int(n):
            raise ShapeError(INVALID_ARGUMENT, "Argument `indices_or_sections` must be of type `int`. Received: "
                             f"indices_or_sections={n}")
        if n <= 0:
            raise ShapeError(INVALID_ARGUMENT, "Argument `indices_or_sections` must be a positive integer. "
                             f"Received: indices_or_sections={n}")
        if not is_int(axis):
            raise ShapeError(INVALID_ARGUMENT, f"Argument `axis` must be of type `int`. Received: {axis}")
        if not -len(shape) <= axis < len(shape):
            # Keras's symbolic build adds the rank once, then indexes as Python does (axis=-3 of a rank-2
            # tensor is its last axis); the backend rejects it.
            raise ShapeError(INVALID_ARGUMENT, f"axis {axis} is out of bounds for an array of rank {len(shape)} "
                             "(`array_split`)" + ("" if axis >= 0 and axis >= len(shape) else
                                                  "; Keras builds the call, but it fails as soon as data flows."))
        ax = axis % len(shape)
        size = shape[ax]
        if size is None:
            return [x.with_shape(_with(shape, ax, None)) for _ in range(n)]
        if not is_int(size):
            return [x.with_shape(_with(shape, ax, dims.unknown())) for _ in range(n)]
        q, r = divmod(size, n)  # type: ignore[operator]
        return [x.with_shape(_with(shape, ax, q + (1 if i < r else 0))) for i in range(n)]


class _NamedSplit(OpRule):
    """``_compute_split_output_spec`` on a fixed axis."""

    params: ClassVar[tuple[str, ...]] = ("x", "indices_or_sections")
    min_rank: ClassVar[int] = 1

    def split_axis(self, rank: int) -> int:
        raise NotImplementedError

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        what = self.names[0].split(".")[-1]
        if len(shape) < self.min_rank:
            raise ShapeError(RANK_MISMATCH, f"`{what}` only works on arrays of at least {self.min_rank} "
                             f"dimension{'s' if self.min_rank > 1 else ''}. Received array with shape "
                             f"{show_shape(shape)}.")
        axis = self.split_axis(len(shape))
        spec = known(param(call, "indices_or_sections"))
        if isinstance(spec, (list, tuple)):
            return [x.with_shape(s) for s in Split.pieces(self, shape, axis, list(spec))]  # type: ignore[arg-type]
        return [x.with_shape(s) for s in _split_even(shape, axis, spec)]


@register
class Hsplit(_NamedSplit):
    """``keras.ops.hsplit(x, indices_or_sections)``: ``split`` on axis 1 (axis 0 of a vector)."""

    names = ("keras.ops.hsplit",)
    examples = (
        Example({"indices_or_sections": 2}, (None, 6), [(None, 3), (None, 3)]),
        Example({"indices_or_sections": [2]}, (6,), [(2,), (4,)]),
        Example({"indices_or_sections": 4}, (None, 6), "invalid-argument"),
    )

    def split_axis(self, rank: int) -> int:
        return 0 if rank == 1 else 1


@register
class Vsplit(_NamedSplit):
    """``keras.ops.vsplit(x, indices_or_sections)``: ``split`` on axis 0; rank 2 or more."""

    names = ("keras.ops.vsplit",)
    min_rank = 2
    examples = (
        Example({"indices_or_sections": 2}, (4, 6), [(2, 6), (2, 6)]),
        Example({"indices_or_sections": 2}, (6,), "rank-mismatch"),
        Example({"indices_or_sections": 3}, (4, 6), "invalid-argument"),
    )

    def split_axis(self, rank: int) -> int:
        return 0


@register
class Dsplit(_NamedSplit):
    """``keras.ops.dsplit(x, indices_or_sections)``: ``split`` on axis 2; rank 3 or more."""

    names = ("keras.ops.dsplit",)
    min_rank = 3
    examples = (
        Example({"indices_or_sections": 2}, (None, 3, 4), [(None, 3, 2), (None, 3, 2)]),
        Example({"indices_or_sections": 2}, (None, 4), "rank-mismatch"),
    )

    def split_axis(self, rank: int) -> int:
        return 2


@register
class Dstack(OpRule):
    """``keras.ops.dstack(xs)``: each made rank 3 or more (``(N,)`` -> ``(1, N, 1)``, ``(M, N)`` ->
    ``(M, N, 1)``), then joined on axis 2."""

    names = ("keras.ops.dstack",)
    params = ("xs",)
    examples = (
        Example({}, [(None, 3), (None, 3)], (None, 3, 2)),
        Example({}, [(3,), (3,)], (1, 3, 2)),
        Example({}, [(None, 3, 2), (None, 3, 4)], (None, 3, 6)),
        Example({}, [(None, 3), (None, 4)], "incompatible-shapes"),
    )

    def output(self, call: Call) -> TensorType:
        xs = tensors(call, "xs")
        if not xs:
            raise ShapeError(INVALID_ARGUMENT, "list index out of range: `dstack` needs at least one tensor.")
        shapes = []
        for x in xs:
            s = x.shape
            assert s is not None
            shapes.append((1, 1, 1) if not s else (1, s[0], 1) if len(s) == 1 else s + (1,) if len(s) == 2 else s)
        first = shapes[0]
        total: Dim = 0
        for s in shapes:
            if not _same_except(s, first, 2):
                raise ShapeError(INCOMPATIBLE_SHAPES, "Every value in `xs` must have the same shape except on the "
                                 f"`axis` dim. But found element of shape {show_shape(s)}, which is different from "
                                 f"the first element's shape {show_shape(first)}.")
            total = dims.add(total, s[2])
        conflict = _first_conflict(shapes, 2)
        if conflict is not None:
            raise ShapeError(INCOMPATIBLE_SHAPES, _later(f"`dstack` of elements of shapes "
                                                         f"{show_shape(conflict[0])} and {show_shape(conflict[1])}"))
        dtype = xs[0].dtype if all(x.dtype == xs[0].dtype for x in xs) else None
        return TensorType(_with(first, 2, total), dtype)


@register
class Diff(OpRule):
    """``keras.ops.diff(a, n=1, axis=-1)``: ``axis`` shortened by ``n`` (not below 0); ``n`` must not be
    negative once data flows."""

    names = ("keras.ops.diff",)
    params = ("a", "n", "axis")
    defaults = {"n": 1, "axis": -1}
    examples = (
        Example({}, (None, 5), (None, 4)),
        Example({"n": 2, "axis": 0}, (3, 5), (1, 5)),
        Example({"n": 7}, (None, 5), (None, 0)),
        Example({"axis": 2}, (None, 5), "invalid-argument"),
        Example({"n": -1}, (None, 5), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "a")
        shape = x.shape
        assert shape is not None
        axis = axis_index(param(call, "axis"), len(shape))
        n = known(param(call, "n"))
        if not is_int(n):
            raise Unknowable()
        if n < 0:
            raise ShapeError(INVALID_ARGUMENT, _later(f"Order `n` must be non-negative. Received n={n}"))
        size = shape[axis]
        if size is None:
            return x
        out = max(size - n, 0) if is_int(size) else (size if n == 0 else dims.unknown())  # type: ignore[operator]
        return x.with_shape(_with(shape, axis, out))


@register
class Fliplr(OpRule):
    """``keras.ops.fliplr(x)``: ``x``'s shape; rank 2 or more."""

    names = ("keras.ops.fliplr",)
    params = ("x",)
    min_rank: ClassVar[int] = 2
    examples = (Example({}, (None, 3), (None, 3)), Example({}, (3,), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        assert x.shape is not None
        if len(x.shape) < self.min_rank:
            raise ShapeError(RANK_MISMATCH, f"`{self.names[0].split('.')[-1]}` requires input with "
                             f"{self.min_rank} or more dimensions. Received: x.shape={show_shape(x.shape)}")
        return x


@register
class Flipud(Fliplr):
    """``keras.ops.flipud(x)``: ``x``'s shape; rank 1 or more."""

    names = ("keras.ops.flipud",)
    min_rank = 1
    examples = (Example({}, (None, 3), (None, 3)), Example({}, (), "rank-mismatch"))


@register
class Rot90(OpRule):
    """``keras.ops.rot90(array, k=1, axes=(0, 1))``: the two axes swapped, as Keras's symbolic build says for
    any ``k``; the axes must be two distinct axes of the array."""

    names = ("keras.ops.rot90",)
    params = ("array", "k", "axes")
    defaults = {"k": 1, "axes": (0, 1)}
    examples = (
        Example({}, (None, 3), (3, None)),
        Example({"axes": (1, 2)}, (None, 3, 4), (None, 4, 3)),
        Example({}, (3,), "rank-mismatch"),
        Example({"axes": (1, 1)}, (None, 3), "invalid-argument"),
        Example({"axes": (0, -2)}, (2, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "array")
        shape = x.shape
        assert shape is not None
        axes = known(param(call, "axes"))
        if len(shape) < 2:
            raise ShapeError(RANK_MISMATCH, "Input array must have at least 2 dimensions. Received: "
                             f"array.shape={list(shape)}")
        if not isinstance(axes, (list, tuple)) or not all(is_int(a) for a in axes):
            raise Unknowable()
        if len(axes) != 2 or axes[0] == axes[1]:
            raise ShapeError(INVALID_ARGUMENT, f"Invalid axes: {axes}. Axes must be a tuple of two different "
                             "dimensions.")
        a, b = axes
        if not (-len(shape) <= a < len(shape) and -len(shape) <= b < len(shape)):
            raise ShapeError(INVALID_ARGUMENT, f"list index out of range: axes={axes} for the shape "
                             f"{show_shape(shape)}")
        if a % len(shape) == b % len(shape):
            k = known(param(call, "k"))
            if not is_int(k):
                raise Unknowable()
            if k % 4 == 0:  # the backend returns the array untouched
                out = list(shape)
                out[a], out[b] = out[b], out[a]
                return x.with_shape(tuple(out))
            raise ShapeError(INVALID_ARGUMENT, _later(f"`rot90` axes {axes} name one axis of {show_shape(shape)} "
                                                      "twice"))
        out = list(shape)
        out[a], out[b] = out[b], out[a]
        return x.with_shape(tuple(out))


@register
class Meshgrid(OpRule):
    """``keras.ops.meshgrid(*x, indexing="xy")``: one tensor per input, each of the inputs' sizes (the first
    two swapped with ``xy``, which needs two inputs or more)."""

    names = ("keras.ops.meshgrid",)
    params = ("x",)
    examples = (
        Example({}, (3,), [(4, 3), (4, 3)], args=((4,),)),
        Example({"indexing": "ij"}, (3,), [(3, 4, 5)] * 3, args=((4,), (5,))),
        Example({"indexing": "ij"}, (None,), [(None, 4), (None, 4)], args=((2, 2),)),
        Example({}, (3,), "invalid-argument"),
        Example({"indexing": "yx"}, (3,), "invalid-argument", args=((4,),)),
    )

    def output(self, call: Call) -> list[TensorType]:
        indexing = call.kwargs.get("indexing", call.config.get("indexing", "xy"))
        if indexing is UNKNOWN:
            raise Unknowable()
        if indexing not in ("xy", "ij"):
            raise ShapeError(INVALID_ARGUMENT, f"Valid values for `indexing` are 'xy' and 'ij', but received "
                             f"{indexing}.")
        sizes: list[Dim] = []
        xs = []
        for v in call.args:
            if isinstance(v, TensorType):
                if v.shape is None:
                    raise Unknowable()
                s = v.shape
                xs.append(v)
            else:
                s = shape_of(v)
                xs.append(TensorType(s, "float32"))
            sizes.append(1 if not s else None if None in s else dims.product(s))
        if indexing == "xy":
            if len(sizes) < 2:
                raise ShapeError(INVALID_ARGUMENT, "list index out of range: `meshgrid` with indexing='xy' "
                                 f"swaps the first two sizes, and received {len(sizes)} input(s).")
            sizes[0], sizes[1] = sizes[1], sizes[0]
        return [TensorType(tuple(sizes), x.dtype) for x in xs]


# -- select, vander, argpartition, nonzero, unique, view, unravel_index, complex views -----------


@register
class Select(OpRule):
    """``keras.ops.select(condlist, choicelist, default=0)``: the first choice's shape, as Keras's symbolic
    build says; the lists must be non-empty, and once data flows as long as each other, every condition
    and choice broadcasting together."""

    names = ("keras.ops.select",)
    params = ("condlist", "choicelist", "default")
    defaults = {"default": 0}
    examples = (
        Example({}, [T((None, 3), "bool")], (None, 3), args=([(None, 3)],)),
        Example({}, [T((None, 3), "bool")], "incompatible-shapes", args=([(None, 4)],)),
        Example({}, [T((None, 3), "bool"), T((None, 3), "bool")], "invalid-argument", args=([(None, 3)],)),
    )

    def output(self, call: Call) -> TensorType:
        conds, choices = param(call, "condlist"), param(call, "choicelist")
        if not isinstance(conds, (list, tuple)) or not isinstance(choices, (list, tuple)):
            if conds is UNKNOWN or choices is UNKNOWN:
                raise Unknowable()
            raise ShapeError(INVALID_ARGUMENT, "condlist and choicelist must be lists.")
        if not conds or not choices:
            raise ShapeError(INVALID_ARGUMENT, "condlist and choicelist must not be empty.")
        cs, xs = tensors(call, "condlist"), tensors(call, "choicelist")
        first = xs[0]
        if len(cs) != len(xs):
            raise ShapeError(INVALID_ARGUMENT, _later(f"condlist must have length equal to choicelist ({len(cs)} vs "
                                                      f"{len(xs)})"))
        default = param(call, "default")
        extra = [shape_of(default)] if default is not UNKNOWN else []
        broadcast_all([c.shape for c in cs] + [x.shape for x in xs] + extra)  # type: ignore[misc]
        return first


@register
class Vander(OpRule):
    """``keras.ops.vander(x, N=None, increasing=False)``: a vector ``(M,)`` gives ``(M, N or M)``."""

    names = ("keras.ops.vander",)
    params = ("x", "N", "increasing")
    defaults = {"N": None, "increasing": False}
    examples = (
        Example({}, (4,), (4, 4)),
        Example({"N": 2}, (None,), (None, 2)),
        Example({}, (None, 3), "rank-mismatch"),
        Example({"N": -1}, (4,), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if len(shape) != 1:
            raise ShapeError(RANK_MISMATCH, f"Input tensor must be 1-dimensional. Received: input.shape="
                             f"{show_shape(shape)}")
        n = known(param(call, "N"))
        if n is not None and (not is_int(n) or n < 0):
            raise ShapeError(INVALID_ARGUMENT, f"Argument `N` must be a nonnegative `int`. Received: N={n}")
        if not isinstance(known(param(call, "increasing")), bool):
            raise ShapeError(INVALID_ARGUMENT, "Argument `increasing` must be of type `bool`.")
        return x.with_shape(shape + (shape[0] if n is None else n,))


@register
class Argpartition(OpRule):
    """``keras.ops.argpartition(x, kth, axis=-1)``: ``x``'s shape (flattened for ``axis=None``), int32.  The
    TensorFlow backend scatters the ``kth + 1`` smallest positions of every row into ``x`` through a mask
    summed over the first axis: once data flows, with ``axis`` moved last, each axis but the last may not be
    longer than the one before, and the second last must hold ``kth + 1``."""

    names = ("keras.ops.argpartition",)
    params = ("x", "kth", "axis")
    defaults = {"axis": -1}
    examples = (
        Example({"kth": 1}, (5,), (5,)),
        Example({"kth": 1, "axis": None}, (None, 5), (None,)),
        Example({"kth": 1}, (3, 5), (3, 5)),
        Example({"kth": 3}, (2, 5), "invalid-argument"),
        Example({"kth": 1, "axis": 2}, (2, 5), "invalid-argument"),
        Example({"kth": 1.5}, (5,), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        kth, axis = known(param(call, "kth")), known(param(call, "axis"))
        if not is_int(kth):
            raise ShapeError(INVALID_ARGUMENT, f"kth must be an integer. Received:kth = {kth}")
        if axis is None:
            return TensorType((None if None in shape else dims.product(shape),), "int32")
        ax = axis_index(axis, len(shape)) if shape else None
        if ax is None:
            raise ShapeError(INVALID_ARGUMENT, _later(f"axis {axis} is out of bounds for an array with dimension 0"))
        moved = list(shape)
        moved[ax], moved[-1] = moved[-1], moved[ax]
        if len(moved) >= 2:
            n = moved[-1]
            # The least `kth` can become once clipped to the axis (0 while the axis is undefined).
            k = min(max(kth, 0), n - 1) if is_int(n) else 0  # type: ignore[operator]
            lead = [d if is_int(d) else None for d in moved[:-1]]
            # The leading axes must not grow, down to one of kth + 1 at least: an undefined one in between
            # cannot mend a known pair that grows.
            bad = any(d is not None and d < k + 1 for d in lead)  # type: ignore[operator]
            bad = bad or any(a is not None and b is not None and b > a
                             for i, a in enumerate(lead) for b in lead[i + 1:])
            if bad:
                raise ShapeError(INVALID_ARGUMENT, _later(f"`argpartition` of {show_shape(shape)} with kth={kth} "
                                                          f"on axis {axis}: the TensorFlow backend's mask indexes "
                                                          "outside `x`"))
        return TensorType(shape, "int32")


@register
class Nonzero(OpRule):
    """``keras.ops.nonzero(x)``: one vector of indices per axis, of a length only the data tells; a scalar
    fails once data flows."""

    names = ("keras.ops.nonzero",)
    params = ("x",)
    examples = (Example({}, (None, 3), [(None,), (None,)]), Example({}, (), "rank-mismatch"))

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "x")
        assert x.shape is not None
        if not x.shape:
            raise ShapeError(RANK_MISMATCH, _later("WhereOp : Unhandled input dimensions: 0 (`nonzero` of a scalar)"))
        return [TensorType((None,), "int32") for _ in x.shape]


@register
class Unique(OpRule):
    """``keras.ops.unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
    axis=None, size=None, fill_value=None)``: the unique values, of a length only the data tells (``size``
    when given); with ``axis`` that axis's length is unknown; index, inverse and counts vectors as asked."""

    names = ("keras.ops.unique",)
    params = ("x", "sorted", "return_index", "return_inverse", "return_counts", "axis", "size", "fill_value")
    defaults = {"sorted": True, "return_index": False, "return_inverse": False, "return_counts": False,
                "axis": None, "size": None, "fill_value": None}
    examples = (
        Example({}, (None, 3), (None,)),
        Example({"size": 4, "return_counts": True}, (None, 3), [(4,), (4,)]),
        Example({"axis": 1, "return_inverse": True}, (2, 3), [(2, None), (3,)]),
        Example({"axis": 2}, (2, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> Any:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        size, axis = known(param(call, "size")), known(param(call, "axis"))
        u: Dim = size if is_int(size) else None
        if axis is None:
            values: Shape = (u,)
            inverse = shape
        else:
            ax = axis_index(axis, len(shape))
            values = _with(shape, ax, u)
            inverse = (shape[ax],)
        outs = [x.with_shape(values)]
        if known(param(call, "return_index")):
            outs.append(TensorType((u,), "int32"))
        if known(param(call, "return_inverse")):
            outs.append(TensorType(inverse, "int32"))
        if known(param(call, "return_counts")):
            outs.append(TensorType((u,), "int32"))
        return outs[0] if len(outs) == 1 else outs


_ITEMSIZE = {"bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "float16": 2, "bfloat16": 2,
             "int32": 4, "uint32": 4, "float32": 4, "int64": 8, "uint64": 8, "float64": 8, "complex64": 8,
             "complex128": 16}


@register
class View(OpRule):
    """``keras.ops.view(x, dtype=None)``: the same bytes as another dtype: the last axis scaled by the ratio
    of the item sizes (its bytes must divide into the new items)."""

    names = ("keras.ops.view",)
    params = ("x", "dtype")
    defaults = {"dtype": None}
    examples = (
        Example({"dtype": "int8"}, (None, 4), (None, 16)),
        Example({"dtype": "float64"}, (None, 4), (None, 2)),
        Example({"dtype": "int32"}, (None, 3), (None, 3)),
        Example({"dtype": "float64"}, (None, 3), "invalid-argument"),
        Example({"dtype": "int8"}, (), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        dtype = known(param(call, "dtype"))
        new = x.dtype if dtype is None else str(getattr(dtype, "name", dtype))
        old_size, new_size = _ITEMSIZE.get(str(x.dtype)), _ITEMSIZE.get(str(new))
        if old_size is None or new_size is None:
            raise Unknowable()
        if old_size == new_size:
            return TensorType(shape, new)
        if not shape:
            raise ShapeError(INVALID_ARGUMENT, "Cannot view a scalar as a different dtype if item sizes are "
                             "different.")
        last = shape[-1]
        if last is None:
            return TensorType(shape, new)
        if is_int(last) and (last * old_size) % new_size:  # type: ignore[operator]
            raise ShapeError(INVALID_ARGUMENT, f"Cannot view array of shape {show_shape(shape)} and dtype {x.dtype} "
                             f"as dtype {new} because the total number of bytes is not divisible by the new "
                             "itemsize.")
        scaled = dims.floordiv(dims.mul(last, old_size), new_size)
        return TensorType(shape[:-1] + (scaled,), new)


@register
class UnravelIndex(OpRule):
    """``keras.ops.unravel_index(indices, shape)``: one tensor of ``indices``'s shape per axis of ``shape``
    (``(None,)`` each when ``shape`` holds None, which the backend rejects once data flows)."""

    names = ("keras.ops.unravel_index",)
    params = ("indices", "shape")
    examples = (
        Example({"shape": (3, 4)}, T((None,), "int32"), [(None,), (None,)]),
        Example({"shape": (3, 4, 5)}, T((2,), "int32"), [(2,), (2,), (2,)]),
    )

    def output(self, call: Call) -> list[TensorType]:
        idx = tensor(call, "indices")
        target = known(param(call, "shape"))
        if not isinstance(target, (list, tuple)):
            raise Unknowable()
        if None in target:
            raise ShapeError(INVALID_ARGUMENT, _later(f"`shape` argument cannot contain `None`. Received: "
                                                      f"shape={target}"))
        return [TensorType(idx.shape, idx.dtype) for _ in target]


@register
class ViewAsComplex(OpRule):
    """``keras.ops.view_as_complex(x)``: ``x``'s shape without its last axis, which must be 2 once data
    flows."""

    names = ("keras.ops.view_as_complex",)
    params = ("x",)
    examples = (Example({}, (None, 3, 2), (None, 3)), Example({}, (None, 3), "axis-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if not shape:
            raise ShapeError(RANK_MISMATCH, _later("Last dimension of input must be size 2 (real and imaginary). "
                                                   "Received shape: ()"))
        if dims.differs(shape[-1], 2):
            raise ShapeError(AXIS_MISMATCH, _later("Last dimension of input must be size 2 (real and imaginary). "
                                                   f"Received shape: {show_shape(shape)}"))
        return TensorType(shape[:-1], "complex64")


@register
class ViewAsReal(OpRule):
    """``keras.ops.view_as_real(x)``: ``x``'s shape and a last axis of 2."""

    names = ("keras.ops.view_as_real",)
    params = ("x",)
    examples = (Example({}, (None, 3), (None, 3, 2)),)

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        assert x.shape is not None
        return TensorType(x.shape + (2,), "float32")


# -- unstack, slice, slice_update, scatter, scatter_update ---------------------------------------


@register
class Unstack(OpRule):
    """``keras.ops.unstack(x, num=None, axis=0)``: ``num`` (or the axis's size, which must then be defined)
    tensors without ``axis``; once data flows the axis must be ``num`` long."""

    names = ("keras.ops.unstack",)
    params = ("x", "num", "axis")
    defaults = {"num": None, "axis": 0}
    examples = (
        Example({"axis": 1}, (None, 2, 3), [(None, 3), (None, 3)]),
        Example({"num": 2}, (None, 3), [(3,), (3,)]),
        Example({}, (None, 3), "invalid-argument"),
        Example({"num": 2, "axis": 1}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        axis = axis_index(param(call, "axis"), len(shape))
        num = known(param(call, "num"))
        size = shape[axis]
        if num is None:
            if size is None:
                raise ShapeError(INVALID_ARGUMENT, f"Cannot infer argument `num` from shape {show_shape(shape)}. "
                                 "Either provide a tensor with a concrete shape in the `axis` dimension or "
                                 "explicitly pass the `num` argument.")
            num = size
        if not is_int(num):
            raise Unknowable()
        if dims.differs(size, num):
            raise ShapeError(INVALID_ARGUMENT, _later(f"Input shape axis {axis} must equal {num}, got shape "
                                                      f"{show_shape(shape)}"))
        rest = shape[:axis] + shape[axis + 1:]
        return [x.with_shape(rest) for _ in range(num)]


def _int_list(v: Any) -> Optional[list]:
    """A literal list of ints (``None`` for a tensor or anything else)."""
    if isinstance(v, (list, tuple)) and all(is_int(i) for i in v):
        return list(v)
    return None


@register
class Slice(OpRule):
    """``keras.ops.slice(inputs, start_indices, shape)``: ``shape``, ``-1`` taking the rest of the axis; once
    data flows each slice must lie inside ``inputs``."""

    names = ("keras.ops.slice",)
    params = ("inputs", "start_indices", "shape")
    examples = (
        Example({"start_indices": [0, 1], "shape": [2, -1]}, (4, 5), (2, 4)),
        Example({"start_indices": [0, 1], "shape": [-1, 2]}, (None, 5), (None, 2)),
        Example({"start_indices": [0, 1], "shape": [2]}, (4, 5), "rank-mismatch"),
        Example({"start_indices": [3, 1], "shape": [2, 2]}, (4, 5), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "inputs")
        shape = x.shape
        assert shape is not None
        size = known(param(call, "shape"))
        start = param(call, "start_indices")
        if not isinstance(size, (list, tuple)):
            raise Unknowable()
        if len(size) != len(shape):
            raise ShapeError(RANK_MISMATCH, "The number of dimensions in `inputs` must match the number of "
                             f"dimensions in `shape`. Received inputs.shape={show_shape(shape)} and shape={size}")
        starts = None if isinstance(start, TensorType) else _int_list(known(start))
        if starts is not None and len(starts) != len(shape):
            raise ShapeError(RANK_MISMATCH, "The number of dimensions in `start_indices` must match the number of "
                             f"dimensions in `inputs`. Received start_indices={starts} and inputs.shape="
                             f"{show_shape(shape)}")
        if isinstance(start, TensorType) and start.shape is not None and len(start.shape) == 1 and \
                dims.differs(start.shape[0], len(shape)):
            raise ShapeError(RANK_MISMATCH, "The number of dimensions in `start_indices` must match the number of "
                             f"dimensions in `inputs`. Received start_indices of shape {show_shape(start.shape)} and "
                             f"inputs.shape={show_shape(shape)}")
        if any(is_int(s) and s < -1 for s in size):
            raise ShapeError(INVALID_ARGUMENT, f"Cannot convert '{list(size)}' to a shape. Negative dimensions are "
                             "not allowed.")
        out: list[Dim] = []
        for i, (d, s) in enumerate(zip(shape, size)):
            b = starts[i] if starts is not None else None
            if b is not None and is_int(d) and (b < 0 or b > d or (s != -1 and is_int(s) and b + s > d)):
                raise ShapeError(INVALID_ARGUMENT, _later(f"Expected begin[{i}] and size[{i}] inside the axis: "
                                                          f"start {b} and size {s} for an axis of {d}"))
            if b is not None and b < 0:
                raise ShapeError(INVALID_ARGUMENT, _later(f"Expected begin[{i}] >= 0, but got {b}"))
            if s != -1:
                out.append(s if is_int(s) else dims.unknown())
            elif b is None or d is None:
                out.append(None)
            else:
                out.append(dims.sub(d, b))
        return x.with_shape(tuple(out))


@register
class SliceUpdate(OpRule):
    """``keras.ops.slice_update(inputs, start_indices, updates)``: ``inputs``'s shape; once data flows
    ``updates`` has ``inputs``'s rank and no longer axes."""

    names = ("keras.ops.slice_update",)
    params = ("inputs", "start_indices", "updates")
    examples = (
        Example({"start_indices": [0, 1]}, (4, 5), (4, 5), args=(), call_kwargs={"updates": T((2, 2))}),
        Example({"start_indices": [0, 1]}, (4, 5), "rank-mismatch", call_kwargs={"updates": T((2,))}),
        Example({"start_indices": [0, 1]}, (4, 5), "incompatible-shapes", call_kwargs={"updates": T((5, 2))}),
    )

    def output(self, call: Call) -> TensorType:
        x, u = tensor(call, "inputs"), tensor(call, "updates")
        sx, su = x.shape, u.shape
        assert sx is not None and su is not None
        if len(sx) != len(su):
            raise ShapeError(RANK_MISMATCH, _later(f"input and update must have the same rank, input shape is "
                                                   f"{show_shape(sx)}, update shape is {show_shape(su)}"))
        start = param(call, "start_indices")
        starts = None if isinstance(start, TensorType) or start is UNKNOWN else _int_list(start)
        if starts is not None and len(starts) != len(sx):
            raise ShapeError(RANK_MISMATCH, _later(f"index must be a vector with length equal to the number of "
                                                   f"input dimensions: start_indices={starts} for {show_shape(sx)}"))
        for a, b in zip(sx, su):
            if is_int(a) and is_int(b) and b > a:  # type: ignore[operator]
                raise ShapeError(INCOMPATIBLE_SHAPES, _later(f"Update dim size {b} greater than dynamic slice "
                                                             f"dimension {a}: updates {show_shape(su)} for inputs "
                                                             f"{show_shape(sx)}"))
        return x


def _scatter_problem(indices: Shape, updates: Shape, target: Shape) -> Optional[str]:
    """Why ``scatter_nd`` of ``indices`` ``(..., K)`` certainly rejects ``updates``: they must be
    ``indices.shape[:-1] + target[K:]``."""
    if not indices:
        return f"indices of shape {show_shape(indices)} have no index axis"
    depth = indices[-1]
    if not is_int(depth):
        return None
    if depth > len(target):  # type: ignore[operator]
        return f"indices of depth {depth} for a target of rank {len(target)}"
    want = indices[:-1] + tuple(target[depth:])  # type: ignore[misc]
    if len(want) != len(updates) or any(dims.differs(p, q) for p, q in zip(want, updates)):
        return (f"updates must be of shape {show_shape(want)} for indices {show_shape(indices)} into "
                f"{show_shape(target)}, received {show_shape(updates)}")
    return None


@register
class Scatter(OpRule):
    """``keras.ops.scatter(indices, values, shape)``: a tensor of ``shape``; once data flows ``values`` is
    ``indices.shape[:-1] + shape[indices.shape[-1]:]``."""

    names = ("keras.ops.scatter",)
    params = ("indices", "values", "shape")
    examples = (
        Example({"shape": (4, 3)}, T((2, 1), "int32"), (4, 3), args=((2, 3),)),
        Example({"shape": (4, 3)}, T((None, 2), "int32"), (4, 3), args=((None,),)),
        Example({"shape": (4, 3)}, T((2, 1), "int32"), "incompatible-shapes", args=((2, 4),)),
    )

    def output(self, call: Call) -> TensorType:
        idx, values = tensor(call, "indices"), tensor(call, "values")
        target = _target_shape(param(call, "shape"), "shape")
        why = _scatter_problem(idx.shape, values.shape, target)  # type: ignore[arg-type]
        if why:
            raise ShapeError(INCOMPATIBLE_SHAPES, _later(why))
        return TensorType(target, values.dtype)


@register
class ScatterUpdate(OpRule):
    """``keras.ops.scatter_update(inputs, indices, updates, reduction=None)``: ``inputs``'s shape; once data
    flows ``updates`` is ``indices.shape[:-1] + inputs.shape[indices.shape[-1]:]``."""

    names = ("keras.ops.scatter_update",)
    params = ("inputs", "indices", "updates", "reduction")
    defaults = {"reduction": None}
    examples = (
        Example({}, (4, 3), (4, 3), args=(T((2, 1), "int32"), (2, 3))),
        Example({"reduction": "add"}, (4, 3), (4, 3), args=(T((2, 2), "int32"), (2,))),
        Example({}, (4, 3), "incompatible-shapes", args=(T((2, 1), "int32"), (2, 4))),
        Example({"reduction": "sub"}, (4, 3), "invalid-argument", args=(T((2, 1), "int32"), (2, 3))),
    )

    def output(self, call: Call) -> TensorType:
        reduction = known(param(call, "reduction"))
        if reduction is not None and str(reduction).lower() not in ("add", "max", "min", "mul"):
            raise ShapeError(INVALID_ARGUMENT, f"Invalid reduction: {reduction}. Supported values are: None, 'add', "
                             "'max', 'min', 'mul'.")
        x, idx, u = tensor(call, "inputs"), tensor(call, "indices"), tensor(call, "updates")
        if reduction is not None and str(reduction).lower() == "mul":
            return x  # a loop over the updates, each broadcast against its slice
        why = _scatter_problem(idx.shape, u.shape, x.shape)  # type: ignore[arg-type]
        if why:
            raise ShapeError(INCOMPATIBLE_SHAPES, _later(why))
        return x


# -- rearrange (einops patterns) -------------------------------------------------------------------

_GROUP = r"\(([\w\s]+)\)"


def _pattern_groups(axes: list[str]) -> list[list[str]]:
    """``_create_grouped_axes``: ``(h w)`` is a group of two names, anything else one name."""
    import re

    out = []
    for axis in axes:
        m = re.match(_GROUP, axis)
        out.append(m.group(1).split() if m else [axis])
    return out


@register
class Rearrange(OpRule):
    """``keras.ops.rearrange(tensor, pattern, **axes_lengths)``: einops's ``"b (h w) c -> b h w c"``, as Keras
    reads it.  The input names pair with the axes from the front; a group splits its axis (one name may be
    left to infer); every name on the right must be on the left, and an output axis multiplies its names'
    sizes, so Keras's symbolic build rejects any undefined axis the output uses (the batch axis too).  Once data
    flows the split axes must hold their sizes exactly and the output must name every input axis once."""

    names = ("keras.ops.rearrange",)
    params = ("tensor", "pattern")
    examples = (
        Example({"pattern": "b h c -> b c h"}, (2, 6, 4), (2, 4, 6)),
        Example({"pattern": "b (h w) c -> b h w c", "h": 2}, (2, 6, 4), (2, 2, 3, 4)),
        Example({"pattern": "b (h w) c -> (b h) w c", "h": 2, "w": 3}, (2, 6, 4), (4, 3, 4)),
        Example({"pattern": "b h c -> b c h"}, (None, 6, 4), "invalid-argument"),
        Example({"pattern": "b h c -> b x"}, (2, 6, 4), "invalid-argument"),
        Example({"pattern": "b (h w) c -> b h w c", "h": 4}, (2, 6, 4), "invalid-reshape"),
        Example({"pattern": "b h -> h b"}, (2, 6, 4), "invalid-reshape"),
        Example({"pattern": "b h c -> b h"}, (2, 6, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        import re

        x = tensor(call, "tensor")
        shape = x.shape
        assert shape is not None
        pattern = known(param(call, "pattern"))
        if not isinstance(pattern, str):
            raise Unknowable()
        lengths: dict[str, Any] = {k: v for k, v in {**call.config, **call.kwargs}.items()
                                   if k not in ("tensor", "pattern")}
        if any(not is_int(v) for v in lengths.values()):
            raise Unknowable()
        sides = re.split(r"\s*->\s*", pattern)
        if len(sides) != 2:
            raise ShapeError(INVALID_ARGUMENT, f"`rearrange` needs one '->' in its pattern, received {pattern!r}.")
        in_axes = re.findall(r"\w+|\(.*?\)", sides[0])
        out_axes = re.findall(r"\w+|\(.*?\)", sides[1])
        sizes: dict[str, Dim] = {}
        for axis, d in zip(in_axes, shape):
            m = re.match(_GROUP, axis)
            if not m:
                sizes[axis] = d
                continue
            inner = m.group(1).split()
            given = [a for a in inner if a in lengths]
            inferred = [a for a in inner if a not in lengths]
            if inferred:
                if d is None:
                    raise ShapeError(INVALID_ARGUMENT, f"Attempt to convert a value (None) to a Tensor: `rearrange` "
                                     f"splits the undefined axis {axis} of {show_shape(shape)}.")
                part = math.prod(lengths[a] for a in given)
                if part == 0:
                    raise ShapeError(INVALID_ARGUMENT, f"Integer division by zero: `rearrange` splits {axis} with a "
                                     "length of 0.")
                lengths[inferred[0]] = dims.floordiv(d, part)
            for a in inner:
                if a not in lengths:
                    raise ShapeError(INVALID_ARGUMENT, f"`rearrange` cannot infer the size of {a!r} in {axis}: "
                                     "pass it as a keyword argument (one name per group may be left out).")
                sizes[a] = lengths[a]
        out: list[Dim] = []
        for group in _pattern_groups(out_axes):
            size: Dim = 1
            for a in group:
                if a not in sizes:
                    raise ShapeError(INVALID_ARGUMENT, f"`rearrange`: the output names {a!r}, which the input "
                                     f"{sides[0]!r} of {show_shape(shape)} does not give a size.")
                if sizes[a] is None:
                    raise ShapeError(INVALID_ARGUMENT, f"unsupported operand type(s) for *=: 'int' and 'NoneType': "
                                     f"Keras's symbolic `rearrange` multiplies the sizes of the output axis {a!r}, "
                                     f"and it is undefined in {show_shape(shape)}.")
                size = dims.mul(size, sizes[a])
            out.append(size)
        # What the data meets: a reshape to the split sizes, a transpose, a reshape to the output.
        in_groups = _pattern_groups(in_axes)
        split: list[Dim] = []
        for axis, g in zip(in_axes, in_groups):
            for a in g:
                table = lengths if re.match(_GROUP, axis) else sizes
                if a not in table:
                    raise ShapeError(INVALID_ARGUMENT, _later(f"`rearrange` names {a!r} beyond the axes of "
                                                              f"{show_shape(shape)} ({pattern!r})"))
                split.append(table[a])
        if list(split) != list(shape):
            total, want = dims.product(shape), dims.product(split)
            if None not in shape and None not in split and dims.differs(total, want):
                raise ShapeError(INVALID_RESHAPE, _later(f"Input to reshape is a tensor with {dims.show(total)} "
                                                         f"values, but `rearrange` asks for {show_shape(tuple(split))} "
                                                         f"({pattern!r} on {show_shape(shape)})"))
        flat_in = [a for g in in_groups for a in g]
        flat_out = [a for g in _pattern_groups(out_axes) for a in g]
        perm = [flat_in.index(a) for a in flat_out]
        if sorted(perm) != list(range(len(flat_in))):
            raise ShapeError(INVALID_ARGUMENT, _later(f"transpose expects a permutation of {len(flat_in)} axes: "
                                                      f"{pattern!r} must name every input axis once on each side"))
        return x.with_shape(tuple(out))


# -- more TensorFlow spellings (tf.keras 2: TFOpLambda on Keras tensors) ------------------

@register
class TfUnstack(OpRule):
    """``tf.unstack(value, num=None, axis=0)``: ``shape[axis]`` tensors without that axis; ``num`` must
    match the axis, and is needed when the axis is undefined."""

    names = ("tensorflow.unstack",)
    params = ("value", "num", "axis")
    defaults = {"num": None, "axis": 0}
    keras_equivalent = "keras.ops.unstack"
    examples = (
        Example({"axis": 1}, (None, 3, 4), [(None, 4)] * 3),
        Example({"num": 2}, (2, 5), [(5,)] * 2),
        Example({"axis": 2}, (None, 3), "invalid-argument"),
        Example({"num": 3, "axis": 1}, (None, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, "value")
        shape = x.shape
        if not shape:
            raise ShapeError(INVALID_ARGUMENT, "Input shape must have rank at least 1 (tf.unstack of a scalar).")
        a = axis_index(param(call, "axis"), len(shape))
        num = known(param(call, "num"))
        d = shape[a]
        if num is not None:
            if not is_int(num):
                raise Unknowable()
            if dims.differs(d, num):
                raise ShapeError(INVALID_ARGUMENT, f"Dimension must be {dims.show(d)} but is {num}: tf.unstack "
                                 f"num={num} on axis {a} of {show_shape(shape)}")
            d = num
        if not is_int(d):
            raise Unknowable()
        rest = shape[:a] + shape[a + 1:]
        return [TensorType(rest, x.dtype) for _ in range(d)]


def _tf_axes(v: Any, rank: int) -> list[int]:
    """A scalar or list of literal axes, each within the rank (TensorFlow's range check)."""
    v = known(v)
    seq = list(v) if isinstance(v, (list, tuple)) else [v]
    if not all(is_int(a) for a in seq):
        raise Unknowable()
    out = []
    for a in seq:
        if not -rank <= a < rank:
            raise ShapeError(INVALID_ARGUMENT, f"'axis'[{len(out)}] = {a} is out of valid range [{-rank}, {rank})")
        out.append(a % rank)
    return out


@register
class TfReverse(OpRule):
    """``tf.reverse(tensor, axis)``: the same shape; each axis within the rank, none twice."""

    names = ("tensorflow.reverse",)
    params = ("tensor", "axis")
    keras_equivalent = "keras.ops.flip"
    examples = (
        Example({"axis": [1]}, (None, 3), (None, 3)),
        Example({"axis": [2]}, (None, 3), "invalid-argument"),
        Example({"axis": [0, -2]}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "tensor")
        axes = _tf_axes(param(call, "axis"), len(x.shape))
        if len(set(axes)) != len(axes):
            raise ShapeError(INVALID_ARGUMENT, f"tf.reverse: an axis is specified more than once in {axes}")
        return x


@register
class TfRoll(OpRule):
    """``tf.roll(input, shift, axis)``: the same shape; ``shift`` and ``axis`` as long as each other,
    each axis within the rank."""

    names = ("tensorflow.roll",)
    params = ("input", "shift", "axis")
    keras_equivalent = "keras.ops.roll"
    examples = (
        Example({"shift": 1, "axis": 1}, (None, 3), (None, 3)),
        Example({"shift": [1, 2], "axis": [0, 1]}, (None, 3), (None, 3)),
        Example({"shift": 1, "axis": 2}, (None, 3), "invalid-argument"),
        Example({"shift": [1, 2], "axis": [1]}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "input")
        shift, axis = known(param(call, "shift")), known(param(call, "axis"))
        if isinstance(shift, (list, tuple)) != isinstance(axis, (list, tuple)) or (
                isinstance(shift, (list, tuple)) and len(shift) != len(axis)):
            raise ShapeError(INVALID_ARGUMENT, f"shift and axis must have the same size: shift={shift!r}, "
                             f"axis={axis!r}")
        if not x.shape:
            raise ShapeError(INVALID_ARGUMENT, "tf.roll: input must be 1-D or higher")
        _tf_axes(axis, len(x.shape))
        return x


@register
class TfShape(OpRule):
    """``tf.shape(input, out_type=tf.int32)``: a vector as long as the rank."""

    names = ("tensorflow.shape",)
    params = ("input", "out_type", "name")
    defaults = {"out_type": "int32"}
    keras_equivalent = "keras.ops.shape"
    examples = (Example({}, (None, 3, 4), (3,)),)

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "input")
        out = param(call, "out_type")
        return TensorType((len(x.shape),), out if isinstance(out, str) else None)


@register
class TfSize(OpRule):
    """``tf.size(input)`` and ``tf.rank(input)``: an int32 scalar."""

    names = ("tensorflow.size", "tensorflow.rank")
    params = ("input",)
    keras_equivalent = "keras.ops.size"
    examples = (Example({}, (None, 3, 4), ()),)

    def output(self, call: Call) -> TensorType:
        tensor(call, "input")
        return TensorType((), "int32")


class _DepthSpace(OpRule):
    params: ClassVar[tuple[str, ...]] = ("input", "block_size", "data_format")
    defaults: ClassVar[dict[str, Any]] = {"data_format": "NHWC"}

    def block(self, call: Call) -> tuple[Shape, int]:
        x = tensor(call, "input")
        if known(param(call, "data_format")) != "NHWC":
            raise Unknowable()
        b = known(param(call, "block_size"))
        if not is_int(b):
            raise Unknowable()
        if b < 2:
            raise ShapeError(INVALID_ARGUMENT, f"Value for attr 'block_size' of {b} must be at least minimum 2")
        if len(x.shape) != 4:
            raise ShapeError(RANK_MISMATCH, f"Shape must be rank 4 but is rank {len(x.shape)}: "
                             f"{show_shape(x.shape)}")
        return x.shape, b


def _divisible(d: Dim, k: int, what: str) -> Dim:
    if is_int(d) and d % k:  # type: ignore[operator]
        raise ShapeError(INVALID_ARGUMENT, f"Dimension size must be evenly divisible by {k} but is {d} ({what})")
    return dims.floordiv(d, k)


@register
class TfDepthToSpace(_DepthSpace):
    """``tf.nn.depth_to_space(input, block_size, data_format="NHWC")``: rank 4; the channels, a multiple
    of ``block_size**2``, move into height and width."""

    names = ("tensorflow.nn.depth_to_space",)
    examples = (
        Example({"block_size": 2}, (None, 2, 3, 8), (None, 4, 6, 2)),
        Example({"block_size": 2}, (None, 2, 3, 6), "invalid-argument"),
        Example({"block_size": 2}, (None, 2, 8), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        (n, h, w, c), b = self.block(call)
        c2 = _divisible(c, b * b, "depth")
        return TensorType((n, dims.mul(h, b), dims.mul(w, b), c2), tensor(call, "input").dtype)


@register
class TfSpaceToDepth(_DepthSpace):
    """``tf.nn.space_to_depth(input, block_size, data_format="NHWC")``: rank 4; height and width, multiples
    of ``block_size``, move into the channels."""

    names = ("tensorflow.nn.space_to_depth",)
    examples = (
        Example({"block_size": 2}, (None, 4, 6, 3), (None, 2, 3, 12)),
        Example({"block_size": 2}, (None, 3, 6, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        (n, h, w, c), b = self.block(call)
        return TensorType((n, _divisible(h, b, "height"), _divisible(w, b, "width"), dims.mul(c, b * b)),
                          tensor(call, "input").dtype)


@register
class TfSequenceMask(OpRule):
    """``tf.sequence_mask(lengths, maxlen=None, dtype=tf.bool)``: ``lengths``'s shape plus an axis of
    ``maxlen`` (undefined when not given)."""

    names = ("tensorflow.sequence_mask",)
    params = ("lengths", "maxlen", "dtype")
    defaults = {"maxlen": None, "dtype": "bool"}
    examples = (
        Example({"maxlen": 5}, T((None,), "int32"), (None, 5)),
        Example({}, T((None, 3), "int32"), (None, 3, None)),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "lengths")
        maxlen = param(call, "maxlen")
        if isinstance(maxlen, TensorType):
            if maxlen.shape is not None and maxlen.shape != ():
                raise ShapeError(RANK_MISMATCH, f"maxlen must be scalar, got shape {show_shape(maxlen.shape)}")
            d: Dim = None
        elif maxlen is None:
            d = None
        else:
            d = maxlen if is_int(maxlen) else dims.unknown()
        dtype = param(call, "dtype")
        return TensorType(x.shape + (d,), dtype if isinstance(dtype, str) else None)


@register
class TfSlice(OpRule):
    """``tf.slice(input_, begin, size)``: ``size[i]`` (``-1``: to the end) from ``begin[i]``; one entry per
    axis, within the axis."""

    names = ("tensorflow.slice",)
    params = ("input_", "begin", "size")
    keras_equivalent = "keras.ops.slice"
    examples = (
        Example({"begin": [0, 1], "size": [-1, 2]}, (None, 4), (None, 2)),
        Example({"begin": [0, 1], "size": [2]}, (None, 4), "invalid-argument"),
        Example({"begin": [0, 3], "size": [-1, 2]}, (None, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "input_")
        begin, size = known(param(call, "begin")), known(param(call, "size"))
        if not isinstance(begin, (list, tuple)) or not isinstance(size, (list, tuple)):
            raise Unknowable()
        if not all(is_int(v) for v in [*begin, *size]):
            raise Unknowable()
        rank = len(x.shape)
        if len(begin) != rank or len(size) != rank:
            raise ShapeError(INVALID_ARGUMENT, f"Expected begin and size arguments to be 1-D tensors of size "
                             f"{rank}, but got shapes [{len(begin)}] and [{len(size)}] instead.")
        out: list[Dim] = []
        for i, (b, s, d) in enumerate(zip(begin, size, x.shape)):
            if b < 0 or s < -1:
                raise ShapeError(INVALID_ARGUMENT, f"Expected begin[{i}] >= 0 and size[{i}] >= -1: begin={b}, "
                                 f"size={s}")
            end = dims.sub(d, b) if s == -1 else s
            if is_int(d) and (b > d or (s != -1 and b + s > d)):  # type: ignore[operator]
                raise ShapeError(INVALID_ARGUMENT, f"Expected begin[{i}] + size[{i}] <= {d}: begin={b}, size={s}")
            if s == -1 and d is None:
                end = None
            out.append(end)
        return TensorType(tuple(out), x.dtype)


@register
class KRepeat(OpRule):
    """``K.repeat(x, n)``: a rank-2 ``(batch, features)`` becomes ``(batch, n, features)``."""

    names = ("keras.backend.repeat",)
    params = ("x", "n")
    keras_equivalent = "keras.ops.repeat"
    examples = (
        Example({"n": 3}, (None, 4), (None, 3, 4)),
        Example({"n": 3}, (None, 2, 4), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        if len(x.shape) != 2:
            raise ShapeError(RANK_MISMATCH, f"K.repeat expects a rank-2 tensor; received shape {show_shape(x.shape)}")
        n = known(param(call, "n"))
        if not is_int(n):
            raise Unknowable()
        if n < 0:
            raise ShapeError(INVALID_ARGUMENT, f"K.repeat: n={n} must not be negative")
        return TensorType((x.shape[0], n, x.shape[1]), x.dtype)


def _pad_amount(v: Any) -> int:
    v = known(v)
    if not is_int(v):
        raise Unknowable()
    if v < 0:
        raise ShapeError(INVALID_ARGUMENT, f"Paddings must be non-negative: {v}")
    return v


@register
class KTemporalPadding(OpRule):
    """``K.temporal_padding(x, padding=(1, 1))``: pads axis 1 of a rank-3 tensor."""

    names = ("keras.backend.temporal_padding",)
    params = ("x", "padding")
    defaults = {"padding": (1, 1)}
    keras_equivalent = "keras.ops.pad"
    examples = (
        Example({}, (None, 5, 3), (None, 7, 3)),
        Example({"padding": (0, 2)}, (None, None, 3), (None, None, 3)),
        Example({}, (None, 5), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        pad = known(param(call, "padding"))
        if not isinstance(pad, (list, tuple)) or len(pad) != 2:
            raise ShapeError(INVALID_ARGUMENT, f"K.temporal_padding: padding must be a pair; received {pad!r}")
        a, b = _pad_amount(pad[0]), _pad_amount(pad[1])
        if len(x.shape) != 3:
            raise ShapeError(RANK_MISMATCH, f"The first dimension of paddings must be the rank of inputs[3], "
                             f"received shape {show_shape(x.shape)}")
        n, t, c = x.shape
        return TensorType((n, dims.add(t, a + b), c), x.dtype)


@register
class KSpatial2dPadding(OpRule):
    """``K.spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None)``: pads the two spatial axes
    of a rank-4 tensor (``data_format`` defaults to channels_last)."""

    names = ("keras.backend.spatial_2d_padding",)
    params = ("x", "padding", "data_format")
    defaults = {"padding": ((1, 1), (1, 1)), "data_format": None}
    keras_equivalent = "keras.ops.pad"
    examples = (
        Example({}, (None, 5, 6, 3), (None, 7, 8, 3)),
        Example({"data_format": "channels_first"}, (None, 3, 5, 6), (None, 3, 7, 8)),
        Example({}, (None, 5, 3), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        pad = known(param(call, "padding"))
        fmt = known(param(call, "data_format"))
        if not (isinstance(pad, (list, tuple)) and len(pad) == 2
                and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pad)):
            raise ShapeError(INVALID_ARGUMENT, f"K.spatial_2d_padding: padding must be two pairs; received {pad!r}")
        if fmt is None:
            fmt = "channels_last"
        if fmt not in ("channels_first", "channels_last"):
            raise ShapeError(INVALID_ARGUMENT, f"Unknown data_format: {fmt}")
        (a, b), (c, d) = [(_pad_amount(p[0]), _pad_amount(p[1])) for p in pad]
        if len(x.shape) != 4:
            raise ShapeError(RANK_MISMATCH, f"The first dimension of paddings must be the rank of inputs[4], "
                             f"received shape {show_shape(x.shape)}")
        s = list(x.shape)
        rows = 2 if fmt == "channels_first" else 1
        s[rows], s[rows + 1] = dims.add(s[rows], a + b), dims.add(s[rows + 1], c + d)
        return TensorType(tuple(s), x.dtype)


@register
class TfStridedSlice(OpRule):
    """``tf.strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
    new_axis_mask=0, shrink_axis_mask=0)``: the subscript the masks spell (``x[b:e:s, ..., None, i]``),
    with ``x[...]``'s shape; ``begin``, ``end`` and ``strides`` as long as each other."""

    names = ("tensorflow.strided_slice",)
    params = ("input_", "begin", "end", "strides", "begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
              "shrink_axis_mask")
    defaults = {"strides": None, "begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0, "new_axis_mask": 0,
                "shrink_axis_mask": 0}
    keras_equivalent = "keras.ops.slice"
    examples = (
        Example({"begin": [0, 1], "end": [0, 3], "begin_mask": 1, "end_mask": 1}, (None, 4), (None, 2)),
        Example({"begin": [0, 1], "end": [0, 2], "shrink_axis_mask": 2, "begin_mask": 1, "end_mask": 1},
                (None, 4), (None,)),
        Example({"begin": [0, 0], "end": [0, 0], "ellipsis_mask": 1, "new_axis_mask": 2}, (None, 4), (None, 4, 1)),
        Example({"begin": [0, 5], "end": [0, 6], "shrink_axis_mask": 2, "begin_mask": 1, "end_mask": 1},
                (None, 4), "invalid-argument"),
        Example({"begin": [0, 1], "end": [2]}, (None, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "input_")
        begin, end = known(param(call, "begin")), known(param(call, "end"))
        strides = known(param(call, "strides"))
        masks = [known(param(call, m)) for m in self.params[4:]]
        if not isinstance(begin, (list, tuple)) or not isinstance(end, (list, tuple)):
            raise Unknowable()
        if strides is None:
            strides = [1] * len(begin)
        if not isinstance(strides, (list, tuple)) or not all(is_int(v) for v in [*begin, *end, *strides, *masks]):
            raise Unknowable()
        if not len(begin) == len(end) == len(strides):
            raise ShapeError(INVALID_ARGUMENT, f"Expected begin, end, and strides to be 1D equal size tensors, but "
                             f"got shapes [{len(begin)}], [{len(end)}], and [{len(strides)}] instead.")
        if 0 in strides:
            raise ShapeError(INVALID_ARGUMENT, "strides[i] must be non-zero")
        begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask = masks
        if bin(ellipsis_mask & ((1 << len(begin)) - 1)).count("1") > 1:
            raise ShapeError(INVALID_ARGUMENT, "Multiple ellipses in slice spec not allowed")
        key: list[Any] = []
        for i, (b, e, s) in enumerate(zip(begin, end, strides)):
            bit = 1 << i
            if ellipsis_mask & bit:
                key.append(Ellipsis)
            elif new_axis_mask & bit:
                key.append(None)
            elif shrink_mask & bit:
                if s != 1:
                    raise Unknowable()  # "only stride 1 allowed on non-range indexing", though not always
                key.append(b)
            else:
                key.append(slice(None if begin_mask & bit else b, None if end_mask & bit else e, s))
        return TensorType(getitem_shape(x.shape, tuple(key)), x.dtype)
