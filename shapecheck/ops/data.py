"""Shape rules for data: NumPy arrays, ``keras.utils`` helpers, ``keras.datasets``, splits.

Data is not a Keras tensor: the front end evaluates these functions at once on
:class:`~shapecheck.core.shapes.TensorType` values (no graph node), so that ``model.fit(x, y)``
can be checked.  A failing data function only makes its result unknown; shapes and dtypes must
be exactly NumPy's.

* :data:`NUMPY_EQUIVALENTS` maps a NumPy function to the ``keras.ops`` rule that computes the
  same shape; :func:`numpy_types` applies it (NumPy's parameter names and positions translated,
  NumPy's dtype rules applied: ``float64`` and ``int64`` defaults, value-based promotion of Python
  scalars).  :data:`NUMPY_DTYPES` names the dtype rule of each one.
* :data:`ARRAY_METHODS` maps an ``ndarray`` method to the name :func:`numpy_types` takes, the
  array being the first argument (``x.reshape(2, 3)`` is ``numpy.ndarray.reshape(x, 2, 3)``).
* Rules registered here (``numpy.random.*`` and the ``RandomState``/``Generator`` methods, ``numpy.array``,
  indexing, NumPy functions without a ``keras.ops`` twin, ``keras.utils``, ``keras.datasets``,
  ``train_test_split``) are ordinary :class:`OpRule` s; :func:`numpy_types` takes their names too, and
  the tf.keras 2 paths in :data:`ALIASES`.  :data:`DATASET_CLASSES` counts each dataset's classes.
* Nothing here reports: what NumPy, Keras or scikit-learn would reject is :class:`Unknowable`.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.findings import ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import OPS, Call, Example, OpRule, T, Unknowable, register
from ..core.shapes import Shape, TensorType
from .op_utils import is_int, literal_shape, param, shape_of

# -- NumPy dtypes -------------------------------------------------------------------

_BITS = {"bool": 1, "int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint8": 8, "uint16": 16, "uint32": 32,
         "uint64": 64, "float16": 16, "float32": 32, "float64": 64, "complex64": 64, "complex128": 128}
_NUMPY_NAMES = {
    "float": "float64", "int": "int64", "bool": "bool", "complex": "complex128", "double": "float64",
    "single": "float32", "half": "float16", "float_": "float64", "int_": "int64", "intp": "int64",
    "uint": "uint64", "bool_": "bool", "f2": "float16", "f4": "float32", "f8": "float64", "i1": "int8",
    "i2": "int16", "i4": "int32", "i8": "int64", "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64",
    "c8": "complex64", "c16": "complex128", "longlong": "int64", "ubyte": "uint8", "byte": "int8",
    "short": "int16", "ushort": "uint16", "intc": "int32", "uintc": "uint32", "cdouble": "complex128",
    "csingle": "complex64",
}


def numpy_dtype(v: Any) -> Optional[str]:
    """A ``dtype`` argument as NumPy's dtype name (``"float32"``, ``np.float32``, ``float``, ``"f4"``);
    ``None`` when it cannot be told."""
    if not isinstance(v, str):
        return None
    for prefix in ("numpy.", "np.", "builtins."):
        if v.startswith(prefix):
            v = v[len(prefix):]
    if v in _BITS:
        return v
    return _NUMPY_NAMES.get(v)


def _kind(d: str) -> str:
    return "b" if d == "bool" else "u" if d.startswith("uint") else "i" if d.startswith("int") \
        else "f" if d.startswith("float") else "c"


def _float_for(d: str) -> str:
    """The smallest float holding every value of an integer or bool dtype (NumPy's ufunc loops)."""
    bits = _BITS[d]
    return "float16" if bits <= 8 else "float32" if bits == 16 else "float64"


def promote(a: Optional[str], b: Optional[str]) -> Optional[str]:
    """``numpy.promote_types`` for the dtypes above; ``None`` when either is unknown."""
    if a is None or b is None or a not in _BITS or b not in _BITS:
        return None
    if a == b:
        return a
    ka, kb = _kind(a), _kind(b)
    order = "buifc"
    if order.index(ka) > order.index(kb):
        a, b, ka, kb = b, a, kb, ka
    # now kind(a) <= kind(b)
    if ka == "b":
        return b
    if ka == kb:
        return a if _BITS[a] >= _BITS[b] else b
    if ka == "u" and kb == "i":
        if _BITS[b] > _BITS[a]:
            return b
        return f"int{2 * _BITS[a]}" if _BITS[a] < 64 else "float64"
    if kb == "f":
        need = _float_for(a)
        return need if _BITS[need] > _BITS[b] else b
    # complex
    if ka in "ui":
        need = "complex64" if _BITS[a] <= 16 else "complex128"
    else:
        need = "complex64" if _BITS[a] <= 32 else "complex128"
    return need if _BITS[need] > _BITS[b] else b


def _scalar_kind(v: Any) -> Optional[str]:
    if isinstance(v, bool):
        return "b"
    if isinstance(v, int):
        return "i"
    if isinstance(v, float):
        return "f"
    if isinstance(v, complex):
        return "c"
    return None


def _literal_dtype(v: Any) -> Optional[str]:
    """``np.asarray(v).dtype`` for a Python number or a nested list of them."""
    kinds: set = set()

    def walk(x: Any) -> bool:
        if isinstance(x, (list, tuple)):
            return all(walk(y) for y in x)
        k = _scalar_kind(x)
        if k is None:
            return False
        kinds.add(k)
        return True

    if not walk(v):
        return None
    if not kinds:
        return "float64"  # np.asarray([]) is float64
    top = max(kinds, key="bifc".index)
    return {"b": "bool", "i": "int64", "f": "float64", "c": "complex128"}[top]


def result_type(*values: Any) -> Optional[str]:
    """``numpy.result_type`` of arrays (:class:`TensorType`) and Python scalars (NEP 50: a Python
    scalar adapts to the arrays' dtype unless its kind is higher); ``None`` when it cannot be told."""
    arrays = [v for v in values if isinstance(v, TensorType)]
    if any(a.dtype is None or a.dtype not in _BITS for a in arrays):
        return None
    # NumPy promotes a sequence from its highest kind down: int8, uint8 and float16 give float16 (each
    # integer fits float16), not float32 (int8 with uint8 first gives int16)
    ordered = sorted((a.dtype for a in arrays), key=lambda d: -"buifc".index(_kind(d)))  # type: ignore[arg-type]
    out: Optional[str] = None
    for d in ordered:
        out = d if out is None else promote(out, d)
    weak = [v for v in values if not isinstance(v, TensorType)]
    for v in weak:
        k = _scalar_kind(v)
        if k is None:
            lit = _literal_dtype(v)
            if lit is None:
                return None
            out = lit if out is None else promote(out, lit)  # a list is an array, not a weak scalar
            continue
        if out is None:
            out = {"b": "bool", "i": "int64", "f": "float64", "c": "complex128"}[k]
            continue
        have = _kind(out)
        if k == "i" and have == "b":
            out = "int64"
        elif k == "f" and have in "bui":
            out = "float64"
        elif k == "c" and have != "c":
            out = "complex64" if out in ("float16", "float32") else "complex128"
    return out


def _floatify(d: Optional[str]) -> Optional[str]:
    if d is None:
        return None
    return _float_for(d) if _kind(d) in "bui" else d


# -- NumPy functions that keras.ops rules compute -----------------------------------

#: NumPy function -> (keras.ops rule, NumPy's positional parameters, renames NumPy -> Keras, dtype rule)
_TABLE: dict[str, tuple[str, str, str, str]] = {}


def _add(np_names: str, rule: str, params: str, renames: str = "", dtype: str = "same") -> None:
    for n in np_names.split():
        _TABLE[n] = (rule.replace("*", n), params, renames, dtype)


_add("zeros ones empty", "*", "shape dtype", "", "float64")
_add("full", "full", "shape fill_value dtype", "", "fill")
_add("zeros_like ones_like empty_like", "*", "a dtype", "a=x", "like")
_add("full_like", "full_like", "a fill_value dtype", "a=x", "like")
_add("arange", "arange", "start stop step", "", "arange")
_add("linspace", "linspace", "start stop num endpoint retstep dtype axis", "", "float64")
_add("logspace", "logspace", "start stop num endpoint base dtype axis", "", "float64")
_add("geomspace", "geomspace", "start stop num endpoint dtype axis", "", "float64")
_add("eye", "eye", "N M k dtype", "", "float64")
_add("identity", "identity", "n dtype", "", "float64")
_add("tri", "tri", "N M k dtype", "", "float64")
_add("reshape", "reshape", "a shape", "a=x shape=newshape newshape=newshape")
_add("expand_dims", "expand_dims", "a axis", "a=x")
_add("squeeze", "squeeze", "a axis", "a=x")
_add("transpose", "transpose", "a axes", "a=x")
_add("swapaxes", "swapaxes", "a axis1 axis2", "a=x")
_add("moveaxis", "moveaxis", "a source destination", "a=x")
_add("ravel", "ravel", "a order", "a=x")
_add("concatenate concat", "concatenate", "arrays axis", "arrays=xs", "promote_list")
_add("stack", "stack", "arrays axis", "arrays=x", "promote_list")
_add("vstack hstack dstack", "*", "tup", "tup=xs", "promote_list")
_add("tile", "tile", "A reps", "A=x reps=repeats")
_add("repeat", "repeat", "a repeats axis", "a=x")
_add("flip", "flip", "m axis", "m=x")
_add("fliplr flipud", "*", "m", "m=x")
_add("rot90", "rot90", "m k axes", "m=array")
_add("roll", "roll", "a shift axis", "a=x")
_add("pad", "pad", "array pad_width mode", "array=x")
_add("broadcast_to", "broadcast_to", "array shape", "array=x")
_add("split array_split", "*", "ary indices_or_sections axis", "ary=x")
_add("hsplit vsplit dsplit", "*", "ary indices_or_sections", "ary=x")
_add("argmax argmin", "*", "a axis out", "a=x", "index")
_add("argsort", "argsort", "a axis", "a=x", "index")
_add("sort", "sort", "a axis", "a=x")
_add("sum cumsum", "*", "a axis dtype out keepdims", "a=x", "sum")
_add("prod cumprod", "*", "a axis dtype out keepdims", "a=x", "sum")
_add("mean", "mean", "a axis dtype out keepdims", "a=x", "mean")
_add("std var", "*", "a axis dtype out ddof keepdims", "a=x", "mean")
_add("median", "median", "a axis out overwrite_input keepdims", "a=x", "mean")
_add("average", "average", "a axis weights", "a=x", "mean")
_add("max min amax amin ptp", "*", "a axis out keepdims", "a=x")
_add("any all", "*", "a axis out keepdims", "a=x", "bool")
_add("count_nonzero", "count_nonzero", "a axis", "a=x", "index")
_add("where", "where", "condition x y", "x=x1 y=x2", "where")
_add("clip", "clip", "a a_min a_max", "a=x a_min=x_min a_max=x_max min=x_min max=x_max", "clip")
_add("abs absolute negative square sign floor ceil trunc", "*", "x", "a=x", "arith")
_add("round around", "round", "a decimals out", "a=x", "arith")
_add("sqrt log log2 log10 exp exp2 log1p expm1 sin cos tan tanh arctan sinh cosh", "*", "x", "", "float")
_add("isnan isinf isfinite logical_not", "*", "x", "", "bool")
_add("add subtract multiply maximum minimum power", "*", "x1 x2", "", "promote")
_add("divide true_divide", "*", "x1 x2", "", "divide")
_add("logical_and logical_or logical_xor equal not_equal greater greater_equal less less_equal", "*", "x1 x2",
     "", "bool")
_add("isclose", "isclose", "a b rtol atol equal_nan", "a=x1 b=x2", "bool")
_add("dot inner outer kron", "*", "a b", "a=x1 b=x2", "promote")
_add("matmul", "matmul", "x1 x2", "", "promote")
_add("tensordot", "tensordot", "a b axes", "a=x1 b=x2", "promote")
_add("take", "take", "a indices axis", "a=x", "same")
_add("take_along_axis", "take_along_axis", "arr indices axis", "arr=x", "same")
_add("diagonal", "diagonal", "a offset axis1 axis2", "a=x")
_add("trace", "trace", "a offset axis1 axis2 dtype", "a=x", "sum")
_add("diag", "diag", "v k", "v=x")
_add("triu tril", "*", "m k", "m=x")
_add("diff", "diff", "a n axis", "", "same")
_add("append", "append", "arr values axis", "arr=x1 values=x2", "promote")
_add("copy", "copy", "a", "a=x")
_add("nonzero", "nonzero", "a", "a=x", "index")
_add("floor_divide mod", "*", "x1 x2", "", "promote")
_add("remainder", "mod", "x1 x2", "", "promote")
_add("fmod", "fmod", "x1 x2", "", "promote")
_add("nan_to_num", "nan_to_num", "x copy nan posinf neginf", "", "same")

for _n, (_rule, _p, _r, _d) in list(_TABLE.items()):
    _TABLE[_n] = (f"keras.ops.{_rule}", _p, _r, _d)

#: NumPy functions computed by an existing ``keras.ops`` rule (same positional meaning, defaults, shapes);
#: :func:`numpy_types` applies them with NumPy's parameter names and dtypes
NUMPY_EQUIVALENTS: dict[str, str] = {f"numpy.{n}": spec[0] for n, spec in _TABLE.items()}

#: NumPy's dtype rule for each of :data:`NUMPY_EQUIVALENTS` (and the ndarray methods): ``float64`` (the
#: default unless ``dtype=``), ``fill`` (``full``: the fill value's), ``like`` (the array's unless ``dtype=``),
#: ``arange`` (``int64``, ``float64`` with a float argument), ``same`` (the array's), ``promote`` (the
#: arguments' ``result_type``, Python scalars weak), ``promote_list`` (of a list of arrays), ``index``
#: (``int64``), ``bool``, ``sum`` (integers widen to 64 bits), ``mean`` (integers become ``float64``),
#: ``float`` (integers become the float that holds them: ``sqrt``), ``divide`` (integers become ``float64``),
#: ``arith`` (the array's, unknown for bool), ``where`` (of ``x`` and ``y``), ``clip`` (of all three)
NUMPY_DTYPES: dict[str, str] = {f"numpy.{n}": spec[3] for n, spec in _TABLE.items()}

#: ``ndarray`` methods -> the name :func:`numpy_types` takes, the array as the first argument
ARRAY_METHODS: dict[str, str] = {
    **{m: f"numpy.{m}" for m in (
        "squeeze", "swapaxes", "repeat", "argmax", "argmin", "argsort", "sum", "cumsum", "prod", "cumprod",
        "mean", "std", "var", "max", "min", "any", "all", "clip", "round", "take", "diagonal", "trace",
        "copy", "ravel", "nonzero", "dot")},
    "reshape": "numpy.ndarray.reshape",
    "transpose": "numpy.ndarray.transpose",
    "flatten": "numpy.ravel",
    "astype": "numpy.ndarray.astype",
    "__getitem__": "numpy.ndarray.__getitem__",
    "T": "numpy.ndarray.T",  # an attribute: ``x.T``
}

_METHOD_RULES = {"numpy.ndarray.reshape", "numpy.ndarray.transpose", "numpy.ndarray.astype",
                 "numpy.ndarray.__getitem__", "numpy.ndarray.T"}


#: NumPy parameters that take one array (a nested list there is an array: ``int64`` or ``float64``)
_ARRAY_PARAMS = {"a", "b", "x", "x1", "x2", "y", "m", "arr", "ary", "array", "A", "v", "values", "condition",
                 "indices"}


def _translate(name: str, args: list, kwargs: dict) -> tuple[str, list, dict, dict]:
    """NumPy's call as the Keras rule's: (rule, positional args, keyword args, NumPy's own arguments)."""
    rule_name, params, renames, _ = _TABLE[name]
    rule = OPS[rule_name]
    names = params.split()
    ren = dict(r.split("=") for r in renames.split())
    given: dict[str, Any] = {}
    if len(args) > len(names):
        raise Unknowable()
    for n, v in zip(names, args):
        given[n] = v
    for k, v in kwargs.items():
        if k in given:
            raise Unknowable()  # Python rejects it
        given[k] = v
    for n in _ARRAY_PARAMS & set(given):
        if isinstance(given[n], (list, tuple)):
            given[n] = _as_arrays(given[n])  # a nested list is the array NumPy makes of it
    for n in ("arrays", "tup"):
        if isinstance(given.get(n), (list, tuple)):
            given[n] = [_as_arrays(v) if isinstance(v, (list, tuple)) else v for v in given[n]]
    kw: dict[str, Any] = {}
    for n, v in given.items():
        k = ren.get(n, n)
        if k in rule.params:
            kw[k] = v
    if name == "take_along_axis" and "axis" not in kw:
        kw["axis"] = -1
    pos: list = []
    for p in rule.params:
        if p not in kw:
            break
        pos.append(kw.pop(p))
    return rule_name, pos, kw, given


def _unsupported(name: str, given: dict) -> bool:
    """NumPy arguments the Keras rule does not model, set to something that changes the shape."""
    def on(k: str) -> bool:
        v = given.get(k, None)
        return v is not None and v is not False

    if on("out") or on("where") or on("shape") and name.endswith("_like"):
        return True
    if name in ("linspace",) and on("retstep"):
        return True
    if name == "count_nonzero" and on("keepdims"):
        return True
    if name == "average" and on("returned"):
        return True
    if name in ("diff",) and (on("prepend") or on("append")):
        return True
    return False


def _dtype_of(name: str, policy: str, given: dict, out: TensorType) -> Optional[str]:
    """NumPy's dtype for one output under ``policy``."""
    explicit = given.get("dtype", None)
    if explicit is not None and policy not in ("index", "bool"):
        d = numpy_dtype(explicit)
        if name in ("sum", "prod", "cumsum", "cumprod", "mean", "std", "var", "trace") or policy in (
                "float64", "fill", "like", "arange"):
            return d
        return None
    first = next((v for v in given.values() if isinstance(v, TensorType)), None)
    fd = first.dtype if first is not None and first.dtype in _BITS else None
    if policy == "float64":
        return "float64"
    if policy == "fill":
        fill = given.get("fill_value", UNKNOWN)
        return fill.dtype if isinstance(fill, TensorType) else _literal_dtype(fill)
    if policy in ("like", "same"):
        return fd
    if policy == "arange":
        values = [given.get(k) for k in ("start", "stop", "step")]
        if all(v is None or is_int(v) or isinstance(v, dims.Sym) for v in values):
            return "int64"
        if any(isinstance(v, float) for v in values):
            return "float64"
        return None
    if policy == "index":
        return "int64"
    if policy == "bool":
        return "bool"
    if policy == "arith":
        return fd if fd != "bool" else None
    if policy == "float":
        return _floatify(fd)
    if policy == "sum":
        if fd is None:
            return None
        k = _kind(fd)
        return "int64" if k in "bi" else "uint64" if k == "u" else fd
    if policy == "mean":
        if fd is None:
            return None
        d = "float64" if _kind(fd) in "bui" else fd
        if name in ("std", "var") and d.startswith("complex"):
            return "float32" if d == "complex64" else "float64"
        return d
    if policy == "promote":
        d = result_type(*[v for k, v in given.items() if k in ("x1", "x2", "a", "b", "arr", "values")])
        # bool arithmetic without a bool loop computes in int8
        return "int8" if name in ("power", "floor_divide", "mod", "remainder", "fmod") and d == "bool" else d
    if policy == "divide":
        d = result_type(given.get("x1"), given.get("x2"))
        return None if d is None else "float64" if _kind(d) in "bui" else d
    if policy == "promote_list":
        seq = next(iter(given.values()), None)
        if not isinstance(seq, (list, tuple)) or not seq:
            return None
        return result_type(*seq) if all(isinstance(v, TensorType) for v in seq) else None
    if policy == "where":
        if "x" not in given:
            return "int64"
        return result_type(given["x"], given.get("y"))
    if policy == "clip":
        lo = given.get("a_min", given.get("min"))
        hi = given.get("a_max", given.get("max"))
        return result_type(*[v for v in (first, lo, hi) if v is not None])
    return None


def _as_arrays(v: Any) -> Any:
    """Python numbers and nested lists as NumPy would hold them (``[1, 2]`` -> an int64 ``(2,)``)."""
    if isinstance(v, (list, tuple)) and not isinstance(v, TensorType):
        shape = literal_shape(list(v))
        dtype = _literal_dtype(v)
        if shape is not None and dtype is not None and not all(isinstance(x, TensorType) for x in v):
            return TensorType(shape, dtype)
    return v


def _atleast(t: Any, n: int) -> TensorType:
    """``np.atleast_2d`` / ``atleast_3d`` (``n`` = 1, 2, 3) of one array."""
    if not isinstance(t, TensorType) or t.shape is None:
        raise Unknowable()
    s = t.shape
    if len(s) >= n:
        return t
    if n == 1:
        return t.with_shape((1,))
    if n == 2:
        return t.with_shape((1,) * (2 - len(s)) + s)
    return t.with_shape({0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)])


