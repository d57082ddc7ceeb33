"""The engine: applies rules to IR nodes, records shapes, produces findings.

The front end appends nodes one at a time (it needs each shape to interpret
the code that follows, ``x.shape[1]`` say); :meth:`Engine.add` evaluates a node
as soon as it is added.  :meth:`Engine.run` replays a whole graph, which is how
the other front doors use a stored IR.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Optional

from .findings import (
    CALL_SITE,
    TF_OP_ON_KERAS_TENSOR,
    Finding,
    Note,
    ShapeError,
    Span,
)
from .ir import UNKNOWN, Graph, LayerRef, Node, TensorRef
from .rules import (
    APPLICATIONS,
    LAYERS,
    OPS,
    Call,
    InputSpec,
    LayerRule,
    OpRule,
    Rule,
    Unknowable,
    check_dtypes,
    check_spec,
    load_rules,
)
from .shapes import UNKNOWN_TENSOR, TensorType, show_shape


@dataclass
class NodeResult:
    outputs: tuple[TensorType, ...]
    finding: Optional[Finding] = None
    inferred: bool = True
    #: how the outputs nest (:meth:`Rule.structure`); ``None`` for flat
    structure: Any = None
    #: the outputs are symbolic Keras tensors (they descend from a ``keras.Input``), not
    #: TensorFlow tensors computed from constants (``tf.zeros(...)``, ``keras.ops.ones(...)``)
    symbolic: bool = True


def rule_for(node_op: str) -> Optional[Rule]:
    if node_op.startswith("keras.layers."):
        return LAYERS.get(node_op[len("keras.layers."):])
    if node_op.startswith("keras.applications."):
        return APPLICATIONS.get(node_op[len("keras.applications."):]) or OPS.get(node_op)
    return OPS.get(node_op)


#: how provenance notes name the front end's pseudo-ops: after the call they stand for
_SHOWN = {"shapecheck.time_distributed": "TimeDistributed", "shapecheck.declared_shape": "compute_output_shape"}


def _short(op: str) -> str:
    return _SHOWN.get(op) or op.rsplit(".", 1)[-1]


_DTYPES = {"float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
           "uint32", "uint64", "bool", "complex64", "complex128"}
_POLICY_COMPUTE = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


def _compute_dtype(config_dtype: Any) -> Optional[str]:
    """A layer's compute dtype from its ``dtype`` argument (a dtype or a policy name)."""
    if config_dtype is None:
        return "float32"  # the default policy; a global policy set elsewhere is not followed
    if isinstance(config_dtype, str):
        name = _POLICY_COMPUTE.get(config_dtype, config_dtype)
        if name in _DTYPES:
            return name
    return None


def _labelled(rule: LayerRule, call: Call, out: TensorType) -> TensorType:
    """The dtype Keras 3 gives a layer's symbolic output.

    A rule that works out a dtype of its own (integer ids, a ``dtype`` argument) returns one
    other than its input's and is kept. One that passes its input's dtype through stands for
    Keras's default, the layer's compute dtype: ``Dense`` or ``Activation`` on int32 inputs
    make float32 tensors (see ``LayerRule.output_dtype``). ``"input"`` rules (``Reshape``) keep
    an integer or bool dtype, as their ``call`` does; floating inputs are cast to the compute
    dtype on the way in.
    """
    if call.keras_version < 3 or call.traced or rule.output_dtype == "rule" or out.dtype is None \
            or out.dtype != call.input.dtype:
        return out
    if rule.output_dtype == "input" and not out.dtype.startswith(("float", "bfloat")):
        return out
    return replace(out, dtype=_compute_dtype(call.get("dtype") if "dtype" in call.config else None))


