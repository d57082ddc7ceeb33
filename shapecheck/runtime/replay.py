"""Replay one extracted graph with real Keras: first symbolically, then on random data.

Everything is rebuilt from the IR alone: ``keras.Input`` from an input node's literal
arguments, each layer from its class name and literal config (one object per layer
identity, so shared layers stay shared), each op from its canonical name. Nothing of
the analysed code is imported or executed; a value the front end could not follow (a
Lambda's function, a custom class, an argument it could not evaluate) makes the node
*skipped*, with the reason, and so every node that depends on it.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from ..core import dims
from ..core.engine import rule_for
from ..core.rules import APPLICATIONS, load_rules
from ..core.ir import UNKNOWN, ArrayRef, DatasetRef, Graph, LayerRef, ModelRef, Node, TensorRef

#: how a size is given to an axis the static analysis left unknown, when data flows
UNKNOWN_BATCH = 2
UNKNOWN_AXIS = 8

_ITEMSIZE = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int8": 1, "uint8": 1, "int16": 2,
             "uint16": 2, "int32": 4, "uint32": 4, "int64": 8, "uint64": 8, "bool": 1, "complex64": 8,
             "complex128": 16}


#: the arguments of a model's methods that the data replay passes on (the rest, epochs or
#: callbacks, change nothing about shapes; the replay runs one step)
_DATA_ARGUMENTS = {"x", "y", "sample_weight", "batch_size", "validation_data", "validation_split",
                   "validation_batch_size", "class_weight", "inputs"}


#: errors of the device, not of the model: never a confirmation
_NOT_A_VERDICT = {"ResourceExhaustedError", "OutOfMemoryError", "XlaRuntimeError"}


class Skip(Exception):
    """The node cannot be replayed (the reason says why); neither can what depends on it."""


@dataclass
class Outcome:
    """What Keras did with one node: ``ok`` (``shapes`` of its outputs), ``raised`` (``message``),
    or ``skipped`` (``message`` says why)."""

    status: str
    message: str = ""
    shapes: Optional[list] = None
    error: str = ""  # the exception's class name when raised
    #: a stand-in for code the replay does not run (a Lambda's function, a custom layer): it gives
    #: the shape the code declares, so what follows is replayed, but its own shape proves nothing
    stand_in: str = ""

    @property
    def raised(self) -> bool:
        return self.status == "raised"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class GraphReplay:
    """The outcome of every node, symbolically and on data (``eager`` is empty when the data pass
    did not run; ``eager_skipped`` says why)."""

    symbolic: dict[int, Outcome] = field(default_factory=dict)
    eager: dict[int, Outcome] = field(default_factory=dict)
    eager_skipped: str = ""
    #: layer identity -> the built Keras layer's (trainable, non_trainable) parameter counts
    params: dict[str, tuple[int, int]] = field(default_factory=dict)

    def to_json(self) -> dict:
        def outcomes(d: dict[int, Outcome]) -> list:
            return [[k, o.status, o.message, o.shapes, o.error, o.stand_in] for k, o in d.items()]

        return {"symbolic": outcomes(self.symbolic), "eager": outcomes(self.eager), "eager_skipped": self.eager_skipped,
                "params": [[k, a, b] for k, (a, b) in self.params.items()]}

    @staticmethod
    def from_json(data: dict) -> GraphReplay:
        def outcomes(items: list) -> dict[int, Outcome]:
            return {k: Outcome(status, message, None if shapes is None else
                               [None if s is None else tuple(s) for s in shapes], error, stand_in)
                    for k, status, message, shapes, error, stand_in in items}

        return GraphReplay(outcomes(data["symbolic"]), outcomes(data["eager"]), data["eager_skipped"],
                           {k: (a, b) for k, a, b in data["params"]})


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _first_line(e: BaseException) -> str:
    """What Keras says, in one line: Keras 3 wraps a layer's error in "Exception encountered when
    calling X.call()", the error itself on the next line."""
    text = _ANSI.sub("", str(e)).strip() or type(e).__name__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        lines = lines[1:]
    head = lines[0] if lines else text
    if len(head) > 400:
        head = head[:400] + "…"
    return head


