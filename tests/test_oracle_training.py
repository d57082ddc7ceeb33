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

import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.api import check_source


# SHAPECHECK_ORACLE_EXAMPLES raises the count for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "20")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PATH = "train_prog.py"
HEADER = ["import numpy as np", "import tensorflow as tf", "import keras", "from keras import layers"]

# The losses drawn for each kind of target ("regression", "categorical", "sparse", "binary"):
# a compile string or a loss class.
LOSSES = {
    "regression": ['"mse"', '"mae"', '"mean_squared_error"', '"mape"', '"msle"', '"log_cosh"', '"poisson"',
                   '"cosine_similarity"', "keras.losses.MeanSquaredError()", "keras.losses.Huber()",
                   "keras.losses.LogCosh()", "keras.losses.CosineSimilarity(axis=-1)"],
    "categorical": ['"categorical_crossentropy"', '"crossentropy"', '"kl_divergence"', '"categorical_hinge"',
                    "keras.losses.CategoricalCrossentropy(from_logits=True)", "keras.losses.CategoricalCrossentropy()",
                    "keras.losses.CategoricalFocalCrossentropy()", "keras.losses.KLDivergence()"],
    "sparse": ['"sparse_categorical_crossentropy"', '"crossentropy"',
               "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
               "keras.losses.SparseCategoricalCrossentropy(ignore_class=0)"],
    "binary": ['"binary_crossentropy"', '"bce"', '"crossentropy"', '"hinge"', '"squared_hinge"',
               "keras.losses.BinaryCrossentropy()", "keras.losses.BinaryFocalCrossentropy()"],
}


# how arrays are made: np.zeros(shape), np.ones(shape), np.random.rand(*shape), np.random.random(shape),
# np.random.normal(0, 1, size=shape), np.random.randint(0, 10, size=shape) (tokens below every vocabulary)
MAKERS = ["zeros", "zeros", "ones", "rand", "random", "normal", "randint"]

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
    if draw(st.integers(0, 3)) == 0:  # the features as tokens (every value drawn is below 10)
        lines.append(f"h_{var} = layers.Embedding(10, {draw(st.integers(1, 3))})({cur})")
        lines.append(f"h_{var} = layers.{draw(st.sampled_from(['Flatten', 'GlobalAveragePooling1D']))}()(h_{var})")
        cur = f"h_{var}"
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
    style = draw(st.sampled_from(["one", "list", "dict"] if n_in == 1 else ["list", "list", "dict"]))
    ins = {"one": inputs[0].name, "list": "[" + ", ".join(s.name for s in inputs) + "]",
           "dict": "{" + ", ".join(f"{s.name!r}: {s.name}" for s in inputs) + "}"}[style]
    # EXCLUDED: outputs as a dict (`keras.Model(a, {"o1": o1, "o2": o2})`): shapecheck follows no
    # model of dict outputs in fit/evaluate, so neither its targets (test_on_batch(x, [y1, y2]) with y2
    # of shape (6, 2) for o2 of (None, 1): Keras "must have the same shape") nor the arrays of
    # validation_data (counts 1 against 4 and 2) are checked; Keras rejects both.
    style = draw(st.sampled_from(["one", "list"] if n_out == 1 else ["list"]))
    outs = {"one": outputs[0], "list": "[" + ", ".join(outputs) + "]",
            "dict": "{" + ", ".join(f"{o!r}: {o}" for o in outputs) + "}"}[style]
    lines.append(f"model = keras.Model(inputs={ins}, outputs={outs})")
    return ModelDraw(lines, inputs, outputs)


