"""Whole programs against Keras: random multi-layer chains, built and labelled by Keras.

Each example draws a model-building program layer by layer, every layer's config drawn from
the shape it meets (mostly valid; now and then a wild config or a layer made for another rank,
or a merge with a tensor of another shape). Keras builds it (symbolically, then on random data
when every non-batch axis is known) and records every call's output shape or the first call it
rejects. The same program is rendered as source (functional API with helpers, loops, shared
layers and nested Sequential sub-models, ``Sequential([...])`` or ``model.add``; Keras imported
as ``keras`` or through ``tf.keras``) and checked by :func:`shapecheck.api.check_source`: every call Keras accepted has exactly Keras's shape, and an error finding is reported exactly at
the call Keras rejected, none elsewhere.
"""

from __future__ import annotations

import os
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shapecheck.api import check_source
from shapecheck.core import dims

from .chains_support import IMPORTS, KerasChain, Program, Rendered, draw_chain, keras_run, render

# SHAPECHECK_ORACLE_EXAMPLES raises the count for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Keras warns when a Masking layer's mask meets a layer that drops it: expected, not news.
QUIET = pytest.mark.filterwarnings("ignore:.*does not support masking:UserWarning")


def _ours(entry: dict) -> Optional[tuple]:
    outputs = entry["outputs"]
    assert len(outputs) == 1, f"several outputs at line {entry['span'].line}: {outputs}"
    shape = outputs[0].shape
    return None if shape is None else tuple(shape)


def _same(keras_shape: tuple, ours: Optional[tuple]) -> bool:
    """Every axis Keras knows, we know the same; where Keras says None we claim no number."""
    if ours is None or len(ours) != len(keras_shape):
        return False
    return all((isinstance(o, int) and o == k) if k is not None else not isinstance(o, int)
               for k, o in zip(keras_shape, ours))


def _show(shape: Any) -> str:
    return "None" if shape is None else "(" + ", ".join(str(dims.to_json(d)) for d in shape) + ")"


def _rejected_for_every_size(program: Program, call: int) -> bool:
    """Keras's symbolic build let call ``call`` through a ``None`` input axis: with each size in its
    place, does Keras reject the program by that call (there or before it, so it is never reached)?"""
    for size in (1, 2, 3, 5):
        shape = tuple(size if d is None else d for d in program.input_shape)
        chain = keras_run(program, shape)
        if not chain.rejected or len(chain.calls) - 1 > call:
            return False
    return True


def _entry(rendered: Rendered, i: int) -> int:
    """The index among shapecheck's recorded calls of executed call ``i``: a call inside a nested
    Sequential is recorded as the sub-model's call, which comes with its last layer's call."""
    return sum(rendered.visible[:i])


def _first_error(errors: list[int], rendered: Rendered, calls: list[dict], count: int) -> Optional[int]:
    """The first of the first ``count`` calls (execution order) that shapecheck rejects: a finding
    on its line (or its constructor's) and no shape of its own (a loop's line serves several calls)."""
    hits = [i for i in range(count) if rendered.lines[i] in errors or rendered.make_lines[i] in errors]
    if not hits:
        return None
    entry = _entry(rendered, next((i for i in hits if calls[_entry(rendered, i)]["outputs"][0].shape is None), hits[0]))
    # the calls of one sub-model share its entry: the last of them stands for it
    return max(i for i in range(count) if _entry(rendered, i) == entry)


