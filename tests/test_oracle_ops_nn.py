"""The ``keras.ops.nn`` rules (convolution, pooling, normalization, attention, losses, CTC)
against Keras itself, over generated cases.

For each case shapecheck reports a finding exactly when Keras rejects the call: its symbolic
build (``compute_output_spec``) fails, or data fails to flow through the TensorFlow backend
for every size tried in place of the ``None`` axes (there a rule may also leave the output
unknown).  Otherwise shapecheck infers the shape Keras computes symbolically, or leaves it
unknown (never wrong, only less precise).  Data
is passed as TensorFlow tensors: ``adaptive_*_pool`` fails on NumPy arrays whatever their shape.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from shapecheck.core import dims
from shapecheck.core.engine import infer
from shapecheck.core.rules import T

from .keras_oracle import _shapes, _symbolic
from .test_oracle_core import opaque_is_sound
from .test_oracle_ops import FILL, MORE, SETTINGS, _fill, _lookup, _mixed_fills, _undefined

SIZES = st.sampled_from([1, 2, 3, 4, None])


def _data(v: Any, rng: np.random.Generator, int_value: int = 0) -> Any:
    import tensorflow as tf

    if isinstance(v, (T, tuple)):
        shape = v.shape if isinstance(v, T) else v
        dtype = v.dtype if isinstance(v, T) else "float32"
        if dtype == "bool":
            return tf.constant(rng.integers(0, 2, size=shape).astype(bool))
        if dtype.startswith("int"):  # zeros (by default): a valid class, label and length everywhere
            return tf.constant(np.full(shape, int_value, dtype))
        return tf.constant(rng.standard_normal(shape).astype(dtype))
    if isinstance(v, list):
        return [_data(x, rng, int_value) for x in v]
    return v


def _op(name: str) -> Any:
    import keras

    return _lookup(keras, name)


def _eager_rejects(op: str, config: dict, inputs: Any, args: tuple, kwargs: dict, int_value: int = 0) -> bool:
    rng = np.random.default_rng(0)
    try:
        _op(op)(_data(inputs, rng, int_value), *[_data(a, rng, int_value) for a in args],
                **config, **{k: _data(v, rng, int_value) for k, v in kwargs.items()})
    except Exception:  # noqa: BLE001 - Keras's verdict
        return True
    return False


def _symbolic_run(op: str, config: dict, inputs: Any, args: tuple, kwargs: dict) -> Any:
    try:
        out = _op(op)(_symbolic(inputs), *[_symbolic(a) for a in args],
                      **config, **{k: _symbolic(v) for k, v in kwargs.items()})
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        return e
    shapes = _shapes(out)
    return shapes[0] if len(shapes) == 1 else shapes


def agrees(op: str, config: dict, inputs: Any, args: tuple = (), kwargs: Optional[dict] = None,
           sizes: tuple = (), int_value: int = 0) -> Any:
    """shapecheck's rule and Keras agree on ``op(inputs, *args, **config, **kwargs)``; returns ours.
    ``sizes`` are more sizes to try for the ``None`` axes before concluding that data always fails;
    integer tensors are filled with ``int_value``."""
    kwargs = kwargs or {}
    keyword_tensors = tuple(kwargs.values())
    ours = infer(op, config, inputs, args, {k: v if isinstance(v, T) else T(v) for k, v in kwargs.items()})
    theirs = _symbolic_run(op, config, inputs, args, kwargs)
    if isinstance(theirs, Exception):
        assert isinstance(ours, str), f"Keras rejects {op}({config}) on {inputs} {args} {kwargs}: {theirs!r}; " \
                                      f"shapecheck says {ours}"
        return ours
    undefined = _undefined([inputs, *args, *keyword_tensors])

    def run(i: Any, a: tuple, kw_values: tuple) -> bool:
        return _eager_rejects(op, config, i, a, dict(zip(kwargs, kw_values)), int_value)

    every = (*args, *keyword_tensors)
    if undefined:
        data = [run(_fill(inputs, s), tuple(_fill(a, s) for a in args), tuple(_fill(v, s) for v in keyword_tensors))
                for s in FILL]
    else:
        data = [run(inputs, args, keyword_tensors)]
    if all(data) and undefined and not isinstance(ours, str):
        data += [run(_fill(inputs, s), tuple(_fill(a, s) for a in args), tuple(_fill(v, s) for v in keyword_tensors))
                 for s in MORE + sizes]
        if all(data):
            data.append(all(run(i, a[:len(args)], a[len(args):]) for i, a in _mixed_fills(inputs, every, sizes)))
    if all(data):
        # A rule may leave unknown (never wrong) what only the backend's kernels reject.
        assert ours is None or isinstance(ours, str), \
            f"Keras fails on data for {op}({config}) on {inputs} {args} {kwargs}; shapecheck says {ours}"
        return ours
    assert not isinstance(ours, str), f"shapecheck says {ours} for {op}({config}) on {inputs} {args} {kwargs}, " \
                                      "but Keras accepts it"
    if ours is not None:
        assert ours == theirs, f"{op}({config}) on {inputs} {args} {kwargs}: Keras {theirs}, shapecheck {ours}"
    return ours


# -- convolution ------------------------------------------------------------------------------

FMT = st.sampled_from([None, "channels_last", "channels_first"])


@st.composite
def conv_case(draw, transpose: bool = False) -> tuple:
    n = draw(st.sampled_from([1, 1, 2, 2, 3]))
    fmt = draw(FMT)
    space = tuple(draw(st.sampled_from([1, 2, 3, 5, 7, None])) for _ in range(n))
    channels = draw(st.sampled_from([1, 2, 3, None]))
    batch = draw(st.sampled_from([None, 2]))
    x = (batch, channels, *space) if fmt == "channels_first" else (batch, *space, channels)
    if draw(st.integers(0, 9)) == 0:
        x = x[:draw(st.integers(1, len(x)))] if draw(st.booleans()) else x + (2,)
    ksize = tuple(draw(st.sampled_from([1, 2, 3])) for _ in range(n))
    kin = channels if channels is not None and draw(st.integers(0, 4)) else draw(st.sampled_from([1, 2, 3]))
    kout = draw(st.sampled_from([1, 2, 4]))
    kernel = (*ksize, kout, kin) if transpose else (*ksize, kin, kout)
    if draw(st.integers(0, 9)) == 0:
        kernel = kernel[1:] if draw(st.booleans()) else (2, *kernel)
    config: dict = {"strides": draw(st.sampled_from([1, 1, 2, 3, (1, 2)[:n] if n == 2 else 2]))}
    config["padding"] = draw(st.sampled_from(["valid", "same", "SAME", "causal"]))
    config["dilation_rate"] = draw(st.sampled_from([1, 1, 2]))
    if fmt is not None:
        config["data_format"] = fmt
    if transpose:
        config["output_padding"] = draw(st.sampled_from([None, None, 0, 1, 2]))
    return x, kernel, config


@SETTINGS
@given(conv_case())
def test_conv(case):
    x, kernel, config = case
    agrees("keras.ops.conv", config, x, (kernel,))


@SETTINGS
@given(conv_case())
def test_depthwise_conv(case):
    x, kernel, config = case
    agrees("keras.ops.depthwise_conv", config, x, (kernel,))


@SETTINGS
@given(conv_case(), st.sampled_from([0, 0, 1, 2]), st.sampled_from([1, 3]))
def test_separable_conv(case, pw_change, filters):
    x, kernel, config = case
    depth = kernel[-1] * kernel[-2] if len(kernel) >= 2 else 1
    pointwise = (*(1,) * (len(kernel) - 2), depth, filters)
    if pw_change == 1:
        pointwise = (*pointwise[:-2], depth + 1, filters)
    elif pw_change == 2:
        pointwise = pointwise[1:] if len(pointwise) > 2 else (2, *pointwise)
    agrees("keras.ops.separable_conv", config, x, (kernel, pointwise))


@SETTINGS
@given(conv_case(transpose=True))
def test_conv_transpose(case):
    x, kernel, config = case
    agrees("keras.ops.conv_transpose", config, x, (kernel,))


def test_conv_opaque_dims():
    """An input axis the front end could not follow never causes a finding some size of it would not."""
    for op, x, kernel in [("keras.ops.conv", (2, 3, 3), (3, 3, 4)), ("keras.ops.conv_transpose", (2, 3, 3), (3, 4, 3)),
                          ("keras.ops.depthwise_conv", (2, 2, 2, 3), (3, 3, 3, 1))]:
        for axis in range(1, len(x)):
            opaque = x[:axis] + (dims.unknown(),) + x[axis + 1:]
            verdict = infer(op, {}, opaque, (kernel,))
            if isinstance(verdict, str):
                for size in (1, 2, 3, 4, 6):
                    assert isinstance(infer(op, {}, x[:axis] + (size,) + x[axis + 1:], (kernel,)), str), (op, x, axis)


# -- pooling ----------------------------------------------------------------------------------


@st.composite
def pool_case(draw) -> tuple:
    n = draw(st.sampled_from([0, 1, 1, 2, 2, 3, 4]))
    fmt = draw(FMT)
    space = tuple(draw(st.sampled_from([1, 2, 3, 5, None])) for _ in range(n))
    channels = draw(st.sampled_from([1, 3, None]))
    x = (draw(st.sampled_from([None, 2])), channels, *space) if fmt == "channels_first" else \
        (draw(st.sampled_from([None, 2])), *space, channels)
    pool = draw(st.sampled_from([1, 2, 3, (2,), (2, 1), (1, 2, 2)]))
    config: dict = {"pool_size": pool, "strides": draw(st.sampled_from([None, None, 1, 2, (2, 1)])),
                    "padding": draw(st.sampled_from(["valid", "same", "Same", "full"]))}
    if fmt is not None:
        config["data_format"] = fmt
    return x, config


@SETTINGS
@given(st.sampled_from(["keras.ops.max_pool", "keras.ops.average_pool"]), pool_case())
def test_pool(op, case):
    x, config = case
    agrees(op, config, x)
    opaque_is_sound(op, config, x)


@SETTINGS
@given(st.integers(0, 4), FMT, st.sampled_from([2, (2,), (3, 2), [3, 2], (1, 2, 3), (2, 2, 2, 2)]), st.data())
def test_adaptive_pool(n, fmt, size, data):
    x = (None, *[data.draw(SIZES) for _ in range(n)], data.draw(st.sampled_from([3, None])))
    config = {"output_size": size} if fmt is None else {"output_size": size, "data_format": fmt}
    ours = agrees("keras.ops.adaptive_average_pool", config, x)
    # adaptive_max_pool kills the process (SIGFPE) on data for some sizes (a spatial axis of 1 pooled
    # to 2, (2, 2) pooled to (1, 1)): its symbolic path is compared, its data path is the average
    # pool's (the same dispatch on rank and the same unpacking of output_size).
    theirs = _symbolic_run("keras.ops.adaptive_max_pool", config, x, (), {})
    mine = infer("keras.ops.adaptive_max_pool", config, x)
    assert mine == ours
    if isinstance(theirs, Exception):
        assert isinstance(mine, str), f"Keras rejects adaptive_max_pool({config}) on {x}: {theirs!r}; shapecheck {mine}"
    elif not isinstance(mine, str) and mine is not None:
        assert mine == theirs


# -- normalization ----------------------------------------------------------------------------


@st.composite
def shape(draw, min_rank: int = 1, max_rank: int = 4) -> tuple:
    return (draw(st.sampled_from([None, 2])), *[draw(SIZES) for _ in range(draw(st.integers(min_rank, max_rank)) - 1)])


@st.composite
def vector_for(draw, x: tuple, axis: int) -> tuple:
    """A vector as long as ``x.shape[axis]`` mostly, else another length or rank."""
    d = x[axis] if -len(x) <= axis < len(x) else 3
    pick = draw(st.integers(0, 5))
    if pick == 0:
        return (draw(SIZES),)
    if pick == 1:
        return (1, d)
    return (d,)


@SETTINGS
@given(shape(1, 4), st.integers(-4, 3), st.data())
def test_batch_normalization(x, axis, data):
    mean = data.draw(vector_for(x, axis))
    variance = mean if data.draw(st.booleans()) else data.draw(vector_for(x, axis))
    kwargs = {}
    for name in ("offset", "scale"):
        if data.draw(st.booleans()):
            kwargs[name] = data.draw(vector_for(x, axis))
    agrees("keras.ops.batch_normalization", {"axis": axis}, x, (mean, variance), kwargs)


@SETTINGS
@given(shape(1, 4), st.sampled_from([None, 0, -1, 3, (0, 1), [1, -1], (1, 1), ()]), st.booleans())
def test_moments(x, axes, keepdims):
    agrees("keras.ops.moments", {"axes": axes, "keepdims": keepdims}, x)
    opaque_is_sound("keras.ops.moments", {"axes": axes, "keepdims": keepdims}, x)


@st.composite
def norm_params(draw, x: tuple) -> tuple:
    """A parameter shape for normalization over ``axis``: the normalized axes, x's last axis, ones."""
    pick = draw(st.integers(0, 4))
    if pick == 0:
        return ()
    if pick == 1:
        return (x[-1],) if x else (1,)
    if pick == 2:
        return tuple(draw(st.sampled_from([1, d])) for d in x)
    if pick == 3:
        return (draw(SIZES),)
    # Reshaped onto the normalized axes: undefined axes here would need joint sizes the oracle's
    # fillings do not search.
    return tuple(2 if d is None else d for d in x[1:])


