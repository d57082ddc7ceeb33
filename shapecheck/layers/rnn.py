"""Rules for ``keras/src/layers/rnn``: recurrent layers, their cells and wrappers.

A recurrent layer maps ``(batch, timesteps, features)`` to ``(batch, units)`` (or
``(batch, timesteps, units)`` with ``return_sequences``), followed by its final states
with ``return_state``; the kernel, once built, fixes the feature axis.  ``Bidirectional``
runs a forward and a backward copy and merges them; ``TimeDistributed`` applies a layer
to every timestep; ``ConvLSTM1D/2D/3D`` carry convolutional states.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..core import dims
from ..core.findings import AXIS_MISMATCH, INCOMPATIBLE_SHAPES, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.ir import UNKNOWN, LayerRef
from ..core.rules import (
    FLOATING, LAYERS, NUMERIC, T, Call, Example, InputSpec, LayerRule, Unknowable, known_int, register,
)
from ..core.shapes import Shape, TensorType, broadcast, show_shape
from . import conv_utils as cu
from . import rnn_utils as ru


def _features(call: Call, shape: Shape) -> None:
    if shape[-1] is None and not call.built:
        # Keras cannot create the kernel without the feature axis.
        raise ShapeError(AXIS_MISMATCH, f'Layer "{call.name}" needs a known feature axis to create its kernel, but '
                         f"received input with shape {show_shape(shape)}: shapes used to initialize variables must "
                         "be fully-defined (no `None` dimensions).")


def _sequence_checks(call: Call, shape: Shape, states: list[Shape], what: str, channel_axis: int = -1,
                     vectors: bool = True) -> None:
    """What ``RNN.build`` and ``RNN.call`` check beyond the input spec."""
    ru.check_stateful(call, shape)
    ru.check_time_axis(shape, call.name)
    ru.check_initial_states(call, states, what, channel_axis, vectors, shape[1])


def _integer_units(call: Call, name: str, features: Any) -> None:
    """``LSTM(64 / 2)``: a float ``units`` fails when the weights are made, in either Keras."""
    units = call.get("units")
    if not isinstance(units, float):
        return
    if call.keras_version < 3:
        value = units * 3 if name == "GRU" else units
        raise ShapeError(INVALID_ARGUMENT, "Dimension value must be integer or None or have an __index__ method, got "
                         f"value '{value}' with type '<class 'float'>'")
    if name == "LSTM":
        raise ShapeError(INVALID_ARGUMENT, f"Cannot convert '({dims.show(features)}, {units * 4})' to a shape. Found "
                         f"invalid dimension '{units * 4}' of type '<class 'float'>'.")
    raise ShapeError(INVALID_ARGUMENT, "state_size must be an integer, or a list/tuple of integers (one for each "
                     "state tensor).")


#: the number of gates of each cell: kernels ``(features, gates * units)``, ``(units, gates * units)``
_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def cell_weights(call: Call, kind: str, features: Any) -> tuple[int, int]:
    """The ``kernel``, ``recurrent_kernel`` and ``bias`` (``use_bias``) of a SimpleRNN, LSTM or GRU
    cell on ``features`` inputs; GRU's bias is ``(2, 3 * units)`` with ``reset_after`` (the default)."""
    units, features = known_int(call.known("units")), known_int(features)
    gates = _GATES[kind]
    bias = gates * units if call.flag("use_bias", True) else 0
    if kind == "GRU" and call.flag("reset_after", True):
        bias *= 2
    return ((features + units) * gates * units + bias, 0)


def _cell_chain(call: Call, cells: list, features: Any) -> tuple[int, int]:
    """The cells of a stack, each built on the previous one's output width."""
    trained = frozen = 0
    for cell in cells:
        t, f = call.sublayer_params(cell, TensorType((None, features)))
        trained, frozen = trained + t, frozen + f
        features = ru.cell_info(cell).output_size
    return (trained, frozen)


