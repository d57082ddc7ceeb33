"""The graph IR: the contract between front ends, the engine and the runtime replay.

A :class:`Node` is one layer or op application: its canonical op name
(``keras.layers.Conv2D``, ``keras.ops.reshape``, ``keras.Input``), the
constructor config as literal values, the call's arguments (tensors as
:class:`TensorRef`), the layer identity (shared layers share it) and the source
span.  Everything is plain data and round-trips through JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from . import dims
from .findings import Span


class _Unknown:
    """A value the front end could not follow."""

    _instance: Optional[_Unknown] = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class TensorRef:
    """Output ``index`` of node ``node``."""

    node: int
    index: int = 0


@dataclass(frozen=True)
class LayerRef:
    """A layer passed as a constructor argument (``Bidirectional(LSTM(8))``)."""

    class_name: str
    config: dict
    layer_id: Optional[str] = None


@dataclass(frozen=True)
class ModelRef:
    """A model as Keras builds it: ``functional`` from its ``inputs`` and ``outputs`` (tensor
    refs, outputs nested as the code gave them), ``sequential`` from its ``layers`` (LayerRef or
    ModelRef; ``inputs`` holds its input when it has one)."""

    kind: str
    name: Optional[str]
    layer_id: str
    inputs: tuple = ()
    outputs: Any = None
    layers: tuple = ()


@dataclass(frozen=True)
class ArrayRef:
    """Data given to a model's method (a NumPy array, one element of a dataset): its shape and dtype."""

    shape: Optional[tuple]
    dtype: Optional[str] = None


@dataclass(frozen=True)
class DatasetRef:
    """A ``tf.data.Dataset`` given to a model's method: its ``element`` (ArrayRefs, in the tuples and
    dicts it yields; with the batch axis when ``batched``), the rows of its first batch and the
    samples it holds, when known."""

    element: Any
    batched: bool = False
    first_batch: Optional[int] = None
    count: Optional[int] = None


#: The node kinds. Tensors come from "input" (``keras.Input``), "data" (a batch of the data given
#: to ``fit``/``predict``: built like an input, never part of a model), "layer" and "op" nodes. The
#: others record what Keras does besides applying layers, so the runtime replay can redo it:
#: "construct" a layer's constructor (recorded where Keras rejects it), "model" a
#: ``keras.Model``/``Sequential`` (``config["model"]`` a ModelRef), "method" a call of a model's
#: method (``op`` ``keras.Model.fit``, ``...predict``, ``...__call__``; ``config["model"]`` the
#: model; ``kwargs`` its arguments, data as ArrayRefs).
NodeKind = Literal["input", "data", "layer", "op", "construct", "model", "method"]


@dataclass
class Node:
    id: int
    op: str
    kind: NodeKind
    config: dict = field(default_factory=dict)
    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    layer_id: Optional[str] = None
    name: Optional[str] = None
    span: Optional[Span] = None
    call_stack: tuple[Span, ...] = ()
    #: applied inside a layer's or model's ``call``, where TensorFlow functions see real tensors
    traced: bool = False
    #: a layer of a nested model, applied again where the model is called: Keras runs the
    #: model symbolically without re-checking the weights of its layers
    replay: bool = False

    def tensor_refs(self) -> list[TensorRef]:
        out: list[TensorRef] = []

        def walk(v: Any) -> None:
            if isinstance(v, TensorRef):
                out.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    walk(x)
            elif isinstance(v, dict):
                for x in v.values():
                    walk(x)

        walk(self.args)
        walk(self.kwargs)
        return out


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    #: the Keras semantics the graph was extracted under (2: tf.keras 2)
    keras_version: int = 3
    #: layer identity -> the (trainable, non_trainable) parameters shapecheck counts for it once
    #: built (known counts only): what the runtime replay would allocate, estimated beforehand
    params: dict = field(default_factory=dict)

    def new_id(self) -> int:
        return len(self.nodes)

    def to_json(self) -> dict:
        return {"nodes": [_node_to_json(n) for n in self.nodes], "keras_version": self.keras_version,
                "params": [[k, a, b] for k, (a, b) in self.params.items()]}

    @staticmethod
    def from_json(data: dict) -> Graph:
        return Graph([_node_from_json(n) for n in data["nodes"]], data.get("keras_version", 3),
                     {k: (a, b) for k, a, b in data.get("params", [])})


