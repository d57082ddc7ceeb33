"""Whole training programs against Keras: ``fit``/``evaluate``/``predict`` on generated data.

Each example draws a small program: a model (functional, one or two inputs and outputs, or a
``Sequential`` with or without an input shape), ``compile(loss=...)`` with a loss string or class
(one per output, as a list or a dict, or one for all), data made by ``np.zeros``,
``np.random.randint`` or ``keras.utils.to_categorical`` with shapes drawn around the right ones
(a trailing 1 added or dropped, the rank off by one, a wrong axis, the batch axis forgotten, a
different sample count, a list for a dict, one array for two), and one or two training calls
(``fit`` with ``validation_data``/``validation_split``, ``evaluate``, ``predict``,
``train_on_batch``, ``test_on_batch``, ``predict_on_batch``).

The program is written as source, one statement a line.  Keras runs it (``exec``, TensorFlow on
CPU, at most 64 samples) and says whether it raised and on which line of the source (the
innermost frame there); :func:`shapecheck.api.check_source` reads the same text.  An error
finding is reported on the line Keras raised on, none before it, and none at all when Keras
trains, evaluates and predicts without complaint.

Nothing drawn depends on values: sparse labels are always below the model's class count, and
``to_categorical`` always gets enough classes for its labels.  The model itself is valid for the
data it was made for: what fails, fails because of the data, the targets or the losses.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.api import check_source

from . import keras_oracle  # noqa: F401 - sets the backend before Keras is imported

# SHAPECHECK_ORACLE_EXAMPLES raises the count for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "20")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PATH = "train_prog.py"
HEADER = ["import numpy as np", "import keras", "from keras import layers"]

# The losses drawn for each kind of target ("regression", "categorical", "sparse", "binary"):
# a compile string or a loss class.
LOSSES = {
    "regression": ['"mse"', '"mae"', '"mean_squared_error"', "keras.losses.MeanSquaredError()",
                   "keras.losses.Huber()"],
    "categorical": ['"categorical_crossentropy"', "keras.losses.CategoricalCrossentropy(from_logits=True)",
                    "keras.losses.CategoricalCrossentropy()"],
    "sparse": ['"sparse_categorical_crossentropy"', "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"],
    "binary": ['"binary_crossentropy"', "keras.losses.BinaryCrossentropy()"],
}


MAKERS = ["zeros", "zeros", "ones", "rand"]  # np.zeros(shape), np.ones(shape), np.random.rand(*shape)

#: the Keras function (traced by TensorFlow) each method runs
FAMILY = {"fit": "train", "train_on_batch": "train", "evaluate": "test", "test_on_batch": "test",
          "predict": "predict", "predict_on_batch": "predict"}

# --------------------------------------------------------------------------- the model


@dataclass
class Source:
    """An input the model declares (or, for an unbuilt Sequential, the shape it was made for)."""

    name: str
    shape: tuple  # without the batch axis; None where undefined


@dataclass
class ModelDraw:
    lines: list[str]  # the model's source, ending with ``model = ...``
    inputs: list[Source]
    outputs: list[str]  # output names, in order
    built: bool = True  # False: a Sequential without an input shape (built from the first data)
    layers_expr: str = ""  # unbuilt Sequential: its layer list, to build a copy of the intended shape
    kind: str = "functional"
    pools: bool = False  # a Sequential whose GlobalAveragePooling1D drops the time axis


def _trunk(draw: Any, var: str, src: Source, lines: list[str], keep_sequence: bool) -> tuple[str, int]:
    """Layers on one input: a vector of features at the end (or a sequence when ``keep_sequence``).
    Returns the variable and its rank (without the batch axis)."""
    cur = var
    rank = len(src.shape)
    if rank == 2:
        t, c = src.shape
        if draw(st.booleans()):
            k = draw(st.integers(1, 3))
            padding = "same" if t is None or t < k else draw(st.sampled_from(["valid", "same"]))
            lines.append(f"h_{var} = layers.Conv1D({draw(st.integers(1, 4))}, {k}, padding={padding!r})({cur})")
            cur = f"h_{var}"
        if keep_sequence:
            return cur, 2
        if t is None or draw(st.booleans()):
            lines.append(f"h_{var} = layers.GlobalAveragePooling1D()({cur})")
        else:
            lines.append(f"h_{var} = layers.Flatten()({cur})")
        return f"h_{var}", 1
    if draw(st.booleans()):
        lines.append(f"h_{var} = layers.Dense({draw(st.integers(1, 5))}, activation='relu')({cur})")
        cur = f"h_{var}"
    return cur, 1


def _input_shape(draw: Any, allow_none: bool = True) -> tuple:
    kind = draw(st.sampled_from(["vec", "vec", "seq", "seq1"]))
    if kind == "vec":
        return (draw(st.integers(1, 6)),)
    t = draw(st.sampled_from([2, 3, 4, 5] + ([None] if allow_none else [])))
    return (t, 1 if kind == "seq1" else draw(st.integers(1, 4)))


def _head(draw: Any, name: str, h: str) -> str:
    units = draw(st.sampled_from([1, 1, 2, 3, 4]))
    act = draw(st.sampled_from([None, "softmax", "sigmoid"]))
    act_s = "" if act is None else f", activation={act!r}"
    return f"{name} = layers.Dense({units}{act_s}, name={name!r})({h})"


@st.composite
def functional_models(draw: Any) -> ModelDraw:
    n_in = draw(st.integers(1, 2))
    n_out = draw(st.integers(1, 2))
    lines: list[str] = []
    inputs = []
    feats = []
    keep_sequence = n_in == 1 and draw(st.integers(0, 3)) == 0
    for i in range(n_in):
        name = "ab"[i]
        shape = _input_shape(draw)
        src = Source(name, shape)
        inputs.append(src)
        lines.append(f"{name} = keras.Input(shape={shape!r}, name={name!r})")
        feats.append(_trunk(draw, name, src, lines, keep_sequence and len(shape) == 2))
    if len(feats) == 2:
        lines.append(f"h = layers.Concatenate()([{feats[0][0]}, {feats[1][0]}])")
        h = "h"
    else:
        h = feats[0][0]
    outputs = [f"o{j + 1}" for j in range(n_out)]
    for o in outputs:
        lines.append(_head(draw, o, h))
    ins = inputs[0].name if n_in == 1 and draw(st.booleans()) else "[" + ", ".join(s.name for s in inputs) + "]"
    outs = outputs[0] if n_out == 1 and draw(st.booleans()) else "[" + ", ".join(outputs) + "]"
    lines.append(f"model = keras.Model(inputs={ins}, outputs={outs})")
    return ModelDraw(lines, inputs, outputs)


@st.composite
def sequential_models(draw: Any) -> ModelDraw:
    built = draw(st.booleans())
    shape = _input_shape(draw, allow_none=built)
    parts: list[str] = []
    if len(shape) == 2:
        t = shape[0]
        if draw(st.booleans()):
            k = draw(st.integers(1, 3))
            padding = "same" if t is None or t < k else draw(st.sampled_from(["valid", "same"]))
            parts.append(f"layers.Conv1D({draw(st.integers(1, 4))}, {k}, padding={padding!r})")
        parts.append("layers.GlobalAveragePooling1D()" if t is None or draw(st.booleans()) else "layers.Flatten()")
    if draw(st.booleans()):
        parts.append(f"layers.Dense({draw(st.integers(1, 5))}, activation='relu')")
    units = draw(st.sampled_from([1, 1, 2, 3, 4]))
    act = draw(st.sampled_from([None, "softmax", "sigmoid"]))
    parts.append(f"layers.Dense({units}" + ("" if act is None else f", activation={act!r}") + ")")
    listed = ", ".join(parts)
    if built:
        line = f"model = keras.Sequential([keras.Input(shape={shape!r}), {listed}])"
    else:
        line = f"model = keras.Sequential([{listed}])"
    return ModelDraw([line], [Source("x", shape)], ["output"], built=built, layers_expr=f"[{listed}]",
                     kind="sequential", pools="GlobalAveragePooling1D" in listed)


# --------------------------------------------------------------------------- Keras


@dataclass
class KerasRun:
    line: Optional[int]  # the source line Keras raised on, None when it ran through
    error: Optional[BaseException] = None


def keras_exec(source: str) -> KerasRun:
    import keras

    keras.utils.clear_session()
    namespace: dict = {"__name__": "train_prog"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, PATH, "exec"), namespace)
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        line = None
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == PATH:
                line = tb.tb_lineno
            tb = tb.tb_next
        assert line is not None, f"Keras raised outside the program: {e!r}\n{source}"
        return KerasRun(line, e)
    return KerasRun(None)


def output_shapes(model: ModelDraw, fills: list[tuple]) -> list[tuple]:
    """The model's output shapes (without the batch axis) on data of the shapes it was made for
    (``fills``: the inputs' shapes, every axis defined)."""
    import keras

    keras.utils.clear_session()
    namespace: dict = {}
    lines = list(HEADER) + model.lines
    if not model.built:
        lines[-1] = f"model = keras.Sequential([keras.Input(shape={model.inputs[0].shape!r})] + {model.layers_expr})"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile("\n".join(lines) + "\n", "model_only.py", "exec"), namespace)
        out = namespace["model"]([np.zeros((1, *f), "float32") for f in fills] if len(fills) > 1
                                 else np.zeros((1, *fills[0]), "float32"))
    out = out if isinstance(out, (list, tuple)) else [out]
    return [tuple(int(d) for d in t.shape[1:]) for t in out]


