"""Data the program makes: NumPy arrays, eager tensors, ``tf.data`` datasets.

Training data is not part of the Keras graph: functions applied to it run at once, so the
interpreter evaluates them here, with the same rules (``np.reshape`` is ``keras.ops.reshape``'s
arithmetic), without graph nodes and without findings — a data operation that would fail
simply leaves its result unknown. What this module follows is what ``fit``/``predict`` are
checked against (:mod:`.training`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

from ..core import dims
from ..core.ir import UNKNOWN
from ..core.rules import OPS, Unknowable
from ..core.shapes import TensorType
from ..ops import data as data_rules
from . import images
from .values import Array, BoundMethod, Dataset, FunctionValue, Image, ImageGenerator, QualName, Tensor

if TYPE_CHECKING:
    from .interpreter import Interpreter

#: names whose calls make data from plain values (no array argument needed)
_SOURCES = ("numpy.", "keras.datasets.", "keras.utils.", "sklearn.", "keras.preprocessing.")
_DATASET = "tensorflow.data.Dataset"
_TIMESERIES = ("keras.utils.timeseries_dataset_from_array", "keras.preprocessing.timeseries_dataset_from_array")
#: Dataset methods that keep the element as it is
_KEEP = {"shuffle", "prefetch", "cache", "repeat", "take", "skip", "with_options", "shard", "filter",
         "apply_options", "ignore_errors", "assert_cardinality"}
#: Python operators on arrays: NumPy's functions (their dtype rules), not Keras's
_NUMPY_BINOPS = {f"keras.ops.{n}": f"numpy.{n}" for n in (
    "add", "subtract", "multiply", "divide", "floor_divide", "mod", "power", "matmul", "logical_or", "logical_and")}


def _has(v: Any, kind: type) -> bool:
    if isinstance(v, kind):
        return True
    if isinstance(v, (list, tuple)):
        return any(_has(x, kind) for x in v)
    if isinstance(v, dict):
        return any(_has(x, kind) for x in v.values())
    return False


class DataFlow:
    """The interpreter's part for data; one per interpreter."""

    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp
        #: :meth:`text` per node (by identity; the node kept alive with it): a loop that fills an
        #: array element by element asks for the same expression's text thousands of times
        self._texts: dict[int, tuple[cst.CSTNode, str]] = {}

    # -- which calls are data ----------------------------------------------
    def handles(self, name: str, args: list, kwargs: dict) -> bool:
        if _has(args, Tensor) or _has(kwargs, Tensor):
            return False  # a Keras tensor: the graph's business
        if name.startswith(_SOURCES) or name.startswith(_DATASET) or name in images.FUNCTIONS:
            return True
        # keras.ops / tf functions of data run eagerly: their result is data too.
        return (name in OPS or name.startswith("tensorflow.")) and (_has(args, Array) or _has(kwargs, Array))

    def call(self, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        name = data_rules.ALIASES.get(name, name)
        if name in ("numpy.random.default_rng", "numpy.random.Generator"):
            return QualName("numpy.random.Generator")  # its methods have rules of their own
        if name == "numpy.random.RandomState":
            return QualName("numpy.random.RandomState")
        if name.startswith(_DATASET + "."):
            return self.dataset_source(name[len(_DATASET) + 1:], args, kwargs, node)
        if name in images.FUNCTIONS or _has(args, Image):
            return self.image_call(name, args, kwargs, node)
        if name in _TIMESERIES:
            return self.timeseries(args, kwargs, node)
        return self.apply(name, args, kwargs, node)

    def timeseries(self, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        """``timeseries_dataset_from_array(data, targets, sequence_length, ..., batch_size=128)``:
        windows of ``sequence_length`` steps of ``data``'s rows, with the target of each window's
        first step (``targets=None``: the windows alone), batched unless ``batch_size=None``."""
        params = ("data", "targets", "sequence_length", "sequence_stride", "sampling_rate", "batch_size", "shuffle",
                  "seed", "start_index", "end_index", "format")
        if len(args) > len(params) or any(k not in params for k in kwargs):
            return UNKNOWN
        bound = {**dict(zip(params, args)), **kwargs}
        data, targets, length = bound.get("data"), bound.get("targets", UNKNOWN), bound.get("sequence_length")
        batch_size = bound.get("batch_size", 128)
        if not isinstance(data, Array) or not data.type.shape or not dims.is_known(length) or length <= 0 \
                or not (batch_size is None or (dims.is_known(batch_size) and batch_size > 0)) \
                or not (targets is None or (isinstance(targets, Array) and targets.type.shape)) \
                or bound.get("format", "tf") != "tf" or not _timeseries_valid(bound, data.type.shape[0]):
            return UNKNOWN  # (or one of Keras's ValueErrors)
        batch: tuple = () if batch_size is None else (None,)
        origin, what = self.interp.span(node), self.text(node)
        windows = Array(TensorType((*batch, length, *data.type.shape[1:]), data.type.dtype), origin, what)
        if targets is None:
            return Dataset(windows, origin, batched=batch_size is not None)
        assert isinstance(targets, Array) and targets.type.shape
        labels = Array(TensorType((*batch, *targets.type.shape[1:]), targets.type.dtype), origin, what)
        return Dataset((windows, labels), origin, batched=batch_size is not None)

    def image_call(self, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        """Images and text read from files (:mod:`.images`): what the source says of their sizes."""
        if name in images.LOAD_IMG:
            return images.load_img(args, kwargs, self.interp.engine.keras_version) or UNKNOWN
        if name == images.PIL_OPEN:
            return images.open_image(args, kwargs)
        if name in images.IMAGE_DATASET or name in images.TEXT_DATASET:
            return images.from_directory(self, name, args, kwargs, node)
        if name == images.GENERATOR:
            return images.image_generator(args, kwargs, self.interp._data_format)
        if name in images.CV2:
            t = images.cv2_call(name, args, kwargs)
            return UNKNOWN if t is None else self.make(t, node)
        t = None
        if name in images.IMG_TO_ARRAY and len(args) <= 3:
            bound = {**dict(zip(("img", "data_format", "dtype"), args)), **kwargs}
            data_format = bound.get("data_format")
            t = images.img_to_array(bound.get("img"), self.interp._data_format if data_format is None else data_format,
                                    self.value(bound.get("dtype")))
        elif name in ("numpy.asarray", "numpy.array") and args and isinstance(args[0], Image) and len(args) <= 2 \
                and set(kwargs) <= {"dtype"}:
            t = images.as_array(args[0], self.value(args[1] if len(args) > 1 else kwargs.get("dtype")))
        return UNKNOWN if t is None else self.make(t, node)

    def generator_attribute(self, gen: ImageGenerator, attr: str) -> Any:
        return BoundMethod(gen, attr) if attr in images.GENERATOR_METHODS else UNKNOWN

    def image_attribute(self, image: Image, attr: str) -> Any:
        if attr in images.IMAGE_METHODS:
            return BoundMethod(image, attr)
        return images.image_attribute(image, attr)

    def apply(self, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        """A data function (NumPy, ``keras.utils``, ``keras.datasets``, scikit-learn; or a Keras or
        TensorFlow function given data) on the arrays' types: its arrays, nested as it returns them."""
        values = [self.value(a) for a in args]
        kw = {k: self.value(v) for k, v in kwargs.items()}
        structure = None
        if name in OPS:  # a rule of its own: also says how its outputs nest (load_data's pairs)
            outputs, structure, _error = self.interp.engine.eager(name, values, kw)
        else:  # a NumPy function computed by a keras.ops rule, with NumPy's arguments and dtypes
            try:
                outputs = data_rules.numpy_types(name, values, kw, self.interp.engine.keras_version)
            except Unknowable:
                return UNKNOWN
        if outputs is None:
            return UNKNOWN
        arrays = [self.make(t, node) for t in outputs]
        if structure is not None:
            def nest(s: Any) -> Any:
                return tuple(nest(x) for x in s) if isinstance(s, (list, tuple)) else arrays[s]

            try:
                return nest(structure)
            except IndexError:
                return UNKNOWN
        return arrays[0] if len(arrays) == 1 else list(arrays)

    def value(self, v: Any) -> Any:
        """A call argument for a rule: arrays as tensor types, the rest as literals."""
        if isinstance(v, Array):
            return v.type
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, tuple):
            return tuple(self.value(x) for x in v)
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, QualName):
            # np.float32, tf.int64: a dtype by its name
            tail = v.name.rsplit(".", 1)[-1]
            return tail if tail in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                                    "bool", "bfloat16", "string") else UNKNOWN
        return self.interp.literal(v, False)

    def make(self, t: TensorType, node: cst.CSTNode) -> Array:
        return Array(t, self.interp.span(node), self.text(node))

    def text(self, node: cst.CSTNode) -> str:
        """The expression as written (``np.zeros((8, 3))``), for the notes; short ones only."""
        cached = self._texts.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        try:
            code = " ".join(self.interp.module.code_for_node(node).split())
        except Exception:  # noqa: BLE001 - a node of another module: the notes do without it
            code = ""
        text = f"`{code}`" if code and len(code) <= 60 else ""
        self._texts[id(node)] = (node, text)
        return text

    # -- arrays as objects ---------------------------------------------------
    def attribute(self, a: Array, attr: str, node: cst.CSTNode) -> Any:
        shape = a.type.shape
        if attr == "shape":
            return UNKNOWN if shape is None else tuple(d if isinstance(d, int) else UNKNOWN for d in shape)
        if attr == "ndim":
            return UNKNOWN if shape is None else len(shape)
        if attr == "dtype":
            return a.type.dtype or UNKNOWN
        if attr == "size":
            if shape is None or not all(isinstance(d, int) for d in shape):
                return UNKNOWN
            n = 1
            for d in shape:
                n *= d
            return n
        if attr == "T":
            return self.apply("numpy.ndarray.T", [a], {}, node)
        return BoundMethod(a, attr)

    def method(self, a: Array, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        if name == "copy":
            return Array(a.type, a.origin, a.what)
        own = data_rules.ARRAY_METHODS.get(name)
        if own is None:
            return UNKNOWN
        return self.apply(own, [a, *args], kwargs, node)

    def subscript(self, a: Array, index: Any, node: cst.CSTNode) -> Any:
        if index is UNKNOWN:
            return UNKNOWN
        return self.apply("numpy.ndarray.__getitem__", [a, index], {}, node)

    def binop(self, keras_op: str, left: Any, right: Any, node: cst.CSTNode) -> Any:
        if not keras_op:
            return UNKNOWN
        # a string against string data (`parts[-2] == "cats"`): a scalar string
        left, right = (Array(TensorType((), "string")) if isinstance(v, str) and isinstance(w, Array)
                       and w.type.dtype == "string" else v for v, w in ((left, right), (right, left)))
        for v in (left, right):
            if not (isinstance(v, Array) or (isinstance(v, (int, float)) and not isinstance(v, bool))):
                return UNKNOWN
        name = _NUMPY_BINOPS.get(keras_op, keras_op)
        out = self.apply(name, [left, right], {}, node)
        if isinstance(out, Array):
            # Arithmetic keeps the data's story: where it was made.
            src = left if isinstance(left, Array) else right
            out.origin, out.what = src.origin, src.what
        return out

    def join(self, x: Array, y: Array) -> Array:
        """An array that is ``x`` on one path and ``y`` on another."""
        a, b = x.type.shape, y.type.shape
        if a is None or b is None or len(a) != len(b):
            shape = None
        else:
            shape = tuple(p if dims.equal(p, q) else dims.unknown() for p, q in zip(a, b))
        dtype = x.type.dtype if x.type.dtype == y.type.dtype else None
        return Array(TensorType(shape, dtype), x.origin, x.what)

    # -- tf.data -------------------------------------------------------------
    def dataset_source(self, method: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        if method == "list_files":  # the names of the files that match: one string each
            return Dataset(self.make(TensorType((), "string"), node), self.interp.span(node), batched=False)
        data = args[0] if args else kwargs.get("tensors", kwargs.get("tensor_slices", UNKNOWN))
        if method == "from_tensor_slices":
            element = _map(data, lambda a: self.slice_first(a))
        elif method == "from_tensors":
            element = data
        else:
            return UNKNOWN
        if element is UNKNOWN or not _arrays_and_unknowns(element):
            return Dataset(UNKNOWN, self.interp.span(node))  # (a part not followed leaves the others known)
        counts = {a.type.shape[0] for a in arrays_in(data) if a.type.shape} if method == "from_tensor_slices" else set()
        count = counts.pop() if len(counts) == 1 and isinstance(next(iter(counts)), int) else None
        return Dataset(element, self.interp.span(node), batched=False, count=count)

    def slice_first(self, a: Any) -> Any:
        if isinstance(a, (int, float)) and not isinstance(a, bool):
            return UNKNOWN
        if not isinstance(a, Array) or a.type.shape is None or not a.type.shape:
            return UNKNOWN
        return Array(TensorType(a.type.shape[1:], a.type.dtype), a.origin, a.what)

    def dataset_method(self, ds: Dataset, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        if name in _KEEP:
            # shuffle, prefetch, cache keep the samples; take, skip, filter, repeat change their count
            count = ds.count if name in ("shuffle", "prefetch", "cache", "with_options") else None
            return Dataset(ds.element, ds.origin, ds.batched, count, ds.first_batch)
        if ds.element is UNKNOWN:
            return Dataset(UNKNOWN, ds.origin, ds.batched)
        if name == "batch":
            size = args[0] if args else kwargs.get("batch_size", UNKNOWN)
            drop = kwargs.get("drop_remainder", args[1] if len(args) > 1 else False)
            batch: dims.Dim = size if isinstance(size, int) and drop is True else None
            first = None
            if isinstance(size, int) and not isinstance(size, bool) and size > 0:
                first = size if drop is True else (min(size, ds.count) if ds.count else None)
            return Dataset(_map(ds.element, lambda a: Array(
                TensorType(None if a.type.shape is None else (batch, *a.type.shape), a.type.dtype), a.origin,
                a.what)), ds.origin, batched=True, first_batch=first)
        if name == "unbatch":
            return Dataset(_map(ds.element, self.slice_first), ds.origin, batched=False)
        if name == "map" and args:
            fn = args[0]
            if not isinstance(fn, FunctionValue):
                return Dataset(UNKNOWN, ds.origin, ds.batched)
            parts = list(ds.element) if isinstance(ds.element, tuple) else [ds.element]
            out = self.interp.call_function(fn, parts, {}, node)
            if isinstance(out, list):
                out = tuple(out)
            out = _leaves_unknown(out)
            if not _arrays_and_unknowns(out):
                out = UNKNOWN
            return Dataset(out, ds.origin, ds.batched, ds.count, ds.first_batch)
        return UNKNOWN


def _map(v: Any, fn: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_map(x, fn) for x in v)
    if isinstance(v, list):
        return UNKNOWN  # tf.data stacks a list into one tensor: not followed
    if isinstance(v, dict):
        return {k: _map(x, fn) for k, x in v.items()}
    if isinstance(v, Array):
        return fn(v)
    return UNKNOWN


def arrays_in(v: Any) -> list[Array]:
    """The arrays in a value: itself, or those in its lists, tuples and dicts."""
    if isinstance(v, (tuple, list)):
        return [a for x in v for a in arrays_in(x)]
    if isinstance(v, dict):
        return [a for x in v.values() for a in arrays_in(x)]
    return [v] if isinstance(v, Array) else []


def _timeseries_valid(bound: dict, rows: Any) -> bool:
    """``timeseries_dataset_from_array``'s checks of its indices and strides, on known values."""
    if not dims.is_known(rows):
        return False
    start, end = bound.get("start_index"), bound.get("end_index")
    rate, stride = bound.get("sampling_rate", 1), bound.get("sequence_stride", 1)
    if not all(v is None or dims.is_known(v) for v in (start, end)) or not all(map(dims.is_known, (rate, stride))):
        return False
    if start and not 0 <= start < rows:
        return False
    if end and ((start and end <= start) or end >= rows or end <= 0):
        return False
    return 0 < rate < rows and 0 < stride < rows


def _leaves_unknown(v: Any) -> Any:
    """A map function's result with each part that is not data unknown (a TensorFlow op on a value
    not followed gives a tensor of unknown shape)."""
    if isinstance(v, tuple):
        return tuple(_leaves_unknown(x) for x in v)
    if isinstance(v, dict):
        return {k: _leaves_unknown(x) for k, x in v.items()}
    return v if isinstance(v, Array) else UNKNOWN


def _arrays_and_unknowns(v: Any) -> bool:
    """A dataset element whose structure is known: arrays, some parts perhaps unknown (a label
    shapecheck does not follow leaves the images checked against the model)."""
    if isinstance(v, (tuple, dict)):
        parts = list(v.values()) if isinstance(v, dict) else list(v)
        return all(p is UNKNOWN or _arrays_and_unknowns(p) for p in parts) and bool(arrays_in(v))
    return isinstance(v, Array)
