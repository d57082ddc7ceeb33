"""Recurrent rules against Keras itself, over generated configurations and input shapes.

For each generated case shapecheck reports a finding exactly when Keras rejects the
call (symbolically, or on random data when every non-batch axis is known), and
otherwise infers the output shapes Keras computes.  Cases include wrong ranks, unknown
feature axes, empty time axes, stateful layers without a static batch, initial states of
the wrong shape, invalid merge modes and mismatched backward layers.
"""

from __future__ import annotations

from typing import Any, Optional

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.core.engine import infer
from shapecheck.core.ir import LayerRef
from shapecheck.core.rules import T

from .keras_oracle import keras_apply

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

small = st.integers(1, 4)
maybe_none = st.one_of(st.none(), small)


def _keras_value(v: Any) -> Any:
    """Layer references (lists of cells included) as Keras layers; the oracle only builds top-level ones."""
    import keras

    if isinstance(v, LayerRef):
        return getattr(keras.layers, v.class_name)(**{k: _keras_value(x) for k, x in v.config.items()})
    if isinstance(v, list):
        return [_keras_value(x) for x in v]
    return v


def _has_nested_ref(v: Any) -> bool:
    if isinstance(v, list):
        return any(isinstance(x, LayerRef) or _has_nested_ref(x) for x in v)
    if isinstance(v, LayerRef):
        return any(_has_nested_ref(x) for x in v.config.values())
    return False


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


def _concrete(shape: Any, call_kwargs: dict) -> bool:
    """Whether the oracle ran data through Keras: no ``None`` beyond the batch axis."""
    return _fill(shape, -1) == shape and _fill(call_kwargs, -1) == call_kwargs


def _is_shape(v: Any) -> bool:
    return isinstance(v, tuple) and all(d is None or isinstance(d, int) for d in v)


def _leaves(v: Any, path: tuple = ()) -> list[tuple[tuple, tuple]]:
    """``(path, shape)`` of every tensor in nested call arguments."""
    if isinstance(v, T):
        return [(path, v.shape)]
    if _is_shape(v):
        return [(path, v)]
    if isinstance(v, (list, tuple)):
        return [leaf for i, x in enumerate(v) for leaf in _leaves(x, path + (i,))]
    if isinstance(v, dict):
        return [leaf for k, x in v.items() for leaf in _leaves(x, path + (k,))]
    return []


def _with_dim(v: Any, path: tuple, axis: int, d: Any) -> Any:
    if not path:
        if isinstance(v, T):
            return T(_with_dim(v.shape, (), axis, d), v.dtype)
        return tuple(d if i == axis else x for i, x in enumerate(v))
    head, rest = path[0], path[1:]
    if isinstance(v, dict):
        return {k: (_with_dim(x, rest, axis, d) if k == head else x) for k, x in v.items()}
    out = [(_with_dim(x, rest, axis, d) if i == head else x) for i, x in enumerate(v)]
    return tuple(out) if isinstance(v, tuple) else out


def opaque_is_sound(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None) -> None:
    """A dim the front end could not follow never causes a finding some value of it would not.

    Each defined non-batch axis of every tensor in turn becomes opaque (``?``); if shapecheck
    then reports, it must report for every size that axis could have.
    """
    from shapecheck.core import dims

    bundle = [inputs, list(args), dict(call_kwargs or {})]

    def run(b: list) -> Any:
        return infer(op, config, b[0], tuple(b[1]), b[2])

    for path, shape in _leaves(bundle):
        for axis, d in enumerate(shape or ()):
            if axis == 0 or not isinstance(d, int):
                continue
            ours = run(_with_dim(bundle, path, axis, dims.unknown()))
            if not isinstance(ours, str):
                continue
            for size in sorted({1, 2, 3, 4, 6, d}):
                concrete = run(_with_dim(bundle, path, axis, size))
                assert isinstance(concrete, str), (f"{op}({config}) on {bundle}: axis {axis} of {path} opaque "
                                                   f"gives {ours}, but with {size} shapecheck infers {concrete}")


def _keras_config(config: dict) -> dict:
    if any(_has_nested_ref(v) for v in config.values()):
        return {k: _keras_value(v) for k, v in config.items()}
    return config