def _sparse_or_ragged(rule: LayerRule, call: Call, out: TensorType) -> TensorType:
    """Sparse (ragged) inputs give a sparse (ragged) output where the rule keeps them (``keeps_sparse``,
    as measured: ``Dropout``, ``Embedding`` on ragged ids), else a dense one (``Dense``)."""
    inputs = [t for t in call.inputs if t is not UNKNOWN_TENSOR]
    try:
        keeps_sparse, keeps_ragged = rule.keeps(call)
    except Unknowable:
        keeps_sparse = keeps_ragged = False
    sparse = keeps_sparse and (out.sparse or bool(inputs) and all(t.sparse for t in inputs))
    ragged = keeps_ragged and (out.ragged or bool(inputs) and all(t.ragged for t in inputs))
    return out if (out.sparse, out.ragged) == (sparse, ragged) else replace(out, sparse=sparse, ragged=ragged)


def _data_dtype(rule: LayerRule, call: Call, out: TensorType) -> TensorType:
    """The dtype the output's data has: an integer, bool or string dtype its inputs all have, where
    the layer keeps it (``passes_dtype``) and Keras labels the output otherwise; else its label."""
    arriving = {t.arrives for t in call.inputs}
    kept = next(iter(arriving)) if rule.passes_dtype and len(arriving) == 1 else None
    if kept is None or kept.startswith(("float", "bfloat")) or kept == out.dtype or out.dtype is None \
            or not out.dtype.startswith(("float", "bfloat")):
        kept = None
    return out if out.data_dtype == kept else replace(out, data_dtype=kept)


