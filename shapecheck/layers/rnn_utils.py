"""What the recurrent rules share: cell state sizes, initial-state checks, the RNN output list.

Mirrors ``keras/src/layers/rnn/rnn.py`` (``compute_output_shape`` and what ``call``
does with ``initial_state``) on :mod:`shapecheck.core.dims` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from ..core import dims
from ..core.dims import Dim
from ..core.findings import AXIS_MISMATCH, INCOMPATIBLE_SHAPES, INPUT_COUNT, INVALID_ARGUMENT, ShapeError
from ..core.ir import UNKNOWN, LayerRef
from ..core.rules import Call, T, Unknowable
from ..core.shapes import Shape, TensorType, show_shape

#: cell class -> number of states it carries (each of width ``units``)
CELL_STATES = {"SimpleRNNCell": 1, "GRUCell": 1, "LSTMCell": 2}

#: layers built on ``RNN``: they carry a ``state_size`` and a ``go_backwards`` argument
RECURRENT_LAYERS = frozenset({"RNN", "SimpleRNN", "LSTM", "GRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"})

#: a cell's ``state_size``: an int (a single state) or a list (LSTM's ``[h, c]``, stacked cells' nesting)
StateSize = Union[Dim, list]


@dataclass(frozen=True)
class CellInfo:
    """What ``RNN`` reads from its cell: ``state_size`` and ``output_size``."""

    state_size: StateSize
    output_size: Dim


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_units(v: Any) -> None:
    """The cells' constructor check: ``units`` must be a positive integer."""
    if is_int(v) and v <= 0:
        raise ShapeError(INVALID_ARGUMENT, "Received an invalid value for argument `units`, expected a positive "
                         f"integer, got {v}.")


def cell_info(cell: Any) -> CellInfo:
    """The state and output sizes of a cell given as a :class:`LayerRef` (or a list of them)."""
    if isinstance(cell, (list, tuple)):
        return stacked_info(list(cell))
    if cell is UNKNOWN:
        raise Unknowable()
    if not isinstance(cell, LayerRef):
        raise ShapeError(INVALID_ARGUMENT, f"All cells must have a `call` method. Received cell without a `call` "
                         f"method: {cell!r}")
    if cell.class_name == "StackedRNNCells":
        cells = cell.config.get("cells", UNKNOWN)
        if not isinstance(cells, (list, tuple)):
            raise Unknowable()
        return stacked_info(list(cells))
    n = CELL_STATES.get(cell.class_name)
    if n is None:
        from ..core.rules import LAYERS

        # Recurrent layers carry a `state_size` too (what they do as cells is not followed).
        if cell.class_name in LAYERS and cell.class_name not in RECURRENT_LAYERS:
            # A Keras layer that is not a cell: it has no `state_size`.
            raise ShapeError(INVALID_ARGUMENT, "The RNN cell should have a `state_size` attribute (single integer "
                             "or list of integers, one integer per RNN state). "
                             f"Received: cell=<{cell.class_name}>")
        raise Unknowable()
    units = cell.config.get("units", cell.config.get(0, UNKNOWN))
    check_units(units)
    size: Dim = units if is_int(units) else dims.unknown()
    return CellInfo(size if n == 1 else [size] * n, size)


def stacked_info(cells: list) -> CellInfo:
    if not cells:
        # StackedRNNCells([]) has no last cell to take the output size from.
        raise ShapeError(INVALID_ARGUMENT, "An RNN needs at least one cell: `StackedRNNCells` received an empty "
                         "list of cells.")
    infos = [cell_info(c) for c in cells]
    return CellInfo([i.state_size for i in infos], infos[-1].output_size)


def flat_sizes(state_size: StateSize) -> list[Dim]:
    if isinstance(state_size, list):
        return [d for s in state_size for d in flat_sizes(s)]
    return [state_size]


def rnn_state_list(state_size: StateSize) -> list[StateSize]:
    """``RNN.state_size``: a list even for a single state."""
    return list(state_size) if isinstance(state_size, list) else [state_size]


def _tensor(v: Any) -> Any:
    # `engine.infer` converts only top-level example markers; a list of them arrives as is.
    if isinstance(v, T):
        return TensorType(None if v.shape is None else tuple(v.shape), v.dtype)
    return v


