"""Shape rules for functions applied to Keras tensors: ``keras.ops``, ``tf.*``, ``K.*``.

Importing this package registers every rule (see :mod:`shapecheck.core.rules`).
"""

from . import (  # noqa: F401
    control,
    creation,
    data,
    einsum,
    elementwise,
    gather,
    image,
    linalg,
    losses,
    math,
    nn,
    random_ops,
    reduction,
    shape_ops,
)

_CONTROL = "control flow over a Python function: the front end follows plain Python, not traced callables"
_META = "returns Python values or metadata, not a tensor: the front end evaluates it where it can"

#: Public ``keras.ops`` functions without a rule, and why. tests/test_registry.py fails on any
#: public function that has neither.
NOT_COVERED: dict[str, str] = {
    **{f"keras.ops.{n}": _CONTROL for n in ("cond", "switch", "while_loop", "fori_loop", "scan",
                                            "associative_scan", "map", "vectorized_map", "vectorize")},
    "keras.ops.custom_gradient": "a decorator for a gradient function: no tensor of its own",
    "keras.ops.jvp": "a Jacobian-vector product of a traced function: its shapes are the function's",
    **{f"keras.ops.{n}": _META for n in ("convert_to_numpy", "is_tensor", "dtype", "shape")},
}
