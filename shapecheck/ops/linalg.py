"""Products (``matmul`` or ``@``, ``dot``, ``tensordot``) and ``norm``, in their Keras, TensorFlow and backend
spellings."""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import AXIS_MISMATCH, INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
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


# -- decompositions and solvers (keras.ops.linalg) ----------------------------------------


def _matrix(call: Call, name: str, what: str) -> TensorType:
    """``_assert_2d``: a tensor of rank 2 or more."""
    x = tensor(call, name)
    assert x.shape is not None
    if len(x.shape) < 2:
        raise ShapeError(RANK_MISMATCH, f"Expected input to have rank >= 2. Received input with shape "
                         f"{show_shape(x.shape)} (`{what}`).")
    return x


def _square(x: TensorType, what: str) -> None:
    """``_assert_square``: Keras compares the last two axes with ``!=`` (an undefined one against a defined
    one differs)."""
    assert x.shape is not None
    if _none_mismatch(x.shape[-2], x.shape[-1]):
        raise ShapeError(AXIS_MISMATCH, f"Expected a square matrix. Received non-square input with shape "
                         f"{show_shape(x.shape)} (`{what}`).")


def _min_dim(a: Dim, b: Dim, what: str, shape: Shape) -> Dim:
    """Python's ``min`` over two axes, as Keras's symbolic build takes it: an undefined axis fails."""
    if a is None or b is None:
        raise ShapeError(INVALID_ARGUMENT, f"'<' not supported between 'int' and 'NoneType': `{what}` needs the "
                         f"last two axes defined, received shape {show_shape(shape)}.")
    if is_int(a) and is_int(b):
        return min(a, b)  # type: ignore[type-var]
    if dims.equal(a, b):
        return a
    return dims.unknown()


class _SquareOp(OpRule):
    """A square matrix (or a batch of them) in; ``out`` says what comes out."""

    params: ClassVar[tuple[str, ...]] = ("x",)

    def out(self, x: TensorType) -> Any:
        return x

    def output(self, call: Call) -> Any:
        what = self.names[0].split(".")[-1]
        x = _matrix(call, "x", what)
        _square(x, what)
        return self.out(x)


@register
class Cholesky(_SquareOp):
    """``keras.ops.cholesky(x, upper=False)``: ``x``'s shape, ``(..., M, M)``."""

    names = ("keras.ops.cholesky",)
    params = ("x", "upper")
    defaults = {"upper": False}
    examples = (
        Example({}, (None, None, None), (None, None, None)),
        Example({}, (3,), "rank-mismatch"),
        Example({}, (None, 3, 4), "axis-mismatch"),
        Example({}, (None, 3), "axis-mismatch"),
    )


@register
class CholeskyInverse(_SquareOp):
    """``keras.ops.cholesky_inverse(x, upper=False)``: ``x``'s shape, ``(..., M, M)``."""

    names = ("keras.ops.cholesky_inverse",)
    params = ("x", "upper")
    defaults = {"upper": False}
    examples = (Example({}, (None, 3, 3), (None, 3, 3)), Example({}, (2, 3), "axis-mismatch"))


@register
class Inv(_SquareOp):
    """``keras.ops.inv(x)``: ``x``'s shape, ``(..., M, M)``."""

    names = ("keras.ops.inv",)
    examples = (Example({}, (None, 3, 3), (None, 3, 3)), Example({}, (2, 3), "axis-mismatch"),
                Example({}, (4,), "rank-mismatch"))


@register
class Det(_SquareOp):
    """``keras.ops.det(x)``: the batch axes of ``(..., M, M)``."""

    names = ("keras.ops.det",)
    examples = (Example({}, (None, 3, 3), (None,)), Example({}, (2, 2), ()), Example({}, (2, 3), "axis-mismatch"))

    def out(self, x: TensorType) -> Any:
        return x.with_shape(x.shape[:-2])  # type: ignore[index]


class _Eig(_SquareOp):
    def out(self, x: TensorType) -> Any:
        return [x.with_shape(x.shape[:-1]), x]  # type: ignore[index]


@register
class Eig(_Eig):
    """``keras.ops.eig(x)``: eigenvalues ``(..., M)`` and eigenvectors ``(..., M, M)``."""

    names = ("keras.ops.eig",)
    examples = (Example({}, (None, 3, 3), [(None, 3), (None, 3, 3)]), Example({}, (3, 2), "axis-mismatch"))


@register
class Eigh(_Eig):
    """``keras.ops.eigh(x)``: eigenvalues ``(..., M)`` and eigenvectors ``(..., M, M)``."""

    names = ("keras.ops.eigh",)
    examples = (Example({}, (None, 3, 3), [(None, 3), (None, 3, 3)]), Example({}, (3,), "rank-mismatch"))


