"""Arithmetic shared by the convolution, pooling and reshaping rules.

Mirrors ``keras/src/ops/operation_utils.py`` (conv and pooling output lengths),
``keras/src/backend/common/backend_utils.py`` (transposed-conv output lengths) and
``keras/src/utils/argument_validation.py`` (int-or-tuple arguments, padding), on
:mod:`shapecheck.core.dims` values: ``None`` stays ``None``, symbols stay symbolic,
and a length is reported as zero or negative only when it certainly is.
"""

from __future__ import annotations

from typing import Any, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INVALID_ARGUMENT, NEGATIVE_DIMENSION, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import Call, Unknowable
from ..core.shapes import Shape, show_shape

CHANNELS_LAST = "channels_last"
CHANNELS_FIRST = "channels_first"


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


#: ``standardize_tuple``'s default ``value``: read the argument from the call's config
_FROM_CONFIG: Any = object()


def standardize_tuple(call: Call, key: str, n: int, *, allow_zero: bool = False,
                      label: Optional[str] = None, value: Any = _FROM_CONFIG) -> tuple[Dim, ...]:
    """``argument_validation.standardize_tuple``: an int or ``n`` ints, all > 0 (>= 0 with ``allow_zero``).
    ``value``, where given, stands for the config's (an unknown one gives unknown dims)."""
    name = label or key
    v = call.get(key) if value is _FROM_CONFIG else value
    if v is UNKNOWN:
        return tuple(dims.unknown() for _ in range(n))
    error = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={v!r}"
    if _is_int(v) or isinstance(v, dims.Sym):
        values: tuple = (v,) * n
    elif isinstance(v, (list, tuple)):
        if len(v) != n:
            raise ShapeError(INVALID_ARGUMENT, error)
        values = tuple(v)
    else:
        raise ShapeError(INVALID_ARGUMENT, error)
    bad = [x for x in values if _is_int(x) and (x < 0 if allow_zero else x <= 0)]
    if bad:
        req = ">= 0" if allow_zero else "> 0"
        raise ShapeError(INVALID_ARGUMENT, f"{error}, including values {set(bad)} that do not satisfy `value {req}`")
    if any(x is None or isinstance(x, (str, float, bool)) for x in values):
        raise ShapeError(INVALID_ARGUMENT, error)
    return tuple(x if (_is_int(x) or isinstance(x, dims.Sym)) else dims.unknown() for x in values)


def standardize_padding(call: Call, *, allow_causal: bool = False, key: str = "padding") -> Optional[str]:
    """``argument_validation.standardize_padding``: lower-cased; ``None`` when not followed."""
    v = call.get(key)
    if v is UNKNOWN:
        return None
    if not isinstance(v, str):
        raise ShapeError(INVALID_ARGUMENT, f"The `padding` argument must be one of 'valid', 'same'"
                         f"{', ' + repr('causal') if allow_causal else ''}. Received: padding={v!r}")
    padding = v.lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        raise ShapeError(INVALID_ARGUMENT, f"The `padding` argument must be a list/tuple or one of "
                         f"{set(allowed)}. Received: {v}")
    return padding


def data_format(call: Call, key: str = "data_format") -> str:
    """``backend.standardize_data_format``; ``None`` is the default ``image_data_format``."""
    v = call.get(key)
    if v is None:
        return CHANNELS_LAST
    if v is UNKNOWN:
        raise Unknowable()
    fmt = str(v).lower()
    if fmt not in (CHANNELS_FIRST, CHANNELS_LAST):
        raise ShapeError(INVALID_ARGUMENT, "The `data_format` argument must be one of "
                         f"{{'channels_first', 'channels_last'}}. Received: data_format={v}")
    return fmt


def channel_axis(fmt: str) -> int:
    return -1 if fmt == CHANNELS_LAST else 1


def spatial(shape: Shape, fmt: str) -> tuple[Dim, ...]:
    """The spatial axes of a ``(batch, ..., channels)`` / ``(batch, channels, ...)`` shape."""
    return tuple(shape[1:-1]) if fmt == CHANNELS_LAST else tuple(shape[2:])


def assemble(batch: Dim, space: tuple[Dim, ...], channels: Dim, fmt: str) -> Shape:
    """The inverse of :func:`spatial`."""
    if fmt == CHANNELS_LAST:
        return (batch, *space, channels)
    return (batch, channels, *space)


def exact_div(a: Dim, k: Dim) -> Dim:
    """``a // k``; opaque when symbolic arithmetic cannot express it (Keras would know it)."""
    if a is None or k is None:
        return None
    q = dims.floordiv(a, k)
    return dims.unknown() if q is None else q


def conv_output_length(length: Dim, kernel: Dim, stride: Dim, padding: Optional[str], dilation: Dim = 1) -> Dim:
    """One spatial axis of ``compute_conv_output_shape`` (and of pooling, with ``dilation=1``)."""
    if length is None:
        return None
    if padding is None:
        return dims.unknown()
    if padding == "valid":
        effective = dims.add(dims.mul(dilation, dims.sub(kernel, 1)), 1)
        return dims.add(exact_div(dims.sub(length, effective), stride), 1)
    # "same" and "causal" keep ceil(length / stride) positions.
    return dims.add(exact_div(dims.sub(length, 1), stride), 1)


def deconv_output_length(length: Dim, kernel: Dim, stride: Dim, padding: Optional[str],
                         output_padding: Dim = None, dilation: Dim = 1) -> Dim:
    """One spatial axis of ``compute_conv_transpose_output_shape`` (``output_padding=None``: unset)."""
    if length is None:
        return None
    if padding is None:
        return dims.unknown()
    effective = dims.add(dims.mul(dims.sub(kernel, 1), dilation), 1)
    if padding == "valid":
        if output_padding is None:
            output_padding = _max_minus(effective, stride)
        return dims.add(dims.add(dims.mul(dims.sub(length, 1), stride), effective), output_padding)
    if output_padding is None:
        return dims.mul(length, stride)
    parity = effective % 2 if dims.is_known(effective) else dims.unknown()
    return dims.add(dims.add(dims.mul(dims.sub(length, 1), stride), parity), output_padding)


def _max_minus(kernel: Dim, stride: Dim) -> Dim:
    """``max(kernel, stride) - kernel``."""
    if dims.is_known(kernel) and dims.is_known(stride):
        return max(kernel, stride) - kernel  # type: ignore[operator, type-var]
    return dims.unknown()


def certainly_positive(d: Dim) -> bool:
    return not (dims.is_known(d) and d <= 0)  # type: ignore[operator]


def check_positive_lengths(out: tuple[Dim, ...], what: str) -> None:
    """Keras's "Computed output size would be zero or negative", for lengths that certainly are."""
    if any(not certainly_positive(d) for d in out):
        raise ShapeError(NEGATIVE_DIMENSION, f"Computed output size would be zero or negative. Received {what}.")


def show_tuple(values: tuple) -> str:
    return show_shape(tuple(values))


def certainly_indivisible(a: Dim, k: Dim) -> bool:
    """``a % k != 0`` for every value ``a`` and ``k`` could take."""
    return dims.is_known(a) and dims.is_known(k) and k != 0 and a % k != 0  # type: ignore[operator]