# --------------------------------------------------------------------------- data


@dataclass
class Data:
    """The data statements and the expressions the training call passes."""

    lines: list[str] = field(default_factory=list)
    perturbed: list[str] = field(default_factory=list)  # what was drawn off the right shape (for reading)
    counts: bool = True  # sample counts may differ


def _perturb_shape(draw: Any, shape: tuple, n: int, what: str, notes: list[str],
                   axes: Optional[list[int]] = None, counts: bool = True) -> tuple:
    """``(n, *shape)`` now and then drawn a little off (``axes``: the axes a wrong size may hit,
    counting the batch axis; all but the batch axis by default; ``counts``: the sample count may
    be off too, the batch axis forgotten)."""
    full = (n, *shape)
    kind = draw(st.sampled_from(["ok"] * 6 + ["add1", "drop_last", "axis", "add2"]
                                + (["no_batch", "count"] if counts else [])))
    if kind == "ok":
        return full
    notes.append(f"{what}: {kind}")
    if kind == "add1":
        return (*full, 1)
    if kind == "add2":
        return (*full, 2)
    if kind == "drop_last":
        return full[:-1] if len(full) > 1 else full
    if kind == "axis":
        i = draw(st.sampled_from(axes or list(range(1, len(full))))) if len(full) > 1 else 0
        change = draw(st.sampled_from([-1, 1])) if full[i] > 1 else 1
        return tuple(d + change if j == i else d for j, d in enumerate(full))
    if kind == "no_batch":
        return tuple(shape) if shape else (n,)
    # count
    return (max(1, n + draw(st.sampled_from([-1, 1, 2]))), *shape)


