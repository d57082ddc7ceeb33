"""``compile``, ``fit``, ``evaluate``, ``predict``: the data against the model.

Keras checks data only once it flows: ``fit`` slices the arrays into batches, runs the model
on the first one (``Functional`` adds or drops a trailing axis of size 1, then checks each
input's shape), and computes each output's loss against its targets. This module does the
same with shapes: the data's (followed by :mod:`.data`), the model's inputs and outputs, and
the compiled loss (``shapecheck.ops.losses``), and reports at the call, with where each
shape came from and the usual fix.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from ..core import dims
from ..core.findings import (
    CALL_SITE,
    DATA_SHAPE,
    DATA_STRUCTURE,
    INVALID_ARGUMENT,
    SAMPLE_COUNT,
    TARGET_SHAPE,
    Code,
    Finding,
    Note,
    ShapeError,
    Span,
)
from ..core.ir import UNKNOWN, Node, TensorRef
from ..core.rules import Unknowable
from ..core.shapes import TensorType, show_shape
from ..ops import losses as loss_rules
from . import names
from .data import arrays_in
from .values import Array, Dataset, FunctionValue, Instance, LossValue, ModelValue, QualName, Tensor

if TYPE_CHECKING:
    from .interpreter import Interpreter

#: the methods checked, and their positional parameters as Keras 3 declares them
METHODS: dict[str, tuple[str, ...]] = {
    "fit": ("x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data"),
    "evaluate": ("x", "y", "batch_size", "verbose", "sample_weight", "steps"),
    "predict": ("x", "batch_size", "verbose", "steps"),
    "train_on_batch": ("x", "y", "sample_weight", "class_weight"),
    "test_on_batch": ("x", "y", "sample_weight"),
    "predict_on_batch": ("x",),
    "__call__": ("x",),  # `model(x_array)`: the model run eagerly on data, as `predict_on_batch` does
}
_WHOLE = ("train_on_batch", "test_on_batch", "predict_on_batch", "__call__")
_DEFAULT_BATCH = 32
#: the batch of a target that is its own row count (``train_on_batch``: no count check)
_OWN: Any = object()
_SPARSE = ("keras.losses.sparse_categorical_crossentropy",)
_ONE_HOT = ("keras.losses.categorical_crossentropy", "keras.losses.categorical_focal_crossentropy")


class Training:
    """The interpreter's part for ``compile`` and the training methods."""

    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp
        #: the IR node of the method call being checked: what its findings replay
        self.at: Optional[int] = None

    # -- compile -------------------------------------------------------------
    def compile(self, model: Any, args: list, kwargs: dict, node: cst.CSTNode) -> None:
        loss = kwargs.get("loss", args[1] if len(args) > 1 else None)
        model.loss = self.loss_value(loss)
        self.follow_own_functions(model, [loss, kwargs.get("metrics"), kwargs.get("weighted_metrics")], node)

    def follow_own_functions(self, model: Any, given: list, node: cst.CSTNode) -> None:
        """The program's own loss and metric functions given to ``compile``, followed as Keras calls
        them once training starts: ``fn(y_true, y_pred)`` with each model output they apply to as
        ``y_pred`` (``y_true``, the targets' batch, unknown here), as code that may not run (see
        :meth:`~shapecheck.frontend.interpreter.Interpreter.follow_on_data`).  A function given for
        several outputs, or twice, is followed once per output; one given but never applied (an
        output it does not name) is left to the analysis of uncalled functions."""
        target = model.functional if isinstance(model, Instance) and model.functional is not None else model
        outputs = target.outputs if isinstance(target, ModelValue) else None
        if isinstance(outputs, dict):
            named = dict(outputs)
            flat: list = list(outputs.values())
        else:
            flat = list(outputs) if isinstance(outputs, list | tuple) else [outputs]
            named = {self.output_name(t): t for t in flat if isinstance(t, Tensor)}
        pairs: list[tuple[FunctionValue, Any, Any]] = []  # (function, the instance it is bound to, output)

        def spread(value: Any, applies_to: list, by_index: bool) -> None:
            method = _own_loss_or_metric(value)
            if isinstance(value, FunctionValue) or method is not None:
                pairs.extend((method or value, value if method else None, out) for out in applies_to)
            elif isinstance(value, dict):
                for name, v in value.items():
                    spread(v, [named[name]] if name in named else [], False)
            elif isinstance(value, list | tuple):
                by_index = by_index and len(flat) > 1 and len(value) == len(flat)
                for i, v in enumerate(value):
                    spread(v, [flat[i]] if by_index else applies_to, False)

        loss, *metrics = given
        spread(loss, flat, True)  # a list of losses: one per output
        for value in metrics:  # a list of metrics: each for every output, unless a list per output
            spread(value, flat, isinstance(value, list | tuple) and all(
                isinstance(v, list | tuple | dict) or v is None for v in value))
        for fn, bound, out in pairs:  # (bound: a Loss's call, a Metric's update_state, on its instance)
            self.interp.follow_on_data(fn, [UNKNOWN, out if isinstance(out, Tensor) else UNKNOWN], {}, node,
                                       bound=bound)

    def loss_value(self, v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, LossValue):
            return v
        if isinstance(v, str):
            return self.resolved(v, {}, v)
        if isinstance(v, QualName):
            name = names.canonical(v.name)
            return self.resolved(name, {}, name.rsplit(".", 1)[-1])
        if isinstance(v, list | tuple):
            return [self.loss_value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.loss_value(x) for k, x in v.items()}
        label = v.name if isinstance(v, FunctionValue) else ""
        return LossValue("", {}, label)  # a loss of the program's own: not followed

    def resolved(self, identifier: str, kwargs: dict, label: str) -> LossValue:
        try:
            found = loss_rules.resolve_loss(identifier, kwargs, self.interp.engine.keras_version)
        except Exception:  # noqa: BLE001 - an identifier Keras itself would reject is not ours
            found = None
        if found is None:
            return LossValue("", {}, label)
        return LossValue(found[0], dict(found[1]), label)

    def loss_class(self, name: str, args: list, kwargs: dict) -> LossValue:
        """``keras.losses.CategoricalCrossentropy(from_logits=True)``."""
        literal = {k: self.interp.literal(v) for k, v in kwargs.items()}
        if args:
            return LossValue("", {}, name.rsplit(".", 1)[-1])  # positional arguments: not followed
        short = name.rsplit(".", 1)[-1]
        shown = ", ".join(f"{k}={v!r}" for k, v in literal.items())
        return self.resolved(name, literal, f"{short}({shown})")

    # -- fit, evaluate, predict -----------------------------------------------
    def check(self, model: Any, method: str, args: list, kwargs: dict, node: cst.CSTNode) -> Any:
        bound = dict(zip(METHODS[method], args))
        bound.update(kwargs)
        outer = self.at
        self.at = self.interp.record_method(model, method, [], bound, node, loss=_loss_spec(getattr(model, "loss", None)))
        try:
            return self._check(model, method, bound, node)
        finally:
            self.at = outer

    def _check(self, model: Any, method: str, bound: dict, node: cst.CSTNode) -> Any:
        x = bound.get("x", UNKNOWN)
        y = bound.get("y")
        sample_weight = bound.get("sample_weight")
        span = self.interp.span(node)
        from_dataset = isinstance(x, Dataset)
        y_batch: Optional[dims.Dim] = None
        validation = bound.get("validation_data")
        if isinstance(x, Dataset):
            if method == "fit" and _positive(bound.get("validation_split")):
                self.report(INVALID_ARGUMENT, span, "Argument `validation_split` is only supported for tensors or "
                            "NumPy arrays: split the dataset yourself (`take`/`skip`) or pass `validation_data`.")
            if x.element is UNKNOWN:
                return UNKNOWN
            batched, first = x.batched, x.first_batch
            x, y, sample_weight = _unpack(x.element)
            batch: dims.Dim = first if first is not None else dims.unknown()
            if not batched:  # single samples: Keras takes each one's first axis for the batch
                batch, y_batch = _count(x), _OWN
        elif method in _WHOLE:
            # One batch of everything, without Keras's count check: targets meet predictions of
            # another batch size and broadcast, or not.
            batch = _count(x)
            y_batch = _OWN  # each target's own rows
        else:
            parts = {"x": x, "y": y, "sample_weight": sample_weight}
            split = bound.get("validation_split")
            if method == "fit" and validation is None and _positive(split):
                # Keras cuts every array at the first one's split row, then counts.
                first = arrays_in(parts)
                total = first[0].type.shape[0] if first and first[0].type.shape else None
                if isinstance(total, int):
                    at = int(math.floor(total * (1.0 - split)))
                    if not self.check_split(split, total, span):
                        return UNKNOWN
                    counts = self.check_counts(parts, span, cut=(0, at))
                    if counts is not False:
                        # the validation part, counted once the first epoch ends
                        if self.check_counts(parts, span, cut=(at, total)) is False:
                            return UNKNOWN
                else:
                    counts = None
            else:
                counts = self.check_counts(parts, span)
            if counts is False:
                return UNKNOWN  # Keras stops there, before any batch
            n = counts if isinstance(counts, int) else None
            size = bound.get("batch_size")
            size = size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else _DEFAULT_BATCH
            batch = min(size, n) if n is not None else dims.unknown()
        before = len(self.interp.findings)
        outputs = self.run_model(model, method, x, batch, node, dataset=from_dataset)
        if outputs is None:
            return UNKNOWN
        if method in ("fit", "evaluate", "train_on_batch", "test_on_batch") and y is not None:
            self.check_targets(model, method, outputs, y, batch, span, y_batch)
        if method in ("predict", "predict_on_batch", "__call__") and not from_dataset:
            # The predictions: one array per output, as many rows as samples.
            rows = _count(x)
            preds = [Array(TensorType((rows, *t.type.shape[1:]) if t.type.shape else t.type.shape, t.type.dtype),
                           span, f"{method}()") if isinstance(t, Tensor) and t.type.shape is not None else UNKNOWN
                     for t in outputs]
            return preds[0] if len(preds) == 1 else preds
        if method == "fit" and len(self.interp.findings) == before:
            # (Keras stops at the training data's error; the validation data's would repeat it.)
            self.check_validation(model, validation, bound, node, span)
        return UNKNOWN

    def check_validation(self, model: Any, validation: Any, bound: dict, node: cst.CSTNode, span: Span) -> None:
        vy_batch: Any = None
        if isinstance(validation, Dataset):
            if validation.element is UNKNOWN:
                return
            vx, vy, _vw = _unpack(validation.element)
            vbatch: dims.Dim = validation.first_batch if validation.first_batch is not None else dims.unknown()
            if not validation.batched:  # single samples: each one's first axes are the batch
                vbatch, vy_batch = _count(vx), _OWN
        elif isinstance(validation, tuple | list) and len(validation) in (2, 3):
            vx, vy = validation[0], validation[1]
            vw = validation[2] if len(validation) == 3 else None
            counts = self.check_counts({"x": vx, "y": vy, "sample_weight": vw}, span)
            if counts is False:
                return
            n = counts if isinstance(counts, int) else None
            size = bound.get("validation_batch_size", bound.get("batch_size"))
            size = size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else _DEFAULT_BATCH
            vbatch = min(size, n) if n is not None else dims.unknown()
        else:
            return
        vout = self.run_model(model, "fit (validation_data)", vx, vbatch, node, dataset=isinstance(validation, Dataset))
        if vout is not None and vy is not None:
            self.check_targets(model, "fit (validation_data)", vout, vy, vbatch, span, vy_batch)

    # -- pieces ----------------------------------------------------------------
    def report(self, code: Code, span: Span, message: str, notes: tuple[Note, ...] = ()) -> None:
        self.interp.report(Finding(code, span, message, notes + _stack(self.interp), node=self.at))

    def check_counts(self, parts: dict, span: Span, cut: Optional[tuple[int, int]] = None) -> Optional[int | bool]:
        """Keras's "Data cardinality is ambiguous": every array's first axis, by role (the rows
        ``cut[0]:cut[1]`` of each when ``validation_split`` cut them). Returns the common sample
        count when known, ``False`` after a finding."""
        sizes: dict[str, list[int]] = {}
        arrays: list[tuple[str, Array, int]] = []
        for role, value in parts.items():
            for a in arrays_in(value):
                if a.type.shape and isinstance(a.type.shape[0], int):
                    rows = a.type.shape[0]
                    count = rows if cut is None else max(0, min(rows, cut[1]) - cut[0])
                    sizes.setdefault(role, []).append(count)
                    arrays.append((role, a, count))
        every = {n for ns in sizes.values() for n in ns}
        if len(every) > 1:
            lines = "\n".join(f"'{role}' sizes: {', '.join(map(str, ns))}" for role, ns in sizes.items())
            part = "" if cut is None else (" in the training part" if cut[0] == 0 else " in the validation part")
            notes = tuple(_data_note(role, a, f"{count} samples{part}, ") for role, a, count in arrays
                          if a.origin is not None)
            self.report(SAMPLE_COUNT, span, "Data cardinality is ambiguous. Make sure all arrays contain the same "
                        f"number of samples.\n{lines}", _unique_notes(notes))
            return False
        return every.pop() if len(every) == 1 else None

    def check_split(self, split: Any, n: Optional[int], span: Span) -> bool:
        if not isinstance(split, (int, float)) or isinstance(split, bool) or not split or n is None:
            return True
        at = int(math.floor(n * (1.0 - split)))
        if at <= 0 or at >= n:
            self.report(INVALID_ARGUMENT, span, f"Training data contains {n} samples, which is not sufficient to "
                        "split it into a validation and training set as specified by "
                        f"`validation_split={split}`. Either provide more data, or a different value for the "
                        "`validation_split` argument.")
            return False
        return True

    def model_inputs(self, model: Any) -> Optional[list[Tensor]]:
        if isinstance(model, Instance) and model.functional is not None:
            model = model.functional
        if isinstance(model, ModelValue) and model.inputs and all(isinstance(t, Tensor) for t in model.inputs):
            return list(model.inputs)
        return None

    def run_model(self, model: Any, method: str, x: Any, batch: dims.Dim, node: cst.CSTNode,
                  dataset: bool = False) -> Optional[list]:
        """The model on the data's first batch: its outputs (tensor types), or ``None`` when the
        data does not fit (reported) or cannot be followed."""
        interp = self.interp
        inputs = self.model_inputs(model)
        span = interp.span(node)
        target = model.functional if isinstance(model, Instance) and model.functional is not None else model
        # On data, a Sequential checks only the rank (`_adjust_input_rank`); its layers check the
        # rest. A functional model checks every axis its inputs declare.
        rank_only = isinstance(target, ModelValue) and target.kind == "sequential"
        if inputs is not None:
            data = self.match_inputs(target, inputs, x, span)
            if data is None:
                return None
            for index, (src, a) in enumerate(zip(inputs, data)):
                if isinstance(a, Array) and interp.engine.keras_version >= 3 \
                        and not self.check_input(target, index, src, a, method, span, dataset, rank_only):
                    return None
        elif not isinstance(x, Array) or (isinstance(model, Instance) and model.cls.keras_kind != "model"):
            return None  # an unbuilt model on several arrays: not followed
        else:
            data = [x]
        probes = []
        for i, a in enumerate(data):
            if not isinstance(a, Array) or a.type.shape is None or not a.type.shape:
                probes.append(UNKNOWN)
                continue
            # Keras builds the model on the data's spec: any batch size.
            shape = (None, *a.type.shape[1:])
            if inputs is not None and rank_only:
                shape = _adjust_rank(shape, inputs[i].type.shape)
            probes.append(self.probe(TensorType(shape, a.type.dtype), a.origin, node))
        before = len(interp.findings)
        out = self.apply(model, probes, node, check=not (rank_only and inputs is not None))
        if inputs is not None and len(interp.findings) > before and isinstance(x, Array):
            # The data passed the model's input check (Keras took its first axis as the batch, and
            # added or dropped a trailing 1) but a layer inside rejects it: the data is the cause.
            inner = interp.findings[before]
            del interp.findings[before:]
            shape = x.type.shape or ()
            notes = [_data_note("x", x)] if x.origin is not None else []
            want = inputs[0].type.shape
            how = ("reaches the model's layers (on data, a Sequential checks only the rank)" if rank_only else
                   "passes the model's input check (its first axis is taken as the batch)")
            self.report(DATA_SHAPE, span, f"{_shown(method)} data of shape {show_shape(shape)} {how} but a layer then "
                        f"rejects it: {inner.message}"
                        f"{_input_hint(want, shape) if want is not None else ''}", tuple(notes) + inner.notes[:1])
            return None
        if isinstance(model, ModelValue) and model.kind == "sequential" and not model.inputs \
                and isinstance(probes[0], Tensor) and out is not UNKNOWN:
            # Keras builds an unbuilt Sequential from the data it is first given.
            model.inputs, model.outputs = [probes[0]], out
        flat = out if isinstance(out, list | tuple) else [out]
        if isinstance(out, dict):
            return None  # dict outputs: not followed
        return [t if isinstance(t, Tensor) else UNKNOWN for t in flat]

    def apply(self, model: Any, probes: list, node: cst.CSTNode, check: bool = True) -> Any:
        from .interpreter import Frame

        interp = self.interp
        frame = interp._frame
        interp._frame = Frame(frame.stack, frame.traced, True, frame.instance)
        try:
            first: Any = probes[0] if len(probes) == 1 else probes
            if isinstance(model, Instance) and model.functional is not None:
                model = model.functional
            if isinstance(model, ModelValue) and model.inputs:
                return interp.replay(model, probes, node, check=check, on_data=True, at=self.at)
            if isinstance(model, ModelValue):
                return interp.call_model(model, [first], {}, node)  # an unbuilt Sequential: built here
            if isinstance(model, Instance):
                return interp.call_instance(model, [first], {}, node)
        finally:
            interp._frame = frame
        return UNKNOWN

    def probe(self, t: TensorType, origin: Optional[Span], node: cst.CSTNode) -> Tensor:
        """A Keras tensor standing for a batch of data (no name of its own, no shape entry)."""
        engine = self.interp.engine
        irnode = Node(0, "keras.layers.InputLayer", "data", config={"batch_shape": t.shape, "dtype": t.dtype},
                      layer_id=self.interp.new_id("D"), name=None, span=origin or self.interp.span(node))
        result = engine.add(irnode)
        return Tensor(TensorRef(irnode.id, 0), result.outputs[0])

    def match_inputs(self, model: ModelValue, inputs: list[Tensor], x: Any, span: Span) -> Optional[list]:
        """The data array for each model input (a list in order, or a dict by name)."""
        keys = getattr(model, "input_keys", None)
        names_ = list(keys) if keys is not None and len(keys) == len(inputs) else [
            self.interp.input_name(t) for t in inputs]
        label = model.name or "functional"
        if isinstance(x, dict):
            missing = [n for n in names_ if n not in x]
            if missing and all(isinstance(k, str) for k in x):
                self.report(DATA_STRUCTURE, span, f'Missing data for input "{missing[0]}". You passed a data '
                            f"dictionary with keys {sorted(x)!r}. Expected the following keys: {names_!r}")
                return None
            return [x.get(n, UNKNOWN) for n in names_]
        if isinstance(x, Array):
            given: list = [x]
        elif isinstance(x, list | tuple) and all(isinstance(a, Array) for a in x) and x:
            given = list(x)
        else:
            return None
        if len(given) != len(inputs):
            keys = ", ".join(f"'{n}': ..." for n in names_)
            self.report(DATA_STRUCTURE, span, f'Layer "{label}" expects {len(inputs)} named input(s) with keys '
                        f"{names_!r}, but it received {len(given)} input tensors. Pass inputs as a dict, e.g. "
                        f"`layer({{{keys}}})`.", _origins(given, "x"))
            return None
        return given

    def check_input(self, model: Any, index: int, src: Tensor, a: Array, method: str, span: Span,
                    dataset: bool = False, rank_only: bool = False) -> bool:
        """``Functional._adjust_input_rank`` and the input spec check, on the data's shape."""
        want, got = src.type.shape, a.type.shape
        if want is None or got is None:
            return True
        spec = (None, *want[1:]) if want else want
        expected, found = list(spec), list(got)
        for axes in (expected, found):
            if axes and axes[-1] == 1:
                axes.pop()
        fits = (rank_only or not any(dims.differs(p, q) for p, q in zip(expected, found))) and (
            len(got) == len(want) or (len(got) == len(want) + 1 and got[-1] == 1)
            or (len(got) == len(want) - 1 and want[-1] == 1))
        if fits:
            return True
        src_node = self.interp.engine.graph.nodes[src.ref.node]
        built_from_data = src_node.kind == "data"
        name = "input" if built_from_data else f"input '{self.interp.input_name(src)}'"
        notes = [_data_note("x", a)] if a.origin is not None else []
        if src_node.span is not None:
            notes.append(Note(src_node.span, f"the model was built from data of shape {show_shape(want)} here"
                              if built_from_data else
                              f"the model's {name} is declared here with shape {show_shape(want)}"))
        hint = _input_hint(want, got)
        if dataset and len(got) == len(want) - 1 and hint:
            hint = "; the dataset yields single samples: batch it, `dataset.batch(32)`"
        self.report(DATA_SHAPE, span, f"{_shown(method)} data of shape {show_shape(got)} does not fit the model's {name} "
                    f"of shape {show_shape(spec)} (the first axis is the batch){hint}", tuple(notes))
        return False

    def check_targets(self, model: Any, method: str, outputs: list, y: Any, batch: dims.Dim, span: Span,
                      y_batch: Optional[dims.Dim] = None) -> None:
        loss = model.loss
        if loss is None:
            return
        if len(outputs) == 1 and isinstance(y, list | tuple) and len(y) == 1:
            y = y[0]  # Keras unwraps the targets of a single output
        if self.interp.engine.keras_version < 3 and (len(outputs) > 1 or not isinstance(loss, LossValue)):
            return  # tf.keras 2 spreads one target or loss over several outputs: not followed
        if isinstance(loss, list) and 0 < len(loss) < len(outputs):
            # Fewer losses than outputs: the outputs past the list have none, and the targets may
            # stop there too.
            given = [y] if isinstance(y, Array) else y
            if isinstance(given, list | tuple) and len(given) == len(loss):
                outputs, y = outputs[:len(loss)], list(given)
        out_names = [self.output_name(t) for t in outputs]
        if len(outputs) == 1 and isinstance(y, dict) and y and all(isinstance(a, Array) for a in y.values()):
            self.report(DATA_STRUCTURE, span, f"The model has one output ('{out_names[0]}'): its targets are one "
                        f"array, not a dict (Keras 3 fails: \"Expected float32, but got {next(iter(y))} of type "
                        "'str'\"): pass the array itself.", _origins(list(y.values()), "y"))
            return
        if len(outputs) > 1 or isinstance(y, dict):
            targets = self.match_targets(out_names, y, span)
        else:
            targets = [y] if isinstance(y, Array) else None
        if targets is None:
            return
        per_output = self.match_losses(out_names, loss, span)
        if per_output is None:
            return
        for out, name, t, lv in zip(outputs, out_names, targets, per_output):
            if not isinstance(out, Tensor) or not isinstance(t, Array) or not isinstance(lv, LossValue) \
                    or not lv.function or t.type.shape is None or out.type.shape is None or not t.type.shape:
                continue
            rows = batch if y_batch is None else (t.type.shape[0] if y_batch is _OWN else y_batch)
            y_true = TensorType((rows, *t.type.shape[1:]), "float32")
            pred = out.type.shape
            y_pred = TensorType((batch, *pred[1:]) if pred and pred[0] is None else pred, out.type.dtype)
            try:
                loss_rules.apply_compile_loss(lv.function, lv.kwargs, y_true, y_pred,
                                              self.interp.engine.keras_version)
            except ShapeError as e:
                notes = [_data_note("y", t)] if t.origin else []
                src = self.declared_output(model, outputs.index(out)) or self.interp.engine.graph.nodes[out.ref.node]
                if src.span is not None and not src.replay:
                    notes.append(Note(src.span, f"the model's output '{name}' has shape {show_shape(out.type.shape)}, "
                                                "produced here"))
                shown = lv.label or lv.function.rsplit(".", 1)[-1]
                self.report(TARGET_SHAPE, span, f"{_shown(method)} targets of shape {show_shape(t.type.shape)} do not fit "
                            f"output '{name}' of shape {show_shape(out.type.shape)} under the loss {shown}: "
                            f"{e.message}{_target_hint(lv.function, t.type, out.type)}", tuple(notes))
            except (Unknowable, Exception):  # noqa: BLE001 - a loss we cannot follow is not a finding
                continue

    def declared_output(self, model: Any, index: int) -> Optional[Node]:
        """The node that makes the model's output where the model is defined (not where data runs it)."""
        if isinstance(model, Instance):
            model = model.functional
        if not isinstance(model, ModelValue) or model.outputs is None:
            return None
        flat = [t for t in (model.outputs if isinstance(model.outputs, list | tuple) else [model.outputs])]
        if index < len(flat) and isinstance(flat[index], Tensor):
            node = self.interp.engine.graph.nodes[flat[index].ref.node]
            return node if node.kind != "data" else None
        return None

    def output_name(self, t: Any) -> str:
        if not isinstance(t, Tensor):
            return "?"
        node = self.interp.engine.graph.nodes[t.ref.node]
        return node.name or "output"

    def match_targets(self, out_names: list[str], y: Any, span: Span) -> Optional[list]:
        if isinstance(y, dict):
            unknown = [k for k in y if k not in out_names]
            if unknown and all(isinstance(k, str) for k in y):
                self.report(DATA_STRUCTURE, span, f"The targets are keyed by {sorted(y)!r}, but the model's outputs "
                            f"are named {out_names!r}: {unknown[0]!r} is none of them.")
                return None
            return [y.get(n, UNKNOWN) for n in out_names]
        if isinstance(y, Array):
            if len(out_names) > 1:
                self.report(DATA_STRUCTURE, span, f"The model has {len(out_names)} outputs ({', '.join(out_names)}) "
                            "but the targets are one array: pass one per output, as a list or a dict keyed by "
                            "output name.", _origins([y], "y"))
                return None
            return [y]
        if isinstance(y, list | tuple) and all(isinstance(a, Array) for a in y) and y:
            if len(y) != len(out_names):
                self.report(DATA_STRUCTURE, span, f"y_true and y_pred have different structures: {len(y)} target "
                            f"arrays for {len(out_names)} outputs ({', '.join(out_names)}).", _origins(list(y), "y"))
                return None
            return list(y)
        return None

    def match_losses(self, out_names: list[str], loss: Any, span: Span) -> Optional[list]:
        if isinstance(loss, LossValue):
            return [loss] * len(out_names)
        if isinstance(loss, list):
            if len(out_names) == 1 and loss:
                # Keras accepts a longer list for one output; which one it uses is not followed
                # unless they are all the same.
                same = all(isinstance(v, LossValue) and (v.function, v.kwargs) == (loss[0].function, loss[0].kwargs)
                           for v in loss)
                return loss[:1] if same else [None]
            if len(loss) > len(out_names):
                self.report(DATA_STRUCTURE, span, f"`compile` got {len(loss)} losses for {len(out_names)} "
                            f"output(s) ({', '.join(out_names)}): give one per output.")
                return None
            return loss + [None] * (len(out_names) - len(loss))  # outputs past the list get no loss
        if isinstance(loss, dict):
            if set(loss) != set(out_names) and all(isinstance(k, str) for k in loss):
                self.report(DATA_STRUCTURE, span, f"Expected keys {out_names!r} in loss dict, but found "
                            f"loss.keys()={list(loss)!r}")
                return None
            return [loss.get(n) for n in out_names]
        return None