def _stack_as_concatenate(name: str, xs: Any) -> tuple[str, list, dict]:
    """``vstack``, ``hstack``, ``dstack`` are ``concatenate`` of ``atleast_2d``, ``atleast_1d``, ``atleast_3d``."""
    if not isinstance(xs, (list, tuple)):
        raise Unknowable()
    n = {"vstack": 2, "hstack": 1, "dstack": 3}[name]
    arrays = [_atleast(x, n) for x in xs]
    axis = {"vstack": 0, "dstack": 2}.get(name, 0 if arrays and len(arrays[0].shape or ()) == 1 else 1)
    return "keras.ops.concatenate", [arrays], {"axis": axis}


def _concatenate_flat(given: dict) -> tuple[TensorType, ...]:
    """``np.concatenate(arrays, axis=None)``: every array flattened, then joined."""
    arrays = given.get("arrays")
    if not isinstance(arrays, (list, tuple)) or not arrays or \
            not all(isinstance(a, TensorType) and a.shape is not None for a in arrays):
        raise Unknowable()
    total: Any = 0
    for a in arrays:
        total = dims.add(total, dims.product(a.shape))
    return (TensorType((total,), result_type(*arrays)),)


def _first_dtype(given: dict) -> Optional[str]:
    x = next((v for v in given.values() if isinstance(v, TensorType)), None)
    return None if x is None else x.dtype


def _empty_take(given: dict, name: str) -> bool:
    """Any index into an empty axis is out of range (NumPy's IndexError)."""
    x, idx = given.get(name), _as_arrays(given.get("indices"))
    if not isinstance(x, TensorType) or x.shape is None:
        return False
    idx_shape = idx.shape if isinstance(idx, TensorType) else literal_shape(idx)
    if idx_shape is None or 0 in idx_shape:
        return False
    axis = given.get("axis", None if name == "a" else -1)
    if axis is None:
        return 0 in x.shape
    return is_int(axis) and -len(x.shape) <= axis < len(x.shape) and x.shape[axis] == 0