def draw_x(draw: Any, var: str, model: ModelDraw, src: Source, n: int, data: Data, fill: tuple) -> None:
    axes = None
    if model.kind == "sequential" and model.built and model.pools:
        # EXCLUDED: a built Sequential checks the data's rank only, not its sizes (it has no input_spec):
        # with its time axis pooled away, `Sequential([keras.Input((4, 1)), GlobalAveragePooling1D(),
        # Dense(1)])` runs on data of shape (8, 3, 1); shapecheck reports SC301 as for a functional model.
        axes = [len(fill)]
    shape = _perturb_shape(draw, fill, n, var, data.perturbed, axes, data.counts)
    maker = draw(st.sampled_from(MAKERS))
    if maker == "rand":
        data.lines.append(f"{var} = np.random.rand({', '.join(map(str, shape))})" if shape else f"{var} = np.zeros(())")
    else:
        data.lines.append(f"{var} = np.{maker}({shape!r})")


def draw_y(draw: Any, var: str, kind: str, out: tuple, n: int, data: Data, perturb: bool = True) -> None:
    """Targets for an output of shape ``out`` under a loss for targets of ``kind`` (their shape
    drawn off the right one only where ``perturb``; a wrong sample count always may be)."""
    classes = out[-1] if out else 1
    if kind == "sparse":
        right: tuple = out[:-1] + ((1,) if draw(st.booleans()) else ())
    else:
        right = out
    shape = _perturb_shape(draw, right, n, var, data.perturbed, counts=data.counts)
    if not perturb and shape[1:] != right:
        data.perturbed.pop()
        shape = (n, *right)
    if kind == "sparse":
        data.lines.append(f"{var} = np.random.randint(0, {classes}, size={shape!r})")
    elif kind == "binary":
        data.lines.append(f"{var} = np.random.randint(0, 2, size={shape!r})")
    elif kind == "categorical" and len(shape) == 2 and draw(st.booleans()):
        # one-hot rows of labels below both the class count drawn and the model's
        k = shape[1]
        data.lines.append(f"{var} = keras.utils.to_categorical(np.random.randint(0, {min(k, classes)}, "
                          f"size=({shape[0]},)), {k})")
    else:
        data.lines.append(f"{var} = np.zeros({shape!r})")


