"""Reductions (``sum``, ``mean``, ``max``, ``argmax`` …), scans and sorts along an axis, and ``top_k``."""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.findings import INVALID_ARGUMENT, ShapeError
from ..core.rules import Call, Example, OpRule, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from .op_utils import axes_indices, axis_index, is_int, known, literal_shape, param, tensor


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
                         Example({"axis": [1, 1]}, (None, 3, 4), "invalid-argument"),
                         Example({"axis": 3}, (None, 3, 4), "invalid-argument")),
        }))
        register(type(f"K_{k}", (_Reduce,), {
            "__doc__": f"``K.{k}(x, axis=None, keepdims=False)``: as ``keras.ops.{k}``.",
            "__module__": __name__, "names": (f"keras.backend.{k}",), "keras_equivalent": f"keras.ops.{k}",
            "examples": (Example({"axis": -1}, (None, 3, 4), (None, 3)),),
        }))


_register_twins()


@register
class TfEuclideanNorm(_Reduce):
    """``tf.math.reduce_euclidean_norm(input_tensor, axis=None, keepdims=False)``: as ``tf.reduce_sum``."""

    names = ("tensorflow.math.reduce_euclidean_norm",)
    params = ("input_tensor", "axis", "keepdims")
    keras_equivalent = "keras.ops.norm"
    examples = (Example({"axis": -1}, (None, 3, 4), (None, 3)),
                Example({"axis": 2}, (None, 3), "invalid-argument"))