class _Recurrent(LayerRule):
    """``SimpleRNN``, ``LSTM``, ``GRU``: an ``RNN`` over their own cell (not registered itself)."""

    cell_states: ClassVar[int] = 1
    spec = InputSpec(ndim=3)
    defaults = {"return_sequences": False, "return_state": False, "stateful": False}

    def check_config(self, call: Call) -> None:
        ru.check_units(call.get("units"))
        ru.check_time_major(call, self.names[0])
        cudnn = call.get("use_cudnn")
        if self.names[0] in ("LSTM", "GRU") and "use_cudnn" in call.config and cudnn is not UNKNOWN \
                and cudnn not in ("auto", True, False):
            raise ShapeError(INVALID_ARGUMENT, "Invalid valid received for argument `use_cudnn`. Expected one of "
                             f"{{'auto', True, False}}. Received: use_cudnn={cudnn}")

    def output(self, call: Call) -> list:
        shape = call.shape
        _features(call, shape)
        _integer_units(call, self.names[0], shape[-1])
        units = call.dim("units")
        states = [(shape[0], units)] * self.cell_states
        _sequence_checks(call, shape, states, "(batch_size, units) each", vectors=self.names[0] != "GRU")
        return ru.sequence_outputs(call, shape[0], shape[1], (units,), states)

    def built_spec(self, call: Call) -> InputSpec:
        return InputSpec.fixed({-1: call.shape[-1]}, ndim=3)

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        return cell_weights(call, self.names[0], call.shape[-1])


@register
class SimpleRNN(_Recurrent):
    """Fully-connected RNN: ``(batch, time, features)`` -> ``(batch, units)``, one state."""

    accepts = NUMERIC
    accepts_sparse = False
    accepts_ragged = False
    names = ("SimpleRNN",)
    params = ("units", "activation", "use_bias")
    examples = (
        Example({"units": 4}, (None, 5, 3), (None, 4)),
        Example({"units": 4, "return_sequences": True, "return_state": True}, (None, 5, 3),
                [(None, 5, 4), (None, 4)]),
        Example({"units": 4}, (None, 5, 3), (None, 4), call_kwargs={"initial_state": T((None, 4))}),
        Example({"units": 4}, (None, 5), "rank-mismatch"),
        Example({"units": 4}, (None, 5, None), "axis-mismatch"),
        Example({"units": 0}, (None, 5, 3), "invalid-argument"),
        Example({"units": 4, "time_major": True}, (None, 5, 3), "invalid-argument"),
        Example({"units": 4, "stateful": True}, (None, 5, 3), "invalid-argument"),
        Example({"units": 4}, (None, 0, 3), "invalid-argument"),
        Example({"units": 4}, (None, 5, 3), "axis-mismatch", call_kwargs={"initial_state": T((None, 5))}),
    )


@register
class LSTM(_Recurrent):
    """Long short-term memory: ``(batch, time, features)`` -> ``(batch, units)``; states ``[h, c]``."""

    accepts = NUMERIC
    accepts_sparse = False
    accepts_ragged = False
    names = ("LSTM",)
    params = ("units", "activation", "recurrent_activation", "use_bias")
    cell_states = 2
    examples = (
        Example({"units": 32.0}, (None, 8, 4), "invalid-argument"),
        Example({"units": 4}, (None, 5, 3), (None, 4)),
        Example({"units": 4, "return_sequences": True}, (None, None, 3), (None, None, 4)),
        Example({"units": 4, "return_state": True}, (None, 5, 3), [(None, 4), (None, 4), (None, 4)]),
        Example({"units": 4, "stateful": True}, (2, 5, 3), (2, 4)),
        Example({"units": 4}, (None, 5, 3), (None, 4), call_kwargs={"initial_state": [T((None, 4)), T((None, 4))]}),
        Example({"units": 4}, (None, 5, 3, 1), "rank-mismatch"),
        Example({"units": 4}, (None, 5, None), "axis-mismatch"),
        Example({"units": 4, "stateful": True}, (None, 5, 3), "invalid-argument"),
        Example({"units": 4, "use_cudnn": "yes"}, (None, 5, 3), "invalid-argument"),
        Example({"units": 4}, (None, 5, 3), "input-count", call_kwargs={"initial_state": [T((None, 4))]}),
        Example({"units": 4}, (None, 5, 3), "incompatible-shapes",
                call_kwargs={"initial_state": [T((None, 4)), T((None, 3))]}),
        Example({"units": 4}, (3, 5, 3), "incompatible-shapes",
                call_kwargs={"initial_state": [T((2, 4)), T((2, 4))]}),
        Example({"units": 4}, (3, 5, 3), (3, 4), call_kwargs={"initial_state": [T((1, 4)), T((4,))]}),
    )


