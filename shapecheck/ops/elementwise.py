"""Elementwise functions: unary ones keep the shape, binary ones broadcast (NumPy rules).

``keras.ops`` spellings (which Python operators on tensors arrive as), their TensorFlow
twins and the tf.keras 2 backend functions (``K.square``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.findings import INVALID_ARGUMENT, ShapeError
from ..core.rules import Call, Example, OpRule, T, Unknowable, register
from ..core.shapes import TensorType
from .op_utils import axis_index, broadcast_all, broadcast_or_fail, is_int, param, shape_of, tensor

_UNARY = (
    "abs", "absolute", "negative", "square", "sqrt", "exp", "exp2", "log", "log1p", "log2", "log10", "expm1",
    "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
    "sign", "floor", "ceil", "round", "trunc", "reciprocal", "rsqrt", "relu", "relu6", "sigmoid", "softplus",
    "softsign", "silu", "swish", "gelu", "elu", "selu", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish",
    "log_sigmoid", "erf", "erfinv", "copy", "real", "imag", "conj", "conjugate", "celu", "sparse_plus",
    "squareplus", "tanh_shrink", "hard_tanh", "hard_shrink", "soft_shrink", "threshold", "nan_to_num",
)
_PREDICATES = ("logical_not", "isnan", "isinf", "isfinite")


class _SameShape(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x",)
    #: the dtype of the result, when it is not the input's
    out_dtype: ClassVar[Any] = None

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        return x if self.out_dtype is None else TensorType(x.shape, self.out_dtype)


@register
class Unary(_SameShape):
    """``keras.ops`` elementwise functions of one tensor: the output has the input's shape."""

    names = tuple(f"keras.ops.{n}" for n in _UNARY)
    examples = (
        Example({}, (None, 3), (None, 3)),
        Example({}, (2, None, 4), (2, None, 4)),
        Example({}, (), ()),
    )


@register
class Predicate(_SameShape):
    """``keras.ops.isnan`` and friends: a boolean tensor of the input's shape."""

    names = tuple(f"keras.ops.{n}" for n in _PREDICATES)
    out_dtype = "bool"
    examples = (Example({}, (None, 3), (None, 3)),)


@register
class StopGradient(_SameShape):
    """``keras.ops.stop_gradient(variable)``: the same shape."""

    names = ("keras.ops.stop_gradient",)
    params = ("variable",)
    examples = (Example({}, (None, 5), (None, 5)),)


@register
class Cast(OpRule):
    """``keras.ops.cast(x, dtype)``: the same shape in another dtype."""

    names = ("keras.ops.cast",)
    params = ("x", "dtype")
    examples = (Example({"dtype": "int32"}, (None, 5), (None, 5)),)

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        dtype = param(call, self.params[1])
        return TensorType(x.shape, dtype if isinstance(dtype, str) else None)


