"""Images and text the program reads from files, by what the source says about them.

``keras.utils.load_img(path, target_size=(224, 224))`` gives a PIL image of that size whatever
the file holds; ``img_to_array`` (and ``np.asarray``) makes it ``(224, 224, 3)``;
``image_dataset_from_directory(..., image_size=(180, 180))`` yields batches of
``(None, 180, 180, 3)`` images and their labels, and so do ``ImageDataGenerator``'s ``flow`` and
``flow_from_directory``. The files are never opened: a size the source does not fix
(``load_img(path)``, ``PIL.Image.open(path)``) is some definite size shapecheck does not know,
and a value it cannot tell (a mode from a variable) leaves the result unknown.

Every function here mirrors Keras 3 (``keras/src/utils/image_utils.py``,
``image_dataset_utils.py``, ``text_dataset_utils.py``, ``legacy/preprocessing/image.py``) or
Pillow; ``tests/test_oracle_images.py`` compares them with what Keras and Pillow compute on real
files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from ..core import dims
from ..core.ir import UNKNOWN
from ..core.shapes import TensorType
from .values import Array, Dataset, Image, ImageGenerator

if TYPE_CHECKING:
    from .data import DataFlow

#: Pillow's modes: (bands, the dtype ``np.asarray`` gives); single-band images are 2-D arrays
MODES: dict[str, tuple[int, str]] = {
    "1": (1, "bool"), "L": (1, "uint8"), "P": (1, "uint8"), "I": (1, "int32"), "F": (1, "float32"),
    "I;16": (1, "uint16"), "LA": (2, "uint8"), "PA": (2, "uint8"), "RGB": (3, "uint8"), "YCbCr": (3, "uint8"),
    "LAB": (3, "uint8"), "HSV": (3, "uint8"), "RGBA": (4, "uint8"), "RGBa": (4, "uint8"), "CMYK": (4, "uint8"),
    "RGBX": (4, "uint8"), "La": (2, "uint8"),
}
#: ``load_img``'s ``color_mode``: the image's bands, and its mode when that is certain (a grayscale
#: file already of mode "I" or "I;16" is kept as it is)
COLOR_MODES: dict[str, tuple[int, Optional[str]]] = {"grayscale": (1, None), "rgb": (3, "RGB"), "rgba": (4, "RGBA")}

LOAD_IMG = ("keras.utils.load_img", "keras.preprocessing.image.load_img", "keras.utils.image_utils.load_img")
IMG_TO_ARRAY = ("keras.utils.img_to_array", "keras.preprocessing.image.img_to_array",
                "keras.utils.image_utils.img_to_array")
IMAGE_DATASET = ("keras.utils.image_dataset_from_directory", "keras.preprocessing.image_dataset_from_directory")
TEXT_DATASET = ("keras.utils.text_dataset_from_directory", "keras.preprocessing.text_dataset_from_directory")
PIL_OPEN = "PIL.Image.open"
GENERATOR = "keras.preprocessing.image.ImageDataGenerator"
CV2 = ("cv2.imread", "cv2.resize", "cv2.cvtColor")
FUNCTIONS = frozenset((*LOAD_IMG, *IMG_TO_ARRAY, *IMAGE_DATASET, *TEXT_DATASET, PIL_OPEN, GENERATOR, *CV2))

#: OpenCV's constants the functions below take, by name (``cv2.IMREAD_GRAYSCALE``)
CV2_CONSTANTS = {
    "IMREAD_UNCHANGED": -1, "IMREAD_GRAYSCALE": 0, "IMREAD_COLOR": 1,
    "COLOR_BGR2BGRA": 0, "COLOR_RGB2RGBA": 0, "COLOR_BGRA2BGR": 1, "COLOR_RGBA2RGB": 1, "COLOR_BGR2RGBA": 2,
    "COLOR_RGB2BGRA": 2, "COLOR_RGBA2BGR": 3, "COLOR_BGRA2RGB": 3, "COLOR_BGR2RGB": 4, "COLOR_RGB2BGR": 4,
    "COLOR_BGRA2RGBA": 5, "COLOR_RGBA2BGRA": 5, "COLOR_BGR2GRAY": 6, "COLOR_RGB2GRAY": 7, "COLOR_GRAY2BGR": 8,
    "COLOR_GRAY2RGB": 8, "COLOR_GRAY2BGRA": 9, "COLOR_GRAY2RGBA": 9, "COLOR_BGRA2GRAY": 10, "COLOR_RGBA2GRAY": 11,
    "COLOR_BGR2YCrCb": 36, "COLOR_RGB2YCrCb": 37, "COLOR_BGR2HSV": 40, "COLOR_RGB2HSV": 41, "COLOR_BGR2LAB": 44,
    "COLOR_RGB2LAB": 45, "COLOR_HSV2BGR": 54, "COLOR_HSV2RGB": 55,
}
#: ``cv2.cvtColor`` codes: (the channels the input must have, the output's; 1 is a 2-D image)
CVT_CODES = {0: (3, 4), 1: (4, 3), 2: (3, 4), 3: (4, 3), 4: (3, 3), 5: (4, 4), 6: (3, 1), 7: (3, 1), 8: (1, 3),
             9: (1, 4), 10: (4, 1), 11: (4, 1), 36: (3, 3), 37: (3, 3), 40: (3, 3), 41: (3, 3), 44: (3, 3),
             45: (3, 3), 54: (3, 3), 55: (3, 3)}
#: the image methods :func:`image_method` follows
IMAGE_METHODS = ("copy", "resize", "convert", "thumbnail")

_LOAD_IMG_PARAMS = ("path", "color_mode", "target_size", "interpolation", "keep_aspect_ratio")
_LOAD_IMG_PARAMS_2 = ("path", "grayscale", "color_mode", "target_size", "interpolation", "keep_aspect_ratio")
_IMAGE_DATASET_PARAMS = ("directory", "labels", "label_mode", "class_names", "color_mode", "batch_size", "image_size",
                         "shuffle", "seed", "validation_split", "subset", "interpolation", "follow_links",
                         "crop_to_aspect_ratio", "pad_to_aspect_ratio", "data_format", "verbose")
_TEXT_DATASET_PARAMS = ("directory", "labels", "label_mode", "class_names", "batch_size", "max_length", "shuffle",
                        "seed", "validation_split", "subset", "follow_links", "verbose")


def _bind(params: tuple[str, ...], args: list, kwargs: dict) -> Optional[dict]:
    """The call's arguments by name; ``None`` where Python would reject them (not a shape error)."""
    if len(args) > len(params) or any(k not in params for k in kwargs) or any(p in kwargs for p in params[:len(args)]):
        return None
    bound = dict(zip(params, args))
    bound.update(kwargs)
    return bound