@register
class GRU(_Recurrent):
    """Gated recurrent unit: ``(batch, time, features)`` -> ``(batch, units)``, one state."""

    accepts = NUMERIC
    accepts_sparse = False
    accepts_ragged = False
    names = ("GRU",)
    params = ("units", "activation", "recurrent_activation", "use_bias")
    examples = (
        Example({"units": 4.5}, (None, 8, 4), "invalid-argument"),
        Example({"units": 4}, (None, 5, 3), (None, 4)),
        Example({"units": 4, "return_state": True, "reset_after": False}, (None, 5, 3), [(None, 4), (None, 4)]),
        Example({"units": 4, "go_backwards": True, "return_sequences": True}, (8, 5, 3), (8, 5, 4)),
        Example({"units": 4}, (None, 5), "rank-mismatch"),
        Example({"units": 4}, (None, 5, None), "axis-mismatch"),
        Example({"units": -1}, (None, 5, 3), "invalid-argument"),
        Example({"units": 4}, (None, 5, 3), "axis-mismatch", call_kwargs={"initial_state": T((3,))}),
    )


@register
class RNN(LayerRule):
    """A recurrent layer over a cell (or a list of cells, stacked): the output has the last cell's size."""

    names = ("RNN",)
    params = ("cell", "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
              "zero_output_for_mask")
    defaults = {"return_sequences": False, "return_state": False, "stateful": False}
    examples = (
        Example({"cell": LayerRef("LSTMCell", {"units": 4})}, (None, 5, 3), (None, 4)),
        Example({"cell": LayerRef("GRUCell", {"units": 4}), "return_state": True}, (None, 5, 3),
                [(None, 4), (None, 4)]),
        Example({"cell": LayerRef("SimpleRNNCell", {"units": 2}), "return_sequences": True}, (None, None, 3),
                (None, None, 2)),
        Example({"cell": LayerRef("LSTMCell", {"units": 4})}, (None, 5), "rank-mismatch"),
        Example({"cell": LayerRef("LSTMCell", {"units": 4})}, (None, 5, None), "axis-mismatch"),
        Example({"cell": LayerRef("Dense", {"units": 4})}, (None, 5, 3), "invalid-argument"),
        Example({"cell": LayerRef("StackedRNNCells", {"cells": []})}, (None, 5, 3), "invalid-argument"),
        Example({"cell": LayerRef("LSTMCell", {"units": 4}), "stateful": True}, (None, 5, 3), "invalid-argument"),
        Example({"cell": LayerRef("GRUCell", {"units": 4})}, (None, 5, 3), "axis-mismatch",
                call_kwargs={"initial_state": T((None, 3))}),
    )

    def check_config(self, call: Call) -> None:
        ru.check_time_major(call, "RNN")
        cell = call.get("cell")
        if cell is not UNKNOWN:
            ru.cell_info(cell)

    def output(self, call: Call) -> list:
        shape = call.shape
        if len(shape) < 3:
            raise ShapeError(RANK_MISMATCH, f'Layer "{call.name}" expects input of shape (batch_size, timesteps, '
                             f"features) (ndim>=3), but received input with shape {show_shape(shape)}: the cell's "
                             "kernel cannot be created.")
        if len(shape) > 3:
            raise Unknowable()  # the cell's broadcasting over extra axes is not followed
        _features(call, shape)
        info = ru.cell_info(call.known("cell"))
        batch = shape[0]
        states = [(batch, s) for s in ru.flat_sizes(info.state_size)]
        nested = any(isinstance(s, list) for s in ru.rnn_state_list(info.state_size))
        if nested and ru.initial_states(call) is not None:
            raise Unknowable()  # nested initial states of stacked cells: not followed
        cell = call.get("cell")
        gru = isinstance(cell, LayerRef) and cell.class_name == "GRUCell"
        _sequence_checks(call, shape, states, "(batch_size, state_size) each", vectors=not gru)
        return ru.sequence_outputs(call, batch, shape[1], (info.output_size,), states)

    def built_spec(self, call: Call) -> InputSpec:
        return InputSpec.fixed({-1: call.shape[-1]}, ndim=3)

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """The cell's weights (a list of cells stacks them), built on one timestep."""
        cell = call.known("cell")
        return _cell_chain(call, list(cell) if isinstance(cell, (list, tuple)) else [cell], call.shape[-1])

    def structure(self, call: Call) -> Any:
        """Stacked cells with several states each return ``[output, [h1, c1], [h2, c2]]``."""
        if not call.get("return_state"):
            return None
        states = ru.rnn_state_list(ru.cell_info(call.known("cell")).state_size)
        if not any(isinstance(s, list) for s in states):
            return None
        out: list = [0]
        i = 1
        for s in states:
            n = len(ru.flat_sizes(s))
            out.append(list(range(i, i + n)) if isinstance(s, list) else i)
            i += n
        return out