@st.composite
def sequential_models(draw: Any) -> ModelDraw:
    """``Sequential([...])`` with ``keras.Input`` first, or the first layer's ``input_shape``, or
    none (built from the first data); or ``model.add`` layer by layer."""
    built = draw(st.booleans())
    shape = _input_shape(draw, allow_none=built)
    parts: list[str] = []
    keep_sequence = False
    if len(shape) == 2:
        t = shape[0]
        if draw(st.booleans()):
            k = draw(st.integers(1, 3))
            padding = "same" if t is None or t < k else draw(st.sampled_from(["valid", "same"]))
            parts.append(f"layers.Conv1D({draw(st.integers(1, 4))}, {k}, padding={padding!r})")
        keep_sequence = draw(st.integers(0, 3)) == 0
        if not keep_sequence:
            parts.append("layers.GlobalAveragePooling1D()" if t is None or draw(st.booleans()) else "layers.Flatten()")
    if draw(st.booleans()):
        parts.append(f"layers.Dense({draw(st.integers(1, 5))}, activation='relu')")
    units = draw(st.sampled_from([1, 1, 2, 3, 4]))
    act = draw(st.sampled_from([None, "softmax", "sigmoid"]))
    parts.append(f"layers.Dense({units}" + ("" if act is None else f", activation={act!r}") + ")")
    listed = ", ".join(parts)
    writing = draw(st.sampled_from(["list", "list", "add"] + (["input_shape", "build"] if built else [])))
    if writing == "build":  # built before any data: model.build((None, *shape))
        lines = [f"model = keras.Sequential([{listed}])", f"model.build({(None, *shape)!r})"]
    elif writing == "input_shape":
        first = parts[0][:-1] + ("" if parts[0].endswith("()") else ", ") + f"input_shape={shape!r})"
        lines = [f"model = keras.Sequential([{', '.join([first] + parts[1:])}])"]
    else:
        if built:
            parts = [f"keras.Input(shape={shape!r})"] + parts
        if writing == "add":
            lines = ["model = keras.Sequential()"] + [f"model.add({p})" for p in parts]
        else:
            lines = [f"model = keras.Sequential([{', '.join(parts)}])"]
    return ModelDraw(lines, [Source("x", shape)], ["output"], built=built, layers_expr=f"[{listed}]",
                     kind="sequential")


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
        lines = list(HEADER) + [
            f"model = keras.Sequential([keras.Input(shape={model.inputs[0].shape!r})] + {model.layers_expr})"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile("\n".join(lines) + "\n", "model_only.py", "exec"), namespace)
        out = namespace["model"]([np.zeros((1, *f), "float32") for f in fills] if len(fills) > 1
                                 else np.zeros((1, *fills[0]), "float32"))
    if isinstance(out, dict):
        out = [out[name] for name in model.outputs]
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
    if kind == "axis" and len(full) == 1:
        kind = "add2"  # no axis but the batch: a wrong count is another kind
    notes.append(f"{what}: {kind}")
    if kind == "add1":
        return (*full, 1)
    if kind == "add2":
        return (*full, 2)
    if kind == "drop_last":
        return full[:-1] if len(full) > 1 else full
    if kind == "axis":
        i = draw(st.sampled_from(axes or list(range(1, len(full)))))
        change = draw(st.sampled_from([-1, 1])) if full[i] > 1 else 1
        return tuple(d + change if j == i else d for j, d in enumerate(full))
    if kind == "no_batch":
        return tuple(shape) if shape else (n,)
    # count
    return (max(1, n + draw(st.sampled_from([-1, 1, 2]))), *shape)


def draw_x(draw: Any, var: str, model: ModelDraw, src: Source, n: int, data: Data, fill: tuple) -> None:
    shape = _perturb_shape(draw, fill, n, var, data.perturbed, counts=data.counts)
    data.lines.append(f"{var} = {_array(draw, draw(st.sampled_from(MAKERS)), shape)}")


def _array(draw: Any, maker: str, shape: tuple) -> str:
    """An array of ``shape`` made by ``maker``, now and then by way of a reshape, a new trailing
    axis or a slice of the first axis."""

    def make(s: tuple) -> str:
        if maker == "rand":
            return f"np.random.rand({', '.join(map(str, s))})"
        if maker == "random":
            return f"np.random.random({s!r})"
        if maker == "normal":
            return f"np.random.normal(0, 1, size={s!r})"
        if maker == "randint":
            return f"np.random.randint(0, 10, size={s!r})"
        return f"np.{maker}({s!r})"

    how = draw(st.sampled_from(["plain"] * 4 + ["reshape", "expand", "slice"]))
    if how == "reshape" and len(shape) >= 2:
        rest = ", ".join(map(str, shape[1:]))
        return f"{make((shape[0], math.prod(shape[1:])))}.reshape(-1, {rest})"
    if how == "expand" and len(shape) >= 2 and shape[-1] == 1:
        inner = make(shape[:-1])
        return draw(st.sampled_from([f"np.expand_dims({inner}, -1)", f"{inner}[..., np.newaxis]",
                                     f"{inner}[..., None]"]))
    if how == "slice":
        return f"{make((shape[0] + 3, *shape[1:]))}[:{shape[0]}]"
    return make(shape)