def _size(v: Any) -> Optional[dims.Dim]:
    """An image side the source gives: a positive int; ``None`` when it is not one."""
    return v if dims.is_known(v) and v > 0 else None


def _pair(v: Any) -> Optional[tuple[dims.Dim, dims.Dim]]:
    if isinstance(v, (tuple, list)) and len(v) == 2:
        a, b = _size(v[0]), _size(v[1])
        if a is not None and b is not None:
            return a, b
        return (a if a is not None else dims.unknown(), b if b is not None else dims.unknown())
    return None


def load_img(args: list, kwargs: dict, keras_version: int = 3) -> Optional[Image]:
    """``load_img(path, color_mode="rgb", target_size=None, ...)``: an image of ``target_size``
    (height, width) when given, of the file's own size otherwise, converted to ``color_mode``;
    ``None`` when the call cannot be told (or Keras rejects it: a ``ValueError`` about the mode,
    not about shapes)."""
    bound = _bind(_LOAD_IMG_PARAMS if keras_version >= 3 else _LOAD_IMG_PARAMS_2, args, kwargs)
    if bound is None:
        return None
    color_mode = bound.get("color_mode", "rgb")
    if bound.get("grayscale", False) is True:
        color_mode = "grayscale"
    elif bound.get("grayscale", False) is not False:
        return None
    if color_mode not in COLOR_MODES:
        return None
    target = bound.get("target_size")
    if target is None:
        size = (dims.unknown(), dims.unknown())
    else:
        pair = _pair(target)
        if pair is None:
            return None
        size = pair
    bands, mode = COLOR_MODES[color_mode]
    return Image(size[0], size[1], bands, mode)


def open_image(args: list, kwargs: dict) -> Image:
    """``PIL.Image.open(fp)``: an image of the file's size and mode (neither known)."""
    return Image(dims.unknown(), dims.unknown(), None, None)