class Engine:
    def __init__(self, keras_version: int = 3) -> None:
        load_rules()
        self.keras_version = keras_version
        self.graph = Graph(keras_version=keras_version)
        self.results: dict[int, NodeResult] = {}
        self.built: dict[str, list[InputSpec]] = {}
        #: layers whose weights exist (called once): their ``build`` checks do not run again
        self.called: set[str] = set()
        #: layers whose constructor Keras rejects: reported once there, never applied
        self.rejected: set[str] = set()
        #: the call that built each layer (its first one): what its weights, and so its
        #: parameter counts, are made from
        self.builds: dict[str, Call] = {}

    # -- public ------------------------------------------------------------
    def add(self, node: Node) -> NodeResult:
        node.id = len(self.graph.nodes)
        self.graph.nodes.append(node)
        symbolic = node.kind in ("input", "data") or any(self._symbolic(r) for r in node.tensor_refs())
        result = self._evaluate(node, symbolic)
        result.symbolic = symbolic
        self.results[node.id] = result
        return result

    def _symbolic(self, ref: TensorRef) -> bool:
        res = self.results.get(ref.node)
        return res is not None and res.symbolic

    def run(self, graph: Graph) -> list[NodeResult]:
        return [self.add(n) for n in graph.nodes]

    def record(self, node: Node) -> int:
        """Add a node that makes no tensor (a "construct", "model" or "method" node): kept for
        the runtime replay, never evaluated."""
        node.id = len(self.graph.nodes)
        self.graph.nodes.append(node)
        self.results[node.id] = NodeResult((), inferred=False)
        return node.id

    def check_config(self, op: str, config: dict, span: Span, name: str,
                     call_stack: tuple[Span, ...] = (), layer_id: Optional[str] = None) -> Optional[Finding]:
        """Constructor-time validation (``Conv2D(padding="full")``).

        A layer rejected here never exists: its later calls give unknown outputs and no
        second finding.
        """
        rule = rule_for(op)
        if rule is None:
            return None
        try:
            rule.check_config(Call(rule, config, [], {}, name=name, keras_version=self.keras_version))
        except ShapeError as e:
            if layer_id is not None:
                self.rejected.add(layer_id)
            return Finding(e.code, span, e.message, self._stack_notes(call_stack))
        except Unknowable:
            return None
        return None

    def eager(self, op: str, args: list, kwargs: dict) -> tuple[Optional[tuple[TensorType, ...]], Any,
                                                                 Optional[ShapeError]]:
        """Apply a rule to values at once, outside the graph: data (NumPy arrays, eager tensors)
        and the loss of ``fit``. Tensors are :class:`TensorType` among ``args``/``kwargs``.

        Returns the outputs (``None`` when unknown), their nesting (see :meth:`Rule.structure`)
        and the error the rule raised, if any: the caller decides whether it is a finding.
        """
        rule = rule_for(op)
        if rule is None:
            return None, None, None
        call = Call(rule, {}, list(args), dict(kwargs), name=_short(op).lower(),
                    keras_version=self.keras_version, traced=True, apply=self._apply_sublayer)
        try:
            if isinstance(rule, LayerRule):
                outputs = self._apply_layer(rule, call, None)
            else:
                outputs = self._outputs(rule.output(call))
        except ShapeError as e:
            return None, None, e
        except Unknowable:
            return None, None, None
        try:
            structure = rule.structure(call)
        except (Unknowable, ShapeError):
            structure = None
        return outputs, structure, None

    def params(self, layer_id: str) -> Optional[tuple[int, int]]:
        """The ``(trainable, non_trainable)`` parameter counts of a layer once it is built;
        ``None`` when it is not built or its counts cannot be known."""
        call = self.builds.get(layer_id)
        if call is None:
            return None
        rule = call.rule
        assert isinstance(rule, LayerRule)
        try:
            return rule.count_params(call)
        except (Unknowable, ShapeError):
            return None

    def snapshot(self) -> tuple:
        """The built state of every layer, to explore a branch that may not run."""
        return dict(self.built), set(self.called)

    def restore(self, state: tuple) -> None:
        self.built, self.called = dict(state[0]), set(state[1])

    def tensor(self, ref: TensorRef) -> TensorType:
        res = self.results.get(ref.node)
        if res is None or ref.index >= len(res.outputs):
            return UNKNOWN_TENSOR
        return res.outputs[ref.index]

    # -- evaluation --------------------------------------------------------
    def _resolve(self, v: Any) -> Any:
        if isinstance(v, TensorRef):
            return self.tensor(v)
        if isinstance(v, list):
            return [self._resolve(x) for x in v]
        if isinstance(v, tuple):
            return tuple(self._resolve(x) for x in v)
        if isinstance(v, dict):
            return {k: self._resolve(x) for k, x in v.items()}
        return v

    def _evaluate(self, node: Node, symbolic: bool) -> NodeResult:
        rule = rule_for(node.op)
        tf_finding = self._check_tf_op(node, rule) if symbolic else None
        if rule is None:
            return NodeResult((UNKNOWN_TENSOR,), tf_finding, inferred=False)
        args = self._resolve(node.args)
        kwargs = self._resolve(node.kwargs)
        name = node.name or _short(node.op).lower()
        call = Call(rule, node.config, args, kwargs, name=name, keras_version=self.keras_version,
                    built=node.layer_id in self.called, traced=node.traced or not symbolic, replay=node.replay,
                    apply=self._apply_sublayer)
        try:
            if isinstance(rule, OpRule):
                # (an op's data has the dtype it says: the run-time dtype of layers is not followed through ops)
                outputs = tuple(replace(t, data_dtype=None) if t.data_dtype else t
                                for t in self._outputs(rule.output(call)))
            else:
                assert isinstance(rule, LayerRule)
                outputs = self._apply_layer(rule, call, node.layer_id)
        except ShapeError as e:
            finding = Finding(e.code, node.span or _NOWHERE, e.message, self._notes(node), node=node.id)
            return NodeResult((UNKNOWN_TENSOR,), tf_finding or finding, inferred=False)
        except Unknowable:
            return NodeResult((UNKNOWN_TENSOR,), tf_finding, inferred=False)
        inferred = any(t.shape is not None for t in outputs)
        try:
            structure = rule.structure(call)
        except (Unknowable, ShapeError):
            structure = None
        return NodeResult(outputs, tf_finding, inferred, structure)

    def _apply_layer(self, rule: LayerRule, call: Call, layer_id: Optional[str]) -> tuple[TensorType, ...]:
        if layer_id is not None and layer_id in self.rejected:
            raise Unknowable()
        rule.check_config(call)
        spec = rule.input_spec(call)
        if spec is not None:
            check_spec(spec, call.input, 0, call.name)
        if layer_id is not None and layer_id in self.built:
            for i, (s, x) in enumerate(zip(self.built[layer_id], call.inputs)):
                try:
                    check_spec(s, x, i, call.name)
                except ShapeError as e:
                    if not call.replay or call.keras_version < 3:
                        raise  # (tf.keras 2 calls each layer of the model, checks included)
                    raise ShapeError(e.code, f"{e.message} (the model's call builds, since Keras does not check "
                                             "the weights of its layers symbolically, but it fails as soon as "
                                             "data flows: predict, fit)") from None
        outputs = tuple(_data_dtype(rule, call, _sparse_or_ragged(rule, call, _labelled(rule, call, t)))
                        for t in self._outputs(rule.output(call)))
        # (after the shapes: Keras rejects a shape when it builds, a dtype only when data arrives)
        check_dtypes(rule, call)
        if layer_id is not None:
            self.builds.setdefault(layer_id, call)
            self.called.add(layer_id)
        if layer_id is not None and layer_id not in self.built:
            try:
                built = rule.built_spec(call)
            except Unknowable:
                built = None
            if built is not None:
                self.built[layer_id] = [built]
        return outputs

    def _apply_sublayer(self, layer: LayerRef, args: list, kwargs: dict,
                        traced: bool = False) -> tuple[TensorType, ...]:
        rule = LAYERS.get(layer.class_name)
        if rule is None:
            raise Unknowable()
        call = Call(rule, layer.config, args, kwargs, name=layer.config.get("name") or layer.class_name.lower(),
                    keras_version=self.keras_version, built=layer.layer_id in self.called, traced=traced,
                    apply=self._apply_sublayer)
        return self._apply_layer(rule, call, layer.layer_id)

    def _check_tf_op(self, node: Node, rule: Optional[Rule]) -> Optional[Finding]:
        """Keras 3 rejects any TensorFlow function applied to a symbolic Keras tensor."""
        if self.keras_version < 3 or node.traced or not node.op.startswith("tensorflow."):
            return None
        fn = node.op.replace("tensorflow.", "tf.", 1)
        equivalent = getattr(rule, "keras_equivalent", None)
        instead = f"`{equivalent}`" if equivalent else "the `keras.ops` equivalent"
        msg = (f"A KerasTensor cannot be used as input to a TensorFlow function: `{fn}` is applied to a "
               f"symbolic Keras tensor. Use {instead} or a layer instead (valid only under tf.keras 2).")
        return Finding(TF_OP_ON_KERAS_TENSOR, node.span or _NOWHERE, msg, self._notes(node), node=node.id)

    @staticmethod
    def _outputs(out: Any) -> tuple[TensorType, ...]:
        if isinstance(out, TensorType):
            return (out,)
        return tuple(t if isinstance(t, TensorType) else UNKNOWN_TENSOR for t in out)

    # -- provenance --------------------------------------------------------
    def _notes(self, node: Node) -> tuple[Note, ...]:
        notes: list[Note] = []
        for i, ref in enumerate(node.tensor_refs()):
            src = self.graph.nodes[ref.node] if ref.node < len(self.graph.nodes) else None
            if src is None or src.span is None:
                continue
            what = {"input": "keras.Input", "data": "the data"}.get(src.kind) or _short(src.op)
            label = f'"{src.name}" ({what})' if src.name else what
            where = ""
            if src.call_stack and src.call_stack != node.call_stack:
                # Produced inside a helper: say which call of it.
                site = src.call_stack[-1]
                where = f" (in the call at {site.path}:{site.line})" if site.path != src.span.path \
                    else f" (in the call at line {site.line})"
            notes.append(Note(src.span, f"input {i} has shape {show_shape(self.tensor(ref).shape)}, "
                                        f"produced by {label} here{where}"))
        return tuple(notes) + self._stack_notes(node.call_stack)

    @staticmethod
    def _stack_notes(stack: tuple[Span, ...]) -> tuple[Note, ...]:
        return tuple(Note(s, CALL_SITE) for s in reversed(stack))


