"""Findings and the registry of their codes.

Every code has a number (``SC201``), a kebab name (``rank-mismatch``), a default
severity and a one-line summary; ``docs/rules/`` has one page per code,
generated from :data:`CODES` by ``python -m shapecheck.docs``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Optional

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Code:
    number: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    example: str = ""
    fix: str = ""

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def mypy_code(self) -> str:
        """Its error code under the mypy plugin (a sub-code of ``shape``)."""
        return f"shape-{self.name}"


CODES: dict[str, Code] = {}


def _code(number: str, name: str, severity: Severity, summary: str, explanation: str,
          example: str = "", fix: str = "") -> Code:
    code = Code(number, name, severity, summary, explanation.strip(), example.strip(), fix.strip())
    assert name not in CODES, name
    CODES[name] = code
    return code


SYNTAX_ERROR = _code(
    "SC001", "syntax-error", "error", "The file is not valid Python.",
    """
The file could not be parsed, so nothing in it was checked. The other files of the
run are still checked and reported; the exit status is 2.
""",
    "inputs = keras.Input(shape=(28, 28)\noutputs = layers.Flatten()(inputs)\n",
    "inputs = keras.Input(shape=(28, 28))\noutputs = layers.Flatten()(inputs)\n",
)
UNREADABLE_FILE = _code(
    "SC002", "unreadable-file", "error", "The file could not be read or decoded.",
    """
The file could not be opened, or its bytes are not text in its declared encoding
(UTF-8 when none is declared). Python itself would refuse to run it (`SyntaxError:
Non-UTF-8 code starting with '\\xe9'`). The other files of the run are still checked; the
exit status is 2. Declare the file's encoding on its first or second line (PEP 263), or save
it as UTF-8.
""",
    "# Saved in Latin-1 with no coding declaration: the é below is the byte 0xE9, not UTF-8.\n"
    "inputs = keras.Input(shape=(28, 28))  # entrée\n",
    "# -*- coding: latin-1 -*-\n"
    "# Saved in Latin-1, as the line above declares: the é below is the byte 0xE9.\n"
    "inputs = keras.Input(shape=(28, 28))  # entrée\n",
)
INTERNAL_ERROR = _code(
    "SC003", "internal-error", "error", "shapecheck failed on this file: a bug of ours.",
    """
An exception escaped shapecheck's own analysis of this file. The rest of the run went
on. Please report it with the file (or a reduced version); `--debug` shows the traceback.
There is no mistake of yours to fix: the example is what the report looks like, and what to
do instead is to run the file again with `--debug` and attach the traceback to the report.
""",
    "$ shapecheck model.py\n"
    "model.py:1:1: error: shapecheck failed on this file; please report it with the file (or a reduced "
    "version): IndexError: list index out of range [SC003 internal-error]\n"
    "Found 1 error in 1 file.\n",
    "$ shapecheck --debug model.py\n"
    "model.py:1:1: error: shapecheck failed on this file; please report it with the file (or a reduced "
    "version): Traceback (most recent call last):\n"
    "  ...\n"
    "IndexError: list index out of range [SC003 internal-error]\n"
    "Found 1 error in 1 file.\n",
)
ANALYSIS_LIMIT = _code(
    "SC004", "analysis-limit", "warning", "shapecheck stopped following this file before its end.",
    """
The file needs more work than shapecheck gives one file: loops, recursion or branches
that multiply (or code nested too deeply to follow). The analysis stopped at the line
shown; findings before that point are reported, the code after it is not checked. The
other files of the run are checked as usual. A warning does not change the exit status.
Keras has no objection to such code; the risk is the shape errors after it that go unseen.
Vectorised NumPy instead of Python loops over data, or the data preparation in a module of
its own, keeps the model code within reach.
""",
    "def table_sum(n):\n    total = 0\n    for i in range(n):\n        for j in range(n):\n"
    "            total += i * j\n    return total\n\n\n"
    "sums = [table_sum(1000), table_sum(1001), table_sum(1002), table_sum(1003), table_sum(1004), table_sum(1005)]\n"
    "inputs = keras.Input(shape=(28, 28, 1))\noutputs = layers.Conv2D(8, 3)(inputs)  # not checked\n",
    "def table_sum(n):\n    return int(np.outer(np.arange(n), np.arange(n)).sum())\n\n\n"
    "sums = [table_sum(1000), table_sum(1001), table_sum(1002), table_sum(1003), table_sum(1004), table_sum(1005)]\n"
    "inputs = keras.Input(shape=(28, 28, 1))\noutputs = layers.Conv2D(8, 3)(inputs)\n",
)
UNUSED_IGNORE = _code(
    "SC005", "unused-ignore", "error", "A `# shapecheck: ignore` comment that silences nothing.",
    """
