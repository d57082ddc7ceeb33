"""The statement-order interpreter: Keras model code in, graph nodes and findings out.

It walks a libcst module the way Python would run it, but abstractly: constants
are evaluated, imports bind qualified names, Keras layer and op calls become IR
nodes that the engine evaluates at once, helper functions are inlined at each
call site (bounded), loops over known sequences are unrolled (bounded), and
``if`` statements with unknown conditions explore both branches, keeping only
findings that hold on both.  Whatever it cannot follow becomes ``UNKNOWN`` —
never a finding.  Nothing of the analysed code is ever executed.
"""

from __future__ import annotations

import itertools
import math
import operator
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ..core import dims
from ..core.engine import Engine, NodeResult
from ..core.findings import (
    AXIS_MISMATCH,
    CALL_SITE,
    DISCONNECTED_OUTPUT,
    DUPLICATE_INPUT_NAME,
    INPUT_COUNT,
    INVALID_ARGUMENT,
    RANK_MISMATCH,
    Finding,
    Note,
    Span,
)
from ..core.ir import UNKNOWN, ArrayRef, DatasetRef, LayerRef, ModelRef, Node, TensorRef
from ..core.rules import KERAS_DTYPES, LAYER_FUNCTIONS, LAYERS, OPS, to_snake_case
from ..core.shapes import TensorType, show_shape
from ..layers import applications
from . import gc_paused, names
from . import applications as frontend_applications
from . import configs, paths
from . import images as frontend_images
from .configs import Configs
from .data import DataFlow
from .modules import ModuleValue, Modules
from .training import METHODS as TRAINING_METHODS
from .training import Training
from .unknowns import Unknowns
from .values import (
    ArgParser,
    Array,
    BoundMethod,
    Builtin,
    ClassValue,
    CounterName,
    Dataset,
    FunctionValue,
    Image,
    ImageGenerator,
    Instance,
    KerasCall,
    LayerValue,
    ModelRecord,
    ModelValue,
    Namespace,
    Partial,
    QualName,
    SuperValue,
    SymValue,
    Tensor,
    is_literal,
)

MAX_CALL_DEPTH = 12
MAX_UNROLL = 10_000
MAX_SEQUENCE = 100_000
#: statements and calls followed in one file before the analysis stops (a few seconds)
MAX_STEPS = 100_000
#: steps between two looks at the clock when a per-file deadline is set (a step takes ~20 us
#: here, a layer call more: the deadline is usually overrun by a few milliseconds)
DEADLINE_EVERY = 64
#: rounds of joining a loop body's bindings whose iteration count is unknown
LOOP_ROUNDS = 4
#: steps one loop is followed iteration by iteration; past them, the iterations left count as
#: a loop that runs any number of times (a data-generation loop of 50,000 rounds would else use
#: up MAX_STEPS, and the model after it would go unchecked)
LOOP_STEPS = 20_000
_MISSING = object()
#: methods of a subclassed model that take over what `fit` does with the data
_CUSTOM_STEPS = ("train_step", "test_step", "predict_step", "compute_loss")


class AnalysisLimit(BaseException):
    """The file needs more steps than ``MAX_STEPS`` (``reason`` "steps") or more time than
    its deadline (``reason`` "time"); a BaseException so that no ``except Exception`` on the
    way swallows it."""

    def __init__(self, span: Span, reason: str = "steps") -> None:
        super().__init__(span, reason)
        self.span = span
        self.reason = reason

_PURE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{f"math.{n}": getattr(math, n) for n in (
        "ceil", "floor", "trunc", "sqrt", "isqrt", "prod", "gcd", "lcm", "log", "log2", "log10", "exp", "pow",
        "comb", "perm", "fabs", "factorial")},
    **{f"itertools.{n}": getattr(itertools, n) for n in (
        "product", "chain", "combinations", "combinations_with_replacement", "permutations", "accumulate",
        "islice", "zip_longest", "pairwise", "starmap")},
    "operator.mul": operator.mul, "operator.add": operator.add, "operator.floordiv": operator.floordiv,
}

_BUILTINS = {
    "range", "len", "int", "float", "str", "bool", "list", "tuple", "dict", "set", "zip", "enumerate",
    "min", "max", "sum", "abs", "reversed", "sorted", "print", "isinstance", "round", "any", "all",
    "super", "getattr", "hasattr", "setattr", "type", "map", "divmod", "pow", "frozenset", "repr", "vars",
}

#: the methods of a known ``pathlib.Path`` followed (:func:`shapecheck.frontend.paths.method`)
_PATH_METHODS = frozenset({"resolve", "absolute", "expanduser", "as_posix", "joinpath"})

_BINOPS: dict[type, tuple[Callable[[Any, Any], Any], str]] = {
    cst.Add: (operator.add, "keras.ops.add"),
    cst.Subtract: (operator.sub, "keras.ops.subtract"),
    cst.Multiply: (operator.mul, "keras.ops.multiply"),
    cst.Divide: (operator.truediv, "keras.ops.divide"),
    cst.FloorDivide: (operator.floordiv, "keras.ops.floor_divide"),
    cst.Modulo: (operator.mod, "keras.ops.mod"),
    cst.Power: (operator.pow, "keras.ops.power"),
    cst.MatrixMultiply: (operator.matmul, "keras.ops.matmul"),
    cst.BitOr: (operator.or_, "keras.ops.logical_or"),
    cst.BitAnd: (operator.and_, "keras.ops.logical_and"),
    cst.LeftShift: (operator.lshift, ""),
    cst.RightShift: (operator.rshift, ""),
    cst.BitXor: (operator.xor, ""),
}
_AUGOPS: dict[type, type] = {
    cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide, cst.FloorDivideAssign: cst.FloorDivide, cst.ModuloAssign: cst.Modulo,
    cst.PowerAssign: cst.Power, cst.MatrixMultiplyAssign: cst.MatrixMultiply,
    cst.BitOrAssign: cst.BitOr, cst.BitAndAssign: cst.BitAnd,
}
_COMPARE: dict[type, tuple[Callable[[Any, Any], Any], str]] = {
    cst.Equal: (operator.eq, "keras.ops.equal"),
    cst.NotEqual: (operator.ne, "keras.ops.not_equal"),
    cst.LessThan: (operator.lt, "keras.ops.less"),
    cst.LessThanEqual: (operator.le, "keras.ops.less_equal"),
    cst.GreaterThan: (operator.gt, "keras.ops.greater"),
    cst.GreaterThanEqual: (operator.ge, "keras.ops.greater_equal"),
    cst.In: (lambda a, b: a in b, ""),
    cst.NotIn: (lambda a, b: a not in b, ""),
    cst.Is: (operator.is_, ""),
    cst.IsNot: (operator.is_not, ""),
}


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Raise(Exception):
    """The path ends in a ``raise``."""


