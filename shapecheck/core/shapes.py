"""Shapes and tensor types, written the way Keras prints them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from . import dims
from .dims import Dim

Shape = tuple[Dim, ...]


def show_shape(shape: Optional[Shape]) -> str:
    """``(None, 28, 28)``, ``(8,)``; ``<unknown>`` for an unknown rank."""
    if shape is None:
        return "<unknown rank>"
    if len(shape) == 1:
        return f"({dims.show(shape[0])},)"
    return "(" + ", ".join(dims.show(d) for d in shape) + ")"


def shows_dtype(dtype: Optional[str]) -> bool:
    """Whether a dtype is written beside a shape (``--show-shapes``, ``--summary``, JSON, mypy): where
    it is known and not Keras's default float32."""
    return dtype not in (None, "float32")


def show_type(t: TensorType) -> str:
    """The shape, then what is not the default: ``(None, 28, 28, 1) uint8``, ``(None, 100) sparse``
    (float32 dense tensors and unknown dtypes show the shape alone)."""
    extra = [t.dtype] if shows_dtype(t.dtype) else []
    extra += ["sparse"] * t.sparse + ["ragged"] * t.ragged
    return " ".join([show_shape(t.shape), *extra])


@dataclass(frozen=True)
class TensorType:
    """A symbolic Keras tensor: its shape (``None`` = unknown rank) and dtype."""

    shape: Optional[Shape]
    dtype: Optional[str] = "float32"
    sparse: bool = False
    ragged: bool = False
    #: the dtype the data has when it runs, where it is not the symbolic ``dtype``: Keras labels
    #: ``ZeroPadding2D``'s output on uint8 float32, its call gives uint8 (``None``: as ``dtype``)
    data_dtype: Optional[str] = None

    @property
    def arrives(self) -> Optional[str]:
        """The dtype of the data that reaches a layer (what it runs on)."""
        return self.data_dtype or self.dtype

    @property
    def rank(self) -> Optional[int]:
        return None if self.shape is None else len(self.shape)

    def with_shape(self, shape: Optional[Shape]) -> TensorType:
        return replace(self, shape=None if shape is None else tuple(shape))

    def __str__(self) -> str:
        return show_shape(self.shape)


UNKNOWN_TENSOR = TensorType(None, None)


def normalize_axis(axis: int, rank: int) -> Optional[int]:
    """A non-negative axis index, or ``None`` when out of range."""
    if -rank <= axis < rank:
        return axis % rank
    return None


def broadcast(a: Shape, b: Shape) -> Optional[Shape]:
    """NumPy broadcasting of two shapes; ``None`` when certainly incompatible."""
    out: list[Dim] = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif dims.differs(x, y):
            return None
        elif dims.equal(x, y):
            out.append(x)
        elif dims.is_known(x) or dims.is_known(y):
            # The other side is 1 or equal to this known size.
            out.append(x if dims.is_known(x) else y)
        else:
            out.append(None)
    return tuple(reversed(out))
