"""Rules for ``keras/src/layers/attention``: dot-product, additive, multi-head and grouped-query attention.

Each maps a query ``(batch, Tq, dim)`` attending over a value ``(batch, Tv, dv)`` (and an
optional key) to an output shaped like the query (the value's width for ``Attention``),
plus the attention scores with ``return_attention_scores=True``.  Keras's symbolic build
checks little; most mismatches (query and key widths, key and value lengths, batch sizes)
fail only as soon as data flows, and are reported here all the same.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import (
    AXIS_MISMATCH,
    INCOMPATIBLE_SHAPES,
    INPUT_COUNT,
    INVALID_ARGUMENT,
    RANK_MISMATCH,
    ShapeError,
)
from ..core.ir import UNKNOWN
from ..core.rules import (
    FLOATING, INTEGER, NUMERIC, T, Call, Example, InputSpec, LayerRule, Unknowable, count, known_int, register,
)
from ..core.shapes import UNKNOWN_TENSOR, Shape, TensorType, broadcast, show_shape


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _keras_differs(a: Dim, b: Dim) -> bool:
    """``a != b`` the way Keras compares shape tuples, where ``None`` differs from any size."""
    if a is None or b is None:
        return (a is None) != (b is None) and (_is_int(a) or _is_int(b))
    return dims.differs(a, b)


def _tensor(v: Any) -> Any:
    # `engine.infer` converts only top-level example markers; keep the rules' view uniform.
    if isinstance(v, T):
        return TensorType(None if v.shape is None else tuple(v.shape), v.dtype)
    return v


def _scores_flag(call: Call) -> bool:
    flag = call.kwargs.get("return_attention_scores", False)
    if flag is UNKNOWN:
        raise Unknowable()
    return flag is True


def _needs_width(call: Call, what: str, shape: Shape) -> None:
    if shape[-1] is None and not call.built:
        raise ShapeError(AXIS_MISMATCH, f'Layer "{call.name}" needs a known last axis of `{what}` to create its '
                         f"weights, but received {what} with shape {show_shape(shape)}: shapes used to initialize "
                         "variables must be fully-defined (no `None` dimensions).")


class _DotAttention(LayerRule):
    """``Attention`` and ``AdditiveAttention`` on ``[query, value]`` or ``[query, value, key]``."""

    additive: ClassVar[bool] = False

    def _inputs(self, call: Call) -> tuple[TensorType, TensorType, TensorType]:
        first = call.args[0] if call.args else call.kwargs.get("inputs", UNKNOWN)
        cls = self.names[0]
        if isinstance(first, TensorType):
            raise ShapeError(INPUT_COUNT, f"{cls} layer must be called on a list of inputs, namely [query, value] "
                             f"or [query, value, key]. Received: inputs={show_shape(first.shape)}.")
        if not isinstance(first, (list, tuple)):
            raise Unknowable()
        if not 2 <= len(first) <= 3:
            raise ShapeError(INPUT_COUNT, f"{cls} layer accepts inputs list of length 2 or 3, namely [query, value] "
                             f"or [query, value, key]. Received length: {len(first)}.")
        q, v = call.inputs[0], call.inputs[1]
        k = call.inputs[2] if len(first) > 2 else v
        return q, v, k

    def concat_scores(self, call: Call) -> bool:
        return self.additive or call.get("score_mode") == "concat"

    def output(self, call: Call) -> list:
        q, v, k = self._inputs(call)
        if q.shape is None or v.shape is None or k.shape is None:
            raise Unknowable()
        qs, vs, ks = q.shape, v.shape, k.shape
        if self.additive and call.get("use_scale") is True:
            _needs_width(call, "query", qs)
        self._check_flow(call, qs, vs, ks)
        out = [q.with_shape((*qs[:-1], vs[-1]))]
        if _scores_flag(call):
            out.append(q.with_shape((*qs[:-1], ks[-2])))
        return out

    def _check_flow(self, call: Call, qs: Shape, vs: Shape, ks: Shape) -> None:
        """What fails as soon as data flows: ``matmul(query, key^T)`` and ``matmul(scores, value)``."""
        # Only the key is transposed (or expanded at axis -3); a vector query or value
        # goes through matmul's broadcasting.
        if len(ks) < 2:
            raise ShapeError(RANK_MISMATCH, f'Layer "{call.name}" expects key of shape (batch_size, timesteps, '
                             f"dim) (ndim>=2), but received shape {show_shape(ks)}.")
        q_dim, k_dim = qs[-1], ks[-1]
        if self.concat_scores(call):
            clash = dims.differs(q_dim, k_dim) and 1 not in (q_dim, k_dim)
            how = "add (broadcast)"
        else:
            clash = dims.differs(q_dim, k_dim)
            how = "take the dot product of"
        if clash:
            raise ShapeError(INCOMPATIBLE_SHAPES, f'Layer "{call.name}" cannot {how} query {show_shape(qs)} and key '
                             f"{show_shape(ks)}: their last dimensions differ ({dims.show(q_dim)} vs "
                             f"{dims.show(k_dim)}); the layer builds, but fails as soon as data flows.")
        scores = self._scores_shape(call, qs, ks)
        if scores is None:
            raise ShapeError(INCOMPATIBLE_SHAPES, f'Layer "{call.name}": the batch dimensions of query '
                             f"{show_shape(qs)} and key {show_shape(ks)} do not broadcast.")
        if len(scores) < 2 and call.kwargs.get("use_causal_mask") is True:
            raise ShapeError(RANK_MISMATCH, f'Layer "{call.name}": query {show_shape(qs)} and key '
                             f"{show_shape(ks)} give scores of shape {show_shape(scores)}, where "
                             "`use_causal_mask=True` needs (..., Tq, Tv).")
        _check_apply_scores(call, scores, vs)

    def _scores_shape(self, call: Call, qs: Shape, ks: Shape) -> Optional[Shape]:
        """The shape of the scores when data flows (``None``: the batch axes do not broadcast)."""
        if self.concat_scores(call):
            # sum(tanh(expand_dims(q, -2) + expand_dims(k, -3)), -1)
            return broadcast((*qs[:-1], 1), (*ks[:-2], 1, ks[-2]))
        if len(qs) == 1:
            return (*ks[:-2], ks[-2])  # a vector times a stack of matrices
        batch = broadcast(qs[:-2], ks[:-2])
        return None if batch is None else (*batch, qs[-2], ks[-2])


    def weights(self, call: Call) -> tuple[int, int]:
        """``Attention``: a scalar ``scale`` (``use_scale``) and a scalar ``concat_score_weight``
        (``score_mode="concat"``); ``AdditiveAttention``: ``scale`` of the query's width (``use_scale``)."""
        if self.additive:
            if not call.flag("use_scale", True):
                return (0, 0)
            q = self._inputs(call)[0]
            if q.shape is None or not q.shape:
                raise Unknowable()
            return (known_int(q.shape[-1]), 0)
        mode = call.known("score_mode")
        return (int(call.flag("use_scale", False)) + (mode == "concat"), 0)