@register
class Logdet(OpRule):
    """``keras.ops.logdet(x)``: the batch axes of ``(..., M, M)``.  The symbolic build checks nothing; the
    backend needs a square matrix (rank 2 or more) once data flows."""

    names = ("keras.ops.logdet",)
    params = ("x",)
    examples = (Example({}, (None, 3, 3), (None,)), Example({}, (2, 3), "axis-mismatch"),
                Example({}, (3,), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        assert x.shape is not None
        if len(x.shape) < 2:
            raise ShapeError(RANK_MISMATCH, f"logdet needs a matrix, received shape {show_shape(x.shape)}; Keras "
                             "builds the call, but it fails as soon as data flows.")
        if dims.differs(x.shape[-2], x.shape[-1]):
            raise ShapeError(AXIS_MISMATCH, f"logdet needs square matrices, received shape "
                             f"{show_shape(x.shape)}; Keras builds the call, but it fails as soon as data flows.")
        return x.with_shape(x.shape[:-2])


@register
class Slogdet(OpRule):
    """``keras.ops.slogdet(x)``: a sign of shape ``()`` (as Keras's symbolic build says) and the log of the
    absolute determinant, the batch axes of ``(..., M, M)``.  The backend needs square matrices."""

    names = ("keras.ops.slogdet",)
    params = ("x",)
    examples = (Example({}, (None, 3, 3), [(), (None,)]), Example({}, (2, 3), "axis-mismatch"))

    def output(self, call: Call) -> list[TensorType]:
        x = Logdet.output(self, call)  # type: ignore[arg-type]
        return [x.with_shape(()), x]


@register
class LuFactor(OpRule):
    """``keras.ops.lu_factor(x)``: ``(..., M, N)`` and pivots ``(..., min(M, N))``; the symbolic build needs
    both axes defined, the TensorFlow backend one square matrix (its ``invert_permutation`` takes one vector
    of pivots: a batch fails once data flows)."""

    names = ("keras.ops.lu_factor",)
    params = ("x",)
    examples = (Example({}, (3, 3), [(3, 3), (3,)]),
                Example({}, (None, 3, 3), "rank-mismatch"),
                Example({}, (None, 3, 2), "axis-mismatch"),
                Example({}, (None, None), "invalid-argument"))

    def output(self, call: Call) -> list[TensorType]:
        x = _matrix(call, "x", "lu_factor")
        shape = x.shape
        assert shape is not None
        k = _min_dim(shape[-2], shape[-1], "lu_factor", shape)
        if dims.differs(shape[-2], shape[-1]):
            raise ShapeError(AXIS_MISMATCH, f"LU decomposition is only supported for square matrices in "
                             f"Tensorflow, received shape {show_shape(shape)}; Keras builds the call, but it fails "
                             "as soon as data flows.")
        if len(shape) > 2:
            raise ShapeError(RANK_MISMATCH, f"invert_permutation expects a 1D vector: the TensorFlow backend's "
                             f"`lu_factor` takes one matrix, received shape {show_shape(shape)}; Keras builds the "
                             "call, but it fails as soon as data flows.")
        return [x, x.with_shape(shape[:-2] + (k,))]


@register
class Qr(OpRule):
    """``keras.ops.qr(x, mode="reduced")``: ``q (..., M, K)`` and ``r (..., K, N)`` with ``K = min(M, N)``
    (``complete``: ``(..., M, M)`` and ``(..., M, N)``); the last two axes must be defined."""

    names = ("keras.ops.qr",)
    params = ("x", "mode")
    defaults = {"mode": "reduced"}
    examples = (
        Example({}, (None, 4, 3), [(None, 4, 3), (None, 3, 3)]),
        Example({"mode": "complete"}, (None, 4, 3), [(None, 4, 4), (None, 4, 3)]),
        Example({}, (None, 4), "invalid-argument"),
        Example({}, (4,), "rank-mismatch"),
        Example({"mode": "full"}, (None, 4, 3), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        mode = param(call, "mode")
        if mode is not UNKNOWN and mode not in ("reduced", "complete"):
            raise ShapeError(INVALID_ARGUMENT, "`mode` argument value not supported. Expected one of {'reduced', "
                             f"'complete'}}. Received: mode={mode}")

    def output(self, call: Call) -> list[TensorType]:
        self.check_config(call)
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if len(shape) < 2:
            raise ShapeError(RANK_MISMATCH, f"Input should have rank >= 2. Received: input.shape = "
                             f"{show_shape(shape)}")
        m, n = shape[-2], shape[-1]
        if m is None or n is None:
            raise ShapeError(INVALID_ARGUMENT, "Input should have its last 2 dimensions fully-defined. Received: "
                             f"input.shape = {show_shape(shape)}")
        mode = known(param(call, "mode"))
        base = shape[:-2]
        if mode == "reduced":
            k = _min_dim(m, n, "qr", shape)
            return [x.with_shape(base + (m, k)), x.with_shape(base + (k, n))]
        return [x.with_shape(base + (m, m)), x.with_shape(base + (m, n))]


@register
class Svd(OpRule):
    """``keras.ops.svd(x, full_matrices=True, compute_uv=True)``: ``u``, ``s (..., K)`` and ``v`` with
    ``K = min(M, N)`` (``s`` alone without ``compute_uv``); the last two axes must be defined."""

    names = ("keras.ops.svd",)
    params = ("x", "full_matrices", "compute_uv")
    defaults = {"full_matrices": True, "compute_uv": True}
    examples = (
        Example({}, (None, 4, 3), [(None, 4, 4), (None, 3), (None, 3, 3)]),
        Example({"full_matrices": False}, (None, 4, 3), [(None, 4, 3), (None, 3), (None, 3, 3)]),
        Example({"compute_uv": False}, (None, 4, 3), (None, 3)),
        Example({}, (None, 4), "invalid-argument"),
        Example({}, (4,), "rank-mismatch"),
    )

    def output(self, call: Call) -> Any:
        x = _matrix(call, "x", "svd")
        shape = x.shape
        assert shape is not None
        m, n = shape[-2], shape[-1]
        k = _min_dim(m, n, "svd", shape)
        base = shape[:-2]
        s = x.with_shape(base + (k,))
        full, uv = known(param(call, "full_matrices")), known(param(call, "compute_uv"))
        if not uv:
            return s
        if full:
            return [x.with_shape(base + (m, m)), s, x.with_shape(base + (n, n))]
        return [x.with_shape(base + (m, k)), s, x.with_shape(base + (k, n))]


@register
class MatrixRank(OpRule):
    """``keras.ops.matrix_rank(x, tol=None)``: the batch axes of ``(..., M, N)``, int32."""

    names = ("keras.ops.matrix_rank",)
    params = ("x", "tol")
    defaults = {"tol": None}
    examples = (Example({}, (None, 4, 3), (None,)), Example({}, (4,), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = _matrix(call, "x", "matrix_rank")
        return TensorType(x.shape[:-2], "int32")  # type: ignore[index]


@register
class Pinv(OpRule):
    """``keras.ops.pinv(x, rcond=None)``: ``(..., N, M)`` for ``(..., M, N)``."""

    names = ("keras.ops.pinv",)
    params = ("x", "rcond")
    defaults = {"rcond": None}
    examples = (Example({}, (None, 4, 3), (None, 3, 4)), Example({}, (4,), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = _matrix(call, "x", "pinv")
        s = x.shape
        assert s is not None
        return x.with_shape(s[:-2] + (s[-1], s[-2]))


class _Solve(OpRule):
    """``a (..., M, M)`` and ``b`` of ``a``'s rank (``(..., M, K)``) or one less (``(..., M)``): ``b``'s
    shape.  The TensorFlow backend then needs the same batch axes."""

    def output(self, call: Call) -> TensorType:
        what = self.names[0].split(".")[-1]
        a = _matrix(call, "a", what)
        _square(a, what)
        b = tensor(call, "b")
        sa, sb = a.shape, b.shape
        assert sa is not None and sb is not None
        if not sb:
            raise ShapeError(RANK_MISMATCH, f"Expected input to have rank >= 1. Received scalar input (`{what}`).")
        if len(sa) == len(sb) and _none_mismatch(sa[-2], sb[-2]):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Incompatible shapes between `a` and `b`. Expected "
                             f"`a.shape[-2] == b.shape[-2]`. Received: a.shape={show_shape(sa)}, "
                             f"b.shape={show_shape(sb)}")
        if len(sa) == len(sb) - 1 and _none_mismatch(sa[-1], sb[-1]):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Incompatible shapes between `a` and `b`. Expected "
                             f"`a.shape[-1] == b.shape[-1]`. Received: a.shape={show_shape(sa)}, "
                             f"b.shape={show_shape(sb)}")
        self.data_checks(sa, sb, what)
        return b

    def data_checks(self, sa: Shape, sb: Shape, what: str) -> None:
        """What the backend rejects once data flows: ranks other than ``a``'s or one less, a vector ``b``
        whose length is not ``M``, batch axes that differ."""
        if len(sb) == len(sa) - 1:
            sb = sb + (1,)
        if len(sb) != len(sa):
            raise ShapeError(RANK_MISMATCH, f"`{what}` needs `b` of rank {len(sa)} or {len(sa) - 1} for `a` of "
                             f"shape {show_shape(sa)}, received {show_shape(sb)}; Keras builds the call, but it "
                             "fails as soon as data flows.")
        if dims.differs(sa[-1], sb[-2]) or any(dims.differs(p, q) for p, q in zip(sa[:-2], sb[:-2])):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"`{what}` of `a` {show_shape(sa)} and `b` {show_shape(sb)}: "
                             "the batch axes and `a.shape[-1] == b.shape[-2]` must agree; Keras builds the call, "
                             "but it fails as soon as data flows.")


@register
class Solve(_Solve):
    """``keras.ops.solve(a, b)``: ``b``'s shape; ``a`` is ``(..., M, M)``, ``b`` ``(..., M, K)`` or ``(..., M)``."""

    names = ("keras.ops.solve",)
    params = ("a", "b")
    examples = (
        Example({}, (None, 3, 3), (None, 3, 2), args=((None, 3, 2),)),
        Example({}, (3, 3), (3,), args=((3,),)),
        Example({}, (None, 3, 3), "incompatible-shapes", args=((None, 4, 2),)),
        Example({}, (None, 3, 4), "axis-mismatch", args=((None, 3, 2),)),
    )


@register
class SolveTriangular(_Solve):
    """``keras.ops.solve_triangular(a, b, lower=False)``: ``b``'s shape; ``a`` is ``(..., M, M)``, ``b``
    ``(..., M, K)`` or ``(..., M)``."""

    names = ("keras.ops.solve_triangular",)
    params = ("a", "b", "lower")
    defaults = {"lower": False}
    examples = (
        Example({}, (None, 3, 3), (None, 3, 2), args=((None, 3, 2),)),
        Example({"lower": True}, (3, 3), (3,), args=((3,),)),
        Example({}, (1, 2, 2), (2, 2), args=((2, 2),)),
        Example({}, (3, 3), "incompatible-shapes", args=((2,),)),
        Example({}, (3, 2, 2), "rank-mismatch", args=((2,),)),
    )

    def data_checks(self, sa: Shape, sb: Shape, what: str) -> None:
        """``triangular_solve`` broadcasts the batch axes; ``b`` (a vector made a column) needs rank 2."""
        if len(sb) == len(sa) - 1:
            sb = sb + (1,)
        if len(sb) < 2:
            raise ShapeError(RANK_MISMATCH, f"In[1] ndims must be >= 2: `{what}` of `a` {show_shape(sa)} and `b` "
                             f"{show_shape(sb)}; Keras builds the call, but it fails as soon as data flows.")
        if dims.differs(sa[-1], sb[-2]):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"`{what}` of `a` {show_shape(sa)} and `b` {show_shape(sb)}: "
                             "`a.shape[-1] == b.shape[-2]` must hold; Keras builds the call, but it fails as soon "
                             "as data flows.")
        broadcast_or_fail(sa[:-2], sb[:-2])


@register
class Lstsq(OpRule):
    """``keras.ops.lstsq(a, b, rcond=None)``: ``a (M, N)``, ``b (M,)`` or ``(M, K)`` give ``(N,)`` or
    ``(N, K)``."""

    names = ("keras.ops.lstsq",)
    params = ("a", "b", "rcond")
    defaults = {"rcond": None}
    examples = (
        Example({}, (4, 3), (3,), args=((4,),)),
        Example({}, (4, 3), (3, 2), args=((4, 2),)),
        Example({}, (None, 3), "incompatible-shapes", args=((4, 2),)),
        Example({}, (None, 4, 3), "rank-mismatch", args=((4,),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = tensor(call, "a"), tensor(call, "b")
        sa, sb = a.shape, b.shape
        assert sa is not None and sb is not None
        if len(sa) != 2:
            raise ShapeError(RANK_MISMATCH, f"Expected a to have rank 2. Received: a.shape={show_shape(sa)}")
        if len(sb) not in (1, 2):
            raise ShapeError(RANK_MISMATCH, f"Expected b to have rank 1 or 2. Received: b.shape={show_shape(sb)}")
        if _none_mismatch(sb[0], sa[0]):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Expected b.shape[0] to be equal to a.shape[0]. Received: "
                             f"a.shape={show_shape(sa)}, b.shape={show_shape(sb)}")
        return a.with_shape((sa[1], sb[1]) if len(sb) == 2 else (sa[1],))


# -- products, diagonals and correlations (keras.ops.numpy) -------------------------------


def _shape_arg(v: Any) -> Shape:
    """A tensor's shape; Keras's symbolic build sees a Python number or list as shapeless (``()``)."""
    if isinstance(v, TensorType):
        return shape_of(v)
    if v is UNKNOWN:
        raise Unknowable()
    return shape_of(v)


@register
class Cdist(OpRule):
    """``keras.ops.cdist(x, y)``: ``x (..., M, D)`` and ``y (..., N, D)`` give ``(..., M, N)``, the batch axes
    broadcast."""

    names = ("keras.ops.cdist",)
    params = ("x", "y")
    examples = (
        Example({}, (None, 4, 3), (None, 4, 5), args=((None, 5, 3),)),
        Example({}, (4, 3), (2, 4, 5), args=((2, 5, 3),)),
        Example({}, (None, 4, 3), "incompatible-shapes", args=((None, 5, 2),)),
        Example({}, (3,), "rank-mismatch", args=((5, 3),)),
    )

    def output(self, call: Call) -> TensorType:
        x, y = tensor(call, "x"), tensor(call, "y")
        sx, sy = x.shape, y.shape
        assert sx is not None and sy is not None
        if len(sx) < 2 or len(sy) < 2:
            raise ShapeError(RANK_MISMATCH, f"Inputs to `cdist` must have rank >= 2. Received shapes: "
                             f"x.shape={show_shape(sx)}, y.shape={show_shape(sy)}")
        if dims.differs(sx[-1], sy[-1]):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"The last dimension of inputs to `cdist` must match. Received "
                             f"shapes: x.shape={show_shape(sx)}, y.shape={show_shape(sy)}")
        batch = broadcast_or_fail(sx[:-2], sy[:-2])
        return TensorType(batch + (sx[-2], sy[-2]), "float32")


@register
class Kron(OpRule):
    """``keras.ops.kron(x1, x2)``: as Keras's symbolic build computes it, the product of the axes paired from
    the front (the shorter rank wins; the backend's data has the longer rank).  The TensorFlow backend's
    interleaved multiplication fails when it needs more than 5 alternating broadcasts (``(2, 2, 2)`` by
    ``(2, 2, 2)``)."""

    names = ("keras.ops.kron",)
    params = ("x1", "x2")
    examples = (Example({}, (None, 3), (None, 12), args=((2, 4),)), Example({}, (2, 3), (8,), args=((4,),)),
                Example({}, (2, 2, 2), "invalid-argument", args=((2, 2, 2),)))

    def output(self, call: Call) -> TensorType:
        s1, s2 = _shape_arg(param(call, "x1")), _shape_arg(param(call, "x2"))
        groups = _kron_broadcast_groups(s1, s2)
        if groups is not None and groups > 5:
            raise ShapeError(INVALID_ARGUMENT, f"Broadcast is not supported yet: the TensorFlow backend's `kron` of "
                             f"{show_shape(s1)} and {show_shape(s2)} multiplies interleaved shapes that broadcast in "
                             f"{groups} alternating runs of axes, and TensorFlow broadcasts 5 at most; Keras builds "
                             "the call, but it fails as soon as data flows.")
        return TensorType(tuple(dims.mul(a, b) for a, b in zip(s1, s2)), _dtype(param(call, "x1"), param(call, "x2")))


def _kron_broadcast_groups(s1: Shape, s2: Shape) -> Optional[int]:
    """The backend's ``kron`` multiplies ``x1`` reshaped to ``(d1, 1, d2, 1, …)`` by ``x2`` reshaped to
    ``(1, e1, 1, e2, …)`` (the shorter one padded with leading 1s).  TensorFlow drops axes of 1 on both sides,
    merges neighbouring axes that broadcast the same way, and broadcasts 5 such runs at most: their number,
    or ``None`` when an axis is not known."""
    if not all(is_int(d) for d in s1 + s2):
        return None
    r = max(len(s1), len(s2))
    a = (1,) * (r - len(s1)) + tuple(s1)
    b = (1,) * (r - len(s2)) + tuple(s2)
    left = [v for d in a for v in (d, 1)]
    right = [v for e in b for v in (1, e)]
    states = []
    for p, q in zip(left, right):
        if p == 1 and q == 1:
            continue
        state = "same" if p == q else "left" if q == 1 else "right" if p == 1 else "bad"
        if not states or states[-1] != state:
            states.append(state)
    return len(states)


@register
class Inner(OpRule):
    """``keras.ops.inner(x1, x2)``: the last axes meet: ``x1.shape[:-1] + x2.shape[:-1]`` (a scalar scales the
    other)."""

    names = ("keras.ops.inner",)
    params = ("x1", "x2")
    examples = (
        Example({}, (None, 3), (None, 4), args=((4, 3),)),
        Example({}, (2, 3), (2, 3), args=((),)),
        Example({}, (None, 3), "incompatible-shapes", args=((4, 2),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = param(call, "x1"), param(call, "x2")
        s1, s2 = _shape_arg(a), _shape_arg(b)
        if not s1:
            return TensorType(s2, _dtype(a, b))
        if not s2:
            return TensorType(s1, _dtype(a, b))
        if dims.differs(s1[-1], s2[-1]):
            raise ShapeError(INCOMPATIBLE_SHAPES, "`inner` requires the last dimension of `x1` and `x2` to match. "
                             f"Received: x1.shape={show_shape(s1)}, x2.shape={show_shape(s2)}.")
        return TensorType(s1[:-1] + s2[:-1], _dtype(a, b))


@register
class Vdot(OpRule):
    """``keras.ops.vdot(x1, x2)``: a scalar; the backend flattens both, so they must hold as many elements."""

    names = ("keras.ops.vdot",)
    params = ("x1", "x2")
    examples = (Example({}, (2, 3), (), args=((6,),)), Example({}, (2, 3), "incompatible-shapes", args=((5,),)),
                Example({}, (None, 3), "incompatible-shapes", args=((4,),)))

    def output(self, call: Call) -> TensorType:
        a, b = param(call, "x1"), param(call, "x2")
        s1, s2 = _shape_arg(a), _shape_arg(b)
        p1 = None if None in s1 else dims.product(s1)
        p2 = None if None in s2 else dims.product(s2)
        if dims.differs(p1, p2) or (p2 is not None and never_holds(s1, p2)) or \
                (p1 is not None and never_holds(s2, p1)):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"`vdot` flattens both inputs: {show_shape(s1)} and "
                             f"{show_shape(s2)} cannot hold as many elements; Keras builds the call, but it fails as "
                             "soon as data flows.")
        return TensorType((), _dtype(a, b))


def _keras_index(shape: Shape, axis: Any, what: str) -> int:
    """Python's ``shape[axis]`` (negative counts from the end; out of range fails)."""
    axis = known(axis)
    if not is_int(axis):
        raise Unknowable()
    if not -len(shape) <= axis < len(shape):
        raise ShapeError(INVALID_ARGUMENT, f"list index out of range: `{what}` {axis} for the shape "
                         f"{show_shape(shape)}")
    return axis % len(shape)


@register
class Cross(OpRule):
    """``keras.ops.cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None)``: vectors of 2 or 3 along ``axisa``
    and ``axisb``, the other axes broadcast; a vector axis of 3 is inserted at ``axisc`` unless both are 2."""

    names = ("keras.ops.cross",)
    params = ("x1", "x2", "axisa", "axisb", "axisc", "axis")
    defaults = {"axisa": -1, "axisb": -1, "axisc": -1, "axis": None}
    examples = (
        Example({}, (None, 3), (None, 3), args=((None, 3),)),
        Example({}, (None, 2), (None,), args=((None, 2),)),
        Example({"axisa": 0, "axisb": 0}, (3, 4), (4, 3), args=((3, 4),)),
        Example({}, (None, 4), "invalid-argument", args=((None, 3),)),
        Example({}, (2,), "invalid-argument", args=((2,),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = param(call, "x1"), param(call, "x2")
        s1, s2 = list(_shape_arg(a)), list(_shape_arg(b))
        axis = known(param(call, "axis"))
        axisa, axisb, axisc = (axis, axis, axis) if axis is not None else \
            (param(call, "axisa"), param(call, "axisb"), param(call, "axisc"))
        ia, ib = _keras_index(tuple(s1), axisa, "axisa"), _keras_index(tuple(s2), axisb, "axisb")
        n1, n2 = s1.pop(ia), s2.pop(ib)
        rest = broadcast_or_fail(tuple(s1), tuple(s2))
        for n, name in ((n1, "x1"), (n2, "x2")):
            if is_int(n) and n not in (2, 3):
                raise ShapeError(INVALID_ARGUMENT, f"`{name}`'s dim on the vector axis must be either 2 or 3, but "
                                 f"received: {n}")
            if isinstance(n, dims.Sym):
                raise Unknowable()
        value = (3,) if 3 in (n1, n2) else ()
        c = axis_index(axisc, len(rest) + len(value))
        out = rest[:c] + value + rest[c:]
        return TensorType(out, _dtype(a, b))


def _offset_problem(rows: Dim, cols: Dim, offset: int) -> bool:
    """The backend's ``diag_part`` of ``(rows, cols)`` matrices with this offset fails (no such diagonal)."""
    return (is_int(cols) and offset >= cols) or (is_int(rows) and offset <= -rows)  # type: ignore[operator]


def _diag_length(rows: Dim, cols: Dim, offset: int) -> Dim:
    """Keras's length of a diagonal (``None`` when an axis is undefined)."""
    if rows is None or cols is None:
        return None
    if not (is_int(rows) and is_int(cols)):
        return dims.unknown()
    remaining = cols - offset if offset > 0 else rows + offset  # type: ignore[operator]
    return max(0, min(remaining, rows, cols))  # type: ignore[type-var]


@register
class Diagonal(OpRule):
    """``keras.ops.diagonal(x, offset=0, axis1=0, axis2=1)``: ``axis1`` and ``axis2`` removed, the diagonal's
    length appended; the diagonal must exist once data flows."""

    names = ("keras.ops.diagonal",)
    params = ("x", "offset", "axis1", "axis2")
    defaults = {"offset": 0, "axis1": 0, "axis2": 1}
    examples = (
        Example({"axis1": 1, "axis2": 2}, (None, 3, 4), (None, 3)),
        Example({"axis1": -2, "axis2": -1, "offset": 1}, (2, 3, 4), (2, 3)),
        Example({}, (3,), "invalid-argument"),
        Example({"axis1": 1, "axis2": -1}, (3, 4), "invalid-argument"),
        Example({"offset": 5}, (3, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        offset = known(param(call, "offset"))
        a1 = axis_index(param(call, "axis1"), len(shape))
        a2 = axis_index(param(call, "axis2"), len(shape))
        if a1 == a2:
            raise ShapeError(INVALID_ARGUMENT, "`axis1` and `axis2` cannot be the same. Received: "
                             f"axis1={param(call, 'axis1')}, axis2={param(call, 'axis2')}")
        if len(shape) < 2:
            raise ShapeError(RANK_MISMATCH, "`diagonal` requires an array of at least two dimensions, but `x` is "
                             f"of shape {show_shape(shape)}.")
        if not is_int(offset):
            raise Unknowable()
        rows, cols = shape[a1], shape[a2]
        if _offset_problem(rows, cols, offset):
            raise ShapeError(INVALID_ARGUMENT, f"diagonal index is out of bound: offset={offset} for matrices of "
                             f"{dims.show(rows)} by {dims.show(cols)} (shape {show_shape(shape)}); Keras builds the "
                             "call, but it fails as soon as data flows.")
        rest = tuple(d for i, d in enumerate(shape) if i not in (a1, a2))
        return x.with_shape(rest + (_diag_length(rows, cols, offset),))


@register
class Diag(OpRule):
    """``keras.ops.diag(x, k=0)``: a vector becomes a square matrix of its length plus ``|k|``; a matrix gives
    its ``k``-th diagonal (which must exist once data flows)."""

    names = ("keras.ops.diag",)
    params = ("x", "k")
    defaults = {"k": 0}
    examples = (
        Example({}, (None,), (None, None)),
        Example({"k": -1}, (3,), (4, 4)),
        Example({"k": 1}, (3, 4), (3,)),
        Example({}, (2, 3, 4), "rank-mismatch"),
        Example({"k": 4}, (None, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        k = known(param(call, "k"))
        if len(shape) not in (1, 2):
            raise ShapeError(RANK_MISMATCH, f"`x` must be 1-D or 2-D, but received shape {show_shape(shape)}.")
        if not is_int(k):
            raise Unknowable()
        if len(shape) == 1:
            n = None if shape[0] is None else dims.add(shape[0], abs(k))
            return x.with_shape((n, n))
        if _offset_problem(shape[0], shape[1], k):
            raise ShapeError(INVALID_ARGUMENT, f"diagonal index is out of bound: k={k} for a matrix of shape "
                             f"{show_shape(shape)}; Keras builds the call, but it fails as soon as data flows.")
        return x.with_shape((_diag_length(shape[0], shape[1], k),))


@register
class Diagflat(OpRule):
    """``keras.ops.diagflat(x, k=0)``: a square matrix of ``x``'s size plus ``|k|``."""

    names = ("keras.ops.diagflat",)
    params = ("x", "k")
    defaults = {"k": 0}
    examples = (Example({}, (2, 3), (6, 6)), Example({"k": 1}, (None, 3), (None, None)))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        k = known(param(call, "k"))
        if not is_int(k):
            raise Unknowable()
        n = None if None in shape else dims.add(dims.product(shape), abs(k))
        return x.with_shape((n, n))


@register
class Trace(OpRule):
    """``keras.ops.trace(x, offset=0, axis1=0, axis2=1)``: ``axis1`` and ``axis2`` removed; the TensorFlow
    backend's ``eye`` needs ``-rows <= offset <= columns``."""

    names = ("keras.ops.trace",)
    params = ("x", "offset", "axis1", "axis2")
    defaults = {"offset": 0, "axis1": 0, "axis2": 1}
    examples = (
        Example({"axis1": 1, "axis2": 2}, (None, 3, 3), (None,)),
        Example({}, (2, 3, 4), (4,)),
        Example({"axis1": 1, "axis2": -1}, (2, 3), "invalid-argument"),
        Example({"offset": 5}, (2, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        a1 = axis_index(param(call, "axis1"), len(shape))
        a2 = axis_index(param(call, "axis2"), len(shape))
        if a1 == a2:
            raise ShapeError(INVALID_ARGUMENT, "`axis1` and `axis2` must be different. Received: "
                             f"axis1={param(call, 'axis1')}, axis2={param(call, 'axis2')}")
        offset = known(param(call, "offset"))
        rows, cols = shape[a1], shape[a2]
        if is_int(offset) and ((is_int(cols) and offset > cols) or (is_int(rows) and offset < -rows)):
            raise ShapeError(INVALID_ARGUMENT, f"Dimension must be >= 0: the TensorFlow backend's `trace` builds an "
                             f"eye of {dims.show(rows)} by {dims.show(cols)} with offset {offset}; Keras builds the "
                             "call, but it fails as soon as data flows.")
        if is_int(offset) and offset and is_int(rows) and is_int(cols):
            # The backend's `eye(N, M, k)` pads an eye of min(M - k, N + k): its shape is not (N, M) when the
            # offset passes a corner, and it must still broadcast against the matrices.
            n, m, k = rows, cols, offset
            core = min(m - k, n + k)  # type: ignore[operator]
            r = core + max(-k, 0) + max(n - m + k, 0)  # type: ignore[operator]
            c = core + max(k, 0) + max(m - n - k, 0)  # type: ignore[operator]
            if (r != n and 1 not in (r, n)) or (c != m and 1 not in (c, m)):
                raise ShapeError(INVALID_ARGUMENT, f"Incompatible shapes: the TensorFlow backend's `trace` builds an "
                                 f"eye of {r} by {c} for matrices of {n} by {m} with offset {k}; Keras builds the "
                                 "call, but it fails as soon as data flows.")
        dtype = x.dtype
        if dtype in ("bool", "int8", "int16"):
            dtype = "int32"
        elif dtype in ("uint8", "uint16"):
            dtype = "uint32"
        return TensorType(tuple(d for i, d in enumerate(shape) if i not in (a1, a2)), dtype)


@register
class Corrcoef(OpRule):
    """``keras.ops.corrcoef(x)``: ``x``'s shape, as Keras's symbolic build says (the data of a matrix
    ``(M, N)`` gives ``(M, M)``); the backend multiplies ``x`` by its transpose, so a vector fails once data
    flows, and for rank 3 or more its covariance ``(..., M, M)`` must broadcast with the outer product of the
    deviations ``(..., M, ..., M)``."""

    names = ("keras.ops.corrcoef",)
    params = ("x",)
    examples = (Example({}, (3, 5), (3, 5)), Example({}, (3, 3, 3), (3, 3, 3)),
                Example({}, (4,), "rank-mismatch"), Example({}, (2, 3, 4), "incompatible-shapes"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        if len(shape) == 1:
            raise ShapeError(RANK_MISMATCH, f"In[0] ndims must be >= 2: the backend's `corrcoef` multiplies "
                             f"{show_shape(shape)} by its transpose; Keras builds the call, but it fails as soon "
                             "as data flows.")
        if len(shape) >= 3:
            cov = shape[:-1] + (shape[-2],)
            outer = shape[:-1] + shape[:-1]
            broadcast_or_fail(cov, outer)
        dtype = "float64" if x.dtype == "int64" else ("float32" if x.dtype is None or "float" not in x.dtype
                                                       else x.dtype)
        return TensorType(shape, dtype)


@register
class Correlate(OpRule):
    """``keras.ops.correlate(x1, x2, mode="valid")``: two defined vectors; ``valid`` gives
    ``max - min + 1`` (the backend needs ``len(x2) <= len(x1)``), ``same`` the longer length, ``full``
    ``len(x1) + len(x2) - 1``."""

    names = ("keras.ops.correlate",)
    params = ("x1", "x2", "mode")
    defaults = {"mode": "valid"}
    examples = (
        Example({}, (5,), (3,), args=((3,),)),
        Example({"mode": "full"}, (5,), (7,), args=((3,),)),
        Example({"mode": "same"}, (3,), (5,), args=((5,),)),
        Example({}, (3,), "invalid-argument", args=((5,),)),
        Example({}, (None,), "invalid-argument", args=((3,),)),
        Example({}, (2, 3), "rank-mismatch", args=((3,),)),
        Example({"mode": "middle"}, (5,), "invalid-argument", args=((3,),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = param(call, "x1"), param(call, "x2")
        s1, s2 = _shape_arg(a), _shape_arg(b)
        for s, name in ((s1, "x1"), (s2, "x2")):
            if len(s) != 1:
                raise ShapeError(RANK_MISMATCH, f"`{name}` must be a 1-dimensional tensor, but received shape "
                                 f"{show_shape(s)}")
        n, m = s1[0], s2[0]
        if n is None or m is None:
            raise ShapeError(INVALID_ARGUMENT, "'>=' not supported between instances of 'NoneType' and 'int': "
                             f"`correlate` needs defined lengths, received {show_shape(s1)} and {show_shape(s2)}")
        mode = known(param(call, "mode"))
        if mode not in ("valid", "same", "full"):
            raise ShapeError(INVALID_ARGUMENT, f"`mode` must be either `valid`, `same`, or `full`, but received: "
                             f"{mode}")
        if not (is_int(n) and is_int(m)):
            return TensorType((dims.add(dims.add(n, m), -1) if mode == "full" else dims.unknown(),), "float32")
        if mode == "valid" and m > n:  # type: ignore[operator]
            raise ShapeError(INVALID_ARGUMENT, f"Computed output size would be negative: `correlate` in `valid` mode "
                             f"of a vector of {n} with one of {m}; Keras builds the call, but it fails as soon as "
                             "data flows.")
        length = {"valid": max(n, m) - min(n, m) + 1, "same": max(n, m), "full": n + m - 1}[mode]  # type: ignore
        return TensorType((length,), "float32")


# -- TensorFlow's matrix functions (tf.keras 2: TFOpLambda on Keras tensors) ---------------

class _TfMatrix(OpRule):
    params: ClassVar[tuple[str, ...]] = ("input",)
    #: the last two axes must be equal (a square matrix)
    square: ClassVar[bool] = False

    def matrix(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        if len(x.shape) < 2:
            raise ShapeError(RANK_MISMATCH, f"Shape must be at least rank 2 but is rank {len(x.shape)}: "
                             f"{show_shape(x.shape)}")
        if self.square and dims.differs(x.shape[-1], x.shape[-2]):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Dimensions must be equal, but are {dims.show(x.shape[-1])} and "
                             f"{dims.show(x.shape[-2])}: a square matrix is needed, not {show_shape(x.shape)}")
        return x


@register
class TfTrace(_TfMatrix):
    """``tf.linalg.trace(x)``: the last two axes summed away; rank 2 at least."""

    names = ("tensorflow.linalg.trace",)
    params = ("x",)
    keras_equivalent = "keras.ops.trace"
    examples = (Example({}, (None, 2, 3), (None,)), Example({}, (3,), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = self.matrix(call)
        return TensorType(x.shape[:-2], x.dtype)


@register
class TfDet(TfTrace):
    """``tf.linalg.det(input)``: square matrices to their determinants (the last two axes go, as
    in ``trace``)."""

    names = ("tensorflow.linalg.det",)
    params = ("input",)
    square = True
    keras_equivalent = "keras.ops.linalg.det"
    examples = (Example({}, (None, 3, 3), (None,)), Example({}, (None, 2, 3), "incompatible-shapes"))


@register
class TfInv(_TfMatrix):
    """``tf.linalg.inv(input, adjoint=False)``: square matrices, the same shape."""

    names = ("tensorflow.linalg.inv",)
    params = ("input", "adjoint")
    defaults = {"adjoint": False}
    square = True
    keras_equivalent = "keras.ops.linalg.inv"
    examples = (Example({}, (None, 3, 3), (None, 3, 3)), Example({}, (None, 2, 3), "incompatible-shapes"))

    def output(self, call: Call) -> TensorType:
        return self.matrix(call)


@register
class TfDiagPart(_TfMatrix):
    """``tf.linalg.diag_part(input, k=0)``: the main diagonal, ``min`` of the last two axes long."""

    names = ("tensorflow.linalg.diag_part",)
    params = ("input", "name", "k")
    defaults = {"k": 0}
    keras_equivalent = "keras.ops.diagonal"
    examples = (Example({}, (None, 2, 3), (None, 2)), Example({}, (3,), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = self.matrix(call)
        if known(param(call, "k")) != 0:
            raise Unknowable()
        a, b = x.shape[-2], x.shape[-1]
        if is_int(a) and is_int(b):
            d: Dim = min(a, b)  # type: ignore[type-var]
        elif dims.equal(a, b):
            d = a
        else:
            d = None if a is None or b is None else dims.unknown()
        return TensorType(x.shape[:-2] + (d,), x.dtype)


@register
class TfDiag(OpRule):
    """``tf.linalg.diag(diagonal, k=0)``: the last axis becomes a square matrix; rank 1 at least."""

    names = ("tensorflow.linalg.diag",)
    params = ("diagonal", "name", "k")
    defaults = {"k": 0}
    keras_equivalent = "keras.ops.diag"
    examples = (Example({}, (None, 3), (None, 3, 3)), Example({}, (), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "diagonal")
        if not x.shape:
            raise ShapeError(RANK_MISMATCH, "Shape must be at least rank 1 but is rank 0")
        if known(param(call, "k")) != 0:
            raise Unknowable()
        return TensorType(x.shape + (x.shape[-1],), x.dtype)


@register
class TfBandPart(_TfMatrix):
    """``tf.linalg.band_part(input, num_lower, num_upper)``: the same shape; rank 2 at least (the shape
    function takes a vector, the kernel does not)."""

    names = ("tensorflow.linalg.band_part",)
    params = ("input", "num_lower", "num_upper")
    examples = (Example({"num_lower": 0, "num_upper": -1}, (None, 3, 3), (None, 3, 3)),
                Example({"num_lower": 0, "num_upper": -1}, (3,), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        return self.matrix(call)


@register
class KBatchDot(OpRule):
    """``K.batch_dot(x, y, axes=None)`` (tf.keras 2): ranks 2 at least, one batch size; ``axes`` (an int, a
    pair, or by default ``x``'s last and ``y``'s second-to-last, or last for a matrix) never 0, of equal
    sizes.  The result is the batch, ``x``'s other axes, then ``y``'s; a matrix contributes none, and
    two matrices give ``(batch, 1)``."""

    names = ("keras.backend.batch_dot",)
    params = ("x", "y", "axes")
    defaults = {"axes": None}
    keras_equivalent = "keras.ops.einsum"
    examples = (
        Example({}, (None, 3, 4), (None, 3, 5), args=((None, 4, 5),)),
        Example({"axes": 1}, (None, 4), (None, 1), args=((None, 4),)),
        Example({"axes": [2, 1]}, (None, 3, 4), (None, 3, 5), args=((None, 4, 5),)),
        Example({"axes": 1}, (None, 3, 4), "incompatible-shapes", args=((None, 4, 5),)),
        Example({"axes": 0}, (None, 4), "invalid-argument", args=((None, 4),)),
        Example({}, (None,), "rank-mismatch", args=((None, 4),)),
        Example({}, (2, 4), "incompatible-shapes", args=((3, 4),)),
    )

    def output(self, call: Call) -> TensorType:
        x, y = tensor(call, "x"), tensor(call, "y")
        xs, ys = x.shape, y.shape
        if len(xs) < 2 or len(ys) < 2:
            raise ShapeError(RANK_MISMATCH, f"Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                             f"shapes {show_shape(xs)} and {show_shape(ys)}.")
        if is_int(xs[0]) and is_int(ys[0]) and xs[0] != ys[0]:
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Cannot do batch_dot on inputs with different batch sizes. "
                             f"Received inputs with shapes {show_shape(xs)} and {show_shape(ys)}.")
        axes = known(param(call, "axes"))
        if is_int(axes):
            axes = [axes, axes]
        if axes is None:
            axes = [len(xs) - 1, len(ys) - 1 if len(ys) == 2 else len(ys) - 2]
        if not isinstance(axes, (list, tuple)) or len(axes) != 2 or not all(is_int(a) for a in axes):
            raise Unknowable()
        a0, a1 = axes[0] + (len(xs) if axes[0] < 0 else 0), axes[1] + (len(ys) if axes[1] < 0 else 0)
        if 0 in (a0, a1):
            raise ShapeError(INVALID_ARGUMENT, "Cannot perform batch_dot over axis 0. If your inputs are not "
                             "batched, add a dummy batch dimension to your inputs using K.expand_dims(x, 0)")
        if a0 < 0 or a1 < 0:
            raise Unknowable()  # Python's negative indexing on the shape, then transposes: not followed
        if not (a0 < len(xs) and a1 < len(ys)):
            raise ShapeError(INVALID_ARGUMENT, f"batch_dot axes={list(axes)} out of range for shapes "
                             f"{show_shape(xs)} and {show_shape(ys)}")
        d1, d2 = xs[a0], ys[a1]
        if is_int(d1) and is_int(d2) and d1 != d2:
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Cannot do batch_dot on inputs with shapes {show_shape(xs)} and "
                             f"{show_shape(ys)} with axes={[a0, a1]}. x.shape[{a0}] != y.shape[{a1}] "
                             f"({d1} != {d2}).")
        batch = xs[0] if xs[0] is not None else ys[0]
        x_rest = tuple(d for i, d in enumerate(xs) if i not in (0, a0))
        y_rest = tuple(d for i, d in enumerate(ys) if i not in (0, a1))
        if len(xs) == 2 and len(ys) == 2:
            return TensorType((batch, 1), x.dtype)
        return TensorType((batch,) + x_rest + y_rest, x.dtype)
