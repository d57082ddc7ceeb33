"""Functions that create tensors: from Python values (``arange``, ``zeros``, ``eye``, ``convert_to_tensor``) or
in another tensor's shape (``zeros_like``, ``full_like``).

The first kind take their shapes from literal arguments (``ops.arange(17)`` is ``(17,)``);
they are how constant tensors (position indices, masks) enter a Keras graph.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar

from ..core import dims
from ..core.findings import INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, OpRule, Unknowable, as_dim, register
from ..core.shapes import TensorType, show_shape
from .op_utils import broadcast_or_fail, broadcast_to_problem, is_int, known, literal_shape, param, shape_of, tensor


def _dtype(call: Call, default: str) -> str:
    d = param(call, "dtype")
    return d if isinstance(d, str) else default


def _shape_arg(v: Any) -> tuple:
    """A shape given as an int or a sequence of ints (symbolic sizes allowed)."""
    if is_int(v) or isinstance(v, dims.Sym):
        v = (v,)
    if not isinstance(v, (list, tuple)):
        raise Unknowable()
    out = []
    for d in v:
        if is_int(d) and d < 0:
            raise ShapeError(INVALID_ARGUMENT, f"Cannot create a tensor with a negative dimension: {tuple(v)}")
        out.append(as_dim(d))
    return tuple(out)


@register
class Arange(OpRule):
    """``arange(start, stop=None, step=1)``: a 1-D tensor of ``ceil((stop - start) / step)`` values."""

    names = ("keras.ops.arange", "tensorflow.range")
    params = ("start", "stop", "step", "dtype")
    defaults = {"stop": None, "step": 1}
    examples = (
        Example({}, None, (17,), args=(17,)),
        Example({}, None, (5,), args=(2, 12, 2)),
        Example({"start": 0, "stop": 1, "step": 0.25}, None, (4,)),
    )

    def output(self, call: Call) -> TensorType:
        start, stop, step = param(call, "start"), param(call, "stop"), param(call, "step")
        if stop is None:
            start, stop = 0, start
        numbers = (start, stop, step)
        floats = any(isinstance(v, float) for v in numbers)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers):
            return TensorType((dims.unknown(),), _dtype(call, "float32" if floats else "int32"))
        if step == 0:
            raise ShapeError(INVALID_ARGUMENT, "arange: `step` must not be zero.")
        n = max(0, math.ceil((stop - start) / step))
        return TensorType((n,), _dtype(call, "float32" if floats else "int32"))


@register
class Filled(OpRule):
    """``zeros(shape)``, ``ones(shape)``, ``empty(shape)``, ``full(shape, value)``: a tensor of that shape."""

    names = ("keras.ops.zeros", "keras.ops.ones", "keras.ops.empty", "keras.ops.full",
             "tensorflow.zeros", "tensorflow.ones", "tensorflow.fill")
    params = ("shape", "fill_value", "dtype")
    examples = (
        Example({"shape": (2, 3)}, None, (2, 3)),
        Example({"shape": 4}, None, (4,)),
    )

    def output(self, call: Call) -> TensorType:
        shape = call.kwargs.get("dims", param(call, "shape"))  # tf.fill(dims, value)
        return TensorType(_shape_arg(shape), _dtype(call, "float32"))


@register
class Eye(OpRule):
    """``eye(N, M=None)``: an ``(N, M or N)`` identity matrix."""

    names = ("keras.ops.eye", "tensorflow.eye", "tensorflow.linalg.eye")
    params = ("N", "M")
    defaults = {"M": None}
    examples = (
        Example({"N": 3}, None, (3, 3)),
        Example({"N": 2, "M": 5}, None, (2, 5)),
    )

    def output(self, call: Call) -> TensorType:
        n = call.kwargs.get("num_rows", param(call, "N"))  # tf.eye(num_rows, num_columns)
        m = call.kwargs.get("num_columns", param(call, "M"))
        if m is None:
            m = n
        return TensorType((as_dim(n), as_dim(m)), _dtype(call, "float32"))


@register
class ConvertToTensor(OpRule):
    """``convert_to_tensor(x)`` / ``tf.constant(x)``: a tensor of the literal's (or tensor's) shape."""

    names = ("keras.ops.convert_to_tensor", "keras.ops.array", "tensorflow.constant", "tensorflow.convert_to_tensor")
    params = ("x", "dtype")
    examples = (
        Example({"x": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}, None, (3, 2)),
        Example({"x": 3.0}, None, ()),
    )

    def output(self, call: Call) -> TensorType:
        x = call.kwargs.get("value", param(call, "x"))  # tf.constant(value)
        if isinstance(x, TensorType):
            return x
        shape = literal_shape(x)
        if shape is None:
            raise Unknowable()
        return TensorType(shape, _dtype(call, "float32" if _has_float(x) else "int32"))


def _has_float(v: Any) -> bool:
    if isinstance(v, float):
        return True
    if isinstance(v, (list, tuple)):
        return any(_has_float(x) for x in v)
    return False


class _Like(OpRule):
    """A tensor of ``x``'s shape; ``dtype`` (when given) replaces ``x``'s."""

    params: ClassVar[tuple[str, ...]] = ("x", "dtype")

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        dtype = param(call, "dtype")
        return replace(x, dtype=dtype if isinstance(dtype, str) else x.dtype if dtype is None else None)


@register
class ZerosLike(_Like):
    """``keras.ops.zeros_like(x, dtype=None)`` / ``ones_like``: ``x``'s shape."""

    names = ("keras.ops.zeros_like", "keras.ops.ones_like")
    examples = (
        Example({}, (None, 3), (None, 3)),
        Example({"dtype": "int32"}, (2, None, 4), (2, None, 4)),
        Example({}, (), ()),
    )


