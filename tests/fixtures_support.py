"""Fixture programs and their inline expectations; also the runner that executes them under Keras.

A fixture is a whole Keras program under ``fixtures/`` (``valid/``, ``invalid/``, ``demo/``).
Two kinds of trailing comment state what must happen:

* ``# error: [rank-mismatch]`` on the line where the failing call expression starts: shapecheck
  reports exactly that finding name there, and Keras raises with the innermost traceback frame
  of the fixture on that line. A file has at most one (Keras stops at the first error).
* ``# shape: (None, 13, 13, 8)`` on the first line of an assignment ``x = ...``: the tensor
  assigned there has that shape, every time the line runs. For a tuple target
  ``out, h, c = ...`` the comment lists one shape per name: ``# shape: [(None, 8), (None, 8), (None, 8)]``.
  Shapes are Python literals (``None`` for an axis Keras leaves undefined).

Run as ``python -m tests.fixtures_support OUT.json FIXTURE...`` (from the repository root) it
executes each fixture under Keras in this one process and writes, per fixture, the exception
that escaped (type, message, innermost line inside the fixture) and the shapes that the
annotated assignments received.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
KINDS = ("valid", "invalid", "demo")

Shape = tuple  # of int | None
ShapeSpec = Union[Shape, list]  # one shape, or one per name of a tuple target

_ERROR = re.compile(r"#\s*error:\s*\[([a-z0-9-]+)\]")
_SHAPE = re.compile(r"#\s*shape:\s*(.+?)\s*$")


@dataclass(frozen=True)
class ShapeExpectation:
    line: int
    targets: tuple[str, ...]  # one name, or the names of a tuple target
    expected: ShapeSpec
    end_line: int  # the assignment statement spans line..end_line

    @property
    def is_tuple(self) -> bool:
        return isinstance(self.expected, list)


@dataclass
class Fixture:
    path: Path
    errors: dict[int, str] = field(default_factory=dict)  # line -> finding name
    shapes: list[ShapeExpectation] = field(default_factory=list)

    @property
    def rel(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    @property
    def kind(self) -> str:
        return self.path.parent.name

    @property
    def error_line(self) -> Optional[int]:
        return min(self.errors) if self.errors else None


class AnnotationError(ValueError):
    """An expectation comment that cannot be understood: a broken fixture, not a broken checker."""


def all_fixtures() -> list[Fixture]:
    paths = sorted(p for kind in KINDS for p in (FIXTURES / kind).glob("*.py"))
    return [parse(p) for p in paths]


def parse(path: Path) -> Fixture:
    source = path.read_text()
    fixture = Fixture(path)
    assignments = _assignments(ast.parse(source, str(path)))
    for number, text in enumerate(source.splitlines(), start=1):
        comment = _comment(text)
        if comment is None:
            continue
        error = _ERROR.search(comment)
        if error:
            fixture.errors[number] = error.group(1)
        shape = _SHAPE.search(comment)
        if shape:
            fixture.shapes.append(_shape_expectation(path, number, shape.group(1), assignments))
    return fixture


def _comment(line: str) -> Optional[str]:
    # No fixture puts a '#' inside a string on an annotated line, so the first '#' starts the
    # comment; it may hold both expectations ("# shape: ...  # error: [...]").
    index = line.find("#")
    return None if index < 0 else line[index:]


def _assignments(tree: ast.AST) -> dict[int, ast.Assign]:
    return {node.lineno: node for node in ast.walk(tree) if isinstance(node, ast.Assign)}


def _shape_expectation(path: Path, line: int, text: str, assignments: dict[int, ast.Assign]) -> ShapeExpectation:
    text = _ERROR.sub("", text).strip()
    where = f"{path}:{line}"
    node = assignments.get(line)
    if node is None or len(node.targets) != 1:
        raise AnnotationError(f"{where}: '# shape:' must end the first line of a single assignment")
    try:
        expected = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise AnnotationError(f"{where}: cannot read shape {text!r}: {exc}") from None
    target = node.targets[0]
    if isinstance(target, ast.Name):
        names: tuple[str, ...] = (target.id,)
        _check_shape(where, expected)
    elif isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
        names = tuple(e.id for e in target.elts)  # type: ignore[attr-defined]
        if not isinstance(expected, list) or len(expected) != len(names):
            raise AnnotationError(f"{where}: a tuple target needs a list of {len(names)} shapes")
        for one in expected:
            _check_shape(where, one)
    else:
        raise AnnotationError(f"{where}: '# shape:' needs a name or a tuple of names as target")
    return ShapeExpectation(line, names, expected, node.end_lineno or line)


def _check_shape(where: str, shape: Any) -> None:
    if not isinstance(shape, tuple) or not all(d is None or isinstance(d, int) for d in shape):
        raise AnnotationError(f"{where}: a shape is a tuple of ints and None, got {shape!r}")


def show(shape: Any) -> str:
    """A shape the way Keras prints it: ``(None, 28, 28)``; several shapes as a list."""
    if isinstance(shape, list):
        return "[" + ", ".join(show(s) for s in shape) + "]"
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


# --------------------------------------------------------------------------- the Keras runner


def _tensor_shape(value: Any) -> Any:
    shape = getattr(value, "shape", None)
    if shape is None:
        return f"<no shape: {type(value).__name__}>"
    as_list = getattr(shape, "as_list", None)  # a tf.TensorShape
    dims = as_list() if as_list is not None else shape
    return [None if d is None else int(d) for d in dims]


class _ShapeRecorder:
    """Line tracer: once an annotated assignment has run in a frame, read its targets from that frame."""

    def __init__(self, path: str, expectations: list[ShapeExpectation]) -> None:
        self.path = path
        self.by_line = {e.line: e for e in expectations}
        self.pending: dict[int, ShapeExpectation] = {}  # id(frame) -> the statement that just started
        self.seen: dict[int, list] = {}  # line -> shapes seen, one entry per execution

    def global_trace(self, frame, event, arg):
        if event == "call" and frame.f_code.co_filename == self.path:
            return self.local_trace
        return None

    def local_trace(self, frame, event, arg):
        key = id(frame)
        pending = self.pending.get(key)
        if pending is not None and event == "exception":
            del self.pending[key]  # the statement raised: its target was never assigned
            pending = None
        # A multi-line statement fires line events inside its own span; it has run only once
        # the frame moves past it (or returns).
        if pending is not None and (event == "return" or not pending.line <= frame.f_lineno <= pending.end_line):
            del self.pending[key]
            self._record(frame, pending)
        if event == "line" and frame.f_lineno in self.by_line and key not in self.pending:
            self.pending[key] = self.by_line[frame.f_lineno]
        return self.local_trace

    def _record(self, frame, expectation: ShapeExpectation) -> None:
        values = [frame.f_locals.get(name, "<unbound>") for name in expectation.targets]
        shapes = [_tensor_shape(v) for v in values]
        self.seen.setdefault(expectation.line, []).append(shapes if expectation.is_tuple else shapes[0])


def _innermost_line(tb, path: str) -> Optional[int]:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def run_one(path: Path) -> dict:
    """Execute one fixture as ``__main__``; what escaped, and the annotated shapes."""
    import contextlib
    import io
    import runpy
    import signal

    import keras

    fixture = parse(path)
    recorder = _ShapeRecorder(str(path), fixture.shapes)
    result: dict = {"path": fixture.rel, "error": None}
    keras.backend.clear_session()  # fresh auto-generated layer names for every fixture

    def timeout(signum, frame):
        raise TimeoutError("fixture ran for more than 60 s")

    signal.signal(signal.SIGALRM, timeout)
    signal.alarm(60)
    output = io.StringIO()
    sys.settrace(recorder.global_trace)
    try:
        with contextlib.redirect_stdout(output):
            runpy.run_path(str(path), run_name="__main__")
    except BaseException as exc:  # noqa: BLE001 - everything a fixture raises is data here
        result["error"] = {
            "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "message": str(exc)[:2000],
            "line": _innermost_line(exc.__traceback__, str(path)),
        }
    finally:
        sys.settrace(None)
        signal.alarm(0)
    result["shapes"] = {str(line): seen for line, seen in recorder.seen.items()}
    return result


def main(argv: list[str]) -> int:
    out, paths = argv[0], [Path(p).resolve() for p in argv[1:]]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    results = [run_one(p) for p in paths]
    Path(out).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
