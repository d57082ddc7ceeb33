"""Fixture programs and their inline expectations; also the runner that executes them under Keras.

A fixture is a whole Keras program under ``fixtures/`` (``valid/``, ``invalid/``, ``demo/``), or a
project of several modules under ``fixtures/projects/<name>/`` (:func:`project_fixtures`): its
``train.py`` or ``main.py`` files are the scripts it runs, the other files the modules they import
(from the project's root, its ``src/`` and the script's own folder, as ``pip install -e .`` and
``python scripts/train.py`` would find them). Each file of a project carries its own expectations:
an imported function that Keras rejects is annotated at the call in the script.
Two kinds of trailing comment state what must happen:

* ``# error: [rank-mismatch]`` on the line where the failing call expression starts: shapecheck
  reports exactly that finding name there, and Keras raises with the innermost traceback frame
  of the fixture on that line. A file has at most one (Keras stops at the first error).
* ``# shape: (None, 13, 13, 8)`` on the first line of an assignment ``x = ...``: the tensor
  assigned there has that shape, every time the line runs. For a tuple target
  ``out, h, c = ...`` the comment lists one shape per name: ``# shape: [(None, 8), (None, 8), (None, 8)]``.
  Shapes are Python literals (``None`` for an axis Keras leaves undefined).
* ``# keras-error: [dtype-mismatch]`` on a later line, for a bug Keras notices only when data
  flows (a layer built on a dtype it cannot run: the model builds, ``predict`` fails): Keras
  raises on this line, shapecheck reports the ``# error:`` line of the same name, at the layer.

Run as ``python -m tests.fixtures_support OUT.json FIXTURE...`` (from the repository root) it
executes each fixture under Keras in this one process and writes, per fixture, the exception
that escaped (type, message, innermost line inside the fixture) and the shapes that the
annotated assignments received.

The runner changes two things in Keras before the first fixture runs, so that training scripts
run here (no network) and fast (a few seconds each) with the verdicts they would have for real:

* No downloads. ``keras.datasets.<name>.load_data`` (the same modules as ``tf.keras.datasets``)
  reads fake data of the documented shapes, dtypes and label ranges: mnist and fashion_mnist
  ``(60000, 28, 28)``/``(10000, 28, 28)`` uint8 with ``(n,)`` uint8 labels 0-9; cifar10
  ``(50000, 32, 32, 3)``/``(10000, 32, 32, 3)`` uint8 (channels first under that image data
  format) with ``(n, 1)`` uint8 labels 0-9; cifar100 the same with int64 labels 0-99, or 0-19
  for ``label_mode="coarse"``. For imdb, reuters, boston_housing and california_housing the real
  ``load_data`` runs, on a fake raw file of the real file's format (ragged word-rank lists, 25000
  + 25000 reviews / 11228 newswires over 46 topics; 506 x 13 / 20640 x 8 float rows), so that
  ``num_words``, ``maxlen``, ``skip_top``, ``test_split``, ``seed``, ``version`` ... act exactly
  as they do for real (the reviews are shorter than the real ones, their longest as long).
  Pixel values, words and targets are random. (tf_keras, the Keras 2 package, is not patched.)
* Short training. ``keras.Model.fit`` runs at most one epoch (``epochs`` capped at
  ``initial_epoch + 1``) and at most 2 steps per epoch and 2 validation steps; ``evaluate`` and
  ``predict`` at most 2 steps (``steps_per_epoch``/``validation_steps``/``steps`` are set to 2,
  or capped at 2 where the fixture passes them). Keras checks data against the model, the loss
  and the other arrays before or on the first batch, so every shape error still fires, on the
  same call. For arrays, a call without ``batch_size`` gets Keras's own default, 32, spelled
  out (given ``steps``, Keras would size the batches n / steps: half the data in one batch, and
  slow). ``predict`` on arrays with n samples still returns n rows per output (the rows past
  the predicted batches repeat the predicted ones): the shape a fixture goes on with is the real
  one, the values are not. (``train_on_batch`` and the other ``*_on_batch`` calls are one batch
  anyway and stay as they are.)
"""

