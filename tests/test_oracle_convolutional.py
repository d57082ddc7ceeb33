"""Convolution rules against Keras itself, over generated configurations and input shapes.

For each generated case shapecheck reports a finding exactly when Keras rejects the
call (symbolically, or on random data when every non-batch axis is known), and
otherwise infers the output shape Keras computes.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.core.engine import infer

from . import keras_oracle
from .keras_oracle import keras_apply

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_PARAMS = {
    "Conv": ("Conv1D", "Conv2D", "Conv3D"),
    "Transpose": ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"),
    "Depthwise": ("DepthwiseConv1D", "DepthwiseConv2D"),
    "Separable": ("SeparableConv1D", "SeparableConv2D"),
}


@functools.lru_cache(maxsize=None)
def _rejected_by_generic_kernels(op: str, config_json: str, shape: tuple) -> bool:
    """Keras on TensorFlow's generic conv kernels (those GPUs share), oneDNN off: a fresh process.

    ``None`` axes become 3, so that data flows.
    """
    concrete = tuple(d if d is not None or i == 0 else 3 for i, d in enumerate(shape))
    code = ("import json, sys; from tests.keras_oracle import keras_apply; "
            f"r = keras_apply({op!r}, json.loads({config_json!r}), {concrete!r}); "
            "print('REJECTED' if r.rejected else 'ACCEPTED')")
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0", "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(keras_oracle.__file__))), timeout=300)
    assert "REJECTED" in out.stdout or "ACCEPTED" in out.stdout, out.stderr[-2000:]
    return "REJECTED" in out.stdout


def agrees(op: str, config: dict, shape: tuple) -> None:
    ours = infer(op, config, shape)
    theirs = keras_apply(op, config, shape)
    if (not theirs.rejected and isinstance(ours, str) and "Transpose" in op and config.get("padding") == "same"
            and config.get("output_padding") is not None):
        # oneDNN lets a length-1 axis through as an empty one, and the oracle runs no data
        # through `None` axes: ask the generic kernels, with data.
        assert _rejected_by_generic_kernels(op, json.dumps(config), shape), (op, config, shape, ours)
        return
    if theirs.rejected:
        assert isinstance(ours, str), (f"Keras rejects {op}({config}) on {shape}: "
                                       f"{theirs.error or theirs.eager_error!r}; shapecheck says {ours}")
    else:
        assert ours == theirs.single, f"{op}({config}) on {shape}: Keras {theirs.single}, shapecheck {ours}"


def int_or_tuple(rank: int, values: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(values, st.tuples(*[values] * rank))


@st.composite
def conv_case(draw, family: str) -> tuple[str, dict, tuple]:
    names = _PARAMS[family]
    rank = draw(st.integers(1, len(names)))
    op = names[rank - 1]
    fmt = draw(st.sampled_from(["channels_last", "channels_first"]))
    config: dict = {
        "kernel_size": draw(int_or_tuple(rank, st.integers(1, 4))),
        "strides": draw(int_or_tuple(rank, st.integers(1, 3))),
        "dilation_rate": draw(int_or_tuple(rank, st.sampled_from([1, 1, 1, 2]))),
        "padding": draw(st.sampled_from(["valid", "same"] * 2 + (["causal"] if rank == 1 else []))),
        "data_format": fmt,
    }
    if family == "Conv":
        groups = draw(st.sampled_from([1, 1, 2, 3]))
        config["groups"] = groups
        config["filters"] = draw(st.integers(1, 3)) * draw(st.sampled_from([1, groups]))
    elif family == "Transpose":
        config["filters"] = draw(st.integers(1, 4))
        if draw(st.booleans()):
            config["output_padding"] = draw(int_or_tuple(rank, st.integers(0, 2)))
    elif family == "Depthwise":
        config["depth_multiplier"] = draw(st.integers(1, 3))
    else:
        config["filters"] = draw(st.integers(1, 4))
        config["depth_multiplier"] = draw(st.integers(1, 2))
    # Mostly the right rank; sometimes one too few or too many.
    in_rank = rank + 2 + draw(st.sampled_from([0, 0, 0, 0, -1, 1]))
    spatial = [draw(st.one_of(st.integers(1, 9), st.none())) for _ in range(max(in_rank - 2, 0))]
    channels = draw(st.integers(1, 6)) if draw(st.integers(0, 9)) else None
    body = spatial + [channels] if fmt == "channels_last" else [channels] + spatial
    return op, config, (None, *body[: in_rank - 1])


@SETTINGS
@given(conv_case("Conv"))
def test_conv(case):
    agrees(*case)


@SETTINGS
@given(conv_case("Transpose"))
def test_conv_transpose(case):
    agrees(*case)


@SETTINGS
@given(conv_case("Depthwise"))
def test_depthwise_conv(case):
    agrees(*case)


@SETTINGS
@given(conv_case("Separable"))
def test_separable_conv(case):
    agrees(*case)


@SETTINGS
@given(st.sampled_from(["Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D"]),
       st.sampled_from(["kernel_size", "strides", "dilation_rate", "padding", "data_format", "filters",
                        "depth_multiplier"]),
       st.sampled_from([0, -1, (1, 2, 3), (2,), "full", "CHANNELS_FIRST", "SAME", 3]))
def test_invalid_arguments(op, key, value):
    """Constructor arguments, valid or not, on a fixed valid input."""
    config = {"kernel_size": 2, "filters": 2} if op != "DepthwiseConv2D" else {"kernel_size": 2}
    if key in ("filters", "depth_multiplier") and not isinstance(value, int):
        return
    if (key == "filters" and op == "DepthwiseConv2D") or (key == "depth_multiplier" and "wise" not in op
                                                          and "Separable" not in op):
        return  # not a parameter of this layer
    config[key] = value
    agrees(op, config, (None, 6, 7, 3))