def _tensordot_mismatch(given: dict) -> bool:
    """``tensordot(a, b, axes=n)``: the last ``n`` axes of ``a`` must equal the first ``n`` of ``b``."""
    a, b, n = given.get("a"), given.get("b"), given.get("axes", 2)
    if not is_int(n) or not isinstance(a, TensorType) or not isinstance(b, TensorType) or a.shape is None \
            or b.shape is None:
        return False
    if n > len(a.shape) or n > len(b.shape) or n < 0:
        return True
    return any(dims.differs(x, y) for x, y in zip(a.shape[len(a.shape) - n:], b.shape[:n]))


def _empty_reduction(given: dict) -> bool:
    """``max``, ``argmax`` ... of no values (NumPy raises: no identity)."""
    x = next((v for v in given.values() if isinstance(v, TensorType)), None)
    if x is None or x.shape is None or given.get("initial") is not None:
        return False
    axis = given.get("axis")
    if axis is None:
        return 0 in x.shape
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    for a in axes:
        if is_int(a) and -len(x.shape) <= a < len(x.shape) and x.shape[a] == 0:
            return True
    return False


#: where the Keras rule's answer is not NumPy's: these calls are left unknown
_GUARDS = {
    **{n: _empty_reduction for n in ("max", "min", "amax", "amin", "argmax", "argmin")},
    "average": lambda g: _empty_reduction(g) or 0 in (getattr(g.get("a"), "shape", None) or ()),  # 0 / 0
    "ptp": lambda g: _empty_reduction(g) or _first_dtype(g) == "bool",  # max - min: no bool subtract
    "arange": lambda g: g.get("dtype") is not None and numpy_dtype(g["dtype"]) in ("bool", None),
    **{n: lambda g: g.get("dtype") is not None and _kind(numpy_dtype(g["dtype"]) or "float64") in "bui"
       for n in ("std", "var")},  # integer results: NumPy's casting rules decide
    "tensordot": lambda g: _tensordot_mismatch(g),
    "median": lambda g: 0 in (getattr(g.get("a"), "shape", None) or ()),  # NumPy's own reshape fails
    "take": lambda g: _empty_take(g, "a"),
    "subtract": lambda g: result_type(g.get("x1"), g.get("x2")) == "bool",  # TypeError
    "take_along_axis": lambda g: _empty_take(g, "arr"),
    **{n: lambda g: _first_dtype(g) == "bool"
       for n in ("abs", "absolute", "negative", "square", "sign", "floor", "ceil", "trunc", "round", "around")},
}


def _kron(given: dict) -> tuple[TensorType, ...]:
    """``np.kron(a, b)``: the shapes, padded with leading 1s to one rank, multiplied axis by axis."""
    a, b = _as_arrays(given.get("a")), _as_arrays(given.get("b"))
    if not isinstance(a, TensorType) or not isinstance(b, TensorType) or a.shape is None or b.shape is None:
        raise Unknowable()
    n = max(len(a.shape), len(b.shape))
    sa = (1,) * (n - len(a.shape)) + a.shape
    sb = (1,) * (n - len(b.shape)) + b.shape
    return (TensorType(tuple(dims.mul(x, y) for x, y in zip(sa, sb)), result_type(a, b)),)


def _rot90(given: dict) -> tuple[TensorType, ...]:
    """``np.rot90(m, k=1, axes=(0, 1))``: an odd ``k`` swaps the two axes, an even one keeps them (Keras's
    symbolic build swaps them for every ``k``)."""
    m, k, axes = given.get("m"), given.get("k", 1), given.get("axes", (0, 1))
    if not isinstance(m, TensorType) or m.shape is None or not is_int(k) or not isinstance(axes, (list, tuple)) \
            or len(axes) != 2 or not all(is_int(a) for a in axes):
        raise Unknowable()
    r = len(m.shape)
    if r < 2 or not all(-r <= a < r for a in axes) or axes[0] % r == axes[1] % r:
        raise Unknowable()  # ValueError
    shape = list(m.shape)
    if k % 2:
        i, j = axes[0] % r, axes[1] % r
        shape[i], shape[j] = shape[j], shape[i]
    return (m.with_shape(tuple(shape)),)


def _pad(given: dict) -> tuple[TensorType, ...]:
    """``np.pad(array, pad_width, mode="constant")``: ``pad_width`` broadcast to one ``(before, after)`` pair
    per axis (an int, a pair, one pair, one per axis); non-negative ints."""
    x, width, mode = given.get("array"), given.get("pad_width"), given.get("mode", "constant")
    if not isinstance(x, TensorType) or x.shape is None or not isinstance(mode, str):
        raise Unknowable()
    r = len(x.shape)
    wshape = literal_shape(width)
    if wshape is None or len(wshape) > 2:
        raise Unknowable()
    flat: Any = width
    if len(wshape) == 0:
        flat = [[width, width]]
    elif len(wshape) == 1:
        flat = [list(width)]
    rows = [list(p) for p in flat]
    if not all(is_int(v) and v >= 0 for p in rows for v in p):
        raise Unknowable()  # TypeError or ValueError
    if len(rows) not in (1, r) or len(rows[0]) not in (1, 2):
        raise Unknowable()  # ValueError: cannot broadcast to (ndim, 2)
    rows = [(p[0], p[-1]) for p in rows] * (r if len(rows) == 1 else 1)
    if mode != "constant" and not all(dims.is_known(d) and d > 0 for d in x.shape):  # type: ignore[operator]
        raise Unknowable()  # other modes fail on empty axes
    return (x.with_shape(tuple(dims.add(d, a + b) for d, (a, b) in zip(x.shape, rows))),)


def _split(given: dict, name: str) -> tuple[TensorType, ...]:
    """``np.split`` (sections must divide the axis), ``array_split`` (the first ``n % k`` parts one longer),
    ``hsplit`` (axis 1, or 0 of a vector), ``vsplit`` (axis 0, 2-D or more), ``dsplit`` (axis 2, 3-D or more);
    a list of indices cuts like Python slices."""
    x, sections = given.get("ary"), given.get("indices_or_sections")
    if not isinstance(x, TensorType) or x.shape is None:
        raise Unknowable()
    r = len(x.shape)
    if name == "hsplit":
        if r == 0:
            raise Unknowable()
        axis: Any = 1 if r > 1 else 0
    elif name in ("vsplit", "dsplit"):
        axis = 0 if name == "vsplit" else 2
        if r < (2 if name == "vsplit" else 3):
            raise Unknowable()  # ValueError: vsplit needs 2 dimensions, dsplit 3
    else:
        axis = given.get("axis", 0)
    if not is_int(axis) or not -r <= axis < r:
        raise Unknowable()
    axis %= r
    n = x.shape[axis]
    parts: list = []
    if isinstance(sections, (list, tuple)):
        if not all(is_int(i) for i in sections):
            raise Unknowable()
        if not dims.is_known(n):
            raise Unknowable()
        bounds = [0, *sections, n]
        parts = [len(range(n)[a:b]) for a, b in zip(bounds, bounds[1:])]  # type: ignore[arg-type]
    elif is_int(sections):
        if sections <= 0 or not dims.is_known(n):
            raise Unknowable()
        q, rem = divmod(n, sections)  # type: ignore[operator]
        if rem and name != "array_split":
            raise Unknowable()  # ValueError: an equal division is impossible
        parts = [q + 1] * rem + [q] * (sections - rem)
    else:
        raise Unknowable()
    return tuple(x.with_shape(x.shape[:axis] + (p,) + x.shape[axis + 1:]) for p in parts)


def _clip(given: dict) -> tuple[TensorType, ...]:
    """``np.clip(a, a_min, a_max)``: the broadcast shape of all three (``None`` bounds left out)."""
    from ..core.shapes import broadcast

    a = _as_arrays(given.get("a"))
    lo = given.get("a_min", given.get("min"))
    hi = given.get("a_max", given.get("max"))
    if lo is None and hi is None:
        raise Unknowable()
    joint: Optional[Shape] = ()
    values = [v for v in (a, lo, hi) if v is not None]
    for v in values:
        v = _as_arrays(v)
        shape = v.shape if isinstance(v, TensorType) else literal_shape(v)
        if shape is None or joint is None:
            raise Unknowable()
        joint = broadcast(joint, shape)
    if joint is None or any(d is None for d in joint):
        raise Unknowable()
    return (TensorType(joint, result_type(*[_as_arrays(v) for v in values])),)


_NATIVE = {"kron": _kron, "rot90": _rot90, "pad": _pad, "clip": _clip,
           **{n: (lambda g, n=n: _split(g, n)) for n in ("split", "array_split", "hsplit", "vsplit", "dsplit")}}


def numpy_types(name: str, args: list, kwargs: Optional[dict] = None, keras_version: int = 3) -> tuple[
        TensorType, ...]:
    """The arrays a data function returns, flat, given :class:`TensorType` arrays (and Python values) as
    arguments: a NumPy function of :data:`NUMPY_EQUIVALENTS` (``numpy.reshape``), a name of :data:`ARRAY_METHODS`,
    any data rule registered here (``numpy.random.rand``, ``keras.utils.to_categorical``,
    ``keras.datasets.mnist.load_data``: see its ``structure`` for the nesting) or an alias in :data:`ALIASES`.
    Raises :class:`Unknowable` when the result cannot be told, a call the function rejects included."""
    kwargs = dict(kwargs or {})
    name = ALIASES.get(name, name)
    if name in OPS and name not in NUMPY_EQUIVALENTS:
        return _apply(OPS[name], name, list(args), kwargs, keras_version)
    short = name[len("numpy."):] if name.startswith("numpy.") else name
    if short not in _TABLE:
        raise Unknowable()
    rule_name, pos, kw, given = _translate(short, list(args), kwargs)
    if _unsupported(short, given):
        raise Unknowable()
    if short in _NATIVE:
        return _NATIVE[short](given)
    if short in ("concatenate", "concat") and "axis" in given and given["axis"] is None:
        return _concatenate_flat(given)
    policy = _TABLE[short][3]
    if short in _GUARDS and _GUARDS[short](given):
        raise Unknowable()
    if short in ("vstack", "hstack", "dstack"):
        rule_name, pos, kw = _stack_as_concatenate(short, pos[0] if pos else kw.get("xs"))
    if short == "where" and given.get("x") is None and given.get("y") is None:
        short, policy, rule_name = "nonzero", "index", "keras.ops.nonzero"  # np.where(condition): np.nonzero
    outputs = _apply(OPS[rule_name], rule_name, pos, kw, keras_version)
    # an axis Keras leaves undefined (a count of nonzero values) is some definite size in data
    return tuple(o if o.shape is None else
                 TensorType(tuple(dims.unknown() if d is None else d for d in o.shape),
                            _dtype_of(short, policy, given, o)) for o in outputs)


def _apply(rule: Any, name: str, args: list, kwargs: dict, keras_version: int) -> tuple[TensorType, ...]:
    call = Call(rule, {}, args, kwargs, name=name.rsplit(".", 1)[-1], keras_version=keras_version, traced=True)
    try:
        out = rule.output(call)
    except ShapeError:
        raise Unknowable() from None
    if isinstance(out, TensorType):
        return (out,)
    return tuple(out)


# -- ndarray methods whose signatures differ from the functions ---------------------


def _array(call: Call, name: str = "a") -> TensorType:
    """The array argument (a nested list of numbers becomes the array NumPy makes of it)."""
    v = param(call, name)
    if isinstance(v, TensorType):
        if v.shape is None:
            raise Unknowable()
        return v
    v = _as_arrays(v) if isinstance(v, (list, tuple)) else v
    if isinstance(v, TensorType):
        return v
    kind = _scalar_kind(v)
    if kind is None:
        raise Unknowable()
    return TensorType((), _literal_dtype(v))