def _structure(draw: Any, names: Optional[list[str]], vars_: list[str], what: str, notes: list[str],
               wrap: bool = True) -> str:
    """The data for the model's inputs (or outputs): one array, a list, a tuple, a dict by name
    (``names``: None for a Sequential, whose names the program does not write), or now and then
    the wrong one of them."""
    styles = ["plain", "plain", "list", "tuple", "wrong"] + (["dict", "dict"] if names is not None else [])
    style = draw(st.sampled_from(styles))
    if len(vars_) == 1:
        if not wrap and style in ("list", "tuple"):
            style = "plain"
        if style == "dict":
            return "{" + f"{names[0]!r}: {vars_[0]}" + "}"
        if style == "list":
            return f"[{vars_[0]}]"
        if style == "tuple":
            return f"({vars_[0]},)"
        if style == "wrong" and names is not None:
            notes.append(f"{what}: wrong key")
            return "{" + f"{names[0] + 'x'!r}: {vars_[0]}" + "}"
        return vars_[0]
    if style == "dict":
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(names, vars_)) + "}"
    if style == "tuple":
        return "(" + ", ".join(vars_) + ")"
    if style == "wrong":
        wrong = draw(st.sampled_from(["one", "reversed", "key", "three"]))
        notes.append(f"{what}: {wrong}")
        if wrong == "one":
            return vars_[0]
        if wrong == "reversed":
            return "[" + ", ".join(reversed(vars_)) + "]"
        if wrong == "three":
            return "[" + ", ".join(vars_ + vars_[:1]) + "]"
        return "{" + ", ".join(f"{k + 'x'!r}: {v}" for k, v in zip(names, vars_)) + "}"
    return "[" + ", ".join(vars_) + "]"


# --------------------------------------------------------------------------- programs


@dataclass
class ProgramDraw:
    source: str
    notes: list[str]


