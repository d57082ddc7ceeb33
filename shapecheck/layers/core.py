"""Rules for ``keras/src/layers/core``: ``InputLayer`` (and ``keras.Input``), ``Dense``."""

from __future__ import annotations

from typing import Any

from ..core import dims
from ..core.findings import AXIS_MISMATCH, INVALID_INPUT, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, InputSpec, LayerRule, T, Unknowable, register
from ..core.shapes import TensorType, show_shape

_DTYPES = {
    "float16", "float32", "float64", "bfloat16", "uint8", "uint16", "uint32", "uint64",
    "int8", "int16", "int32", "int64", "bool", "string", "complex64", "complex128",
    "float8_e4m3fn", "float8_e5m2", "int4", "uint4",
}
_DTYPE_ALIASES = {"float": "float32", "int": "int64", "str": "string", "double": "float64", "half": "float16"}


def _standardize_shape(value: Any) -> tuple:
    """``keras.backend.standardize_shape``: a tuple of non-negative ints or ``None``."""
    if value is UNKNOWN:
        raise Unknowable()
    if not isinstance(value, (list, tuple, str)):
        raise ShapeError(INVALID_INPUT, f"Cannot convert '{value!r}' to a shape.")
    out: list = []
    for d in value:
        if d is UNKNOWN:
            out.append(dims.unknown())
            continue
        if d is None or isinstance(d, dims.Sym):
            out.append(None if d is None else d)
            continue
        if isinstance(d, bool) or not isinstance(d, int):
            raise ShapeError(INVALID_INPUT, f"Cannot convert '{tuple(value)!r}' to a shape. Found invalid "
                             f"dimension '{d}' of type '{type(d).__name__}'.")
        if d < 0:
            raise ShapeError(INVALID_INPUT, f"Cannot convert '{tuple(value)!r}' to a shape. "
                             "Negative dimensions are not allowed.")
        out.append(d)
    return tuple(out)


def standardize_dtype(value: Any) -> Any:
    if value is None:
        return "float32"
    if not isinstance(value, str):
        return UNKNOWN
    value = _DTYPE_ALIASES.get(value, value)
    if value not in _DTYPES:
        raise ShapeError(INVALID_INPUT, f"Invalid dtype: {value}")
    return value