def _varargs_or_tuple(call: Call, first: int = 1) -> Any:
    """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``: the sizes as one value (``None`` when none are given)."""
    rest = call.args[first:]
    if len(rest) == 1:
        return rest[0]
    if not rest:
        return None
    return tuple(rest)


@register
class ArrayReshape(OpRule):
    """``x.reshape(*shape)``: ``x.reshape(2, 3)``, ``x.reshape((2, 3))``, ``x.reshape(-1)``; as ``np.reshape``."""

    names = ("numpy.ndarray.reshape",)
    params = ("a", "shape")
    examples = (
        Example({}, (2, 3, 4), (6, 4), args=(6, 4)),
        Example({}, (2, 3, 4), (24,), args=(-1,)),
        Example({"shape": [4, -1]}, (2, 3, 4), (4, 6)),
        Example({}, (2, 3, 4), None, args=(5, -1)),
    )

    def output(self, call: Call) -> TensorType:
        x = _array(call)
        shape = call.kwargs.get("shape", _varargs_or_tuple(call))
        if shape is None:
            shape = call.config.get("shape", UNKNOWN)
        return numpy_types("numpy.reshape", [x, shape])[0]


@register
class ArrayTranspose(OpRule):
    """``x.transpose(*axes)``: no axes reverses them; ``x.transpose(1, 0)`` or ``x.transpose((1, 0))``."""

    names = ("numpy.ndarray.transpose",)
    params = ("a", "axes")
    examples = (
        Example({}, (2, 3, 4), (4, 3, 2)),
        Example({}, (2, 3, 4), (3, 2, 4), args=(1, 0, 2)),
        Example({"axes": (2, 0, 1)}, (2, 3, 4), (4, 2, 3)),
        Example({}, (2, 3, 4), None, args=(0, 1)),
    )

    def output(self, call: Call) -> TensorType:
        x = _array(call)
        axes = call.kwargs.get("axes", _varargs_or_tuple(call))
        if is_int(axes):
            axes = (axes,)
        if axes is None:
            axes = call.config.get("axes")
        return numpy_types("numpy.transpose", [x, axes])[0]


@register
class ArrayT(OpRule):
    """``x.T``: the axes reversed."""

    names = ("numpy.ndarray.T",)
    params = ("a",)
    examples = (Example({}, (2, 3, 4), (4, 3, 2)), Example({}, (5,), (5,)))

    def output(self, call: Call) -> TensorType:
        x = _array(call)
        assert x.shape is not None
        return x.with_shape(tuple(reversed(x.shape)))


@register
class ArrayAstype(OpRule):
    """``x.astype(dtype)``: ``x``'s shape, that dtype."""

    names = ("numpy.ndarray.astype",)
    params = ("a", "dtype")
    examples = (Example({"dtype": "float32"}, (2, 3), (2, 3)), Example({"dtype": "int"}, (5,), (5,)))

    def output(self, call: Call) -> TensorType:
        x = _array(call)
        return TensorType(x.shape, numpy_dtype(param(call, "dtype")))


@register
class NumpyArray(OpRule):
    """``np.array(object, dtype=None, copy=True, order="K", subok=False, ndmin=0)`` and ``np.asarray(a, dtype=None)``:
    an array's shape (its dtype unless ``dtype``), a nested list's, or a list of equal arrays stacked."""

    names = ("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray")
    params = ("a", "dtype")
    defaults = {"dtype": None}
    examples = (
        Example({}, (2, 3), (2, 3)),
        Example({"a": [[1, 2, 3], [4, 5, 6]]}, None, (2, 3)),
        Example({"a": [[1, 2], [3]]}, None, None),
        Example({"ndmin": 3}, (2, 3), (1, 2, 3)),
    )

    def output(self, call: Call) -> TensorType:
        v = call.kwargs.get("object", param(call, "a"))
        dtype = param(call, "dtype")
        if isinstance(v, (list, tuple)) and v and all(isinstance(x, TensorType) for x in v):
            shapes = {x.shape for x in v}
            if len(shapes) != 1 or None in shapes or any(isinstance(d, dims.Sym) for s in shapes for d in s):
                raise Unknowable()  # ragged (an error or an object array) unless every size is known equal
            out = TensorType((len(v),) + next(iter(shapes)), result_type(*v))
        elif isinstance(v, TensorType):
            if v.shape is None:
                raise Unknowable()
            out = v
        else:
            shape = literal_shape(v)
            if shape is None:
                raise Unknowable()
            out = TensorType(shape, _literal_dtype(v))
        if dtype is not None and dtype is not UNKNOWN:
            out = TensorType(out.shape, numpy_dtype(dtype))
        elif dtype is UNKNOWN:
            out = TensorType(out.shape, None)
        ndmin = call.kwargs.get("ndmin", call.config.get("ndmin", 0))
        if not is_int(ndmin):
            raise Unknowable()
        assert out.shape is not None
        if ndmin > len(out.shape):
            out = out.with_shape((1,) * (ndmin - len(out.shape)) + out.shape)
        return out


@register
class ArrayGetItem(OpRule):
    """``x[key]`` on a NumPy array: ints drop an axis, slices keep it (Python's length), ``None`` adds one,
    ``...`` stands for the rest; an integer array (or list) index is replaced by its own shape
    (``np.eye(10)[labels]`` is ``labels.shape + (10,)``), a boolean mask of ``k`` axes by one axis of
    unknown length.  Several advanced indices broadcast; separated by a slice, their axes go first."""

    names = ("numpy.ndarray.__getitem__",)
    params = ("a", "key")
    examples = (
        Example({"key": 0}, (5, 3, 4), (3, 4)),
        Example({"key": slice(1, 3)}, (5, 3, 4), (2, 3, 4)),
        Example({"key": (Ellipsis, None)}, (5, 3), (5, 3, 1)),
        Example({}, (10, 10), (7, 10), args=(T((7,), "int64"),)),
        Example({"key": (slice(None), 9)}, (5, 3, 4), None),
    )

    def output(self, call: Call) -> TensorType:
        x = _array(call)
        assert x.shape is not None
        return x.with_shape(index_shape(x.shape, param(call, "key")))


def _index_item(k: Any) -> Any:
    """A list index as the array NumPy makes of it (ints or bools)."""
    if isinstance(k, list):
        return _as_arrays(k) if k else TensorType((0,), "int64")
    return k


def index_shape(shape: Shape, key: Any) -> Shape:
    """NumPy's indexing of an array of ``shape`` by ``key`` (basic and advanced); unknowable when NumPy
    would raise or the result depends on values."""
    from ..core.shapes import broadcast
    from .shape_ops import _slice_length

    if key is UNKNOWN:
        raise Unknowable()
    items = list(key) if isinstance(key, tuple) else [key]
    items = [_index_item(k) for k in items]
    for k in items:
        if k is UNKNOWN or isinstance(k, dims.Sym):
            raise Unknowable()
        if isinstance(k, TensorType) and (k.shape is None or k.dtype is None):
            raise Unknowable()
        if not (k is None or k is Ellipsis or is_int(k) or isinstance(k, (slice, TensorType))):
            raise Unknowable()  # a float, a bool scalar, a string: an error or a 0-d mask
    if items.count(Ellipsis) > 1:
        raise Unknowable()

    def consumed(k: Any) -> int:
        if isinstance(k, TensorType) and k.dtype == "bool":
            return len(k.shape)  # type: ignore[arg-type]
        return 0 if k is None or k is Ellipsis else 1

    used = sum(consumed(k) for k in items)
    if used > len(shape):
        raise Unknowable()  # too many indices
    if Ellipsis not in items:
        items.append(Ellipsis)
    arrays = any(isinstance(k, TensorType) for k in items)
    rest = list(shape)
    out: list = []
    advanced: list[Shape] = []
    places: list[int] = []  # output positions where the advanced indices stand
    positions: list[int] = []  # item positions of the advanced indices
    for i, k in enumerate(items):
        if k is Ellipsis:
            n = len(rest) - sum(consumed(j) for j in items[i + 1:])
            out += rest[:n]
            rest = rest[n:]
        elif k is None:
            out.append(1)
        elif isinstance(k, slice):
            out.append(_slice_length(k, rest.pop(0)))
        elif is_int(k):
            length = rest.pop(0)
            if dims.is_known(length) and not -length <= k < length:
                raise Unknowable()  # IndexError
            if arrays:
                advanced.append(())
                places.append(len(out))
                positions.append(i)
        else:
            assert isinstance(k, TensorType) and k.shape is not None
            if k.dtype == "bool":
                n = len(k.shape)
                axes, rest = rest[:n], rest[n:]
                if any(dims.differs(a, b) for a, b in zip(axes, k.shape)):
                    raise Unknowable()  # IndexError: the mask does not match
                advanced.append((dims.unknown(),) if n else ())
                if n == 0:
                    raise Unknowable()  # a 0-d mask adds an axis of 0 or 1
            else:
                if not (k.dtype.startswith("int") or k.dtype.startswith("uint")):
                    raise Unknowable()  # IndexError: only integer or boolean arrays index
                if rest.pop(0) == 0 and not (0 in k.shape or any(isinstance(d, dims.Sym) for d in k.shape)):
                    raise Unknowable()  # IndexError: every index is out of range of an empty axis
                advanced.append(k.shape)
            places.append(len(out))
            positions.append(i)
    if not advanced:
        return tuple(out)
    masks = [k for k in items if isinstance(k, TensorType) and k.dtype == "bool"]
    if masks and sum(1 for s in advanced if s != ()) > 1:
        raise Unknowable()  # a mask's count broadcasts with the other index arrays: it depends on the values
    joint: Optional[Shape] = ()
    for s in advanced:
        joint = broadcast(joint, s) if joint is not None else None
        if joint is None:
            raise Unknowable()  # IndexError: the index arrays do not broadcast
    if any(d is None for d in joint):
        raise Unknowable()
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    at = places[0] if adjacent else 0
    return tuple(out[:at]) + tuple(joint) + tuple(out[at:])


# -- numpy.random --------------------------------------------------------------------


def _size(v: Any) -> Optional[Shape]:
    """A ``size`` argument: ``None`` (one value), an int, or a sequence of ints."""
    if v is None:
        return None
    if is_int(v):
        v = (v,)
    if isinstance(v, TensorType) or not isinstance(v, (list, tuple)):
        raise Unknowable()
    for d in v:
        if is_int(d) and d < 0:
            raise Unknowable()  # ValueError: negative dimensions
        if not (is_int(d) or isinstance(d, dims.Sym)):
            raise Unknowable()
    return tuple(v)


def _distribution(call: Call, names: tuple[str, ...], dtype: str) -> TensorType:
    """A sample of ``size``, or, without it, of the parameters' broadcast shape (to which ``size`` must
    broadcast too)."""
    from ..core.shapes import broadcast

    size = _size(param(call, "size"))
    joint: Optional[Shape] = ()
    for n in names:
        s = shape_of(param(call, n))
        joint = broadcast(joint, s) if joint is not None else None
    if joint is None or any(d is None for d in joint):
        raise Unknowable()  # ValueError: the parameters do not broadcast
    if size is None:
        return TensorType(joint, dtype)
    if broadcast(joint, size) != tuple(size):
        raise Unknowable()  # ValueError: the parameters cannot be broadcast to `size`
    return TensorType(tuple(size), dtype)


def _legacy(*functions: str) -> tuple[str, ...]:
    """``np.random.f`` and the method of a ``np.random.RandomState``: the same function."""
    return tuple(n for f in functions for n in (f"numpy.random.{f}", f"numpy.random.RandomState.{f}"))


def _every(*functions: str) -> tuple[str, ...]:
    """Those and the method of a ``np.random.Generator`` (``default_rng()``), where it takes the same arguments."""
    return _legacy(*functions) + tuple(f"numpy.random.Generator.{f}" for f in functions)