@SETTINGS
@given(shape(0, 4), st.sampled_from([-1, 1, 2, -3, (1, 2), (-1,), 4]), st.data())
def test_layer_normalization(x, axis, data):
    args = tuple(data.draw(st.one_of(st.none(), norm_params(x))) for _ in range(2))
    kwargs = {n: a for n, a in zip(("gamma", "beta"), args) if a is not None}
    # Sizes a gamma reshaped onto the normalized axes may need: products of the others.
    agrees("keras.ops.layer_normalization", {"axis": axis}, x, (), kwargs, sizes=(8, 12, 16))


@SETTINGS
@given(shape(0, 4), st.sampled_from([-1, 1, 2, -3, (1, 2), 4]), st.data())
def test_rms_normalization(x, axis, data):
    scale = data.draw(st.one_of(st.none(), norm_params(x)))
    agrees("keras.ops.rms_normalization", {"axis": axis}, x, (), {} if scale is None else {"scale": scale})


@SETTINGS
@given(shape(0, 4), st.sampled_from([-1, 0, 2, 4, None, (0, 1)]), st.sampled_from([2, 1, 3, 0, 1.5]))
def test_normalize(x, axis, order):
    agrees("keras.ops.normalize", {"axis": axis, "order": order}, x)
    opaque_is_sound("keras.ops.normalize", {"axis": axis, "order": order}, x)


