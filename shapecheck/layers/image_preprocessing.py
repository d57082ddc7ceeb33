"""Rules for the image augmentation and bounding-box layers of
``keras/src/layers/preprocessing/image_preprocessing``, and ``Pipeline``.

Every augmentation layer returns its input's shape (``compute_output_shape`` is the
identity), so Keras's symbolic build lets almost anything through; what fails is the
first batch of data.  ``BaseImagePreprocessingLayer.call`` accepts a single image
(rank 3) or a batch (rank 4) and nothing else; the colour-space layers convert to
grayscale (1 or 3 channels) or to HSV (exactly 3 channels); a few need a large
enough image.  Constructor arguments Keras validates (factor ranges, ``value_range``,
``interpolation``, ``fill_mode``, ``kernel_size`` …) are reported where the layer is
created.  Dict inputs (``{"images": ..., "bounding_boxes": ...}``) have their images checked
(and a ``bounding_box_format`` when boxes come along); their outputs are unknown.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, Optional

from ..core import dims
from ..core.findings import AXIS_MISMATCH, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.ir import UNKNOWN, LayerRef
from ..core.rules import LAYERS, NUMERIC, T, Call, Example, LayerRule, Unknowable, register
from ..core.shapes import Shape, TensorType, show_shape
from . import conv_utils as cu

_INTERPOLATIONS = ("nearest", "bilinear")
_AFFINE_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


# -- argument checks (mirrors of the constructors' own) --------------------------------

def _is_number(v: Any) -> bool:
    """What ``isinstance(v, (int, float))`` accepts in Keras (``bool`` included)."""
    return isinstance(v, (int, float))


def _followed(v: Any) -> bool:
    """A literal the front end followed, down to its elements."""
    if v is UNKNOWN:
        return False
    if isinstance(v, (list, tuple)):
        return all(_followed(x) for x in v)
    return not isinstance(v, dims.Sym)


def _bad(key: str, v: Any, why: str) -> ShapeError:
    return ShapeError(INVALID_ARGUMENT, f"The `{key}` argument {why}. Received: {key}={v!r}")


def check_factor(call: Call, key: str, lo: float, hi: float, *, value: Any = UNKNOWN) -> None:
    """``BaseImagePreprocessingLayer._set_factor``: a number in ``[lo, hi]``, or two numbers
    with ``factor[0] <= hi`` and ``factor[1] >= lo``."""
    v = call.get(key) if value is UNKNOWN else value
    if not _followed(v):
        return
    why = f"should be a number (or a list of two numbers) in the range [{lo}, {hi}]"
    if isinstance(v, (list, tuple)):
        if len(v) != 2 or not all(_is_number(x) for x in v):
            raise _bad(key, v, why)
        if v[0] > hi or v[1] < lo:
            raise _bad(key, v, why)
    elif _is_number(v):
        if not lo <= v <= hi:
            raise _bad(key, v, why)
    else:
        raise _bad(key, v, why)


def check_each_factor(call: Call, key: str, lo: float, hi: float, *, value: Any = UNKNOWN) -> None:
    """``RandomShear`` / ``Solarization``: a number, or two numbers, each in ``[lo, hi]``."""
    v = call.get(key) if value is UNKNOWN else value
    if not _followed(v):
        return
    why = f"should be a number (or a list of two numbers) in the range [{lo}, {hi}]"
    items = v if isinstance(v, (list, tuple)) else [v]
    if isinstance(v, (list, tuple)) and len(v) != 2:
        raise _bad(key, v, why)
    for x in items:
        if not _is_number(x) or not lo <= x <= hi:
            raise _bad(key, v, why)


def check_value_range(call: Call, key: str = "value_range") -> None:
    """``_set_value_range``: a list or tuple of two numbers."""
    v = call.get(key)
    if v is UNKNOWN:
        return
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise _bad(key, v, "should be a list of two numbers")


def check_value_range_at_call(call: Call, target: Optional[tuple] = None) -> None:
    """A ``value_range`` the constructor keeps as given and ``call`` indexes: ``value_range[0]`` and
    ``[1]`` must exist; rescaling to ``target`` (``_transform_value_range``) unpacks exactly two
    unless the first two already equal ``target``."""
    v = call.get("value_range")
    if not _followed(v):
        return
    if not isinstance(v, (list, tuple)) or len(v) < 2:
        raise ShapeError(INVALID_ARGUMENT, "The `value_range` argument should be a list of two numbers: calling "
                         f"the layer indexes it and fails. Received: value_range={v!r}")
    if target is not None and len(v) != 2 and tuple(v[:2]) != target:
        raise ShapeError(INVALID_ARGUMENT, "The `value_range` argument should be a list of two numbers: calling "
                         f"the layer unpacks it into (min, max) and fails. Received: value_range={v!r}")


def check_fill_value_at_call(call: Call) -> None:
    """``fill_value`` becomes a float tensor when the affine transform runs: a number."""
    v = call.get("fill_value")
    if "fill_value" in call.config and _followed(v) and not _is_number(v):
        raise _bad("fill_value", v, "should be a number: calling the layer converts it to a float tensor")


def _upper(v: Any) -> Any:
    """The upper end of a factor once ``_set_factor`` sorted it; ``UNKNOWN`` when not followed."""
    if not _followed(v):
        return UNKNOWN
    return max(v) if isinstance(v, (list, tuple)) else v


def check_choice(call: Call, key: str, choices: tuple) -> None:
    """``interpolation`` / ``fill_mode``: Keras raises ``NotImplementedError`` for others."""
    v = call.get(key)
    if _followed(v) and v not in choices:
        raise ShapeError(INVALID_ARGUMENT, f"Unknown `{key}` {v}. Expected of one {choices}.")


def _sub_factor(v: Any) -> Any:
    """The ``(lower, upper)`` pair a composite layer hands to its sub-layers (``_set_factor`` with
    bounds ``(0, 1)``); ``UNKNOWN`` when not followed."""
    if not _followed(v):
        return UNKNOWN
    if isinstance(v, (list, tuple)):
        return tuple(sorted(v))
    return (max(-v, 0), v)


# -- the shared rule ------------------------------------------------------------------

class _Image(LayerRule):
    """An augmentation of a single image ``(h, w, c)`` or a batch ``(b, h, w, c)``
    (``(c, h, w)`` / ``(b, c, h, w)`` with ``channels_first``): the output has the input's shape."""

    weightless = True

    defaults = {"data_format": None}
    #: the channel counts the layer's colour conversion accepts (``None``: any)
    channels: ClassVar[Optional[tuple[int, ...]]] = None
    #: the colour conversion reads the channels where ``data_format`` says (else: last axis)
    channels_follow_format: ClassVar[bool] = True
    #: the layer takes a dict of images, labels, boxes and masks
    accepts_dict: ClassVar[bool] = True
    #: keys of a dict input the layer has no transform for (``NotImplementedError``)
    unsupported_keys: ClassVar[tuple[str, ...]] = ()
    #: the images must be floats (the layer does not cast them)
    needs_float: ClassVar[bool] = False
    #: axes (``h``, ``w``, ``c``) the layer's code needs defined when traced, for a batch / a single image
    traced_needs: ClassVar[tuple[str, str]] = ("", "")

    def check_config(self, call: Call) -> None:
        if "data_format" in call.config:
            try:
                cu.data_format(call)
            except Unknowable:
                pass
        self.check_args(call)

    def check_args(self, call: Call) -> None:
        """The layer's own constructor checks."""

    def accepted_channels(self, call: Call) -> Optional[tuple[int, ...]]:
        return self.channels

    def output(self, call: Call) -> TensorType:
        first = call.args[0] if call.args else call.kwargs.get("inputs", UNKNOWN)
        if isinstance(first, dict):
            self.check_dict(call, first)
            raise Unknowable()  # a dict of images, labels, boxes, masks: its structure is not followed
        return call.input.with_shape(self.check_images(call, call.shape, call.input.dtype))

    def check_dict(self, call: Call, data: dict) -> None:
        """``{"images": ..., "labels": ..., "bounding_boxes": ..., "segmentation_masks": ...}``: the
        images are checked as a plain input would be."""
        if not self.accepts_dict:
            raise ShapeError(INVALID_ARGUMENT, f"`{call.rule.names[0]}` does not accept a dict input: it reads "
                             "`.shape` of the whole input and fails.")
        if "images" not in data:
            raise ShapeError(INVALID_ARGUMENT, f"`{call.rule.names[0]}` received a dict without an \"images\" key "
                             f"(keys: {sorted(data)}): calling it fails with a KeyError.")
        images = data["images"]
        if isinstance(images, TensorType) and images.shape is not None:
            self.check_images(call, images.shape, images.dtype)
        missing = [k for k in self.unsupported_keys if k in data]
        if missing:
            raise ShapeError(INVALID_ARGUMENT, f"`{call.rule.names[0]}` cannot transform the {missing[0]!r} of a "
                             "dict input: calling it raises NotImplementedError.")
        if "bounding_boxes" in data and call.config.get("bounding_box_format") is None:
            raise ShapeError(INVALID_ARGUMENT, "You passed an input with a 'bounding_boxes' key, but you didn't "
                             f"specify a bounding box format. Pass a `bounding_box_format` argument to your "
                             f"{call.rule.names[0]} layer, e.g. `bounding_box_format='xyxy'`.")

    def check_images(self, call: Call, shape: Shape, dtype: Optional[str] = None) -> Shape:
        """The checks on the images; their shape once the layer ran."""
        if self.needs_float and dtype is not None and not any(dtype.startswith(f) for f in ("float", "bfloat")):
            raise ShapeError(INVALID_ARGUMENT, f"Invalid images dtype: expected float dtype. Received: "
                             f"images.dtype={dtype} (`{call.rule.names[0]}` converts to HSV without casting)")
        if len(shape) not in (3, 4):
            raise ShapeError(RANK_MISMATCH, "Expected image tensor to have rank 3 (single image) or 4 (batch of "
                             f"images). Received: data.shape={show_shape(shape)}")
        self.check_channels(call, shape)
        self.check_call_args(call)
        self.check_image(call, shape)
        if call.traced:
            self.check_traced(call, shape)
            shape = self.traced_shape(call, shape)
        return shape

    def check_traced(self, call: Call, shape: Shape) -> None:
        """Traced with backend tensors (inside a ``Pipeline`` or a layer's ``call``), the layer's
        Python code meets ``None`` axes that data would have filled; some of it fails there."""
        needs = self.traced_needs[0 if len(shape) == 4 else 1]
        what = self._undefined(call, shape, needs) if needs else None
        if what is not None:
            raise self.fail_traced(call, shape, what)

    def traced_shape(self, call: Call, shape: Shape) -> Shape:
        """The output shape TensorFlow's graph gives (its ops' static shapes, not ``compute_output_shape``)."""
        return shape

    def _undefined(self, call: Call, shape: Shape, which: str) -> Optional[str]:
        """The first axis among ``which`` (``h``, ``w``, ``c``) that Keras leaves undefined (``None``)."""
        h, w = self.spatial(call, shape)
        c = shape[self.channel_axis(call)]
        for key, d, what in (("h", h, "height"), ("w", w, "width"), ("c", c, "channels")):
            if key in which and d is None:
                return what
        return None

    def fail_traced(self, call: Call, shape: Shape, what: str) -> ShapeError:
        return ShapeError(AXIS_MISMATCH, f"`{call.rule.names[0]}` traced on images of undefined {what} (shape "
                          f"{show_shape(shape)}), as inside a `Pipeline` or a layer's `call`: its Python code needs "
                          f"the {what} as a number and fails. Give the input a defined {what}.")

    def check_call_args(self, call: Call) -> None:
        """Arguments the constructor keeps as given and ``call`` rejects, whatever the images."""

    def channel_axis(self, call: Call) -> int:
        if not self.channels_follow_format:
            return -1
        return -1 if cu.data_format(call) == cu.CHANNELS_LAST else -3

    def check_channels(self, call: Call, shape: Shape) -> None:
        allowed = self.accepted_channels(call)
        if allowed is None:
            return
        c = shape[self.channel_axis(call)]
        if dims.is_known(c) and c not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ShapeError(AXIS_MISMATCH, f"`{call.rule.names[0]}` converts colours: it needs images with {want} "
                             f"channels, but received images with {c} channels (shape {show_shape(shape)}).")

    def spatial(self, call: Call, shape: Shape) -> tuple[Any, Any]:
        """``(height, width)`` of an image or a batch."""
        if cu.data_format(call) == cu.CHANNELS_LAST:
            return shape[-3], shape[-2]
        return shape[-2], shape[-1]

    def check_image(self, call: Call, shape: Shape) -> None:
        """Further checks on the image (size) that fail when data flows."""


