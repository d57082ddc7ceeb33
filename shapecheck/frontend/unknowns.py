"""Coverage, and why a call's shape is unknown (``--explain-unknown``).

Coverage counts Keras calls per *source location*: a layer, op or model call written once counts
once, however many times a loop or the calls of a helper run it, and it counts as inferred only
when its output rank was known every time it ran.  (Counting evaluations would let one unrolled
loop of known layers outweigh the rest of the file.)  Layers that a ``Sequential`` applies at one
call are told apart by where each layer is created.

The reasons: ``UNKNOWN`` is one shared value, so nothing about where it came from travels with
it.  Instead the interpreter reports, as it goes, where an unknown value is made:

* the result of a call it could not follow (``load_model(...)``, a function of a module it does not
  read), per call expression;
* the variable an assignment binds to an unknown value (``Env.why``), and a helper's parameter
  bound to an unknown argument;
* the unknown arguments of a graph node whose output rank is unknown, and of a layer's constructor.

At the end, each counted call whose rank is unknown is explained by walking back through the IR to
the first node whose output rank is unknown while its inputs are known, then through the recorded
reasons to where the value was lost.  Nothing here changes what the analysis finds.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst

from ..core import dims
from ..core.findings import CALL_SITE, Note, Span, UnknownShape
from ..core.ir import UNKNOWN
from ..core.rules import LAYERS
from ..core.shapes import UNKNOWN_TENSOR
from . import names
from .values import Array, BoundMethod, ClassValue, FunctionValue, LayerValue, QualName, SymValue, Tensor

#: the front end's own pseudo-ops: not calls the user wrote (a ``TimeDistributed`` of a model counts
#: as the ``shapecheck.time_distributed`` node that stands for it)
_PSEUDO_OPS = frozenset({"shapecheck.join", "shapecheck.time_step", "shapecheck.declared_shape", "shapecheck.eager"})
#: how far a chain of reasons is followed (a cycle of bindings cannot form, but a long chain is noise)
_MAX_STEPS = 12


@dataclass(eq=False)
class Reason:
    """One step on the way to an unknown value: ``template`` says what happened at ``span``;
    ``{code}`` in it stands for the source of ``expr`` (rendered only when asked)."""

    span: Span
    template: str
    expr: Any = None
    cause: Optional[Reason] = None
    #: an IR node whose unknown output is the cause (walked when the explanation is made)
    node: Optional[int] = None


@dataclass
class _Record:
    span: Span
    layer: str
    known: bool = True
    #: the first evaluation whose rank was unknown: its node, or its reason, and its helpers' call sites
    node: Optional[int] = None
    reason: Optional[Reason] = None
    stack: tuple[Span, ...] = ()


@dataclass
class _Site:
    """A call expression being evaluated: what the interpreter calls, in which scope."""

    call: Any  # cst.Call, or the cst.BinaryOperation of an operator on a tensor
    env: Any
    func: Any


@dataclass
class Unknowns:
    interp: Any
    _sites: list[_Site] = field(default_factory=list)
    #: id of a call expression -> why its last evaluation gave UNKNOWN
    _results: dict[int, Reason] = field(default_factory=dict)
    #: IR node id -> why one of its arguments is unknown
    _node_args: dict[int, Reason] = field(default_factory=dict)
    #: layer id -> why an argument of its constructor is unknown
    _configs: dict[str, Reason] = field(default_factory=dict)
    _records: dict[tuple, _Record] = field(default_factory=dict)

    # ------------------------------------------------------------ counting
    @property
    def layer_calls(self) -> int:
        return len(self._records)

    @property
    def layer_calls_inferred(self) -> int:
        return sum(1 for r in self._records.values() if r.known)

    def _count(self, span: Span, layer: str, created: Optional[Span], known: bool, *, node: Optional[int] = None,
               reason: Optional[Reason] = None) -> None:
        key = (span, layer, created)
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = _Record(span, layer)
        if not known and record.known:
            record.known = False
            record.node, record.reason, record.stack = node, reason, self.interp._frame.stack

    def node_added(self, node: Any, result: Any, created_at: Optional[Span]) -> None:
        """A layer or op call became IR node ``node`` (``created_at``: where its layer was made)."""
        known = bool(result.outputs) and all(t.shape is not None for t in result.outputs)
        if not known:
            self._remember_arguments(node)
        interp = self.interp
        if node.kind == "input" or interp._frame.replay or node.op in _PSEUDO_OPS:
            return
        if node.span is None or node.span.path != interp.path:
            return
        label = "keras.layers.TimeDistributed" if node.op == "shapecheck.time_distributed" else node.op
        self._count(node.span, label, created_at, known, node=node.id)

    def value_call(self, label: str, node: cst.CSTNode, args: list, kwargs: dict, result: Any,
                   created: Optional[Span] = None) -> None:
        """A call of a model (``keras.Model``) or of a ``Lambda`` that traces Python code: no IR node
        of its own stands for it.  When its output is lost, ``--show-shapes`` says so too."""
        interp = self.interp
        if interp._frame.replay:
            return
        first = args[0] if args else kwargs.get("inputs", UNKNOWN)
        if _is_data(first):
            return  # a model run eagerly on data: not a call in the graph
        span = interp.span(node)
        if span.path != interp.path:
            return
        tensors = [t for t in _flatten(result) if isinstance(t, Tensor)]
        known = bool(tensors) and all(t.type.shape is not None for t in tensors)
        if not tensors:
            from .interpreter import ShapeEntry

            interp.shapes.append(ShapeEntry(span, label, (UNKNOWN_TENSOR,), (), created))
        reason = None
        rejected = None if known else next((f for f in interp.findings if f.span == span), None)
        if rejected is not None:
            code = rejected.code
            reason = Reason(span, f"Keras rejects `{label}` here ({code.number} {code.name})")
        elif not known:
            # its input first: a replay of the model on a lost input has lost arguments everywhere inside
            lost = next((t for t in tensors if t.type.shape is None), None)
            reason = self._input_reason(node, first) or (Reason(span, "", node=lost.ref.node) if lost is not None
                                                         else Reason(span, f"`{label}` here gives no value "
                                                                     "shapecheck can follow"))
        self._count(span, label, created, known, reason=reason)

    def _input_reason(self, node: cst.CSTNode, first: Any) -> Optional[Reason]:
        """Why the first input of the call ``node`` is lost, if it is."""
        values = _flatten(first)
        for v in values:
            if isinstance(v, Tensor) and v.type.shape is None:
                return Reason(self.interp.span(node), "", node=v.ref.node)
        if values and all(isinstance(v, Tensor) for v in values):
            return None
        site = self._site(node)
        if site is not None:
            expr = _argument(site.call, 0, "inputs")
            if expr is not None:
                return Reason(self.interp.span(expr), "its input `{code}` is not a known tensor", expr,
                              self.reason_of(expr, site.env))
        return None

    # ------------------------------------------------------------ hooks
    def call(self, func: Any, args: list, kwargs: dict, node: cst.Call, env: Any) -> Any:
        """``Interpreter.call_value`` for a call expression, remembering why its result is unknown."""
        self._sites.append(_Site(node, env, func))
        try:
            result = self.interp.call_value(func, args, kwargs, node)
        finally:
            self._sites.pop()
        key = id(node)
        if result is UNKNOWN:
            self._results[key] = self._call_reason(node, func, env)
        elif key in self._results:
            del self._results[key]
        if isinstance(result, LayerValue) and result.layer_id not in self._configs and result.span is not None \
                and any(_has_unknown(v) for v in result.config.values()) and result.span == self.interp.span(node):
            self._remember_config(result, node, env)
        return result

    def operator(self, node: cst.BinaryOperation, left: Any, right: Any, env: Any) -> Any:
        """``Interpreter.binop`` of an expression ``left <op> right``: on a tensor it makes a graph node,
        whose lost operand is explained in the scope it was read in."""
        if not (isinstance(left, Tensor) or isinstance(right, Tensor)):
            return self.interp.binop(type(node.operator), left, right, node)
        self._sites.append(_Site(node, env, None))
        try:
            return self.interp.binop(type(node.operator), left, right, node)
        finally:
            self._sites.pop()

    def assign(self, targets: list, expr: cst.BaseExpression, value: Any, env: Any) -> None:
        """``Interpreter.assign`` of ``value`` (the value of ``expr``) to each target, remembering why a
        name it binds is unknown."""
        cause = self.reason_of(expr, env) if value is UNKNOWN or (
            isinstance(value, (tuple, list)) and any(v is UNKNOWN for v in value)) else None
        for target in targets:
            self.interp.assign(target, value, env)
        for target in targets:
            for name in _bound_names(target):
                if cause is not None and env.vars.get(name, None) is UNKNOWN:
                    env.why[name] = Reason(self.interp.span(expr), f"`{name}` comes from `{{code}}`", expr, cause)
                else:
                    env.why.pop(name, None)

    def bound(self, fn: FunctionValue, local: Any, node: Optional[cst.CSTNode], has_self: bool) -> None:
        """A helper's parameters are bound at call ``node``: why those that are unknown are."""
        site = self._site(node) if node is not None else None
        if site is None or not (site.func is fn or isinstance(site.func, ClassValue) or (
                isinstance(site.func, BoundMethod) and site.func.func is fn)):
            return
        params = fn.node.params
        positional = [p.name.value for p in [*params.posonly_params, *params.params]]
        offset = 1 if has_self else 0
        for i, name in enumerate([*positional, *(p.name.value for p in params.kwonly_params)]):
            if local.vars.get(name, None) is not UNKNOWN:
                continue
            expr = _argument(site.call, i - offset if i < len(positional) and i >= offset else None, name)
            if expr is None:
                local.why[name] = Reason(self.interp.span(site.call),
                                         f"parameter `{name}` of `{fn.name}` is given no known value here")
            else:
                local.why[name] = Reason(self.interp.span(expr), f"parameter `{name}` of `{fn.name}` is `{{code}}` here",
                                         expr, self.reason_of(expr, site.env))

    # ------------------------------------------------------------ reasons
    def reason_of(self, expr: cst.CSTNode, env: Any) -> Reason:
        """Why the value of ``expr`` (just evaluated in ``env``) is unknown.  Nothing is evaluated again:
        names are looked up, calls have their reason recorded."""
        span = self.interp.span(expr)
        if isinstance(expr, cst.Name):
            e = env
            while e is not None:
                if expr.value in e.vars:
                    v = e.vars[expr.value]
                    if isinstance(v, SymValue):
                        return Reason(span, "`{code}` is a parameter of a function this file never calls (followed "
                                      "with unknown arguments)", expr)
                    why = e.why.get(expr.value) if v is UNKNOWN else None
                    return why if why is not None else Reason(span, "`{code}` is not a known value", expr)
                e = e.parent
            if hasattr(builtins, expr.value):
                return Reason(span, "`{code}` is a Python builtin shapecheck does not follow", expr)
            return Reason(span, "`{code}` is not defined in this file", expr)
        if isinstance(expr, cst.Call):
            found = self._results.get(id(expr))
            return found if found is not None else Reason(span, "`{code}` gives a value shapecheck does not know "
                                                          "in full", expr)
        if isinstance(expr, cst.IfExp):  # a condition not decided: both values, joined
            return Reason(span, "the value depends on the condition `{code}`, which is not known", expr.test,
                          self._lost(expr.test, env))
        for part in _parts(expr):
            inner = self._lost(part, env)
            if inner is not None:
                return inner
        return Reason(span, "`{code}` is not a known value", expr)

    def _lost(self, expr: cst.CSTNode, env: Any) -> Optional[Reason]:
        """The reason ``expr`` is unknown when it visibly is (an unknown name, an unfollowed call)."""
        if isinstance(expr, cst.Name):
            e = env
            while e is not None:
                if expr.value in e.vars:
                    v = e.vars[expr.value]
                    return self.reason_of(expr, env) if v is UNKNOWN or isinstance(v, SymValue) else None
                e = e.parent
            return None
        if isinstance(expr, cst.Call):
            return self._results.get(id(expr))
        for part in _parts(expr):
            inner = self._lost(part, env)
            if inner is not None:
                return inner
        return None

    def _call_reason(self, node: cst.Call, func: Any, env: Any) -> Reason:
        span = self.interp.span(node)
        if isinstance(func, QualName):
            return Reason(span, f"`{names.canonical(func.name)}(...)` is not followed")
        if func is UNKNOWN:
            return Reason(span, "`{code}` calls something unknown", node, self.reason_of(node.func, env))
        lost = next((r for r in (self._lost(a.value, env) for a in node.args) if r is not None), None)
        if lost is not None:  # a builtin, a helper, a method given a value that was lost already
            return Reason(span, "`{code}` is not known: it is given a value that is not", node, lost)
        if isinstance(func, FunctionValue):
            return Reason(span, f"`{func.name}(...)` returns no value shapecheck can follow")
        if isinstance(func, BoundMethod):
            return Reason(span, f"the method `{func.name}` is not followed")
        return Reason(span, "`{code}` is not followed", node)

    def _site(self, node: Any) -> Optional[_Site]:
        if self._sites and self._sites[-1].call is node:
            return self._sites[-1]
        return None

    def _remember_arguments(self, node: Any) -> None:
        """The IR node ``node`` has an unknown output: why its unknown arguments are, while the scope
        of the call that made it is still there."""
        if node.span is None or not self._sites:
            return
        site = self._sites[-1]
        if self.interp.span(site.call) != node.span:
            return  # made by something else than this call or operator (a Sequential's layers)
        if isinstance(site.call, cst.BinaryOperation):
            for operand, value in zip((site.call.left, site.call.right), node.args):
                if _lost(value):
                    self._node_args[node.id] = Reason(self.interp.span(operand), "its operand `{code}` is not a "
                                                      "known value", operand, self.reason_of(operand, site.env))
                    return
            return
        if any(a.star for a in site.call.args):
            return
        func = site.func
        called = names.canonical(func.name) if isinstance(func, QualName) else None
        positional = [a for a in site.call.args if a.keyword is None]
        keywords = [a for a in site.call.args if a.keyword is not None]
        found: Optional[tuple[cst.Arg, str]] = None
        if node.kind == "input":
            if called not in (names.INPUT, "keras.layers.InputLayer"):
                return
            params = LAYERS["InputLayer"].params
            for arg, key in [*zip(positional, params), *((a, a.keyword.value) for a in keywords)]:
                if _has_unknown(node.config.get(key)):
                    found = (arg, f"the argument `{key}` of `keras.Input` is not a known value")
                    break
        elif (isinstance(func, LayerValue) and func.layer_id == node.layer_id) or (
                called is not None and called.lower() == node.op.lower()):
            for i, (arg, value) in enumerate(zip(positional, node.args)):
                if _lost(value):
                    found = (arg, "its input `{code}` is not a known tensor" if i == 0
                             else "its argument `{code}` is not a known value")
                    break
            for arg in keywords if found is None else ():
                if _lost(node.kwargs.get(arg.keyword.value)):
                    found = (arg, f"its argument `{arg.keyword.value}` is not a known value")
                    break
        if found is not None:
            arg, text = found
            self._node_args[node.id] = Reason(self.interp.span(arg.value), text, arg.value,
                                              self.reason_of(arg.value, site.env))

    def _remember_config(self, layer: LayerValue, node: cst.Call, env: Any) -> None:
        rule = LAYERS.get(layer.class_name)
        params = rule.params if rule is not None else ()
        for i, arg in enumerate(a for a in node.args if not a.star):
            key = arg.keyword.value if arg.keyword is not None else (params[i] if i < len(params) else None)
            if key is not None and _has_unknown(layer.config.get(key)):
                self._configs[layer.layer_id] = Reason(
                    self.interp.span(arg.value), f"the argument `{key}` of `{layer.class_name}` is not a known value",
                    arg.value, self.reason_of(arg.value, env))
                return

    # ------------------------------------------------------------ explanations
    def explain(self) -> list[UnknownShape]:
        """Every counted call whose output rank is unknown, in source order, with why."""
        out = []
        for record in sorted(self._records.values(), key=lambda r: (r.span.line, r.span.column, r.layer)):
            if record.known:
                continue
            start = record.reason if record.reason is not None else Reason(record.span, "", node=record.node)
            steps = self._steps(start)
            if not steps:
                steps = [(record.span, f"shapecheck cannot tell the output of `{record.layer}` here")]
            origin, reason = steps[-1]
            notes = tuple(Note(s, text) for s, text in steps if s != record.span)
            notes += tuple(Note(s, CALL_SITE) for s in reversed(record.stack))
            out.append(UnknownShape(record.span, record.layer, reason, origin, notes))
        return out

    def _steps(self, start: Reason) -> list[tuple[Span, str]]:
        steps: list[tuple[Span, str]] = []
        reason: Optional[Reason] = start
        seen: list[Reason] = []  # (the reasons themselves: an id of one made and dropped here is reused)
        while reason is not None and len(steps) < _MAX_STEPS and reason not in seen:
            seen.append(reason)
            if reason.template:
                text = reason.template.replace("{code}", self._code(reason.expr)) if reason.expr is not None \
                    else reason.template
                if steps and steps[-1][0] == reason.span:
                    steps[-1] = (reason.span, text)  # the same place said more precisely
                else:
                    steps.append((reason.span, text))
            if reason.node is not None and reason.cause is None:
                reason = self._node_reason(reason.node)
            else:
                reason = reason.cause
        return steps

    def _node_reason(self, nid: int) -> Optional[Reason]:
        """Why IR node ``nid``'s output rank is unknown: the first node on the way back whose output rank
        is unknown while its inputs' are known (one step to it, however far), then why that one's is."""
        nodes = self.interp.engine.graph.nodes
        if not 0 <= nid < len(nodes):
            return None
        origin = self._origin_node(nid)
        own = self._own_reason(origin)
        if origin == nid:
            return own
        node = nodes[origin]
        return Reason(node.span or own.span, f"the shape is lost first at `{_label(node)}` here", cause=own)

    def _origin_node(self, nid: int) -> int:
        engine = self.interp.engine
        seen = {nid}
        while True:
            lost = [r.node for r in engine.graph.nodes[nid].tensor_refs()
                    if engine.tensor(r).shape is None and r.node not in seen]
            if not lost or engine.results.get(nid) is not None and engine.results[nid].finding is not None:
                return nid
            nid = lost[0]
            seen.add(nid)

    def _own_reason(self, nid: int) -> Reason:
        """Why node ``nid``'s output rank is unknown when no input's is: Keras rejects it, an argument is
        not known, or no rule (or a rule that cannot tell) gives it."""
        from ..core.engine import rule_for

        interp = self.interp
        node = interp.engine.graph.nodes[nid]
        span = node.span or Span(interp.path, 1, 1, 1, 1)
        label = _label(node)
        result = interp.engine.results.get(nid)
        rejected = result.finding if result is not None and result.finding is not None else next(
            (f for f in interp.findings if f.span == span or (
                f.node is not None and node.layer_id is not None and 0 <= f.node < len(interp.engine.graph.nodes)
                and interp.engine.graph.nodes[f.node].layer_id == node.layer_id)), None)
        if rejected is not None:
            code = rejected.code
            if rejected.span == span:
                return Reason(span, f"Keras rejects `{label}` here ({code.number} {code.name})")
            return Reason(rejected.span, f"Keras rejects `{label}` ({code.number} {code.name}, line {span.line})")
        if any(interp.engine.tensor(r).shape is None for r in node.tensor_refs()):
            return Reason(span, f"the input of `{label}` here comes back to itself with an unknown shape")
        if node.kind != "input" and rule_for(node.op) is None:
            return Reason(span, f"shapecheck has no rule for `{label}`: its output shape is unknown")
        if nid in self._node_args:
            return self._node_args[nid]
        if node.kind == "input":
            return Reason(span, "the shape given to `keras.Input` here is not known")
        if node.layer_id in self._configs:
            return self._configs[node.layer_id]
        if any(_has_unknown(v) for v in node.config.values()) or any(
                _lost(v) for v in [*node.args, *node.kwargs.values()]):
            what = "its index" if node.op == "operator.getitem" else f"an argument of `{label}` here"
            return Reason(span, f"{what} is not a known value")
        return Reason(span, f"shapecheck's rule for `{label}` cannot tell its output shape from these inputs")

    def _code(self, expr: Any) -> str:
        """The source of ``expr`` on one line, a long call shortened to ``f(...)``."""
        try:
            text = self.interp.module.code_for_node(expr)
        except Exception:  # noqa: BLE001 - a node of another module: its own source is not at hand here
            return "..."
        text = re.sub(r"\s+", " ", text).strip()
        if len(text) > 40 and isinstance(expr, cst.Call):
            text = self._code(expr.func) + "(...)"
        return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- helpers