Reported only with `--warn-unused-ignores` (or `warn-unused-ignores = true` in the
configuration), as mypy's `warn_unused_ignores` and Ruff's `RUF100` do: a suppression
comment, or one code in its list, that matched no finding on its line or statement.
It is left over from a fixed bug, names the wrong code, or names no code at all
(`SC999`, a misspelt name), and would hide the next real finding on that line.
""",
    "x = keras.Input(shape=(28, 28, 1))\n"
    "y = layers.Conv2D(8, 3)(x)  # shapecheck: ignore[rank-mismatch]\n",
    "x = keras.Input(shape=(28, 28, 1))\ny = layers.Conv2D(8, 3)(x)\n",
)
INVALID_INPUT = _code(
    "SC101", "invalid-input", "error", "`keras.Input` / `InputLayer` arguments that Keras rejects.",
    """
`keras.Input` and `keras.layers.InputLayer` raise `ValueError` for contradictory or
invalid arguments: no `shape` (and no `batch_shape` or `tensor`), `shape` together with
`batch_shape`, `batch_size` together with `batch_shape`, `sparse` together with `ragged`,
negative or non-integer dimensions, or a `tensor` whose shape or dtype contradicts the
other arguments. The model is never built.
""",
    "x = keras.Input(shape=(28, -1))\n",
    "x = keras.Input(shape=(28, None))  # None for an axis of any size\n",
)
DUPLICATE_INPUT_NAME = _code(
    "SC102", "duplicate-input-name", "error", "Two inputs of one model share a name.",
    """
Keras requires the names of all layers of a model, its inputs included, to be unique:
`Model(...)` raises `ValueError: The name "x" is used 2 times in the model`.
""",
    'a = keras.Input((4,), name="x")\nb = keras.Input((4,), name="x")\n'
    'model = keras.Model([a, b], layers.Add()([a, b]))\n',
    'a = keras.Input((4,), name="x_a")\nb = keras.Input((4,), name="x_b")\n'
    'model = keras.Model([a, b], layers.Add()([a, b]))\n',
)
DISCONNECTED_OUTPUT = _code(
    "SC103", "disconnected-output", "error", "A model output needs an input that is not among the model's inputs.",
    """
Every output of `keras.Model(inputs, outputs)` must be computable from `inputs` alone.
When an output depends on another `keras.Input` (one left out of the list, or an input of
a different model), Keras raises `ValueError: Output with path `...` is not connected to
`inputs``, where the path is the output's position in `outputs` (empty for a single
output).
""",
    'a = keras.Input((3,))\nb = keras.Input((3,))\nh = layers.Concatenate()([a, b])\n'
    'model = keras.Model(a, layers.Dense(1)(h))\n',
    'a = keras.Input((3,))\nb = keras.Input((3,))\nh = layers.Concatenate()([a, b])\n'
    'model = keras.Model([a, b], layers.Dense(1)(h))\n',
)
RANK_MISMATCH = _code(
    "SC201", "rank-mismatch", "error", "A layer receives a tensor of the wrong rank.",
    """
Keras layers declare the rank they accept (`InputSpec(ndim=...)`, `min_ndim`,
`max_ndim`): a `Conv2D` needs a 4-D input `(batch, height, width, channels)`, an `LSTM`
a 3-D input `(batch, timesteps, features)`. Keras raises `ValueError: Input 0 of layer
"conv2d" is incompatible with the layer: expected min_ndim=4, found ndim=3` when the
model is built.
""",
    "x = keras.Input(shape=(28, 28))\ny = layers.Conv2D(8, 3)(x)\n",
    "x = keras.Input(shape=(28, 28, 1))\ny = layers.Conv2D(8, 3)(x)\n",
)
AXIS_MISMATCH = _code(
    "SC202", "axis-mismatch", "error", "An axis that the layer fixed has another size.",
    """