@register
class RandomRand(OpRule):
    """``np.random.rand(d0, d1, ...)`` and ``randn``: a ``float64`` array of those sizes (none: one value)."""

    names = _legacy("rand", "randn")
    examples = (
        Example({}, None, (2, 3), args=(2, 3)),
        Example({}, None, (), args=()),
        Example({}, None, None, args=(-1,)),
    )

    def output(self, call: Call) -> TensorType:
        sizes = list(call.args)
        if call.kwargs:
            raise Unknowable()  # TypeError
        for d in sizes:
            if not (is_int(d) or isinstance(d, dims.Sym)) or (is_int(d) and d < 0):
                raise Unknowable()
        return TensorType(tuple(sizes), "float64")


@register
class RandomSample(OpRule):
    """``np.random.random(size=None)``, ``random_sample``, ``ranf``, ``sample``, ``standard_normal``,
    ``standard_cauchy``, ``standard_exponential``: ``float64`` values of ``size``."""

    names = ("numpy.random.ranf", "numpy.random.sample", *_legacy("random", "random_sample", "standard_normal",
                                                                  "standard_cauchy", "standard_exponential"),
             "numpy.random.Generator.standard_cauchy")
    params = ("size",)
    defaults = {"size": None}
    examples = (
        Example({"size": (4, 2)}, None, (4, 2)),
        Example({"size": 5}, None, (5,)),
        Example({}, None, ()),
    )

    def output(self, call: Call) -> TensorType:
        size = _size(param(call, "size"))
        return TensorType(() if size is None else size, "float64")


@register
class RandomRandint(OpRule):
    """``np.random.randint(low, high=None, size=None, dtype=int)``: ``int64`` values of ``size`` (or of the
    bounds' broadcast shape)."""

    names = _legacy("randint")
    params = ("low", "high", "size", "dtype")
    defaults = {"high": None, "size": None, "dtype": "int64"}
    examples = (
        Example({"low": 0, "high": 10, "size": (100,)}, None, (100,)),
        Example({"low": 5, "size": (2, 3), "dtype": "int32"}, None, (2, 3)),
        Example({"low": 5}, None, ()),
    )

    def output(self, call: Call) -> TensorType:
        dtype = numpy_dtype(param(call, "dtype"))
        if dtype is None or _kind(dtype) not in "bui":
            raise Unknowable()
        high = param(call, "high")
        _check_bounds(param(call, "low"), high, param(call, "size"))
        names = ("low",) if high is None else ("low", "high")
        return _distribution(call, names, dtype)


class _Distribution(OpRule):
    """Values of ``size``, or, without it, of the parameters' broadcast shape."""

    dtype: ClassVar[str] = "float64"

    def output(self, call: Call) -> TensorType:
        return _distribution(call, self.params[:-1], self.dtype)


@register
class RandomUniformNumpy(_Distribution):
    """``np.random.uniform(low=0.0, high=1.0, size=None)``: ``float64`` values of ``size`` or of the bounds'
    broadcast shape."""

    names = _legacy("uniform")
    params = ("low", "high", "size")
    defaults = {"low": 0.0, "high": 1.0, "size": None}
    examples = (
        Example({"size": (3, 2)}, None, (3, 2)),
        Example({}, None, ()),
        Example({"low": 0.0, "high": 1.0, "size": 7}, None, (7,)),
        Example({}, (4, 1), (4, 3), args=((3,),)),
    )


@register
class RandomNormalNumpy(_Distribution):
    """``np.random.normal(loc=0.0, scale=1.0, size=None)`` (``logistic``, ``laplace``, ``gumbel`` too):
    ``float64`` values of ``size`` or of the parameters' broadcast shape."""

    names = _every("normal", "logistic", "laplace", "gumbel")
    params = ("loc", "scale", "size")
    defaults = {"loc": 0.0, "scale": 1.0, "size": None}
    examples = (Example({"size": (3, 2)}, None, (3, 2)), Example({"loc": 0.0, "size": 4}, None, (4,)))


@register
class RandomLognormal(_Distribution):
    """``np.random.lognormal(mean=0.0, sigma=1.0, size=None)``: ``float64`` values."""

    names = _every("lognormal")
    params = ("mean", "sigma", "size")
    defaults = {"mean": 0.0, "sigma": 1.0, "size": None}
    examples = (Example({"size": (3, 2)}, None, (3, 2)),)


@register
class RandomBinomial(_Distribution):
    """``np.random.binomial(n, p, size=None)`` (``negative_binomial`` too): ``int64`` counts."""

    names = _every("binomial", "negative_binomial")
    params = ("n", "p", "size")
    defaults = {"size": None}
    dtype = "int64"
    examples = (Example({"n": 1, "p": 0.5, "size": (10, 2)}, None, (10, 2)), Example({"n": 1, "p": 0.5}, None, ()))


@register
class RandomPoisson(_Distribution):
    """``np.random.poisson(lam=1.0, size=None)``: ``int64`` counts."""

    names = _every("poisson")
    params = ("lam", "size")
    defaults = {"lam": 1.0, "size": None}
    dtype = "int64"
    examples = (Example({"size": (3,)}, None, (3,)),)


@register
class RandomExponential(_Distribution):
    """``np.random.exponential(scale=1.0, size=None)``: ``float64`` values."""

    names = _every("exponential")
    params = ("scale", "size")
    defaults = {"scale": 1.0, "size": None}
    examples = (Example({"size": (3,)}, None, (3,)),)


@register
class RandomChoice(OpRule):
    """``np.random.choice(a, size=None, replace=True, p=None)``: ``size`` values of ``a`` (an int: of
    ``arange(a)``, ``int64``; a 1-D array: its dtype)."""

    names = _legacy("choice")
    params = ("a", "size", "replace", "p")
    defaults = {"size": None, "replace": True, "p": None}
    examples = (
        Example({"a": 10, "size": (3,)}, None, (3,)),
        Example({"size": 4}, (10,), (4,)),
        Example({"size": 2}, (10, 3), None),
    )

    def output(self, call: Call) -> TensorType:
        a = param(call, "a")
        size = _size(param(call, "size"))
        if is_int(a) or isinstance(a, dims.Sym):
            n: Any = a
            dtype: Optional[str] = "int64"
        else:
            arr = _array(call)
            assert arr.shape is not None
            if len(arr.shape) != 1:
                raise Unknowable()  # ValueError: a must be 1-dimensional (a 0-d array is an int: its value counts)
            n, dtype = arr.shape[0], arr.dtype
        if is_int(n) and n <= 0 and (size is None or 0 not in size):
            raise Unknowable()  # ValueError: a cannot be empty unless no samples are taken
        replace = param(call, "replace")
        if replace is False and size is not None and is_int(n) and all(is_int(d) for d in size):
            if math.prod(size) > n:  # type: ignore[arg-type]
                raise Unknowable()  # ValueError: a larger sample than the population without replacement
        elif replace is not True and size is not None:
            pass  # not known to fit; NumPy raises only when it does not
        return TensorType(() if size is None else size, dtype)


@register
class RandomPermutation(OpRule):
    """``np.random.permutation(x)``: an int ``n`` gives ``arange(n)`` shuffled (``int64``, ``(n,)``); an array is
    shuffled along its first axis (same shape and dtype)."""

    names = _legacy("permutation")
    params = ("x",)
    examples = (Example({"x": 10}, None, (10,)), Example({}, (4, 3), (4, 3)), Example({}, (), None))

    def output(self, call: Call) -> TensorType:
        x = param(call, "x")
        if is_int(x) or isinstance(x, dims.Sym):
            if is_int(x) and x < 0:
                raise Unknowable()
            return TensorType((x,), "int64")
        arr = _array(call, "x")
        assert arr.shape is not None
        axis = param(call, "axis") if "axis" in self.params else 0
        if not arr.shape or not is_int(axis) or not -len(arr.shape) <= axis < len(arr.shape):
            raise Unknowable()  # a 0-d array (IndexError), or an AxisError
        return arr


# -- keras.utils ---------------------------------------------------------------------

#: tf.keras 2 (and Keras-internal) paths of the helpers -> the Keras 3 name the rules serve
ALIASES: dict[str, str] = {
    "keras.utils.np_utils.to_categorical": "keras.utils.to_categorical",
    "keras.utils.np_utils.normalize": "keras.utils.normalize",
    "keras.utils.numerical_utils.to_categorical": "keras.utils.to_categorical",
    "keras.utils.numerical_utils.normalize": "keras.utils.normalize",
    "keras.preprocessing.sequence.pad_sequences": "keras.utils.pad_sequences",
    "keras.utils.data_utils.pad_sequences": "keras.utils.pad_sequences",
    "keras.utils.sequence_utils.pad_sequences": "keras.utils.pad_sequences",
    "keras.preprocessing.sequence.sequence.pad_sequences": "keras.utils.pad_sequences",
}


@register
class ToCategorical(OpRule):
    """``keras.utils.to_categorical(x, num_classes=None)`` on NumPy data: ``x``'s shape (a trailing axis of 1
    dropped when ``x`` has two axes or more) plus ``num_classes``, ``float64`` (NumPy's ``zeros``); without
    ``num_classes`` the width is ``max(x) + 1``: unknown."""

    names = ("keras.utils.to_categorical",)
    params = ("x", "num_classes")
    defaults = {"num_classes": None}
    examples = (
        Example({"num_classes": 10}, T((60000,), "uint8"), (60000, 10)),
        Example({"num_classes": 10}, T((50000, 1), "uint8"), (50000, 10)),
        Example({"num_classes": 3}, T((4, 2), "int64"), (4, 2, 3)),
        Example({"num_classes": 5}, T((1,), "int64"), (1, 5)),
    )

    def output(self, call: Call) -> TensorType:
        x = _array(call, "x")
        assert x.shape is not None
        shape = x.shape
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        n = param(call, "num_classes")
        if n is None or n == 0:
            if 0 in x.shape:
                raise Unknowable()  # max() of no labels
            width: Any = dims.unknown()
        elif is_int(n) and n > 0:
            width = n
        elif isinstance(n, dims.Sym):
            width = n
        else:
            raise Unknowable()  # negative, a float, unknown
        return TensorType(shape + (width,), "float64")


