"""Shape rules for functions applied to Keras tensors: ``keras.ops``, ``tf.*``, ``K.*``.

Importing this package registers every rule (see :mod:`shapecheck.core.rules`).
"""

from . import (  # noqa: F401
    control,
    creation,
    einsum,
    elementwise,
    gather,
    image,
    linalg,
    math,
    nn,
    random_ops,
    reduction,
    shape_ops,
)
