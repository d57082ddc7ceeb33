"""``keras.applications.ResNet50(...)`` and its kin in the analysed code: a model of one operation.

The constructor's arguments are checked as Keras checks them (``layers/applications.py``); then
the model is its ``keras.Input`` (or the sources of ``input_tensor=``) and one graph node,
``keras.applications.ResNet50``, applied to it. Calling the model (``base(x, training=False)``)
replays that node on the new tensor like any functional model's graph; ``base.output``,
``base.input`` and ``keras.Model(base.input, ...)`` are the model's tensors.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from ..core.findings import CALL_SITE, Finding, Note, ShapeError
from ..core.ir import UNKNOWN, Node, TensorRef
from ..core.rules import Unknowable
from ..layers import applications
from ..layers.applications import Application, check_constructor, model_name
from .values import CounterName, LayerValue, ModelValue, Tensor


def build(interp: Any, app: Application, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
    """The model ``app(*args, **kwargs)`` builds, or ``UNKNOWN`` where it cannot be followed (or
    Keras rejects the arguments: then a finding)."""
    if len(args) > len(app.params) or any(k not in app.params for k in kwargs):
        return UNKNOWN  # (a TypeError, not a shape)
    bound = dict(zip(app.params, args))
    bound.update(kwargs)
    tensor = bound.pop("input_tensor", None)
    config = {k: interp.literal(v) for k, v in bound.items()}
    span = interp.span(node)
    stack = interp._frame.stack
    op = f"keras.applications.{app.name}"
    try:
        declared = check_constructor(app, config, interp._data_format)
    except Unknowable:
        return UNKNOWN
    except ShapeError as e:
        at = interp.engine.record(Node(0, op, "construct", config=config, span=span, call_stack=stack))
        interp.report(Finding(e.code, span, e.message, tuple(Note(s, CALL_SITE) for s in reversed(stack)), node=at))
        return UNKNOWN
    if tensor is None:
        x = interp.make_input({"shape": declared}, node)
        inputs = [x]
    elif isinstance(tensor, Tensor) and tensor.type.shape is not None and len(tensor.type.shape) == 4:
        # Keras builds on the tensor as it is (its `input_shape` only checked); the model's inputs
        # are the tensor's sources
        x = tensor
        declared = tuple(tensor.type.shape[1:])
        inputs = _sources(interp, tensor)
        if inputs is None:
            return UNKNOWN
    else:
        return UNKNOWN
    if not isinstance(x, Tensor):
        return UNKNOWN
    name = model_name(app, config, declared)
    irnode = Node(0, op, "layer", config={**config, "input_shape": declared}, args=[x.ref], kwargs={},
                  layer_id=interp.new_id("L"), name=name, span=span, call_stack=stack, traced=interp._frame.traced)
    result = interp.add_node(irnode)
    out = interp.outputs_value(irnode, result)
    model = ModelValue("functional", interp.new_id("M"), name, inputs, out, application=app.name)
    interp.record_model(model, node)
    ref = interp.model_ref(model)
    if ref is not None:
        interp.engine.record(Node(0, "keras.Model", "model", config={"model": ref}, layer_id=model.layer_id,
                                  name=name, span=span, call_stack=stack))
    return model


def _model_node(interp: Any, model: ModelValue) -> Any:
    """The node standing for an application model built without its top, or ``None``."""
    out = model.outputs
    if model.application is None or not isinstance(out, Tensor):
        return None
    n = interp.engine.graph.nodes[out.ref.node]
    if n.op != f"keras.applications.{model.application}" or n.config.get("include_top") is not False:
        return None
    return n


def inner_layers(interp: Any, model: ModelValue) -> Any:
    """``model.layers`` of an application model built without its top and pooling: one layer value
    per layer Keras builds (:func:`shapecheck.layers.applications.inner_layers`), else ``UNKNOWN``."""
    n = _model_node(interp, model)
    rows = applications.inner_layers(model.application or "")
    if n is None or not rows or n.config.get("pooling") is not None:
        return UNKNOWN
    return [inner_layer(interp, model, i) for i in range(len(rows))]


def inner_layer_named(interp: Any, model: ModelValue, name: str) -> Any:
    """``model.get_layer(name)`` of an application model built without its top, else ``UNKNOWN``."""
    rows = applications.inner_layers(model.application or "")
    found = [i for i, row in enumerate(rows) if row[0] == name]
    if _model_node(interp, model) is None or len(found) != 1:
        return UNKNOWN
    return inner_layer(interp, model, found[0])


def inner_layer(interp: Any, model: ModelValue, index: int) -> LayerValue:
    cache = interp.app_layers.setdefault(model.layer_id, {})
    if index not in cache:
        name = applications.inner_layers(model.application or "")[index][0]
        cache[index] = LayerValue("?", {}, interp.new_id("L"), name or "", None, inner=(model, index))
    return cache[index]


def counter_name(layer: LayerValue) -> CounterName:
    """``layer.name`` of a layer inside an application whose name Keras makes from a counter."""
    model, index = layer.inner
    rows = applications.inner_layers(model.application or "")
    return CounterName(model.layer_id, index, frozenset(row[0] for row in rows if row[0]))


def inner_output(interp: Any, layer: LayerValue, node: cst.CSTNode) -> Any:
    """``layer.output`` of a layer inside an application model: the model's operation on its input,
    up to that layer (``output_layer``), made once (where the code surely runs)."""
    out = interp._first_outputs.get(layer.layer_id)
    if out is not None:
        return out
    model, index = layer.inner
    n = _model_node(interp, model)
    if n is None:
        return UNKNOWN
    irnode = Node(0, n.op, "layer", config={**n.config, "output_layer": index}, args=list(n.args), kwargs={},
                  layer_id=layer.layer_id, name=layer.name or None, span=interp.span(node),
                  call_stack=interp._frame.stack, traced=interp._frame.traced)
    result = interp.add_node(irnode)
    out = interp.outputs_value(irnode, result)
    if not interp._maybe:  # (a path that may not run can take its nodes back out of the graph)
        interp._first_outputs[layer.layer_id] = out
    return out


def _sources(interp: Any, tensor: Tensor) -> Any:
    """The ``keras.Input`` tensors ``tensor`` is computed from (Keras's ``get_source_inputs``), in
    the order Keras finds them; ``None`` when one of them cannot be told."""
    graph = interp.engine.graph
    found: list = []
    seen: set = set()
    todo = [tensor.ref.node]
    while todo:
        nid = todo.pop()
        if nid in seen or nid >= len(graph.nodes):
            continue
        seen.add(nid)
        n = graph.nodes[nid]
        if n.kind == "input":
            found.append(nid)
        elif n.kind == "data" or n.op == "shapecheck.join":
            return None
        else:
            todo.extend(r.node for r in reversed(n.tensor_refs()))
    if len(found) != 1:
        return None  # (several sources: their order is Keras's graph walk, not followed)
    return [Tensor(TensorRef(found[0], 0), interp.engine.tensor(TensorRef(found[0], 0)))]


__all__ = ["build", "counter_name", "inner_layer_named", "inner_layers", "inner_output"]
