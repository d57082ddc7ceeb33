"""Products (``matmul`` or ``@``, ``dot``, ``tensordot``) and ``norm``, in their Keras, TensorFlow and backend
spellings."""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, OpRule, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from .op_utils import axis_index, broadcast_or_fail, is_int, known, never_holds, param, shape_of, tensor


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


# -- norm ---------------------------------------------------------------------------------

_INF = float("inf")
_MATRIX_ORDS = (None, "fro", "nuc", _INF, -_INF, 1, -1, 2, -2)


def _axis_arg(axis: Any) -> Any:
    """``axis`` as given: None, or a list of literal ints; unknowable otherwise."""
    axis = known(axis)
    if axis is None:
        return None
    items = [axis] if is_int(axis) else list(axis) if isinstance(axis, (list, tuple)) else None
    if items is None or not all(is_int(a) for a in items):
        raise Unknowable()
    return items


def _reduced(shape: Shape, axes: list[int], keepdims: bool) -> Shape:
    """``operation_utils.reduce_shape`` as written: a repeated axis is set to 1 twice or deleted twice."""
    out = list(shape)
    if keepdims:
        for a in axes:
            out[a] = 1
        return tuple(out)
    for a in sorted(axes, reverse=True):
        if a >= len(out):
            raise ShapeError(INVALID_ARGUMENT, f"list assignment index out of range: Keras's symbolic `norm` deletes "
                             f"axis {a} of {show_shape(shape)} twice (axis={axes}).")
        del out[a]
    return tuple(out)


def norm_shape(shape: Shape, ord: Any, axis: Any, keepdims: Any) -> Shape:
    """``Norm``: Keras's checks of ``ord`` for one or two axes and its symbolic reduction, then what the
    TensorFlow backend rejects when data flows (other than one or two distinct axes).  An ``ord`` the front
    end could not follow (``np.inf``) leaves only the checks that do not depend on it."""
    keep = known(keepdims)
    if isinstance(ord, str) and ord not in ("fro", "nuc"):
        raise ShapeError(INVALID_ARGUMENT, "Invalid `ord` argument. Expected one of {'fro', 'nuc'} when using "
                         f"string. Received: ord={ord}")
    axes = _axis_arg(axis)
    ndim = len(shape)
    num_axes = ndim if axes is None else len(axes)
    if num_axes == 1 and isinstance(ord, str):
        raise ShapeError(INVALID_ARGUMENT, f"Invalid `ord` argument for vector norm. Received: ord={ord}")
    if num_axes == 2 and ord is not UNKNOWN and ord not in _MATRIX_ORDS:
        raise ShapeError(INVALID_ARGUMENT, f"Invalid `ord` argument for matrix norm. Received: ord={ord}")
    where: list[int] = []
    if axes is None:
        out: Shape = tuple(1 for _ in shape) if keep else ()
    else:
        where = [axis_index(a, ndim) for a in axes]
        out = _reduced(shape, where, keep)
    if num_axes not in (1, 2):
        given = tuple(range(ndim)) if axes is None else tuple(axes)
        every = ", and `axis=None` takes every axis" if axes is None else ""
        raise ShapeError(INVALID_ARGUMENT, f"Invalid axis values. Received: axis={given}: a vector norm takes one axis "
                         f"and a matrix norm two{every} (input shape {show_shape(shape)}); Keras builds `norm`, but it "
                         "fails as soon as data flows.")
    if len(set(where)) != len(where) and ord not in (1, -1, _INF, -_INF):
        # Matrix norms of order ±1 and ±inf reduce one axis after the other: a repeated axis goes through.
        if ord is UNKNOWN:
            raise Unknowable()
        repeated = next(a for a in where if where.count(a) > 1)
        raise ShapeError(INVALID_ARGUMENT, f"Invalid reduction arguments: Axes contains duplicate dimension: "
                         f"{repeated} (axis={axis} on {show_shape(shape)}); Keras builds `norm`, but it fails as "
                         "soon as data flows.")
    if axes is not None and num_axes == 2 and keep and ord in (2, -2, "nuc"):
        # The backend reduces the singular values, then puts the two axes back with `expand_dims`, one
        # after the other, at the positions given.
        for k, a in enumerate(axes):
            rank = ndim - 2 + k
            if not -rank - 1 <= a <= rank:
                raise ShapeError(INVALID_ARGUMENT, f"`expand_dims` axis {a} is out of range for a tensor of rank "
                                 f"{rank}: `norm` with ord={ord}, axis={axis} and keepdims=True reduces "
                                 f"{show_shape(shape)} to rank {ndim - 2}, then inserts axis {axes[0]} and axis "
                                 f"{axes[1]} in turn; Keras builds it, but it fails as soon as data flows.")
    return out