@st.composite
def programs(draw: Any, model: ModelDraw, fills: list[tuple], outs: list[tuple]) -> ProgramDraw:
    """The rest of a program around a drawn model (``outs``: its output shapes on data of the
    ``fills`` shapes, by Keras)."""
    notes: list[str] = []
    # losses: a kind of target per output, then the loss argument
    kinds = []
    for shape in outs:
        options = ["regression", "categorical", "sparse"] + (["binary"] if shape and shape[-1] == 1 else [])
        kinds.append(draw(st.sampled_from(options)))
    per_output = [draw(st.sampled_from(LOSSES[k])) for k in kinds]
    if len(outs) == 1:
        style = draw(st.sampled_from(["one", "one", "one", "list"] + (["dict"] if model.kind == "functional" else [])))
        loss = {"one": per_output[0], "list": f"[{per_output[0]}]",
                "dict": "{" + f"{model.outputs[0]!r}: {per_output[0]}" + "}"}[style]
    else:
        # EXCLUDED: fewer losses in a list than outputs (`loss=["mse"]` for two outputs): Keras trains,
        # the outputs past the list get no loss; shapecheck reports SC304. Three for two is drawn.
        style = draw(st.sampled_from(["one", "list", "list", "dict", "long"]))
        if style == "one":  # one loss for every output: every target is of the first's kind
            loss = per_output[0]
            kinds = [kinds[0]] * len(outs)
            if kinds[0] == "binary" and any(s[-1] != 1 for s in outs):
                kinds = ["regression"] * len(outs)
                loss = '"mse"'
        elif style == "list":
            loss = "[" + ", ".join(per_output) + "]"
        elif style == "dict":
            loss = "{" + ", ".join(f"{o!r}: {v}" for o, v in zip(model.outputs, per_output)) + "}"
        else:
            notes.append("loss: three in a list for two outputs")
            loss = "[" + ", ".join(per_output + per_output[:1]) + "]"
    lines = list(HEADER) + model.lines + [f'model.compile(optimizer="sgd", loss={loss})']
    n = draw(st.sampled_from([1, 2, 3, 4, 6, 8, 16, 32]))

    def data_set(suffix: str, count: int, family: str) -> tuple[str, str]:
        data = Data(counts=family not in batchwise)
        xs = [f"x{suffix}_{src.name}" for src in model.inputs]
        for var, src, fill in zip(xs, model.inputs, fills):
            draw_x(draw, var, model, src, count, data, fill)
        ys = [f"y{suffix}_{o}" for o in model.outputs]
        # EXCLUDED: the targets of a single-output model in a list or tuple of one (`fit(x, [y])`):
        # Keras unwraps them and checks them against the output, shapecheck leaves them unchecked
        # (SC302 never reported). Wrapped targets here have the right shape (a wrong count is checked),
        # for a model of known output (an unbuilt Sequential's depends on the data it is built from).
        wrapped = len(ys) == 1 and model.built and draw(st.integers(0, 3)) == 0
        for var, kind, shape in zip(ys, kinds, outs):
            draw_y(draw, var, kind, shape, count, data, perturb=not wrapped)
        lines.extend(data.lines)
        notes.extend(data.perturbed)
        named = model.kind == "functional"
        if model.built:
            x = _structure(draw, [s.name for s in model.inputs] if named else None, xs, "x", notes)
        else:
            # EXCLUDED: an unbuilt Sequential given its data in a list or tuple of one (`fit([x], y)`):
            # Keras builds the first layer on the list and fails ("Cannot convert '((4, 4), 5)' to a
            # shape"); shapecheck unwraps it and reports nothing.
            x = xs[0]
        if wrapped:
            y = draw(st.sampled_from([f"[{ys[0]}]", f"({ys[0]},)"]))
        else:
            # EXCLUDED: the targets of a single-output model as a dict by its name (`fit(x, {"o1": y})`):
            # Keras 3.15 fails ("TypeError: Expected float32, but got o1 of type 'str'") whatever the
            # loss (a string, a list of one, a dict by the name); shapecheck reports nothing.
            y = _structure(draw, model.outputs if named and len(ys) > 1 else None, ys, "y", notes,
                           wrap=len(ys) > 1)
        return x, y

    # EXCLUDED: a second call of the same kind (fit and train_on_batch share Keras's train function;
    # evaluate, test_on_batch and fit's validation share the test function; predict and
    # predict_on_batch the predict function) on data of another rank than the first: TensorFlow
    # retraces the function with the rank relaxed to unknown and Keras fails ("Cannot take the
    # length of shape with unknown rank", or the Sequential's call on a tensor of shape <unknown>);
    # shapecheck checks each call on its own. Such a call here reuses the first call's data.
    methods = [draw(st.sampled_from(["fit", "fit", "fit", "evaluate", "predict", "train_on_batch", "test_on_batch",
                                      "predict_on_batch"])) for _ in range(draw(st.integers(1, 2)))]
    # EXCLUDED: arrays of different sample counts in `train_on_batch`/`test_on_batch`/`predict_on_batch`:
    # these take the arrays as one batch without Keras's cardinality check, so targets that broadcast
    # against the prediction pass (`train_on_batch(np.zeros((6, 3)), np.zeros((1, 2)))` trains);
    # shapecheck reports SC303 as for `fit`. Data these calls get keeps its count and batch axis.
    batchwise = {FAMILY[m] for m in methods if m.endswith("_on_batch")}
    sets: dict[str, tuple[str, str]] = {}
    for c, method in enumerate(methods):
        family = FAMILY[method]
        if family not in sets:
            sets[family] = data_set(str(c + 1) if c else "", n if c == 0 else draw(st.sampled_from([1, 2, 4, 8])),
                                    family)
        x, y = sets[family]
        batch = draw(st.sampled_from([1, 2, 4, 8]))
        if method == "fit":
            extra = ""
            validation = draw(st.sampled_from(["", "", "data", "split"]))
            if validation == "split" and sets.get("test", (x, y)) != (x, y):
                validation = ""  # the test function was traced on other data (see above)
            if validation == "data":
                if "test" not in sets:
                    sets["test"] = data_set("v", draw(st.sampled_from([1, 2, 4])), "test")
                vx, vy = sets["test"]
                extra = f", validation_data=({vx}, {vy})"
            elif validation == "split":
                sets.setdefault("test", (x, y))
                extra = ", validation_split=0.25"
            lines.append(f"model.fit({x}, {y}, epochs=1, batch_size={batch}, verbose=0{extra})")
        elif method == "evaluate":
            lines.append(f"model.evaluate({x}, {y}, batch_size={batch}, verbose=0)")
        elif method == "predict":
            lines.append(f"model.predict({x}, batch_size={batch}, verbose=0)")
        elif method in ("train_on_batch", "test_on_batch"):
            lines.append(f"model.{method}({x}, {y})")
        else:
            lines.append(f"model.predict_on_batch({x})")
    return ProgramDraw("\n".join(lines) + "\n", notes)