class _HSV(_Image):
    """A layer that converts to HSV space (RandomColorJitter, RandomHue, RandomSaturation)."""

    def traced_shape(self, call: Call, shape: Shape) -> Shape:
        """The HSV conversion's static shape has 3 channels."""
        axis = self.channel_axis(call) % len(shape)
        if shape[axis] is None and self.accepted_channels(call) == (3,):
            return shape[:axis] + (3,) + shape[axis + 1:]
        return shape


# -- layers ---------------------------------------------------------------------------

@register
class AutoContrast(_Image):
    """Stretches each image's values to the full ``value_range``; same shape."""

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    names = ("AutoContrast",)
    params = ("value_range",)
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"value_range": (0, 1)}, (8, 8, 4), (8, 8, 4)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"value_range": 255}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_value_range(call)


@register
class Equalization(_Image):
    """Histogram equalization per channel; same shape."""

    output_dtype = "input"

    names = ("Equalization",)
    traced_needs = ("c", "c")  # a Python loop over the channels
    params = ("value_range", "bins", "data_format")
    examples = (
        Example({}, (None, 16, 16, 3), (None, 16, 16, 3)),
        Example({"bins": 64, "data_format": "channels_first"}, (None, 2, 16, 16), (None, 2, 16, 16)),
        Example({}, (None, 2, 16, 16, 3), "rank-mismatch"),
        Example({"value_range": (0, 1, 2)}, (None, 16, 16, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_value_range(call)


@register
class ContrastLimitedAdaptiveHistogramEqualization(_Image):
    """CLAHE on a ``tile_grid_size`` grid of tiles; same shape.

    Images whose height (width) is not a multiple of the grid are padded symmetrically
    to one; TensorFlow's ``MirrorPad`` refuses a padding larger than the axis itself.
    """

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    names = ("ContrastLimitedAdaptiveHistogramEqualization",)
    unsupported_keys = ("labels", "bounding_boxes", "segmentation_masks")
    traced_needs = ("hw", "hwc")  # tile sizes from the static shape
    params = ("value_range", "clip_limit", "tile_grid_size", "data_format")
    defaults = {"data_format": None, "tile_grid_size": (8, 8)}
    examples = (
        Example({}, (None, 64, 64, 3), (None, 64, 64, 3)),
        Example({"tile_grid_size": (2, 2), "data_format": "channels_first"}, (None, 1, 5, 7), (None, 1, 5, 7)),
        Example({}, (None, 64), "rank-mismatch"),
        Example({"tile_grid_size": (8, 8)}, (None, 3, 64, 3), "invalid-argument"),
    )

    def check_call_args(self, call: Call) -> None:
        check_value_range_at_call(call, (0, 255))
        v = call.get("clip_limit")
        if "clip_limit" in call.config and _followed(v) and not _is_number(v):
            raise _bad("clip_limit", v, "should be a number")
        grid = call.get("tile_grid_size")
        if not _followed(grid):
            return
        if not isinstance(grid, (list, tuple)) or len(grid) != 2:
            raise _bad("tile_grid_size", grid, "must be a pair of integers (grid height, grid width)")
        for g in grid:
            if isinstance(g, float):
                raise _bad("tile_grid_size", grid, "must be a pair of integers: reshaping by a float size fails")
            if isinstance(g, int) and g <= 0:
                # g == 0 divides by zero; a negative g gives a negative padding.
                raise _bad("tile_grid_size", grid, "must be a pair of positive integers")

    def check_image(self, call: Call, shape: Shape) -> None:
        grid = call.get("tile_grid_size")
        if not _followed(grid):
            return
        for size, g, what in zip(self.spatial(call, shape), grid, ("height", "width")):
            if not isinstance(g, int) or isinstance(g, bool) or not dims.is_known(size):
                continue
            tile = -(-size // g)
            pad = tile * g - size
            if pad > size:
                raise ShapeError(INVALID_ARGUMENT, f"An image {what} of {size} cannot be padded to a multiple of the "
                                 f"{g} tiles of `tile_grid_size={tuple(grid)}`: the symmetric padding it needs "
                                 f"({pad}) exceeds the image {what} (input shape {show_shape(shape)}).")


@register
class CutMix(_Image):
    """Pastes patches of other images of the batch; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("CutMix",)
    unsupported_keys = ("bounding_boxes",)
    traced_needs = ("hw", "")  # crop sizes: a float times the dynamic int32 size
    params = ("factor", "seed", "data_format")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": (0.2, 0.8)}, (32, 32, 3), (32, 32, 3)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"factor": 1.5}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)


@register
class MixUp(_Image):
    """Blends each image with another of the batch; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("MixUp",)
    params = ("alpha", "data_format", "seed")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"alpha": 0.4}, (32, 32, 1), (32, 32, 1)),
        Example({}, (None, 4, 32, 32, 3), "rank-mismatch"),
        Example({"data_format": "NHWC"}, (None, 32, 32, 3), "invalid-argument"),
    )


@register
class RandomColorDegeneration(_Image):
    """Blends images with their grayscale version; needs RGB images (3 channels) and says so
    symbolically, in ``compute_output_shape``."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomColorDegeneration",)
    accepts_dict = False  # its compute_output_shape takes len() of the dict and indexes it
    traced_needs = ("c", "c")  # the grayscale conversion checks the static channels
    params = ("factor", "value_range", "data_format", "seed")
    channels = (3,)
    examples = (
        Example({"factor": 0.5}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": (0.1, 0.6), "data_format": "channels_first"}, (3, 8, 8), (3, 8, 8)),
        Example({"factor": 0.5}, (None, 32, 32, 1), "axis-mismatch"),
        Example({"factor": 0.5}, (None, 32), "rank-mismatch"),
        Example({"factor": 2.0}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", -1, 1)
        check_value_range(call)

    def accepted_channels(self, call: Call) -> Optional[tuple[int, ...]]:
        # Traced, `compute_output_shape` does not run: only the grayscale conversion checks.
        return (1, 3) if call.traced else (3,)


@register
class RandomColorJitter(_HSV):
    """Random brightness, contrast, saturation and hue in turn; same shape.

    Its saturation and hue steps convert to HSV (exactly 3 channels) on the *last* axis:
    Keras builds those sub-layers without the jitter's ``data_format``.
    """

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomColorJitter",)
    params = ("value_range", "brightness_factor", "contrast_factor", "saturation_factor", "hue_factor", "seed",
              "data_format")
    defaults = {"data_format": None, "brightness_factor": None, "contrast_factor": None,
                "saturation_factor": None, "hue_factor": None}
    channels_follow_format = False
    examples = (
        Example({"brightness_factor": 0.2, "hue_factor": 0.2}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"contrast_factor": 0.5}, (None, 32, 32, 5), (None, 32, 32, 5)),
        Example({"saturation_factor": 0.5}, (None, 32, 32, 1), "axis-mismatch"),
        Example({"saturation_factor": 0.5, "data_format": "channels_first"}, (None, 3, 32, 32), "axis-mismatch"),
        Example({"hue_factor": 1.5}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        given = {k: call.get(k) for k in ("brightness_factor", "contrast_factor", "saturation_factor",
                                           "hue_factor")}
        if given["brightness_factor"] is not None:
            check_factor(call, "brightness_factor", -1, 1)
            check_value_range(call)
        if given["contrast_factor"] is not None:
            check_factor(call, "contrast_factor", 0, 1)
        if given["saturation_factor"] is not None:
            check_factor(call, "saturation_factor", -1, 1)
            check_value_range(call)
        if given["hue_factor"] is not None:
            check_factor(call, "hue_factor", 0, 1)

    def check_call_args(self, call: Call) -> None:
        if call.get("contrast_factor") is not None:
            check_value_range_at_call(call)
        if call.get("hue_factor") is not None:
            check_value_range_at_call(call, (0, 1))

    def accepted_channels(self, call: Call) -> Optional[tuple[int, ...]]:
        hsv = [call.get(k) for k in ("saturation_factor", "hue_factor")]
        if any(v is not None and v is not UNKNOWN for v in hsv):
            return (3,)
        return None


@register
class RandomElasticTransform(_Image):
    """Random elastic distortion; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomElasticTransform",)
    unsupported_keys = ("bounding_boxes",)
    traced_needs = ("hwc", "hwc")
    params = ("factor", "scale", "interpolation", "fill_mode", "fill_value", "value_range", "seed", "data_format")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": 0.5, "scale": (0.1, 0.5)}, (32, 32, 3), (32, 32, 3)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"fill_mode": "zeros"}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)
        check_factor(call, "scale", 0, 1)
        check_choice(call, "interpolation", _INTERPOLATIONS)
        check_choice(call, "fill_mode", ("constant", "nearest", "wrap", "mirror", "reflect"))

    @staticmethod
    def _transforms(call: Call) -> Optional[bool]:
        """Whether a transformation is drawn at all: not when either upper end is 0."""
        ups = [_upper(call.get(k)) if k in call.config else 1 for k in ("factor", "scale")]
        return None if UNKNOWN in ups else all(u != 0 for u in ups)

    def check_call_args(self, call: Call) -> None:
        check_fill_value_at_call(call)
        if self._transforms(call):
            check_value_range_at_call(call)

    def check_traced(self, call: Call, shape: Shape) -> None:
        if self._transforms(call):
            super().check_traced(call, shape)


@register
class RandomErasing(_Image):
    """Erases a random rectangle of each image; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomErasing",)
    traced_needs = ("hw", "hw")  # crop sizes: a float times the dynamic int32 size
    params = ("factor", "scale", "fill_value", "value_range", "seed", "data_format")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"scale": 0.5, "fill_value": 0.0}, (32, 32, 3), (32, 32, 3)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"scale": (0.5, 2.0, 3.0)}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)
        check_factor(call, "scale", 0, 1)

    def check_call_args(self, call: Call) -> None:
        check_value_range_at_call(call)
        v = call.get("fill_value")
        if v is None or not _followed(v) or _is_number(v):
            return
        if not (isinstance(v, (list, tuple)) and len(v) == 3):
            raise _bad("fill_value", v, "should be a number (or a list of three numbers)")

    def check_image(self, call: Call, shape: Shape) -> None:
        v = call.get("fill_value")
        if isinstance(v, (list, tuple)) and _followed(v) and dims.is_known(shape[-1]) and shape[-1] != len(v):
            # `full_like(images, fill_value)` broadcasts the three values along the last axis.
            raise ShapeError(INVALID_ARGUMENT, f"`fill_value={v!r}` is broadcast along the last axis of the images, "
                             f"which has size {shape[-1]} (input shape {show_shape(shape)}).")


@register
class RandomGaussianBlur(_Image):
    """Random Gaussian blur with an odd ``kernel_size``; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomGaussianBlur",)
    params = ("factor", "kernel_size", "sigma", "value_range", "data_format", "seed")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"kernel_size": (3, 5), "sigma": 0.5}, (32, 32, 1), (32, 32, 1)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"kernel_size": 4}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)
        check_factor(call, "sigma", 0, 1)
        v = call.get("kernel_size")
        if not _followed(v):
            return
        items = list(v) if isinstance(v, (list, tuple)) else [v]
        if isinstance(v, (list, tuple)) and len(v) != 2:
            raise _bad("kernel_size", v, "should be a number (or a list of two numbers)")
        for x in items:
            if not _is_number(x) or x % 2 == 0:
                raise _bad("kernel_size", v, "must be an odd number")

    def check_call_args(self, call: Call) -> None:
        check_value_range_at_call(call)
        v = call.get("kernel_size")
        items = list(v) if isinstance(v, (list, tuple)) else [v]
        if _followed(v) and any(_is_number(x) and x < 0 for x in items):
            raise _bad("kernel_size", v, "must be positive: the Gaussian kernel of a negative size cannot be built")


