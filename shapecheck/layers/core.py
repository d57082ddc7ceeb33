"""Rules for ``keras/src/layers/core``: ``InputLayer`` (and ``keras.Input``), ``Dense``, ``EinsumDense``,
``Embedding``, ``Identity``, ``Masking``, ``Lambda``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from ..core import dims
from ..core.findings import AXIS_MISMATCH, INVALID_ARGUMENT, INVALID_INPUT, RANK_MISMATCH, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import (
    KERAS_DTYPES,
    NUMERIC,
    Call,
    Example,
    InputSpec,
    LayerRule,
    T,
    Unknowable,
    count,
    known_int,
    register,
)
from ..core.shapes import TensorType, show_shape
from ..ops.einsum import MATMUL_EINSUMS, relabel

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
    if value not in KERAS_DTYPES:
        raise ShapeError(INVALID_INPUT, f"Invalid dtype: {value}")
    return value


@register
class InputLayer(LayerRule):
    """The model's entry point: ``keras.Input(shape, batch_size, ...)`` / ``InputLayer``.

    Every ``ValueError`` the constructor raises for contradictory arguments is a
    finding at the call; the output is ``(batch_size,) + shape`` (or ``batch_shape``,
    or the wrapped ``tensor``'s shape).
    """

    weightless = True
    keeps_sparse = True  # (what `sparse=` / `ragged=` declare)
    keeps_ragged = True

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
                if call.keras_version < 3:
                    shape = (shape,)  # tf.keras 2 takes `Input(shape=784)` as (784,)
                else:
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
    """Densely-connected layer: the last axis becomes ``units`` (a positive int); the weights fix the input's last
    axis."""

    accepts = NUMERIC
    names = ("Dense",)
    params = ("units", "activation", "use_bias")
    spec = InputSpec(min_ndim=2)
    examples = (
        Example({"units": 16}, (None, 32), (None, 16)),
        Example({"units": 4}, (None, 10, 32), (None, 10, 4)),
        Example({"units": 4}, (None,), "rank-mismatch"),
        Example({"units": 4}, (None, None), "axis-mismatch"),
        Example({"units": 0}, (None, 32), "invalid-argument"),
        Example({"units": -3}, (None, 32), "invalid-argument"),
        Example({"units": 3.5}, (None, 32), "invalid-argument"),
        Example({"units": 4}, T((None, 32), "int32"), (None, 4)),
        Example({"units": 4}, T((None, 32), "string"), "dtype-mismatch"),
    )

    def check_config(self, call: Call) -> None:
        units = call.get("units")
        if units is UNKNOWN or isinstance(units, dims.Sym):
            return
        if call.keras_version >= 3:
            # `isinstance(units, int) and units > 0`: True is accepted, "4" and 4.0 are not.
            bad = not isinstance(units, int) or units <= 0
        else:
            # tf.keras 2 converts with int() and rejects a negative result only.
            bad = units is None or (isinstance(units, (int, float)) and int(units) < 0)
        if bad:
            raise ShapeError(INVALID_ARGUMENT, "Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        if shape[-1] is None and not call.built:
            # Keras cannot create the kernel without the last axis.
            raise ShapeError(AXIS_MISMATCH, "Shapes used to initialize variables must be fully-defined (no `None` "
                             f"dimensions). Received: shape=(None, {call.get('units')}) for variable "
                             f"path='{call.name}/kernel' (the input {show_shape(shape)} has no last axis size)")
        units = 1 if call.get("units") is True else call.dim("units")  # Keras accepts True, a bool being an int
        return call.input.with_shape(shape[:-1] + (units,))

    def built_spec(self, call: Call) -> InputSpec:
        return InputSpec.fixed({-1: call.shape[-1]}, min_ndim=2)

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """``kernel (features, units)`` and ``bias (units,)``; with ``lora_rank`` the kernel is frozen
        and ``lora_kernel_a (features, rank)``, ``lora_kernel_b (rank, units)`` are trained."""
        features, units = known_int(call.shape[-1]), known_int(call.known("units"))
        bias = units if call.flag("use_bias", True) else 0
        return with_lora(call, features * units, bias, features, units)


def with_lora(call: Call, kernel: int, rest: int, rows: int, cols: int) -> tuple[int, int]:
    """``(trainable, non_trainable)`` for a ``kernel`` of ``rows x cols`` and ``rest`` trainable weights,
    after Keras 3's ``enable_lora(lora_rank)`` when the constructor got a ``lora_rank``."""
    rank = call.config.get("lora_rank")
    if rank is None:
        return (kernel + rest, 0)
    if call.keras_version < 3:
        raise Unknowable()  # not an argument of tf.keras 2
    rank = known_int(rank)
    return (rest + rows * rank + rank * cols, kernel)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


@register
class Embedding(LayerRule):
    """Looks up integer indices: ``(batch, ...)`` -> ``(batch, ..., output_dim)``; ``input_length`` is ignored."""

    accepts = NUMERIC
    keeps_ragged = True
    names = ("Embedding",)
    params = ("input_dim", "output_dim")
    examples = (
        Example({"input_dim": 1000, "output_dim": 64}, T((None, 10), "int32"), (None, 10, 64)),
        Example({"input_dim": 10, "output_dim": 4}, T((None,), "int32"), (None, 4)),
        Example({"input_dim": 10, "output_dim": 4, "input_length": 7}, T((None, 3, 2), "int32"), (None, 3, 2, 4)),
        Example({"input_dim": 0, "output_dim": 4}, T((None, 3), "int32"), "invalid-argument"),
        Example({"input_dim": 10, "output_dim": 2.5}, T((None, 3), "int32"), "invalid-argument"),
        Example({"input_dim": 10, "output_dim": 4}, T((None, 3), "string"), "dtype-mismatch"),
    )

    def check_config(self, call: Call) -> None:
        for key in ("input_dim", "output_dim"):
            v = call.get(key)
            if v is UNKNOWN:
                continue
            if not _is_int(v) or v <= 0:
                raise ShapeError(INVALID_ARGUMENT, f"`{key}` must be a positive integer. Received: {key}={v} "
                                 f"(of type {type(v).__name__}).")

    def output(self, call: Call) -> TensorType:
        return TensorType(call.shape + (call.dim("output_dim"),), "float32")

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """``embeddings (input_dim, output_dim)`` (frozen, with LoRA factors trained, under ``lora_rank``)."""
        rows, cols = known_int(call.known("input_dim")), known_int(call.known("output_dim"))
        return with_lora(call, rows * cols, 0, rows, cols)


@register
class ReversibleEmbedding(Embedding):
    """An ``Embedding`` whose ``call(x, reverse=True)`` projects back onto the vocabulary:
    ``(batch, ..., output_dim)`` -> ``(batch, ..., input_dim)`` (a matmul with the transposed
    embeddings, so the last axis must be ``output_dim`` once data flows)."""

    accepts = NUMERIC
    keeps_ragged = True
    names = ("ReversibleEmbedding",)
    params = ("input_dim", "output_dim", "tie_weights", "embeddings_initializer", "embeddings_regularizer",
              "embeddings_constraint", "mask_zero", "reverse_dtype", "logit_soft_cap")
    examples = (
        Example({"input_dim": 100, "output_dim": 16}, T((None, 10), "int32"), (None, 10, 16)),
        Example({"input_dim": 100, "output_dim": 16}, (None, 10, 16), (None, 10, 100), call_kwargs={"reverse": True}),
        Example({"input_dim": 100, "output_dim": 16, "tie_weights": False}, (None, 16), (None, 100),
                call_kwargs={"reverse": True}),
        Example({"input_dim": 100, "output_dim": 16}, (None, 10, 8), "axis-mismatch", call_kwargs={"reverse": True}),
        Example({"input_dim": 0, "output_dim": 16}, T((None, 10), "int32"), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        if call.keras_version < 3:  # not a layer of tf.keras 2
            raise Unknowable()
        super().check_config(call)

    def output(self, call: Call) -> TensorType:
        reverse = call.arg(1, "reverse", False)
        if reverse is UNKNOWN:
            raise Unknowable()
        if not reverse:
            return super().output(call)
        shape = call.shape
        if not shape:
            raise ShapeError(RANK_MISMATCH, "ReversibleEmbedding(reverse=True) needs an input of rank 1 or more; "
                             "received shape ().")
        width = call.dim("output_dim")
        if shape[-1] is not None and dims.differs(shape[-1], width):
            raise ShapeError(AXIS_MISMATCH, f"ReversibleEmbedding(reverse=True) multiplies by the transposed "
                             f"embeddings of shape ({dims.show(width)}, {dims.show(call.dim('input_dim'))}): the "
                             f"last axis of the input must be {dims.show(width)}, but received input with shape "
                             f"{show_shape(shape)}")
        return TensorType(shape[:-1] + (call.dim("input_dim"),), "float32")

    keras2_weights = False

    def weights(self, call: Call) -> tuple[int, int]:
        """The embeddings, and ``reverse_embeddings (output_dim, input_dim)`` unless ``tie_weights``."""
        if call.config.get("lora_rank") is not None:
            raise Unknowable()
        rows, cols = known_int(call.known("input_dim")), known_int(call.known("output_dim"))
        return (rows * cols * (1 if call.flag("tie_weights", True) else 2), 0)


class _Same(LayerRule):
    weightless = True

    def output(self, call: Call) -> TensorType:
        return call.input


@register
class Identity(_Same):
    """Returns its input unchanged."""

    output_dtype = "input"

    keeps_sparse = True
    keeps_ragged = True
    passes_dtype = True
    names = ("Identity",)
    examples = (Example({}, (None, 3, 4), (None, 3, 4)), Example({}, (None,), (None,)))


@register
class Masking(_Same):
    """Masks timesteps equal to ``mask_value``; same shape."""

    accepts = NUMERIC
    accepts_sparse = False
    accepts_ragged = False
    names = ("Masking",)
    params = ("mask_value",)
    examples = (Example({"mask_value": 0.0}, (None, 10, 8), (None, 10, 8)), Example({}, (None,), (None,)))


def _literal_shape(v: Any) -> bool:
    """A shape as code writes it: ints, ``None``, and sizes known only symbolically (``x.shape[1]`` of
    an unknown size, which is some definite size when Keras runs it)."""
    return isinstance(v, (tuple, list)) and all(d is None or isinstance(d, dims.Sym) or (_is_int(d) and d >= 0)
                                                for d in v)


@register
class Lambda(LayerRule):
    """Wraps a function; the output is known only from a literal ``output_shape`` (batch axis prepended)."""

    weightless = True

    names = ("Lambda",)
    params = ("function", "output_shape", "mask", "arguments")
    examples = (
        Example({"function": abs, "output_shape": (3,)}, (None, 3), (None, 3)),
        Example({"function": abs, "output_shape": (None, 3)}, (4, 3), (4, None, 3)),
    )

    def output(self, call: Call) -> TensorType:
        out = call.get("output_shape")
        if not _literal_shape(out):
            raise Unknowable()
        first = call.inputs[0].shape
        if first is None:
            raise Unknowable()
        batch = first[0] if first else None
        return TensorType((batch,) + tuple(out), call.inputs[0].dtype)


_EINSUM_FORMS = (
    ("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
    ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
    ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False),
)


def _split_equation(equation: str) -> tuple[str, str, str, bool, bool]:
    """``_analyze_einsum_string``'s parse: (input, weight, output specs, left-elided, has ellipsis)."""
    replaced = re.sub(r"\.\.\.", "0", equation)
    for pattern, left in _EINSUM_FORMS:
        m = re.match(pattern, replaced)
        if m:
            return m.group(1), m.group(2), m.group(3), left, "0" in m.group(0)
    raise ShapeError(INVALID_ARGUMENT, f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _at(seq: list, i: int, equation: str, shape: tuple) -> Any:
    """Python indexing, as Keras does it; an index outside the input is a rank error."""
    if not -len(seq) <= i < len(seq):
        raise ShapeError(RANK_MISMATCH, f"The einsum equation '{equation}' does not fit an input of rank "
                         f"{len(shape)}: input shape {show_shape(shape)} (Keras: list index out of range).")
    return seq[i]


@dataclass(frozen=True)
class EinsumShapes:
    output: tuple
    kernel: tuple
    bias: Optional[tuple]
    #: input axes (negative or not, as Keras indexes them) whose size the kernel takes
    kernel_input_axes: tuple[int, ...]
    #: the output as the einsum computes it on data (and tf.keras 2 symbolically): an axis the
    #: input shares has the input's size where ``output`` (Keras 3's symbolic shape) has ``None``
    filled: tuple = ()


def analyze_einsum(equation: str, bias_axes: Any, shape: tuple, partial: tuple) -> EinsumShapes:
    """``einsum_dense._analyze_split_string`` over dims: output, kernel and bias shapes, or Keras's error."""
    input_spec, weight_spec, output_spec, left, ellipsis = _split_equation(equation)
    elided = len(shape) - len(input_spec)
    if not ellipsis and elided > 0 and relabel(equation) in MATMUL_EINSUMS:
        # TensorFlow's backend runs these as a broadcasting matmul: extra leading axes may work.
        raise Unknowable()
    if not ellipsis and elided != 0:
        # Keras builds it; the einsum then fails on data.
        raise ShapeError(RANK_MISMATCH, f"The einsum equation '{equation}' needs an input of rank "
                         f"{len(input_spec)}, but received input with shape {show_shape(shape)}.")
    out: list = [shape[0], *partial]
    if elided > 0 and left:
        for i in range(1, elided):
            out.insert(1, shape[i])
    elif elided > 0:
        out.extend(shape[len(shape) - elided:])
    if left:
        in_map = {d: i + elided - len(shape) for i, d in enumerate(input_spec)}
        out_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        in_map = {d: i for i, d in enumerate(input_spec)}
        out_map = {d: i for i, d in enumerate(output_spec)}
    filled = list(out)
    for d in input_spec:
        here = _at(list(shape), in_map[d], equation, shape)
        if d in out_map:
            there = _at(out, out_map[d], equation, shape)
            if there is not None and (here is None or dims.differs(here, there)):
                raise ShapeError(AXIS_MISMATCH, f"Input shape and output shape do not match at shared dimension "
                                 f"'{d}'. Input shape is {dims.show(here)}, and output shape is "
                                 f"{dims.show(there)}.")
            if there is None:
                filled[out_map[d]] = here
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ShapeError(INVALID_ARGUMENT, f"Dimension '{d}' was specified in the output '{output_spec}' but "
                             f"has no corresponding dim in the input spec '{input_spec}' or weight spec "
                             f"'{output_spec}'")
    kernel: list = []
    kernel_input_axes: list[int] = []
    for d in weight_spec:
        if d in out_map:
            kernel.append(_at(out, out_map[d], equation, shape))
        elif d in in_map:
            kernel.append(_at(list(shape), in_map[d], equation, shape))
            kernel_input_axes.append(in_map[d])
        else:
            raise ShapeError(INVALID_ARGUMENT, f"Weight dimension '{d}' did not have a match in either the input "
                             f"spec '{input_spec}' or the output spec '{output_spec}'. For this layer, the weight "
                             "must be fully specified.")
    bias: Optional[list] = None
    if bias_axes is not None:
        skip = elided if left else 0
        for c in bias_axes:
            if c not in output_spec:
                raise ShapeError(INVALID_ARGUMENT, f"Bias dimension '{c}' was requested, but is not part of the "
                                 f"output spec '{output_spec}'")
        sizes = {c: _at(out, i + skip, equation, shape) for i, c in enumerate(output_spec)}
        first = min(output_spec.find(c) for c in bias_axes)
        bias = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left:
            bias.extend([1] * max(elided, 0))
    return EinsumShapes(tuple(out), tuple(kernel), None if bias is None else tuple(bias), tuple(kernel_input_axes),
                        tuple(filled))


@register
class EinsumDense(LayerRule):
    """A dense layer written as an einsum: ``output_shape`` gives the non-batch output axes (``None`` = from input).

    The kernel takes its sizes from the input and ``output_shape``, so they must be defined;
    an axis the input and output share must agree.
    """

    accepts = NUMERIC
    accepts_sparse = False
    names = ("EinsumDense",)
    params = ("equation", "output_shape", "activation", "bias_axes")
    defaults = {"bias_axes": None}
    examples = (
        Example({"equation": "ab,bc->ac", "output_shape": 64, "bias_axes": "c"}, (None, 32), (None, 64)),
        Example({"equation": "...b,bc->...c", "output_shape": 4}, (None, 7, 3), (None, 7, 4)),
        Example({"equation": "abc,cde->abde", "output_shape": (None, 4, 2), "bias_axes": "de"}, (None, 5, 3),
                (None, None, 4, 2)),
        Example({"equation": "ab...,bc->ac...", "output_shape": (4,)}, (None, 3, 5, 6), (None, 4, 5, 6)),
        Example({"equation": "...abc,cd->...abd", "output_shape": (5, 7, 4)}, (None, 2, 5, 7, 3),
                (None, 2, 5, 7, 4)),
        Example({"equation": "abc,cde->abde", "output_shape": (3, 4, 2)}, (None, 3, 5, 2), "rank-mismatch"),
        Example({"equation": "abc,cd->abd", "output_shape": (5, 4)}, (None, None, 3), "axis-mismatch"),
        Example({"equation": "abc,cd->abd", "output_shape": (6, 4)}, (None, 5, 3), "axis-mismatch"),
        Example({"equation": "ab,bc->ac", "output_shape": 4}, (None, None), "axis-mismatch"),
        Example({"equation": "a...bc,cd->a...bd", "output_shape": (5, 4)}, (None, 2, 5, 3), "invalid-argument"),
        Example({"equation": "ab,bc->ad", "output_shape": 4}, (None, 3), "invalid-argument"),
        Example({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "d"}, (None, 3), "invalid-argument"),
        Example({"equation": "ab,bc->ac", "output_shape": -3}, (None, 3), "invalid-argument"),
        Example({"equation": "ab,bc->ac", "output_shape": 3.5}, (None, 3), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        partial = call.get("output_shape")
        if partial is UNKNOWN or isinstance(partial, (int, list, tuple, str, dims.Sym)):
            return
        # The constructor runs `tuple(output_shape)` on anything but an int.
        raise ShapeError(INVALID_ARGUMENT, f"'{type(partial).__name__}' object is not iterable: `output_shape` must be "
                         f"an int or a tuple of sizes. Received: output_shape={partial!r}")

    def _analyze(self, call: Call) -> EinsumShapes:
        equation = call.get("equation")
        partial = call.get("output_shape")
        bias_axes = call.get("bias_axes")
        if not isinstance(equation, str) or not (isinstance(bias_axes, str) or bias_axes is None):
            raise Unknowable()
        if _is_int(partial):
            partial = (partial,)
        if not isinstance(partial, (list, tuple)):
            raise Unknowable()
        partial = tuple(None if d is None else (d if _is_int(d) else dims.unknown()) for d in partial)
        return analyze_einsum(equation, bias_axes, call.shape, partial)

    def output(self, call: Call) -> TensorType:
        found = self._analyze(call)
        for what, weight in (("kernel", found.kernel), ("bias", found.bias), ("output", found.output)):
            if weight is not None and any(_is_int(d) and d < 0 for d in weight):
                raise ShapeError(INVALID_ARGUMENT, f"Cannot convert '{show_shape(weight)}' to a shape. Negative "
                                 f"dimensions are not allowed: the {what} of layer \"{call.name}\" takes a size from "
                                 f"output_shape={call.get('output_shape')!r}.")
        for what, weight in (("kernel", found.kernel), ("bias", found.bias)):
            if weight is not None and None in weight and not call.built:
                raise ShapeError(AXIS_MISMATCH, f'Layer "{call.name}" cannot create its {what} of shape '
                                 f"{show_shape(weight)} from input shape {show_shape(call.shape)}: Shapes used to "
                                 "initialize variables must be fully-defined (no `None` dimensions).")
        # Keras 3's symbolic output keeps an output_shape's None; data (and tf.keras 2) has the input's size
        return call.input.with_shape(found.filled if call.traced or call.keras_version < 3 else found.output)

    def built_spec(self, call: Call) -> Optional[InputSpec]:
        found = self._analyze(call)
        shape = call.shape
        return InputSpec.fixed({a: shape[a] for a in found.kernel_input_axes}, ndim=len(shape))

    def weights(self, call: Call) -> tuple[int, int]:
        """``kernel`` and ``bias`` as the equation and ``bias_axes`` shape them; with ``lora_rank`` the
        kernel ``(..., last)`` is frozen and ``lora_kernel_a (..., rank)``, ``lora_kernel_b (rank, last)`` trained."""
        found = self._analyze(call)
        kernel = count(found.kernel)
        bias = count(found.bias) if found.bias is not None else 0
        if not found.kernel:
            raise Unknowable()
        last = known_int(found.kernel[-1])
        return with_lora(call, kernel, bias, kernel // last if last else 0, last)