def draw_y(draw: Any, var: str, kind: str, out: tuple, n: int, data: Data) -> None:
    """Targets for an output of shape ``out`` under a loss for targets of ``kind`` (their shape
    drawn off the right one only where ``perturb``; a wrong sample count always may be)."""
    classes = out[-1] if out else 1
    if kind == "sparse":
        right: tuple = out[:-1] + ((1,) if draw(st.booleans()) else ())
    else:
        right = out
    shape = _perturb_shape(draw, right, n, var, data.perturbed, counts=data.counts)
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
        data.lines.append(f"{var} = {_array(draw, 'zeros', shape)}")


def _structure(draw: Any, names: Optional[list[str]], vars_: list[str], what: str, notes: list[str],
               wrap: bool = True, one_ok: bool = True) -> str:
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
        wrong = draw(st.sampled_from(["one", "reversed", "key", "three"] if one_ok else ["reversed", "key", "three"]))
        notes.append(f"{what}: {wrong}")
        if wrong == "one":
            return vars_[0]
        if wrong == "reversed":
            return "[" + ", ".join(reversed(vars_)) + "]"
        if wrong == "three":
            return "[" + ", ".join(vars_ + vars_[:1]) + "]"
        return "{" + ", ".join(f"{k + 'x'!r}: {v}" for k, v in zip(names, vars_)) + "}"
    return "[" + ", ".join(vars_) + "]"