# -- losses -----------------------------------------------------------------------------------


@st.composite
def loss_pair(draw) -> tuple:
    """Two shapes derived from one: axes replaced by None, 1 or another size, or one cut."""
    base = draw(shape(0, 4))
    other = list(base)
    for i in range(len(other)):
        if draw(st.integers(0, 3)) == 0:
            other[i] = draw(SIZES)
    if other and draw(st.integers(0, 5)) == 0:
        other = other[:-1]
    return base, tuple(other)


@SETTINGS
@given(loss_pair(), st.booleans())
def test_binary_crossentropy(pair, from_logits):
    agrees("keras.ops.binary_crossentropy", {"from_logits": from_logits}, pair[0], (pair[1],))


@SETTINGS
@given(loss_pair(), st.booleans(), st.sampled_from([-1, 0, 1, 2, -4]))
def test_categorical_crossentropy(pair, from_logits, axis):
    agrees("keras.ops.categorical_crossentropy", {"from_logits": from_logits, "axis": axis}, pair[0], (pair[1],))


@SETTINGS
@given(loss_pair(), st.booleans(), st.sampled_from([-1, -1, 0, 1, 2, -4]), st.integers(0, 2))
def test_sparse_categorical_crossentropy(pair, from_logits, axis, target_kind):
    output, other = pair
    target = other[:-1] if target_kind == 0 and other else (*other[:-1], 1) if target_kind == 1 and other else other
    agrees("keras.ops.sparse_categorical_crossentropy", {"from_logits": from_logits, "axis": axis},
           T(target, "int32"), (output,))