Once a layer is built, its weights fix some input axes: the last axis of a `Dense`, the
channels of a convolution, the features of a recurrent layer. Calling the same layer
(a shared layer, or a model called as a layer) on a tensor with a different size on that
axis raises `ValueError: ... expected axis -1 of input shape to have value 32`. Layers
that need a known size (`Dense` on an unknown last axis) are reported here too.
""",
    "dense = layers.Dense(8)\na = dense(keras.Input((32,)))\nb = dense(keras.Input((64,)))\n",
    "dense = layers.Dense(8)\na = dense(keras.Input((32,)))\n"
    "b = layers.Dense(8)(keras.Input((64,)))  # a layer of its own for the wider input\n",
)
INCOMPATIBLE_SHAPES = _code(
    "SC203", "incompatible-shapes", "error", "Tensors that must agree in shape do not.",
    """
Merging layers (`Add`, `Concatenate`, `Dot`, …), attention layers and broadcasting
operations need their inputs to agree on every axis except the ones they combine.
Keras raises `ValueError: Inputs have incompatible shapes` or `A Concatenate layer
requires inputs with matching shapes except for the concatenation axis`.
""",
    "a = keras.Input((32,))\nb = keras.Input((16,))\nc = layers.Add()([a, b])\n",
    "a = keras.Input((32,))\nb = keras.Input((16,))\n"
    "c = layers.Add()([a, layers.Dense(32)(b)])  # project b to a's width first\n",
)
INVALID_RESHAPE = _code(
    "SC204", "invalid-reshape", "error", "A reshape that does not preserve the number of elements.",
    """
`Reshape`, `keras.ops.reshape` and friends need the target shape to hold exactly as many
elements as the input (not counting the batch axis for the `Reshape` layer), with at
most one `-1`. Keras raises `ValueError: total size of new array must be unchanged`.
""",
    "x = keras.Input((28, 28))\ny = layers.Reshape((28, 27))(x)\n",
    "x = keras.Input((28, 28))\ny = layers.Reshape((784,))(x)\n",
)
NEGATIVE_DIMENSION = _code(
    "SC205", "negative-dimension", "error", "A convolution, pooling or cropping leaves no output.",
    """
With `padding="valid"`, a convolution or pooling window larger than its input (after
strides and dilation) produces an axis of size zero or less; cropping more than the axis
holds does the same. Keras raises `ValueError: Computed output size would be zero or
negative`.
""",
    "x = keras.Input((4, 4, 3))\ny = layers.Conv2D(8, 5)(x)\n",
    "x = keras.Input((4, 4, 3))\ny = layers.Conv2D(8, 5, padding=\"same\")(x)\n",
)
INVALID_ARGUMENT = _code(
    "SC206", "invalid-argument", "error", "A layer or op argument that Keras rejects.",
    """
Layer constructors and ops validate their arguments: an unknown `padding`, an axis out
of range for the input, a `Permute` that is not a permutation, a `kernel_size` with the
wrong number of entries. Keras raises `ValueError` when the layer is created or called.
""",
    "x = keras.Input((10, 8))\ny = layers.Permute((1, 3))(x)\n",
    "x = keras.Input((10, 8))\ny = layers.Permute((2, 1))(x)  # dims count from 1: the axes after the batch\n",
)
TF_OP_ON_KERAS_TENSOR = _code(
    "SC207", "tf-op-on-keras-tensor", "error", "A TensorFlow function applied to a symbolic Keras tensor.",
    """
Under Keras 3 (tf.keras from TensorFlow 2.16), a symbolic `KerasTensor` from
`keras.Input` cannot be passed to a TensorFlow function such as `tf.square`: Keras
raises `ValueError: A KerasTensor cannot be used as input to a TensorFlow function`.
Use the `keras.ops` equivalent or a layer. Under tf.keras 2 (`--keras-version 2`) this
is valid.
""",
    "x = keras.Input(shape=(32,))\ny = tf.square(x)\n",
    "x = keras.Input(shape=(32,))\ny = keras.ops.square(x)\n",
)
INPUT_COUNT = _code(
    "SC208", "input-count", "error", "A layer or model receives the wrong number of inputs.",
    """
