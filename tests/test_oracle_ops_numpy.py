"""The rest of keras.ops's NumPy-like functions against Keras, over generated cases.

Elementwise functions (unary, broadcasting, bitwise), NaN-ignoring reductions, order
statistics, averages and the functions that create tensors (windows, ``linspace``,
``tri``).  Each case is compared with Keras the way tests/test_oracle_ops.py does: a
finding exactly when Keras rejects the call symbolically or fails on data for every size
of the undefined axes, else the shape Keras's symbolic spec gives.  Inputs of several
dtypes are drawn where the backend kernels accept only some (bitwise functions need
integers, ``erfc`` floats).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shapecheck.core.rules import T

from .test_oracle_core import opaque_is_sound
from .test_oracle_ops import SETTINGS, _traced_infer, _traced_keras, agrees, axis_arg, broadcast_pair, shape

_DTYPES = st.sampled_from(["float32", "int32", "bool"])


def _typed(s: tuple, dtype: str) -> Any:
    return T(s, dtype)


# -- unary --------------------------------------------------------------------------------

_UNARY = ["angle", "cbrt", "deg2rad", "rad2deg", "erfc", "fabs", "i0", "isneginf", "isposinf", "isreal",
          "signbit", "sinc", "sparse_sigmoid", "bitwise_invert", "bitwise_not"]


@SETTINGS
@given(st.sampled_from(_UNARY), shape(1, 4), _DTYPES)
def test_unary(op, x, dtype):
    agrees(f"keras.ops.{op}", {}, _typed(x, dtype))
    opaque_is_sound(f"keras.ops.{op}", {}, _typed(x, dtype))


@SETTINGS
@given(shape(1, 4), st.sampled_from(["uint8", "int32", "float16", "bool"]))
def test_saturate_cast(x, dtype):
    agrees("keras.ops.saturate_cast", {"dtype": dtype}, x)


# -- binary -------------------------------------------------------------------------------


def _operand(draw, s: tuple, dtype: str, kind: str) -> Any:
    if kind == "int":
        return draw(st.integers(1, 3))
    if kind == "float":
        return 1.5
    return _typed(s, dtype)


@SETTINGS
@given(st.sampled_from(["fmax", "fmin", "fmod", "logaddexp", "logaddexp2", "nextafter", "divide_no_nan",
                        "heaviside", "isclose", "allclose"]), broadcast_pair(), st.sampled_from(["tensor", "float"]),
       st.data())
def test_binary(op, pair, kind, data):
    y = _operand(data.draw, pair[1], "float32", kind)
    config = {"rtol": 0.1} if op in ("isclose", "allclose") and data.draw(st.booleans()) else {}
    agrees(f"keras.ops.{op}", config, pair[0], (y,))


@SETTINGS
@given(st.sampled_from(["gcd", "lcm", "ldexp"]), broadcast_pair(), st.sampled_from(["int32", "float32"]),
       st.sampled_from(["int32", "float32"]), st.sampled_from(["tensor", "tensor", "int"]), st.data())
def test_integer_binary(op, pair, d1, d2, kind, data):
    agrees(f"keras.ops.{op}", {}, _typed(pair[0], d1), (_operand(data.draw, pair[1], d2, kind),))


_BITWISE = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "left_shift",
            "right_shift"]


@SETTINGS
@given(st.sampled_from(_BITWISE), broadcast_pair(), st.sampled_from(["int32", "int32", "float32", "bool"]),
       st.sampled_from(["tensor", "tensor", "int", "float"]), st.data())
def test_bitwise(op, pair, dtype, kind, data):
    agrees(f"keras.ops.{op}", {}, _typed(pair[0], dtype), (_operand(data.draw, pair[1], "int32", kind),))


@SETTINGS
@given(shape(1, 4), st.one_of(shape(1, 3), st.just([1.0, 2.0])), st.booleans())
def test_isin(x1, x2, invert):
    agrees("keras.ops.isin", {"invert": invert}, x1, (x2,))


# -- reductions ---------------------------------------------------------------------------

_REDUCE = ["nansum", "nanprod", "nanmax", "nanmin", "ptp", "nanmean", "nanmedian", "nanstd", "nanvar", "median"]


@SETTINGS
@given(st.sampled_from(_REDUCE), st.data(), st.booleans())
def test_reductions(op, data, keepdims):
    x = data.draw(shape(1, 4))
    axis = data.draw(axis_arg(len(x)))
    agrees(f"keras.ops.{op}", {"axis": axis, "keepdims": keepdims}, x)
    opaque_is_sound(f"keras.ops.{op}", {"axis": axis, "keepdims": keepdims}, x)


@SETTINGS
@given(st.sampled_from(["nanargmax", "nanargmin"]), st.data(), st.booleans())
def test_nanarg(op, data, keepdims):
    x = data.draw(shape(1, 4))
    axis = data.draw(axis_arg(len(x)))
    if isinstance(axis, tuple) and len(axis) == 1 and data.draw(st.booleans()):
        axis = axis[0]
    agrees(f"keras.ops.{op}", {"axis": axis, "keepdims": keepdims}, x)


@SETTINGS
@given(st.data())
def test_count_nonzero(data):
    x = data.draw(shape(1, 4))
    agrees("keras.ops.count_nonzero", {"axis": data.draw(axis_arg(len(x)))}, x)


@SETTINGS
@given(shape(1, 4), st.one_of(st.none(), st.integers(-5, 4), st.just((1,))),
       st.sampled_from(["none", "axis", "full", "other", "list"]), st.data())
def test_average(x, axis, kind, data):
    if kind == "none":
        agrees("keras.ops.average", {"axis": axis}, x)
        return
    if kind == "axis":
        a = axis if isinstance(axis, int) and -len(x) <= axis < len(x) else -1
        weights: Any = (x[a],)
    elif kind == "full":
        weights = x
    elif kind == "other":
        weights = data.draw(shape(1, 3))
    else:
        weights = [1.0, 2.0]
    agrees("keras.ops.average", {}, x, (axis, weights))


_Q = {"percentile": st.sampled_from([50, 10.0, [10, 90], [25], [], 150]),
      "nanpercentile": st.sampled_from([50, [10, 90], [25]]),
      "quantile": st.sampled_from([0.5, [0.1, 0.9], [0.5], [], 1.5]),
      "nanquantile": st.sampled_from([0.5, [0.1, 0.9], [0.5]])}


@SETTINGS
@given(st.sampled_from(sorted(_Q)), st.data(), st.booleans(),
       st.sampled_from(["linear", "linear", "lower", "nearest", "cubic"]), st.booleans())
def test_quantiles(op, data, keepdims, method, q_tensor):
    x = data.draw(shape(1, 4))
    axis = data.draw(axis_arg(len(x)))
    config = {"axis": axis, "keepdims": keepdims, "method": method}
    if q_tensor:
        agrees(f"keras.ops.{op}", config, x, (data.draw(st.sampled_from([(2,), (1,), ()])),))
    else:
        agrees(f"keras.ops.{op}", {**config, "q": data.draw(_Q[op])}, x)


@SETTINGS
@given(st.sampled_from(["nancumsum", "nancumprod"]), shape(1, 4),
       st.one_of(st.none(), st.integers(-5, 4), st.just((1,))), st.sampled_from([None, "int32", "float32"]))
def test_nan_scans(op, x, axis, dtype):
    agrees(f"keras.ops.{op}", {"axis": axis, "dtype": dtype}, x)


@SETTINGS
@given(shape(0, 4), st.one_of(st.none(), st.integers(-5, 4)), st.sampled_from([1.0, 0.5]))
def test_trapezoid(y, axis, dx):
    agrees("keras.ops.trapezoid", {"axis": axis, "dx": dx}, y)
    opaque_is_sound("keras.ops.trapezoid", {"axis": axis, "dx": dx}, y)


# -- creation -----------------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from(["bartlett", "blackman", "hamming", "hanning", "kaiser"]), st.integers(-2, 6))
def test_windows(op, n):
    config = {"x": n, "beta": 0.5} if op == "kaiser" else {"x": n}
    agrees(f"keras.ops.{op}", config, None)


@SETTINGS
@given(st.sampled_from(["linspace", "logspace", "geomspace"]), broadcast_pair(), st.sampled_from(["both", "start",
       "stop", "none"]), st.sampled_from([0, 1, 5, -1]), st.integers(-4, 4), st.booleans(),
       st.sampled_from([False, False, False, True]))
def test_spaced(op, pair, tensors, num, axis, endpoint, retstep):
    start: Any = pair[0] if tensors in ("both", "start") else 1.0
    stop: Any = pair[1] if tensors in ("both", "stop") else 2.0
    config: dict = {"num": num, "axis": axis, "endpoint": endpoint}
    if op == "linspace" and retstep and tensors != "none":
        config["retstep"] = True  # a step that is no tensor: rejected on symbolic tensors
    if tensors == "none":
        agrees(f"keras.ops.{op}", {**config, "start": start, "stop": stop}, None)
        return
    agrees(f"keras.ops.{op}", config, start, (stop,))


@SETTINGS
@given(st.integers(-1, 4), st.one_of(st.none(), st.integers(-1, 4)), st.integers(-2, 2))
def test_tri(n, m, k):
    agrees("keras.ops.tri", {"N": n, "M": m, "k": k}, None)


@SETTINGS
@given(st.one_of(st.integers(-1, 4), st.just(2.5)))
def test_identity(n):
    agrees("keras.ops.identity", {"n": n}, None)


@SETTINGS
@given(shape(1, 4), st.sampled_from([None, "int32"]))
def test_empty_like(x, dtype):
    agrees("keras.ops.empty_like", {"dtype": dtype}, x)


# -- inside a layer's call: the backend runs, not Keras's symbolic spec ------------------------


@SETTINGS
@given(st.sampled_from(["bitwise_and", "left_shift", "heaviside", "quantile", "percentile"]), broadcast_pair(),
       st.sampled_from(["tensor", "int", "list"]))
def test_traced(op, pair, kind):
    """Inside a layer's ``call``: bitwise functions broadcast, Python numbers are fine, ``q``'s whole shape leads."""
    x, y = pair
    if op in ("quantile", "percentile"):
        q: Any = {"tensor": T((2,), "float32"), "int": 0.5, "list": [0.5]}[kind]
        args: list = [T(x, "float32"), q]
        config: dict = {"axis": -1}
    else:
        dtype = "float32" if op == "heaviside" else "int32"
        args = [T(x, dtype), {"tensor": T(y, dtype), "int": 1, "list": 1}[kind]]
        config = {}
    ours, theirs = _traced_infer(f"keras.ops.{op}", config, args), _traced_keras(f"keras.ops.{op}", config, args)
    if isinstance(theirs, Exception):
        assert isinstance(ours, str), f"{op}{args}: Keras {theirs!r}, shapecheck {ours}"
    elif ours is None:
        # Unknown is not wrong: the quantiles of an undefined axis, whose static shape TensorFlow loses.
        assert op in ("quantile", "percentile") and None in x, f"{op}{args}: Keras {theirs}, shapecheck unknown"
    else:
        assert ours == theirs, f"{op}{args}: Keras {theirs}, shapecheck {ours}"
