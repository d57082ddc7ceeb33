"""More ``keras.ops`` rules against Keras itself, over generated cases: linear algebra (``keras.ops.linalg``),
the math functions (FFTs, ``stft``, segment reductions, …) and the remaining shape manipulations.

Each case goes through ``agrees`` from tests/test_oracle_ops.py: shapecheck reports a finding exactly when
Keras rejects the call for every size the undefined axes could take (symbolically, or on random data), and
otherwise infers the shape Keras computes symbolically.  Functions whose data must be of a kind (a positive
definite matrix for ``cholesky``) are run on such data.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from shapecheck.core.engine import infer
from shapecheck.core.rules import T

from .keras_oracle import keras_apply
from .test_oracle_core import opaque_is_sound
from .test_oracle_ops import FILL, MORE, SETTINGS, SIZES, _fill, _undefined, agrees, shape

# -- linalg -------------------------------------------------------------------------------


@st.composite
def matrix(draw, min_rank: int = 0, max_rank: int = 4, square: float = 0.6) -> tuple:
    """Mostly batches of matrices, often square, sometimes of too low a rank."""
    rank = draw(st.integers(min_rank, max_rank))
    s = [draw(SIZES) for _ in range(rank)]
    if rank >= 2 and draw(st.floats(0, 1)) < square:
        s[-1] = s[-2]
    if s and draw(st.booleans()):
        s[0] = None
    return tuple(s)


def _psd(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """Positive definite matrices of the given (square) shape; any other shape as random data."""
    a = rng.standard_normal(shape).astype("float32")
    if len(shape) >= 2 and shape[-1] == shape[-2]:
        return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1], dtype="float32")).astype("float32")
    return a


def agrees_on_psd(op: str, config: dict, x: tuple) -> None:
    """``agrees`` for a function of a positive definite matrix: data runs on such matrices."""
    ours = infer(op, config, x)
    symbolic = keras_apply(op, config, x, eager=False)
    if symbolic.error is not None:
        assert isinstance(ours, str), f"Keras rejects {op}({config}) on {x}: {symbolic.error!r}; shapecheck {ours}"
        return
    fills = FILL + MORE if _undefined(x) else (0,)
    rng = np.random.default_rng(0)
    data = [keras_apply(op, config, _psd(_fill(x, s), rng)).rejected for s in fills]
    if all(data):
        assert isinstance(ours, str), f"Keras fails on data for {op}({config}) on {x}; shapecheck says {ours}"
        return
    assert not isinstance(ours, str), f"shapecheck says {ours} for {op}({config}) on {x}, Keras accepts it"
    assert ours == symbolic.single, f"{op}({config}) on {x}: Keras {symbolic.single}, shapecheck {ours}"


@SETTINGS
@given(st.sampled_from(["keras.ops.cholesky", "keras.ops.cholesky_inverse", "keras.ops.logdet"]), matrix(),
       st.booleans())
def test_positive_definite(op, x, upper):
    agrees_on_psd(op, {} if op == "keras.ops.logdet" else {"upper": upper}, x)


@SETTINGS
@given(st.sampled_from(["keras.ops.inv", "keras.ops.det", "keras.ops.eig", "keras.ops.eigh", "keras.ops.slogdet",
                        "keras.ops.matrix_rank", "keras.ops.pinv", "keras.ops.lu_factor"]), matrix())
def test_matrix_functions(op, x):
    agrees(op, {}, x)
    opaque_is_sound(op, {}, x)


@SETTINGS
@given(matrix(), st.sampled_from(["reduced", "complete", "r"]))
def test_qr(x, mode):
    agrees("keras.ops.qr", {"mode": mode}, x)
    opaque_is_sound("keras.ops.qr", {"mode": mode}, x)


@SETTINGS
@given(matrix(), st.booleans(), st.booleans())
def test_svd(x, full_matrices, compute_uv):
    agrees("keras.ops.svd", {"full_matrices": full_matrices, "compute_uv": compute_uv}, x)
    opaque_is_sound("keras.ops.svd", {"full_matrices": full_matrices, "compute_uv": compute_uv}, x)


@st.composite
def solve_case(draw) -> tuple[tuple, tuple]:
    a = draw(matrix(1, 4, square=0.9))
    b = list(a[:-1] if draw(st.booleans()) else a)
    for i in range(len(b)):
        if draw(st.integers(0, 4)) == 0:
            b[i] = draw(SIZES)
    if draw(st.integers(0, 5)) == 0:
        b = b[1:]
    return a, tuple(b)


@SETTINGS
@given(st.sampled_from(["keras.ops.solve", "keras.ops.solve_triangular"]), solve_case())
def test_solve(op, case):
    a, b = case
    agrees(op, {}, a, (b,))


@SETTINGS
@given(matrix(1, 3, square=0.3), st.data())
def test_lstsq(a, data):
    b = tuple(data.draw(st.sampled_from([a[0], *([a[0]] * 3), 2, None])) if i == 0 else data.draw(SIZES)
              for i in range(data.draw(st.integers(0, 3))))
    agrees("keras.ops.lstsq", {}, a, (b,))


@st.composite
def pair_like(draw, min_rank: int = 1, max_rank: int = 4) -> tuple[tuple, tuple]:
    """Two shapes, the second mostly derived from the first (axes changed, leading axes cut)."""
    a = draw(matrix(min_rank, max_rank, square=0.3))
    b = list(a)
    for i in range(len(b)):
        if draw(st.integers(0, 3)) == 0:
            b[i] = draw(SIZES)
    if b and draw(st.integers(0, 3)) == 0:
        b = b[draw(st.integers(0, len(b))):]
    return (a, tuple(b)) if draw(st.booleans()) else (tuple(b), a)


@SETTINGS
@given(pair_like(0, 4))
def test_cdist(pair):
    agrees("keras.ops.cdist", {}, pair[0], (pair[1],))


@SETTINGS
@given(st.sampled_from(["keras.ops.kron", "keras.ops.inner", "keras.ops.vdot"]), pair_like(0, 3))
def test_products(op, pair):
    agrees(op, {}, pair[0], (pair[1],))


@SETTINGS
@given(pair_like(1, 3), st.data())
def test_cross(pair, data):
    a, b = (tuple(data.draw(st.sampled_from([2, 3, 3, 2, 4, None])) if i == len(s) - 1 else d
                  for i, d in enumerate(s)) for s in pair)
    axes = st.integers(-3, 2)
    config = ({"axis": data.draw(axes)} if data.draw(st.integers(0, 4)) == 0 else
              {"axisa": data.draw(axes), "axisb": data.draw(axes), "axisc": data.draw(axes)})
    agrees("keras.ops.cross", config, a, (b,))


@SETTINGS
@given(matrix(1, 4), st.integers(-4, 4), st.integers(-3, 2), st.integers(-3, 2))
def test_diagonal_trace(x, offset, axis1, axis2):
    config = {"offset": offset, "axis1": axis1, "axis2": axis2}
    agrees("keras.ops.diagonal", config, x)
    agrees("keras.ops.trace", config, x)
    opaque_is_sound("keras.ops.diagonal", config, x)


@SETTINGS
@given(matrix(0, 3), st.integers(-4, 4))
def test_diag(x, k):
    agrees("keras.ops.diag", {"k": k}, x)
    agrees("keras.ops.diagflat", {"k": k}, x)
    opaque_is_sound("keras.ops.diag", {"k": k}, x)


@SETTINGS
@given(matrix(0, 4))
def test_corrcoef(x):
    agrees("keras.ops.corrcoef", {}, x)


@SETTINGS
@given(matrix(0, 2), matrix(0, 2), st.sampled_from(["valid", "same", "full", "other"]))
def test_correlate(a, b, mode):
    agrees("keras.ops.correlate", {"mode": mode}, a, (b,))


# -- shape manipulation -------------------------------------------------------------------


@SETTINGS
@given(pair_like(0, 3), st.sampled_from([None, 0, 1, -1, 2, -3]))
def test_append(pair, axis):
    agrees("keras.ops.append", {"axis": axis}, pair[0], (pair[1],))


@SETTINGS
@given(shape(1, 3), st.sampled_from([1, 2, 3, 4, 7, 0, -1, [1]]), st.integers(-4, 3))
def test_array_split(x, n, axis):
    agrees("keras.ops.array_split", {"indices_or_sections": n, "axis": axis}, x)
    opaque_is_sound("keras.ops.array_split", {"indices_or_sections": n, "axis": axis}, x)


@SETTINGS
@given(st.sampled_from(["keras.ops.hsplit", "keras.ops.vsplit", "keras.ops.dsplit"]), matrix(0, 4),
       st.one_of(st.integers(1, 4), st.lists(st.integers(0, 5), max_size=3)))
def test_named_splits(op, x, spec):
    agrees(op, {"indices_or_sections": spec}, x)


@SETTINGS
@given(st.lists(matrix(0, 4, square=0.3), min_size=1, max_size=3), st.data())
def test_dstack(xs, data):
    base = xs[0]
    xs = [base if data.draw(st.booleans()) else x for x in xs]
    agrees("keras.ops.dstack", {}, xs)


@SETTINGS
@given(matrix(0, 3), st.integers(-1, 4), st.integers(-3, 2))
def test_diff(x, n, axis):
    agrees("keras.ops.diff", {"n": n, "axis": axis}, x)
    opaque_is_sound("keras.ops.diff", {"n": n, "axis": axis}, x)


@SETTINGS
@given(st.sampled_from(["keras.ops.fliplr", "keras.ops.flipud"]), matrix(0, 3))
def test_flips(op, x):
    agrees(op, {}, x)


@SETTINGS
@given(matrix(0, 4), st.integers(-2, 4), st.tuples(st.integers(-4, 3), st.integers(-4, 3)))
def test_rot90(x, k, axes):
    agrees("keras.ops.rot90", {"k": k, "axes": axes}, x)
    opaque_is_sound("keras.ops.rot90", {"k": k, "axes": axes}, x)


@SETTINGS
@given(st.lists(matrix(0, 2), min_size=1, max_size=3), st.sampled_from(["xy", "ij", "yx"]))
def test_meshgrid(xs, indexing):
    agrees("keras.ops.meshgrid", {"indexing": indexing}, xs[0], tuple(xs[1:]))


@SETTINGS
@given(st.lists(pair_like(0, 3), min_size=1, max_size=2), st.integers(0, 1))
def test_select(pairs, extra):
    conds = [T(p[0], "bool") for p in pairs]
    choices = [p[1] for p in pairs] + [pairs[0][1]] * extra
    agrees("keras.ops.select", {}, conds, (choices,))


@SETTINGS
@given(matrix(0, 2), st.sampled_from([None, 0, 2, 5, -1]))
def test_vander(x, n):
    agrees("keras.ops.vander", {"N": n}, x)


@SETTINGS
@given(matrix(0, 4), st.integers(-2, 6), st.sampled_from([-1, 0, 1, 2, -2, None, 4]))
def test_argpartition(x, kth, axis):
    agrees("keras.ops.argpartition", {"kth": kth, "axis": axis}, x)


@SETTINGS
@given(matrix(0, 3))
def test_nonzero(x):
    agrees("keras.ops.nonzero", {}, x)


@SETTINGS
@given(matrix(0, 3), st.sampled_from([None, 0, 1, -1, 3]), st.sampled_from([None, 4]), st.booleans(),
       st.booleans(), st.booleans())
def test_unique(x, axis, size, index, inverse, counts):
    agrees("keras.ops.unique", {"axis": axis, "size": size, "return_index": index, "return_inverse": inverse,
                                "return_counts": counts}, x)


@SETTINGS
@given(matrix(0, 3), st.sampled_from(["float32", "int8", "int32", "float16", "float64", "int64", "uint8"]),
       st.sampled_from(["float32", "int32", "int8", "float16"]))
def test_view(x, dtype, src):
    agrees("keras.ops.view", {"dtype": dtype}, T(x, src))


@SETTINGS
@given(matrix(0, 3), st.lists(st.sampled_from([1, 2, 3, 4, None]), min_size=1, max_size=3))
def test_unravel_index(x, target):
    agrees("keras.ops.unravel_index", {"shape": tuple(target)}, T(x, "int32"))


@SETTINGS
@given(st.sampled_from(["keras.ops.view_as_complex", "keras.ops.view_as_real"]), matrix(0, 3),
       st.sampled_from([2, 2, None, 3, 1]))
def test_complex_views(op, x, last):
    agrees(op, {}, x + (last,) if x and last != 2 and len(x) < 3 else x[:-1] + (last,) if x else x)


@SETTINGS
@given(matrix(1, 3), st.sampled_from([None, 1, 2, 3]), st.integers(-3, 2))
def test_unstack(x, num, axis):
    agrees("keras.ops.unstack", {"num": num, "axis": axis}, x)
    opaque_is_sound("keras.ops.unstack", {"num": num, "axis": axis}, x)


@SETTINGS
@given(matrix(1, 3), st.data())
def test_slice(x, data):
    rank = len(x) if data.draw(st.integers(0, 5)) else data.draw(st.integers(1, 3))
    start = [data.draw(st.integers(-1, 4)) for _ in range(rank)]
    size = [data.draw(st.integers(-2, 4)) for _ in range(len(x) if data.draw(st.integers(0, 5)) else rank)]
    agrees("keras.ops.slice", {"start_indices": start, "shape": size}, x)


@SETTINGS
@given(pair_like(1, 3), st.integers(0, 2))
def test_slice_update(pair, start):
    x, u = pair
    agrees("keras.ops.slice_update", {}, x, ([start] * len(x), u))


@SETTINGS
@given(matrix(1, 3), st.integers(1, 3), st.data())
def test_scatter(target, depth, data):
    # Indices of depth 0 and the `mul` reduction (a loop over the updates, which broadcasts) are left out.
    idx = (data.draw(st.sampled_from([2, None])), depth)
    values = idx[:-1] + target[depth:]
    values = tuple(d if data.draw(st.integers(0, 5)) else data.draw(SIZES) for d in values)
    target = tuple(max(d or 3, 2) for d in target)  # the oracle's indices are 0 or 1: in range
    agrees("keras.ops.scatter", {"shape": target}, T(idx, "int32"), (values,))
    agrees("keras.ops.scatter_update", {"reduction": data.draw(st.sampled_from([None, "add", "max", "sub"]))},
           target, (T(idx, "int32"), values))


# -- math ---------------------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from(["keras.ops.fft", "keras.ops.fft2", "keras.ops.ifft2", "keras.ops.irfft"]),
       pair_like(0, 3), st.integers(0, 3))
def test_ffts(op, pair, same):
    a, b = pair
    if op == "keras.ops.irfft":
        # An FFT of length 0 (a last axis of 1) aborts TensorFlow's process: never run one.
        a, b = (s[:-1] + (3 if s[-1] in (None, 1) else s[-1],) if s else s for s in (a, b))
    agrees(op, {}, [a, a if same else b])


@SETTINGS
@given(matrix(0, 3), st.sampled_from([None, 1, 4, 7]))
def test_rfft(x, n):
    agrees("keras.ops.rfft", {"fft_length": n}, x)
    if n is not None:
        agrees("keras.ops.irfft", {"fft_length": n}, [x, x])


@SETTINGS
@given(matrix(0, 3), st.integers(1, 6), st.integers(0, 3))
def test_extract_sequences(x, length, stride):
    agrees("keras.ops.extract_sequences", {"sequence_length": length, "sequence_stride": stride}, x)
    opaque_is_sound("keras.ops.extract_sequences", {"sequence_length": length, "sequence_stride": stride}, x)


@SETTINGS
@given(matrix(0, 3), st.integers(1, 6), st.integers(0, 3), st.integers(1, 8), st.booleans(),
       st.sampled_from(["hann", "hamming", None, "box"]))
def test_stft(x, length, stride, fft, center, window):
    x = x[:-1] + (x[-1] if x[-1] is None else x[-1] * 2,) if x else x
    config = {"sequence_length": length, "sequence_stride": stride, "fft_length": fft, "center": center,
              "window": window}
    agrees("keras.ops.stft", config, x)
    opaque_is_sound("keras.ops.stft", config, x)


@SETTINGS
@given(matrix(0, 4), st.integers(1, 6), st.integers(0, 3), st.integers(1, 8), st.booleans(),
       st.sampled_from([None, None, 6]), st.sampled_from(["hann", None]))
def test_istft(x, length, stride, fft, center, total, window):
    x = x[:-1] + (fft // 2 + 1,) if x and x[-1] is not None else x
    agrees("keras.ops.istft", {"sequence_length": length, "sequence_stride": stride, "fft_length": fft,
                               "center": center, "length": total, "window": window}, [x, x])


@SETTINGS
@given(st.sampled_from(["keras.ops.segment_sum", "keras.ops.segment_max", "keras.ops.segment_min",
                        "keras.ops.segment_prod"]), matrix(0, 3), st.data())
def test_segments(op, data_shape, data):
    # Random segment ids are 0 or 1: two segments or more keep them in range (segment_sum without
    # `num_segments` counts the distinct ids, so it always gets a number), sorted ids only when
    # `num_segments` makes it a finding before data matters.
    num = data.draw(st.sampled_from([2, 3] if op.endswith("sum") else [2, 3, None]))
    ids = data.draw(st.sampled_from([data_shape[:1], data_shape[:1], (None,), (4,), (), data_shape[:2]]))
    config = {"num_segments": num, "sorted": data.draw(st.booleans()) and num is not None}
    agrees(op, config, data_shape, (T(ids, "int32"),))


@SETTINGS
@given(matrix(0, 3), matrix(0, 3), st.integers(1, 3))
def test_in_top_k(targets, predictions, k):
    agrees("keras.ops.in_top_k", {"k": k}, T(targets, "int32"), (predictions,))


@SETTINGS
@given(matrix(0, 3), st.sampled_from([0, 3, 10, -1]), st.sampled_from([None, (0.0, 1.0), (1.0, 0.0)]))
def test_histogram(x, bins, range_):
    agrees("keras.ops.histogram", {"bins": bins, "range": range_}, x)


@SETTINGS
@given(matrix(0, 4), st.booleans())
def test_bincount(x, weighted):
    if weighted:
        agrees("keras.ops.bincount", {}, T(x, "int32"), (x,))
    else:
        agrees("keras.ops.bincount", {}, T(x, "int32"))


@SETTINGS
@given(matrix(0, 3), st.sampled_from([(), (1,), (None,), (2, 2)]))
def test_digitize(x, bins):
    # One boundary at most: random boundaries are not sorted, which the backend checks.
    agrees("keras.ops.digitize", {}, x, (bins,))


@SETTINGS
@given(matrix(0, 2), matrix(0, 3), st.sampled_from(["left", "right"]))
def test_searchsorted(seq, values, side):
    agrees("keras.ops.searchsorted", {"side": side}, seq, (values,))


@st.composite
def rearrange_case(draw) -> tuple[tuple, str, dict]:
    """A shape and an einops pattern for it: axes permuted, some merged on the right, one split on the left
    (its lengths given, one maybe inferred), now and then a name too many, too few or unknown."""
    x = draw(matrix(1, 4, square=0.2))
    names = [f"a{i}" for i in range(len(x))]
    left = list(names)
    lengths: dict = {}
    flat = list(names)
    if draw(st.booleans()):
        i = draw(st.integers(0, len(x) - 1))
        h, w = f"s{i}", f"t{i}"
        left[i] = f"({h} {w})"
        flat[i:i + 1] = [h, w]
        lengths[h] = draw(st.sampled_from([1, 2, 3]))
        if draw(st.booleans()):
            lengths[w] = draw(st.sampled_from([1, 2, 3]))
    right = draw(st.permutations(flat))
    kind = draw(st.integers(0, 6))
    if kind == 0 and len(right) > 1:
        right = right[:-1]
    elif kind == 1:
        right = right + [draw(st.sampled_from(["zz", right[0]]))]
    elif kind == 2:
        left = left + ["extra"]
    groups = []
    i = 0
    while i < len(right):
        n = draw(st.integers(1, 2))
        groups.append(right[i] if n == 1 or i + 1 >= len(right) else f"({right[i]} {right[i + 1]})")
        i += n
    return x, f"{' '.join(left)} -> {' '.join(groups)}", lengths


@SETTINGS
@given(rearrange_case(), st.booleans())
def test_rearrange(case, batch_defined):
    x, pattern, lengths = case
    if batch_defined:
        x = tuple(3 if d is None else d for d in x)
    agrees("keras.ops.rearrange", {"pattern": pattern, **lengths}, x)
    opaque_is_sound("keras.ops.rearrange", {"pattern": pattern, **lengths}, x)
