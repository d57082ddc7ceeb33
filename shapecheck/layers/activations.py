"""Rules for ``keras/src/layers/activations`` and ``core/Activation``: elementwise, same shape.

What Keras rejects: constructor arguments out of range, an unknown activation name,
a ``Softmax`` axis outside the input (only when data flows), and a ``PReLU`` whose
unshared axes are undefined (its ``alpha`` weight needs them) or differ once built.
"""

from __future__ import annotations

from typing import Any, Optional

from ..core.dims import Dim
from ..core.findings import AXIS_MISMATCH, INVALID_ARGUMENT, ShapeError
from ..core.rules import FLOATING, INTEGER, Call, Example, InputSpec, LayerRule, Unknowable, count, register
from ..core.shapes import Shape, TensorType, normalize_axis, show_shape
from .regularization import number

# keras.activations.ALL_OBJECTS_DICT in Keras 3.15.
ACTIVATIONS = frozenset({
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
    "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu",
    "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink", "threshold",
})


def check_activation(value: Any) -> None:
    """``keras.activations.get``: a string must name a Keras activation."""
    if isinstance(value, str) and value not in ACTIVATIONS:
        raise ShapeError(INVALID_ARGUMENT, f"Could not interpret activation function identifier: {value}")


def axes_list(value: Any) -> Optional[list[int]]:
    """An int-or-list axis argument as a list of ints; ``None`` when not all literal ints."""
    items = value if isinstance(value, (list, tuple)) else [value]
    if all(isinstance(a, int) and not isinstance(a, bool) for a in items):
        return list(items)
    return None


def normalized_axes(call: Call, shape: Shape) -> Optional[list[int]]:
    """The ``axis`` argument as distinct non-negative axes of ``shape``; ``None`` when not followed."""
    axes = axes_list(call.get("axis"))
    if axes is None:
        return None
    out: list[int] = []
    for a in axes:
        n = normalize_axis(a, len(shape))
        if n is None:
            raise ShapeError(INVALID_ARGUMENT, f"Axis {a} is out of bounds for input shape {show_shape(shape)}. "
                             f"Received: axis={call.get('axis')}")
        if n in out:
            # Keras builds the layer; the reduction then fails on data.
            raise ShapeError(INVALID_ARGUMENT, f"Axis {a} is repeated in axis={call.get('axis')} for input shape "
                             f"{show_shape(shape)}: the reduction fails when data flows.")
        out.append(n)
    return out


class _Elementwise(LayerRule):
    weightless = True

    def output(self, call: Call) -> TensorType:
        return call.input