# -- encodings, rearrangements, psnr, polar -----------------------------------------------


@SETTINGS
@given(shape(0, 4), st.sampled_from([3, 1, None]), st.sampled_from([-1, 0, 1, 2, 3, -2]))
def test_multi_hot(x, num_classes, axis):
    config = {"axis": axis} if num_classes is None else {"num_classes": num_classes, "axis": axis}
    agrees("keras.ops.multi_hot", config, T(x, "int32"))
    opaque_is_sound("keras.ops.multi_hot", config, T(x, "int32"))


@SETTINGS
@given(st.sampled_from(["keras.ops.depth_to_space", "keras.ops.space_to_depth"]), shape(3, 5),
       st.sampled_from([2, 2, 3, 1]), st.sampled_from([None, "channels_last", "channels_first"]))
def test_depth_space(op, x, block_size, fmt):
    config = {"block_size": block_size} if fmt is None else {"block_size": block_size, "data_format": fmt}
    x = tuple(d if d is None or d < 4 else d for d in x)
    agrees(op, config, x)
    opaque_is_sound(op, config, x)


@SETTINGS
@given(shape(3, 5), st.sampled_from([1, 2, (2, 1), (1, 2, 3)]), st.sampled_from([1, 2]), st.sampled_from([0, 1]),
       st.sampled_from([1, 2, (1, 2)]))
