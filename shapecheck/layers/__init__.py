"""Shape rules for Keras layers, one module per family of ``keras/src/layers/``.

Importing this package registers every rule (see :mod:`shapecheck.core.rules`).
"""

from . import (  # noqa: F401
    activations,
    applications,
    attention,
    convolutional,
    core,
    image_preprocessing,
    merging,
    normalization,
    pooling,
    preprocessing,
    regularization,
    reshaping,
    rnn,
)

#: Public ``keras.layers`` classes without a rule, and why: their output shape cannot be known
#: from the source. tests/test_registry.py fails on any public layer that has neither.
NOT_COVERED: dict[str, str] = {
    "Layer": "the base class: a subclass's own `call` (or `compute_output_shape`) is followed by the front end",
    "Wrapper": "an abstract base class: its subclasses (`Bidirectional`, `TimeDistributed`) have rules",
    "TFSMLayer": "loads a TensorFlow SavedModel from disk: the shapes live in the file, not the source",
    "JaxLayer": "wraps a JAX function: its shapes are JAX's, not Keras's",
    "FlaxLayer": "wraps a Flax module: its shapes are Flax's, not Keras's",
    "TorchModuleWrapper": "wraps a PyTorch module: its shapes are PyTorch's, not Keras's",
}
