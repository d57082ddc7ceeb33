"""What each Keras layer does with data of each dtype, measured: the ground truth of the dtype rules.

For every layer rule, one representative configuration (its first shape-level example) is built
into a functional model on ``keras.Input(shape, dtype=..., sparse=..., ragged=...)`` and the model is
run on concrete data of that dtype, in an eager call (``model(data)``; floating inputs are cast to
the compute dtype by ``Layer.__call__``, integer, bool and string inputs arrive as they are).
Each case records ``ok`` and the output dtype(s), or the stage that failed (``build``: the symbolic
call; ``run``: data flowing) with the exception type and the first line of its message; a case also
records what it does in a tf.function, as ``predict`` and ``fit`` run it (``predict``: ``"ok"`` or
the exception type; ``predict_dtype``): there a few layers differ (Resizing gives float32 data).

Regenerate the table (about 15 minutes on two busy cores)::

    python -m tests.dtype_table            # writes tests/data/dtype_table.json
    python -m tests.dtype_table Conv2D     # prints the cases of some layers, writes nothing
    python -m tests.dtype_table --update Conv2D   # measures some layers again into the table

tests/test_oracle_dtypes.py compares the rules with the table, and a sample with live runs.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from shapecheck.core.rules import LAYERS, Example, LayerRule, T, load_rules  # noqa: E402

TABLE = Path(__file__).parent / "data" / "dtype_table.json"
DTYPES = ("float16", "float32", "float64", "int8", "int32", "int64", "uint8", "bool", "string")
KINDS = ("dense", "sparse", "ragged")
#: layers called on their state too (cells) or with no tensor input: not measured
SKIP = {"InputLayer", "SimpleRNNCell", "GRUCell", "LSTMCell", "StackedRNNCells"}
#: the input shape where the first example's does not run on any data (TextVectorization splits
#: a rank-1 input or a last axis of 1 only)
SHAPES = {"TextVectorization": (None, 1)}
#: the size a variable (``None``) non-batch axis gets in the data
FILL = 3
BATCH = 2


def _shape(v: Any) -> Optional[tuple]:
    if isinstance(v, T):
        return v.shape
    if isinstance(v, tuple):
        return v
    return None


def representative(rule: LayerRule) -> Optional[Example]:
    """The rule's first example that Keras accepts with float inputs: tensors only, every rank known."""
    for ex in rule.examples:
        if isinstance(ex.expect, str) or ex.call_kwargs:
            continue
        first = ex.inputs if isinstance(ex.inputs, list) else [ex.inputs]
        tensors = first + list(ex.args)
        if all(_shape(t) is not None for t in tensors):
            return ex
    return None


def cases() -> dict[str, Example]:
    """Layer class name -> its representative example, for every measured layer rule."""
    load_rules()
    out: dict[str, Example] = {}
    seen: set[int] = set()
    for name, rule in sorted(LAYERS.items()):
        if id(rule) in seen or name != rule.names[0] or name in SKIP:
            continue
        seen.add(id(rule))
        ex = representative(rule)
        if ex is not None:
            out[name] = ex
    return out


def _data(shape: tuple, dtype: str, kind: str, rng: Any) -> Any:
    import numpy as np
    import tensorflow as tf

    full = tuple(BATCH if i == 0 and d is None else FILL if d is None else d for i, d in enumerate(shape))
    if dtype == "string":
        words = np.array(["a", "bb", "c d", "eee"], dtype=object)
        arr: Any = words[rng.integers(0, len(words), size=full)].astype(object)
    elif dtype == "bool":
        arr = rng.integers(0, 2, size=full).astype(bool)
    elif dtype.startswith(("int", "uint")):
        arr = rng.integers(0, 2, size=full).astype(dtype)
    else:
        arr = (rng.random(full) + 0.5).astype(dtype)
    if kind == "dense":
        return arr
    t = tf.constant(arr, dtype=tf.string if dtype == "string" else None)
    if kind == "sparse":
        return tf.sparse.from_dense(t)
    return tf.RaggedTensor.from_tensor(t)


def _first_line(e: BaseException) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(e)).strip()
    # Keras wraps the error of a layer's call: the reason is in the "Arguments received" block's head
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("Exception encountered", "Arguments received", "•")):
            continue
        return ln[:240]
    return lines[0][:240] if lines else ""


