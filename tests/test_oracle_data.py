"""Data rules against the real functions: NumPy, ``keras.utils``, ``keras.datasets``, scikit-learn.

Data is evaluated eagerly, so each generated case runs the real function on concrete arrays of
the drawn shapes and dtypes and compares: the same shape and dtype, or, where the function raises,
an unknown result (data rules never report).  Unknown results on calls that succeed are allowed
only where a rule says it cannot tell (listed per test).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.core import dims
from shapecheck.core.engine import infer_types
from shapecheck.core.rules import OPS, Unknowable, load_rules
from shapecheck.core.shapes import TensorType
from shapecheck.ops import data
from shapecheck.ops.data import NUMPY_EQUIVALENTS, numpy_types

from . import keras_oracle  # noqa: F401 - sets the backend before Keras is imported

load_rules()

SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
DTYPES = ["float64", "float32", "float16", "int64", "int32", "int8", "uint8", "bool"]
SIZES = st.integers(0, 4)


class A:
    """An array argument: shapecheck sees a TensorType, NumPy a concrete array."""

    def __init__(self, shape: tuple, dtype: str = "float64", values: str = "random") -> None:
        self.shape, self.dtype, self.values = tuple(shape), dtype, values

    def __repr__(self) -> str:
        return f"A({self.shape}, {self.dtype!r})"


def _ours(v: Any) -> Any:
    if isinstance(v, A):
        return TensorType(v.shape, v.dtype)
    if isinstance(v, list):
        return [_ours(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_ours(x) for x in v)
    return v


def _theirs(v: Any, rng: np.random.Generator) -> Any:
    if isinstance(v, A):
        if v.values == "zeros":
            return np.zeros(v.shape, v.dtype)
        if v.dtype == "bool":
            return rng.integers(0, 2, v.shape).astype(bool)
        return rng.integers(0, 3, v.shape).astype(v.dtype)
    if isinstance(v, list):
        return [_theirs(x, rng) for x in v]
    if isinstance(v, tuple):
        return tuple(_theirs(x, rng) for x in v)
    return v


def _flat(out: Any) -> list:
    if isinstance(out, (list, tuple)):
        return [np.asarray(o) for o in out]
    return [np.asarray(out)]


def _known(shape: Any) -> bool:
    return shape is not None and all(dims.is_known(d) for d in shape)


def _empty(v: Any) -> bool:
    if isinstance(v, A):
        return 0 in v.shape
    if isinstance(v, (list, tuple)):
        return any(_empty(x) for x in v)
    return False


def compare(name: str, args: list, kwargs: dict, *, may_be_unknown: bool = False, call: Any = None) -> None:
    """``numpy_types(name)`` against the NumPy function itself.  Unknown is allowed where ``may_be_unknown``
    says so, and wherever an input is empty (NumPy's errors there depend on the counts: a rule that cannot tell
    gives up)."""
    may_be_unknown = may_be_unknown or _empty(args) or _empty(list(kwargs.values()))
    rng = np.random.default_rng(0)
    fn = call or _numpy_function(name)
    try:
        theirs = _flat(fn(*_theirs(args, rng), **_theirs(kwargs, rng)))
        error = None
    except Exception as e:  # noqa: BLE001 - NumPy rejects it: ours must be unknown
        theirs, error = None, e
    try:
        ours = numpy_types(name, _ours(args), _ours(kwargs))
    except Unknowable:
        ours = None
    if error is not None:
        assert ours is None or any(not _known(t.shape) for t in ours), \
            f"{name}{tuple(args)} {kwargs}: NumPy raises {error!r}, shapecheck infers {ours}"
        return
    if ours is None:
        assert may_be_unknown, f"{name}{tuple(args)} {kwargs}: NumPy gives {[t.shape for t in theirs]}, " \
                               "shapecheck cannot tell"
        return
    assert len(ours) == len(theirs), f"{name}: {len(theirs)} outputs from NumPy, {len(ours)} from shapecheck"
    for o, t in zip(ours, theirs):
        assert o.shape is not None and len(o.shape) == t.ndim, f"{name}{tuple(args)} {kwargs}: {o.shape} vs {t.shape}"
        for d, n in zip(o.shape, t.shape):
            assert d == n or (isinstance(d, dims.Sym) and d.opaque), \
                f"{name}{tuple(args)} {kwargs}: NumPy {t.shape}, shapecheck {o.shape}"
        assert o.dtype == str(t.dtype) or (o.dtype is None and may_be_unknown), \
            f"{name}{tuple(args)} {kwargs}: NumPy {t.dtype}, shapecheck {o.dtype}"


def _numpy_function(name: str) -> Any:
    obj: Any = np
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


@st.composite
def shapes(draw, min_rank: int = 0, max_rank: int = 3) -> tuple:
    return tuple(draw(SIZES) for _ in range(draw(st.integers(min_rank, max_rank))))


@st.composite
def arrays(draw, min_rank: int = 0, max_rank: int = 3, dtypes: list = DTYPES) -> A:
    return A(draw(shapes(min_rank, max_rank)), draw(st.sampled_from(dtypes)))


@st.composite
def like(draw, shape: tuple) -> tuple:
    """A shape near ``shape``: often broadcastable with it, sometimes not."""
    out = list(shape)
    for i in range(len(out)):
        c = draw(st.integers(0, 5))
        if c == 0:
            out[i] = 1
        elif c == 1:
            out[i] = draw(SIZES)
    drop = draw(st.integers(0, len(out)))
    return tuple(out[drop:]) if draw(st.booleans()) else tuple(out)


def axis_for(rank: int) -> st.SearchStrategy:
    return st.integers(-rank - 1, rank)


# -- the dtype machinery against NumPy itself ------------------------------------------

ALL_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
              "float32", "float64", "complex64", "complex128"]


def test_promote_is_numpys():
    for a in ALL_DTYPES:
        for b in ALL_DTYPES:
            assert data.promote(a, b) == str(np.promote_types(a, b)), (a, b)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(ALL_DTYPES), st.sampled_from([True, 2, 2.5, 1j, [1, 2], [1.5]])),
                min_size=1, max_size=3))
def test_result_type_is_numpys(values):
    ours = data.result_type(*[TensorType((2,), v) if isinstance(v, str) else v for v in values])
    theirs = np.result_type(*[np.zeros(2, v) if isinstance(v, str) else np.asarray(v) if isinstance(v, list) else v
                              for v in values])
    assert ours == str(theirs)


@pytest.mark.parametrize("spelling,name", [("float32", "float32"), ("numpy.float32", "float32"), ("float", "float64"),
                                           ("int", "int64"), ("np.uint8", "uint8"), ("f4", "float32"),
                                           ("bool", "bool")])
def test_dtype_spellings(spelling, name):
    assert data.numpy_dtype(spelling) == name
    assert str(np.dtype(spelling.replace("numpy.", "").replace("np.", ""))) == name


def test_every_equivalent_is_a_numpy_function_and_a_rule():
    for np_name, rule in NUMPY_EQUIVALENTS.items():
        assert callable(_numpy_function(np_name)), np_name
        assert rule in OPS, rule
    assert set(data.NUMPY_DTYPES) == set(NUMPY_EQUIVALENTS)
    for method, target in data.ARRAY_METHODS.items():
        if method not in ("T", "__getitem__", "flatten"):
            assert hasattr(np.ndarray, method), method
        assert target in NUMPY_EQUIVALENTS or target in OPS, target


# -- NumPy functions computed by keras.ops rules ----------------------------------------

_UNARY = "abs absolute negative square sign floor ceil trunc round sqrt log log2 log10 exp exp2 log1p expm1 sin cos " \
         "tan tanh arctan sinh cosh isnan isinf isfinite logical_not copy ravel fliplr flipud sort argsort nonzero".split()
_BINARY = "add subtract multiply maximum minimum power divide true_divide logical_and logical_or logical_xor equal " \
          "not_equal greater greater_equal less less_equal isclose".split()
_REDUCE = "sum mean max min amax amin ptp prod std var median any all argmax argmin cumsum cumprod " \
          "count_nonzero average".split()
#: NumPy accepts these where the Keras rule is stricter (the rule then cannot tell): the reasons
_STRICTER = {
    "triu": "NumPy makes a matrix of a vector", "tril": "NumPy makes a matrix of a vector",
    "nonzero": "a count of nonzero values", "median": "Keras rejects some axes NumPy takes",
    "diag": "Keras's rule leaves an empty matrix's diagonal unknown", "diagonal": "the same",
}


@st.composite
def creation_case(draw) -> tuple:
    name = draw(st.sampled_from(["zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
                                 "full_like", "arange", "linspace", "eye", "identity", "tri"]))
    dtype = draw(st.sampled_from([None, None, "float32", "int32", "bool"]))
    kw = {} if dtype is None else {"dtype": dtype}
    if name in ("zeros", "ones", "empty", "full"):
        shape = draw(st.one_of(SIZES, shapes()))
        args = [shape] + ([draw(st.sampled_from([1, 2.5, True]))] if name == "full" else [])
        return name, args, kw
    if name.endswith("_like"):
        args = [draw(arrays())] + ([draw(st.sampled_from([1, 2.5, True]))] if name == "full_like" else [])
        return name, args, kw
    if name == "arange":
        n = draw(st.integers(1, 3))
        return name, [draw(st.sampled_from([0, 1, 5, -2, 2.5, 0.5])) for _ in range(n)], kw
    if name == "linspace":
        return name, [0, draw(st.sampled_from([1, 2.5]))], {"num": draw(st.integers(0, 6)), **kw}
    if name == "identity":
        return name, [draw(SIZES)], kw
    return name, [draw(SIZES)] + ([draw(SIZES)] if draw(st.booleans()) else []), kw


@SETTINGS
@given(creation_case())
def test_creation(case):
    name, args, kw = case
    if name == "arange" and args[-1] == 0 and len(args) == 3:
        args[-1] = 1
    compare(f"numpy.{name}", args, kw, may_be_unknown=kw.get("dtype") == "bool")  # arange: NumPy decides by length


@st.composite
def shape_case(draw) -> tuple:
    name = draw(st.sampled_from(["reshape", "expand_dims", "squeeze", "transpose", "swapaxes", "moveaxis", "flip",
                                 "rot90", "roll", "tile", "repeat", "pad", "broadcast_to", "split", "array_split",
                                 "hsplit", "vsplit", "dsplit", "concatenate", "stack", "vstack", "hstack", "dstack",
                                 "append", "diagonal", "diag", "triu", "tril", "diff", "take", "take_along_axis"]))
    a = draw(arrays())
    r = len(a.shape)
    ax = axis_for(r)
    if name == "reshape":
        size = int(np.prod(a.shape))
        target = list(draw(shapes(1, 3)))
        if draw(st.booleans()) and size:
            target = [size] if not target else target
            known = int(np.prod(target[1:])) or 1
            target[0] = -1 if size % known == 0 or draw(st.booleans()) else target[0]
        return name, [a, tuple(target)], {}
    if name in ("expand_dims", "squeeze", "flip", "repeat", "roll", "split", "array_split", "diff"):
        kw: dict = {}
        if draw(st.booleans()) or name in ("expand_dims",):
            kw["axis"] = draw(ax) if name not in ("expand_dims", "squeeze", "flip") or draw(st.booleans()) else \
                tuple(draw(st.lists(axis_for(r + 1), max_size=3)))
        if name == "squeeze" and draw(st.booleans()):
            a = A(tuple(1 if draw(st.booleans()) else d for d in a.shape), a.dtype)
        extra = {"repeat": [draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 2), max_size=4)))], "roll": [draw(st.integers(-2, 2))],
                 "split": [draw(st.sampled_from([1, 2, 3, [1, 2], [0]]))],
                 "array_split": [draw(st.sampled_from([1, 2, 3, [1, 3]]))]}.get(name, [])
        return name, [a, *extra], kw
    if name == "transpose":
        axes = draw(st.one_of(st.none(), st.permutations(range(r)).map(tuple), st.lists(ax, max_size=3).map(tuple)))
        return name, [a] + ([axes] if axes is not None else []), {}
    if name in ("swapaxes", "moveaxis"):
        return name, [a, draw(ax), draw(ax)], {}
    if name == "rot90":
        return name, [a, draw(st.integers(-1, 2))], {}
    if name == "tile":
        return name, [a, draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), max_size=4).map(tuple)))], {}
    if name == "pad":
        width = draw(st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)),
                               st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=r, max_size=r)
                               .map(tuple)))
        mode = draw(st.sampled_from(["constant", "constant", "edge", "reflect", "wrap", "mean"]))
        return name, [a, width], ({} if mode == "constant" else {"mode": mode})
    if name == "broadcast_to":
        return name, [a, draw(like(a.shape)) if draw(st.booleans()) else draw(shapes())], {}
    if name in ("hsplit", "vsplit", "dsplit"):
        return name, [a, draw(st.sampled_from([1, 2, [1]]))], {}
    if name in ("concatenate", "stack", "vstack", "hstack", "dstack", "append"):
        others = [A(draw(like(a.shape)) if draw(st.booleans()) else a.shape, draw(st.sampled_from(DTYPES)))
                  for _ in range(draw(st.integers(1, 2)))]
        if name == "append":
            return name, [a, others[0]], ({"axis": draw(ax)} if draw(st.booleans()) else {})
        kw = {"axis": draw(st.one_of(ax, st.none()) if name == "concatenate" else ax)} \
            if name in ("concatenate", "stack") and draw(st.booleans()) else {}
        return name, [[a, *others]], kw
    if name in ("diagonal", "triu", "tril", "diag"):
        return name, [a], ({} if name != "diagonal" else {"offset": draw(st.integers(-1, 1))})
    if name == "take":
        idx = A(draw(shapes(0, 2)), "int64", "zeros")
        return name, [a, idx], ({"axis": draw(ax)} if draw(st.booleans()) else {})
    idx = A(draw(like(a.shape)), "int64", "zeros")
    return name, [a, idx], ({"axis": draw(ax)} if draw(st.booleans()) else {})


@SETTINGS
@given(shape_case())
def test_shape_functions(case):
    name, args, kw = case
    compare(f"numpy.{name}", args, kw, may_be_unknown=name in _STRICTER or scalar_quirk(name, args, kw))


def scalar_quirk(name: str, args: list, kw: dict) -> bool:
    """NumPy takes axis 0 (or -1) of a 0-d array, and sorts one as a vector: the rules follow Keras."""
    first = args[0][0] if isinstance(args[0], list) else args[0]
    if name in ("std", "var") and "dtype" in kw:
        return True  # an integer dtype: NumPy's casting decides
    return isinstance(first, A) and first.shape == () and (
        name in ("sort", "argsort", "flip", "roll", "repeat", "diff", "expand_dims", "squeeze", "take") or "axis" in kw)


@st.composite
def math_case(draw) -> tuple:
    kind = draw(st.sampled_from(["unary", "binary", "reduce", "where", "clip", "linalg"]))
    a = draw(arrays())
    r = len(a.shape)
    if kind == "unary":
        return draw(st.sampled_from(_UNARY)), [a], {}
    if kind == "binary":
        b = draw(st.one_of(arrays(), st.sampled_from([2, 2.5, True]),
                           like(a.shape).map(lambda s: A(s, draw(st.sampled_from(DTYPES))))))
        args = [a, b] if draw(st.booleans()) else [b, a]
        return draw(st.sampled_from(_BINARY)), args, {}
    if kind == "reduce":
        name = draw(st.sampled_from(_REDUCE))
        kw: dict = {}
        if draw(st.booleans()):
            kw["axis"] = draw(st.one_of(axis_for(r), st.lists(axis_for(r), max_size=2).map(tuple))) \
                if name not in ("argmax", "argmin", "cumsum", "cumprod", "average") else draw(axis_for(r))
        if draw(st.booleans()) and name not in ("cumsum", "cumprod", "average", "count_nonzero"):
            kw["keepdims"] = draw(st.booleans())
        if draw(st.booleans()) and name in ("sum", "mean", "prod", "cumsum", "std", "var"):
            kw["dtype"] = draw(st.sampled_from(["float32", "int32", "float64"]))
        return name, [a], kw
    if kind == "where":
        cond = A(draw(like(a.shape)), "bool")
        if draw(st.integers(0, 4)) == 0:
            return "where", [cond], {}
        return "where", [cond, a, draw(st.one_of(st.sampled_from([0, 1.5]), arrays()))], {}
    if kind == "clip":
        lo = draw(st.sampled_from([0, 0.5, None]))
        hi = draw(st.one_of(st.sampled_from([1, 2.5]), like(a.shape).map(lambda s: A(s, "float32"))))
        return "clip", [a, lo, hi], {}
    name = draw(st.sampled_from(["dot", "matmul", "inner", "outer", "tensordot", "kron", "trace"]))
    if name == "trace":
        return name, [a], {}
    b = A(draw(like(tuple(reversed(a.shape)))) if draw(st.booleans()) else draw(shapes()),
          draw(st.sampled_from(DTYPES)))
    if name == "tensordot":
        return name, [a, b], {"axes": draw(st.integers(0, 2))}
    return name, [a, b], {}


@SETTINGS
@given(math_case())
def test_math_functions(case):
    name, args, kw = case
    bool_arith = name in ("negative", "sign", "square", "round", "abs", "absolute", "floor", "ceil", "trunc") \
        and args[0].dtype == "bool"
    # NumPy takes axis 0 (or -1) of a 0-d array in its reductions; the rules follow Keras, which does not
    compare(f"numpy.{name}", args, kw, may_be_unknown=bool_arith or scalar_quirk(name, args, kw) or name in _STRICTER)


# -- indexing, ndarray methods, np.array ------------------------------------------------


@st.composite
def index_item(draw, size: int) -> Any:
    c = draw(st.integers(0, 7))
    if c == 0:
        return draw(st.integers(-size - 1, size))
    if c == 1:
        return slice(draw(st.one_of(st.none(), st.integers(-5, 5))), draw(st.one_of(st.none(), st.integers(-5, 5))),
                     draw(st.sampled_from([None, 1, 2, -1])))
    if c == 2:
        return None
    if c == 3:
        return Ellipsis
    if c == 4:
        return A(draw(shapes(0, 2)), "int64", "zeros")
    if c == 5:
        return [0] * draw(st.integers(0, 3))
    if c == 6:
        return A((size,), "bool")
    return slice(None)


@SETTINGS
@given(arrays(0, 4), st.data())
def test_getitem(a, data):
    n = data.draw(st.integers(1, 4))
    key = tuple(data.draw(index_item(a.shape[i] if i < len(a.shape) else 2)) for i in range(n))
    key = key[0] if n == 1 and data.draw(st.booleans()) else key
    items = key if isinstance(key, tuple) else (key,)
    index_arrays = [k for k in items if isinstance(k, (A, list))]
    # a mask's count (its values) broadcast with other index arrays: the rule does not tell
    mask_mix = len(index_arrays) > 1 and any(isinstance(k, A) and k.dtype == "bool" for k in index_arrays)
    compare("numpy.ndarray.__getitem__", [a, key], {}, call=lambda x, k: x[k], may_be_unknown=mask_mix)


def test_one_hot_by_indexing():
    # np.eye(10)[labels]: the labels' shape, then the classes
    compare("numpy.ndarray.__getitem__", [A((10, 10)), A((32, 5), "int64", "zeros")], {}, call=lambda x, k: x[k])
    out = numpy_types("numpy.ndarray.__getitem__", [TensorType((10, 10), "float64"), TensorType((32,), "int64")])
    assert out[0].shape == (32, 10)


#: methods whose other arguments are fixed here
_METHOD_ARGS = {"clip": [0, 1], "swapaxes": [0, -1], "repeat": [2], "take": [[0]], "round": [1]}


@SETTINGS
@given(arrays(0, 3), st.data())
def test_array_methods(a, draw_data):
    method = draw_data.draw(st.sampled_from(sorted(data.ARRAY_METHODS)))
    args: list = list(_METHOD_ARGS.get(method, []))
    if method == "reshape":
        size = int(np.prod(a.shape))
        form = draw_data.draw(st.sampled_from(["varargs", "tuple", "flat"]))
        target = [size] if form == "flat" or not size else list(draw_data.draw(st.sampled_from(
            [(size, 1), (1, -1), (-1,), (2, -1), (3, 2)])))
        args = target if form != "tuple" else [tuple(target)]
    elif method == "transpose":
        r = len(a.shape)
        perm = list(draw_data.draw(st.permutations(range(r)))) if draw_data.draw(st.booleans()) else \
            list(range(r))[:1]
        args = [] if draw_data.draw(st.booleans()) else perm if draw_data.draw(st.booleans()) else [tuple(perm)]
    elif method == "astype":
        args = [draw_data.draw(st.sampled_from(["float32", "int", "uint8", "float", "bool"]))]
    elif method == "dot":
        args = [A(tuple(reversed(a.shape)), "float32")]
    elif method in ("mean", "sum", "argmax", "argmin", "max", "min", "squeeze", "std", "var", "prod", "any", "all",
                    "cumsum", "cumprod", "argsort") and len(a.shape) and draw_data.draw(st.booleans()):
        args = [draw_data.draw(axis_for(len(a.shape)))]
    name = data.ARRAY_METHODS[method]
    if method == "T":
        compare(name, [a], {}, call=lambda x: x.T)
        return
    if method == "__getitem__":
        compare(name, [a, 0], {}, call=lambda x, k: x[k])
        return
    quirk = scalar_quirk(method, [a], {"axis": 0} if args and method not in ("reshape", "transpose") else {})
    compare(name, [a, *args], {}, call=lambda x, *rest: getattr(x, method)(*rest),
            may_be_unknown=quirk or name in _STRICTER or a.dtype == "bool" and method in ("clip", "round"))


@SETTINGS
@given(st.one_of(arrays(), st.lists(st.integers(0, 3), max_size=3), st.lists(st.lists(st.floats(0, 1), min_size=2,
                                                                                          max_size=2), max_size=3),
                 st.lists(arrays(1, 1), min_size=1, max_size=3)),
       st.sampled_from([None, "float32", "int64"]), st.sampled_from(["array", "asarray"]), st.integers(0, 3))
def test_np_array(obj, dtype, fn, ndmin):
    kw: dict = {} if dtype is None else {"dtype": dtype}
    if fn == "array" and ndmin:
        kw["ndmin"] = ndmin
    # a list of arrays of different lengths is ragged: NumPy raises, the rule cannot tell
    compare(f"numpy.{fn}", [obj], kw, may_be_unknown=isinstance(obj, list) and any(isinstance(x, A) for x in obj))


# -- numpy.random ---------------------------------------------------------------------

_SIZE = st.one_of(st.none(), SIZES, shapes(0, 3), st.just(-1))


@st.composite
def random_case(draw) -> tuple:
    name = draw(st.sampled_from(["rand", "randn", "random", "random_sample", "standard_normal", "randint", "uniform",
                                 "normal", "binomial", "poisson", "exponential", "choice", "permutation"]))
    size = draw(_SIZE)
    kw = {} if size is None and draw(st.booleans()) else {"size": size}
    param = st.one_of(st.sampled_from([0.5, 1]), shapes(0, 2).map(lambda s: A(s, "float64", "zeros")))
    if name in ("rand", "randn"):
        return name, list(draw(shapes(0, 3))) + ([-1] if draw(st.integers(0, 9)) == 0 else []), {}
    if name in ("random", "random_sample", "standard_normal"):
        return name, [], kw
    if name == "randint":
        return name, [5] + ([10] if draw(st.booleans()) else []), {**kw, **({"dtype": "int32"} if draw(
            st.booleans()) else {})}
    if name in ("uniform", "normal"):
        return name, [draw(param), draw(param) if draw(st.booleans()) else 1.0], kw
    if name == "binomial":
        return name, [1, 0.5], kw
    if name in ("poisson", "exponential"):
        return name, ([draw(param)] if draw(st.booleans()) else []), kw
    if name == "choice":
        a = draw(st.one_of(st.integers(0, 5), arrays(0, 2)))
        return name, [a], {**kw, **({"replace": False} if draw(st.booleans()) else {})}
    return name, [draw(st.one_of(st.integers(0, 5), arrays(0, 2)))], {}


@st.composite
def generator_case(draw) -> tuple:
    name = draw(st.sampled_from(["random", "standard_normal", "integers", "choice", "permutation", "normal",
                                 "uniform", "binomial", "poisson", "exponential", "standard_cauchy"]))
    size = draw(_SIZE)
    kw = {} if size is None and draw(st.booleans()) else {"size": size}
    if name in ("random", "standard_normal"):
        return name, [], {**kw, **({"dtype": draw(st.sampled_from(["float32", "float64", "int32"]))}
                                   if draw(st.booleans()) else {})}
    if name == "integers":
        return name, [0] + ([10] if draw(st.booleans()) else []), kw
    if name in ("choice", "permutation"):
        a = draw(st.one_of(st.integers(0, 5), arrays(0, 3)))
        extra = {"axis": draw(st.integers(-2, 2))} if draw(st.booleans()) else {}
        if name == "permutation":
            return name, [a], extra
        return name, [a], {**kw, **extra, **({"replace": False} if draw(st.booleans()) else {})}
    if name in ("normal", "uniform", "binomial"):
        return name, ([0.5, 0.5] if name == "binomial" else [draw(st.sampled_from([0.0, 1.0])), 2.0])[:1] + [0.5], kw
    return name, [], kw


@SETTINGS
@given(st.sampled_from(["numpy.random", "numpy.random.RandomState", "numpy.random.Generator"]), st.data())
def test_numpy_random(owner, draw_data):
    case = draw_data.draw(generator_case() if owner.endswith("Generator") else random_case())
    name, args, kw = case
    if owner.endswith("RandomState") and not hasattr(np.random.RandomState, name):
        return
    full = f"{owner}.{name}"
    rng = np.random.default_rng(0)
    source = {"numpy.random": np.random, "numpy.random.RandomState": np.random.RandomState(0),
              "numpy.random.Generator": np.random.default_rng(0)}[owner]
    if name in ("binomial",) and args[0] == 0.5:
        args = [1, 0.5]
    try:
        theirs = np.asarray(getattr(source, name)(*_theirs(args, rng), **_theirs(kw, rng)))
        error = None
    except Exception as e:  # noqa: BLE001
        theirs, error = None, e
    ours = infer_types(full, {}, None, tuple(_ours(args)), _ours(kw))
    if error is not None:
        assert ours is None, f"{full}{tuple(args)} {kw}: NumPy raises {error!r}, shapecheck {ours}"
        return
    value_counts = name == "choice" and isinstance(args[0], A) and args[0].shape == ()  # a 0-d array: its value
    assert ours is not None or value_counts, f"{full}{tuple(args)} {kw}: NumPy gives {theirs.shape}, shapecheck " \
                                             "cannot tell"
    if ours is None:
        return
    assert ours[0].shape == theirs.shape and ours[0].dtype == str(theirs.dtype), \
        f"{full}{tuple(args)} {kw}: NumPy {theirs.shape} {theirs.dtype}, shapecheck {ours[0]} {ours[0].dtype}"


# -- keras.utils ----------------------------------------------------------------------


def _keras_utils():
    import keras

    return keras.utils


@SETTINGS
@given(shapes(0, 3), st.sampled_from(["int64", "uint8", "int32", "float32"]),
       st.sampled_from([None, 0, 1, 3, 10, -1, 2.5]))
def test_to_categorical(shape, dtype, num_classes):
    utils = _keras_utils()
    kw = {} if num_classes is None else {"num_classes": num_classes}
    # the labels are zeros: a failure is then the shapes', never a label out of range
    compare("keras.utils.to_categorical", [A(shape, dtype, "zeros")], kw, call=utils.to_categorical)


@SETTINGS
@given(st.one_of(arrays(1, 3, ["int64", "int32", "float32"]), st.lists(st.lists(st.integers(1, 9), max_size=5),
                                                                       max_size=4)),
       st.sampled_from([None, 1, 3, 6, 0]), st.sampled_from([None, "float32", "int64"]),
       st.sampled_from(["pre", "post", "middle"]), st.booleans())
def test_pad_sequences(seqs, maxlen, dtype, padding, as_object):
    utils = _keras_utils()
    kw: dict = {"padding": padding}
    if maxlen is not None:
        kw["maxlen"] = maxlen
    if dtype is not None:
        kw["dtype"] = dtype
    if isinstance(seqs, list) and as_object:
        # an object array of lists, as keras.datasets.imdb gives: the rule sees only its length
        obj = np.empty(len(seqs), dtype=object)
        for i, s in enumerate(seqs):
            obj[i] = s
        ours_in: Any = TensorType((len(seqs),), "object")
        compare("keras.utils.pad_sequences", [ours_in], kw, call=lambda _x, **k: utils.pad_sequences(obj, **k),
                may_be_unknown=not any(seqs) or maxlen == 0)
        return
    # maxlen=0 keeps working while no sequence is longer than 1: the rule gives up on it
    compare("keras.utils.pad_sequences", [seqs], kw, call=utils.pad_sequences,
            may_be_unknown=isinstance(seqs, list) and not any(seqs) or maxlen == 0)


@SETTINGS
@given(arrays(0, 3, ["float64", "float32", "float16", "int64", "uint8"]), st.sampled_from([-1, 0, 1, 2, -3, None]),
       st.sampled_from([2, 1, None, "fro"]))
def test_normalize(x, axis, order):
    utils = _keras_utils()
    x = A(tuple(d or 1 for d in x.shape), x.dtype)  # an empty array: NumPy's norm of nothing
    compare("keras.utils.normalize", [x], {"axis": axis, "order": order}, call=utils.normalize)


# -- keras.datasets: each loader on fake files in its format ------------------------------
#
# The data cannot be downloaded here. Each loader runs on small fake files of the format it reads
# (`get_file` patched to return them) holding the counts and dtypes the rule's table says the real
# files hold; the rule, given the same counts, must give the loader's shapes and dtypes. This checks
# the loaders' arithmetic (splits, reshapes, transposes, label dtypes); the counts themselves are the
# documented ones (the loaders' docstrings).


def _fake_counts(monkeypatch, name: str, **counts: int) -> dict:
    info = {**data._DATASETS[name], **counts}
    monkeypatch.setitem(data._DATASETS, name, info)
    return info


def _check_loader(name: str, config: dict, loaded: Any) -> None:
    ours = infer_types(f"keras.datasets.{name}.load_data", config, None)
    assert ours is not None and not isinstance(ours, str), ours
    (x_train, y_train), (x_test, y_test) = loaded
    rule = OPS[f"keras.datasets.{name}.load_data"]
    assert rule.structure(None) == [[0, 1], [2, 3]]
    for o, t in zip(ours, (x_train, y_train, x_test, y_test)):
        t = np.asarray(t)
        assert len(o.shape) == t.ndim and all(d == n or (isinstance(d, dims.Sym) and d.opaque)
                                              for d, n in zip(o.shape, t.shape)), (name, config, o.shape, t.shape)
        assert o.dtype == str(t.dtype), (name, config, o.dtype, t.dtype)


def _patch_get_file(monkeypatch, module: Any, paths: Any) -> None:
    monkeypatch.setattr(module, "get_file", lambda fname=None, *a, **k: paths(fname) if callable(paths) else paths)


def test_mnist_loader(monkeypatch, tmp_path):
    from keras.src.datasets import mnist

    info = _fake_counts(monkeypatch, "mnist", train=12, test=5)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.zeros((12, 28, 28), info["x_dtype"]), y_train=np.zeros(12, info["y_dtype"]),
             x_test=np.zeros((5, 28, 28), info["x_dtype"]), y_test=np.zeros(5, info["y_dtype"]))
    _patch_get_file(monkeypatch, mnist, str(path))
    _check_loader("mnist", {}, mnist.load_data())


def test_fashion_mnist_loader(monkeypatch, tmp_path):
    import gzip

    from keras.src.datasets import fashion_mnist

    _fake_counts(monkeypatch, "fashion_mnist", train=7, test=3)
    files = {}
    for split, n in (("train", 7), ("t10k", 3)):
        for kind, header, size in (("labels-idx1", 8, n), ("images-idx3", 16, n * 784)):
            p = tmp_path / f"{split}-{kind}-ubyte.gz"
            with gzip.open(p, "wb") as f:
                f.write(bytes(header) + bytes(size))
            files[p.name] = str(p)
    _patch_get_file(monkeypatch, fashion_mnist, lambda fname: files[fname])
    _check_loader("fashion_mnist", {}, fashion_mnist.load_data())


def _pickle(path: Any, obj: Any) -> None:
    import pickle

    with open(path, "wb") as f:
        pickle.dump(obj, f)


def test_cifar10_loader(monkeypatch, tmp_path):
    # the loader fixes 50000 training images in five batches of 10000: the fake batches have them all
    from keras.src.datasets import cifar10

    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    for i in range(1, 6):
        _pickle(root / f"data_batch_{i}", {b"data": np.zeros((10000, 3072), "uint8"), b"labels": [0] * 10000})
    _pickle(root / "test_batch", {b"data": np.zeros((10000, 3072), "uint8"), b"labels": [0] * 10000})
    _patch_get_file(monkeypatch, cifar10, str(tmp_path))
    _check_loader("cifar10", {}, cifar10.load_data())


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_loader(monkeypatch, tmp_path, label_mode):
    from keras.src.datasets import cifar100

    _fake_counts(monkeypatch, "cifar100", train=6, test=4)
    root = tmp_path / "cifar-100-python"
    root.mkdir()
    for name, n in (("train", 6), ("test", 4)):
        _pickle(root / name, {b"data": np.zeros((n, 3072), "uint8"), b"fine_labels": [0] * n,
                              b"coarse_labels": [0] * n})
    _patch_get_file(monkeypatch, cifar100, str(tmp_path))
    _check_loader("cifar100", {"label_mode": label_mode}, cifar100.load_data(label_mode=label_mode))


def _ragged(n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = [int(w) for w in rng.integers(1, 50, rng.integers(1, 30))]
    return out


@pytest.mark.parametrize("config", [{}, {"num_words": 20}, {"maxlen": 10}])
def test_imdb_loader(monkeypatch, tmp_path, config):
    from keras.src.datasets import imdb

    _fake_counts(monkeypatch, "imdb", train=40, test=30)
    rng = np.random.default_rng(0)
    path = tmp_path / "imdb.npz"
    np.savez(path, x_train=_ragged(40, rng), y_train=np.zeros(40, "int64"), x_test=_ragged(30, rng),
             y_test=np.zeros(30, "int64"))
    _patch_get_file(monkeypatch, imdb, str(path))
    _check_loader("imdb", config, imdb.load_data(**config))


@pytest.mark.parametrize("config", [{}, {"test_split": 0.3}, {"test_split": 0.0}, {"test_split": 1.5},
                                    {"maxlen": 10, "num_words": 20}])
def test_reuters_loader(monkeypatch, tmp_path, config):
    # the real count, so that the split arithmetic is the real one
    from keras.src.datasets import reuters

    n = data._DATASETS["reuters"]["total"]
    rng = np.random.default_rng(0)
    path = tmp_path / "reuters.npz"
    np.savez(path, x=_ragged(n, rng), y=np.zeros(n, "int64"))
    _patch_get_file(monkeypatch, reuters, str(path))
    _check_loader("reuters", config, reuters.load_data(**config))


@pytest.mark.parametrize("name,config", [
    ("boston_housing", {}), ("boston_housing", {"test_split": 0.37}), ("boston_housing", {"test_split": 0}),
    ("california_housing", {}), ("california_housing", {"version": "small"}),
    ("california_housing", {"version": "small", "test_split": 0.33}),
])
def test_housing_loaders(monkeypatch, tmp_path, name, config):
    import importlib

    module = importlib.import_module(f"keras.src.datasets.{name}")
    info = data._DATASETS[name]
    n, features = info["total"], info["x"]
    # california's stored dtype is not documented: the rule leaves it unknown, the fake file says float64
    x_dtype, y_dtype = info["x_dtype"] or "float64", info["y_dtype"] or "float64"
    path = tmp_path / f"{name}.npz"
    np.savez(path, x=np.zeros((n,) + features, x_dtype), y=np.zeros(n, y_dtype))
    _patch_get_file(monkeypatch, module, str(path))
    loaded = module.load_data(**config)
    if info["x_dtype"] is None:
        monkeypatch.setitem(data._DATASETS, name, {**info, "x_dtype": "float64", "y_dtype": "float64"})
    _check_loader(name, config, loaded)


@pytest.mark.parametrize("name,config", [("boston_housing", {"test_split": 1.0}),
                                         ("california_housing", {"version": "medium"}),
                                         ("cifar100", {"label_mode": "medium"})])
def test_loader_arguments_keras_rejects(monkeypatch, tmp_path, name, config):
    import importlib

    module = importlib.import_module(f"keras.src.datasets.{name}")
    path = tmp_path / "fake.npz"
    np.savez(path, x=np.zeros((10, 8)), y=np.zeros(10))
    _patch_get_file(monkeypatch, module, str(path))  # california checks `version` after reading the file
    with pytest.raises(ValueError):
        module.load_data(**config)
    assert infer_types(f"keras.datasets.{name}.load_data", config, None) is None


def test_dataset_classes():
    assert data.DATASET_CLASSES["mnist"] == 10 and data.DATASET_CLASSES["cifar100:coarse"] == 20
    assert set(data.DATASET_CLASSES) - {"cifar100:coarse"} <= set(data._DATASETS)


# -- scikit-learn ----------------------------------------------------------------------

_SHARES = st.sampled_from([None, 0.2, 0.25, 0.33, 0.5, 0.7, 0.99, 1.0, 0.0, 1, 3, 7, 29, 0, -1, True])


@SETTINGS
@given(st.integers(1, 30), st.lists(shapes(0, 2), min_size=1, max_size=3), _SHARES, _SHARES, st.booleans(),
       st.integers(0, 5))
def test_train_test_split(n, rests, test_size, train_size, shuffle, mismatch):
    model_selection = pytest.importorskip("sklearn.model_selection")
    arrays = [A((n,) + r, dtype) for r, dtype in zip(rests, ["float32", "int64", "uint8"])]
    if mismatch == 0 and len(arrays) > 1:
        arrays[-1] = A((n + 1,) + arrays[-1].shape[1:], arrays[-1].dtype)
    kw: dict = {"shuffle": shuffle, "random_state": 0}
    if test_size is not None:
        kw["test_size"] = test_size
    if train_size is not None:
        kw["train_size"] = train_size
    compare("sklearn.model_selection.train_test_split", arrays, kw, call=model_selection.train_test_split)


def test_train_test_split_of_a_list():
    model_selection = pytest.importorskip("sklearn.model_selection")
    compare("sklearn.model_selection.train_test_split", [[[1, 2], [3, 4], [5, 6], [7, 8]]], {"test_size": 0.25},
            call=lambda x, **k: [np.asarray(v) for v in model_selection.train_test_split(x, **k)])


# -- opaque sizes ------------------------------------------------------------------------


def _replace_first_dim(args: list, axis_pick: int, value: Any) -> tuple[list, bool]:
    """``args`` with one axis of the first array argument set to ``value`` (a TensorType then)."""
    done = False

    def sub(v: Any) -> Any:
        nonlocal done
        if isinstance(v, A) and not done and v.shape:
            done = True
            axis = axis_pick % len(v.shape)
            return TensorType(v.shape[:axis] + (value,) + v.shape[axis + 1:], v.dtype)
        if isinstance(v, list):
            return [sub(x) for x in v]
        return _ours(v)

    return [sub(a) for a in args], done


@SETTINGS
@given(st.one_of(shape_case(), math_case()), st.integers(0, 3))
def test_opaque_sizes_are_sound(case, axis_pick):
    # A size the front end could not follow never becomes a wrong number: each known size in the result
    # is the one every concrete size gives (where the rule knows the concrete result).
    name, args, kw = case
    opaque, done = _replace_first_dim(args, axis_pick, dims.unknown())
    if not done:
        return
    try:
        ours = numpy_types(f"numpy.{name}", opaque, _ours(kw))
    except Unknowable:
        return
    for size in (1, 2, 3, 5):
        concrete, _ = _replace_first_dim(args, axis_pick, size)
        try:
            known = numpy_types(f"numpy.{name}", concrete, _ours(kw))
        except Unknowable:
            continue
        assert len(known) == len(ours) or any(isinstance(d, dims.Sym) for t in ours for d in t.shape or ()), \
            (name, args, kw, size)
        for o, k in zip(ours, known):
            assert o.shape is not None and k.shape is not None and len(o.shape) == len(k.shape), (name, args, kw)
            for d, e in zip(o.shape, k.shape):
                assert not dims.is_known(d) or d == e, f"{name}{tuple(args)} {kw}: opaque gives {o.shape}, " \
                                                       f"size {size} gives {k.shape}"
            assert o.dtype == k.dtype, (name, args, kw)


@SETTINGS
@given(st.sampled_from(["mean", "sum", "sqrt", "argmax", "reshape", "transpose", "add", "where", "concatenate", "take",
                        "std", "expand_dims", "dot", "clip"]),
       st.lists(st.one_of(st.integers(0, 3), st.floats(0, 1), st.booleans()), min_size=1, max_size=4), st.data())
def test_literal_lists(name, row, data):
    # Python lists stand for the arrays NumPy makes of them: int64, float64 or bool
    lit = [row, row] if data.draw(st.booleans()) else row
    extra = {"reshape": [(-1,)], "add": [lit], "where": [lit, 0.5], "take": [[0]], "expand_dims": [0], "dot": [lit],
             "clip": [0, 1]}.get(name, [])
    first = [lit, lit] if name == "concatenate" else lit
    if name == "where":
        first = [[bool(v) for v in r] for r in lit] if isinstance(lit[0], list) else [bool(v) for v in lit]
    compare(f"numpy.{name}", [first, *extra], {}, may_be_unknown=name == "where" and len(extra) < 2)


def test_every_numpy_rule_names_a_numpy_function():
    owners = {"numpy.random.RandomState": np.random.RandomState, "numpy.random.Generator": np.random.Generator,
              "numpy.ndarray": np.ndarray, "numpy.random": np.random, "numpy.linalg": np.linalg, "numpy": np}
    for name in OPS:
        if not name.startswith("numpy."):
            continue
        owner, attr = name.rsplit(".", 1)
        assert hasattr(owners[owner], attr), name


@st.composite
def native_case(draw) -> tuple:
    name = draw(st.sampled_from(["atleast_1d", "atleast_2d", "atleast_3d", "column_stack", "linalg.norm", "unique",
                                 "argwhere", "flatnonzero", "searchsorted", "digitize", "isin", "bincount",
                                 "histogram", "floor_divide", "mod", "remainder", "fmod", "nan_to_num"]))
    a = draw(arrays())
    r = len(a.shape)
    if name.startswith("atleast"):
        return name, [a] + ([draw(arrays())] if draw(st.booleans()) else []), {}
    if name == "column_stack":
        return name, [[a, A(draw(like(a.shape)), "float32")]], {}
    if name == "linalg.norm":
        kw: dict = {}
        if draw(st.booleans()):
            kw["ord"] = draw(st.sampled_from([None, 1, 2, "fro", "nuc", 3, -np.inf]))
        if draw(st.booleans()):
            kw["axis"] = draw(st.one_of(axis_for(r), st.lists(axis_for(r), max_size=3).map(tuple)))
        if draw(st.booleans()):
            kw["keepdims"] = True
        return name, [a], kw
    if name == "unique":
        flags = {k: True for k in ("return_index", "return_inverse", "return_counts") if draw(st.booleans())}
        if draw(st.booleans()):
            flags["axis"] = draw(axis_for(r))
        return name, [a], flags
    if name in ("argwhere", "flatnonzero", "nan_to_num"):
        return name, [a], {}
    if name in ("searchsorted", "digitize", "isin"):
        vec = A((draw(SIZES),), "float64", "zeros") if draw(st.integers(0, 3)) else draw(arrays())
        return name, ([vec, a] if name == "searchsorted" else [a, vec]), {}
    if name == "bincount":
        x = A(draw(shapes(1, 1)) if draw(st.integers(0, 3)) else a.shape, draw(st.sampled_from(["int64", "uint8",
                                                                                                "float64"])))
        kw = {"minlength": draw(st.sampled_from([0, 3]))}
        if draw(st.booleans()):
            kw["weights"] = A(x.shape if draw(st.integers(0, 3)) else draw(shapes(1, 1)), "float32")
        return name, [x], kw
    if name == "histogram":
        kw = {"bins": draw(st.sampled_from([1, 4, 0, [0.0, 1.0, 2.0], [1.0], [0, 1, 3]]))}
        if draw(st.booleans()):
            kw["density"] = True
        return name, [a], kw
    b = draw(st.one_of(st.sampled_from([2, 2.5]), like(a.shape).map(lambda s: A(s, draw(st.sampled_from(DTYPES))))))
    return name, [a, b], {}


@SETTINGS
@given(native_case())
def test_numpy_functions_without_keras_twin(case):
    name, args, kw = case
    # a bool array holds no NaN: nan_to_num's bool result is the array's
    compare(f"numpy.{name}", args, kw)


def test_every_keras_and_sklearn_rule_names_a_public_function():
    import importlib

    import keras

    for name in OPS:
        if not name.startswith(("keras.utils.", "keras.datasets.", "sklearn.")):
            continue
        if name.startswith("sklearn."):
            pytest.importorskip("sklearn")
        module, attr = name.rsplit(".", 1)
        obj = keras if module == "keras" else importlib.import_module(module) if name.startswith("sklearn.") else \
            _attr_path(keras, module.split(".")[1:])
        assert callable(getattr(obj, attr, None)), name
    for alias, target in data.ALIASES.items():
        assert target in OPS, alias


def _attr_path(obj: Any, parts: list) -> Any:
    for p in parts:
        obj = getattr(obj, p)
    return obj
