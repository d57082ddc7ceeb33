"""``keras.ops.image``: functions on batches of images (``(batch, height, width, channels)``)."""

from __future__ import annotations

from ..core import dims
from ..core.findings import INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.rules import Call, Example, OpRule, Unknowable, register
from ..core.shapes import TensorType, show_shape
from .op_utils import is_int, known, param, tensor


@register
class Resize(OpRule):
    """``keras.ops.image.resize(images, size)``: height and width become ``size``; rank 3 (one
    image) or 4 (a batch); ``data_format`` places the spatial axes."""

    names = ("keras.ops.image.resize",)
    params = ("images", "size", "interpolation", "antialias", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
              "fill_mode", "fill_value", "data_format")
    defaults = {"crop_to_aspect_ratio": False, "pad_to_aspect_ratio": False, "data_format": None}
    examples = (
        Example({"size": (2, 2)}, (None, 4, 4, 3), (None, 2, 2, 3)),
        Example({"size": (8, 6)}, (4, 4, 3), (8, 6, 3)),
        Example({"size": (2, 2), "data_format": "channels_first"}, (None, 3, 4, 4), (None, 3, 2, 2)),
        Example({"size": (2, 2)}, (None, 4, 4, 4, 3), "rank-mismatch"),
        Example({"size": (2,)}, (None, 4, 4, 3), "invalid-argument"),
        Example({"size": (0, 2)}, (None, 4, 4, 3), "invalid-argument"),
        Example({"size": (2, 2), "crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, (None, 4, 4, 3),
                "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        images = tensor(call, "images")
        size = known(param(call, "size"))
        if not isinstance(size, (list, tuple)):
            raise Unknowable()
        if len(size) != 2:
            raise ShapeError(INVALID_ARGUMENT, f"Expected `size` to be a tuple of 2 integers. Received: size={size}")
        if any(is_int(s) and s <= 0 for s in size):
            raise ShapeError(INVALID_ARGUMENT, f"`size` must have positive height and width. Received: size={size}")
        shape = images.shape
        assert shape is not None
        if len(shape) not in (3, 4):
            raise ShapeError(RANK_MISMATCH, "Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
                             f"images). Received input with shape: images.shape={show_shape(shape)}")
        if param(call, "pad_to_aspect_ratio") is True and param(call, "crop_to_aspect_ratio") is True:
            raise ShapeError(INVALID_ARGUMENT, "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                             "`True`.")
        fmt = param(call, "data_format")
        if fmt not in (None, "channels_last", "channels_first"):
            raise Unknowable()
        h, w = (-2, -1) if fmt == "channels_first" else (-3, -2)
        out = list(shape)
        out[h], out[w] = (s if is_int(s) or isinstance(s, dims.Sym) else dims.unknown() for s in size)
        return images.with_shape(tuple(out))
