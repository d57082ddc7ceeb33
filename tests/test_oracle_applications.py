"""``keras.applications`` rules against Keras: the measured table, and a few live builds.

tests/data/applications_table.json (``python -m tests.applications_table``) holds what Keras 3
did with every application: output sizes of a model built on ``(None, None, 3)`` for many input
sizes, a model built on a static size, the constructor's errors, parameter counts. Each is
compared with the rules here; the live tests build a few models (seconds each) to show the table
still is Keras's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.api import check_source
from shapecheck.core.engine import infer, infer_params
from shapecheck.core.findings import ShapeError
from shapecheck.core.rules import APPLICATIONS, OPS, Unknowable, load_rules
from shapecheck.layers import applications
from tests.applications_table import TABLE, rule_data

load_rules()
DATA = json.loads(TABLE.read_text())
MODELS = DATA["models"]
NAMES = sorted(MODELS)


def _apply(name: str, config: dict, shape: tuple):
    """The rule's output for a model built with ``config`` applied to a tensor of ``shape``."""
    return infer(f"keras.applications.{name}", config, shape)


def _expected(want):
    return want if isinstance(want, list) else "error"


def test_the_rules_hold_what_the_table_derives():
    assert applications._DATA == rule_data(DATA)


def test_every_application_has_a_rule():
    assert sorted(APPLICATIONS) == NAMES == sorted(applications.MODELS)
    assert len(NAMES) == 40


@pytest.mark.parametrize("name", NAMES)
def test_sizes_of_the_model_built_on_any_size(name):
    """Every measured size through the model built with ``input_shape=(None, None, 3)``."""
    rec = MODELS[name]
    config = {"include_top": False, "weights": None, "input_shape": (None, None, 3)}
    features = rec["dynamic"]["output_shape"][-1]
    mismatches = []
    for size, want in rec["dynamic"]["sizes"].items():
        h, _, w = size.partition("x")
        h, w = int(h), int(w or h)
        got = _apply(name, config, (None, h, w, 3))
        if not applications.MODELS[name].exact:
            # (NASNet: sizes not followed, never a finding)
            expect = (None, None, None, features)
            ok = got is not None and got != "negative-dimension" and got[3] == features
        else:
            expect = (None, *want) if isinstance(want, list) else "negative-dimension"
            ok = (tuple(got) if isinstance(got, tuple) else got) == expect
        if not ok:
            mismatches.append((size, want, got))
    assert mismatches == []


@pytest.mark.parametrize("name", NAMES)
def test_the_model_built_on_a_static_size(name):
    rec = MODELS[name]["static"]
    h, w, c = rec["input_shape"]
    config = {"include_top": False, "weights": None, "input_shape": (h, w, c)}
    got = _apply(name, config, (None, h, w, c))
    want = tuple(rec["output_shape"])
    if not applications.MODELS[name].exact:
        assert got[-1] == want[-1]
    else:
        assert got == want


@pytest.mark.parametrize("name", NAMES)
def test_the_top_and_the_parameter_counts(name):
    rec = MODELS[name]
    for key, config in (("default", {}), ("classes7", {"classes": 7})):
        top = rec["top"][key]
        cfg = {"weights": None, **config, "input_shape": tuple(top["input_shape"][1:])}
        assert _apply(name, cfg, tuple(top["input_shape"])) == tuple(top["output_shape"])
        assert infer_params(f"keras.applications.{name}", cfg, tuple(top["input_shape"])) == tuple(top["params"])
    cfg = {"include_top": False, "weights": None, "input_shape": (None, None, 3)}
    assert infer_params(f"keras.applications.{name}", cfg, (None, None, None, 3)) == \
        tuple(rec["dynamic"]["params"])


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_pooling_and_the_model_names(name):
    """``pooling="sum"`` (not one Keras knows) is taken as Keras takes it; the model is named as Keras names it."""
    rec = MODELS[name]
    config = {"include_top": False, "weights": None, "input_shape": (None, None, 3), "pooling": "sum"}
    got = _apply(name, config, (None, None, None, 3))
    want = tuple(rec["pooling_sum"]["output_shape"])  # (Keras takes any value: no pooling)
    if applications.MODELS[name].exact:
        assert got == want
    else:
        assert (len(got), got[-1]) == (len(want), want[-1])
    app = applications.MODELS[name]
    assert applications.model_name(app, {"weights": None}, tuple(rec["top"]["default"]["input_shape"][1:])) == \
        rec["top"]["default"]["name"]
    assert applications.model_name(app, {"weights": None}, tuple(rec["static"]["input_shape"])) == \
        rec["static"]["name"]
    assert applications.model_name(app, {"weights": None}, (None, None, 3)) == rec["dynamic"]["name"]


def _constructor(name: str, kwargs: dict):
    """What the rules say of a constructor call: the input shape it builds on, "error", or None (unknown)."""
    app = applications.MODELS[name]
    try:
        return applications.check_constructor(app, kwargs, "channels_last")
    except ShapeError as e:
        return ("error", e.message)
    except Unknowable:
        return None


