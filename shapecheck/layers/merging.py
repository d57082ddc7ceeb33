"""Rules for ``keras/src/layers/merging``: elementwise merges, ``Concatenate`` and ``Dot``.

Each takes a list of tensors.  The elementwise merges (``Add``, ``Multiply``, …) follow
Keras's ``Merge`` base: the non-batch shapes broadcast aligned on the right (on data, a
lower-rank input gets axes inserted right after the batch axis: the same alignment),
and a ``None`` axis makes that output axis ``None``.  ``Concatenate`` needs every axis but ``axis`` to agree;
``Dot`` contracts one axis of each of exactly two inputs.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INCOMPATIBLE_SHAPES, INPUT_COUNT, INVALID_ARGUMENT, ShapeError
from ..core.rules import FLOATING, INTEGER, NUMERIC, STRING, Call, Example, LayerRule, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape


def _show_shapes(shapes: list[Shape]) -> str:
    return "[" + ", ".join(show_shape(s) for s in shapes) + "]"


def input_list(call: Call, what: str) -> list[TensorType]:
    """The list of tensors a merge layer is called on; a bare tensor is Keras's error."""
    first = call.args[0] if call.args else call.kwargs.get("inputs")
    if isinstance(first, TensorType):
        raise ShapeError(INPUT_COUNT, f"A {what} should be called on a list of inputs. Received: "
                         f"input_shape={show_shape(first.shape)} (not a list of shapes)")
    if not isinstance(first, (list, tuple, dict)):
        raise Unknowable()
    inputs = call.inputs
    if not inputs:
        raise ShapeError(INPUT_COUNT, f"A {what} should be called on a list of at least 1 input. Received 0 inputs.")
    return inputs


def known_shapes(inputs: list[TensorType]) -> list[Shape]:
    """Every input's shape; unknowable when one has an unknown rank."""
    shapes = [t.shape for t in inputs]
    if any(s is None for s in shapes):
        raise Unknowable()
    return [s for s in shapes if s is not None]