def test_unfold(x, kernel_size, dilation, padding, stride):
    config = {"kernel_size": kernel_size, "dilation": dilation, "padding": padding, "stride": stride}
    agrees("keras.ops.unfold", config, x)
    opaque_is_sound("keras.ops.unfold", config, x)


@SETTINGS
@given(st.sampled_from([(None, 4, 9), (2, 12, 9), (None, 8, 4), (None, None, 4), (2, 4, None), (None, 6, 9),
                        (None, 4), (2, 4, 1)]),
       st.sampled_from([2, 3, (2, 3)]), st.sampled_from([1, 2, (2, 1)]), st.sampled_from([1, 2]),
       st.sampled_from([0, 1]))
def test_fold(x, output_size, kernel_size, stride, padding):
    # Block counts the undefined axis might need: the positions along each output axis, multiplied.
    counts = {a * b for a in range(1, 8) for b in range(1, 8)} - set(MORE)
    config = {"output_size": output_size, "kernel_size": kernel_size, "stride": stride, "padding": padding}
    agrees("keras.ops.fold", config, x, sizes=tuple(sorted(counts)))
    opaque_is_sound("keras.ops.fold", config, x)


@SETTINGS
@given(loss_pair())
def test_psnr(pair):
    agrees("keras.ops.psnr", {"max_val": 1.0}, pair[0], (pair[1],))


@SETTINGS
@given(loss_pair())
def test_polar(pair):
    agrees("keras.ops.polar", {}, pair[0], (pair[1],))


# -- attention --------------------------------------------------------------------------------


@st.composite
def attention_case(draw) -> tuple:
    b, t, s = draw(st.sampled_from([None, 2])), draw(st.sampled_from([1, 3, None])), draw(st.sampled_from([1, 4, None]))
    n = draw(st.sampled_from([1, 2, 4, 6, None]))
    kv = draw(st.sampled_from([n, n, 1, 2, 3, None]))
    h = draw(st.sampled_from([2, 3, None]))
    query = (b, t, n, h)
    key = (b, s, kv, draw(st.sampled_from([h, h, 3])))
    # A mismatch against a defined axis only: the oracle cannot search every filling of many None axes.
    value = (b if b is None else draw(st.sampled_from([b, b, 1])), s if s is None else draw(st.sampled_from([s, s, 2])),
             kv if kv is None else draw(st.sampled_from([kv, kv, 1])), draw(st.sampled_from([h, 5])))
    if draw(st.integers(0, 9)) == 0:
        query = query[1:]
    if draw(st.integers(0, 9)) == 0:
        key = key[1:]
    logits = (b, n, t, s)
    kwargs = {}
    for name in ("bias", "mask"):
        if draw(st.integers(0, 2)) == 0:
            cut = draw(st.integers(0, 4))
            extra = tuple(draw(st.sampled_from([d, d, 1, 3] if d is not None else [d, 1])) for d in logits[cut:])
            if cut == 0 and draw(st.integers(0, 3)) == 0:  # a rank-5 bias or mask: its undefined axes as 1
                extra = (2, *(1 if d is None else d for d in extra))
            kwargs[name] = T(extra, "bool" if name == "mask" and draw(st.integers(0, 5)) else "float32")
    config = {"is_causal": draw(st.booleans())}
    return query, key, value, kwargs, config


