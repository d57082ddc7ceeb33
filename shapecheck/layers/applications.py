"""``keras.applications``: the pretrained image models, as one operation each.

``keras.applications.ResNet50(include_top=False, input_shape=(160, 160, 3), weights=None)``
builds a functional model of some hundred layers. shapecheck does not unfold them: the model
is its ``keras.Input`` and one operation whose rule maps ``(batch, H, W, C)`` to what Keras's
model gives --

* ``include_top=True``: ``(batch, classes)``;
* ``pooling="avg"`` or ``"max"``: ``(batch, features)``;
* otherwise ``(batch, h, w, features)``, where ``h`` and ``w`` follow ``H`` and ``W`` through the
  model's size-changing layers (its strided convolutions and poolings, paddings, croppings:
  ``steps``), and an input too small for one of them fails as Keras's layer fails.

Every number here was measured with Keras (``python -m tests.applications_table`` writes
``tests/data/applications_table.json``, and ``tests/test_oracle_applications.py`` compares these
rules with it): the steps are the path Keras's own model takes from its output back to its input,
the smallest size is what the constructor's message says, the parameter counts are the built
model's. The constructor's own checks (``imagenet_utils.obtain_input_shape``: the smallest size,
three channels for ImageNet weights, a static ``input_shape`` under ``include_top=True``; ``classes``
with ImageNet weights) are :func:`check_constructor`. ``weights="imagenet"`` needs no download here:
the weights do not change a shape.

The layers inside a model (``model.layers[i].output``, ``model.get_layer(name).output`` of a model
built with ``include_top=False``) are the same operation with ``output_layer=i`` in its config: layer
``i``'s height and width are those the first ``k`` of the model's ``steps`` make, its channels as
measured (:func:`inner_layers`; ``python -m tests.applications_layers`` writes the table).

Not followed (the model's output stays unknown, never a finding): ``channels_first`` (set with
``keras.config.set_image_data_format``); the NASNet models' sizes (their cells crop and pad by the
parity of each size: only the channels are given); a width ``alpha`` or other model-specific
argument (``minimalistic``, ``depth_multiplier``) other than its default: the spatial size is still
followed, the channels and parameter counts are not.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INVALID_ARGUMENT, NEGATIVE_DIMENSION, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import APPLICATIONS, Call, Example, LayerRule, OpRule, Unknowable, register
from ..core.shapes import TensorType
from .conv_utils import conv_output_length

#: the arguments every application takes, after the model-specific ones
COMMON = ("include_top", "weights", "input_tensor", "input_shape", "pooling", "classes", "classifier_activation",
          "name")


@dataclass(frozen=True)
class Application:
    """One ``keras.applications`` model, as measured (see the module's docstring)."""

    name: str  # the class: "ResNet50"
    #: the ``keras.applications`` modules that export it (``resnet50``, ``resnet``)
    modules: tuple[str, ...]
    #: its parameters in order (positional calls bind by them)
    params: tuple[str, ...]
    #: the model name Keras gives it (``name=``'s default; ``None``: made from the width and size)
    keras_name: str | None
    default_size: int
    min_size: int
    #: channels of its last feature map (``include_top=False``)
    features: int
    #: the size-changing layers, input first: ``("conv", kernel, stride, padding, dilation)``,
    #: ``("pool", size, stride, padding)``, ``("pad", before, after)``, ``("crop", before, after)``,
    #: ``("correct_pad", kernel)``: ``imagenet_utils.correct_pad``, a padding that follows the
    #: parity of a size known when the model is built (of neither when it is not: ``None``)
    steps: tuple = ()
    #: ``(trainable, non_trainable)`` parameters of the model on 3 channels without its top
    notop_params: tuple[int, int] = (0, 0)
    #: the same with its top, for 1000 classes, and the trainable ones each further class adds
    top_params: tuple[int, int] = (0, 0)
    per_class: int = 0
    #: what the constructor says of ``classes`` other than 1000 with ImageNet weights and the top
    classes_message: str = ""
    #: its top flattens the feature map (VGG): the top's counts hold for the default size only
    flatten_top: bool = False
    #: the sizes are followed (not the NASNet models: see the module's docstring)
    exact: bool = True
    #: model-specific arguments and their defaults (``alpha``): another value leaves the channels
    #: and parameter counts unknown
    extras: dict = field(default_factory=dict)


def _step_length(step: tuple, length: Dim, static: bool, same_next: bool) -> tuple[Dim, bool]:
    """One axis through one step; ``same_next``: a ``correct_pad`` of a symbolic static size
    before a stride-2 valid convolution, which together keep ``ceil(length / 2)`` whatever its parity."""
    kind = step[0]
    if kind in ("conv", "pool"):
        padding = "same" if same_next else step[3]
        dilation = step[4] if kind == "conv" else 1
        return conv_output_length(length, step[1], step[2], padding, dilation), False
    if length is None:
        return None, False
    if kind == "pad":
        return dims.add(length, step[1] + step[2]), False
    if kind == "crop":
        return dims.sub(length, step[1] + step[2]), False
    half = step[1] // 2  # correct_pad
    if not static:
        return dims.add(length, 2 * half - 1), False
    if isinstance(length, int):
        return length + 2 * half - (1 - length % 2), False
    return length, True


def feature_size(app: Application, length: Dim, static: bool) -> Dim:
    """One spatial axis of the model's last feature map, for an input of ``length`` (``static``:
    known when the model was built); :class:`ShapeError` where a layer's output would be empty."""
    return steps_length(app, app.steps, length, static)


def steps_length(app: Application, steps: tuple, length: Dim, static: bool) -> Dim:
    """One spatial axis after ``steps`` (the model's, or the first of them: a layer inside it)."""
    same_next = False
    given = length
    for step in steps:
        length, same_next = _step_length(step, length, static, same_next)
        if dims.is_known(length) and length <= 0:  # type: ignore[operator]
            raise ShapeError(NEGATIVE_DIMENSION, f"Computed output size would be zero or negative: an image "
                                                 f"{dims.show(given)} pixels wide or high leaves nothing after the "
                                                 f"strided layers of {app.name}")
    return length


def _defaults(app: Application) -> dict:
    return {"include_top": True, "weights": "imagenet", "input_tensor": None, "input_shape": None, "pooling": None,
            "classes": 1000, "classifier_activation": "softmax", **app.extras}


class ApplicationRule(LayerRule):
    """The model as one operation: its input, as built, to its output."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.names = (f"keras.applications.{app.name}",)  # type: ignore[misc]
        self.params = app.params  # type: ignore[misc]
        self.defaults = _defaults(app)  # type: ignore[misc]
        self.examples = ()  # type: ignore[misc]

    def output(self, call: Call) -> TensorType:
        app = self.app
        shape = call.shape
        if len(shape) != 4:
            raise Unknowable()  # (the model's own input check reports a wrong rank)
        batch = shape[0]
        include_top = call.flag("include_top", True)
        declared = call.get("input_shape")
        if not isinstance(declared, (tuple, list)) or len(declared) != 3:
            raise Unknowable()
        if "output_layer" in call.config:
            return call.input.with_shape(self.inner_shape(call, call.get("output_layer"), batch, declared))
        space = [feature_size(app, shape[axis], declared[axis - 1] is not None) if app.exact else dims.unknown()
                 for axis in (1, 2)]
        if include_top:
            classes = call.get("classes")
            return call.input.with_shape((batch, classes if isinstance(classes, int) else dims.unknown()))
        features: Dim = app.features if self.default_width(call) else dims.unknown()
        pooling = call.get("pooling")
        if pooling is UNKNOWN:
            raise Unknowable()
        if pooling in ("avg", "max"):
            return call.input.with_shape((batch, features))
        return call.input.with_shape((batch, *space, features))

    def inner_shape(self, call: Call, index: int, batch: Dim, declared: Any) -> tuple:
        """Layer ``index`` of the model built without its top (see the module's docstring)."""
        layers = inner_layers(self.app.name)
        if call.get("include_top") is not False or not isinstance(index, int) or not 0 <= index < len(layers) \
                or layers[index][1] is None or any(call.get(k) != v for k, v in self.app.extras.items()):
            # (another width, dropout rate or preprocessing builds other layers, or in another order)
            raise Unknowable()
        _, k, channels = layers[index]
        space = [steps_length(self.app, self.app.steps[:k], call.shape[axis], declared[axis - 1] is not None)
                 for axis in (1, 2)]
        return (batch, *space, channels)

    def default_width(self, call: Call) -> bool:
        return all(call.get(k) == v for k, v in self.app.extras.items() if k not in ("dropout", "dropout_rate",
                                                                                      "include_preprocessing"))

    def weights(self, call: Call) -> tuple[int, int]:
        app = self.app
        shape = call.shape
        if len(shape) != 4 or shape[-1] != 3 or not self.default_width(call) \
                or "include_preprocessing" in app.extras and call.get("include_preprocessing") is not True:
            raise Unknowable()  # (EfficientNetV2's preprocessing has weights of its own)
        if "output_layer" in call.config:
            raise Unknowable()  # (the layers up to one inside the model: not counted)
        if not call.flag("include_top", True):
            return app.notop_params
        classes = call.get("classes")
        if not isinstance(classes, int) or isinstance(classes, bool):
            raise Unknowable()
        if app.flatten_top and (shape[1], shape[2]) != (app.default_size, app.default_size):
            raise Unknowable()
        return (app.top_params[0] + (classes - 1000) * app.per_class, app.top_params[1])


#: the square sizes MobileNet and MobileNetV2 have ImageNet weights for: given one of them, it is the
#: default size (``obtain_input_shape``'s ``default_size``), and the size in the model's name
WEIGHT_SIZES = {"MobileNet": (128, 160, 192, 224), "MobileNetV2": (96, 128, 160, 192, 224)}
#: the ImageNet weights' widths (an ``alpha`` Keras rejects with ``weights="imagenet"``)
WEIGHT_ALPHAS = {"MobileNet": (0.25, 0.5, 0.75, 1.0), "MobileNetV2": (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)}


def _shown(shape: Any) -> str:
    return repr(tuple(shape) if isinstance(shape, tuple) else shape)


def check_constructor(app: Application, config: dict, data_format: Any) -> tuple:
    """The input shape the constructor builds its ``keras.Input`` with, as Keras works it out
    (``imagenet_utils.obtain_input_shape``; MobileNetV3's own code); :class:`ShapeError` for what
    the constructor rejects (in Keras's words), :class:`Unknowable` when an argument it needs is
    unknown. ``weights`` naming a file is taken to exist (that is for the machine that runs it)."""
    cfg = {**_defaults(app), **config}
    weights, include_top, classes = cfg["weights"], cfg["include_top"], cfg["classes"]
    if data_format != "channels_last":
        raise Unknowable()
    if weights is not None and not isinstance(weights, str) and weights is not UNKNOWN:
        raise ShapeError(INVALID_ARGUMENT, "The `weights` argument should be either `None` (random initialization), "
                                           "'imagenet' (pre-training on ImageNet), or the path to the weights file "
                                           f"to be loaded.  Received: weights={weights}")
    if include_top is UNKNOWN or weights is UNKNOWN:
        raise Unknowable()
    imagenet = weights == "imagenet"
    if imagenet and include_top and isinstance(classes, int) and classes != 1000:
        raise ShapeError(INVALID_ARGUMENT, app.classes_message.format(classes=classes))
    input_shape = cfg["input_shape"]
    if input_shape is UNKNOWN or isinstance(input_shape, (tuple, list)) and any(
            d is not None and not isinstance(d, (int, dims.Sym)) or isinstance(d, dims.Sym) and d.opaque
            for d in input_shape):
        raise Unknowable()  # (a symbolic size -- a parameter of a function -- is followed; it is never too small)
    if input_shape is not None and not isinstance(input_shape, (tuple, list)):
        raise Unknowable()
    if app.name.startswith("MobileNetV3"):
        shape = _mobilenet_v3_input(app, cfg, input_shape, imagenet)
    else:
        shape = _obtain_input_shape(app, input_shape, imagenet, include_top)
    alphas = WEIGHT_ALPHAS.get(app.name)
    if imagenet and alphas is not None:
        if app.name == "MobileNet" and cfg["depth_multiplier"] != 1 and isinstance(cfg["depth_multiplier"], int):
            raise ShapeError(INVALID_ARGUMENT, "If imagenet weights are being loaded, depth multiplier must be 1.  "
                                               f"Received depth_multiplier={cfg['depth_multiplier']}")
        alpha = cfg["alpha"]
        if isinstance(alpha, (int, float)) and not isinstance(alpha, bool) and alpha not in alphas:
            raise ShapeError(INVALID_ARGUMENT, f"If imagenet weights are being loaded, alpha must be one of "
                                               f"{', '.join(map(str, alphas))} only; Received `alpha={alpha}`")
    return shape


def _mobilenet_v3_input(app: Application, cfg: dict, input_shape: Any, imagenet: bool) -> tuple:
    """MobileNetV3's checks: no ``obtain_input_shape``; any input shape, the top included."""
    if input_shape is None:
        input_shape = (None, None, 3)
    if len(input_shape) < 2:
        raise Unknowable()
    rows, cols = input_shape[0], input_shape[1]
    if isinstance(rows, int) and isinstance(cols, int) and rows and cols and (rows < 32 or cols < 32):
        raise ShapeError(INVALID_ARGUMENT, f"Input size must be at least 32x32; Received `input_shape="
                                           f"{_shown(input_shape)}`")
    alpha, minimalistic = cfg["alpha"], cfg["minimalistic"]
    if imagenet and isinstance(alpha, (int, float)) and isinstance(minimalistic, bool) \
            and (not minimalistic and alpha not in (0.75, 1.0) or minimalistic and alpha != 1.0):
        raise ShapeError(INVALID_ARGUMENT, "If imagenet weights are being loaded, alpha can be one of `0.75`, `1.0` "
                                           "for non minimalistic or `1.0` for minimalistic only.")
    if len(input_shape) != 3:
        raise Unknowable()  # (Keras builds on it and fails in a layer: not followed)
    return tuple(input_shape)


def _obtain_input_shape(app: Application, input_shape: Any, imagenet: bool, include_top: bool) -> tuple:
    """``imagenet_utils.obtain_input_shape`` (channels last)."""
    size = app.default_size
    sizes = WEIGHT_SIZES.get(app.name)
    if sizes is not None and input_shape is not None and len(input_shape) >= 2 \
            and isinstance(input_shape[0], int) and input_shape[0] == input_shape[1] and input_shape[0] in sizes:
        size = input_shape[0]
    if not imagenet and input_shape and len(input_shape) == 3:
        default = (size, size, input_shape[-1])
    else:
        default = (size, size, 3)
    if imagenet and include_top:
        if input_shape is not None and (len(input_shape) != 3 or any(
                not isinstance(a, dims.Sym) and a != b for a, b in zip(input_shape, default))):
            raise ShapeError(INVALID_ARGUMENT, "When setting `include_top=True` and loading `imagenet` weights, "
                                               f"`input_shape` should be {default}.  Received: "
                                               f"input_shape={_shown(input_shape)}")
        return default
    if input_shape:
        if len(input_shape) != 3:
            raise ShapeError(INVALID_ARGUMENT, "`input_shape` must be a tuple of three integers.")
        if isinstance(input_shape[-1], int) and input_shape[-1] != 3 and imagenet:
            raise ShapeError(INVALID_ARGUMENT, f"The input must have 3 channels; Received `input_shape="
                                               f"{_shown(input_shape)}`")
        m = app.min_size
        if any(isinstance(d, int) and d < m for d in input_shape[:2]):
            raise ShapeError(INVALID_ARGUMENT, f"Input size must be at least {m}x{m}; Received: "
                                               f"input_shape={_shown(input_shape)}")
    elif include_top:
        input_shape = default
    else:
        input_shape = (None, None, 3)
    if include_top and None in tuple(input_shape):
        raise ShapeError(INVALID_ARGUMENT, "If `include_top` is True, you should specify a static `input_shape`. "
                                           f"Received: input_shape={_shown(input_shape)}")
    return tuple(input_shape)


def model_name(app: Application, config: dict, input_shape: tuple) -> str | None:
    """The name Keras gives the model (``name=`` when given; MobileNet's and MobileNetV2's tell the
    width and the size of the weights, 224 when ImageNet has none of that size)."""
    name = config.get("name", app.keras_name)
    if isinstance(name, str):
        return name
    prefix = {"MobileNet": "mobilenet", "MobileNetV2": "mobilenetv2"}.get(app.name)
    alpha, weights = config.get("alpha", 1.0), config.get("weights", "imagenet")
    if name is not None or prefix is None or not isinstance(alpha, (int, float)) or isinstance(alpha, bool) \
            or weights is UNKNOWN:
        return None
    rows = input_shape[0]
    if weights == "imagenet" and (rows != input_shape[1] or rows not in WEIGHT_SIZES[app.name]):
        rows = 224
    if rows is not None and not isinstance(rows, int):
        return None
    return f"{prefix}_{alpha:0.2f}_{rows}"


#: what each model's arguments and sizes are, derived from tests/data/applications_table.json
#: (``rule_data`` there; tests/test_oracle_applications.py checks that this is what it derives)
_DATA: dict[str, dict] = {  # generated: python -m tests.applications_table --rules
    'ConvNeXtBase': {
        'modules': ['convnext'],
        'params': ['include_top', 'include_preprocessing', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'convnext_base',
        'default_size': 224,
        'min_size': 32,
        'features': 1024,
        'steps': [['conv', 4, 4, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1]],
        'notop_params': [87566464, 0],
        'top_params': [88591464, 0],
        'per_class': 1025,
        'classes_message': 'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes={classes}',
        'extras': {'include_preprocessing': True},
    },
    'ConvNeXtLarge': {
        'modules': ['convnext'],
        'params': ['include_top', 'include_preprocessing', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'convnext_large',
        'default_size': 224,
        'min_size': 32,
        'features': 1536,
        'steps': [['conv', 4, 4, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1]],
        'notop_params': [196230336, 0],
        'top_params': [197767336, 0],
        'per_class': 1537,
        'classes_message': 'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes={classes}',
        'extras': {'include_preprocessing': True},
    },
    'ConvNeXtSmall': {
        'modules': ['convnext'],
        'params': ['include_top', 'include_preprocessing', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'convnext_small',
        'default_size': 224,
        'min_size': 32,
        'features': 768,
        'steps': [['conv', 4, 4, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1]],
        'notop_params': [49454688, 0],
        'top_params': [50223688, 0],
        'per_class': 769,
        'classes_message': 'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes={classes}',
        'extras': {'include_preprocessing': True},
    },
    'ConvNeXtTiny': {
        'modules': ['convnext'],
        'params': ['include_top', 'include_preprocessing', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'convnext_tiny',
        'default_size': 224,
        'min_size': 32,
        'features': 768,
        'steps': [['conv', 4, 4, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1]],
        'notop_params': [27820128, 0],
        'top_params': [28589128, 0],
        'per_class': 769,
        'classes_message': 'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes={classes}',
        'extras': {'include_preprocessing': True},
    },
    'ConvNeXtXLarge': {
        'modules': ['convnext'],
        'params': ['include_top', 'include_preprocessing', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'convnext_xlarge',
        'default_size': 224,
        'min_size': 32,
        'features': 2048,
        'steps': [['conv', 4, 4, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1], ['conv', 2, 2, 'valid', 1]],
        'notop_params': [348147968, 0],
        'top_params': [350196968, 0],
        'per_class': 2049,
        'classes_message': 'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes={classes}',
        'extras': {'include_preprocessing': True},
    },
    'DenseNet121': {
        'modules': ['densenet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'densenet121',
        'default_size': 224,
        'min_size': 32,
        'features': 1024,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid']],
        'notop_params': [6953856, 83648],
        'top_params': [7978856, 83648],
        'per_class': 1025,
        'classes_message': 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'DenseNet169': {
        'modules': ['densenet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'densenet169',
        'default_size': 224,
        'min_size': 32,
        'features': 1664,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid']],
        'notop_params': [12484480, 158400],
        'top_params': [14149480, 158400],
        'per_class': 1665,
        'classes_message': 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'DenseNet201': {
        'modules': ['densenet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'densenet201',
        'default_size': 224,
        'min_size': 32,
        'features': 1920,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid']],
        'notop_params': [18092928, 229056],
        'top_params': [20013928, 229056],
        'per_class': 1921,
        'classes_message': 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetB0': {
        'modules': ['efficientnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'efficientnetb0',
        'default_size': 224,
        'min_size': 32,
        'features': 1280,
        'steps': [['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [4007548, 42023],
        'top_params': [5288548, 42023],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetB1': {
        'modules': ['efficientnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'efficientnetb1',
        'default_size': 240,
        'min_size': 32,
        'features': 1280,
        'steps': [['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [6513184, 62055],
        'top_params': [7794184, 62055],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetB2': {
        'modules': ['efficientnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'efficientnetb2',
        'default_size': 260,
        'min_size': 32,
        'features': 1408,
        'steps': [['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [7700994, 67575],
        'top_params': [9109994, 67575],
        'per_class': 1409,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetB3': {
        'modules': ['efficientnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'efficientnetb3',
        'default_size': 300,
        'min_size': 32,
        'features': 1536,
        'steps': [['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [10696232, 87303],
        'top_params': [12233232, 87303],
        'per_class': 1537,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetB4': {
        'modules': ['efficientnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'efficientnetb4',
        'default_size': 380,
        'min_size': 32,
        'features': 1792,
        'steps': [['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [17548616, 125207],
        'top_params': [19341616, 125207],
        'per_class': 1793,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetB5': {
        'modules': ['efficientnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'efficientnetb5',
        'default_size': 456,
        'min_size': 32,
        'features': 2048,
        'steps': [['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [28340784, 172743],
        'top_params': [30389784, 172743],
        'per_class': 2049,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetB6': {
        'modules': ['efficientnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'efficientnetb6',
        'default_size': 528,
        'min_size': 32,
        'features': 2304,
        'steps': [['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [40735704, 224439],
        'top_params': [43040704, 224439],
        'per_class': 2305,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetB7': {
        'modules': ['efficientnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'efficientnetb7',
        'default_size': 600,
        'min_size': 32,
        'features': 2560,
        'steps': [['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [63786960, 310727],
        'top_params': [66347960, 310727],
        'per_class': 2561,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
    },
    'EfficientNetV2B0': {
        'modules': ['efficientnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'efficientnetv2-b0',
        'default_size': 224,
        'min_size': 32,
        'features': 1280,
        'steps': [['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1]],
        'notop_params': [5858704, 60608],
        'top_params': [7139704, 60608],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
        'extras': {'include_preprocessing': True},
    },
    'EfficientNetV2B1': {
        'modules': ['efficientnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'efficientnetv2-b1',
        'default_size': 240,
        'min_size': 32,
        'features': 1280,
        'steps': [['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1]],
        'notop_params': [6860052, 71072],
        'top_params': [8141052, 71072],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
        'extras': {'include_preprocessing': True},
    },
    'EfficientNetV2B2': {
        'modules': ['efficientnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'efficientnetv2-b2',
        'default_size': 260,
        'min_size': 32,
        'features': 1408,
        'steps': [['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1]],
        'notop_params': [8687086, 82288],
        'top_params': [10096086, 82288],
        'per_class': 1409,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
        'extras': {'include_preprocessing': True},
    },
    'EfficientNetV2B3': {
        'modules': ['efficientnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'efficientnetv2-b3',
        'default_size': 300,
        'min_size': 32,
        'features': 1536,
        'steps': [['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1]],
        'notop_params': [12821406, 109216],
        'top_params': [14358406, 109216],
        'per_class': 1537,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
        'extras': {'include_preprocessing': True},
    },
    'EfficientNetV2L': {
        'modules': ['efficientnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'efficientnetv2-l',
        'default_size': 480,
        'min_size': 32,
        'features': 1280,
        'steps': [['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1]],
        'notop_params': [117234272, 512576],
        'top_params': [118515272, 512576],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
        'extras': {'include_preprocessing': True},
    },
    'EfficientNetV2M': {
        'modules': ['efficientnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'efficientnetv2-m',
        'default_size': 480,
        'min_size': 32,
        'features': 1280,
        'steps': [['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1]],
        'notop_params': [52858356, 292032],
        'top_params': [54139356, 292032],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
        'extras': {'include_preprocessing': True},
    },
    'EfficientNetV2S': {
        'modules': ['efficientnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'efficientnetv2-s',
        'default_size': 384,
        'min_size': 32,
        'features': 1280,
        'steps': [['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1], ['conv', 3, 2, 'same', 1]],
        'notop_params': [20177488, 153872],
        'top_params': [21458488, 153872],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000',
        'extras': {'include_preprocessing': True},
    },
    'InceptionResNetV2': {
        'modules': ['inception_resnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'inception_resnet_v2',
        'default_size': 299,
        'min_size': 75,
        'features': 1536,
        'steps': [['conv', 3, 2, 'valid', 1], ['conv', 3, 1, 'valid', 1], ['pool', 3, 2, 'valid'], ['conv', 3, 1, 'valid', 1], ['pool', 3, 2, 'valid'], ['conv', 3, 2, 'valid', 1], ['conv', 3, 2, 'valid', 1]],
        'notop_params': [54276192, 60544],
        'top_params': [55813192, 60544],
        'per_class': 1537,
        'classes_message': 'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes={classes}',
    },
    'InceptionV3': {
        'modules': ['inception_v3'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'inception_v3',
        'default_size': 299,
        'min_size': 75,
        'features': 2048,
        'steps': [['conv', 3, 2, 'valid', 1], ['conv', 3, 1, 'valid', 1], ['pool', 3, 2, 'valid'], ['conv', 3, 1, 'valid', 1], ['pool', 3, 2, 'valid'], ['conv', 3, 2, 'valid', 1], ['conv', 3, 2, 'valid', 1]],
        'notop_params': [21768352, 34432],
        'top_params': [23817352, 34432],
        'per_class': 2049,
        'classes_message': 'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes={classes}',
    },
    'MobileNet': {
        'modules': ['mobilenet'],
        'params': ['input_shape', 'alpha', 'depth_multiplier', 'dropout', 'include_top', 'weights', 'input_tensor', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': None,
        'default_size': 224,
        'min_size': 32,
        'features': 1024,
        'steps': [['conv', 3, 2, 'same', 1], ['pad', 0, 1], ['conv', 3, 2, 'valid', 1], ['pad', 0, 1], ['conv', 3, 2, 'valid', 1], ['pad', 0, 1], ['conv', 3, 2, 'valid', 1], ['pad', 0, 1], ['conv', 3, 2, 'valid', 1]],
        'notop_params': [3206976, 21888],
        'top_params': [4231976, 21888],
        'per_class': 1025,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
        'extras': {'alpha': 1.0, 'depth_multiplier': 1, 'dropout': 0.001},
    },
    'MobileNetV2': {
        'modules': ['mobilenet_v2'],
        'params': ['input_shape', 'alpha', 'include_top', 'weights', 'input_tensor', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': None,
        'default_size': 224,
        'min_size': 32,
        'features': 1280,
        'steps': [['conv', 3, 2, 'same', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1]],
        'notop_params': [2223872, 34112],
        'top_params': [3504872, 34112],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000. Received `classes={classes}`',
        'extras': {'alpha': 1.0},
    },
    'MobileNetV3Large': {
        'modules': [],
        'params': ['input_shape', 'alpha', 'minimalistic', 'include_top', 'weights', 'input_tensor', 'classes', 'pooling', 'dropout_rate', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'MobileNetV3Large',
        'default_size': None,
        'min_size': 32,
        'features': 960,
        'steps': [['conv', 3, 2, 'same', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [2971952, 24400],
        'top_params': [5483032, 24400],
        'per_class': 1281,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000.  Received classes={classes}',
        'flatten_top': True,
        'extras': {'alpha': 1.0, 'minimalistic': False, 'dropout_rate': 0.2, 'include_preprocessing': True},
    },
    'MobileNetV3Small': {
        'modules': [],
        'params': ['input_shape', 'alpha', 'minimalistic', 'include_top', 'weights', 'input_tensor', 'classes', 'pooling', 'dropout_rate', 'classifier_activation', 'include_preprocessing', 'name'],
        'keras_name': 'MobileNetV3Small',
        'default_size': None,
        'min_size': 32,
        'features': 576,
        'steps': [['conv', 3, 2, 'same', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['conv', 3, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1], ['correct_pad', 5], ['conv', 5, 2, 'valid', 1]],
        'notop_params': [927008, 12112],
        'top_params': [2542856, 12112],
        'per_class': 1025,
        'classes_message': 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000.  Received classes={classes}',
        'flatten_top': True,
        'extras': {'alpha': 1.0, 'minimalistic': False, 'dropout_rate': 0.2, 'include_preprocessing': True},
    },
    'NASNetLarge': {
        'modules': ['nasnet'],
        'params': ['input_shape', 'include_top', 'weights', 'input_tensor', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'nasnet_large',
        'default_size': 331,
        'min_size': 32,
        'features': 4032,
        'steps': [['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['pool', 3, 2, 'valid'], ['pad', 0, 1], ['pool', 3, 2, 'valid'], ['pad', 0, 1], ['pool', 3, 2, 'valid'], ['pad', 0, 1], ['pool', 3, 2, 'valid']],
        'notop_params': [84691590, 196332],
        'top_params': [88753150, 196668],
        'per_class': 4033,
        'classes_message': 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000',
        'flatten_top': True,
        'exact': False,
    },
    'NASNetMobile': {
        'modules': ['nasnet'],
        'params': ['input_shape', 'include_top', 'weights', 'input_tensor', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'nasnet_mobile',
        'default_size': 224,
        'min_size': 32,
        'features': 1056,
        'steps': [['conv', 3, 2, 'valid', 1], ['correct_pad', 3], ['pool', 3, 2, 'valid'], ['pad', 0, 1], ['pool', 3, 2, 'valid'], ['pad', 0, 1], ['pool', 3, 2, 'valid'], ['pad', 0, 1], ['pool', 3, 2, 'valid']],
        'notop_params': [4230954, 36650],
        'top_params': [5289978, 36738],
        'per_class': 1057,
        'classes_message': 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000',
        'flatten_top': True,
        'exact': False,
    },
    'ResNet101': {
        'modules': ['resnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'resnet101',
        'default_size': 224,
        'min_size': 32,
        'features': 2048,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['conv', 1, 2, 'valid', 1], ['conv', 1, 2, 'valid', 1], ['conv', 1, 2, 'valid', 1]],
        'notop_params': [42552832, 105344],
        'top_params': [44601832, 105344],
        'per_class': 2049,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
    },
    'ResNet101V2': {
        'modules': ['resnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'resnet101v2',
        'default_size': 224,
        'min_size': 32,
        'features': 2048,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['pool', 1, 2, 'valid'], ['pool', 1, 2, 'valid'], ['pool', 1, 2, 'valid']],
        'notop_params': [42528896, 97664],
        'top_params': [44577896, 97664],
        'per_class': 2049,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
    },
    'ResNet152': {
        'modules': ['resnet'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'resnet152',
        'default_size': 224,
        'min_size': 32,
        'features': 2048,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['conv', 1, 2, 'valid', 1], ['conv', 1, 2, 'valid', 1], ['conv', 1, 2, 'valid', 1]],
        'notop_params': [58219520, 151424],
        'top_params': [60268520, 151424],
        'per_class': 2049,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
    },
    'ResNet152V2': {
        'modules': ['resnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'resnet152v2',
        'default_size': 224,
        'min_size': 32,
        'features': 2048,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['pool', 1, 2, 'valid'], ['pool', 1, 2, 'valid'], ['pool', 1, 2, 'valid']],
        'notop_params': [58187904, 143744],
        'top_params': [60236904, 143744],
        'per_class': 2049,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
    },
    'ResNet50': {
        'modules': ['resnet', 'resnet50'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'resnet50',
        'default_size': 224,
        'min_size': 32,
        'features': 2048,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['conv', 1, 2, 'valid', 1], ['conv', 1, 2, 'valid', 1], ['conv', 1, 2, 'valid', 1]],
        'notop_params': [23534592, 53120],
        'top_params': [25583592, 53120],
        'per_class': 2049,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
    },
    'ResNet50V2': {
        'modules': ['resnet_v2'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'resnet50v2',
        'default_size': 224,
        'min_size': 32,
        'features': 2048,
        'steps': [['pad', 3, 3], ['conv', 7, 2, 'valid', 1], ['pad', 1, 1], ['pool', 3, 2, 'valid'], ['pool', 1, 2, 'valid'], ['pool', 1, 2, 'valid'], ['pool', 1, 2, 'valid']],
        'notop_params': [23519360, 45440],
        'top_params': [25568360, 45440],
        'per_class': 2049,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
    },
    'VGG16': {
        'modules': ['vgg16'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'vgg16',
        'default_size': 224,
        'min_size': 32,
        'features': 512,
        'steps': [['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid']],
        'notop_params': [14714688, 0],
        'top_params': [138357544, 0],
        'per_class': 4097,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
        'flatten_top': True,
    },
    'VGG19': {
        'modules': ['vgg19'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'vgg19',
        'default_size': 224,
        'min_size': 32,
        'features': 512,
        'steps': [['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid'], ['pool', 2, 2, 'valid']],
        'notop_params': [20024384, 0],
        'top_params': [143667240, 0],
        'per_class': 4097,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
        'flatten_top': True,
    },
    'Xception': {
        'modules': ['xception'],
        'params': ['include_top', 'weights', 'input_tensor', 'input_shape', 'pooling', 'classes', 'classifier_activation', 'name'],
        'keras_name': 'xception',
        'default_size': 299,
        'min_size': 71,
        'features': 2048,
        'steps': [['conv', 3, 2, 'valid', 1], ['conv', 3, 1, 'valid', 1], ['pool', 3, 2, 'same'], ['pool', 3, 2, 'same'], ['pool', 3, 2, 'same'], ['pool', 3, 2, 'same']],
        'notop_params': [20806952, 54528],
        'top_params': [22855952, 54528],
        'per_class': 2049,
        'classes_message': "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received classes={classes}",
    },
}  # end of the generated data

MODELS: dict[str, Application] = {}


def _register() -> None:
    for name, data in _DATA.items():
        extras = data.get("extras", {})
        params = tuple(data["params"])
        steps = tuple(tuple(s) for s in data["steps"])
        app = Application(name, tuple(data["modules"]), params, data["keras_name"], data["default_size"],
                          data["min_size"], data["features"], steps, tuple(data["notop_params"]),
                          tuple(data["top_params"]), data["per_class"], data.get("classes_message", ""),
                          data.get("flatten_top", False), data.get("exact", True), extras)
        MODELS[name] = app
        APPLICATIONS[name] = ApplicationRule(app)


#: the ``keras.applications`` modules with a ``preprocess_input``
PREPROCESS_MODULES = ("convnext", "densenet", "efficientnet", "efficientnet_v2", "imagenet_utils",
                      "inception_resnet_v2", "inception_v3", "mobilenet", "mobilenet_v2", "mobilenet_v3", "nasnet",
                      "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "xception")


@register
class PreprocessInput(OpRule):
    """``keras.applications.resnet50.preprocess_input(x)`` and the other families': they scale,
    centre or reorder the channels (or pass ``x`` through), the shape stays; a floating input keeps
    its dtype, another becomes a float of a dtype not followed."""

    names = tuple(f"keras.applications.{m}.preprocess_input" for m in PREPROCESS_MODULES)
    params = ("x", "data_format", "mode")
    examples = (Example({}, (None, 40, 48, 3), (None, 40, 48, 3)),)

    def output(self, call: Call) -> TensorType:
        x = call.arg(0, "x")
        if not isinstance(x, TensorType) or x.shape is None:
            raise Unknowable()
        dtype = x.dtype if x.dtype in ("float16", "bfloat16", "float32", "float64") else None
        return TensorType(x.shape, dtype)


@functools.lru_cache(maxsize=1)
def _inner_table() -> dict:
    try:
        with open(Path(__file__).with_name("applications_layers.json"), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):  # (a damaged install: the layers inside stay unknown)
        return {}


def inner_layers(name: str) -> list:
    """``[name or None, steps or None, channels]`` for each layer of the application ``name`` built
    without its top, in ``model.layers`` order (empty for a model not measured)."""
    return _inner_table().get(name, [])


def lookup(qualname: str) -> Application | None:
    """The application a canonical name calls (``keras.applications.ResNet50``,
    ``keras.applications.resnet50.ResNet50``), if any."""
    parts = qualname.split(".")
    if len(parts) < 3 or parts[:2] != ["keras", "applications"]:
        return None
    app = MODELS.get(parts[-1])
    if app is None or len(parts) > 4 or len(parts) == 4 and parts[2] not in app.modules:
        return None
    return app


_register()
