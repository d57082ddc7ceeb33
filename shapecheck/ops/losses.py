"""Shape rules for ``keras.losses`` functions, and how ``compile(loss=...)`` applies them.

Each rule models a loss FUNCTION called directly on two tensors (``keras.losses.mse(y_true,
y_pred)``): its output is the per-sample loss, and it fails where Keras fails: symbolically on
Keras tensors (``None`` equals only ``None`` where Keras compares shapes with ``==``), and on data
when the call is traced (an undefined axis is any size there).  The bodies are those of
``keras/src/losses/losses.py``: the regression losses squeeze or expand a trailing axis of size 1
(:func:`squeeze_or_expand_to_same_rank`), broadcast, and reduce the last axis; the crossentropies
defer to the ``keras.ops`` rules of :mod:`.nn`.

``compile(loss=...)`` + ``fit`` does more: :func:`resolve_loss` maps a compile identifier (a
string, a loss class with its arguments, a function) to a rule and the keyword arguments the
class passes its function; :func:`apply_compile_loss` then does what Keras's
``LossFunctionWrapper`` does for one output: the ``"crossentropy"`` pick, the squeeze or expand,
and the function on data.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import OPS, Call, Example, OpRule, T, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from .op_utils import axes_indices, axis_index, broadcast_or_fail, is_int, known, param, tensor

# -- shapes as the loss functions see them ------------------------------------------------------


def _is_one(d: Dim, traced: bool) -> Optional[bool]:
    """``d == 1`` as Python sees a static shape: ``None`` (symbolic) is not 1; on data (traced) an
    undefined or opaque axis may be; ``None`` when it cannot be told."""
    if is_int(d):
        return d == 1
    if d is None and not traced:
        return False
    return None


def _squeeze_or_expand(t: Shape, p: Shape, traced: bool, batch_unknown: bool = False) -> tuple[Shape, Shape]:
    """``keras.src.losses.loss.squeeze_or_expand_to_same_rank(y_true, y_pred)`` on shapes;
    :class:`Unknowable` when the axis it looks at may or may not be 1 (``batch_unknown``: the
    first axis is undefined where Keras looks, as when ``fit`` traces its step)."""
    if len(p) == len(t) + 1:  # Keras's two branches are one with the roles swapped
        p, t = _squeeze_or_expand(p, t, traced, batch_unknown)
        return t, p
    if len(t) == len(p) + 1:
        one = _is_one(t[-1], traced)
        if one is None or (batch_unknown and len(t) == 1):
            raise Unknowable()
        if one:
            if len(p) == 1:
                p = p + (1,)
            else:
                t = t[:-1]
    return t, p


def squeeze_or_expand_to_same_rank(a: TensorType, b: TensorType) -> tuple[TensorType, TensorType]:
    """Keras's ``squeeze_or_expand_to_same_rank(y_true, y_pred)`` as ``fit`` applies it to the
    targets and the prediction: when the ranks differ by one and the longer one ends in 1, that
    axis is dropped (or, when the other is rank 1, the other gains a trailing 1).  Where the axis
    looked at may or may not be 1 (undefined, or the batch axis of a rank-1 tensor) both come back
    with unknown rank, so that nothing downstream is reported."""
    if a.shape is None or b.shape is None:
        return a.with_shape(None), b.with_shape(None)
    try:
        t, p = _squeeze_or_expand(a.shape, b.shape, traced=True, batch_unknown=True)
    except Unknowable:
        return a.with_shape(None), b.with_shape(None)
    return a.with_shape(t), b.with_shape(p)


def _drop(shape: Shape, axes: tuple[int, ...]) -> Shape:
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduce(shape: Shape, axis: Any) -> Shape:
    """``ops.sum(x, axis)`` / ``ops.mean``: ``None`` reduces everything; out-of-range axes fail."""
    if axis is None:
        return ()
    return _drop(shape, axes_indices(axis, len(shape), repeats_fail=False))


def _out(shape: Shape, p: TensorType) -> TensorType:
    dtype = p.dtype if p.dtype is not None and p.dtype.startswith(("float", "bfloat")) else None
    return TensorType(tuple(shape), dtype)


def _int_axis(axis: Any) -> int:
    axis = known(axis)
    if isinstance(axis, bool):
        raise ShapeError(INVALID_ARGUMENT, f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    if not is_int(axis):
        raise Unknowable()
    return axis


def _class_axis_reads(t: Shape, p: Shape, label_smoothing: Any, traced: bool) -> None:
    """``y_pred.shape[-1]`` (a warning about one class) and, with label smoothing,
    ``ops.shape(y_true)[-1]``: Python indexing, a scalar fails; on Keras tensors an undefined
    number of classes cannot be cast to a tensor."""
    if not p:
        raise ShapeError(INVALID_ARGUMENT, "tuple index out of range: `y_pred.shape[-1]` of a scalar prediction. "
                         f"Received: y_pred.shape={show_shape(p)}")
    if not t:
        if known(label_smoothing):
            raise ShapeError(INVALID_ARGUMENT, "tuple index out of range: label smoothing reads the number of "
                             f"classes from `y_true.shape[-1]`. Received: y_true.shape={show_shape(t)}")
    elif t[-1] is None and not traced and known(label_smoothing):
        raise ShapeError(INVALID_ARGUMENT, "Attempt to convert a value (None) with an unsupported type (<class "
                         "'NoneType'>) to a Tensor: label smoothing needs a defined number of classes "
                         f"(`y_true.shape[-1]`). Received: y_true.shape={show_shape(t)}")


def _via(op: str, config: dict, args: list, traced: bool) -> TensorType:
    """Apply the ``keras.ops`` rule ``op`` (a crossentropy of :mod:`.nn`)."""
    rule = OPS[op]
    out = rule.output(Call(rule, config, args, {}, name=op.rsplit(".", 1)[-1], traced=traced))
    assert isinstance(out, TensorType)
    return out


# -- the rules ---------------------------------------------------------------------------------


class _Loss(OpRule):
    """A ``keras.losses`` function: ``y_true``, ``y_pred``, then keyword arguments."""

    #: the function's name in ``keras.losses`` (its first name)
    function: ClassVar[str] = ""

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.names and not cls.__dict__.get("function"):
            cls.function = cls.names[0].rsplit(".", 1)[-1]

    def output(self, call: Call) -> TensorType:
        if call.keras_version < 3:
            raise Unknowable()  # tf.keras 2 losses are other functions (see apply_compile_loss)
        t, p = tensor(call, "y_true"), tensor(call, "y_pred")
        kwargs = {k: param(call, k) for k in self.params[2:]}
        return self.compute(t, p, kwargs, call.traced)

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        raise NotImplementedError


def _names(function: str, in_metrics: bool, aliases: tuple[str, ...] = ()) -> tuple[str, ...]:
    """``keras.losses.<function>``, ``keras.metrics.<function>`` where keras.metrics exports the same
    function, and tf.keras's other spellings of it (``mse``, ``kld``: ``keras._tf_keras.keras.losses``
    and ``tf_keras.losses``, both canonical as ``keras.losses``)."""
    spellings = (function, *aliases)
    out = tuple(f"keras.losses.{n}" for n in spellings)
    if in_metrics:
        out += tuple(f"keras.metrics.{n}" for n in spellings)
    return out


class _LastAxis(_Loss):
    """``ops.mean(f(y_true, y_pred), axis=-1)`` of an elementwise ``f``: the shapes broadcast
    (after the squeeze or expand of a trailing 1 where ``squeeze``), the last axis goes."""

    squeeze: ClassVar[bool] = True

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        ts, ps = (_squeeze_or_expand(t.shape, p.shape, traced) if self.squeeze else (t.shape, p.shape))
        b = broadcast_or_fail(ts, ps)
        axis_index(-1, len(b))
        return _out(b[:-1], p)


def _last_axis_examples() -> tuple[Example, ...]:
    return (
        Example({}, (None, 3), (None,), args=((None, 3),)),
        Example({}, (4, 1), (4,), args=((4, 3),)),
        Example({}, (None, 2, 5), (None, 2), args=((None, 2, 1),)),
        Example({}, (3,), (3,), args=((3, 3),)),
        Example({}, (2, 1), "incompatible-shapes", args=((3,),)),
        Example({}, (32,), "incompatible-shapes", args=((32, 3),)),
        Example({}, (None, 4), "incompatible-shapes", args=((None, 3),)),
        Example({}, (), "invalid-argument", args=((),)),
    )


def _class_name(function: str) -> str:
    return "".join(w.capitalize() for w in function.split("_")) + "Loss"


def _regression(function: str, doc: str, aliases: tuple[str, ...] = ()) -> type:
    cls = type(_class_name(function), (_LastAxis,), {
        "__doc__": doc,
        "__module__": __name__,
        "names": _names(function, True, aliases),
        "params": ("y_true", "y_pred"),
        "defaults": {},
        "examples": _last_axis_examples(),
        "function": function,
    })
    return register(cls)


_regression("mean_squared_error", "``keras.losses.mean_squared_error(y_true, y_pred)``: the squeeze or expand of a "
            "trailing 1, broadcasting, the mean over the last axis.", ("MSE", "mse"))
_regression("mean_absolute_error", "``keras.losses.mean_absolute_error(y_true, y_pred)``: as ``mean_squared_error``.",
            ("MAE", "mae"))
_regression("mean_absolute_percentage_error", "``keras.losses.mean_absolute_percentage_error(y_true, y_pred)``: "
            "as ``mean_squared_error``.", ("MAPE", "mape"))
_regression("mean_squared_logarithmic_error", "``keras.losses.mean_squared_logarithmic_error(y_true, y_pred)``: "
            "as ``mean_squared_error``.", ("MSLE", "msle"))
_regression("log_cosh", "``keras.losses.log_cosh(y_true, y_pred)``: as ``mean_squared_error``.", ("logcosh",))


@register
class HuberLoss(_LastAxis):
    """``keras.losses.huber(y_true, y_pred, delta=1.0)``: as ``mean_squared_error`` (a scalar
    ``delta``; another one is not followed)."""

    names = _names("huber", True)
    params = ("y_true", "y_pred", "delta")
    defaults = {"delta": 1.0}
    examples = _last_axis_examples()

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        delta = known(kw["delta"])
        if not isinstance(delta, (int, float)):
            raise Unknowable()
        return super().compute(t, p, kw, traced, fit=fit)


_NO_SQUEEZE_EXAMPLES = (
    Example({}, (None, 3), (None,), args=((None, 3),)),
    Example({}, (4, 1), (4,), args=((4, 3),)),
    Example({}, (4,), (4,), args=((4, 4),)),
    Example({}, (None, 2, 5), "incompatible-shapes", args=((None, 2, 3),)),
    Example({}, (2, 1), (2,), args=((3,),)),
    Example({}, (), "invalid-argument", args=((),)),
)


def _plain(function: str, doc: str, aliases: tuple[str, ...] = ()) -> type:
    cls = type(_class_name(function), (_LastAxis,), {
        "__doc__": doc,
        "__module__": __name__,
        "names": _names(function, True, aliases),
        "params": ("y_true", "y_pred"),
        "defaults": {},
        "squeeze": False,
        "examples": _NO_SQUEEZE_EXAMPLES,
        "function": function,
    })
    return register(cls)


_plain("hinge", "``keras.losses.hinge(y_true, y_pred)``: no squeeze; the shapes broadcast, the mean over the "
       "last axis.")
_plain("squared_hinge", "``keras.losses.squared_hinge(y_true, y_pred)``: as ``hinge``.")
_plain("categorical_hinge", "``keras.losses.categorical_hinge(y_true, y_pred)``: as ``hinge`` (a sum and a max over "
       "the last axis).")
_plain("kl_divergence", "``keras.losses.kl_divergence(y_true, y_pred)``: as ``hinge`` (a sum over the last axis).",
       ("KLD", "kld", "kullback_leibler_divergence"))
_plain("poisson", "``keras.losses.poisson(y_true, y_pred)``: as ``hinge``.")


@register
class CosineSimilarityLoss(_Loss):
    """``keras.losses.cosine_similarity(y_true, y_pred, axis=-1)``: the squeeze or expand, each
    normalized along ``axis`` (in range for each), broadcast, summed over ``axis``."""

    names = _names("cosine_similarity", False)
    params = ("y_true", "y_pred", "axis")
    defaults = {"axis": -1}
    examples = (
        Example({}, (None, 3), (None,), args=((None, 3),)),
        Example({"axis": 0}, (2, 3), (3,), args=((2, 3),)),
        Example({}, (4, 1), (4,), args=((4, 3),)),
        Example({}, (None, 4), "incompatible-shapes", args=((None, 3),)),
        Example({"axis": 2}, (2, 3), "invalid-argument", args=((2, 3),)),
    )

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        axis = _int_axis(kw["axis"])
        ts, ps = _squeeze_or_expand(t.shape, p.shape, traced)
        if traced and not (ts and ps):
            raise Unknowable()  # on data the backend's l2_normalize makes a scalar a vector of 1
        axis_index(axis, len(ps))
        axis_index(axis, len(ts))
        b = broadcast_or_fail(ts, ps)
        return _out(_drop(b, (axis_index(axis, len(b)),)), p)


class _Binary(_Loss):
    """``ops.binary_crossentropy`` (the same shape for both) then the mean over ``axis``."""

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        out = _via("keras.ops.binary_crossentropy", {}, [t, p], traced)
        assert out.shape is not None
        return _out(_reduce(out.shape, known(kw["axis"])), p)


_BINARY_EXAMPLES = (
    Example({}, (None, 3), (None,), args=((None, 3),)),
    Example({"axis": 0}, (4, 3), (3,), args=((4, 3),)),
    Example({}, (None, 1), "incompatible-shapes", args=((None,),)),
    Example({}, (4,), "incompatible-shapes", args=((4, 1),)),
    Example({"axis": 2}, (4, 3), "invalid-argument", args=((4, 3),)),
)


@register
class BinaryCrossentropyLoss(_Binary):
    """``keras.losses.binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0,
    axis=-1)``: the same shape for both (no squeeze), the mean over ``axis``."""

    names = _names("binary_crossentropy", True)
    params = ("y_true", "y_pred", "from_logits", "label_smoothing", "axis")
    defaults = {"from_logits": False, "label_smoothing": 0.0, "axis": -1}
    examples = _BINARY_EXAMPLES


@register
class BinaryFocalCrossentropyLoss(_Binary):
    """``keras.losses.binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False,
    alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1)``: as
    ``binary_crossentropy``."""

    names = _names("binary_focal_crossentropy", True)
    params = ("y_true", "y_pred", "apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis")
    defaults = {"apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0, "from_logits": False,
                "label_smoothing": 0.0, "axis": -1}
    examples = _BINARY_EXAMPLES


@register
class CategoricalCrossentropyLoss(_Loss):
    """``keras.losses.categorical_crossentropy(y_true, y_pred, from_logits=False,
    label_smoothing=0.0, axis=-1)``: ``keras.ops.categorical_crossentropy`` (the same shape for
    both, one-hot targets as wide as the prediction); a bool ``axis`` is rejected."""

    names = _names("categorical_crossentropy", True)
    params = ("y_true", "y_pred", "from_logits", "label_smoothing", "axis")
    defaults = {"from_logits": False, "label_smoothing": 0.0, "axis": -1}
    examples = (
        Example({}, (None, 5), (None,), args=((None, 5),)),
        Example({"label_smoothing": 0.1}, (2, 4, 5), (2, 4), args=((2, 4, 5),)),
        Example({}, T((None,), "int32"), "incompatible-shapes", args=((None, 5),)),
        Example({}, (None, 5), "incompatible-shapes", args=((None, 4),)),
        Example({"axis": True}, (2, 5), "invalid-argument", args=((2, 5),)),
    )

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        axis = _int_axis(kw["axis"])
        _class_axis_reads(t.shape, p.shape, kw["label_smoothing"], traced)
        out = _via("keras.ops.categorical_crossentropy", {"from_logits": known(kw["from_logits"]), "axis": axis},
                   [t, p], traced)
        assert out.shape is not None
        return _out(out.shape, p)


@register
class CategoricalFocalCrossentropyLoss(_Loss):
    """``keras.losses.categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0,
    from_logits=False, label_smoothing=0.0, axis=-1)``: unlike ``categorical_crossentropy`` the
    targets only broadcast against the prediction; ``axis`` in range for the prediction, summed
    over."""

    names = _names("categorical_focal_crossentropy", True)
    params = ("y_true", "y_pred", "alpha", "gamma", "from_logits", "label_smoothing", "axis")
    defaults = {"alpha": 0.25, "gamma": 2.0, "from_logits": False, "label_smoothing": 0.0, "axis": -1}
    examples = (
        Example({}, (None, 5), (None,), args=((None, 5),)),
        Example({}, (5,), (2,), args=((2, 5),)),
        Example({"axis": 0}, (4, 5), (5,), args=((4, 5),)),
        Example({}, (None, 4), "incompatible-shapes", args=((None, 5),)),
        Example({"axis": 2}, (4, 5), "invalid-argument", args=((4, 5),)),
        Example({"axis": False}, (4, 5), "invalid-argument", args=((4, 5),)),
    )

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        axis = _int_axis(kw["axis"])
        _class_axis_reads(t.shape, p.shape, kw["label_smoothing"], traced)
        axis_index(axis, len(p.shape))  # softmax / sum over `axis` of the prediction
        b = broadcast_or_fail(t.shape, p.shape)
        return _out(_drop(b, (axis_index(axis, len(b)),)), p)


@register
class SparseCategoricalCrossentropyLoss(_Loss):
    """``keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=False,
    ignore_class=None, axis=-1)``: a ``y_true`` of the prediction's rank with 1 on ``axis`` loses
    it, then ``keras.ops.sparse_categorical_crossentropy`` (labels shaped as the prediction without
    its class axis)."""

    names = _names("sparse_categorical_crossentropy", True)
    params = ("y_true", "y_pred", "from_logits", "ignore_class", "axis")
    defaults = {"from_logits": False, "ignore_class": None, "axis": -1}
    examples = (
        Example({}, T((None,), "int32"), (None,), args=((None, 5),)),
        Example({}, T((None, 1), "int32"), (None,), args=((None, 5),)),
        Example({"ignore_class": 0}, T((2, 7), "int32"), (2, 7), args=((2, 7, 5),)),
        Example({}, T((None, 5), "int32"), "incompatible-shapes", args=((None, 5),)),
        Example({}, T((4,), "int32"), "incompatible-shapes", args=((3, 5),)),
        Example({}, T((), "int32"), "invalid-argument", args=((),)),
        Example({}, T((2,), "int32"), "rank-mismatch", args=((),)),
    )

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        axis = known(kw["axis"])
        if not is_int(axis):
            raise Unknowable()
        ts = t.shape
        undecided = False  # a Keras tensor's undefined axis: not 1 symbolically, maybe 1 on data
        if len(ts) == len(p.shape):
            if not -len(ts) <= axis < len(ts):
                raise ShapeError(INVALID_ARGUMENT, f"tuple index out of range: axis={axis} of y_true.shape="
                                 f"{show_shape(ts)}")
            one = _is_one(ts[axis], traced)
            if one is None or (one and fit and axis % len(ts) == 0):
                raise Unknowable()  # fit traces with an undefined batch: a batch of 1 is not squeezed there
            undecided = ts[axis] is None
            if one:
                a = axis % len(ts)
                ts = ts[:a] + ts[a + 1:]
        try:
            return self._after_squeeze(t, p, ts, axis, kw, traced)
        except ShapeError as e:
            if undecided and e.code is INVALID_ARGUMENT:
                raise Unknowable() from None  # a data-only check, on data the squeeze may have gone the other way
            raise

    def _after_squeeze(self, t: TensorType, p: TensorType, ts: Shape, axis: int, kw: dict,
                       traced: bool) -> TensorType:
        assert p.shape is not None
        ignore = kw["ignore_class"]
        if ignore is UNKNOWN:
            raise Unknowable()
        pred = p.shape
        if ignore is not None:
            # labels equal to `ignore_class` are masked: `ops.where(expand_dims(mask, axis), y_pred, 0)`
            class_axis = axis_index(axis, len(pred))
            res_shape = _drop(pred, (class_axis,))
            at = axis_index(axis, len(ts) + 1)
            pred = broadcast_or_fail(ts[:at] + (1,) + ts[at:], pred)
        out = _via("keras.ops.sparse_categorical_crossentropy", {"from_logits": known(kw["from_logits"]),
                                                                  "axis": axis}, [t.with_shape(ts), p.with_shape(pred)],
                   traced)
        assert out.shape is not None
        if ignore is None:
            return _out(out.shape, p)
        # the mask reshaped to the prediction's shape without its class axis, then `ops.where` with the loss
        if all(is_int(d) for d in ts + res_shape):
            if _count(ts) != _count(res_shape):
                raise ShapeError(INCOMPATIBLE_SHAPES, "The total size of the tensor must be unchanged: the label "
                                 f"mask of shape {show_shape(ts)} reshaped to the prediction's "
                                 f"{show_shape(res_shape)} (`ignore_class`).")
        else:
            raise Unknowable()
        return _out(broadcast_or_fail(res_shape, out.shape), p)


def _count(shape: Shape) -> int:
    n = 1
    for d in shape:
        n *= d  # type: ignore[operator]
    return n


@register
class CtcLoss(_Loss):
    """``keras.losses.ctc(y_true, y_pred)``: ``y_true`` ``(batch, max_length)``, ``y_pred``
    ``(batch, steps, classes)``, then ``keras.ops.ctc_loss`` with lengths of the batch size; on
    Keras tensors an undefined batch or number of steps fails (``steps * ops.ones((batch,))``)."""

    names = _names("ctc", False)
    params = ("y_true", "y_pred")
    examples = (
        Example({}, T((4, 5), "int32"), (4,), args=((4, 20, 8),)),
        Example({}, T((2, 1), "int32"), (2,), args=((2, 3, 2),)),
        Example({}, T((4,), "int32"), "rank-mismatch", args=((4, 20, 8),)),
        Example({}, T((4, 5), "int32"), "rank-mismatch", args=((4, 20),)),
        Example({}, T((3, 5), "int32"), "incompatible-shapes", args=((4, 20, 8),)),
        Example({}, T((None, 5), "int32"), "invalid-argument", args=((None, 20, 8),)),
    )

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        if len(t.shape) != 2:
            raise ShapeError(RANK_MISMATCH, "Targets `y_true` are expected to be a tensor of shape `(batch_size, "
                             f"max_length)` in integer format. Received: y_true.shape={show_shape(t.shape)}")
        if len(p.shape) != 3:
            raise ShapeError(RANK_MISMATCH, "Logits `y_pred` are expected to be a tensor of shape `(batch_size, "
                             f"max_length, num_classes)`. Received: y_pred.shape={show_shape(p.shape)}")
        batch = p.shape[0]
        if (batch is None or p.shape[1] is None) and not traced:
            raise ShapeError(INVALID_ARGUMENT, "Attempt to convert a value (None) with an unsupported type "
                             "(<class 'NoneType'>) to a Tensor: `ctc` needs a defined batch size and number of "
                             f"steps on Keras tensors. Received: y_pred.shape={show_shape(p.shape)}")
        lengths = [TensorType((t.shape[0],), "int32"), TensorType((batch,), "int32")]
        out = _via("keras.ops.ctc_loss", {"mask_index": 0}, [t, p, *lengths], traced)
        return out


class _Overlap(_Loss):
    """``dice`` / ``tversky``: sums over ``axis`` (every axis when ``None``) of broadcast products."""

    separate: ClassVar[bool] = False  # dice also sums y_true and y_pred on their own

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        axis = known(kw["axis"])
        if axis is not None and not (is_int(axis) or (isinstance(axis, (list, tuple)) and axis
                                                      and all(is_int(a) for a in axis))):
            raise Unknowable()
        b = broadcast_or_fail(t.shape, p.shape)
        out = _reduce(b, axis)
        if self.separate:
            out = broadcast_or_fail(out, broadcast_or_fail(_reduce(t.shape, axis), _reduce(p.shape, axis)))
        return _out(out, p)


_OVERLAP_EXAMPLES = (
    Example({}, (None, 8, 8, 1), (), args=((None, 8, 8, 1),)),
    Example({"axis": (1, 2)}, (2, 8, 8, 3), (2, 3), args=((2, 8, 8, 3),)),
    Example({"axis": -1}, (1, 8), (4,), args=((4, 8),)),
    Example({}, (None, 8, 8, 2), "incompatible-shapes", args=((None, 8, 8, 3),)),
    Example({"axis": 3}, (2, 8, 8), "invalid-argument", args=((2, 8, 8),)),
)


@register
class DiceLoss(_Overlap):
    """``keras.losses.dice(y_true, y_pred, axis=None)``: the shapes broadcast; the sums of the
    product, of ``y_true`` and of ``y_pred`` over ``axis`` broadcast too."""

    names = _names("dice", False)
    params = ("y_true", "y_pred", "axis")
    defaults = {"axis": None}
    separate = True
    examples = _OVERLAP_EXAMPLES


@register
class TverskyLoss(_Overlap):
    """``keras.losses.tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None)``: the shapes
    broadcast; sums over ``axis``."""

    names = _names("tversky", False)
    params = ("y_true", "y_pred", "alpha", "beta", "axis")
    defaults = {"alpha": 0.5, "beta": 0.5, "axis": None}
    examples = _OVERLAP_EXAMPLES


@register
class CategoricalGeneralizedCrossEntropyLoss(_Loss):
    """``keras.losses.categorical_generalized_cross_entropy(y_true, y_pred, q)``: integer labels
    one-hot encoded to the prediction's last axis (``y_true.shape + (classes,)``), broadcast against
    the prediction, summed over the last axis."""

    names = _names("categorical_generalized_cross_entropy", False)
    params = ("y_true", "y_pred", "q")
    examples = (
        Example({"q": 0.5}, T((None,), "int32"), (None,), args=((None, 5),)),
        Example({"q": 0.5}, T((2, 7), "int32"), (2, 7), args=((2, 7, 5),)),
        Example({"q": 0.5}, T((4,), "int32"), "incompatible-shapes", args=((3, 5),)),
        Example({"q": 0.5}, T((4, 5), "int32"), "incompatible-shapes", args=((4, 5),)),
        Example({"q": 0.5}, T((4,), "int32"), "invalid-argument", args=((),)),
    )

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        if not p.shape:
            raise ShapeError(INVALID_ARGUMENT, "tuple index out of range: `y_pred` needs a class axis for "
                             f"`num_classes=ops.shape(y_pred)[-1]`. Received: y_pred.shape={show_shape(p.shape)}")
        b = broadcast_or_fail(p.shape, t.shape + (p.shape[-1],))
        return _out(b[:-1], p)


@register
class CircleLoss(_Loss):
    """``keras.losses.circle(y_true, y_pred, ref_labels=None, ref_embeddings=None,
    remove_diagonal=True, gamma=80, margin=0.4)``: pairwise over the batch, one loss per
    embedding.  On Keras tensors ``remove_diagonal=True`` always fails (``ops.eye`` of a tensor
    size); on data labels ``(batch,)`` or ``(batch, 1)`` against embeddings ``(batch, dim)``
    give ``(batch,)``, the label and embedding batches broadcasting.  Other ranks, and reference
    labels or embeddings, are not followed."""

    names = _names("circle", False)
    params = ("y_true", "y_pred", "ref_labels", "ref_embeddings", "remove_diagonal", "gamma", "margin")
    defaults = {"ref_labels": None, "ref_embeddings": None, "remove_diagonal": True, "gamma": 80, "margin": 0.4}
    examples = (
        Example({"remove_diagonal": False}, T((None,), "int32"), (None,), args=((None, 8),)),
        Example({"remove_diagonal": False}, T((4, 1), "int32"), (4,), args=((4, 8),)),
        Example({"remove_diagonal": False}, T((4,), "int32"), "incompatible-shapes", args=((3, 8),)),
        Example({}, T((4,), "int32"), "invalid-argument", args=((4, 8),)),
    )

    def compute(self, t: TensorType, p: TensorType, kw: dict, traced: bool, *, fit: bool = False) -> TensorType:
        assert t.shape is not None and p.shape is not None
        if known(kw["ref_labels"]) is not None or known(kw["ref_embeddings"]) is not None:
            raise Unknowable()
        if known(kw["remove_diagonal"]) and not traced:
            raise ShapeError(INVALID_ARGUMENT, "Arguments `num_rows` and `num_columns` must be positive integer values: "
                             "`circle` with `remove_diagonal=True` builds `ops.eye(ops.size(labels), ...)`, which "
                             "fails on Keras tensors; call it on data (a loss given to `compile`).")
        ts, ps = t.shape, p.shape
        if len(ps) != 2 or len(ts) not in (1, 2) or (len(ts) == 2 and _is_one(ts[1], traced) is not True):
            raise Unknowable()
        # the label masks are (labels, labels), the distances (embeddings, embeddings)
        pairs = broadcast_or_fail((ts[0], ts[0]), (ps[0], ps[0]))
        if not traced and ts[0] != ps[0] and dims.equal(ts[0], ps[0]) is not True:
            raise Unknowable()  # Keras's symbolic shape follows the embeddings where data broadcasts to the labels
        return _out(pairs[:1], p)


#: ``keras.losses`` functions without a rule, and why (merged into ``shapecheck.ops.NOT_COVERED`` by the lead)
NOT_COVERED_LOSSES: dict[str, str] = {}


# -- compile(loss=...) ---------------------------------------------------------------------------

AUTO_CROSSENTROPY = "auto_crossentropy"

#: compile strings Keras 3 resolves (``keras.src.losses.ALL_OBJECTS_DICT``): functions and aliases
_FUNCTION_STRINGS: dict[str, str] = {
    **{n: n for n in (
        "kl_divergence", "poisson", "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
        "categorical_focal_crossentropy", "sparse_categorical_crossentropy", "mean_squared_error",
        "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
        "cosine_similarity", "log_cosh", "huber", "hinge", "squared_hinge", "categorical_hinge", "dice", "tversky",
        "circle", "ctc")},
    "bce": "binary_crossentropy", "BCE": "binary_crossentropy",
    "kld": "kl_divergence", "KLD": "kl_divergence",
    "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
    "mse": "mean_squared_error", "MSE": "mean_squared_error",
    "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
}

#: loss classes: the function they wrap, and the keyword arguments their constructor passes it
#: (with the class's defaults)
LOSS_CLASSES: dict[str, tuple[str, dict]] = {
    "MeanSquaredError": ("mean_squared_error", {}),
    "MeanAbsoluteError": ("mean_absolute_error", {}),
    "MeanAbsolutePercentageError": ("mean_absolute_percentage_error", {}),
    "MeanSquaredLogarithmicError": ("mean_squared_logarithmic_error", {}),
    "CosineSimilarity": ("cosine_similarity", {"axis": -1}),
    "Huber": ("huber", {"delta": 1.0}),
    "LogCosh": ("log_cosh", {}),
    "Hinge": ("hinge", {}),
    "SquaredHinge": ("squared_hinge", {}),
    "CategoricalHinge": ("categorical_hinge", {}),
    "KLDivergence": ("kl_divergence", {}),
    "Poisson": ("poisson", {}),
    "BinaryCrossentropy": ("binary_crossentropy", {"from_logits": False, "label_smoothing": 0.0, "axis": -1}),
    "BinaryFocalCrossentropy": ("binary_focal_crossentropy", {
        "apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0, "from_logits": False, "label_smoothing": 0.0,
        "axis": -1}),
    "CategoricalCrossentropy": ("categorical_crossentropy", {"from_logits": False, "label_smoothing": 0.0,
                                                             "axis": -1}),
    "CategoricalFocalCrossentropy": ("categorical_focal_crossentropy", {
        "alpha": 0.25, "gamma": 2.0, "from_logits": False, "label_smoothing": 0.0, "axis": -1}),
    "SparseCategoricalCrossentropy": ("sparse_categorical_crossentropy", {"from_logits": False, "ignore_class": None,
                                                                         "axis": -1}),
    "CTC": ("ctc", {}),
    "Dice": ("dice", {"axis": None}),
    "Tversky": ("tversky", {"alpha": 0.5, "beta": 0.5, "axis": None}),
    "Circle": ("circle", {"gamma": 80.0, "margin": 0.4, "remove_diagonal": True}),
    "CategoricalGeneralizedCrossEntropy": ("categorical_generalized_cross_entropy", {"q": 0.5}),
}
#: loss classes ``keras.losses.get`` does not know by name (missing from ``ALL_OBJECTS``)
_NOT_COMPILE_STRINGS = ("CategoricalGeneralizedCrossEntropy",)
#: constructor arguments that do not reach the function
_CLASS_ONLY = ("reduction", "name", "dtype")


def _rule_name(function: str) -> Optional[str]:
    name = f"keras.losses.{function}"
    return name if name in OPS else None


#: more compile strings tf.keras 2 resolves (``tf_keras.losses`` module globals)
_KERAS2_STRINGS: dict[str, str] = {"huber_loss": "huber", "logcosh": "log_cosh",
                                   "kullback_leibler_divergence": "kl_divergence"}


def resolve_loss(identifier: str, kwargs: dict, keras_version: int = 3) -> Optional[tuple[str, dict]]:
    """A compile identifier to ``(rule name, function keyword arguments)``, or ``None`` when unknown.

    ``identifier`` is a string ``compile`` accepts (``"mse"``, ``"categorical_crossentropy"``,
    ``"CategoricalCrossentropy"``, ``"crossentropy"``), a canonical class name
    (``"keras.losses.CategoricalCrossentropy"``, ``kwargs`` its constructor's keyword arguments)
    or a canonical function name (``"keras.losses.categorical_crossentropy"``, also
    ``keras.metrics.*``).  ``"crossentropy"``/``"ce"`` (any case) give ``("auto_crossentropy", {})``:
    :func:`apply_compile_loss` picks binary, sparse or categorical from the shapes as Keras does.
    ``keras_version=2`` also knows tf.keras 2's spellings (``"huber_loss"``, ``"logcosh"``).
    """
    if not isinstance(identifier, str):
        return None
    if identifier.lower() in ("crossentropy", "ce"):
        return AUTO_CROSSENTROPY, {}
    short = identifier
    for prefix in ("keras.losses.", "keras.metrics."):
        if identifier.startswith(prefix):
            short = identifier[len(prefix):]
            if identifier in OPS:  # a function (or an alias of one) called by its name
                rule = OPS[identifier]
                if isinstance(rule, _Loss):
                    return _rule_name(rule.function) or None, dict(kwargs)
            if prefix == "keras.metrics.":
                return None  # metric classes compute other things
            break
    else:
        strings = {**_FUNCTION_STRINGS, **_KERAS2_STRINGS} if keras_version < 3 else _FUNCTION_STRINGS
        if short in strings:  # a compile string: the function, no arguments
            name = _rule_name(strings[short])
            return (name, {}) if name else None
        if short in _NOT_COMPILE_STRINGS:
            return None  # Keras: "Could not interpret loss identifier"
    if short in LOSS_CLASSES:
        function, defaults = LOSS_CLASSES[short]
        name = _rule_name(function)
        if name is None:
            return None
        unknown = [k for k in kwargs if k not in defaults and k not in _CLASS_ONLY]
        if unknown:
            return None  # Keras rejects it (TypeError); not ours to report
        return name, {**defaults, **{k: v for k, v in kwargs.items() if k not in _CLASS_ONLY}}
    return None


def _auto_pick(t: Shape, p: Shape) -> str:
    """``compile_utils.is_binary_or_sparse_categorical`` on the traced shapes: binary when the
    prediction ends in 1, sparse when the targets have fewer axes (or end in 1 against more
    classes), else categorical.  The batch axis is undefined when ``fit`` traces the step."""
    if not p or not t:
        raise Unknowable()

    def last(shape: Shape) -> Dim:
        return None if len(shape) == 1 else shape[-1]  # a rank-1 tensor's last axis is the batch

    p_last = last(p)
    is_binary = _is_one(p_last, traced=True) if len(p) > 1 else None
    if is_binary is None:
        raise Unknowable()
    if is_binary:
        return "keras.losses.binary_crossentropy"
    if len(t) < len(p):
        return "keras.losses.sparse_categorical_crossentropy"
    t_one = _is_one(last(t), traced=True) if len(t) > 1 else None
    if t_one is None:
        raise Unknowable()
    if t_one:
        if not is_int(p_last):
            raise Unknowable()
        if p_last > 1:  # type: ignore[operator]
            return "keras.losses.sparse_categorical_crossentropy"
    return "keras.losses.categorical_crossentropy"


def apply_compile_loss(rule_name: str, kwargs: dict, y_true: TensorType, y_pred: TensorType,
                       keras_version: int = 3) -> TensorType:
    """What ``fit`` does with one output's targets and prediction under its compiled loss.

    ``rule_name`` and ``kwargs`` come from :func:`resolve_loss`.  Keras 3 wraps every loss in a
    ``LossFunctionWrapper``: both tensors are cast to float32, ``"crossentropy"`` picks its
    function from the shapes, :func:`squeeze_or_expand_to_same_rank` adds or drops a trailing 1,
    and the function runs on data (undefined axes may be any size).  The first axis of both is the
    batch, one size: where one side leaves it undefined (the model's ``None``) it takes the other's.
    While ``fit`` traces its step the batch is undefined, so where Keras looks at it (the last axis
    of a rank-1 tensor) nothing is told.  Returns the per-sample loss (before the reduction to a
    scalar); raises :class:`ShapeError` when Keras fails for every size of the undefined axes,
    :class:`Unknowable` when it cannot be told.  ``keras_version=2`` models tf.keras 2
    (``tf_keras``) for the regression and hinge losses, cosine similarity and the three crossentropies, and is
    unknowable for the rest.
    """
    if y_true.shape is None or y_pred.shape is None:
        raise Unknowable()
    ts, ps = y_true.shape, y_pred.shape
    if ts and ps:  # one batch: the targets' and the prediction's first axes are the same size
        if ts[0] is None or isinstance(ts[0], dims.Sym) and is_int(ps[0]):
            ts = (ps[0],) + ts[1:]
        elif ps[0] is None or isinstance(ps[0], dims.Sym) and is_int(ts[0]):
            ps = (ts[0],) + ps[1:]
    # Keras 3's Loss casts both to float32; tf.keras 2 casts integer targets only where a function does
    t, p = TensorType(ts, "float32" if keras_version >= 3 else y_true.dtype), TensorType(ps, "float32")
    if keras_version < 3:
        return _apply_keras2(rule_name, kwargs, t, p)
    if rule_name == AUTO_CROSSENTROPY:
        assert t.shape is not None and p.shape is not None
        rule_name = _auto_pick(t.shape, p.shape)
    rule = OPS.get(rule_name)
    if not isinstance(rule, _Loss):
        raise Unknowable()
    assert t.shape is not None and p.shape is not None
    ts, ps = _squeeze_or_expand(t.shape, p.shape, traced=True, batch_unknown=True)
    kw = {**rule.defaults, **kwargs}
    kw = {k: kw.get(k, UNKNOWN) for k in rule.params[2:]}
    return rule.compute(t.with_shape(ts), p.with_shape(ps), kw, True, fit=True)


#: tf.keras 2 functions that reduce an elementwise function of the broadcast shapes over the last axis
_KERAS2_LAST_AXIS = tuple(f"keras.losses.{n}" for n in (
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
    "log_cosh", "huber", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "poisson"))


def _keras2_prepare(t: Shape, p: Shape) -> tuple[Shape, Shape]:
    """tf.keras 2's ``fit``: ``compile_utils.match_dtype_and_rank`` (rank-1 targets of a rank-2
    prediction gain a trailing 1), then ``LossFunctionWrapper``'s
    ``losses_utils.squeeze_or_expand_dimensions``: a trailing 1 of the side with one axis more
    is dropped (the prediction's only when it is known to be 1)."""
    if len(t) == 1 and len(p) == 2:
        t = t + (1,)
    diff = len(p) - len(t)
    if diff == 1:
        one = _is_one(p[-1], traced=True) if len(p) > 1 else None
        if one is None:
            raise Unknowable()
        if one:
            p = p[:-1]
    elif diff == -1:
        # `is_compatible_with(1)`: an undefined axis is squeezed while tracing, and fails on data unless 1
        one = _is_one(t[-1], traced=True) if len(t) > 1 else None
        if one is None:
            raise Unknowable()
        if one:
            t = t[:-1]
    return t, p


def _apply_keras2(rule_name: str, kwargs: dict, t: TensorType, p: TensorType) -> TensorType:
    """The loss in tf.keras 2 (``tf_keras``): other preprocessing (:func:`_keras2_prepare`), and
    functions without their own squeeze; modelled for the regression and hinge losses,
    ``cosine_similarity`` and the three crossentropies, unknowable for the rest (and for ``"crossentropy"``, which tf.keras 2 does not
    resolve)."""
    rule = OPS.get(rule_name)
    if not isinstance(rule, _Loss):
        raise Unknowable()
    assert t.shape is not None and p.shape is not None
    kw = {**rule.defaults, **kwargs}
    ts, ps = _keras2_prepare(t.shape, p.shape)
    if rule_name in _KERAS2_LAST_AXIS:
        if rule_name == "keras.losses.huber" and not isinstance(known(kw.get("delta", 1.0)), (int, float)):
            raise Unknowable()
        b = broadcast_or_fail(ts, ps)
        axis_index(-1, len(b))
        return _out(b[:-1], p)
    if rule_name == "keras.losses.cosine_similarity":
        axis = _int_axis(kw.get("axis", -1))
        if not ts or not ps or not (t.dtype or "").startswith("float"):
            raise Unknowable()  # integer targets: l2_normalize fails on their dtype, not on shapes
        axis_index(axis, len(ts))  # tf.linalg.l2_normalize of each
        axis_index(axis, len(ps))
        b = broadcast_or_fail(ts, ps)
        return _out(_drop(b, (axis_index(axis, len(b)),)), p)
    if rule_name == "keras.losses.categorical_crossentropy":
        axis = _int_axis(kw.get("axis", -1))
        if len(ts) != len(ps) or any(dims.differs(a, b) for a, b in zip(ts, ps)):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Shapes {show_shape(ts)} and {show_shape(ps)} are incompatible "
                             "(tf.keras 2 `categorical_crossentropy` needs one-hot targets of the prediction's shape)")
        if not ps:
            raise Unknowable()
        merged = tuple(b if a is None or isinstance(a, dims.Sym) else a for a, b in zip(ts, ps))
        return _out(_drop(merged, (axis_index(axis, len(ps)),)), p)
    if rule_name == "keras.losses.binary_crossentropy":
        axis = known(kw.get("axis", -1))
        if known(kw.get("from_logits", False)):
            if len(ts) != len(ps) or any(dims.differs(a, b) for a, b in zip(ts, ps)):
                raise ShapeError(INCOMPATIBLE_SHAPES, "logits and labels must have the same shape "
                                 f"({show_shape(ps)} vs {show_shape(ts)})")
        b = broadcast_or_fail(ts, ps)
        # without logits the formula broadcasts, unless the prediction comes out of a sigmoid (then
        # `sigmoid_cross_entropy_with_logits` needs the same shape): only equal shapes are sure
        if len(ts) != len(ps) or any(dims.equal(x, y) is not True for x, y in zip(ts, ps)):
            raise Unknowable()
        return _out(_reduce(b, axis), p)
    if rule_name == "keras.losses.sparse_categorical_crossentropy":
        return _out(_keras2_sparse(ts, ps, kw), p)
    raise Unknowable()


def _keras2_sparse(t: Shape, p: Shape, kw: dict) -> Shape:
    """``tf_keras.backend.sparse_categorical_crossentropy``: the class axis moved last; labels one
    axis short of the prediction must match it, others are flattened against the prediction's
    leading axes (the same number of elements)."""
    if known(kw.get("ignore_class")) is not None:
        raise Unknowable()
    axis = known(kw.get("axis", -1))
    if not is_int(axis) or not p:
        raise Unknowable()
    a = axis_index(axis, len(p))
    logits = p[:a] + p[a + 1:] + (p[a],)
    lead = logits[:-1]
    if len(t) == len(logits) - 1:
        if any(dims.differs(x, y) for x, y in zip(t, lead)):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"`labels.shape` must equal `logits.shape` except for the last "
                             f"dimension. Received: labels.shape={show_shape(t)} and logits.shape={show_shape(logits)}")
        return tuple(y if x is None or isinstance(x, dims.Sym) else x for x, y in zip(t, lead))
    if not all(is_int(d) for d in t + lead) or len(logits) < 2:
        raise Unknowable()
    if _count(t) != _count(lead):
        raise ShapeError(INCOMPATIBLE_SHAPES, f"labels of shape {show_shape(t)} ({_count(t)} labels, flattened) "
                         f"against a prediction of shape {show_shape(p)} ({_count(lead)} rows of logits)")
    return lead if len(logits) >= 3 else (_count(t),)

