"""Rules for the common ``keras/src/layers/preprocessing`` layers used inside models.

``Rescaling``, ``Normalization`` and the image augmentation layers keep the shape;
``Resizing``, ``CenterCrop`` and ``RandomCrop`` set the height and width of an image
batch ``(batch, height, width, channels)`` or a single image ``(height, width, channels)``.
"""

from __future__ import annotations

from ..core.rules import Call, Example, LayerRule, Unknowable, register
from ..core.shapes import TensorType


class _SameShape(LayerRule):
    def output(self, call: Call) -> TensorType:
        return call.input.with_shape(call.shape)


@register
class Rescaling(_SameShape):
    """``x * scale + offset``: same shape."""

    names = ("Rescaling",)
    params = ("scale", "offset")
    examples = (
        Example({"scale": 1.0 / 255}, (None, 28, 28), (None, 28, 28)),
        Example({"scale": 2.0, "offset": -1.0}, (None, 8), (None, 8)),
    )


@register
class Normalization(_SameShape):
    """Feature-wise ``(x - mean) / sqrt(var)``: same shape."""

    names = ("Normalization",)
    params = ("axis", "mean", "variance", "invert")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"mean": 0.5, "variance": 0.25}, (None, 8), (None, 8)),
    )


@register
class Augmentation(_SameShape):
    """Random image augmentations that keep the shape (flip, rotation, zoom, contrast, …)."""

    names = ("RandomFlip", "RandomRotation", "RandomZoom", "RandomContrast", "RandomTranslation",
             "RandomBrightness")
    # Checked against Keras under the first name, RandomBrightness (``factor`` is required).
    examples = (
        Example({"factor": 0.2}, (None, 32, 32, 3), (None, 32, 32, 3)),
    )


class _ResizeLike(LayerRule):
    """Sets height and width of ``(batch, h, w, c)`` or of one image ``(h, w, c)`` (channels last)."""

    params = ("height", "width")
    defaults = {"data_format": None}

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        fmt = call.get("data_format")
        if fmt not in (None, "channels_last") or len(shape) not in (3, 4):
            raise Unknowable()
        h, w = call.dim("height"), call.dim("width")
        if len(shape) == 4:
            return call.input.with_shape((shape[0], h, w, shape[3]))
        return call.input.with_shape((h, w, shape[2]))


@register
class Resizing(_ResizeLike):
    """Resizes images to ``(height, width)``."""

    names = ("Resizing",)
    examples = (
        Example({"height": 16, "width": 12}, (None, 32, 32, 3), (None, 16, 12, 3)),
        Example({"height": 16, "width": 16}, (32, 32, 3), (16, 16, 3)),
    )


@register
class CenterCrop(_ResizeLike):
    """Crops (or pads) the centre of images to ``(height, width)``."""

    names = ("CenterCrop",)
    examples = (
        Example({"height": 16, "width": 16}, (None, 32, 32, 3), (None, 16, 16, 3)),
    )


@register
class RandomCrop(_ResizeLike):
    """Randomly crops images to ``(height, width)``."""

    names = ("RandomCrop",)
    examples = (
        Example({"height": 24, "width": 24}, (None, 32, 32, 3), (None, 24, 24, 3)),
    )
