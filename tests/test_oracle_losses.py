"""The ``keras.losses`` rules and ``compile(loss=...)`` against Keras itself, over generated cases.

Three comparisons:

* each loss FUNCTION called directly on Keras tensors (``keras.losses.mse(y_true, y_pred)``):
  shapecheck reports exactly when Keras's symbolic call fails, or data fails for every size tried
  in place of the ``None`` axes (``agrees`` of the ``keras.ops.nn`` oracle);
* the same functions traced (``call.traced``), against the function run on arrays;
* :func:`apply_compile_loss` (what ``fit`` does for one output) against Keras's own
  ``compile_utils.get_loss`` (or the loss class with its arguments) called on arrays, with the
  reduction switched off to see the per-sample loss.  A prediction with undefined axes (the
  model's ``None`` batch) may only be reported when Keras fails on the arrays.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shapecheck.core import dims
from shapecheck.core.engine import infer
from shapecheck.core.findings import ShapeError
from shapecheck.core.rules import OPS, Call, T, Unknowable, load_rules
from shapecheck.core.shapes import TensorType
from shapecheck.ops import losses as L

from .keras_oracle import keras_apply
from .test_oracle_ops import SETTINGS
from .test_oracle_ops_nn import agrees

load_rules()

LOSS_RULES = {name: rule for name, rule in OPS.items() if isinstance(rule, L._Loss)}
CANONICAL = sorted({f"keras.losses.{r.function}" for r in LOSS_RULES.values()})


def _keras():
    import keras

    return keras


# -- registry --------------------------------------------------------------------------------


def test_every_public_loss_function_has_a_rule_or_a_reason():
    import inspect

    keras = _keras()
    public = {f"keras.losses.{n}" for n in dir(keras.losses)
              if inspect.isfunction(getattr(keras.losses, n)) and n not in ("get", "serialize", "deserialize")}
    assert sorted(public - set(LOSS_RULES) - set(L.NOT_COVERED_LOSSES)) == []
    assert sorted(set(L.NOT_COVERED_LOSSES) & set(LOSS_RULES)) == []


def test_names_are_the_functions_keras_exports():
    # keras.losses / keras.metrics in Keras 3, plus tf.keras's aliases (keras._tf_keras: mse, kld …)
    import importlib
    import inspect

    keras = _keras()
    modules = {"keras.losses": [keras.losses, importlib.import_module("keras._tf_keras.keras.losses")],
               "keras.metrics": [keras.metrics, importlib.import_module("keras._tf_keras.keras.metrics")]}
    for name, rule in LOSS_RULES.items():
        prefix, short = name.rsplit(".", 1)
        found = [getattr(m, short) for m in modules[prefix] if hasattr(m, short)]
        assert found, name
        assert all(f is getattr(keras.losses, rule.function) for f in found), name
        assert list(inspect.signature(found[0]).parameters) == list(rule.params), name
    # every alias of a function with a rule is registered
    for prefix, mods in modules.items():
        for m in mods:
            for n in dir(m):
                f = getattr(m, n)
                if inspect.isfunction(f) and f"keras.losses.{getattr(f, '__name__', '')}" in LOSS_RULES:
                    if f is getattr(keras.losses, f.__name__, None):
                        assert f"{prefix}.{n}" in LOSS_RULES, f"{prefix}.{n}"


@pytest.mark.parametrize("name", sorted({f"keras.losses.{r.function}" for r in LOSS_RULES.values()}))
def test_examples_hold_for_keras(name):
    # tests/test_rule_examples.py checks shapecheck on these; Keras is asked here
    for ex in LOSS_RULES[name].examples:
        got = keras_apply(name, ex.config, ex.inputs, ex.args, ex.call_kwargs)
        if isinstance(ex.expect, str):
            assert got.rejected, f"{name}{ex}: Keras accepted it, with output {got.shapes}"
        else:
            assert not got.rejected, f"{name}{ex}: Keras rejected it: {got.error or got.eager_error}"
            assert got.single == ex.expect


# -- shapes drawn ------------------------------------------------------------------------------

SIZES = st.sampled_from([1, 2, 3, 4, None])
CONCRETE = st.sampled_from([1, 2, 3, 4, 5])


@st.composite
def pair(draw, sizes=SIZES, min_rank: int = 0, max_rank: int = 4) -> tuple[tuple, tuple]:
    """(y_true, y_pred): the prediction, and targets of the same shape, one axis fewer or more,
    a trailing 1, another width, a 1 to broadcast, or other axes altogether."""
    p = tuple(draw(sizes) for _ in range(draw(st.integers(min_rank, max_rank))))
    kind = draw(st.integers(0, 8))
    if kind == 0 or not p:
        t = p
    elif kind == 1:
        t = p[:-1]
    elif kind == 2:
        t = p + (1,)
    elif kind == 3:
        t = p[:-1] + (1,)
    elif kind == 4:
        t = p[:-1] + (draw(sizes),)
    elif kind == 5:
        i = draw(st.integers(0, len(p) - 1))
        t = p[:i] + (1,) + p[i + 1:]
    elif kind == 6:
        t = p[1:]
    elif kind == 7:
        t = p[:1]
    else:
        t = tuple(draw(sizes) for _ in range(draw(st.integers(0, 4))))
    if draw(st.booleans()):  # the prediction's side varies instead
        t, p = (p, t) if kind in (2, 3, 5) else (t, p)
    return t, p


def _sound_with_opaque(op: str, config: dict, t: Any, p: tuple) -> None:
    """A dimension the front end could not follow never causes a finding that some value of it
    would not: each known axis in turn becomes opaque."""
    tshape = t.shape if isinstance(t, T) else t
    for which, shape in (("t", tshape), ("p", p)):
        for axis, d in enumerate(shape):
            if not isinstance(d, int):
                continue
            swapped = shape[:axis] + (dims.unknown(),) + shape[axis + 1:]
            tt, pp = (swapped, p) if which == "t" else (tshape, swapped)
            ours = infer(op, config, T(tt, t.dtype) if isinstance(t, T) else tt, (pp,))
            if not isinstance(ours, str):
                continue
            for size in sorted({1, 2, 3, 4, 6, d}):
                filled = shape[:axis] + (size,) + shape[axis + 1:]
                tt, pp = (filled, p) if which == "t" else (tshape, filled)
                again = infer(op, config, T(tt, t.dtype) if isinstance(t, T) else tt, (pp,))
                assert isinstance(again, str), (op, config, t, p, which, axis, size, again)


def _direct(op: str, config: dict, t: Any, p: tuple) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agrees(op, config, t, (p,))
    _sound_with_opaque(op, config, t, p)


# -- the functions on Keras tensors --------------------------------------------------------------

_ELEMENTWISE = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                "mean_squared_logarithmic_error", "log_cosh", "huber", "hinge", "squared_hinge", "categorical_hinge",
                "kl_divergence", "poisson"]


@SETTINGS
@given(st.sampled_from(_ELEMENTWISE), pair())
def test_regression_and_hinge(function, shapes):
    _direct(f"keras.losses.{function}", {}, *shapes)


@SETTINGS
@given(pair(), st.sampled_from([-1, 0, 1, -2, 3]))
def test_cosine_similarity(shapes, axis):
    _direct("keras.losses.cosine_similarity", {"axis": axis}, *shapes)


@SETTINGS
@given(st.sampled_from(["binary_crossentropy", "binary_focal_crossentropy"]), pair(),
       st.sampled_from([-1, -1, 0, 1, 3, (0, 1)]), st.booleans())
def test_binary(function, shapes, axis, from_logits):
    _direct(f"keras.losses.{function}", {"axis": axis, "from_logits": from_logits}, *shapes)


@SETTINGS
@given(st.sampled_from(["categorical_crossentropy", "categorical_focal_crossentropy"]), pair(),
       st.sampled_from([-1, -1, -1, 0, 1, -3, 3]), st.booleans(), st.sampled_from([0.0, 0.1]), st.booleans())
def test_categorical(function, shapes, axis, from_logits, smoothing, int_labels):
    t, p = shapes
    _direct(f"keras.losses.{function}", {"axis": axis, "from_logits": from_logits, "label_smoothing": smoothing},
            T(t, "int32") if int_labels else t, p)


@SETTINGS
@given(pair(), st.sampled_from([-1, -1, -1, 0, 1, 2]), st.sampled_from([None, None, 0]), st.booleans())
def test_sparse_categorical(shapes, axis, ignore_class, from_logits):
    t, p = shapes
    _direct("keras.losses.sparse_categorical_crossentropy",
            {"axis": axis, "ignore_class": ignore_class, "from_logits": from_logits}, T(t, "int32"), p)


@SETTINGS
@given(st.sampled_from(["dice", "tversky"]), pair(), st.sampled_from([None, None, -1, 0, (1, 2), 3]))
def test_dice_tversky(function, shapes, axis):
    _direct(f"keras.losses.{function}", {"axis": axis}, *shapes)


@SETTINGS
@given(pair(), st.booleans())
def test_generalized_cross_entropy(shapes, int_labels):
    t, p = shapes
    _direct("keras.losses.categorical_generalized_cross_entropy", {"q": 0.5}, T(t, "int32") if int_labels else t, p)


@SETTINGS
@given(st.sampled_from([None, 2, 3]), st.sampled_from([None, 2, 3]), st.sampled_from([1, 4, None]),
       st.sampled_from([5, 6, None]), st.integers(0, 5))
def test_ctc(batch_t, batch_p, length, steps, mutate):
    t, p = (batch_t, length), (batch_p, steps, 4)
    if mutate == 0:
        t = t[:1]
    elif mutate == 1:
        p = p[:2]
    elif mutate == 2:
        p = p + (1,)
    _direct("keras.losses.ctc", {}, T(t, "int32"), p)


@st.composite
def circle_case(draw) -> tuple:
    b, b2, d = draw(SIZES), draw(st.sampled_from([1, 2, 3, None])), draw(st.sampled_from([1, 3, None]))
    t = draw(st.sampled_from([(b,), (b,), (b, 1), (b, 2), (b, 1, 1)]))
    p = draw(st.sampled_from([(b2, d), (b2, d), (b2,), (b2, d, 1)]))
    if draw(st.booleans()):
        p = (b, *p[1:])  # the same batch
    return t, p


@SETTINGS
@given(circle_case(), st.booleans())
def test_circle(shapes, remove_diagonal):
    # Only labels (batch,) or (batch, 1) against (batch, dim) embeddings are followed: elsewhere the rule
    # may stay unknown, never wrong.
    from .test_oracle_ops import FILL, _fill
    from .test_oracle_ops_nn import _eager_rejects, _symbolic_run

    t, p = shapes
    op, config = "keras.losses.circle", {"remove_diagonal": remove_diagonal}
    ours = infer(op, config, T(t, "int32"), (p,))
    theirs = _symbolic_run(op, config, T(t, "int32"), (p,), {})
    data = [_eager_rejects(op, config, T(_fill(t, s), "int32"), (_fill(p, s),), {}) for s in FILL]
    if isinstance(ours, str):
        assert isinstance(theirs, Exception) or all(data), (t, p, config, ours, theirs)
    elif ours is not None:
        assert not isinstance(theirs, Exception) and ours == theirs and not all(data), (t, p, config, ours, theirs)
    traced = _traced(op, config, _fill(t, 2), _fill(p, 2), "int32")
    run = _run(lambda a, b: getattr(_keras().losses, "circle")(a, b, **config), _fill(t, 2), _fill(p, 2), "int32")
    if isinstance(traced, str):
        assert isinstance(run, Exception), (t, p, config, traced)
    elif traced is not None:
        assert traced == run, (t, p, config, traced, run)


# -- traced: the functions on data ---------------------------------------------------------------


def _traced(op: str, config: dict, t: tuple, p: tuple, t_dtype: str = "float32") -> Any:
    rule = OPS[op]
    call = Call(rule, config, [TensorType(t, t_dtype), TensorType(p, "float32")], {}, name="loss", traced=True)
    try:
        return rule.output(call).shape
    except ShapeError as e:
        return e.code.name
    except Unknowable:
        return None


def _array(shape: tuple, dtype: str, rng: np.random.Generator) -> np.ndarray:
    if dtype.startswith("int"):
        return np.zeros(shape, dtype)  # class 0: a valid label whatever the number of classes
    return np.asarray(rng.uniform(0.1, 0.9, size=shape)).astype(dtype)


def _run(fn: Any, t: tuple, p: tuple, t_dtype: str = "float32") -> Any:
    rng = np.random.default_rng(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(_array(t, t_dtype, rng), _array(p, "float32", rng))
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        return e
    return tuple(out.shape)


def _fill(shape: tuple, size: int) -> tuple:
    return tuple(size if d is None else d for d in shape)


_TRACED_CASES = [
    ("mean_squared_error", {}, "float32"), ("hinge", {}, "float32"), ("cosine_similarity", {"axis": -1}, "float32"),
    ("binary_crossentropy", {"axis": -1}, "float32"), ("categorical_crossentropy", {"axis": -1}, "float32"),
    ("categorical_focal_crossentropy", {"axis": -1}, "float32"),
    ("sparse_categorical_crossentropy", {"axis": -1}, "int32"), ("dice", {"axis": None}, "float32"),
    ("categorical_generalized_cross_entropy", {"q": 0.5}, "int32"), ("log_cosh", {}, "float32"),
    ("kl_divergence", {}, "float32"), ("binary_focal_crossentropy", {"axis": -1}, "float32"),
    ("tversky", {"axis": -1}, "float32"), ("sparse_categorical_crossentropy", {"ignore_class": 0}, "int32"),
    ("huber", {"delta": 1.0}, "float32"),
]


@SETTINGS
@given(st.sampled_from(_TRACED_CASES), pair(sizes=st.sampled_from([1, 2, 3, 4, None, None]), max_rank=3))
def test_functions_on_data(case, shapes):
    # Traced, an undefined axis is any size: a finding holds for every size, a shape is Keras's.
    function, config, t_dtype = case
    op = f"keras.losses.{function}"
    t, p = shapes
    ours = _traced(op, config, t, p, t_dtype)
    fn = getattr(_keras().losses, function)
    results = [_run(lambda a, b: fn(a, b, **config), _fill(t, s), _fill(p, s), t_dtype) for s in (1, 2, 3, 5)]
    if isinstance(ours, str):
        assert all(isinstance(r, Exception) for r in results), (op, t, p, ours, results)
    elif None not in t + p:
        if ours is not None:
            assert ours == results[0], (op, t, p, ours, results[0])
    else:
        assert any(not isinstance(r, Exception) for r in results) or ours is None, (op, t, p, ours, results)


# -- compile(loss=...) + fit ------------------------------------------------------------------------

_STRINGS = ["mse", "MSE", "mae", "mape", "msle", "kld", "bce", "BCE", "mean_squared_error", "log_cosh", "huber",
            "hinge", "squared_hinge", "categorical_hinge", "poisson", "cosine_similarity", "kl_divergence",
            "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
            "categorical_focal_crossentropy", "sparse_categorical_crossentropy", "dice", "tversky",
            "crossentropy", "ce", "CE", "MeanSquaredError", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
            "BinaryCrossentropy", "Huber", "CosineSimilarity", "Dice", "CategoricalGeneralizedCrossEntropy", "circle",
            "Circle"]
_CLASSES = [
    ("CategoricalCrossentropy", {"from_logits": True}), ("CategoricalCrossentropy", {"axis": 1}),
    ("SparseCategoricalCrossentropy", {"from_logits": True}), ("SparseCategoricalCrossentropy", {"ignore_class": 0}),
    ("SparseCategoricalCrossentropy", {"axis": 1}), ("BinaryCrossentropy", {"label_smoothing": 0.1}),
    ("BinaryCrossentropy", {"axis": 0}), ("BinaryFocalCrossentropy", {"apply_class_balancing": True}),
    ("CategoricalFocalCrossentropy", {}), ("MeanAbsoluteError", {}), ("Huber", {"delta": 2.0}),
    ("CosineSimilarity", {"axis": 0}), ("KLDivergence", {}), ("Poisson", {}), ("Hinge", {}), ("LogCosh", {}),
    ("Tversky", {"alpha": 0.3, "beta": 0.7}), ("Dice", {"axis": (1, 2)}), ("CTC", {}),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}), ("MeanSquaredLogarithmicError", {}), ("Circle", {}),
    ("Circle", {"remove_diagonal": False}),
]


def _keras_loss(identifier: str, kwargs: dict, t: np.ndarray, p: np.ndarray) -> Any:
    """Keras's loss object for one output, as ``compile``/``fit`` build it, without reduction."""
    keras = _keras()
    from keras.src.trainers.compile_utils import get_loss

    obj = getattr(keras.losses, identifier)(**kwargs) if kwargs is not None else identifier
    loss = get_loss(obj, t, p)
    loss.reduction = None
    return loss


