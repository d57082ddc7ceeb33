"""Reductions (``sum``, ``mean``, ``max``, ``argmax`` …), scans and sorts along an axis, and ``top_k``."""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.findings import INVALID_ARGUMENT, ShapeError
from ..core.rules import Call, Example, OpRule, register
from ..core.shapes import Shape, TensorType, show_shape
from .op_utils import axes_indices, axis_index, is_int, known, param, tensor


def reduce_shape(shape: Shape, axis: Any, keepdims: Any) -> Shape:
    """``operation_utils.reduce_shape``: the reduced axes dropped, or kept as 1."""
    keep = known(keepdims)
    if axis is None:
        return tuple(1 for _ in shape) if keep else ()
    where = axes_indices(axis, len(shape))
    if keep:
        return tuple(1 if i in where else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in where)


_REDUCTIONS = ("sum", "mean", "max", "amax", "min", "amin", "prod", "std", "var", "any", "all", "logsumexp")


class _Reduce(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "axis", "keepdims")
    defaults: ClassVar[dict[str, Any]] = {"axis": None, "keepdims": False}
    out_dtype: ClassVar[Any] = None

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        shape = reduce_shape(x.shape, param(call, self.params[1]), param(call, self.params[2]))  # type: ignore[arg-type]
        return TensorType(shape, self.out_dtype or x.dtype)


@register
class Reduce(_Reduce):
    """``keras.ops.sum(x, axis=None, keepdims=False)`` and friends: the axes named (all if None) removed or 1."""

    names = tuple(f"keras.ops.{n}" for n in _REDUCTIONS)
    examples = (
        Example({"axis": -1}, (None, 3, 4), (None, 3)),
        Example({"axis": (1, 2), "keepdims": True}, (None, 3, 4), (None, 1, 1)),
        Example({}, (None, 3), ()),
        Example({"keepdims": True}, (None, 3), (1, 1)),
        Example({"axis": 2}, (None, 3), "invalid-argument"),
    )


@register
class ArgReduce(_Reduce):
    """``keras.ops.argmax(x, axis=None, keepdims=False)`` / ``argmin``: int32 indices, the axis removed."""

    names = ("keras.ops.argmax", "keras.ops.argmin")
    out_dtype = "int32"
    examples = (
        Example({"axis": -1}, (None, 10), (None,)),
        Example({}, (None, 10), ()),
        Example({"axis": 1, "keepdims": True}, (None, 4, 10), (None, 1, 10)),
        Example({"axis": -3}, (None, 10), "invalid-argument"),
    )


_TF_REDUCTIONS = {"sum": "reduce_sum", "mean": "reduce_mean", "max": "reduce_max", "min": "reduce_min",
                  "prod": "reduce_prod", "any": "reduce_any", "all": "reduce_all", "std": "reduce_std",
                  "var": "reduce_variance", "logsumexp": "reduce_logsumexp"}


def _register_twins() -> None:
    for k, tf_name in _TF_REDUCTIONS.items():
        tf_names = (f"tensorflow.{tf_name}", f"tensorflow.math.{tf_name}")
        if k in ("std", "var"):
            tf_names = (f"tensorflow.math.{tf_name}",)
        register(type(f"Tf_{tf_name}", (_Reduce,), {
            "__doc__": f"``tf.{tf_name}(input_tensor, axis=None, keepdims=False)``: as ``keras.ops.{k}``.",
            "__module__": __name__, "names": tf_names, "params": ("input_tensor", "axis", "keepdims"),
            "keras_equivalent": f"keras.ops.{k}",
            "examples": (Example({"axis": 1}, (None, 3, 4), (None, 4)),
                         Example({"axis": 3}, (None, 3, 4), "invalid-argument")),
        }))
        register(type(f"K_{k}", (_Reduce,), {
            "__doc__": f"``K.{k}(x, axis=None, keepdims=False)``: as ``keras.ops.{k}``.",
            "__module__": __name__, "names": (f"keras.backend.{k}",), "keras_equivalent": f"keras.ops.{k}",
            "examples": (Example({"axis": -1}, (None, 3, 4), (None, 3)),),
        }))


_register_twins()


