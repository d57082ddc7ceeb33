"""Normalization rules against Keras itself, over generated axes, groups and input shapes.

For each generated case shapecheck reports a finding exactly when Keras rejects the
call (symbolically, or on random data), and otherwise infers the output shape Keras
computes (see :func:`tests.test_oracle_core.agrees`).  Shared layers are checked too:
a layer built on one shape and called on another is rejected exactly when Keras rejects.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.api import check_source

from .keras_oracle import keras_apply
from .test_oracle_core import agrees, opaque_is_sound

# SHAPECHECK_ORACLE_EXAMPLES raises the count for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SIZES = st.sampled_from([1, 2, 3, 4, 6, None])
DEFINED = st.sampled_from([1, 2, 3, 4])
AXIS = st.integers(-4, 4)
AXES = st.one_of(AXIS, st.lists(AXIS, min_size=1, max_size=3))


@st.composite
def shape(draw, min_rank: int = 1, max_rank: int = 4) -> tuple:
    return (None, *[draw(SIZES) for _ in range(draw(st.integers(min_rank, max_rank)) - 1)])


@SETTINGS
@given(AXIS, shape(), st.booleans())
def test_batch_normalization(axis, input_shape, center):
    agrees("BatchNormalization", {"axis": axis, "center": center}, input_shape)
    opaque_is_sound("BatchNormalization", {"axis": axis, "center": center}, input_shape)


@SETTINGS
@given(AXES, shape(), st.booleans(), st.booleans())
def test_layer_normalization(axis, input_shape, center, scale):
    agrees("LayerNormalization", {"axis": axis, "center": center, "scale": scale}, input_shape)
    opaque_is_sound("LayerNormalization", {"axis": axis, "center": center, "scale": scale}, input_shape)


@SETTINGS
@given(AXES, shape())
def test_rms_normalization(axis, input_shape):
    agrees("RMSNormalization", {"axis": axis}, input_shape)
    opaque_is_sound("RMSNormalization", {"axis": axis}, input_shape)


@SETTINGS
@given(AXES, shape())
def test_unit_normalization(axis, input_shape):
    agrees("UnitNormalization", {"axis": axis}, input_shape)
    opaque_is_sound("UnitNormalization", {"axis": axis}, input_shape)


@SETTINGS
@given(st.sampled_from([1, 2, 3, 4, -1, 0, 8]), AXIS, shape(2, 4))
def test_group_normalization(groups, axis, input_shape):
    agrees("GroupNormalization", {"groups": groups, "axis": axis}, input_shape)
    opaque_is_sound("GroupNormalization", {"groups": groups, "axis": axis}, input_shape)


@SETTINGS
@given(st.sampled_from(["BatchNormalization", "LayerNormalization", "UnitNormalization", "GroupNormalization"]),
       st.sampled_from(["x", 1.5, None, [1], (1, 2)]))
def test_axis_argument_types(op, axis):
    config = {"axis": axis}
    if op == "GroupNormalization":
        config["groups"] = 1
    agrees(op, config, (None, 3, 4))


_SHARED = {
    "BatchNormalization": {},
    "GroupNormalization": {"groups": 1},
    "SpectralNormalization": None,
}


@SETTINGS
@given(st.sampled_from(sorted(_SHARED)), st.tuples(DEFINED, DEFINED), st.tuples(DEFINED, DEFINED),
       st.integers(-2, 2))
def test_shared_layer_second_call(op, first, second, axis):
    """A layer built on ``first`` and called on ``second``: the built axes must agree.

    Defined axes only: a rule cannot tell a later call from the first (see the report), so
    it would ask a later call for the defined axes its weights need.
    """
    first_in, second_in = (None, *first), (None, *second)
    if op == "SpectralNormalization":
        ctor = "keras.layers.SpectralNormalization(keras.layers.Dense(2))"
    else:
        args = ", ".join(f"{k}={v!r}" for k, v in {**_SHARED[op], "axis": axis}.items())
        ctor = f"keras.layers.{op}({args})"
    src = (f"import keras\nlayer = {ctor}\n"
           f"a = layer(keras.Input(shape={first!r}))\n"
           f"b = layer(keras.Input(shape={second!r}))\n")
    lines = [f.span.line for f in check_source(src, "t.py").findings]
    first_ok = not keras_apply_shared(src, first_in, None).rejected
    if not first_ok:
        assert 3 in lines, (src, lines)
        return
    theirs = keras_apply_shared(src, first_in, second_in)
    assert (4 in lines) == theirs.rejected, (src, lines, theirs.error or theirs.eager_error)


def keras_apply_shared(src: str, first: tuple, second: tuple | None):
    """Run the program's layer with Keras: build on ``first``, then call on ``second`` (with data)."""
    import keras
    import numpy as np

    from .keras_oracle import KerasResult

    scope: dict = {}
    ctor = src.splitlines()[1]
    try:
        exec(ctor, {"keras": keras}, scope)  # noqa: S102 - our own generated constructor line
        layer = scope["layer"]
        layer(keras.KerasTensor(first))
        if second is None:
            return KerasResult([first])
        out = layer(keras.KerasTensor(second))
        if all(d is not None for d in second[1:]):
            layer(np.ones((2, *second[1:]), "float32"))
        return KerasResult([tuple(out.shape)])
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        return KerasResult(None, e)


def test_oracle_helper_is_honest():
    """The shared-layer oracle does reject a BatchNormalization called on other channels."""
    src = "import keras\nlayer = keras.layers.BatchNormalization()\n"
    assert keras_apply_shared(src, (None, 3), (None, 4)).rejected
    assert not keras_apply_shared(src, (None, 3), (None, 3)).rejected
    assert keras_apply("BatchNormalization", {}, (None, 3)).single == (None, 3)