def tf_dataset(draw: Any, suffix: str, family: str, in_names: Optional[list[str]], xs: list[str],
               out_names: Optional[list[str]], ys: list[str], notes: list[str], lines: list[str],
               count: int, short: bool) -> tuple[str, str]:
    """``ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(k)``: the element a tuple (never a
    list: tf.data stacks a list into one tensor) or a dict by name; the batch now and then forgotten.
    Returns the dataset's name and an empty ``y``."""

    def part(names: Optional[list[str]], vars_: list[str], what: str) -> str:
        style = draw(st.sampled_from(["plain", "plain"] + (["wrong"] if what == "x" or not short else [])
                                     + (["dict"] if names is not None else [])))
        if style == "dict":
            return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(names, vars_)) + "}"
        if style == "wrong" and len(vars_) > 1:
            notes.append(f"{what}: one array for {len(vars_)}")
            return vars_[0]
        return vars_[0] if len(vars_) == 1 else "(" + ", ".join(vars_) + ")"

    x = part(in_names, xs, "x")
    element = x if family == "predict" else f"({x}, {part(out_names, ys, 'y')})"
    # (drop_remainder with fewer samples than a batch leaves no batch at all: Keras's predict then
    # fails with an UnboundLocalError, nothing to do with shapes)
    batch = draw(st.sampled_from([".batch(2)", ".batch(4)", f".batch({min(count, 2)}, drop_remainder=True)",
                                  ".shuffle(8).batch(4)", ""]))
    if not batch:
        notes.append("dataset: not batched")
    name = f"ds{suffix}"
    lines.append(f"{name} = tf.data.Dataset.from_tensor_slices({element}){batch}")
    return name, ""


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
        style = draw(st.sampled_from(["one", "list", "list", "dict", "long", "short"]))
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
        elif style == "long":
            notes.append("loss: three in a list for two outputs")
            loss = "[" + ", ".join(per_output + per_output[:1]) + "]"
        else:  # Keras trains the outputs past the list without a loss
            notes.append("loss: one in a list for two outputs")
            loss = f"[{per_output[0]}]"
    # (one loss in a list for two outputs takes one target array too: Keras trains the first output)
    short = False
    lines = list(HEADER) + model.lines + [f'model.compile(optimizer="sgd", loss={loss})']
    n = draw(st.sampled_from([1, 2, 3, 4, 6, 8, 16, 32]))

    def data_set(suffix: str, count: int, family: str) -> tuple[str, str]:
        # A tf.data pipeline now and then (not for the *_on_batch calls, which take arrays). Its arrays
        # keep one sample count: `from_tensor_slices` itself fails on others, and a failing data
        # operation is never reported (shapecheck leaves its result unknown).
        dataset = family not in batchwise and draw(st.integers(0, 3)) == 0
        # EXCLUDED: inputs of different sample counts in a *_on_batch call on a model of two inputs:
        # `train_on_batch([np.zeros((2, 1)), np.zeros((1, 2))], y)` with the inputs concatenated fails in
        # Keras ("Dimension 0 in both shapes must be equal, but are 2 and 1"); shapecheck is silent.
        data = Data(counts=not dataset and not (family in batchwise and len(model.inputs) > 1))
        xs = [f"x{suffix}_{src.name}" for src in model.inputs]
        for var, src, fill in zip(xs, model.inputs, fills):
            draw_x(draw, var, model, src, count, data, fill)
        ys = [f"y{suffix}_{o}" for o in model.outputs]
        # the targets of a single output now and then in a list or tuple of one (Keras unwraps them)
        wrapped = len(ys) == 1 and not dataset and draw(st.integers(0, 3)) == 0
        for var, kind, shape in zip(ys, kinds, outs):
            draw_y(draw, var, kind, shape, count, data)
        lines.extend(data.lines)
        notes.extend(data.perturbed)
        named = model.kind == "functional"
        if dataset:
            return tf_dataset(draw, suffix, family, [s.name for s in model.inputs] if named else None, xs,
                              model.outputs if named else None, ys, notes, lines, count, short)
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
            # (the targets of a single output as a dict by its name: Keras 3.15 fails, "TypeError: Expected
            # float32, but got o1 of type 'str'", whatever the loss, in a dataset's element too)
            y = _structure(draw, model.outputs if named else None, ys, "y", notes,
                           wrap=len(ys) > 1, one_ok=not short)
        counts[(x, y)] = count
        if any(p.endswith((": count", ": no_batch")) for p in data.perturbed):
            uneven.add(x)
        return x, y

    # EXCLUDED: a second call of the same kind (fit and train_on_batch share Keras's train function;
    # evaluate, test_on_batch and fit's validation share the test function; predict and
    # predict_on_batch the predict function) on data of another rank than the first: TensorFlow
    # retraces the function with the rank relaxed to unknown and Keras fails ("Cannot take the
    # length of shape with unknown rank", or the Sequential's call on a tensor of shape <unknown>);
    # shapecheck checks each call on its own. Such a call here reuses the first call's data.
    methods = [draw(st.sampled_from(["fit", "fit", "fit", "evaluate", "predict", "train_on_batch", "test_on_batch",
                                      "predict_on_batch"])) for _ in range(draw(st.integers(1, 2)))]
    # EXCLUDED: `loss="crossentropy"` on a second set of targets: Keras picks binary, sparse or
    # categorical once, from the first targets it sees, and keeps it (sparse for `fit(x, y)` with y of
    # shape (3,) against an output (None, 3), which then fails on one-hot validation targets of shape
    # (1, 3)); shapecheck picks again for every call. With it, one call on one set of data.
    auto = '"crossentropy"' in loss
    if auto:
        methods = methods[:1]
    # (the *_on_batch calls take arrays only, no dataset)
    batchwise = {FAMILY[m] for m in methods if m.endswith("_on_batch")}
    sets: dict[str, tuple[str, str]] = {}
    uneven: set[str] = set()  # the x of data sets whose arrays hold different sample counts
    counts: dict[tuple[str, str], int] = {}  # the sample count each set of arrays was drawn for
    for c, method in enumerate(methods):
        family = FAMILY[method]
        if family not in sets:
            sets[family] = data_set(str(c + 1) if c else "", n if c == 0 else draw(st.sampled_from([1, 2, 4, 8])),
                                    family)
        x, y = sets[family]
        batch = draw(st.sampled_from([1, 2, 4, 8]))
        weights = ""
        # EXCLUDED: sample_weight for outputs of more than one axis after the batch (a sequence): the
        # loss per sample then has an axis more, and Keras multiplies it by the weights of shape (n,)
        # (`Sequential([Dense(1)])`, x and y of shape (2, 3, 1), mse, `sample_weight=np.ones((2,))`:
        # "Dimensions must be equal, but are 3 and 2"); shapecheck does not look at sample_weight's shape.
        # (An unbuilt Sequential's outputs follow the data it is built from: none there.)
        # EXCLUDED: one sample_weight array with the targets of several outputs as a dict: Keras fails
        # (`fit(x, {"o1": y1, "o2": y2}, sample_weight=np.ones((4,)))`: KeyError(0)), shapecheck is silent.
        if y and method != "predict" and model.built and all(len(o) == 1 for o in outs) \
                and not y.startswith("{") and not (family in batchwise and x in uneven) \
                and draw(st.integers(0, 3)) == 0:
            # per-sample weights: one a sample (now and then one too many or too few)
            # EXCLUDED: in the *_on_batch calls (no count check there, the weights multiply the loss; so
            # no weights there either for arrays of uneven counts):
            # `test_on_batch(np.zeros((4, 6)), np.zeros((4, 1)), sample_weight=np.ones((5,)))` fails in
            # Keras ("Dimensions must be equal, but are 4 and 5"), shapecheck is silent.
            rows = counts[(x, y)] + (draw(st.sampled_from([0, 0, 1, -1])) if family not in batchwise else 0)
            if rows != counts[(x, y)]:
                notes.append("sample_weight: count")
                uneven.add(x)
            weights = f", sample_weight=np.ones(({max(rows, 1)},))"
        keywords = draw(st.integers(0, 3)) == 0
        if method == "fit":
            extra = ""
            validation = draw(st.sampled_from(["", "", "data", "split"]))
            if validation == "split" and sets.get("test", (x, y)) != (x, y):
                validation = ""  # the test function was traced on other data (see above)
            if validation == "data" and auto:
                validation = ""
            if validation == "data":
                if "test" not in sets:
                    sets["test"] = data_set("v", draw(st.sampled_from([1, 2, 4])), "test")
                vx, vy = sets["test"]
                extra = f", validation_data={vx}" if not vy else f", validation_data=({vx}, {vy})"
            elif validation == "split":
                sets.setdefault("test", (x, y))
                extra = ", validation_split=0.25"
            xy = _args(x, y, keywords) + (f", batch_size={batch}" if y else "")
            lines.append(f"model.fit({xy}, epochs=1, verbose=0{weights}{extra})")
        elif method == "evaluate":
            xy = _args(x, y, keywords) + (f", batch_size={batch}" if y else "")
            lines.append(f"model.evaluate({xy}, verbose=0{weights})")
        elif method == "predict":
            lines.append(f"model.predict({_args(x, '', keywords)}{f', batch_size={batch}' if y else ''}, verbose=0)")
        elif method in ("train_on_batch", "test_on_batch"):
            lines.append(f"model.{method}({_args(x, y, keywords)}{weights})")
        else:
            lines.append(f"model.predict_on_batch({_args(x, '', keywords)})")
    return ProgramDraw("\n".join(lines) + "\n", notes)


def _args(x: str, y: str, keywords: bool) -> str:
    if keywords:
        return f"x={x}" + (f", y={y}" if y else "")
    return x + (f", {y}" if y else "")


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


# check_source raises the recursion limit for deep sources; Hypothesis warns that it will not undo it
QUIET = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")


@QUIET
@SETTINGS
@given(st.data())
def test_functional_training(data):
    """Functional models of one or two inputs and outputs: data as arrays, lists, tuples and dicts."""
    agrees(draw_program(data.draw, "functional"))


@QUIET
@SETTINGS
@given(st.data())
def test_sequential_training(data):
    """Sequential models, with an input shape or built from the first data they get."""
    agrees(draw_program(data.draw, "sequential"))