# --------------------------------------------------------------------- helpers
#: what Keras calls on an instance of a subclass of each base, with (y_true, y_pred)
_CALLED_ON_DATA = {"keras.losses.Loss": "call", "keras.metrics.Metric": "update_state"}


def _own_loss_or_metric(value: Any) -> Optional[FunctionValue]:
    """The method Keras calls with the targets and predictions on ``value``, an instance of the
    program's own subclass of ``keras.losses.Loss`` (``call``) or ``keras.metrics.Metric``
    (``update_state``); None for anything else."""
    from .configs import library_bases
    from .interpreter import _class_lookup

    if not isinstance(value, Instance):
        return None
    base = next((n for n in library_bases(value.cls) if n in _CALLED_ON_DATA), None)
    method = _class_lookup(value.cls, _CALLED_ON_DATA[base]) if base is not None else None
    return method if isinstance(method, FunctionValue) else None


def _loss_spec(loss: Any) -> Any:
    """What ``compile`` got, as IR literals: ``{"function": ..., "kwargs": ...}`` per loss."""
    if isinstance(loss, LossValue):
        return {"function": loss.function, "kwargs": dict(loss.kwargs)} if loss.function else UNKNOWN
    if isinstance(loss, (list, tuple)):
        return [_loss_spec(x) for x in loss]
    if isinstance(loss, dict):
        return {k: _loss_spec(x) for k, x in loss.items()}
    return None if loss is None else UNKNOWN


