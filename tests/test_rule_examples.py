"""Every rule's shape-level examples hold for shapecheck and for Keras itself."""

from __future__ import annotations

import pytest

from shapecheck.core.engine import infer, infer_types
from shapecheck.core.rules import LAYERS, OPS, T, load_rules

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


def _dtype_cases():
    for c in CASES:
        name, ex = c.values
        if "." in name or isinstance(ex.expect, str) or ex.args or ex.call_kwargs or name == "InputLayer":
            continue
        shapes = ex.inputs if isinstance(ex.inputs, list) else [ex.inputs]
        if all(isinstance(s, tuple) for s in shapes):
            yield pytest.param(name, ex, id=c.id)


@pytest.mark.parametrize("dtype", ["int32", "float64"])
@pytest.mark.parametrize("name,ex", list(_dtype_cases()))
def test_output_dtype_is_what_keras_labels(name, ex, dtype):
    # Keras 3 gives most layers' symbolic outputs their compute dtype whatever comes in;
    # a dtype shapecheck cannot tell is unknown (None), never a guess.
    import keras

    from .keras_oracle import _make_layer

    def typed(v):
        return [typed(x) for x in v] if isinstance(v, list) else T(v, dtype)

    ours = infer_types(name, ex.config, typed(ex.inputs))
    try:
        layer = _make_layer(name, ex.config)
        inputs = ex.inputs if isinstance(ex.inputs, list) else [ex.inputs]
        symbolic = [keras.KerasTensor(s, dtype=dtype) for s in inputs]
        out = layer(symbolic if isinstance(ex.inputs, list) else symbolic[0])
    except Exception:  # noqa: BLE001 - Keras rejects this dtype: nothing to compare
        return
    theirs = [str(o.dtype) for o in keras.tree.flatten(out)]
    if ours is None or isinstance(ours, str):
        return
    assert len(ours) == len(theirs)
    for t, d in zip(ours, theirs):
        assert t.dtype in (None, d), f"{name}: Keras labels {d}, shapecheck {t.dtype}"