class _Cell(LayerRule):
    """One step of a recurrent layer, called as ``cell(inputs, states)`` (not registered itself)."""

    params = ("units",)

    def check_config(self, call: Call) -> None:
        ru.check_units(call.get("units"))

    def output(self, call: Call) -> list:
        shape = call.shape
        _features(call, shape)
        state = call.arg(1, "states", None)
        if not isinstance(state, TensorType):
            raise Unknowable()  # a list of states comes back nested: not followed
        h = call.input.with_shape(shape[:-1] + (call.dim("units"),))
        return [h, h]

    def built_spec(self, call: Call) -> InputSpec:
        return InputSpec.fixed({-1: call.shape[-1]}, min_ndim=2)

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        return cell_weights(call, self.names[0][:-len("Cell")], call.shape[-1])


@register
class SimpleRNNCell(_Cell):
    """One ``SimpleRNN`` step: ``(batch, features)`` and state ``(batch, units)`` -> output and new state."""

    names = ("SimpleRNNCell",)
    params = ("units", "activation", "use_bias")
    examples = (
        Example({"units": 4}, (None, 3), [(None, 4), (None, 4)], args=((None, 4),)),
        Example({"units": 4}, (None, None), "axis-mismatch", args=((None, 4),)),
        Example({"units": 0}, (None, 3), "invalid-argument", args=((None, 4),)),
    )


@register
class GRUCell(_Cell):
    """One ``GRU`` step: ``(batch, features)`` and state ``(batch, units)`` -> output and new state."""

    names = ("GRUCell",)
    params = ("units", "activation", "recurrent_activation", "use_bias")
    examples = (
        Example({"units": 4}, (None, 3), [(None, 4), (None, 4)], args=((None, 4),)),
        Example({"units": 0}, (None, 3), "invalid-argument", args=((None, 4),)),
    )


@register
class LSTMCell(_Cell):
    """One ``LSTM`` step; its states ``[h, c]`` come back nested, so only its config is checked."""

    names = ("LSTMCell",)
    params = ("units", "activation", "recurrent_activation", "use_bias")
    examples = (
        Example({"units": 0}, (None, 3), "invalid-argument", args=([(None, 4), (None, 4)],)),
    )

    def output(self, call: Call) -> list:
        _features(call, call.shape)
        raise Unknowable()


@register
class StackedRNNCells(LayerRule):
    """Cells applied one after another in one step; used inside ``RNN``, only its cells are checked."""

    names = ("StackedRNNCells",)
    params = ("cells",)
    examples = (
        Example({"cells": ["gru"]}, (None, 3), "invalid-argument", args=([(None, 2)],)),
    )

    def check_config(self, call: Call) -> None:
        cells = call.get("cells")
        if isinstance(cells, (list, tuple)) and cells:
            ru.stacked_info(list(cells))

    def output(self, call: Call) -> list:
        raise Unknowable()

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """Each cell's weights, built on the previous cell's output width."""
        cells = call.known("cells")
        if not isinstance(cells, (list, tuple)):
            raise Unknowable()
        return _cell_chain(call, list(cells), call.shape[-1])


_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _layer_arg(call: Call, key: str, wrapper: str, *, optional: bool = False) -> Any:
    """A wrapped layer argument: a :class:`LayerRef`, ``UNKNOWN``, or (optional) ``None``."""
    v = call.get(key)
    if v is UNKNOWN or isinstance(v, LayerRef) or (optional and v is None):
        return v
    if key == "backward_layer":
        raise ShapeError(INVALID_ARGUMENT, f"`backward_layer` need to be a `keras.layers.Layer` instance. "
                         f"Received: {v!r}")
    raise ShapeError(INVALID_ARGUMENT, f"Please initialize `{wrapper}` layer with a `keras.layers.Layer` instance. "
                     f"Received: {v!r}")