@pytest.mark.parametrize("name", NAMES)
def test_constructor_checks(name):
    """Each recorded constructor call: rejected by Keras exactly when by the rule, in Keras's words
    (the file-path weights are not judged: whether the file exists is the running machine's; a call that
    got as far as downloading the weights was accepted)."""
    wrong = []
    for case in MODELS[name]["cases"]:
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
        got = _constructor(name, kwargs)
        if kwargs.get("weights") not in (None, "imagenet"):
            if got is not None and got[0] == "error":
                wrong.append((kwargs, got))
            continue
        if case.get("error") == "TypeError" or got is None and len(kwargs.get("input_shape") or (0, 0, 0)) != 3:
            # MobileNetV3 on (31, None, 3): its correct_pad takes None % 2, a crash; on an input_shape of
            # two or four sizes, its first layer fails: neither is a check of the constructor's, and the
            # rule leaves them unknown (never a finding it cannot word as Keras does)
            continue
        if "error" in case and "URL fetch failure" not in case["message"]:  # (a download: the arguments passed)
            if got is None or got[0] != "error" or got[1] != case["message"]:
                wrong.append((kwargs, case["message"], got))
        elif got is not None and got[0] == "error":
            wrong.append((kwargs, "accepted", got))
    assert wrong == []


def test_preprocess_input_keeps_the_shape():
    """Every module's ``preprocess_input`` has a rule, and Keras kept the shape for each."""
    modules = DATA["preprocess"]
    assert sorted(modules) == sorted(applications.PREPROCESS_MODULES)
    for module, rec in modules.items():
        op = f"keras.applications.{module}.preprocess_input"
        assert op in OPS
        assert infer(op, {}, (None, 40, 48, 3)) == tuple(rec["output_shape"])


# -- the analysis of programs ---------------------------------------------------------
def _shapes(source: str) -> dict:
    result = check_source(textwrap.dedent(source), "t.py")
    return {"findings": [(f.span.line, f.code.name) for f in result.findings],
            "shapes": {s["span"].line: s["outputs"][0].shape and list(s["outputs"][0].shape) for s in result.shapes}}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), size=st.sampled_from(["64", "97", "160", "224", "64x97"]),
       pooling=st.sampled_from([None, "avg", "max"]), spelling=st.sampled_from(["keras", "tf", "module"]))
def test_transfer_learning_programs_follow_the_table(name, size, pooling, spelling):
    """A whole transfer-learning program: the base's output on the measured size is Keras's."""
    rec = MODELS[name]
    if size not in rec["dynamic"]["sizes"]:
        return
    h, _, w = size.partition("x")
    w = w or h
    want = rec["dynamic"]["sizes"][size]
    module = rec["modules"][0] if rec["modules"] else None  # (MobileNetV3's module exports no class)
    head = {"keras": "import keras\nbuild = keras.applications." + name,
            "tf": "import tensorflow as tf\nimport keras\nbuild = tf.keras.applications." + name,
            "module": f"from keras.applications.{module} import {name} as build\nimport keras" if module else
            f"from keras.applications import {name} as build\nimport keras"}[spelling]
    source = f"""{head}
base = build(include_top=False, weights="imagenet", input_shape=(None, None, 3), pooling={pooling!r})
base.trainable = False
inputs = keras.Input(shape=({h}, {w}, 3))
x = base(inputs, training=False)
"""
    got = _shapes(source)
    line = source[:source.index("x = base(")].count("\n") + 1
    features = rec["dynamic"]["output_shape"][-1]
    if not isinstance(want, list):
        assert (line, "negative-dimension") in got["findings"] or not applications.MODELS[name].exact
        return
    assert got["findings"] == []
    if pooling:
        assert got["shapes"][line] == [None, features]
    elif applications.MODELS[name].exact:
        assert got["shapes"][line] == [None, *want]
    else:
        assert got["shapes"][line][-1] == features


# -- live Keras --------------------------------------------------------------------
LIVE = textwrap.dedent("""
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras
    out = {"names": sorted(n for n in dir(keras.applications) if n[:1].isupper())}
    base = keras.applications.MobileNetV2(include_top=False, input_shape=(None, None, 3), weights=None, pooling=None)
    x = keras.Input((75, 131, 3))
    out["mobilenet_call"] = list(base(x).shape)
    try:
        keras.applications.ResNet50(include_top=True, weights="imagenet", classes=10)
    except ValueError as e:
        out["classes_error"] = str(e).splitlines()[0]
    m = keras.applications.EfficientNetB0(include_top=False, weights=None, input_shape=(67, 97, 3), pooling="avg")
    out["efficientnet"] = [list(m.output.shape), m.count_params()]
    out["inner"] = {}
    for name in INNER:
        m = getattr(keras.applications, name)(include_top=False, weights=None, input_shape=(97, 131, 3))
        out["inner"][name] = [[layer.name, list(layer.output.shape)] for layer in m.layers]
    json.dump(out, sys.stdout)
""")
#: the applications whose inner layers live Keras builds (a few seconds each), at a size none was measured at
INNER = ["DenseNet121", "EfficientNetB0", "InceptionV3", "MobileNetV2", "ResNet50", "VGG16", "Xception"]


