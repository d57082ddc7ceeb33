"""Dimensions: a known ``int``, an unknown ``None``, or a symbolic :class:`Sym`.

A symbolic dimension is an integer polynomial over named atoms (a function
parameter, ``h``) and floor divisions of polynomials by constants
(``(h - 3) // 2``).  The polynomial is kept in a canonical form, so two equal
expressions compare equal.  Every operation propagates ``None``; comparisons
are three-valued (``True``, ``False``, or ``None`` for "cannot tell"), and
"cannot tell" never produces a finding.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Union

# Names of opaque atoms: values the front end could not follow.  A counter is
# only a name source; no behaviour depends on its value.
_fresh = itertools.count(1)
OPAQUE = "?"

Monomial = tuple[str, ...]  # sorted atom names; () is the constant term


@dataclass(frozen=True)
class Sym:
    """A symbolic dimension: sum of ``coef * monomial`` terms, canonical."""

    terms: tuple[tuple[Monomial, int], ...]

    @staticmethod
    def named(name: str) -> Sym:
        return Sym(((((name,)), 1),))

    def __str__(self) -> str:
        return OPAQUE if self.opaque else _render(self.terms)

    @property
    def opaque(self) -> bool:
        """Contains a value the front end could not follow (shown as ``?``)."""
        return any(OPAQUE in atom for mono, _ in self.terms for atom in mono)

    def __repr__(self) -> str:
        return f"Sym({str(self)!r})"


Dim = Union[int, None, Sym]


def _poly(d: int | Sym) -> dict[Monomial, int]:
    if isinstance(d, Sym):
        return dict(d.terms)
    return {(): d} if d else {}


def _make(poly: dict[Monomial, int]) -> int | Sym:
    items = tuple(sorted((m, c) for m, c in poly.items() if c != 0))
    if not items:
        return 0
    if len(items) == 1 and items[0][0] == ():
        return items[0][1]
    return Sym(items)


def _render(terms: tuple[tuple[Monomial, int], ...]) -> str:
    # Non-constant terms first, then the constant: "h - 3", "2*w + 1".
    ordered = [t for t in terms if t[0]] + [t for t in terms if not t[0]]
    out = ""
    for i, (mono, coef) in enumerate(ordered):
        mag = abs(coef)
        # A floor division binds looser than unary minus and products: parenthesise it there.
        wrap = mag != 1 or len(mono) > 1 or (i == 0 and coef < 0)
        body = "*".join(f"({a})" if wrap and "//" in a else a for a in mono)
        text = body if mono and mag == 1 else (f"{mag}*{body}" if mono else str(mag))
        if i == 0:
            out = text if coef > 0 else f"-{text}"
        else:
            out += f" + {text}" if coef > 0 else f" - {text}"
    return out or "0"


def unknown() -> Sym:
    """A fresh dimension the front end could not follow.

    Unlike ``None`` (an axis Keras itself leaves undefined), it stands for some
    definite size: rules that reject ``None`` never reject it, and it equals
    nothing but itself.
    """
    return Sym.named(f"{OPAQUE}{next(_fresh)}")


def is_known(d: Dim) -> bool:
    return isinstance(d, int) and not isinstance(d, bool)


def add(a: Dim, b: Dim) -> Dim:
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    poly = _poly(a)
    for m, c in _poly(b).items():
        poly[m] = poly.get(m, 0) + c
    return _make(poly)


def neg(a: Dim) -> Dim:
    return mul(a, -1)


def sub(a: Dim, b: Dim) -> Dim:
    return add(a, neg(b))


def mul(a: Dim, b: Dim) -> Dim:
    if a is None or b is None:
        return None
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    poly: dict[Monomial, int] = {}
    for ma, ca in _poly(a).items():
        for mb, cb in _poly(b).items():
            m = tuple(sorted(ma + mb))
            poly[m] = poly.get(m, 0) + ca * cb
    return _make(poly)


def floordiv(a: Dim, k: Dim) -> Dim:
    """``a // k``; symbolic only for a constant positive divisor."""
    if a is None or k is None:
        return None
    if isinstance(a, int) and isinstance(k, int):
        return a // k if k else None
    if not isinstance(k, int) or k <= 0:
        return None
    if k == 1:
        return a
    poly = _poly(a)
    const = poly.pop((), 0)
    if all(c % k == 0 for c in poly.values()):
        # (k*q + c) // k == q + c // k for integer q.
        return _make({**{m: c // k for m, c in poly.items()}, (): const // k})
    atom = f"({_render(tuple(sorted(_poly(a).items())))}) // {k}"
    return Sym((((atom,), 1),))


def ceildiv(a: Dim, k: Dim) -> Dim:
    return neg(floordiv(neg(a), k))


def equal(a: Dim, b: Dim) -> bool | None:
    """Three-valued equality: ``None`` when it cannot be decided."""
    if a is None or b is None:
        return None
    diff = sub(a, b)
    if isinstance(diff, int):
        return diff == 0
    return None


def differs(a: Dim, b: Dim) -> bool:
    """True only when ``a`` and ``b`` are certainly different."""
    return equal(a, b) is False


def compatible(a: Dim, b: Dim) -> bool:
    return not differs(a, b)


def product(dims: list[Dim] | tuple[Dim, ...]) -> Dim:
    out: Dim = 1
    for d in dims:
        out = mul(out, d)
    return out


def to_json(d: Dim) -> int | str | None:
    if isinstance(d, Sym):
        return None if d.opaque else str(d)
    return d


def from_json(v: int | str | None) -> Dim:
    if isinstance(v, str):
        return Sym.named(v)
    return v


def show(d: Dim) -> str:
    return "None" if d is None else str(d)