def agrees(op: str, config: dict, shape: Any, call_kwargs: Optional[dict] = None) -> None:
    call_kwargs = call_kwargs or {}
    ours = infer(op, config, shape, (), call_kwargs)
    try:
        keras_config = _keras_config(config)
    except Exception:  # noqa: BLE001 - a cell constructor refused: Keras's verdict
        assert isinstance(ours, str), f"Keras refuses the cells of {op}({config}); shapecheck says {ours}"
        return
    theirs = keras_apply(op, keras_config, shape, (), call_kwargs)
    where = f"{op}({config}) on {shape} with {call_kwargs}"
    if not theirs.rejected and isinstance(ours, str) and not _concrete(shape, call_kwargs):
        # Keras runs no data through `None` axes; what shapecheck reports fails for every size
        # they could take (a state of the wrong width, an empty time axis, a sequence without a
        # feature axis sliced as `sequences[:, 0, :]`): ask Keras with data, at two sizes.
        for size in (1, 3):
            filled = keras_apply(op, _keras_config(config), _fill(shape, size), (), _fill(call_kwargs, size))
            assert filled.rejected, f"Keras accepts {where} with data ({size} for None); shapecheck {ours}"
    elif theirs.rejected:
        why = theirs.error or theirs.eager_error
        assert isinstance(ours, str), f"Keras rejects {where}: {why!r}; shapecheck {ours}"
    else:
        assert ours == theirs.single, f"{where}: Keras {theirs.single}, shapecheck {ours}"
    opaque_is_sound(op, config, shape, (), call_kwargs)


@st.composite
def sequence(draw, min_rank: int = 2, max_rank: int = 4) -> tuple:
    """A sequence shape, mostly ``(batch, time, features)``; sometimes empty in time or without features."""
    rank = draw(st.sampled_from([3, 3, 3, 3] + list(range(min_rank, max_rank + 1))))
    batch = draw(st.sampled_from([None, None, 2, 3]))
    time = draw(st.sampled_from([None, 1, 3, 4, 0]))
    rest = [draw(st.sampled_from([1, 2, 3, 3, None])) for _ in range(rank - 2)]
    return (batch, time, *rest)[:rank]


@st.composite
def initial_state(draw, batch: Any, n: int, size: int) -> list:
    """``n`` states of ``(batch, size)``, sometimes fewer, wider, of batch 1, or vectors ``(width,)``."""
    count = draw(st.sampled_from([n, n, n, max(n - 1, 1)]))
    out = []
    for _ in range(count):
        width = draw(st.sampled_from([size, size, size, size + 1]))
        b = batch if batch is None else draw(st.sampled_from([batch, batch, batch + 1, 1]))
        out.append(T(draw(st.sampled_from([(b, width), (b, width), (width,)]))))
    return out


_CELL_STATES = {"SimpleRNN": 1, "GRU": 1, "LSTM": 2, "SimpleRNNCell": 1, "GRUCell": 1, "LSTMCell": 2}


@SETTINGS
@given(op=st.sampled_from(["SimpleRNN", "LSTM", "GRU"]), units=st.sampled_from([1, 2, 4, 4, 0]),
       seq=st.booleans(), state=st.booleans(), backwards=st.booleans(), stateful=st.sampled_from([False] * 4 + [True]),
       time_major=st.sampled_from([False] * 6 + [True]), shape=sequence(), data=st.data())
def test_recurrent_layers(op, units, seq, state, backwards, stateful, time_major, shape, data):
    config = {"units": units, "return_sequences": seq, "return_state": state, "go_backwards": backwards,
              "stateful": stateful}
    if time_major:
        config["time_major"] = True
    kwargs = {}
    if data.draw(st.booleans()) and units > 0:
        kwargs["initial_state"] = data.draw(initial_state(shape[0], _CELL_STATES[op], units))
    agrees(op, config, shape, kwargs)


@st.composite
def cell(draw) -> LayerRef:
    name = draw(st.sampled_from(["SimpleRNNCell", "GRUCell", "LSTMCell"]))
    return LayerRef(name, {"units": draw(st.sampled_from([1, 2, 3, 3, 0]))})


@SETTINGS
@given(c=cell(), seq=st.booleans(), state=st.booleans(), shape=sequence(1, 3), data=st.data())
def test_rnn_over_one_cell(c, seq, state, shape, data):
    config = {"cell": c, "return_sequences": seq, "return_state": state}
    kwargs = {}
    units = c.config["units"]
    if data.draw(st.booleans()) and units > 0 and len(shape) >= 1:
        kwargs["initial_state"] = data.draw(initial_state(shape[0], _CELL_STATES[c.class_name], units))
    agrees("RNN", config, shape, kwargs)


@SETTINGS
@given(cells=st.lists(cell(), min_size=1, max_size=3), stacked=st.booleans(), seq=st.booleans(),
       state=st.booleans(), shape=sequence(2, 3))
def test_rnn_over_stacked_cells(cells, stacked, seq, state, shape):
    # Keras returns the states of stacked LSTM cells nested ([h, c]); keep the output flat.
    state = state and all(c.class_name != "LSTMCell" for c in cells)
    value: Any = LayerRef("StackedRNNCells", {"cells": cells}) if stacked else cells
    agrees("RNN", {"cell": value, "return_sequences": seq, "return_state": state}, shape)


