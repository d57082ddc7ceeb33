"""Functions that pick elements by index: ``take``, ``take_along_axis`` and TensorFlow's ``gather``,
``gather_nd``.

The indices' values are data; an index out of range is not reported (TensorFlow's
``gather`` raises on CPU but yields zeros on GPU).  Shapes are what these rules follow:
the indices' shape replaces the axis taken from.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.findings import INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.rules import Call, Example, OpRule, T, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from .op_utils import axis_index, broadcast_or_fail, is_int, known, param, shape_of, tensor


def _keras_list(shape: Shape) -> str:
    return "[" + ", ".join(dims.show(d) for d in shape) + "]"


def _integers(v: Any) -> bool:
    """Python ints only: an empty list converts to floats, which no gather takes."""
    if isinstance(v, (list, tuple)):
        return bool(v) and all(_integers(x) for x in v)
    return is_int(v)


def indices_shape(v: Any) -> Shape:
    """The shape of an indices argument: a tensor's, or a Python int or nested list of ints'."""
    if not isinstance(v, TensorType) and not _integers(v):
        raise Unknowable()
    return shape_of(v)


class _Take(OpRule):
    params: ClassVar[tuple[str, ...]] = ("x", "indices", "axis")
    defaults: ClassVar[dict[str, Any]] = {"axis": None}

    def output(self, call: Call) -> TensorType:
        taken = indices_shape(param(call, self.params[1]))
        axis = known(param(call, self.params[2]))
        source = param(call, self.params[0])
        if axis is None and isinstance(source, TensorType):
            return source.with_shape(taken)  # whatever the rank of `x`
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        if axis is None:
            return x.with_shape(taken)
        a = self.axis(axis, len(shape))
        return x.with_shape(shape[:a] + taken + shape[a + 1:])

    def axis(self, axis: Any, rank: int) -> int:
        return axis_index(axis, rank)


@register
class Take(_Take):
    """``keras.ops.take(x, indices, axis=None)``: ``axis`` is replaced by the indices' shape (the flattened ``x``
    when ``axis`` is None); ``axis`` within the rank."""

    names = ("keras.ops.take",)
    examples = (
        Example({"axis": 1}, (None, 10, 4), (None, 5, 4), args=(T((5,), "int32"),)),
        Example({"indices": [0, 2], "axis": -1}, (None, 3), (None, 2)),
        Example({"indices": 1, "axis": 1}, (None, 3, 4), (None, 4)),
        Example({"axis": None}, (None, 3), (2, 5), args=(T((2, 5), "int32"),)),
        Example({"indices": [0, 1], "axis": 2}, (None, 3), "invalid-argument"),
    )


@register
class TfGather(_Take):
    """``tf.gather(params, indices, axis=None, batch_dims=0)``: ``axis`` (0 by default) is replaced by the indices'
    shape."""

    names = ("tensorflow.gather",)
    params = ("params", "indices", "validate_indices", "axis", "batch_dims")
    defaults = {"axis": None, "batch_dims": 0}
    keras_equivalent = "keras.ops.take"
    examples = (
        Example({"axis": 1}, (None, 10, 4), (None, 5, 4), args=(T((5,), "int32"),)),
        Example({"indices": [[0, 1]]}, (6, 4), (1, 2, 4)),
        Example({"indices": [0], "axis": 2}, (None, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        if known(param(call, "batch_dims")) != 0:
            raise Unknowable()
        x = tensor(call, self.params[0])
        shape = x.shape
        assert shape is not None
        axis = param(call, "axis")
        a = self.axis(0 if axis is None else axis, len(shape))
        return x.with_shape(shape[:a] + indices_shape(param(call, self.params[1])) + shape[a + 1:])

    def axis(self, axis: Any, rank: int) -> int:
        axis = known(axis)
        if not is_int(axis):
            raise Unknowable()
        if not -rank <= axis < rank:
            raise ShapeError(INVALID_ARGUMENT, f"Shape must be at least rank {axis + 1 if axis >= 0 else -axis} but "
                             f"is rank {rank}: axis={axis} is out of range for params of rank {rank}.")
        return axis % rank


@register
class KGather(TfGather):
    """``K.gather(reference, indices)``: the first axis is replaced by the indices' shape."""

    names = ("keras.backend.gather",)
    params = ("reference", "indices")
    examples = (Example({}, (6, 4), (None, 3, 4), args=(T((None, 3), "int32"),)),)


