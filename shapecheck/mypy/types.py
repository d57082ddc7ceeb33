"""The type of a Keras tensor whose shape shapecheck knows: ``keras.KerasTensor[(None, 13, 13, 8)]``.

The shape is the name of the one type argument, a type variable that no function binds, so
mypy prints it as it is.  The stub's ``KerasTensor`` derives from ``Any``: a tensor of one
shape is assignable to anything, so ``x = layer(x)`` never raises ``[assignment]``.  Two such
types are the same type to mypy (one type-variable id), and the constant ``extra_attrs``
make mypy narrow a variable to the type of the tensor last assigned to it instead of keeping
the type of its first assignment.  Everything here is serialisable into mypy's cache.
"""

from __future__ import annotations

from typing import Optional

from mypy.plugin import CheckerPluginInterface
from mypy.types import (
    AnyType,
    ExtraAttrs,
    Instance,
    LiteralType,
    ProperType,
    Type,
    TypeOfAny,
    TypeVarId,
    TypeVarType,
    get_proper_type,
)

KERAS_TENSOR = "keras.KerasTensor"
#: the id of the shape variables: no function's type variable has this namespace
_SHAPE_ID = TypeVarId(-1_000_003, namespace="shapecheck.shape")
_MARK = "__shapecheck_shape__"


def is_keras_tensor(t: Type) -> bool:
    p = get_proper_type(t)
    return isinstance(p, Instance) and p.type.fullname == KERAS_TENSOR


def is_tensor_slot(t: Type) -> bool:
    """Whether a call's own return type may be replaced by a shaped tensor: ``Any``, or a
    ``KerasTensor`` (never a NumPy array, a layer object, or a user's class)."""
    return isinstance(get_proper_type(t), AnyType) or is_keras_tensor(t)


def tensor_type(api: CheckerPluginInterface, shape: Optional[str]) -> Optional[ProperType]:
    """``keras.KerasTensor[<shape>]`` (``keras.KerasTensor[Any]`` for ``None``), or ``None`` when
    the ``keras`` stubs are not loaded."""
    modules = getattr(api, "modules", {})
    keras = modules.get("keras")
    if keras is None or "KerasTensor" not in keras.names:
        return None
    if shape is None:
        return api.named_generic_type(KERAS_TENSOR, [AnyType(TypeOfAny.special_form)])
    obj = api.named_generic_type("builtins.object", [])
    text = api.named_generic_type("builtins.str", [])
    # The shape text is also the variable's default: two shapes are distinct objects to mypy
    # (a new assignment replaces the old), yet the same type (no [assignment] error).
    var = TypeVarType(shape, f"shapecheck.{shape}", _SHAPE_ID, [], obj,
                      LiteralType(shape, fallback=text))
    base = api.named_generic_type(KERAS_TENSOR, [AnyType(TypeOfAny.special_form)])
    return Instance(base.type, [var], extra_attrs=ExtraAttrs({_MARK: obj}, set(), None))
