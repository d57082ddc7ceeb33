"""Ask Keras itself: the ground truth every rule is compared with.

``keras_apply`` builds the layer (or op) with the given config and applies it to
symbolic inputs of the given shapes, as a model definition would; when every
non-batch axis is known it also runs a fresh instance on random data (batch of 2)
to catch what the symbolic build lets through.  It returns the output shapes, or
the exception Keras raised.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from shapecheck.core.rules import T  # noqa: E402

#: runs programs (a JSON object of name -> source on stdin) one after another in one process, and
#: prints what each raised ("TypeName: message"), or null
_PROGRAM_RUNNER = """
import json, sys
out = {}
for name, code in json.loads(sys.stdin.read()).items():
    try:
        exec(compile(code, name + ".py", "exec"), {"__name__": "__main__"})
        out[name] = None
    except Exception as e:
        out[name] = type(e).__name__ + ": " + str(e)[:500]
print(json.dumps(out))
"""


def run_programs(programs: dict, cwd: Any) -> dict:
    """Each whole program run under Keras 3 (TensorFlow backend, CPU) in a subprocess started in
    ``cwd``: name -> what it raised, or ``None`` when it ran."""
    import json
    import subprocess
    import sys

    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, "-c", _PROGRAM_RUNNER], input=json.dumps(programs), capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@dataclass
class KerasResult:
    shapes: Optional[list]  # output shapes when Keras accepted
    error: Optional[BaseException] = None
    eager_error: Optional[BaseException] = None

    @property
    def rejected(self) -> bool:
        return self.error is not None or self.eager_error is not None

    @property
    def single(self) -> Any:
        assert self.shapes is not None
        return self.shapes[0] if len(self.shapes) == 1 else self.shapes


def _shape_of(v: Any) -> Optional[tuple]:
    if isinstance(v, T):
        return v.shape
    if isinstance(v, tuple):
        return v
    return None


def _symbolic(v: Any) -> Any:
    import keras

    if isinstance(v, T):
        return keras.KerasTensor(v.shape, dtype=v.dtype)
    if isinstance(v, tuple):
        return keras.KerasTensor(v, dtype="float32")
    if isinstance(v, list):
        return [_symbolic(x) for x in v]
    if isinstance(v, dict):
        return {k: _symbolic(x) for k, x in v.items()}
    return v


def _concrete_ok(v: Any) -> bool:
    if isinstance(v, (T, tuple)):
        shape = _shape_of(v)
        return shape is not None and all(d is not None for d in shape[1:])
    if isinstance(v, list):
        return all(_concrete_ok(x) for x in v)
    if isinstance(v, dict):
        return all(_concrete_ok(x) for x in v.values())
    return True


def _concrete(v: Any, rng: Any) -> Any:
    import numpy as np

    if isinstance(v, (T, tuple)):
        shape = _shape_of(v)
        assert shape is not None
        dtype = v.dtype if isinstance(v, T) else "float32"
        full = tuple(2 if d is None else d for d in shape)
        if dtype.startswith("int") or dtype.startswith("uint"):
            return rng.integers(0, 2, size=full).astype(dtype)
        if dtype == "bool":
            return rng.integers(0, 2, size=full).astype(bool)
        if dtype == "string":  # numpy has no "string" dtype: short words in an object array
            words = np.array(["a", "bb", "c d", "eee"], dtype=object)
            return np.asarray(words[rng.integers(0, len(words), size=full)], dtype=object)
        return rng.standard_normal(full).astype(dtype)
    if isinstance(v, list):
        return [_concrete(x, rng) for x in v]
    if isinstance(v, dict):
        return {k: _concrete(x, rng) for k, x in v.items()}
    return v


def keras_on_data(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None
                  ) -> KerasResult:
    """Apply layer class ``op`` eagerly to random data of the given shapes (every axis known, batch
    too): the output shapes Keras computes, or its error."""
    import numpy as np

    rng = np.random.default_rng(0)
    try:
        layer = _make_layer(op, config)
        out = layer(*[_concrete(v, rng) for v in ([inputs] + list(args))],
                    **{k: _concrete(v, rng) for k, v in (call_kwargs or {}).items()})
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        return KerasResult(None, eager_error=e)
    return KerasResult(_shapes(out))


def on_data(v: Any, size: int) -> Any:
    """Shapes (also in ``T``, lists and dicts) as data has them: every axis known, the batch's too
    (``None`` set to ``size``)."""
    if isinstance(v, T):
        return T(on_data(v.shape, size), v.dtype)
    if isinstance(v, tuple):
        return tuple(size if d is None else d for d in v)
    if isinstance(v, list):
        return [on_data(x, size) for x in v]
    if isinstance(v, dict):
        return {k: on_data(x, size) for k, x in v.items()}
    return v


def agrees_on_data(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None,
                   size: int = 2) -> Any:
    """shapecheck's rule for a call on data (eager tensors: ``traced``) against Keras run eagerly on
    random data of those shapes (each ``None`` axis ``size``): a finding exactly when Keras raises,
    else the shapes it computes (an axis shapecheck leaves unknown agrees with any size). Returns
    shapecheck's result."""
    from shapecheck.core.engine import infer

    inputs, args, call_kwargs = on_data(inputs, size), tuple(on_data(list(args), size)), on_data(call_kwargs, size)
    ours = infer(op, config, inputs, args, call_kwargs, traced=True)
    theirs = keras_on_data(op, config, inputs, args, call_kwargs)
    where = f"{op}({config}) on data {inputs}, {args}, {call_kwargs}"
    if theirs.rejected:
        assert isinstance(ours, str), f"Keras rejects {where}: {theirs.eager_error!r}; shapecheck {ours}"
        return ours
    assert not isinstance(ours, str), f"Keras accepts {where} ({theirs.single}); shapecheck reports {ours}"
    if ours is None:
        return ours
    mine = ours if isinstance(ours, list) else [ours]
    assert len(mine) == len(theirs.shapes), (where, ours, theirs.shapes)
    for a, b in zip(mine, theirs.shapes):
        assert a is None or len(a) == len(b) and all(
            x == y or not isinstance(x, int) for x, y in zip(a, b)), (where, ours, theirs.shapes)
    return ours