@SETTINGS
@given(attention_case())
def test_dot_product_attention(case):
    query, key, value, kwargs, config = case
    agrees("keras.ops.dot_product_attention", config, query, (key, value), kwargs)


# -- CTC --------------------------------------------------------------------------------------


@st.composite
def batch_like(draw, batch: Any, rank: int, *, tail: tuple = ()) -> tuple:
    """A shape of ``rank`` axes whose first is usually ``batch``."""
    first = batch if draw(st.integers(0, 4)) else draw(st.sampled_from([None, 2, 3]))
    body = (first, *tail, *[draw(st.sampled_from([1, 3, None])) for _ in range(rank - 1 - len(tail))])
    return body[:rank]


@SETTINGS
@given(st.sampled_from([None, 2]), st.data())
def test_ctc_loss(batch, data):
    ranks = [data.draw(st.sampled_from(r)) for r in ([2, 2, 2, 1, 3], [3, 3, 3, 2, 1], [1, 1, 1, 2, 0], [1, 1, 1, 0])]
    target = data.draw(batch_like(batch, ranks[0]))
    output = data.draw(batch_like(batch, ranks[1], tail=(6, 4)[:max(ranks[1] - 1, 0)]))
    target_length = data.draw(batch_like(batch, ranks[2]))
    output_length = data.draw(batch_like(batch, ranks[3]))
    agrees("keras.ops.ctc_loss", {}, T(target, "int32"), (output, T(target_length, "int32"),
                                                           T(output_length, "int32")))


@SETTINGS
@given(st.sampled_from([None, 2]), st.sampled_from([3, 3, 2, 4]), st.sampled_from([1, 1, 2, 0]), st.data())
def test_ctc_decode(batch, rank, lengths_rank, data):
    x = data.draw(batch_like(batch, rank, tail=(5, 4)[:rank - 1]))
    lengths = data.draw(batch_like(batch, lengths_rank))
    config = {"strategy": data.draw(st.sampled_from(["greedy", "beam_search", "best"])),
              "top_paths": data.draw(st.sampled_from([1, 2, 3])), "beam_width": data.draw(st.sampled_from([2, 4]))}
    # Sequences of length 1: beam search over empty sequences finds fewer paths than top_paths > 1.
    agrees("keras.ops.ctc_decode", config, x, (T(lengths, "int32"),), int_value=1)


# -- inside a layer's call ----------------------------------------------------------------------


def _traced(op: str, config: dict, *shapes: Any) -> Any:
    """The rule applied as inside a layer's ``call`` (the backend runs, not the symbolic op)."""
    from shapecheck.core.engine import Engine, rule_for
    from shapecheck.core.findings import ShapeError
    from shapecheck.core.rules import Call, Unknowable
    from shapecheck.core.shapes import TensorType

    rule = rule_for(op)
    call = Call(rule, config, [TensorType(s) for s in shapes], {}, name="op", traced=True)
    try:
        return [t.shape for t in Engine._outputs(rule.output(call))]
    except ShapeError as e:
        return e.code.name
    except Unknowable:
        return None


def test_traced_calls_follow_the_backend():
    """Where the symbolic op and the backend differ, a traced call follows the backend (run on data)."""
    cases = [("keras.ops.adaptive_average_pool", {"output_size": 4}, (2, 8, 6, 3)),
             ("keras.ops.adaptive_average_pool", {"output_size": (4, 2)}, (2, 8, 6, 3)),
             ("keras.ops.categorical_crossentropy", {"axis": 1}, (2, 5, 3), (2, 5, 3)),
             ("keras.ops.binary_crossentropy", {}, (2, 3), (2, 3))]
    for op, config, *shapes in cases:
        rng = np.random.default_rng(0)
        out = _op(op)(*[_data(s, rng) for s in shapes], **config)
        assert _traced(op, config, *shapes) == [tuple(out.shape)], (op, config, shapes)
    # An undefined axis is any size on data: no finding where the symbolic op compares None with 2.
    assert _traced("keras.ops.binary_crossentropy", {}, (None, 3), (2, 3)) is None
    assert not _eager_rejects("keras.ops.binary_crossentropy", {}, (2, 3), ((2, 3),), {})
    assert _traced("keras.ops.ctc_loss", {}, (None, 4), (2, 6, 5), (2,), (2,)) is None
