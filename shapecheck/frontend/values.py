"""Abstract values the interpreter carries in its environments.

Plain Python values (ints, strings, tuples, lists, dicts) stand for themselves;
everything the interpreter cannot follow is :data:`~shapecheck.core.ir.UNKNOWN`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst

from ..core import dims
from ..core.findings import Span
from ..core.ir import TensorRef
from ..core.shapes import TensorType


@dataclass(eq=False)
class Tensor:
    """A symbolic Keras tensor: output ``ref`` of a graph node."""

    ref: TensorRef
    type: TensorType


@dataclass(eq=False)
class QualName:
    """A module or attribute reached through imports (``tensorflow.keras.layers``)."""

    name: str


@dataclass(eq=False)
class SymValue:
    """A value known only as a symbolic integer (a parameter of an uncalled function).

    It may not be an int at all (a tuple parameter), so it becomes a symbolic
    dimension only where it stands as one element of a shape.  With ``integer`` it surely
    is one (a loop's variable over a ``range`` of unknown bounds), so it is an index too.
    """

    expr: dims.Dim
    integer: bool = False


@dataclass(eq=False)
class LayerValue:
    """A Keras layer instance built from a known class."""

    class_name: str
    config: dict
    layer_id: str
    name: str
    span: Optional[Span]
    #: what the front end follows in place of the rule: a ``Lambda``'s Python function (when
    #: no ``output_shape`` is given), the model a ``TimeDistributed`` applies to each timestep
    wrapped: Any = None
    #: a ``Lambda``'s ``output_shape`` when it is a function of the program's (called on the input shapes)
    shape_function: Any = None
    #: a layer inside a ``keras.applications`` model: (the model, its index in ``model.layers``)
    inner: Any = None


@dataclass(frozen=True)
class CounterName:
    """The name Keras makes from a counter for a layer of a model (``input_layer_3``): not known,
    but different from every other layer's name in that model (Keras requires them unique), so a
    dict keyed by the model's layer names still finds the others."""

    #: the model's id, and the layer's index in ``model.layers``
    owner: str
    index: int
    #: the other layers' names in the model
    others: frozenset = field(compare=False, hash=False)


@dataclass(eq=False)
class ModelValue:
    """A functional or ``Sequential`` model."""

    kind: str  # "functional" | "sequential"
    layer_id: str
    name: Optional[str]
    inputs: list = field(default_factory=list)  # Tensor values (functional, or built Sequential)
    outputs: Any = None  # Tensor / list / dict structure
    layers: list = field(default_factory=list)  # Sequential: LayerValue / ModelValue / Instance
    input_type: Optional[TensorType] = None  # Sequential: shape declared on its first layer
    loss: Any = None  # what `compile(loss=...)` gave: a LossValue, or a list/dict of them (None: not compiled)
    #: a ``keras.applications`` model (``"ResNet50"``): its input and one operation standing for its layers
    application: Optional[str] = None
    #: a functional model whose ``inputs`` is a dict: its keys (sorted, as ``inputs`` are), which its
    #: data's keys must be (rather than the inputs' names)
    input_keys: Optional[list] = None


@dataclass(eq=False)
class FunctionValue:
    node: Any  # cst.FunctionDef | cst.Lambda
    env: Any  # the defining Env
    defaults: dict
    name: str
    is_method: bool = False
    called: bool = False
    #: the class whose body defines it (what a bare ``super()`` inside it starts from)
    owner: Any = None


@dataclass(eq=False)
class ClassValue:
    node: cst.ClassDef
    env: Any
    name: str
    bases: list
    attrs: dict
    keras_kind: Optional[str]  # "model" | "layer" | None
    is_dataclass: bool = False


@dataclass(eq=False)
class Instance:
    cls: ClassValue
    attrs: dict
    layer_id: str
    name: str
    built: bool = False
    functional: Optional[ModelValue] = None
    loss: Any = None  # as ModelValue.loss
    #: the interpreter's ``_maybe`` where it was made: an attribute of a plain (not Keras) instance
    #: set at a deeper one becomes unknown (the assignment may not run)
    depth: int = 0
    #: a subclass of a Keras layer class (``class MyDense(layers.Dense)``): the layer its
    #: ``super().__init__(...)`` configures, what the instance computes where the class has no ``call``
    base_layer: Optional[LayerValue] = None


@dataclass(eq=False)
class BoundMethod:
    obj: Any
    name: str
    func: Optional[FunctionValue] = None


@dataclass(eq=False)
class Builtin:
    name: str


@dataclass(eq=False)
class Partial:
    """``functools.partial(func, *args, **kwargs)``."""

    func: Any
    args: list
    kwargs: dict


@dataclass(eq=False)
class SuperValue:
    instance: Any
    cls: Optional[ClassValue]


@dataclass(eq=False)
class Array:
    """Data: a NumPy array (or an eager tensor made from data) whose shape is known statically.

    Not a Keras tensor: no graph node stands for it, and functions applied to it are
    evaluated at once (``np.reshape``, ``keras.utils.to_categorical``), never reported.
    """

    type: TensorType
    #: where it was made, and how (``np.zeros``, ``mnist.load_data()``): the notes of a finding
    origin: Optional[Span] = None
    what: str = ""


@dataclass(eq=False)
class Image:
    """A PIL image the program loads (``keras.utils.load_img``, ``PIL.Image.open``): its size, its
    bands and its Pillow mode, each ``dims.unknown()``/``None`` where the source does not say."""

    height: dims.Dim
    width: dims.Dim
    bands: Optional[int]
    mode: Optional[str]


@dataclass(eq=False)
class ImageGenerator:
    """A ``keras.preprocessing.image.ImageDataGenerator``: what its batches' shapes depend on."""

    data_format: Any
    dtype: Any


@dataclass(eq=False)
class Dataset:
    """A ``tf.data.Dataset`` whose element structure is known: Arrays (with the batch axis
    when batched), in tuples and dicts as the dataset yields them."""

    element: Any
    origin: Optional[Span] = None
    batched: bool = False
    #: samples it yields before batching, when known (``from_tensor_slices`` of arrays)
    count: Optional[int] = None
    #: rows of its first batch, when known (``batch(32)`` of 100 samples: 32; of 20: 20)
    first_batch: Optional[int] = None


@dataclass(eq=False)
class LossValue:
    """A loss given to ``compile``: the canonical ``keras.losses`` function and its arguments
    (``from_logits``, ``axis``); ``function`` is empty for a loss shapecheck does not know."""

    function: str
    kwargs: dict = field(default_factory=dict)
    label: str = ""  # as written: "categorical_crossentropy", "CategoricalCrossentropy(...)"


@dataclass(eq=False)
class ModelRecord:
    """A model the code builds (``keras.Model(...)``, ``Sequential(...)``, a subclassed model's
    instantiation), for the static ``model.summary()``: where, and the name the code binds it to."""

    model: Any  # ModelValue | Instance
    span: Span  # the constructor call
    #: the first name the code binds it to (``model``, ``self.encoder``); ``None`` when never named
    variable: Optional[str] = None
    #: ``_maybe`` depth where it was made: a change at a deeper one (a branch that may not run, a
    #: loop of unknown length) makes its final state uncertain
    depth: int = 0
    #: its layers changed where the code may not run (``add`` in a branch): unknown at the end
    uncertain: bool = False
    #: something may have built it that shapecheck does not follow (data of unknown shape)
    maybe_built: bool = False
    #: compiled to run eagerly: built by data, its layers' shapes hold the first batch's size
    eager: bool = False


@dataclass(eq=False)
class KerasCall:
    """One call of a model, a subclassed layer, or a layer that wraps Python code (``Lambda``,
    ``TimeDistributed`` of a model), as one operation of Keras's graph: the IR holds the nodes
    it runs inside, this says which tensors go in and come out."""

    obj: Any  # ModelValue | Instance | LayerValue
    inputs: list  # TensorRef of each input tensor, in order
    outputs: list  # TensorRef of each output tensor, in order
    #: a symbolic call at the top level (not inside another call's replay or trace): what Keras
    #: records as an inbound node of the layer
    inbound: bool = True


@dataclass(eq=False)
class Namespace:
    """An object whose attributes are configuration values: what ``parse_args()`` returns,
    ``argparse.Namespace(...)``, ``types.SimpleNamespace(...)``, ``ml_collections.ConfigDict``,
    ``easydict.EasyDict`` (see :mod:`.configs`)."""

    attrs: dict
    #: read as a mapping too (``cfg["units"]``: ConfigDict, EasyDict)
    items: bool = False
    #: every attribute it has is in ``attrs`` (``getattr(ns, "x", default)`` may take the default)
    complete: bool = True
    #: the interpreter's ``_maybe`` where it was made: set at a deeper one, an attribute is unknown
    depth: int = 0
    #: a ``collections.namedtuple`` instance: its fields in order (``cfg[1]``)
    order: tuple = ()


@dataclass(eq=False)
class ArgParser:
    """An ``argparse.ArgumentParser``: a real parser holding the arguments as far as they are
    known (:mod:`.configs`), parsed without command-line arguments by ``parse_args()``."""

    parser: Any
    #: dests whose value cannot be known (a required argument, a ``type=`` not followed ...)
    unknown: set = field(default_factory=set)
    depth: int = 0
    #: every argument it has is known (no option string or ``dest`` that could not be evaluated)
    complete: bool = True


def is_literal(v: Any) -> bool:
    """A plain Python value as a literal writes it: a bool, number, string, None, or a list or
    tuple of them (what a constructor config, a default or a command-line value may hold as is)."""
    if isinstance(v, (bool, int, float, str, type(None))):
        return True
    if isinstance(v, (list, tuple)):
        return all(is_literal(x) for x in v)
    return False