Merging layers need a list of tensors (Keras 3 accepts a list of one), `Dot` and
`Subtract` exactly two, a model as many tensors as it has inputs. Keras raises
`ValueError` when called.
""",
    "a = keras.Input((8,))\nb = keras.Input((8,))\nc = keras.Input((8,))\nd = layers.Subtract()([a, b, c])\n",
    "a = keras.Input((8,))\nb = keras.Input((8,))\nc = keras.Input((8,))\n"
    "d = layers.Subtract()([layers.Add()([a, b]), c])\n",
)
DTYPE_MISMATCH = _code(
    "SC209", "dtype-mismatch", "error",
    "A layer receives a dtype, or a sparse or ragged tensor, that it cannot run on.",
    """
Keras checks almost no dtypes when it builds a model: a `Conv2D` on `uint8` pixels, a
`Dense` on raw strings, a `StringLookup` on numbers or an `LSTM` on a `tf.SparseTensor` all
build without complaint, and fail only when data arrives (`predict`, `fit`): `Invalid
dtype: str32`, `Incompatible type conversion requested to type uint8`, a graph execution
error. `Layer.__call__` casts floating-point inputs to the layer's compute dtype; integer,
bool and string inputs arrive as they are. Convolutions, average pooling, attention and
`Softmax` need floating-point tensors; most other numeric layers take integers too but no
strings; `StringLookup` and `TextVectorization` take only strings. The usual fixes:
`layers.Rescaling(1 / 255)` (or `keras.ops.cast`) before a convolution, a `StringLookup` or
`TextVectorization` before numeric layers, an `Embedding` after integer ids. Only what
Keras 3 rejects when it runs on data is reported, from measurements of every layer
(`tests/data/dtype_table.json`); a dtype that cannot be known is never reported.
""",
    'images = keras.Input((28, 28, 1), dtype="uint8")\n'
    "model = keras.Model(images, layers.Conv2D(8, 3)(images))\n"
    'model.predict(np.zeros((4, 28, 28, 1), dtype="uint8"))\n',
    'images = keras.Input((28, 28, 1), dtype="uint8")\n'
    "x = layers.Rescaling(1 / 255)(images)  # float32 from here on\n"
    "model = keras.Model(images, layers.Conv2D(8, 3)(x))\n"
    'model.predict(np.zeros((4, 28, 28, 1), dtype="uint8"))\n',
)
DATA_SHAPE = _code(
    "SC301", "data-shape-mismatch", "error", "Data passed to `fit`/`evaluate`/`predict` does not fit the model's inputs.",
    """
The features given to `fit`, `evaluate`, `predict` (or `train_on_batch`, `test_on_batch`,
`predict_on_batch`, `validation_data`) must have each model input's rank and every axis it
fixes; the first axis is the batch. Keras 3 adds or drops a trailing axis of size 1 itself
(`(n, 28, 28)` into `Input((28, 28, 1))` is fine), nothing else: it raises `ValueError:
Input 0 ... is incompatible with the layer` at the first batch, after the data has loaded.
One sample needs its batch axis: `model.predict(x[None, ...])`.
""",
    "model = keras.Sequential([keras.Input((784,)), layers.Dense(10)])\n"
    "x = np.zeros((100, 28, 28))\nmodel.predict(x)\n",
    "model = keras.Sequential([keras.Input((784,)), layers.Dense(10)])\n"
    "x = np.zeros((100, 28, 28))\nmodel.predict(x.reshape(-1, 784))\n",
)
TARGET_SHAPE = _code(
    "SC302", "target-shape-mismatch", "error", "Targets do not fit the model's output under its loss.",
    """