def _check_apply_scores(call: Call, scores: Shape, vs: Shape) -> None:
    """``matmul(scores, value)``: the scores' last axis meets the value's timesteps, batch axes broadcast."""
    if len(vs) == 1:
        steps, v_steps = scores[-1], vs[0]
    elif len(scores) == 1:
        steps, v_steps = scores[0], vs[-2]
    else:
        steps, v_steps = scores[-1], vs[-2]
    if dims.differs(steps, v_steps):
        raise ShapeError(INCOMPATIBLE_SHAPES, f'Layer "{call.name}": the scores {show_shape(scores)} cover '
                         f"{dims.show(steps)} timesteps of the key, but value {show_shape(vs)} has "
                         f"{dims.show(v_steps)}; the scores cannot be applied to the value when data flows.")
    if len(vs) >= 2 and len(scores) >= 2 and broadcast(scores[:-2], vs[:-2]) is None:
        raise ShapeError(INCOMPATIBLE_SHAPES, f'Layer "{call.name}": the batch dimensions of the scores '
                         f"{show_shape(scores)} and value {show_shape(vs)} do not broadcast.")

@register
class Attention(_DotAttention):
    """Dot-product attention: ``[query (B, Tq, d), value (B, Tv, dv)]`` -> ``(B, Tq, dv)``; key width must be ``d``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("Attention",)
    params = ("use_scale", "score_mode", "dropout", "seed")
    defaults = {"use_scale": False, "score_mode": "dot"}
    examples = (
        Example({}, [(None, 4, 3), (None, 5, 3)], (None, 4, 3)),
        Example({}, [(None, 4, 3), (None, 5, 6), (None, 5, 3)], (None, 4, 6)),
        Example({"score_mode": "concat", "use_scale": True}, [(None, 4, 3), (None, 5, 6), (None, 5, 1)], (None, 4, 6)),
        Example({}, [(None, 4, 3), (None, 5, 3)], [(None, 4, 3), (None, 4, 5)],
                call_kwargs={"return_attention_scores": True}),
        Example({}, [(None, 4, 3), (None, 5, 6), (None, 5, 4)], "incompatible-shapes"),
        Example({}, [(None, 4, 3), (None, 5, 6), (None, 6, 3)], "incompatible-shapes"),
        Example({}, [(None, 4, 3)], "input-count"),
        Example({}, (None, 4, 3), "input-count"),
        Example({"score_mode": "add"}, [(None, 4, 3), (None, 5, 3)], "invalid-argument"),
        Example({}, [(None,), (None,)], "rank-mismatch"),
        Example({}, [(3,), (None, 4, 3)], (3,)),
    )

    def check_config(self, call: Call) -> None:
        mode = call.get("score_mode")
        if mode is not UNKNOWN and mode not in ("dot", "concat"):
            raise ShapeError(INVALID_ARGUMENT, "Invalid value for argument score_mode. Expected one of {'dot', "
                             f"'concat'}}. Received: score_mode={mode}")


@register
class AdditiveAttention(_DotAttention):
    """Additive (Bahdanau) attention: ``[query, value(, key)]`` -> ``(B, Tq, dv)``; widths must broadcast."""

    accepts = FLOATING | INTEGER
    accepts_sparse = False
    keeps_ragged = True
    names = ("AdditiveAttention",)
    params = ("use_scale", "dropout")
    defaults = {"use_scale": True}
    additive = True
    examples = (
        Example({}, [(None, 4, 3), (None, 5, 3)], (None, 4, 3)),
        Example({}, [(None, 4, 1), (None, 5, 4)], [(None, 4, 4), (None, 4, 5)],
                call_kwargs={"return_attention_scores": True}),
        Example({"use_scale": False}, [(None, 4, None), (None, 5, 4)], (None, 4, 4)),
        Example({}, [(None, 4, 3), (None, 5, 4)], "incompatible-shapes"),
        Example({}, [(None, 4, None), (None, 5, 4)], "axis-mismatch"),
        Example({}, [(None, 4, 3), (None, 5, 3), (None, 4, 3)], "incompatible-shapes"),
    )


def _positive_int(call: Call, key: str, *, optional: bool = False) -> None:
    v = call.get(key)
    if v is UNKNOWN or isinstance(v, dims.Sym) or (optional and v is None):
        return
    if not _is_int(v) or v <= 0:
        extra = " or `None`" if optional else ""
        raise ShapeError(INVALID_ARGUMENT, f"Received an invalid value for argument `{key}`, expected a positive "
                         f"integer{extra}. Received: {key}={v}")


def _tensor_arg(call: Call, position: int, name: str) -> Optional[TensorType]:
    v = _tensor(call.arg(position, name, None))
    if v is None:
        return None
    if isinstance(v, TensorType):
        return v
    return UNKNOWN_TENSOR


def _value_key_agree(value: Shape, key: Shape, traced: bool) -> None:
    """``value_shape[1:-1] != key_shape[1:-1]``, as Keras compares them when it builds the layer on
    symbolic tensors; where it runs on data (or is traced), the attention einsum pairs them up, and a
    ``None`` is a size not known here."""
    a, b = value[1:-1], key[1:-1]
    differs = dims.differs if traced else _keras_differs
    if len(a) != len(b) or any(differs(x, y) for x, y in zip(a, b)):
        raise ShapeError(INCOMPATIBLE_SHAPES, "All dimensions of `value` and `key`, except the last one, must be "
                         f"equal. Received: value_shape={show_shape(value)} and key_shape={show_shape(key)}")


def _query(call: Call) -> TensorType:
    """The query, passed first or as ``query=``."""
    return _tensor_arg(call, 0, "query") or UNKNOWN_TENSOR


def _query_value_key(call: Call) -> tuple[Shape, Shape, Shape, bool]:
    """The three shapes (key defaults to value) and whether a key was given; unknowable if any rank is."""
    query = _query(call)
    value = _tensor_arg(call, 1, "value")
    key = _tensor_arg(call, 2, "key")
    if value is None:
        raise ShapeError(INPUT_COUNT, f'Layer "{call.name}" is missing the required `value` argument: call it as '
                         "layer(query, value) or layer(query, value, key).")
    if query.shape is None or value.shape is None or (key is not None and key.shape is None):
        raise Unknowable()
    return query.shape, value.shape, (value.shape if key is None else key.shape), key is not None  # type: ignore


@register
class MultiHeadAttention(LayerRule):
    """Multi-head attention ``(query, value, key=None)``: output shaped like the query (or ``output_shape``)."""

    accepts = NUMERIC
    accepts_sparse = False
    accepts_ragged = False
    names = ("MultiHeadAttention",)
    params = ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape", "attention_axes")
    defaults = {"value_dim": None, "output_shape": None, "attention_axes": None}
    examples = (
        Example({"num_heads": 2, "key_dim": 3}, (None, 4, 5), (None, 4, 5), args=((None, 6, 7),)),
        Example({"num_heads": 2, "key_dim": 3, "output_shape": (2, 4)}, (None, 4, 5), (None, 4, 2, 4),
                args=((None, 6, 7),)),
        Example({"num_heads": 2, "key_dim": 3}, (None, 4, 5), [(None, 4, 5), (None, 2, 4, 4)], args=((None, 4, 7),),
                call_kwargs={"return_attention_scores": True}),
        Example({"num_heads": 2, "key_dim": 3}, (None, 4, 5), (None, 4, 5), args=((None, 6, 7),),
                call_kwargs={"key": T((None, 6, 2))}),
        Example({"num_heads": 2, "key_dim": 3, "attention_axes": (1, 2)}, (None, 4, 3, 5), (None, 4, 3, 5),
                args=((None, 6, 2, 7),)),
        Example({"num_heads": 2, "key_dim": 3}, (None, 4, 5), "incompatible-shapes", args=((None, 6, 7),),
                call_kwargs={"key": T((None, 5, 2))}),
        Example({"num_heads": 2, "key_dim": 3}, None, "incompatible-shapes",
                call_kwargs={"query": T((None, 4, 5)), "value": T((None, 6, 7)), "key": T((None, 5, 7))}),
        Example({"num_heads": 2, "key_dim": 3}, None, (None, 4, 5),
                call_kwargs={"query": T((None, 4, 5)), "value": T((None, 6, 7))}),
        Example({"num_heads": 2, "key_dim": 3}, (None, 4, None), "axis-mismatch", args=((None, 6, 7),)),
        Example({"num_heads": 0, "key_dim": 3}, (None, 4, 5), "invalid-argument", args=((None, 6, 7),)),
        Example({"num_heads": 2, "key_dim": 3, "attention_axes": 5}, (None, 4, 5), "invalid-argument",
                args=((None, 6, 7),)),
        Example({"num_heads": 2, "key_dim": 3}, (None, 4, 5), "rank-mismatch", args=((None, 6, 3, 7),)),
        Example({"num_heads": 2, "key_dim": 3}, (None, 5), "rank-mismatch", args=((None, 7),)),
        Example({"num_heads": 2, "key_dim": 3}, (3, 4, 5), "incompatible-shapes", args=((2, 6, 7),)),
    )

    def check_config(self, call: Call) -> None:
        _positive_int(call, "num_heads")
        _positive_int(call, "key_dim")
        _positive_int(call, "value_dim", optional=True)
        axes = call.get("attention_axes")
        if axes not in (None, UNKNOWN) and not _is_int(axes) and not isinstance(axes, (list, tuple)):
            raise ShapeError(INVALID_ARGUMENT, f"`attention_axes` must be an int, list, or tuple.Received: "
                             f"attention_axes={axes!r}")

    def _attention_axes(self, call: Call, rank: int) -> Optional[tuple[int, ...]]:
        """Axes of the projected ``(batch, ..., heads, channels)`` tensors, as Keras normalises them."""
        axes = call.get("attention_axes")
        if axes is UNKNOWN:
            raise Unknowable()
        if axes is None:
            return tuple(range(1, rank - 2))
        raw = (axes,) if _is_int(axes) else tuple(axes)
        if not all(_is_int(a) for a in raw):
            raise Unknowable()
        out = tuple(a if a >= 0 else (rank - 1) + a for a in raw)
        if any(not -rank <= a < rank for a in out):
            raise ShapeError(INVALID_ARGUMENT, f"`attention_axes={axes!r}` is out of range for inputs of rank "
                             f"{rank - 1}: index out of bounds when the attention equation is built.")
        return out

    def output(self, call: Call) -> list:
        qs, vs, ks, has_key = _query_value_key(call)
        if has_key:
            # (tf.keras 2 traces `call` on symbolic tensors too: its compute_output_shape never runs)
            _value_key_agree(vs, ks, call.traced or call.keras_version < 3)
        for what, s in (("query", qs), ("key", ks), ("value", vs)):
            _needs_width(call, what, s)
        axes = self._attention_axes(call, len(vs) + 1)
        self._check_flow(call, qs, vs, ks, axes, call.get("attention_axes") is None)
        extra = call.get("output_shape")
        if extra is UNKNOWN:
            raise Unknowable()
        if extra:
            extra = (extra,) if _is_int(extra) else tuple(extra)
            out_shape: Shape = (*qs[:-1], *extra)
        else:
            out_shape = qs
        query = _query(call)
        out = [query.with_shape(out_shape)]
        if _scores_flag(call) and call.traced and len(qs) != 3:
            # on data the scores have an axis per attention axis of query and key: not followed
            out.append(query.with_shape(None))
        elif _scores_flag(call):
            # Keras's symbolic scores repeat the query length (its `compute_output_spec`), while on
            # data their last axis is the key's length: where the two differ, it is left unknown.
            heads = call.dim("num_heads")
            q_len = qs[1] if len(qs) > 1 else None
            k_len = ks[1] if len(ks) > 1 else None
            last = q_len if q_len is None or dims.equal(q_len, k_len) is True else dims.unknown()
            out.append(query.with_shape((qs[0], heads, q_len, last)))
        return out

    @staticmethod
    def _check_flow(call: Call, qs: Shape, vs: Shape, ks: Shape, axes: Optional[tuple[int, ...]],
                    default_axes: bool) -> None:
        """The einsums of the attention computation, which run only when data flows."""
        if len(qs) != len(vs):
            raise ShapeError(RANK_MISMATCH, f'Layer "{call.name}": query {show_shape(qs)} and value '
                             f"{show_shape(vs)} must have the same rank for the attention einsum.")
        if default_axes and len(vs) < 3:
            raise ShapeError(RANK_MISMATCH, f'Layer "{call.name}" expects query and value of rank >= 3 '
                             f"(batch_size, timesteps, dim), but received value {show_shape(vs)}: there is no "
                             "attention axis to normalise over.")
        if axes is None:
            return
        # Outside the attention axes, query and key (value) positions pair up one to one.
        pairs = [(a, other) for other in (ks, vs) for a in ((0,) if 0 not in axes else ())]
        if all(1 <= a <= len(vs) - 2 for a in axes):
            pairs += [(a, ks) for a in range(1, len(vs) - 1) if a not in axes]
        # else attention over the head or channel axes: only the batch is followed
        for a, other in pairs:
            # The einsum pairs them exactly: a 1 does not broadcast there.
            if dims.differs(qs[a], other[a]):
                raise ShapeError(INCOMPATIBLE_SHAPES, f'Layer "{call.name}": query {show_shape(qs)} and '
                                 f"{'key' if other is ks else 'value'} {show_shape(other)} differ on axis {a}, "
                                 "which is not an attention axis; the attention einsum fails when data flows.")

    def built_spec(self, call: Call) -> Optional[InputSpec]:
        shape = _query(call).shape
        return None if shape is None else InputSpec.fixed({-1: shape[-1]}, ndim=len(shape))

    def weights(self, call: Call) -> tuple[int, int]:
        """The ``query``, ``key``, ``value`` projections ``(width, num_heads, key_dim | value_dim)`` and the
        ``attention_output`` projection ``(num_heads, value_dim, *output_shape)``, with biases (``use_bias``);
        ``output_shape`` defaults to the query's width."""
        qs, vs, ks, _ = _query_value_key(call)
        heads, key_dim = known_int(call.known("num_heads")), known_int(call.known("key_dim"))
        value_dim = call.known("value_dim")
        value_dim = key_dim if value_dim is None else known_int(value_dim)
        extra = call.known("output_shape")
        out = count((extra,) if _is_int(extra) else tuple(extra)) if extra else known_int(qs[-1])
        bias = call.flag("use_bias", True)
        total = sum((known_int(w) + bias) * heads * d for w, d in ((qs[-1], key_dim), (ks[-1], key_dim),
                                                                    (vs[-1], value_dim)))
        return (total + heads * value_dim * out + bias * out, 0)


