"""Rules for ``keras/src/layers/normalization``: the output always has the input's shape.

What Keras rejects: an axis outside the input (``IndexError`` when the weights are
built, or an error from the op when data flows), the same axis named twice, a
normalised axis that is ``None`` where a weight (``gamma``, ``beta``) needs its size,
and ``GroupNormalization`` groups that do not divide the channels.
``SpectralNormalization`` wraps a layer with a kernel and returns that layer's output.
"""

from __future__ import annotations

from typing import Any, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import AXIS_MISMATCH, INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, ShapeError
from ..core.ir import UNKNOWN, LayerRef
from ..core.rules import (
    FLOATING, LAYERS, NUMERIC, Call, Example, InputSpec, LayerRule, Unknowable, count, known_int, register,
)
from ..core.shapes import Shape, TensorType, broadcast, normalize_axis, show_shape
from . import conv_utils as cu
from .activations import axes_list, normalized_axes
from .regularization import number


def check_axis_type(call: Call, layer: str) -> None:
    """``LayerNormalization``/``UnitNormalization``: ``axis`` is an int or a list/tuple of ints."""
    axis = call.get("axis")
    if isinstance(axis, (str, float, bool)) or axis is None:
        raise ShapeError(INVALID_ARGUMENT, f"Invalid value for `axis` argument of {layer}: expected an int or a "
                         f"list/tuple of ints. Received: axis={axis!r}")


def require_defined(call: Call, shape: Shape, axes: list[int], weight: str) -> None:
    """A weight sized by these axes needs them defined (``add_weight`` rejects ``None``)."""
    if not call.built and any(shape[a] is None for a in axes):
        raise ShapeError(AXIS_MISMATCH, f'Layer "{call.name}" needs axes {axes} defined to create `{weight}`, but '
                         f"received input with shape {show_shape(shape)}: Shapes used to initialize variables must "
                         "be fully-defined (no `None` dimensions).")


@register
class BatchNormalization(LayerRule):
    """Normalises over every axis but ``axis``; its weights fix ``axis`` (and the rank) once built."""

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    names = ("BatchNormalization",)
    params = ("axis", "momentum", "epsilon", "center", "scale")
    defaults = {"axis": -1}
    examples = (
        Example({}, (None, 32), (None, 32)),
        Example({"axis": 1}, (None, 3, None, None), (None, 3, None, None)),
        Example({}, (None, None), "axis-mismatch"),
        Example({"axis": 0}, (None, 3), "axis-mismatch"),
        Example({"axis": 3}, (None, 3), "invalid-argument"),
        Example({"axis": [1]}, (None, 3), "invalid-argument"),
    )

    def _axis(self, call: Call) -> Optional[int]:
        axis = call.get("axis")
        if call.keras_version < 3 and isinstance(axis, (list, tuple)):
            raise Unknowable()  # tf.keras 2 normalizes over several axes: not followed
        if isinstance(axis, (list, tuple, dict, str)) or axis is None:
            raise ShapeError(INVALID_ARGUMENT, f"`axis` of BatchNormalization must be an integer (Keras calls "
                             f"int(axis)). Received: axis={axis!r}")
        v = number(axis)
        return None if v is None else int(v)

    def check_config(self, call: Call) -> None:
        self._axis(call)

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        axis = self._axis(call)
        if axis is not None:
            if normalize_axis(axis, len(shape)) is None:
                raise ShapeError(INVALID_ARGUMENT, f"Axis {axis} is out of bounds for input shape "
                                 f"{show_shape(shape)}. Received: axis={axis}")
            require_defined(call, shape, [axis % len(shape)], "gamma")
        return call.input

    def built_spec(self, call: Call) -> Optional[InputSpec]:
        shape = call.shape
        axis = self._axis(call)
        if axis is None:
            return InputSpec(ndim=len(shape))
        return InputSpec.fixed({axis: shape[axis]}, ndim=len(shape))

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """``gamma`` (``scale``) and ``beta`` (``center``) trained; ``moving_mean``, ``moving_variance``
        (and with ``renorm`` ``moving_stddev``, ``renorm_mean``, ``renorm_stddev``) not: each ``(channels,)``."""
        axis = self._axis(call)
        if axis is None:
            raise Unknowable()
        n = known_int(call.shape[axis])
        renorm = call.flag("renorm", False)
        if renorm and call.keras_version < 3:
            raise Unknowable()
        trained = n * (call.flag("scale", True) + call.flag("center", True))
        return (trained, n * (5 if renorm else 2))