def measure(name: str, ex: Example, dtype: str, kind: str) -> Optional[dict]:
    """One case: ``None`` where it is not meaningful (a ragged tensor of rank 1)."""
    import keras
    import numpy as np

    from .keras_oracle import _make_layer

    first = ex.inputs if isinstance(ex.inputs, list) else [ex.inputs]
    shapes = [_shape(t) for t in first + list(ex.args)]
    if name in SHAPES:
        shapes = [SHAPES[name]]
    if kind == "ragged" and any(len(s) < 2 for s in shapes):
        return None
    rng = np.random.default_rng(0)
    keras.utils.clear_session(free_memory=False)  # (the default's gc.collect takes most of a case)
    try:
        inputs = [keras.Input(batch_shape=s, dtype=dtype, sparse=kind == "sparse", ragged=kind == "ragged")
                  for s in shapes]
    except Exception as e:  # noqa: BLE001 - Keras's verdict
        return {"ok": False, "stage": "input", "error": type(e).__name__, "message": _first_line(e)}
    try:
        layer = _make_layer(name, ex.config)
        head = inputs[:len(first)]
        out = layer(head if isinstance(ex.inputs, list) else head[0], *inputs[len(first):])
        model = keras.Model(inputs, out)
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "stage": "build", "error": type(e).__name__, "message": _first_line(e)}
    symbolic = [str(o.dtype) for o in keras.tree.flatten(out)]
    try:
        data = [_data(s, dtype, kind, rng) for s in shapes]
    except Exception as e:  # noqa: BLE001 - TensorFlow cannot make such data
        return {"ok": False, "stage": "data", "error": type(e).__name__, "message": _first_line(e)}
    x = data if len(data) > 1 else data[0]
    try:
        got = model(x, training=False)
    except Exception as e:  # noqa: BLE001
        # `predict` (and `fit`) run the model in a tf.function, where a few layers differ (Resizing
        # gives float32 there, the input dtype in an eager call): a rejection counts when both fail
        return {"ok": False, "stage": "run", "error": type(e).__name__, "message": _first_line(e),
                "symbolic_dtype": symbolic, "predict": _predict(model, x)}
    flat = keras.tree.flatten(got)
    verdict, graph_dtypes = _in_graph(model, x)
    return {"ok": True, "dtype": [t.dtype.name for t in flat], "symbolic_dtype": symbolic,
            "kind": [_kind(t) for t in flat], "predict": verdict, "predict_dtype": graph_dtypes}


def _predict(model: Any, x: Any) -> str:
    """``"ok"``, or the type of what the model raised when called in a tf.function, as ``predict``
    and ``fit`` call it (``model.predict`` itself costs a second a case; this, a tenth)."""
    return _in_graph(model, x)[0]


def _in_graph(model: Any, x: Any) -> tuple[str, list]:
    """What :func:`_predict` says, and the output dtypes there."""
    import keras
    import tensorflow as tf

    try:
        got = tf.function(lambda data: model(data, training=False))(x)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, []
    return "ok", [t.dtype.name for t in keras.tree.flatten(got)]


def _kind(t: Any) -> str:
    import tensorflow as tf

    return "sparse" if isinstance(t, tf.SparseTensor) else "ragged" if isinstance(t, tf.RaggedTensor) else "dense"


def measure_layer(name: str, ex: Example) -> dict:
    table: dict = {}
    for kind in KINDS:
        for dtype in DTYPES:
            r = measure(name, ex, dtype, kind)
            if r is not None:
                table.setdefault(kind, {})[dtype] = r
    return table


def main(argv: list[str]) -> int:
    import keras
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    warnings.simplefilter("ignore")
    all_cases = cases()
    update = argv[:1] == ["--update"]
    argv = argv[1:] if update else argv
    names = argv or sorted(all_cases)
    table = {"keras": keras.__version__, "tensorflow": tf.__version__, "layers": {}}
    if update:
        table = {**json.loads(TABLE.read_text()), "keras": keras.__version__, "tensorflow": tf.__version__}
    for n in names:
        ex = all_cases[n]
        table["layers"][n] = {"config": repr(ex.config), "inputs": repr(SHAPES.get(n, ex.inputs)),
                              "args": repr(ex.args),
                              "cases": measure_layer(n, ex)}
        print(n, file=sys.stderr, flush=True)
    if argv and not update:
        print(json.dumps(table["layers"], indent=1))
    else:
        TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