@register
class TfCountNonzero(_Reduce):
    """``tf.math.count_nonzero(input, axis=None, keepdims=None, dtype=tf.int64)``: int64 counts."""

    names = ("tensorflow.math.count_nonzero",)
    params = ("input", "axis", "keepdims", "dtype")
    defaults = {"axis": None, "keepdims": None, "dtype": "int64"}
    keras_equivalent = "keras.ops.count_nonzero"
    examples = (Example({"axis": 1}, (None, 3, 4), (None, 4)),
                Example({"axis": 1, "keepdims": True}, (None, 3, 4), (None, 1, 4)),
                Example({"axis": -3}, (None, 3), "invalid-argument"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "input")
        keep = known(param(call, "keepdims"))
        shape = reduce_shape(x.shape, param(call, "axis"), bool(keep))  # type: ignore[arg-type]
        dtype = param(call, "dtype")
        return TensorType(shape, dtype if isinstance(dtype, str) else None)


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

    names = ("tensorflow.cumsum", "tensorflow.math.cumsum", "tensorflow.math.cumprod",
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


# -- NaN-ignoring reductions, order statistics, averages --------------------------------------

_FLOAT_PREFIXES = ("float", "bfloat", "complex")


def _float_dtype(d: Any) -> Any:
    """``result_type(d, float)``: floats stay, the rest become ``float32``."""
    if not isinstance(d, str):
        return None
    return d if d.startswith(_FLOAT_PREFIXES) else "float32"


class _NanReduce(_Reduce):
    #: the result is ``result_type(x, float)`` (means, medians, deviations)
    to_float: ClassVar[bool] = False

    def output(self, call: Call) -> TensorType:
        out = super().output(call)
        return TensorType(out.shape, _float_dtype(out.dtype)) if self.to_float else out


@register
class NanReduce(_NanReduce):
    """``keras.ops.nansum(x, axis=None, keepdims=False)``, ``nanprod``, ``nanmax``, ``nanmin``, ``ptp``: the axes
    named (all if None) removed or kept as 1; a repeated axis fails when data flows."""

    names = tuple(f"keras.ops.{n}" for n in ("nansum", "nanprod", "nanmax", "nanmin", "ptp"))
    examples = (
        Example({"axis": -1}, (None, 3, 4), (None, 3)),
        Example({"axis": (1, 2), "keepdims": True}, (None, 3, 4), (None, 1, 1)),
        Example({}, (None, 3), ()),
        Example({"axis": 2}, (None, 3), "invalid-argument"),
        Example({"axis": (1, -1)}, (None, 3), "invalid-argument"),
    )


@register
class NanMean(_NanReduce):
    """``keras.ops.nanmean(x, axis=None, keepdims=False)``, ``nanmedian``, ``nanstd``, ``nanvar``, ``median``: as
    ``nansum``, a floating-point result."""

    names = tuple(f"keras.ops.{n}" for n in ("nanmean", "nanmedian", "nanstd", "nanvar", "median"))
    to_float = True
    examples = (
        Example({"axis": 1}, (None, 3, 4), (None, 4)),
        Example({"keepdims": True}, (None, 3), (1, 1)),
        Example({"axis": -3}, (None, 3), "invalid-argument"),
    )


@register
class NanArgReduce(_Reduce):
    """``keras.ops.nanargmax(x, axis=None, keepdims=False)`` / ``nanargmin``: int32 indices; ``axis`` is one
    int (or None)."""

    names = ("keras.ops.nanargmax", "keras.ops.nanargmin")
    out_dtype = "int32"
    examples = (
        Example({"axis": -1}, (None, 10), (None,)),
        Example({"axis": 1, "keepdims": True}, (None, 4, 10), (None, 1, 10)),
        Example({"axis": (1,)}, (None, 4, 10), "invalid-argument"),
        Example({"axis": 2}, (None, 10), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        axis = known(param(call, "axis"))
        if axis is not None and not is_int(axis):
            raise ShapeError(INVALID_ARGUMENT, f"nanargmax: `axis` must be an int or None. Received: axis={axis!r}")
        return super().output(call)


@register
class CountNonzero(OpRule):
    """``keras.ops.count_nonzero(x, axis=None)``: int32 counts, the axes named (all if None) removed."""

    names = ("keras.ops.count_nonzero",)
    params = ("x", "axis")
    defaults = {"axis": None}
    examples = (
        Example({"axis": 1}, (None, 3, 4), (None, 4)),
        Example({}, (None, 3), ()),
        Example({"axis": (1, 1)}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        return TensorType(reduce_shape(x.shape, param(call, "axis"), False), "int32")  # type: ignore[arg-type]


@register
class Average(OpRule):
    """``keras.ops.average(x, axis=None, weights=None)``: ``axis`` (one int, or None for all) removed;
    ``weights`` a tensor of ``x``'s shape, or 1-D of ``x.shape[axis]`` when ``axis`` is given."""

    names = ("keras.ops.average",)
    params = ("x", "axis", "weights")
    defaults = {"axis": None, "weights": None}
    examples = (
        Example({"axis": 1}, (None, 3, 4), (None, 4)),
        Example({}, (None, 3, 4), (), args=(None, (None, 3, 4))),
        Example({}, (None, 3, 4), (None, 4), args=(1, (3,))),
        Example({}, (None, 3, 4), "invalid-argument", args=(1, (4,))),
        Example({}, (None, 3, 4), "invalid-argument", args=(None, (3, 4))),
        Example({"axis": (1, 2)}, (None, 3, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        axis = known(param(call, "axis"))
        weights = param(call, "weights")
        if axis is not None and not is_int(axis):
            raise ShapeError(INVALID_ARGUMENT, f"average: `axis` must be an int or None. Received: axis={axis!r}")
        dtype = _float_dtype(x.dtype)
        if weights is not None and not isinstance(weights, TensorType):
            if call.traced or known(weights) is None:
                raise Unknowable()
            raise ShapeError(INVALID_ARGUMENT, "average: `weights` must be a tensor (Keras reads `weights.shape`); "
                             f"received {type(weights).__name__}.")
        if isinstance(weights, TensorType) and weights.shape is None:
            raise Unknowable()
        if axis is None:
            if weights is not None and not _shape_equal(shape, weights.shape):
                raise ShapeError(INVALID_ARGUMENT, "`weights` must have the same shape as `x` when `axis=None`, but "
                                 f"received `weights.shape={show_shape(weights.shape)}` and "
                                 f"`x.shape={show_shape(shape)}`.")
            return TensorType((), dtype)
        a = axis_index(axis, len(shape))
        if weights is not None and not (_shape_equal((shape[a],), weights.shape) or
                                        _shape_equal(shape, weights.shape)):
            raise ShapeError(INVALID_ARGUMENT, f"`weights` must have the same size as `x` at `axis={axis}` but "
                             f"received `weights.shape={show_shape(weights.shape)}` while x.shape at `{axis}` is "
                             f"`{dims.show(shape[a])}`.")
        return TensorType(shape[:a] + shape[a + 1:], dtype)


def _shape_equal(a: Shape, b: Any) -> bool:
    """``shape_equal(a, b, allow_none=True)``: unless certainly different somewhere."""
    return b is not None and len(a) == len(b) and not any(dims.differs(x, y) for x, y in zip(a, b))


_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


class _Quantile(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "q", "axis", "method", "keepdims")
    defaults: ClassVar[dict[str, Any]] = {"axis": None, "method": "linear", "keepdims": False}
    #: a list ``q`` of one value adds no axis to Keras's symbolic spec (``quantile``, not ``percentile``)
    single_list_drops: ClassVar[bool] = False

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = reduce_shape(x.shape, param(call, "axis"), param(call, "keepdims"))  # type: ignore[arg-type]
        method = param(call, "method")
        if isinstance(method, str) and method not in _METHODS:
            raise ShapeError(INVALID_ARGUMENT, f"Invalid `method` {method!r}: expected one of {', '.join(_METHODS)}. "
                             "Keras builds it, but it fails as soon as data flows.")
        q = param(call, "q")
        if isinstance(q, TensorType):
            if q.shape is None:
                raise Unknowable()
            lead: tuple = tuple(q.shape) if call.traced else q.shape[:1]
        elif isinstance(q, (list, tuple)):
            if call.traced:
                q_shape = literal_shape(q)
                if q_shape is None:
                    raise Unknowable()
                lead = q_shape
            else:
                lead = () if self.single_list_drops and len(q) <= 1 else (len(q),)
        elif isinstance(q, (int, float)):
            lead = ()
        else:
            raise Unknowable()
        if call.traced and None in x.shape:  # type: ignore[operator]
            # The backend reshapes with -1 where an axis is undefined: TensorFlow's static shape loses axes.
            raise Unknowable()
        return TensorType(tuple(lead) + shape, _float_dtype(x.dtype))


@register
class Percentile(_Quantile):
    """``keras.ops.percentile(x, q, axis=None, method="linear", keepdims=False)`` / ``nanpercentile``: the
    reduced shape, led by an axis of ``len(q)`` when ``q`` is a list (or ``q.shape[0]`` for a tensor)."""

    names = ("keras.ops.percentile", "keras.ops.nanpercentile")
    examples = (
        Example({"q": 50, "axis": 1}, (None, 3, 4), (None, 4)),
        Example({"q": [10, 90], "axis": 1}, (None, 3, 4), (2, None, 4)),
        Example({"q": [10], "axis": 1}, (None, 3, 4), (1, None, 4)),
        Example({"q": 50, "method": "cubic"}, (None, 3), "invalid-argument"),
        Example({"q": 50, "axis": 2}, (None, 3), "invalid-argument"),
    )


@register
class Quantile(_Quantile):
    """``keras.ops.quantile(x, q, axis=None, method="linear", keepdims=False)`` / ``nanquantile``: as
    ``percentile``, but a list ``q`` of one value adds no axis to Keras's symbolic spec."""

    names = ("keras.ops.quantile", "keras.ops.nanquantile")
    single_list_drops = True
    examples = (
        Example({"q": 0.5, "axis": 1}, (None, 3, 4), (None, 4)),
        Example({"q": [0.1, 0.9], "axis": 1, "keepdims": True}, (None, 3, 4), (2, None, 1, 4)),
        Example({"q": [0.5], "axis": 1}, (None, 3, 4), (None, 4)),
        Example({}, (None, 3, 4), (3, None, 4), args=((3,), 1)),
        Example({"q": 0.5, "axis": (1, 1)}, (None, 3), "invalid-argument"),
    )


@register
class NanCumulativeScan(OpRule):
    """``keras.ops.nancumsum(x, axis=None, dtype=None)`` / ``nancumprod``: the same shape (flattened when
    ``axis`` is None); an axis out of range fails when data flows."""

    names = ("keras.ops.nancumsum", "keras.ops.nancumprod")
    params = ("x", "axis", "dtype")
    defaults = {"axis": None, "dtype": None}
    examples = (
        Example({"axis": 1}, (None, 3), (None, 3)),
        Example({}, (2, 3), (6,)),
        Example({}, (None, 3), (None,)),
        Example({"axis": 2}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        shape = x.shape
        assert shape is not None
        axis = known(param(call, "axis"))
        dtype = param(call, "dtype")
        out_dtype = dtype if isinstance(dtype, str) else x.dtype if dtype is None else None
        if out_dtype == "bool":
            out_dtype = "int32"
        if axis is None:
            return TensorType((None if None in shape else dims.product(shape),), out_dtype)
        if not is_int(axis):
            raise ShapeError(INVALID_ARGUMENT, f"nancumsum: `axis` must be an int or None. Received: axis={axis!r}")
        axis_index(axis, len(shape))
        return TensorType(shape, out_dtype)


@register
class Trapezoid(OpRule):
    """``keras.ops.trapezoid(y, x=None, dx=1.0, axis=-1)``: ``axis`` removed; it must be within the rank
    (Keras's symbolic spec wraps it around, the backend fails)."""

    names = ("keras.ops.trapezoid",)
    params = ("y", "x", "dx", "axis")
    defaults = {"x": None, "dx": 1.0, "axis": -1}
    examples = (
        Example({}, (None, 3, 4), (None, 3)),
        Example({"axis": 1}, (None, 3, 4), (None, 4)),
        Example({"axis": 3}, (None, 3, 4), "invalid-argument"),
        Example({"axis": -2}, (None, 3, 4), "invalid-argument"),
        Example({}, (), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        y = tensor(call, "y")
        shape = y.shape
        assert shape is not None
        axis = known(param(call, "axis"))
        if param(call, "x") is not None or not isinstance(known(param(call, "dx")), (int, float)):
            raise Unknowable()  # sample points: their shapes must fit `y` when data flows
        if axis is not None and not is_int(axis):
            raise ShapeError(INVALID_ARGUMENT, f"trapezoid: `axis` must be an int. Received: axis={axis!r}")
        if axis is None or not shape:
            raise ShapeError(INVALID_ARGUMENT, f"trapezoid needs an axis of `y` to integrate along; received "
                             f"axis={axis} for y of shape {show_shape(shape)}. Keras builds it, but it fails as "
                             "soon as data flows.")
        a = axis_index(axis, len(shape))
        if axis < -1:
            # The TensorFlow backend moves a negative axis with Python's len() of a tensor.
            raise ShapeError(INVALID_ARGUMENT, f"trapezoid: axis={axis} fails under the TensorFlow backend, which "
                             f"takes only -1 or a non-negative axis; use axis={a}. Keras builds it, but it fails "
                             "as soon as data flows.")
        return TensorType(shape[:a] + shape[a + 1:], _float_dtype(y.dtype))