class Replayer:
    """Replays a :class:`Graph` with ``keras`` (Keras 3, or ``tf_keras`` for tf.keras 2)."""

    def __init__(self, keras: Any, graph: Graph, *, keras_version: int = 3, time_limit: float = 60.0,
                 memory_limit: Optional[int] = None) -> None:
        load_rules()  # (what has a rule is what may be replayed)
        self.keras = keras
        self.graph = graph
        self.keras_version = keras_version
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.layers: dict[str, Any] = {}
        self.broken: dict[str, str] = {}  # layer identity -> why it could not be built
        self.models: dict[tuple, Any] = {}
        self.stand_ins: dict[int, Any] = {}  # node id -> the Lambda standing in for code not run
        self.result = GraphReplay()
        self._start = 0.0
        self._syms: dict[str, int] = {}

    # -- driver --------------------------------------------------------------
    def run(self) -> GraphReplay:
        self._start = time.monotonic()
        tensors: dict[TensorRef, Any] = {}
        weights = 4 * sum(a + b for a, b in self.graph.params.values())
        if self.memory_limit is not None and weights > self.memory_limit:
            # Building the layers, even symbolically, would make their weights.
            why = (f"not replayed: the layers' weights alone need about {_mib(weights)} (shapecheck's "
                   f"parameter counts), above the limit of {_mib(self.memory_limit)}")
            for node in self.graph.nodes:
                self.result.symbolic[node.id] = Outcome("skipped", why)
            self.result.eager_skipped = why
            return self.result
        for node in self.graph.nodes:
            self.result.symbolic[node.id] = self._guard(lambda n=node: self.symbolic(n, tensors))
        self._params()
        for node in self.graph.nodes:  # an InputLayer has no weights
            if node.kind == "input" and node.layer_id is not None and self.result.symbolic[node.id].ok:
                self.result.params.setdefault(node.layer_id, (0, 0))
        need = self.estimate_bytes(tensors)
        if self.memory_limit is not None and need > self.memory_limit:
            self.result.eager_skipped = (f"not run on data: about {_mib(need)} needed (parameters and "
                                         f"activations), above the limit of {_mib(self.memory_limit)}")
            return self.result
        values: dict[TensorRef, Any] = {}
        for node in self.graph.nodes:
            self.result.eager[node.id] = self._guard(lambda n=node: self.on_data(n, values, tensors))
        return self.result

    def _guard(self, fn: Any) -> Outcome:
        if time.monotonic() - self._start > self.time_limit:
            return Outcome("skipped", f"the replay of this file passed its time limit ({self.time_limit:g} s)")
        try:
            return fn()
        except Skip as e:
            return Outcome("skipped", str(e))
        except (MemoryError, AttributeError, NameError, AssertionError, ImportError) as e:
            # not Keras rejecting the call: the machine, or the replay itself
            return Outcome("skipped", f"the replay failed here ({type(e).__name__}: {_first_line(e)})")
        except Exception as e:  # noqa: BLE001 - what Keras raised is the answer
            if type(e).__name__ in _NOT_A_VERDICT:
                return Outcome("skipped", f"the replay ran out of memory here ({type(e).__name__})")
            return Outcome("raised", _first_line(e), error=type(e).__name__)

    # -- symbolic pass -------------------------------------------------------
    def symbolic(self, node: Node, tensors: dict[TensorRef, Any]) -> Outcome:
        k = self.keras
        if node.kind in ("input", "data"):
            cfg = self.config({key: _undefined(v) if key in ("shape", "batch_shape") else
                               (None if key == "batch_size" and isinstance(v, dims.Sym) else v)
                               for key, v in node.config.items()}, tensors)
            if node.kind == "data":
                cfg = {"batch_shape": cfg.get("batch_shape"), "dtype": cfg.get("dtype")}
            if "tensor" in node.kwargs:
                cfg["tensor"] = self.resolve(node.kwargs["tensor"], tensors)
            if self.keras_version < 3:
                cfg.pop("optional", None)  # (a Keras 3 argument)
            out = k.Input(**cfg)
            return self._store(node, out, tensors)
        if node.kind == "layer":
            declared = _declared(node)
            if declared is not None:
                return self._stand_in(node, declared, tensors)
            # (a keras.applications model is rebuilt with weights=None: the weights change no shape)
            config = {**node.config, "weights": None} if node.op.startswith("keras.applications.") else node.config
            inner = config.pop("output_layer", None) if config is not node.config else None
            layer = self.layer(node.op.rsplit(".", 1)[-1], config, node.layer_id, tensors)
            if inner is not None:  # a layer inside the model: the model up to it (also on data)
                layer = self.keras.Model(layer.input, layer.layers[inner].output)
                self.layers[node.layer_id] = layer
            args = self.resolve(node.args, tensors)
            kwargs = self.resolve(node.kwargs, tensors)
            return self._store(node, layer(*args, **kwargs), tensors)
        if node.kind == "op":
            declared = _declared(node)
            if declared is None and node.op == "shapecheck.time_distributed":
                # TimeDistributed(model): the model ran on one timestep (replayed); the time axis
                # put back is the step's output for every timestep
                x, step = self.resolve(node.args[:2], tensors)
                declared = (_shape(x)[1], *_shape(step)[1:])
            if declared is not None:
                return self._stand_in(node, declared, tensors)
            fn = self.op(node)
            args = self.resolve(node.args, tensors)
            kwargs = self.resolve(node.kwargs, tensors)
            if node.traced and node.op.startswith("tensorflow."):
                # Inside a layer's call TensorFlow functions see real tensors: Keras traces the
                # call the way a Lambda layer is traced.
                return self._store(node, self._in_lambda(fn, args, kwargs), tensors)
            return self._store(node, fn(*args, **kwargs), tensors)
        if node.kind == "construct":
            self.new_layer(node.op.rsplit(".", 1)[-1], node.config, tensors)
            return Outcome("ok", shapes=[])
        if node.kind == "model":
            ref = node.config.get("model")
            model = self.model(ref, tensors, fresh=True)
            return Outcome("ok", shapes=[_shape(t) for t in _flat(model.outputs)])
        if node.kind == "method":
            return self.method(node, tensors, eager=False)
        raise Skip(f"an IR node of kind {node.kind!r}")

    def _stand_in(self, node: Node, declared: tuple, tensors: dict[TensorRef, Any]) -> Outcome:
        """Code the replay does not run, replaced by a Lambda of the replay's own that gives the
        declared shape: symbolically Keras takes ``output_shape`` as it is; on data it makes zeros
        (an undefined axis gets the data pass's size)."""
        ops = self.keras.ops
        rest = tuple(UNKNOWN_AXIS if d is None else d for d in declared)

        def zeros(inputs: Any) -> Any:
            first = _flat(inputs)[0]
            return ops.zeros((ops.shape(first)[0], *rest))

        inputs = self.resolve(_stand_in_inputs(node), tensors)
        layer = self.layers.get(node.layer_id) if node.layer_id else None
        if layer is None:
            layer = self.keras.layers.Lambda(zeros, output_shape=declared)
        if node.layer_id is not None:
            self.layers[node.layer_id] = layer
        self.stand_ins[node.id] = layer
        outcome = self._store(node, layer(inputs), tensors)
        if node.op != "shapecheck.time_distributed":  # (that one is Keras's step output, time axis put back)
            what = "a Lambda layer" if node.kind == "layer" else "a layer defined in the analysed code"
            outcome.stand_in = f"{what}: its declared output shape is taken as given, its code is not run"
        return outcome

    def _in_lambda(self, fn: Any, args: list, kwargs: dict) -> Any:
        """``fn(*args, **kwargs)`` traced as a Lambda layer (the replay's own function, calling
        one TensorFlow function with the IR's literal arguments) on the symbolic tensors among them."""
        leaves: list = []
        symbolic = self.keras.backend.is_keras_tensor

        def cut(v: Any) -> Any:
            if symbolic(v):
                leaves.append(v)
                return _Slot(len(leaves) - 1)
            if isinstance(v, list):
                return [cut(x) for x in v]
            if isinstance(v, tuple):
                return tuple(cut(x) for x in v)
            if isinstance(v, dict):
                return {k: cut(x) for k, x in v.items()}
            return v

        pattern = cut((list(args), dict(kwargs)))

        def call(inputs: Any) -> Any:
            values = inputs if isinstance(inputs, (list, tuple)) else [inputs]
            a, kw = _fill(pattern, values)
            return fn(*a, **kw)

        return self.keras.layers.Lambda(call)(leaves if len(leaves) != 1 else leaves[0])

    def _store(self, node: Node, out: Any, tensors: dict[TensorRef, Any]) -> Outcome:
        flat = _flat(out)
        for i, t in enumerate(flat):
            tensors[TensorRef(node.id, i)] = t
        return Outcome("ok", shapes=[_shape(t) for t in flat])

    # -- values --------------------------------------------------------------
    def resolve(self, v: Any, tensors: dict[TensorRef, Any]) -> Any:
        if isinstance(v, TensorRef):
            if v not in tensors:
                raise Skip(f"its input (from line {self._line(v.node)}) could not be replayed")
            return tensors[v]
        if isinstance(v, list):
            return [self.resolve(x, tensors) for x in v]
        if isinstance(v, tuple):
            return tuple(self.resolve(x, tensors) for x in v)
        if isinstance(v, dict):
            return {k: self.resolve(x, tensors) for k, x in v.items()}
        return self.literal(v, tensors)

    def literal(self, v: Any, tensors: dict[TensorRef, Any]) -> Any:
        if v is UNKNOWN:
            raise Skip("an argument shapecheck could not follow (a variable, a function, a custom object)")
        if isinstance(v, dims.Sym):
            raise Skip(f"a size known only as `{v}`")
        if isinstance(v, LayerRef):
            return self.layer(v.class_name, v.config, v.layer_id, tensors)
        if isinstance(v, ModelRef):
            return self.model(v, tensors)
        if isinstance(v, ArrayRef):
            raise Skip("data inside a layer call")
        if isinstance(v, slice):
            return slice(self.literal(v.start, tensors), self.literal(v.stop, tensors), self.literal(v.step, tensors))
        if isinstance(v, (list, tuple, dict)):
            return self.resolve(v, tensors)
        return v

    def config(self, config: dict, tensors: dict[TensorRef, Any]) -> dict:
        if "__extra_args__" in config:
            raise Skip("more positional arguments than the constructor takes")
        return {k: self.resolve(v, tensors) for k, v in config.items()}

    def _line(self, node_id: int) -> str:
        n = self.graph.nodes[node_id] if node_id < len(self.graph.nodes) else None
        return str(n.span.line) if n is not None and n.span is not None else "?"

    # -- layers, ops, models -------------------------------------------------
    def layer_class(self, class_name: str) -> Any:
        if class_name in APPLICATIONS:
            return getattr(self.keras.applications, class_name)
        if rule_for(f"keras.layers.{class_name}") is None:
            # Only what shapecheck has a shape rule for: a layer that loads a saved model or wraps
            # a function would run code that is not Keras's.
            raise Skip(f"`{class_name}`: a layer shapecheck has no rule for is not replayed")
        cls = getattr(self.keras.layers, class_name, None)
        if cls is None:
            raise Skip(f"`{class_name}` is not a layer of this Keras")
        if class_name == "Lambda":
            raise Skip("a Lambda layer: its Python function is not run by the replay")
        return cls

    def new_layer(self, class_name: str, config: dict, tensors: dict[TensorRef, Any]) -> Any:
        cls = self.layer_class(class_name)
        cfg = self.config(config, tensors)
        if class_name == "InputLayer" and self.keras_version < 3:
            cfg.pop("optional", None)  # (a Keras 3 argument)
        return cls(**cfg)

    def layer(self, class_name: str, config: dict, layer_id: Optional[str], tensors: dict[TensorRef, Any]) -> Any:
        if layer_id is not None and layer_id in self.layers:
            return self.layers[layer_id]
        if layer_id is not None and layer_id in self.broken:
            raise Skip(self.broken[layer_id])
        try:
            layer = self.new_layer(class_name, config, tensors)
        except Skip as e:
            if layer_id is not None:
                self.broken[layer_id] = str(e)
            raise
        except Exception as e:  # noqa: BLE001
            reason = f"its constructor raised {type(e).__name__}: {_first_line(e)}"
            if layer_id is not None:
                self.broken[layer_id] = reason
            raise Skip(reason) from None
        if layer_id is not None:
            self.layers[layer_id] = layer
        return layer

    def op(self, node: Node) -> Any:
        name = node.op
        if name == "shapecheck.time_step":
            return lambda x: x[:, 0]  # TimeDistributed(model): the model applies to one timestep
        if name == "shapecheck.eager":
            shape = node.kwargs.get("shape")
            if not isinstance(shape, (tuple, list)) or not all(isinstance(d, int) for d in shape):
                raise Skip("data of a size shapecheck does not know")
            return lambda shape, dtype: self.keras.ops.zeros(tuple(shape), dtype=dtype or "float32")  # the data
        if name.startswith("shapecheck."):
            raise Skip("a step shapecheck follows in place of Python code (not a Keras call)")
        if rule_for(name) is None:
            # Only the tensor functions shapecheck has a shape rule for: `tf.io.write_file` or
            # `tf.py_function` would do what the analysed code does, not compute a shape.
            raise Skip(f"`{name}`: a function shapecheck has no rule for is not replayed")
        if name == "operator.getitem":
            return lambda x, index: x[index]
        root, _, rest = name.partition(".")
        if root == "keras" and self.keras_version >= 3:
            module: Any = self.keras
        elif root == "keras" and rest.startswith("backend."):
            module = self.keras
        elif root == "tensorflow":
            try:
                import tensorflow as module  # noqa: PLC0415 - only for TensorFlow ops
            except ImportError:
                raise Skip("a TensorFlow function, and TensorFlow is not installed") from None
        else:
            raise Skip(f"`{name}` is not replayed")
        fn = module
        for part in rest.split("."):
            fn = getattr(fn, part, None)
            if fn is None:
                raise Skip(f"`{name}` does not exist in this {root}")
        return fn

    def model(self, ref: Any, tensors: dict[TensorRef, Any], fresh: bool = False) -> Any:
        if not isinstance(ref, ModelRef):
            raise Skip("a subclassed model: its code is not run by the replay")
        # (a Sequential grows with `add`: each state of it is its own model)
        key = (ref.layer_id, tuple(getattr(x, "layer_id", None) for x in ref.layers))
        if key in self.models and not fresh:
            return self.models[key]
        k = self.keras
        if ref.kind == "functional":
            inputs = self.resolve(list(ref.inputs), tensors)
            outputs = self.resolve(ref.outputs, tensors)
            model = k.Model(inputs=inputs if len(inputs) != 1 else inputs[0], outputs=outputs, name=ref.name)
        else:
            layers = [self.resolve(x, tensors) for x in ref.layers]
            if ref.inputs:
                inp = self.resolve(ref.inputs[0], tensors)
                model = k.Sequential([k.Input(batch_shape=inp.shape, dtype=inp.dtype), *layers], name=ref.name)
            else:
                model = k.Sequential(layers, name=ref.name)
        self.models[key] = model
        return model

    # -- a model's methods ---------------------------------------------------
    def method(self, node: Node, tensors: dict[TensorRef, Any], eager: bool) -> Outcome:
        name = node.op.rsplit(".", 1)[-1]
        model = self.model(node.config.get("model"), tensors)
        data = [a for a in _flat(node.args) + _flat(list(node.kwargs.values())) if isinstance(a, ArrayRef)]
        if name == "__call__" and not data:
            if eager:
                raise Skip("checked by the symbolic pass")
            out = model(*self.resolve(node.args, tensors), **self.resolve(node.kwargs, tensors))
            return Outcome("ok", shapes=[_shape(t) for t in _flat(out)])
        if not eager:
            raise Skip("data flows: checked on data")
        import numpy as np

        rows = _rows_to_keep(node, name, [node.kwargs.get(k) for k in ("x", "y", "sample_weight")] + node.args)
        kwargs = {k: self.arrays(v, np, rows) for k, v in node.kwargs.items()
                  if k in _DATA_ARGUMENTS and k != "validation_data"}
        if "validation_data" in node.kwargs:
            v = node.kwargs["validation_data"]
            kwargs["validation_data"] = self.arrays(v, np, _rows_to_keep(node, name, [v], "validation_batch_size"))
        args = [self.arrays(v, np, rows) for v in node.args]
        if name == "__call__":
            out = model(*args, **kwargs)
            return Outcome("ok", shapes=[_shape(t) for t in _flat(out)])
        loss = node.config.get("loss")
        if name in ("fit", "evaluate", "train_on_batch", "test_on_batch"):
            model.compile(optimizer="sgd", loss=self.loss(loss))
        if name in ("fit", "evaluate", "predict"):
            kwargs["verbose"] = 0
            if name == "fit":
                kwargs["epochs"] = 1
                kwargs["steps_per_epoch"] = 1
                if "validation_data" in kwargs or "validation_split" in kwargs:
                    kwargs["validation_steps"] = 1
            else:
                kwargs["steps"] = 1
        out = getattr(model, name)(*args, **kwargs)
        return Outcome("ok", shapes=[_shape(t) for t in _flat(out)] if name.startswith("predict") else [])

    def loss(self, spec: Any) -> Any:
        if spec is None:
            raise Skip("the model is not compiled with a loss shapecheck knows")
        if spec is UNKNOWN:
            raise Skip("a loss shapecheck could not follow")
        if isinstance(spec, list):
            return [self.loss(x) for x in spec]
        if isinstance(spec, dict) and "function" not in spec:
            return {k: self.loss(x) for k, x in spec.items()}
        fn_name = spec["function"].rsplit(".", 1)[-1]
        fn = getattr(self.keras.losses, fn_name, None)
        if fn is None:
            raise Skip(f"the loss `{fn_name}` is not in this Keras")
        kw = self.resolve(spec.get("kwargs") or {}, {})
        if not kw:
            return fn
        return lambda y_true, y_pred: fn(y_true, y_pred, **kw)

    def arrays(self, v: Any, np: Any, rows: Optional[int] = None) -> Any:
        """Random arrays of the shapes the IR gives; ``rows`` samples each when it says so."""
        if isinstance(v, DatasetRef):
            return self.dataset(v, np)
        if isinstance(v, ArrayRef):
            if v.shape is None:
                raise Skip("data of unknown rank")
            shape = tuple(self.size(d, i) for i, d in enumerate(v.shape))
            if rows is not None and shape:
                shape = (min(shape[0], rows), *shape[1:])
            return _random(np, shape, v.dtype)
        if isinstance(v, list):
            return [self.arrays(x, np, rows) for x in v]
        if isinstance(v, tuple):
            return tuple(self.arrays(x, np, rows) for x in v)
        if isinstance(v, dict):
            return {k: self.arrays(x, np, rows) for k, x in v.items()}
        if isinstance(v, TensorRef):
            raise Skip("a symbolic tensor among the data")
        return self.literal(v, {})

    def dataset(self, ref: DatasetRef, np: Any) -> Any:
        """A ``tf.data.Dataset`` yielding what the IR says: its first batch has the rows the
        analysis worked with (a small one where it did not know)."""
        try:
            import tensorflow as tf  # noqa: PLC0415 - tf.data only where a dataset is replayed
        except ImportError:
            raise Skip("a tf.data dataset, and TensorFlow is not installed") from None
        rows = (ref.first_batch or UNKNOWN_BATCH) if ref.batched else min(ref.count or UNKNOWN_BATCH, 4)

        def leaf(a: Any) -> Any:
            if not isinstance(a, ArrayRef) or a.shape is None:
                raise Skip("a dataset whose elements shapecheck could not follow")
            sample = a.shape[1:] if ref.batched else a.shape
            return _random(np, (rows, *(self.size(d, i + 1) for i, d in enumerate(sample))), a.dtype)

        data = tf.data.Dataset.from_tensor_slices(_map_leaves(ref.element, leaf))
        return data.batch(rows) if ref.batched else data

    # -- data pass -----------------------------------------------------------
    def size(self, d: Any, axis: int) -> int:
        """A size for an axis: its own when known, else a small one (the same for one symbol)."""
        if isinstance(d, int):
            return d
        if isinstance(d, dims.Sym) and not d.opaque:
            return self._syms.setdefault(str(d), UNKNOWN_AXIS)
        return UNKNOWN_BATCH if axis == 0 else UNKNOWN_AXIS

    def on_data(self, node: Node, values: dict[TensorRef, Any], tensors: dict[TensorRef, Any]) -> Outcome:
        import numpy as np

        if node.kind in ("input", "data"):
            if TensorRef(node.id, 0) not in tensors:
                raise Skip("its symbolic replay failed")
            t = tensors[TensorRef(node.id, 0)]
            dtype = str(getattr(t, "dtype", "float32"))
            shape = tuple(self.size(d, i) for i, d in enumerate(_static_shape(node, t)))
            value = _typed_data(self.keras, np, shape, dtype.replace("tf.", ""), bool(getattr(t, "sparse", False)),
                                bool(getattr(t, "ragged", False)))
            values[TensorRef(node.id, 0)] = value
            return Outcome("ok", shapes=[tuple(value.shape)])
        if node.kind == "layer" and node.id not in self.stand_ins:
            if node.layer_id not in self.layers:
                raise Skip("the layer could not be built")
            out = self.layers[node.layer_id](*self.resolve(node.args, values), **self.resolve(node.kwargs, values))
        elif node.id in self.stand_ins:
            out = self.stand_ins[node.id](self.resolve(_stand_in_inputs(node), values))
        elif node.kind == "op":
            out = self.op(node)(*self.resolve(node.args, values), **self.resolve(node.kwargs, values))
        elif node.kind == "method":
            return self.method(node, tensors, eager=True)
        else:
            raise Skip("nothing runs on data")
        flat = _flat(out)
        for i, t in enumerate(flat):
            values[TensorRef(node.id, i)] = t
        return Outcome("ok", shapes=[_shape(t) for t in flat])

    # -- limits --------------------------------------------------------------
    def _params(self) -> None:
        for layer_id, layer in self.layers.items():
            if getattr(layer, "built", False):
                try:
                    trainable = sum(_count(w) for w in layer.trainable_weights)
                    frozen = sum(_count(w) for w in layer.non_trainable_weights)
                except Exception:  # noqa: BLE001,S112 - a layer Keras cannot count: no count
                    continue
                self.result.params[layer_id] = (trainable, frozen)

    def estimate_bytes(self, tensors: dict[TensorRef, Any]) -> int:
        """Parameters (as built) plus every node's output on the data pass's sizes, and the arrays
        the model methods are given."""
        total = sum(4 * (a + b) for a, b in self.result.params.values())
        for ref, t in tensors.items():
            shape = _shape(t)
            if shape is None:
                continue
            n = math.prod(self.size(d, i) for i, d in enumerate(shape))
            total += n * _ITEMSIZE.get(str(getattr(t, "dtype", "float32")), 4)
        for node in self.graph.nodes:
            if node.kind == "method":
                rows = _rows_to_keep(node, node.op.rsplit(".", 1)[-1],
                                     [node.kwargs.get(k) for k in ("x", "y", "sample_weight")] + node.args)
                for a in _flat(node.args) + _flat(list(node.kwargs.values())):
                    if isinstance(a, ArrayRef) and a.shape is not None:
                        shape = [self.size(d, i) for i, d in enumerate(a.shape)]
                        if rows is not None and shape:
                            shape[0] = min(shape[0], rows)
                        total += 2 * math.prod(shape) * _ITEMSIZE.get(a.dtype or "float32", 4)
        return total


