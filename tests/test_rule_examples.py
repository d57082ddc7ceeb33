"""Every rule's shape-level examples hold for shapecheck and for Keras itself."""

from __future__ import annotations

import pytest

from shapecheck.core.engine import infer
from shapecheck.core.rules import LAYERS, OPS, load_rules

from .keras_oracle import keras_apply

load_rules()


def _cases():
    seen = set()
    for table in (LAYERS, OPS):
        for name, rule in sorted(table.items()):
            if id(rule) in seen:
                continue
            seen.add(id(rule))
            for i, ex in enumerate(rule.examples):
                yield pytest.param(name, ex, id=f"{name}-{i}")


CASES = list(_cases())


@pytest.mark.parametrize("name,ex", CASES)
def test_example_holds_for_shapecheck(name, ex):
    assert infer(name, ex.config, ex.inputs, ex.args, ex.call_kwargs) == ex.expect


def _keras_checkable(name: str) -> bool:
    # Layer class names and keras.ops functions. TensorFlow and tf.keras-2 backend functions
    # are compared with TensorFlow in tests/test_oracle_ops.py; shapecheck's own pseudo-ops
    # have no Keras twin.
    return "." not in name or name.startswith("keras.ops.")


@pytest.mark.parametrize("name,ex", [c for c in CASES if _keras_checkable(c.values[0])])
def test_example_holds_for_keras(name, ex):
    got = keras_apply(name, ex.config, ex.inputs, ex.args, ex.call_kwargs)
    if isinstance(ex.expect, str):
        assert got.rejected, f"Keras accepted it, with output {got.shapes}"
    else:
        assert not got.rejected, f"Keras rejected it: {got.error or got.eager_error}"
        assert got.single == ex.expect


def test_every_rule_has_examples():
    missing = sorted({type(r).__name__ for r in [*LAYERS.values(), *OPS.values()] if not r.examples})
    assert missing == []