class Env:
    """One scope: a function's locals, a class body, or the module."""

    def __init__(self, parent: Optional[Env] = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self.star_modules: list[str] = []
        #: why a name bound to UNKNOWN is unknown (``--explain-unknown``; :mod:`.unknowns`)
        self.why: dict[str, Any] = {}

    def lookup(self, name: str) -> Any:
        env: Optional[Env] = self
        while env is not None:
            if name in env.vars:
                return env.vars[name]
            for module in env.star_modules:
                found = _star_lookup(module, name)
                if found is not None:
                    return found
            env = env.parent
        if name in _BUILTINS:
            return Builtin(name)
        return UNKNOWN

    def copy(self) -> Env:
        env = Env(self.parent)
        env.vars = {k: _copy_value(v) for k, v in self.vars.items()}
        env.star_modules = list(self.star_modules)
        env.why = dict(self.why)
        return env


def _copy_value(v: Any) -> Any:
    if isinstance(v, list):
        return [_copy_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _copy_value(x) for k, x in v.items()}
    return v


def _dtype_name(qualified: str) -> Any:
    """A dtype written as an attribute of numpy, TensorFlow or Keras (``tf.uint8``, ``np.float32``,
    ``tf.string``) is its name, as ``get_config()`` holds it."""
    module, _, tail = qualified.rpartition(".")
    if tail in KERAS_DTYPES and module.split(".")[0] in ("numpy", "tensorflow", "keras", "tf_keras"):
        return tail
    return UNKNOWN


def _star_lookup(module: str, name: str) -> Optional[QualName]:
    full = names.canonical(f"{module}.{name}")
    short = full.rsplit(".", 1)[-1]
    if full.startswith("keras.layers.") and (short in LAYERS or short in LAYER_FUNCTIONS or short == "Input"):
        return QualName(f"{module}.{name}")
    if full in OPS or full in (names.MODEL, names.SEQUENTIAL, names.INPUT):
        return QualName(f"{module}.{name}")
    return None


@dataclass
class ShapeEntry:
    span: Span
    layer: str
    outputs: tuple[TensorType, ...]
    #: the IR tensors these are the shapes of (what the runtime replay compares)
    refs: tuple[TensorRef, ...] = ()
    #: where the layer was created, when not at the call (a ``Sequential``'s layers share its call)
    created: Optional[Span] = None


@dataclass
class Frame:
    """Per-call context: the call sites of inlined helpers, tracing inside ``call``."""

    stack: tuple[Span, ...] = ()
    traced: bool = False
    replay: bool = False
    #: the instance a method runs on (what a bare ``super()`` refers to)
    instance: Any = None
    #: the class whose body defines the running method (where a bare ``super()`` looks on from)
    owner: Any = None


@dataclass
class Interpreter:
    path: str
    module: cst.Module
    positions: Any
    engine: Engine
    findings: list[Finding] = field(default_factory=list)
    shapes: list[ShapeEntry] = field(default_factory=list)
    _counter: int = 0
    _names: dict[str, int] = field(default_factory=dict)
    _frame: Frame = field(default_factory=Frame)
    _depth: int = 0
    _functions: list[FunctionValue] = field(default_factory=list)
    #: the module's test classes (``unittest.TestCase`` subclasses, pytest's ``Test*`` classes)
    _test_classes: list[ClassValue] = field(default_factory=list)
    _steps: int = 0
    #: ``_steps`` when the outermost loop being unrolled began (``LOOP_STEPS`` counts from it)
    _loop_start: Optional[int] = None
    #: ``time.monotonic()`` value past which the analysis stops (:class:`AnalysisLimit` with
    #: reason "time"); None: no deadline.  Checked every ``DEADLINE_EVERY`` steps, never by a
    #: signal (the mypy plugin runs this inside mypy's process)
    deadline: Optional[float] = None
    #: how many undecided conditions (branches that may or may not run) were met so far
    _undecided: int = 0
    #: functions being executed: id of the FunctionDef -> ``_undecided`` at each activation
    _active: dict[int, list[int]] = field(default_factory=dict)
    _generators: dict[int, bool] = field(default_factory=dict)
    _input_names: dict[int, str] = field(default_factory=dict)
    #: module attributes the file assigns (canonical name -> value)
    _module_attrs: dict[str, Any] = field(default_factory=dict)
    #: Keras's global image data format (``keras.config.set_image_data_format``), what a layer's
    #: ``data_format=None`` means
    _data_format: Any = "channels_last"
    #: Keras's global dtype policy (``keras.mixed_precision.set_global_policy``), what a layer's
    #: ``dtype=None`` means (``keras.Input`` keeps float32)
    _dtype_policy: Any = "float32"
    #: Keras's fuzz factor (``keras.config.epsilon``, ``set_epsilon``)
    _epsilon: Any = 1e-07
    #: whether a layer name made from a counter (:class:`CounterName`) was read: only then are
    #: dict keys checked (:meth:`keys_certain`)
    _counter_names: bool = False
    #: > 0 while following code that may not run (a branch, a loop of unknown length)
    _maybe: int = 0
    #: each layer called so far, by id, and what its first call returned (``layer.output``;
    #: UNKNOWN when that call may not have run): what ``model.get_layer(name).output`` reads
    _called_layers: dict = field(default_factory=dict)
    _first_outputs: dict = field(default_factory=dict)
    #: the layers inside each ``keras.applications`` model read so far: model id -> index -> layer
    app_layers: dict = field(default_factory=dict)
    #: every model the code builds, in the order it builds them (the static ``model.summary()``)
    models: list[ModelRecord] = field(default_factory=list)
    #: calls of models, subclassed layers and layers wrapping Python code: one operation each
    #: in Keras's graph, whose inside the IR holds as several nodes
    keras_calls: list[KerasCall] = field(default_factory=list)
    #: ``x.trainable = value`` assignments in order: (the layer or model, its value or UNKNOWN, whether
    #: it reaches the layers inside: an assignment does, a model constructor's ``trainable=`` does not)
    trainable_sets: list = field(default_factory=list)
    #: a ``.trainable`` assignment to something not followed: which weights train is unknown
    trainable_unknown: bool = False
    _model_records: dict[int, ModelRecord] = field(default_factory=dict)
    #: whether the source has the word ``yield`` (else no function in it is a generator)
    _may_yield: bool = True

    def __post_init__(self) -> None:
        self.data = DataFlow(self)
        self.training = Training(self)
        self.unknowns = Unknowns(self)
        self.configs = Configs(self)
        self.modules = Modules(self)

    # ------------------------------------------------------------------ entry
    @staticmethod
    def for_source(source: str, path: str, keras_version: int = 3) -> Interpreter:
        with gc_paused():
            module = cst.parse_module(source)
            positions = _positions(module)
        interp = Interpreter(path, module, positions, Engine(keras_version))
        interp._may_yield = "yield" in source  # no generator function without the word
        return interp

    def run(self) -> None:
        """Follow the module; :class:`AnalysisLimit` escapes when it needs too many steps.

        (``api.check_source`` skips modules that import no Keras or TensorFlow before
        parsing them with libcst.)"""
        env = Env()
        env.vars["__name__"] = "__main__"
        if self.modules.home is not None and not self.path.endswith(".ipynb"):  # (a notebook has none)
            env.vars["__file__"] = self.modules.home
        try:
            self.exec_block(self.module.body, env)
        except (_Return, _Raise, _Break, _Continue):
            pass  # the module stops here (a raise on every path): nothing after it runs
        # Functions nobody called here are analysed with symbolic parameters.
        for fn in list(self._functions):
            if not fn.called and not fn.is_method and isinstance(fn.node, cst.FunctionDef) \
                    and fn.node in self.positions:  # (another module's functions: when that file is checked)
                self.call_function(fn, [], {}, None, symbolic=True)
        # Test methods, as a test runner calls them: each on a new instance, after its setUp.
        for cls in self._test_classes:
            for name in _method_names(cls):
                method = _class_lookup(cls, name)
                if not (name.startswith("test") and isinstance(method, FunctionValue)
                        and isinstance(method.node, cst.FunctionDef) and method.node in self.positions):
                    continue
                inst = Instance(cls, {}, self.new_id("T"), cls.name)
                for setup in ("setUp", "setup_method"):
                    fn = _class_lookup(cls, setup)
                    if isinstance(fn, FunctionValue):
                        self.call_function(fn, [] if setup == "setUp" else [UNKNOWN], {}, None, bound=inst)
                self.call_function(method, [], {}, None, bound=inst, symbolic=True)

    # ------------------------------------------------------------ utilities
    def span(self, node: cst.CSTNode) -> Span:
        r: Optional[CodeRange] = self.positions.get(node)
        if r is None:
            return self.modules.span(node) or Span(self.path, 1, 1, 1, 1)  # another module's node
        return Span(self.path, r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)

    def new_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    def auto_name(self, class_name: str) -> str:
        base = to_snake_case(class_name)
        n = self._names.get(base, 0)
        self._names[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def report(self, finding: Optional[Finding]) -> None:
        if finding is None:
            return
        if self._frame.traced and finding.code.name == "tf-op-on-keras-tensor":
            return
        if finding.span.path != self.path:  # inside another module: at this file's call that led there
            finding = self.modules.relocate(finding)
            if finding is None:
                return
        key = (finding.code.number, finding.span, finding.message)
        if any((f.code.number, f.span, f.message) == key for f in self.findings):
            return
        self.findings.append(finding)

    # ------------------------------------------------------------ statements
    def exec_block(self, body: Any, env: Env) -> None:
        for stmt in body:
            self.exec_stmt(stmt, env)

    def step(self, node: cst.CSTNode) -> None:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise AnalysisLimit(self.modules.home_span(self.span(node)))
        if (self.deadline is not None and self._steps % DEADLINE_EVERY == 1
                and time.monotonic() > self.deadline):
            raise AnalysisLimit(self.modules.home_span(self.span(node)), "time")

    def exec_stmt(self, stmt: cst.CSTNode, env: Env) -> None:
        self.step(stmt)
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.exec_small(small, env)
        elif isinstance(stmt, cst.FunctionDef):
            self.define_function(stmt, env)
        elif isinstance(stmt, cst.ClassDef):
            self.define_class(stmt, env)
        elif isinstance(stmt, cst.If):
            self.exec_if(stmt, env)
        elif isinstance(stmt, cst.For):
            self.exec_for(stmt, env)
        elif isinstance(stmt, cst.While):
            self.exec_while(stmt, env)
        elif isinstance(stmt, cst.Try) or isinstance(stmt, cst.TryStar):
            self.exec_try(stmt, env)
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                value = self.eval(item.item, env)
                if item.asname is not None:
                    self.assign(item.asname.name, UNKNOWN if value is not None else None, env)
            if any(_expects_error(item.item) for item in stmt.items):
                # `with pytest.raises(ValueError):`: the block is meant to fail (a test of the
                # error), and the context catches it; what follows it still runs
                self.exec_branch(list(stmt.body.body), env)
            else:
                self.exec_block(stmt.body.body, env)
        elif isinstance(stmt, cst.Match):
            for case in stmt.cases:
                self.exec_branch(case.body.body, env)
        # anything else (async constructs, ...) is skipped

    def exec_small(self, small: cst.BaseSmallStatement, env: Env) -> None:
        if isinstance(small, cst.Assign):
            value = self.eval(small.value, env)
            self.unknowns.assign([t.target for t in small.targets], small.value, value, env)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.unknowns.assign([small.target], small.value, self.eval(small.value, env), env)
        elif isinstance(small, cst.AugAssign):
            current = self.eval(small.target, env)
            op = _AUGOPS.get(type(small.operator))
            rhs = self.eval(small.value, env)
            value = self.binop(op, current, rhs, small) if op is not None else UNKNOWN
            self.assign(small.target, value, env)
        elif isinstance(small, cst.Expr):
            self.eval(small.value, env)
        elif isinstance(small, cst.Return):
            raise _Return(self.eval(small.value, env) if small.value is not None else None)
        elif isinstance(small, cst.Raise):
            raise _Raise()
        elif isinstance(small, cst.Break):
            raise _Break()
        elif isinstance(small, cst.Continue):
            raise _Continue()
        elif isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _dotted(alias.name)
                project = self.modules.import_module(dotted, alias.asname is not None, small)
                if alias.asname is not None:
                    self.assign(alias.asname.name, project or QualName(dotted), env)
                else:
                    top = dotted.split(".")[0]
                    env.vars[top] = project or QualName(top)
        elif isinstance(small, cst.ImportFrom):
            self.exec_import_from(small, env)
        elif isinstance(small, cst.Global) or isinstance(small, cst.Nonlocal):
            pass
        elif isinstance(small, cst.Del):
            pass

    def exec_import_from(self, small: cst.ImportFrom, env: Env) -> None:
        if self.modules.import_from(small, env):
            return  # a module of the project: its names are bound
        if small.relative or small.module is None:
            module = None
        else:
            module = _dotted(small.module)
        if isinstance(small.names, cst.ImportStar):
            if module is not None:
                env.star_modules.append(module)
            return
        for alias in small.names:
            name = _dotted(alias.name)
            target = alias.asname.name if alias.asname is not None else None
            value = QualName(f"{module}.{name}") if module is not None else UNKNOWN
            if target is not None:
                self.assign(target, value, env)
            else:
                env.vars[name] = value

    def define_function(self, stmt: cst.FunctionDef, env: Env) -> None:
        defaults = {}
        for p in [*stmt.params.posonly_params, *stmt.params.params, *stmt.params.kwonly_params]:
            if p.default is not None:
                defaults[p.name.value] = self.eval(p.default, env)
        fn = FunctionValue(stmt, env, defaults, stmt.name.value)
        decorated = bool(stmt.decorators)
        if decorated:
            names_ = {_decorator_name(d) for d in stmt.decorators}
            if names_ and all(n.endswith((".setter", ".deleter")) for n in names_):
                return  # a property's setter: the name stays the getter
            click = self.configs.click_defaults([self.eval(d.decorator, env) for d in stmt.decorators]) \
                if any(n.startswith("click.") or n in ("command", "option", "argument") for n in names_) else None
            if click is not None:
                defaults.update(click)  # a click command: its function, called with the defaults
            elif {n for n in names_ if n.rsplit(".", 1)[-1] not in _TEST_DECORATORS} - {
                    "staticmethod", "classmethod", "property", "functools.cached_property", "cached_property",
                    "tf.function", "function"}:
                env.vars[stmt.name.value] = UNKNOWN
                return
        env.vars[stmt.name.value] = fn
        if env.parent is None:
            self._functions.append(fn)

    def define_class(self, stmt: cst.ClassDef, env: Env) -> None:
        bases = [self.eval(b.value, env) for b in stmt.bases]
        kind = None
        for b in bases:
            kind = kind or _keras_kind(b)
        is_dc = any(_decorator_name(d) in ("dataclass", "dataclasses.dataclass") for d in stmt.decorators) or any(
            isinstance(b, QualName) and b.name == "typing.NamedTuple" for b in bases) \
            or configs.dataclass_like(stmt, bases)
        body_env = Env(env)
        cls = ClassValue(stmt, env, stmt.name.value, bases, body_env.vars, kind, is_dc)
        for s in stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []:
            try:
                self.exec_stmt(s, body_env)
            except (_Return, _Break, _Continue, _Raise):
                pass
        for v in body_env.vars.values():
            if isinstance(v, FunctionValue):
                v.is_method = True
                v.owner = v.owner or cls
        configs.enum_members(cls)
        env.vars[stmt.name.value] = cls
        if env.parent is None and _is_test_class(cls):
            self._test_classes.append(cls)

    # -- control flow -----------------------------------------------------
    def exec_if(self, stmt: cst.If, env: Env) -> None:
        cond = _truth(self.eval(stmt.test, env))
        orelse: Any = stmt.orelse
        else_body: list = []
        if isinstance(orelse, cst.If):
            else_body = [orelse]
        elif isinstance(orelse, cst.Else):
            else_body = list(orelse.body.body)
        if cond is True:
            self.exec_block(stmt.body.body, env)
        elif cond is False:
            self.exec_block(else_body, env)
        else:
            self.exec_both(list(stmt.body.body), else_body, env)

    def exec_both(self, a: list, b: list, env: Env) -> None:
        """Both branches of an unknown condition; keep findings that hold on both."""
        before = len(self.findings)
        built = self.engine.snapshot()
        env_a, found_a, ended_a, ret_a = self._run_branch(a, env)
        del self.findings[before:]
        self.engine.restore(built)
        env_b, found_b, ended_b, ret_b = self._run_branch(b, env)
        del self.findings[before:]
        if ended_a and ended_b:
            keep = [f for f in found_a if _same_finding(f, found_b)]
            self.findings.extend(keep)
            if ret_a is not None or ret_b is not None:
                raise _Return(self.join(ret_a.value if ret_a else UNKNOWN, ret_b.value if ret_b else UNKNOWN))
            raise _Raise()
        if ended_a:
            self.findings.extend(found_b)
            env.vars = env_b.vars
            return
        if ended_b:
            self.findings.extend(found_a)
            env.vars = env_a.vars
            return
        self.findings.extend(f for f in found_a if _same_finding(f, found_b))
        env.vars = self.join_envs(env_a, env_b)

    def _run_branch(self, body: list, env: Env) -> tuple[Env, list[Finding], bool, Optional[_Return]]:
        before = len(self.findings)
        branch = env.copy()
        ended = False
        ret: Optional[_Return] = None
        self._undecided += 1
        self._maybe += 1
        try:
            self.exec_block(body, branch)
        except _Return as r:
            ended, ret = True, r
        except (_Raise, _Break, _Continue):
            ended = True
        finally:
            self._maybe -= 1
        return branch, self.findings[before:], ended, ret

    def exec_branch(self, body: list, env: Env) -> None:
        """A block that may or may not run: its findings are dropped, its bindings joined."""
        before = len(self.findings)
        built = self.engine.snapshot()
        branch, _, ended, _ = self._run_branch(body, env)
        del self.findings[before:]
        self.engine.restore(built)
        if not ended:
            env.vars = self.join_envs(env, branch)

    def exec_for(self, stmt: cst.For, env: Env) -> None:
        iterable = self.eval(stmt.iter, env)
        items = self.iterate(iterable)
        if items is None or len(items) > MAX_UNROLL:
            # over a range of unknown bounds, the variable is still an int (an index)
            ranged = isinstance(stmt.iter, cst.Call) and isinstance(stmt.iter.func, cst.Name) \
                and _is_builtin(self.eval(stmt.iter.func, env), "range")
            self.exec_unknown_loop(stmt.body.body, env, stmt.target, stmt.orelse,
                                   SymValue(dims.unknown(), True) if ranged else UNKNOWN)
            return
        outermost = self._loop_start is None
        if outermost:
            self._loop_start = self._steps
        try:
            for item in items:
                if self._loop_budget_spent():
                    self.exec_unknown_loop(stmt.body.body, env, stmt.target, stmt.orelse)
                    return
                self.assign(stmt.target, item, env)
                if not self.exec_iteration(stmt.body.body, env):
                    return
        finally:
            if outermost:
                self._loop_start = None
        if stmt.orelse is not None:
            self.exec_block(stmt.orelse.body.body, env)

    def _loop_budget_spent(self) -> bool:
        """The loops being unrolled (the outermost and those inside it) took ``LOOP_STEPS``."""
        return self._loop_start is not None and self._steps - self._loop_start > LOOP_STEPS

    def exec_try(self, stmt: Any, env: Env) -> None:
        """``try``: when a handler may catch what Keras raises (``ValueError``, ``TypeError``,
        ``Exception``, a name we do not know), the body may stop anywhere and a handler may
        run, so both are followed as blocks that may not run (their findings dropped)."""
        if not any(_may_catch_keras_errors(h) for h in stmt.handlers):
            self.exec_block(stmt.body.body, env)
            if stmt.orelse is not None:
                self.exec_block(stmt.orelse.body.body, env)
        else:
            self.exec_branch(list(stmt.body.body) + (list(stmt.orelse.body.body) if stmt.orelse else []), env)
            for handler in stmt.handlers:
                self.exec_branch(list(handler.body.body), env)
        if stmt.finalbody is not None:
            self.exec_block(stmt.finalbody.body.body, env)

    def exec_iteration(self, body: Any, env: Env) -> bool:
        """One pass of a loop body; false when it breaks out of the loop."""
        try:
            self.exec_block(body, env)
        except _Break:
            return False
        except _Continue:
            pass
        return True

    def exec_while(self, stmt: cst.While, env: Env) -> None:
        """Iterate while the condition is known (``while x.shape[1] > 4``); from the first
        undecided test on (or for ``while True``), the loop may run any number of times."""
        test = stmt.test
        constant = isinstance(test, cst.Name) and test.value == "True"
        outermost = self._loop_start is None
        if outermost:
            self._loop_start = self._steps
        try:
            for _ in range(MAX_UNROLL if not constant else 0):
                if self._loop_budget_spent():
                    break
                cond = _truth(self.eval(test, env))
                if cond is False:
                    if stmt.orelse is not None:
                        self.exec_block(stmt.orelse.body.body, env)
                    return
                if cond is not True:
                    break
                if not self.exec_iteration(stmt.body.body, env):
                    return
            self.exec_unknown_loop(stmt.body.body, env, None, stmt.orelse)
        finally:
            if outermost:
                self._loop_start = None

    def exec_unknown_loop(self, body: Any, env: Env, target: Any, orelse: Any, item: Any = UNKNOWN) -> None:
        """A body that runs any number of times: its bindings are joined until they no
        longer change (a few rounds, then whatever still changes is unknown); findings
        inside are dropped, since the body may not run at all."""
        before = len(self.findings)
        built = self.engine.snapshot()
        current = env.copy()
        for round_ in range(LOOP_ROUNDS):
            branch_env = current.copy()
            if target is not None:
                self.assign(target, item, branch_env)
            self._undecided += 1
            self._maybe += 1
            try:
                self.exec_block(body, branch_env)
            except (_Break, _Continue, _Raise, _Return):
                pass
            finally:
                self._maybe -= 1
            joined = self.join_envs(current, branch_env)
            changed = [k for k, v in joined.items() if not _same_value(v, current.vars.get(k, _MISSING))]
            if round_ == LOOP_ROUNDS - 1:
                for k in changed:
                    joined[k] = UNKNOWN
            current.vars = joined
            if not changed:
                break
        del self.findings[before:]
        self.engine.restore(built)
        env.vars = current.vars
        if orelse is not None:
            self.exec_branch(list(orelse.body.body), env)

    def join_envs(self, a: Env, b: Env) -> dict:
        out = {}
        for k in set(a.vars) | set(b.vars):
            if k in a.vars and k in b.vars:
                out[k] = self.join(a.vars[k], b.vars[k])
            else:
                out[k] = a.vars.get(k, b.vars.get(k))
        return out

    def join(self, x: Any, y: Any) -> Any:
        """A value standing for either ``x`` or ``y``."""
        if x is y:
            return x
        if isinstance(x, Tensor) and isinstance(y, Tensor):
            return self.join_tensors(x, y)
        if isinstance(x, Array) and isinstance(y, Array):
            return self.data.join(x, y)
        if isinstance(x, (list, tuple)) and isinstance(y, type(x)) and len(x) == len(y):
            return type(x)(self.join(a, b) for a, b in zip(x, y))
        if isinstance(x, (int, float, str, bool, type(None))) and type(x) is type(y) and x == y:
            return x
        if isinstance(x, dims.Sym) and isinstance(y, dims.Sym) and dims.equal(x, y):
            return x
        return UNKNOWN

    def join_tensors(self, x: Tensor, y: Tensor) -> Tensor:
        if x.ref == y.ref:
            return x
        node = Node(0, "shapecheck.join", "op", args=[x.ref, y.ref], span=None,
                    call_stack=self._frame.stack, traced=self._frame.traced)
        result = self.engine.add(node)
        return Tensor(TensorRef(node.id, 0), result.outputs[0])

    # -- assignment -------------------------------------------------------
    def assign(self, target: cst.CSTNode, value: Any, env: Env) -> None:
        if isinstance(target, (cst.Name, cst.Attribute)):
            self.name_model(value, _dotted(target))
        if isinstance(target, cst.Name):
            env.vars[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = list(target.elements)
            starred = [i for i, e in enumerate(elements) if isinstance(e, cst.StarredElement)]
            seq = self.iterate(value)
            if seq is None:
                for e in elements:
                    self.assign(e.value, UNKNOWN, env)
                return
            if starred:
                i = starred[0]
                n_after = len(elements) - i - 1
                if len(seq) < len(elements) - 1:
                    seq = [UNKNOWN] * (len(elements) - 1)
                head, mid, tail = seq[:i], seq[i:len(seq) - n_after], seq[len(seq) - n_after:]
                for e, v in zip(elements[:i], head):
                    self.assign(e.value, v, env)
                self.assign(elements[i].value, list(mid), env)
                for e, v in zip(elements[i + 1:], tail):
                    self.assign(e.value, v, env)
                return
            if len(seq) != len(elements):
                seq = [UNKNOWN] * len(elements)
            for e, v in zip(elements, seq):
                self.assign(e.value, v, env)
        elif isinstance(target, cst.Attribute):
            obj = self.eval(target.value, env)
            if isinstance(obj, QualName):
                # `layers.Conv2D = partial(layers.Conv2D, padding="same")`: a patched module
                self._module_attrs[names.canonical(f"{obj.name}.{target.attr.value}")] = value
            if target.attr.value == "trainable":
                self.set_trainable(obj, value)
            if target.attr.value == "run_eagerly":
                self.run_eagerly(obj, value)
            if isinstance(obj, (Namespace, Instance, ClassValue)):
                self.configs.set_attribute(obj, target.attr.value, value)  # (where it may not run: joined)
        elif isinstance(target, cst.Subscript):
            obj = self.eval(target.value, env)
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = self.eval(target.slice[0].slice.value, env)
                if isinstance(obj, dict) and _hashable(key):
                    # where it may not run: either value (a dict inside an object is not copied per branch)
                    obj[key] = self.join(obj[key], value) if self._maybe and key in obj else value
                elif isinstance(obj, list) and isinstance(key, int) and -len(obj) <= key < len(obj):
                    self.configs.mutated(obj)
                    obj[key] = value
                elif isinstance(obj, Namespace) and obj.items and isinstance(key, str):
                    self.configs.set_attribute(obj, key, value)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, value, env)

    # ------------------------------------------------------------ expressions
    def eval(self, node: Optional[cst.BaseExpression], env: Env) -> Any:  # noqa: C901 - a dispatch table
        if node is None:
            return None
        if isinstance(node, cst.Integer):
            return node.evaluated_value
        if isinstance(node, cst.Float):
            return node.evaluated_value
        if isinstance(node, cst.Imaginary):
            return UNKNOWN
        if isinstance(node, cst.SimpleString):
            try:
                return node.evaluated_value
            except Exception:  # noqa: BLE001 - odd prefixes: bytes, etc.
                return UNKNOWN
        if isinstance(node, cst.ConcatenatedString):
            left, right = self.eval(node.left, env), self.eval(node.right, env)
            return left + right if isinstance(left, str) and isinstance(right, str) else UNKNOWN
        if isinstance(node, cst.FormattedString):
            return self.eval_fstring(node.parts, env)
        if isinstance(node, cst.Name):
            if node.value == "True":
                return True
            if node.value == "False":
                return False
            if node.value == "None":
                return None
            return env.lookup(node.value)
        if isinstance(node, cst.Ellipsis):
            return Ellipsis
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            items: list = []
            for e in node.elements:
                if isinstance(e, cst.StarredElement):
                    seq = self.iterate(self.eval(e.value, env))
                    if seq is None:
                        return UNKNOWN
                    items.extend(seq)
                else:
                    items.append(self.eval(e.value, env))
            if isinstance(node, cst.Tuple):
                return tuple(items)
            if isinstance(node, cst.Set):
                return UNKNOWN
            return items
        if isinstance(node, cst.Dict):
            out: dict = {}
            for el in node.elements:
                if isinstance(el, cst.StarredDictElement):
                    v = self.eval(el.value, env)
                    if not isinstance(v, dict):
                        return UNKNOWN
                    out.update(v)
                else:
                    k = self.eval(el.key, env)
                    if not _hashable(k):
                        return UNKNOWN
                    out[k] = self.eval(el.value, env)
            return out
        if isinstance(node, cst.BinaryOperation):
            # (binop, remembering why an operand that makes its result unknown is)
            return self.unknowns.operator(node, self.eval(node.left, env), self.eval(node.right, env), env)
        if isinstance(node, cst.UnaryOperation):
            return self.unaryop(node, self.eval(node.expression, env))
        if isinstance(node, cst.BooleanOperation):
            left = self.eval(node.left, env)
            t = _truth(left)
            if t is not True and t is not False:
                self._undecided += 1  # the right side may not run
            if isinstance(node.operator, cst.And):
                if t is False:
                    return left
                right = self.eval(node.right, env)
                return right if t is True else UNKNOWN
            if t is True:
                return left
            right = self.eval(node.right, env)
            return right if t is False else UNKNOWN
        if isinstance(node, cst.Comparison):
            return self.compare(node, env)
        if isinstance(node, cst.IfExp):
            t = _truth(self.eval(node.test, env))
            if t is True:
                return self.eval(node.body, env)
            if t is False:
                return self.eval(node.orelse, env)
            self._undecided += 1
            return self.join(self.eval(node.body, env), self.eval(node.orelse, env))
        if isinstance(node, cst.Attribute):
            return self.attribute(self.eval(node.value, env), node.attr.value, node)
        if isinstance(node, cst.Subscript):
            return self.subscript(node, env)
        if isinstance(node, cst.Call):
            return self.call(node, env)
        if isinstance(node, cst.Lambda):
            return FunctionValue(node, env, {}, "<lambda>")
        if isinstance(node, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            out_list = self.comprehension(node.for_in, env, lambda e: self.eval(node.elt, e))
            if out_list is None or isinstance(node, cst.SetComp):
                return UNKNOWN
            return out_list
        if isinstance(node, cst.DictComp):
            pairs = self.comprehension(node.for_in, env,
                                       lambda e: (self.eval(node.key, e), self.eval(node.value, e)))
            if pairs is None or not all(_hashable(k) for k, _ in pairs):
                return UNKNOWN
            return dict(pairs)
        if isinstance(node, cst.NamedExpr):
            value = self.eval(node.value, env)
            self.assign(node.target, value, env)
            return value
        return UNKNOWN

    def comprehension(self, for_in: cst.CompFor, env: Env, produce: Callable[[Env], Any]) -> Optional[list]:
        inner = Env(env)
        out: list = []

        def walk(clause: Optional[cst.CompFor]) -> bool:
            if clause is None:
                out.append(produce(inner))
                return len(out) <= MAX_SEQUENCE
            items = self.iterate(self.eval(clause.iter, inner))
            if items is None or len(items) > MAX_UNROLL:
                return False
            for item in items:
                self.step(clause.iter)  # (each element counts, as a statement does, against the budgets)
                self.assign(clause.target, item, inner)
                ok = True
                for cond in clause.ifs:
                    t = _truth(self.eval(cond.test, inner))
                    if t is None:
                        return False
                    ok = ok and t
                if ok and not walk(clause.inner_for_in):
                    return False
            return True

        return out if walk(for_in) else None

    def iterate(self, value: Any) -> Optional[list]:
        """The items of a value known to be a finite sequence, else ``None``."""
        if isinstance(value, (list, tuple)):
            return list(value)
        if isinstance(value, dict):
            return list(value.keys()) if self.keys_certain(value) else None
        if isinstance(value, str):
            return list(value)
        if isinstance(value, range):
            return list(value) if len(value) <= MAX_SEQUENCE else None
        return None

    def keys_certain(self, d: dict, key: Any = None) -> bool:
        """Whether Python's dict ``d`` (looked up with ``key``) holds what the program's would: a
        layer name made from a counter (:class:`CounterName`) among its keys is known to differ
        from its string keys only when they are the other names of the same model's layers."""
        if not self._counter_names:
            return True
        keys = [*d, key]
        counters = [k for k in keys if isinstance(k, CounterName)]
        if not counters:
            return True
        owners = {c.owner for c in counters}
        return len(owners) == 1 and all(k in c.others for c in counters for k in keys if isinstance(k, str))

    def binop(self, op: Optional[type], left: Any, right: Any, node: cst.CSTNode) -> Any:
        if op is None:
            return UNKNOWN
        fn, keras_op = _BINOPS[op]
        if isinstance(left, (list, tuple)) and type(left) is type(right) and op is cst.Add:
            return left + right
        if isinstance(left, paths.PathValue) or isinstance(right, paths.PathValue):
            return paths.divide(left, right) if op is cst.Divide else UNKNOWN
        if _has_tensor(left) or _has_tensor(right):
            if not keras_op or not (isinstance(left, Tensor) or isinstance(right, Tensor)):
                return UNKNOWN
            return self.apply_op(keras_op, [left, right], {}, node)
        if isinstance(left, Array) or isinstance(right, Array):
            return self.data.binop(keras_op, left, right, node)
        if isinstance(left, (SymValue, dims.Sym)) or isinstance(right, (SymValue, dims.Sym)):
            return self.sym_binop(op, left, right)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        try:
            result = fn(left, right)
        except Exception:  # noqa: BLE001 - the user's arithmetic may fail; it is not ours to report
            return UNKNOWN
        if isinstance(result, (list, tuple, str)) and len(result) > MAX_SEQUENCE:
            return UNKNOWN
        return result

    def sym_binop(self, op: type, left: Any, right: Any) -> Any:
        wrap = isinstance(left, SymValue) or isinstance(right, SymValue)
        a = left.expr if isinstance(left, SymValue) else left
        b = right.expr if isinstance(right, SymValue) else right
        if not all(isinstance(v, (int, dims.Sym)) and not isinstance(v, bool) for v in (a, b)):
            return UNKNOWN
        table = {cst.Add: dims.add, cst.Subtract: dims.sub, cst.Multiply: dims.mul, cst.FloorDivide: dims.floordiv}
        f = table.get(op)
        if f is None:
            return UNKNOWN
        result = f(a, b)
        if result is None:
            return UNKNOWN
        integer = all(v.integer for v in (left, right) if isinstance(v, SymValue))
        return SymValue(result, integer) if wrap and isinstance(result, dims.Sym) else result

    def unaryop(self, node: cst.UnaryOperation, v: Any) -> Any:
        if isinstance(node.operator, cst.Not):
            t = _truth(v)
            return UNKNOWN if t is None else not t
        if isinstance(v, Tensor):
            if isinstance(node.operator, cst.Minus):
                return self.apply_op("keras.ops.negative", [v], {}, node)
            if isinstance(node.operator, cst.Plus):
                return v
            return UNKNOWN
        if isinstance(v, Array) and isinstance(node.operator, (cst.Minus, cst.Plus)):
            return v if isinstance(node.operator, cst.Plus) else self.data.apply("numpy.negative", [v], {}, node)
        if isinstance(v, (SymValue, dims.Sym)) and isinstance(node.operator, cst.Minus):
            return self.sym_binop(cst.Multiply, v, -1)
        if isinstance(v, (int, float)) and not isinstance(v, bool) or isinstance(v, bool):
            if isinstance(node.operator, cst.Minus):
                return -v
            if isinstance(node.operator, cst.Plus):
                return +v
            if isinstance(node.operator, cst.BitInvert) and isinstance(v, int):
                return ~v
        return UNKNOWN

    def compare(self, node: cst.Comparison, env: Env) -> Any:
        left = self.eval(node.left, env)
        result: Any = True
        for target in node.comparisons:
            right = self.eval(target.comparator, env)
            fn, keras_op = _COMPARE[type(target.operator)]
            if isinstance(left, Tensor) or isinstance(right, Tensor):
                if keras_op and len(node.comparisons) == 1:
                    return self.apply_op(keras_op, [left, right], {}, node)
                return UNKNOWN
            if keras_op and (isinstance(left, Array) or isinstance(right, Array)):  # data: elementwise, at once
                if len(node.comparisons) == 1:
                    return self.data.binop(keras_op, left, right, target.comparator)
                return UNKNOWN
            if isinstance(target.operator, (cst.Is, cst.IsNot)):
                known = (left is None or isinstance(left, bool)) and (right is None or isinstance(right, bool))
                if not known and (right is None and left is not UNKNOWN and not isinstance(left, SymValue)):
                    known = True
                if not known:
                    return UNKNOWN
            elif not is_literal(left) or not is_literal(right):
                return UNKNOWN
            try:
                r = fn(left, right)
            except Exception:  # noqa: BLE001
                return UNKNOWN
            if not r:
                return False
            left = right
        return result

    def attribute(self, obj: Any, attr: str, node: cst.CSTNode) -> Any:
        if isinstance(obj, ModuleValue):
            return self.modules.member(obj, attr)
        if isinstance(obj, QualName):
            if attr == "newaxis" and names.canonical(obj.name) in ("tensorflow", "numpy", "keras.ops"):
                return None  # tf.newaxis, np.newaxis
            full = names.canonical(f"{obj.name}.{attr}")
            if full in paths.CONSTANTS:
                return paths.CONSTANTS[full]
            patched = self._module_attrs.get(full, _MISSING)
            if patched is not _MISSING:
                return patched
            if self.configs.is_flags(obj.name):
                return self.configs.flag(attr)  # absl's FLAGS.units: the flag's default
            return QualName(f"{obj.name}.{attr}")
        if isinstance(obj, (Namespace, ArgParser)):
            return self.configs.attribute(obj, attr)
        if isinstance(obj, paths.PathValue):
            return BoundMethod(obj, attr) if attr in _PATH_METHODS else paths.attribute(obj, attr)
        if isinstance(obj, Tensor):
            return self.tensor_attribute(obj, attr)
        if isinstance(obj, Array):
            return self.data.attribute(obj, attr, node)
        if isinstance(obj, Image):
            return self.data.image_attribute(obj, attr)
        if isinstance(obj, ImageGenerator):
            return self.data.generator_attribute(obj, attr)
        if isinstance(obj, Dataset):
            return BoundMethod(obj, attr)
        if isinstance(obj, Instance):
            if obj.functional is not None and attr in ("input", "inputs", "output", "outputs", "input_shape",
                                                       "output_shape"):
                return self.attribute(obj.functional, attr, node)
            if attr in obj.attrs:
                return obj.attrs[attr]
            if attr == "__dict__" and not obj.cls.keras_kind:
                return obj.attrs  # (`self.__dict__.update(kwargs)`)
            method = _class_lookup(obj.cls, attr)
            if isinstance(method, FunctionValue):
                return self.class_member(obj, method, attr, node)
            if method is not None:
                return method
            if attr in ("_replace", "_asdict") and obj.cls.is_dataclass:
                return BoundMethod(obj, attr)  # a NamedTuple's
            return BoundMethod(obj, attr) if obj.cls.keras_kind else UNKNOWN
        if isinstance(obj, ClassValue):
            v = _class_lookup(obj, attr)
            if isinstance(v, FunctionValue) and configs.decorator_names(v) & {"classmethod", "staticmethod"}:
                return self.class_member(obj, v, attr, node)
            return UNKNOWN if v is None else v
        if isinstance(obj, ModelValue):
            if attr in ("input", "inputs"):
                return obj.inputs[0] if attr == "input" and len(obj.inputs) == 1 else list(obj.inputs)
            if attr in ("output", "outputs"):
                out = obj.outputs
                if attr == "outputs" and not isinstance(out, (list, tuple)):
                    return [out] if out is not None else UNKNOWN
                return out if out is not None else UNKNOWN
            if attr in ("output_shape", "input_shape"):
                t = obj.outputs if attr == "output_shape" else (obj.inputs[0] if len(obj.inputs) == 1 else None)
                if isinstance(t, Tensor) and t.type.shape is not None:
                    return tuple(t.type.shape)
                return UNKNOWN
            if attr == "layers":
                if obj.application is not None:
                    return frontend_applications.inner_layers(self, obj)
                return list(obj.layers) if obj.kind == "sequential" else UNKNOWN
            if attr == "name":
                return obj.name if obj.name else UNKNOWN
            return BoundMethod(obj, attr)
        if isinstance(obj, LayerValue):
            if attr == "name":
                if not obj.name and obj.inner is not None:  # a layer inside an application, named by a counter
                    self._counter_names = True
                    return frontend_applications.counter_name(obj)
                return obj.name or UNKNOWN
            if attr == "output" and obj.inner is not None:
                return frontend_applications.inner_output(self, obj, node)
            if attr == "output":
                out = self._first_outputs.get(obj.layer_id)
                return UNKNOWN if out is None else out
            if attr in obj.config and attr not in ("input_shape",):
                return obj.config[attr]
            return BoundMethod(obj, attr)
        if isinstance(obj, (list, dict, str, tuple)):
            return BoundMethod(obj, attr)
        if isinstance(obj, SuperValue):
            return BoundMethod(obj, attr)
        return UNKNOWN

    def class_member(self, obj: Any, fn: FunctionValue, attr: str, node: cst.CSTNode) -> Any:
        """A function of a class read through an instance or the class: a method bound to the
        instance, a property's value, a class method bound to the class, a static method as it is."""
        decorators = configs.decorator_names(fn)
        if "staticmethod" in decorators:
            return fn
        if "classmethod" in decorators:
            return BoundMethod(obj.cls if isinstance(obj, Instance) else obj, attr, fn)
        if decorators & {"property", "functools.cached_property", "cached_property"} and isinstance(obj, Instance):
            return self.call_function(fn, [], {}, node, bound=obj)
        return BoundMethod(obj, attr, fn)

    def tensor_attribute(self, t: Tensor, attr: str) -> Any:
        shape = t.type.shape
        if attr == "shape":
            return UNKNOWN if shape is None else tuple(_shape_value(d) for d in shape)
        if attr == "ndim":
            return UNKNOWN if shape is None else len(shape)
        if attr == "dtype":
            return t.type.dtype if t.type.dtype else UNKNOWN
        if attr in ("get_shape",):
            return BoundMethod(t, attr)
        return UNKNOWN

    def subscript(self, node: cst.Subscript, env: Env) -> Any:
        obj = self.eval(node.value, env)
        index = self.eval_index(node.slice, env)
        if isinstance(obj, Tensor):
            index = _index_key(index)
            if index is UNKNOWN or _has_tensor(index):
                return self.apply_op("operator.getitem", [obj, UNKNOWN], {}, node)
            return self.apply_op("operator.getitem", [obj, index], {}, node)
        if isinstance(obj, Array):
            return self.data.subscript(obj, _index_key(index), node)
        if index is UNKNOWN:
            return UNKNOWN
        if isinstance(obj, (list, tuple, str)):
            try:
                if isinstance(index, int) and not isinstance(index, bool):
                    return obj[index]
                if isinstance(index, slice) and all(
                        v is None or isinstance(v, int) for v in (index.start, index.stop, index.step)):
                    return obj[index]
            except (IndexError, ValueError):
                return UNKNOWN
            return UNKNOWN
        if isinstance(obj, dict):
            if _hashable(index) and index in obj and self.keys_certain(obj, index):
                return obj[index]
            return UNKNOWN
        if isinstance(obj, Namespace):
            return self.configs.subscript(obj, index)
        return UNKNOWN

    def eval_fstring(self, parts: Any, env: Env) -> Any:
        """``f"fc{i}"`` with every field a known plain value; else unknown."""
        out = []
        for part in parts:
            if isinstance(part, cst.FormattedStringText):
                if "\\" in part.value:
                    return UNKNOWN  # escapes: not worth decoding by hand
                out.append(part.value.replace("{{", "{").replace("}}", "}"))
                continue
            if isinstance(part.equal, cst.AssignEqual):
                return UNKNOWN  # f"{x=}": the source text too
            value = self.eval(part.expression, env)
            if not isinstance(value, (int, float, str, bool, type(None))):
                return UNKNOWN
            if part.conversion is not None:
                value = {"r": repr, "s": str, "a": ascii}[part.conversion](value)
            spec = self.eval_fstring(part.format_spec, env) if part.format_spec else ""
            if not isinstance(spec, str):
                return UNKNOWN
            try:
                text = format(value, spec)
            except (ValueError, TypeError):
                return UNKNOWN
            out.append(text)
        return "".join(out)

    def eval_index(self, elements: Any, env: Env) -> Any:
        parts = []
        for el in elements:
            s = el.slice
            if isinstance(s, cst.Index):
                if s.star is not None:
                    return UNKNOWN
                parts.append(self.eval(s.value, env))
            else:
                parts.append(slice(self.eval(s.lower, env), self.eval(s.upper, env),
                                   self.eval(s.step, env)))
        if len(parts) == 1 and not (len(elements) == 1 and elements[0].comma not in (cst.MaybeSentinel.DEFAULT,)):
            return parts[0]
        return tuple(parts)

    # ------------------------------------------------------------ calls
    def call(self, node: cst.Call, env: Env) -> Any:
        func = self.eval(node.func, env)
        args: list = []
        kwargs: dict = {}
        for a in node.args:
            v = self.eval(a.value, env)
            if a.star == "*":
                seq = self.iterate(v)
                if seq is None:
                    return self.unknown_call(func, args, kwargs)
                args.extend(seq)
            elif a.star == "**":
                if not isinstance(v, dict) or not all(isinstance(k, str) for k in v):
                    return self.unknown_call(func, args, kwargs)
                kwargs.update(v)
            elif a.keyword is not None:
                kwargs[a.keyword.value] = v
            else:
                args.append(v)
        if isinstance(func, BoundMethod) and isinstance(func.obj, list) and func.func is None \
                and isinstance(node.func, cst.Attribute) and not self._list_change_followed(func.name, args):
            # a change to a list that is not followed (`blocks.extend(make_blocks())`, `.sort()`): the
            # variable (or attribute) holding it is unknown from here on
            self.unknowns.call(func, args, kwargs, node, env)
            self.assign(node.func.value, UNKNOWN, env)
            return UNKNOWN
        return self.unknowns.call(func, args, kwargs, node, env)  # call_value, remembering why a result is unknown

    def _list_change_followed(self, name: str, args: list) -> bool:
        """Whether ``list.name(*args)`` is a change :meth:`call_method` makes (or no change)."""
        if name == "extend":
            return len(args) == 1 and self.iterate(args[0]) is not None
        if name == "insert":
            return len(args) == 2 and isinstance(args[0], int)
        return name not in ("remove", "sort")

    def unknown_call(self, func: Any, args: list, kwargs: dict) -> Any:
        return UNKNOWN

    def call_value(self, func: Any, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        result = self._call_value(func, args, kwargs, node)
        if isinstance(func, (FunctionValue, Instance, BoundMethod)) and not self._frame.replay:
            # --show-shapes lists what helpers and subclassed models return, too.
            outs = [t for t in _flatten(result) if isinstance(t, Tensor)] if isinstance(result, (list, tuple)) \
                else ([result] if isinstance(result, Tensor) else [])
            if outs:
                label = func.name if isinstance(func, (FunctionValue, BoundMethod)) else func.cls.name
                span = self.span(node)
                if span.path == self.path:
                    self.shapes.append(ShapeEntry(span, f"{label}()", tuple(t.type for t in outs),
                                                  tuple(t.ref for t in outs)))
        return result

    def _call_value(self, func: Any, args: list, kwargs: dict, node: cst.CSTNode) -> Any:  # noqa: C901
        if isinstance(func, QualName):
            return self.call_qualname(names.canonical(func.name), args, kwargs, node)
        if isinstance(func, FunctionValue):
            return self.call_function(func, args, kwargs, node)
        if isinstance(func, LayerValue):
            if func.wrapped is not None:
                return self.keras_call(func, args, kwargs, self.call_layer(func, args, kwargs, node))
            return self.call_layer(func, args, kwargs, node)
        if isinstance(func, ModelValue):
            return self.keras_call(func, args, kwargs, self.call_model(func, args, kwargs, node))
        if isinstance(func, Instance):
            result = self.call_instance(func, args, kwargs, node)
            return self.keras_call(func, args, kwargs, result) if func.cls.keras_kind else result
        if isinstance(func, ClassValue):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, BoundMethod):
            return self.call_method(func, args, kwargs, node)
        if isinstance(func, Builtin):
            return self.call_builtin(func.name, args, kwargs, node)
        if isinstance(func, Partial):
            return self.call_value(func.func, [*func.args, *args], {**func.kwargs, **kwargs}, node)
        if isinstance(func, configs.TupleClass):
            return self.configs.make_tuple(func, args, kwargs)
        return UNKNOWN

    def call_qualname(self, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        if name == names.INPUT:
            return self.make_input(_bind(LAYERS["InputLayer"].params, args, kwargs), node)
        if name == names.KERAS_TENSOR and self.engine.keras_version >= 3:
            # `keras.KerasTensor(shape, dtype="float32", sparse=False, ragged=False, ...)`: a symbolic
            # tensor of that whole shape, as an Input's with batch_shape (no input layer, no name taken)
            bound = _bind(("shape", "dtype", "sparse", "ragged", "record_history", "name"), args, kwargs)
            if not isinstance(bound.get("shape"), (tuple, list)):
                return UNKNOWN
            config = {"batch_shape": bound["shape"], "dtype": bound.get("dtype", "float32")}
            config.update({k: bound[k] for k in ("sparse", "ragged") if k in bound})
            return self.make_input(config, node, named=False)
        if name == names.MODEL:
            return self.make_model(args, kwargs, node)
        if name == names.SEQUENTIAL:
            return self.make_sequential(args, kwargs, node)
        if name in ("keras.backend.int_shape", "keras.ops.shape", "keras.backend.shape") and args \
                and isinstance(args[0], Tensor):
            shape = args[0].type.shape
            return UNKNOWN if shape is None else tuple(_shape_value(d) for d in shape)
        if name in ("keras.backend.image_data_format", "keras.config.image_data_format"):
            return self._data_format
        if name in ("keras.backend.set_image_data_format", "keras.config.set_image_data_format"):
            value = args[0] if args else kwargs.get("data_format", UNKNOWN)
            if value not in ("channels_last", "channels_first") or (self._maybe and value != self._data_format):
                value = UNKNOWN  # set on a path that may not run: either format from here on
            self._data_format = value
            return None
        if name in paths.FUNCTIONS or name in paths.SYS_PATH_METHODS:
            return self.path_call(name, args, kwargs, node)
        if name in ("keras.backend.epsilon", "keras.config.epsilon") and not args and not kwargs:
            return self._epsilon
        if name in ("keras.backend.set_epsilon", "keras.config.set_epsilon"):
            value = args[0] if args else kwargs.get("value", UNKNOWN)
            known = isinstance(value, (int, float)) and not isinstance(value, bool)
            self._epsilon = value if known and not (self._maybe and value != self._epsilon) else UNKNOWN
            return None
        if name in _SET_POLICY:
            value = args[0] if args else kwargs.get("policy", UNKNOWN)
            if value not in _POLICIES or (self._maybe and value != self._dtype_policy):
                value = UNKNOWN  # a policy not followed, or set on a path that may not run
            self._dtype_policy = value
            return None
        if name in _POLICY_CLASSES and args and isinstance(args[0], str) and args[0] in _POLICIES:
            return args[0]  # a policy stands for its name: a layer's dtype= or the global setting take either
        if name.startswith("keras.losses.") and name[len("keras.losses."):][:1].isupper():
            return self.training.loss_class(name, args, kwargs)
        if self.configs.handles(name):
            return self.configs.call(name, args, kwargs)
        if self.data.handles(name, args, kwargs):
            return self.data.call(name, args, kwargs, node)
        if name.startswith("keras.layers."):
            short = name[len("keras.layers."):]
            if short in LAYERS or (short[:1].isupper() and "." not in short):
                return self.make_layer(short, args, kwargs, node)
            if short in LAYER_FUNCTIONS:
                return self.call_layer_function(short, args, kwargs, node)
            return UNKNOWN
        if name.startswith("keras.applications.") and applications.lookup(name) is not None:
            return frontend_applications.build(self, applications.lookup(name), args, kwargs, node)
        if name in OPS or name.startswith("tensorflow.") or name.startswith("keras.ops.") \
                or name.startswith("keras.backend."):
            # Functions of Python values only create constant tensors when a rule knows them.
            if _has_tensor(args) or _has_tensor(kwargs) or name in OPS:
                params = OPS[name].params if name in OPS and name.startswith("keras.") else ()
                if self._data_format != "channels_last" and "data_format" in params and "data_format" not in kwargs \
                        and len(args) <= params.index("data_format"):
                    kwargs = {**kwargs, "data_format": self._data_format}  # (None: the global setting)
                return self.apply_op(name, args, kwargs, node)
            return UNKNOWN
        if name == "functools.partial" and args:
            return Partial(args[0], list(args[1:]), dict(kwargs))
        pure = _PURE_FUNCTIONS.get(name)
        if pure is not None and is_literal(list(args)) and is_literal(list(kwargs.values())):
            # Standard-library functions of plain values (math.ceil, itertools.product).
            try:
                value = pure(*args, **kwargs)
                if isinstance(value, (int, float, str, bool, tuple, list)):
                    return value
                items = list(itertools.islice(value, MAX_SEQUENCE + 1))
                return items if len(items) <= MAX_SEQUENCE else UNKNOWN
            except Exception:  # noqa: BLE001 - the user's own runtime errors are not ours to report
                return UNKNOWN
        return UNKNOWN

    def call_builtin(self, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        try:
            if name == "range":
                if all(isinstance(a, int) and not isinstance(a, bool) for a in args) and 1 <= len(args) <= 3:
                    return range(*args)
                return UNKNOWN
            if name == "len":
                if args and isinstance(args[0], Array):
                    shape = args[0].type.shape
                    return shape[0] if shape and isinstance(shape[0], int) else UNKNOWN
                if args and isinstance(args[0], Tensor):
                    shape = args[0].type.shape
                    return shape[0] if shape and isinstance(shape[0], int) else UNKNOWN
                seq = self.iterate(args[0]) if args else None
                return UNKNOWN if seq is None else len(seq)
            if name == "str" and len(args) == 1 and isinstance(args[0], paths.PathValue):
                return args[0].path
            if name in ("int", "float", "str", "bool", "round", "abs", "repr") and len(args) == 1 \
                    and is_literal(args[0]):
                return {"int": int, "float": float, "str": str, "bool": bool, "round": round, "abs": abs,
                        "repr": repr}[name](args[0])
            if name == "abs" and args and isinstance(args[0], Tensor):
                return self.apply_op("keras.ops.absolute", args, {}, node)
            if name in ("list", "tuple", "sorted", "reversed", "set", "frozenset"):
                if not args:
                    return [] if name == "list" else (() if name == "tuple" else UNKNOWN)
                seq = self.iterate(args[0])
                if seq is None:
                    return UNKNOWN
                if name == "sorted":
                    return sorted(seq) if all(is_literal(x) for x in seq) else UNKNOWN
                if name == "reversed":
                    return list(reversed(seq))
                return tuple(seq) if name == "tuple" else (list(seq) if name == "list" else UNKNOWN)
            if name == "dict":
                if not args:
                    return dict(kwargs)
                if isinstance(args[0], dict):
                    return {**args[0], **kwargs}
                pairs = self.iterate(args[0])  # dict(zip(names, sizes)), dict([("units", 64)])
                if pairs is not None and all(isinstance(p, (tuple, list)) and len(p) == 2 and _hashable(p[0])
                                             for p in pairs):
                    return {**dict(pairs), **kwargs}
                return UNKNOWN
            if name in ("zip", "enumerate"):
                seqs = [self.iterate(a) for a in args]
                if any(s is None for s in seqs):
                    return UNKNOWN
                if name == "enumerate":
                    start = kwargs.get("start", args[1] if len(args) > 1 else 0)
                    return [(i + start, v) for i, v in enumerate(seqs[0])] if isinstance(start, int) else UNKNOWN
                return [tuple(t) for t in zip(*seqs)]  # type: ignore[arg-type]
            if name in ("min", "max", "sum", "any", "all"):
                seq = self.iterate(args[0]) if len(args) == 1 else list(args)
                if seq is None or not all(is_literal(x) for x in seq):
                    return UNKNOWN
                return {"min": min, "max": max, "sum": sum, "any": any, "all": all}[name](seq)
            if name == "divmod" and all(isinstance(a, int) for a in args):
                return divmod(*args)
            if name == "print":
                return None
            if name == "super":
                if len(args) == 2 and isinstance(args[0], ClassValue):
                    return SuperValue(args[1], args[0])  # super(Child, self)
                return SuperValue(self._frame.instance if not args else None, self._frame.owner)
            if name == "setattr" and len(args) == 3 and isinstance(args[0], Instance) and isinstance(args[1], str):
                self.configs.set_attribute(args[0], args[1], args[2])
                return None
            if name == "setattr" and len(args) == 3 and isinstance(args[0], Namespace):
                if isinstance(args[1], str):
                    self.configs.set_attribute(args[0], args[1], args[2])
                else:
                    args[0].complete = False
                return None
            if name == "getattr" and len(args) >= 2 and isinstance(args[1], str):
                v = self.attribute(args[0], args[1], node)
                if v is UNKNOWN and len(args) > 2 and (self.configs.lacks(args[0], args[1])
                                                      or not isinstance(args[0], (Instance, Namespace))):
                    return args[2]
                return v
            if name == "vars" and len(args) == 1 and isinstance(args[0], Namespace) and not args[0].items:
                return args[0].attrs
            if name == "isinstance" and len(args) == 2:
                return _isinstance(args[0], args[1])
        except Exception:  # noqa: BLE001 - the user's own runtime errors are not ours to report
            return UNKNOWN
        return UNKNOWN

    # -- user functions ---------------------------------------------------
    def call_function(self, fn: FunctionValue, args: list, kwargs: dict, node: Optional[cst.CSTNode],
                      *, bound: Any = None, symbolic: bool = False, traced: Optional[bool] = None) -> Any:
        fn.called = fn.called or not symbolic
        if self._depth >= MAX_CALL_DEPTH:
            return UNKNOWN
        key = id(fn.node)
        activations = self._active.setdefault(key, [])
        if activations and activations[-1] != self._undecided:
            # Recursion past a condition we could not decide (`if n < 2: return n`):
            # following it would double the work at every level, and its result could not
            # be known anyway. Recursion on known values (a depth argument) is followed.
            return UNKNOWN
        if node is not None:
            self.step(node)
        local = Env(fn.env)
        if not self.bind_params(fn, local, args, kwargs, bound, symbolic):
            return UNKNOWN
        if not symbolic:
            self.unknowns.bound(fn, local, node, bound is not None)
        frame = self._frame
        stack = frame.stack + ((self.span(node),) if node is not None else ())
        self._frame = Frame(stack, frame.traced if traced is None else traced, frame.replay, bound,
                            fn.owner if bound is not None else None)
        self._depth += 1
        activations.append(self._undecided)
        try:
            if isinstance(fn.node, cst.Lambda):
                return self.eval(fn.node.body, local)
            if self._is_generator(fn.node):
                return UNKNOWN
            body = fn.node.body
            if isinstance(body, cst.IndentedBlock):
                self.exec_block(body.body, local)
            else:
                for small in body.body:
                    self.exec_small(small, local)
            return None
        except _Return as r:
            return r.value
        except (_Raise, _Break, _Continue):
            return UNKNOWN
        except RecursionError:
            return UNKNOWN
        finally:
            self._depth -= 1
            activations.pop()
            self._frame = frame

    def _is_generator(self, fn: cst.FunctionDef) -> bool:
        if not self._may_yield:
            return False  # (libcst's visit of the body below cost a fifth of the analysis)
        key = id(fn)
        if key not in self._generators:
            self._generators[key] = _is_generator(fn)
        return self._generators[key]

    def bind_params(self, fn: FunctionValue, local: Env, args: list, kwargs: dict, bound: Any,
                    symbolic: bool) -> bool:
        params: cst.Parameters = fn.node.params
        positional = [*params.posonly_params, *params.params]
        args = list(args)
        if bound is not None:
            args.insert(0, bound)
        kwargs = dict(kwargs)
        for i, p in enumerate(positional):
            name = p.name.value
            if symbolic:
                local.vars[name] = SymValue(dims.Sym.named(name)) if not (i == 0 and bound is not None) else bound
                continue
            if i < len(args):
                local.vars[name] = args[i]
            elif name in kwargs:
                local.vars[name] = kwargs.pop(name)
            elif name in fn.defaults:
                local.vars[name] = fn.defaults[name]
            else:
                local.vars[name] = UNKNOWN
        extra = args[len(positional):]
        star = params.star_arg
        if isinstance(star, cst.Param):
            local.vars[star.name.value] = UNKNOWN if symbolic else tuple(extra)
        for p in params.kwonly_params:
            name = p.name.value
            if symbolic:
                local.vars[name] = SymValue(dims.Sym.named(name))
            elif name in kwargs:
                local.vars[name] = kwargs.pop(name)
            else:
                local.vars[name] = fn.defaults.get(name, UNKNOWN)
        if params.star_kwarg is not None:
            local.vars[params.star_kwarg.name.value] = UNKNOWN if symbolic else dict(kwargs)
        return True

    def instantiate(self, cls: ClassValue, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        name = self.auto_name(cls.name) if cls.keras_kind else cls.name
        if isinstance(kwargs.get("name"), str):
            name = kwargs["name"]
        inst = Instance(cls, {}, self.new_id("L"), name, depth=self._maybe)
        if cls.keras_kind == "model":
            self.record_model(inst, node)
        if cls.is_dataclass and "__init__" not in cls.attrs:
            self.init_dataclass(inst, cls, args, kwargs)  # (it replaces an inherited __init__)
            return inst
        init = _class_lookup(cls, "__init__")
        if isinstance(init, FunctionValue):
            self.call_function(init, args, kwargs, node, bound=inst)
        elif not cls.keras_kind:
            configs.foreign_init(inst, cls, args, kwargs, self.configs.field_names(cls))
        return inst

    def init_dataclass(self, inst: Instance, cls: ClassValue, args: list, kwargs: dict) -> None:
        """A dataclass's or NamedTuple's generated ``__init__``: fields (its bases' first) from the
        arguments or their defaults (``field(default_factory=...)`` called), then ``__post_init__``."""
        for i, f in enumerate(self.configs.field_names(cls)):
            if i < len(args):
                inst.attrs[f] = args[i]
            elif f in kwargs:
                inst.attrs[f] = kwargs[f]
            else:
                inst.attrs[f] = self.configs.field_default(cls, f)
        post_init = _class_lookup(cls, "__post_init__")
        if isinstance(post_init, FunctionValue):
            self.call_function(post_init, [], {}, None, bound=inst)

    def call_instance(self, inst: Instance, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        if inst.cls.keras_kind == "model" and args and _is_data(args[0]) and not any(
                _class_lookup(inst.cls, m) is not None for m in ("predict_step",)):
            return self.training.check(inst, "__call__", [args[0]], {}, node)  # run eagerly on data
        if inst.functional is not None:
            return self.call_model(inst.functional, args, kwargs, node)
        if not inst.cls.keras_kind:
            method = _class_lookup(inst.cls, "__call__")
            if isinstance(method, FunctionValue):
                return self.call_function(method, args, kwargs, node, bound=inst)
            return UNKNOWN
        first = args[0] if args else kwargs.get("inputs", UNKNOWN)
        build = _class_lookup(inst.cls, "build")
        if not inst.built:
            inst.built = True
            if isinstance(build, FunctionValue) and isinstance(first, Tensor):
                shape = first.type.shape
                self.call_function(build, [UNKNOWN if shape is None else tuple(_shape_value(d) for d in shape)],
                                   {}, node, bound=inst, traced=True)
        method = _class_lookup(inst.cls, "call")
        if not isinstance(method, FunctionValue):
            # a subclass of a Keras layer that keeps its `call`: that layer, as configured
            return self.call_layer(inst.base_layer, args, kwargs, node) if inst.base_layer is not None else UNKNOWN
        result = self.call_function(method, args, kwargs, node, bound=inst, traced=True)
        declared = self.declared_output(inst, first, node)
        return result if declared is None else declared

    def declared_output(self, inst: Instance, first: Any, node: cst.CSTNode) -> Any:
        """A layer of the analysed code that defines ``compute_output_shape``: Keras 3 makes its
        symbolic output from the shape that returns (tf.keras 2 traces ``call``)."""
        method = _class_lookup(inst.cls, "compute_output_shape")
        if not isinstance(method, FunctionValue) or self.engine.keras_version < 3:
            return None
        inputs = first if isinstance(first, list) else [first]
        if not inputs or not all(isinstance(t, Tensor) and t.type.shape is not None for t in inputs):
            return None
        shapes = [tuple(_shape_value(d) for d in t.type.shape) for t in inputs]
        declared = self.literal(self.call_function(method, [shapes if isinstance(first, list) else shapes[0]], {},
                                                   node, bound=inst, traced=True))
        if not isinstance(declared, (tuple, list)) or UNKNOWN in declared:
            return None
        return self.apply_op("shapecheck.declared_shape", inputs, {"shape": declared}, node,
                             name=inst.name)

    def call_method(self, m: BoundMethod, args: list, kwargs: dict, node: cst.CSTNode) -> Any:  # noqa: C901
        obj, name = m.obj, m.name
        if m.func is not None:
            return self.call_function(m.func, args, kwargs, node, bound=obj)
        if isinstance(obj, paths.PathValue):
            home = self.modules.home
            return UNKNOWN if home is None else paths.method(obj, name, args, kwargs, os.path.dirname(home))
        if isinstance(obj, SuperValue):
            inst = obj.instance
            inherited = configs.super_lookup(obj.cls, name)
            if isinstance(inherited, FunctionValue):
                return self.call_function(inherited, args, kwargs, node, bound=inst)
            if isinstance(inst, Instance) and inst.cls.keras_kind == "layer":
                base = configs.keras_base(obj.cls)
                if name == "__init__" and base in LAYERS and base != "InputLayer":
                    named = kwargs if isinstance(kwargs.get("name"), str) else {**kwargs, "name": inst.name}
                    inst.base_layer = self.make_layer(base, args, named, node)  # class MyDense(layers.Dense)
                    if isinstance(inst.base_layer, LayerValue):
                        inst.base_layer.layer_id = inst.layer_id  # one layer: its calls are the instance's
                    return None
                if name == "call" and inst.base_layer is not None:
                    return self.call_layer(inst.base_layer, args, kwargs, node)
            if name == "build" and isinstance(inst, Instance) and inst.cls.keras_kind and (
                    args or "input_shape" in kwargs):
                self.keras_build(inst, args[0] if args else kwargs["input_shape"], node)
                return None
            if name == "__init__" and isinstance(inst, Instance) and inst.cls.keras_kind == "model" and (
                    len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
                # `super().__init__(inputs=..., outputs=...)`: a functional model in a class.
                named = kwargs if isinstance(kwargs.get("name"), str) else {**kwargs, "name": inst.name}
                model = self.make_model(args, named, node)
                if isinstance(model, ModelValue):
                    inst.functional = model
                    self.forget_model(model)  # the instance stands for it
            return None
        if isinstance(obj, ModelValue):
            return self.model_method(obj, name, args, kwargs, node)
        if isinstance(obj, Array):
            return self.data.method(obj, name, args, kwargs, node)
        if isinstance(obj, Image):
            return frontend_images.image_method(obj, name, args, kwargs)
        if isinstance(obj, ImageGenerator):
            return frontend_images.generator_method(self.data, obj, name, args, kwargs, node)
        if isinstance(obj, (Namespace, ArgParser)):
            return self.configs.method(obj, name, args, kwargs)
        if isinstance(obj, Dataset):
            return self.data.dataset_method(obj, name, args, kwargs, node)
        if isinstance(obj, Instance):
            if obj.cls.keras_kind == "model" and (name in TRAINING_METHODS or name == "build"):
                self.maybe_built(obj)  # its layers may be built by what shapecheck does not follow
            if obj.cls.keras_kind == "model" and name == "compile":
                self.run_eagerly(obj, kwargs.get("run_eagerly", False))
                self.training.compile(obj, args, kwargs, node)
                return None
            if obj.cls.keras_kind == "model" and name in TRAINING_METHODS and not any(
                    _class_lookup(obj.cls, m) is not None for m in _CUSTOM_STEPS):
                return self.training.check(obj, name, args, kwargs, node)
            if name == "build" and (args or "input_shape" in kwargs):
                args = args or [kwargs["input_shape"]]
                return self.build_instance(obj, args[0], node)
            if name in ("add_weight", "add_variable") and obj.cls.keras_kind:
                return self.add_weight(args, kwargs, node)
            if name == "__init__":
                return None
            if name == "_replace" and not args:
                return self.configs.replace([obj], kwargs)
            if name == "_asdict" and not args and obj.cls.is_dataclass:
                return dict(obj.attrs)
            return UNKNOWN
        if isinstance(obj, Tensor) and name == "get_shape":
            return self.tensor_attribute(obj, "shape")
        if isinstance(obj, list):
            if name in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"):
                self.configs.mutated(obj)  # (an object's list changed where the code may not run)
            if name == "append" and len(args) == 1:
                obj.append(args[0])
                return None
            if name == "extend" and len(args) == 1:
                seq = self.iterate(args[0])
                if seq is not None:
                    obj.extend(seq)
                return None
            if name == "insert" and len(args) == 2 and isinstance(args[0], int):
                obj.insert(args[0], args[1])
                return None
            if name == "pop":
                try:
                    return obj.pop(*args)
                except (IndexError, TypeError):
                    return UNKNOWN
            if name == "clear" and not args:
                obj.clear()
                return None
            if name == "reverse" and not args:
                obj.reverse()
                return None
            if name == "copy":
                return list(obj)
            if name == "index" and args:
                try:
                    return obj.index(args[0])
                except ValueError:
                    return UNKNOWN
            return UNKNOWN
        if isinstance(obj, dict):
            if not self.keys_certain(obj, args[0] if args and name in ("get", "setdefault", "pop") else None):
                return UNKNOWN  # (a layer name made from a counter may be one of the string keys)
            if name == "get" and args and _hashable(args[0]):
                return obj.get(args[0], args[1] if len(args) > 1 else None)
            if name == "items":
                return list(obj.items())
            if name == "keys":
                return list(obj.keys())
            if name == "values":
                return list(obj.values())
            if name == "update" and args and isinstance(args[0], dict):
                obj.update(args[0])
                obj.update(kwargs)
                return None
            if name == "copy":
                return dict(obj)
            if name == "setdefault" and args and _hashable(args[0]):
                return obj.setdefault(args[0], args[1] if len(args) > 1 else None)
            if name == "pop" and args and _hashable(args[0]):
                return obj.pop(args[0], args[1] if len(args) > 1 else UNKNOWN)
            return UNKNOWN
        if isinstance(obj, tuple) and name == "as_list":
            return list(obj)
        if isinstance(obj, str):
            if name in ("lower", "upper", "strip") and not args:
                return getattr(obj, name)()
            if name == "format" and all(is_literal(a) for a in args) and all(is_literal(v) for v in kwargs.values()):
                try:
                    return obj.format(*args, **kwargs)
                except (IndexError, KeyError, ValueError):
                    return UNKNOWN
            return UNKNOWN
        return UNKNOWN

    # -- Keras: inputs, layers, models -------------------------------------
    def add_node(self, node: Node, created_at: Optional[Span] = None) -> NodeResult:
        result = self.engine.add(node)
        self.unknowns.node_added(node, result, created_at)  # the coverage count, and why a shape is unknown
        finding = result.finding
        if finding is not None and created_at is not None and node.span is not None \
                and created_at.line != node.span.line:
            # The layer was created elsewhere (a Sequential list, an attribute set in __init__).
            note = Note(created_at, f'layer "{node.name}" is created here')
            finding = replace(finding, notes=finding.notes + (note,))
        self.report(finding)
        if node.span is not None and not self._frame.replay and node.span.path == self.path \
                and node.op not in ("shapecheck.join", "shapecheck.time_step", "shapecheck.declared_shape",
                                    "shapecheck.eager"):
            # The front end's own pseudo-ops show as the call they stand for.
            label = "keras.layers.TimeDistributed" if node.op == "shapecheck.time_distributed" else node.op
            self.shapes.append(ShapeEntry(node.span, label, result.outputs,
                                          tuple(TensorRef(node.id, i) for i in range(len(result.outputs))), created_at))
        return result

    def make_input(self, bound: dict, node: cst.CSTNode, span: Optional[Span] = None, named: bool = True) -> Any:
        tensor = bound.pop("tensor", None)
        config = {k: self.literal(v) for k, v in bound.items()}
        kwargs = {}
        if isinstance(tensor, Tensor):
            kwargs["tensor"] = tensor.ref
        elif tensor is not None:
            return UNKNOWN
        irnode = Node(0, "keras.layers.InputLayer", "input", config=config, kwargs=kwargs,
                      layer_id=self.new_id("L"), name=config.get("name") if isinstance(config.get("name"), str)
                      else None, span=span or self.span(node), call_stack=self._frame.stack)
        result = self.add_node(irnode)
        if irnode.name is None and named:
            # The name Keras gives it (input_layer, input_layer_1, ...), for messages that
            # quote it; notes keep saying `keras.Input`.
            self._input_names[irnode.id] = self.auto_name("InputLayer")
        return Tensor(TensorRef(irnode.id, 0), result.outputs[0])

    def make_layer(self, class_name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        rule = LAYERS.get(class_name)
        removed = sorted(k for k in ("batch_input_shape", "batch_size") if k in kwargs)
        if removed and class_name != "InputLayer" and rule is not None and self.engine.keras_version >= 3:
            # Keras 3 layers take only input_shape/input_dim of the Keras 2 input arguments.
            given = ", ".join(f"'{k}': {_show_literal(kwargs[k])}" for k in removed)
            at = self.engine.record(Node(0, f"keras.layers.{class_name}", "construct",
                                         config={k: self.literal(v) for k, v in _bind(rule.params, args, kwargs).items()},
                                         span=self.span(node), call_stack=self._frame.stack))
            self.report(Finding(INVALID_ARGUMENT, self.span(node),
                                f"Unrecognized keyword arguments passed to {class_name}: {{{given}}} (Keras 3 "
                                "layers no longer take them: put `keras.Input(batch_shape=...)` first instead)",
                                _stack_notes(self._frame.stack), node=at))
        if class_name == "InputLayer" and rule is not None:
            bound = _bind(rule.params, args, kwargs)
            return LayerValue("InputLayer", bound, self.new_id("L"), str(bound.get("name") or "input_layer"),
                              self.span(node))
        params = rule.params if rule is not None else ()
        bound = _bind(params, args, kwargs)
        config = {k: self.literal(v) for k, v in bound.items()}
        if self._data_format != "channels_last" and rule is not None and config.get("data_format") is None \
                and ("data_format" in rule.params or "data_format" in rule.defaults):
            config["data_format"] = self._data_format  # the global setting the file chose
        if self._dtype_policy != "float32" and rule is not None and config.get("dtype") is None:
            config["dtype"] = self._dtype_policy  # the global policy the file chose (mixed precision)
        name = config.get("name") if isinstance(config.get("name"), str) else self.auto_name(class_name)
        layer = LayerValue(class_name, config, self.new_id("L"), name, self.span(node))
        if class_name == "Lambda" and isinstance(bound.get("function"), FunctionValue):
            layer.wrapped = bound["function"]
        if class_name == "Lambda" and isinstance(bound.get("output_shape"), FunctionValue):
            layer.shape_function = bound["output_shape"]
        if class_name == "TimeDistributed" and isinstance(bound.get("layer"), (ModelValue, Instance)):
            layer.wrapped = bound["layer"]
        if rule is not None:
            finding = self.engine.check_config(f"keras.layers.{class_name}", config, self.span(node), name,
                                               self._frame.stack, layer.layer_id)
            if finding is not None:
                finding = replace(finding, node=self.record_construct(class_name, config, layer, node))
            self.report(finding)
        return layer

    def record_construct(self, class_name: str, config: dict, layer: LayerValue, node: cst.CSTNode) -> int:
        """A constructor call Keras rejects, as an IR node the runtime replay can redo."""
        return self.engine.record(Node(0, f"keras.layers.{class_name}", "construct", config=config,
                                       layer_id=layer.layer_id, name=layer.name, span=self.span(node),
                                       call_stack=self._frame.stack))

    def literal(self, v: Any, top: bool = True) -> Any:
        """A Python value as an IR config literal (what ``get_config()`` would hold)."""
        if v is None or isinstance(v, (bool, int, float, str, dims.Sym)):
            return v
        if isinstance(v, SymValue):
            return UNKNOWN if top else v.expr
        if isinstance(v, (list, tuple)):
            items = [self.literal(x, False) for x in v]
            return tuple(items) if isinstance(v, tuple) else items
        if isinstance(v, dict):
            return {k: self.literal(x, False) for k, x in v.items()}
        if isinstance(v, LayerValue):
            return LayerRef(v.class_name, v.config, v.layer_id)
        if isinstance(v, slice):
            return slice(self.literal(v.start, False), self.literal(v.stop, False), self.literal(v.step, False))
        if v is Ellipsis:
            return v
        if isinstance(v, QualName):
            return _dtype_name(v.name)
        return UNKNOWN

    def arg_value(self, v: Any) -> Any:
        """A call argument for the IR: tensors as refs, the rest as literals."""
        if isinstance(v, Tensor):
            return v.ref
        if isinstance(v, list):
            return [self.arg_value(x) for x in v]
        if isinstance(v, tuple):
            return tuple(self.arg_value(x) for x in v)
        if isinstance(v, dict):
            return {k: self.arg_value(x) for k, x in v.items()}
        return self.literal(v, False)

    def outputs_value(self, node: Node, result: NodeResult) -> Any:
        tensors = [Tensor(TensorRef(node.id, i), t) for i, t in enumerate(result.outputs)]
        if result.structure is not None:
            def nest(s: Any) -> Any:
                return [nest(x) for x in s] if isinstance(s, list) else tensors[s]

            try:
                return nest(result.structure)
            except IndexError:
                return UNKNOWN
        return tensors[0] if len(tensors) == 1 else tensors

    def follow_lambda_function(self, layer: LayerValue, inputs: Any, node: cst.CSTNode) -> None:
        """A Lambda that declares its ``output_shape``: Keras takes that shape and runs the function
        only on data (``fit``, ``predict``), which the file may never do.  The function is followed on
        the inputs for the shapes inside it (rather than with unknown arguments, as a function nobody
        calls), as a path that may not run: what fails inside is not reported."""
        extra = layer.config.get("arguments")
        self.follow_on_data(layer.wrapped, [inputs], dict(extra) if isinstance(extra, dict) else {}, node)

    def follow_on_data(self, fn: Any, args: list, kwargs: dict, node: cst.CSTNode, bound: Any = None) -> None:
        """A function of the program's own that Keras calls only on data (a Lambda's with a declared
        output shape, a loss or metric given to ``compile``), followed on the symbolic tensors it would
        get, for the shapes inside it, as a path that may not run: what fails inside is not reported,
        and the graph is left as it was."""
        before = len(self.findings)
        built = self.engine.snapshot()
        self._maybe += 1
        try:
            self.call_function(fn, args, kwargs, node, bound=bound, traced=True)
        finally:
            self._maybe -= 1
            del self.findings[before:]
            self.engine.restore(built)

    def call_layer(self, layer: LayerValue, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        if layer.class_name == "InputLayer":
            return UNKNOWN
        config = layer.config
        if layer.class_name == "Lambda" and layer.wrapped is not None and args \
                and layer.config.get("output_shape") is not None:
            self.follow_lambda_function(layer, args[0], node)  # then the rule, on output_shape
            if layer.shape_function is not None:
                config = self.lambda_output_shape(layer, args[0], node)
        elif layer.class_name == "Lambda" and layer.wrapped is not None and args:
            # Keras 3 infers a Lambda's output by tracing its function on the inputs.
            extra = layer.config.get("arguments")
            out = self.call_function(layer.wrapped, [args[0]], dict(extra) if isinstance(extra, dict) else {},
                                     node, traced=True)
            if isinstance(out, Tensor) and not self._frame.replay:
                self.shapes.append(ShapeEntry(self.span(node), "keras.layers.Lambda", (out.type,), (out.ref,),
                                              layer.span))
            self.unknowns.value_call("keras.layers.Lambda", node, args, kwargs, out, layer.span)
            return out
        if layer.class_name == "TimeDistributed" and layer.wrapped is not None and args \
                and isinstance(args[0], Tensor):
            # TimeDistributed(model): the model on one timestep, the time axis put back.
            step = self.apply_op("shapecheck.time_step", [args[0]], {}, node)
            if not isinstance(step, Tensor) or step.type.shape is None:
                return UNKNOWN
            frame = self._frame
            self._frame = Frame(frame.stack, frame.traced, True, frame.instance)  # no shape entry of its own
            try:
                out = self.call_value(layer.wrapped, [step], {}, node)
            finally:
                self._frame = frame
            if not isinstance(out, Tensor):
                return UNKNOWN
            return self.apply_op("shapecheck.time_distributed", [args[0], out], {}, node)
        if _holds(args, Array) or _holds(kwargs, Array):
            # a layer called on data runs at once (eagerly) on a tensor of it
            args = [self.eager_tensor(a, node) for a in args]
            kwargs = {k: self.eager_tensor(v, node) for k, v in kwargs.items()}
        irnode = Node(0, f"keras.layers.{layer.class_name}", "layer", config=config,
                      args=[self.arg_value(a) for a in args], kwargs={k: self.arg_value(v) for k, v in kwargs.items()},
                      layer_id=layer.layer_id, name=layer.name, span=self.span(node), call_stack=self._frame.stack,
                      traced=self._frame.traced)
        result = self.add_node(irnode, created_at=layer.span)
        out = self.outputs_value(irnode, result)
        if not self._frame.replay:
            self._called_layers.setdefault(layer.layer_id, layer)
            self._first_outputs.setdefault(layer.layer_id, UNKNOWN if self._maybe else out)
        return out

    def eager_tensor(self, v: Any, node: cst.CSTNode) -> Any:
        """Data (an :class:`Array`, also in a list or dict) as the eager tensor a layer it is handed to
        runs on; anything else as it is."""
        if isinstance(v, Array):
            if v.type.shape is None:
                return UNKNOWN
            # (Keras converts floating-point data to the layer's compute dtype as it arrives)
            dtype = "float32" if v.type.dtype is None or v.type.dtype.startswith("float") else v.type.dtype
            return self.apply_op("shapecheck.eager", [], {"shape": v.type.shape, "dtype": dtype}, node)
        if isinstance(v, (list, tuple)):
            items = [self.eager_tensor(x, node) for x in v]
            return items if isinstance(v, list) else tuple(items)
        if isinstance(v, dict):
            return {k: self.eager_tensor(x, node) for k, x in v.items()}
        return v

    def lambda_output_shape(self, layer: LayerValue, first: Any, node: cst.CSTNode) -> dict:
        """A Lambda whose ``output_shape`` is a function: Keras 3 builds its output from what that
        function returns for the input shapes (a tuple, a list of them for several inputs), batch axis
        included.  The layer's config for this call with that shape as a literal (less its batch axis,
        which the rule takes from the first input, as Keras does for a literal); as it was (an unknown
        output) when the function's result is not a shape (sizes, ``None``, sizes known only symbolically)
        with that batch axis, or under tf.keras 2 (which traces the function itself)."""
        if self.engine.keras_version < 3:
            return layer.config
        inputs = first if isinstance(first, list) else [first]
        if not inputs or not all(isinstance(t, Tensor) and t.type.shape for t in inputs):
            return layer.config
        shapes = [tuple(_shape_value(d) for d in t.type.shape) for t in inputs]
        declared = self.literal(self.call_function(layer.shape_function,
                                                   [shapes if isinstance(first, list) else shapes[0]], {}, node,
                                                   traced=True))
        if not isinstance(declared, (tuple, list)) or not declared or declared[0] != shapes[0][0] \
                or not all(d is None or isinstance(d, dims.Sym) or (dims.is_known(d) and d >= 0) for d in declared):
            return layer.config
        return {**layer.config, "output_shape": tuple(declared[1:])}

    def path_call(self, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        """``os.path`` and ``pathlib`` on known paths; ``sys.path.append/insert/extend`` of a known
        folder, in the checked file itself, adds it to where its imports are looked up."""
        home = self.modules.home
        if home is None:
            return UNKNOWN
        cwd = os.path.dirname(home)
        if name in paths.SYS_PATH_METHODS:
            if not self._maybe and not kwargs and self.span(node).path == self.path:
                folders, first = paths.folders_added(name, args, cwd)
                for folder in reversed(folders) if first else folders:
                    self.modules.add_root(folder, first)
            return None
        return paths.call(name, args, kwargs, cwd)

    def get_layer(self, model: ModelValue, args: list, kwargs: dict) -> Any:
        """``model.get_layer(name)``: the layer of that name among those between the model's inputs
        and outputs (a Sequential's own list); UNKNOWN where it is not one layer shapecheck follows."""
        name = args[0] if args else kwargs.get("name")
        if not isinstance(name, str):
            return UNKNOWN
        if model.application is not None:
            return frontend_applications.inner_layer_named(self, model, name)
        if model.kind == "sequential":
            found = [x for x in model.layers if isinstance(x, LayerValue) and x.name == name]
            return found[0] if len(found) == 1 else UNKNOWN
        nodes = self.engine.graph.nodes
        stop = {t.ref.node for t in model.inputs if isinstance(t, Tensor)}
        todo = [t.ref.node for t in _flatten(model.outputs) if isinstance(t, Tensor)]
        seen: set[int] = set()
        ids = set()
        while todo:
            i = todo.pop()
            if i in seen or i >= len(nodes):
                continue
            seen.add(i)
            if nodes[i].kind == "layer" and nodes[i].name == name:
                ids.add(nodes[i].layer_id)
            if i not in stop:
                todo.extend(r.node for r in nodes[i].tensor_refs())
        layer = self._called_layers.get(ids.pop()) if len(ids) == 1 else None
        return layer if layer is not None else UNKNOWN

    def call_layer_function(self, fname: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        rule = LAYER_FUNCTIONS[fname]
        inputs = args[0] if args else kwargs.pop("inputs", UNKNOWN)
        cfg = _bind(rule.function_params, args[1:], kwargs)
        class_name = rule.names[0]
        layer = self.make_layer(class_name, [], cfg, node)
        if fname == "Input":
            return UNKNOWN
        return self.call_layer(layer, [inputs], {}, node)

    def apply_op(self, op: str, args: list, kwargs: dict, node: cst.CSTNode, name: Optional[str] = None) -> Any:
        irnode = Node(0, op, "op", args=[self.arg_value(a) for a in args],
                      kwargs={k: self.arg_value(v) for k, v in kwargs.items()}, name=name,
                      span=self.span(node), call_stack=self._frame.stack, traced=self._frame.traced)
        result = self.add_node(irnode)
        return self.outputs_value(irnode, result)

    def make_model(self, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        inputs = kwargs.get("inputs", kwargs.get("input", args[0] if args else None))
        outputs = kwargs.get("outputs", kwargs.get("output", args[1] if len(args) > 1 else None))
        name = kwargs.get("name") if isinstance(kwargs.get("name"), str) else None
        if inputs is None and outputs is None:
            return UNKNOWN
        name = name or self.auto_name("Functional")
        keys = sorted(inputs) if isinstance(inputs, dict) and all(isinstance(k, str) for k in inputs) else None
        # (Keras flattens a dict of inputs by its sorted keys)
        flat_inputs = _flatten(inputs if keys is None else [inputs[k] for k in keys])
        model = ModelValue("functional", self.new_id("M"), name, flat_inputs, outputs, input_keys=keys)
        self.record_model(model, node)
        if "trainable" in kwargs:
            self.set_trainable(model, kwargs["trainable"], inside=False)
        ref = self.model_ref(model)
        at = None if ref is None else self.engine.record(
            Node(0, "keras.Model", "model", config={"model": ref}, layer_id=model.layer_id, name=name,
                 span=self.span(node), call_stack=self._frame.stack))
        if all(isinstance(t, Tensor) for t in flat_inputs):
            self.check_input_names(flat_inputs, node, at)
            self.check_connected(flat_inputs, outputs, node, at)
        return model

    def model_ref(self, model: Any) -> Optional[ModelRef]:
        """A model as the IR holds it (``None`` for a subclassed model: its code is not replayed)."""
        if isinstance(model, Instance):
            model = model.functional
        if not isinstance(model, ModelValue):
            return None
        inputs = tuple(t.ref if isinstance(t, Tensor) else UNKNOWN for t in model.inputs)
        if model.kind == "functional":
            outputs = _map_structure(model.outputs, lambda t: t.ref if isinstance(t, Tensor) else UNKNOWN)
            return ModelRef("functional", model.name, model.layer_id, inputs, outputs)
        layers: list = []
        for layer in model.layers:
            if isinstance(layer, LayerValue):
                layers.append(LayerRef(layer.class_name, layer.config, layer.layer_id))
            else:
                layers.append(self.model_ref(layer) or UNKNOWN)
        return ModelRef("sequential", model.name, model.layer_id, inputs, None, tuple(layers))

    def check_connected(self, inputs: list, outputs: Any, node: cst.CSTNode, at: Optional[int] = None) -> None:
        """Keras's ``Output with path `...` is not connected to `inputs``: an output that
        certainly needs a ``keras.Input`` not in ``inputs`` (joins of branches are not
        certain, so they are not followed)."""
        graph = self.engine.graph
        given = {t.ref.node for t in inputs}
        for path, out in _flatten_with_path(outputs):
            if not isinstance(out, Tensor):
                continue
            seen: set[int] = set()
            todo = [out.ref.node]
            missing: Optional[int] = None
            while todo and missing is None:
                nid = todo.pop()
                if nid in seen or nid in given or nid >= len(graph.nodes):
                    continue
                seen.add(nid)
                n = graph.nodes[nid]
                if n.kind == "input":
                    missing = nid
                elif n.op != "shapecheck.join":
                    todo.extend(r.node for r in n.tensor_refs())
            if missing is not None:
                src = graph.nodes[missing]
                name = src.name or self._input_names.get(missing, "input_layer")
                notes = (Note(src.span or self.span(node), f"it needs the input '{name}' created here, "
                                                           "which is not in `inputs`"),)
                message = (f"Output with path `{path}` is not connected to `inputs`"
                           if self.engine.keras_version >= 3 else
                           f"Graph disconnected: cannot obtain value for tensor '{name}' (an input that is not "
                           "in `inputs`)")
                self.report(Finding(DISCONNECTED_OUTPUT, self.span(node), message,
                                    notes + _stack_notes(self._frame.stack), node=at))
                return

    def check_input_names(self, inputs: list, node: cst.CSTNode, at: Optional[int] = None) -> None:
        seen: dict[str, Tensor] = {}
        for t in inputs:
            src = self.engine.graph.nodes[t.ref.node]
            if src.kind != "input" or not isinstance(src.name, str):
                continue
            if src.name in seen and seen[src.name].ref != t.ref:
                first = self.engine.graph.nodes[seen[src.name].ref.node]
                notes = tuple(Note(n.span, f'input "{src.name}" is created here') for n in (first, src)
                              if n.span is not None)
                self.report(Finding(DUPLICATE_INPUT_NAME, self.span(node),
                                    f'The name "{src.name}" is used 2 times in the model. All operation names '
                                    "should be unique.", notes + _stack_notes(self._frame.stack), node=at))
            seen[src.name] = t

    def make_sequential(self, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        layers_arg = args[0] if args else kwargs.get("layers")
        name = kwargs.get("name") if isinstance(kwargs.get("name"), str) else self.auto_name("Sequential")
        model = ModelValue("sequential", self.new_id("M"), name)
        self.record_model(model, node)
        trainable = args[1] if len(args) > 1 else kwargs.get("trainable", True)
        if trainable is not True:
            self.set_trainable(model, trainable, inside=False)
        if layers_arg is None:
            return model
        seq = self.iterate(layers_arg)
        if seq is None:
            return UNKNOWN
        for layer in seq:
            self.sequential_add(model, layer, node)
        return model

    def sequential_add(self, model: ModelValue, layer: Any, node: cst.CSTNode) -> None:
        self.model_changed(model)
        span = self.span(node)
        if not model.layers and not model.inputs:
            if isinstance(layer, Tensor) and self.engine.graph.nodes[layer.ref.node].kind == "input":
                model.inputs = [layer]
                model.outputs = layer
                return
            if isinstance(layer, LayerValue) and layer.class_name == "InputLayer":
                t = self.make_input(dict(layer.config), node, span)
                if isinstance(t, Tensor):
                    model.inputs = [t]
                    model.outputs = t
                return
            declared = _declared_input(layer, self.engine.keras_version)
            if declared is not None:
                t = self.make_input(declared, node, span)
                if isinstance(t, Tensor):
                    model.inputs = [t]
                    model.outputs = t
        model.layers.append(layer)
        if model.inputs:
            model.outputs = self.apply_callable(layer, [model.outputs], {}, node)

    def apply_callable(self, obj: Any, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        if isinstance(obj, (LayerValue, ModelValue, Instance, FunctionValue)):
            return self.call_value(obj, args, kwargs, node)
        return UNKNOWN

    def model_method(self, model: ModelValue, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        if name == "add" and model.kind == "sequential" and args:
            self.sequential_add(model, args[0], node)
            return None
        if name == "pop" and model.kind == "sequential" and model.layers:
            self.model_changed(model)
            model.layers.pop()
            if model.inputs:
                # Keras rebuilds the model on what is left: its output is the new last layer's.
                frame = self._frame
                self._frame = Frame(frame.stack, frame.traced, True, frame.instance)
                try:
                    out: Any = model.inputs[0]
                    for layer in model.layers:
                        out = self.apply_callable(layer, [out], {}, node)
                finally:
                    self._frame = frame
                model.outputs = out
            return None
        if name == "build" and model.kind == "sequential":
            shape = args[0] if args else kwargs.get("input_shape")
            self.model_changed(model)
            if shape is None or shape is UNKNOWN:
                self.maybe_built(model)
            if shape is not None and shape is not UNKNOWN and not model.inputs:
                t = self.make_input({"batch_shape": shape}, node)
                if isinstance(t, Tensor):
                    layers = list(model.layers)
                    model.inputs, model.outputs, model.layers = [t], t, []
                    for layer in layers:
                        self.sequential_add(model, layer, node)
            return None
        if name == "get_layer":
            return self.get_layer(model, args, kwargs)
        if name == "compile":
            self.run_eagerly(model, kwargs.get("run_eagerly", False))
            self.training.compile(model, args, kwargs, node)
            return None
        if name in TRAINING_METHODS:
            result = self.training.check(model, name, args, kwargs, node)
            if model.kind == "sequential" and not model.inputs:
                self.maybe_built(model)  # built by data shapecheck could not follow
            return result
        return None if name in ("summary", "save", "save_weights", "load_weights") else UNKNOWN

    def add_weight(self, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        """``self.add_weight(shape=...)`` in a custom layer: a tensor of that shape (Keras 3
        takes the shape first, tf.keras 2 the name first)."""
        shape = kwargs.get("shape")
        if shape is None and args:
            shape = args[0] if not isinstance(args[0], str) else (args[1] if len(args) > 1 else None)
        if shape is None:
            shape = ()  # Keras's default: a scalar weight
        if isinstance(shape, int):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)):
            return UNKNOWN
        dtype = kwargs.get("dtype")
        return self.apply_op("keras.ops.zeros", [tuple(shape)], {"dtype": dtype if isinstance(dtype, str) else
                                                                 "float32"}, node)

    def build_instance(self, inst: Instance, shape: Any, node: cst.CSTNode) -> Any:
        """``model.build(shape)`` on a subclassed model or layer."""
        if shape is UNKNOWN:
            return None
        build = _class_lookup(inst.cls, "build")
        if isinstance(build, FunctionValue):
            # a `build` of the class's own runs with the shape
            if not inst.built:
                inst.built = True
                self.call_function(build, [shape], {}, node, bound=inst, traced=True)
        elif not inst.built:
            inst.built = True
            self.keras_build(inst, shape, node)
        return None

    def keras_build(self, inst: Instance, shape: Any, node: cst.CSTNode) -> None:
        """Keras's own ``build(shape)`` of a subclassed model or layer (``super().build(shape)`` too).

        Keras 3's (and a layer's) only marks it built: ``call`` first runs at the first call with
        data; a functional model is built already. tf.keras 2's ``Model.build`` calls ``call`` on
        placeholders of that shape (a list of shapes: one each; a dict: by key)."""
        if self.engine.keras_version >= 3 or inst.cls.keras_kind != "model" or inst.functional is not None:
            return
        if isinstance(shape, dict):
            inputs: Any = {k: self._placeholder(v, node) for k, v in shape.items()}
            ok = all(isinstance(t, Tensor) for t in inputs.values())
        elif isinstance(shape, list) and shape and all(isinstance(v, (list, tuple)) for v in shape):
            inputs = [self._placeholder(v, node) for v in shape]
            ok = all(isinstance(t, Tensor) for t in inputs)
        else:
            inputs = self._placeholder(shape, node)
            ok = isinstance(inputs, Tensor)
        if ok:
            self.call_instance(inst, [inputs], {}, node)

    def _placeholder(self, shape: Any, node: cst.CSTNode) -> Any:
        """A tensor of a shape given to ``build`` (a tuple or list of ints and ``None``), else unknown."""
        if not isinstance(shape, (tuple, list)) or not all(
                d is None or isinstance(d, (int, dims.Sym)) and not isinstance(d, bool) for d in shape):
            return UNKNOWN
        return self.make_input({"batch_shape": shape}, node)

    def call_model(self, model: ModelValue, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        result = self._call_model(model, args, kwargs, node)
        self.unknowns.value_call("keras.Model", node, args, kwargs, result)  # one Keras call, however it went
        return result

    def _call_model(self, model: ModelValue, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        x = args[0] if args else kwargs.get("inputs", UNKNOWN)
        if _is_data(x):
            return self.training.check(model, "__call__", [x], {}, node)  # run eagerly on data
        if model.kind == "sequential":
            if not model.inputs and isinstance(x, Tensor):
                # An unbuilt Sequential is built by this call: its layers apply here.
                frame = self._frame
                self._frame = Frame(frame.stack, frame.traced, True, frame.instance)
                out: Any = x
                try:
                    for layer in model.layers:
                        out = self.apply_callable(layer, [out], {}, node)
                finally:
                    self._frame = frame
                if isinstance(out, Tensor) and not frame.replay:
                    self.shapes.append(ShapeEntry(self.span(node), "keras.Model", (out.type,), (out.ref,)))
                return out
            return self.replay(model, [x], node, at=self.record_method(model, "__call__", [x], {}, node))
        at = self.record_method(model, "__call__", [x], {}, node)
        flat = _flatten(x)
        if isinstance(x, dict) and model.input_keys is not None:
            if set(x) != set(model.input_keys):
                return UNKNOWN  # (Keras raises: the structures differ)
            flat = [x[k] for k in model.input_keys]
        elif isinstance(x, dict) and all(isinstance(t, Tensor) for t in model.inputs):
            by_name = {self.engine.graph.nodes[t.ref.node].name: t for t in model.inputs}
            if all(k in by_name for k in x):
                flat = [x.get(self.engine.graph.nodes[t.ref.node].name, UNKNOWN) for t in model.inputs]
        if len(flat) != len(model.inputs):
            if all(isinstance(t, Tensor) for t in flat) and flat:
                self.report(Finding(INPUT_COUNT, self.span(node),
                                    f'Functional model "{model.name or "functional"}" expects {len(model.inputs)} '
                                    f"input(s), but it received {len(flat)} input tensors.",
                                    _stack_notes(self._frame.stack), node=at))
            return UNKNOWN
        return self.replay(model, flat, node, at=at)

    # -- the static model.summary() ----------------------------------------
    def record_model(self, model: Any, node: cst.CSTNode) -> None:
        """A model the code builds: once, with the span of its constructor call."""
        if id(model) in self._model_records:
            return
        record = ModelRecord(model, self.span(node), depth=self._maybe)
        self._model_records[id(model)] = record
        self.models.append(record)

    def forget_model(self, model: Any) -> None:
        record = self._model_records.pop(id(model), None)
        if record is not None:
            self.models.remove(record)

    def name_model(self, value: Any, variable: str) -> None:
        """The first name the code binds a model to."""
        record = self._model_records.get(id(value))
        if record is not None and record.variable is None and "?" not in variable:
            record.variable = variable

    def model_changed(self, model: Any) -> None:
        """A model's layers change: uncertain at the end when this may not run."""
        record = self._model_records.get(id(model))
        if record is not None and self._maybe > record.depth:
            record.uncertain = True

    def maybe_built(self, model: Any) -> None:
        record = self._model_records.get(id(model))
        if record is not None:
            record.maybe_built = True

    def run_eagerly(self, model: Any, value: Any) -> None:
        """``compile(run_eagerly=True)``: a model ``fit`` then builds takes the batch size of its
        first batch in its layers' shapes."""
        record = self._model_records.get(id(model))
        if record is not None and value is not False:
            record.eager = True

    def set_trainable(self, obj: Any, value: Any, inside: bool = True) -> None:
        """``x.trainable = value``: which weights train (followed only for known layers and values)."""
        if isinstance(obj, LayerValue) and obj.inner is not None:
            self.trainable_unknown = True  # a layer inside an application model: its counts are not split
        elif isinstance(obj, (LayerValue, ModelValue)) or (isinstance(obj, Instance) and obj.cls.keras_kind):
            known = isinstance(value, bool) and not self._maybe
            self.trainable_sets.append((obj, value if known else UNKNOWN, inside))
        elif obj is not None and not isinstance(obj, (QualName, ClassValue, Instance)):
            self.trainable_unknown = True

    def keras_call(self, obj: Any, args: list, kwargs: dict, result: Any) -> Any:
        """Record a call that Keras's graph holds as one operation (see :class:`KerasCall`)."""
        inputs = [t.ref for t in _flatten(args[0] if args else kwargs.get("inputs", UNKNOWN))
                  if isinstance(t, Tensor)]
        outputs = [t.ref for t in _flatten_sorted(result) if isinstance(t, Tensor)]
        if outputs:
            self.keras_calls.append(KerasCall(obj, inputs, outputs,
                                              inbound=not self._frame.replay and not self._frame.traced))
        return result

    def record_method(self, model: Any, method: str, args: list, kwargs: dict, node: cst.CSTNode,
                      **config: Any) -> Optional[int]:
        """A call of a model's method (``__call__`` on tensors, ``fit``, ``predict``) as an IR node the
        runtime replay can redo; not while the call is itself part of another replay."""
        if self._frame.replay and method == "__call__":
            return None
        ref = self.model_ref(model)
        return self.engine.record(Node(0, f"keras.Model.{method}", "method",
                                       config={"model": ref if ref is not None else UNKNOWN, **config},
                                       args=[self.data_value(a) for a in args],
                                       kwargs={k: self.data_value(v) for k, v in kwargs.items()},
                                       layer_id=getattr(model, "layer_id", None), name=getattr(model, "name", None),
                                       span=self.span(node), call_stack=self._frame.stack))

    def data_value(self, v: Any) -> Any:
        """An argument of a model's method for the IR: arrays as their shapes, tensors as refs."""
        if isinstance(v, Array):
            return ArrayRef(v.type.shape, v.type.dtype)
        if isinstance(v, Dataset):
            return DatasetRef(self.data_value(v.element), v.batched, v.first_batch, v.count)
        if isinstance(v, Tensor):
            return v.ref
        if isinstance(v, list):
            return [self.data_value(x) for x in v]
        if isinstance(v, tuple):
            return tuple(self.data_value(x) for x in v)
        if isinstance(v, dict):
            return {k: self.data_value(x) for k, x in v.items()}
        return self.literal(v, False)

    def replay(self, model: ModelValue, inputs: list, node: cst.CSTNode, check: bool = True,
               on_data: bool = False, at: Optional[int] = None) -> Any:
        """Apply a model's graph to new inputs: the same layers (same weights), a new call;
        ``check=False`` when the caller has already checked the inputs against the model's;
        ``on_data`` when data flows (``fit``, ``predict``): every layer then checks its weights."""
        if not model.inputs or model.outputs is None:
            return UNKNOWN
        mapping: dict[TensorRef, Any] = {}
        for index, (src, new) in enumerate(zip(model.inputs, inputs)):
            if not isinstance(src, Tensor):
                return UNKNOWN
            if isinstance(new, Tensor) and check:
                new = self.check_model_input(model, index, src, new, node, at)
            mapping[src.ref] = new
        out_refs = [t.ref for t in _flatten(model.outputs) if isinstance(t, Tensor)]
        needed = self.subgraph(out_refs, set(mapping))
        graph = self.engine.graph
        span = self.span(node)
        frame = self._frame
        self._frame = Frame(frame.stack, frame.traced, True, frame.instance)
        try:
            for nid in needed:
                old = graph.nodes[nid]
                if old.kind == "input":
                    continue
                if self.engine.results[nid].finding is not None:
                    # Reported where the model was defined; its outputs are unknown there too.
                    continue

                def remap(v: Any) -> Any:
                    if isinstance(v, TensorRef):
                        new = mapping.get(v)
                        return new.ref if isinstance(new, Tensor) else UNKNOWN
                    if isinstance(v, list):
                        return [remap(a) for a in v]
                    if isinstance(v, tuple):
                        return tuple(remap(a) for a in v)
                    if isinstance(v, dict):
                        return {k: remap(a) for k, a in v.items()}
                    return v

                new_node = Node(0, old.op, old.kind, old.config, remap(old.args), remap(old.kwargs),
                                old.layer_id, old.name, span, frame.stack, traced=True, replay=not on_data)
                result = self.add_node(new_node)
                for i, t in enumerate(result.outputs):
                    mapping[TensorRef(nid, i)] = Tensor(TensorRef(new_node.id, i), t)
        finally:
            self._frame = frame
        out = _map_structure(model.outputs, lambda t: mapping.get(t.ref, UNKNOWN) if isinstance(t, Tensor) else UNKNOWN)
        if not frame.replay:
            tensors = [t for t in _flatten(out) if isinstance(t, Tensor)]
            if tensors:
                self.shapes.append(ShapeEntry(span, "keras.Model", tuple(t.type for t in tensors),
                                              tuple(t.ref for t in tensors)))
        return out

    def input_name(self, t: Tensor) -> str:
        return self.engine.graph.nodes[t.ref.node].name or self._input_names.get(t.ref.node, "input_layer")

    def check_model_input(self, model: ModelValue, index: int, src: Tensor, new: Tensor,
                          node: cst.CSTNode, at: Optional[int] = None) -> Any:
        """A model's input spec (its ``Input`` shapes, any batch, a trailing 1 squeezed away),
        then ``Functional._adjust_input_rank``: squeeze or expand a trailing 1, else reject."""
        want, got = src.type.shape, new.type.shape
        if want is None or got is None:
            return new
        spec = (None, *want[1:]) if want else want
        expected, found = list(spec), list(got)
        for axes in (expected, found):
            if axes and axes[-1] == 1:
                axes.pop()
        if self.engine.keras_version >= 3 and any(dims.differs(a, b) for a, b in zip(expected, found)):
            # (tf.keras 2 has no such check: the model's first layer that cares rejects it.)
            name = self.input_name(src)
            notes = (Note(self.engine.graph.nodes[src.ref.node].span or self.span(node),
                          f"the model's input '{name}' is declared here with shape {show_shape(want)}"),)
            code = AXIS_MISMATCH if len(expected) == len(found) else RANK_MISMATCH
            self.report(Finding(code, self.span(node),
                                f"Input {index} with name '{name}' of layer '{model.name or 'functional'}' is "
                                f"incompatible with the layer: expected shape={show_shape(spec)}, found "
                                f"shape={show_shape(got)}", notes + _stack_notes(self._frame.stack), node=at))
            return UNKNOWN
        if len(want) == len(got):
            return new
        if len(got) == len(want) + 1 and got[-1] == 1:
            return self.apply_op("keras.ops.squeeze", [new], {"axis": -1}, node)
        if len(got) == len(want) - 1 and want[-1] == 1:
            return self.apply_op("keras.ops.expand_dims", [new], {"axis": -1}, node)
        if self.engine.keras_version < 3:
            return new  # tf.keras 2 passes it on as it is (with a warning)
        name = self.input_name(src)
        self.report(Finding(RANK_MISMATCH, self.span(node),
                            f"Invalid input shape for input with name '{name}'. Expected shape {show_shape(want)}, "
                            f"but input has incompatible shape {show_shape(got)}", _stack_notes(self._frame.stack),
                            node=at))
        return UNKNOWN

    def subgraph(self, out_refs: list[TensorRef], stop: set[TensorRef]) -> list[int]:
        graph = self.engine.graph
        seen: set[int] = set()
        todo = [r.node for r in out_refs if r not in stop]
        stop_nodes = {r.node for r in stop}
        while todo:
            nid = todo.pop()
            if nid in seen or nid in stop_nodes:
                continue
            seen.add(nid)
            for r in graph.nodes[nid].tensor_refs():
                if r not in stop:
                    todo.append(r.node)
        return sorted(seen)


# ---------------------------------------------------------------- helpers
def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return "?"


def _decorator_name(d: cst.Decorator) -> str:
    expr = d.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    return _dotted(expr)


def _keras_kind(base: Any) -> Optional[str]:
    if isinstance(base, QualName):
        name = names.canonical(base.name)
        if name in (names.MODEL, names.SEQUENTIAL):
            return "model"
        if name.startswith("keras.layers."):
            return "layer"
        return None
    if isinstance(base, ClassValue):
        return base.keras_kind
    return None


#: decorators of tests that leave the function as it is, for a test runner to call with parameters
#: (``pytest.mark.parametrize``, ``parameterized.named_parameters``, ``pytest.fixture``); not those
#: that skip a test or expect it to fail (it may fail where it is skipped)
_TEST_DECORATORS = frozenset({"parametrize", "parameters", "named_parameters", "product", "expand", "fixture"})


def _is_test_class(cls: ClassValue) -> bool:
    """A class a test runner collects: a subclass of a ``TestCase`` (``unittest``'s, ``absltest``'s,
    ``tf.test``'s, ``parameterized``'s ...), or a pytest ``Test*`` class without bases."""
    if not cls.bases:
        return cls.name.startswith("Test") and "__init__" not in cls.attrs
    return any(isinstance(b, QualName) and b.name.rsplit(".", 1)[-1] == "TestCase"
               or isinstance(b, ClassValue) and _is_test_class(b) for b in cls.bases)


def _method_names(cls: ClassValue) -> list[str]:
    """The names of the methods a class defines or inherits from the analysed code's classes."""
    found = [n for n, v in cls.attrs.items() if isinstance(v, FunctionValue)]
    for b in cls.bases:
        if isinstance(b, ClassValue):
            found += [n for n in _method_names(b) if n not in found]
    return found


def _class_lookup(cls: ClassValue, attr: str) -> Any:
    if attr in cls.attrs:
        return cls.attrs[attr]
    for b in cls.bases:
        if isinstance(b, ClassValue):
            v = _class_lookup(b, attr)
            if v is not None:
                return v
    return None


def _truth(v: Any) -> Optional[bool]:
    if v is UNKNOWN or isinstance(v, (Tensor, SymValue, dims.Sym, QualName, BoundMethod)):
        return None
    if isinstance(v, (bool, int, float, str, list, tuple, dict, type(None), range)):
        return bool(v)
    if isinstance(v, (LayerValue, ModelValue, FunctionValue, ClassValue, Instance, Namespace, ArgParser)):
        return True
    return None


def _is_builtin(v: Any, name: str) -> bool:
    return isinstance(v, Builtin) and v.name == name


def _index_key(index: Any) -> Any:
    """A subscript of a tensor as the rule takes it: a value that surely is an int but is not known
    (:class:`SymValue` ``integer``) as its symbolic size; another symbolic value (a parameter, which
    may be a slice or a list) makes the key unknown."""
    items = index if isinstance(index, tuple) else (index,)
    if not any(isinstance(k, SymValue) for k in items):
        return index
    if not all(k.integer for k in items if isinstance(k, SymValue)):
        return UNKNOWN
    out = tuple(k.expr if isinstance(k, SymValue) else k for k in items)
    return out if isinstance(index, tuple) else out[0]


def _hashable(v: Any) -> bool:
    return isinstance(v, (bool, int, float, str, type(None), CounterName)) or (
        isinstance(v, tuple) and all(_hashable(x) for x in v))


def _holds(v: Any, kind: type) -> bool:
    """Whether ``v`` is, or holds in a list, tuple or dict, a value of ``kind``."""
    if isinstance(v, kind):
        return True
    if isinstance(v, (list, tuple)):
        return any(_holds(x, kind) for x in v)
    if isinstance(v, dict):
        return any(_holds(x, kind) for x in v.values())
    return False


def _has_tensor(v: Any) -> bool:
    return _holds(v, Tensor)


def _flatten_with_path(v: Any, path: tuple = ()) -> list[tuple[str, Any]]:
    """``keras.tree.flatten_with_path`` with the path joined by dots (dict keys sorted)."""
    if isinstance(v, (list, tuple)):
        return [p for i, x in enumerate(v) for p in _flatten_with_path(x, (*path, i))]
    if isinstance(v, dict):
        return [p for k in sorted(v, key=str) for p in _flatten_with_path(v[k], (*path, k))]
    return [(".".join(str(p) for p in path), v)]


def _flatten_sorted(v: Any) -> list:
    """As Keras's ``tree.flatten``: dicts by sorted keys."""
    if isinstance(v, (list, tuple)):
        return [x for e in v for x in _flatten_sorted(e)]
    if isinstance(v, dict):
        try:
            keys = sorted(v)
        except TypeError:
            keys = list(v)
        return [x for k in keys for x in _flatten_sorted(v[k])]
    return [v]


def _flatten(v: Any) -> list:
    if isinstance(v, (list, tuple)):
        out: list = []
        for x in v:
            out.extend(_flatten(x))
        return out
    if isinstance(v, dict):
        return _flatten(list(v.values()))
    return [v]


def _map_structure(v: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(v, list):
        return [_map_structure(x, fn) for x in v]
    if isinstance(v, tuple):
        return tuple(_map_structure(x, fn) for x in v)
    if isinstance(v, dict):
        return {k: _map_structure(x, fn) for k, x in v.items()}
    return fn(v)


def _shape_value(d: dims.Dim) -> Any:
    """A dim as code sees it through ``x.shape[i]``."""
    return d


def _bind(params: tuple[str, ...], args: list, kwargs: dict) -> dict:
    bound = dict(zip(params, args))
    if len(args) > len(params):
        bound["__extra_args__"] = list(args[len(params):])
    bound.update(kwargs)
    return bound


def _declared_input(layer: Any, keras_version: int = 3) -> Optional[dict]:
    """``input_shape=`` / ``input_dim=`` / ``batch_input_shape=`` on a Sequential's first layer."""
    if not isinstance(layer, LayerValue):
        return None
    cfg = layer.config
    batch = cfg.get("batch_size")
    if "batch_input_shape" in cfg:
        return {"batch_shape": cfg["batch_input_shape"]}
    if "input_shape" in cfg:
        return {"shape": cfg["input_shape"], "batch_size": batch}
    if layer.class_name == "Embedding":
        # Its `input_dim` is the vocabulary. tf.keras 2 gives it the input (input_length,)
        # or (None,); Keras 3 ignores `input_length`.
        if keras_version >= 3:
            return None
        length = cfg.get("input_length")
        return {"shape": (length if isinstance(length, int) else None,), "batch_size": batch}
    if "input_dim" in cfg:
        dim = cfg["input_dim"]
        length = cfg.get("input_length")
        return {"shape": (length, dim) if "input_length" in cfg else (dim,), "batch_size": batch}
    return None


def _isinstance(v: Any, cls: Any) -> Any:
    table = {"int": int, "float": float, "str": str, "list": list, "tuple": tuple, "dict": dict, "bool": bool}
    if isinstance(cls, Builtin) and cls.name in table and is_literal(v) or isinstance(v, dict):
        if isinstance(cls, Builtin) and cls.name in table:
            return isinstance(v, table[cls.name])
    if isinstance(cls, tuple) and all(isinstance(c, Builtin) and c.name in table for c in cls) and is_literal(v):
        return isinstance(v, tuple(table[c.name] for c in cls))
    return UNKNOWN


def _same_value(a: Any, b: Any) -> bool:
    """The same abstract value: tensors of one type, or equal plain values."""
    if a is b:
        return True
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        x, y = a.type, b.type
        if x.dtype != y.dtype or (x.shape is None) != (y.shape is None):
            return False
        if x.shape is None or y.shape is None:
            return True
        # Two fresh unknown axes are the same abstract value.
        return len(x.shape) == len(y.shape) and all(
            d == e or (isinstance(d, dims.Sym) and d.opaque and isinstance(e, dims.Sym) and e.opaque)
            for d, e in zip(x.shape, y.shape))
    if isinstance(a, (list, tuple)) and type(a) is type(b) and len(a) == len(b):
        return all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float, str, bool)) and type(a) is type(b):
        return a == b
    return False


#: exceptions that never catch what Keras raises for a shape (ValueError, TypeError, TensorFlow's errors)
_UNRELATED_EXCEPTIONS = frozenset({
    "ImportError", "ModuleNotFoundError", "KeyError", "IndexError", "AttributeError", "NameError",
    "FileNotFoundError", "OSError", "IOError", "StopIteration", "ZeroDivisionError", "AssertionError",
    "KeyboardInterrupt", "SystemExit", "NotImplementedError", "UnicodeDecodeError", "json.JSONDecodeError",
})


def _expects_error(item: cst.BaseExpression) -> bool:
    """A context manager that catches what its block raises: ``pytest.raises(...)``,
    ``self.assertRaises(...)`` / ``assertRaisesRegex``, ``np.testing.assert_raises``,
    ``contextlib.suppress(...)``."""
    if not isinstance(item, cst.Call):
        return False
    name = (_dotted(item.func) or "").rsplit(".", 1)[-1].lower()
    return "raises" in name or name == "suppress"


def _may_catch_keras_errors(handler: Any) -> bool:
    if handler.type is None:
        return True  # a bare except
    kinds = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    for k in kinds:
        name = get_full_name_for_node(k.value if isinstance(k, cst.Element) else k)
        if name is None or name not in _UNRELATED_EXCEPTIONS:
            return True
    return False


def _is_data(x: Any) -> bool:
    """Data (NumPy arrays, alone or in a list or dict), not Keras tensors."""
    if isinstance(x, Array):
        return True
    values = list(x.values()) if isinstance(x, dict) else (list(x) if isinstance(x, (list, tuple)) else [])
    return bool(values) and all(isinstance(v, Array) for v in values)


#: the functions that set Keras's global dtype policy, the policies followed, and the policy classes
_SET_POLICY = frozenset({"keras.mixed_precision.set_global_policy", "keras.mixed_precision.set_dtype_policy",
                         "keras.config.set_dtype_policy"})
_POLICIES = frozenset({"float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16"})
_POLICY_CLASSES = frozenset({"keras.mixed_precision.Policy", "keras.mixed_precision.DTypePolicy", "keras.DTypePolicy",
                             "keras.dtype_policies.DTypePolicy"})


def _positions(module: cst.Module) -> Any:
    """libcst's ``PositionProvider`` ranges of every node of ``module``.

    What ``MetadataWrapper(module).resolve(PositionProvider)`` returns, computed by the same code
    (the provider's ``_gen_impl``, one code generation with positions), without the wrapper's
    extra traversal of the whole module (``visit_batched`` with no batchable provider, run even
    when none is asked): that traversal cost as much as the positions themselves."""
    provider = PositionProvider()
    try:
        provider._gen_impl(module)
    except AttributeError:  # a libcst without this private route: the public one
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return provider._computed


def _is_generator(fn: cst.FunctionDef) -> bool:
    class Finder(cst.CSTVisitor):
        found = False

        def visit_Yield(self, node: cst.Yield) -> None:
            self.found = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is fn

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    finder = Finder()
    fn.visit(finder)
    return finder.found


def _same_finding(f: Finding, others: list[Finding]) -> bool:
    return any(f.code is g.code and f.span == g.span and f.message == g.message for g in others)


def _show_literal(v: Any) -> str:
    return repr(v) if is_literal(v) else "..."


def _stack_notes(stack: tuple[Span, ...]) -> tuple[Note, ...]:
    return tuple(Note(s, CALL_SITE) for s in reversed(stack))

