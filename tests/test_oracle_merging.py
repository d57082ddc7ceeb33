"""Merging rules against Keras itself, over generated input lists and configurations.

For each generated case shapecheck reports a finding exactly when Keras rejects the
call (symbolically, or on random data when every non-batch axis is known), and
otherwise infers the output shape Keras computes.  The lowercase functional forms
(``keras.layers.concatenate([a, b], 1)``) are checked through the front end.
"""

from __future__ import annotations

import os
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.api import check_source
from shapecheck.core import dims
from .keras_oracle import keras_apply
from .test_oracle_core import has_undefined_axis, agrees, opaque_is_sound, rejected_for_every_size

# SHAPECHECK_ORACLE_EXAMPLES raises the count for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
ELEMENTWISE = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
SIZES = st.sampled_from([1, 2, 3, 3, 4, None])


@st.composite
def batch(draw) -> object:
    # Mixing a defined batch with None is left out: data of another batch size may flow there.
    return draw(st.sampled_from([None, None, None, 2]))


@st.composite
def related_shapes(draw, n: int, *, vary_rank: bool) -> list[tuple]:
    """``n`` shapes derived from one: some axes replaced by 1, None or another size, some ranks cut."""
    b = draw(batch())
    base = [draw(SIZES) for _ in range(draw(st.integers(0, 3)))]
    shapes = []
    for _ in range(n):
        body = list(base)
        for i in range(len(body)):
            if draw(st.integers(0, 4)) == 0:
                body[i] = draw(SIZES)
        if vary_rank and body and draw(st.integers(0, 3)) == 0:
            body = body[draw(st.integers(1, len(body))):]
        shapes.append((b, *body))
    if b is not None and draw(st.integers(0, 4)) == 0:
        shapes[-1] = (3, *shapes[-1][1:])
    return shapes


@st.composite
def elementwise_case(draw) -> tuple[str, list]:
    op = draw(st.sampled_from(ELEMENTWISE))
    n = 2 if op == "Subtract" and draw(st.integers(0, 4)) else draw(st.integers(1, 3))
    return op, draw(related_shapes(n, vary_rank=True))


@SETTINGS
@given(elementwise_case())
def test_elementwise_merges(case):
    op, shapes = case
    agrees(op, {}, shapes)
    opaque_is_sound(op, {}, shapes)


@SETTINGS
@given(st.sampled_from(ELEMENTWISE + ("Concatenate",)), st.lists(SIZES, min_size=1, max_size=3))
def test_merge_of_a_bare_tensor(op, body):
    agrees(op, {}, (None, *body))


@st.composite
def concatenate_case(draw) -> tuple[dict, list]:
    shapes = draw(related_shapes(draw(st.integers(1, 3)), vary_rank=draw(st.integers(0, 4)) == 0))
    rank = max(len(s) for s in shapes)
    axis = draw(st.integers(-rank - 1, rank))
    # The concatenation axis may differ freely.
    shapes = [tuple(draw(SIZES) if i == axis % max(len(s), 1) and draw(st.booleans()) else d
                    for i, d in enumerate(s)) for s in shapes]
    return {"axis": axis}, shapes


@SETTINGS
@given(concatenate_case())
def test_concatenate(case):
    agrees("Concatenate", *case)
    opaque_is_sound("Concatenate", *case)


@st.composite
def dot_case(draw) -> tuple[dict, list]:
    b = draw(batch())
    ranks = [draw(st.sampled_from([1, 2, 2, 3, 3, 4])) for _ in range(2)]
    a, c = ([draw(SIZES) for _ in range(r - 1)] for r in ranks)
    # Mostly axes inside both inputs; sometimes the batch axis or past the end.
    axis = st.sampled_from([-2, -1, -1, 1, 1, 2, 0, 3])
    axes = draw(axis) if draw(st.booleans()) else (draw(axis), draw(axis))
    # Mostly make the contracted axes agree.
    pair = (axes, axes) if isinstance(axes, int) else axes
    if draw(st.integers(0, 3)) and a and c:
        i, j = pair[0] % (len(a) + 1) - 1, pair[1] % (len(c) + 1) - 1
        if i >= 0 and j >= 0:
            c[j] = a[i]
    config: dict = {"axes": axes}
    if draw(st.booleans()):
        config["normalize"] = True
    n = draw(st.sampled_from([2] * 9 + [1, 3]))
    shapes = [(b, *a), (b, *c), (b, *a)][:n]
    return config, shapes


@SETTINGS
@given(dot_case())
def test_dot(case):
    agrees("Dot", *case)
    opaque_is_sound("Dot", *case)


@SETTINGS
@given(st.sampled_from([0, 1.5, "last", (1,), (1, 2, 3), (1, "a"), [1, 1]]))
def test_dot_axes_argument(axes):
    agrees("Dot", {"axes": axes}, [(None, 3, 3), (None, 3, 3)])


_FUNCTIONAL = {"concatenate": "axis", "dot": "axes", "add": None, "subtract": None, "multiply": None,
               "average": None, "maximum": None, "minimum": None}


@SETTINGS
@given(st.sampled_from(sorted(_FUNCTIONAL)), related_shapes(2, vary_rank=False), st.integers(-2, 2),
       st.booleans())
def test_functional_forms_through_the_front_end(fn, shapes, axis, positional):
    """``keras.layers.concatenate([a, b], 1)`` in a program: the front end maps the argument to the rule."""
    shapes = [(None, *s[1:]) for s in shapes]
    param = _FUNCTIONAL[fn]
    config = {param: axis} if param else {}
    arg = (f", {axis}" if positional else f", {param}={axis}") if param else ""
    src = textwrap.dedent(f"""\
        import keras
        a = keras.Input(shape={shapes[0][1:]!r})
        b = keras.Input(shape={shapes[1][1:]!r})
        c = keras.layers.{fn}([a, b]{arg})
    """)
    result = check_source(src, "t.py")
    theirs = keras_apply(f"keras.layers.{fn}", config, shapes)
    if theirs.rejected:
        assert [f.span.line for f in result.findings] == [4], (src, theirs.error or theirs.eager_error)
        return
    if result.findings and has_undefined_axis(shapes):
        assert [f.span.line for f in result.findings] == [4], src
        rejected_for_every_size(f"keras.layers.{fn}", config, shapes)
        return
    assert not result.findings, (src, [f.message for f in result.findings])
    entry = [e for e in result.shapes if e["span"].line == 4][-1]
    (out,) = entry["outputs"]
    assert tuple(dims.to_json(d) for d in out.shape) == theirs.single, src