@register
class PadSequences(OpRule):
    """``keras.utils.pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
    value=0.0)``: ``(len(sequences), maxlen)``; without ``maxlen`` the longest sequence's length (an array's
    second axis; unknown for an object array of lists, whose sequences are taken as flat lists).  A list of
    literal lists is measured."""

    names = ("keras.utils.pad_sequences",)
    params = ("sequences", "maxlen", "dtype", "padding", "truncating", "value")
    defaults = {"maxlen": None, "dtype": "int32", "padding": "pre", "truncating": "pre", "value": 0.0}
    examples = (
        Example({"maxlen": 200}, T((25000,), "object"), (25000, 200)),
        Example({}, T((8, 5), "int64"), (8, 5)),
        Example({"maxlen": 3}, T((8, 5, 2), "float32"), (8, 3, 2)),
        Example({"sequences": [[1, 2, 3], [4]]}, None, (2, 3)),
        Example({"maxlen": 3, "padding": "middle"}, T((8, 5), "int64"), None),
    )

    def output(self, call: Call) -> TensorType:
        seqs = param(call, "sequences")
        maxlen = param(call, "maxlen")
        if param(call, "padding") not in ("pre", "post") or param(call, "truncating") not in ("pre", "post"):
            raise Unknowable()  # ValueError (when a sequence is not empty)
        dtype_arg = param(call, "dtype")
        dtype = numpy_dtype(dtype_arg)
        value = param(call, "value")
        if isinstance(value, str) or (dtype is None and dtype_arg not in ("object", "str")):
            raise Unknowable()
        if maxlen is not None and not (is_int(maxlen) and maxlen > 0) and not isinstance(maxlen, dims.Sym):
            raise Unknowable()  # 0 or negative: NumPy's assignment fails for a nonempty sequence
        if isinstance(seqs, (list, tuple)) and not isinstance(seqs, TensorType):
            lengths = []
            for s in seqs:
                shape = s.shape if isinstance(s, TensorType) else literal_shape(s)
                if shape is None or len(shape) != 1:
                    raise Unknowable()
                lengths.append(shape[0])
            n: Any = len(seqs)
            rest: Shape = ()
            longest: Any = max(lengths, key=lambda d: d if is_int(d) else -1) if lengths else None
            if lengths and not all(is_int(d) for d in lengths):
                longest = dims.unknown()
        else:
            x = _array(call, "sequences")
            assert x.shape is not None
            if len(x.shape) == 0:
                raise Unknowable()
            n = x.shape[0]
            if x.dtype == "object" and len(x.shape) == 1:
                longest, rest = dims.unknown(), ()
            elif len(x.shape) >= 2 and x.dtype != "object":
                longest, rest = x.shape[1], x.shape[2:]
                if n == 0 or longest == 0:
                    rest = ()  # one sample's shape comes from the first nonempty sequence: none
                elif rest and not (dims.is_known(n) and dims.is_known(longest)):
                    raise Unknowable()
            else:
                raise Unknowable()
            if n == 0:
                longest = None
        if maxlen is None:
            if longest is None:
                raise Unknowable()  # max() of no lengths
            maxlen = longest
        return TensorType((n, maxlen) + tuple(rest), dtype)


@register
class Normalize(OpRule):
    """``keras.utils.normalize(x, axis=-1, order=2)`` on NumPy data: ``x / expand_dims(atleast_1d(norm), axis or
    -1)``: ``x``'s shape for most axes (a vector becomes ``(1, n)``; ``axis=0`` normalises along the first axis
    but expands the last, which must then broadcast), ``float64`` unless ``x`` is a float array."""

    names = ("keras.utils.normalize",)
    params = ("x", "axis", "order")
    defaults = {"axis": -1, "order": 2}
    examples = (
        Example({}, T((32, 8), "float64"), (32, 8)),
        Example({}, T((8,), "float64"), (1, 8)),
        Example({"axis": 1}, T((4, 3, 2), "float32"), (4, 3, 2)),
        Example({"axis": 0}, T((4, 3), "float32"), None),
    )

    def output(self, call: Call) -> TensorType:
        from ..core.shapes import broadcast

        x = _array(call, "x")
        assert x.shape is not None
        axis, order = param(call, "axis"), param(call, "order")
        r = len(x.shape)
        matrix = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)
        if isinstance(order, bool) or not (order is None or isinstance(order, (int, float)) or
                                            axis is None and r == 2 and order in matrix):
            raise Unknowable()  # "fro", "nuc": matrix norms only
        if axis is None:
            # np.linalg.norm: no order flattens; a vector takes any order, a matrix its own few
            if order is not None and not (r == 1 and not isinstance(order, str) or r == 2 and order in matrix):
                raise Unknowable()  # ValueError
            if r == 2 and order in (2, -2, "nuc") and x.dtype == "float16":
                raise Unknowable()  # the SVD behind them: float16 is unsupported in linalg
            norm: Shape = ()
        elif is_int(axis) and -r <= axis < r:
            norm = x.shape[:axis % r] + x.shape[axis % r + 1:]
        else:
            raise Unknowable()
        norm = norm or (1,)  # atleast_1d
        e = axis or -1
        if not -(len(norm) + 1) <= e <= len(norm):
            raise Unknowable()  # AxisError
        e %= len(norm) + 1
        expanded = norm[:e] + (1,) + norm[e:]
        out = broadcast(x.shape, expanded)
        if out is None or any(d is None for d in out):
            raise Unknowable()  # the norms do not broadcast against x
        dtype = x.dtype if x.dtype in ("float16", "float32", "float64") else "float64" \
            if x.dtype in _BITS and _kind(x.dtype) in "bui" else None
        return TensorType(out, dtype)


# -- keras.datasets ------------------------------------------------------------------

#: the number of classes of each classification dataset's labels (``cifar100:coarse``: label_mode="coarse")
DATASET_CLASSES: dict[str, int] = {"mnist": 10, "fashion_mnist": 10, "cifar10": 10, "cifar100": 100,
                                   "cifar100:coarse": 20, "imdb": 2, "reuters": 46}

#: what each loader's files hold, as its docstring and the files say (counts, one sample's shape, dtypes);
#: the rules apply the loader's own code to these (splits, reshapes, transposes)
_DATASETS: dict[str, dict] = {
    "mnist": {"train": 60000, "test": 10000, "x": (28, 28), "x_dtype": "uint8", "y_dtype": "uint8"},
    "fashion_mnist": {"train": 60000, "test": 10000, "x": (28, 28), "x_dtype": "uint8", "y_dtype": "uint8"},
    "cifar10": {"train": 50000, "test": 10000, "x": (32, 32, 3), "x_dtype": "uint8", "y_dtype": "uint8"},
    # the labels are Python lists in the pickles: np.reshape makes int64 of them (the docstring says uint8)
    "cifar100": {"train": 50000, "test": 10000, "x": (32, 32, 3), "x_dtype": "uint8", "y_dtype": "int64"},
    "imdb": {"train": 25000, "test": 25000, "y_dtype": "int64"},
    "reuters": {"total": 11228, "y_dtype": "int64"},
    "boston_housing": {"total": 506, "x": (13,), "x_dtype": "float64", "y_dtype": "float64"},
    # the stored dtype is not documented: left unknown
    "california_housing": {"total": 20640, "small": 600, "x": (8,), "x_dtype": None, "y_dtype": None},
}


def _split_counts(total: int, test_split: Any) -> tuple[int, int]:
    """``xs[:int(len(xs) * (1 - test_split))]`` and the rest, with Python's slicing."""
    if not isinstance(test_split, (int, float)) or isinstance(test_split, bool):
        raise Unknowable()
    idx = int(total * (1 - test_split))
    return len(range(total)[:idx]), len(range(total)[idx:])


class _LoadData(OpRule):
    """``((x_train, y_train), (x_test, y_test))``."""

    dataset: ClassVar[str] = ""

    def structure(self, call: Call) -> Any:
        return [[0, 1], [2, 3]]

    def sizes(self, call: Call) -> tuple[Any, Any]:
        info = _DATASETS[self.dataset]
        return info["train"], info["test"]

    def output(self, call: Call) -> tuple[TensorType, ...]:
        info = _DATASETS[self.dataset]
        n_train, n_test = self.sizes(call)
        x = info.get("x")
        if x is None:  # sequences: an object array of lists
            return (TensorType((n_train,), "object"), TensorType((n_train,), info["y_dtype"]),
                    TensorType((n_test,), "object"), TensorType((n_test,), info["y_dtype"]))
        y: Shape = (1,) if self.dataset.startswith("cifar") else ()
        return (TensorType((n_train,) + x, info["x_dtype"]), TensorType((n_train,) + y, info["y_dtype"]),
                TensorType((n_test,) + x, info["x_dtype"]), TensorType((n_test,) + y, info["y_dtype"]))


@register
class MnistLoadData(_LoadData):
    """``keras.datasets.mnist.load_data(path="mnist.npz")``: ``(60000, 28, 28)`` and ``(60000,)`` to train,
    ``(10000, 28, 28)`` and ``(10000,)`` to test, all ``uint8``."""

    names = ("keras.datasets.mnist.load_data",)
    params = ("path",)
    dataset = "mnist"
    examples = (Example({}, None, [(60000, 28, 28), (60000,), (10000, 28, 28), (10000,)]),)


@register
class FashionMnistLoadData(_LoadData):
    """``keras.datasets.fashion_mnist.load_data()``: as MNIST, ``uint8``."""

    names = ("keras.datasets.fashion_mnist.load_data",)
    dataset = "fashion_mnist"
    examples = (Example({}, None, [(60000, 28, 28), (60000,), (10000, 28, 28), (10000,)]),)


@register
class Cifar10LoadData(_LoadData):
    """``keras.datasets.cifar10.load_data()``: ``(50000, 32, 32, 3)`` images and ``(50000, 1)`` labels to train,
    ``(10000, 32, 32, 3)`` and ``(10000, 1)`` to test, ``uint8`` (channels last, Keras's default image format)."""

    names = ("keras.datasets.cifar10.load_data",)
    dataset = "cifar10"
    examples = (Example({}, None, [(50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1)]),)


@register
class Cifar100LoadData(_LoadData):
    """``keras.datasets.cifar100.load_data(label_mode="fine")``: as CIFAR-10; the labels are ``int64`` (100
    fine classes, or 20 coarse ones)."""

    names = ("keras.datasets.cifar100.load_data",)
    params = ("label_mode",)
    defaults = {"label_mode": "fine"}
    dataset = "cifar100"
    examples = (
        Example({}, None, [(50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1)]),
        Example({"label_mode": "coarse"}, None, [(50000, 32, 32, 3), (50000, 1), (10000, 32, 32, 3), (10000, 1)]),
        Example({"label_mode": "medium"}, None, None),
    )

    def output(self, call: Call) -> tuple[TensorType, ...]:
        if param(call, "label_mode") not in ("fine", "coarse"):
            raise Unknowable()  # ValueError
        return super().output(call)


@register
class ImdbLoadData(_LoadData):
    """``keras.datasets.imdb.load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, ...)``: 25000
    reviews (object arrays of word-index lists) and ``int64`` labels each to train and to test; ``maxlen`` drops
    the longer reviews: the counts become unknown."""

    names = ("keras.datasets.imdb.load_data",)
    params = ("path", "num_words", "skip_top", "maxlen", "seed", "start_char", "oov_char", "index_from")
    defaults = {"maxlen": None}
    dataset = "imdb"
    examples = (
        Example({"num_words": 10000}, None, [(25000,), (25000,), (25000,), (25000,)]),
        Example({"path": "imdb.npz", "num_words": 5000}, None, [(25000,), (25000,), (25000,), (25000,)]),
    )

    def sizes(self, call: Call) -> tuple[Any, Any]:
        if param(call, "maxlen"):
            return dims.unknown(), dims.unknown()
        return super().sizes(call)


@register
class ReutersLoadData(_LoadData):
    """``keras.datasets.reuters.load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None,
    test_split=0.2, ...)``: 11228 newswires split at ``int(11228 * (1 - test_split))`` (8982 and 2246), object
    arrays of word-index lists and ``int64`` labels (46 topics); ``maxlen`` makes the counts unknown."""

    names = ("keras.datasets.reuters.load_data",)
    params = ("path", "num_words", "skip_top", "maxlen", "test_split", "seed", "start_char", "oov_char",
              "index_from")
    defaults = {"maxlen": None, "test_split": 0.2}
    dataset = "reuters"
    examples = (
        Example({"num_words": 10000}, None, [(8982,), (8982,), (2246,), (2246,)]),
        Example({"test_split": 0.5}, None, [(5614,), (5614,), (5614,), (5614,)]),
    )

    def sizes(self, call: Call) -> tuple[Any, Any]:
        if param(call, "maxlen"):
            return dims.unknown(), dims.unknown()
        return _split_counts(_DATASETS["reuters"]["total"], param(call, "test_split"))


