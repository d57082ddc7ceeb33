"""Products: ``matmul`` (``@``), ``dot``, ``tensordot``, in their Keras, TensorFlow and backend spellings."""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.rules import Call, Example, OpRule, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from .op_utils import broadcast_or_fail, is_int, known, never_holds, param, shape_of


def _dtype(a: Any, b: Any) -> Any:
    return next((t.dtype for t in (a, b) if isinstance(t, TensorType)), "float32")


def _inner_mismatch(a: Dim, b: Dim) -> bool:
    return dims.differs(a, b)


def matmul_shape(s1: Shape, s2: Shape) -> Shape:
    """``compute_matmul_output_shape``; a known inner mismatch is Keras's error."""
    if not s1 or not s2:
        raise ShapeError(RANK_MISMATCH, f"matmul needs inputs of rank 1 or more, received shapes {show_shape(s1)} "
                         f"and {show_shape(s2)}.")
    one1, one2 = len(s1) == 1, len(s2) == 1
    a = (1, s1[0]) if one1 else s1
    b = (s2[0], 1) if one2 else s2
    if _inner_mismatch(a[-1], b[-2]):
        raise ShapeError(INCOMPATIBLE_SHAPES, "Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, "
                         f"but received `x1.shape={show_shape(a)}` and `x2.shape={show_shape(b)}`.")
    lead = list(broadcast_or_fail(a[:-2], b[:-2]))
    out = lead + [a[-2], b[-1]]
    if one1:
        del out[-2]
    if one2:
        del out[-1]
    return tuple(out)