@pytest.fixture(scope="module")
def live() -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="",
               http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
    done = subprocess.run([sys.executable, "-c", f"INNER = {INNER!r}\n" + LIVE], check=False, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_live_keras_ships_the_applications_of_the_table(live):
    assert live["names"] == NAMES


def test_live_keras_agrees_on_a_call_of_a_base_built_on_any_size(live):
    got = _apply("MobileNetV2", {"include_top": False, "weights": None, "input_shape": (None, None, 3)},
                 (None, 75, 131, 3))
    assert list(got) == live["mobilenet_call"]


def test_live_keras_agrees_on_a_constructor_error(live):
    got = _constructor("ResNet50", {"include_top": True, "weights": "imagenet", "classes": 10})
    assert got == ("error", live["classes_error"])


def test_live_keras_agrees_on_a_static_build_with_pooling(live):
    cfg = {"include_top": False, "weights": None, "input_shape": (67, 97, 3), "pooling": "avg"}
    shape, params = live["efficientnet"]
    assert list(_apply("EfficientNetB0", cfg, (None, 67, 97, 3))) == shape
    assert sum(infer_params("keras.applications.EfficientNetB0", cfg, (None, 67, 97, 3))) == params


@pytest.mark.parametrize("name", INNER)
def test_live_keras_agrees_on_the_layers_inside_a_model(live, name):
    """``model.layers[i].output`` / ``get_layer(name).output`` of a model built without its top on a
    size the table was not measured at: every layer the table places, as Keras builds it; the names
    the table keeps are Keras's."""
    rows = applications.inner_layers(name)
    built = live["inner"][name]
    assert len(rows) == len(built)
    cfg = {"include_top": False, "weights": None, "input_shape": (97, 131, 3)}
    placed = 0
    for i, ((kept, steps, _), (keras_name, shape)) in enumerate(zip(rows, built)):
        assert kept in (None, keras_name), i
        if steps is not None:
            assert list(_apply(name, {**cfg, "output_layer": i}, (None, 97, 131, 3))) == shape, (i, keras_name)
            placed += 1
    assert placed > len(rows) // 2


def test_runtime_replay_rebuilds_the_application_and_agrees():
    """``--runtime`` rebuilds the application (weights=None) and Keras gives every shape shapecheck gave."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="")
    fixture = "fixtures/valid/transfer_learning_mobilenet.py"
    done = subprocess.run([sys.executable, "-m", "shapecheck", "--runtime", "--show-shapes", "--format", "json",
                           fixture], check=False, env=env, capture_output=True, text=True, timeout=600,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shapes = json.loads(done.stdout)["shapes"]
    apps = [s for s in shapes if s["layer"].startswith("keras.applications.") and "preprocess" not in s["layer"]]
    assert len(apps) == 2
    assert [s for s in shapes if s.get("agrees") is not True] == []


@pytest.mark.parametrize("name, extra", [
    ("MobileNetV2", {"alpha": 0.5}), ("EfficientNetV2B0", {"include_preprocessing": False}),
    ("MobileNetV3Small", {"minimalistic": True}), ("ResNet50", {"include_top": True}),
])
def test_the_layers_inside_another_build_are_unknown(name, extra):
    """Another width, preprocessing or block layout builds other layers (or in another order) than the
    table measured; a model with its top was not measured: its layers stay unknown."""
    cfg = {"include_top": False, "weights": None, "input_shape": (224, 224, 3), "output_layer": 5}
    assert _apply(name, cfg, (None, 224, 224, 3)) is not None
    assert _apply(name, {**cfg, **extra}, (None, 224, 224, 3)) is None


def test_runtime_replay_agrees_on_the_layers_inside_an_application(tmp_path):
    """``--runtime`` rebuilds the model up to each inner layer read (``output_layer``) and Keras gives
    the shapes shapecheck gave: the U-Net encoder of TensorFlow's segmentation tutorial."""
    from tests.test_realworld import CASES, _source

    program = tmp_path / "unet.py"
    program.write_text(_source(CASES["application_inner_layers"]))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-m", "shapecheck", "--runtime", "--show-shapes", "--format", "json",
                           "--no-cache", str(program)], check=False, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shapes = json.loads(done.stdout)["shapes"]
    inner = [s for s in shapes if s["layer"] == "keras.applications.MobileNetV2" and s["line"] == 13]
    assert [s["shape"] for s in inner] == [[None, 64, 64, 96], [None, 32, 32, 144], [None, 16, 16, 192],
                                           [None, 8, 8, 576], [None, 4, 4, 320]]
    assert [s for s in shapes if s.get("agrees") is not True] == []

