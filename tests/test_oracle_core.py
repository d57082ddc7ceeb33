"""Core, activation and regularization rules against Keras itself, over generated cases.

For each generated case shapecheck reports a finding exactly when Keras rejects the
call (symbolically, or on random data when every non-batch axis is known), and
otherwise infers the output shape Keras computes.  Where Keras's symbolic build lets a
call through and the oracle cannot run data (an axis is ``None``), a finding must be
confirmed by Keras failing on data for every size tried in place of the ``None`` axes.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shapecheck.core import dims
from shapecheck.core.engine import infer
from shapecheck.core.ir import LayerRef
from shapecheck.core.rules import T

from .keras_oracle import agrees_on_data, keras_apply

# SHAPECHECK_ORACLE_EXAMPLES raises the count for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SIZES = st.sampled_from([1, 2, 3, 4, 5, None])


def _fill(v: Any, size: int) -> Any:
    """The same inputs with every non-batch ``None`` axis set to ``size``."""
    if isinstance(v, T):
        return T(None if v.shape is None else _fill(v.shape, size), v.dtype)
    if isinstance(v, tuple):
        return v[:1] + tuple(size if d is None else d for d in v[1:])
    if isinstance(v, list):
        return [_fill(x, size) for x in v]
    return v


def has_undefined_axis(v: Any) -> bool:
    if isinstance(v, T):
        return has_undefined_axis(v.shape)
    if isinstance(v, tuple):
        return any(d is None for d in v[1:])
    if isinstance(v, list):
        return any(has_undefined_axis(x) for x in v)
    return False


def rejected_for_every_size(op: str, config: dict, inputs: Any) -> None:
    """Keras's symbolic build accepted and no data could flow through `None`: a finding
    claims a failure for every size, so try several."""
    for size in (1, 2, 3, 5):
        filled = keras_apply(op, config, _fill(inputs, size))
        assert filled.rejected, f"shapecheck rejects {op}({config}) on {inputs}, but Keras accepts None axes = {size}"


def agrees(op: str, config: dict, inputs: Any) -> None:
    """shapecheck and Keras agree on ``op(**config)(inputs)``: the same output, or both reject."""
    ours = infer(op, config, inputs)
    theirs = keras_apply(op, config, inputs)
    if theirs.rejected:
        assert isinstance(ours, str), (f"Keras rejects {op}({config}) on {inputs}: "
                                       f"{theirs.error or theirs.eager_error!r}; shapecheck says {ours}")
        return
    if isinstance(ours, str) and has_undefined_axis(inputs):
        rejected_for_every_size(op, config, inputs)
        return
    assert ours == theirs.single, f"{op}({config}) on {inputs}: Keras {theirs.single}, shapecheck {ours}"


def _with_dim(inputs: Any, where: tuple[int, int], value: Any) -> Any:
    """``inputs`` with axis ``where[1]`` of shape ``where[0]`` set to ``value``."""
    shapes = inputs if isinstance(inputs, list) else [inputs]
    out = []
    for i, s in enumerate(shapes):
        t = s.shape if isinstance(s, T) else s
        if i == where[0]:
            t = t[:where[1]] + (value,) + t[where[1] + 1:]
        out.append(T(t, s.dtype) if isinstance(s, T) else t)
    return out if isinstance(inputs, list) else out[0]


def opaque_is_sound(op: str, config: dict, inputs: Any) -> None:
    """A dim the front end could not follow never causes a finding some value of it would not.

    Each defined non-batch axis in turn becomes opaque (``?``); if shapecheck then reports,
    it must report for every size that axis could have.
    """
    shapes = inputs if isinstance(inputs, list) else [inputs]
    for i, s in enumerate(shapes):
        t = s.shape if isinstance(s, T) else s
        if not isinstance(t, tuple):
            continue
        for axis, d in enumerate(t):
            if axis == 0 or not isinstance(d, int):
                continue
            ours = infer(op, config, _with_dim(inputs, (i, axis), dims.unknown()))
            if not isinstance(ours, str):
                continue
            for size in sorted({1, 2, 3, 4, 6, d}):
                concrete = infer(op, config, _with_dim(inputs, (i, axis), size))
                assert isinstance(concrete, str), (f"{op}({config}) on {inputs} with axis {axis} of input {i} "
                                                   f"opaque: {ours}, but with {size} shapecheck infers {concrete}")


@st.composite
def shape(draw, min_rank: int = 1, max_rank: int = 4) -> tuple:
    return (None, *[draw(SIZES) for _ in range(draw(st.integers(min_rank, max_rank)) - 1)])


# -- activations and regularization -------------------------------------------------

_SAME_SHAPE = {
    "Activation": ("activation", st.sampled_from(["relu", "softmax", "tanh", "linear", "gelu", "relux", "Relu"])),
    "ReLU": ("max_value", st.sampled_from([None, 6.0, 0.0, -1.0])),
    "LeakyReLU": ("negative_slope", st.sampled_from([0.0, 0.3, -0.1])),
    "ELU": ("alpha", st.sampled_from([1.0, -1.0, 0.0])),
    "Dropout": ("rate", st.sampled_from([0.0, 0.5, 1.0, 1.5, -0.1])),
    "AlphaDropout": ("rate", st.sampled_from([0.0, 0.5, 1.0, 1.5, -0.1])),
    "GaussianDropout": ("rate", st.sampled_from([0.0, 0.5, 2.0])),
    "GaussianNoise": ("stddev", st.sampled_from([0.0, 0.5, 1.2, -1.0])),
    "ActivityRegularization": ("l1", st.sampled_from([0.0, 0.01, -0.01])),
    "Identity": (None, st.none()),
    "Masking": ("mask_value", st.sampled_from([0.0, -1.0])),
}


@SETTINGS
@given(st.sampled_from(sorted(_SAME_SHAPE)), st.data(), shape())
def test_same_shape_layers(op, data, input_shape):
    key, values = _SAME_SHAPE[op]
    config = {} if key is None else {key: data.draw(values)}
    if op in ("Dropout", "AlphaDropout", "GaussianDropout"):
        config.setdefault("rate", 0.5)
    agrees(op, config, input_shape)


@SETTINGS
@given(st.sampled_from(["ReLU", "LeakyReLU"]), st.sampled_from(["negative_slope", "threshold"]),
       st.sampled_from([0.0, 0.2, -0.2]))
def test_relu_arguments(op, key, value):
    if op == "LeakyReLU" and key == "threshold":
        return  # not a parameter of LeakyReLU
    agrees(op, {key: value}, (None, 3))


@SETTINGS
@given(st.integers(1, 3), st.data())
def test_spatial_dropout(rank, data):
    op = f"SpatialDropout{rank}D"
    config: dict = {"rate": data.draw(st.sampled_from([0.2, 0.5, 1.5]))}
    if rank > 1 and data.draw(st.booleans()):
        config["data_format"] = data.draw(st.sampled_from(["channels_first", "channels_last", "NHWC"]))
    in_rank = rank + 2 + data.draw(st.sampled_from([0, 0, 0, -1, 1]))
    agrees(op, config, data.draw(shape(in_rank, in_rank)))


@SETTINGS
@given(st.sampled_from([None, (None, 1), (2, 1), (0, 3), "ab"]), shape(2, 3))
def test_dropout_noise_shape(noise_shape, input_shape):
    agrees("Dropout", {"rate": 0.5, "noise_shape": noise_shape}, input_shape)


@SETTINGS
@given(st.one_of(st.integers(-4, 3), st.lists(st.integers(-4, 3), max_size=3)), shape())
def test_softmax(axis, input_shape):
    agrees("Softmax", {"axis": axis}, input_shape)
    opaque_is_sound("Softmax", {"axis": axis}, input_shape)


@SETTINGS
@given(st.one_of(st.none(), st.integers(-2, 4), st.lists(st.integers(-1, 4), min_size=1, max_size=3)), shape())
def test_prelu(shared_axes, input_shape):
    config = {} if shared_axes is None else {"shared_axes": shared_axes}
    agrees("PReLU", config, input_shape)
    opaque_is_sound("PReLU", config, input_shape)


# -- core ---------------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from([0, 1, 2, 5, -1, 2.5]), st.sampled_from([1, 3, 0, True]), shape(1, 3),
       st.sampled_from(["int32", "int64"]))
def test_embedding(input_dim, output_dim, input_shape, dtype):
    # Index data are 0 or 1: an input_dim of 1 would fail on the data's values, not on shapes.
    if input_dim == 1:
        input_dim = 2
    agrees("Embedding", {"input_dim": input_dim, "output_dim": output_dim}, T(input_shape, dtype))


@SETTINGS
@given(st.sampled_from([1, 4, 0, -3, 3.5, 2.0, True, False, None, "4"]), shape(1, 3))
def test_dense_units(units, input_shape):
    agrees("Dense", {"units": units}, input_shape)


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.integers(0, 4)), max_size=3), shape())
def test_lambda_with_output_shape(output_shape, input_shape):
    agrees("Lambda", {"function": lambda x: x, "output_shape": tuple(output_shape)}, input_shape)


_LETTERS = "abcdefg"


@st.composite
def einsum_case(draw) -> tuple[dict, tuple]:
    """An EinsumDense equation over a few letters, an ``output_shape`` and an input shape, mostly consistent."""
    form = draw(st.sampled_from(["plain", "plain", "left", "right"]))
    n_in = draw(st.integers(2 if form == "right" else 1, 3))
    in_letters = list(_LETTERS[:n_in])
    new = list(_LETTERS[n_in:n_in + draw(st.integers(0, 2))])
    # The first letter is usually the batch axis: contracting it needs it defined, so mostly keep it.
    kept = [c for i, c in enumerate(in_letters) if (i == 0 and draw(st.integers(0, 9))) or draw(st.booleans())]
    kept = kept or in_letters[:1]
    contracted = [c for c in in_letters if c not in kept]
    weight = contracted + new
    if not weight:
        weight = [in_letters[-1]]
    if draw(st.integers(0, 9)) == 0:
        weight.append("z")  # in no other spec
    out_letters = kept + new
    if draw(st.integers(0, 9)) == 0:
        out_letters.append("y")  # in no other spec
    spec_in, spec_w, spec_out = "".join(in_letters), "".join(weight), "".join(out_letters)
    if form == "left":
        equation = f"...{spec_in},{spec_w}->...{spec_out}"
    elif form == "right":
        equation = f"{spec_in}...,{spec_w}->{spec_out}..."
    else:
        equation = f"{spec_in},{spec_w}->{spec_out}"
    extra = draw(st.integers(0, 2)) if form != "plain" else draw(st.sampled_from([0, 0, 0, 1]))
    sizes = {c: draw(st.sampled_from([2, 3, 4, 2, 3, 4, None])) for c in _LETTERS}
    extras = [draw(st.sampled_from([2, 3])) for _ in range(extra)]
    letters = [sizes[c] for c in in_letters]
    batch_in_ellipsis = form == "left" and extra > 0
    # The batch axis is the first letter's, or the ellipsis's first axis.
    if batch_in_ellipsis:
        input_shape = (None, *extras[1:], *letters)
    elif form == "left":
        input_shape = (None, *letters[1:])
    else:
        input_shape = (None, *letters[1:], *extras)
    # output_shape: the non-batch output axes of the spec; sometimes a wrong size, sometimes None.
    partial = []
    for c in out_letters if batch_in_ellipsis else out_letters[1:]:
        pick = draw(st.integers(0, 9))
        partial.append(None if pick == 0 else 5 if pick == 1 else -2 if pick == 2 and draw(st.booleans())
                       else sizes.get(c, 3))
    output_shape: Any = tuple(partial)
    if draw(st.integers(0, 19)) == 0:
        output_shape = draw(st.sampled_from([2.5, None]))  # not iterable: the constructor fails
    config: dict = {"equation": equation, "output_shape": output_shape}
    if draw(st.booleans()):
        config["bias_axes"] = "".join(c for c in out_letters if draw(st.booleans())) or out_letters[-1]
    return config, input_shape


@SETTINGS
@given(einsum_case())
def test_einsum_dense(case):
    config, input_shape = case
    from shapecheck.ops.einsum import MATMUL_EINSUMS, relabel

    equation = config["equation"]
    spec = equation.split(",")[0]
    if "." not in equation and len(input_shape) > len(spec) and relabel(equation) in MATMUL_EINSUMS \
            and isinstance(config["output_shape"], tuple):
        # TensorFlow's backend turns these into a broadcasting matmul; shapecheck stays unknown.
        assert infer("EinsumDense", config, input_shape) is None
        return
    agrees("EinsumDense", config, input_shape)
    opaque_is_sound("EinsumDense", config, input_shape)


@SETTINGS
@given(einsum_case(), st.sampled_from([2, 3]))
@example(({"equation": "abc,cd->abd", "output_shape": (None, 8), "bias_axes": "d"}, (None, 3, 5)), 2)
@example(({"equation": "...b,bc->...c", "output_shape": (None,)}, (None, 3, 5)), 3)
def test_einsum_dense_on_data(case, size):
    # eagerly, an output_shape's None is the input's size where the einsum shares the axis
    config, input_shape = case
    ours = agrees_on_data("EinsumDense", config, input_shape, size=size)
    if isinstance(ours, tuple):
        assert all(isinstance(d, int) for d in ours), (config, input_shape, size, ours)  # every size known on data


@SETTINGS
@given(st.sampled_from(["Dense", "Conv1D", "EinsumDense", "Embedding", "Dropout", "Flatten"]), shape(2, 3),
       st.sampled_from([1, 1, 0]))
def test_spectral_normalization(inner, input_shape, power_iterations):
    configs = {"Dense": {"units": 3}, "Conv1D": {"filters": 2, "kernel_size": 2},
               "EinsumDense": {"equation": "...b,bc->...c", "output_shape": 4},
               "Embedding": {"input_dim": 4, "output_dim": 2}, "Dropout": {"rate": 0.5}, "Flatten": {}}
    config = {"layer": LayerRef(inner, configs[inner]), "power_iterations": power_iterations}
    inputs = T(input_shape, "int32") if inner == "Embedding" else input_shape
    agrees("SpectralNormalization", config, inputs)
    opaque_is_sound("SpectralNormalization", config, inputs)
