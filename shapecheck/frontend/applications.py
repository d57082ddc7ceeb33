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
from ..layers.applications import Application, check_constructor, model_name
from .values import ModelValue, Tensor


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


__all__ = ["build"]