@st.composite
def recurrent_ref(draw, **fixed: Any) -> LayerRef:
    name = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
    config = {"units": draw(st.sampled_from([2, 3, 3])), "return_sequences": draw(st.booleans()),
              "return_state": draw(st.sampled_from([False, False, True]))}
    config.update(fixed)
    return LayerRef(name, config)


@SETTINGS
@given(layer=recurrent_ref(), mode=st.sampled_from(["concat", "concat", "sum", "mul", "ave", None, "max"]),
       backward=st.sampled_from(["none", "none", "mirror", "other"]), shape=sequence(2, 3), data=st.data())
def test_bidirectional(layer, mode, backward, shape, data):
    config: dict = {"layer": layer, "merge_mode": mode}
    if backward == "mirror":
        config["backward_layer"] = LayerRef(layer.class_name, {**layer.config, "go_backwards": True})
    elif backward == "other":
        config["backward_layer"] = data.draw(recurrent_ref(go_backwards=data.draw(st.sampled_from([True, True, False])),
                                                           return_state=layer.config["return_state"]))
    agrees("Bidirectional", config, shape)


@SETTINGS
@given(layer=recurrent_ref(return_state=False), shape=sequence(3, 3), data=st.data())
def test_bidirectional_initial_states(layer, shape, data):
    units = layer.config["units"]
    n = _CELL_STATES[layer.class_name]
    states = data.draw(initial_state(shape[0], n, units)) + data.draw(initial_state(shape[0], n, units))
    # Keras takes the fused LSTM path only with four states; fewer go half and half.
    agrees("Bidirectional", {"layer": layer}, shape, {"initial_state": states})


@st.composite
def distributed_layer(draw) -> LayerRef:
    kind = draw(st.sampled_from(["Dense", "Conv1D", "Flatten"]))
    if kind == "Dense":
        return LayerRef("Dense", {"units": draw(small)})
    if kind == "Conv1D":
        return LayerRef("Conv1D", {"filters": draw(small), "kernel_size": draw(small),
                                   "padding": draw(st.sampled_from(["valid", "same"]))})
    return LayerRef("Flatten", {})


@SETTINGS
@given(layer=distributed_layer(), shape=sequence(2, 5))
def test_time_distributed(layer, shape):
    agrees("TimeDistributed", {"layer": layer}, shape)


@st.composite
def conv_lstm_case(draw) -> tuple[str, dict, tuple, dict]:
    rank = draw(st.integers(1, 3))
    op = f"ConvLSTM{rank}D"
    fmt = draw(st.sampled_from(["channels_last", "channels_first"]))
    filters = draw(st.integers(1, 3))
    config = {
        "filters": filters,
        "kernel_size": draw(st.one_of(st.integers(1, 3), st.tuples(*[st.integers(1, 3)] * rank))),
        "strides": draw(st.sampled_from([1, 1, 2])),
        "dilation_rate": draw(st.sampled_from([1, 1, 1, 2])),
        "padding": draw(st.sampled_from(["valid", "same", "valid", "causal"])),
        "data_format": fmt,
        "return_sequences": draw(st.booleans()),
        "return_state": draw(st.booleans()),
    }
    space = tuple(draw(st.sampled_from([1, 3, 4, 5, 5, None])) for _ in range(rank))
    channels = draw(st.sampled_from([1, 2, 2, None]))
    batch = draw(st.sampled_from([None, None, 2]))
    time = draw(st.sampled_from([None, 2, 3, 0]))
    step = (*space, channels) if fmt == "channels_last" else (channels, *space)
    shape = (batch, time, *step)
    if draw(st.sampled_from([False] * 5 + [True])):
        shape = shape[:-1]  # wrong rank
    kwargs: dict = {}
    if draw(st.sampled_from([False, False, True])) and None not in space and config["padding"] != "causal":
        # States of the output's spatial size (as Keras computes it), or of the input's.
        s, k, p = config["strides"], config["kernel_size"], config["padding"]
        ks = k if isinstance(k, tuple) else (k,) * rank
        d = config["dilation_rate"]
        out = tuple((n - d * (kk - 1) - 1) // s + 1 if p == "valid" else (n - 1) // s + 1 for n, kk in zip(space, ks))
        sp = draw(st.sampled_from([out, out, space]))
        f = draw(st.sampled_from([filters, filters, filters + 1]))
        state = (batch, *sp, f) if fmt == "channels_last" else (batch, f, *sp)
        kwargs["initial_state"] = [T(state), T(state)]
    return op, config, shape, kwargs


@SETTINGS
@given(case=conv_lstm_case())
def test_conv_lstm(case):
    op, config, shape, kwargs = case
    agrees(op, config, shape, kwargs)