def _stand_in_inputs(node: Node) -> Any:
    args = node.args or [node.kwargs.get("inputs")]
    return args[0] if len(args) == 1 else list(args)


def _declared(node: Node) -> Optional[tuple]:
    """The output shape (batch axis left out) that a Lambda's ``output_shape`` or a custom layer's
    ``compute_output_shape`` declares, when the replay stands in for its code; else ``None``."""
    if node.op == "keras.layers.Lambda":
        shape = node.config.get("output_shape")
    elif node.op == "shapecheck.declared_shape":
        full = node.kwargs.get("shape")
        shape = tuple(full[1:]) if isinstance(full, (list, tuple)) and full else None
    else:
        return None
    if isinstance(shape, (list, tuple)) and all(d is None or (isinstance(d, int) and not isinstance(d, bool))
                                                for d in shape):
        return tuple(shape)
    return None


@dataclass(frozen=True)
class _Slot:
    index: int


def _fill(v: Any, values: list) -> Any:
    if isinstance(v, _Slot):
        return values[v.index]
    if isinstance(v, list):
        return [_fill(x, values) for x in v]
    if isinstance(v, tuple):
        return tuple(_fill(x, values) for x in v)
    if isinstance(v, dict):
        return {k: _fill(x, values) for k, x in v.items()}
    return v