from __future__ import annotations

import ast
import contextlib
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
PROJECTS = FIXTURES / "projects"
#: the files of a project that run as scripts (the others are modules they import)
ENTRY_NAMES = ("train.py", "main.py")

Shape = tuple  # of int | None
ShapeSpec = Union[Shape, list]  # one shape, or one per name of a tuple target

_ERROR = re.compile(r"#\s*error:\s*\[([a-z0-9-]+)\]")
_KERAS_ERROR = re.compile(r"#\s*keras-error:\s*\[([a-z0-9-]+)\]")
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
    #: line -> finding name, where Keras raises for an ``errors`` finding reported earlier
    keras_errors: dict[int, str] = field(default_factory=dict)
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

    @property
    def keras_error_line(self) -> Optional[int]:
        """The line where Keras raises: a ``keras-error`` line if any, else the first ``error`` line."""
        return min(self.keras_errors) if self.keras_errors else self.error_line


class AnnotationError(ValueError):
    """An expectation comment that cannot be understood: a broken fixture, not a broken checker."""


def all_fixtures() -> list[Fixture]:
    paths = sorted(p for kind in KINDS for p in (FIXTURES / kind).glob("*.py"))
    return [parse(p) for p in paths]


def project_fixtures() -> list[Fixture]:
    """Every Python file of every fixture project (scripts and modules), in order."""
    return [parse(p) for p in sorted(PROJECTS.rglob("*.py"))]


def project_of(path: Path) -> Optional[Path]:
    """The project folder a fixture file belongs to (``None``: a single-file fixture)."""
    try:
        rel = Path(path).resolve().relative_to(PROJECTS)
    except ValueError:
        return None
    return PROJECTS / rel.parts[0]


def is_entry(path: Path) -> bool:
    return project_of(path) is not None and Path(path).name in ENTRY_NAMES


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
        keras_error = _KERAS_ERROR.search(comment)
        if keras_error:
            fixture.keras_errors[number] = keras_error.group(1)
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


def _innermost_under(tb, folder: Path) -> Optional[list]:
    """[path relative to the repository, line] of the innermost traceback frame in a file under ``folder``."""
    found = None
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename)
        if filename.is_absolute() and filename.resolve().is_relative_to(folder):
            found = [filename.resolve().relative_to(ROOT).as_posix(), tb.tb_lineno]
        tb = tb.tb_next
    return found


@contextlib.contextmanager
def _project_on_path(path: Path):
    """A project's script runs with the folders an installed project has on ``sys.path`` (the script's
    own, the project's ``src/`` and root); its modules are forgotten afterwards (the next project may
    have a ``config`` of its own)."""
    project = project_of(path)
    if project is None:
        yield
        return
    saved = list(sys.path)
    folders = [path.parent, project / "src", project]
    sys.path[:0] = [str(f) for f in folders if f.is_dir()]
    try:
        yield
    finally:
        sys.path[:] = saved
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if file and Path(file).resolve().is_relative_to(project):
                del sys.modules[name]


# --------------------------------------------------------------------------- Keras offline and short

_PATCHED = False
_SEED = 20241130
_MAX_EPOCHS_OVER_INITIAL = 1
_MAX_STEPS = 2


def _prepare_keras() -> None:
    """Fake dataset downloads and short training (see the module docstring); once per process."""
    global _PATCHED
    if _PATCHED:
        return
    _PATCHED = True
    _fake_datasets()
    _short_training()


