"""Attention rules against Keras itself, over generated configurations and input shapes.

For each generated case shapecheck reports a finding exactly when Keras rejects the
call (symbolically, or on random data when every non-batch axis is known), and
otherwise infers the output shapes Keras computes.  Keras's symbolic build of an
attention layer checks little, so most rejections here come from data: query and key
widths, key and value lengths, batch sizes, ranks.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.core import dims
from shapecheck.core.engine import infer
from shapecheck.core.rules import T

from .keras_oracle import agrees_on_data, keras_apply
from .test_oracle_rnn import opaque_is_sound

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fill(v: Any, size: int) -> Any:
    """Shapes with every non-batch ``None`` axis set to ``size``."""
    if isinstance(v, T):
        return T(_fill(v.shape, size), v.dtype)
    if isinstance(v, tuple):
        return tuple(size if d is None and i else d for i, d in enumerate(v))
    if isinstance(v, list):
        return [_fill(x, size) for x in v]
    if isinstance(v, dict):
        return {k: _fill(x, size) for k, x in v.items()}
    return v


def agrees(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: dict | None = None) -> None:
    call_kwargs = call_kwargs or {}
    ours = infer(op, config, inputs, args, call_kwargs)
    theirs = keras_apply(op, config, inputs, args, call_kwargs)
    where = f"{op}({config}) on {inputs}, {args}, {call_kwargs}"
    ran_data = _fill([inputs, list(args), call_kwargs], -1) == [inputs, list(args), call_kwargs]
    if not theirs.rejected and isinstance(ours, str) and not ran_data:
        # Keras runs no data through `None` axes; what shapecheck reports fails for every
        # size they could take: ask Keras with data, at two sizes.
        for size in (1, 3):
            filled = keras_apply(op, config, _fill(inputs, size), tuple(_fill(list(args), size)),
                                 _fill(call_kwargs, size))
            assert filled.rejected, f"Keras accepts {where} with data ({size} for None); shapecheck {ours}"
    elif theirs.rejected:
        why = theirs.error or theirs.eager_error
        assert isinstance(ours, str), f"Keras rejects {where}: {why!r}; shapecheck {ours}"
    else:
        ours = _scores_as_keras_says(ours, theirs.single, inputs, args)
        assert ours == theirs.single, f"{where}: Keras {theirs.single}, shapecheck {ours}"
    opaque_is_sound(op, config, inputs, args, call_kwargs)


def _scores_as_keras_says(ours: Any, theirs: Any, query: Any, args: tuple) -> Any:
    """MultiHeadAttention's symbolic scores end in the query's length where data gives the key's;
    shapecheck leaves that axis unknown when the two lengths differ (and only then)."""
    if not (isinstance(ours, list) and len(ours) == 2 and ours[1] and isinstance(ours[1][-1], dims.Sym)):
        return ours
    key = args[1] if len(args) > 1 else args[0]
    assert query[1] != key[1], f"the scores' last axis is left unknown for equal lengths: {ours}"
    return [ours[0], (*ours[1][:-1], theirs[1][-1])]


width = st.sampled_from([1, 2, 3, 3, 4, None])
length = st.sampled_from([1, 2, 3, 4, 4, None])
batch = st.sampled_from([None, None, None, 2, 3])


@st.composite
def sequence_like(draw, b: Any, rank: int, last: Any = None) -> tuple:
    """A ``(batch, ..., length, width)`` shape; ``last`` fixes the width."""
    if rank == 1:
        # A vector's only axis meets the others in matmul: give it a size, not the batch's None.
        return (3 if b is None else b,)
    middle = tuple(draw(length) for _ in range(rank - 2))
    return (b, *middle, draw(width) if last is None else last)


@st.composite
def dot_attention_inputs(draw) -> list:
    """[query, value] or [query, value, key], mostly rank 3, widths often shared."""
    rank = draw(st.sampled_from([3, 3, 3, 3, 2, 4, 1]))
    # Mostly one rank for all; sometimes a query or value of another rank (matmul broadcasts them).
    other_rank = st.sampled_from([rank] * 7 + [1, 2, 4])
    q_rank, v_rank = draw(other_rank), draw(other_rank)
    b = draw(batch)
    if b is None and (rank < 3 or len({rank, q_rank, v_rank}) > 1):
        # Broadcasting then meets the batch axis with a timestep axis: with `None` there, Keras's
        # verdict would hang on the batch size of the data.
        b = draw(st.sampled_from([2, 3]))
    shared = draw(width)
    q = draw(sequence_like(b, q_rank, draw(st.sampled_from([shared, shared, None]))))
    v_b = b if b is None else draw(st.sampled_from([b, b, b + 1]))
    v = draw(sequence_like(v_b, v_rank))
    inputs = [q, v]
    if draw(st.booleans()):
        k_width = draw(st.sampled_from([shared, shared, 1, None]))
        k = draw(sequence_like(v_b, rank, k_width))
        if draw(st.booleans()) and len(k) >= 2 and len(v) >= 2:
            k = (*k[:-2], v[-2], k[-1])  # as many timesteps as the value
        inputs.append(k)
    elif len(v) >= 2 and draw(st.booleans()):
        inputs[1] = (*v[:-1], q[-1] if q[-1] is not None else 2)
    count = draw(st.sampled_from([None] * 10 + [1, 4, 0]))
    if count == 0:
        return inputs[0]  # a single tensor, not a list
    if count == 1:
        return inputs[:1]
    if count == 4:
        return inputs + [inputs[0]] * (4 - len(inputs))
    return inputs


@SETTINGS
@given(inputs=dot_attention_inputs(), use_scale=st.booleans(),
       mode=st.sampled_from(["dot", "dot", "concat", "add"]), scores=st.booleans(), causal=st.booleans())
def test_attention(inputs, use_scale, mode, scores, causal):
    kwargs = {"return_attention_scores": scores, "use_causal_mask": causal}
    agrees("Attention", {"use_scale": use_scale, "score_mode": mode}, inputs, (), kwargs)


@SETTINGS
@given(inputs=dot_attention_inputs(), use_scale=st.booleans(), scores=st.booleans())
def test_additive_attention(inputs, use_scale, scores):
    agrees("AdditiveAttention", {"use_scale": use_scale}, inputs, (), {"return_attention_scores": scores})


@st.composite
def mha_case(draw) -> tuple[dict, tuple, tuple, dict]:
    rank = draw(st.sampled_from([3, 3, 3, 4, 4, 2]))
    config: dict = {
        "num_heads": draw(st.sampled_from([1, 2, 2, 3, 1, 2, 3, 0])),
        "key_dim": draw(st.sampled_from([1, 2, 3])),
        "value_dim": draw(st.sampled_from([None, None, None, 2, 2, 3, 1, 0])),
        "output_shape": draw(st.sampled_from([None, None, 3, (2, 2)])),
    }
    axes = draw(st.sampled_from([None] * 6 + ["first", "first", "all", 5]))
    if axes == "first":
        config["attention_axes"] = (1,)
    elif axes == "all":
        config["attention_axes"] = tuple(range(1, max(rank - 1, 2)))
    elif axes == 5:
        config["attention_axes"] = 5
    b = draw(batch)
    q = draw(sequence_like(b, rank))
    v_rank = draw(st.sampled_from([rank] * 5 + [rank + 1]))
    v_b = b if b is None else draw(st.sampled_from([b, b, b + 1]))
    v = draw(sequence_like(v_b, v_rank))
    kwargs: dict = {}
    if draw(st.booleans()):
        k = draw(sequence_like(v_b, v_rank))
        if draw(st.sampled_from([True, True, False])):
            k = (k[0], *v[1:-1], k[-1])  # the same non-feature axes as the value
        kwargs["key"] = T(k)
    if rank == 4 and axes is None and draw(st.booleans()):
        q = (q[0], q[1], v[2] if len(v) == 4 else q[2], q[3])
    kwargs["return_attention_scores"] = draw(st.booleans())
    return config, q, v, kwargs


@SETTINGS
@given(case=mha_case())
def test_multi_head_attention(case):
    config, q, v, kwargs = case
    agrees("MultiHeadAttention", config, q, (v,), kwargs)


@SETTINGS
@given(case=mha_case(), size=st.sampled_from([1, 3]))
def test_multi_head_attention_on_data(case, size):
    config, q, v, kwargs = case
    agrees_on_data("MultiHeadAttention", config, q, (v,), kwargs, size=size)


@st.composite
def gqa_case(draw) -> tuple[dict, tuple, tuple, dict]:
    kv_heads = draw(st.sampled_from([1, 2, 2, 1, 2, 2, 1, 0]))
    config = {
        "head_dim": draw(st.sampled_from([1, 2, 3, 1, 2, 3, 2, 0])),
        "num_key_value_heads": kv_heads,
        "num_query_heads": kv_heads * draw(st.sampled_from([1, 2])) + draw(st.sampled_from([0] * 7 + [1])),
    }
    rank = draw(st.sampled_from([3] * 8 + [2, 4]))
    b = draw(batch)
    dim = draw(width)
    q = draw(sequence_like(b, rank, dim))
    v_b = b if b is None else draw(st.sampled_from([b, b, b + 1]))
    v = draw(sequence_like(v_b, draw(st.sampled_from([rank] * 9 + [3])), draw(st.sampled_from([dim, dim, 4]))))
    kwargs: dict = {}
    if draw(st.booleans()):
        k = draw(sequence_like(v_b, len(v)))
        if draw(st.sampled_from([True, True, False])):
            k = (k[0], *v[1:-1], k[-1])
        kwargs["key"] = T(k)
    kwargs["return_attention_scores"] = draw(st.booleans())
    return config, q, v, kwargs


@SETTINGS
@given(case=gqa_case())
def test_group_query_attention(case):
    config, q, v, kwargs = case
    agrees("GroupQueryAttention", config, q, (v,), kwargs)


@SETTINGS
@given(case=gqa_case(), size=st.sampled_from([1, 3]))
def test_group_query_attention_on_data(case, size):
    config, q, v, kwargs = case
    agrees_on_data("GroupQueryAttention", config, q, (v,), kwargs, size=size)
