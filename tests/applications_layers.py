"""The layers inside each ``keras.applications`` model, measured: what ``model.layers`` and
``model.get_layer(name).output`` give (``shapecheck/layers/applications_layers.json``).

For every application the rules follow exactly (not the NASNet models), with ``include_top=False``
and ``weights=None``, built three times, at its default size ``d``, ``d + 31`` and ``d + 64`` (square):
each layer in ``model.layers`` order, as ``[name, steps, channels]``:

* ``name``: the layer's name where Keras gives it one of its own (``block_6_expand_relu``), ``null``
  where it is made from a counter (``re_lu_12``, the ``input_layer``): such a name differs from one
  build to the next, so ``get_layer`` cannot be told it;
* ``steps``: how many of the application's size-changing layers (its rule's ``steps``, input first)
  make the layer's height and width: the smallest ``k`` whose ``feature_size`` over ``steps[:k]`` is
  the measured size at all three sizes; ``null`` where none is, or the output is not 4-D;
* ``channels``: its last axis at the default width (``alpha`` and the like change it).

Regenerate (a few minutes)::

    python -m tests.applications_layers            # all of them
    python -m tests.applications_layers --resume   # those the table does not have yet
    python -m tests.applications_layers VGG16      # prints one model's rows, writes nothing

``tests/test_oracle_applications.py`` checks the rule's inner-layer outputs against live Keras at
other sizes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

OUT = Path(__file__).resolve().parent.parent / "shapecheck" / "layers" / "applications_layers.json"


def _steps_for(app, sizes: list[int], measured: list[int]):
    from shapecheck.layers.applications import steps_length

    for k in range(len(app.steps) + 1):
        if all(steps_length(app, app.steps[:k], size, True) == want for size, want in zip(sizes, measured)):
            return k
    return None


def measure(name: str) -> list:
    import keras

    from shapecheck.layers.applications import MODELS

    app = MODELS[name]
    cls = getattr(keras.applications, name)
    default = app.default_size or 224  # (MobileNetV3 has none of its own: 224 is its weights' size)
    sizes = [default, default + 31, default + 64]
    builds = [cls(include_top=False, weights=None, input_shape=(s, s, 3)) for s in sizes]
    again = cls(include_top=False, weights=None, input_shape=(sizes[0], sizes[0], 3))
    rows = []
    for i, layer in enumerate(builds[0].layers):
        stable = layer.name == again.layers[i].name
        shapes = [tuple(b.layers[i].output.shape) for b in builds]
        steps = channels = None
        if all(len(s) == 4 and s[1] == s[2] for s in shapes) and len({s[3] for s in shapes}) == 1:
            steps = _steps_for(app, sizes, [s[1] for s in shapes])
            channels = shapes[0][3] if steps is not None else None
        rows.append([layer.name if stable else None, steps, channels])
    return rows


def main(argv: list[str]) -> int:
    from shapecheck.layers.applications import MODELS

    resume = "--resume" in argv  # keep the models the table has, measure the others
    argv = [a for a in argv if a != "--resume"]
    names = argv or sorted(n for n, a in MODELS.items() if a.exact)
    table = json.loads(OUT.read_text(encoding="utf-8")) if resume and OUT.exists() else {}
    for name in names:
        if name in table:
            continue
        table[name] = measure(name)
        known = sum(r[1] is not None for r in table[name])
        print(f"{name}: {len(table[name])} layers, {known} known", file=sys.stderr)
        if not argv:  # written after each model: a long run stopped keeps what it measured
            OUT.write_text(json.dumps(dict(sorted(table.items())), separators=(",", ":")) + "\n", encoding="utf-8")
    if argv:
        print(json.dumps(table))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