def _keras_compile(identifier: str, kwargs: Optional[dict], t: tuple, p: tuple, t_dtype: str) -> Any:
    rng = np.random.default_rng(0)
    y_true, y_pred = _array(t, t_dtype, rng), _array(p, "float32", rng)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = _keras_loss(identifier, kwargs, y_true, y_pred)(y_true, y_pred)
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        return e
    return tuple(out.shape)


def _ours(identifier: str, kwargs: Optional[dict], t: tuple, p: tuple, t_dtype: str, version: int = 3) -> Any:
    resolved = L.resolve_loss(f"keras.losses.{identifier}" if kwargs is not None else identifier, kwargs or {})
    if resolved is None:
        return "unresolved"
    try:
        return L.apply_compile_loss(*resolved, TensorType(t, t_dtype), TensorType(p, "float32"), version).shape
    except ShapeError as e:
        return e.code.name
    except Unknowable:
        return None


@st.composite
def compile_case(draw) -> tuple:
    """(identifier, class kwargs or None for a compile string, y_true, y_pred, y_true dtype, how much of the
    prediction is undefined)."""
    if draw(st.booleans()):
        identifier, kwargs = draw(st.sampled_from(_STRINGS)), None
    else:
        identifier, kwargs = draw(st.sampled_from(_CLASSES))
    batch = draw(st.sampled_from([1, 2, 3, 8]))
    t, p = draw(pair(sizes=CONCRETE, min_rank=0, max_rank=3))
    t, p = (batch, *t), (batch, *p)
    if identifier in ("Circle", "circle"):
        t, p = draw(st.sampled_from([(batch,), (batch, 1), (batch, 2), (draw(CONCRETE),)])), (batch, 3)
    if identifier in ("CTC",):
        t, p = (batch, draw(st.sampled_from([1, 3]))), (batch, draw(st.sampled_from([4, 5])), 3)
        if draw(st.integers(0, 3)) == 0:
            t = t[:1]
    t_dtype = draw(st.sampled_from(["float32", "int32"]))
    undefined = draw(st.sampled_from(["none", "none", "batch", "all"]))
    return identifier, kwargs, t, p, t_dtype, undefined