def _undefined(v: Any) -> Any:
    """An input's shape argument for Keras: an axis the IR knows only as a symbol is undefined."""
    if isinstance(v, (list, tuple)):
        return type(v)(None if isinstance(x, dims.Sym) or x is UNKNOWN else x for x in v)
    return v


def _map_leaves(v: Any, fn: Any) -> Any:
    """``fn`` on each leaf of a dataset element (tuples and dicts kept as they are)."""
    if isinstance(v, (tuple, list)):
        return tuple(_map_leaves(x, fn) for x in v)
    if isinstance(v, dict):
        return {k: _map_leaves(x, fn) for k, x in v.items()}
    return fn(v)


def _rows_to_keep(node: Node, method: str, data: list, size_key: str = "batch_size") -> Optional[int]:
    """How many samples of each array in ``data`` the data replay needs: all of them when their
    counts differ or a validation split cuts them (the counts are then what is checked), else
    enough for the first batch to be the one Keras would take (its size is what targets are
    checked with)."""
    if method not in ("fit", "evaluate", "predict") or node.kwargs.get("validation_split"):
        return None
    counts = {a.shape[0] for a in _flat(data) if isinstance(a, ArrayRef) and a.shape and isinstance(a.shape[0], int)}
    if len(counts) != 1:
        return None
    size = node.kwargs.get(size_key, node.kwargs.get("batch_size"))
    size = size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else 32
    return max(size, 1) * 2


