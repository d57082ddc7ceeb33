"""Images and text read from files (``shapecheck/frontend/images.py``), and the windows of
``timeseries_dataset_from_array``, against Keras, Pillow, TensorFlow and OpenCV.

Each generated case writes real files (an image of a drawn size and Pillow mode; class folders of
small images or texts), runs Keras's own ``load_img``/``img_to_array``/``image_dataset_from_directory``
/``text_dataset_from_directory`` and Pillow's methods on them, and compares with what shapecheck
says from the call's arguments alone: the same shape and dtype where it claims to know them (a
size it leaves unknown must be the file's own, which the source does not say), and an unknown
result wherever Keras raises. Then whole programs: the mistakes found through these functions are
ones Keras rejects, and the fixed programs run.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image as PILImage

from shapecheck.api import check_source
from shapecheck.core import dims
from shapecheck.core.ir import UNKNOWN
from shapecheck.core.rules import T
from shapecheck.core.shapes import TensorType
from shapecheck.frontend import images
from shapecheck.frontend.values import Array, Dataset, Image

from .keras_oracle import run_programs  # (sets the backend before Keras is imported)

SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FILE_MODES = ["RGB", "L", "RGBA", "P", "LA", "I;16", "1"]  # (those PNG keeps)
SIDES = st.integers(1, 9)


def _agrees(ours: TensorType, shape: tuple, dtype: str) -> bool:
    """Our type fits the real array: each known axis equal, each unknown one the file's own."""
    assert ours.shape is not None
    return len(ours.shape) == len(shape) and all(not dims.is_known(a) or a == b for a, b in zip(ours.shape, shape)) \
        and (ours.dtype is None or ours.dtype == dtype)


def _write_image(path: Path, mode: str, height: int, width: int) -> None:
    rng = np.random.default_rng(height * 31 + width)
    PILImage.fromarray(rng.integers(0, 255, (height, width, 3), dtype="uint8"), "RGB").convert(mode).save(path)


@SETTINGS
@given(mode=st.sampled_from(FILE_MODES), height=SIDES, width=SIDES,
       color_mode=st.sampled_from(["rgb", "rgba", "grayscale", "hsv"]),
       target=st.none() | st.tuples(SIDES, SIDES), data_format=st.sampled_from(["channels_last", "channels_first"]),
       dtype=st.sampled_from([None, "float32", "float64", "uint8"]))
def test_load_img_and_img_to_array_agree_with_keras(tmp_path: Path, mode: str, height: int, width: int,
                                                     color_mode: str, target: Any, data_format: str,
                                                     dtype: Any) -> None:
    import keras

    path = tmp_path / f"i{mode}{height}{width}.png"
    _write_image(path, mode, height, width)
    kwargs: dict = {"color_mode": color_mode} if color_mode != "rgb" else {}
    if target is not None:
        kwargs["target_size"] = target
    image = images.load_img([str(path)], kwargs)
    try:
        real = keras.utils.load_img(str(path), **kwargs)
    except ValueError:
        assert image is None  # an unknown color_mode
        return
    assert image is not None
    for ours, theirs in ((image.height, real.size[1]), (image.width, real.size[0])):
        assert not dims.is_known(ours) or ours == theirs
    assert target is None or (image.height, image.width) == target  # the source's size, always known
    assert image.mode is None or image.mode == real.mode
    plain = images.as_array(image)
    array = np.asarray(real)
    assert plain is not None and _agrees(plain, array.shape, str(array.dtype))
    ours = images.img_to_array(image, data_format, dtype)
    theirs = keras.utils.img_to_array(real, data_format=data_format, dtype=dtype)
    assert ours is not None and _agrees(ours, theirs.shape, str(theirs.dtype)), (ours, theirs.shape, theirs.dtype)


@pytest.mark.parametrize("kwargs", [{"grayscale": True, "target_size": (3, 4)}, {"grayscale": False},
                                    {"color_mode": "rgba", "target_size": (2, 6)}])
