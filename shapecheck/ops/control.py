"""The front end's own pseudo-op: a tensor that is one of two (after an unknown ``if``)."""

from __future__ import annotations

from ..core import dims
from ..core.rules import Call, Example, OpRule, register
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
