"""Canonical Keras names: every import path and alias resolves to one spelling.

``tensorflow.keras.layers.Conv2D``, ``tf_keras.layers.Conv2D`` and
``keras.layers.convolutional.Conv2D`` are all ``keras.layers.Conv2D``;
``keras.ops.numpy.add`` is ``keras.ops.add``.  TensorFlow functions keep their
``tensorflow.`` prefix: under Keras 3 they cannot take Keras tensors.
"""

from __future__ import annotations

from functools import lru_cache

_KERAS_PREFIXES = (
    "tensorflow.python.keras.",
    "tensorflow.compat.v2.keras.",
    "tensorflow.compat.v1.keras.",
    "tensorflow.keras.",
    "tf_keras.",
    "keras.api._v2.keras.",
    "keras.api.",
    "keras.src.",
    "keras._tf_keras.keras.",
)
#: keras.ops submodules whose functions keras.ops also exports (keras.ops.image's are not)
_OPS_SUBMODULES = ("numpy", "nn", "math", "core", "linalg")

MODEL = "keras.Model"
SEQUENTIAL = "keras.Sequential"
INPUT = "keras.Input"
KERAS_TENSOR = "keras.KerasTensor"

_ALIASES = {
    "keras.models.Model": MODEL,
    "keras.engine.training.Model": MODEL,
    "keras.engine.functional.Functional": MODEL,
    "keras.models.functional.Functional": MODEL,
    "keras.models.model.Model": MODEL,
    "keras.models.Sequential": SEQUENTIAL,
    "keras.engine.sequential.Sequential": SEQUENTIAL,
    "keras.models.sequential.Sequential": SEQUENTIAL,
    "keras.layers.Input": INPUT,
    "keras.engine.input_layer.Input": INPUT,
    "keras.layers.core.input_layer.Input": INPUT,
    "keras.backend.KerasTensor": KERAS_TENSOR,
    "keras.backend.common.keras_tensor.KerasTensor": KERAS_TENSOR,
    "keras.Layer": "keras.layers.Layer",
    "keras.engine.base_layer.Layer": "keras.layers.Layer",
    "keras.backend.int_shape": "keras.backend.int_shape",
}


@lru_cache(maxsize=4096)
def canonical(qualname: str) -> str:
    """The canonical spelling of a dotted name reached through imports."""
    name = qualname
    for prefix in _KERAS_PREFIXES:
        if name.startswith(prefix):
            name = "keras." + name[len(prefix):]
            break
    if name == "tensorflow.keras":
        name = "keras"
    name = _ALIASES.get(name, name)
    parts = name.split(".")
    if len(parts) > 3 and parts[:2] == ["keras", "layers"]:
        # Keras 2 module paths: keras.layers.convolutional.Conv2D -> keras.layers.Conv2D
        name = "keras.layers." + parts[-1]
    elif len(parts) > 3 and parts[:2] == ["keras", "ops"] and parts[2] in _OPS_SUBMODULES:
        name = "keras.ops." + parts[-1]
    elif len(parts) == 3 and parts[:2] == ["keras", "activations"]:
        name = "keras.activations." + parts[-1]
    name = _ALIASES.get(name, name)
    if name == "keras.layers.Input":
        return INPUT
    return name