@register
class BostonHousingLoadData(_LoadData):
    """``keras.datasets.boston_housing.load_data(path="boston_housing.npz", test_split=0.2, seed=113)``: 506
    houses of 13 ``float64`` features split at ``int(506 * (1 - test_split))`` (404 and 102); ``test_split``
    must be in ``[0, 1)``."""

    names = ("keras.datasets.boston_housing.load_data",)
    params = ("path", "test_split", "seed")
    defaults = {"test_split": 0.2}
    dataset = "boston_housing"
    examples = (
        Example({}, None, [(404, 13), (404,), (102, 13), (102,)]),
        Example({"test_split": 1.0}, None, None),
    )

    def sizes(self, call: Call) -> tuple[Any, Any]:
        split = param(call, "test_split")
        if not isinstance(split, (int, float)) or not 0 <= split < 1:
            raise Unknowable()  # ValueError
        return _split_counts(_DATASETS[self.dataset]["total"], split)


@register
class CaliforniaHousingLoadData(BostonHousingLoadData):
    """``keras.datasets.california_housing.load_data(version="large", path=..., test_split=0.2, seed=113)``:
    20640 districts (600 with ``version="small"``) of 8 features, split as Boston's (16512 and 4128)."""

    names = ("keras.datasets.california_housing.load_data",)
    params = ("version", "path", "test_split", "seed")
    defaults = {"version": "large", "test_split": 0.2}
    dataset = "california_housing"
    examples = (
        Example({}, None, [(16512, 8), (16512,), (4128, 8), (4128,)]),
        Example({"version": "small"}, None, [(480, 8), (480,), (120, 8), (120,)]),
        Example({"version": "tiny"}, None, None),
    )

    def sizes(self, call: Call) -> tuple[Any, Any]:
        version = param(call, "version")
        split = param(call, "test_split")
        if version not in ("large", "small") or not isinstance(split, (int, float)) or not 0 <= split < 1:
            raise Unknowable()  # ValueError
        info = _DATASETS[self.dataset]
        return _split_counts(info["small"] if version == "small" else info["total"], split)


# -- scikit-learn ----------------------------------------------------------------------


def _split_sizes(n: Any, test_size: Any, train_size: Any) -> tuple[Any, Any]:
    """``sklearn.model_selection._split._validate_shuffle_split``: a float ``test_size`` rounds up, a float
    ``train_size`` down, an int is a count; the default ``test_size`` is 0.25; :class:`Unknowable` where
    scikit-learn raises."""
    if test_size is None and train_size is None:
        test_size = 0.25

    def kind(v: Any) -> Optional[str]:
        if v is None:
            return None
        if isinstance(v, bool):
            return "b"
        if is_int(v):
            return "i"
        if isinstance(v, float):
            return "f"
        raise Unknowable()  # not followed

    tk, rk = kind(test_size), kind(train_size)
    if "b" in (tk, rk):
        raise Unknowable()  # ValueError: invalid value
    known = dims.is_known(n)
    for v, k in ((test_size, tk), (train_size, rk)):
        if k == "f" and not 0 < v < 1:
            raise Unknowable()
        if k == "i" and (v <= 0 or known and v >= n):
            raise Unknowable()
    if tk == "f" and rk == "f" and test_size + train_size > 1:
        raise Unknowable()
    if not known and "f" in (tk, rk):
        return dims.unknown(), dims.unknown()
    n_test: Any = math.ceil(test_size * n) if tk == "f" else test_size
    n_train: Any = math.floor(train_size * n) if rk == "f" else train_size
    if train_size is None:
        n_train = dims.sub(n, n_test)
    elif test_size is None:
        n_test = dims.sub(n, n_train)
    if known:
        if n_train + n_test > n or int(n_train) == 0:
            raise Unknowable()  # ValueError: too many samples asked, or none left to train
        return int(n_train), int(n_test)
    return n_train, n_test


@register
class TrainTestSplit(OpRule):
    """``sklearn.model_selection.train_test_split(*arrays, test_size=None, train_size=None, random_state=None,
    shuffle=True, stratify=None)``: ``[a_train, a_test, b_train, b_test, ...]``, each array cut along its first
    axis by scikit-learn's counts (``test_size=0.2`` of 100 leaves 80 and 20; a float test share rounds up, a
    float train share down; 0.25 by default).  The arrays must have one length."""

    names = ("sklearn.model_selection.train_test_split",)
    defaults = {"test_size": None, "train_size": None, "shuffle": True, "stratify": None}
    examples = (
        Example({"test_size": 0.2}, (100, 4), [(80, 4), (20, 4), (80,), (20,)], args=((100,),)),
        Example({}, (10, 3), [(7, 3), (3, 3)]),
        Example({"test_size": 0.33, "train_size": 0.5}, (10,), [(5,), (4,)]),
        Example({"test_size": 15}, (10,), None),
        Example({}, (10, 3), None, args=((9,),)),
    )

    def output(self, call: Call) -> tuple[TensorType, ...]:
        arrays = [_as_arrays(a) if isinstance(a, (list, tuple)) else a for a in call.args]
        if not arrays or not all(isinstance(a, TensorType) and a.shape for a in arrays):
            raise Unknowable()  # none, a 0-d array, or a value not followed
        lengths = [a.shape[0] for a in arrays]  # type: ignore[index]
        if any(dims.differs(n, lengths[0]) for n in lengths):
            raise Unknowable()  # ValueError: inconsistent numbers of samples
        n = next((d for d in lengths if dims.is_known(d)), lengths[0])
        if param(call, "shuffle") is False and param(call, "stratify") is not None:
            raise Unknowable()  # ValueError
        n_train, n_test = _split_sizes(n, param(call, "test_size"), param(call, "train_size"))
        out: list[TensorType] = []
        for a in arrays:
            assert a.shape is not None
            out += [a.with_shape((n_train,) + a.shape[1:]), a.with_shape((n_test,) + a.shape[1:])]
        return tuple(out)


@register
class GeneratorSample(OpRule):
    """``Generator.random(size=None, dtype=np.float64)``, ``standard_normal``, ``standard_exponential``: values
    of ``size`` in ``dtype`` (``float64`` or ``float32``); without ``size`` one Python float."""

    names = ("numpy.random.Generator.random", "numpy.random.Generator.standard_normal",
             "numpy.random.Generator.standard_exponential")
    params = ("size", "dtype")
    defaults = {"size": None, "dtype": "float64"}
    examples = (Example({"size": (4, 2)}, None, (4, 2)), Example({"size": 3, "dtype": "float32"}, None, (3,)))

    def output(self, call: Call) -> TensorType:
        dtype = numpy_dtype(param(call, "dtype"))
        if dtype not in ("float32", "float64"):
            raise Unknowable()  # TypeError: only float32 and float64
        size = _size(param(call, "size"))
        return TensorType((), "float64") if size is None else TensorType(size, dtype)  # one value: a Python float


@register
class GeneratorUniform(RandomUniformNumpy):
    """``Generator.uniform(low=0.0, high=1.0, size=None)``: as ``np.random.uniform``; ``high`` must not be below
    ``low``."""

    names = ("numpy.random.Generator.uniform",)
    examples = (Example({"size": (3, 2)}, None, (3, 2)), Example({"low": 1.0, "high": 0.0}, None, None))

    def output(self, call: Call) -> TensorType:
        low, high = param(call, "low"), param(call, "high")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and high < low:
            raise Unknowable()  # ValueError: high - low < 0
        return super().output(call)


@register
class GeneratorIntegers(OpRule):
    """``Generator.integers(low, high=None, size=None, dtype=np.int64, endpoint=False)``: integers of ``size`` (or
    of the bounds' broadcast shape)."""

    names = ("numpy.random.Generator.integers",)
    params = ("low", "high", "size", "dtype", "endpoint")
    defaults = {"high": None, "size": None, "dtype": "int64"}
    examples = (Example({"low": 0, "high": 10, "size": (100,)}, None, (100,)), Example({"low": 3}, None, ()))

    def output(self, call: Call) -> TensorType:
        dtype = numpy_dtype(param(call, "dtype"))
        if dtype is None or _kind(dtype) not in "bui":
            raise Unknowable()
        _check_bounds(param(call, "low"), param(call, "high"), param(call, "size"), param(call, "endpoint") is True)
        names = ("low",) if param(call, "high") is None else ("low", "high")
        return _distribution(call, names, dtype)


def _check_bounds(low: Any, high: Any, size: Any, endpoint: bool = False) -> None:
    """``randint(low, high)``: the range ``[low, high)`` (``[0, low)`` alone) must hold a value, unless none
    is drawn."""
    if size == 0 or isinstance(size, (list, tuple)) and 0 in size:
        return
    if high is None:
        low, high = 0, low
    if is_int(low) and is_int(high) and (high < low if endpoint else high <= low):
        raise Unknowable()  # ValueError: low >= high


@register
class GeneratorChoice(OpRule):
    """``Generator.choice(a, size=None, replace=True, p=None, axis=0, shuffle=True)``: an int ``a`` samples
    ``arange(a)`` (``int64``); an array is sampled along ``axis``, which ``size`` replaces (no ``size``: the axis
    goes)."""

    names = ("numpy.random.Generator.choice",)
    params = ("a", "size", "replace", "p", "axis", "shuffle")
    defaults = {"size": None, "replace": True, "p": None, "axis": 0}
    examples = (
        Example({"a": 10, "size": (3,)}, None, (3,)),
        Example({"size": 4}, (10, 3), (4, 3)),
        Example({}, (10, 3), (3,)),
    )

    def output(self, call: Call) -> TensorType:
        a = param(call, "a")
        size = _size(param(call, "size"))
        replace = param(call, "replace")
        axis = param(call, "axis")
        if is_int(a) or isinstance(a, dims.Sym):
            arr = TensorType((a,), "int64")
            axis = 0  # an int population has no axes: `axis` is not looked at
            if is_int(a) and a < 0:
                raise Unknowable()
        else:
            arr = _array(call)
        assert arr.shape is not None
        r = len(arr.shape)
        if r == 0 or not is_int(axis) or not -r <= axis < r:
            raise Unknowable()  # ValueError: a must be at least 1-D, or the axis is out of range
        axis %= r
        n = arr.shape[axis]
        drawn = 1 if size is None else math.prod(size) if all(is_int(d) for d in size) else None
        if is_int(n) and drawn is not None and (n == 0 and drawn > 0 or replace is False and drawn > n):
            raise Unknowable()  # ValueError: an empty population, or more samples than it holds
        if replace is not True and replace is not False:
            raise Unknowable()
        middle = () if size is None else tuple(size)
        return TensorType(arr.shape[:axis] + middle + arr.shape[axis + 1:], arr.dtype)


@register
class GeneratorPermutation(RandomPermutation):
    """``Generator.permutation(x, axis=0)``: as ``np.random.permutation``, an array shuffled along ``axis``."""

    names = ("numpy.random.Generator.permutation",)
    params = ("x", "axis")
    defaults = {"axis": 0}
    examples = (Example({"x": 10}, None, (10,)), Example({"axis": 1}, (4, 3), (4, 3)), Example({"axis": 2}, (4, 3), None))


# -- NumPy functions without a keras.ops twin ---------------------------------------------


class _AtLeast(OpRule):
    """``np.atleast_Nd(*arys)``: each array with leading (and, for 3-D, trailing) axes of 1 added; several arrays
    give one result each."""

    rank: ClassVar[int] = 1

    def output(self, call: Call) -> tuple[TensorType, ...]:
        if not call.args or call.kwargs:
            raise Unknowable()
        out = []
        for v in call.args:
            v = _as_arrays(v) if isinstance(v, (list, tuple)) else v
            if not isinstance(v, TensorType):
                kind = _scalar_kind(v)
                if kind is None:
                    raise Unknowable()
                v = TensorType((), _literal_dtype(v))
            out.append(_atleast(v, self.rank))
        return tuple(out)


