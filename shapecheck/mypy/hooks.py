"""The plugin class: hooks that only dispatch to :mod:`.facts` and :mod:`.types`.

(Not `plugin.py`: importing a submodule of that name would replace the package's `plugin`
entry point with the module.)
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, Union

from mypy.nodes import Context, FuncItem, Import, ImportAll, ImportFrom, LambdaExpr, MypyFile
from mypy.plugin import FunctionContext, MethodContext, Plugin, ReportConfigContext
from mypy.types import Type

from .. import __version__
from ..api import KERAS_PACKAGES
from ..core.findings import Finding, Span
from .codes import sub_code
from .facts import FactsCache, FileFacts
from .options import ConfigError, PluginOptions, read
from .types import is_keras_tensor, is_tensor_slot, tensor_type

CallContext = Union[FunctionContext, MethodContext]

#: a number's operators, whose right operand may be a tensor (``int.__pow__`` is mypy's own hook)
_NUMBER_OPERATORS = frozenset(
    f"builtins.{number}.__{op}__" for number in ("int", "float")
    for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "and", "or", "xor", "lt", "le", "gt", "ge"))

#: calls into these packages are hooked wherever they are made (NumPy: data for fit/predict)
_HOOKED_PACKAGES = KERAS_PACKAGES | {"numpy"}


class ShapecheckPlugin(Plugin):
    def __init__(self, options) -> None:  # type: ignore[no-untyped-def]
        super().__init__(options)
        try:
            self.settings = read(options.config_file)
        except ConfigError as e:
            # As mypy treats a bad value in its own sections: say so, go on with the defaults.
            print(f"{e} (shapecheck.mypy goes on with its defaults)", file=sys.stderr)
            self.settings = PluginOptions()
        self.facts = FactsCache(self.settings)
        #: the modules of this run that import Keras or TensorFlow: calls to their functions are hooked
        self.keras_modules: set[str] = set()

    # -- what mypy asks -------------------------------------------------------------------

    def report_config_data(self, ctx: ReportConfigContext) -> dict:
        # A new shapecheck or other settings invalidate mypy's cache of every module.
        return {"shapecheck": __version__, **self.settings.to_json()}

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        packages = _imported_packages(file)
        if not packages & KERAS_PACKAGES:
            return []
        self.keras_modules.add(file.fullname)
        # KerasTensor lives in the keras stubs: load them for tf.keras and tf_keras code too.
        return [] if "keras" in packages else [(10, "keras", -1)]

    def get_function_hook(self, fullname: str) -> Optional[Callable[[FunctionContext], Type]]:
        return self._on_call if self._hooked(fullname) else None

    def get_method_hook(self, fullname: str) -> Optional[Callable[[MethodContext], Type]]:
        if fullname in _NUMBER_OPERATORS:
            return self._on_number_operator
        return self._on_call if self._hooked(fullname) else None

    # -- dispatch -------------------------------------------------------------------------

    def _hooked(self, fullname: str) -> bool:
        if fullname.partition(".")[0] in _HOOKED_PACKAGES:
            return True
        module = fullname.rpartition(".")[0]
        # a function of a module that uses Keras, or a method of a class defined there
        return module in self.keras_modules or module.rpartition(".")[0] in self.keras_modules

    def _on_call(self, ctx: CallContext) -> Type:
        facts = self._facts(ctx)
        if facts is None:
            return ctx.default_return_type
        findings = facts.findings.get(_function_line(ctx), ())
        if findings:
            with _outside_trials(ctx):
                for finding in findings:
                    _report(ctx, finding)
        if is_tensor_slot(ctx.default_return_type):
            shape = facts.shapes.get((ctx.context.line, ctx.context.column))
            if shape is not None:
                return tensor_type(ctx.api, shape) or ctx.default_return_type
        return ctx.default_return_type

    def _on_number_operator(self, ctx: MethodContext) -> Type:
        """``1 - x``: mypy tries ``int.__sub__`` first, and a ``KerasTensor`` (an ``Any``
        subclass) passes for an int; Python calls ``x.__rsub__``, which gives a tensor."""
        if not any(is_keras_tensor(t) for types in ctx.arg_types for t in types):
            return ctx.default_return_type
        facts = self._facts(ctx)
        shape = facts.shapes.get((ctx.context.line, ctx.context.column)) if facts is not None else None
        return tensor_type(ctx.api, shape) or ctx.default_return_type

    def _facts(self, ctx: CallContext) -> Optional[FileFacts]:
        path = getattr(ctx.api, "path", None)
        tree = getattr(ctx.api, "tree", None)
        if not path or tree is None or tree.fullname not in self.keras_modules:
            return None
        # By the file's stamp, not mypy's tree: dmypy merges an edited file into the old tree.
        return self.facts.get(path)


@contextmanager
def _outside_trials(ctx: CallContext) -> Iterator[None]:
    """Report as if no error watcher were active.

    mypy checks an expression inside watchers when it tries alternatives (an assignment with
    and without its declared type; ``float.__mul__``, then ``ndarray.__rmul__``) and judges
    each by the errors it reports: a finding reported inside would fail the trial and change
    the user's types, or be dropped with it.  A finding does not depend on mypy's types, so it
    goes straight to mypy's list of errors (which drops repeats)."""
    errors = ctx.api.msg.errors
    watchers = getattr(errors, "_watchers", None)
    if not watchers:
        yield
        return
    errors._watchers = []
    try:
        yield
    finally:
        errors._watchers = watchers


def _function_line(ctx: CallContext) -> Optional[int]:
    """The ``def`` line of the function mypy is checking (``None``: a module or class body)."""
    scope = getattr(ctx.api, "scope", None)
    for item in reversed(getattr(scope, "stack", ())):
        if isinstance(item, FuncItem) and not isinstance(item, LambdaExpr):
            return item.line
    return None


def _report(ctx: CallContext, finding: Finding) -> None:
    """One finding as mypy's error (a note below error level) at its own line and column, its
    notes on the same line, so that one ``# type: ignore`` silences them all."""
    span = finding.span
    where = Context(span.line, span.column - 1)
    where.end_line, where.end_column = span.end_line, span.end_column - 1
    code = sub_code(finding.code)
    # mypy's output is one line per message: Keras's further lines become notes
    first, *more = finding.message.splitlines() or [""]
    if finding.level == "error":
        ctx.api.fail(first, where, code=code)
    else:
        ctx.api.msg.note(f"{finding.level}: {first}", where, code=code)
    for line in more:
        if line.strip():
            ctx.api.msg.note(line.strip(), where, code=code)
    for note in finding.notes:
        ctx.api.msg.note(_note_text(note.message, note.span, span.path), where, code=code)


def _note_text(message: str, span: Span, path: str) -> str:
    """A note shown at its finding's line says where it points: "... created at line 13"."""
    place = f"line {span.line}" if span.path == path else f"{span.path}:{span.line}"
    text, n = _HERE.subn(f" at {place}", message, count=1)
    return text if n else f"{message} ({place})"


_HERE = re.compile(r" here\b")


def _imported_packages(file: MypyFile) -> set[str]:
    found = set()
    for imp in file.imports:
        if isinstance(imp, Import):
            found.update(name.partition(".")[0] for name, _ in imp.ids)
        elif isinstance(imp, (ImportFrom, ImportAll)) and not imp.relative:
            found.add(imp.id.partition(".")[0])
    return found