def _flag(layer: LayerRef, key: str) -> Any:
    return layer.config.get(key, False)


@register
class Bidirectional(LayerRule):
    """Runs a recurrent layer forwards and backwards and merges the two (``concat`` doubles the last axis)."""

    names = ("Bidirectional",)
    params = ("layer", "merge_mode", "weights", "backward_layer")
    defaults = {"merge_mode": "concat", "backward_layer": None}
    examples = (
        Example({"layer": LayerRef("LSTM", {"units": 4})}, (None, 5, 3), (None, 8)),
        Example({"layer": LayerRef("GRU", {"units": 4, "return_sequences": True}), "merge_mode": "sum"},
                (None, 5, 3), (None, 5, 4)),
        Example({"layer": LayerRef("LSTM", {"units": 4}), "merge_mode": None}, (None, 5, 3), [(None, 4), (None, 4)]),
        Example({"layer": LayerRef("LSTM", {"units": 4, "return_state": True})}, (None, 5, 3),
                [(None, 8), (None, 4), (None, 4), (None, 4), (None, 4)]),
        Example({"layer": LayerRef("LSTM", {"units": 4}),
                 "backward_layer": LayerRef("GRU", {"units": 4, "go_backwards": True})}, (None, 5, 3), (None, 8)),
        Example({"layer": LayerRef("ConvLSTM1D", {"filters": 2, "kernel_size": 3, "return_sequences": True}),
                 "merge_mode": "ave"}, (None, 4, 6, 3), (None, 4, 4, 2)),
        Example({"layer": LayerRef("LSTM", {"units": 4})}, (None, 5), "rank-mismatch"),
        Example({"layer": LayerRef("LSTM", {"units": 4}), "merge_mode": "max"}, (None, 5, 3), "invalid-argument"),
        Example({"layer": LayerRef("Dense", {"units": 4})}, (None, 5, 3), "invalid-argument"),
        Example({"layer": LayerRef("LSTM", {"units": 4, "go_backwards": True})}, (None, 5, 3), "invalid-argument"),
        Example({"layer": LayerRef("LSTM", {"units": 4}), "backward_layer": LayerRef("LSTM", {"units": 4})},
                (None, 5, 3), "invalid-argument"),
        Example({"layer": LayerRef("LSTM", {"units": 4}),
                 "backward_layer": LayerRef("LSTM", {"units": 4, "go_backwards": True, "return_sequences": True})},
                (None, 5, 3), "invalid-argument"),
        Example({"layer": LayerRef("LSTM", {"units": 4}), "merge_mode": "mul",
                 "backward_layer": LayerRef("LSTM", {"units": 5, "go_backwards": True})},
                (None, 5, 3), "incompatible-shapes"),
    )

    def check_config(self, call: Call) -> None:
        mode = call.get("merge_mode")
        if mode is not UNKNOWN and mode not in _MERGE_MODES:
            raise ShapeError(INVALID_ARGUMENT, f"Invalid merge mode. Received: {mode}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        forward = _layer_arg(call, "layer", "Bidirectional")
        backward = _layer_arg(call, "backward_layer", "Bidirectional", optional=True)
        known = isinstance(forward, LayerRef) and forward.class_name in LAYERS
        if known and forward.class_name not in ru.RECURRENT_LAYERS:
            # Keras recreates the layer from its config with `go_backwards=True`, which only RNNs accept.
            raise ShapeError(INVALID_ARGUMENT, f"`Bidirectional` wraps a recurrent layer; {forward.class_name} has "
                             "no `go_backwards` argument and cannot be run backwards.")
        if isinstance(forward, LayerRef) and isinstance(backward, LayerRef):
            self._same_flags(forward, backward)
        elif known and backward is None and _flag(forward, "go_backwards") is True:
            # The backward copy is made with go_backwards=True: both would run backwards.
            raise ShapeError(INVALID_ARGUMENT, "Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards True, "
                             "backward_layer.go_backwards=True")

    @staticmethod
    def _same_flags(forward: LayerRef, backward: LayerRef) -> None:
        fb, bb = _flag(forward, "go_backwards"), _flag(backward, "go_backwards")
        if UNKNOWN not in (fb, bb) and bool(fb) == bool(bb):
            raise ShapeError(INVALID_ARGUMENT, "Forward layer and backward layer should have different "
                             f"`go_backwards` value. Received: forward_layer.go_backwards {fb}, "
                             f"backward_layer.go_backwards={bb}")
        for a in ("stateful", "return_sequences", "return_state"):
            fv, bv = _flag(forward, a), _flag(backward, a)
            if UNKNOWN not in (fv, bv) and fv != bv:
                raise ShapeError(INVALID_ARGUMENT, "Forward layer and backward layer are expected to have the same "
                                 f'value for attribute "{a}", got "{fv}" for forward layer and "{bv}" for backward '
                                 "layer")

    def output(self, call: Call) -> list:
        forward = call.known("layer")
        backward = call.get("backward_layer")
        mode = call.known("merge_mode")
        fw_state, bw_state = self._split_states(call)
        fw = call.apply(forward, call.input, **fw_state)
        if isinstance(backward, LayerRef):
            bw = call.apply(backward, call.input, **bw_state)
            self._check_merge(mode, fw[0], bw[0])
        elif bw_state:
            call.apply(forward, call.input, **bw_state)
        out, states = fw[0], list(fw[1:])
        if out.shape is None:
            raise Unknowable()
        if mode == "concat":
            merged = [out.with_shape(out.shape[:-1] + (dims.mul(out.shape[-1], 2),))]
        elif mode is None:
            merged = [out, out]
        else:
            merged = [out]
        return merged + states + states

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """The forward layer's weights and the backward layer's (a copy of the forward one by default)."""
        forward = call.known("layer")
        backward = call.get("backward_layer")
        fw = call.sublayer_params(forward, call.input)
        bw = call.sublayer_params(backward, call.input) if backward is not None else fw
        return (fw[0] + bw[0], fw[1] + bw[1])

    @staticmethod
    def _split_states(call: Call) -> tuple[dict, dict]:
        """Keras gives the first half of ``initial_state`` to the forward layer, the rest to the backward one."""
        states = ru.initial_states(call)
        if not states:
            return {}, {}
        half = len(states) // 2
        return {"initial_state": states[:half]}, {"initial_state": states[half:]}

    @staticmethod
    def _check_merge(mode: Any, a: TensorType, b: TensorType) -> None:
        if a.shape is None or b.shape is None or mode in ("concat", None):
            return
        if len(a.shape) == len(b.shape) and broadcast(a.shape, b.shape) is None:
            raise ShapeError(INCOMPATIBLE_SHAPES, f"Cannot merge the forward output {show_shape(a.shape)} and the "
                             f"backward output {show_shape(b.shape)} with merge_mode={mode!r}: the shapes are "
                             "incompatible when data flows.")


@register
class TimeDistributed(LayerRule):
    """Applies a layer to every timestep: ``(batch, time, *rest)`` -> ``(batch, time, *layer(rest))``."""

    names = ("TimeDistributed",)
    params = ("layer",)
    examples = (
        Example({"layer": LayerRef("Dense", {"units": 4})}, (None, 5, 3), (None, 5, 4)),
        Example({"layer": LayerRef("Conv2D", {"filters": 4, "kernel_size": 3})}, (None, None, 8, 8, 3),
                (None, None, 6, 6, 4)),
        Example({"layer": LayerRef("Flatten", {})}, (2, 5, 8, 3), (2, 5, 24)),
        Example({"layer": LayerRef("Dense", {"units": 4})}, (None, 5), "rank-mismatch"),
        Example({"layer": LayerRef("Conv2D", {"filters": 4, "kernel_size": 3})}, (None, 5, 8, 3), "rank-mismatch"),
        Example({"layer": LayerRef("Conv2D", {"filters": 4, "kernel_size": 3})}, (None, 5, 2, 8, 3),
                "negative-dimension"),
        Example({"layer": "dense"}, (None, 5, 3), "invalid-argument"),
        Example({"layer": LayerRef("Dense", {"units": 4})}, (3, 0, 3), "invalid-argument"),
    )

    def check_config(self, call: Call) -> None:
        _layer_arg(call, "layer", "TimeDistributed")

    def output(self, call: Call) -> TensorType:
        shape = call.shape
        if len(shape) < 3:
            raise ShapeError(RANK_MISMATCH, "`TimeDistributed` Layer should be passed an `input_shape` with at least "
                             f"3 dimensions, received: {show_shape(shape)}")
        inner = call.apply(call.known("layer"), call.input.with_shape((shape[0], *shape[2:])))
        if len(inner) != 1 or inner[0].shape is None or len(inner[0].shape) < 1:
            raise Unknowable()
        if shape[1] == 0:
            raise ShapeError(INVALID_ARGUMENT, f"`TimeDistributed` received input with shape {show_shape(shape)}: "
                             "there are no timesteps to apply the layer to, and stacking their outputs fails when "
                             "data flows.")
        child = inner[0].shape
        return inner[0].with_shape((child[0], shape[1], *child[1:]))

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """The wrapped layer's weights, built on one timestep ``(batch, *shape[2:])``."""
        shape = call.shape
        return call.sublayer_params(call.known("layer"), call.input.with_shape((shape[0], *shape[2:])))


class _ConvLSTM(LayerRule):
    """``ConvLSTM1D/2D/3D``: an LSTM whose steps are convolutions (not registered itself)."""

    rank: ClassVar[int] = 2
    params = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate")
    defaults = {"strides": 1, "padding": "valid", "data_format": None, "dilation_rate": 1,
                "return_sequences": False, "return_state": False, "stateful": False}

    def input_spec(self, call: Call) -> InputSpec:
        return InputSpec(ndim=self.rank + 3)

    def geometry(self, call: Call) -> tuple:
        kernel = cu.standardize_tuple(call, "kernel_size", self.rank)
        strides = cu.standardize_tuple(call, "strides", self.rank, allow_zero=True)
        padding = cu.standardize_padding(call)
        dilation = cu.standardize_tuple(call, "dilation_rate", self.rank)
        if any(dims.is_known(s) and s > 1 for s in strides) and any(dims.is_known(d) and d > 1 for d in dilation):
            raise ShapeError(INVALID_ARGUMENT, "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. "
                             "Please provide `strides=1` or `dilation_rate=1`. Received: "
                             f"strides={cu.show_tuple(strides)} and dilation_rate={cu.show_tuple(dilation)}")
        return kernel, strides, padding, dilation

    def check_config(self, call: Call) -> None:
        self.geometry(call)
        cu.data_format(call)
        ru.check_time_major(call, self.names[0])

    def output(self, call: Call) -> list:
        shape = call.shape
        fmt = cu.data_format(call)
        step = (shape[0], *shape[2:])
        space = cu.spatial(step, fmt)
        if any(d is None for d in space) and not call.built:
            raise ShapeError(INVALID_ARGUMENT, "ConvLSTM layers only support static input shapes for the spatial "
                             f"dimension. Received invalid input shape: input_shape={show_shape(step)}")
        channels = step[cu.channel_axis(fmt)]
        if channels is None and not call.built:
            raise ShapeError(AXIS_MISMATCH, "The channel dimension of the inputs (last axis) should be defined. "
                             f"Found None. Full input shape received: input_shape={show_shape(step)}")
        kernel, strides, padding, dilation = self.geometry(call)
        out_space = tuple(cu.conv_output_length(n, k, s, padding, d)
                          for n, k, s, d in zip(space, kernel, strides, dilation))
        filters = call.dim("filters")
        kernel_shape = cu.show_tuple((*kernel, channels, filters))
        cu.check_positive_lengths(out_space, f"`inputs shape={show_shape(step)}`, `kernel shape={kernel_shape}`, "
                                  f"`dilation_rate={cu.show_tuple(dilation)}`, `strides={cu.show_tuple(strides)}`, "
                                  f"`padding={padding}`")
        state = cu.assemble(shape[0], out_space, filters, fmt)
        _sequence_checks(call, shape, [state, state], f"{show_shape(state)} each", cu.channel_axis(fmt))
        return ru.sequence_outputs(call, shape[0], shape[1], state[1:], [state, state])

    keras2_weights = True

    def weights(self, call: Call) -> tuple[int, int]:
        """``kernel (*kernel_size, channels, 4 * filters)``, ``recurrent_kernel (*kernel_size, filters,
        4 * filters)`` and ``bias (4 * filters,)`` (``use_bias``)."""
        step = call.shape[:1] + call.shape[2:]
        channels = known_int(step[cu.channel_axis(cu.data_format(call))])
        filters = known_int(call.known("filters"))
        window = 1
        for k in cu.standardize_tuple(call, "kernel_size", self.rank):
            window *= known_int(k)
        bias = 4 * filters if call.flag("use_bias", True) else 0
        return (window * (channels + filters) * 4 * filters + bias, 0)

    def built_spec(self, call: Call) -> InputSpec:
        # The kernel fixes the channels, the zero initial states the spatial axes.
        shape = call.shape
        return InputSpec.fixed({i: shape[i] for i in range(2, len(shape))}, ndim=self.rank + 3)


@register
class ConvLSTM1D(_ConvLSTM):
    """1D convolutional LSTM: ``(batch, time, steps, channels)`` -> ``(batch, new_steps, filters)``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("ConvLSTM1D",)
    rank = 1
    examples = (
        Example({"filters": 4, "kernel_size": 3}, (None, 5, 8, 3), (None, 6, 4)),
        Example({"filters": 4, "kernel_size": 3, "padding": "same", "return_sequences": True}, (None, 5, 8, 3),
                (None, 5, 8, 4)),
        Example({"filters": 4, "kernel_size": 3, "padding": "causal"}, (None, 5, 8, 3), "invalid-argument"),
        Example({"filters": 4, "kernel_size": 3}, (None, 5, 8), "rank-mismatch"),
        Example({"filters": 4, "kernel_size": 9}, (None, 5, 8, 3), "negative-dimension"),
    )


@register
class ConvLSTM2D(_ConvLSTM):
    """2D convolutional LSTM: ``(batch, time, rows, cols, channels)`` -> ``(batch, new_rows, new_cols, filters)``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("ConvLSTM2D",)
    rank = 2
    examples = (
        Example({"filters": 4, "kernel_size": 3}, (None, 5, 8, 8, 3), (None, 6, 6, 4)),
        Example({"filters": 4, "kernel_size": 3, "padding": "same", "strides": 2, "return_state": True},
                (None, 5, 8, 8, 3), [(None, 4, 4, 4), (None, 4, 4, 4), (None, 4, 4, 4)]),
        Example({"filters": 4, "kernel_size": 3, "data_format": "channels_first", "return_sequences": True},
                (None, 5, 3, 8, 8), (None, 5, 4, 6, 6)),
        Example({"filters": 4, "kernel_size": 3}, (None, 5, 8, 8, 3), (None, 6, 6, 4),
                call_kwargs={"initial_state": [T((None, 6, 6, 4)), T((None, 6, 6, 4))]}),
        Example({"filters": 4, "kernel_size": 3}, (None, 5, None, 8, 3), "invalid-argument"),
        Example({"filters": 4, "kernel_size": 3}, (None, 5, 8, 8, None), "axis-mismatch"),
        Example({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, (None, 5, 8, 8, 3),
                "invalid-argument"),
        Example({"filters": 4, "kernel_size": 3, "stateful": True}, (None, 5, 8, 8, 3), "invalid-argument"),
        Example({"filters": 4, "kernel_size": 3}, (None, 5, 8, 8, 3), "incompatible-shapes",
                call_kwargs={"initial_state": [T((None, 8, 8, 4)), T((None, 8, 8, 4))]}),
    )


@register
class ConvLSTM3D(_ConvLSTM):
    """3D convolutional LSTM: ``(batch, time, d1, d2, d3, channels)`` -> ``(batch, n1, n2, n3, filters)``."""

    accepts = FLOATING
    accepts_sparse = False
    accepts_ragged = False
    names = ("ConvLSTM3D",)
    rank = 3
    examples = (
        Example({"filters": 2, "kernel_size": 2}, (None, 3, 4, 4, 4, 3), (None, 3, 3, 3, 2)),
        Example({"filters": 2, "kernel_size": 2}, (None, 3, 4, 4, 3), "rank-mismatch"),
        Example({"filters": 2, "kernel_size": (2, 2)}, (None, 3, 4, 4, 4, 3), "invalid-argument"),
    )