class _TfArgReduce(OpRule):
    """``tf.argmax(input, axis=None)``: TensorFlow reduces axis 0 when none is given."""

    params: ClassVar[tuple[str, ...]] = ("input", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": None}
    default_axis: ClassVar[int] = 0

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        axis = param(call, self.params[1])
        if axis is None:
            axis = self.default_axis
        return TensorType(reduce_shape(x.shape, axis, False), "int64")  # type: ignore[arg-type]


@register
class TfArgReduce(_TfArgReduce):
    """``tf.argmax(input, axis=None)`` / ``argmin``: the axis (0 by default) removed."""

    names = ("tensorflow.argmax", "tensorflow.math.argmax", "tensorflow.argmin", "tensorflow.math.argmin")
    keras_equivalent = "keras.ops.argmax"
    examples = (Example({"axis": -1}, (None, 10), (None,)), Example({}, (4, 10), (10,)),
                Example({"axis": 2}, (None, 10), "invalid-argument"))


@register
class KArgReduce(_TfArgReduce):
    """``K.argmax(x, axis=-1)`` / ``argmin``: the axis removed."""

    names = ("keras.backend.argmax", "keras.backend.argmin")
    params = ("x", "axis")
    defaults = {"axis": -1}
    default_axis = -1
    keras_equivalent = "keras.ops.argmax"
    examples = (Example({}, (None, 10), (None,)),)


class _Scan(OpRule):
    """Same shape along an axis; flattened when ``axis`` is None (when ``flatten_none``)."""

    params: ClassVar[tuple[str, ...]] = ("x", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": None}
    flatten_none: ClassVar[bool] = True

    def output(self, call: Call) -> TensorType:
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        axis = param(call, self.params[1])
        if axis is None and self.flatten_none:
            return x.with_shape((None if None in shape else dims.product(shape),))
        if axis is not None:
            axis_index(axis, len(shape))
        return x


@register
class CumulativeScan(_Scan):
    """``keras.ops.cumsum(x, axis=None)`` / ``cumprod``: the same shape, or flattened when ``axis`` is None."""

    names = ("keras.ops.cumsum", "keras.ops.cumprod")
    examples = (
        Example({"axis": 1}, (None, 3), (None, 3)),
        Example({}, (2, 3), (6,)),
        Example({}, (None, 3), (None,)),
        Example({"axis": 2}, (None, 3), "invalid-argument"),
    )


@register
class Sort(_Scan):
    """``keras.ops.sort(x, axis=-1)`` / ``argsort``: the same shape (flattened when ``axis`` is None)."""

    names = ("keras.ops.sort", "keras.ops.argsort")
    defaults = {"axis": -1}
    examples = (
        Example({}, (None, 3), (None, 3)),
        Example({"axis": None}, (2, 3), (6,)),
        Example({"axis": 2}, (None, 3), "invalid-argument"),
    )


@register
class TfCumulativeScan(_Scan):
    """``tf.cumsum(x, axis=0)`` / ``cumprod``: the same shape."""

    names = ("tensorflow.cumsum", "tensorflow.math.cumsum", "tensorflow.math.cumprod", "tensorflow.cumprod",
             "keras.backend.cumsum", "keras.backend.cumprod")
    defaults = {"axis": 0}
    flatten_none = False
    keras_equivalent = "keras.ops.cumsum"
    examples = (Example({"axis": 1}, (None, 3), (None, 3)), Example({"axis": 2}, (None, 3), "invalid-argument"))


@register
class TfSort(_Scan):
    """``tf.sort(values, axis=-1)`` / ``tf.argsort``: the same shape."""

    names = ("tensorflow.sort", "tensorflow.argsort")
    params = ("values", "axis")
    defaults = {"axis": -1}
    flatten_none = False
    keras_equivalent = "keras.ops.sort"
    examples = (Example({}, (None, 3), (None, 3)),)


class _TopK(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "k", "sorted")
    defaults: ClassVar[dict[str, Any]] = {"k": 1}

    def output(self, call: Call) -> list[TensorType]:
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        k = param(call, "k")
        if not shape:
            raise ShapeError(INVALID_ARGUMENT, "top_k needs an input of rank 1 or more, received shape ().")
        depth = k if is_int(k) else dims.unknown()
        if is_int(k) and (k < 0 or (dims.is_known(shape[-1]) and k > shape[-1])):  # type: ignore[operator]
            raise ShapeError(INVALID_ARGUMENT, f"input must have at least k columns. Had {dims.show(shape[-1])}, "
                             f"needed {k} (input shape {show_shape(shape)}).")
        out = shape[:-1] + (depth,)
        return [TensorType(out, x.dtype), TensorType(out, "int32")]


@register
class TopK(_TopK):
    """``keras.ops.top_k(x, k)``: values and indices, the last axis becomes ``k`` (at most its size)."""

    names = ("keras.ops.top_k",)
    examples = (
        Example({"k": 3}, (None, 10), [(None, 3), (None, 3)]),
        Example({"k": 3}, (None, None), [(None, 3), (None, 3)]),
        Example({"k": 5}, (None, 4), "invalid-argument"),
    )


@register
class TfTopK(_TopK):
    """``tf.math.top_k(input, k=1)``: values and indices, the last axis becomes ``k``."""

    names = ("tensorflow.math.top_k", "tensorflow.nn.top_k")
    params = ("input", "k", "sorted")
    keras_equivalent = "keras.ops.top_k"
    examples = (Example({"k": 3}, (None, 10), [(None, 3), (None, 3)]), Example({"k": 5}, (None, 4), "invalid-argument"))
