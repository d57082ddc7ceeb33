"""Shape rules for Keras layers, one module per family of ``keras/src/layers/``.

Importing this package registers every rule (see :mod:`shapecheck.core.rules`).
"""

from . import (  # noqa: F401
    activations,
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