@register
class FullLike(_Like):
    """``keras.ops.full_like(x, fill_value, dtype=None)``: ``x``'s shape; a tensor ``fill_value`` must broadcast
    to it (checked when data flows)."""

    names = ("keras.ops.full_like",)
    params = ("x", "fill_value", "dtype")
    examples = (
        Example({"fill_value": 0.5}, (None, 3), (None, 3)),
        Example({}, (None, 3), (None, 3), args=((1, 3),)),
        Example({}, (None, 3), "incompatible-shapes", args=((4,),)),
    )

    def output(self, call: Call) -> TensorType:
        out = super().output(call)
        fill = param(call, "fill_value")
        fill_shape = fill.shape if isinstance(fill, TensorType) else literal_shape(fill)
        if fill_shape is not None:
            assert out.shape is not None
            # The backend broadcasts the fill value to `x`'s shape: Keras builds, then data fails.
            problem = broadcast_to_problem(fill_shape, out.shape)
            if problem:
                raise ShapeError(INCOMPATIBLE_SHAPES, f"{problem}: `fill_value` of shape {show_shape(fill_shape)} "
                                 f"cannot fill `x` of shape {show_shape(out.shape)}; Keras builds `full_like`, but "
                                 "it fails as soon as data flows.")
        return out


@register
class TfZerosLike(_Like):
    """``tf.zeros_like(input, dtype=None)`` / ``tf.ones_like``: the input's shape."""

    names = ("tensorflow.zeros_like", "tensorflow.ones_like")
    params = ("input", "dtype")
    keras_equivalent = "keras.ops.zeros_like"
    examples = (Example({}, (None, 3), (None, 3)),)


@register
class KZerosLike(_Like):
    """``K.zeros_like(x, dtype=None)`` / ``K.ones_like``: ``x``'s shape."""

    names = ("keras.backend.zeros_like", "keras.backend.ones_like")
    keras_equivalent = "keras.ops.zeros_like"
    examples = (Example({}, (None, 3), (None, 3)),)


@register
class EmptyLike(_Like):
    """``keras.ops.empty_like(x, dtype=None)``: ``x``'s shape."""

    names = ("keras.ops.empty_like",)
    examples = (Example({}, (None, 3), (None, 3)), Example({"dtype": "int32"}, (2, None), (2, None)))


def _count(call: Call, name: str, v: Any) -> Any:
    """A non-negative int count argument as a dimension (opaque when unknown)."""
    if isinstance(v, dims.Sym) or v is UNKNOWN:
        return as_dim(v)
    if not is_int(v):
        raise ShapeError(INVALID_ARGUMENT, f"`{name}` must be a non-negative integer. Received: {name}={v!r}")
    if v < 0:
        raise ShapeError(INVALID_ARGUMENT, f"`{name}` must be a non-negative integer. Received: {name}={v}")
    return v


