"""Rules for the common ``keras/src/layers/preprocessing`` layers used inside models.

``Rescaling`` and ``Normalization`` keep the shape (the image layers, ``Resizing`` and the
augmentations among them, are in :mod:`.image_preprocessing`, as in Keras).  The categorical
layers (``CategoryEncoding``, ``Discretization``, ``Hashing``, ``HashedCrossing``,
``StringLookup``, ``IntegerLookup``, ``TextVectorization``) encode over a number of tokens;
``MelSpectrogram`` and ``STFTSpectrogram`` frame audio.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import (
    AXIS_MISMATCH,
    INCOMPATIBLE_SHAPES,
    INPUT_COUNT,
    INVALID_ARGUMENT,
    RANK_MISMATCH,
    ShapeError,
)
from ..core.ir import UNKNOWN
from ..core.rules import (
    FLOATING, INTEGER, NUMERIC, STRING, T, Call, Example, InputSpec, LayerRule, Unknowable, count, known_int,
    register,
)
from ..core.shapes import Shape, TensorType, broadcast, show_shape
from ..ops.op_utils import literal_shape
from . import conv_utils


@register
class Rescaling(LayerRule):
    """``x * scale + offset``: same shape (Keras's symbolic shape, whatever broadcasting does).

    A ``scale`` or ``offset`` array that cannot broadcast against the input fails as soon as
    data flows. Under the global ``channels_first`` format Keras reshapes a ``scale`` of rank
    1-2 to ``(c, 1, 1)`` first. ``data_format`` is not a constructor argument: the front end
    fills in the file's global format; when it cannot tell, a ``scale`` is reported only
    when it fails both ways.
    """

    weightless = True

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    names = ("Rescaling",)
    params = ("scale", "offset")
    defaults = {"offset": 0.0, "data_format": None}
    examples = (
        Example({"scale": 1.0 / 255}, (None, 28, 28), (None, 28, 28)),
        Example({"scale": 2.0, "offset": -1.0}, (None, 8), (None, 8)),
        Example({"scale": [0.5, 0.5, 0.5]}, (None, 4, 4, 3), (None, 4, 4, 3)),
        Example({"scale": [0.5, 0.5]}, (None, 3), "incompatible-shapes"),
        Example({"scale": 1.0, "offset": [1.0, 2.0]}, (None, 4, 3), "incompatible-shapes"),
        Example({"scale": [0.5, 0.5, 0.5], "offset": [0.5, 0.5]}, (None, 1), "incompatible-shapes"),
    )

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = call.get("data_format")
        scale, offset = literal_shape(call.get("scale")), literal_shape(call.get("offset"))
        scales: list = [None] if scale is None else (
            [scale] if fmt != conv_utils.CHANNELS_FIRST or not 0 < len(scale) < 3 else [])
        if scale is not None and 0 < len(scale) < 3 and fmt not in (None, conv_utils.CHANNELS_LAST):
            scales.append(scale + (1,) * (3 - len(scale)))
        # Data flow x * scale + offset: reported when it fails for every way the format could be.
        failures = []
        for way in scales:
            product = shape if way is None else broadcast(shape, way)
            if product is None:
                failures.append(("scale", scale))
            elif offset is not None and broadcast(product, offset) is None:
                failures.append(("offset", offset))
            else:
                return call.input.with_shape(shape)
        key, value = failures[0]
        raise ShapeError(INCOMPATIBLE_SHAPES, f'Layer "{call.name}": `{key}` of shape {show_shape(value)} does not '
                         f"broadcast against inputs of shape {show_shape(shape)} (times `scale`); Keras builds the "
                         "layer, but it fails as soon as data flows.")


@register
class Normalization(LayerRule):
    """Feature-wise ``(x - mean) / sqrt(var)``: same shape. The kept ``axis`` must be in range
    and defined when the layer is built; a ``mean``/``variance`` given directly must match
    each other and broadcast to the kept axes."""

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    names = ("Normalization",)
    params = ("axis", "mean", "variance", "invert")
    defaults = {"axis": -1, "mean": None, "variance": None}
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"mean": 0.5, "variance": 0.25}, (None, 8), (None, 8)),
        Example({"axis": (1, 2), "mean": [1.0, 2.0], "variance": [1.0, 1.0]}, (None, 3, 2), (None, 3, 2)),
        Example({"axis": None}, (None, 3), (None, 3)),
        Example({"axis": 2}, (None, 3), "invalid-argument"),
        Example({"axis": (1, -1)}, (None, 3), "invalid-argument"),
        Example({"axis": 1}, (None, None, 3), "axis-mismatch"),
        Example({"mean": [1.0, 2.0], "variance": [1.0, 2.0]}, (None, 3), "incompatible-shapes"),
        Example({"mean": [1.0, 2.0]}, (None, 2), "invalid-argument"),
        Example({"mean": [[1.0]], "variance": [[1.0]]}, (None, 2), "invalid-argument"),
    )

    @staticmethod
    def _axes(call: Call) -> Optional[tuple]:
        axis = call.get("axis")
        if axis is None:
            return ()
        if isinstance(axis, int) and not isinstance(axis, bool):
            return (axis,)
        if isinstance(axis, (list, tuple)) and all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            return tuple(axis)
        return None

    def check_config(self, call: Call) -> None:
        mean, variance = call.get("mean"), call.get("variance")
        if UNKNOWN in (mean, variance):
            return
        if (mean is None) != (variance is None):
            raise ShapeError(INVALID_ARGUMENT, "When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean!r} and variance={variance!r}")
        ms, vs = literal_shape(mean), literal_shape(variance)
        if mean is None or ms is None or vs is None:
            return
        if ms != vs:
            raise ShapeError(INVALID_ARGUMENT, "When setting values directly, `mean` and `variance` must have the "
                             f"same shape. Received: mean shape {ms} and variance shape {vs}")
        axes = self._axes(call)
        if axes is not None and len(ms) > len(axes):
            raise ShapeError(INVALID_ARGUMENT, f"The rank of `mean` must be less than or equal to the number of "
                             f"axes ({len(axes)}). Received: mean shape {ms} for axis {axes}")

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        axes = self._axes(call)
        if axes is None or call.built:
            return call.input.with_shape(shape)
        ndim = len(shape)
        if any(not -ndim <= a < ndim for a in axes):
            raise ShapeError(INVALID_ARGUMENT, f"All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={axes}")
        keep = sorted(a % ndim for a in axes)
        if call.get("mean") is None and any(keep.count(d) > 1 and dims.is_known(shape[d]) and shape[d] != 1
                                            for d in keep):
            raise ShapeError(INVALID_ARGUMENT, f"`axis={axes}` names an axis twice for inputs of rank {ndim}: Keras "
                             "builds the layer, but its statistics cannot be reshaped once data flows.")
        for d in keep:
            if shape[d] is None:
                raise ShapeError(AXIS_MISMATCH, f"All `axis` values to be kept must have a known shape. Received "
                                 f"axis={axes}, inputs.shape={show_shape(shape)}, with unknown axis at index {d}")
        mean = literal_shape(call.get("mean"))
        if mean:
            for i in range(1, min(len(mean), len(keep)) + 1):
                size = shape[keep[-i]]
                if mean[-i] != 1 and dims.differs(size, mean[-i]):
                    raise ShapeError(INCOMPATIBLE_SHAPES, f'Layer "{call.name}": `mean` of shape {mean} does not '
                                     f"broadcast to the kept axes {tuple(keep)} of inputs shaped {show_shape(shape)}")
        return call.input.with_shape(shape)

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """Without ``mean``/``variance``: ``mean`` and ``variance`` shaped like the kept axes and a scalar
        ``count``, none trained; with them, no weights."""
        mean = call.get("mean")
        if mean is UNKNOWN:
            raise Unknowable()
        if mean is not None:
            return (0, 0)
        axes = self._axes(call)
        if axes is None:
            raise Unknowable()
        shape = call.shape
        keep = sorted({a % len(shape) for a in axes})
        return (0, 2 * count([shape[d] for d in keep]) + 1)


# -- categorical encodings ------------------------------------------------------------
#
# ``CategoryEncoding``, ``Discretization``, ``Hashing``, ``HashedCrossing``, the lookup
# layers and ``TextVectorization`` share one piece of arithmetic: an encoding
# (``one_hot``, ``multi_hot``, ``count``, ``tf_idf``) adds or replaces the last axis by
# the number of tokens, the *depth*.  The rules follow each layer's
# ``compute_output_shape`` (what Keras gives a symbolic tensor) exactly, quirks included,
# and report the failures of its ``call`` on data that no input value avoids.


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _bad(message: str) -> ShapeError:
    return ShapeError(INVALID_ARGUMENT, message)


def _keras3_only(call: Call) -> None:
    """tf.keras 2 runs these layers' ``call`` on symbolic tensors, with other shapes and other
    errors (one-hot of a rank-2 input, more than two crossed features, the lookup encodings);
    the rules below follow Keras 3 only, and say nothing under ``--keras-version 2``."""
    if call.keras_version < 3:
        raise Unknowable()


def _mode(call: Call, allowed: tuple[str, ...], aliases: Optional[dict] = None) -> Optional[str]:
    """``output_mode`` after Keras's aliases; ``None`` when the front end could not follow it.

    Raises what ``argument_validation.validate_string_arg`` raises for any other value.
    """
    v = call.get("output_mode")
    if v is UNKNOWN:
        return None
    v = (aliases or {}).get(v, v) if isinstance(v, str) else v
    if not isinstance(v, str) or v not in allowed:
        raise _bad(f"Unknown value for `output_mode` argument of {call.rule.names[0]}. Allowed values are: "
                   f"{allowed}. Received: output_mode={v}")
    return v


def _depth(v: Any) -> Dim:
    """A token count from config as a dimension: opaque when not followed."""
    if isinstance(v, bool):
        return int(v)
    if _is_int(v) or isinstance(v, dims.Sym):
        return v
    return dims.unknown()


def _policy(call: Call, default: str) -> tuple[str, str]:
    """The layer's ``dtype`` as (variable dtype, compute dtype): ``"mixed_float16"`` is
    ``("float32", "float16")``; ``default`` when not given (or not followed)."""
    v = call.get("dtype")
    if not isinstance(v, str):
        return default, default
    if v.startswith("mixed_"):
        return "float32", v[len("mixed_"):]
    return v, v


def _check_bincount(call: Call, variable_dtype: str, mode: str, shape: Shape) -> None:
    """TensorFlow's dense ``bincount`` path of ``multi_hot`` / ``count`` (inputs of rank <= 2) has
    no half-precision kernel: the call fails on data (the sparse one has)."""
    if call.get("sparse") is not False:
        return
    if variable_dtype in ("float16", "bfloat16") and mode in ("multi_hot", "count") and len(shape) <= 2:
        raise _bad(f"`output_mode='{mode}'` with `dtype='{variable_dtype}'` fails when data flows: TensorFlow's "
                   f"bincount has no {variable_dtype} kernel (input shape {show_shape(shape)}).")


def _is_one(d: Dim) -> bool:
    """Keras's ``shape[-1] == 1`` on a symbolic shape (``None == 1`` is false)."""
    if d is None:
        return False
    eq = dims.equal(d, 1)
    if eq is None:
        raise Unknowable()
    return eq


def _encoded(shape: Shape, mode: str, depth: Dim) -> Shape:
    """``IndexLookup.compute_output_shape`` (and ``CategoryEncoding``'s, which agrees with it)."""
    if mode == "int":
        return shape
    if mode == "one_hot":
        if len(shape) > 1 and _is_one(shape[-1]):
            return shape[:-1] + (depth,)
        return shape + (depth,)
    return shape[:-1] + (depth,)


@register
class CategoryEncoding(LayerRule):
    """Encodes integer ids: ``one_hot`` adds an axis of ``num_tokens`` (replacing a last axis of
    1), ``multi_hot`` and ``count`` replace the last axis by ``num_tokens``."""

    weightless = True

    output_dtype = "rule"

    accepts = NUMERIC  # (int8 and uint8 fail in an eager call, but run in predict and fit)
    names = ("CategoryEncoding",)
    params = ("num_tokens", "output_mode", "sparse")
    defaults = {"num_tokens": None, "output_mode": "multi_hot", "sparse": False}
    examples = (
        Example({"num_tokens": 10}, T((None, 4), "int32"), (None, 10)),
        Example({"num_tokens": 10, "output_mode": "one_hot"}, T((None, 1), "int32"), (None, 10)),
        Example({"num_tokens": 10, "output_mode": "one_hot"}, T((None, 3), "int32"), (None, 3, 10)),
        Example({"num_tokens": 5, "output_mode": "count"}, T((None,), "int32"), (5,)),
        Example({"num_tokens": 0}, T((None, 4), "int32"), "invalid-argument"),
        Example({"num_tokens": 4, "output_mode": "int"}, T((None, 4), "int32"), "invalid-argument"),
        Example({}, T((None, 4), "int32"), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _keras3_only(call)
        _mode(call, ("count", "one_hot", "multi_hot"), {"binary": "multi_hot"})
        n = call.get("num_tokens")
        if n is None:
            raise _bad("num_tokens must be set to use this layer. If the number of tokens is not known "
                       "beforehand, use the IntegerLookup layer instead.")
        if n is UNKNOWN or isinstance(n, dims.Sym):
            return
        if not _is_number(n) and not isinstance(n, bool):
            raise _bad(f"`num_tokens` must be an integer. Received: num_tokens={n!r}")
        if n < 1:
            raise _bad(f"`num_tokens` must be >= 1. Received: num_tokens={n}.")
        if isinstance(n, float):  # the output shape cannot hold it
            raise _bad(f"Cannot convert '(..., {n})' to a shape: `num_tokens` must be an integer.")

    def output(self, call: Call) -> TensorType:
        mode = _mode(call, ("count", "one_hot", "multi_hot"), {"binary": "multi_hot"})
        shape = call.shape
        if mode is None:
            raise Unknowable()
        variable, compute = _policy(call, "float32")
        _check_bincount(call, variable, mode, shape)
        depth = _depth(call.get("num_tokens"))
        out = (depth,) if not shape else _encoded(shape, mode, depth)
        return TensorType(out, compute)


def _sorted_numbers(v: Any) -> bool:
    return all(_is_number(x) for x in v) and all(a <= b for a, b in zip(v, v[1:]))


@register
class Discretization(LayerRule):
    """Buckets numbers by ``bin_boundaries`` (``len + 1`` buckets) or ``num_bins``.

    ``int`` keeps the shape; ``one_hot`` adds an axis of buckets (replacing a last axis of 1);
    ``multi_hot`` and ``count`` follow Keras's ``compute_output_shape``, which drops axis 1:
    ``(batch, d1, d2, ...)`` -> ``(batch, d2, ..., buckets)``, and a rank-1 input gives
    ``(buckets,)``.  A layer given only ``num_bins`` needs ``adapt()`` before data flows; its
    symbolic call is fine, so it is not reported.
    """

    weightless = True

    output_dtype = "rule"

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("Discretization",)
    params = ("bin_boundaries", "num_bins", "epsilon", "output_mode", "sparse", "dtype", "name")
    defaults = {"bin_boundaries": None, "num_bins": None, "output_mode": "int", "sparse": False}
    _MODES = ("int", "one_hot", "multi_hot", "count")
    examples = (
        Example({"bin_boundaries": [0.0, 1.0, 2.0]}, (None, 4), (None, 4)),
        Example({"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"}, (None, 4), (None, 4, 3)),
        Example({"bin_boundaries": [0.0, 1.0], "output_mode": "multi_hot"}, (None, 4, 5), (None, 5, 3)),
        Example({"num_bins": 4, "output_mode": "count"}, (None, None), (None, 4)),
        Example({}, (None, 4), "invalid-argument"),
        Example({"bin_boundaries": [0.0], "num_bins": 2}, (None, 4), "invalid-argument"),
        Example({"bin_boundaries": [2.0, 1.0]}, (None, 4), "invalid-argument"),
    )

    def keeps(self, call: Call) -> tuple[bool, bool]:
        # only the ids (`output_mode="int"`) keep a sparse or ragged input's kind; encodings are dense
        return super().keeps(call) if call.get("output_mode") == "int" else (False, False)

    def check_config(self, call: Call) -> None:
        _keras3_only(call)
        sparse, mode = call.get("sparse"), call.get("output_mode")
        if sparse is True and mode == "int":
            raise _bad("`sparse=True` may only be used if `output_mode` is `'one_hot'`, `'multi_hot'`, or "
                       f"`'count'`. Received: sparse={sparse} and output_mode={mode}")
        _mode(call, self._MODES)
        n, bounds = call.get("num_bins"), call.get("bin_boundaries")
        if n is not None and n is not UNKNOWN and not isinstance(n, dims.Sym):
            if not _is_number(n) and not isinstance(n, bool):
                raise _bad(f"`num_bins` must be an integer. Received: num_bins={n!r}")
            if n < 0:
                raise _bad(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={n}`")
        if n is not None and bounds is not None and n is not UNKNOWN and bounds is not UNKNOWN:
            raise _bad("Both `num_bins` and `bin_boundaries` should not be set. "
                       f"Received: `num_bins={n}` and `bin_boundaries={bounds}`")
        if n is None and bounds is None:
            raise _bad("You need to set either `num_bins` or `bin_boundaries`.")

    def output(self, call: Call) -> TensorType:
        mode = _mode(call, self._MODES)
        shape = call.shape
        if mode is None:
            raise Unknowable()
        bounds = call.get("bin_boundaries")
        if isinstance(bounds, (list, tuple)) and not _sorted_numbers(bounds) \
                and all(_is_number(x) for x in bounds):
            # ``digitize`` on data: "boundaries must be sorted".
            raise _bad(f"`bin_boundaries` must be sorted in increasing order. Received: bin_boundaries={bounds}")
        if mode == "int":
            return TensorType(shape, "int32")
        if isinstance(bounds, (list, tuple)):
            depth: Dim = len(bounds) + 1
        elif bounds is None:
            depth = _depth(call.get("num_bins"))
        else:
            depth = dims.unknown()
        if mode == "one_hot":
            if shape and len(shape) > 1 and _is_one(shape[-1]):
                out = shape[:-1] + (depth,)
            else:
                out = shape + (depth,)
        elif len(shape) >= 2:
            out = (shape[0],) + shape[2:] + (depth,)
        else:
            out = (depth,)
        return TensorType(out, "float32")


def _check_salt(salt: Any, owner: str) -> None:
    if salt is None or salt is UNKNOWN:
        return
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return
    if isinstance(salt, int):
        return
    raise _bad(f"The `salt` argument for `{owner}` can only be a tuple of size 2 integers, or a single integer. "
               f"Received: salt={salt}.")


@register
class Hashing(LayerRule):
    """Hashes values into ``num_bins`` buckets: ``int`` keeps the shape (int64); the other
    modes replace the last axis by ``num_bins`` (``one_hot`` included, as Keras's symbolic
    output does)."""

    weightless = True

    output_dtype = "rule"

    keeps_sparse = True
    keeps_ragged = True
    names = ("Hashing",)
    params = ("num_bins", "mask_value", "salt", "output_mode", "sparse")
    defaults = {"output_mode": "int", "sparse": False, "salt": None}
    _MODES = ("int", "one_hot", "multi_hot", "count")
    examples = (
        Example({"num_bins": 8}, T((None, 3), "int64"), (None, 3)),
        Example({"num_bins": 8, "output_mode": "multi_hot"}, T((None, 3), "int64"), (None, 8)),
        Example({"num_bins": 8, "output_mode": "one_hot"}, T((None, None), "string"), (None, 8)),
        Example({"num_bins": 0}, T((None, 3), "int64"), "invalid-argument"),
        Example({"num_bins": 8, "salt": 1.5}, T((None, 3), "int64"), "invalid-argument"),
        Example({"num_bins": 8, "sparse": True}, T((None, 3), "int64"), "invalid-argument"),
    )

    def keeps(self, call: Call) -> tuple[bool, bool]:
        # only the ids (`output_mode="int"`) keep a sparse or ragged input's kind; encodings are dense
        return super().keeps(call) if call.get("output_mode") == "int" else (False, False)

    def check_config(self, call: Call) -> None:
        _keras3_only(call)
        n = call.get("num_bins")
        if n is None or (n is not UNKNOWN and not isinstance(n, dims.Sym)
                         and (not (_is_number(n) or isinstance(n, bool)) or n <= 0)):
            raise _bad(f"The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: num_bins={n}.")
        mode, dtype = call.get("output_mode"), call.get("dtype")
        if mode == "int" and isinstance(dtype, str) and dtype not in ("int32", "int64"):
            raise _bad(f"When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                       f"Received: dtype={dtype}")
        if mode is not UNKNOWN and mode not in self._MODES:
            raise _bad(f"Invalid value for argument `output_mode`. Expected one of {self._MODES}. "
                       f"Received: output_mode={mode}")
        if call.get("sparse") is True and mode == "int":
            raise _bad("`sparse` may only be true if `output_mode` is `\"one_hot\"`, `\"multi_hot\"`, or "
                       f"`\"count\"`. Received: sparse=True and output_mode={mode}")
        _check_salt(call.get("salt"), "Hashing")

    def output(self, call: Call) -> TensorType:
        mode = call.get("output_mode")
        shape = call.shape
        if mode is UNKNOWN:
            raise Unknowable()
        if mode == "int":
            return TensorType(shape, _policy(call, "int64")[0])
        # The output has the variable dtype (float32 under a mixed policy).
        variable = _policy(call, "float32")[0]
        _check_bincount(call, variable, mode, shape)
        depth = _depth(call.get("num_bins"))
        return TensorType(shape[:-1] + (depth,), variable)


@register
class HashedCrossing(LayerRule):
    """Crosses two features (``[a, b]``, each ``(batch,)`` or ``(batch, 1)``) into ``num_bins``
    buckets: ``int`` keeps the first input's shape, ``one_hot`` adds (or replaces a last axis
    of 1 with) ``num_bins``.

    Keras's symbolic call accepts exactly two inputs whose last axes compare equal
    (``None`` differs from any size); its ``call`` on data also needs rank <= 2 with a last
    axis of 1, and equal shapes.
    """

    weightless = True

    output_dtype = "rule"
    # "All `HashedCrossing` inputs should have an integer or string dtype" / "should be dense tensors"
    accepts = INTEGER | STRING
    accepts_sparse = False
    accepts_ragged = False

    names = ("HashedCrossing",)
    params = ("num_bins", "output_mode", "sparse", "name", "dtype")
    defaults = {"output_mode": "int"}
    examples = (
        Example({"num_bins": 16}, [T((None, 1), "int64"), T((None, 1), "int64")], (None, 1)),
        Example({"num_bins": 16, "output_mode": "one_hot"}, [T((None,), "int64"), T((None,), "int64")], (None, 16)),
        Example({"num_bins": 16, "output_mode": "one_hot"}, [T((None, 1), "int64"), T((None, 1), "int64")],
                (None, 16)),
        Example({"num_bins": 16}, [T((None, 1), "int64"), T((None,), "int64")], "incompatible-shapes"),
        Example({"num_bins": 16}, [T((None, 1), "int64")] * 3, "input-count"),
        Example({"num_bins": 16}, [T((None, 2), "int64"), T((None, 2), "int64")], "axis-mismatch"),
        Example({"num_bins": 16, "output_mode": "multi_hot"}, [T((None, 1), "int64")] * 2, "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _keras3_only(call)
        _mode(call, ("int", "one_hot"))

    def output(self, call: Call) -> TensorType:
        mode = _mode(call, ("int", "one_hot"))
        first = call.args[0] if call.args else call.kwargs.get("inputs", UNKNOWN)
        if isinstance(first, TensorType):
            raise ShapeError(INPUT_COUNT, "Expected as input a list/tuple of 2 tensors. "
                             f"Received input_shape={show_shape(first.shape)}")
        if not isinstance(first, (list, tuple)):
            raise Unknowable()
        if len(first) != 2:
            raise ShapeError(INPUT_COUNT, f"Expected as input a list/tuple of 2 tensors. Received {len(first)} "
                             "inputs.")
        a, b = call.inputs
        if a.shape is None or b.shape is None:
            raise Unknowable()
        if not a.shape or not b.shape:
            raise ShapeError(RANK_MISMATCH, "Expected the two input tensors to have a last axis. "
                             f"Received input_shape={[show_shape(a.shape), show_shape(b.shape)]}")
        x, y = a.shape[-1], b.shape[-1]
        if (x is None) != (y is None) or dims.differs(x, y):
            raise ShapeError(INCOMPATIBLE_SHAPES, "Expected the two input tensors to have identical shapes. "
                             f"Received input_shape={[show_shape(a.shape), show_shape(b.shape)]}")
        # What ``call`` checks on data.
        shape = a.shape
        if len(shape) > 2:
            raise ShapeError(RANK_MISMATCH, "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` "
                             f"or `(batch_size, 1)`. Received an input of shape {show_shape(shape)}")
        if len(shape) == 2 and dims.differs(shape[-1], 1) and shape[-1] is not None:
            raise ShapeError(AXIS_MISMATCH, "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` "
                             f"or `(batch_size, 1)`. Received an input of shape {show_shape(shape)}")
        if len(b.shape) != len(shape) or any(dims.differs(p, q) for p, q in zip(shape, b.shape)):
            raise ShapeError(INCOMPATIBLE_SHAPES, "All `HashedCrossing` inputs should have equal shape. Received "
                             f"shapes {show_shape(shape)} and {show_shape(b.shape)}")
        if mode is None:
            raise Unknowable()
        if mode == "int":
            return TensorType(shape, "int64")
        depth = _depth(call.get("num_bins"))
        if _is_one(shape[-1]):
            return TensorType(shape[:-1] + (depth,), "float32")
        return TensorType(shape + (depth,), "float32")


# -- lookups --------------------------------------------------------------------------

_LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_LOOKUP_ALIASES = {"binary": "multi_hot", "tf-idf": "tf_idf"}


def _vocabulary_size(call: Call, vocabulary: Any, *, mode: Optional[str], mask_token: Any, oov_token: Any,
                     num_oov: Any, invert: Any, max_tokens: Any, token_type: type) -> Dim:
    """``IndexLookup.set_vocabulary`` on a literal list: the vocabulary size (special tokens
    included), after the checks it makes.  ``None`` without a vocabulary (Keras's symbolic size
    before ``adapt``), opaque for one the front end could not read (a file, a variable)."""
    if vocabulary is None:
        return None
    if not isinstance(vocabulary, (list, tuple)) or mode is None or not _is_int(num_oov) \
            or mask_token is UNKNOWN or oov_token is UNKNOWN or invert is UNKNOWN:
        return dims.unknown()
    if not vocabulary:
        raise _bad(f"Cannot set an empty vocabulary. Received: vocabulary={list(vocabulary)}")
    if not all(isinstance(t, token_type) and not isinstance(t, bool) for t in vocabulary):
        return dims.unknown()
    oov_start = 1 if mask_token is not None and mode == "int" else 0
    token_start = oov_start + num_oov
    special = [mask_token] * oov_start + [oov_token] * num_oov
    vocab = list(vocabulary)
    tokens = vocab[token_start:] if vocab[:token_start] == special else vocab
    repeated = sorted(t for t, c in Counter(tokens).items() if c > 1)
    if repeated:
        raise _bad("The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                   f"The repeated terms are: {repeated}")
    if mask_token is not None and mask_token in tokens:
        raise _bad("Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                   "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask and "
                   "OOV tokens, or include them only at the start of the vocabulary in precisely this order: "
                   f"{special}. Received: mask_token={mask_token}")
    if oov_token is not None and invert is True and oov_token in tokens:
        raise _bad("Found reserved OOV token at unexpected location in `vocabulary`. Note that passed "
                   "`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask and "
                   "OOV tokens, or include them only at the start of the vocabulary in precisely this order: "
                   f"{special}. Received: oov_token={oov_token}")
    size = token_start + len(tokens)
    if _is_number(max_tokens) and size > max_tokens:
        raise _bad("Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size "
                   f"is {size}; `max_tokens` is {max_tokens}.")
    idf = call.get("idf_weights")
    if mode == "tf_idf" and isinstance(idf, (list, tuple)) and len(idf) != len(vocab):
        raise _bad("`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                   f"{len(idf)}; len(vocabulary) is {len(vocab)}")
    return size


class _Lookup(LayerRule):
    """``IndexLookup``: what ``StringLookup`` and ``IntegerLookup`` share."""

    weightless = True

    output_dtype = "rule"

    #: the type of the tokens in a literal vocabulary
    token_type: type = str
    owner = ""

    def _lookup_config(self, call: Call) -> dict:
        return {k: call.get(k) for k in ("max_tokens", "num_oov_indices", "mask_token", "oov_token", "vocabulary",
                                         "idf_weights", "invert", "output_mode", "sparse", "pad_to_max_tokens",
                                         "salt", "oov_method")}

    def check_lookup(self, call: Call, c: dict) -> Optional[str]:
        """``IndexLookup.__init__``'s checks; returns the output mode (``None`` if not followed)."""
        max_tokens, num_oov = c["max_tokens"], c["num_oov_indices"]
        if _is_number(max_tokens) and max_tokens <= 1:
            raise _bad(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if c["pad_to_max_tokens"] is True and max_tokens is None:
            raise _bad(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if _is_number(num_oov) and num_oov < 0:
            raise _bad(f"`num_oov_indices` must be greater than or equal to 0. Received: num_oov_indices={num_oov}")
        oov_method = c.get("oov_method", "floormod")
        if isinstance(oov_method, str) and oov_method not in ("floormod", "farmhash"):
            raise _bad(f"Unknown value for `oov_method` argument of {self.owner}. Allowed values are: "
                       f"('floormod', 'farmhash'). Received: oov_method={oov_method}")
        salt = c["salt"]
        if salt is not None and salt is not UNKNOWN:
            if self.token_type is int and isinstance(oov_method, str) and oov_method != "farmhash":
                raise _bad(f"`salt` can only be used when `oov_method='farmhash'`. Received: oov_method={oov_method}")
            _check_salt(salt, "IndexLookup")
        mode = _mode(call, _LOOKUP_MODES, _LOOKUP_ALIASES)
        invert, sparse, idf = c["invert"], c["sparse"], c["idf_weights"]
        if invert is True and mode not in (None, "int"):
            raise _bad(f"`output_mode` must be `'int'` when `invert` is true. Received: output_mode={mode}")
        if sparse is True and mode == "int":
            raise _bad("`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, `'count'` or "
                       f"`'tf_idf'`. Received: sparse={sparse} and output_mode={mode}")
        if idf is not None and idf is not UNKNOWN and mode not in (None, "tf_idf"):
            raise _bad("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                       f"Received: idf_weights={idf} and output_mode={mode}")
        if mode == "tf_idf" and c["vocabulary"] is not None and c["vocabulary"] is not UNKNOWN and idf is None:
            raise _bad("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                       "argument must also be provided.")
        return mode

    def depth(self, call: Call, c: dict, mode: Optional[str]) -> Dim:
        """The encoding depth: ``max_tokens`` when padded to it, else the vocabulary size."""
        size = _vocabulary_size(call, c["vocabulary"], mode=mode, mask_token=c["mask_token"],
                                oov_token=c["oov_token"], num_oov=c["num_oov_indices"], invert=c["invert"],
                                max_tokens=c["max_tokens"], token_type=self.token_type)
        pad = c["pad_to_max_tokens"]
        if pad is UNKNOWN:
            return dims.unknown()
        if pad:
            return _depth(c["max_tokens"])
        return size

    def check_config(self, call: Call) -> None:
        _keras3_only(call)
        c = self._lookup_config(call)
        mode = self.check_lookup(call, c)
        self.depth(call, c, mode)

    def output(self, call: Call) -> TensorType:
        c = self._lookup_config(call)
        mode = self.check_lookup(call, c)
        shape = call.shape
        if mode is None:
            raise Unknowable()
        if mode == "int":
            # Keras's symbolic output is int64 even with ``invert=True`` (strings on data).
            return TensorType(shape, "int64")
        if mode == "tf_idf" and c["sparse"] is True and c["vocabulary"] is not None and len(shape) >= 2:
            # On data, the sparse counts of a batch cannot be multiplied by the idf weights.  (Checked
            # with a vocabulary: before ``adapt`` the call fails for want of one first.)
            raise _bad("`sparse=True` with `output_mode='tf_idf'` fails on inputs of rank 2 or more when data "
                       f"flows (the sparse counts are not broadcast against `idf_weights`). Received input shape "
                       f"{show_shape(shape)}")
        return TensorType(_encoded(shape, mode, self.depth(call, c, mode)), "float32")


@register
class StringLookup(_Lookup):
    """Maps strings to ids (``int``: same shape, int64) or encodes them over the vocabulary.

    The encoding depth is the vocabulary size with its OOV tokens (and the mask token in
    ``int`` mode) for a literal ``vocabulary``, ``max_tokens`` with ``pad_to_max_tokens``, and
    unknown (``None``, as Keras's symbolic call says) before ``adapt()``.  Keras's eager call
    of an un-adapted layer fails, but ``adapt`` may come later: that is not reported.
    """

    accepts = STRING
    keeps_sparse = True
    keeps_ragged = True

    names = ("StringLookup",)
    params = ("max_tokens", "num_oov_indices", "mask_token", "oov_token", "vocabulary", "idf_weights", "invert",
              "output_mode", "pad_to_max_tokens", "sparse", "encoding", "name", "salt")
    defaults = {"max_tokens": None, "num_oov_indices": 1, "mask_token": None, "oov_token": "[UNK]",
                "vocabulary": None, "idf_weights": None, "invert": False, "output_mode": "int",
                "pad_to_max_tokens": False, "sparse": False, "salt": None}
    token_type = str
    owner = "StringLookup"
    examples = (
        Example({"vocabulary": ["a", "b", "c"]}, T((None, None), "string"), (None, None)),
        Example({"vocabulary": ["a", "b", "c"], "output_mode": "multi_hot"}, T((None, None), "string"), (None, 4)),
        Example({"vocabulary": ["a", "b", "c"], "output_mode": "one_hot", "num_oov_indices": 2},
                T((None, None), "string"), (None, None, 5)),
        Example({"output_mode": "count"}, T((None, None), "string"), (None, None)),
        Example({"output_mode": "count", "max_tokens": 8, "pad_to_max_tokens": True}, T((None, None), "string"),
                (None, 8)),
        Example({"vocabulary": ["a", "b", "a"]}, T((None, None), "string"), "invalid-argument"),
        Example({"vocabulary": ["a", "b", "c"], "max_tokens": 3, "output_mode": "count"}, T((None, None), "string"),
                "invalid-argument"),
        Example({"vocabulary": ["a"], "output_mode": "tf_idf"}, T((None, None), "string"), "invalid-argument"),
        Example({"vocabulary": ["a", "b"]}, T((None, 3), "int64"), "dtype-mismatch"),
    )

    def keeps(self, call: Call) -> tuple[bool, bool]:
        # only the ids (`output_mode="int"`) keep a sparse or ragged input's kind; encodings are dense
        return super().keeps(call) if call.get("output_mode") == "int" else (False, False)

    def accepted_dtypes(self, call: Call) -> Optional[frozenset[str]]:
        return self.accepts if call.get("invert") is False else None  # (inverted: ids in, not measured)


@register
class IntegerLookup(_Lookup):
    """Maps integer tokens to ids (``int``: same shape, int64) or encodes them over the
    vocabulary; the depth is computed as for ``StringLookup``."""

    accepts = NUMERIC
    keeps_ragged = True

    names = ("IntegerLookup",)
    params = ("max_tokens", "num_oov_indices", "mask_token", "oov_token", "vocabulary", "vocabulary_dtype",
              "idf_weights", "invert", "output_mode", "sparse", "pad_to_max_tokens", "oov_method", "salt", "name")
    defaults = {"max_tokens": None, "num_oov_indices": 1, "mask_token": None, "oov_token": -1, "vocabulary": None,
                "vocabulary_dtype": "int64", "idf_weights": None, "invert": False, "output_mode": "int",
                "sparse": False, "pad_to_max_tokens": False, "oov_method": "floormod", "salt": None}
    token_type = int
    owner = "IntegerLookup"
    examples = (
        Example({"vocabulary": [12, 36, 1138]}, T((None, 3), "int64"), (None, 3)),
        Example({"vocabulary": [12, 36, 1138], "output_mode": "count"}, T((None, 3), "int64"), (None, 4)),
        Example({"vocabulary": [12, 36], "output_mode": "one_hot"}, T((None, 1), "int64"), (None, 3)),
        Example({"max_tokens": 1}, T((None, 3), "int64"), "invalid-argument"),
        Example({"vocabulary": [3, 0], "mask_token": 0}, T((None, 3), "int64"), "invalid-argument"),
        Example({"invert": True, "output_mode": "count"}, T((None, 3), "int64"), "invalid-argument"),
    )

    def keeps(self, call: Call) -> tuple[bool, bool]:
        # only the ids (`output_mode="int"`) keep a sparse or ragged input's kind; encodings are dense
        return super().keeps(call) if call.get("output_mode") == "int" else (False, False)

    def accepted_dtypes(self, call: Call) -> Optional[frozenset[str]]:
        return self.accepts if call.get("invert") is False else None  # (inverted: ids in, not measured)

    def check_lookup(self, call: Call, c: dict) -> Optional[str]:
        max_tokens, num_oov = c["max_tokens"], c["num_oov_indices"]
        if _is_number(max_tokens) and max_tokens <= 1:
            raise _bad("If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. "
                       f"Received: max_tokens={max_tokens}")
        if _is_number(num_oov) and num_oov < 0:
            raise _bad("The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. "
                       f"Received: num_oov_indices={num_oov}")
        vdtype = call.get("vocabulary_dtype")
        if vdtype is not UNKNOWN and vdtype != "int64":
            raise _bad(f"Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                       f"vocabulary_dtype={vdtype}")
        return super().check_lookup(call, c)


_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")


@register
class TextVectorization(LayerRule):
    """Splits strings into tokens and maps them to ids or encodes them.

    ``int``: ``(batch, output_sequence_length)`` whatever the input rank (unknown length when
    not set), int64.  Other modes: the ``StringLookup`` encoding of the input with a token
    axis of unknown length appended (``split=None`` appends an axis of 1 to rank <= 1 only),
    depth as for ``StringLookup`` with the mask token ``""``.  Splitting needs a rank-1 input
    or a last axis of 1 when data flows.  A layer without ``vocabulary`` needs ``adapt()``;
    its symbolic call is fine, so it is not reported.
    """

    weightless = True

    output_dtype = "rule"
    accepts = STRING

    names = ("TextVectorization",)
    params = ("max_tokens", "standardize", "split", "ngrams", "output_mode", "output_sequence_length",
              "pad_to_max_tokens", "vocabulary", "idf_weights", "sparse", "ragged", "encoding", "name")
    defaults = {"max_tokens": None, "standardize": "lower_and_strip_punctuation", "split": "whitespace",
                "ngrams": None, "output_mode": "int", "output_sequence_length": None, "pad_to_max_tokens": False,
                "vocabulary": None, "idf_weights": None, "sparse": False, "ragged": False}
    examples = (
        Example({"vocabulary": ["a", "b"], "output_sequence_length": 8}, T((None, None), "string"), (None, 8)),
        Example({"max_tokens": 100}, T((None, None), "string"), (None, None)),
        Example({"vocabulary": ["a", "b"], "output_mode": "multi_hot"}, T((None, None), "string"), (None, None, 3)),
        Example({"vocabulary": ["a", "b"], "output_mode": "count", "split": None}, T((None, None), "string"),
                (None, 3)),
        Example({"output_mode": "tf_idf", "max_tokens": 50, "pad_to_max_tokens": True},
                T((None, None), "string"), (None, None, 50)),
        Example({"output_mode": "multi_hot", "output_sequence_length": 4}, T((None, None), "string"),
                "invalid-argument"),
        Example({"split": "comma"}, T((None, None), "string"), "invalid-argument"),
        Example({"vocabulary": ["a", "b"], "max_tokens": 3}, T((None, None), "string"), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _keras3_only(call)
        std, split, ngrams = call.get("standardize"), call.get("split"), call.get("ngrams")
        if isinstance(std, str) and std not in _STANDARDIZE:
            raise _bad(f"Unknown value for `standardize` argument of TextVectorization. Allowed values are: "
                       f"{_STANDARDIZE}. Received: standardize={std}")
        if isinstance(split, str) and split not in ("whitespace", "character"):
            raise _bad("Unknown value for `split` argument of TextVectorization. Allowed values are: "
                       f"('whitespace', 'character'). Received: split={split}")
        mode = _mode(call, _LOOKUP_MODES, _LOOKUP_ALIASES)
        if ngrams is not UNKNOWN and not (ngrams is None or isinstance(ngrams, int) or (
                isinstance(ngrams, tuple) and all(isinstance(i, int) or i is UNKNOWN for i in ngrams))):
            raise _bad(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        length = call.get("output_sequence_length")
        if mode == "int" and length is not UNKNOWN and not (isinstance(length, int) or length is None):
            raise _bad("`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. "
                       f"Received: output_sequence_length={length}")
        if mode not in (None, "int") and length is not None and length is not UNKNOWN:
            raise _bad("`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                       f"Received output_sequence_length={length}.")
        if call.get("ragged") is True and mode not in (None, "int"):
            raise _bad("`ragged` must not be true if `output_mode` is `'int'`. "
                       f"Received: ragged=True and output_mode={mode}")
        lookup = StringLookup()
        lookup_call = Call(lookup, self._lookup_config(call), [], {}, name=call.name)
        lookup.check_config(lookup_call)

    @staticmethod
    def _lookup_config(call: Call) -> dict:
        config = {k: call.get(k) for k in ("max_tokens", "vocabulary", "idf_weights", "pad_to_max_tokens",
                                           "output_mode", "sparse")}
        config["mask_token"] = ""
        return config

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        mode = _mode(call, _LOOKUP_MODES, _LOOKUP_ALIASES)
        split, ngrams = call.get("split"), call.get("ngrams")
        # What ``call`` checks on data.
        if split is not None and split is not UNKNOWN and len(shape) > 1 and shape[-1] is not None \
                and dims.differs(shape[-1], 1):
            raise ShapeError(AXIS_MISMATCH, "When using `TextVectorization` to tokenize strings, the input rank "
                             f"must be 1 or the last shape dimension must be 1. Received: inputs.shape="
                             f"{show_shape(shape)} with rank={len(shape)}")
        if isinstance(ngrams, tuple) and any(_is_int(i) and i <= 0 for i in ngrams):
            raise _bad(f"All ngram_widths must be greater than 0. Received: ngrams={ngrams}")
        if mode is None:
            raise Unknowable()
        if mode == "int":
            if not shape:
                raise ShapeError(RANK_MISMATCH, "TextVectorization in `int` mode needs a batch axis: "
                                 "the input shape () has none.")
            length = call.get("output_sequence_length")
            if _is_int(length) and length < 0:
                raise _bad(f"Cannot convert '(None, {length})' to a shape. Negative dimensions are not allowed.")
            if split is None and _is_int(length) and length > 0 and call.get("ragged") is False \
                    and call.get("vocabulary") is not None \
                    and ((isinstance(ngrams, int) and ngrams <= 0) or ngrams == ()):
                # No n-gram width: no tokens at all, which cannot be padded to the sequence length.
                # (Checked with a vocabulary: before ``adapt`` the call fails for want of one first.)
                raise _bad(f"`ngrams={ngrams!r}` asks for no n-grams: with `split=None` the empty token tensor "
                           f"cannot take the shape of `output_sequence_length={length}` when data flows.")
            return TensorType((shape[0], _depth(length) if length is not None else None), "int64")
        if split is UNKNOWN:
            raise Unknowable()
        if call.get("sparse") is True and call.get("vocabulary") is not None:
            # On data, the sparse encodings fail: after a split for one_hot and tf_idf always, and for
            # the others on ragged tokens of rank 3; without a split for tf_idf of rank 2 or more.
            # (Checked with a vocabulary: before ``adapt`` the call fails for want of one first.)
            if (split is not None and (mode in ("one_hot", "tf_idf") or len(shape) >= 3)) \
                    or (split is None and mode == "tf_idf" and len(shape) >= 2):
                raise _bad(f"`sparse=True` with `output_mode='{mode}'` fails when data flows on inputs of shape "
                           f"{show_shape(shape)} (split={split!r}).")
        if split is None:
            tokens = shape + (1,) if len(shape) <= 1 else shape
        else:
            tokens = shape + (None,)
        lookup = StringLookup()
        lookup_call = Call(lookup, self._lookup_config(call), [], {}, name=call.name)
        c = lookup._lookup_config(lookup_call)
        return TensorType(_encoded(tokens, mode, lookup.depth(lookup_call, c, mode)), "float32")


# -- audio ----------------------------------------------------------------------------


@register
class MelSpectrogram(LayerRule):
    """Mel spectrogram of audio ``(batch, samples)`` -> ``(batch, num_mel_bins, frames)``.

    Keras's symbolic ``frames`` is ``(samples + sequence_stride + 1) // sequence_stride``,
    taken from axis 1 (axis 0 for a rank-1 input, which gives ``(num_mel_bins, frames)``).
    On data the last axis is reflect-padded by ``fft_length // 2``, which needs more
    samples than that, and ``window`` must be ``"hann"``, ``"hamming"`` or ``None``.
    """

    weightless = True

    accepts = NUMERIC
    accepts_sparse = False
    accepts_ragged = False
    names = ("MelSpectrogram",)
    params = ("fft_length", "sequence_stride", "sequence_length", "window", "sampling_rate", "num_mel_bins",
              "min_freq", "max_freq", "power_to_db", "top_db", "mag_exp", "min_power", "ref_power")
    defaults = {"fft_length": 2048, "sequence_stride": 512, "sequence_length": None, "window": "hann",
                "num_mel_bins": 128}
    examples = (
        Example({}, (None, 16000), (None, 128, 32)),
        Example({"fft_length": 256, "sequence_stride": 128, "num_mel_bins": 40}, (None, 1024), (None, 40, 9)),
        Example({"fft_length": 64, "sequence_stride": 32}, (None, None), (None, 128, None)),
        Example({"fft_length": 256, "sequence_length": 512}, (None, 1024), "invalid-argument"),
        Example({"fft_length": 256, "sequence_stride": 128}, (None, 100), "invalid-argument"),
        Example({"fft_length": 64, "sequence_stride": 32, "window": "blackman"}, (None, 1024), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _keras3_only(call)
        fft, seq = call.get("fft_length"), call.get("sequence_length")
        seq = seq or fft
        if _is_number(fft) and _is_number(seq) and fft < seq:
            raise _bad("`fft_length` must be greater than or equal to `sequence_length`. Received: "
                       f"`sequence_length`={seq}, `fft_length`={fft}.")

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fft, stride, window = call.get("fft_length"), call.get("sequence_stride"), call.get("window")
        bins = _depth(call.get("num_mel_bins"))
        if not shape:
            raise ShapeError(RANK_MISMATCH, "MelSpectrogram needs an input of rank 1 or more; received shape ().")
        if _is_number(stride) and stride < 1:
            # Keras divides by it (0), or gets a negative number of frames; ``stft`` fails on data.
            raise _bad(f"`sequence_stride` must be positive. Received: sequence_stride={stride}")
        if _is_number(call.get("num_mel_bins")) and call.get("num_mel_bins") < 1:
            # No mel filter bank: the weight matrix of shape (1, num_mel_bins) cannot be built on data.
            raise _bad(f"`num_mel_bins` must be positive. Received: num_mel_bins={call.get('num_mel_bins')}")
        # What ``call`` checks on data.
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise _bad(f'If a string is passed to `window`, it must be one of `"hann"`, `"hamming"`. '
                       f"Received: window={window}")
        if _is_int(fft) and _is_int(shape[-1]) and fft // 2 >= shape[-1]:
            raise _bad(f"The audio axis has {shape[-1]} samples: reflect padding by fft_length // 2 = {fft // 2} "
                       "needs more.")
        n = shape[0] if len(shape) == 1 else shape[1]
        if n is None:
            frames: Dim = None
        elif _is_int(stride) and stride > 0:
            frames = conv_utils.exact_div(dims.add(n, stride + 1), stride)
        elif _is_int(stride) and _is_int(n):
            frames = (n + stride + 1) // stride
        else:
            frames = dims.unknown()
        if len(shape) == 1:
            return TensorType((bins, frames), "float32")
        return TensorType((shape[0], bins, frames), "float32")


@register
class STFTSpectrogram(LayerRule):
    """Short-time Fourier transform of ``(batch, samples, channels)`` (or channels first) as a
    strided convolution with ``frame_length`` taps and ``fft_length // 2 + 1`` frequencies
    per channel (twice that for ``mode="stft"``): ``(batch, frames, freqs * channels)``, or
    ``(batch, frames, freqs, channels)`` with ``expand_dims``.  The channel axis must be known.
    """

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("STFTSpectrogram",)
    params = ("mode", "frame_length", "frame_step", "fft_length", "window", "periodic", "scaling", "padding",
              "expand_dims", "data_format")
    defaults = {"mode": "log", "frame_length": 256, "frame_step": None, "fft_length": None, "scaling": "density",
                "padding": "valid", "expand_dims": False, "data_format": None}
    spec = InputSpec(ndim=3)
    _MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")
    examples = (
        Example({"frame_length": 8}, (None, 32, 1), (None, 7, 5)),
        Example({"frame_length": 8, "frame_step": 4, "fft_length": 16, "mode": "stft"}, (None, 32, 2),
                (None, 7, 36)),
        Example({"frame_length": 8, "padding": "same", "expand_dims": True}, (None, 30, 2), (None, 8, 5, 2)),
        Example({"frame_length": 8, "data_format": "channels_first"}, (None, 2, 32), (None, 10, 7)),
        Example({"frame_length": 8}, (None, 32), "rank-mismatch"),
        Example({"frame_length": 8}, (None, 4, 1), "negative-dimension"),
        Example({"frame_length": 8}, (None, 32, None), "axis-mismatch"),
        Example({"frame_length": 8, "frame_step": 9}, (None, 32, 1), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _keras3_only(call)
        length, step, fft = call.get("frame_length"), call.get("frame_step"), call.get("fft_length")
        if _is_number(step) and _is_number(length) and (step > length or step < 1):
            raise _bad("`frame_step` should be a positive integer not greater than `frame_length`. "
                       f"Received frame_step={step}, frame_length={length}")
        if _is_number(fft) and _is_number(length) and fft < length:
            raise _bad("`fft_length` should be not less than `frame_length`. "
                       f"Received fft_length={fft}, frame_length={length}")
        mode, scaling, padding = call.get("mode"), call.get("scaling"), call.get("padding")
        if mode is not UNKNOWN and mode not in self._MODES:
            raise _bad(f"Output mode is invalid, it must be one of {', '.join(self._MODES)}. Received: mode={mode}")
        if scaling is not None and scaling is not UNKNOWN and scaling not in ("density", "spectrum"):
            raise _bad(f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received scaling={scaling}")
        if padding is not UNKNOWN and padding not in ("valid", "same"):
            raise _bad(f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        if fft is None and _is_number(length) and length <= 0:
            raise _bad(f"`frame_length` must be positive. Received: frame_length={length}")
        conv_utils.data_format(call)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = conv_utils.data_format(call)
        length, step, fft = call.get("frame_length"), call.get("frame_step"), call.get("fft_length")
        if fft is None:
            fft = 2 ** (length - 1).bit_length() if _is_int(length) and length > 0 else UNKNOWN
        if step is None:
            step = length // 2 if _is_int(length) else UNKNOWN
        if _is_int(step) and step < 1:
            # ``frame_length // 2`` for a frame of 1: a convolution with stride 0.
            raise _bad(f"The frame step is {step} (`frame_step` defaults to `frame_length // 2`): the "
                       f"convolution needs a positive stride. Received frame_length={length}")
        freqs = fft // 2 + 1 if _is_int(fft) else dims.unknown()
        if call.get("mode") == "stft":
            freqs = dims.mul(freqs, 2)
        elif call.get("mode") is UNKNOWN:
            freqs = dims.unknown()
        channels = shape[-1] if fmt == conv_utils.CHANNELS_LAST else shape[1]
        if channels is None:
            raise ShapeError(AXIS_MISMATCH, "STFTSpectrogram needs a known channel axis: it computes "
                             f"frequencies * channels. Received input shape {show_shape(shape)}")
        n = shape[1] if fmt == conv_utils.CHANNELS_LAST else shape[2]
        padding = call.get("padding")
        time = conv_utils.conv_output_length(n, _depth(length), _depth(step),
                                             padding if padding in ("valid", "same") else None)
        conv_utils.check_positive_lengths((time,), f"`inputs shape={show_shape(shape)}`, `frame_length={length}`, "
                                                   f"`frame_step={step}`, `padding={padding}`")
        expand = call.get("expand_dims")
        if expand is UNKNOWN:
            raise Unknowable()
        if expand:
            out = (shape[0], time, freqs, channels) if fmt == conv_utils.CHANNELS_LAST \
                else (shape[0], channels, time, freqs)
        else:
            flat = dims.mul(freqs, channels)
            out = (shape[0], time, flat) if fmt == conv_utils.CHANNELS_LAST else (shape[0], flat, time)
        return TensorType(out, "float32")

    def weights(self, call: Call) -> tuple[int, int]:
        """``real_kernel`` (unless ``mode="imag"``) and ``imag_kernel`` (unless ``mode="real"``), each
        ``(frame_length, 1, fft_length // 2 + 1)``; ``fft_length`` defaults to the next power of two."""
        mode, length, fft = call.known("mode"), known_int(call.known("frame_length")), call.known("fft_length")
        fft = known_int(fft) if fft else 2 ** (length - 1).bit_length()
        kernels = 1 if mode in ("real", "imag") else 2
        return (kernels * length * (fft // 2 + 1), 0)