def agrees(chain: KerasChain, rendered: Rendered) -> None:
    program = chain.program
    result = check_source(rendered.source, "chain.py")
    context = f"\n--- program ---\n{rendered.source}--- Keras: " + (
        f"rejects call {len(chain.calls)} ({chain.calls[-1].stage}): {chain.error!r}"
        if chain.rejected else "accepts") + "\n--- shapecheck findings ---\n" + "\n".join(
        f"line {f.span.line}: {f.code.name} {f.level}: {f.message}" for f in result.findings)
    broken = [f for f in result.findings if f.code.name in ("internal-error", "analysis-limit", "syntax-error")]
    assert not broken, context
    entries = [e for e in result.shapes if e["layer"].startswith("keras.layers.") or e["layer"] == "keras.Model"]
    inputs = [e for e in entries if e["layer"] == "keras.layers.InputLayer"]
    calls = [e for e in entries if e["layer"] != "keras.layers.InputLayer"]
    assert len(inputs) == 1 and inputs[0]["span"].line == rendered.input_line, context
    assert _same(tuple(chain.symbolic["v0"].shape), _ours(inputs[0])), context
    assert len(calls) > _entry(rendered, len(chain.calls) - 1), (
        f"Keras made {len(chain.calls)} calls, shapecheck recorded {len(calls)}" + context)
    for i in range(len(chain.calls)):
        line = calls[_entry(rendered, i)]["span"].line
        assert line == rendered.lines[i], f"call {i}: line {line}, expected {rendered.lines[i]}" + context
    errors = sorted({f.span.line for f in result.findings if f.level == "error"})
    failed = len(chain.calls) - 1 if chain.rejected else len(chain.calls)  # Keras's failing call, if any
    judged = len(chain.calls)  # the calls whose shapes are compared
    first = _first_error(errors, rendered, calls, len(chain.calls))
    if first is not None and first < failed and None in program.input_shape:
        # Keras's symbolic build lets a None axis through; a finding there claims a failure for every size.
        assert _rejected_for_every_size(program, first), (
            f"shapecheck rejects call {first} (line {rendered.lines[first]}), Keras accepts some size" + context)
        judged = failed = first
    for i, call in enumerate(chain.calls[:judged]):
        if call.shape is not None and rendered.visible[i]:
            ours = _ours(calls[_entry(rendered, i)])
            assert _same(call.shape, ours), (
                f"line {rendered.lines[i]}: Keras {_show(call.shape)}, shapecheck {_show(ours)}" + context)
    if failed == len(chain.calls):
        assert not errors, "Keras accepts every call" + context
        return
    rejected = chain.calls[failed] if failed == len(chain.calls) - 1 and chain.rejected else None
    if rejected is not None:
        line = (rendered.make_lines if rejected.stage == "make" else rendered.lines)[failed]
    else:  # the None-axis case above: Keras failed with each size, at the constructor or the call
        line = rendered.lines[failed] if rendered.lines[failed] in errors else rendered.make_lines[failed]
    # Keras stops there: a finding on a call written after it (a later repeat) says nothing.
    later = set(rendered.lines[failed + 1:]) | set(rendered.make_lines[failed + 1:])
    assert set(errors) <= {line} | later, f"an error before line {line}" + context
    if rejected is not None and rejected.stage == "data" and rejected.unknown:
        return  # Keras's own symbolic shapes had lost an axis that only the data knew: a finding is not owed
    assert line in errors, f"expected an error at line {line}" + context


@QUIET
@SETTINGS
@given(st.data())
def test_functional_chains(data):
    """Branches and merges, shared layers, helper functions (a config value as a parameter), loops and
    nested Sequential sub-models, written with the functional API; a config value now and then a
    module constant."""
    chain = draw_chain(data.draw, max_steps=6, merges=True, shared=True)
    assume(not chain.inconsistent)  # Keras's shape on data differs from its symbolic one: no label
    steps = chain.program.steps
    helpers = [data.draw(st.integers(0, 4)) == 0 for _ in steps]
    loops = [data.draw(st.booleans()) for _ in steps]
    names = [data.draw(st.integers(0, 3)) == 0 for _ in steps]
    submodels = [data.draw(st.sampled_from([0, 0, 0, 0, 2, 3])) for _ in steps]
    imports = data.draw(st.integers(0, len(IMPORTS) - 1))
    agrees(chain, render(chain.program, "functional", helpers, loops, model=not chain.rejected, names=names,
                         submodels=submodels, imports=imports))


@QUIET
@SETTINGS
@given(st.data())
def test_sequential_chains(data):
    """Linear chains as ``Sequential([...])`` or ``model.add`` (a repeated layer sometimes in a loop)."""
    chain = draw_chain(data.draw, max_steps=6, merges=False)
    assume(not chain.inconsistent)  # Keras's shape on data differs from its symbolic one: no label
    steps = chain.program.steps
    if not chain.program.linear:  # a two-input attention call: only the functional API writes it
        mode = "functional"
    else:
        mode = data.draw(st.sampled_from(["sequential", "add"]))
    loops = [data.draw(st.booleans()) for _ in steps]
    names = [data.draw(st.integers(0, 3)) == 0 for _ in steps]
    imports = data.draw(st.integers(0, len(IMPORTS) - 1))
    agrees(chain, render(chain.program, mode, [False] * len(steps), loops, model=not chain.rejected, names=names,
                         imports=imports))