@register
class AtLeast1d(_AtLeast):
    """``np.atleast_1d(*arys)``: a 0-d array becomes ``(1,)``."""

    names = ("numpy.atleast_1d",)
    examples = (Example({}, (), (1,)), Example({}, (2, 3), (2, 3)))


@register
class AtLeast2d(_AtLeast):
    """``np.atleast_2d(*arys)``: ``(n,)`` becomes ``(1, n)``."""

    names = ("numpy.atleast_2d",)
    rank = 2
    examples = (Example({}, (5,), (1, 5)), Example({}, (), (1, 1)))


@register
class AtLeast3d(_AtLeast):
    """``np.atleast_3d(*arys)``: ``(n,)`` becomes ``(1, n, 1)``, ``(m, n)`` becomes ``(m, n, 1)``."""

    names = ("numpy.atleast_3d",)
    rank = 3
    examples = (Example({}, (5,), (1, 5, 1)), Example({}, (4, 5), (4, 5, 1)))


@register
class ColumnStack(OpRule):
    """``np.column_stack(tup)``: vectors become columns ``(n, 1)``, then everything is joined along axis 1."""

    names = ("numpy.column_stack",)
    params = ("tup",)
    examples = (Example({}, [(5,), (5, 3)], (5, 4)), Example({}, [(5,), (4,)], None))

    def output(self, call: Call) -> tuple[TensorType, ...]:
        tup = param(call, "tup")
        if not isinstance(tup, (list, tuple)) or not tup:
            raise Unknowable()
        cols = []
        for v in tup:
            v = _as_arrays(v) if isinstance(v, (list, tuple)) else v
            if not isinstance(v, TensorType) or v.shape is None:
                raise Unknowable()
            cols.append(v.with_shape({0: (1, 1), 1: v.shape + (1,)}.get(len(v.shape), v.shape)))  # ndmin=2, .T
        return numpy_types("numpy.concatenate", [cols], {"axis": 1})


def _norm_dtype(d: Optional[str]) -> Optional[str]:
    """``np.linalg.norm``'s result: floats keep theirs, complex gives its real part's, the rest ``float64``."""
    if d is None or d not in _BITS:
        return None
    k = _kind(d)
    return d if k == "f" else ("float32" if d == "complex64" else "float64") if k == "c" else "float64"


@register
class LinalgNorm(OpRule):
    """``np.linalg.norm(x, ord=None, axis=None, keepdims=False)``: no axis and no order: one value of everything;
    an int axis: a vector norm along it; a pair: a matrix norm over both; ``keepdims`` keeps them as 1."""

    names = ("numpy.linalg.norm",)
    params = ("x", "ord", "axis", "keepdims")
    defaults = {"ord": None, "axis": None, "keepdims": False}
    examples = (
        Example({}, (4, 3), ()),
        Example({"axis": 1}, (4, 3), (4,)),
        Example({"axis": -1, "keepdims": True}, (4, 3), (4, 1)),
        Example({"axis": (1, 2)}, (5, 4, 3), (5,)),
        Example({"ord": 2}, (5, 4, 3), None),
    )

    def output(self, call: Call) -> TensorType:
        x = _array(call, "x")
        assert x.shape is not None
        order, axis, keep = param(call, "ord"), param(call, "axis"), param(call, "keepdims")
        r = len(x.shape)
        matrix = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)
        if keep not in (True, False) or isinstance(order, bool):
            raise Unknowable()
        if axis is None:
            if order is None:
                axes: tuple = tuple(range(r))
            elif r == 1 and not isinstance(order, str):
                axes = (0,)
            elif r == 2 and order in matrix:
                axes = (0, 1)
            else:
                raise Unknowable()  # ValueError: improper number of dimensions, or an order not for matrices
        else:
            raw = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
            if not all(is_int(a) and -r <= a < r for a in raw) or len(raw) not in (1, 2) or \
                    len({a % r for a in raw}) != len(raw):
                raise Unknowable()
            axes = tuple(a % r for a in raw)
            if len(axes) == 1 and isinstance(order, str) or len(axes) == 2 and order is not None and \
                    order not in matrix:
                raise Unknowable()  # ValueError: invalid norm order
        if len(axes) == 2 and order in (2, -2, "nuc") and x.dtype == "float16":
            raise Unknowable()  # the SVD behind them: float16 is unsupported in linalg
        if len(axes) == 2 and order in (2, -2, "nuc") and any(x.shape[a] == 0 for a in axes):
            raise Unknowable()  # the SVD of an empty matrix
        shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) if keep else \
            tuple(d for i, d in enumerate(x.shape) if i not in axes)
        return TensorType(shape, _norm_dtype(x.dtype))


@register
class NumpyUnique(OpRule):
    """``np.unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None)``: the distinct
    values (an unknown count; with ``axis``, the slices along it), then the first indices, the inverse (``ar``'s
    shape without ``axis``) and the counts, each asked for, ``int64``."""

    names = ("numpy.unique",)
    params = ("ar", "return_index", "return_inverse", "return_counts", "axis")
    defaults = {"return_index": False, "return_inverse": False, "return_counts": False, "axis": None}
    # the counts are unknown (no example can name them): the invalid calls
    examples = (Example({"axis": 5}, (4, 3), None), Example({"return_counts": "yes"}, (4,), None))

    def output(self, call: Call) -> tuple[TensorType, ...]:
        ar = _array(call, "ar")
        assert ar.shape is not None
        axis = param(call, "axis")
        flags = [param(call, n) for n in ("return_index", "return_inverse", "return_counts")]
        if not all(f in (True, False) for f in flags):
            raise Unknowable()
        count = dims.unknown()
        if axis is None:
            values = TensorType((count,), ar.dtype)
            inverse: Shape = ar.shape
        else:
            r = len(ar.shape)
            if not is_int(axis) or not -r <= axis < r:
                raise Unknowable()  # AxisError
            axis %= r
            values = ar.with_shape(ar.shape[:axis] + (count,) + ar.shape[axis + 1:])
            inverse = (ar.shape[axis],)
        out = [values]
        if flags[0]:
            out.append(TensorType((count,), "int64"))
        if flags[1]:
            out.append(TensorType(inverse, "int64"))
        if flags[2]:
            out.append(TensorType((count,), "int64"))
        return tuple(out)


@register
class Argwhere(OpRule):
    """``np.argwhere(a)``: one row of indices per nonzero element: ``(unknown, a.ndim)``, ``int64``."""

    names = ("numpy.argwhere", "numpy.flatnonzero")
    params = ("a",)
    examples = (Example({}, None, None),)  # the count is unknown: no example can name it

    def output(self, call: Call) -> TensorType:
        a = _array(call)
        assert a.shape is not None
        if call.name == "flatnonzero":
            return TensorType((dims.unknown(),), "int64")
        return TensorType((dims.unknown(), len(a.shape)), "int64")


@register
class Searchsorted(OpRule):
    """``np.searchsorted(a, v, side="left", sorter=None)``: ``v``'s shape, ``int64``; ``a`` is a vector."""

    names = ("numpy.searchsorted",)
    params = ("a", "v", "side", "sorter")
    examples = (Example({}, (10,), (4, 2), args=((4, 2),)), Example({}, (10, 2), None, args=((4,),)))

    def output(self, call: Call) -> TensorType:
        a, v = _array(call, "a"), _array(call, "v")
        if a.shape is None or len(a.shape) != 1 or param(call, "side") not in ("left", "right", UNKNOWN):
            raise Unknowable()  # ValueError: a must be 1-D
        return TensorType(v.shape, "int64")


@register
class Digitize(OpRule):
    """``np.digitize(x, bins, right=False)``: ``x``'s shape, ``int64``; ``bins`` is a vector."""

    names = ("numpy.digitize",)
    params = ("x", "bins", "right")
    examples = (Example({}, (4, 2), (4, 2), args=((5,),)),)

    def output(self, call: Call) -> TensorType:
        x, bins = _array(call, "x"), _array(call, "bins")
        if bins.shape is None or len(bins.shape) != 1 or _kind(x.dtype or "float64") == "c":
            raise Unknowable()  # ValueError: bins must be 1-D (and monotonic: its values)
        return TensorType(x.shape, "int64")


@register
class Isin(OpRule):
    """``np.isin(element, test_elements, ...)``: ``element``'s shape, ``bool``."""

    names = ("numpy.isin",)
    params = ("element", "test_elements", "assume_unique", "invert")
    examples = (Example({}, (4, 2), (4, 2), args=((5,),)),)

    def output(self, call: Call) -> TensorType:
        return TensorType(_array(call, "element").shape, "bool")


@register
class Bincount(OpRule):
    """``np.bincount(x, weights=None, minlength=0)``: ``(max(x) + 1 or minlength,)``, unknown; ``int64``, or
    ``float64`` with weights; ``x`` is a vector of integers."""

    names = ("numpy.bincount",)
    params = ("x", "weights", "minlength")
    defaults = {"weights": None, "minlength": 0}
    examples = (Example({}, T((2, 2), "int64"), None),)

    def output(self, call: Call) -> TensorType:
        x = _array(call, "x")
        w = param(call, "weights")
        if x.shape is None or len(x.shape) != 1 or x.dtype is None or _kind(x.dtype) not in "bui":
            raise Unknowable()  # ValueError / TypeError
        if w is not None:
            ws = shape_of(w)
            if ws != x.shape:
                raise Unknowable()  # ValueError: weights and x differ
        if x.shape[0] == 0 and param(call, "minlength") == 0:
            return TensorType((0,), "float64" if w is not None else "int64")
        return TensorType((dims.unknown(),), "float64" if w is not None else "int64")


@register
class Histogram(OpRule):
    """``np.histogram(a, bins=10, range=None, density=None, weights=None)``: ``(counts, edges)``: ``(bins,)`` and
    ``(bins + 1,)`` for an int ``bins``, ``(len(bins) - 1,)`` and ``(len(bins),)`` for edges given; the counts
    are ``int64`` (``float64`` with ``density`` or float weights)."""

    names = ("numpy.histogram",)
    params = ("a", "bins", "range", "density", "weights")
    defaults = {"bins": 10, "range": None, "density": None, "weights": None}
    examples = (Example({}, (100,), [(10,), (11,)]), Example({"bins": 4}, (3, 5), [(4,), (5,)]))

    def output(self, call: Call) -> tuple[TensorType, ...]:
        a = _array(call)
        bins, density, weights = param(call, "bins"), param(call, "density"), param(call, "weights")
        if is_int(bins):
            if bins < 1:
                raise Unknowable()  # ValueError
            n: Any = bins
        elif isinstance(bins, (list, tuple, TensorType)):
            s = shape_of(_as_arrays(bins) if isinstance(bins, (list, tuple)) else bins)
            if len(s) != 1 or not dims.is_known(s[0]) or s[0] < 1:  # type: ignore[operator]
                raise Unknowable()
            n = s[0] - 1  # type: ignore[operator]
        else:
            raise Unknowable()  # "auto" and other estimators: counted from the data
        if weights is not None:
            w = _as_arrays(weights) if isinstance(weights, (list, tuple)) else weights
            if not isinstance(w, TensorType) or w.shape != a.shape:
                raise Unknowable()
            counts = "float64" if density else result_type(w) if _kind(w.dtype or "float64") != "b" else None
        else:
            counts = "float64" if density else "int64"
        edges = "float64" if a.dtype is None or _kind(a.dtype) in "bui" else a.dtype
        if not is_int(bins):  # the edges given, as an array
            given = _as_arrays(bins) if isinstance(bins, (list, tuple)) else bins
            edges = given.dtype if isinstance(given, TensorType) else None
        return TensorType((n,), counts), TensorType((dims.add(n, 1),), edges)
