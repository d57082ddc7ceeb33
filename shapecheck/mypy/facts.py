"""What the plugin needs from shapecheck's analysis of one file, arranged for mypy's hooks.

A hook fires at one call expression while mypy checks one function (or a module or class
body).  It reports every finding of that function, and gives a call the shape shapecheck
inferred there.  Findings are grouped by the innermost ``def`` that contains them, so that a
finding is reported while mypy checks that function (and attributed to it, which dmypy's
fine-grained mode needs), whatever call it sits on.
"""

from __future__ import annotations

import ast
import bisect
import os
from dataclasses import dataclass, field
from typing import Iterator, Optional

from ..api import Options, read_source
from ..core.findings import FILE_ERRORS, INTERNAL_ERROR, Finding, Span
from ..core.shapes import show_type
from ..runner import check_source_cached
from .options import PluginOptions


@dataclass
class FileFacts:
    """One file's findings by enclosing function, and its call shapes by position."""

    #: the ``def`` line of the innermost function around a finding; ``None``: module or class body
    findings: dict[Optional[int], list[Finding]] = field(default_factory=dict)
    #: (line, 0-based column) of a layer or op call -> the shape of its one output;
    #: ``None`` where it is unknown or differs between the times the call runs
    shapes: dict[tuple[int, int], Optional[str]] = field(default_factory=dict)


def analyse(path: str, options: PluginOptions) -> Optional[FileFacts]:
    """The facts of the file at ``path``; ``None`` when it cannot be read (mypy says why)."""
    try:
        source = read_source(path)
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
        return None
    try:
        return facts_of(source, path, options)
    except Exception as e:  # noqa: BLE001 - a bug of ours must not stop mypy
        message = f"shapecheck failed on this file; please report it: {type(e).__name__}: {e}"
        return FileFacts(findings={None: [Finding(INTERNAL_ERROR, Span(path, 1, 1, 1, 1), message)]})


def facts_of(source: str, path: str, options: PluginOptions) -> FileFacts:
    # through the command's cache of results: a file mypy checks again unchanged is not analysed again
    result = check_source_cached(source, path, Options(keras_version=options.keras_version, rules=options.rules))
    facts = FileFacts()
    try:
        tree: Optional[ast.Module] = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    functions = _functions(tree) if tree is not None else []
    for f in result.findings:
        # mypy itself reports a file it cannot read or parse
        if f.code.name in FILE_ERRORS:
            continue
        facts.findings.setdefault(_innermost(functions, f.span.line), []).append(f)
    lines = source.splitlines()
    seen: dict[tuple[int, int], set[Optional[str]]] = {}
    for entry in result.shapes:
        span, outputs = entry["span"], entry["outputs"]
        # the dtype follows the shape where it is not float32: KerasTensor[(None, 1) string]
        text = show_type(outputs[0]) if len(outputs) == 1 and outputs[0].shape is not None else None
        for key in _positions(lines, span.line, span.column - 1):
            seen.setdefault(key, set()).add(text)
    facts.shapes = {key: next(iter(texts)) if len(texts) == 1 else None for key, texts in seen.items()}
    if tree is not None:
        for line, column in _first_of_several_shapes(tree, lines, facts.shapes):
            for key in _positions(lines, line, column):
                facts.shapes[key] = None
    return facts


def _first_of_several_shapes(tree: ast.Module, lines: list[str],
                             shapes: dict[tuple[int, int], Optional[str]]) -> Iterator[tuple[int, int]]:
    """The calls whose tensor a name is first bound to, when the name is bound again in its scope
    to something else (``x = keras.Input(...)``; ``x = Conv2D(...)(x)``).

    mypy gives a variable the type of its first assignment wherever the flow does not narrow it
    (another module, a function reading the global), so that type must not be the first shape:
    it is an unshaped tensor, and each later assignment narrows it where mypy follows the flow."""
    for scope in ast.walk(tree):
        if not isinstance(scope, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        # a parameter is declared by its annotation (or is Any): assignments only narrow it
        parameters = {a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg)} \
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) else set()
        bindings: dict[str, list[ast.Name]] = {}
        calls: dict[int, ast.Call] = {}  # a plain `name = call(...)`: the name node -> the call
        for node in _own_nodes(scope):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in parameters:
                bindings.setdefault(node.id, []).append(node)
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                  and isinstance(node.value, ast.Call)):
                calls[id(node.targets[0])] = node.value
        for nodes in bindings.values():
            if len(nodes) < 2:
                continue
            values = [calls.get(id(n)) for n in sorted(nodes, key=lambda n: (n.lineno, n.col_offset))]
            first = values[0]
            if first is None:
                continue
            known = [None if v is None else shapes.get((v.lineno, v.col_offset)) for v in values]
            if None in known or len(set(known)) > 1:
                text = lines[first.lineno - 1].encode("utf-8")[: first.col_offset]
                yield first.lineno, len(text.decode("utf-8", "replace"))


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a scope's body, not those of the functions, classes, lambdas and
    comprehensions inside it (their names are their own)."""
    stack = list(reversed(scope.body))  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(reversed(node.decorator_list))  # evaluated in this scope; the name binds here
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _functions(tree: ast.Module) -> list[tuple[int, int, int]]:
    """(first line, last line, ``def`` line) of every function, sorted by first line."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((node.lineno, node.end_lineno or node.lineno, node.lineno))
    return sorted(out)


def _innermost(functions: list[tuple[int, int, int]], line: int) -> Optional[int]:
    """The ``def`` line of the innermost function whose body holds ``line``."""
    best = None
    for start, end, def_line in functions[: bisect.bisect_right(functions, (line, 1 << 30, 0))]:
        if start <= line <= end:
            best = def_line  # sorted by start: a later match is nested deeper
    return best


def _positions(lines: list[str], line: int, column: int) -> set[tuple[int, int]]:
    """The call's position (0-based column in characters) as mypy may say it after non-ASCII
    text on its line: characters, UTF-8 bytes (CPython's ``col_offset``), or, in mypy 2.4,
    characters less the extra bytes."""
    keys = {(line, column)}
    if 0 < line <= len(lines):
        extra = len(lines[line - 1][:column].encode("utf-8")) - column
        keys |= {(line, column + extra), (line, column - extra)}
    return keys


class FactsCache:
    """Each file analysed once per content: a dmypy server sees the same file many times."""

    def __init__(self, options: PluginOptions, size: int = 512) -> None:
        self.options = options
        self.size = size
        self._entries: dict[str, tuple[tuple[int, int], Optional[FileFacts]]] = {}

    def get(self, path: str) -> Optional[FileFacts]:
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        hit = self._entries.get(path)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        facts = analyse(path, self.options)
        if len(self._entries) >= self.size:
            self._entries.pop(next(iter(self._entries)))
        self._entries[path] = (stamp, facts)
        return facts
