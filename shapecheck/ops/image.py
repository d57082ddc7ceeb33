"""``keras.ops.image``: functions on batches of images (``(batch, height, width, channels)``)."""

from __future__ import annotations

from typing import Any

from ..core import dims
from ..core.findings import AXIS_MISMATCH, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.rules import Call, Example, OpRule, Unknowable, register
from ..core.shapes import TensorType, show_shape
from ..layers import conv_utils as cu
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


def _pair(v: Any) -> tuple:
    if is_int(v):
        return (v, v)
    if isinstance(v, (list, tuple)) and len(v) == 2:
        return tuple(v)
    raise Unknowable()  # 3-D patches, or a value the front end could not follow


@register
class ExtractPatches(OpRule):
    """``keras.ops.image.extract_patches(images, size)``: a convolution's positions, each patch
    flattened into the channels: ``(batch, rows, cols, size_h * size_w * channels)``."""

    names = ("keras.ops.image.extract_patches",)
    params = ("images", "size", "strides", "dilation_rate", "padding", "data_format")
    defaults = {"strides": None, "dilation_rate": 1, "padding": "valid", "data_format": None}
    examples = (
        Example({"size": 4}, (None, 32, 32, 3), (None, 8, 8, 48)),
        Example({"size": (3, 3), "strides": 1, "padding": "same"}, (2, 5, 5, 2), (2, 5, 5, 18)),
        Example({"size": 2, "data_format": "channels_first"}, (None, 3, 8, 6), (None, 12, 4, 3)),
        Example({"size": 4}, (16, 16, 3), (4, 4, 48)),
        Example({"size": 8}, (None, 4, 4, 3), "negative-dimension"),
        Example({"size": 2}, (None, 4, 4, None), "axis-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        images = tensor(call, "images")
        shape = images.shape
        assert shape is not None
        size = known(param(call, "size"))
        if not is_int(size) and not isinstance(size, (list, tuple)):
            raise ShapeError(INVALID_ARGUMENT, "Invalid `size` argument. Expected an int or a tuple. "
                             f"Received: size={size} of type {type(size).__name__}")
        if isinstance(size, (list, tuple)) and len(size) not in (2, 3):
            raise ShapeError(INVALID_ARGUMENT, "Invalid `size` argument. Expected a tuple of length 2 or 3. "
                             f"Received: size={size} with length {len(size)}")
        kernel = _pair(size)
        strides = kernel if param(call, "strides") is None else _pair(known(param(call, "strides")))
        dilation = _pair(known(param(call, "dilation_rate")))
        padding = known(param(call, "padding"))
        fmt = param(call, "data_format")
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same") \
                or fmt not in (None, "channels_last", "channels_first") or len(shape) not in (3, 4):
            raise Unknowable()
        batched = shape if len(shape) == 4 else (1, *shape)
        fmt = fmt or "channels_last"
        channels = batched[3] if fmt == "channels_last" else batched[1]
        space = batched[1:3] if fmt == "channels_last" else batched[2:4]
        out = tuple(cu.conv_output_length(n, k, s, padding.lower(), d)
                    for n, k, s, d in zip(space, kernel, strides, dilation))
        if channels is None:
            # Keras multiplies the patch size by the channel count to build the shape.
            raise ShapeError(AXIS_MISMATCH, "`extract_patches` needs a defined channel axis: unsupported operand "
                             f"type(s) for *: 'int' and 'NoneType' (images.shape={show_shape(shape)})")
        filters = dims.mul(dims.mul(kernel[0], kernel[1]), channels)
        cu.check_positive_lengths(out, f"`inputs shape={show_shape(batched)}`, `kernel shape="
                                       f"{cu.show_tuple((*kernel, channels, filters))}`, `dilation_rate="
                                       f"{cu.show_tuple(dilation)}`")
        result = cu.assemble(batched[0], out, filters, fmt)
        return images.with_shape(result if len(shape) == 4 else result[1:])