`fit` and `evaluate` compute the loss of each output from the targets (`y`) and the model's
prediction. Every loss first adds or drops a trailing axis of size 1, then needs what its
function needs: `categorical_crossentropy`, `binary_crossentropy` and the focal losses the
same shape for both (one-hot targets as wide as the output), `sparse_categorical_crossentropy`
integer labels with one axis fewer than the output, the regression losses shapes that
broadcast. Integer labels with `categorical_crossentropy`, one-hot labels with a sparse loss,
or a `Dense(units)` that differs from the number of classes fail at the first batch.
""",
    "model = keras.Sequential([keras.Input((784,)), layers.Dense(10, activation=\"softmax\")])\n"
    "model.compile(loss=\"categorical_crossentropy\")\n"
    "x_train = np.random.rand(64, 784)\ny_train = np.random.randint(0, 10, size=(64,))  # integer labels\n"
    "model.fit(x_train, y_train)\n",
    "model = keras.Sequential([keras.Input((784,)), layers.Dense(10, activation=\"softmax\")])\n"
    "model.compile(loss=\"sparse_categorical_crossentropy\")  # or one-hot: keras.utils.to_categorical(y_train, 10)\n"
    "x_train = np.random.rand(64, 784)\ny_train = np.random.randint(0, 10, size=(64,))  # integer labels\n"
    "model.fit(x_train, y_train)\n",
)
SAMPLE_COUNT = _code(
    "SC303", "sample-count-mismatch", "error", "Arrays of one `fit`/`evaluate` call hold different numbers of samples.",
    """
Every array of `x`, `y` (and `sample_weight`) is sliced into the same batches, so all must
have the same first axis. Keras raises `ValueError: Data cardinality is ambiguous. Make sure
all arrays contain the same number of samples.` before training starts.
""",
    "model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])\nmodel.compile(loss=\"mse\")\n"
    "x = np.random.rand(100, 4)\ny = np.random.rand(100, 1)\n"
    "x_train, x_test, y_train, y_test = x[:80], x[80:], y[:80], y[80:]\nmodel.fit(x_train, y_test)\n",
    "model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])\nmodel.compile(loss=\"mse\")\n"
    "x = np.random.rand(100, 4)\ny = np.random.rand(100, 1)\n"
    "x_train, x_test, y_train, y_test = x[:80], x[80:], y[:80], y[80:]\nmodel.fit(x_train, y_train)\n",
)
DATA_STRUCTURE = _code(
    "SC304", "data-structure-mismatch", "error",
    "Data holds another number of arrays, or other names, than the model's inputs or outputs.",
    """