def test_load_img_of_tf_keras_2_takes_grayscale(tmp_path: Path, kwargs: dict) -> None:
    import tf_keras

    path = tmp_path / "g.png"
    _write_image(path, "RGB", 5, 7)
    image = images.load_img([str(path)], kwargs, keras_version=2)
    real = tf_keras.utils.load_img(str(path), **kwargs)
    assert image is not None and image.mode in (None, real.mode)
    assert [d if dims.is_known(d) else None for d in (image.width, image.height)] == [
        real.size[0] if "target_size" in kwargs else None, real.size[1] if "target_size" in kwargs else None]
    ours = images.img_to_array(image, "channels_last", None)
    assert ours is not None and _agrees(ours, tf_keras.utils.img_to_array(real).shape, "float32")
    assert images.load_img([str(path)], {"grayscale": True}) is None  # Keras 3 has no such argument


@SETTINGS
@given(mode=st.sampled_from(FILE_MODES), height=SIDES, width=SIDES,
       steps=st.lists(st.one_of(st.tuples(st.just("resize"), st.tuples(SIDES, SIDES)),
                                st.tuples(st.just("convert"), st.sampled_from(sorted(images.MODES))),
                                st.tuples(st.just("copy"), st.none())), max_size=3))
def test_pillow_methods_agree_with_pillow(tmp_path: Path, mode: str, height: int, width: int, steps: list) -> None:
    path = tmp_path / f"p{mode}{height}{width}.png"
    _write_image(path, mode, height, width)
    real = PILImage.open(path)
    image = images.open_image([str(path)], {})
    for name, arg in steps:
        try:
            real = getattr(real, name)(*([] if arg is None else [arg]))
        except (ValueError, OSError):
            return  # a conversion Pillow does not make: nothing to compare
        image = images.image_method(image, name, [] if arg is None else [arg], {})
        assert isinstance(image, Image)
    assert not dims.is_known(image.width) or image.width == real.size[0]
    assert not dims.is_known(image.height) or image.height == real.size[1]
    assert image.mode is None or image.mode == real.mode
    ours = images.as_array(image)
    if ours is not None:
        array = np.asarray(real)
        assert _agrees(ours, array.shape, str(array.dtype)), (ours, array.shape, array.dtype)


