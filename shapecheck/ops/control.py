"""The front end's own pseudo-ops: a tensor that is one of two (after an unknown ``if``), and
the timestep a `TimeDistributed` model sees."""

from __future__ import annotations

from ..core import dims
from ..core.rules import Call, Example, OpRule, Unknowable, register
from ..core.shapes import TensorType


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