@register
class Window(OpRule):
    """``keras.ops.hamming(x)``, ``hanning``, ``bartlett``, ``blackman``: a window of ``x`` points (an int; a
    symbolic tensor is rejected)."""

    names = ("keras.ops.bartlett", "keras.ops.blackman", "keras.ops.hamming", "keras.ops.hanning")
    params = ("x",)
    examples = (Example({"x": 5}, None, (5,)), Example({"x": 0}, None, (0,)), Example({"x": -2}, None, "invalid-argument"))

    def output(self, call: Call) -> TensorType:
        x = param(call, "x")
        if isinstance(x, TensorType):
            if call.traced and x.shape == ():
                return TensorType((dims.unknown(),), "float32")
            raise Unknowable()  # Keras rejects a symbolic tensor, accepts one made from constants
        if isinstance(x, float):
            return TensorType((dims.unknown(),), "float32")
        return TensorType((_count(call, "x", x),), "float32")


@register
class Kaiser(Window):
    """``keras.ops.kaiser(x, beta)``: a window of ``x`` points, at least one under TensorFlow."""

    names = ("keras.ops.kaiser",)
    params = ("x", "beta")
    examples = (Example({"x": 5, "beta": 0.5}, None, (5,)), Example({"x": 0, "beta": 0.5}, None, "invalid-argument"))

    def output(self, call: Call) -> TensorType:
        x = param(call, "x")
        if is_int(x) and x == 0:
            # tf.signal.kaiser_window builds a range that is empty only from one point up.
            raise ShapeError(INVALID_ARGUMENT, "kaiser: the TensorFlow backend needs at least one point. Received: x=0")
        return super().output(call)


class _Spaced(OpRule):
    """``linspace``-like: ``num`` points between ``start`` and ``stop`` (broadcast together), on a new ``axis``."""

    defaults: ClassVar[dict[str, Any]] = {"num": 50, "endpoint": True, "dtype": None, "axis": 0}

    def output(self, call: Call) -> TensorType:
        start, stop = param(call, "start"), param(call, "stop")
        base = broadcast_or_fail(shape_of(start), shape_of(stop))
        num = _count(call, "num", param(call, "num"))
        axis = known(param(call, "axis"))
        if not is_int(axis):
            raise Unknowable()
        a = axis if -len(base) - 1 <= axis <= len(base) else None
        if a is None:
            raise ShapeError(INVALID_ARGUMENT, f"axis {axis} is out of bounds for an array with dimension "
                             f"{len(base) + 1}.")
        a = a % (len(base) + 1)
        out = base[:a] + (num,) + base[a:]
        self.check(call, out, start)
        # result_type(dtype or start's, float): an integer dtype gives float32
        d = param(call, "dtype")
        if d is None:
            d = start.dtype if isinstance(start, TensorType) else "float32"
        dtype = (d if d.startswith(("float", "bfloat", "complex")) else "float32") if isinstance(d, str) else None
        return TensorType(out, dtype)

    def check(self, call: Call, out: tuple, start: Any) -> None:
        """What fails when data flows."""


@register
class Linspace(_Spaced):
    """``keras.ops.linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0)``: the
    broadcast shape of ``start`` and ``stop`` with ``num`` inserted at ``axis``; ``retstep=True`` is rejected
    on symbolic tensors."""

    names = ("keras.ops.linspace",)
    params = ("start", "stop", "num", "endpoint", "retstep", "dtype", "axis")
    defaults = {**_Spaced.defaults, "retstep": False}
    examples = (
        Example({"num": 5}, (None, 3), (5, None, 3), args=((3,),)),
        Example({"num": 4, "axis": -1}, (None, 3), (None, 3, 4), args=(1.0,)),
        Example({"start": 0.0, "stop": 1.0, "num": 7}, None, (7,)),
        Example({"num": 5, "axis": 3}, (None, 3), "invalid-argument", args=(1.0,)),
        Example({"num": 5}, (None, 3), "incompatible-shapes", args=((4,),)),
        Example({"num": 5, "retstep": True}, (None, 3), "invalid-argument", args=(1.0,)),
    )

    def output(self, call: Call) -> TensorType:
        out = super().output(call)
        retstep = known(param(call, "retstep"))
        if retstep:
            if not call.traced and any(isinstance(param(call, p), TensorType) for p in ("start", "stop")):
                raise ShapeError(INVALID_ARGUMENT, "linspace(retstep=True) returns a step that is not a tensor: on "
                                 "symbolic Keras tensors Keras raises `All operation outputs must be tensors`.")
            raise Unknowable()
        return out


@register
class Logspace(_Spaced):
    """``keras.ops.logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0)``: as ``linspace``."""

    names = ("keras.ops.logspace",)
    params = ("start", "stop", "num", "endpoint", "base", "dtype", "axis")
    defaults = {**_Spaced.defaults, "base": 10}
    examples = (
        Example({"num": 5}, (None, 3), (5, None, 3), args=((3,),)),
        Example({"num": -1}, (None, 3), "invalid-argument", args=(1.0,)),
    )