@register
class RandomGrayscale(_Image):
    """Converts images to grayscale at random (kept as 1 or 3 channels); same shape."""

    output_dtype = "input"

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomGrayscale",)
    accepts_dict = False  # its get_random_transformation takes `images.shape` of the dict
    traced_needs = ("c", "c")  # the grayscale conversion checks the static channels
    params = ("factor", "data_format", "seed")
    channels = (1, 3)
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": 1.0, "data_format": "channels_first"}, (None, 1, 32, 32), (None, 1, 32, 32)),
        Example({}, (None, 32, 32, 4), "axis-mismatch"),
        Example({"factor": -0.5}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        v = call.get("factor")
        if not _followed(v):
            return
        if not _is_number(v) or not 0 <= v <= 1:
            raise _bad("factor", v, "should be between 0 and 1")


@register
class RandomHue(_HSV):
    """Random hue shift in HSV space: needs RGB images (3 channels); same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomHue",)
    params = ("factor", "value_range", "data_format", "seed")
    channels = (3,)
    examples = (
        Example({"factor": 0.5}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": (0.1, 0.3), "data_format": "channels_first"}, (3, 16, 16), (3, 16, 16)),
        Example({"factor": 0.5}, (None, 32, 32, 4), "axis-mismatch"),
        Example({"factor": 0.5}, (None, 32), "rank-mismatch"),
        Example({"factor": -0.2}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)

    def check_call_args(self, call: Call) -> None:
        check_value_range_at_call(call, (0, 1))


@register
class RandomSaturation(_HSV):
    """Random saturation change in HSV space: needs RGB images (3 channels); same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomSaturation",)
    needs_float = True
    params = ("factor", "value_range", "data_format", "seed")
    channels = (3,)
    examples = (
        Example({"factor": 0.5}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": 0.5}, (None, 32, 32, 1), "axis-mismatch"),
        Example({"factor": 0.5}, T((None, 32, 32, 3), "uint8"), "invalid-argument"),
        Example({"factor": 0.5, "value_range": (0, 1, 2)}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", -1, 1)
        check_value_range(call)


@register
class RandomInvert(_Image):
    """Inverts images at random; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomInvert",)
    params = ("factor", "value_range", "seed", "data_format")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": 0.5}, (16, 16, 2), (16, 16, 2)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"factor": 3}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)

    def check_call_args(self, call: Call) -> None:
        check_value_range_at_call(call)


@register
class RandomPerspective(_Image):
    """Random perspective warp; same shape.

    The warp solves for the homography that moves the image's four corners: an image one
    pixel high or wide has coincident corners, and TensorFlow's ``MatrixSolve`` fails.
    """

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomPerspective",)
    traced_needs = ("hw", "hw")  # corner coordinates from the static shape
    params = ("factor", "scale", "interpolation", "fill_value", "seed", "data_format")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"scale": 0.5, "interpolation": "nearest"}, (32, 32, 3), (32, 32, 3)),
        Example({}, (None, 1, 32, 3), "axis-mismatch"),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"scale": 1.5}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)
        v = call.get("scale")
        if _followed(v) and (not _is_number(v) or not 0 <= v <= 1):
            raise _bad("scale", v, "should be a number in the range [0,1]")
        check_choice(call, "interpolation", _INTERPOLATIONS)

    def check_call_args(self, call: Call) -> None:
        check_fill_value_at_call(call)

    def check_image(self, call: Call, shape: Shape) -> None:
        for size, what in zip(self.spatial(call, shape), ("height", "width")):
            if size == 1:
                raise ShapeError(AXIS_MISMATCH, f"`RandomPerspective` cannot warp an image of {what} 1 (input shape "
                                 f"{show_shape(shape)}): its corners coincide and the perspective transform is "
                                 "not invertible.")


@register
class RandomPosterization(_Image):
    """Keeps ``factor`` bits of each colour value; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomPosterization",)
    params = ("factor", "value_range", "data_format", "seed")
    examples = (
        Example({"factor": 4}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": (2, 6)}, (32, 32, 3), (32, 32, 3)),
        Example({"factor": 4}, (None, 32), "rank-mismatch"),
        Example({"factor": 0}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 1, 8)
        check_value_range(call)

    def check_call_args(self, call: Call) -> None:
        v = call.get("factor")
        if not _followed(v):
            return
        lower, upper = sorted(v) if isinstance(v, (list, tuple)) else (max(-v, 1), v)
        if any(isinstance(x, float) for x in (lower, upper)) and \
                (lower != upper or not all(float(x).is_integer() for x in (lower, upper))):
            # A random number of bits is drawn with integer bounds; a float one cannot be converted.
            raise _bad("factor", v, "should be integers: calling the layer draws the number of bits with "
                       "integer bounds")


@register
class RandomSharpness(_Image):
    """Random sharpening (a depthwise 3x3 smoothing kernel blended back); same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomSharpness",)
    params = ("factor", "value_range", "data_format", "seed")
    examples = (
        Example({"factor": 0.5}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": (0.2, 0.4), "data_format": "channels_first"}, (None, 5, 8, 8), (None, 5, 8, 8)),
        Example({"factor": 0.5}, (None, 32), "rank-mismatch"),
        Example({"factor": -0.5}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)
        check_value_range(call)


@register
class RandomShear(_Image):
    """Random shear along x and y; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomShear",)
    params = ("x_factor", "y_factor", "interpolation", "fill_mode", "fill_value", "data_format", "seed")
    examples = (
        Example({"x_factor": 0.3}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"x_factor": (0.1, 0.2), "y_factor": 0.5}, (32, 32, 3), (32, 32, 3)),
        Example({"x_factor": 0.3}, (None, 32), "rank-mismatch"),
        Example({"y_factor": -0.3}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_each_factor(call, "x_factor", 0, 1)
        check_each_factor(call, "y_factor", 0, 1)
        check_choice(call, "fill_mode", _AFFINE_FILL_MODES)
        check_choice(call, "interpolation", _INTERPOLATIONS)

    def check_call_args(self, call: Call) -> None:
        check_fill_value_at_call(call)


@register
class Solarization(_Image):
    """Inverts values above a random threshold; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("Solarization",)
    params = ("addition_factor", "threshold_factor", "value_range", "seed")
    examples = (
        Example({"threshold_factor": 0.5}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"addition_factor": (0.1, 0.2), "value_range": (0, 1)}, (32, 32, 3), (32, 32, 3)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"addition_factor": 1.5}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_each_factor(call, "addition_factor", 0, 1)
        check_each_factor(call, "threshold_factor", 0, 1)
        check_value_range(call)


@register
class MaxNumBoundingBoxes(_Image):
    """Pads or truncates the bounding boxes of a dict input to ``max_number``; images pass unchanged."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("MaxNumBoundingBoxes",)
    params = ("max_number", "fill_value")
    examples = (
        Example({"max_number": 4}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"max_number": 4}, (None, 32), "rank-mismatch"),
        Example({"max_number": None}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        for key in ("max_number", "fill_value"):
            v = call.get(key)
            if not _followed(v) or (key == "fill_value" and key not in call.config):
                continue
            try:
                int(v)
            except (TypeError, ValueError):
                raise _bad(key, v, "must be an integer") from None


class _Composite(_Image):
    """``AugMix`` and ``RandAugment``: chains of the augmentations above, built in the
    constructor with the same ``factor`` pair, ``value_range`` and ``interpolation``."""

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)
        pair = _sub_factor(call.get("factor"))
        if pair is not UNKNOWN:
            # RandomShear and Solarization need each end in [0, 1].
            check_each_factor(call, "factor", 0, 1, value=pair)
        check_value_range(call)
        check_choice(call, "interpolation", _INTERPOLATIONS)


@register
class RandAugment(_Composite):
    """Applies ``num_ops`` augmentations drawn from eleven; same shape.

    All eleven are computed on every call, the grayscale conversion of
    ``RandomColorDegeneration`` among them: images need 1 or 3 channels.
    """

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandAugment",)
    traced_needs = ("c", "c")  # the grayscale conversion checks the static channels
    params = ("value_range", "num_ops", "factor", "interpolation", "seed", "data_format")
    channels = (1, 3)
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"num_ops": 3, "factor": (0.2, 0.4)}, (32, 32, 1), (32, 32, 1)),
        Example({}, (None, 32, 32, 4), "axis-mismatch"),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"factor": (-0.5, 0.5)}, (None, 32, 32, 3), "invalid-argument"),
        Example({"interpolation": "bicubic"}, (None, 32, 32, 3), "invalid-argument"),
    )


@register
class AugMix(_Composite):
    """Mixes ``num_chains`` random chains of augmentations; same shape.

    With ``all_ops`` (the default) a chain may draw ``RandomColorDegeneration``, whose
    grayscale conversion needs 1 or 3 channels; which augmentations run is drawn with
    Python's ``random`` on every call, so other channel counts fail on most batches
    (and reliably within a few).
    """

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("AugMix",)
    params = ("value_range", "num_chains", "chain_depth", "factor", "alpha", "all_ops", "interpolation", "seed",
              "data_format")
    defaults = {"data_format": None, "all_ops": True}
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"all_ops": False}, (None, 32, 32, 4), (None, 32, 32, 4)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"factor": 1.5}, (None, 32, 32, 3), "invalid-argument"),
        Example({"value_range": 255}, (None, 32, 32, 3), "invalid-argument"),
    )

    def accepted_channels(self, call: Call) -> Optional[tuple[int, ...]]:
        return (1, 3) if call.get("all_ops") is True else None


