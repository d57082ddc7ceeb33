"""Reshaping rules against Keras itself, over generated configurations and input shapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.core.engine import infer

from .keras_oracle import keras_apply

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Rejected on data for any size of the `None` axes: tried with data at 3 and 5.
_DATA_DEPENDENT = ("ZeroPadding2D", "ZeroPadding3D", "UpSampling2D")


def keras_verdict(op: str, config: dict, shape: tuple) -> tuple[bool, object]:
    theirs = keras_apply(op, config, shape)
    if theirs.rejected or op not in _DATA_DEPENDENT or None not in shape[1:]:
        return theirs.rejected, None if theirs.rejected else theirs.single
    for size in (3, 5):
        concrete = tuple(d if d is not None or i == 0 else size for i, d in enumerate(shape))
        if not keras_apply(op, config, concrete).rejected:
            return False, theirs.single
    return True, None


def agrees(op: str, config: dict, shape: tuple) -> None:
    ours = infer(op, config, shape)
    rejected, single = keras_verdict(op, config, shape)
    if rejected:
        assert isinstance(ours, str), f"Keras rejects {op}({config}) on {shape}; shapecheck says {ours}"
    else:
        assert ours == single, f"{op}({config}) on {shape}: Keras {single}, shapecheck {ours}"


dim = st.one_of(st.integers(1, 6), st.none())


@st.composite
def shape_of_rank(draw, rank: int) -> tuple:
    n = rank + draw(st.sampled_from([0, 0, 0, 0, -1, 1]))
    return (None,) + tuple(draw(dim) if draw(st.integers(0, 4)) else draw(st.integers(1, 6)) for _ in range(n - 1))


@SETTINGS
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.lists(st.integers(1, 5), min_size=1, max_size=3),
       st.integers(-1, 3), st.booleans(), st.sampled_from([-1, -1, -1, None, -2]))
def test_reshape(rest, target, wildcard_at, none_in_input, wildcard):
    """Reshape: targets drawn from the input's own element count (mostly) or at random."""
    shape = (None, *rest)
    if none_in_input:
        shape = (None, None, *rest[1:])
    target = list(target)
    if 0 <= wildcard_at < len(target):
        target[wildcard_at] = wildcard
    agrees("Reshape", {"target_shape": tuple(target)}, shape)


@SETTINGS
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.integers(0, 3))
def test_reshape_valid_targets(rest, split):
    """Targets that hold the same number of elements (with and without -1)."""
    size = 1
    for d in rest:
        size *= d
    target = (size,) if split == 0 else ((-1, rest[-1]) if split == 1 else tuple(reversed(rest)))
    agrees("Reshape", {"target_shape": target}, (None, *rest))


@SETTINGS
@given(st.data())
def test_flatten_permute_repeat(data):
    op = data.draw(st.sampled_from(["Flatten", "Permute", "RepeatVector"]))
    if op == "Flatten":
        config, shape = {}, data.draw(shape_of_rank(data.draw(st.integers(1, 4))))
    elif op == "Permute":
        n = data.draw(st.integers(1, 3))
        dims = data.draw(st.permutations(list(range(1, n + 1))))
        if data.draw(st.integers(0, 4)) == 0:
            dims = dims[:-1] + [data.draw(st.integers(0, n + 1))]
        config, shape = {"dims": tuple(dims)}, data.draw(shape_of_rank(n + 1))
    else:
        config, shape = {"n": data.draw(st.integers(-1, 4))}, data.draw(shape_of_rank(2))
    agrees(op, config, shape)


@SETTINGS
@given(st.data())
def test_upsampling(data):
    rank = data.draw(st.integers(1, 3))
    op = f"UpSampling{rank}D"
    size = data.draw(st.integers(0, 3) if rank == 1 else st.one_of(st.integers(0, 3),
                                                                  st.tuples(*[st.integers(1, 3)] * rank)))
    config: dict = {"size": size}
    if rank > 1:
        config["data_format"] = data.draw(st.sampled_from(["channels_last", "channels_first"]))
    if rank == 2:
        config["interpolation"] = data.draw(st.sampled_from(["nearest", "bilinear", "BICUBIC", "linear"]))
    agrees(op, config, data.draw(shape_of_rank(rank + 2)))


@SETTINGS
@given(st.data())
def test_zero_padding_and_cropping(data):
    rank = data.draw(st.integers(1, 3))
    kind = data.draw(st.sampled_from(["ZeroPadding", "Cropping"]))
    op = f"{kind}{rank}D"
    amount = st.integers(0, 3)
    pair = st.one_of(amount, st.tuples(amount, amount))
    if rank == 1:
        value = data.draw(st.one_of(st.integers(-1, 3), st.tuples(amount, amount)))
    else:
        value = data.draw(st.one_of(st.integers(-1, 3), st.tuples(*[pair] * rank)))
    config: dict = {"padding" if kind == "ZeroPadding" else "cropping": value}
    if rank > 1 or kind == "ZeroPadding":
        config["data_format"] = data.draw(st.sampled_from(["channels_last", "channels_first"]))
    agrees(op, config, data.draw(shape_of_rank(rank + 2)))