def value_to_json(v: Any) -> Any:
    if v is UNKNOWN:
        return {"$unknown": True}
    if isinstance(v, TensorRef):
        return {"$tensor": [v.node, v.index]}
    if isinstance(v, LayerRef):
        return {"$layer": v.class_name, "config": value_to_json(v.config), "id": v.layer_id}
    if isinstance(v, ModelRef):
        return {"$model": v.kind, "name": v.name, "id": v.layer_id, "inputs": value_to_json(v.inputs),
                "outputs": value_to_json(v.outputs), "layers": value_to_json(v.layers)}
    if isinstance(v, ArrayRef):
        return {"$array": value_to_json(v.shape), "dtype": v.dtype}
    if isinstance(v, DatasetRef):
        return {"$dataset": value_to_json(v.element), "batched": v.batched, "first_batch": v.first_batch,
                "count": v.count}
    if isinstance(v, dims.Sym):
        return {"$dim": str(v)}
    if isinstance(v, slice):
        return {"$slice": [value_to_json(v.start), value_to_json(v.stop), value_to_json(v.step)]}
    if v is Ellipsis:
        return {"$ellipsis": True}
    if isinstance(v, tuple):
        return {"$tuple": [value_to_json(x) for x in v]}
    if isinstance(v, list):
        return [value_to_json(x) for x in v]
    if isinstance(v, dict):
        return {"$dict": [[value_to_json(k), value_to_json(x)] for k, x in v.items()]}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return {"$unknown": True}


def value_from_json(v: Any) -> Any:
    if isinstance(v, list):
        return [value_from_json(x) for x in v]
    if isinstance(v, dict):
        if "$unknown" in v:
            return UNKNOWN
        if "$tensor" in v:
            return TensorRef(*v["$tensor"])
        if "$layer" in v:
            return LayerRef(v["$layer"], value_from_json(v["config"]), v.get("id"))
        if "$model" in v:
            return ModelRef(v["$model"], v["name"], v["id"], value_from_json(v["inputs"]),
                            value_from_json(v["outputs"]), value_from_json(v["layers"]))
        if "$array" in v:
            return ArrayRef(value_from_json(v["$array"]), v["dtype"])
        if "$dataset" in v:
            return DatasetRef(value_from_json(v["$dataset"]), v["batched"], v["first_batch"], v["count"])
        if "$dim" in v:
            return dims.Sym.named(v["$dim"])
        if "$slice" in v:
            return slice(*(value_from_json(x) for x in v["$slice"]))
        if "$ellipsis" in v:
            return Ellipsis
        if "$tuple" in v:
            return tuple(value_from_json(x) for x in v["$tuple"])
        if "$dict" in v:
            return {value_from_json(k): value_from_json(x) for k, x in v["$dict"]}
    return v


def _span_to_json(s: Optional[Span]) -> Optional[list]:
    return None if s is None else [s.path, s.line, s.column, s.end_line, s.end_column] + (
        [] if s.cell is None else [s.cell])


def _span_from_json(s: Optional[list]) -> Optional[Span]:
    return None if s is None else Span(*s)


def _node_to_json(n: Node) -> dict:
    return {
        "id": n.id,
        "op": n.op,
        "kind": n.kind,
        "config": value_to_json(n.config),
        "args": value_to_json(n.args),
        "kwargs": value_to_json(n.kwargs),
        "layer_id": n.layer_id,
        "name": n.name,
        "span": _span_to_json(n.span),
        "call_stack": [_span_to_json(s) for s in n.call_stack],
        "traced": n.traced,
        "replay": n.replay,
    }


def _node_from_json(d: dict) -> Node:
    return Node(
        id=d["id"],
        op=d["op"],
        kind=d["kind"],
        config=value_from_json(d["config"]),
        args=value_from_json(d["args"]),
        kwargs=value_from_json(d["kwargs"]),
        layer_id=d["layer_id"],
        name=d["name"],
        span=_span_from_json(d["span"]),
        call_stack=tuple(_span_from_json(s) for s in d["call_stack"]),  # type: ignore[misc]
        traced=d.get("traced", False),
        replay=d.get("replay", False),
    )
