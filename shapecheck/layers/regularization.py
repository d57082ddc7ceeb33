"""Rules for ``keras/src/layers/regularization``: dropout and noise layers.

Every one of them returns its input's shape (their noise applies only in training);
what Keras rejects is a rate outside ``[0, 1]`` when the layer is created, and, for the
spatial dropouts, an input of the wrong rank.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..core.findings import INVALID_ARGUMENT, ShapeError
from ..core.rules import FLOATING, Call, Example, InputSpec, LayerRule, Unknowable, register
from ..core.shapes import TensorType
from . import conv_utils as cu


def number(v: Any) -> Optional[float]:
    """A literal int or float config value; ``None`` for anything the front end did not follow."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return None


def check_unit_interval(call: Call, key: str) -> None:
    """``Dropout``'s ``not 0 <= rate <= 1`` check, shared by the noise layers."""
    v = number(call.get(key))
    if v is not None and not 0 <= v <= 1:
        raise ShapeError(INVALID_ARGUMENT, f"Invalid value received for argument `{key}`. Expected a float value "
                         f"between 0 and 1. Received: {key}={call.get(key)}")


def check_noise_shape(call: Call) -> None:
    """``Dropout._validate_noise_shape``: a tuple of positive ints or ``None``."""
    shape = call.get("noise_shape")
    if shape is None or not isinstance(shape, (str, list, tuple, int)):
        return
    if isinstance(shape, (str, int)):
        what = "a tuple or list of integers" if isinstance(shape, str) else \
            "an iterable of integers (e.g., a tuple or list)"
        raise ShapeError(INVALID_ARGUMENT, f"Invalid value received for argument `noise_shape`. Expected {what}. "
                         f"Received: noise_shape={shape}")
    for i, d in enumerate(shape):
        if isinstance(d, bool) or (d is not None and isinstance(d, (float, str))):
            raise ShapeError(INVALID_ARGUMENT, "Invalid value received for argument `noise_shape`. Expected all "
                             f"elements to be integers or None. Received element at index {i}: {d} "
                             f"(type: {type(d).__name__})")
        if isinstance(d, int) and d <= 0:
            raise ShapeError(INVALID_ARGUMENT, "Invalid value received for argument `noise_shape`. Expected all "
                             "dimensions to be positive integers or None. Received negative or zero value at "
                             f"index {i}: {d}")


class _SameShape(LayerRule):
    """The output is the input: only the constructor arguments can be wrong."""

    weightless = True

    #: the config key that must lie in ``[0, 1]``
    rate_key: ClassVar[str] = "rate"

    def check_config(self, call: Call) -> None:
        check_unit_interval(call, self.rate_key)

    def output(self, call: Call) -> TensorType:
        return call.input


@register
class Dropout(_SameShape):
    """Randomly zeroes inputs in training; the output has the input's shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("Dropout",)
    params = ("rate", "noise_shape", "seed")
    defaults = {"noise_shape": None}
    examples = (
        Example({"rate": 0.5}, (None, 32), (None, 32)),
        Example({"rate": 0.1, "noise_shape": (None, 1)}, (None, 4, 3), (None, 4, 3)),
        Example({"rate": 1.5}, (None, 32), "invalid-argument"),
        Example({"rate": 0.5, "noise_shape": (None, 0)}, (None, 32), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        super().check_config(call)
        check_noise_shape(call)


@register
class AlphaDropout(Dropout):
    """Dropout that keeps the self-normalising mean and variance; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("AlphaDropout",)
    examples = (
        Example({"rate": 0.2}, (None, 8), (None, 8)),
        Example({"rate": -0.1}, (None, 8), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        check_unit_interval(call, self.rate_key)


@register
class GaussianDropout(_SameShape):
    """Multiplicative Gaussian noise in training; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("GaussianDropout",)
    params = ("rate", "seed")
    examples = (
        Example({"rate": 0.3}, (None, 5, 2), (None, 5, 2)),
        Example({"rate": 2}, (None, 5), "invalid-argument"),
    )


@register
class GaussianNoise(_SameShape):
    """Additive Gaussian noise in training; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("GaussianNoise",)
    params = ("stddev", "seed")
    rate_key = "stddev"
    examples = (
        Example({"stddev": 0.1}, (None, 5), (None, 5)),
        Example({"stddev": -1}, (None, 5), "invalid-argument"),
    )


@register
class ActivityRegularization(LayerRule):
    """Adds an activity penalty to the loss; same shape."""

    weightless = True

    accepts = FLOATING | frozenset({"int32", "int64"})
    accepts_sparse = False
    accepts_ragged = False
    passes_dtype = True
    names = ("ActivityRegularization",)
    params = ("l1", "l2")
    examples = (
        Example({"l1": 0.01}, (None, 5), (None, 5)),
        Example({"l2": -1.0}, (None, 5), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        for key in ("l1", "l2"):
            v = number(call.get(key))
            if v is not None and v < 0:
                raise ShapeError(INVALID_ARGUMENT, f"Invalid value for argument {key}: expected a non-negative "
                                 f"float.Received: {key}={call.get(key)}")

    def output(self, call: Call) -> TensorType:
        return call.input


class _SpatialDropout(_SameShape):
    """Drops whole feature maps: needs ``(batch, *spatial, channels)`` of a fixed rank."""

    spatial_rank: ClassVar[int] = 1

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(ndim=self.spatial_rank + 2)

    def check_config(self, call: Call) -> None:
        super().check_config(call)
        if "data_format" in self.params:
            try:
                cu.data_format(call)
            except Unknowable:
                pass  # the shape does not depend on it


@register
class SpatialDropout1D(_SpatialDropout):
    """Drops entire 1D feature maps of a ``(batch, steps, channels)`` input; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("SpatialDropout1D",)
    params = ("rate", "seed")
    spatial_rank = 1
    examples = (
        Example({"rate": 0.5}, (None, 10, 3), (None, 10, 3)),
        Example({"rate": 0.5}, (None, 10), "rank-mismatch"),
        Example({"rate": 1.5}, (None, 10, 3), "invalid-argument"),
    )


@register
class SpatialDropout2D(_SpatialDropout):
    """Drops entire 2D feature maps of a rank-4 input; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("SpatialDropout2D",)
    params = ("rate", "data_format", "seed")
    defaults = {"data_format": None}
    spatial_rank = 2
    examples = (
        Example({"rate": 0.5}, (None, 8, 8, 3), (None, 8, 8, 3)),
        Example({"rate": 0.5, "data_format": "channels_first"}, (None, 3, 8, 8), (None, 3, 8, 8)),
        Example({"rate": 0.5}, (None, 8, 3), "rank-mismatch"),
        Example({"rate": 0.5, "data_format": "nhwc"}, (None, 8, 8, 3), "invalid-argument"),
    )


@register
class SpatialDropout3D(_SpatialDropout):
    """Drops entire 3D feature maps of a rank-5 input; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("SpatialDropout3D",)
    params = ("rate", "data_format", "seed")
    defaults = {"data_format": None}
    spatial_rank = 3
    examples = (
        Example({"rate": 0.5}, (None, 4, 4, 4, 2), (None, 4, 4, 4, 2)),
        Example({"rate": 0.5}, (None, 4, 4, 2), "rank-mismatch"),
    )