def _shown(method: str) -> str:
    return "`model(...)`" if method == "__call__" else f"`{method}`"


def _positive(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


def _unpack(element: Any) -> tuple[Any, Any, Any]:
    """``keras.utils.unpack_x_y_sample_weight`` on a dataset's element."""
    if isinstance(element, tuple):
        if len(element) == 1:
            return element[0], None, None
        if len(element) == 2:
            return element[0], element[1], None
        if len(element) == 3:
            return element
        return UNKNOWN, None, None
    return element, None, None


def _adjust_rank(shape: tuple, want: Optional[tuple]) -> tuple:
    """``_adjust_input_rank``: a trailing 1 dropped or added to reach the model input's rank."""
    if want is None:
        return shape
    if len(shape) == len(want) + 1 and shape[-1] == 1:
        return shape[:-1]
    if len(shape) == len(want) - 1 and want and want[-1] == 1:
        return (*shape, 1)
    return shape


def _count(x: Any) -> dims.Dim:
    first = arrays_in(x)
    shape = first[0].type.shape if first else None
    return shape[0] if shape and isinstance(shape[0], int) else dims.unknown()


def _origins(arrays: list, role: str) -> tuple[Note, ...]:
    return tuple(_data_note(f"{role} {i}" if len(arrays) > 1 else role, a)
                 for i, a in enumerate(arrays) if isinstance(a, Array) and a.origin is not None)


def _data_note(role: str, a: Array, extra: str = "") -> Note:
    assert a.origin is not None
    return Note(a.origin, f"{role} has {extra}shape {show_shape(a.type.shape)}" + (f", from {a.what}" if a.what else "")
                + " here")


def _unique_notes(notes: tuple[Note, ...]) -> tuple[Note, ...]:
    seen: set = set()
    out = []
    for n in notes:
        if (n.span, n.message) not in seen:
            seen.add((n.span, n.message))
            out.append(n)
    return tuple(out)


def _stack(interp: Interpreter) -> tuple[Note, ...]:
    return tuple(Note(s, CALL_SITE) for s in reversed(interp._frame.stack))


def _known(shape: tuple) -> bool:
    return all(isinstance(d, int) for d in shape)


def _input_hint(want: tuple, got: tuple) -> str:
    rest_want, rest_got = tuple(want[1:]), tuple(got)
    if len(got) == len(want) - 1 and not any(dims.differs(p, q) for p, q in zip(rest_want, rest_got)):
        return "; one sample needs its batch axis: `x[None, ...]` (or `np.expand_dims(x, 0)`)"
    if len(got) == len(want) - 1 and want and not any(dims.differs(p, q) for p, q in zip(want[1:-1], got[1:])):
        return f"; the data lacks the model's last axis (of size {dims.show(want[-1])}, its channels or features)"
    if _known(want[1:]) and _known(got[1:]) and math.prod(want[1:]) == math.prod(got[1:]):
        shape = ", ".join(str(d) for d in want[1:])
        return f"; the sizes agree: `x.reshape(-1, {shape})`"
    return ""


def _target_hint(function: str, y: TensorType, out: TensorType) -> str:
    ys, os_ = y.shape or (), out.shape or ()
    classes = os_[-1] if os_ else None
    if function in _ONE_HOT and (len(ys) == len(os_) - 1 or (len(ys) == len(os_) and ys and ys[-1] == 1)):
        n = classes if isinstance(classes, int) else "num_classes"
        return (f"; integer labels need `sparse_categorical_crossentropy`, or one-hot targets: "
                f"`keras.utils.to_categorical(y, {n})`")
    if function in _SPARSE and len(ys) == len(os_) and ys and ys[-1] != 1:
        return "; one-hot targets need `categorical_crossentropy` (or labels: `np.argmax(y, axis=-1)`)"
    if len(ys) == len(os_) and ys and isinstance(ys[-1], int) and isinstance(classes, int) and ys[-1] != classes:
        return (f"; the output has {classes} units, the targets {ys[-1]} columns: the last layer's units must be "
                "the number of classes (or of target values)")
    return ""