def _norm_dtype(x: TensorType) -> Any:
    return "float32" if x.dtype is not None and ("int" in x.dtype or x.dtype == "bool") else x.dtype


@register
class Norm(OpRule):
    """``keras.ops.norm(x, ord=None, axis=None, keepdims=False)``: a vector norm over one axis or a matrix norm over
    two (all axes when ``axis`` is None, so ``x`` must then have rank 1 or 2); those axes removed or kept as 1."""

    names = ("keras.ops.norm",)
    params = ("x", "ord", "axis", "keepdims")
    defaults = {"ord": None, "axis": None, "keepdims": False}
    examples = (
        Example({"axis": -1}, (None, 3, 4), (None, 3)),
        Example({"axis": (1, 2), "ord": "fro", "keepdims": True}, (None, 3, 4), (None, 1, 1)),
        Example({}, (None, 4), ()),
        Example({"axis": 1, "ord": 1}, (None, 4), (None,)),
        Example({}, (None, 3, 4), "invalid-argument"),
        Example({"axis": 1, "ord": "fro"}, (None, 4), "invalid-argument"),
        Example({"axis": (0, 1), "ord": 3}, (None, 4), "invalid-argument"),
        Example({"axis": 2}, (None, 4), "invalid-argument"),
        Example({"ord": "max"}, (None, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        assert x.shape is not None
        shape = norm_shape(x.shape, param(call, "ord"), param(call, "axis"), param(call, "keepdims"))
        return TensorType(shape, _norm_dtype(x))


def tf_norm_shape(shape: Shape, ord: Any, axis: Any, keepdims: Any) -> Shape:
    """``tf.norm``: one axis (or None: every element, as one vector) for a vector norm, two distinct ones for a
    matrix norm, each with its own orders."""
    keep, axis = bool(known(keepdims)), known(axis)
    matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if matrix:
        if not all(is_int(a) for a in axis) or axis[0] == axis[1]:
            raise ShapeError(INVALID_ARGUMENT, f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             f"got {tuple(axis)}")
        if ord is not UNKNOWN and ord not in ("euclidean", "fro", 1, 2, _INF):
            raise ShapeError(INVALID_ARGUMENT, "'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, 2, "
                             f"inf], got {ord}")
    else:
        if not (axis is None or is_int(axis)):
            raise ShapeError(INVALID_ARGUMENT, f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             f"got {axis}")
        number = isinstance(ord, (int, float)) and not isinstance(ord, bool)
        if ord is not UNKNOWN and ord not in ("euclidean", 1, 2, _INF) and not (number and ord > 0):
            raise ShapeError(INVALID_ARGUMENT, f"'ord' must be a supported vector norm, got {ord}")
    if axis is None:
        return tuple(1 for _ in shape) if keep else ()
    axes = list(axis) if matrix else [axis]
    for a in axes:
        if not -len(shape) <= a < len(shape):
            raise ShapeError(INVALID_ARGUMENT, f"Invalid reduction dimension ({a} for input with {len(shape)} "
                             f"dimension(s) (tf.norm of {show_shape(shape)}, axis={axis})")
    where = [a % len(shape) for a in axes]
    if len(set(where)) != len(where) and ord not in (1, _INF):
        # Orders 1 and inf reduce one axis after the other (keeping it), then squeeze it once.
        if ord is UNKNOWN:
            raise Unknowable()
        raise ShapeError(INVALID_ARGUMENT, f"Invalid reduction arguments: Axes contains duplicate dimension: "
                         f"{where[0]} (tf.norm of {show_shape(shape)}, axis={axis})")
    return tuple(1 if i in where else d for i, d in enumerate(shape)) if keep else \
        tuple(d for i, d in enumerate(shape) if i not in where)


@register
class TfNorm(OpRule):
    """``tf.norm(tensor, ord="euclidean", axis=None, keepdims=None)``: a vector norm over one axis (every element
    when ``axis`` is None) or a matrix norm over two; those axes removed or kept as 1."""

    names = ("tensorflow.norm", "tensorflow.linalg.norm")
    params = ("tensor", "ord", "axis", "keepdims")
    defaults = {"ord": "euclidean", "axis": None, "keepdims": None}
    keras_equivalent = "keras.ops.norm"
    examples = (
        Example({"axis": -1}, (None, 3, 4), (None, 3)),
        Example({}, (None, 3, 4), ()),
        Example({"axis": (1, 2), "ord": -1}, (None, 3, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "tensor")
        assert x.shape is not None
        shape = tf_norm_shape(x.shape, param(call, "ord"), param(call, "axis"), param(call, "keepdims"))
        return TensorType(shape, _norm_dtype(x))