@register
class Activation(_Elementwise):
    """Applies an activation function; same shape."""

    names = ("Activation",)
    params = ("activation",)
    examples = (
        Example({"activation": "relu"}, (None, 8), (None, 8)),
        Example({"activation": "softmax"}, (None, 3, 5), (None, 3, 5)),
        Example({"activation": "relux"}, (None, 8), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        check_activation(call.get("activation"))


@register
class ReLU(_Elementwise):
    """Rectified linear unit with optional cap, slope and threshold; same shape."""

    accepts = FLOATING | INTEGER
    accepts_sparse = False
    keeps_ragged = True
    names = ("ReLU",)
    params = ("max_value", "negative_slope", "threshold")
    examples = (
        Example({"max_value": 6.0}, (None, 8), (None, 8)),
        Example({"max_value": -1.0}, (None, 8), "invalid-argument"),
        Example({"negative_slope": -0.1}, (None, 8), "invalid-argument"),
        Example({"threshold": -1.0}, (None, 8), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        cfg = call.config
        max_value = number(cfg.get("max_value"))
        if max_value is not None and max_value < 0:
            raise ShapeError(INVALID_ARGUMENT, "max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={cfg['max_value']}")
        for key in ("negative_slope", "threshold"):
            if key in cfg and (cfg[key] is None or (number(cfg[key]) or 0) < 0):
                raise ShapeError(INVALID_ARGUMENT, f"{key} of a ReLU layer cannot be None or a negative value. "
                                 f"Received: {key}={cfg[key]}")


@register
class LeakyReLU(_Elementwise):
    """Leaky rectified linear unit; same shape."""

    accepts = FLOATING | INTEGER
    accepts_sparse = False
    keeps_ragged = True
    names = ("LeakyReLU",)
    params = ("negative_slope",)
    examples = (
        Example({"negative_slope": 0.2}, (None, 8), (None, 8)),
        Example({"negative_slope": -0.2}, (None, 8), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        cfg = call.config
        if "negative_slope" in cfg and (cfg["negative_slope"] is None or (number(cfg["negative_slope"]) or 0) < 0):
            raise ShapeError(INVALID_ARGUMENT, "The negative_slope value of a Leaky ReLU layer cannot be None or "
                             f"negative value. Expected a float. Received: negative_slope={cfg['negative_slope']}")


@register
class ELU(_Elementwise):
    """Exponential linear unit; same shape (any ``alpha`` is accepted)."""

    accepts = FLOATING
    accepts_sparse = False
    keeps_ragged = True
    names = ("ELU",)
    params = ("alpha",)
    examples = (Example({"alpha": 1.0}, (None, 4, 4), (None, 4, 4)),)


@register
class Softmax(_Elementwise):
    """Softmax over ``axis`` (an int or a list); same shape.  Keras builds the layer whatever the axis; the softmax
    fails as soon as data flows when an axis is outside the input or repeated."""

    accepts = FLOATING
    accepts_sparse = False
    keeps_ragged = True
    names = ("Softmax",)
    params = ("axis",)
    defaults = {"axis": -1}
    examples = (
        Example({}, (None, 10), (None, 10)),
        Example({"axis": [1, 2]}, (None, 3, 4), (None, 3, 4)),
        Example({"axis": 1}, (None, 3, 4), (None, 3, 4)),
        Example({"axis": 2}, (None, 10), "invalid-argument"),
        Example({"axis": 4}, (None, 5, 4), "invalid-argument"),
        Example({"axis": [1, 3]}, (None, 5, 4), "invalid-argument"),
        Example({"axis": [1, -2]}, (None, 5, 4), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        axis = call.get("axis")
        axes = axes_list(axis)
        if axes is not None:
            problem = self._data_failure(axes, isinstance(axis, (list, tuple)), len(shape))
            if problem:
                raise ShapeError(INVALID_ARGUMENT, f'Layer "{call.name}" cannot take the softmax of input shape '
                                 f"{show_shape(shape)} over axis={axis}: the layer builds, but fails as soon as data "
                                 f"flows ({problem}).")
        return call.input

    @staticmethod
    def _data_failure(axes: list[int], as_list: bool, rank: int) -> Optional[str]:
        """What ``Softmax.call`` raises: one axis goes to ``softmax``, several to ``logsumexp``."""
        if not axes:
            return "list index out of range: `axis` is an empty list"
        if len(axes) == 1 or not as_list:
            a = axes[0]
            if not -rank <= a < rank:
                return (f"`dim` must be in the range [-{rank}, {rank}) where {rank} is the number of dimensions in "
                        f"the input. Received: dim={a}")
            return None
        for a in axes:
            if not -rank <= a < rank:
                return f"Invalid reduction dimension {a} for input with {rank} dimensions"
        normalized = [a % rank for a in axes]
        repeated = [a for a in normalized if normalized.count(a) > 1]
        if repeated:
            return f"Invalid reduction arguments: Axes contains duplicate dimension: {repeated[0]}"
        return None


def _prelu_shared(call: Call) -> Optional[list[int]]:
    shared = call.get("shared_axes")
    if shared is None:
        return []
    return axes_list(shared)


@register
class PReLU(LayerRule):
    """Parametric ReLU: an ``alpha`` per unshared non-batch position; same shape.

    ``alpha`` has the input's non-batch shape with ``shared_axes`` set to 1, so every
    other non-batch axis must be defined; once built those axes are fixed.
    """

    accepts = FLOATING
    accepts_sparse = False
    keeps_ragged = True
    names = ("PReLU",)
    params = ("alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes")
    defaults = {"shared_axes": None}
    examples = (
        Example({}, (None, 8), (None, 8)),
        Example({"shared_axes": [1, 2]}, (None, None, None, 3), (None, None, None, 3)),
        Example({"shared_axes": 1}, (None, None, 3), (None, None, 3)),
        Example({}, (None, None), "axis-mismatch"),
        Example({"shared_axes": [3]}, (None, 4, 3), "invalid-argument"),
    )

    def _param_shape(self, call: Call) -> Optional[list[Dim]]:
        shape = call.shape
        shared = _prelu_shared(call)
        if shared is None:
            return None
        param: list[Dim] = list(shape[1:])
        for i in shared:
            # Keras writes param_shape[i - 1]: Python indexing, negative indices included.
            if not -len(param) <= i - 1 < len(param):
                raise ShapeError(INVALID_ARGUMENT, f"`shared_axes` {call.get('shared_axes')} are out of range for "
                                 f"input shape {show_shape(shape)}: list assignment index out of range")
            param[i - 1] = 1
        return param

    def output(self, call: Call) -> TensorType:
        param = self._param_shape(call)
        if param is not None and None in param and not call.built:
            raise ShapeError(AXIS_MISMATCH, f'Layer "{call.name}" needs every non-shared axis defined to create '
                             f"`alpha`, but received input with shape {show_shape(call.shape)}: Shapes used to "
                             "initialize variables must be fully-defined (no `None` dimensions).")
        return call.input

    def built_spec(self, call: Call) -> Optional[InputSpec]:
        shape = call.shape
        shared = _prelu_shared(call)
        if shared is None:
            return InputSpec(ndim=len(shape))
        axes = {i: shape[i] for i in range(1, len(shape)) if i not in shared} if shared else {}
        return InputSpec.fixed(axes, ndim=len(shape))

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """``alpha``: the input's non-batch shape, ``shared_axes`` set to 1."""
        param = self._param_shape(call)
        if param is None:
            raise Unknowable()
        return (count(param), 0)
