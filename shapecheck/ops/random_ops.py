"""``keras.random``: tensors of random values, in a shape given as a Python value (``normal((batch, 2))``)
or in another tensor's shape (``dropout(x, rate)``)."""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from ..core.findings import INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.rules import Call, Example, OpRule, Unknowable, as_dim, register
from ..core.shapes import TensorType, show_shape
from .creation import _shape_arg
from .op_utils import param, tensor

_FLOATS = {"float16", "float32", "float64", "bfloat16", "half", "float", "double"}
_INTS = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}


def _kind(dtype: Any) -> Optional[str]:
    """``"float"``, ``"int"``, ``"other"`` for a dtype name; ``None`` when it cannot be told."""
    if not isinstance(dtype, str):
        return None
    if dtype in _FLOATS:
        return "float"
    if dtype in _INTS:
        return "int"
    return "other" if dtype in ("bool", "string", "complex64", "complex128") else None


class _Sampled(OpRule):
    """A tensor of the ``shape`` argument (a sequence of sizes; ``None`` from ``ops.shape(x)[0]`` stays
    undefined) and the ``dtype`` argument."""

    params: ClassVar[tuple[str, ...]] = ("shape", "mean", "stddev", "dtype", "seed")
    default_dtype: ClassVar[str] = "float32"
    #: the dtype kind Keras requires (``uniform`` floats, ``randint`` integers), with its words
    requires: ClassVar[Optional[tuple[str, str]]] = None

    def output(self, call: Call) -> TensorType:
        dtype = param(call, "dtype")
        if self.requires is not None and dtype is not None:
            kind, words = self.requires
            got = _kind(dtype)
            if got is not None and got != kind:
                raise ShapeError(INVALID_ARGUMENT, f"`{self.names[0]}` requires {words} `dtype`. "
                                 f"Received: dtype={dtype}")
        shape = param(call, "shape")
        if not isinstance(shape, (list, tuple)):
            raise Unknowable()  # an int shape: the TensorFlow backend rejects it, others take it
        out = _shape_arg(shape)
        return TensorType(out, dtype if isinstance(dtype, str) else self.default_dtype if dtype is None else None)


@register
class RandomNormal(_Sampled):
    """``keras.random.normal(shape, mean=0.0, stddev=1.0, dtype=None)`` and ``truncated_normal``: a tensor of
    ``shape``."""

    names = ("keras.random.normal", "keras.random.truncated_normal")
    defaults = {"dtype": None}
    examples = (
        Example({"shape": (2, 3)}, None, (2, 3)),
        Example({"shape": [None, 4], "dtype": "float16"}, None, (None, 4)),
        Example({"shape": (2, -1)}, None, "invalid-argument"),
    )


@register
class RandomUniform(_Sampled):
    """``keras.random.uniform(shape, minval=0.0, maxval=1.0, dtype=None)``: a tensor of ``shape``; ``dtype``
    must be a float type."""

    names = ("keras.random.uniform",)
    params = ("shape", "minval", "maxval", "dtype", "seed")
    defaults = {"dtype": None}
    requires = ("float", "a floating point")
    examples = (
        Example({"shape": (3,)}, None, (3,)),
        Example({"shape": (2, 2), "dtype": "int32"}, None, "invalid-argument"),
    )


@register
class RandomInt(_Sampled):
    """``keras.random.randint(shape, minval, maxval, dtype="int32")``: a tensor of ``shape``; ``dtype`` must be
    an integer type."""

    names = ("keras.random.randint",)
    params = ("shape", "minval", "maxval", "dtype", "seed")
    defaults = {"dtype": "int32"}
    default_dtype = "int32"
    requires = ("int", "an integer")
    examples = (
        Example({"shape": (2, 5), "minval": 0, "maxval": 3}, None, (2, 5)),
        Example({"shape": (2,), "minval": 0, "maxval": 3, "dtype": "float32"}, None, "invalid-argument"),
    )


@register
class RandomDropout(OpRule):
    """``keras.random.dropout(inputs, rate, noise_shape=None)``: the shape of ``inputs``."""

    names = ("keras.random.dropout",)
    params = ("inputs", "rate", "noise_shape", "seed")
    examples = (Example({"rate": 0.5}, (None, 3), (None, 3)),)

    def output(self, call: Call) -> TensorType:
        return tensor(call, "inputs")


@register
class RandomCategorical(OpRule):
    """``keras.random.categorical(logits, num_samples, dtype="int32")``: ``logits`` is ``(batch, classes)``;
    the output is ``(batch, num_samples)``."""

    names = ("keras.random.categorical",)
    params = ("logits", "num_samples", "dtype", "seed")
    defaults = {"dtype": "int32"}
    examples = (
        Example({"num_samples": 4}, (None, 3), (None, 4)),
        Example({"num_samples": 4}, (None, 3, 2), "rank-mismatch"),
    )

    def output(self, call: Call) -> TensorType:
        logits = tensor(call, "logits")
        assert logits.shape is not None
        if len(logits.shape) != 2:
            raise ShapeError(RANK_MISMATCH, "`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                             f"Received: logits of shape {show_shape(logits.shape)}")
        dtype = param(call, "dtype")
        return TensorType((logits.shape[0], as_dim(param(call, "num_samples"))),
                          dtype if isinstance(dtype, str) else None)
