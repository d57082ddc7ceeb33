"""Pooling rules against Keras itself, over generated configurations and input shapes."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shapecheck.core.engine import infer

from .keras_oracle import keras_apply

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WINDOWED = ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D")
GLOBAL = ("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
          "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D")
ADAPTIVE = ("AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
            "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D")


def _rank(op: str) -> int:
    return int(op[-2])


def keras_verdict(op: str, config: dict, shape: tuple) -> tuple[bool, object]:
    """Keras's verdict; for adaptive pooling, with data flowing through ``None`` axes too.

    Adaptive pooling declares no input spec: a wrong rank passes the symbolic build and
    fails on data for any size of the ``None`` axes, so those are tried at 3 and 5. Rank 3
    is the exception: data flow (pooled as one sequence) with another shape than the
    symbolic one, and Keras raises nothing -- shapecheck follows the symbolic shape, as
    everywhere else.
    """
    theirs = keras_apply(op, config, shape)
    if theirs.rejected or not op.startswith("Adaptive"):
        return theirs.rejected, None if theirs.rejected else theirs.single
    for size in (3, 5):
        concrete = tuple(d if d is not None or i == 0 else size for i, d in enumerate(shape))
        if keras_apply(op, config, concrete).rejected:
            return True, None
    return False, theirs.single


def agrees(op: str, config: dict, shape: tuple) -> None:
    ours = infer(op, config, shape)
    rejected, single = keras_verdict(op, config, shape)
    if rejected:
        assert isinstance(ours, str), f"Keras rejects {op}({config}) on {shape}; shapecheck says {ours}"
    else:
        assert ours == single, f"{op}({config}) on {shape}: Keras {single}, shapecheck {ours}"


def int_or_tuple(rank: int, values: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(values, st.tuples(*[values] * rank))


@st.composite
def input_shape(draw, rank: int) -> tuple:
    """Mostly ``rank + 2`` axes (spatial ones sometimes ``None``); sometimes one too few or too many."""
    n = rank + 2 + draw(st.sampled_from([0, 0, 0, 0, -1, 1]))
    return (None,) + tuple(draw(st.one_of(st.integers(1, 9), st.none())) if draw(st.integers(0, 4)) else None
                           for _ in range(n - 1))


@st.composite
def windowed_case(draw) -> tuple[str, dict, tuple]:
    op = draw(st.sampled_from(WINDOWED))
    rank = _rank(op)
    config = {
        "pool_size": draw(int_or_tuple(rank, st.integers(1, 4))),
        "strides": draw(st.one_of(st.none(), int_or_tuple(rank, st.integers(1, 3)))),
        "padding": draw(st.sampled_from(["valid", "same", "valid", "same", "SAME"])),
        "data_format": draw(st.sampled_from(["channels_last", "channels_first"])),
    }
    return op, config, draw(input_shape(rank))


@st.composite
def global_case(draw) -> tuple[str, dict, tuple]:
    op = draw(st.sampled_from(GLOBAL))
    config = {"keepdims": draw(st.booleans()),
              "data_format": draw(st.sampled_from(["channels_last", "channels_first"]))}
    return op, config, draw(input_shape(_rank(op)))


def _max_pool_crashes(op: str, config: dict, shape: tuple) -> bool:
    """TensorFlow's CPU max pool dies of SIGFPE (the whole process) when adaptive max pooling
    needs an empty window: an output size of 1 or an input axis of 1.  Keras cannot give a
    verdict there, so such cases are not generated (and shapecheck, unable to tell whether
    other devices fail too, reports nothing)."""
    size = config["output_size"]
    sizes = size if isinstance(size, tuple) else (size,)
    return op.startswith("AdaptiveMax") and (1 in sizes or 1 in shape[1:])


@st.composite
def adaptive_case(draw) -> tuple[str, dict, tuple]:
    op = draw(st.sampled_from(ADAPTIVE))
    rank = _rank(op)
    sizes = st.integers(1, 6) if draw(st.integers(0, 9)) else st.integers(-1, 0)
    config = {"output_size": draw(int_or_tuple(rank, sizes)),
              "data_format": draw(st.sampled_from(["channels_last", "channels_first"]))}
    shape = draw(input_shape(rank))
    assume(not _max_pool_crashes(op, config, shape))
    return op, config, shape


@SETTINGS
@given(windowed_case())
def test_windowed_pooling(case):
    agrees(*case)


@SETTINGS
@given(global_case())
def test_global_pooling(case):
    agrees(*case)


@SETTINGS
@given(adaptive_case())
def test_adaptive_pooling(case):
    agrees(*case)


@SETTINGS
@given(st.sampled_from(["MaxPooling2D", "AveragePooling2D"]),
       st.sampled_from(["pool_size", "strides", "padding", "data_format"]),
       st.sampled_from([0, -1, (1, 2, 3), (2,), "full", "CHANNELS_FIRST", "Same", 3, None]))
def test_invalid_arguments(op, key, value):
    """Constructor arguments, valid or not, on a fixed valid input."""
    agrees(op, {"pool_size": 2, key: value}, (None, 6, 7, 3))
