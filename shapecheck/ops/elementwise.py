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
from .op_utils import axis_index, broadcast_all, broadcast_or_fail, param, shape_of, tensor

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
    "expm1": ("math.expm1",), "sin": ("sin", "math.sin"), "cos": ("cos", "math.cos"), "tan": ("math.tan",),
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
    "floor_divide": ("math.floordiv", "floordiv"), "mod": ("math.floormod", "math.mod", "mod"),
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