def _static_shape(node: Node, t: Any) -> tuple:
    """An input's shape with the IR's symbols kept (Keras has None for them)."""
    cfg = node.config
    shape = cfg.get("batch_shape")
    if isinstance(shape, (list, tuple)):
        return tuple(shape)
    own = cfg.get("shape")
    if isinstance(own, (list, tuple)):
        return (cfg.get("batch_size"), *own)
    return tuple(_shape(t) or ())


def _typed_data(keras: Any, np: Any, shape: tuple, dtype: str, sparse: bool, ragged: bool) -> Any:
    """Data for an ``Input`` of this dtype, sparse or ragged as it declares: what confirms a
    dtype-mismatch finding (``Conv2D`` on uint8 fails only when data arrives)."""
    if dtype == "string" or sparse or ragged:
        try:
            import tensorflow as tf  # noqa: PLC0415 - string, sparse and ragged data are TensorFlow's
        except ImportError:
            raise Skip("string, sparse or ragged data, and TensorFlow is not installed") from None
        if dtype == "string":
            words = np.array(["a", "bb", "c d", "eee"], dtype=object)
            value = tf.constant(words[np.random.default_rng(0).integers(0, len(words), size=shape)].tolist()
                                if shape else "a", dtype=tf.string)
        else:
            value = tf.convert_to_tensor(_random(np, shape, dtype))
        if sparse:
            return tf.sparse.from_dense(value)
        if ragged:
            if len(shape) < 2:
                raise Skip("ragged data of rank 1")
            return tf.RaggedTensor.from_tensor(value)
        return value
    return keras.ops.convert_to_tensor(_random(np, shape, dtype))


def _random(np: Any, shape: tuple, dtype: Optional[str]) -> Any:
    dtype = dtype or "float32"
    if dtype.startswith(("int", "uint")) or dtype == "bool":
        return np.zeros(shape, dtype=dtype)  # ids and labels: 0 is valid for any vocabulary or class count
    if dtype == "bfloat16":
        dtype = "float32"
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


def _flat(v: Any) -> list:
    if isinstance(v, (list, tuple)):
        return [x for item in v for x in _flat(item)]
    if isinstance(v, dict):
        return [x for item in v.values() for x in _flat(item)]
    return [v]


def _shape(t: Any) -> Optional[tuple]:
    shape = getattr(t, "shape", None)
    if shape is None:
        return None
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        return None


def _count(w: Any) -> int:
    return int(math.prod(int(d) for d in w.shape))


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB" if n >= 2**20 else f"{n / 2**10:,.0f} KiB"