@register
class InputLayer(LayerRule):
    """The model's entry point: ``keras.Input(shape, batch_size, ...)`` / ``InputLayer``.

    Every ``ValueError`` the constructor raises for contradictory arguments is a
    finding at the call; the output is ``(batch_size,) + shape`` (or ``batch_shape``,
    or the wrapped ``tensor``'s shape).
    """

    names = ("InputLayer",)
    functions = ("Input",)
    params = ("shape", "batch_size", "dtype", "sparse", "ragged", "batch_shape", "name", "tensor", "optional")
    defaults = {"shape": None, "batch_size": None, "dtype": None, "sparse": None, "ragged": None,
                "batch_shape": None, "name": None, "optional": False}
    examples = (
        Example({"shape": (28, 28)}, None, (None, 28, 28)),
        Example({"shape": (32,), "batch_size": 8}, None, (8, 32)),
        Example({"batch_shape": (4, None, 3)}, None, (4, None, 3)),
        Example({"shape": (28, -1)}, None, "invalid-input"),
        Example({}, None, "invalid-input"),
        Example({"shape": (3,), "batch_shape": (None, 3)}, None, "invalid-input"),
        Example({"batch_size": 2, "batch_shape": (2, 3)}, None, "invalid-input"),
        Example({"shape": (3,), "sparse": True, "ragged": True}, None, "invalid-input"),
        Example({"shape": (2.5,)}, None, "invalid-input"),
        Example({"shape": (4,)}, None, "invalid-input", call_kwargs={"tensor": T((4, 3))}),
        Example({}, None, (4, 3), call_kwargs={"tensor": T((4, 3))}),
    )

    def _batch_shape(self, call: Call) -> tuple:
        cfg = call.config
        shape = cfg.get("input_shape", cfg["shape"]) if cfg.get("shape") is None else cfg["shape"]
        batch_shape = cfg.get("batch_input_shape", cfg["batch_shape"]) if cfg["batch_shape"] is None \
            else cfg["batch_shape"]
        batch_size = cfg["batch_size"]
        tensor = call.kwargs.get("tensor", call.config.get("tensor"))
        if isinstance(tensor, TensorType):
            t_shape = tensor.shape
            if t_shape is None:
                raise Unknowable()
            if batch_size not in (None, UNKNOWN) and (len(t_shape) < 1 or dims.differs(t_shape[0], batch_size)):
                raise ShapeError(INVALID_INPUT, "When providing the `input_tensor` argument, you cannot provide "
                                 "an incompatible `batch_size` argument.")
            if shape not in (None, UNKNOWN):
                s = _standardize_shape(shape)
                if len(s) != len(t_shape) - 1 or any(dims.differs(a, b) for a, b in zip(s, t_shape[1:])) \
                        or any((a is None) != (b is None) for a, b in zip(s, t_shape[1:])):
                    raise ShapeError(INVALID_INPUT, "When providing the `input_tensor` argument, you cannot "
                                     "provide an incompatible `shape` argument.")
            dtype = cfg["dtype"]
            if isinstance(dtype, str) and tensor.dtype and standardize_dtype(dtype) != tensor.dtype:
                raise ShapeError(INVALID_INPUT, "When providing the `input_tensor` argument, you cannot provide "
                                 "an incompatible `dtype` argument.")
            return t_shape
        if shape is not None and batch_shape is not None:
            raise ShapeError(INVALID_INPUT, "You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ShapeError(INVALID_INPUT, "You cannot pass both `batch_size` and `batch_shape` at the same time.")
        if shape is None and batch_shape is None:
            raise ShapeError(INVALID_INPUT, "You must pass a `shape` argument.")
        if shape is not None:
            if shape is UNKNOWN:
                raise Unknowable()
            if isinstance(shape, int) and not isinstance(shape, bool):
                raise ShapeError(INVALID_INPUT, f"Cannot convert '{shape}' to a shape.")
            s = _standardize_shape(shape)
            b = dims.unknown() if batch_size is UNKNOWN else batch_size
            return _standardize_shape((b,) + s)
        return _standardize_shape(batch_shape)

    def check_config(self, call: Call) -> None:
        if call.config.get("sparse") is True and call.config.get("ragged") is True:
            raise ShapeError(INVALID_INPUT, "KerasTensor cannot have `sparse=True` and `ragged=True` at the "
                             "same time.")

    def output(self, call: Call) -> TensorType:
        shape = self._batch_shape(call)
        dtype = standardize_dtype(call.config["dtype"])
        return TensorType(shape, None if dtype is UNKNOWN else dtype,
                          sparse=call.config["sparse"] is True, ragged=call.config["ragged"] is True)


@register
class Dense(LayerRule):
    """Densely-connected layer: the last axis becomes ``units``; the weights fix the input's last axis."""

    names = ("Dense",)
    params = ("units", "activation", "use_bias")
    spec = InputSpec(min_ndim=2)
    examples = (
        Example({"units": 16}, (None, 32), (None, 16)),
        Example({"units": 4}, (None, 10, 32), (None, 10, 4)),
        Example({"units": 4}, (None,), "rank-mismatch"),
        Example({"units": 4}, (None, None), "axis-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        if shape[-1] is None:
            # Keras cannot create the kernel without the last axis.
            raise ShapeError(AXIS_MISMATCH, f'Layer "{call.name}" needs a known last axis to create its kernel, '
                             f"but received input with shape {show_shape(shape)}: the last dimension of the "
                             "inputs to a Dense layer should be defined. Found None.")
        return call.input.with_shape(shape[:-1] + (call.dim("units"),))

    def built_spec(self, call: Call) -> InputSpec:
        return InputSpec.fixed({-1: call.shape[-1]}, min_ndim=2)
