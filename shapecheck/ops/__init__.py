"""Shape rules for functions applied to Keras tensors: ``keras.ops``, ``tf.*``, ``K.*``.

Importing this package registers every rule (see :mod:`shapecheck.core.rules`).
"""

from . import control, creation, einsum, elementwise, gather, image, linalg, reduction, random_ops, shape_ops  # noqa: F401