_NOWHERE = Span("<unknown>", 1, 1, 1, 1)


def is_unknown(v: Any) -> bool:
    return v is UNKNOWN


def _as_tensor(v: Any, tuples: bool = True) -> Any:
    """Example markers as tensors: ``T``, and plain tuples unless ``tuples`` is false (in
    keyword arguments a tuple is a value: ``axes=(1, 2)``)."""
    from .rules import T

    if isinstance(v, T):
        return TensorType(None if v.shape is None else tuple(v.shape), v.dtype, sparse=v.sparse, ragged=v.ragged)
    if isinstance(v, tuple) and tuples:
        return TensorType(v)
    if isinstance(v, list):
        return [_as_tensor(x, tuples) for x in v]
    if isinstance(v, dict):
        return {k: _as_tensor(x, tuples) for k, x in v.items()}
    return v


def infer(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None,
          keras_version: int = 3, traced: bool = False) -> Any:
    """Apply one rule outside any program: shapes in, output shape(s) or finding name out.

    ``op`` is a layer class name (``"Conv2D"``) or a full op name (``"keras.ops.reshape"``).
    Returns a shape tuple, a list of shape tuples for several outputs, ``None`` for an
    unknown output, or the finding's name (``"rank-mismatch"``).  Used by the rule
    examples, the unit tests and the comparison with Keras. ``traced``: the call runs on data
    (eager tensors, or inside a traced function), not on symbolic Keras tensors.
    """
    outputs = infer_types(op, config, inputs, args, call_kwargs, keras_version, traced)
    if outputs is None or isinstance(outputs, str):
        return outputs
    shapes = [t.shape for t in outputs]
    return shapes[0] if len(shapes) == 1 else shapes