# -- geometric and photometric augmentations (keep the shape) ------------------------

def check_base_factor(call: Call, key: str, lo: float, hi: float) -> None:
    """``BaseImagePreprocessingLayer.__init__``: ``factor or 0.0``, then ``_set_factor``."""
    v = call.get(key)
    if _followed(v) and not v:
        return
    check_factor(call, key, lo, hi)


def check_factor_entries(call: Call, key: str, lo: float, hi: float, *, lo_open: bool = False,
                         optional: bool = False) -> None:
    """``RandomZoom`` / ``RandomTranslation._set_factor``: a number, or a pair, each entry in
    ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``); ``None`` allowed when ``optional``."""
    v = call.get(key)
    if not _followed(v) or (optional and v is None):
        return
    lower = "(" if lo_open else "["
    why = f"should be a number (or a list of two numbers) in the range {lower}{lo}, {hi}]"
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise _bad(key, v, why)
        items = list(v)
    elif _is_number(v):
        items = [v]
    else:
        raise _bad(key, v, why)
    for x in items:
        if not _is_number(x) or x > hi or x < lo or (lo_open and x == lo):
            raise _bad(key, v, why)


@register
class RandomFlip(_Image):
    """Flips images at random (``mode`` is not checked by Keras); same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomFlip",)
    params = ("mode", "seed", "data_format")
    examples = (
        Example({}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"mode": "horizontal", "data_format": "channels_first"}, (3, 8, 8), (3, 8, 8)),
        Example({}, (None, 32), "rank-mismatch"),
        Example({"data_format": "NCHW"}, (None, 32, 32, 3), "invalid-argument"),
    )


class _Affine(_Image):
    """Rotation, zoom and translation: an affine transform with a ``fill_mode`` and an ``interpolation``."""

    def check_args(self, call: Call) -> None:
        self.check_factors(call)
        check_choice(call, "fill_mode", _AFFINE_FILL_MODES)
        check_choice(call, "interpolation", _INTERPOLATIONS)

    def check_factors(self, call: Call) -> None:
        """The layer's own factor arguments."""