@SETTINGS
@given(compile_case())
def test_compile_loss(case):
    identifier, kwargs, t, p, t_dtype, undefined = case
    theirs = _keras_compile(identifier, kwargs, t, p, t_dtype)
    p_seen = p if undefined == "none" else (None, *p[1:]) if undefined == "batch" else tuple(None for _ in p)
    ours = _ours(identifier, kwargs, t, p_seen, t_dtype)
    if ours == "unresolved":  # only what Keras cannot resolve either
        assert isinstance(theirs, ValueError) and "Could not interpret loss identifier" in str(theirs), identifier
    elif isinstance(ours, str):
        assert isinstance(theirs, Exception), f"{identifier}{kwargs or ''} on {t} {p_seen}: shapecheck {ours}, " \
                                              f"Keras {theirs}"
    elif undefined == "none" and ours is not None:  # unknown is allowed (never wrong), a shape is Keras's
        assert not isinstance(theirs, Exception), f"{identifier}{kwargs or ''} on {t} {p}: Keras {theirs!r}, " \
                                                  f"shapecheck {ours}"
        assert ours == theirs, f"{identifier}{kwargs or ''} on {t} {p}: Keras {theirs}, shapecheck {ours}"


def _tf_keras_compile(identifier: str, kwargs: Optional[dict], t: tuple, p: tuple, t_dtype: str) -> Any:
    """tf.keras 2 (``tf_keras``) as its ``fit`` computes one output's loss, per sample: the loss object
    of ``LossesContainer``, ``match_dtype_and_rank``, then the loss without reduction."""
    import tensorflow as tf
    import tf_keras
    from tf_keras.src import losses as tf_keras_losses
    from tf_keras.src.engine import compile_utils
    from tf_keras.src.utils import losses_utils

    rng = np.random.default_rng(0)
    y_true, y_pred = tf.constant(_array(t, t_dtype, rng)), tf.constant(_array(p, "float32", rng))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = getattr(tf_keras.losses, identifier)(**kwargs) if kwargs is not None \
                else tf_keras.losses.get(identifier)
            if not isinstance(obj, tf_keras.losses.Loss):
                obj = tf_keras_losses.LossFunctionWrapper(obj)
            obj.reduction = losses_utils.ReductionV2.NONE
            y_t, y_p, _ = compile_utils.match_dtype_and_rank(y_true, y_pred, None)
            out = obj(y_t, y_p)
    except Exception as e:  # noqa: BLE001 - tf.keras's verdict
        return e
    return tuple(out.shape)