def merged_batch(shapes: list[Shape]) -> Dim:
    """The batch axis of a merge: inputs that define it must agree (Keras checks it)."""
    defined = [s[0] for s in shapes if s]
    defined = [d for d in defined if d is not None]
    for d in defined[1:]:
        if dims.differs(d, defined[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Cannot merge tensors with different batch sizes. Received "
                             f"tensors with shapes {_show_shapes(shapes)}")
    return defined[0] if defined else None


def _elementwise_dim(i: Dim, j: Dim) -> Dim:
    """One axis of ``Merge._compute_elemwise_op_output_shape``; ``ValueError`` when they certainly clash."""
    if i is None or j is None:
        return None
    if i == 1:
        return j
    if j == 1:
        return i
    if dims.differs(i, j):
        raise ValueError
    if dims.equal(i, j):
        return i
    # One may be 1 (the result is the other) or both equal: a known side is the result.
    if dims.is_known(j):
        return j
    if dims.is_known(i):
        return i
    return dims.unknown()


def elementwise_shape(a: Shape, b: Shape) -> Shape:
    """``Merge._compute_elemwise_op_output_shape``: broadcasting aligned on the right, ``None`` wins."""
    if len(a) < len(b):
        return elementwise_shape(b, a)
    if not b:
        return a
    try:
        tail = tuple(_elementwise_dim(i, j) for i, j in zip(a[-len(b):], b))
    except ValueError:
        raise ShapeError(INCOMPATIBLE_SHAPES, f"Inputs have incompatible shapes. Received shapes "
                         f"{show_shape(a)} and {show_shape(b)}") from None
    return a[: len(a) - len(b)] + tail


class _Merge(LayerRule):
    """Keras's ``Merge`` base: elementwise over a list of tensors, broadcasting."""

    weightless = True

    #: exactly this many inputs (``Subtract``), or ``None`` for one or more
    arity: ClassVar[Optional[int]] = None

    def output(self, call: Call) -> TensorType:
        inputs = input_list(call, "merge layer")
        shapes = known_shapes(inputs)
        batch = merged_batch(shapes)
        out: Shape = shapes[0][1:]
        for s in shapes[1:]:
            out = elementwise_shape(out, s[1:])
        if self.arity is not None and len(inputs) != self.arity:
            raise ShapeError(INPUT_COUNT, f"A `{self.names[0]}` layer should be called on exactly {self.arity} "
                             f"inputs. Received: input_shape={_show_shapes(shapes)}")
        return TensorType((batch,) + out, inputs[0].dtype, sparse=all(t.sparse for t in inputs))


def _merge_examples() -> tuple[Example, ...]:
    return (
        Example({}, [(None, 8), (None, 8)], (None, 8)),
        Example({}, [(None, 4, 1), (None, 1, 3), (None, 4, 3)], (None, 4, 3)),
        Example({}, [(None, None), (None, 3)], (None, None)),
        Example({}, [(None, 1), (None, 3, 4)], (None, 3, 4)),
        Example({}, [(None, 8), (None, 4)], "incompatible-shapes"),
        Example({}, [(2, 8), (3, 8)], "incompatible-shapes"),
        Example({}, [(None, 3), (None, 4, 2)], "incompatible-shapes"),
        Example({}, (None, 8), "input-count"),
    )


@register
class Add(_Merge):
    """Elementwise sum of a list of tensors (broadcasting as Keras's ``Merge``)."""

    accepts = FLOATING | INTEGER | STRING
    keeps_sparse = True
    keeps_ragged = True
    passes_dtype = True
    names = ("Add",)
    functions = ("add",)
    examples = _merge_examples()


@register
class Multiply(_Merge):
    """Elementwise product of a list of tensors."""

    accepts = FLOATING | INTEGER
    keeps_sparse = True
    keeps_ragged = True
    passes_dtype = True
    names = ("Multiply",)
    functions = ("multiply",)
    examples = _merge_examples()


@register
class Average(_Merge):
    """Elementwise mean of a list of tensors."""

    accepts = FLOATING | INTEGER
    keeps_sparse = True
    keeps_ragged = True
    names = ("Average",)
    functions = ("average",)
    examples = _merge_examples()


@register
class Maximum(_Merge):
    """Elementwise maximum of a list of tensors."""

    accepts = FLOATING | INTEGER
    keeps_sparse = True
    keeps_ragged = True
    passes_dtype = True
    names = ("Maximum",)
    functions = ("maximum",)
    examples = _merge_examples()


@register
class Minimum(_Merge):
    """Elementwise minimum of a list of tensors."""

    accepts = FLOATING | INTEGER
    keeps_sparse = True
    keeps_ragged = True
    passes_dtype = True
    names = ("Minimum",)
    functions = ("minimum",)
    examples = _merge_examples()


@register
class Subtract(_Merge):
    """``inputs[0] - inputs[1]``: exactly two tensors."""

    accepts = FLOATING | INTEGER
    keeps_sparse = True
    keeps_ragged = True
    passes_dtype = True
    names = ("Subtract",)
    functions = ("subtract",)
    arity = 2
    examples = (
        Example({}, [(None, 8), (None, 8)], (None, 8)),
        Example({}, [(None, 8), (None, 1)], (None, 8)),
        Example({}, [(None, 8), (None, 8), (None, 8)], "input-count"),
        Example({}, [(None, 8)], "input-count"),
        Example({}, [(None, 8), (None, 2)], "incompatible-shapes"),
    )


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


@register
class Concatenate(LayerRule):
    """Joins a list of tensors along ``axis``; every other axis must agree (``None`` agrees with anything)."""

    weightless = True

    keeps_sparse = True
    keeps_ragged = True
    passes_dtype = True
    names = ("Concatenate",)
    params = ("axis",)
    defaults = {"axis": -1}
    functions = ("concatenate",)
    function_params = ("axis",)
    examples = (
        Example({}, [(None, 8), (None, 4)], (None, 12)),
        Example({"axis": 1}, [(None, 2, 5), (None, 3, 5)], (None, 5, 5)),
        Example({}, [(None, 3, None), (None, 3, 4)], (None, 3, None)),
        Example({}, [(None, None, 2), (None, 3, 4)], (None, None, 6)),
        Example({"axis": 0}, [(None, 3), (None, 3)], (None, 3)),
        Example({}, [(None, 3)], (None, 3)),
        Example({"axis": 2}, [(None, 3)], (None, 3)),
        Example({"axis": 1}, [(None, 3, 4), (None, 3, 5)], "incompatible-shapes"),
        Example({}, [(None, 3, 4), (None, 4)], "incompatible-shapes"),
        Example({"axis": 3}, [(None, 3, 4), (None, 3, 4)], "invalid-argument"),
        Example({}, (None, 8), "input-count"),
    )

    def output(self, call: Call) -> TensorType:
        inputs = input_list(call, "`Concatenate` layer")
        shapes = known_shapes(inputs)
        axis = call.get("axis")
        if not _int(axis):
            raise Unknowable()
        for s in shapes:
            # Keras deletes the axis from each shape (an IndexError below the first axis); one
            # input is returned as it is, so a positive axis past the end only fails with two or more.
            if axis < -len(s) or (axis >= len(s) and len(shapes) > 1):
                raise ShapeError(INVALID_ARGUMENT, f"Concatenation axis {axis} is out of range for input shape "
                                 f"{show_shape(s)}. Received: input_shape={_show_shapes(shapes)}")
        mismatch = ShapeError(INCOMPATIBLE_SHAPES, "A `Concatenate` layer requires inputs with matching shapes "
                              f"except for the concatenation axis. Received: input_shape={_show_shapes(shapes)}")
        if len({len(s) for s in shapes}) > 1:
            raise mismatch
        if len(shapes) == 1:
            return inputs[0]
        rank = len(shapes[0])
        pos = axis % rank
        for i in range(rank):
            defined = [s[i] for s in shapes if s[i] is not None]
            if i != pos and any(dims.differs(d, defined[0]) for d in defined[1:]):
                raise mismatch
        size: Dim = 0
        for s in shapes:
            size = dims.add(size, s[pos])
        out = list(shapes[0])
        out[pos] = size
        return inputs[0].with_shape(tuple(out))


def _dot_axes(call: Call, a: Shape, b: Shape) -> tuple[int, int]:
    """``Dot``'s axes for these inputs, as Python indices (negative ones counted from the end)."""
    axes = call.get("axes")
    if _int(axes):
        return (axes % len(a), axes % len(b)) if axes < 0 else (axes, axes)
    if isinstance(axes, (list, tuple)) and len(axes) == 2 and all(_int(x) for x in axes):
        return axes[0], axes[1]
    raise Unknowable()


@register
class Dot(LayerRule):
    """Batchwise dot product of two tensors along ``axes`` (one per input); the batch axis cannot be one."""

    weightless = True

    accepts = NUMERIC
    keeps_sparse = True
    names = ("Dot",)
    params = ("axes", "normalize")
    defaults = {"axes": -1, "normalize": False}
    functions = ("dot",)
    function_params = ("axes",)
    examples = (
        Example({"axes": 1}, [(None, 8), (None, 8)], (None, 1)),
        Example({"axes": -1}, [(None, 3, 5), (None, 4, 5)], (None, 3, 4)),
        Example({"axes": (1, 2)}, [(None, 3), (None, 4, 3)], (None, 4)),
        Example({"axes": (2, 1), "normalize": True}, [(None, 3, 5), (None, 5, 2)], (None, 3, 2)),
        Example({"axes": 1}, [(None, 8), (None, 4)], "incompatible-shapes"),
        Example({"axes": 1}, [(None, 8), (None, None)], "incompatible-shapes"),
        Example({"axes": 1}, [(None, 8)] * 3, "input-count"),
        Example({"axes": 0}, [(None, 8), (None, 8)], "invalid-argument"),
        Example({"axes": (1, 2, 3)}, [(None, 8), (None, 8)], "invalid-argument"),
        Example({"axes": 2}, [(None, 8), (None, 8)], "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        axes = call.get("axes")
        if _int(axes) or not isinstance(axes, (list, tuple, str, float, bool)):
            return
        if not isinstance(axes, (list, tuple)):
            raise ShapeError(INVALID_ARGUMENT, "Invalid type for argument `axes`: it should be a list or an int. "
                             f"Received: axes={axes}")
        if len(axes) != 2:
            raise ShapeError(INVALID_ARGUMENT, "Invalid format for argument `axes`: it should contain two "
                             f"elements. Received: axes={axes}")
        if any(isinstance(x, (bool, float, str, list, tuple)) or x is None for x in axes):
            raise ShapeError(INVALID_ARGUMENT, "Invalid format for argument `axes`: list elements should be "
                             f"integers. Received: axes={axes}")

    def output(self, call: Call) -> TensorType:
        inputs = input_list(call, "`Dot` layer")
        if len(inputs) != 2:
            raise ShapeError(INPUT_COUNT, "A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"{len(inputs)} inputs")
        a, b = known_shapes(inputs)
        ax, bx = _dot_axes(call, a, b)
        if not (-len(a) <= ax < len(a) and -len(b) <= bx < len(b)):
            raise ShapeError(INVALID_ARGUMENT, f"`Dot` axes {call.get('axes')} are out of range for input shapes "
                             f"{show_shape(a)} and {show_shape(b)}")
        d1, d2 = a[ax], b[bx]
        if (d1 is None) != (d2 is None) or dims.differs(d1, d2):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Incompatible input shapes: axis values {dims.show(d1)} (at axis "
                             f"{ax}) != {dims.show(d2)} (at axis {bx}). Full input shapes: {show_shape(a)}, "
                             f"{show_shape(b)}")
        if len(a) < 2 or len(b) < 2:
            raise ShapeError(INVALID_ARGUMENT, f"Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                             f"shapes {show_shape(a)} and {show_shape(b)}.")
        if ax % len(a) == 0 or bx % len(b) == 0:
            raise ShapeError(INVALID_ARGUMENT, "Cannot perform batch_dot over axis 0. If your inputs are not "
                             "batched, add a dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0)")
        if a[0] is not None and b[0] is not None and dims.differs(a[0], b[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Cannot do batch_dot on inputs with different batch sizes. "
                             f"Received inputs with shapes {show_shape(a)} and {show_shape(b)}.")
        left = [d for i, d in enumerate(a) if i != ax % len(a)]
        right = [d for i, d in enumerate(b) if i != bx % len(b)][1:]
        out = tuple(left + right)
        return inputs[0].with_shape(out + (1,) if len(out) == 1 else out)