def infer_params(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None,
                 keras_version: int = 3) -> Optional[tuple[int, int]]:
    """The ``(trainable, non_trainable)`` parameter counts of layer ``op`` built by one call on
    ``inputs`` (as :func:`infer` takes them); ``None`` when unknown or when the call fails."""
    engine = Engine(keras_version)
    rule = rule_for(op if "." in op else f"keras.layers.{op}")
    if not isinstance(rule, LayerRule):
        raise KeyError(op)
    kw = {k: _as_tensor(v, tuples=False) for k, v in (call_kwargs or {}).items()}
    pos = ([_as_tensor(inputs)] if inputs is not None else []) + [_as_tensor(a) for a in args]
    call = Call(rule, config, pos, kw, name=op.lower(), keras_version=keras_version, apply=engine._apply_sublayer)
    try:
        engine._apply_layer(rule, call, "L")
    except (ShapeError, Unknowable):
        return None
    return engine.params("L")


def infer_types(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None,
                keras_version: int = 3, traced: bool = False) -> Any:
    """Like :func:`infer`, with the output tensor types (dtypes too): a tuple of
    :class:`TensorType`, ``None`` for an unknown output, or the finding's name."""
    engine = Engine(keras_version)
    full = op if "." in op else f"keras.layers.{op}"
    kw = {k: _as_tensor(v, tuples=False) for k, v in (call_kwargs or {}).items()}
    first = _as_tensor(inputs) if inputs is not None else None
    rule = rule_for(full)
    if rule is None:
        raise KeyError(op)
    pos = ([first] if first is not None else []) + [_as_tensor(a) for a in args]
    call = Call(rule, config, pos, kw, name=_short(full).lower(), keras_version=keras_version, traced=traced,
                apply=engine._apply_sublayer)
    try:
        if isinstance(rule, LayerRule):
            return engine._apply_layer(rule, call, None)
        return engine._outputs(rule.output(call))
    except ShapeError as e:
        return e.code.name
    except Unknowable:
        return None