_KERAS2_STRINGS = ["mse", "MSE", "mae", "mape", "msle", "kld", "huber_loss", "logcosh", "hinge", "squared_hinge",
                   "categorical_hinge", "poisson", "cosine_similarity", "binary_crossentropy", "bce",
                   "categorical_crossentropy", "sparse_categorical_crossentropy", "MeanSquaredError",
                   "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "BinaryCrossentropy"]
_KERAS2_CLASSES = [("CategoricalCrossentropy", {"from_logits": True}), ("CategoricalCrossentropy", {"axis": 1}),
                   ("SparseCategoricalCrossentropy", {"from_logits": True}), ("BinaryCrossentropy", {"axis": 0}),
                   ("BinaryCrossentropy", {"from_logits": True}), ("MeanAbsoluteError", {}), ("Huber", {"delta": 2.0}),
                   ("KLDivergence", {}), ("Poisson", {}), ("CategoricalHinge", {}), ("LogCosh", {}),
                   ("CosineSimilarity", {"axis": 1}), ("CosineSimilarity", {"axis": -2})]


@SETTINGS
@given(st.data())
def test_compile_loss_keras2(data):
    if data.draw(st.booleans()):
        identifier, kwargs = data.draw(st.sampled_from(_KERAS2_STRINGS)), None
    else:
        identifier, kwargs = data.draw(st.sampled_from(_KERAS2_CLASSES))
    batch = data.draw(st.sampled_from([1, 2, 3, 8]))
    t, p = data.draw(pair(sizes=CONCRETE, min_rank=0, max_rank=3))
    t, p = (batch, *t), (batch, *p)
    t_dtype = data.draw(st.sampled_from(["float32", "int32"]))
    undefined = data.draw(st.sampled_from(["none", "none", "batch"]))
    p_seen = p if undefined == "none" else (None, *p[1:])
    resolved = L.resolve_loss(f"keras.losses.{identifier}" if kwargs is not None else identifier, kwargs or {}, 2)
    assert resolved is not None, identifier
    try:
        ours = L.apply_compile_loss(*resolved, TensorType(t, t_dtype), TensorType(p_seen), 2).shape \
            if resolved else None
    except ShapeError as e:
        ours = e.code.name
    except Unknowable:
        ours = None
    theirs = _tf_keras_compile(identifier, kwargs, t, p, t_dtype)
    if isinstance(ours, str):
        assert isinstance(theirs, Exception), f"tf.keras {identifier}{kwargs or ''} on {t} {p_seen}: shapecheck " \
                                              f"{ours}, Keras {theirs}"
    else:
        # the batch comes from y_true: the undefined prediction batch is the same size
        assert ours is None or not isinstance(theirs, Exception), \
            f"tf.keras {identifier}{kwargs or ''} on {t} {p}: Keras {theirs!r}, shapecheck {ours}"
        if ours is not None:
            assert ours == theirs, f"tf.keras {identifier}{kwargs or ''} on {t} {p}: Keras {theirs}, shapecheck {ours}"


@SETTINGS
@given(compile_case(), st.data())
def test_compile_loss_opaque_is_sound(case, data):
    # A size the front end could not follow (a dataset's batch, an array of unknown length) never
    # causes a finding that some value of it would not.
    identifier, kwargs, t, p, t_dtype, _ = case
    which = data.draw(st.sampled_from(["t", "p"]))
    shape = t if which == "t" else p
    if not shape:
        return
    axis = data.draw(st.integers(0, len(shape) - 1))
    version = data.draw(st.sampled_from([3, 3, 2]))
    resolved = L.resolve_loss(f"keras.losses.{identifier}" if kwargs is not None else identifier, kwargs or {},
                              version)
    if resolved is None:
        return

    def ours(size: Any) -> Any:
        filled = shape[:axis] + (size,) + shape[axis + 1:]
        tt, pp = (filled, p) if which == "t" else (t, filled)
        try:
            return L.apply_compile_loss(*resolved, TensorType(tt, t_dtype), TensorType(pp), version).shape
        except ShapeError as e:
            return e.code.name
        except Unknowable:
            return None

    opaque = ours(dims.unknown())
    other = p if which == "t" else t
    # one batch: an opaque first axis is the other side's size where that one is known
    sizes = {other[0]} if axis == 0 and other else {1, 2, 3, 4, 6, shape[axis]}
    if isinstance(opaque, str):
        for size in sorted(sizes):
            assert isinstance(ours(size), str), (identifier, kwargs, t, p, which, axis, size, opaque)


def test_compile_loss_batch_sizes_matter():
    # mse on (32,) against (32, 3) broadcasts 32 with 3 and fails (whatever the prediction's batch);
    # (3,) against (3, 3) works; with an undefined batch on both sides it could go either way: silence.
    assert _ours("mse", None, (32,), (None, 3), "float32") == "incompatible-shapes"
    for t, p in (((32,), (32, 3)), ((3,), (3, 3)), ((None,), (None, 3))):
        ours = _ours("mse", None, t, p, "float32")
        if None in p:
            assert not isinstance(ours, str)
            continue
        theirs = _keras_compile("mse", None, t, p, "float32")
        assert isinstance(ours, str) == isinstance(theirs, Exception), (t, p, ours, theirs)


def test_resolve_loss_names():
    keras = _keras()
    from keras.src.losses import ALL_OBJECTS_DICT

    # every compile string Keras resolves to a function with a rule, and every class
    for name, obj in ALL_OBJECTS_DICT.items():
        got = L.resolve_loss(name, {})
        fn = getattr(obj, "fn", None) or (obj().fn if isinstance(obj, type) and issubclass(obj, keras.losses.Loss)
                                          and obj not in (keras.losses.Loss,) and name != "LossFunctionWrapper"
                                          else obj)
        target = f"keras.losses.{getattr(fn, '__name__', '')}"
        if target in LOSS_RULES:
            assert got is not None and got[0] == target, name
        else:
            assert got is None, name
    assert L.resolve_loss("CrossEntropy", {}) == (L.AUTO_CROSSENTROPY, {})
    assert L.resolve_loss("keras.losses.CategoricalCrossentropy", {"from_logits": True, "name": "x"}) == \
        ("keras.losses.categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.0, "axis": -1})
    assert L.resolve_loss("keras.losses.mse", {}) == ("keras.losses.mean_squared_error", {})
    assert L.resolve_loss("no_such_loss", {}) is None


@pytest.mark.parametrize("cls", sorted(L.LOSS_CLASSES))
def test_loss_classes_pass_what_keras_passes(cls):
    keras = _keras()
    obj = getattr(keras.losses, cls)(**({"q": 0.5} if cls == "CategoricalGeneralizedCrossEntropy" else {}))
    function, defaults = L.LOSS_CLASSES[cls]
    assert obj.fn is getattr(keras.losses, function)
    assert obj._fn_kwargs == defaults


def test_squeeze_or_expand_to_same_rank():
    from keras.src.losses.loss import squeeze_or_expand_to_same_rank as keras_fn

    rng = np.random.default_rng(0)
    for a, b in [((4,), (4, 1)), ((4, 1), (4,)), ((4, 3, 1), (4, 3)), ((4, 3), (4, 3, 1)), ((4, 3), (4, 3)),
                 ((4, 2), (4,)), ((4, 3, 2), (4,)), ((4, 1), (4, 3, 1))]:
        ours = L.squeeze_or_expand_to_same_rank(TensorType(a), TensorType(b))
        ka, kb = keras_fn(_array(a, "float32", rng), _array(b, "float32", rng))
        assert (ours[0].shape, ours[1].shape) == (tuple(ka.shape), tuple(kb.shape)), (a, b)
    # an undefined last axis may or may not be 1: unknown rank, nothing reported downstream
    got = L.squeeze_or_expand_to_same_rank(TensorType((None, None)), TensorType((None,)))
    assert got[0].shape is None and got[1].shape is None