@register
class LayerNormalization(LayerRule):
    """Normalises over ``axis`` (an int or a list) per sample; ``gamma``/``beta`` need those axes defined."""

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    names = ("LayerNormalization",)
    params = ("axis", "epsilon", "center", "scale")
    defaults = {"axis": -1, "center": True, "scale": True}
    examples = (
        Example({}, (None, 10, 32), (None, 10, 32)),
        Example({"axis": [1, 2]}, (None, 3, 4), (None, 3, 4)),
        Example({"center": False, "scale": False}, (None, None), (None, None)),
        Example({}, (None, None), "axis-mismatch"),
        Example({"axis": [1, 3]}, (None, 3, 4), "invalid-argument"),
        Example({"axis": [-1, 2]}, (None, 3, 4), "invalid-argument"),
        Example({"axis": "last"}, (None, 3, 4), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        check_axis_type(call, "LayerNormalization")

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        axes = normalized_axes(call, shape)
        weights = call.config.get("center") is not False or call.config.get("scale") is not False
        if axes is not None and weights:
            require_defined(call, shape, axes, "gamma")
        return call.input

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """``gamma`` (``scale`` or ``rms_scaling``) and ``beta`` (``center``, not ``rms_scaling``), each
        shaped like the normalised axes."""
        axes = normalized_axes(call, call.shape)
        if axes is None:
            raise Unknowable()
        rms = call.flag("rms_scaling", False)
        if rms and call.keras_version < 3:
            raise Unknowable()
        gamma = call.flag("scale", True) or rms
        beta = call.flag("center", True) and not rms
        if not (gamma or beta):
            return (0, 0)
        return (count([call.shape[a] for a in axes]) * (gamma + beta), 0)


@register
class RMSNormalization(LayerRule):
    """Root-mean-square normalisation over ``axis``; its ``scale`` weight needs those axes defined.

    Keras multiplies by ``scale`` without reshaping it, so the normalised axes must also
    broadcast against the input's last axes.
    """

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    names = ("RMSNormalization",)
    params = ("axis", "epsilon")
    defaults = {"axis": -1}
    examples = (
        Example({}, (None, 10, 32), (None, 10, 32)),
        Example({"axis": [1, 2]}, (None, 3, 4), (None, 3, 4)),
        Example({}, (None, None), "axis-mismatch"),
        Example({"axis": 4}, (None, 3), "invalid-argument"),
        Example({"axis": 1}, (None, 2, 3), "incompatible-shapes"),
    )

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        axes = normalized_axes(call, shape)
        if axes is not None:
            require_defined(call, shape, axes, "scale")
            # ops.rms_normalization multiplies by `scale` as it is: it must broadcast on the right.
            # Keras sorts the axes as given (negative ones first) to shape it.
            scale = tuple(shape[a] for a in sorted(axes_list(call.get("axis")) or []))
            if broadcast(shape, scale) is None:
                raise ShapeError(INCOMPATIBLE_SHAPES, f"RMSNormalization's scale of shape {show_shape(scale)} "
                                 f"(axis={call.get('axis')}) does not broadcast against the input of shape "
                                 f"{show_shape(shape)}: Incompatible shapes when data flows.")
        return call.input

    def weights(self, call: Call) -> tuple[int, int]:
        """``scale``, shaped like the normalised axes."""
        axes = normalized_axes(call, call.shape)
        if axes is None:
            raise Unknowable()
        return (count([call.shape[a] for a in axes]), 0)


@register
class UnitNormalization(LayerRule):
    """L2-normalises along ``axis``; no weights, so ``None`` axes are fine."""

    weightless = True

    accepts = FLOATING
    accepts_sparse = False
    keeps_ragged = True
    names = ("UnitNormalization",)
    params = ("axis",)
    defaults = {"axis": -1}
    examples = (
        Example({}, (None, None), (None, None)),
        Example({"axis": [1, 2]}, (None, 3, 4), (None, 3, 4)),
        Example({"axis": 4}, (None, 3), "invalid-argument"),
        Example({"axis": [1, 1]}, (None, 3, 4), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        check_axis_type(call, "UnitNormalization")

    def output(self, call: Call) -> TensorType:
        normalized_axes(call, call.shape)
        return call.input


@register
class GroupNormalization(LayerRule):
    """Normalises groups of channels along ``axis``: the channels must be defined and divisible by ``groups``."""

    accepts = NUMERIC
    accepts_sparse = False
    names = ("GroupNormalization",)
    params = ("groups", "axis", "epsilon", "center", "scale")
    defaults = {"groups": 32, "axis": -1}
    examples = (
        Example({"groups": 2}, (None, 8, 4), (None, 8, 4)),
        Example({"groups": -1, "axis": 1}, (None, 3, 5), (None, 3, 5)),
        Example({"groups": 3}, (None, 4), "invalid-argument"),
        Example({"groups": 8}, (None, 4), "invalid-argument"),
        Example({"groups": 0}, (None, 4), "invalid-argument"),
        Example({"groups": 2}, (None, None), "axis-mismatch"),
        Example({"groups": 2, "axis": 2}, (None, 4), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        groups = call.get("groups")
        if isinstance(groups, bool) or isinstance(groups, (float, str)) or groups is None or \
                (cu._is_int(groups) and groups <= 0 and groups != -1):
            raise ShapeError(INVALID_ARGUMENT, "Received an invalid value for argument `groups`, expected a positive "
                             f"integer (or `-1` for instance normalization). Received: groups={groups}")
        axis = call.get("axis")
        if isinstance(axis, (list, tuple, str, float)) or axis is None:
            raise ShapeError(INVALID_ARGUMENT, f"`axis` of GroupNormalization must be an integer. Received: "
                             f"axis={axis!r}")

    def _channels(self, call: Call) -> Optional[tuple[int, Dim]]:
        shape = call.shape
        axis = call.get("axis")
        if not cu._is_int(axis):
            return None
        if normalize_axis(axis, len(shape)) is None:
            raise ShapeError(INVALID_ARGUMENT, f"Axis {axis} is out of bounds for input shape {show_shape(shape)}.")
        return axis, shape[axis]

    def output(self, call: Call) -> TensorType:
        found = self._channels(call)
        if found is None:
            return call.input
        axis, dim = found
        if dim is None and call.built:
            return call.input
        if dim is None:
            raise ShapeError(AXIS_MISMATCH, f"Axis {axis} of input tensor should have a defined dimension but the "
                             f"layer received an input with shape {show_shape(call.shape)}.")
        groups = call.get("groups")
        if not cu._is_int(groups) or groups == -1:
            return call.input
        if dims.is_known(dim) and dim < groups:
            raise ShapeError(INVALID_ARGUMENT, f"Number of groups ({groups}) cannot be more than the number of "
                             f"channels ({dim}).")
        if cu.certainly_indivisible(dim, groups):
            raise ShapeError(INVALID_ARGUMENT, f"Number of groups ({groups}) must be a multiple of the number of "
                             f"channels ({dims.show(dim)}).")
        return call.input

    def built_spec(self, call: Call) -> Optional[InputSpec]:
        found = self._channels(call)
        if found is None:
            return InputSpec(ndim=len(call.shape))
        axis, dim = found
        return InputSpec.fixed({axis: dim}, ndim=len(call.shape))

    def weights(self, call: Call) -> tuple[int, int]:
        """``gamma`` (``scale``) and ``beta`` (``center``), each ``(channels,)``."""
        found = self._channels(call)
        if found is None:
            raise Unknowable()
        return (known_int(found[1]) * (call.flag("scale", True) + call.flag("center", True)), 0)


# Layers verified to have neither (Keras: "... object has no attribute 'kernel' nor 'embeddings'").
_WITHOUT_KERNEL = frozenset({
    "SeparableConv1D", "SeparableConv2D", "SeparableConvolution1D", "SeparableConvolution2D",
    "LSTM", "GRU", "SimpleRNN", "BatchNormalization", "LayerNormalization", "GroupNormalization",
    "Flatten", "Reshape", "Dropout", "Activation", "Identity", "Masking",
})


@register
class SpectralNormalization(LayerRule):
    """Wraps a layer with a kernel: the output is the inner layer's; the input's last axis is fixed once built."""

    names = ("SpectralNormalization",)
    params = ("layer", "power_iterations")
    defaults = {"power_iterations": 1}
    examples = (
        Example({"layer": LayerRef("Dense", {"units": 4})}, (None, 3), (None, 4)),
        Example({"layer": LayerRef("Conv2D", {"filters": 4, "kernel_size": 2})}, (None, 5, 5, 3), (None, 4, 4, 4)),
        Example({"layer": LayerRef("Dense", {"units": 4})}, (None,), "rank-mismatch"),
        Example({"layer": LayerRef("Dropout", {"rate": 0.5})}, (None, 3), "invalid-argument"),
        Example({"layer": LayerRef("Dense", {"units": 4}), "power_iterations": 0}, (None, 3), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        n = number(call.get("power_iterations"))
        if n is not None and n <= 0:
            raise ShapeError(INVALID_ARGUMENT, "`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={call.get('power_iterations')}`")

    def output(self, call: Call) -> Any:
        layer = call.get("layer")
        outputs = call.apply(layer, call.input)
        if isinstance(layer, LayerRef) and layer.class_name in _WITHOUT_KERNEL:
            raise ShapeError(INVALID_ARGUMENT, f"{layer.class_name} object has no attribute 'kernel' nor "
                             "'embeddings': SpectralNormalization needs a layer with a kernel.")
        return outputs

    def built_spec(self, call: Call) -> Optional[InputSpec]:
        shape = call.shape
        if not shape:
            return None
        return InputSpec.fixed({-1: shape[-1]}, min_ndim=1)

    def weights(self, call: Call) -> tuple[int, int]:
        """The wrapped layer's weights, and ``vector_u (1, kernel.shape[-1])``, not trained."""
        layer = call.known("layer")
        if not isinstance(layer, LayerRef) or layer.class_name not in _KERNEL_OUT:
            raise Unknowable()
        trained, frozen = call.sublayer_params(layer, call.input)
        out = _KERNEL_OUT[layer.class_name]
        if out is None and layer.config.get("data_format") not in (None, "channels_last"):
            raise Unknowable()
        size = known_int(call.shape[-1]) if out is None else \
            known_int({**LAYERS[layer.class_name].defaults, **layer.config}.get(out, UNKNOWN))
        return (trained, frozen + size)


#: wrapped layers whose ``kernel``'s last axis is a constructor argument (``None``: the input's channels)
_KERNEL_OUT = {
    "Dense": "units", "Embedding": "output_dim",
    **{f"{c}{r}D": "filters" for c in ("Conv", "Convolution") for r in (1, 2, 3)},
    **{f"{c}{r}DTranspose": None for c in ("Conv", "Convolution") for r in (1, 2, 3)},
    **{f"DepthwiseConv{r}D": "depth_multiplier" for r in (1, 2)},
}