def as_array(image: Image, dtype: Any = None) -> Optional[TensorType]:
    """``np.asarray(image, dtype)``: ``(height, width)`` for one band, ``(height, width, bands)``
    otherwise; the mode's dtype unless one is given."""
    if image.bands is None:
        return None
    if dtype is None:
        dtype = MODES[image.mode][1] if image.mode in MODES else None
    elif not isinstance(dtype, str):
        return None
    shape = (image.height, image.width) if image.bands == 1 else (image.height, image.width, image.bands)
    return TensorType(shape, dtype)


def img_to_array(x: Any, data_format: Any, dtype: Any) -> Optional[TensorType]:
    """``img_to_array(img, data_format=None, dtype=None)``: the image (or array) as ``float32``
    (``dtype``) with a channels axis, last or first by ``data_format``; ``None`` when unknown."""
    if data_format not in ("channels_last", "channels_first") or not (dtype is None or isinstance(dtype, str)):
        return None
    if isinstance(x, Image):
        t = as_array(x, dtype or "float32")
    elif isinstance(x, Array) and x.type.shape is not None:
        t = TensorType(x.type.shape, dtype or "float32")
    else:
        return None
    if t is None or t.shape is None:
        return None
    shape = t.shape
    if len(shape) == 3:
        shape = (shape[2], shape[0], shape[1]) if data_format == "channels_first" else shape
    elif len(shape) == 2:
        shape = (1, *shape) if data_format == "channels_first" else (*shape, 1)
    else:
        return None  # Keras: "Unsupported image shape"
    return TensorType(shape, t.dtype)


def cv2_constant(v: Any) -> Any:
    """An OpenCV constant as its value: an int as it is, ``cv2.X`` by its name; else ``None``."""
    if dims.is_known(v):
        return v
    name = getattr(v, "name", None)
    if isinstance(name, str) and name.startswith("cv2."):
        return CV2_CONSTANTS.get(name[len("cv2."):])
    return None


def cv2_call(name: str, args: list, kwargs: dict) -> Optional[TensorType]:
    """``cv2.imread(filename, flags)``: ``(height, width, 3)`` (BGR) or ``(height, width)`` for
    ``IMREAD_GRAYSCALE``, uint8; ``cv2.resize(src, dsize)``: ``dsize`` is (width, height), and an
    image of one channel comes back 2-D; ``cv2.cvtColor(src, code)``: the code's channels (a gray
    image is 2-D). ``None`` when unknown, or when OpenCV would raise (an input of other channels
    than the code converts)."""
    if name == "cv2.imread":
        bound = _bind(("filename", "flags"), args, kwargs)
        flags = None if bound is None else cv2_constant(bound.get("flags", 1))
        if flags not in (0, 1):
            return None
        side = (dims.unknown(), dims.unknown())
        return TensorType(side if flags == 0 else (*side, 3), "uint8")
    src = args[0] if args else kwargs.get("src")
    if not isinstance(src, Array) or src.type.shape is None or len(src.type.shape) not in (2, 3):
        return None
    shape = src.type.shape
    if name == "cv2.resize":
        bound = _bind(("src", "dsize", "dst", "fx", "fy", "interpolation"), args, kwargs)
        size = None if bound is None else bound.get("dsize")
        if not (isinstance(size, (tuple, list)) and len(size) == 2 and all(_size(d) for d in size)):
            return None  # (a size from fx and fy: not followed)
        if shape[2:] and not dims.is_known(shape[2]):
            return None
        # (one channel comes back as a 2-D image)
        return TensorType((size[1], size[0], *[c for c in shape[2:] if c != 1]), src.type.dtype)
    bound = _bind(("src", "code", "dst", "dstCn"), args, kwargs)
    code = None if bound is None or bound.get("dstCn", 0) != 0 else cv2_constant(bound.get("code"))
    if code not in CVT_CODES:
        return None
    given = 1 if len(shape) == 2 else shape[2]
    needed, out = CVT_CODES[code]
    if given != needed:
        return None  # (OpenCV's error, or channels not known)
    return TensorType(shape[:2] if out == 1 else (*shape[:2], out), src.type.dtype)


