"""The static ``model.summary()``: for every model the code builds, what Keras would print.

Each model gives a :class:`ModelSummary`: one :class:`LayerRow` per layer, in Keras's order
(a functional model: ``model._operations``, found as Keras's ``map_graph`` finds them, its
``InputLayer``\\ s included; a ``Sequential``: its layers, no ``InputLayer``; a subclassed model:
the layers its ``__init__`` assigns), each with its name, class, output shape (the last call of
the layer, as Keras shows it) and parameter count, then the totals. Whatever shapecheck cannot
know is ``None``: an unknown row, count or shape, and then unknown totals. Nothing is guessed.

Stdlib only: the front end's values are read duck-typed (see ``frontend/values.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from . import dims
from .ir import UNKNOWN, TensorRef
from .rules import to_snake_case
from .shapes import shows_dtype


@dataclass
class LayerRow:
    """One line of the table."""

    #: Keras's name of the layer (``None``: not known, e.g. an op named by Keras's global counter)
    name: Optional[str]
    #: its class (``Dense``, ``Functional``, a subclass's own name); ``None`` for an op
    layer: Optional[str]
    #: a tuple of dims, a list of them for several outputs; ``None`` when unknown or unbuilt
    output_shape: Any
    #: its parameter count (``count_params()``); ``None`` when unknown
    params: Optional[int]
    #: ``False`` where Keras prints ``0 (unbuilt)``; ``None`` when it cannot be told
    built: Optional[bool] = True
    layer_id: Optional[str] = None
    #: for an op (``keras.ops.reshape``, ``x + y`` as ``keras.ops.add``): the function applied, whose
    #: Keras class and automatic name are not known
    op: Optional[str] = None
    #: the dtype of its output (of each output, a list, for several), where known; Keras's summary has
    #: no such column, the static one adds it where it is not float32
    dtype: Any = None


@dataclass
class ModelSummary:
    """What ``model.summary()`` prints for one model."""

    variable: Optional[str]
    name: Optional[str]
    kind: str  # "functional" | "sequential" | "subclassed"
    path: str
    line: int
    column: int
    #: the rows; ``None`` when shapecheck cannot tell which layers the model has
    layers: Optional[list[LayerRow]]
    total_params: Optional[int]
    trainable_params: Optional[int]
    non_trainable_params: Optional[int]
    #: the IR's ``ModelRef`` of the model (``None`` for a subclassed model): what the runtime
    #: replay rebuilds to print Keras's own counts beside these
    ref: Any = None
    #: in a notebook, the cell ``line`` is in (1-based, every cell counted)
    cell: Optional[int] = None

    def as_json(self) -> dict[str, Any]:
        return {
            "variable": self.variable, "name": self.name, "kind": self.kind, "path": self.path,
            **({} if self.cell is None else {"cell": self.cell}), "line": self.line,
            "layers": None if self.layers is None else [
                {"name": r.name, "layer": r.layer, "output_shape": shape_json(r.output_shape), "params": r.params,
                 "built": r.built, **({"op": r.op} if r.op else {}),
                 **({"dtype": r.dtype} if shown_dtype(r.dtype) else {})} for r in self.layers],
            "total_params": self.total_params, "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
        }


def shape_json(shape: Any) -> Any:
    if shape is None:
        return None
    if isinstance(shape, list):
        return [shape_json(s) for s in shape]
    return [dims.to_json(d) for d in shape]


def shown_dtype(dtype: Any) -> str:
    """What a row adds to its shape: its dtype (``uint8``; ``[int64, float32]`` for several outputs) where
    it is known and not float32 (as ``--show-shapes`` does), else nothing."""
    if isinstance(dtype, list):
        return "[" + ", ".join(d or "?" for d in dtype) + "]" if any(map(shows_dtype, dtype)) else ""
    return dtype if shows_dtype(dtype) else ""


def show_output_shape(shape: Any) -> str:
    """As Keras prints it: ``(None, 26, 26, 32)``; several outputs ``[(None, 3), (None, 4)]``; ``?``."""
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(show_output_shape(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else dims.show(d) for d in shape) + ")"


class _Unsure(Exception):
    """The model's graph holds what shapecheck cannot map onto Keras's operations."""


#: the front end's own pseudo-ops: nothing Keras would show
_PSEUDO = ("shapecheck.",)

#: layers that make layers of their own, automatically named: the names those take
_INNER_LAYERS = {
    "keras.layers.MultiHeadAttention": {"dropout", "softmax"},
    "keras.layers.GroupQueryAttention": {"dropout", "softmax"},
    "keras.layers.GroupedQueryAttention": {"dropout", "softmax"},
}

#: layers Keras marks built as soon as they are made (no weights to build): never "unbuilt",
#: found by constructing every ``keras.layers`` class under Keras 3.15
_BUILT_WHEN_MADE = frozenset({
    "Activation", "ActivityRegularization", "AlphaDropout", "AveragePooling1D", "AveragePooling2D",
    "AveragePooling3D", "Dropout", "ELU", "GaussianDropout", "GaussianNoise", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
    "GlobalMaxPooling3D", "Identity", "InputLayer", "LeakyReLU", "Masking", "MaxPooling1D", "MaxPooling2D",
    "MaxPooling3D", "ReLU", "Reshape", "Softmax", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    "UnitNormalization", "Lambda",
})
#: layers whose built state when made was not established
_BUILT_WHEN_MADE_UNKNOWN = frozenset({"Permute", "RandomTranslation", "StackedRNNCells", "FlaxLayer", "JaxLayer",
                                      "TFSMLayer", "TorchModuleWrapper"})

#: layers whose mask Keras computes with ops of the graph (``not_equal``, ``any``): rows shapecheck
#: does not list
_MASKING = ("keras.layers.Masking",)


def summarize(interp: Any) -> list[ModelSummary]:
    """The summaries of every model ``interp`` (a finished ``Interpreter``) saw built."""
    return _Summarizer(interp).all()


@dataclass
class _Op:
    """One operation of a model: a layer (``key`` its layer id), a model, or an op application."""

    key: str
    kind: str  # "input" | "layer" | "op" | "call"
    node: Any = None  # the IR node (input, layer, op)
    obj: Any = None  # the model / instance / layer value of a call


@dataclass
class _Totals:
    rows: Optional[list[LayerRow]]
    #: the leaf layers (layer ids) under each path of containers: (layer id, ancestors' ids)
    leaves: list = field(default_factory=list)
    unsure: bool = False


class _Summarizer:
    def __init__(self, interp: Any) -> None:
        self.interp = interp
        self.engine = interp.engine
        self.graph = interp.engine.graph
        #: which Keras-level call produced a tensor (the outermost one wins: recorded last)
        self.producer: dict[TensorRef, Any] = {}
        self.identity: set[TensorRef] = set()
        for call in interp.keras_calls:
            for ref in call.outputs:
                self.producer[ref] = call
                if ref in call.inputs:
                    self.identity.add(ref)
        #: the outputs of each layer's last symbolic call at the top level (its last inbound node)
        self.last_node: dict[str, Any] = {}
        self.any_node: dict[str, Any] = {}
        for n in self.graph.nodes:
            if n.layer_id is None or n.kind not in ("layer", "input"):
                continue
            self.any_node[n.layer_id] = n
            if not n.replay and not n.traced:
                self.last_node[n.layer_id] = n
        self.last_call: dict[int, Any] = {}
        self.any_call: dict[int, Any] = {}
        for call in interp.keras_calls:
            self.any_call[id(call.obj)] = call
            if call.inbound:
                self.last_call[id(call.obj)] = call
        self.records = {id(r.model): r for r in interp.models}
        # Keras names ops (`x + 1`: "add") from the same counter as layers: an automatic layer
        # name that such an op may have taken first is not known.
        self.op_bases: set[str] = set()
        for n in self.graph.nodes:
            res = self.engine.results.get(n.id)
            if n.kind == "op" and not n.traced and not n.replay and res is not None and res.symbolic \
                    and not n.op.startswith(_PSEUDO):
                self.op_bases.add(n.op.rsplit(".", 1)[-1])
        # Layers that make layers of their own take names from the same counter
        # (MultiHeadAttention's Dropout and Softmax); a Sequential makes a Functional and an
        # InputLayer each time it is built (at every `add` once it has an input).
        for n in self.graph.nodes:
            self.op_bases |= _INNER_LAYERS.get(n.op, set())
        if any(getattr(r.model, "kind", None) == "sequential" for r in interp.models):
            self.op_bases |= {"functional", "input_layer"}
        self._trees: dict[int, _Totals] = {}
        #: a model compiled to run eagerly: what `fit` builds has the batch's size in its shapes
        self.eager = any(getattr(r, "eager", False) for r in interp.models)
        self._from_data: dict[int, Optional[int]] = {}
        #: layers certainly not built when the summary prints (no weights: 0 parameters)
        self.unbuilt: set[str] = set()
        self.trainable = self._trainable_flags()

    # -- entry ---------------------------------------------------------------
    def all(self) -> list[ModelSummary]:
        out = []
        for record in self.interp.models:
            model = record.model
            tree = self.tree(model)
            rows = tree.rows
            for row in rows or ():
                if row.dtype is None and row.layer_id is not None and row.built is not False:
                    row.dtype = self.dtype_of_layer(row.layer_id)
            total, trainable, frozen = self.totals(model, tree)
            if getattr(model, "application", None):
                rows = None  # a keras.applications model: its hundreds of layers are not listed, only counted
            kind = self.kind(model)
            functional = getattr(model, "functional", None)
            name = self.model_name(model)
            out.append(ModelSummary(record.variable, name, "subclassed" if kind == "instance" else kind,
                                    record.span.path, record.span.line, record.span.column, rows, total, trainable,
                                    frozen, self.interp.model_ref(functional if functional is not None else model)))
        return out

    def model_name(self, model: Any) -> Optional[str]:
        name = getattr(model, "name", None)
        if not isinstance(name, str):
            return None
        base = re.sub(r"_\d+$", "", name)
        if base in self.op_bases and base == to_snake_case("Functional" if self.kind(model) == "functional"
                                                           else "Sequential"):
            return None  # an automatic name Keras may have given to another model first
        return name

    @staticmethod
    def kind(model: Any) -> str:
        if hasattr(model, "cls"):
            return "instance"
        return model.kind

    # -- the rows of a model ---------------------------------------------------
    def tree(self, model: Any) -> _Totals:
        key = id(model)
        if key in self._trees:
            return self._trees[key]
        self._trees[key] = _Totals(None, unsure=True)  # a model inside itself: unknown
        try:
            result = self._tree(model)
        except _Unsure:
            result = _Totals(None, unsure=True)
        self._trees[key] = result
        return result

    def _tree(self, model: Any) -> _Totals:
        record = self.records.get(id(model))
        if record is not None and record.uncertain:
            raise _Unsure()
        if hasattr(model, "cls"):  # a subclassed model
            if model.functional is not None:
                return self._tree(model.functional)
            tree = self.subclassed(model, record)
        elif model.kind == "functional":
            return self.functional(model)
        else:
            tree = self.sequential(model, record)
        return tree

    def functional(self, model: Any) -> _Totals:
        ops = self.operations(model)
        rows, leaves = [], []
        for op in ops:
            if op.kind == "input":
                n = op.node
                name = n.name or self.interp._input_names.get(n.id)
                if not n.name and "input_layer" in self.op_bases:
                    name = None
                rows.append(LayerRow(name, "InputLayer", self.shape_of_layer(n.layer_id), 0, True, n.layer_id))
            elif op.kind == "clone":
                rows.append(LayerRow(None, "InputLayer", _shape((self.engine.tensor(op.node),)), 0, True))
            elif op.kind == "op":
                outs = self.engine.results[op.node.id].outputs
                rows.append(LayerRow(None, None, _shape(outs), 0, True, op=op.node.op))
            elif op.kind == "layer":
                n = op.node
                if n.op.startswith("keras.applications.") and not getattr(model, "application", None):
                    raise _Unsure()  # the application's layers are this model's own: not listed
                cls = n.op[len("keras.layers."):] if n.op.startswith("keras.layers.") else n.op.rsplit(".", 1)[-1]
                rows.append(self.layer_row(n.layer_id, n.name, cls, n.config, built=True))
                leaves.append((n.layer_id, ()))
            else:
                row, sub = self.call_row(op.obj)
                rows.append(row)
                leaves.extend(sub)
        return _Totals(rows, leaves)

    def sequential(self, model: Any, record: Any) -> _Totals:
        rows, leaves = [], []
        built = bool(model.inputs)
        maybe = record is not None and record.maybe_built
        if not built and model.layers and (hasattr(model.layers[0], "kind") or hasattr(model.layers[0], "cls")):
            # Keras builds a Sequential whose first layer has an `input_shape` (a built model)
            # at once; shapecheck follows it only once it is given an input.
            maybe = True
        for layer in model.layers:
            if hasattr(layer, "class_name"):  # a LayerValue
                if layer.class_name == "InputLayer":
                    continue
                if layer.wrapped is not None:
                    row, sub = self.call_row(layer)
                    rows.append(row)
                    leaves.extend(sub)
                    continue
                is_built = True if layer.layer_id in self.engine.builds else (None if built or maybe else False)
                rows.append(self.layer_row(layer.layer_id, layer.name, layer.class_name, layer.config, is_built))
                leaves.append((layer.layer_id, ()))
            elif hasattr(layer, "cls") or hasattr(layer, "kind"):
                row, sub = self.call_row(layer)
                rows.append(row)
                leaves.extend(sub)
            else:
                raise _Unsure()
        return _Totals(rows, leaves)

    def subclassed(self, inst: Any, record: Any) -> _Totals:
        maybe = record is not None and record.maybe_built
        rows, leaves = [], []
        seen: set[int] = set()
        for value in inst.attrs.values():
            for layer in _layers_in(value):
                if id(layer) in seen:
                    continue
                seen.add(id(layer))
                if hasattr(layer, "class_name"):
                    if layer.wrapped is not None:
                        row, sub = self.call_row(layer)
                    else:
                        is_built = True if layer.layer_id in self.engine.builds else (None if maybe or inst.built
                                                                                        else False)
                        row = self.layer_row(layer.layer_id, layer.name, layer.class_name, layer.config, is_built,
                                             traced=True)
                        sub = [(layer.layer_id, ())]
                else:
                    row, sub = self.call_row(layer, traced=True)
                rows.append(row)
                leaves.extend(sub)
        return _Totals(rows, leaves)

    def layer_row(self, layer_id: str, name: Optional[str], cls: str, config: dict, built: Optional[bool],
                  traced: bool = False) -> LayerRow:
        if not (isinstance(config.get("name"), str)) and name is not None:
            base = re.sub(r"_\d+$", "", name)
            if base in self.op_bases:
                name = None  # Keras may have given it to an op first
        if built is False:
            # Never called: unbuilt, unless its class is built when made (then 0 parameters, and
            # the shape Keras cannot show: "?")
            self.unbuilt.add(layer_id)
            if cls in _BUILT_WHEN_MADE:
                return LayerRow(name, cls, None, 0, True, layer_id)
            return LayerRow(name, cls, None, 0, None if cls in _BUILT_WHEN_MADE_UNKNOWN else False, layer_id)
        params = self.params(layer_id, cls)
        # Called inside a subclassed model's `call`, a layer has no node of Keras's graph: Keras
        # shows the shape its `build` recorded, and "?" for a layer without weights.
        shape = self.shape_of_layer(layer_id, traced) if not traced or (params is not None and sum(params)) \
            else None
        return LayerRow(name, cls, shape, None if params is None else sum(params), built, layer_id)

    def params(self, layer_id: str, cls: str) -> Optional[tuple[int, int]]:
        if cls in ("InputLayer", "Lambda"):
            return (0, 0)
        return self.engine.params(layer_id)

    def call_row(self, obj: Any, traced: bool = False) -> tuple[LayerRow, list]:
        """A model, a subclassed layer or a layer wrapping code, as one row (and its leaves)."""
        call = self.last_call.get(id(obj)) or (self.any_call.get(id(obj)) if traced else None)
        shape = None if call is None else _shape(tuple(self.engine.tensor(r) for r in call.outputs))
        if hasattr(obj, "class_name"):  # Lambda(function) or TimeDistributed(model)
            if obj.class_name == "Lambda":
                return LayerRow(obj.name, "Lambda", shape, 0, True if call is not None else None, obj.layer_id), []
            inner = obj.wrapped
            sub = self.tree(inner)
            total = self.subtotal(sub)
            leaves = [(lid, (obj.layer_id,) + path) for lid, path in sub.leaves]
            return LayerRow(obj.name, obj.class_name, shape, total, True if call is not None else None,
                            obj.layer_id), leaves
        if hasattr(obj, "cls") and obj.cls.keras_kind != "model":
            # A layer of the analysed code: its weights are not followed.  Called inside a subclassed
            # model's `call`, it has no node of Keras's graph: Keras shows what its own
            # `compute_output_shape` gives, "?" for a class that defines none.
            if traced and not _defines(obj.cls, "compute_output_shape"):
                shape = None
            return LayerRow(obj.name, obj.cls.name, shape, None, None, obj.layer_id), [(None, ())]
        sub = self.tree(obj)
        total = self.subtotal(sub)
        cls = obj.cls.name if hasattr(obj, "cls") else ("Functional" if obj.kind == "functional" else "Sequential")
        leaves = [(lid, (obj.layer_id,) + path) for lid, path in sub.leaves]
        if sub.rows is None:
            leaves.append((None, ()))  # unknown content
        name = obj.name if hasattr(obj, "cls") else self.model_name(obj)
        return LayerRow(name, cls, shape, total, None if total is None else True, obj.layer_id), leaves

    def subtotal(self, sub: _Totals) -> Optional[int]:
        if sub.rows is None:
            return None
        seen: set = set()
        total = 0
        for lid, _ in sub.leaves:
            if lid is None:
                return None
            if lid in seen:
                continue
            seen.add(lid)
            p = self.leaf_params(lid)
            if p is None:
                return None
            total += sum(p)
        return total

    def leaf_params(self, layer_id: str) -> Optional[tuple[int, int]]:
        if layer_id in self.unbuilt:
            return (0, 0)
        return self.engine.params(layer_id)

    def dtype_of_layer(self, layer_id: str) -> Any:
        """The dtype of the layer's last call's output (a list for several outputs; ``None``: unknown)."""
        n = self.last_node.get(layer_id)
        result = self.engine.results.get(n.id) if n is not None else None
        if result is None or not result.outputs:
            return None
        dtypes = [t.dtype for t in result.outputs]
        return dtypes[0] if len(dtypes) == 1 else dtypes

    def shape_of_layer(self, layer_id: str, traced: bool = False) -> Any:
        n = self.last_node.get(layer_id) or (self.any_node.get(layer_id) if traced else None)
        if n is None:
            return None
        data = self.from_data(n.id)
        if data is not None and (self.eager or self.method_before(data) != "keras.Model.fit"):
            # Built by data: only `fit` (not run eagerly) builds on a spec with the batch axis
            # None; `predict`, a call on arrays, ... build on the first batch and show its size.
            return None
        res = self.engine.results.get(n.id)
        if res is None:
            return None
        return _shape(res.outputs)

    # -- Keras's order of a functional model's operations ------------------------
    def operations(self, model: Any) -> list[_Op]:
        """``model._operations``: Keras's ``map_graph`` (``keras/src/ops/function.py``) on the IR."""
        inputs = [t.ref for t in model.inputs if hasattr(t, "ref")]
        if len(inputs) != len(model.inputs):
            raise _Unsure()
        outputs = []
        for t in _flat(model.outputs):
            if not hasattr(t, "ref"):
                raise _Unsure()
            outputs.append(t.ref)
        input_set = set(inputs)
        finished: set = set()
        in_progress: set = set()
        order: list = []  # applications, inputs first
        indices: dict[str, int] = {}
        apps: dict[Any, tuple[_Op, list[TensorRef]]] = {}

        def application(ref: TensorRef) -> Any:
            if ref in input_set and not self.is_input(ref):
                # An input that is not a keras.Input: Keras clones the graph from a new InputLayer
                # named after the tensor ("keras_tensor_3CLONE", a name from a global counter).
                key = ("clone", ref)
                if key not in apps:
                    apps[key] = (_Op(f"clone{ref.node}:{ref.index}", "clone", node=ref), [])
                return key
            if ref in self.identity:
                raise _Unsure()
            call = self.producer.get(ref)
            if call is not None:
                key = ("call", id(call))
                if key not in apps:
                    obj = call.obj
                    apps[key] = (_Op(getattr(obj, "layer_id", str(id(obj))), "call", obj=obj), list(call.inputs))
                return key
            if ref.node >= len(self.graph.nodes):
                raise _Unsure()
            n = self.graph.nodes[ref.node]
            key = ("node", n.id)
            if key not in apps:
                if n.traced or n.op.startswith(_PSEUDO) or n.kind not in ("input", "layer", "op"):
                    raise _Unsure()
                if n.kind == "op" and (n.op.startswith("tensorflow.") or self.engine.keras_version < 3) \
                        or n.op in _MASKING \
                        or n.op == "keras.layers.Embedding" and n.config.get("mask_zero") not in (None, False):
                    raise _Unsure()
                op_key = n.layer_id if n.kind != "op" and n.layer_id else f"op{n.id}"
                apps[key] = (_Op(op_key, n.kind, node=n), n.tensor_refs())
            return key

        def enter(ref: TensorRef, stack: list) -> None:
            if self.constant(ref):
                return  # a constant (ops.arange, a layer on one): not a node of Keras's graph
            key = application(ref)
            if key in finished:
                return
            op, parents = apps[key]
            if key in in_progress:
                raise _Unsure()
            if op.key not in indices:
                indices[op.key] = len(indices)
            in_progress.add(key)
            stack.append((key, iter(parents)))

        # Keras's depth-first walk from each output, parents before children; a stack rather
        # than recursion, so that a chain of thousands of layers is no deeper than one
        for ref in outputs:
            stack: list = []
            enter(ref, stack)
            while stack:
                key, parents = stack[-1]
                depth = len(stack)
                for p in parents:
                    enter(p, stack)
                    if len(stack) > depth:
                        break
                else:
                    stack.pop()
                    finished.add(key)
                    in_progress.discard(key)
                    order.append(key)
        in_graph = set(order)
        node_depth: dict = {}
        op_depth: dict[str, int] = {}
        ops: dict[str, _Op] = {}
        for key in reversed(order):
            op, parents = apps[key]
            ops.setdefault(op.key, op)
            depth = node_depth.setdefault(key, 0)
            depth = max(depth, op_depth.get(op.key, 0))
            op_depth[op.key] = depth
            node_depth[key] = depth
            for p in parents:
                if self.constant(p):
                    continue
                pkey = application(p)
                if pkey not in in_graph:
                    continue
                node_depth[pkey] = max(depth + 1, node_depth.get(pkey, 0))
        for ref in inputs:
            key = application(ref)
            op, _ = apps[key]
            if op.kind in ("input", "clone") and op.key not in op_depth:
                op_depth[op.key] = 0
                indices[op.key] = -1
                ops[op.key] = op
        by_depth: dict[int, list[str]] = {}
        for k, d in op_depth.items():
            by_depth.setdefault(d, []).append(k)
        result = []
        for d in sorted(by_depth, reverse=True):
            result.extend(ops[k] for k in sorted(by_depth[d], key=lambda k: indices[k]))
        return result

    def from_data(self, node_id: int) -> Optional[int]:
        """The data node (a batch given to ``fit``, ``predict``, ...) a node descends from, if any:
        the first found walking its inputs depth-first, last input first."""
        memo = self._from_data
        nodes = self.graph.nodes
        if node_id in memo or node_id >= len(nodes):
            return memo.get(node_id)
        # A node's inputs are earlier nodes: one pass in id order answers every node up to this one.
        for nid in range(len(memo), node_id + 1):
            n = nodes[nid]
            found = None
            if n.kind == "data":
                found = nid
            else:
                for r in reversed(n.tensor_refs()):
                    found = memo.get(r.node) if r.node < nid else None
                    if found is not None:
                        break
            memo[nid] = found
        return memo[node_id]

    def method_before(self, node_id: int) -> Optional[str]:
        """The model method whose data made node ``node_id`` (recorded just before it)."""
        for nid in range(node_id - 1, -1, -1):
            n = self.graph.nodes[nid]
            if n.kind == "method":
                return n.op
        return None

    def is_input(self, ref: TensorRef) -> bool:
        if ref in self.producer or ref.node >= len(self.graph.nodes):
            return False
        return self.graph.nodes[ref.node].kind == "input"

    def constant(self, ref: TensorRef) -> bool:
        if ref in self.producer:
            return False
        res = self.engine.results.get(ref.node)
        return res is not None and not res.symbolic

    # -- totals --------------------------------------------------------------
    def _trainable_flags(self) -> Optional[list]:
        """The ``.trainable`` settings in order, as (object, value, reaches the layers inside);
        ``None`` when one is not known."""
        if self.interp.trainable_unknown:
            return None
        sets = []
        for obj, value, inside in self.interp.trainable_sets:
            if value is UNKNOWN or not isinstance(value, bool):
                return None
            sets.append((obj, value, inside))
        return sets

    def totals(self, model: Any, tree: _Totals) -> tuple[Optional[int], Optional[int], Optional[int]]:
        """Keras's counts (``summary_utils``): a model whose own flag is off has no trainable
        weights; otherwise a weight trains when its variable does, and a ``.trainable``
        assignment sets the variables of every layer under what it is set on. (A model
        constructor's ``trainable=False`` sets the model's own flag only.)"""
        if tree.rows is None:
            return None, None, None
        total = self.subtotal(tree)
        if total is None:
            return None, None, None
        if self.trainable is None:
            return total, None, None
        own = self.own_flag(model)
        trainable = frozen = 0
        seen: set = set()
        for lid, _ in tree.leaves:
            if lid is None:
                return None, None, None
            if lid in seen:
                continue
            seen.add(lid)
            p = self.leaf_params(lid)
            if p is None:
                return total, None, None
            t, nt = p
            flag = self.variable_flag(lid)
            if flag is None:
                return total, None, None
            if own and flag:
                trainable += t
                frozen += nt
            else:
                frozen += t + nt
        return total, trainable, frozen

    def own_flag(self, model: Any) -> bool:
        flag = True
        for obj, value, inside in self.trainable or []:
            if obj is model or inside and self.contains(obj, getattr(model, "layer_id", None)):
                flag = value
        return flag

    def variable_flag(self, layer_id: str) -> Optional[bool]:
        """Whether a layer's trainable weights train after the assignments (``None``: unknown)."""
        flag = True
        for obj, value, inside in self.trainable or []:
            if inside and self.contains(obj, layer_id):
                flag = value
        call = self.engine.builds.get(layer_id)
        if flag and call is not None and call.config.get("trainable", True) is not True:
            # Made with trainable=False: its counts are all frozen; set back to True, which of
            # its weights train again (not a BatchNormalization's moving statistics) is unknown.
            return None if any(v is True and inside and self.contains(o, layer_id)
                               for o, v, inside in self.trainable or []) else True
        return flag

    def contains(self, obj: Any, layer_id: Optional[str]) -> bool:
        """Whether ``obj`` is the layer or model ``layer_id`` or holds it (at any depth)."""
        if layer_id is None:
            return False
        if getattr(obj, "layer_id", None) == layer_id:
            return True
        if hasattr(obj, "class_name") and obj.wrapped is None:
            return False
        inner = obj.wrapped if hasattr(obj, "class_name") else obj
        tree = self.tree(inner)
        return any(lid == layer_id or layer_id in path for lid, path in tree.leaves)