@register
class GroupQueryAttention(LayerRule):
    """Grouped-query attention ``(query, value, key=None)`` on ``(B, T, dim)``: output shaped like the query."""

    accepts = NUMERIC
    accepts_sparse = False
    accepts_ragged = False
    names = ("GroupQueryAttention",)
    params = ("head_dim", "num_query_heads", "num_key_value_heads", "dropout", "use_bias")
    examples = (
        Example({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, (None, 4, 5), (None, 4, 5),
                args=((None, 6, 5),)),
        Example({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, (None, 4, 5),
                [(None, 4, 5), (None, 4, 4, 6)], args=((None, 6, 5),),
                call_kwargs={"key": T((None, 6, 3)), "return_attention_scores": True}),
        Example({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 3}, (None, 4, 5), "invalid-argument",
                args=((None, 6, 5),)),
        Example({"head_dim": 0, "num_query_heads": 4, "num_key_value_heads": 2}, (None, 4, 5), "invalid-argument",
                args=((None, 6, 5),)),
        Example({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, (None, 4, 5),
                "incompatible-shapes", args=((None, 6, 7),)),
        Example({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, (None, 4, 5),
                "incompatible-shapes", args=((None, 6, 5),), call_kwargs={"key": T((None, 7, 3))}),
        Example({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, (None, 4, 3, 5),
                "rank-mismatch", args=((None, 6, 3, 5),)),
        Example({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, (None, 4, None),
                "axis-mismatch", args=((None, 6, None),)),
        Example({"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2}, (3, 4, 5),
                "incompatible-shapes", args=((2, 6, 5),)),
    )

    def check_config(self, call: Call) -> None:
        for key in ("head_dim", "num_query_heads", "num_key_value_heads"):
            v = call.get(key)
            if _is_int(v) and v <= 0:
                raise ShapeError(INVALID_ARGUMENT, f"`{key}` must be a positive integer. Received: {key}={v}")
        q, kv = call.get("num_query_heads"), call.get("num_key_value_heads")
        if _is_int(q) and _is_int(kv) and kv > 0 and q % kv != 0:
            raise ShapeError(INVALID_ARGUMENT, "`num_query_heads` must be divisible by `num_key_value_heads`.")

    def output(self, call: Call) -> list:
        qs, vs, ks, has_key = _query_value_key(call)
        for what, s in (("query", qs), ("value", vs), ("key", ks)):
            if len(s) != 3:
                raise ShapeError(RANK_MISMATCH, f'Layer "{call.name}" expects {what} of shape (batch_size, '
                                 f"timesteps, dim) (ndim=3), but received shape {show_shape(s)}.")
        if not call.traced and _keras_differs(qs[-1], vs[-1]):
            # (its compute_output_shape's check: on data, query and value have projections of their own)
            raise ShapeError(INCOMPATIBLE_SHAPES, "The last dimension of `query_shape` and `value_shape` must be "
                             f"equal, but are {dims.show(qs[-1])}, {dims.show(vs[-1])}. Received: "
                             f"query_shape={show_shape(qs)}, value_shape={show_shape(vs)}")
        _value_key_agree(vs, ks, call.traced)
        for what, s in (("query", qs), ("key", ks), ("value", vs)):
            _needs_width(call, what, s)
        for what, s in (("value", vs), ("key", ks)):
            if dims.differs(qs[0], s[0]):
                raise ShapeError(INCOMPATIBLE_SHAPES, f'Layer "{call.name}": query {show_shape(qs)} and {what} '
                                 f"{show_shape(s)} have different batch sizes; the attention einsum fails when "
                                 "data flows.")
        query = _query(call)
        out = [query]
        if _scores_flag(call):
            out.append(query.with_shape((qs[0], call.dim("num_query_heads"), qs[1], ks[1])))
        return out

    def built_spec(self, call: Call) -> Optional[InputSpec]:
        shape = _query(call).shape
        return None if shape is None else InputSpec.fixed({-1: shape[-1]}, ndim=3)

    def weights(self, call: Call) -> tuple[int, int]:
        """The ``query`` (and with ``use_gate`` the ``gate``) projection ``(width, num_query_heads, head_dim)``,
        ``key`` and ``value`` ``(width, num_key_value_heads, head_dim)``, ``attention_output``
        ``(num_query_heads, head_dim, query width)``, with biases (``use_bias``)."""
        qs, vs, ks, _ = _query_value_key(call)
        head, nq, nkv = (known_int(call.known(k)) for k in ("head_dim", "num_query_heads", "num_key_value_heads"))
        bias = call.flag("use_bias", True)
        q, k, v = known_int(qs[-1]), known_int(ks[-1]), known_int(vs[-1])
        total = (q + bias) * nq * head * (1 + call.flag("use_gate", False))
        total += (k + bias) * nkv * head + (v + bias) * nkv * head
        return (total + nq * head * q + bias * q, 0)