A model with several inputs takes a list of arrays in the order of its inputs, or a dict
keyed by the inputs' names; a model with several outputs takes its targets the same way
(keyed by the output layers' names), and a per-output `loss` list or dict must match the
outputs too. Keras raises `ValueError` when the counts or the names differ.
""",
    "image = keras.Input((28, 28, 1))\nmeta = keras.Input((3,))\n"
    "h = layers.Concatenate()([layers.Flatten()(image), meta])\n"
    "model = keras.Model([image, meta], layers.Dense(1)(h))\nmodel.compile(loss=\"mse\")\n"
    "x_images = np.random.rand(32, 28, 28, 1)\nx_meta = np.random.rand(32, 3)\ny = np.random.rand(32, 1)\n"
    "model.fit(x_images, y)\n",
    "image = keras.Input((28, 28, 1))\nmeta = keras.Input((3,))\n"
    "h = layers.Concatenate()([layers.Flatten()(image), meta])\n"
    "model = keras.Model([image, meta], layers.Dense(1)(h))\nmodel.compile(loss=\"mse\")\n"
    "x_images = np.random.rand(32, 28, 28, 1)\nx_meta = np.random.rand(32, 3)\ny = np.random.rand(32, 1)\n"
    "model.fit([x_images, x_meta], y)\n",
)


def code_named(text: str, *, mypy: bool = True) -> Optional[Code]:
    """The code ``text`` names, in any case: its number (``SC201``), its name (``rank-mismatch``) or, with
    ``mypy``, its mypy error code (``shape-rank-mismatch``); ``None`` for anything else."""
    wanted = text.strip().lower()
    for code in CODES.values():
        if wanted in (code.number.lower(), code.name) or (mypy and wanted == code.mypy_code):
            return code
    return None


@dataclass(frozen=True)
class Span:
    """A source range, 1-based lines and columns."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    #: in a notebook, the cell (1-based, every cell counted) whose lines ``line`` and ``end_line`` are
    cell: Optional[int] = None

    @property
    def location(self) -> str:
        """``path:line:column``; in a notebook's cell, ``path:cell N:line:column`` (as Ruff writes it)."""
        cell = "" if self.cell is None else f"cell {self.cell}:"
        return f"{self.path}:{cell}{self.line}:{self.column}"


#: the codes of a file that cannot be read or parsed (exit status 2; mypy reports these itself)
FILE_ERRORS = frozenset({SYNTAX_ERROR.name, UNREADABLE_FILE.name})


@dataclass(frozen=True)
class Note:
    span: Span
    message: str


#: the message of a note that names a call of an inlined helper on the way to the finding (innermost
#: last); a ``# shapecheck: ignore`` comment on that call silences the finding too
CALL_SITE = "in the call made here"


@dataclass(frozen=True)
class Finding:
    code: Code
    span: Span
    message: str
    notes: tuple[Note, ...] = ()
    severity: Optional[Severity] = None
    #: the IR node whose replay Keras should reject for the same reason (``None``: not replayable)
    node: Optional[int] = None

    @property
    def level(self) -> Severity:
        return self.severity or self.code.severity


class ShapeError(Exception):
    """Raised by a rule: what Keras would reject, in Keras's words where they exist."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class UnknownShape:
    """A Keras call whose output rank shapecheck could not infer, and why (``--explain-unknown``):
    not a finding -- Keras may well accept it -- but where the analysis lost track."""

    span: Span
    layer: str
    #: the first cause, where the value was lost (``origin``): "`keras.models.load_model(...)` is not followed"
    reason: str
    origin: Span
    #: the way from the call back to the origin, then the call sites of the helpers it ran in
    notes: tuple[Note, ...] = ()

    @property
    def message(self) -> str:
        """The note's text: the reason, and where the origin is when not on the call's line (``line 4``;
        in a notebook ``cell 2:4``; in another file ``blocks.py:4``)."""
        o, s = self.origin, self.span
        line = f"cell {o.cell}:{o.line}" if o.cell is not None else str(o.line)
        if o.path != s.path:
            at = f" ({o.path}:{line})"
        elif (o.cell, o.line) != (s.cell, s.line):
            at = f" ({'' if o.cell is not None else 'line '}{line})"
        else:
            at = ""
        return f"the output shape of {self.layer} is unknown: {self.reason}{at}"


@dataclass
class FileResult:
    """What the analysis of one file produced."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    shapes: list[dict] = field(default_factory=list)
    #: Keras layer, op and model calls, once per source location (:mod:`shapecheck.frontend.unknowns`)
    layer_calls: int = 0
    #: those whose output rank was known every time they ran
    layer_calls_inferred: int = 0
    #: why each counted call whose output rank is unknown is (:class:`UnknownShape`, ``--explain-unknown``)
    unknowns: list = field(default_factory=list)
    #: the IR the analysis extracted (what ``--runtime`` replays); a ``shapes`` entry's
    #: ``refs`` and a finding's ``node`` point into it
    graph: Any = None
    #: every model the code builds, as Keras's ``model.summary()`` would show it
    #: (:class:`shapecheck.core.summary.ModelSummary`; what ``--summary`` prints)
    models: list = field(default_factory=list)
    #: the other files of the project the analysis read (imported modules), as (absolute path, sha256
    #: of the bytes): the result holds while they do (the cache checks them)
    dependencies: tuple = ()

    def keeping(self, parts: frozenset[str]) -> FileResult:
        """This result with only ``parts`` of :data:`PARTS` (the others emptied): what a report that
        reads no more needs to hold (a graph, its models and shapes are ~50 KB a file)."""
        drop = PARTS - parts
        return replace(self, **{p: None if p == "graph" else [] for p in drop}) if drop else self


#: the parts of a :class:`FileResult` that only some reports read (findings and counts: every report)
PARTS = frozenset({"graph", "models", "shapes", "unknowns"})
