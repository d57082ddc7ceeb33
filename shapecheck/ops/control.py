"""The front end's own pseudo-ops: a tensor that is one of two (after an unknown ``if``), the
timestep a `TimeDistributed` model sees, the output a custom layer's ``compute_output_shape``
declares, and data handed to a layer (an eager tensor)."""

from __future__ import annotations

from ..core import dims
from ..core.rules import Call, Example, OpRule, Unknowable, as_dim, register
from ..core.shapes import TensorType
from .op_utils import param


@register
class Join(OpRule):
    """``shapecheck.join(a, b)``: either tensor; axes that agree are kept, others become opaque."""

    names = ("shapecheck.join",)
    examples = (
        Example({}, (None, 4), (None, 4), args=((None, 4),)),
    )

    def output(self, call: Call) -> TensorType:
        a, b = call.args[0], call.args[1]
        if not isinstance(a, TensorType) or not isinstance(b, TensorType):
            return TensorType(None, None)
        if a.shape is None or b.shape is None or len(a.shape) != len(b.shape):
            return TensorType(None, a.dtype if a.dtype == b.dtype else None)
        shape = tuple(x if (x is None and y is None) or dims.equal(x, y) else dims.unknown()
                      for x, y in zip(a.shape, b.shape))
        return TensorType(shape, a.dtype if a.dtype == b.dtype else None)


@register
class TimeStep(OpRule):
    """``shapecheck.time_step(x)``: one timestep of ``(batch, time, *rest)``, what
    ``TimeDistributed`` hands a wrapped model: ``(batch, *rest)``."""

    names = ("shapecheck.time_step",)
    examples = (
        Example({}, (None, 6, 16, 3), (None, 16, 3)),
    )

    def output(self, call: Call) -> TensorType:
        x = call.args[0]
        if not isinstance(x, TensorType) or x.shape is None or len(x.shape) < 3:
            raise Unknowable()
        return x.with_shape((x.shape[0], *x.shape[2:]))


@register
class TimeDistributed(OpRule):
    """``shapecheck.time_distributed(x, y)``: a wrapped model's output ``y`` for one timestep of
    ``x``, with ``x``'s time axis put back: ``(batch, time, *y_rest)``."""

    names = ("shapecheck.time_distributed",)
    examples = (
        Example({}, (None, 6, 16, 3), (None, 6, 4), args=((None, 4),)),
    )

    def output(self, call: Call) -> TensorType:
        x, y = call.args[0], call.args[1]
        if not isinstance(x, TensorType) or not isinstance(y, TensorType) or x.shape is None or y.shape is None \
                or len(x.shape) < 2 or len(y.shape) < 1:
            raise Unknowable()
        return y.with_shape((y.shape[0], x.shape[1], *y.shape[1:]))


@register
class DeclaredShape(OpRule):
    """``shapecheck.declared_shape(x, shape=...)``: the output of a layer defined in the analysed
    code whose ``compute_output_shape`` returned ``shape`` (a shape, or a list of shapes for
    several outputs). Keras 3 builds the symbolic output from it instead of tracing ``call``;
    its dtype is the layer's compute dtype, which the front end does not follow."""

    names = ("shapecheck.declared_shape",)
    params = ("x", "shape")
    examples = (
        Example({"shape": (None, 8)}, (None, 4), (None, 8)),
        Example({"shape": [(None, 8), (None, 2)]}, (None, 4), [(None, 8), (None, 2)]),
    )

    def output(self, call: Call) -> list[TensorType]:
        shape = param(call, "shape")
        if isinstance(shape, (tuple, list)) and shape and all(isinstance(s, (tuple, list)) for s in shape):
            return [TensorType(tuple(as_dim(d) for d in s), None) for s in shape]
        if isinstance(shape, (tuple, list)):
            return [TensorType(tuple(as_dim(d) for d in shape), None)]
        raise Unknowable()


@register
class EagerData(OpRule):
    """``shapecheck.eager(shape=..., dtype=...)``: data (a NumPy array, an eager tensor made from
    data) that the program hands to a layer, which then runs at once on it: an eager tensor of
    that shape and dtype, every axis (the batch's too) its size."""

    names = ("shapecheck.eager",)
    params = ("shape", "dtype")
    examples = (
        Example({"shape": (2, 3, 16), "dtype": "float32"}, None, (2, 3, 16)),
    )

    def output(self, call: Call) -> TensorType:
        shape, dtype = param(call, "shape"), param(call, "dtype")
        if not isinstance(shape, (tuple, list)):
            raise Unknowable()
        return TensorType(tuple(as_dim(d) for d in shape), dtype if isinstance(dtype, str) else None)