@register
class TakeAlongAxis(OpRule):
    """``keras.ops.take_along_axis(x, indices, axis=None)``: ``x`` and ``indices`` have one rank (``x`` flattened
    when ``axis`` is None); their other axes broadcast, ``axis`` takes the indices' size."""

    names = ("keras.ops.take_along_axis",)
    params = ("x", "indices", "axis")
    defaults = {"axis": None}
    examples = (
        Example({"axis": 1}, (None, 10, 4), (None, 3, 4), args=(T((None, 3, 4), "int32"),)),
        Example({"axis": -1}, (None, 10), (None, 1), args=(T((None, 1), "int32"),)),
        Example({"axis": 0}, (2, 10), (3, 10), args=(T((3, 1), "int32"),)),
        Example({}, (2, 5), (4,), args=(T((4,), "int32"),)),
        Example({"axis": 1}, (None, 10, 4), "rank-mismatch", args=(T((None, 3), "int32"),)),
        Example({"axis": 1}, (None, 10, 4), "incompatible-shapes", args=(T((None, 3, 5), "int32"),)),
        Example({"axis": 3}, (None, 10, 4), "invalid-argument", args=(T((None, 3, 4), "int32"),)),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        indices = param(call, "indices")
        if not isinstance(indices, TensorType) or indices.shape is None:
            raise Unknowable()
        shape, ind = x.shape, indices.shape
        assert shape is not None
        axis = known(param(call, "axis"))
        if axis is None:
            shape = (None,) if None in shape else (dims.product(shape),)
        if len(shape) != len(ind):
            raise ShapeError(RANK_MISMATCH, "`x` and `indices` must have the same number of dimensions, but receive "
                             f"shape {_keras_list(shape)} and {_keras_list(ind)}.")
        a = 0 if axis is None else axis_index(axis, len(shape))
        shape = shape[:a] + (ind[a],) + shape[a + 1:]
        return x.with_shape(broadcast_or_fail(shape, ind))


@register
class TfGatherNd(OpRule):
    """``tf.gather_nd(params, indices)``: the indices' last axis (at most the rank of ``params``) addresses that many
    leading axes of ``params``; the result is ``indices.shape[:-1] + params.shape[k:]``."""

    names = ("tensorflow.gather_nd",)
    params = ("params", "indices", "batch_dims")
    defaults = {"batch_dims": 0}
    examples = (
        Example({"indices": [[0, 1], [1, 2]]}, (4, 3, 5), (2, 5)),
        Example({}, (None, 3, 5), (None, 7, 3, 5), args=(T((None, 7, 1), "int32"),)),
        Example({"indices": [[0, 1, 1, 1]]}, (4, 3, 5), "rank-mismatch"),
        Example({"indices": 0}, (4, 3, 5), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        if known(param(call, "batch_dims")) != 0:
            raise Unknowable()
        x = tensor(call, "params")
        shape = x.shape
        assert shape is not None
        ind = indices_shape(param(call, "indices"))
        if not ind:
            raise ShapeError(RANK_MISMATCH, "indices must be at least a vector: received indices of shape ().")
        k = ind[-1]
        if not is_int(k):
            raise Unknowable()  # how many axes each index addresses decides the output rank
        if k > len(shape):
            raise ShapeError(RANK_MISMATCH, f"index innermost dimension length must be <= params rank; saw: {k} vs. "
                             f"{len(shape)} (indices of shape {show_shape(ind)}, params of shape "
                             f"{show_shape(shape)})")
        return x.with_shape(ind[:-1] + shape[k:])


# -- more TensorFlow spellings (tf.keras 2: TFOpLambda on Keras tensors) ------------------

@register
class TfBooleanMask(OpRule):
    """``tf.boolean_mask(tensor, mask, axis=None)``: the ``mask.ndim`` axes from ``axis`` on, whose shape the
    mask must have, become one axis of undefined size (the count of true entries)."""

    names = ("tensorflow.boolean_mask",)
    params = ("tensor", "mask", "axis")
    defaults = {"axis": None}
    examples = (
        Example({}, (None, 3, 4), (None, 4), args=(T((None, 3), "bool"),)),
        Example({"axis": 1}, (None, 3, 4), (None, None), args=(T((3, 4), "bool"),)),
        Example({}, (None, 3), "incompatible-shapes", args=(T((None, 4), "bool"),)),
        Example({}, (None, 3), "rank-mismatch", args=(T((None, 3, 1), "bool"),)),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "tensor")
        m = shape_of(param(call, "mask"))
        axis = known(param(call, "axis"))
        a = 0 if axis is None else axis
        if not is_int(a):
            raise Unknowable()
        k = len(m)
        if k == 0:
            raise ShapeError(RANK_MISMATCH, "mask cannot be scalar.")
        # TensorFlow slices the shape with ``axis`` as given (a negative one is not wrapped)
        part = x.shape[a:a + k] if a + k != 0 else ()
        if len(part) != k:
            raise ShapeError(RANK_MISMATCH, f"Shapes {show_shape(part)} and {show_shape(m)} are incompatible: the "
                             f"mask's {k} axes from axis {axis} do not fit the tensor {show_shape(x.shape)}")
        for d, e in zip(part, m):
            if dims.differs(d, e):
                raise ShapeError(INCOMPATIBLE_SHAPES, f"Shapes {show_shape(part)} and {show_shape(m)} are "
                                 f"incompatible (tensor {show_shape(x.shape)}, mask from axis {axis})")
        if a < 0:
            raise Unknowable()  # TensorFlow gathers on the reshaped tensor with the same negative axis
        return TensorType(x.shape[:a] + (None,) + x.shape[a + k:], x.dtype)


@register
class TfEmbeddingLookup(OpRule):
    """``tf.nn.embedding_lookup(params, ids, max_norm=None)``: ``ids``'s shape, then ``params``'s shape after
    its first axis."""

    names = ("tensorflow.nn.embedding_lookup",)
    params = ("params", "ids", "max_norm")
    defaults = {"max_norm": None}
    keras_equivalent = "keras.ops.take"
    examples = (
        Example({}, (10, 4), (None, 3, 4), args=(T((None, 3), "int32"),)),
        Example({}, (10,), (None,), args=(T((None,), "int32"),)),
    )

    def output(self, call: Call) -> TensorType:
        p = param(call, "params")
        if isinstance(p, (list, tuple)):
            raise Unknowable()  # sharded params
        x = tensor(call, "params")
        ids = shape_of(param(call, "ids"))
        if not x.shape:
            raise ShapeError(RANK_MISMATCH, "params must be at least a vector: the embeddings have rank 0")
        return TensorType(ids + x.shape[1:], x.dtype)
