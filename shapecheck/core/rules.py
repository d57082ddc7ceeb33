"""What a shape rule is, and the registries that map Keras names to rules.

A :class:`LayerRule` serves one Keras layer class (and its aliases).  It declares
its constructor's positional parameters and defaults, its precondition as an
:class:`InputSpec` (the way Keras declares ``InputSpec(ndim=..., axes=...)``),
the spec its weights fix once built, and its output arithmetic in ``output``.
An :class:`OpRule` does the same for a function (``keras.ops.reshape``,
``tf.concat``).  Rules never know about libcst or mypy; they raise
:class:`~shapecheck.core.findings.ShapeError` for what Keras rejects, and
:class:`Unknowable` when a value they need is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Optional, Sequence, Union

from . import dims
from .dims import Dim
from .findings import (
    AXIS_MISMATCH,
    DTYPE_MISMATCH,
    INVALID_ARGUMENT,
    RANK_MISMATCH,
    Code,
    ShapeError,
)
from .ir import UNKNOWN, LayerRef
from .shapes import UNKNOWN_TENSOR, Shape, TensorType, show_shape


class Unknowable(Exception):
    """A rule needs a value the front end could not determine: output is unknown."""


@dataclass(frozen=True)
class InputSpec:
    """Mirror of ``keras.InputSpec``: rank bounds and fixed axes."""

    ndim: Optional[int] = None
    min_ndim: Optional[int] = None
    max_ndim: Optional[int] = None
    axes: tuple[tuple[int, Dim], ...] = ()
    allow_last_axis_squeeze: bool = False

    @staticmethod
    def fixed(axes: dict[int, Dim], **kw: Any) -> InputSpec:
        return InputSpec(axes=tuple(axes.items()), **kw)


def check_spec(spec: InputSpec, x: TensorType, index: int, layer_name: str) -> None:
    """Raise what ``keras.src.layers.input_spec.assert_input_compatibility`` raises."""
    if x.shape is None:
        return
    shape = x.shape
    ndim = len(shape)
    where = f'Input {index} of layer "{layer_name}" is incompatible with the layer:'
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ShapeError(RANK_MISMATCH, f"{where} expected ndim={spec.ndim}, found ndim={ndim}. "
                         f"Full shape received: {show_shape(shape)}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ShapeError(RANK_MISMATCH, f"{where} expected max_ndim={spec.max_ndim}, found ndim={ndim}. "
                         f"Full shape received: {show_shape(shape)}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ShapeError(RANK_MISMATCH, f"{where} expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                         f"Full shape received: {show_shape(shape)}")
    for axis, value in spec.axes:
        if not -ndim <= axis < ndim:
            continue
        if dims.differs(shape[axis], value):
            raise ShapeError(AXIS_MISMATCH, f"{where} expected axis {axis} of input shape to have value "
                             f"{dims.show(value)}, but received input with shape {show_shape(shape)}")


#: dtype families, for what a layer accepts (``LayerRule.accepts``)
FLOATING = frozenset({"float16", "bfloat16", "float32", "float64"})
INTEGER = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"})
STRING = frozenset({"string"})
#: everything but strings
NUMERIC = FLOATING | INTEGER | {"bool"}
#: every dtype name Keras's ``standardize_dtype`` accepts (``keras.Input(dtype=...)``, a layer's ``dtype``)
KERAS_DTYPES = NUMERIC | STRING | frozenset({"complex64", "complex128", "float8_e4m3fn", "float8_e5m2", "int4",
                                             "uint4"})
#: the dtypes whose runs were measured for every layer (``python -m tests.dtype_table``): a dtype
#: outside these (int16, complex64, ...) is never reported
MEASURED_DTYPES = frozenset({"float16", "float32", "float64", "int8", "int32", "int64", "uint8", "bool", "string"})


def _needs(accepts: frozenset) -> str:
    if accepts <= FLOATING:
        return "floating-point tensors"
    if accepts <= STRING:
        return "strings"
    if not accepts & STRING:
        return "numbers, not strings" if "bool" in accepts or accepts >= FLOATING else "numbers"
    return "dtypes " + ", ".join(sorted(accepts & MEASURED_DTYPES))


def _fix(dtype: str, accepts: frozenset) -> str:
    if dtype == "string":
        return ("Turn strings into numbers first: a `StringLookup` (or `TextVectorization` for text) before "
                "the numeric layers, an `Embedding` after it.")
    if accepts <= STRING:
        return "It takes strings: an `IntegerLookup` takes integer ids, or feed the strings themselves."
    if dtype == "uint8":
        return ("Scale and cast first: `layers.Rescaling(1 / 255)` turns uint8 pixels into float32 "
                "(or `keras.ops.cast(x, \"float32\")`).")
    return "Cast first: `keras.ops.cast(x, \"float32\")`, or declare the `keras.Input` with a float dtype."


def check_dtypes(rule: LayerRule, call: Call) -> None:
    """Raise :class:`ShapeError` (``dtype-mismatch``) for an input the layer cannot run on when data
    arrives: a measured dtype outside ``accepts``, or a sparse or ragged tensor it rejects. An unknown
    dtype is never reported; floating inputs are cast by ``Layer.__call__`` and always accepted.

    Only symbolic calls are checked: a traced call (on data, inside a layer's ``call``) carries the
    dtypes the tensors have at run time, which the rules do not follow (``Add`` on int32 data gives
    int32, its symbolic output float32), and a model's data is converted to its inputs' dtypes."""
    if call.keras_version < 3 or call.traced:
        return
    accepts = rule.accepted_dtypes(call)
    tensors = list(call.inputs) + [a for a in call.args[1:] if isinstance(a, TensorType)]
    where = f'layer "{call.name}" ({rule.names[0]})'
    after = "Keras builds the model, then fails when data arrives (predict, fit, or a call on data)."
    for i, x in enumerate(tensors):
        dtype = x.arrives
        if accepts is not None and dtype in MEASURED_DTYPES and dtype not in accepts:
            label = f" (Keras labels it {x.dtype}, but the data stays {dtype})" if dtype != x.dtype else ""
            raise ShapeError(DTYPE_MISMATCH, f"Input {i} of {where} has dtype {dtype}{label}; the layer runs "
                             f"only on {_needs(accepts)}. {after} {_fix(dtype, accepts)}")
        if x.sparse and not rule.accepts_sparse:
            raise ShapeError(DTYPE_MISMATCH, f"Input {i} of {where} is a sparse tensor, which the layer cannot "
                             f"take. {after} Make it dense first: `keras.Input(..., sparse=False)` with dense "
                             "data, or a layer that takes sparse input (`Dense`, `Embedding`) before it.")
        if x.ragged and not rule.accepts_ragged:
            raise ShapeError(DTYPE_MISMATCH, f"Input {i} of {where} is a ragged tensor, which the layer cannot "
                             f"take. {after} Pad it to a dense tensor first (`keras.utils.pad_sequences` on "
                             "the data, `keras.Input(..., ragged=False)`).")


def to_snake_case(name: str) -> str:
    """Keras's automatic layer names: ``Conv2D`` -> ``conv2d``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


@dataclass(frozen=True)
class T:
    """Marks a tensor of this shape among an example's call arguments."""

    shape: Optional[tuple]
    dtype: str = "float32"
    sparse: bool = False
    ragged: bool = False


@dataclass(frozen=True)
class Example:
    """A shape-level example: config + input shapes -> output shape(s) or a finding.

    ``inputs`` is the first call argument: a shape tuple, or a list of shapes (merging
    layers).  ``args`` are further positional tensors (``MultiHeadAttention(q, v)``),
    ``call_kwargs`` keyword arguments (tensors marked with :class:`T`).  ``expect`` is
    the output shape, a list of shapes for several outputs, or a finding name.
    """

    config: dict
    inputs: Any
    expect: Any
    args: tuple = ()
    call_kwargs: dict = field(default_factory=dict)


Output = Union[TensorType, Sequence[TensorType]]


class Call:
    """One application of a rule, as the rule sees it."""

    def __init__(self, rule: Rule, config: dict, args: list, kwargs: dict, *,
                 name: str, keras_version: int = 3, built: bool = False, traced: bool = False,
                 replay: bool = False,
                 apply: Optional[Callable[[LayerRef, list, dict, bool], tuple[TensorType, ...]]] = None) -> None:
        self.rule = rule
        self.config = {**rule.defaults, **config}
        self.args = args
        self.kwargs = kwargs
        self.name = name
        self.keras_version = keras_version
        #: the layer was already called once: its weights exist, ``build`` does not run again
        self.built = built
        #: inside a layer's ``call`` (traced with backend tensors), not on symbolic Keras tensors
        self.traced = traced
        #: a layer of a nested model applied again (see ``Node.replay``)
        self.replay = replay
        self._apply = apply

    # -- inputs -----------------------------------------------------------
    @property
    def inputs(self) -> list[TensorType]:
        """The tensors passed as the first argument (a list for merging layers)."""
        first = self.args[0] if self.args else self.kwargs.get("inputs", UNKNOWN_TENSOR)
        if isinstance(first, (list, tuple)):
            return [t if isinstance(t, TensorType) else UNKNOWN_TENSOR for t in first]
        if isinstance(first, dict):
            return [t if isinstance(t, TensorType) else UNKNOWN_TENSOR for t in first.values()]
        return [first if isinstance(first, TensorType) else UNKNOWN_TENSOR]

    @property
    def input(self) -> TensorType:
        """The first input; unknown when the call got none (``layer([])``)."""
        inputs = self.inputs
        return inputs[0] if inputs else UNKNOWN_TENSOR

    @property
    def shape(self) -> Shape:
        """The first input's shape; unknowable when its rank is unknown."""
        shape = self.input.shape
        if shape is None:
            raise Unknowable()
        return shape

    def arg(self, position: int, name: str, default: Any = UNKNOWN) -> Any:
        """A call argument by position or keyword (tensors as :class:`TensorType`)."""
        if name in self.kwargs:
            return self.kwargs[name]
        if position < len(self.args):
            return self.args[position]
        return default

    # -- config -----------------------------------------------------------
    def get(self, key: str) -> Any:
        return self.config.get(key, UNKNOWN)

    def known(self, key: str) -> Any:
        """The config value, or :class:`Unknowable` if the front end could not follow it."""
        v = self.get(key)
        if v is UNKNOWN:
            raise Unknowable()
        return v

    def dim(self, key: str) -> Dim:
        """An integer argument as a dimension (``None`` if unknown)."""
        return as_dim(self.get(key))

    def ints(self, key: str, n: int, *, allow_none: bool = False) -> tuple[Dim, ...]:
        """An int-or-tuple argument (``kernel_size=3``) as ``n`` dims; checks the length."""
        v = self.get(key)
        if v is UNKNOWN:
            return tuple(dims.unknown() for _ in range(n))
        if isinstance(v, (list, tuple)):
            if len(v) != n:
                raise ShapeError(INVALID_ARGUMENT, f"The `{key}` argument must be a tuple of {n} integers. "
                                 f"Received {key}={v!r}")
            return tuple(as_dim(x) for x in v)
        if v is None and allow_none:
            return (None,) * n
        return (as_dim(v),) * n

    def flag(self, key: str, default: bool) -> bool:
        """A boolean constructor argument as Keras tests it (``if self.use_bias:``), ``default`` when
        not given; :class:`Unknowable` when the front end could not follow it."""
        v = self.config.get(key, default)
        if v is UNKNOWN or isinstance(v, dims.Sym):
            raise Unknowable()
        return bool(v)

    def fail(self, code: Code, message: str) -> ShapeError:
        return ShapeError(code, message)

    def apply(self, layer: Any, *args: Any, **kwargs: Any) -> tuple[TensorType, ...]:
        """Apply a layer given as a constructor argument (wrappers: ``Bidirectional``); traced
        when this call is (a rule whose ``call`` Keras traces marks its own call so: ``Pipeline``)."""
        if not isinstance(layer, LayerRef) or self._apply is None:
            raise Unknowable()
        return self._apply(layer, list(args), kwargs, self.traced)

    def sublayer_params(self, layer: Any, *args: Any, **kwargs: Any) -> tuple[int, int]:
        """The ``(trainable, non_trainable)`` counts of a layer given as a constructor argument
        once built by a call on ``args`` (wrappers: ``Bidirectional``, ``TimeDistributed``), as
        :meth:`apply` applies it; :class:`Unknowable` when the layer or its counts are unknown."""
        if not isinstance(layer, LayerRef):
            raise Unknowable()
        rule = LAYERS.get(layer.class_name)
        if not isinstance(rule, LayerRule):
            raise Unknowable()
        sub = Call(rule, layer.config, list(args), kwargs, name=layer.config.get("name") or layer.class_name.lower(),
                   keras_version=self.keras_version, traced=self.traced, apply=self._apply)
        return rule.count_params(sub)


def known_int(d: Any) -> int:
    """A size as a plain ``int``; :class:`Unknowable` for ``None``, a symbolic or an opaque size."""
    if isinstance(d, int) and not isinstance(d, bool):
        return d
    if d is True:
        return 1
    raise Unknowable()


def count(*shapes: Sequence[Any]) -> int:
    """The number of scalars in weights of these shapes (each size known, else :class:`Unknowable`)."""
    total = 0
    for shape in shapes:
        n = 1
        for d in shape:
            n *= known_int(d)
        total += n
    return total


def as_dim(v: Any) -> Dim:
    """A config value as a dimension; a value the front end could not follow is opaque."""
    if isinstance(v, (int, dims.Sym)) and not isinstance(v, bool):
        return v
    if v is None:
        return None
    return dims.unknown()


class Rule:
    """Common part of layer and op rules."""

    #: the Keras names this rule serves
    names: ClassVar[tuple[str, ...]] = ()
    #: constructor (layers) or function (ops) positional parameter names, in order
    params: ClassVar[tuple[str, ...]] = ()
    defaults: ClassVar[dict[str, Any]] = {}
    examples: ClassVar[tuple[Example, ...]] = ()

    def output(self, call: Call) -> Output:
        raise NotImplementedError

    def check_config(self, call: Call) -> None:
        """Raise :class:`ShapeError` for constructor arguments Keras rejects."""

    def structure(self, call: Call) -> Any:
        """How the flat outputs nest in what the call returns: ``None`` for a flat list (or
        one tensor), else nested lists of output indices (``[0, [1, 2], [3, 4]]``)."""
        return None


#: the dtype policies of quantized layers (``"int8_from_float32"``): their weights are not the float ones
QUANTIZED_POLICIES = ("int8", "int4", "float8", "gptq", "awq")


class LayerRule(Rule):
    """A rule for one Keras layer class and its aliases (``Conv2D``, ``Convolution2D``)."""

    #: the input spec, or ``None`` when the layer declares none
    spec: ClassVar[Optional[InputSpec]] = None
    #: where the symbolic output's dtype comes from under Keras 3: ``"compute"``, the layer's compute
    #: dtype (``Layer.compute_output_spec`` from ``compute_output_shape``: ``Dense`` on int32 gives
    #: float32) unless the rule works out another; ``"input"``, an integer or bool input's dtype
    #: kept (``Reshape``); ``"rule"``, whatever the rule says (lookup layers' integer ids)
    output_dtype: ClassVar[str] = "compute"
    #: the input dtypes the layer runs on when data arrives, as measured with Keras 3 on TensorFlow
    #: (``tests/data/dtype_table.json``): ``FLOATING`` (convolutions), ``NUMERIC`` (no strings),
    #: ``STRING`` (``StringLookup``) ...; ``None``: any, or it depends on what the layer wraps
    accepts: ClassVar[Optional[frozenset[str]]] = None
    #: whether the layer runs on a ``tf.SparseTensor`` / ``tf.RaggedTensor``
    accepts_sparse: ClassVar[bool] = True
    accepts_ragged: ClassVar[bool] = True
    #: its call keeps an integer, bool or string input's dtype, whatever Keras labels the symbolic
    #: output (``ZeroPadding2D``, ``MaxPooling2D``, ``Resizing``, ``Concatenate`` on uint8 give uint8
    #: data; measured): the next layers are checked against that dtype (``TensorType.data_dtype``)
    passes_dtype: ClassVar[bool] = False
    #: whether a sparse (ragged) input gives a sparse (ragged) output; otherwise the output is dense
    keeps_sparse: ClassVar[bool] = False
    keeps_ragged: ClassVar[bool] = False
    #: lowercase functional forms (``keras.layers.concatenate``) and their params after ``inputs``
    functions: ClassVar[tuple[str, ...]] = ()
    function_params: ClassVar[tuple[str, ...]] = ()

    def input_spec(self, call: Call) -> Optional[InputSpec]:
        """The spec checked before ``output``; override when it depends on config."""
        return self.spec

    def keeps(self, call: Call) -> tuple[bool, bool]:
        """``(keeps_sparse, keeps_ragged)`` for this call; override when config decides (a lookup's
        ``output_mode="one_hot"`` gives a dense tensor)."""
        return self.keeps_sparse, self.keeps_ragged

    def accepted_dtypes(self, call: Call) -> Optional[frozenset[str]]:
        """The dtypes checked at each call; override when they depend on config (``invert=True``)."""
        return self.accepts

    def built_spec(self, call: Call) -> Optional[InputSpec]:
        """The spec the layer's weights fix once built (checked on later calls)."""
        return None

    #: the layer makes no weights: its counts are ``(0, 0)`` whatever the call
    weightless: ClassVar[bool] = False
    #: :meth:`weights` holds for tf.keras 2 too (checked against ``tf_keras``); otherwise the
    #: counts under ``keras_version=2`` are unknowable
    keras2_weights: ClassVar[bool] = False

    def count_params(self, call: Call) -> tuple[int, int]:
        """The ``(trainable, non_trainable)`` parameter counts of the weights the layer makes when
        it is built by ``call`` (its first call), as Keras's ``count_params()`` and
        ``model.summary()`` count them. :class:`Unknowable` when they depend on what is unknown.

        Rules say which weights they make in :meth:`weights` (or set ``weightless``); here the
        constructor's ``trainable=False`` turns every weight non-trainable, as Keras does."""
        if call.keras_version < 3 and not (self.weightless or self.keras2_weights):
            raise Unknowable()
        if self.weightless:
            return (0, 0)
        dtype = call.config.get("dtype")
        if isinstance(dtype, str) and dtype.startswith(QUANTIZED_POLICIES):
            raise Unknowable()  # `int8_from_float32`: quantized kernels and their scales, not followed
        trainable, frozen = self.weights(call)
        flag = call.config.get("trainable", True)
        if flag is True or trainable == 0:
            return (trainable, frozen)
        if flag is False:
            return (0, trainable + frozen)
        raise Unknowable()

    def weights(self, call: Call) -> tuple[int, int]:
        """The ``(trainable, non_trainable)`` counts of the weights ``call`` builds, for a trainable
        layer (see :meth:`count_params`)."""
        raise Unknowable()


class OpRule(Rule):
    """A rule for a function applied to tensors (``keras.ops.*``, ``tf.*``)."""

    #: the ``keras.ops`` spelling to suggest when a TensorFlow function is used under Keras 3
    keras_equivalent: ClassVar[Optional[str]] = None


LAYERS: dict[str, LayerRule] = {}
LAYER_FUNCTIONS: dict[str, LayerRule] = {}
OPS: dict[str, OpRule] = {}
#: ``keras.applications`` models (``ResNet50``), each applied as one operation of the graph
#: (``keras.applications.ResNet50`` nodes): see ``shapecheck/layers/applications.py``
APPLICATIONS: dict[str, LayerRule] = {}


def register(cls: type) -> type:
    """Class decorator: register a rule under all its names."""
    rule = cls()
    if isinstance(rule, LayerRule):
        for n in cls.names:
            assert n not in LAYERS, f"duplicate layer rule {n}"
            LAYERS[n] = rule
        for f in cls.functions:
            LAYER_FUNCTIONS[f] = rule
    elif isinstance(rule, OpRule):
        for n in cls.names:
            assert n not in OPS, f"duplicate op rule {n}"
            OPS[n] = rule
    else:  # pragma: no cover - programming error
        raise TypeError(cls)
    return cls


def load_rules() -> None:
    """Import every rule module (they register themselves)."""
    from .. import layers, ops  # noqa: F401


def unknown_outputs(n: int = 1) -> tuple[TensorType, ...]:
    return (UNKNOWN_TENSOR,) * n