def _fake_datasets() -> None:
    import importlib
    import tempfile

    import numpy as np
    from keras import backend

    cache: dict = {}
    raw_dir = Path(tempfile.mkdtemp(prefix="shapecheck-datasets-"))

    def rng(name: str):
        return np.random.default_rng([_SEED, sum(map(ord, name))])

    def images(name: str, n_train: int, n_test: int, image: tuple, labels: int, label_shape: tuple, label_dtype):
        if name not in cache:
            r = rng(name)
            split = []
            for n in (n_train, n_test):
                x = r.integers(0, 256, size=(n, *image), dtype=np.uint8)
                y = r.integers(0, labels, size=(n, *label_shape)).astype(label_dtype)
                split.append((x, y))
            cache[name] = tuple(split)
        return tuple((x.copy(), y.copy()) for x, y in cache[name])

    def mnist(path="mnist.npz"):
        return images("mnist", 60000, 10000, (28, 28), 10, (), np.uint8)

    def fashion_mnist():
        return images("fashion_mnist", 60000, 10000, (28, 28), 10, (), np.uint8)

    def _channels(data):
        if backend.image_data_format() == "channels_last":
            return data
        return tuple((x.transpose(0, 3, 1, 2), y) for x, y in data)

    def cifar10():
        return _channels(images("cifar10", 50000, 10000, (32, 32, 3), 10, (1,), np.uint8))

    def cifar100(label_mode="fine"):
        if label_mode not in ["fine", "coarse"]:
            raise ValueError('`label_mode` must be one of `"fine"`, `"coarse"`. '
                             f"Received: label_mode={label_mode}.")
        classes = 100 if label_mode == "fine" else 20
        return _channels(images(f"cifar100_{label_mode}", 50000, 10000, (32, 32, 3), classes, (1,), np.int64))

    def ragged(r, n: int, vocabulary: int, longest: int, median: float):
        """n word-rank lists (rank 1 = most frequent word), as long as the real file's longest at most.

        The typical review is shorter than the real ones (median 60 words, not 178): the real
        loader's Python loops over every word cost seconds per fixture otherwise.
        """
        lengths = np.clip(r.lognormal(np.log(median), 0.75, size=n).astype(int), 10, longest)
        lengths[0] = longest
        words = np.minimum(r.zipf(1.3, size=int(lengths.sum())), vocabulary)
        rows = np.empty(n, dtype=object)
        rows[:] = [part.tolist() for part in np.split(words, np.cumsum(lengths)[:-1])]
        return rows

    def raw_file(name: str) -> str:
        """The raw .npz the real loader reads, written once per process."""
        path = raw_dir / name
        if not path.exists():
            r = rng(name)
            if name == "imdb.npz":
                arrays = {"x_train": ragged(r, 25000, 88584, 2494, 60), "y_train": r.integers(0, 2, 25000),
                          "x_test": ragged(r, 25000, 88584, 2315, 60), "y_test": r.integers(0, 2, 25000)}
            elif name == "reuters.npz":
                arrays = {"x": ragged(r, 11228, 30979, 2376, 40), "y": r.integers(0, 46, 11228)}
            elif name == "boston_housing.npz":
                arrays = {"x": r.random((506, 13)) * 100, "y": r.random(506) * 45 + 5}
            else:
                arrays = {"x": r.random((20640, 8)).astype(np.float32),
                          "y": (r.random(20640) * 475000 + 25000).astype(np.float32)}
            np.savez(path, **arrays)
        return str(path)

    def get_file(fname=None, origin=None, *args, **kwargs):
        return raw_file((origin or fname).rsplit("/", 1)[-1])

    fakes = {"mnist": mnist, "fashion_mnist": fashion_mnist, "cifar10": cifar10, "cifar100": cifar100}
    for name in ("imdb", "reuters", "boston_housing", "california_housing"):
        importlib.import_module(f"keras.src.datasets.{name}").get_file = get_file
    for name, fake in fakes.items():
        fake.__doc__ = f"Fake `keras.datasets.{name}.load_data` (tests/fixtures_support.py): no download."
        importlib.import_module(f"keras.src.datasets.{name}").load_data = fake
    # The public modules (keras.datasets.mnist, tf.keras.datasets.mnist, ...) bind load_data
    # by name at import: rebind it in every module of that name loaded so far.
    try:
        import tensorflow as tf

        for name in (*fakes, "imdb"):
            getattr(tf.keras.datasets, name)
    except ImportError:
        pass
    for module_name, module in list(sys.modules.items()):
        name = module_name.rsplit(".", 1)[-1]
        if name in fakes and ".datasets." in module_name and hasattr(module, "load_data"):
            module.load_data = fakes[name]