@pytest.fixture(scope="module")
def class_folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three class folders of two images (of different sizes and modes) and two texts each."""
    root = tmp_path_factory.mktemp("classes")
    for c, name in enumerate(["cats", "dogs", "owls"]):
        (root / "img" / name).mkdir(parents=True)
        (root / "txt" / name).mkdir(parents=True)
        for i in range(2):
            _write_image(root / "img" / name / f"{i}.png", ["RGB", "L", "RGBA"][(c + i) % 3], 5 + c, 7 + i)
            (root / "txt" / name / f"{i}.txt").write_text(f"{name} number {i}")
    return root


def _element_spec(ds: Any) -> Any:
    import tensorflow as tf

    return tf.nest.map_structure(lambda s: (tuple(s.shape.as_list()), s.dtype.name), ds.element_spec)


def _ours(element: Any) -> Any:
    if isinstance(element, tuple):
        return tuple(_ours(x) for x in element)
    assert isinstance(element, Array)
    return element.type


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, tuple):
        return isinstance(theirs, tuple) and len(ours) == len(theirs) and all(map(_same, ours, theirs))
    shape, dtype = theirs
    return ours.dtype == dtype and ours.shape is not None and len(ours.shape) == len(shape) and all(
        a == b or (isinstance(a, dims.Sym) and b is not None) for a, b in zip(ours.shape, shape))


class _Flow:
    """What :func:`images.from_directory` reads of the interpreter: the global data format, a span."""

    class interp:  # noqa: N801 - stands for the interpreter attribute
        _data_format = "channels_last"

        @staticmethod
        def span(node: Any) -> None:
            return None

    @staticmethod
    def text(node: Any) -> str:
        return ""


LABELS = st.fixed_dictionaries({}, optional={
    "labels": st.sampled_from([None, "inferred"]),
    "label_mode": st.sampled_from([None, "int", "categorical", "binary", "sparse"]),
    "class_names": st.sampled_from([["cats", "dogs", "owls"], ["owls", "cats", "dogs"]]),
    "batch_size": st.sampled_from([None, 1, 4]),
})


@SETTINGS
@given(kwargs=LABELS, extra=st.fixed_dictionaries({}, optional={
    "color_mode": st.sampled_from(["rgb", "rgba", "grayscale"]),
    "image_size": st.tuples(st.integers(1, 6), st.integers(1, 6)),
    "data_format": st.sampled_from(["channels_last", "channels_first"]),
    "subset": st.sampled_from(["training", "validation", "both"]),
}))
def test_image_dataset_from_directory_agrees_with_keras(class_folders: Path, kwargs: dict, extra: dict) -> None:
    import keras

    kwargs = {**kwargs, **extra}
    if "subset" in kwargs:
        kwargs.update(validation_split=0.5, seed=1)
    ours = images.from_directory(_Flow(), "keras.utils.image_dataset_from_directory", [str(class_folders / "img")],
                                 kwargs, None)
    try:
        theirs = keras.utils.image_dataset_from_directory(str(class_folders / "img"), verbose=False, **kwargs)
    except ValueError:  # about labels or modes (binary labels of three classes): not a shape, never reported
        assert ours is UNKNOWN or isinstance(ours, (Dataset, list))
        return
    theirs_list = theirs if isinstance(theirs, list) else [theirs]
    ours_list = ours if isinstance(ours, list) else [ours]
    assert len(ours_list) == len(theirs_list) and all(isinstance(d, Dataset) for d in ours_list)
    for o, t in zip(ours_list, theirs_list):
        assert _same(_ours(o.element), _element_spec(t)), (o.element, _element_spec(t))
        assert o.batched == (kwargs.get("batch_size", 32) is not None)


@SETTINGS
@given(kwargs=LABELS)
def test_text_dataset_from_directory_agrees_with_keras(class_folders: Path, kwargs: dict) -> None:
    import keras

    ours = images.from_directory(_Flow(), "keras.utils.text_dataset_from_directory", [str(class_folders / "txt")],
                                 kwargs, None)
    try:
        theirs = keras.utils.text_dataset_from_directory(str(class_folders / "txt"), verbose=False, **kwargs)
    except ValueError:
        return
    assert isinstance(ours, Dataset), (kwargs, _element_spec(theirs))
    assert _same(_ours(ours.element), _element_spec(theirs)), (ours.element, _element_spec(theirs))


def test_opencv_constants_are_opencvs() -> None:
    import cv2

    assert {n: getattr(cv2, n) for n in images.CV2_CONSTANTS} == images.CV2_CONSTANTS


@SETTINGS
@given(mode=st.sampled_from(["RGB", "L", "RGBA"]), height=SIDES, width=SIDES, suffix=st.sampled_from(["png", "jpg"]),
       flags=st.sampled_from([None, 0, 1, -1, "IMREAD_GRAYSCALE", "IMREAD_COLOR", "IMREAD_UNCHANGED"]))
def test_cv2_imread_agrees_with_opencv(tmp_path: Path, mode: str, height: int, width: int, suffix: str,
                                       flags: Any) -> None:
    import cv2

    from shapecheck.frontend.values import QualName

    path = tmp_path / f"c{mode}{height}{width}.{suffix}"
    if suffix == "jpg" and mode == "RGBA":
        mode = "RGB"  # (JPEG holds no alpha)
    _write_image(path, mode, height, width)
    ours = images.cv2_call("cv2.imread", [str(path)] + ([] if flags is None else [
        QualName(f"cv2.{flags}") if isinstance(flags, str) else flags]), {})
    real = cv2.imread(str(path), *([] if flags is None else [getattr(cv2, flags) if isinstance(flags, str)
                                                              else flags]))
    if ours is not None:
        assert _agrees(ours, real.shape, str(real.dtype)), (ours, real.shape, real.dtype)
    else:
        assert flags in (-1, "IMREAD_UNCHANGED")  # (the file's own channels and depth)


CV_SHAPES = st.one_of(st.tuples(SIDES, SIDES), st.tuples(SIDES, SIDES, st.integers(1, 5)))


@SETTINGS
@given(shape=CV_SHAPES, dtype=st.sampled_from(["uint8", "float32"]), data=st.data())
def test_cv2_resize_and_cvtcolor_agree_with_opencv(shape: tuple, dtype: str, data: Any) -> None:
    import cv2

    from shapecheck.frontend.values import QualName

    src = np.zeros(shape, dtype)
    ours_src = Array(TensorType(shape, dtype))
    if data.draw(st.booleans()):
        dsize = data.draw(st.tuples(SIDES, SIDES))
        ours = images.cv2_call("cv2.resize", [ours_src, dsize], {})
        real = cv2.resize(src, dsize)
        assert ours is not None and _agrees(ours, real.shape, str(real.dtype)), (ours, real.shape)
        return
    code = data.draw(st.sampled_from(sorted(n for n in images.CV2_CONSTANTS if n.startswith("COLOR_"))))
    ours = images.cv2_call("cv2.cvtColor", [ours_src, QualName(f"cv2.{code}")], {})
    try:
        real = cv2.cvtColor(src, getattr(cv2, code))
    except cv2.error:
        assert ours is None
        return
    if ours is not None:
        assert _agrees(ours, real.shape, str(real.dtype)), (code, ours, real.shape, real.dtype)


def _generator(kwargs: dict) -> tuple[Any, Any]:
    import tensorflow as tf

    return (images.image_generator([], kwargs, "channels_last"),
            tf.keras.preprocessing.image.ImageDataGenerator(**kwargs))


def _batch_spec(batch: Any) -> Any:
    """A real batch as (shape, dtype), the batch axis undefined (the last batch is smaller)."""
    if isinstance(batch, tuple):
        return tuple(_batch_spec(b) for b in batch)
    return ((None, *batch.shape[1:]), str(batch.dtype))


GENERATOR_KWARGS = st.fixed_dictionaries({}, optional={
    "data_format": st.sampled_from(["channels_last", "channels_first"]),
    "dtype": st.sampled_from(["float32", "float64"]),
    "rescale": st.just(1 / 255),
})


@SETTINGS
@given(kwargs=GENERATOR_KWARGS, x=st.lists(st.integers(1, 4), min_size=2, max_size=5),
       y=st.none() | st.lists(st.integers(1, 3), max_size=2), y_rows=st.integers(0, 1), weights=st.booleans(),
       batch_size=st.integers(1, 5))
def test_flow_agrees_with_keras(kwargs: dict, x: list, y: Any, y_rows: int, weights: bool, batch_size: int) -> None:
    ours_gen, theirs_gen = _generator(kwargs)
    xs = np.zeros(x, "uint8")
    call: dict = {"batch_size": batch_size}
    mine: dict = {"batch_size": batch_size}
    if y is not None:
        call["y"] = np.zeros([x[0] + y_rows, *y], "int64")
        mine["y"] = Array(TensorType(call["y"].shape, "int64"))
        if weights:
            call["sample_weight"] = np.ones([x[0]], "float32")
            mine["sample_weight"] = Array(TensorType(call["sample_weight"].shape, "float32"))
    ours = images.generator_method(_Flow(), ours_gen, "flow", [Array(TensorType(xs.shape, "uint8"))], mine, None)
    try:
        batch = next(iter(theirs_gen.flow(xs, **call)))
    except ValueError:
        assert ours is UNKNOWN  # another rank, or counts that differ
        return
    assert isinstance(ours, Dataset) and ours.batched
    assert _same(_ours(ours.element), _batch_spec(batch)), (ours.element, _batch_spec(batch))


@SETTINGS
@given(kwargs=GENERATOR_KWARGS, extra=st.fixed_dictionaries({}, optional={
    "target_size": st.tuples(st.integers(1, 6), st.integers(1, 6)),
    "color_mode": st.sampled_from(["rgb", "rgba", "grayscale"]),
    "class_mode": st.sampled_from(["categorical", "binary", "sparse", "input", None]),
    "classes": st.sampled_from([["cats", "dogs", "owls"], ["dogs", "owls"]]),
    "batch_size": st.integers(1, 4),
}))
def test_flow_from_directory_agrees_with_keras(class_folders: Path, kwargs: dict, extra: dict) -> None:
    ours_gen, theirs_gen = _generator(kwargs)
    ours = images.generator_method(_Flow(), ours_gen, "flow_from_directory", [str(class_folders / "img")], extra,
                                   None)
    try:
        batch = next(iter(theirs_gen.flow_from_directory(str(class_folders / "img"), **extra)))
    except ValueError:  # binary labels of three classes
        return
    assert isinstance(ours, Dataset) and ours.batched
    assert _same(_ours(ours.element), _batch_spec(batch)), (ours.element, _batch_spec(batch))


class _Interp:
    """What :meth:`DataFlow.timeseries` reads of the interpreter."""

    _data_format = "channels_last"

    @staticmethod
    def span(node: Any) -> None:
        return None


@SETTINGS
@given(data_shape=st.lists(st.integers(1, 3), max_size=2), rows=st.integers(1, 30),
       targets=st.none() | st.lists(st.integers(1, 3), max_size=2), length=st.integers(-1, 6),
       batch_size=st.sampled_from([None, 0, 1, 4]), dtype=st.sampled_from(["float32", "float64", "int64"]))
def test_timeseries_dataset_agrees_with_keras(data_shape: list, rows: int, targets: Any, length: int,
                                              batch_size: Any, dtype: str) -> None:
    import keras

    from shapecheck.frontend.data import DataFlow

    flow = DataFlow.__new__(DataFlow)
    flow.interp, flow._texts = _Interp(), {}
    flow.text = lambda node: ""  # type: ignore[method-assign]
    data = np.zeros([rows, *data_shape], dtype)
    labels = None if targets is None else np.zeros([rows, *targets], "int32")
    kwargs = {"sequence_length": length, "batch_size": batch_size}
    ours = flow.timeseries([Array(TensorType(data.shape, dtype)),
                            None if labels is None else Array(TensorType(labels.shape, "int32"))], kwargs, None)
    import tensorflow as tf

    try:
        theirs = keras.utils.timeseries_dataset_from_array(data, labels, **kwargs)
        first = next(iter(theirs), None)
    except (ValueError, tf.errors.InvalidArgumentError):
        assert ours is UNKNOWN
        return
    if ours is UNKNOWN:
        assert length <= 0  # (windows of no steps: not followed)
        return
    assert isinstance(ours, Dataset) and ours.batched == (batch_size is not None)
    # the element spec leaves an unbatched window's length undefined: the first element tells it (an
    # empty dataset, with fewer rows than a window, only its rank and dtype)
    spec = _element_spec(theirs)
    if first is None:
        assert _ranks(_ours(ours.element)) == _ranks(spec)
        return
    assert _same(_ours(ours.element), spec) or _fits(ours.element, first), (ours.element, spec, first)


def _ranks(v: Any) -> Any:
    """Each tensor's rank and dtype: ours (a TensorType) or an element spec's ((shape, dtype))."""
    if isinstance(v, TensorType):
        return (len(v.shape), v.dtype)
    if isinstance(v[1], str):
        return (len(v[0]), v[1])
    return tuple(_ranks(x) for x in v)


def _fits(element: Any, real: Any) -> bool:
    """Our element against a real one: each known axis equal (the batch axis is None), the same dtype."""
    if isinstance(element, tuple):
        return isinstance(real, tuple) and len(real) == len(element) and all(map(_fits, element, real))
    t = element.type
    return t.dtype == real.dtype.name and len(t.shape) == len(real.shape) and all(
        a is None or a == b for a, b in zip(t.shape, real.shape))


DECODERS = {  # the op, the encoder of its files, the channels it is asked for
    "tensorflow.io.decode_jpeg": ("encode_jpeg", [None, 0, 1, 2, 3, 4]),
    "tensorflow.io.decode_png": ("encode_png", [None, 0, 1, 2, 3, 4]),
    "tensorflow.io.decode_bmp": ("encode_bmp", [None, 0, 1, 3, 4]),
    "tensorflow.io.decode_image": ("encode_png", [None, 0, 1, 2, 3, 4]),
    "tensorflow.io.decode_gif": ("encode_gif", [None]),
}


@SETTINGS
@given(op=st.sampled_from(sorted(DECODERS)), data=st.data(), height=SIDES, width=SIDES,
       bands=st.sampled_from([1, 3]), expand=st.booleans(), read=st.booleans())
def test_decoders_agree_with_tensorflow(tmp_path: Path, op: str, data: Any, height: int, width: int, bands: int,
                                        expand: bool, read: bool) -> None:
    """The traced shape (what a tf.data pipeline declares) is ours, and the decoded image fits it."""
    import tensorflow as tf

    from shapecheck.core.engine import infer_types

    encoder, channel_choices = DECODERS[op]
    channels = data.draw(st.sampled_from(channel_choices))
    config: dict = {} if channels is None else {"channels": channels}
    if op.endswith("decode_image"):
        config["expand_animations"] = expand
    pixels = np.random.default_rng(height).integers(0, 255, (height, width, bands), dtype="uint8")
    if encoder == "encode_gif":
        path = tmp_path / "a.gif"
        PILImage.fromarray(pixels[..., 0], "L").save(path)
    elif encoder == "encode_bmp":
        path = tmp_path / "a.bmp"
        PILImage.fromarray(np.repeat(pixels[..., :1], 3, axis=2), "RGB").save(path)
    else:
        path = tmp_path / f"a.{encoder[7:]}"
        path.write_bytes(getattr(tf.io, encoder)(pixels).numpy())
    fn = {"tensorflow.io.decode_jpeg": tf.io.decode_jpeg, "tensorflow.io.decode_png": tf.io.decode_png,
          "tensorflow.io.decode_bmp": tf.io.decode_bmp, "tensorflow.io.decode_image": tf.io.decode_image,
          "tensorflow.io.decode_gif": tf.io.decode_gif}[op]
    contents = T((), "string")
    if read:  # through tf.io.read_file, as pipelines do
        (contents,) = infer_types("tensorflow.io.read_file", {}, T((), "string"))
        assert (contents.shape, contents.dtype) == ((), "string")
    ours = infer_types(op, config, contents)
    try:
        decoded = fn(tf.io.read_file(str(path)), **config)
    except tf.errors.InvalidArgumentError:  # channels the kernel does not make: unknown, as data is
        assert ours is None
        return
    traced = tf.function(lambda s: fn(tf.io.read_file(s), **config)).get_concrete_function(
        tf.TensorSpec((), tf.string)).structured_outputs
    shape = None if traced.shape.rank is None else tuple(traced.shape.as_list())
    if ours is None:  # unknown only where TensorFlow does not know the rank either
        assert shape is None and op.endswith("decode_image") and expand
        return
    (t,) = ours
    assert (t.shape, t.dtype) == (shape, traced.dtype.name)
    assert len(decoded.shape) == len(t.shape) and all(a is None or a == b for a, b in zip(t.shape, decoded.shape))


@pytest.mark.parametrize("shape", [(), (2,), (None,)])
def test_strings_split_agrees_with_tensorflow(shape: tuple) -> None:
    import tensorflow as tf

    from shapecheck.core.engine import infer_types

    ours = infer_types("tensorflow.strings.split", {"sep": "/"}, T(shape, "string"))
    traced = tf.function(lambda s: tf.strings.split(s, "/")).get_concrete_function(
        tf.TensorSpec(shape, tf.string)).structured_outputs
    if isinstance(traced, tf.RaggedTensor):
        assert ours is None  # (a ragged tensor: not followed)
        return
    assert ours is not None and (ours[0].shape, ours[0].dtype) == (tuple(traced.shape.as_list()), "string")
    parts = tf.strings.split(tf.constant("img/cats/0.png"), "/")
    assert ours[0].shape is not None and len(parts.shape) == len(ours[0].shape)


def test_read_file_takes_one_name() -> None:
    import tensorflow as tf

    from shapecheck.core.engine import infer

    assert infer("tensorflow.io.read_file", {}, T((2,), "string")) == "rank-mismatch"
    with pytest.raises(ValueError):
        tf.function(tf.io.read_file).get_concrete_function(tf.TensorSpec((2,), tf.string))


# -- whole programs --------------------------------------------------------------------------------

#: name: (the program with its mistake, (text, the text that fixes it), the finding: line and code)
PROGRAMS = {
    # the classic: one image given to predict without its batch axis
    "predict_one_image": ("""
        import numpy as np
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)])
        img = keras.utils.load_img("img/cats/0.png", target_size=(32, 32))
        x = keras.utils.img_to_array(img)
        model.predict(x, verbose=0)
        """, ("predict(x,", "predict(np.expand_dims(x, axis=0),"), (8, "data-shape-mismatch")),
    # PIL's resize takes (width, height): a non-square model gets the sides the wrong way round
    "pil_resize_is_width_height": ("""
        import numpy as np
        import keras
        from keras import layers
        from PIL import Image

        inputs = keras.Input((24, 32, 3))
        model = keras.Model(inputs, layers.Dense(2)(layers.Flatten()(inputs)))
        x = np.asarray(Image.open("img/dogs/1.png").convert("RGB").resize((24, 32)), dtype="float32")
        model.predict(x[None], verbose=0)
        """, ("resize((24, 32))", "resize((32, 24))"), (9, "data-shape-mismatch")),
    # integer labels from the folders with a one-hot loss
    "folder_labels_and_the_loss": ("""
        import keras
        from keras import layers

        train = keras.utils.image_dataset_from_directory("img", image_size=(16, 16), batch_size=2)
        model = keras.Sequential([keras.Input((16, 16, 3)), layers.Rescaling(1 / 255), layers.Flatten(),
                                  layers.Dense(3)])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(train, epochs=1, verbose=0)
        """, ('loss="categorical', 'loss="sparse_categorical'), (8, "target-shape-mismatch")),
    # the images come in the size asked for, not the model's
    "folder_images_of_another_size": ("""
        import keras
        from keras import layers

        train = keras.utils.image_dataset_from_directory("img", image_size=(20, 20), batch_size=2,
                                                         color_mode="grayscale", label_mode="categorical")
        model = keras.Sequential([keras.Input((16, 16, 1)), layers.Flatten(), layers.Dense(3)])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(train, epochs=1, verbose=0)
        """, ("image_size=(20, 20)", "image_size=(16, 16)"), (8, "data-shape-mismatch")),
    # the tf.data tutorial's pipeline: file names, read, decoded, resized (the label not followed)
    "file_pipeline_resized_to_another_size": ("""
        import tensorflow as tf
        import keras
        from keras import layers


        def load(path):
            image = tf.io.decode_png(tf.io.read_file(path), channels=3)
            image = tf.image.resize(image, [16, 20]) / 255.0
            label = tf.strings.split(path, "/")[-2] == "cats"
            return image, tf.cast(label, tf.int32)


        ds = tf.data.Dataset.list_files("img/*/*.png").map(load, num_parallel_calls=tf.data.AUTOTUNE).batch(2)
        model = keras.Sequential([keras.Input((16, 16, 3)), layers.Flatten(), layers.Dense(2)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(ds, epochs=1, verbose=0)
        """, ("[16, 20]", "[16, 16]"), (16, "data-shape-mismatch")),
    # the label taken from the path's folder: an int, not one-hot
    "file_pipeline_label_from_the_folder": ("""
        import tensorflow as tf
        import keras
        from keras import layers


        def load(path):
            label = tf.strings.split(path, "/")[-2] == "cats"
            image = tf.image.resize(tf.io.decode_png(tf.io.read_file(path), channels=3), [16, 16])
            return image / 255.0, tf.cast(label, tf.int32)


        ds = tf.data.Dataset.list_files("img/*/*.png").map(load).batch(2)
        model = keras.Sequential([keras.Input((16, 16, 3)), layers.Flatten(), layers.Dense(2)])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(ds, epochs=1, verbose=0)
        """, ('loss="categorical', 'loss="sparse_categorical'), (15, "target-shape-mismatch")),
    # OpenCV's dsize is (width, height) too
    "cv2_resize_is_width_height": ("""
        import cv2
        import keras
        from keras import layers

        inputs = keras.Input((32, 24, 3))
        model = keras.Model(inputs, layers.Dense(2)(layers.Flatten()(inputs)))
        image = cv2.cvtColor(cv2.imread("img/owls/0.png"), cv2.COLOR_BGR2RGB)
        image = cv2.resize(image, (32, 24)) / 255.0
        model.predict(image[None], verbose=0)
        """, ("(32, 24)) / 255.0", "(24, 32)) / 255.0"), (9, "data-shape-mismatch")),
    # Keras 2 books' augmentation: the generator's batches keep the one-hot labels it is given
    "generator_flow_one_hot_labels": ("""
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras import layers

        x_train = np.random.rand(8, 12, 12, 3)
        y_train = keras.utils.to_categorical(np.arange(8) % 4, 4)
        datagen = keras.preprocessing.image.ImageDataGenerator(rotation_range=15, horizontal_flip=True)
        model = keras.Sequential([keras.Input((12, 12, 3)), layers.Flatten(), layers.Dense(4)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(datagen.flow(x_train, y_train, batch_size=4), epochs=1, verbose=0)
        """, ('loss="sparse_categorical', 'loss="categorical'), (11, "target-shape-mismatch")),
    "generator_from_directory_of_another_size": ("""
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras import layers

        gen = keras.preprocessing.image.ImageDataGenerator(rescale=1.0 / 255)
        train = gen.flow_from_directory("img", target_size=(20, 20), batch_size=2, class_mode="sparse")
        model = keras.Sequential([keras.Input((16, 16, 3)), layers.Flatten(), layers.Dense(3)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(train, epochs=1, verbose=0)
        """, ("target_size=(20, 20)", "target_size=(16, 16)"), (9, "data-shape-mismatch")),
}


def _programs() -> dict[str, tuple[str, str]]:
    """Each program as written (with its mistake) and fixed."""
    out = {}
    for name, (source, (old, new), _) in PROGRAMS.items():
        wrong = textwrap.dedent(source).lstrip("\n")
        assert wrong.count(old) == 1
        out[name] = (wrong, wrong.replace(old, new))
    return out


@pytest.fixture(scope="module")
def keras_verdicts(class_folders: Path) -> dict:
    sources = {}
    for name, (wrong, right) in _programs().items():
        sources[name] = wrong
        sources[name + "_fixed"] = right
    return run_programs(sources, class_folders)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_the_mistake_is_found_and_keras_rejects_it(name: str, keras_verdicts: dict) -> None:
    wrong, right = _programs()[name]
    expected = PROGRAMS[name][2]
    found = [(f.span.line, f.code.name) for f in check_source(wrong, "t.py").findings]
    assert found == [expected]
    assert keras_verdicts[name] is not None  # Keras fails on it too
    assert check_source(right, "t.py").findings == []
    assert keras_verdicts[name + "_fixed"] is None, keras_verdicts[name + "_fixed"]