def _label(node: Any) -> str:
    if node.kind == "input":
        return "keras.Input"
    return "keras.layers.TimeDistributed" if node.op == "shapecheck.time_distributed" else node.op


def _parts(expr: cst.CSTNode) -> list:
    """The sub-expressions whose loss makes ``expr``'s value unknown (``a`` of ``a.b``, ``a - b``'s both)."""
    if isinstance(expr, (cst.Attribute, cst.Subscript)):
        return [expr.value]
    if isinstance(expr, cst.BinaryOperation):
        return [expr.left, expr.right]
    if isinstance(expr, cst.UnaryOperation):
        return [expr.expression]
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [e.value for e in expr.elements]
    return []


def _argument(call: cst.Call, index: Optional[int], keyword: str) -> Optional[cst.BaseExpression]:
    """The expression given as positional ``index`` or as ``keyword=`` (``None`` when neither, or
    when a ``*args`` makes the positions unknowable)."""
    positional = []
    for a in call.args:
        if a.keyword is not None:
            if a.keyword.value == keyword:
                return a.value
        elif a.star:
            return None
        else:
            positional.append(a.value)
    if index is not None and 0 <= index < len(positional):
        return positional[index]
    return None


def _bound_names(target: cst.CSTNode) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _bound_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _bound_names(target.value)
    return []


def _lost(v: Any) -> bool:
    """An IR argument that stands for a value the analysis lost (a function's symbolic parameter too)."""
    return v is UNKNOWN or isinstance(v, dims.Sym) or (isinstance(v, (list, tuple, dict)) and _has_unknown(v))


def _has_unknown(v: Any) -> bool:
    if v is UNKNOWN:
        return True
    if isinstance(v, (list, tuple)):
        return any(_has_unknown(x) for x in v)
    if isinstance(v, dict):
        return any(_has_unknown(x) for x in v.values())
    return False


def _flatten(v: Any) -> list:
    if isinstance(v, (list, tuple)):
        return [x for e in v for x in _flatten(e)]
    if isinstance(v, dict):
        return [x for e in v.values() for x in _flatten(e)]
    return [v]


def _is_data(x: Any) -> bool:
    if isinstance(x, Array):
        return True
    values = list(x.values()) if isinstance(x, dict) else (list(x) if isinstance(x, (list, tuple)) else [])
    return bool(values) and all(isinstance(v, Array) for v in values)