def image_method(image: Image, name: str, args: list, kwargs: dict) -> Any:
    """Pillow's methods that return a new image of a size or mode the source says."""
    if name == "copy" and not args and not kwargs:
        return Image(image.height, image.width, image.bands, image.mode)
    if name == "resize":
        size = args[0] if args else kwargs.get("size")
        pair = _pair(size)
        if pair is None:
            return UNKNOWN
        width, height = pair
        return Image(height, width, image.bands, image.mode)
    if name == "convert":
        mode = args[0] if args else kwargs.get("mode")
        if mode not in MODES or "matrix" in kwargs or len(args) > 1:
            return UNKNOWN
        return Image(image.height, image.width, MODES[mode][0], mode)
    if name == "thumbnail":
        # in place, to a size within the one given: not followed
        image.height, image.width = dims.unknown(), dims.unknown()
        return None
    return UNKNOWN


def image_attribute(image: Image, attr: str) -> Any:
    def side(d: dims.Dim) -> Any:
        return d if dims.is_known(d) else UNKNOWN

    if attr == "size":
        return (side(image.width), side(image.height))
    if attr == "width":
        return side(image.width)
    if attr == "height":
        return side(image.height)
    if attr == "mode":
        return image.mode if image.mode is not None else UNKNOWN
    return UNKNOWN


def _folder_image(size_arg: Any, color_mode: Any, data_format: Any) -> Optional[tuple]:
    """One image as Keras reads it from a folder (``image_size``/``target_size``, ``color_mode``):
    its shape, channels last or first; ``None`` when an argument cannot be told (or is rejected)."""
    size = _pair(size_arg)
    if size is None or color_mode not in COLOR_MODES or data_format not in ("channels_last", "channels_first"):
        return None
    bands = COLOR_MODES[color_mode][0]
    return (bands, *size) if data_format == "channels_first" else (*size, bands)


def _labels(bound: dict) -> Any:
    """The labels' shape (per sample) and dtype, ``None`` for no labels, ``UNKNOWN`` if unknown."""
    labels = bound.get("labels", "inferred")
    label_mode = bound.get("label_mode", "int")
    if labels is None or label_mode is None:
        return None
    if not (labels == "inferred" or isinstance(labels, (list, tuple))) or label_mode not in (
            "int", "categorical", "binary"):
        return UNKNOWN
    if label_mode == "int":
        return (), "int32"
    if label_mode == "binary":
        return (1,), "float32"
    names = bound.get("class_names")
    classes = len(names) if isinstance(names, (list, tuple)) and labels == "inferred" else dims.unknown()
    return (classes,), "float32"