def _layers_in(value: Any, within: frozenset = frozenset()) -> list:
    """The layers a subclassed model's attribute holds (itself, or in a list, tuple or dict; a list
    that holds itself is walked once)."""
    if value is UNKNOWN:
        raise _Unsure()  # it may be a layer shapecheck does not follow
    if hasattr(value, "class_name") or hasattr(value, "kind") and hasattr(value, "layers"):
        return [value]
    if hasattr(value, "cls") and hasattr(value, "attrs"):
        return [value] if value.cls.keras_kind else []
    if id(value) in within:
        return []
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _layers_in(v, within | {id(value)})]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _layers_in(v, within | {id(value)})]
    return []


def _flat(v: Any) -> list:
    if isinstance(v, (list, tuple)):
        return [x for e in v for x in _flat(e)]
    if isinstance(v, dict):  # as Keras's tree.flatten: by sorted keys
        return [x for k in sorted(v) for x in _flat(v[k])]
    return [v]


def _shape(outputs: tuple) -> Any:
    if not outputs or any(t.shape is None for t in outputs):
        return None
    shapes = [tuple(t.shape) for t in outputs]
    return shapes[0] if len(shapes) == 1 else shapes


__all__ = ["LayerRow", "ModelSummary", "summarize", "show_output_shape", "shown_dtype", "shape_json",
           "to_snake_case"]


def _defines(cls: Any, attr: str) -> bool:
    """Whether a class of the analysed code (or one of its bases there) defines ``attr``."""
    if attr in getattr(cls, "attrs", {}):
        return True
    return any(_defines(b, attr) for b in getattr(cls, "bases", ()) if hasattr(b, "attrs"))