def initial_states(call: Call) -> Optional[list[TensorType]]:
    """The ``initial_state`` call argument as a flat list, or ``None`` when absent or not followed."""
    v = _tensor(call.arg(1, "initial_state", None))
    if v is None or v is UNKNOWN:
        return None
    if isinstance(v, TensorType):
        return [v]
    if isinstance(v, (list, tuple)):
        flat: list[TensorType] = []
        for x in map(_tensor, v):
            if isinstance(x, (list, tuple)):
                return None  # nested states (stacked cells): not followed
            if not isinstance(x, TensorType):
                return None
            flat.append(x)
        return flat
    return None


def check_initial_states(call: Call, expected: list[Shape], what: str, channel_axis: int = -1,
                         vectors: bool = True, time: Dim = None) -> None:
    """Initial states must fit the cell's states; missing states fail in ``call``.

    The first state (``h``) meets the recurrent kernel, so its channel axis must equal the
    state size; every other axis only has to broadcast with the state, since the step adds
    and multiplies it elementwise (Keras accepts a state of batch 1, or an ``(units,)`` vector
    unless ``vectors`` is false: ``GRU`` splits its state along axis 1). A wider state of a
    one-unit cell widens ``h`` too, which the kernel refuses from the second step on.
    """
    states = initial_states(call)
    if states is None:
        return
    if len(states) < len(expected):
        raise ShapeError(INPUT_COUNT, f"Layer \"{call.name}\" expects {len(expected)} initial state(s) "
                         f"({what}), but it received {len(states)}: list index out of range.")
    for i, (state, want) in enumerate(zip(states, expected)):
        got = state.shape
        if got is None or not got or len(got) > len(want):
            continue  # extra axes may broadcast: not followed
        # A state of lower rank broadcasts from the last axis, so its width is its last axis.
        width = got[channel_axis] if len(got) == len(want) else got[-1]
        size = want[channel_axis] if len(got) == len(want) else want[-1]
        if i == 0 and dims.differs(width, size):
            raise ShapeError(AXIS_MISMATCH, _state_message(call, i, got, want))
        if len(got) < len(want) and not vectors and len(got) == 1 and len(want) == 2:
            raise ShapeError(INCOMPATIBLE_SHAPES, _state_message(call, i, got, want))
        # Aligned from the last axis, as broadcasting aligns them.
        if any(dims.differs(a, b) and 1 not in (a, b) for a, b in zip(reversed(got), reversed(want))):
            raise ShapeError(INCOMPATIBLE_SHAPES, _state_message(call, i, got, want))
        if size == 1 and dims.is_known(width) and width > 1 and dims.is_known(time) and time >= 2:
            raise ShapeError(INCOMPATIBLE_SHAPES, _state_message(call, i, got, want))


def _state_message(call: Call, i: int, got: Shape, want: Shape) -> str:
    return (f"Layer \"{call.name}\": initial state {i} must have shape {show_shape(want)} (batch size, state "
            f"size), but received shape {show_shape(got)}; the recurrent step fails when data flows.")


def check_time_axis(shape: Shape, name: str) -> None:
    """An empty time axis builds, but the recurrent loop fails as soon as data flows."""
    if shape[1] == 0:
        raise ShapeError(INVALID_ARGUMENT, f"Layer \"{name}\" received input with shape {show_shape(shape)}: "
                         "the time axis (axis 1) is empty, and the recurrent loop cannot run on zero timesteps.")


def check_stateful(call: Call, shape: Shape) -> None:
    # Checked in `build`, which a layer called before does not run again.
    if call.get("stateful") is True and shape[0] is None and not call.built:
        raise ShapeError(INVALID_ARGUMENT, "When using `stateful=True` in a RNN, the batch size must be static. "
                         f"Found dynamic batch size: sequence.shape={show_shape(shape)}")


def check_time_major(call: Call, layer: str) -> None:
    """Keras 3 recurrent layers have no ``time_major``: an unrecognised keyword."""
    if "time_major" in call.config:
        raise ShapeError(INVALID_ARGUMENT, f"Unrecognized keyword arguments passed to {layer}: "
                         f"{{'time_major': {call.config['time_major']!r}}}")


def sequence_outputs(call: Call, batch: Dim, time: Dim, step_output: Shape,
                     states: list) -> list:
    """``RNN.compute_output_shape``: the output, then the states (flattened) with ``return_state``."""
    out: Shape = (batch, time, *step_output) if call.get("return_sequences") is True else (batch, *step_output)
    outputs = [TensorType(out)]
    if call.get("return_state") is True:
        outputs += [TensorType(s) for s in states]
    elif call.get("return_state") is UNKNOWN:
        raise Unknowable()
    if call.get("return_sequences") is UNKNOWN:
        raise Unknowable()
    return outputs
