"""Symbolic dimensions: the canonical form is sound (hypothesis over random expressions)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shapecheck.core import dims
from shapecheck.core.shapes import broadcast, show_shape

NAMES = ("h", "w", "n")


@st.composite
def expressions(draw, depth=3):
    """(dim, python function of an assignment) pairs built from the same operations."""
    if depth == 0 or draw(st.booleans()):
        if draw(st.booleans()):
            v = draw(st.integers(-20, 40))
            return v, (lambda env, v=v: v)
        name = draw(st.sampled_from(NAMES))
        return dims.Sym.named(name), (lambda env, name=name: env[name])
    op = draw(st.sampled_from(["add", "sub", "mul", "floordiv"]))
    a, fa = draw(expressions(depth=depth - 1))
    if op == "floordiv":
        k = draw(st.integers(1, 5))
        return dims.floordiv(a, k), (lambda env: fa(env) // k)
    b, fb = draw(expressions(depth=depth - 1))
    if op == "add":
        return dims.add(a, b), (lambda env: fa(env) + fb(env))
    if op == "sub":
        return dims.sub(a, b), (lambda env: fa(env) - fb(env))
    return dims.mul(a, b), (lambda env: fa(env) * fb(env))


def value(d, env):
    if isinstance(d, int):
        return d
    return eval(str(d), {}, dict(env))  # our own rendering: valid Python over the atom names


assignments = st.fixed_dictionaries({n: st.integers(0, 200) for n in NAMES})


@settings(max_examples=300, deadline=None)
@given(expressions(), st.lists(assignments, min_size=5, max_size=5))
def test_canonical_form_evaluates_like_the_expression(expr, envs):
    d, f = expr
    for env in envs:
        assert value(d, env) == f(env)


@settings(max_examples=300, deadline=None)
@given(expressions(), expressions(), st.lists(assignments, min_size=5, max_size=5))
def test_equal_and_differs_are_sound(e1, e2, envs):
    (a, fa), (b, fb) = e1, e2
    verdict = dims.equal(a, b)
    for env in envs:
        if verdict is True:
            assert fa(env) == fb(env)
        if verdict is False:
            assert fa(env) != fb(env)


def test_equal_expressions_compare_equal():
    h = dims.Sym.named("h")
    a = dims.add(dims.floordiv(dims.sub(h, 3), 2), 1)
    b = dims.add(dims.floordiv(dims.add(h, -3), 2), 1)
    assert a == b and dims.equal(a, b) is True
    assert str(a) == "(h - 3) // 2 + 1"
    assert dims.equal(dims.mul(h, 2), dims.add(h, h)) is True
    assert dims.differs(dims.add(h, 1), h)
    assert dims.equal(h, dims.Sym.named("w")) is None
    assert dims.equal(None, 3) is None


def test_opaque_dims_never_decide():
    u, v = dims.unknown(), dims.unknown()
    assert dims.equal(u, v) is None and dims.equal(u, 3) is None
    assert dims.equal(u, u) is True
    assert str(dims.add(u, 1)) == "?" and dims.to_json(u) is None


def test_broadcast_is_numpy_broadcasting_with_unknowns():
    assert broadcast((None, 3), (3,)) == (None, 3)
    assert broadcast((None, 1), (None, 4)) == (None, 4)
    assert broadcast((2, 3), (4, 3)) is None
    assert broadcast((None, 3), (None, None)) == (None, 3)
    assert show_shape((None, 28, 28)) == "(None, 28, 28)" and show_shape((8,)) == "(8,)"