def from_directory(flow: DataFlow, name: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
    """``image_dataset_from_directory`` / ``text_dataset_from_directory``: a dataset of
    ``(inputs, labels)`` batches (``inputs`` alone without labels), two with ``subset="both"``."""
    images = name in IMAGE_DATASET
    bound = _bind(_IMAGE_DATASET_PARAMS if images else _TEXT_DATASET_PARAMS, args, kwargs)
    if bound is None:
        return UNKNOWN
    batch_size = bound.get("batch_size", 32)
    if not (batch_size is None or (dims.is_known(batch_size) and batch_size > 0)):
        return UNKNOWN
    batch: tuple = () if batch_size is None else (None,)
    if images:
        data_format = bound.get("data_format")
        sample = _folder_image(bound.get("image_size", (256, 256)), bound.get("color_mode", "rgb"),
                               flow.interp._data_format if data_format is None else data_format)
        if sample is None:
            return UNKNOWN
        inputs = TensorType((*batch, *sample), "float32")
    else:
        inputs = TensorType(batch, "string")
    labels = _labels(bound)
    if labels is UNKNOWN:
        return UNKNOWN
    origin, what = flow.interp.span(node), flow.text(node)
    element: Any = Array(inputs, origin, what)
    if labels is not None:
        element = (element, Array(TensorType((*batch, *labels[0]), labels[1]), origin, what))
    subset = bound.get("subset")
    if subset not in (None, "training", "validation", "both"):
        return UNKNOWN

    def dataset() -> Dataset:
        return Dataset(element, origin, batched=batch_size is not None)

    return [dataset(), dataset()] if subset == "both" else dataset()


_GENERATOR_PARAMS = ("featurewise_center", "samplewise_center", "featurewise_std_normalization",
                     "samplewise_std_normalization", "zca_whitening", "zca_epsilon", "rotation_range",
                     "width_shift_range", "height_shift_range", "brightness_range", "shear_range", "zoom_range",
                     "channel_shift_range", "fill_mode", "cval", "horizontal_flip", "vertical_flip", "rescale",
                     "preprocessing_function", "data_format", "validation_split", "interpolation_order", "dtype")
_FLOW_PARAMS = ("x", "y", "batch_size", "shuffle", "sample_weight", "seed", "save_to_dir", "save_prefix",
                "save_format", "ignore_class_split", "subset")
_FLOW_DIRECTORY_PARAMS = ("directory", "target_size", "color_mode", "classes", "class_mode", "batch_size", "shuffle",
                          "seed", "save_to_dir", "save_prefix", "save_format", "follow_links", "subset",
                          "interpolation", "keep_aspect_ratio")
#: the generator's methods that make batches (:func:`generator_method`)
GENERATOR_METHODS = ("flow", "flow_from_directory", "fit")


def image_generator(args: list, kwargs: dict, data_format: Any) -> Any:
    """``ImageDataGenerator(...)``: its data format (the global one by default) and dtype."""
    bound = _bind(_GENERATOR_PARAMS, args, kwargs)
    if bound is None:
        return UNKNOWN
    fmt = bound.get("data_format")
    fmt = data_format if fmt is None else fmt
    dtype = bound.get("dtype")
    return ImageGenerator(fmt if fmt in ("channels_last", "channels_first") else None,
                          "float32" if dtype is None else (dtype if isinstance(dtype, str) else None))


def generator_method(flow: DataFlow, gen: ImageGenerator, name: str, args: list, kwargs: dict,
                     node: cst.CSTNode) -> Any:
    """``flow(x, y)``: batches of ``x`` (rank 4, in the generator's dtype) and of ``y`` (as it is);
    ``flow_from_directory``: batches of images of ``target_size`` and their labels by ``class_mode``.
    Either yields what ``fit`` takes as a batched dataset; ``fit(x)`` (its statistics) returns None."""
    if name == "fit":
        return None
    origin, what = flow.interp.span(node), flow.text(node)
    if name == "flow":
        bound = _bind(_FLOW_PARAMS, args, kwargs)
        x = None if bound is None else bound.get("x")
        if not isinstance(x, Array) or x.type.shape is None or len(x.type.shape) != 4:
            return UNKNOWN  # (x as a tuple of arrays, or Keras's ValueError for another rank)
        assert bound is not None
        parts = [Array(TensorType((None, *x.type.shape[1:]), gen.dtype), origin, what)]
        for key in ("y", "sample_weight"):
            v = bound.get(key)
            if v is None:
                break
            if not isinstance(v, Array) or not v.type.shape or dims.differs(v.type.shape[0], x.type.shape[0]):
                return UNKNOWN  # (different counts: Keras's ValueError)
            parts.append(Array(TensorType((None, *v.type.shape[1:]), v.type.dtype), origin, what))
        return Dataset(parts[0] if len(parts) == 1 else tuple(parts), origin, batched=True)
    if name == "flow_from_directory":
        bound = _bind(_FLOW_DIRECTORY_PARAMS, args, kwargs)
        if bound is None:
            return UNKNOWN
        sample = _folder_image(bound.get("target_size", (256, 256)), bound.get("color_mode", "rgb"), gen.data_format)
        class_mode = bound.get("class_mode", "categorical")
        if sample is None or class_mode not in ("categorical", "binary", "sparse", "input", None):
            return UNKNOWN
        x = Array(TensorType((None, *sample), gen.dtype), origin, what)
        if class_mode is None:
            return Dataset(x, origin, batched=True)
        if class_mode == "input":
            y = Array(x.type, origin, what)
        elif class_mode == "categorical":
            classes = bound.get("classes")
            width = len(classes) if isinstance(classes, (list, tuple)) and classes else dims.unknown()
            y = Array(TensorType((None, width), gen.dtype), origin, what)
        else:
            y = Array(TensorType((None,), gen.dtype), origin, what)  # (class ids too: in the generator's dtype)
        return Dataset((x, y), origin, batched=True)
    return UNKNOWN


__all__ = ["CV2_CONSTANTS", "FUNCTIONS", "GENERATOR_METHODS", "IMAGE_METHODS", "as_array", "cv2_call", "from_directory",
           "generator_method", "image_attribute", "image_generator", "image_method", "img_to_array", "load_img",
           "open_image"]