@register
class RandomRotation(_Affine):
    """Rotates images by a random fraction of 2π; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomRotation",)
    params = ("factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format")
    examples = (
        Example({"factor": 0.2}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": (-0.1, 0.3), "data_format": "channels_first"}, (3, 16, 16), (3, 16, 16)),
        Example({"factor": 0.2}, (None, 32), "rank-mismatch"),
        Example({"factor": (1.5, 2.0)}, (None, 32, 32, 3), "invalid-argument"),
        Example({"factor": 0.2, "fill_mode": "mirror"}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_factors(self, call: Call) -> None:
        check_base_factor(call, "factor", -1, 1)


@register
class RandomZoom(_Affine):
    """Zooms images in or out at random; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomZoom",)
    params = ("height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format")
    defaults = {"data_format": None, "width_factor": None}
    examples = (
        Example({"height_factor": 0.2}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"height_factor": (-0.3, 0.2), "width_factor": 0.1}, (16, 16, 1), (16, 16, 1)),
        Example({"height_factor": 0.2}, (None, 2, 16, 16, 3), "rank-mismatch"),
        Example({"height_factor": -1.0}, (None, 32, 32, 3), "invalid-argument"),
        Example({"height_factor": 0.2, "interpolation": "bicubic"}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_factors(self, call: Call) -> None:
        check_factor_entries(call, "height_factor", -1.0, 1.0, lo_open=True)
        check_factor_entries(call, "width_factor", -1.0, 1.0, lo_open=True, optional=True)


@register
class RandomTranslation(_Affine):
    """Shifts images by random fractions of their height and width; same shape."""

    accepts = NUMERIC
    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomTranslation",)
    params = ("height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format")
    examples = (
        Example({"height_factor": 0.2, "width_factor": 0.2}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"height_factor": (-0.2, 0.3), "width_factor": 1.0}, (16, 16, 3), (16, 16, 3)),
        Example({"height_factor": 0.2, "width_factor": 0.2}, (None, 32), "rank-mismatch"),
        Example({"height_factor": 0.2, "width_factor": None}, (None, 32, 32, 3), "invalid-argument"),
        Example({"height_factor": (0.1, 1.5), "width_factor": 0.2}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_factors(self, call: Call) -> None:
        check_factor_entries(call, "height_factor", -1.0, 1.0)
        check_factor_entries(call, "width_factor", -1.0, 1.0)


@register
class RandomContrast(_Image):
    """Scales each image's deviation from its mean by a random factor; same shape.

    Its constructor checks ``factor`` itself (``None`` is refused) and keeps ``value_range``
    as given; ``call`` indexes it.
    """

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomContrast",)
    params = ("factor", "value_range", "seed")
    examples = (
        Example({"factor": 0.5}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": (0.2, 0.4), "value_range": (0, 1)}, (8, 8, 3), (8, 8, 3)),
        Example({"factor": 0.5}, (None, 32), "rank-mismatch"),
        Example({"factor": None}, (None, 32, 32, 3), "invalid-argument"),
        Example({"factor": 0.5, "value_range": 255}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_factor(call, "factor", 0, 1)

    def check_call_args(self, call: Call) -> None:
        check_value_range_at_call(call)


@register
class RandomBrightness(_Image):
    """Adds a random offset (a fraction of ``value_range``) to each image; same shape."""

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomBrightness",)
    params = ("factor", "value_range", "seed")
    examples = (
        Example({"factor": 0.2}, (None, 32, 32, 3), (None, 32, 32, 3)),
        Example({"factor": (-0.2, 0.5), "value_range": (0, 1)}, (8, 8, 3), (8, 8, 3)),
        Example({"factor": 0.2}, (None, 32), "rank-mismatch"),
        Example({"factor": 1.5}, (None, 32, 32, 3), "invalid-argument"),
        Example({"factor": 0.2, "value_range": (0, 1, 2)}, (None, 32, 32, 3), "invalid-argument"),
    )

    def check_args(self, call: Call) -> None:
        check_base_factor(call, "factor", -1, 1)
        check_value_range(call)


# -- resizing and cropping ----------------------------------------------------------------

def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Resize(_Image):
    """Sets height and width of images: ``(b, h, w, c)`` -> ``(b, H, W, c)``, ``(h, w, c)`` ->
    ``(H, W, c)``, and ``(b, c, h, w)`` -> ``(b, c, H, W)``, ``(c, h, w)`` -> ``(c, H, W)``
    with ``channels_first``.  A negative size cannot be a shape; a size of 0 may fail on data."""

    params = ("height", "width")

    def sizes(self, call: Call) -> tuple[Any, Any]:
        """``(height, width)`` as given: ints when followed."""
        return call.get("height"), call.get("width")

    def check_call_args(self, call: Call) -> None:
        for key, v in zip(("height", "width"), self.sizes(call)):
            if _is_int(v) and v < 0:
                raise ShapeError(INVALID_ARGUMENT, f"The `{key}` argument must not be negative: the output shape "
                                 f"cannot hold it. Received: {key}={v}")

    def check_images(self, call: Call, shape: Shape, dtype: Optional[str] = None) -> Shape:
        super().check_images(call, shape, dtype)
        h, w = self.out_size(call, shape)
        if cu.data_format(call) == cu.CHANNELS_LAST:
            return shape[:-3] + (h, w) + shape[-1:]
        return shape[:-2] + (h, w)

    def out_size(self, call: Call, shape: Shape) -> tuple[Any, Any]:
        return call.dim("height"), call.dim("width")

    def _smaller(self, call: Call, shape: Shape, *, or_equal: bool) -> bool:
        """The image is certainly smaller than the target (``<=`` with ``or_equal``) along some axis."""
        for size, target in zip(self.spatial(call, shape), self.sizes(call)):
            if dims.is_known(size) and _is_int(target) and (size < target or (or_equal and size == target)):
                return True
        return False

    def _zero_division(self, call: Call, shape: Shape, what: str) -> ShapeError:
        return ShapeError(INVALID_ARGUMENT, f"`{call.rule.names[0]}` to a size of 0 ({self.sizes(call)}) of images "
                          f"of shape {show_shape(shape)}: {what} divides by the target height and width and fails "
                          "with ZeroDivisionError when data flows.")


#: ``keras.ops.image.resize`` (TensorFlow backend)
_RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


@register
class Resizing(_Resize):
    """Resizes images to ``(height, width)``.

    ``call`` hands its arguments to ``keras.ops.image.resize``, which checks them on data:
    ``interpolation``, ``fill_mode`` (only ``"constant"``), not both ``crop_to_aspect_ratio`` and
    ``pad_to_aspect_ratio``, and a positive size.
    """

    accepts = NUMERIC  # (bool fails in an eager call, but runs in predict and fit)
    accepts_sparse = False
    names = ("Resizing",)
    params = ("height", "width", "interpolation", "crop_to_aspect_ratio", "pad_to_aspect_ratio", "fill_mode",
              "fill_value", "antialias", "data_format")
    defaults = {"data_format": None, "interpolation": "bilinear", "crop_to_aspect_ratio": False,
                "pad_to_aspect_ratio": False, "fill_mode": "constant"}
    examples = (
        Example({"height": 16, "width": 12}, (None, 32, 32, 3), (None, 16, 12, 3)),
        Example({"height": 16, "width": 16}, (32, 32, 3), (16, 16, 3)),
        Example({"height": 16, "width": 8, "data_format": "channels_first"}, (None, 3, 32, 32), (None, 3, 16, 8)),
        Example({"height": 16, "width": 16}, (None, 32), "rank-mismatch"),
        Example({"height": -2, "width": 16}, (None, 32, 32, 3), "invalid-argument"),
        Example({"height": 0, "width": 16}, (None, 32, 32, 3), "invalid-argument"),
        Example({"height": 16, "width": 16, "interpolation": "cubic"}, (None, 32, 32, 3), "invalid-argument"),
        Example({"height": 16, "width": 16, "crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True},
                (None, 32, 32, 3), "invalid-argument"),
    )

    def check_call_args(self, call: Call) -> None:
        super().check_call_args(call)
        check_choice(call, "interpolation", _RESIZE_INTERPOLATIONS)
        mode = call.get("fill_mode")
        if _followed(mode) and mode != "constant":
            raise _bad("fill_mode", mode, "must be 'constant' (the only one `keras.ops.image.resize` supports)")
        crop, pad = call.get("crop_to_aspect_ratio"), call.get("pad_to_aspect_ratio")
        if _followed(crop) and _followed(pad) and crop and pad:
            raise ShapeError(INVALID_ARGUMENT, "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                             f"True. Received: crop_to_aspect_ratio={crop}, pad_to_aspect_ratio={pad}")
        for key, v in zip(("height", "width"), self.sizes(call)):
            if _is_int(v) and v == 0:
                raise ShapeError(INVALID_ARGUMENT, f"Resizing to `{key}=0` fails when data flows: TensorFlow's resize "
                                 "needs a positive output size.")


@register
class CenterCrop(_Resize):
    """Crops the centre of images to ``(height, width)``, or resizes them (``smart_resize``) when
    they are smaller along either axis.

    Traced (inside a ``Pipeline``) on an undefined height or width, the crop starts at a
    dynamic offset: TensorFlow's slice leaves both output axes undefined.
    """

    accepts = NUMERIC
    accepts_sparse = False
    keeps_ragged = True
    names = ("CenterCrop",)
    params = ("height", "width", "data_format")
    examples = (
        Example({"height": 16, "width": 16}, (None, 32, 32, 3), (None, 16, 16, 3)),
        Example({"height": 16, "width": 8, "data_format": "channels_first"}, (3, 32, 32), (3, 16, 8)),
        Example({"height": 16, "width": 16}, (None, 2, 32, 32, 3), "rank-mismatch"),
        Example({"height": 0, "width": 8}, (None, 4, 4, 3), "invalid-argument"),
    )

    def check_image(self, call: Call, shape: Shape) -> None:
        h, w = self.sizes(call)
        if (h == 0 or w == 0) and _is_int(h) and _is_int(w) and self._smaller(call, shape, or_equal=False):
            raise self._zero_division(call, shape, "`smart_resize`")

    def out_size(self, call: Call, shape: Shape) -> tuple[Any, Any]:
        size = super().out_size(call, shape)
        if not call.traced:
            return size
        ih, iw = self.spatial(call, shape)
        if ih is not None and iw is not None:
            return size
        if self._smaller(call, shape, or_equal=False):
            return size  # smart_resize: a static size
        known = [d for d in (ih, iw) if d is not None]
        if any(not dims.is_known(d) for d in known) or not all(_is_int(t) for t in self.sizes(call)):
            return dims.unknown(), dims.unknown()
        return None, None  # a slice from a dynamic offset


@register
class RandomCrop(_Resize):
    """Crops images to ``(height, width)`` at a random offset (resizing what is too small).

    When the image is not larger than the target along both axes, the crop box is computed
    by dividing by the target width and height: a size of 0 fails there.  Traced (inside a
    ``Pipeline``) it needs a defined height and width.
    """

    keeps_sparse = True
    keeps_ragged = True
    names = ("RandomCrop",)
    params = ("height", "width", "seed", "data_format", "name")
    traced_needs = ("hw", "hw")  # compares the static height and width with the target
    examples = (
        Example({"height": 24, "width": 24}, (None, 32, 32, 3), (None, 24, 24, 3)),
        Example({"height": 8, "width": 8, "data_format": "channels_first"}, (3, 4, 4), (3, 8, 8)),
        Example({"height": 24, "width": 24}, (None, 32), "rank-mismatch"),
        Example({"height": 8, "width": 0}, (4, 3, 3), "invalid-argument"),
    )

    def check_image(self, call: Call, shape: Shape) -> None:
        h, w = self.sizes(call)
        if (h == 0 or w == 0) and _is_int(h) and _is_int(w) and self._smaller(call, shape, or_equal=True):
            raise self._zero_division(call, shape, "the crop box")


# -- Pipeline -------------------------------------------------------------------------

@register
class Pipeline(LayerRule):
    """Applies its ``layers`` in order, each to the previous one's output."""

    names = ("Pipeline",)
    params = ("layers", "name")
    examples = (
        Example({"layers": [LayerRef("AutoContrast", {}), LayerRef("RandomFlip", {})]}, (None, 32, 32, 3),
                (None, 32, 32, 3)),
        Example({"layers": [LayerRef("Resizing", {"height": 16, "width": 8}), LayerRef("RandomHue", {"factor": 0.2})]},
                (32, 32, 3), (16, 8, 3)),
        Example({"layers": [LayerRef("RandomHue", {"factor": 0.2})]}, (None, 32, 32, 1), "axis-mismatch"),
        Example({"layers": [LayerRef("RandomInvert", {})]}, (None, 32), "rank-mismatch"),
        Example({"layers": []}, (None, 32, 32, 3), "invalid-argument"),
    )

    def output(self, call: Call) -> TensorType:
        layers = call.known("layers")
        if not isinstance(layers, (list, tuple)):
            raise Unknowable()
        if not layers:
            raise ShapeError(INVALID_ARGUMENT, "`Pipeline([])` has no layers: calling it fails (its output is "
                             "never assigned).")
        first = call.args[0] if call.args else call.kwargs.get("inputs", UNKNOWN)
        if not isinstance(first, TensorType):
            raise Unknowable()
        x: TensorType = first
        # Pipeline has no `compute_output_shape`: Keras traces its `call`, so its layers run on
        # backend tensors (see `_Image.check_traced`), not on symbolic Keras tensors.
        traced = copy.copy(call)
        traced.traced = True
        for layer in layers:
            out = traced.apply(layer, x)
            if len(out) != 1:
                raise Unknowable()
            x = out[0]
        return x

    def weights(self, call: Call) -> tuple[int, int]:
        """None when every layer makes none (the preprocessing layers); otherwise not followed."""
        layers = call.known("layers")
        if isinstance(layers, (list, tuple)) and all(
                isinstance(x, LayerRef) and getattr(LAYERS.get(x.class_name), "weightless", False) for x in layers):
            return (0, 0)
        raise Unknowable()
