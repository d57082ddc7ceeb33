"""``keras.ops.image``: functions on one image (rank 3) or a batch of images (rank 4),
``(batch, height, width, channels)`` or, with ``data_format="channels_first"``,
``(batch, channels, height, width)``.

Keras's symbolic build checks little beyond ranks; the TensorFlow backend checks much more
(interpolation and fill modes, transform sizes, kernel sizes) on data only. Those checks fail
for every size an undefined axis could take, so they are reported as well.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import (
    AXIS_MISMATCH,
    INCOMPATIBLE_SHAPES,
    INVALID_ARGUMENT,
    NEGATIVE_DIMENSION,
    RANK_MISMATCH,
    ShapeError,
)
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, OpRule, T, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from ..layers import conv_utils as cu
from .op_utils import is_int, known, param, tensor

# What the TensorFlow backend accepts (keras/src/backend/tensorflow/image.py); checked on data only,
# so Keras's symbolic build lets any value through and the first call on data fails.
RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
AFFINE_FILL_MODES = ("constant", "nearest", "wrap", "reflect")
MAP_COORDINATES_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic", "lanczos3",
                               "lanczos5")


def _data_format(call: Call) -> Optional[str]:
    """``backend.standardize_data_format``: ``None`` is the global default (the front end puts a
    file's ``set_image_data_format`` into the config); ``None`` returned when not followed."""
    v = param(call, "data_format")
    if v is None:
        return cu.CHANNELS_LAST
    if v is UNKNOWN or isinstance(v, dims.Sym):
        return None
    fmt = str(v).lower()
    if fmt not in (cu.CHANNELS_FIRST, cu.CHANNELS_LAST):
        raise ShapeError(INVALID_ARGUMENT, "The `data_format` argument must be one of "
                         f"{{'channels_first', 'channels_last'}}. Received: data_format={fmt}")
    return fmt


def _images(call: Call, name: str = "images", ranks: tuple[int, ...] = (3, 4)) -> TensorType:
    """A tensor argument of one of ``ranks``, or Keras's "Invalid images rank"."""
    t = tensor(call, name)
    assert t.shape is not None
    if len(t.shape) not in ranks:
        expected = " or ".join(f"rank {r}" for r in ranks)
        raise ShapeError(RANK_MISMATCH, f"Invalid {name} rank: expected {expected}. Received input with shape: "
                         f"{name}.shape={show_shape(t.shape)}")
    return t


def _choice(call: Call, name: str, allowed: tuple[str, ...]) -> None:
    """A string argument the backend checks against a fixed set (an unfollowed value passes)."""
    v = param(call, name)
    if v is UNKNOWN or isinstance(v, dims.Sym):
        return
    if not isinstance(v, str) or v not in allowed:
        raise ShapeError(INVALID_ARGUMENT, f"Invalid value for argument `{name}`. Expected one of {allowed}. "
                         f"Received: {name}={v!r}")


def _number(v: Any) -> Optional[float]:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return None


def _spatial_axes(fmt: str) -> tuple[int, int]:
    """Height and width axes, counted from the end (rank 3 and rank 4 alike)."""
    return (-3, -2) if fmt == cu.CHANNELS_LAST else (-2, -1)


def _channels_axis(fmt: str) -> int:
    return -1 if fmt == cu.CHANNELS_LAST else -3


def _undefined_or(d: Dim) -> bool:
    """``None`` or a value the front end could not follow: any size, at least 1."""
    return d is None or (isinstance(d, dims.Sym) and d.opaque)


def _batch_compatible(images: Shape, n: Dim, what: str) -> None:
    """``ImageProjectiveTransformV3``: ``n`` transforms for ``images`` (rank 3: one image) must be
    1 or the number of images."""
    batch = images[0] if len(images) == 4 else 1
    if is_int(n) and n != 1 and dims.differs(n, batch):
        raise ShapeError(INCOMPATIBLE_SHAPES, f"Input transform should be num_images x 8 or 1 x 8: {what} "
                         f"holds {n} transforms for images of shape {show_shape(images)}")


@register
class Resize(OpRule):
    """``keras.ops.image.resize(images, size)``: height and width become ``size``; rank 3 (one
    image) or 4 (a batch); ``data_format`` places the spatial axes. On data the backend checks
    ``interpolation`` and accepts only ``fill_mode="constant"``."""

    names = ("keras.ops.image.resize",)
    params = ("images", "size", "interpolation", "antialias", "crop_to_aspect_ratio", "pad_to_aspect_ratio",
              "fill_mode", "fill_value", "data_format")
    defaults = {"interpolation": "bilinear", "antialias": False, "crop_to_aspect_ratio": False,
                "pad_to_aspect_ratio": False, "fill_mode": "constant", "fill_value": 0.0, "data_format": None}
    examples = (
        Example({"size": (2, 2)}, (None, 4, 4, 3), (None, 2, 2, 3)),
        Example({"size": (8, 6)}, (4, 4, 3), (8, 6, 3)),
        Example({"size": (2, 2), "data_format": "channels_first"}, (None, 3, 4, 4), (None, 3, 2, 2)),
        Example({"size": (2, 2)}, (None, 4, 4, 4, 3), "rank-mismatch"),
        Example({"size": (2,)}, (None, 4, 4, 3), "invalid-argument"),
        Example({"size": (0, 2)}, (None, 4, 4, 3), "invalid-argument"),
        Example({"size": (2, 2), "crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, (None, 4, 4, 3),
                "invalid-argument"),
        Example({"size": (2, 2), "interpolation": "cubic"}, (None, 4, 4, 3), "invalid-argument"),
        Example({"size": (2, 2), "fill_mode": "reflect"}, (None, 4, 4, 3), "invalid-argument"),
        Example({"size": (2, 2), "data_format": "NHWC"}, (None, 4, 4, 3), "invalid-argument"),
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
        fmt = _data_format(call)
        # Checked by the TensorFlow backend, on data only.
        _choice(call, "interpolation", RESIZE_INTERPOLATIONS)
        _choice(call, "fill_mode", ("constant",))
        if fmt is None:
            raise Unknowable()
        h, w = _spatial_axes(fmt)
        out = list(shape)
        out[h], out[w] = (s if is_int(s) or isinstance(s, dims.Sym) else dims.unknown() for s in size)
        return images.with_shape(tuple(out))


def _patch_tuple(v: Any, n: int, name: str, *, one_broadcasts: bool) -> tuple:
    """An int or ``n`` ints (a single-item tuple too, where NumPy broadcasting lets it through)."""
    v = known(v)
    if is_int(v):
        return (v,) * n
    if isinstance(v, (list, tuple)):
        if len(v) == 1 and one_broadcasts:
            v = tuple(v) * n
        if len(v) != n:
            raise ShapeError(INVALID_ARGUMENT, f"`{name}` must be an int or a tuple of {n} integers for {n}-D "
                             f"patches. Received: {name}={v!r}")
        if all(is_int(x) for x in v):
            return tuple(v)
    raise Unknowable()


def _patches(call: Call, images: TensorType, size: tuple, n: int) -> TensorType:
    """``ExtractPatches.compute_output_spec`` for ``n``-D patches (2: images, 3: volumes), and what
    ``backend.nn.conv`` checks on data."""
    shape = images.shape
    assert shape is not None
    fmt = _data_format(call)
    if len(shape) not in (n + 1, n + 2):
        raise ShapeError(RANK_MISMATCH, f"{n}-D patches need rank {n + 1} (one {'volume' if n == 3 else 'image'}) "
                         f"or rank {n + 2} (a batch). Received input with shape: {show_shape(shape)}")
    if any(k <= 0 for k in size):
        raise ShapeError(INVALID_ARGUMENT, f"`size` must be positive. Received: size={size}")
    padding = known(param(call, "padding"))
    if padding not in ("valid", "same"):
        # Keras's shape arithmetic takes "causal" too, but TensorFlow's convolution rejects it on data.
        raise ShapeError(INVALID_ARGUMENT, f"`padding` must be either `'valid'` or `'same'`. Received {padding}.")
    strides_arg = param(call, "strides")
    strides = size if strides_arg is None else _patch_tuple(strides_arg, n, "strides", one_broadcasts=n == 2)
    dilation = _patch_tuple(param(call, "dilation_rate"), n, "dilation_rate", one_broadcasts=False)
    if any(s == 0 for s in strides):
        raise ShapeError(INVALID_ARGUMENT, f"`strides` must be positive. Received: strides={strides}")
    if any(s < 0 for s in strides):
        raise Unknowable()
    if any(d <= 0 for d in dilation):
        raise ShapeError(INVALID_ARGUMENT, f"all values of `dilation_rate` must be positive. Received: "
                         f"dilation_rate={dilation}")
    if any(s > 1 for s in strides) and any(d > 1 for d in dilation):
        raise ShapeError(INVALID_ARGUMENT, f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                         f"Received: strides={strides} and dilation_rate={dilation}")
    if fmt is None:
        raise Unknowable()
    batched = shape if len(shape) == n + 2 else (1, *shape)
    channels = batched[-1] if fmt == cu.CHANNELS_LAST else batched[1]
    if channels is None:
        # Keras multiplies the patch size by the channel count to build the shape.
        raise ShapeError(AXIS_MISMATCH, "patches need a defined channel axis: unsupported operand type(s) for *: "
                         f"'int' and 'NoneType' (images.shape={show_shape(shape)})")
    out = tuple(cu.conv_output_length(d, k, s, padding, r)
                for d, k, s, r in zip(cu.spatial(batched, fmt), size, strides, dilation))
    filters = dims.mul(dims.product(list(size)), channels)
    cu.check_positive_lengths(out, f"`inputs shape={show_shape(batched)}`, `kernel shape="
                                   f"{cu.show_tuple((*size, channels, filters))}`, `dilation_rate="
                                   f"{cu.show_tuple(dilation)}`")
    result = cu.assemble(batched[0], out, filters, fmt)
    return images.with_shape(result if len(shape) == n + 2 else result[1:])


@register
class ExtractPatches(OpRule):
    """``keras.ops.image.extract_patches(images, size)``: a convolution's positions, each patch
    flattened into the channels: ``(batch, rows, cols, size_h * size_w * channels)``. A ``size``
    of three values extracts 3-D patches, as ``extract_patches_3d``. On data TensorFlow's
    convolution rejects ``"causal"`` padding, strides above 1 together with a dilation above 1,
    and dilations below 1."""

    names = ("keras.ops.image.extract_patches",)
    params = ("images", "size", "strides", "dilation_rate", "padding", "data_format")
    defaults = {"strides": None, "dilation_rate": 1, "padding": "valid", "data_format": None}
    examples = (
        Example({"size": 4}, (None, 32, 32, 3), (None, 8, 8, 48)),
        Example({"size": (3, 3), "strides": 1, "padding": "same"}, (2, 5, 5, 2), (2, 5, 5, 18)),
        Example({"size": 2, "data_format": "channels_first"}, (None, 3, 8, 6), (None, 12, 4, 3)),
        Example({"size": 4}, (16, 16, 3), (4, 4, 48)),
        Example({"size": (2, 2, 2)}, (4, 4, 4, 3), (2, 2, 2, 24)),
        Example({"size": 8}, (None, 4, 4, 3), "negative-dimension"),
        Example({"size": 2}, (None, 4, 4, None), "axis-mismatch"),
        Example({"size": 2, "strides": 2, "dilation_rate": 2}, (None, 8, 8, 3), "invalid-argument"),
        Example({"size": 2, "padding": "VALID"}, (None, 8, 8, 3), "invalid-argument"),
        Example({"size": 2}, (None, 2, 8, 8, 3), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        images = tensor(call, "images")
        size = known(param(call, "size"))
        if not is_int(size) and not isinstance(size, (list, tuple)):
            raise ShapeError(INVALID_ARGUMENT, "Invalid `size` argument. Expected an int or a tuple. "
                             f"Received: size={size} of type {type(size).__name__}")
        if isinstance(size, (list, tuple)) and len(size) not in (2, 3):
            raise ShapeError(INVALID_ARGUMENT, "Invalid `size` argument. Expected a tuple of length 2 or 3. "
                             f"Received: size={size} with length {len(size)}")
        n = 3 if isinstance(size, (list, tuple)) and len(size) == 3 else 2
        return _patches(call, images, _patch_tuple(size, n, "size", one_broadcasts=False), n)


@register
class ExtractPatches3D(OpRule):
    """``keras.ops.image.extract_patches_3d(volumes, size)``: 3-D patches of a volume
    ``(depth, height, width, channels)`` or a batch of them, each flattened into the channels:
    ``size_d * size_h * size_w * channels``. ``size`` is an int or three ints (two fail on data);
    ``strides`` defaults to ``size`` and must have three values on data."""

    names = ("keras.ops.image.extract_patches_3d",)
    params = ("volumes", "size", "strides", "dilation_rate", "padding", "data_format")
    defaults = {"strides": None, "dilation_rate": 1, "padding": "valid", "data_format": None}
    examples = (
        Example({"size": 2}, (None, 8, 8, 8, 3), (None, 4, 4, 4, 24)),
        Example({"size": (2, 3, 1), "strides": 1, "padding": "same"}, (4, 4, 4, 2), (4, 4, 4, 12)),
        Example({"size": 2, "data_format": "channels_first"}, (None, 3, 4, 6, 8), (None, 24, 2, 3, 4)),
        Example({"size": 2, "strides": 1, "dilation_rate": 2}, (None, 5, 5, 5, 1), (None, 3, 3, 3, 8)),
        Example({"size": (2, 2)}, (8, 8, 8, 3), "invalid-argument"),
        Example({"size": 2, "strides": (2, 2)}, (None, 8, 8, 8, 3), "invalid-argument"),
        Example({"size": 5}, (None, 4, 8, 8, 3), "negative-dimension"),
        Example({"size": 2}, (8, 8, 3), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        volumes = tensor(call, "volumes")
        size = known(param(call, "size"))
        if is_int(size):
            size = (size,) * 3
        if not isinstance(size, (list, tuple)) or len(size) != 3:
            raise ShapeError(INVALID_ARGUMENT, "Invalid `size` argument. Expected an int or a tuple of length 3. "
                             f"Received: size={size}")
        return _patches(call, volumes, _patch_tuple(size, 3, "size", one_broadcasts=False), 3)

@register
class RGBToGrayscale(OpRule):
    """``keras.ops.image.rgb_to_grayscale(images)``: the channels axis (3 or 1 channels) becomes 1."""

    names = ("keras.ops.image.rgb_to_grayscale",)
    params = ("images", "data_format")
    defaults = {"data_format": None}
    examples = (
        Example({}, (None, 8, 8, 3), (None, 8, 8, 1)),
        Example({"data_format": "channels_first"}, (3, 8, 8), (1, 8, 8)),
        Example({}, (None, 8, 8, None), (None, 8, 8, 1)),
        Example({}, (None, 8, 8, 4), "axis-mismatch"),
        Example({}, (None, 8, 3), (None, 8, 1)),
        Example({}, (8, 3), "rank-mismatch"),
        Example({"data_format": "nchw"}, (None, 8, 8, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        fmt = _data_format(call)
        images = _images(call)
        shape = list(images.shape or ())
        if fmt is None:
            raise Unknowable()
        axis = _channels_axis(fmt)
        if is_int(shape[axis]) and shape[axis] not in (1, 3):
            raise ShapeError(AXIS_MISMATCH, "Invalid channel size: expected 3 (RGB) or 1 (Grayscale). Received "
                             f"input with shape: images.shape={show_shape(tuple(shape))}")
        shape[axis] = 1
        return images.with_shape(tuple(shape))


class _ColorSpace(OpRule):
    """Shared by ``rgb_to_hsv`` and ``hsv_to_rgb``: float images with 3 channels, shape unchanged."""

    params = ("images", "data_format")
    defaults = {"data_format": None}

    def output(self, call: Call) -> TensorType:
        fmt = _data_format(call)
        images = _images(call)
        dtype = images.dtype
        if dtype is not None and not (dtype.startswith("float") or dtype.startswith("bfloat")):
            raise ShapeError(INVALID_ARGUMENT, f"Invalid images dtype: expected float dtype. Received: "
                             f"images.dtype={dtype}")
        if fmt is None:
            raise Unknowable()
        assert images.shape is not None
        channels = images.shape[_channels_axis(fmt)]
        if is_int(channels) and channels != 3:
            raise ShapeError(AXIS_MISMATCH, f"Input images must have 3 channels, but received images with "
                             f"{channels} channels.")
        return images


@register
class RGBToHSV(_ColorSpace):
    """``keras.ops.image.rgb_to_hsv(images)``: float images with 3 channels; the shape is kept."""

    names = ("keras.ops.image.rgb_to_hsv",)
    examples = (
        Example({}, (None, 8, 8, 3), (None, 8, 8, 3)),
        Example({"data_format": "channels_first"}, (3, 4, 4), (3, 4, 4)),
        Example({}, (None, 8, 8, 1), "axis-mismatch"),
        Example({}, T((None, 8, 8, 3), "int32"), "invalid-argument"),
        Example({}, (None, 2, 8, 8, 3), "rank-mismatch"),
    )


@register
class HSVToRGB(_ColorSpace):
    """``keras.ops.image.hsv_to_rgb(images)``: float images with 3 channels; the shape is kept."""

    names = ("keras.ops.image.hsv_to_rgb",)
    examples = (
        Example({}, (None, 8, 8, 3), (None, 8, 8, 3)),
        Example({"data_format": "channels_first"}, (None, 3, 4, None), (None, 3, 4, None)),
        Example({"data_format": "channels_first"}, (None, 4, 4, 3), "axis-mismatch"),
        Example({}, T((None, 8, 8, 3), "uint8"), "invalid-argument"),
    )


@register
class GaussianBlur(OpRule):
    """``keras.ops.image.gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0))``: the shape is
    kept. On data the backend reads ``kernel_size[0], kernel_size[1]`` and ``sigma[0], sigma[1]``:
    a scalar or a single value fails there, and so does a kernel size below 1."""

    names = ("keras.ops.image.gaussian_blur",)
    params = ("images", "kernel_size", "sigma", "data_format")
    defaults = {"kernel_size": (3, 3), "sigma": (1.0, 1.0), "data_format": None}
    examples = (
        Example({}, (None, 8, 8, 3), (None, 8, 8, 3)),
        Example({"kernel_size": (5, 5), "sigma": (2.0, 2.0), "data_format": "channels_first"}, (3, 8, 8),
                (3, 8, 8)),
        Example({"kernel_size": 3}, (None, 8, 8, 3), "invalid-argument"),
        Example({"kernel_size": (0, 3)}, (None, 8, 8, 3), "invalid-argument"),
        Example({"sigma": 1.0}, (None, 8, 8, 3), "invalid-argument"),
        Example({}, (8, 8), "rank-mismatch"),
        Example({}, (20, 20, 3), (20, 20, 3), call_kwargs={"sigma": T((2,))}),  # (a tensor: values not followed)
    )

    def output(self, call: Call) -> TensorType:
        _data_format(call)
        images = _images(call)
        for name in ("kernel_size", "sigma"):
            v = param(call, name)
            if v is UNKNOWN or isinstance(v, (dims.Sym, TensorType)):
                continue  # (a tensor of sizes: its values are not followed)
            if not isinstance(v, (list, tuple)) or len(v) < 2:
                raise ShapeError(INVALID_ARGUMENT, f"`{name}` needs two values (height, width): the backend reads "
                                 f"{name}[0] and {name}[1]. Received: {name}={v!r}")
            if name == "kernel_size" and any(is_int(k) and k <= 0 for k in v[:2]):
                raise ShapeError(INVALID_ARGUMENT, f"`kernel_size` must be positive. Received: kernel_size={v!r}")
        return images


@register
class ElasticTransform(OpRule):
    """``keras.ops.image.elastic_transform(images)``: the shape is kept. On data the backend checks
    ``interpolation`` and ``fill_mode``, and builds a blur kernel of ``6 * int(sigma) | 1`` taps,
    which fails for ``sigma <= -1``."""

    names = ("keras.ops.image.elastic_transform",)
    params = ("images", "alpha", "sigma", "interpolation", "fill_mode", "fill_value", "seed", "data_format")
    defaults = {"alpha": 20.0, "sigma": 5.0, "interpolation": "bilinear", "fill_mode": "reflect",
                "fill_value": 0.0, "seed": None, "data_format": None}
    examples = (
        Example({}, (None, 6, 6, 2), (None, 6, 6, 2)),
        Example({"data_format": "channels_first", "interpolation": "nearest"}, (2, 5, 5), (2, 5, 5)),
        Example({"fill_mode": "mirror"}, (None, 6, 6, 2), "invalid-argument"),
        Example({"interpolation": "bicubic"}, (None, 6, 6, 2), "invalid-argument"),
        Example({"sigma": -1.0}, (None, 6, 6, 2), "invalid-argument"),
        Example({}, (None, 1, 6, 6, 2), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        _data_format(call)
        _choice(call, "interpolation", AFFINE_INTERPOLATIONS)
        _choice(call, "fill_mode", AFFINE_FILL_MODES)
        images = _images(call)
        sigma = _number(param(call, "sigma"))
        if sigma is not None and int(sigma) < 0:
            raise ShapeError(INVALID_ARGUMENT, f"`sigma` gives a blur kernel of {6 * int(sigma) | 1} taps: "
                             f"Requires start <= limit. Received: sigma={sigma}")
        return images


@register
class SobelEdges(OpRule):
    """``keras.ops.image.sobel_edges(images)``: a batch of images, a last axis of 2 added (the
    vertical and horizontal gradients). On data the images are reflect-padded by 1, so height
    and width must be at least 2."""

    names = ("keras.ops.image.sobel_edges",)
    params = ("images", "data_format")
    defaults = {"data_format": None}
    examples = (
        Example({}, (None, 8, 8, 3), (None, 8, 8, 3, 2)),
        Example({"data_format": "channels_first"}, (2, 3, 4, 5), (2, 3, 4, 5, 2)),
        Example({}, (8, 8, 3), "rank-mismatch"),
        Example({}, (None, 1, 8, 3), "axis-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        fmt = _data_format(call)
        images = _images(call, ranks=(4,))
        shape = images.shape
        assert shape is not None
        if fmt is None:
            raise Unknowable()
        for axis in _spatial_axes(fmt):
            if shape[axis] == 1:
                raise ShapeError(AXIS_MISMATCH, "paddings must be less than the dimension size: sobel_edges "
                                 f"reflect-pads height and width by 1 (images.shape={show_shape(shape)})")
        return images.with_shape((*shape, 2))


def _side_args(call: Call, names: tuple[str, str, str]) -> tuple[Any, Any, Any]:
    """Two of (before, after, target) given: ``None`` for the missing one; ints, else unknowable."""
    values = tuple(param(call, n) for n in names)
    if any(v is UNKNOWN or isinstance(v, dims.Sym) for v in values):
        raise Unknowable()
    if any(v is not None and not is_int(v) for v in values):
        raise Unknowable()
    return values  # type: ignore[return-value]


def _exactly_two(values: tuple, names: tuple[str, str, str]) -> None:
    if list(values).count(None) != 1:
        shown = ", ".join(f"{n}={v}" for n, v in zip(names, values))
        raise ShapeError(INVALID_ARGUMENT, f"Must specify exactly two of {', '.join(names)}. Received: {shown}")
    for n, v in zip(names, values):
        if v is not None and v < 0:
            raise ShapeError(INVALID_ARGUMENT, f"{n} must be >= 0. Received: {n}={v}")


_PAD_H = ("top_padding", "bottom_padding", "target_height")
_PAD_W = ("left_padding", "right_padding", "target_width")
_CROP_H = ("top_cropping", "bottom_cropping", "target_height")
_CROP_W = ("left_cropping", "right_cropping", "target_width")


class _Sides(OpRule):
    """``pad_images`` / ``crop_images``: on the height and on the width, two of (before, after,
    target) given (``sides``: their parameter names); :meth:`axis` sizes each axis."""

    sides: ClassVar[tuple[tuple[str, str, str], tuple[str, str, str]]]

    def axis(self, size: Dim, sides: tuple[Any, Any, Any], names: tuple[str, str, str], shape: Shape) -> Dim:
        raise NotImplementedError

    def output(self, call: Call) -> TensorType:
        fmt = _data_format(call)
        images = _images(call)
        given = [_side_args(call, names) for names in self.sides]
        for values, names in zip(given, self.sides):
            _exactly_two(values, names)
        if fmt is None:
            raise Unknowable()
        shape = list(images.shape or ())
        for axis, values, names in zip(_spatial_axes(fmt), given, self.sides):
            shape[axis] = self.axis(shape[axis], values, names, images.shape or ())
        return images.with_shape(tuple(shape))


def _pad_axis(size: Dim, before: Any, after: Any, target: Any, names: tuple[str, str, str]) -> Dim:
    """One axis of ``PadImages.compute_output_spec``, plus what data then checks."""
    if target is None:
        return dims.add(dims.add(before, size), after)
    given = before if after is None else after
    missing = names[1] if after is None else names[0]
    rest = dims.sub(dims.sub(target, size), given) if size is not None else None
    if is_int(rest) and rest < 0:
        raise ShapeError(INVALID_ARGUMENT, f"{missing} must be >= 0. Received: {missing}={rest}")
    if _undefined_or(size) and target - given < 1:
        # Any size of the axis (at least 1) leaves a negative padding once data flows.
        raise ShapeError(INVALID_ARGUMENT, f"{missing} must be >= 0: {names[2]}={target} leaves "
                         f"{target - given} for the image and {missing} together")
    return target


@register
class PadImages(_Sides):
    """``keras.ops.image.pad_images(images, top_padding, left_padding, bottom_padding, right_padding,
    target_height, target_width)``: two of (top, bottom, target height) and two of (left, right,
    target width); the third follows and must not be negative."""

    names = ("keras.ops.image.pad_images",)
    sides = (_PAD_H, _PAD_W)
    params = ("images", "top_padding", "left_padding", "bottom_padding", "right_padding", "target_height",
              "target_width", "data_format")
    defaults = {"top_padding": None, "left_padding": None, "bottom_padding": None, "right_padding": None,
                "target_height": None, "target_width": None, "data_format": None}
    examples = (
        Example({"top_padding": 1, "bottom_padding": 2, "left_padding": 0, "right_padding": 3}, (None, 4, 4, 3),
                (None, 7, 7, 3)),
        Example({"top_padding": 1, "target_height": 8, "left_padding": 2, "target_width": 6}, (4, 4, 3), (8, 6, 3)),
        Example({"top_padding": 1, "target_height": 8, "left_padding": 2, "target_width": 6,
                 "data_format": "channels_first"}, (None, 3, None, 4), (None, 3, 8, 6)),
        Example({"top_padding": 1, "bottom_padding": 1, "left_padding": 1, "right_padding": 1},
                (None, None, 4, 3), (None, None, 6, 3)),
        Example({"top_padding": 1, "target_height": 4, "left_padding": 0, "right_padding": 0}, (None, 4, 4, 3),
                "invalid-argument"),
        Example({"top_padding": 2, "target_height": 8, "left_padding": 0, "right_padding": 0},
                (None, None, 4, 3), (None, 8, 4, 3)),
        Example({"top_padding": 1, "bottom_padding": 1, "target_height": 6, "left_padding": 0,
                 "right_padding": 0}, (None, 4, 4, 3), "invalid-argument"),
        Example({"top_padding": -1, "bottom_padding": 1, "left_padding": 0, "right_padding": 0},
                (None, 4, 4, 3), "invalid-argument"),
        Example({"top_padding": 1, "bottom_padding": 1, "left_padding": 0, "right_padding": 0}, (4, 3),
                "rank-mismatch"),
    )

    def axis(self, size: Dim, sides: tuple[Any, Any, Any], names: tuple[str, str, str], shape: Shape) -> Dim:
        return _pad_axis(size, *sides, names)


def _crop_axis(size: Dim, before: Any, after: Any, target: Any, names: tuple[str, str, str],
               shape: Shape) -> Dim:
    """One axis of ``CropImages.compute_output_spec``."""
    if size is None and target is None:
        raise ShapeError(INVALID_ARGUMENT, f"When the {names[2][len('target_'):]} of the images is unknown, "
                         f"`{names[2]}` must be specified. Received images.shape={show_shape(shape)} and "
                         f"{names[2]}={target}")
    if target is None:
        out = dims.sub(dims.sub(size, before), after)
        if is_int(out) and out < 0:
            raise ShapeError(NEGATIVE_DIMENSION, f"{names[2]} must be >= 0. Received: {names[2]}={out}")
        return out
    given = before if after is None else after
    missing = names[1] if after is None else names[0]
    rest = dims.sub(dims.sub(size, target), given) if size is not None else None
    if is_int(rest) and rest < 0:
        raise ShapeError(NEGATIVE_DIMENSION, f"{missing} must be >= 0. Received: {missing}={rest}")
    return target


@register
class CropImages(_Sides):
    """``keras.ops.image.crop_images(images, top_cropping, left_cropping, bottom_cropping,
    right_cropping, target_height, target_width)``: two of (top, bottom, target height) and two
    of (left, right, target width); an undefined height or width needs its target."""

    names = ("keras.ops.image.crop_images",)
    sides = (_CROP_H, _CROP_W)
    params = ("images", "top_cropping", "left_cropping", "bottom_cropping", "right_cropping", "target_height",
              "target_width", "data_format")
    defaults = {"top_cropping": None, "left_cropping": None, "bottom_cropping": None, "right_cropping": None,
                "target_height": None, "target_width": None, "data_format": None}
    examples = (
        Example({"top_cropping": 1, "bottom_cropping": 2, "left_cropping": 0, "right_cropping": 1},
                (None, 8, 8, 3), (None, 5, 7, 3)),
        Example({"top_cropping": 1, "target_height": 4, "left_cropping": 2, "target_width": 3}, (8, 8, 3),
                (4, 3, 3)),
        Example({"top_cropping": 1, "target_height": 4, "left_cropping": 2, "target_width": 3,
                 "data_format": "channels_first"}, (None, 3, None, None), (None, 3, 4, 3)),
        Example({"top_cropping": 1, "bottom_cropping": 1, "left_cropping": 0, "right_cropping": 0},
                (None, None, 8, 3), "invalid-argument"),
        Example({"top_cropping": 4, "bottom_cropping": 5, "left_cropping": 0, "right_cropping": 0},
                (None, 8, 8, 3), "negative-dimension"),
        Example({"top_cropping": 2, "target_height": 7, "left_cropping": 0, "right_cropping": 0},
                (None, 8, 8, 3), "negative-dimension"),
        Example({"top_cropping": 1, "left_cropping": 0, "right_cropping": 0}, (None, 8, 8, 3), "invalid-argument"),
    )

    def axis(self, size: Dim, sides: tuple[Any, Any, Any], names: tuple[str, str, str], shape: Shape) -> Dim:
        return _crop_axis(size, *sides, names, shape)


@register
class AffineTransform(OpRule):
    """``keras.ops.image.affine_transform(images, transform)``: the shape is kept. ``transform`` is
    one transform ``(8,)`` or a batch ``(n, 8)``; on data there must be one transform or one per
    image, and ``interpolation`` / ``fill_mode`` are checked."""

    names = ("keras.ops.image.affine_transform",)
    params = ("images", "transform", "interpolation", "fill_mode", "fill_value", "data_format")
    defaults = {"interpolation": "bilinear", "fill_mode": "constant", "fill_value": 0, "data_format": None}
    examples = (
        Example({}, (None, 8, 8, 3), (None, 8, 8, 3), args=((None, 8),)),
        Example({"data_format": "channels_first"}, (3, 8, 8), (3, 8, 8), args=((8,),)),
        Example({}, (2, 8, 8, 3), (2, 8, 8, 3), args=((1, 8),)),
        Example({}, (None, 8, 8, 3), "invalid-argument", args=((None, 6),)),
        Example({}, (2, 8, 8, 3), "incompatible-shapes", args=((3, 8),)),
        Example({"fill_mode": "mirror"}, (None, 8, 8, 3), "invalid-argument", args=((8,),)),
        Example({}, (8, 8), "rank-mismatch", args=((8,),)),
        Example({}, (None, 8, 8, 3), "rank-mismatch", args=((None, 1, 8),)),
    )

    def output(self, call: Call) -> TensorType:
        _data_format(call)
        images = _images(call)
        transform = tensor(call, "transform")
        shape, tshape = images.shape, transform.shape
        assert shape is not None and tshape is not None
        if len(tshape) not in (1, 2):
            raise ShapeError(RANK_MISMATCH, "Invalid transform rank: expected rank 1 (single transform) or rank 2 "
                             f"(batch of transforms). Received input with shape: transform.shape="
                             f"{show_shape(tshape)}")
        _choice(call, "interpolation", AFFINE_INTERPOLATIONS)
        _choice(call, "fill_mode", AFFINE_FILL_MODES)
        if is_int(tshape[-1]) and tshape[-1] != 8:
            raise ShapeError(INVALID_ARGUMENT, "Input transform should be num_images x 8 or 1 x 8: "
                             f"transform.shape={show_shape(tshape)}")
        if len(tshape) == 2:
            _batch_compatible(shape, tshape[0], "transform")
        return images


def _points(t: TensorType, name: str) -> Shape:
    shape = t.shape
    assert shape is not None
    tail = shape[-2:]
    if len(shape) not in (2, 3) or any(dims.equal(d, k) is not True for d, k in zip(tail, (4, 2))):
        if len(shape) in (2, 3) and not any(dims.differs(d, k) or d is None for d, k in zip(tail, (4, 2))):
            raise Unknowable()  # a value the front end could not follow: maybe (4, 2)
        raise ShapeError(RANK_MISMATCH if len(shape) not in (2, 3) else INVALID_ARGUMENT,
                         f"Invalid {name} shape: expected (4,2) for a single image or (N,4,2) for a batch. Received "
                         f"shape: {show_shape(shape)}")
    return shape


@register
class PerspectiveTransform(OpRule):
    """``keras.ops.image.perspective_transform(images, start_points, end_points)``: the shape is
    kept. The point sets are ``(4, 2)`` or ``(n, 4, 2)``, of the same shape (Keras compares the
    shapes as tuples: an undefined axis only matches an undefined one); on data ``n`` must be 1
    or the number of images."""

    names = ("keras.ops.image.perspective_transform",)
    params = ("images", "start_points", "end_points", "interpolation", "fill_value", "data_format")
    defaults = {"interpolation": "bilinear", "fill_value": 0, "data_format": None}
    examples = (
        Example({}, (None, 8, 8, 3), (None, 8, 8, 3), args=((None, 4, 2), (None, 4, 2))),
        Example({"data_format": "channels_first"}, (3, 8, 8), (3, 8, 8), args=((4, 2), (4, 2))),
        Example({}, (None, 8, 8, 3), "invalid-argument", args=((None, 4, 2), (2, 4, 2))),
        Example({}, (None, 8, 8, 3), "invalid-argument", args=((None, 4, 3), (None, 4, 3))),
        Example({}, (2, 8, 8, 3), "incompatible-shapes", args=((3, 4, 2), (3, 4, 2))),
        Example({"interpolation": "bicubic"}, (2, 8, 8, 3), "invalid-argument", args=((4, 2), (4, 2))),
        Example({}, (8, 8), "rank-mismatch", args=((4, 2), (4, 2))),
    )

    def output(self, call: Call) -> TensorType:
        _data_format(call)
        images = _images(call)
        start = _points(tensor(call, "start_points"), "start_points")
        end = _points(tensor(call, "end_points"), "end_points")
        if len(start) != len(end) or any(a is None and b is not None or b is None and a is not None
                                          or dims.differs(a, b) for a, b in zip(start, end)):
            raise ShapeError(INVALID_ARGUMENT, "start_points and end_points must have the same shape. Received "
                             f"start_points.shape={show_shape(start)}, end_points.shape={show_shape(end)}")
        if any(a is not None and dims.equal(a, b) is None for a, b in zip(start, end)):
            raise Unknowable()
        _choice(call, "interpolation", AFFINE_INTERPOLATIONS)
        if len(start) == 3:
            assert images.shape is not None
            _batch_compatible(images.shape, start[0], "start_points")
        return images


@register
class MapCoordinates(OpRule):
    """``keras.ops.image.map_coordinates(inputs, coordinates, order)``: ``coordinates`` is
    ``(rank of inputs, *out)`` and the result ``out``. Keras compares the leading axis with the
    rank as it is, so an undefined one fails; on data ``order`` must be 0 or 1 and ``fill_mode``
    one the backend knows."""

    names = ("keras.ops.image.map_coordinates",)
    params = ("inputs", "coordinates", "order", "fill_mode", "fill_value")
    defaults = {"fill_mode": "constant", "fill_value": 0}
    examples = (
        Example({"order": 1}, (8, 8), (5, 6), args=((2, 5, 6),)),
        Example({"order": 0}, (None, 8, 3), (None, 7), args=((3, None, 7),)),
        Example({"order": 1}, (8, 8), "incompatible-shapes", args=((3, 5),)),
        Example({"order": 1}, (8, 8), "incompatible-shapes", args=((None, 5),)),
        Example({"order": 1}, (8,), "rank-mismatch", args=((1,),)),
        Example({"order": 3}, (8, 8), "invalid-argument", args=((2, 5),)),
        Example({"order": 1, "fill_mode": "symmetric"}, (8, 8), "invalid-argument", args=((2, 5),)),
    )

    def output(self, call: Call) -> TensorType:
        inputs = tensor(call, "inputs")
        coords = tensor(call, "coordinates")
        shape, cshape = inputs.shape, coords.shape
        assert shape is not None and cshape is not None
        if not cshape:
            raise ShapeError(RANK_MISMATCH, "`coordinates` must have a leading axis (the rank of `inputs`); "
                             "received a scalar")
        lead = cshape[0]
        if lead is None or dims.differs(lead, len(shape)):
            raise ShapeError(INCOMPATIBLE_SHAPES, "First dim of `coordinates` must be the same as the rank of "
                             f"`inputs`. Received inputs with shape: {show_shape(shape)} and coordinate leading "
                             f"dim of {dims.show(lead)}")
        if len(cshape) < 2:
            raise ShapeError(RANK_MISMATCH, "Invalid coordinates rank: expected at least rank 2. Received input "
                             f"with shape: {show_shape(cshape)}")
        _choice(call, "fill_mode", MAP_COORDINATES_FILL_MODES)
        order = param(call, "order")
        if order is not UNKNOWN and not isinstance(order, dims.Sym) and not _is_order(order):
            raise ShapeError(INVALID_ARGUMENT, f"map_coordinates currently requires order<=1. Received: "
                             f"order={order!r}")
        if dims.equal(lead, len(shape)) is None:
            raise Unknowable()
        return TensorType(tuple(cshape[1:]), inputs.dtype)


def _is_order(v: Any) -> bool:
    try:
        return bool(v == 0 or v == 1)
    except Exception:  # noqa: BLE001 - an exotic literal: not 0 or 1
        return False


def _can_equal(left: tuple, right: tuple) -> bool:
    """Whether ``prod(left) == prod(right)`` for some sizes (at least 1) of their ``None`` axes."""
    def split(shape: tuple) -> tuple[int, int]:
        k = 1
        for d in shape:
            if is_int(d):
                k *= d
        return k, sum(d is None for d in shape)

    (a, na), (b, nb) = split(left), split(right)
    if na and nb:
        return True
    if na:
        return a != 0 and b % a == 0
    if nb:
        return b != 0 and a % b == 0
    return a == b


@register
class SSIM(OpRule):
    """``keras.ops.image.ssim(image1, image2)``: one value per image: ``()`` for a single image,
    ``(batch,)`` for a batch. On data both must have the same rank, height and width must be at
    least ``filter_size - 1`` (a valid convolution; one less than the filter gives an empty map), and
    ``image2`` must hold as many values as ``image1`` (or as one of its channels: it is reshaped to
    ``image1``'s height and width)."""

    names = ("keras.ops.image.ssim",)
    params = ("image1", "image2", "max_val", "filter_size", "filter_sigma", "k1", "k2", "data_format")
    defaults = {"max_val": 1.0, "filter_size": 11, "filter_sigma": 1.5, "k1": 0.01, "k2": 0.03, "data_format": None}
    examples = (
        Example({}, (None, 16, 16, 3), (None,), args=((None, 16, 16, 3),)),
        Example({"filter_size": 3}, (8, 8, 3), (), args=((8, 8, 3),)),
        Example({"data_format": "channels_first"}, (2, 3, 12, 12), (2,), args=((2, 3, 12, 12),)),
        Example({}, (2, 8, 16, 3), "negative-dimension", args=((2, 8, 16, 3),)),
        Example({}, (16, 16, 3), "incompatible-shapes", args=((1, 16, 16, 3),)),
        Example({}, (2, 16, 16, 3), "incompatible-shapes", args=((2, 16, 16, 2),)),
        Example({"filter_size": 0}, (2, 16, 16, 3), "invalid-argument", args=((2, 16, 16, 3),)),
        Example({}, (16, 16), "rank-mismatch", args=((16, 16, 1),)),
    )

    def output(self, call: Call) -> TensorType:
        fmt = _data_format(call)
        image1 = _images(call, "image1")
        image2 = _images(call, "image2")
        s1, s2 = image1.shape, image2.shape
        assert s1 is not None and s2 is not None
        out = () if len(s1) == 3 else (s1[0],)
        if len(s1) != len(s2):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"image1 and image2 must have the same rank. Received "
                             f"image1.shape={show_shape(s1)}, image2.shape={show_shape(s2)}")
        size = param(call, "filter_size")
        if is_int(size) and size <= 0:
            raise ShapeError(INVALID_ARGUMENT, f"filter must not have zero elements: filter_size={size}")
        if fmt is None:
            raise Unknowable()
        h, w = (s1[a] for a in _spatial_axes(fmt))
        # TensorFlow's convolution gives an empty map (and a NaN) when the filter is one larger than the
        # image, and fails only below that.
        if is_int(size) and any(is_int(d) and d < size - 1 for d in (h, w)):
            raise ShapeError(NEGATIVE_DIMENSION, f"Computed output size would be negative: a {size}x{size} valid "
                             f"filter on images of shape {show_shape(s1)}")
        if not any(isinstance(d, dims.Sym) for d in (*s1, *s2)) \
                and not _can_equal(s2, s1) and not _can_equal(s2, (h, w)):
            raise ShapeError(INCOMPATIBLE_SHAPES, f"image2 must hold as many values as image1 (or as one of its "
                             f"channels). Received image1.shape={show_shape(s1)}, image2.shape={show_shape(s2)}")
        return image1.with_shape(out)


@register
class ScaleAndTranslate(OpRule):
    """``keras.ops.image.scale_and_translate(images, output_shape, scale, translation, spatial_dims,
    method)``: Keras's symbolic result is ``output_shape`` as given. On data each spatial dim ``d``
    (taken modulo the rank) indexes ``output_shape``, the i-th one reads ``scale[i]`` and
    ``translation[i]``, and ``method`` must be one the backend knows."""

    names = ("keras.ops.image.scale_and_translate",)
    params = ("images", "output_shape", "scale", "translation", "spatial_dims", "method", "antialias")
    defaults = {"antialias": True}
    examples = (
        Example({"output_shape": (2, 8, 8, 3), "spatial_dims": (1, 2), "method": "bilinear"}, (2, 4, 4, 3),
                (2, 8, 8, 3), call_kwargs={"scale": T((2,)), "translation": T((2,))}),
        Example({"output_shape": (2, 8, 8, 3), "spatial_dims": (1, 2), "method": "nearest"}, (2, 4, 4, 3),
                "invalid-argument", call_kwargs={"scale": T((2,)), "translation": T((2,))}),
        Example({"output_shape": (2, 8, 8, 3), "spatial_dims": (1, 2), "method": "cubic"}, (2, 4, 4, 3),
                "invalid-argument", call_kwargs={"scale": T((1,)), "translation": T((2,))}),
        Example({"output_shape": (2, 8), "spatial_dims": (1, 2), "method": "linear"}, (2, 4, 4, 3),
                "invalid-argument", call_kwargs={"scale": T((2,)), "translation": T((2,))}),
        Example({"output_shape": (2, -8, 8, 3), "spatial_dims": (1, 2), "method": "linear"}, (2, 4, 4, 3),
                "invalid-argument", call_kwargs={"scale": T((2,)), "translation": T((2,))}),
    )

    def output(self, call: Call) -> TensorType:
        images = tensor(call, "images")
        out = known(param(call, "output_shape"))
        if not isinstance(out, (list, tuple)) or not all(is_int(d) for d in out):
            raise Unknowable()
        if any(d < 0 for d in out):
            raise ShapeError(INVALID_ARGUMENT, f"Cannot convert '{tuple(out)}' to a shape. Negative dimensions are "
                             "not allowed.")
        _choice(call, "method", SCALE_AND_TRANSLATE_METHODS)
        spatial = param(call, "spatial_dims")
        if spatial is UNKNOWN or _contains_unknown_value(spatial):
            raise Unknowable()
        if not isinstance(spatial, (list, tuple)):
            raise ShapeError(INVALID_ARGUMENT, f"`spatial_dims` must be a sequence of axes. Received: "
                             f"spatial_dims={spatial!r}")
        if not all(is_int(d) for d in spatial):
            raise Unknowable()
        rank = len(images.shape or ())
        if spatial and rank == 0:
            raise ShapeError(RANK_MISMATCH, "`images` must have the spatial axes `spatial_dims` names: received "
                             "a scalar")
        shape = images.shape or ()
        current = list(shape)
        resized: set[int] = set()
        for d in spatial:
            axis = d % rank
            if axis >= len(out):
                raise ShapeError(INVALID_ARGUMENT, f"spatial dim {d} (axis {axis} of the images) indexes "
                                 f"output_shape={tuple(out)}, which has {len(out)} entries")
            # An undefined axis (at least 1) resized to 0 differs from itself the second time.
            if dims.differs(current[axis], shape[axis]) or axis in resized and _undefined_or(shape[axis]) \
                    and current[axis] == 0:
                # An axis named twice is resized twice, from its original size each time.
                raise ShapeError(INCOMPATIBLE_SHAPES, f"spatial_dims={tuple(spatial)} resizes axis {axis} twice: "
                                 f"from {dims.show(shape[axis])} to {out[axis]}, then from {out[axis]} as if it "
                                 f"were {dims.show(shape[axis])}")
            current[axis] = out[axis]
            resized.add(axis)
        for name in ("scale", "translation"):
            shape = tensor(call, name).shape
            assert shape is not None
            if not spatial:
                continue
            if len(shape) == 0:
                raise ShapeError(RANK_MISMATCH, f"`{name}` needs one value per spatial dim; received a scalar")
            if len(shape) == 1 and is_int(shape[0]) and shape[0] < len(spatial):
                raise ShapeError(INVALID_ARGUMENT, f"`{name}` has {shape[0]} values for {len(spatial)} spatial "
                                 f"dims: slice index {shape[0]} of dimension 0 out of bounds")
            if len(shape) != 1:
                raise Unknowable()
        return images.with_shape(tuple(out))


def _contains_unknown_value(v: Any) -> bool:
    if v is UNKNOWN or isinstance(v, dims.Sym):
        return True
    return isinstance(v, (list, tuple)) and any(_contains_unknown_value(x) for x in v)


# -- tf.image (tf.keras 2: TFOpLambda on Keras tensors) ----------------------------------

@register
class TfImageResize(OpRule):
    """``tf.image.resize(images, size, method="bilinear", preserve_aspect_ratio=False, antialias=False)``:
    images of rank 3 or 4 (channels last) take ``size`` as height and width."""

    names = ("tensorflow.image.resize",)
    params = ("images", "size", "method", "preserve_aspect_ratio", "antialias")
    defaults = {"method": "bilinear", "preserve_aspect_ratio": False, "antialias": False}
    keras_equivalent = "keras.ops.image.resize"
    examples = (
        Example({"size": (8, 9)}, (None, 4, 4, 3), (None, 8, 9, 3)),
        Example({"size": [8, 9]}, (4, 4, 3), (8, 9, 3)),
        Example({"size": (8, 9)}, (None, 4), "rank-mismatch"),
        Example({"size": (8,)}, (None, 4, 4, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "images")
        size = known(param(call, "size"))
        if not isinstance(size, (list, tuple)):
            raise Unknowable()
        if len(x.shape) not in (3, 4):
            raise ShapeError(RANK_MISMATCH, f"'images' must have either 3 or 4 dimensions; received "
                             f"{show_shape(x.shape)}")
        if len(size) != 2:
            raise ShapeError(INVALID_ARGUMENT, f"'size' must be a 1-D Tensor of 2 elements: new_height, new_width; "
                             f"received {size!r}")
        if known(param(call, "preserve_aspect_ratio")) or not all(is_int(v) for v in size):
            raise Unknowable()
        if any(v <= 0 for v in size):
            raise Unknowable()
        return TensorType(x.shape[:-3] + (size[0], size[1], x.shape[-1]), "float32")


# -- image files: their names (tf.strings.split), tf.io.read_file and the decoders (on data, in tf.data) ---


@register
class TfReadFile(OpRule):
    """``tf.io.read_file(filename)``: the file's bytes, one string; ``filename`` must be a scalar."""

    names = ("tensorflow.io.read_file",)
    params = ("filename", "name")
    defaults = {"name": None}
    examples = (Example({}, T((), "string"), ()), Example({}, T((2,), "string"), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "filename")
        if x.shape:
            raise ShapeError(RANK_MISMATCH, f"read_file takes one file name, a scalar; received shape "
                             f"{show_shape(x.shape)}")
        return TensorType((), "string")


@register
class TfStringsSplit(OpRule):
    """``tf.strings.split(input, sep=None, maxsplit=-1)``: a scalar string gives its parts, a 1-D
    string tensor of unknown length (``tf.strings.split(path, "/")[-2]``, a folder's name); a tensor
    of strings gives a ragged one (not followed)."""

    names = ("tensorflow.strings.split",)
    params = ("input", "sep", "maxsplit", "name")
    defaults = {"sep": None, "maxsplit": -1, "name": None}
    examples = (Example({"sep": "/"}, T((), "string"), (None,)),)

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "input")
        if x.shape:
            raise Unknowable()  # (a RaggedTensor)
        return TensorType((None,), "string")


class _Decode(OpRule):
    """An image decoder on one encoded image (a scalar string): ``(height, width, channels)`` with the
    file's height and width, and ``channels`` when it is given (0 or None: the file's)."""

    #: the output's rank (a GIF's frames come first)
    frames: ClassVar[bool] = False
    #: the channels the kernel makes (others fail when the data is decoded: unknown)
    valid_channels: ClassVar[tuple[int, ...]] = (1, 3, 4)

    def channels(self, call: Call) -> Dim:
        c = known(param(call, "channels"))
        if c is None or c == 0:
            return None
        if not is_int(c) or c not in self.valid_channels:
            raise Unknowable()
        return c

    def dtype(self, call: Call) -> Optional[str]:
        return "uint8"

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "contents")
        if x.shape:
            raise ShapeError(RANK_MISMATCH, f"contents must be a scalar (one encoded image); received shape "
                             f"{show_shape(x.shape)}")
        c = self.channels(call)
        return TensorType(((None,) if self.frames else ()) + (None, None, c), self.dtype(call))


@register
class TfDecodeJpeg(_Decode):
    """``tf.io.decode_jpeg(contents, channels=0, ...)``: ``(height, width, channels)`` uint8."""

    names = ("tensorflow.io.decode_jpeg", "tensorflow.image.decode_jpeg")
    params = ("contents", "channels", "ratio", "fancy_upscaling", "try_recover_truncated", "acceptable_fraction",
              "dct_method", "name")
    defaults = {"channels": 0}
    valid_channels = (1, 3)
    examples = (Example({"channels": 3}, T((), "string"), (None, None, 3)),
                Example({}, T((), "string"), (None, None, None)),
                Example({"channels": 1}, T((4,), "string"), "rank-mismatch"))


@register
class TfDecodePng(_Decode):
    """``tf.io.decode_png(contents, channels=0, dtype=tf.uint8)``: ``(height, width, channels)``."""

    names = ("tensorflow.io.decode_png", "tensorflow.image.decode_png")
    params = ("contents", "channels", "dtype", "name")
    defaults = {"channels": 0, "dtype": "uint8"}
    examples = (Example({"channels": 4}, T((), "string"), (None, None, 4)),
                Example({"dtype": "uint16"}, T((), "string"), (None, None, None)))

    def dtype(self, call: Call) -> Optional[str]:
        d = known(param(call, "dtype"))
        return d if isinstance(d, str) else None


@register
class TfDecodeBmp(_Decode):
    """``tf.io.decode_bmp(contents, channels=0)``: ``(height, width, channels)`` uint8."""

    names = ("tensorflow.io.decode_bmp", "tensorflow.image.decode_bmp")
    params = ("contents", "channels", "name")
    defaults = {"channels": 0}
    valid_channels = (3, 4)
    examples = (Example({"channels": 3}, T((), "string"), (None, None, 3)),)


@register
class TfDecodeGif(_Decode):
    """``tf.io.decode_gif(contents)``: ``(frames, height, width, 3)`` uint8."""

    names = ("tensorflow.io.decode_gif", "tensorflow.image.decode_gif")
    params = ("contents", "name")
    frames = True
    examples = (Example({}, T((), "string"), (None, None, None, 3)),)

    def channels(self, call: Call) -> Dim:
        return 3


@register
class TfDecodeImage(_Decode):
    """``tf.io.decode_image(contents, channels=None, dtype=tf.uint8, expand_animations=True)``: a GIF
    is four-dimensional unless ``expand_animations=False``, so the rank is known only then."""

    names = ("tensorflow.io.decode_image", "tensorflow.image.decode_image")
    params = ("contents", "channels", "dtype", "name", "expand_animations")
    defaults = {"channels": None, "dtype": "uint8", "expand_animations": True}
    examples = (Example({"channels": 3, "expand_animations": False}, T((), "string"), (None, None, 3)),
                Example({"dtype": "float32", "expand_animations": False}, T((), "string"), (None, None, None)))

    def dtype(self, call: Call) -> Optional[str]:
        d = known(param(call, "dtype"))
        return d if isinstance(d, str) else None

    def output(self, call: Call) -> TensorType:
        if known(param(call, "expand_animations")) is not False:
            tensor(call, "contents")
            raise Unknowable()  # (rank 3, or 4 for a GIF)
        return super().output(call)


@register
class TfRgbToGrayscale(OpRule):
    """``tf.image.rgb_to_grayscale(images)``: the last axis, of 3 channels, becomes 1."""

    names = ("tensorflow.image.rgb_to_grayscale",)
    params = ("images",)
    keras_equivalent = "keras.ops.image.rgb_to_grayscale"
    examples = (Example({}, (None, 4, 4, 3), (None, 4, 4, 1)), Example({}, (None, 4, 4, 2), "axis-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "images")
        if not x.shape:
            raise ShapeError(RANK_MISMATCH, "rgb_to_grayscale: images must have a channel axis, received a scalar")
        if dims.differs(x.shape[-1], 3):
            raise ShapeError(AXIS_MISMATCH, f"rgb_to_grayscale: the last axis must hold 3 channels, received "
                             f"{show_shape(x.shape)}")
        return x.with_shape(x.shape[:-1] + (1,))


@register
class TfGrayscaleToRgb(OpRule):
    """``tf.image.grayscale_to_rgb(images)``: rank 2 at least; the last axis, of 1 channel, becomes 3."""

    names = ("tensorflow.image.grayscale_to_rgb",)
    params = ("images",)
    examples = (Example({}, (None, 4, 4, 1), (None, 4, 4, 3)), Example({}, (None, 4, 4, 3), "axis-mismatch"),
                Example({}, (1,), "rank-mismatch"))

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "images")
        if len(x.shape) < 2:
            raise ShapeError(RANK_MISMATCH, f"A grayscale image must be at least two-dimensional; received "
                             f"{show_shape(x.shape)}")
        if dims.differs(x.shape[-1], 1):
            raise ShapeError(AXIS_MISMATCH, f"Last dimension of a grayscale image should be size 1; received "
                             f"{show_shape(x.shape)}")
        return x.with_shape(x.shape[:-1] + (3,))


@register
class TfExtractPatches(OpRule):
    """``tf.image.extract_patches(images, sizes, strides, rates, padding)``: rank 4; ``sizes``, ``strides``
    and ``rates`` are ``[1, rows, cols, 1]``; each spatial axis as a convolution's, the channels times
    ``rows * cols``."""

    names = ("tensorflow.image.extract_patches",)
    params = ("images", "sizes", "strides", "rates", "padding")
    keras_equivalent = "keras.ops.image.extract_patches"
    examples = (
        Example({"sizes": [1, 3, 3, 1], "strides": [1, 2, 2, 1], "rates": [1, 1, 1, 1], "padding": "VALID"},
                (None, 9, 8, 3), (None, 4, 3, 27)),
        Example({"sizes": [1, 3, 3, 1], "strides": [1, 2, 2, 1], "rates": [1, 2, 2, 1], "padding": "SAME"},
                (None, 9, 8, 3), (None, 5, 4, 27)),
        Example({"sizes": [1, 3, 3, 1], "strides": [1, 2, 2, 1], "rates": [1, 1, 1, 1], "padding": "VALID"},
                (None, 9, 8), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "images")
        specs = [known(param(call, p)) for p in ("sizes", "strides", "rates")]
        padding = known(param(call, "padding"))
        if padding not in ("VALID", "SAME") or not all(
                isinstance(s, (list, tuple)) and len(s) == 4 and all(is_int(v) for v in s) for s in specs):
            raise Unknowable()
        if any(s[0] != 1 or s[3] != 1 or min(s) < 1 for s in specs):
            raise Unknowable()
        if len(x.shape) != 4:
            raise ShapeError(RANK_MISMATCH, f"Shape must be rank 4 but is rank {len(x.shape)}: images "
                             f"{show_shape(x.shape)}")
        (_, kr, kc, _), (_, sr, sc, _), (_, rr, rc, _) = specs
        out: list[Dim] = []
        for n, k, s, r in ((x.shape[1], kr, sr, rr), (x.shape[2], kc, sc, rc)):
            if not is_int(n):
                out.append(None if n is None else dims.unknown())
            elif padding == "SAME":
                out.append(-(-n // s))  # type: ignore[operator]
            else:
                eff = (k - 1) * r + 1
                if n < eff:  # type: ignore[operator]
                    raise Unknowable()  # TensorFlow traces an empty axis (and runs it) rather than failing
                out.append(-(-(n - eff + 1) // s))  # type: ignore[operator]
        return TensorType((x.shape[0], out[0], out[1], dims.mul(x.shape[3], kr * kc)), x.dtype)


@register
class KResizeImages(OpRule):
    """``K.resize_images(x, height_factor, width_factor, data_format, interpolation="nearest")`` (tf.keras 2):
    the two spatial axes of a rank-4 tensor multiplied by the factors."""

    names = ("keras.backend.resize_images",)
    params = ("x", "height_factor", "width_factor", "data_format", "interpolation")
    defaults = {"interpolation": "nearest"}
    keras_equivalent = "keras.ops.image.resize"
    examples = (
        Example({"height_factor": 2, "width_factor": 3, "data_format": "channels_last"}, (None, 4, 5, 3),
                (None, 8, 15, 3)),
        Example({"height_factor": 2, "width_factor": 2, "data_format": "channels_first"}, (None, 3, 4, 5),
                (None, 3, 8, 10)),
        Example({"height_factor": 2, "width_factor": 2, "data_format": "NHWC"}, (None, 4, 5, 3),
                "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        x = tensor(call, "x")
        fmt = known(param(call, "data_format"))
        if fmt not in ("channels_first", "channels_last"):
            raise ShapeError(INVALID_ARGUMENT, f"Invalid `data_format` argument: {fmt}")
        hf, wf = known(param(call, "height_factor")), known(param(call, "width_factor"))
        if not (is_int(hf) and is_int(wf)) or hf < 1 or wf < 1:
            raise Unknowable()
        if len(x.shape) != 4:
            raise Unknowable()  # tf.image.resize takes a rank-3 tensor as one image, with other axes
        s = list(x.shape)
        r = 2 if fmt == "channels_first" else 1
        s[r], s[r + 1] = dims.mul(s[r], hf), dims.mul(s[r + 1], wf)
        return TensorType(tuple(s), x.dtype)