class _Matmul(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x1", "x2")

    def output(self, call: Call) -> TensorType:
        a, b = (param(call, p) for p in self.params[:2])
        return TensorType(matmul_shape(shape_of(a), shape_of(b)), _dtype(a, b))


@register
class Matmul(_Matmul):
    """``keras.ops.matmul(x1, x2)`` / ``x1 @ x2``: ``x1``'s last axis meets ``x2``'s second last; batch axes broadcast."""

    names = ("keras.ops.matmul",)
    examples = (
        Example({}, (None, 3), (None, 4), args=((3, 4),)),
        Example({}, (None, 5, 3), (None, 5, 4), args=((None, 3, 4),)),
        Example({}, (None, 3), (None,), args=((3,),)),
        Example({}, (2, 5, 3), (2, 5, 4), args=((3, 4),)),
        Example({}, (None, 3), "incompatible-shapes", args=((4, 5),)),
        Example({}, (2, 5, 3), "incompatible-shapes", args=((3, 3, 4),)),
    )


@register
class TfMatmul(_Matmul):
    """``tf.matmul(a, b, transpose_a=False, transpose_b=False)``: as ``keras.ops.matmul`` after the transposes."""

    names = ("tensorflow.matmul", "tensorflow.linalg.matmul")
    params = ("a", "b", "transpose_a", "transpose_b")
    defaults = {"transpose_a": False, "transpose_b": False}
    keras_equivalent = "keras.ops.matmul"
    examples = (Example({}, (None, 3), (None, 4), args=((3, 4),)),
                Example({"transpose_b": True}, (None, 3), (None, 4), args=((4, 3),)),
                Example({}, (None, 3), "incompatible-shapes", args=((4, 3),)))

    def output(self, call: Call) -> TensorType:
        a, b = param(call, "a"), param(call, "b")
        s1, s2 = shape_of(a), shape_of(b)
        if len(s1) < 2 or len(s2) < 2:
            raise ShapeError(RANK_MISMATCH, f"tf.matmul needs inputs of rank 2 or more, received shapes "
                             f"{show_shape(s1)} and {show_shape(s2)}.")
        if known(param(call, "transpose_a")):
            s1 = s1[:-2] + (s1[-1], s1[-2])
        if known(param(call, "transpose_b")):
            s2 = s2[:-2] + (s2[-1], s2[-2])
        return TensorType(matmul_shape(s1, s2), _dtype(a, b))


def _none_mismatch(a: Dim, b: Dim) -> bool:
    """Keras's ``!=`` over dims: an undefined axis against a defined one is a mismatch too."""
    if (a is None) != (b is None):
        return True
    return dims.differs(a, b)


def dot_shape(s1: Shape, s2: Shape) -> Shape:
    """``Dot.compute_output_spec`` (NumPy ``dot``)."""
    if not s1 or not s2:
        return broadcast_or_fail(s1, s2)
    if len(s1) == 1 and len(s2) == 1:
        if dims.differs(s1[0], s2[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"shapes {show_shape(s1)} and {show_shape(s2)} not aligned.")
        return ()
    if len(s2) == 1:
        if _none_mismatch(s1[-1], s2[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Shape must match on the last axis of `x1` and `x2` when `x1` is "
                             f"N-d array while `x2` is 1-D, but receive shape `x1.shape={show_shape(s1)}` and "
                             f"x2.shape=`{show_shape(s2)}`.")
        return s1[:-1]
    if dims.differs(s1[-1], s2[-2]):
        raise ShapeError(INCOMPATIBLE_SHAPES, "Shape must match on the last axis of `x1` and second last axis of "
                         "`x2` when `x1` is N-d array while `x2` is M-D, but received "
                         f"`x1.shape={show_shape(s1)}` and x2.shape=`{show_shape(s2)}`.")
    return s1[:-1] + s2[:-2] + s2[-1:]


class _Dot(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x1", "x2")

    def output(self, call: Call) -> TensorType:
        a, b = (param(call, p) for p in self.params)
        return TensorType(dot_shape(shape_of(a), shape_of(b)), _dtype(a, b))


@register
class Dot(_Dot):
    """``keras.ops.dot(x1, x2)``: NumPy ``dot``, ``x1``'s last axis meets ``x2``'s second last (or only) axis."""

    names = ("keras.ops.dot",)
    examples = (
        Example({}, (None, 3), (None, 4), args=((3, 4),)),
        Example({}, (None, 5, 3), (None, 5, 2, 4), args=((2, 3, 4),)),
        Example({}, (None, 3), (None,), args=((3,),)),
        Example({}, (None, 3), "incompatible-shapes", args=((4, 5),)),
        Example({}, (None, None), "incompatible-shapes", args=((3,),)),
    )


@register
class KDot(_Dot):
    """``K.dot(x, y)``: ``x``'s last axis meets ``y``'s second last (or only) axis."""

    names = ("keras.backend.dot",)
    params = ("x", "y")
    keras_equivalent = "keras.ops.dot"
    examples = (Example({}, (None, 3), (None, 4), args=((3, 4),)),)


def _tensordot_axes(axes: Any, r1: int, r2: int) -> tuple[list[int], list[int]]:
    axes = known(axes)
    if is_int(axes):
        if axes < 0 or axes > min(r1, r2):
            raise ShapeError(INVALID_ARGUMENT, f"`axes` must be at most the rank of both inputs, received "
                             f"axes={axes} for ranks {r1} and {r2}.")
        return list(range(r1 - axes, r1)), list(range(axes))
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise Unknowable()
    a, b = ([x] if is_int(x) else list(x) for x in axes)
    if len(a) != len(b):
        raise ShapeError(INVALID_ARGUMENT, f"`axes` must name as many axes of each input, received axes={axes}.")
    for ax, r in [(x, r1) for x in a] + [(x, r2) for x in b]:
        if not is_int(ax):
            raise Unknowable()
        if not -r <= ax < r:
            raise ShapeError(INVALID_ARGUMENT, f"axis {ax} is out of bounds for an array with dimension {r}.")
    return [x % r1 for x in a], [x % r2 for x in b]


class _Tensordot(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x1", "x2", "axes")
    defaults: ClassVar[dict[str, Any]] = {"axes": 2}

    def output(self, call: Call) -> TensorType:
        a, b = param(call, self.params[0]), param(call, self.params[1])
        s1, s2 = shape_of(a), shape_of(b)
        ax1, ax2 = _tensordot_axes(param(call, self.params[2]), len(s1), len(s2))
        if len(set(ax1)) != len(ax1) or len(set(ax2)) != len(ax2):
            raise Unknowable()
        left, right = [s1[i] for i in ax1], [s2[j] for j in ax2]
        if is_int(param(call, self.params[2])):
            # TensorFlow's tensordot reshapes both sides: only the number of contracted elements must agree.
            lp, rp = dims.product(left), dims.product(right)
            mismatch = dims.differs(lp, rp) or never_holds(tuple(left), rp) or never_holds(tuple(right), lp)
        else:
            mismatch = any(dims.differs(p, q) for p, q in zip(left, right))
        if mismatch:
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Shape mismatch on `x1[axes[0]]` and `x2[axes[1]]`, received "
                             f"{show_shape(tuple(left))} and {show_shape(tuple(right))}.")
        out = tuple(d for i, d in enumerate(s1) if i not in ax1) + tuple(d for i, d in enumerate(s2) if i not in ax2)
        return TensorType(out, _dtype(a, b))


@register
class Tensordot(_Tensordot):
    """``keras.ops.tensordot(x1, x2, axes=2)``: the named axes meet (last of ``x1``, first of ``x2`` for an int)."""

    names = ("keras.ops.tensordot",)
    examples = (
        Example({"axes": 1}, (None, 3), (None, 4), args=((3, 4),)),
        Example({"axes": ((1,), (0,))}, (None, 3), (None, 4), args=((3, 4),)),
        Example({"axes": 2}, (None, 2, 3), (None, 4), args=((2, 3, 4),)),
        Example({"axes": ((1,), (1,))}, (None, 3), "incompatible-shapes", args=((3, 4),)),
        Example({"axes": 1}, (2, 3), "incompatible-shapes", args=((4, 5),)),
    )


@register
class TfTensordot(_Tensordot):
    """``tf.tensordot(a, b, axes)``: the named axes meet."""

    names = ("tensorflow.tensordot", "tensorflow.linalg.tensordot")
    params = ("a", "b", "axes")
    defaults = {}
    keras_equivalent = "keras.ops.tensordot"
    examples = (Example({"axes": 1}, (None, 3), (None, 4), args=((3, 4),)),)