def _short_training() -> None:
    import functools
    import inspect
    import math

    import keras
    import numpy as np

    def capped(arguments: dict, name: str, default_missing: bool = True) -> None:
        value = arguments.get(name)
        if value is None and default_missing:
            arguments[name] = _MAX_STEPS
        elif isinstance(value, int) and value > _MAX_STEPS:
            arguments[name] = _MAX_STEPS

    def wrap(method_name: str):
        original = getattr(keras.Model, method_name)
        signature = inspect.signature(original)

        @functools.wraps(original)
        def short(self, *args, **kwargs):
            try:
                bound = signature.bind(self, *args, **kwargs)
            except TypeError:
                return original(self, *args, **kwargs)  # let Keras word the complaint
            arguments = bound.arguments
            n = _sample_count(arguments.get("x"))
            if n is not None and arguments.get("batch_size") is None:
                # Keras sizes the batches of arrays from `steps` when no batch_size is given
                # (n / steps): keep the batches the fixture's own call would have.
                steps = arguments.get("steps_per_epoch" if method_name == "fit" else "steps")
                arguments["batch_size"] = math.ceil(n / steps) if isinstance(steps, int) and steps > 0 else 32
            if method_name == "fit":
                initial = arguments.get("initial_epoch", 0) or 0
                epochs = arguments.get("epochs", 1)
                if isinstance(epochs, int) and isinstance(initial, int):
                    arguments["epochs"] = min(epochs, initial + _MAX_EPOCHS_OVER_INITIAL)
                capped(arguments, "steps_per_epoch")
                validation = arguments.get("validation_data") is not None or arguments.get("validation_split")
                capped(arguments, "validation_steps", default_missing=bool(validation))
                return original(*bound.args, **bound.kwargs)
            capped(arguments, "steps")
            result = original(*bound.args, **bound.kwargs)
            if method_name == "predict":
                result = _all_rows(result, n)
            return result

        short.__shapecheck_short__ = True
        setattr(keras.Model, method_name, short)

    def _sample_count(x):
        """n of array inputs (all of x's arrays have it, or Keras has raised already); else None."""
        leaves = keras.tree.flatten(x) if x is not None else []
        counts = {int(leaf.shape[0]) for leaf in leaves
                  if getattr(leaf, "shape", None) is not None and len(leaf.shape) and leaf.shape[0] is not None}
        if not leaves or len(counts) != 1:
            return None
        if not all(getattr(leaf, "shape", None) is not None for leaf in leaves):
            return None  # a dataset, generator, PyDataset ...: its length is not for us to guess
        return counts.pop()

    def _all_rows(result, n):
        if n is None:
            return result

        def grow(array):
            if isinstance(array, np.ndarray) and array.ndim and 0 < array.shape[0] < n:
                return np.resize(array, (n, *array.shape[1:]))
            return array

        return keras.tree.map_structure(grow, result)

    for method_name in ("fit", "evaluate", "predict"):
        if not getattr(getattr(keras.Model, method_name), "__shapecheck_short__", False):
            wrap(method_name)


def run_one(path: Path) -> dict:
    """Execute one fixture as ``__main__``; what escaped, and the annotated shapes."""
    import io
    import runpy
    import signal

    import keras

    _prepare_keras()
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
        with contextlib.redirect_stdout(output), _project_on_path(path):
            runpy.run_path(str(path), run_name="__main__")
    except BaseException as exc:  # noqa: BLE001 - everything a fixture raises is data here
        result["error"] = {
            "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "message": str(exc)[:2000],
            "line": _innermost_line(exc.__traceback__, str(path)),
        }
        project = project_of(path)
        if project is not None:
            result["error"]["project_frame"] = _innermost_under(exc.__traceback__, project.resolve())
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