# --------------------------------------------------------------------------- the check


def draw_program(draw: Any, model_kind: str) -> ProgramDraw:
    model = draw(functional_models() if model_kind == "functional" else sequential_models())
    fills = [draw(st.tuples(*[st.integers(1, 5) if d is None else st.just(d) for d in src.shape]))
             for src in model.inputs]
    # Keras builds the model outside any draw: it seeds its own random generators.
    return draw(programs(model, fills, output_shapes(model, fills)))


def agrees(program: ProgramDraw) -> None:
    theirs = keras_exec(program.source)
    result = check_source(program.source, PATH)
    numbered = "\n".join(f"{i:3d}  {s}" for i, s in enumerate(program.source.splitlines(), 1))
    context = (f"\n--- program ---\n{numbered}\n--- drawn off: {program.notes}\n--- Keras: "
               + (f"raises at line {theirs.line}: {theirs.error!r}" if theirs.line else "runs through")
               + "\n--- shapecheck findings ---\n"
               + "\n".join(f"line {f.span.line}: {f.code.name} {f.level}: {f.message}" for f in result.findings))
    broken = [f for f in result.findings if f.code.name in ("internal-error", "analysis-limit", "syntax-error")]
    assert not broken, context
    errors = sorted({f.span.line for f in result.findings if f.level == "error"})
    if theirs.line is None:
        assert not errors, "Keras runs the program through" + context
        return
    assert not [e for e in errors if e < theirs.line], f"an error before line {theirs.line}" + context
    assert theirs.line in errors, f"expected an error at line {theirs.line}" + context


@SETTINGS
@given(st.data())
def test_functional_training(data):
    """Functional models of one or two inputs and outputs: data as arrays, lists, tuples and dicts."""
    agrees(draw_program(data.draw, "functional"))


@SETTINGS
@given(st.data())
def test_sequential_training(data):
    """Sequential models, with an input shape or built from the first data they get."""
    agrees(draw_program(data.draw, "sequential"))