@register
class Geomspace(_Spaced):
    """``keras.ops.geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0)``: as ``linspace``; the
    backend multiplies the result by ``start``'s sign, which must broadcast to it."""

    names = ("keras.ops.geomspace",)
    params = ("start", "stop", "num", "endpoint", "dtype", "axis")
    examples = (
        Example({"num": 5}, (None, 3), (5, None, 3), args=((3,),)),
        Example({"num": 4, "axis": -1}, (2, 3), "incompatible-shapes", args=((3,),)),
    )

    def check(self, call: Call, out: tuple, start: Any) -> None:
        try:
            broadcast_or_fail(out, shape_of(start))
        except ShapeError as e:
            raise ShapeError(e.code, f"{e.message} geomspace multiplies its result by the sign of `start`: Keras "
                             "builds it, but it fails as soon as data flows.") from None


@register
class Tri(OpRule):
    """``keras.ops.tri(N, M=None, k=0, dtype=None)``: an ``(N, M or N)`` lower-triangular matrix of ones."""

    names = ("keras.ops.tri",)
    params = ("N", "M", "k", "dtype")
    defaults = {"M": None, "k": 0, "dtype": None}
    examples = (
        Example({"N": 3}, None, (3, 3)),
        Example({"N": 2, "M": 5, "k": 1}, None, (2, 5)),
        Example({"N": -1}, None, "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        n = param(call, "N")
        m = param(call, "M")
        if isinstance(n, TensorType) or isinstance(m, TensorType):
            raise Unknowable()
        n_dim = _count(call, "N", n)
        m_dim = n_dim if m is None else _count(call, "M", m)
        return TensorType((n_dim, m_dim), _dtype(call, "float32"))


@register
class Identity(OpRule):
    """``keras.ops.identity(n, dtype=None)``: an ``(n, n)`` identity matrix."""

    names = ("keras.ops.identity",)
    params = ("n", "dtype")
    defaults = {"dtype": None}
    examples = (Example({"n": 3}, None, (3, 3)), Example({"n": 2.5}, None, "invalid-argument"))

    def output(self, call: Call) -> TensorType:
        n = param(call, "n")
        if isinstance(n, TensorType):
            raise Unknowable()
        d = _count(call, "n", n)
        return TensorType((d, d), _dtype(call, "float32"))


# -- tf.keras 2 backend constructors ------------------------------------------------------

@register
class KFilled(OpRule):
    """``K.zeros(shape, dtype=None, name=None)`` / ``K.ones`` and ``K.random_normal(shape, ...)`` /
    ``K.random_uniform`` / ``tf.random.normal`` / ``tf.random.uniform``: a tensor of that shape."""

    names = ("keras.backend.zeros", "keras.backend.ones", "keras.backend.random_normal",
             "keras.backend.random_uniform", "tensorflow.random.normal", "tensorflow.random.uniform")
    params = ("shape",)
    examples = (Example({"shape": (2, 3)}, None, (2, 3)), Example({"shape": [4]}, None, (4,)))

    def output(self, call: Call) -> TensorType:
        return TensorType(_shape_arg(param(call, "shape")), _dtype(call, "float32"))


@register
class KConstant(OpRule):
    """``K.constant(value, dtype=None, shape=None)``: the value's shape, or ``shape`` (a scalar fills it)."""

    names = ("keras.backend.constant",)
    params = ("value", "dtype", "shape")
    defaults = {"dtype": None, "shape": None}
    examples = (Example({"value": [[1.0, 2.0]]}, None, (1, 2)), Example({"value": 0.0, "shape": (2, 3)}, None, (2, 3)))

    def output(self, call: Call) -> TensorType:
        shape = param(call, "shape")
        if shape is not None:
            return TensorType(_shape_arg(shape), _dtype(call, "float32"))
        return TensorType(shape_of(param(call, "value")), _dtype(call, "float32"))


@register
class KVariable(OpRule):
    """``K.variable(value, dtype=None, name=None, constraint=None)``: the value's shape."""

    names = ("keras.backend.variable",)
    params = ("value", "dtype", "name", "constraint")
    examples = (Example({"value": [[1.0, 2.0, 3.0]]}, None, (1, 3)),)

    def output(self, call: Call) -> TensorType:
        v = param(call, "value")
        if isinstance(v, TensorType):
            return v
        return TensorType(shape_of(v), _dtype(call, "float32"))