class _SameShapeOnAxis(OpRule):
    """Softmax-like: the same shape; ``axis`` must be within the rank."""

    params: ClassVar[tuple[str, ...]] = ("x", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": -1}

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        axis = param(call, self.params[1])
        if axis is not None:
            axis_index(axis, max(len(x.shape), 1))
        return x


@register
class Softmax(_SameShapeOnAxis):
    """``keras.ops.softmax(x, axis=-1)`` and ``log_softmax``, ``sparsemax``: the same shape."""

    names = ("keras.ops.softmax", "keras.ops.log_softmax", "keras.ops.sparsemax")
    examples = (
        Example({}, (None, 10), (None, 10)),
        Example({"axis": 1}, (None, 4, 10), (None, 4, 10)),
        Example({"axis": 3}, (None, 4, 10), "invalid-argument"),
    )


@register
class Glu(OpRule):
    """``keras.ops.glu(x, axis=-1)``: halves ``axis``, which must be even."""

    names = ("keras.ops.glu",)
    params = ("x", "axis")
    defaults = {"axis": -1}
    examples = (
        Example({}, (None, 10), (None, 5)),
        Example({}, (None, 7), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        axis = axis_index(param(call, "axis"), len(x.shape))
        size = x.shape[axis]
        if dims.is_known(size) and size % 2:
            raise ShapeError(INVALID_ARGUMENT, f"axis size must be divisible by 2. Received: "
                             f"x.shape={x.shape} with axis={param(call, 'axis')}")
        return x.with_shape(x.shape[:axis] + (dims.floordiv(size, 2),) + x.shape[axis + 1:])


_ARITHMETIC = ("add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod", "power", "maximum",
               "minimum", "arctan2", "hypot")
_COMPARISONS = ("greater", "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and",
                "logical_or", "logical_xor")


class _Binary(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x1", "x2")
    out_dtype: ClassVar[Any] = None

    def output(self, call: Call) -> TensorType:
        a, b = (param(call, p) for p in self.params[:2])
        shape = broadcast_or_fail(shape_of(a), shape_of(b))
        dtype = self.out_dtype or next((t.dtype for t in (a, b) if isinstance(t, TensorType)), "float32")
        return TensorType(shape, dtype)


@register
class Arithmetic(_Binary):
    """``x + y`` and friends: NumPy broadcasting; axes that are neither 1 nor equal cannot broadcast."""

    names = tuple(f"keras.ops.{n}" for n in _ARITHMETIC)
    examples = (
        Example({}, (None, 3), (None, 3), args=((None, 3),)),
        Example({}, (None, 3), (None, 3), args=((3,),)),
        Example({}, (None, 1, 4), (None, 5, 4), args=((5, 1),)),
        Example({}, (None, 3), (None, 3), args=(2.0,)),
        Example({}, (None, 3), (2, 3), args=((2, None),)),
        Example({}, (None, 3), "incompatible-shapes", args=((None, 4),)),
        Example({}, (None, 2, 3), "incompatible-shapes", args=((4, 3),)),
    )


@register
class Comparison(_Binary):
    """``x > y`` and friends: a boolean tensor of the broadcast shape."""

    names = tuple(f"keras.ops.{n}" for n in _COMPARISONS)
    out_dtype = "bool"
    examples = (
        Example({}, (None, 3), (None, 3), args=(0.5,)),
        Example({}, (None, 3), "incompatible-shapes", args=((None, 2),)),
    )


class _Where(OpRule):
    params: ClassVar[tuple[str, ...]] = ("condition", "x1", "x2")

    def output(self, call: Call) -> TensorType:
        values = [param(call, p) for p in self.params]
        cond, x1, x2 = values
        if (x1 is None) != (x2 is None):
            raise ShapeError(INVALID_ARGUMENT, "`x1` and `x2` either both should be `None` or both should have "
                             "non-None value.")
        if x1 is None:
            # The indices of the true elements: how many is data.
            raise Unknowable()
        shape = broadcast_all([shape_of(v) for v in values])
        dtype = next((t.dtype for t in (x1, x2) if isinstance(t, TensorType)), "float32")
        return TensorType(shape, dtype)


@register
class Where(_Where):
    """``keras.ops.where(condition, x1, x2)``: the three shapes broadcast together."""

    names = ("keras.ops.where",)
    examples = (
        Example({}, T((None, 3), "bool"), (None, 3), args=((None, 3), 0.0)),
        Example({}, T((None, 1), "bool"), (None, 4), args=((4,), (None, 1))),
        Example({}, T((None, 3), "bool"), "incompatible-shapes", args=((None, 4), 0.0)),
    )


class _Clip(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "x_min", "x_max")

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        bounds = [param(call, p) for p in self.params[1:]]
        if all(not isinstance(b, TensorType) for b in bounds):
            return x
        return x.with_shape(broadcast_all([x.shape] + [shape_of(b) for b in bounds]))


@register
class Clip(_Clip):
    """``keras.ops.clip(x, x_min, x_max)``: the shape of ``x``."""

    names = ("keras.ops.clip",)
    examples = (Example({"x_min": 0.0, "x_max": 1.0}, (None, 3), (None, 3)),)


# -- TensorFlow and the tf.keras 2 backend -------------------------------------------------

_TF_UNARY = {
    "abs": ("abs", "math.abs"), "negative": ("negative", "math.negative"), "square": ("square", "math.square"),
    "sqrt": ("sqrt", "math.sqrt"), "exp": ("exp", "math.exp"), "log": ("math.log",), "log1p": ("math.log1p",),
    "expm1": ("math.expm1",), "sin": ("sin", "math.sin"), "cos": ("cos", "math.cos"), "tan": ("math.tan", "tan"),
    "tanh": ("tanh", "math.tanh", "nn.tanh"), "sign": ("sign", "math.sign"), "floor": ("floor", "math.floor"),
    "ceil": ("math.ceil",), "round": ("round", "math.round"), "reciprocal": ("math.reciprocal",),
    "rsqrt": ("math.rsqrt",), "relu": ("nn.relu",), "relu6": ("nn.relu6",),
    "sigmoid": ("sigmoid", "math.sigmoid", "nn.sigmoid"), "softplus": ("nn.softplus", "math.softplus"),
    "softsign": ("nn.softsign", "math.softsign"), "silu": ("nn.silu", "nn.swish"), "gelu": ("nn.gelu",),
    "elu": ("nn.elu",), "selu": ("nn.selu",), "leaky_relu": ("nn.leaky_relu",), "erf": ("math.erf",),
    "stop_gradient": ("stop_gradient",), "copy": ("identity",),
    "logical_not": ("logical_not", "math.logical_not"), "isnan": ("math.is_nan",),
    "isinf": ("math.is_inf",), "isfinite": ("math.is_finite",),
}
_TF_BINARY = {
    "add": ("add", "math.add"), "subtract": ("subtract", "math.subtract"),
    "multiply": ("multiply", "math.multiply"), "divide": ("divide", "math.divide", "truediv", "math.truediv"),
    "floor_divide": ("math.floordiv",), "mod": ("math.floormod", "math.mod"),
    "power": ("pow", "math.pow"), "maximum": ("maximum", "math.maximum"), "minimum": ("minimum", "math.minimum"),
    "greater": ("greater", "math.greater"), "greater_equal": ("greater_equal", "math.greater_equal"),
    "less": ("less", "math.less"), "less_equal": ("less_equal", "math.less_equal"),
    "equal": ("equal", "math.equal"), "not_equal": ("not_equal", "math.not_equal"),
    "logical_and": ("logical_and", "math.logical_and"), "logical_or": ("logical_or", "math.logical_or"),
    "arctan2": ("math.atan2", "atan2"), "squared_difference": ("math.squared_difference",),
}
# tf.keras 2 ``K.<fn>``: keras.ops twin -> backend names
_K_UNARY = {"square": "square", "sqrt": "sqrt", "exp": "exp", "log": "log", "abs": "abs", "negative": None,
            "relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "softplus": "softplus", "softsign": "softsign",
            "elu": "elu", "sign": "sign", "round": "round", "sin": "sin", "cos": "cos",
            "stop_gradient": "stop_gradient", "hard_sigmoid": "hard_sigmoid", "copy": "identity"}
_K_BINARY = {"maximum": "maximum", "minimum": "minimum", "power": "pow", "equal": "equal",
             "not_equal": "not_equal", "greater": "greater", "greater_equal": "greater_equal", "less": "less",
             "less_equal": "less_equal"}


def _twin(base: type, keras_name: str, names: tuple[str, ...], doc: str, examples: tuple,
          **attrs: Any) -> type:
    """A rule for the TensorFlow / backend spellings of ``keras.ops.<keras_name>``."""
    prefix = "K" if names[0].startswith("keras.backend.") else "Tf"
    cls = type(f"{prefix}_{keras_name}", (base,), {
        "__doc__": doc, "names": names, "keras_equivalent": f"keras.ops.{keras_name}", "examples": examples,
        "__module__": __name__, **attrs,
    })
    return register(cls)


for _k, _paths in _TF_UNARY.items():
    _twin(_SameShape, _k, tuple(f"tensorflow.{p}" for p in _paths),
          f"``tf.{_paths[0]}``: the same shape (``keras.ops.{_k}`` under Keras 3).",
          (Example({}, (None, 3), (None, 3)),),
          params=("features",) if _paths[0].startswith("nn.") else ("x",),
          out_dtype="bool" if _k in _PREDICATES else None)

for _k, _paths in _TF_BINARY.items():
    _twin(_Binary, _k, tuple(f"tensorflow.{p}" for p in _paths),
          f"``tf.{_paths[0]}``: NumPy broadcasting (``keras.ops.{_k}`` under Keras 3).",
          (Example({}, (None, 3), (None, 3), args=((3,),)),
           Example({}, (None, 3), "incompatible-shapes", args=((4,),))),
          params=("x", "y"), out_dtype="bool" if _k in _COMPARISONS else None)

for _k, _b in _K_UNARY.items():
    if _b is not None:
        _twin(_SameShape, _k, (f"keras.backend.{_b}",), f"``K.{_b}(x)``: the same shape.",
              (Example({}, (None, 3), (None, 3)),))

for _k, _b in _K_BINARY.items():
    _twin(_Binary, _k, (f"keras.backend.{_b}",), f"``K.{_b}(x, y)``: NumPy broadcasting.",
          (Example({}, (None, 3), (None, 3), args=((3,),)),
           Example({}, (None, 3), "incompatible-shapes", args=((4,),))),
          params=("x", "a") if _b == "pow" else ("x", "y"))


@register
class TfSoftmax(_SameShapeOnAxis):
    """``tf.nn.softmax(logits, axis=None)``: the same shape; ``axis`` within the rank."""

    names = ("tensorflow.nn.softmax", "tensorflow.math.softmax", "tensorflow.nn.log_softmax",
             "tensorflow.math.log_softmax")
    params = ("logits", "axis")
    defaults = {"axis": None}
    keras_equivalent = "keras.ops.softmax"
    examples = (Example({}, (None, 10), (None, 10)), Example({"axis": 2}, (None, 10), "invalid-argument"))


@register
class KSoftmax(_SameShapeOnAxis):
    """``K.softmax(x, axis=-1)``: the same shape."""

    names = ("keras.backend.softmax",)
    keras_equivalent = "keras.ops.softmax"
    examples = (Example({}, (None, 10), (None, 10)),)


@register
class TfCast(Cast):
    """``tf.cast(x, dtype)``: the same shape in another dtype."""

    names = ("tensorflow.cast", "keras.backend.cast")
    keras_equivalent = "keras.ops.cast"
    examples = (Example({"dtype": "int32"}, (None, 5), (None, 5)),)


@register
class TfWhere(_Where):
    """``tf.where(condition, x, y)``: the three shapes broadcast together."""

    names = ("tensorflow.where",)
    params = ("condition", "x", "y")
    defaults = {"x": None, "y": None}
    keras_equivalent = "keras.ops.where"
    examples = (Example({}, T((None, 3), "bool"), (None, 3), args=((None, 3), (3,))),)


@register
class TfClip(_Clip):
    """``tf.clip_by_value(t, clip_value_min, clip_value_max)``: the shape of ``t``."""

    names = ("tensorflow.clip_by_value",)
    params = ("t", "clip_value_min", "clip_value_max")
    keras_equivalent = "keras.ops.clip"
    examples = (Example({"clip_value_min": 0.0, "clip_value_max": 1.0}, (None, 3), (None, 3)),)


@register
class KClip(_Clip):
    """``K.clip(x, min_value, max_value)``: the shape of ``x``."""

    names = ("keras.backend.clip",)
    params = ("x", "min_value", "max_value")
    keras_equivalent = "keras.ops.clip"
    examples = (Example({"min_value": 0.0, "max_value": 1.0}, (None, 3), (None, 3)),)


# -- the rest of keras.ops's elementwise functions ----------------------------------------

_FLOATS = ("float", "bfloat", "complex")


def _dtype(v: Any) -> Any:
    """The dtype of a tensor argument or a Python number; ``None`` when unknown."""
    if isinstance(v, TensorType):
        return v.dtype
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int32"
    if isinstance(v, float):
        return "float32"
    return None


def _is_int_dtype(d: Any) -> bool:
    return isinstance(d, str) and (d.startswith("int") or d.startswith("uint"))


def _not_int_dtype(d: Any) -> bool:
    """Certainly not an integer dtype: a float, complex or boolean one."""
    return isinstance(d, str) and (d == "bool" or d.startswith(_FLOATS))


def _float_result(d: Any) -> Any:
    """``result_type(d, float)``: floats stay, the rest become ``float32``."""
    if not isinstance(d, str):
        return None
    return d if d.startswith(_FLOATS) else "float32"


class _FloatUnary(_SameShape):
    #: the backend kernel takes floating-point tensors only (it fails on int and bool data)
    float_only: ClassVar[bool] = False
    #: the result is ``result_type(x, float)`` (else ``x``'s dtype)
    to_float: ClassVar[bool] = True

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        d = _dtype(param(call, self.params[0]))
        name = call.rule.names[0] if len(call.rule.names) == 1 else "this function"
        if self.float_only and isinstance(d, str) and (d == "bool" or _is_int_dtype(d)):
            raise ShapeError(INVALID_ARGUMENT, f"{name} takes floating-point tensors only: received dtype {d}. "
                             "Keras builds it, but it fails as soon as data flows; cast the input first.")
        if isinstance(d, str) and d.startswith("complex") and "keras.ops.fabs" in call.rule.names:
            raise ShapeError(INVALID_ARGUMENT, f"fabs does not support complex inputs. Received: dtype={d}")
        return TensorType(x.shape, _float_result(d) if self.to_float else d)


@register
class FloatUnary(_FloatUnary):
    """``keras.ops.cbrt(x)``, ``angle``, ``deg2rad``, ``rad2deg``, ``i0``, ``sinc``, ``fabs``: the input's shape,
    a floating-point dtype."""

    names = tuple(f"keras.ops.{n}" for n in ("angle", "cbrt", "deg2rad", "rad2deg", "i0", "sinc", "fabs"))
    examples = (
        Example({}, (None, 3), (None, 3)),
        Example({}, T((2, None, 4), "int32"), (2, None, 4)),
        Example({}, (), ()),
    )


@register
class Erfc(_FloatUnary):
    """``keras.ops.erfc(x)``: the input's shape; TensorFlow's kernel takes floats only."""

    names = ("keras.ops.erfc",)
    float_only = True
    examples = (
        Example({}, (None, 3), (None, 3)),
        Example({}, T((None, 3), "int32"), "invalid-argument"),
    )


@register
class SparseSigmoid(_FloatUnary):
    """``keras.ops.sparse_sigmoid(x)``: the input's shape and dtype; it fails on int and bool data."""

    names = ("keras.ops.sparse_sigmoid",)
    float_only = True
    to_float = False
    examples = (
        Example({}, (None, 3), (None, 3)),
        Example({}, T((None, 3), "bool"), "invalid-argument"),
    )


@register
class Signbit(_SameShape):
    """``keras.ops.signbit(x)``, ``isneginf``, ``isposinf``, ``isreal``: a boolean tensor of the input's shape."""

    names = tuple(f"keras.ops.{n}" for n in ("signbit", "isneginf", "isposinf", "isreal"))
    out_dtype = "bool"
    examples = (Example({}, (None, 3), (None, 3)), Example({}, T((2,), "int32"), (2,)))


def _int_only(name: str, *values: Any) -> None:
    """The backend casts the operands to their common dtype, which must be an integer one: a float operand, or
    only boolean ones, fail."""
    ds = [_dtype(v) for v in values]
    bad = next((d for d in ds if isinstance(d, str) and d.startswith(_FLOATS)), None)
    if bad is None and all(d == "bool" for d in ds):
        bad = "bool"
    if bad is not None:
        raise ShapeError(INVALID_ARGUMENT, f"{name} takes integer tensors only: received dtype {bad}. Keras "
                         "builds it, but it fails as soon as data flows.")


@register
class BitwiseInvert(_SameShape):
    """``keras.ops.bitwise_invert(x)`` / ``bitwise_not``: the input's shape; integer tensors only."""

    names = ("keras.ops.bitwise_invert", "keras.ops.bitwise_not")
    examples = (
        Example({}, T((None, 3), "int32"), (None, 3)),
        Example({}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        _int_only("bitwise_invert", param(call, "x"))
        return super().output(call)


@register
class SaturateCast(Cast):
    """``keras.ops.saturate_cast(x, dtype)``: the same shape in another dtype (values clipped to its range)."""

    names = ("keras.ops.saturate_cast",)
    examples = (Example({"dtype": "uint8"}, (None, 5), (None, 5)),)


class _BinaryFunction(OpRule):
    """Two operands broadcast together (NumPy rules)."""

    params: ClassVar[tuple[str, ...]] = ("x1", "x2")
    #: the result's dtype: ``"float"`` for ``result_type(x1, x2, float)``, ``"bool"``, or ``None`` for x1's
    result: ClassVar[Any] = None
    #: Keras's symbolic spec reads ``.dtype`` of both operands: a Python number is rejected
    tensors_only: ClassVar[bool] = False

    def check(self, call: Call, a: Any, b: Any) -> None:
        """Dtype requirements of the backend kernel."""

    def output(self, call: Call) -> TensorType:
        a, b = (param(call, p) for p in self.params[:2])
        if self.tensors_only and not call.traced and not (isinstance(a, TensorType) and isinstance(b, TensorType)):
            raise ShapeError(INVALID_ARGUMENT, f"{call.rule.names[0]}: both operands must be tensors on symbolic "
                             f"Keras tensors (Keras reads their `.dtype`); received {type(a).__name__} and "
                             f"{type(b).__name__}. Wrap a Python number in keras.ops.convert_to_tensor.")
        shape = broadcast_or_fail(shape_of(a), shape_of(b))
        self.check(call, a, b)
        da, db = _dtype(a), _dtype(b)
        if self.result == "bool":
            dtype: Any = "bool"
        elif self.result == "float":
            dtype = _float_result(da if isinstance(a, TensorType) else db)
        else:
            dtype = da if isinstance(a, TensorType) else db
        return TensorType(shape, dtype)


@register
class BinaryFunction(_BinaryFunction):
    """``keras.ops.fmax(x1, x2)``, ``fmin``, ``fmod``: NumPy broadcasting."""

    names = tuple(f"keras.ops.{n}" for n in ("fmax", "fmin", "fmod"))
    examples = (
        Example({}, (None, 3), (None, 3), args=((3,),)),
        Example({}, (None, 1, 4), (None, 5, 4), args=((5, 1),)),
        Example({}, (None, 3), (None, 3), args=(2.0,)),
        Example({}, (None, 3), "incompatible-shapes", args=((None, 4),)),
    )


@register
class FloatBinaryFunction(_BinaryFunction):
    """``keras.ops.logaddexp(x1, x2)``, ``logaddexp2``, ``nextafter``, ``divide_no_nan``: NumPy broadcasting,
    a floating-point result."""

    names = tuple(f"keras.ops.{n}" for n in ("logaddexp", "logaddexp2", "nextafter", "divide_no_nan"))
    result = "float"
    examples = (
        Example({}, (None, 3), (None, 3), args=((3,),)),
        Example({}, T((None, 3), "int32"), (None, 3), args=(2,)),
        Example({}, (None, 2, 3), "incompatible-shapes", args=((4, 3),)),
    )


@register
class Heaviside(_BinaryFunction):
    """``keras.ops.heaviside(x1, x2)``: NumPy broadcasting; on symbolic tensors both operands must be tensors."""

    names = ("keras.ops.heaviside",)
    result = "float"
    tensors_only = True
    examples = (
        Example({}, (None, 3), (None, 3), args=((3,),)),
        Example({}, (None, 3), "invalid-argument", args=(0.5,)),
        Example({}, (None, 3), "incompatible-shapes", args=((2,),)),
    )


@register
class Gcd(_BinaryFunction):
    """``keras.ops.gcd(x1, x2)`` / ``lcm``: NumPy broadcasting; integer operands only."""

    names = ("keras.ops.gcd", "keras.ops.lcm")
    examples = (
        Example({}, T((None, 3), "int32"), (None, 3), args=(T((3,), "int32"),)),
        Example({}, (None, 3), "invalid-argument", args=(T((3,), "int32"),)),
        Example({}, T((None, 3), "int32"), "incompatible-shapes", args=(T((2,), "int32"),)),
    )

    def check(self, call: Call, a: Any, b: Any) -> None:
        _int_only(call.rule.names[0].rsplit(".", 1)[-1] if len(call.rule.names) == 1 else "gcd/lcm", a, b)


@register
class Ldexp(_BinaryFunction):
    """``keras.ops.ldexp(x1, x2)``: NumPy broadcasting; the exponent ``x2`` must be integer."""

    names = ("keras.ops.ldexp",)
    result = "float"
    examples = (
        Example({}, (None, 3), (None, 3), args=(T((3,), "int32"),)),
        Example({}, (None, 3), "invalid-argument", args=((3,),)),
    )

    def check(self, call: Call, a: Any, b: Any) -> None:
        d = _dtype(b)
        if _not_int_dtype(d):
            raise ShapeError(INVALID_ARGUMENT, f"ldexp exponent must be an integer type. Received: x2 dtype={d}")


@register
class Isclose(_BinaryFunction):
    """``keras.ops.isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False)``: a boolean tensor of the broadcast
    shape."""

    names = ("keras.ops.isclose",)
    params = ("x1", "x2", "rtol", "atol", "equal_nan")
    result = "bool"
    examples = (
        Example({"rtol": 0.1}, (None, 3), (None, 3), args=((3,),)),
        Example({}, (None, 3), "incompatible-shapes", args=((4,),)),
    )


@register
class Allclose(OpRule):
    """``keras.ops.allclose(x1, x2, ...)``: one boolean; the operands must broadcast (checked when data flows)."""

    names = ("keras.ops.allclose",)
    params = ("x1", "x2", "rtol", "atol", "equal_nan")
    examples = (
        Example({}, (None, 3), (), args=((3,),)),
        Example({}, (None, 3), (), args=(1.0,)),
        Example({}, (None, 3), "incompatible-shapes", args=((4,),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = param(call, "x1"), param(call, "x2")
        try:
            broadcast_or_fail(shape_of(a), shape_of(b))
        except ShapeError as e:
            raise ShapeError(e.code, f"{e.message} Keras builds `allclose` (a scalar), but it fails as soon as "
                             "data flows.") from None
        return TensorType((), "bool")


@register
class Isin(OpRule):
    """``keras.ops.isin(x1, x2, assume_unique=False, invert=False)``: a boolean tensor of ``x1``'s shape."""

    names = ("keras.ops.isin",)
    params = ("x1", "x2", "assume_unique", "invert")
    examples = (
        Example({}, (None, 3), (None, 3), args=((4, 5),)),
        Example({}, (None, 3), (None, 3), args=([1.0, 2.0],)),
        Example({}, 2.0, "invalid-argument", args=((None, 3),)),
    )

    def output(self, call: Call) -> TensorType:
        x1 = param(call, "x1")
        if not isinstance(x1, TensorType) and not call.traced and isinstance(param(call, "x2"), TensorType):
            raise ShapeError(INVALID_ARGUMENT, "isin: `x1` must be a tensor when `x2` is a symbolic Keras tensor "
                             "(Keras reads `x1.shape`).")
        return TensorType(tensor(call, "x1").shape, "bool")


class _Bitwise(OpRule):
    """``bitwise_and(x, y)`` and the shifts: integer operands broadcast together, but Keras's symbolic spec is
    ``x``'s shape (the broadcast shape when the backend runs)."""

    params: ClassVar[tuple[str, ...]] = ("x", "y")
    #: ``y`` may be a Python int (the shifts)
    int_y: ClassVar[bool] = False

    def output(self, call: Call) -> TensorType:
        x, y = param(call, "x"), param(call, "y")
        name = call.rule.names[0].rsplit(".", 1)[-1] if len(call.rule.names) == 1 else "bitwise"
        if not call.traced:
            y_ok = isinstance(y, TensorType) or (self.int_y and isinstance(y, int))
            if (isinstance(y, TensorType) and not isinstance(x, TensorType)) or (isinstance(x, TensorType) and not y_ok):
                raise ShapeError(INVALID_ARGUMENT, f"{name}: on symbolic Keras tensors both operands must be tensors"
                                 f"{' (or y a Python int)' if self.int_y else ''}; Keras reads their `.dtype`.")
        shape = broadcast_or_fail(shape_of(x), shape_of(y))
        if self.int_y and is_int(y):
            _int_only(name, x)  # the backend shifts x by a Python int without casting x
        else:
            _int_only(name, x, y)
        if isinstance(x, TensorType) and not call.traced:
            shape = x.shape  # type: ignore[assignment]
        return TensorType(shape, _dtype(x) if isinstance(x, TensorType) else _dtype(y))


@register
class BitwiseBinary(_Bitwise):
    """``keras.ops.bitwise_and(x, y)``, ``bitwise_or``, ``bitwise_xor``: ``x``'s shape (Keras's symbolic spec);
    both operands integer tensors that broadcast."""

    names = ("keras.ops.bitwise_and", "keras.ops.bitwise_or", "keras.ops.bitwise_xor")
    examples = (
        Example({}, T((None, 3), "int32"), (None, 3), args=(T((3,), "int32"),)),
        Example({}, T((3,), "int32"), (3,), args=(T((2, 3), "int32"),)),
        Example({}, T((None, 3), "int32"), "invalid-argument", args=(1,)),
        Example({}, T((None, 3), "int32"), "incompatible-shapes", args=(T((4,), "int32"),)),
        Example({}, (None, 3), "invalid-argument", args=((3,),)),
    )


@register
class Shift(_Bitwise):
    """``keras.ops.left_shift(x, y)``, ``right_shift``, ``bitwise_left_shift``, ``bitwise_right_shift``: ``x``'s
    shape (Keras's symbolic spec); integer operands that broadcast, ``y`` a tensor or a Python int."""

    names = ("keras.ops.left_shift", "keras.ops.right_shift", "keras.ops.bitwise_left_shift",
             "keras.ops.bitwise_right_shift")
    int_y = True
    examples = (
        Example({}, T((None, 3), "int32"), (None, 3), args=(2,)),
        Example({}, T((None, 3), "int32"), (None, 3), args=(T((None, 1), "int32"),)),
        Example({}, T((None, 3), "int32"), "incompatible-shapes", args=(T((2,), "int32"),)),
        Example({}, T((None, 3), "bool"), "invalid-argument", args=(1,)),
    )


# -- more TensorFlow spellings (tf.keras 2: TFOpLambda on Keras tensors) ------------------

_TF_MORE_UNARY = {
    "arccos": ("acos", "math.acos"), "arcsin": ("asin", "math.asin"), "arctan": ("atan", "math.atan"),
    "sinh": ("sinh", "math.sinh"), "cosh": ("cosh", "math.cosh"), "arcsinh": ("asinh", "math.asinh"),
    "arccosh": ("acosh", "math.acosh"), "arctanh": ("atanh", "math.atanh"), "erfc": ("math.erfc",),
    "log_sigmoid": ("math.log_sigmoid",),
}
_TF_MORE_BINARY = {"divide_no_nan": ("math.divide_no_nan",), "xlogy": ("math.xlogy",), "xdivy": ("math.xdivy",)}

for _k, _paths in _TF_MORE_UNARY.items():
    _twin(_SameShape, _k, tuple(f"tensorflow.{p}" for p in _paths),
          f"``tf.{_paths[0]}``: the same shape (``keras.ops.{_k}`` under Keras 3).",
          (Example({}, (None, 3), (None, 3)),))

for _k, _paths in _TF_MORE_BINARY.items():
    _twin(_Binary, _k, tuple(f"tensorflow.{p}" for p in _paths),
          f"``tf.{_paths[0]}(x, y)``: NumPy broadcasting.",
          (Example({}, (None, 3), (None, 3), args=((3,),)),
           Example({}, (None, 3), "incompatible-shapes", args=((4,),))),
          params=("x", "y"), **({} if _k == "divide_no_nan" else {"keras_equivalent": None}))


@register
class TfDropout(OpRule):
    """``tf.nn.dropout(x, rate, noise_shape=None, seed=None)``: the same shape; ``noise_shape`` must
    broadcast to ``x``'s shape."""

    names = ("tensorflow.nn.dropout",)
    params = ("x", "rate", "noise_shape", "seed")
    defaults = {"noise_shape": None, "seed": None}
    keras_equivalent = "keras.random.dropout"
    examples = (Example({"rate": 0.5}, (None, 3), (None, 3)),)

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        if param(call, "noise_shape") is not None:
            raise Unknowable()
        return x
