"""Helpers the op rules share: reading arguments, shapes of values, axes, broadcasting."""

from __future__ import annotations

from typing import Any, Optional

from ..core import dims
from ..core.findings import INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import Call, Unknowable
from ..core.shapes import Shape, TensorType, broadcast, normalize_axis


def param(call: Call, name: str) -> Any:
    """A parameter by keyword, by position (``params`` order), or from the rule's config and defaults."""
    if name in call.kwargs:
        return call.kwargs[name]
    params = call.rule.params
    if name in params and params.index(name) < len(call.args):
        return call.args[params.index(name)]
    return call.config.get(name, UNKNOWN)


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def known(v: Any) -> Any:
    """The value, or :class:`Unknowable` when the front end could not follow it."""
    if v is UNKNOWN or _contains_unknown(v):
        raise Unknowable()
    return v


def _contains_unknown(v: Any) -> bool:
    if v is UNKNOWN or isinstance(v, dims.Sym):
        return True
    if isinstance(v, (list, tuple)):
        return any(_contains_unknown(x) for x in v)
    return False


def literal_shape(v: Any) -> Optional[Shape]:
    """The shape of a Python number or nested list of numbers; ``None`` if it is not one."""
    if isinstance(v, (bool, int, float, complex)):
        return ()
    if isinstance(v, (list, tuple)):
        if not v:
            return (0,)
        inner = [literal_shape(x) for x in v]
        if any(s is None for s in inner) or len(set(inner)) != 1:
            return None
        return (len(v),) + inner[0]  # type: ignore[operator]
    return None


def shape_of(v: Any) -> Shape:
    """The shape of a tensor argument, a number or a literal array; unknowable otherwise."""
    if isinstance(v, TensorType):
        if v.shape is None:
            raise Unknowable()
        return v.shape
    shape = literal_shape(v)
    if shape is None:
        raise Unknowable()
    return shape


def tensor(call: Call, name: str) -> TensorType:
    """A tensor argument (a number or literal array becomes a float tensor of its shape)."""
    v = param(call, name)
    if isinstance(v, TensorType):
        if v.shape is None:
            raise Unknowable()
        return v
    return TensorType(shape_of(v), "float32")


def tensors(call: Call, name: str) -> list[TensorType]:
    """A list-of-tensors argument (``concatenate(xs)``)."""
    v = param(call, name)
    if not isinstance(v, (list, tuple)):
        raise Unknowable()
    out = []
    for x in v:
        if isinstance(x, TensorType):
            if x.shape is None:
                raise Unknowable()
            out.append(x)
        else:
            out.append(TensorType(shape_of(x), "float32"))
    return out


def axis_index(axis: Any, rank: int) -> int:
    """``canonicalize_axis``: a non-negative axis, or Keras's out-of-bounds error."""
    axis = known(axis)
    if not is_int(axis):
        raise Unknowable()
    a = normalize_axis(axis, rank)
    if a is None:
        raise ShapeError(INVALID_ARGUMENT, f"axis {axis} is out of bounds for an array with dimension {rank}.")
    return a


def axes_indices(axis: Any, rank: int, *, repeats_fail: bool = True) -> tuple[int, ...]:
    """An int or a sequence of ints, each canonicalized; a repeated axis is an error (reductions) or
    left to Keras (``repeats_fail=False``)."""
    axis = known(axis)
    seq = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    out = tuple(axis_index(a, rank) for a in seq)
    if len(set(out)) != len(out):
        if not repeats_fail:
            raise Unknowable()
        raise ShapeError(INVALID_ARGUMENT, f"repeated axis in axis={axis!r} for an array of rank {rank}.")
    return out


def _keras_list(shape: Shape) -> str:
    return "[" + ", ".join(dims.show(d) for d in shape) + "]"


def broadcast_or_fail(a: Shape, b: Shape) -> Shape:
    """NumPy broadcasting, or Keras's ``broadcast_shapes`` error."""
    out = broadcast(a, b)
    if out is not None:
        return out
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != 1 and y != 1 and dims.differs(x, y):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Cannot broadcast shape, the failure dim has value "
                             f"{dims.show(x)}, which cannot be broadcasted to {dims.show(y)}. Input shapes are: "
                             f"{_keras_list(a)} and {_keras_list(b)}.")
    raise AssertionError("broadcast failed without a certain mismatch")  # pragma: no cover


def broadcast_all(shapes: list[Shape]) -> Shape:
    out: Shape = ()
    for s in shapes:
        out = broadcast_or_fail(out, s)
    return out


def never_holds(shape: Shape, total: object) -> bool:
    """True when ``shape`` certainly cannot hold ``total`` elements, whatever its ``None`` axes are:
    its element count is a multiple of the product of its known axes."""
    if not is_int(total) or any(isinstance(d, dims.Sym) for d in shape):
        return False
    known_part = 1
    for d in shape:
        if d is not None:
            known_part *= d  # type: ignore[operator]
    if None not in shape:
        return known_part != total
    return total % known_part != 0 if known_part else total != 0  # type: ignore[operator]


def broadcast_to_problem(shape: Shape, target: Shape) -> Optional[str]:
    """Why ``tf.broadcast_to`` certainly rejects ``shape`` -> ``target`` (in its words); ``None`` when some
    sizes of the undefined axes let it through.  Each axis, aligned on the right, is 1 or the target's."""
    if len(shape) > len(target):
        return f"Rank of input ({len(shape)}) must be no greater than rank of output shape ({len(target)})"
    for d, t in zip(reversed(shape), reversed(target)):
        if dims.differs(d, 1) and dims.differs(d, t):
            return f"Unable to broadcast tensor of shape {_keras_list(shape)} to tensor of shape {_keras_list(target)}"
    return None