def _shapes(out: Any) -> list:
    if isinstance(out, (list, tuple)):
        return [tuple(o.shape) for o in out]
    return [tuple(out.shape)]


def _make_layer(class_name: str, config: dict) -> Any:
    import keras

    def build(v: Any) -> Any:  # layers anywhere in the config: RNN([cells]), Pipeline(layers)
        if _is_layer_ref(v):
            return _make_layer(v.class_name, v.config)
        if isinstance(v, list):
            return [build(x) for x in v]
        if isinstance(v, dict):
            return {k: build(x) for k, x in v.items()}
        return v

    cfg = {k: build(v) for k, v in config.items()}
    cls = getattr(keras.layers, class_name)
    return cls(**cfg)


def _is_layer_ref(v: Any) -> bool:
    from shapecheck.core.ir import LayerRef

    return isinstance(v, LayerRef)


def keras_apply(op: str, config: dict, inputs: Any, args: tuple = (), call_kwargs: Optional[dict] = None,
                eager: bool = True) -> KerasResult:
    """Apply layer class ``op`` (or function ``keras.ops.x``) the way shapecheck's ``infer`` does."""
    import numpy as np

    call_kwargs = call_kwargs or {}
    if op == "InputLayer":
        import keras

        kw = dict(config)
        if "tensor" in call_kwargs:
            kw["tensor"] = _symbolic(call_kwargs["tensor"])
        try:
            return KerasResult([tuple(keras.Input(**kw).shape)])
        except Exception as e:  # noqa: BLE001 - Keras's verdict
            return KerasResult(None, e)

    def build(fn: Any, values: list, kwargs: dict) -> Any:
        return fn(*values, **kwargs)

    def callable_for() -> Any:
        if "." in op:
            import keras

            obj: Any = keras
            parts = op.split(".")
            assert parts[0] == "keras", op
            for p in parts[1:]:
                obj = getattr(obj, p)
            return lambda *a, **k: obj(*a, **{**config, **k})
        return _make_layer(op, config)

    positional = ([inputs] if inputs is not None else []) + list(args)
    try:
        fn = callable_for()
        out = build(fn, [_symbolic(v) for v in positional], {k: _symbolic(v) for k, v in call_kwargs.items()})
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        return KerasResult(None, e)
    result = KerasResult(_shapes(out))
    if eager and _concrete_ok(positional) and _concrete_ok(list(call_kwargs.values())):
        rng = np.random.default_rng(0)
        try:
            fn = callable_for()
            build(fn, [_concrete(v, rng) for v in positional], {k: _concrete(v, rng) for k, v in call_kwargs.items()})
        except Exception as e:  # noqa: BLE001 - Keras's verdict
            result.eager_error = e
    return result
