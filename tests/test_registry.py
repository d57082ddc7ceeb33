"""The rule registry against Keras's own namespace: real names, every alias, true signatures."""

from __future__ import annotations

import inspect

import pytest

from shapecheck.core.rules import LAYER_FUNCTIONS, LAYERS, OPS, load_rules
from shapecheck.frontend.names import canonical
from shapecheck.layers import NOT_COVERED as NOT_COVERED_LAYERS
from shapecheck.ops import NOT_COVERED as NOT_COVERED_OPS

from . import keras_oracle  # noqa: F401 - sets the backend before Keras is imported

keras = pytest.importorskip("keras")
load_rules()


def test_every_layer_rule_names_a_public_keras_layer():
    assert sorted(n for n in LAYERS if not hasattr(keras.layers, n)) == []


def test_aliases_resolve_to_the_same_rule():
    by_class: dict[object, list[str]] = {}
    for name in dir(keras.layers):
        obj = getattr(keras.layers, name)
        if inspect.isclass(obj):
            by_class.setdefault(obj, []).append(name)
    missing = []
    for cls, names in by_class.items():
        rules = {id(LAYERS[n]) for n in names if n in LAYERS}
        if rules:
            assert len(rules) == 1, names
            missing += [n for n in names if n not in LAYERS]
    assert missing == []


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_positional_parameters_match_the_keras_constructor(name):
    rule = LAYERS[name]
    if name == "InputLayer":
        # keras.Input's signature is what positional calls use.
        params = list(inspect.signature(keras.Input).parameters)
    else:
        params = [p for p in inspect.signature(getattr(keras.layers, name).__init__).parameters if p != "self"]
    assert params[:len(rule.params)] == list(rule.params)


def test_functional_forms_are_public():
    assert sorted(f for f in LAYER_FUNCTIONS if not hasattr(keras.layers, f)) == []


def test_every_keras_ops_rule_names_a_public_function():
    def public(name: str) -> bool:  # keras.ops.image.resize: a submodule's function
        obj = keras
        for part in name.split(".")[1:]:
            if not hasattr(obj, part):
                return False
            obj = getattr(obj, part)
        return True

    names = [n for n in OPS if n.startswith("keras.ops.")]
    assert sorted(n for n in names if not public(n)) == []


def _public_layers() -> set[str]:
    return {n for n in dir(keras.layers)
            if inspect.isclass(getattr(keras.layers, n)) and issubclass(getattr(keras.layers, n), keras.layers.Layer)}


def test_every_public_keras_layer_has_a_rule_or_a_reason():
    # The next Keras release cannot silently outgrow the checker: a new layer fails here.
    public = _public_layers()
    assert sorted(public - set(LAYERS) - set(NOT_COVERED_LAYERS)) == []
    assert sorted(set(NOT_COVERED_LAYERS) & set(LAYERS)) == []
    assert sorted(set(NOT_COVERED_LAYERS) - public) == []


def _public_ops() -> set[str]:
    # keras.ops and its submodules; keras.ops.numpy.add and keras.ops.add are one function
    found = set()
    for sub in ("", ".numpy", ".nn", ".linalg", ".image", ".core"):
        module = keras.ops
        for part in sub.split(".")[1:]:
            module = getattr(module, part, None)
        if module is None:
            continue
        for n in dir(module):
            obj = getattr(module, n)
            if not n.startswith("_") and callable(obj) and not inspect.isclass(obj) and not inspect.ismodule(obj):
                found.add(canonical(f"keras.ops{sub}.{n}"))
    return found


def test_every_public_keras_op_has_a_rule_or_a_reason():
    public = _public_ops()
    assert sorted(public - set(OPS) - set(NOT_COVERED_OPS)) == []
    assert sorted(set(NOT_COVERED_OPS) & set(OPS)) == []
    assert sorted(set(NOT_COVERED_OPS) - public) == []


def test_every_tensorflow_rule_names_a_public_function():
    tf = pytest.importorskip("tensorflow")

    def public(name: str) -> bool:
        obj = tf
        for part in name.split(".")[1:]:
            if not hasattr(obj, part):
                return False
            obj = getattr(obj, part)
        return callable(obj)

    assert sorted(n for n in OPS if n.startswith("tensorflow.") and not public(n)) == []
