"""Random multi-layer model-building programs, labelled by Keras and rendered as source text.

A program is an ``Input`` and a list of :class:`Step` (one layer call each, maybe repeated in a
loop). :class:`KerasChain` applies the steps with real Keras (symbolically, then the same layer
objects on random data when every non-batch axis is known) and records each call's output shape
or the first call Keras rejects; :func:`render` writes the same program as Python source
(functional API with helpers and loops, ``Sequential([...])`` or ``model.add``) and says on
which line each call runs, in execution order.  Nothing of the rendered text is executed: the
layers are built here from the drawn configs directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from hypothesis import strategies as st  # noqa: E402


# --------------------------------------------------------------------------- programs


@dataclass
class Spec:
    """A layer constructor call: ``layers.<cls>(**kwargs)``, the first ``npos`` values positional."""

    cls: str
    kwargs: dict = field(default_factory=dict)
    npos: int = 0

    def render(self, subst: Optional[dict] = None) -> str:
        """The source of the call; ``subst`` writes some values as other expressions (names)."""
        items = [(k, (subst or {}).get(k) or _literal(v)) for k, v in self.kwargs.items()]
        parts = [v for _, v in items[:self.npos]]
        parts += [f"{k}={v}" for k, v in items[self.npos:]]
        return f"layers.{self.cls}({', '.join(parts)})"

    def make(self) -> Any:
        import keras

        kwargs = {k: (v.make() if isinstance(v, Spec) else v) for k, v in self.kwargs.items()}
        return getattr(keras.layers, self.cls)(**kwargs)


def _literal(v: Any) -> str:
    return v.render() if isinstance(v, Spec) else repr(v)


@dataclass
class Step:
    """``out = spec(inputs)``; ``style`` is how the inputs are passed: ``one`` (``f(a)``),
    ``list`` (``f([a, b])``) or ``two`` (``f(a, b)``). ``repeat`` > 1 applies a fresh layer
    of the same config that many times, each to the previous output."""

    spec: Spec
    inputs: tuple[str, ...]
    out: str
    style: str = "one"
    repeat: int = 1
    named: bool = False  # functional source: the layer gets a name of its own (``layer3 = ...``)
    reuse: Optional[int] = None  # the (named) earlier step whose layer object is called again
    function: bool = False  # a merge written in its lowercase form: ``layers.concatenate([a, b], axis=1)``


@dataclass
class Program:
    input_shape: tuple  # without the batch axis
    dtype: str = "float32"
    batch_size: Optional[int] = None
    steps: list[Step] = field(default_factory=list)

    @property
    def linear(self) -> bool:
        """Sequential can express it: each step takes the previous output alone."""
        prev = "v0"
        for s in self.steps:
            if s.style != "one" or s.inputs != (prev,) or s.reuse is not None:
                return False
            prev = s.out
        return True


# --------------------------------------------------------------------------- Keras's verdict


@dataclass
class Call:
    """One executed layer call: its step, and Keras's output shape (``None`` when rejected)."""

    step: int
    shape: Optional[tuple]
    stage: str = "call"  # where Keras rejected: "make" (the constructor), "call" (symbolic) or "data"
    unknown: bool = False  # Keras's symbolic input had an undefined non-batch axis


class KerasChain:
    """Apply steps with Keras one by one; stop at the first call Keras rejects."""

    def __init__(self, program: Program, eager: bool = True) -> None:
        import keras
        import numpy as np

        self.program = program
        self.eager = eager
        self.rng = np.random.default_rng(0)
        self.calls: list[Call] = []
        self.error: Optional[BaseException] = None
        self.inconsistent: list[str] = []  # calls whose output on data has another shape than Keras's symbolic one
        self.layers: dict[int, Any] = {}  # step -> its (last) layer object
        x = keras.Input(shape=program.input_shape, batch_size=program.batch_size, dtype=program.dtype)
        self.symbolic: dict[str, Any] = {"v0": x}
        self.concrete: dict[str, Any] = {"v0": self._data(tuple(x.shape), program.dtype)}

    def _data(self, shape: tuple, dtype: str) -> Any:
        if any(d is None for d in shape[1:]):
            return None
        full = tuple(2 if d is None else d for d in shape)
        if dtype.startswith("int"):
            return self.rng.integers(0, 2, size=full).astype(dtype)
        return self.rng.standard_normal(full).astype("float32")

    def shape(self, name: str) -> tuple:
        return tuple(self.symbolic[name].shape)

    @property
    def rejected(self) -> bool:
        return self.error is not None

    def apply(self, step: Step) -> bool:
        """Run ``step`` (all its repeats); False once Keras rejected a call."""
        assert not self.rejected
        self.program.steps.append(step)
        index = len(self.program.steps) - 1
        sym = [self.symbolic[n] for n in step.inputs]
        con = [self.concrete[n] for n in step.inputs]
        for _ in range(step.repeat):
            try:
                layer = self.layers[step.reuse] if step.reuse is not None else step.spec.make()
            except Exception as e:  # noqa: BLE001 - Keras's verdict
                self.calls.append(Call(index, None, "make"))
                self.error = e
                return False
            self.layers[index] = layer
            unknown = any(d is None for t in sym for d in tuple(t.shape)[1:])
            try:
                out = _call(layer, step.style, sym)
            except Exception as e:  # noqa: BLE001 - Keras's verdict
                self.calls.append(Call(index, None, "call", unknown))
                self.error = e
                return False
            if isinstance(out, (list, tuple)):
                raise AssertionError(f"the generator made a call with several outputs: {step}")
            try:
                if self.eager and all(c is not None for c in con) and not step.spec.cls.startswith("AdaptiveMax"):
                    # (AdaptiveMaxPooling on data kills the process with SIGFPE in TensorFlow's kernel for
                    # small axes, e.g. length 2 to output_size 1: its symbolic verdict is all we take)
                    con = [_np().asarray(_call(layer, step.style, con))]
                    if any(k is not None and k != d for k, d in zip(out.shape[1:], con[0].shape[1:])) \
                            or len(out.shape) != con[0].ndim:
                        self.inconsistent.append(f"{step.spec.render()}: symbolic {tuple(out.shape)}, "
                                                 f"on data {tuple(con[0].shape)}")
                elif all(c is not None for c in con):  # AdaptiveMax: data of its symbolic shape go on
                    con = [self._data(tuple(out.shape), "float32")]
                else:
                    con = [None]
            except Exception as e:  # noqa: BLE001 - Keras's verdict
                self.calls.append(Call(index, None, "data", unknown))
                self.error = e
                return False
            sym = [out]
            self.calls.append(Call(index, tuple(out.shape)))
        self.symbolic[step.out] = sym[0]
        self.concrete[step.out] = con[0]
        return True


def _np() -> Any:
    import numpy

    return numpy


def _call(layer: Any, style: str, values: list) -> Any:
    if style == "list":
        return layer(list(values))
    return layer(*values)


def keras_run(program: Program, input_shape: Optional[tuple] = None) -> KerasChain:
    """Replay a whole program (optionally on another input shape)."""
    copy = Program(input_shape if input_shape is not None else program.input_shape, program.dtype,
                   program.batch_size)
    chain = KerasChain(copy)
    for step in program.steps:
        if not chain.apply(step):
            break
    return chain


# --------------------------------------------------------------------------- layer configs

Draw = Callable[[Any], Any]


def _pick(draw: Draw, xs: list) -> Any:
    return draw(st.sampled_from(xs))


def _int(draw: Draw, lo: int, hi: int) -> int:
    return draw(st.integers(lo, max(lo, hi)))


def _spatial(shape: tuple, fmt: Optional[str] = None) -> list:
    return list(shape[2:] if fmt == "channels_first" else shape[1:-1])


def _smallest(shape: tuple, default: int = 4, fmt: Optional[str] = None) -> int:
    known = [d for d in _spatial(shape, fmt) if d is not None]
    return min(known) if known else default


def _fmt(draw: Draw) -> Optional[str]:
    """Now and then channels_first (the layers' data_format); else the default."""
    return "channels_first" if draw(st.integers(0, 5)) == 0 else None


def _with_fmt(cfg: dict, fmt: Optional[str]) -> dict:
    if fmt is not None:
        cfg["data_format"] = fmt
    return cfg


def _per_axis(draw: Draw, n: int, lo: int, hi: int) -> Any:
    values = tuple(_int(draw, lo, hi) for _ in range(n))
    if n == 1 or (len(set(values)) == 1 and draw(st.booleans())):
        return values[0]
    return values


def conv(kind: str, n: int) -> Callable:
    """Conv{n}D, Conv{n}DTranspose, SeparableConv{n}D, DepthwiseConv{n}D."""
    cls = {"conv": f"Conv{n}D", "transpose": f"Conv{n}DTranspose", "separable": f"SeparableConv{n}D",
           "depthwise": f"DepthwiseConv{n}D"}[kind]

    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        fmt = _fmt(draw)
        m = _smallest(shape, fmt=fmt)
        cfg: dict = {}
        if kind != "depthwise":
            cfg["filters"] = _int(draw, 1, 6)
        paddings = ["valid", "same"] + (["causal"] if kind == "conv" and n == 1 else [])
        padding = _pick(draw, paddings)
        mode = _pick(draw, ["plain", "plain", "strides", "dilation"] + (["both"] if wild else []))
        dilation = 2 if mode in ("dilation", "both") else 1
        hi = m + 2 if wild else (m if padding == "valid" and kind != "transpose" else 5)
        if dilation > 1 and not wild:
            hi = min(hi, (m - 1) // 2 + 1) if padding == "valid" else hi
        cfg["kernel_size"] = _per_axis(draw, n, 1, min(hi, 5))
        if mode in ("strides", "both"):
            cfg["strides"] = _per_axis(draw, n, 1, 3)
        cfg["padding"] = padding
        if kind == "depthwise":
            cfg["depth_multiplier"] = _int(draw, 1, 2)
        if dilation > 1:
            cfg["dilation_rate"] = dilation
        if kind == "conv" and draw(st.integers(0, 5)) == 0:
            channels = shape[1 if fmt else -1] if len(shape) > 2 and shape[1 if fmt else -1] else 4
            if wild:
                cfg["groups"] = _int(draw, 1, 4)
            else:  # a divisor of the channels, and filters a multiple of it
                cfg["groups"] = _pick(draw, [g for g in range(1, channels + 1) if channels % g == 0])
                cfg["filters"] = cfg["groups"] * _int(draw, 1, 2)
        _with_fmt(cfg, fmt)
        return Spec(cls, cfg, _positional(draw, cfg, ["filters", "kernel_size", "strides", "padding"]
                                          if kind != "depthwise" else ["kernel_size", "strides", "padding"]))

    return make


def _positional(draw: Draw, cfg: dict, order: list[str]) -> int:
    """How many leading config values may be written positionally (they follow Keras's order)."""
    keys = list(cfg)
    n = 0
    while n < len(keys) and n < len(order) and keys[n] == order[n]:
        n += 1
    return _int(draw, 0, min(n, 2))


def pooling(kind: str, n: int) -> Callable:
    cls = f"{kind}Pooling{n}D"

    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        fmt = _fmt(draw)
        m = _smallest(shape, fmt=fmt)
        padding = _pick(draw, ["valid", "same"])
        hi = m + 2 if wild else (m if padding == "valid" else 4)
        cfg: dict = {"pool_size": _per_axis(draw, n, 1, min(hi, 4))}
        if draw(st.booleans()):
            cfg["strides"] = _per_axis(draw, n, 1, 3)
        cfg["padding"] = padding
        _with_fmt(cfg, fmt)
        return Spec(cls, cfg, _positional(draw, cfg, ["pool_size", "strides", "padding"]))

    return make


def global_pooling(kind: str, n: int) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        cfg = _with_fmt({}, _fmt(draw))
        if draw(st.booleans()):
            cfg["keepdims"] = True
        return Spec(f"Global{kind}Pooling{n}D", cfg)

    return make


def adaptive_pooling(kind: str, n: int) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        fmt = _fmt(draw)
        m = _smallest(shape, fmt=fmt)
        cfg = _with_fmt({"output_size": _per_axis(draw, n, 1, m + 2 if wild else m)}, fmt)
        return Spec(f"Adaptive{kind}Pooling{n}D", cfg, _int(draw, 0, 1))

    make.adaptive_max = kind == "Max"  # type: ignore[attr-defined]
    return make


def cropping(n: int) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        fmt = _fmt(draw) if n > 1 else None
        pairs = []
        spatial = (_spatial(shape, fmt) + [None] * n)[:n]  # a layer drawn for another rank
        for d in spatial:
            size = d if d is not None else 4
            hi = size + 1 if wild else (size - 1) // 2
            pairs.append((_int(draw, 0, hi), _int(draw, 0, hi)))
        value: Any = pairs[0] if n == 1 else tuple(pairs)
        if n > 1 and all(a == b for a, b in pairs) and draw(st.booleans()):
            value = tuple(a for a, _ in pairs)
        return Spec(f"Cropping{n}D", _with_fmt({"cropping": value}, fmt), _int(draw, 0, 1))

    return make


def upsampling(n: int) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        cfg: dict = {"size": _per_axis(draw, n, 1, 3)}
        if n > 1:
            _with_fmt(cfg, _fmt(draw))
        if n == 2 and draw(st.booleans()):
            cfg["interpolation"] = _pick(draw, ["nearest", "bilinear"])
        return Spec(f"UpSampling{n}D", cfg, _int(draw, 0, 1))

    return make


def zero_padding(n: int) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        if draw(st.booleans()):
            value: Any = _int(draw, 0, 2)
        else:
            value = tuple((_int(draw, 0, 2), _int(draw, 0, 2)) for _ in range(n))
            if n == 1:
                value = value[0]
        return Spec(f"ZeroPadding{n}D", _with_fmt({"padding": value}, _fmt(draw) if n > 1 else None),
                    _int(draw, 0, 1))

    return make


def rnn(cls: str, backwards: bool = True) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        cfg: dict = {"units": _int(draw, 1, 6)}
        if draw(st.booleans()):
            cfg["return_sequences"] = draw(st.booleans())
        if backwards and draw(st.integers(0, 4)) == 0:
            cfg["go_backwards"] = True
        return Spec(cls, cfg, _int(draw, 0, 1))

    return make


def bidirectional(draw: Draw, shape: tuple, wild: bool) -> Spec:
    inner = rnn(_pick(draw, ["LSTM", "GRU", "SimpleRNN"]))(draw, shape, wild)
    cfg: dict = {"layer": inner}
    if draw(st.booleans()):
        cfg["merge_mode"] = _pick(draw, ["concat", "sum", "ave", "mul"])
    return Spec("Bidirectional", cfg, _int(draw, 0, 1))


def conv_lstm(n: int) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        fmt = _fmt(draw)
        known = [d for d in (shape[3:] if fmt else shape[2:-1]) if d is not None]
        m = min(known) if known else 4
        padding = _pick(draw, ["valid", "same"])
        hi = m + 2 if wild else (m if padding == "valid" else 3)
        cfg: dict = {"filters": _int(draw, 1, 4), "kernel_size": _per_axis(draw, n, 1, min(hi, 3))}
        if draw(st.integers(0, 3)) == 0:
            cfg["strides"] = _per_axis(draw, n, 1, 2)
        cfg["padding"] = padding
        _with_fmt(cfg, fmt)
        if draw(st.booleans()):
            cfg["return_sequences"] = draw(st.booleans())
        return Spec(f"ConvLSTM{n}D", cfg, _positional(draw, cfg, ["filters", "kernel_size", "strides", "padding"]))

    return make


def dense(draw: Draw, shape: tuple, wild: bool) -> Spec:
    return Spec("Dense", {"units": _int(draw, 1, 8)}, _int(draw, 0, 1))


def time_distributed(draw: Draw, shape: tuple, wild: bool) -> Spec:
    return Spec("TimeDistributed", {"layer": dense(draw, shape, wild)}, _int(draw, 0, 1))


def einsum_dense(draw: Draw, shape: tuple, wild: bool) -> Spec:
    units = _int(draw, 1, 6)
    rank = len(shape)
    # EXCLUDED (shapecheck gap, reported): an equation written for another input rank. shapecheck
    # leaves the output unknown and reports nothing; Keras's symbolic build accepts it with a garbled
    # shape ('abc,cd->abd' on (None, 9, 6, 2) gives (None, 9, 5, 2)) and TensorFlow's einsum then
    # fails on data, except when the extra axes are 1 ('ab,bc->ac' on (None, 1, 1) gives (None, 1, 1)).
    # EXCLUDED (Keras bug, reported): '...b,bc->...c' on rank 4 or more. Keras's symbolic shape
    # reverses the axes under the ellipsis ((None, 1, 7, 3) -> (None, 7, 1, 2)) while data give
    # (2, 1, 7, 2); shapecheck follows the symbolic one. Rank 2 and 3 are unaffected.
    if rank <= 3 and draw(st.integers(0, 3)) == 0:
        cfg: dict = {"equation": "...b,bc->...c", "output_shape": units}
    elif rank == 2:
        cfg = {"equation": "ab,bc->ac", "output_shape": units}
    elif rank == 3:
        cfg = {"equation": "abc,cd->abd", "output_shape": (shape[1] if len(shape) > 1 else 4, units)
               if draw(st.booleans()) else (None, units)}
    else:
        letters = "abcdefgh"[:rank]
        out = letters[:-1] + "z"
        cfg = {"equation": f"{letters},{letters[-1]}z->{out}", "output_shape": tuple(shape[1:-1]) + (units,)}
    if draw(st.booleans()):
        cfg["bias_axes"] = cfg["equation"][-1]
    return Spec("EinsumDense", cfg, _int(draw, 0, 2))


def activation(draw: Draw, shape: tuple, wild: bool) -> Spec:
    cls = _pick(draw, ["Activation", "ReLU", "LeakyReLU", "Softmax", "Dropout", "GaussianNoise", "Masking",
                       "Identity", "GaussianDropout", "AlphaDropout", "ActivityRegularization", "PReLU", "ELU"])
    if cls == "Softmax" and draw(st.booleans()):
        return Spec(cls, {"axis": _int(draw, -len(shape), len(shape) - 1) if wild else _int(draw, 1, len(shape) - 1)})
    if cls in ("GaussianDropout", "AlphaDropout"):
        return Spec(cls, {"rate": 0.2}, _int(draw, 0, 1))
    if cls == "Activation":
        return Spec(cls, {"activation": _pick(draw, ["relu", "tanh", "softmax", "gelu"])}, _int(draw, 0, 1))
    if cls == "Dropout":
        return Spec(cls, {"rate": _pick(draw, [0.1, 0.5])}, _int(draw, 0, 1))
    if cls == "GaussianNoise":
        return Spec(cls, {"stddev": 0.1})
    return Spec(cls, {})


def normalization(draw: Draw, shape: tuple, wild: bool) -> Spec:
    cls = _pick(draw, ["BatchNormalization", "LayerNormalization", "UnitNormalization", "GroupNormalization",
                       "RMSNormalization"])
    if cls == "GroupNormalization":
        c = shape[-1] if shape[-1] is not None else 4
        divisors = [g for g in range(1, c + 1) if c % g == 0]
        groups = _int(draw, 1, c + 2) if wild else _pick(draw, divisors)
        return Spec(cls, {"groups": groups}, _int(draw, 0, 1))
    cfg: dict = {}
    if draw(st.integers(0, 3)) == 0:
        cfg["axis"] = _int(draw, -len(shape), len(shape) - 1) if wild else _int(draw, 1, len(shape) - 1)
    return Spec(cls, cfg, _int(draw, 0, 1) if cfg else 0)


def rescaling(draw: Draw, shape: tuple, wild: bool) -> Spec:
    cfg: dict = {"scale": _pick(draw, [1 / 255, 2.0, 0.5])}
    if draw(st.booleans()):
        cfg["offset"] = -1.0
    return Spec("Rescaling", cfg, _int(draw, 0, 2))


def resizing(cls: str) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        cfg = {"height": _int(draw, 1, 8), "width": _int(draw, 1, 8)}
        if cls == "Resizing" and draw(st.booleans()):
            cfg["interpolation"] = _pick(draw, ["nearest", "bilinear"])
        return Spec(cls, cfg, _int(draw, 0, 2))

    return make


def flatten(draw: Draw, shape: tuple, wild: bool) -> Spec:
    return Spec("Flatten", {})


def repeat_vector(draw: Draw, shape: tuple, wild: bool) -> Spec:
    return Spec("RepeatVector", {"n": _int(draw, 1, 4)}, _int(draw, 0, 1))


def permute(draw: Draw, shape: tuple, wild: bool) -> Spec:
    axes = list(range(1, len(shape)))
    dims = list(draw(st.permutations(axes)))
    if wild:
        dims = [_int(draw, 0, len(shape)) for _ in axes[:_int(draw, 1, len(axes) + 1)]]
    return Spec("Permute", {"dims": tuple(dims)}, _int(draw, 0, 1))


def reshape(draw: Draw, shape: tuple, wild: bool) -> Spec:
    rest = shape[1:]
    if any(d is None for d in rest) or wild:
        target = tuple(_int(draw, 1, 6) for _ in range(_int(draw, 1, 3)))
        if draw(st.booleans()):
            i = _int(draw, 0, len(target) - 1)
            target = target[:i] + (-1,) + target[i + 1:]
    else:
        total = 1
        for d in rest:
            total *= d
        factors = _factor(draw, total, _int(draw, 1, 3))
        if draw(st.integers(0, 2)) == 0:
            i = _int(draw, 0, len(factors) - 1)
            factors = factors[:i] + [-1] + factors[i + 1:]
        target = tuple(factors)
    return Spec("Reshape", {"target_shape": target}, _int(draw, 0, 1))


def _factor(draw: Draw, total: int, parts: int) -> list:
    out = []
    for _ in range(parts - 1):
        divisors = [d for d in range(1, total + 1) if total % d == 0 and d <= 16]
        d = _pick(draw, divisors)
        out.append(d)
        total //= d
    return out + [total]


def mha(draw: Draw, shape: tuple, wild: bool) -> Spec:
    cfg: dict = {"num_heads": _int(draw, 1, 3), "key_dim": _int(draw, 1, 4)}
    if draw(st.integers(0, 2)) == 0:
        cfg["output_shape"] = _int(draw, 1, 6)
    if len(shape) > 3 and draw(st.booleans()):
        axes = list(range(1, len(shape) - 1))
        cfg["attention_axes"] = tuple(sorted(draw(st.lists(st.sampled_from(axes), min_size=1, unique=True))))
        if len(cfg["attention_axes"]) == 1 and len(shape) >= 5:
            # EXCLUDED (a device limit, not a shape rule): one attention axis on a rank-5 query makes
            # rank-6 scores, which Keras hands to TensorFlow's Softmax op; its CPU kernel takes rank <= 5
            # ("Input dims must be <= 5", AbortedError on data). shapecheck does not report it.
            cfg["attention_axes"] = tuple(axes)
        # EXCLUDED (shapecheck gaps, reported): attention_axes holding the batch axis or an axis past
        # the rank. On query (2, 1, 1, 1) and value (2, 1, 2, 1), (0,) and (4,) both build to
        # (2, 1, 1, 1) and fail on data ("Output subscripts contain a label appearing more than
        # once" for (4,)); shapecheck infers (2, 1, 1, 1) and reports nothing.
    return Spec("MultiHeadAttention", cfg, _int(draw, 0, 2))


def attention(draw: Draw, shape: tuple, wild: bool) -> Spec:
    cfg = {"use_scale": True} if draw(st.booleans()) else {}
    return Spec("Attention", cfg)


def spatial_dropout(n: int) -> Callable:
    def make(draw: Draw, shape: tuple, wild: bool) -> Spec:
        cfg: dict = {"rate": 0.2}
        if n > 1:
            _with_fmt(cfg, _fmt(draw))
        return Spec(f"SpatialDropout{n}D", cfg, _int(draw, 0, 1))

    return make


def time_distributed_conv(draw: Draw, shape: tuple, wild: bool) -> Spec:
    """TimeDistributed over a layer for one rank less: a convolution, pooling or Flatten."""
    inner_shape = shape[:1] + shape[2:]
    n = len(inner_shape) - 2
    makers = [flatten, dense]
    if n in (1, 2, 3):
        makers += [conv("conv", n), pooling("Max", n), global_pooling("Average", n)]
    inner = _pick(draw, makers)(draw, inner_shape, wild)
    return Spec("TimeDistributed", {"layer": inner}, _int(draw, 0, 1))


def image_preprocessing(draw: Draw, shape: tuple, wild: bool) -> Spec:
    cls = _pick(draw, ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomCrop",
                       "RandomContrast", "RandomBrightness"])
    if cls == "RandomFlip":
        return Spec(cls, {"mode": _pick(draw, ["horizontal", "vertical", "horizontal_and_vertical"])}, _int(draw, 0, 1))
    if cls == "RandomRotation":
        return Spec(cls, {"factor": 0.1}, _int(draw, 0, 1))
    if cls == "RandomZoom":
        return Spec(cls, {"height_factor": 0.1}, _int(draw, 0, 1))
    if cls == "RandomTranslation":
        return Spec(cls, {"height_factor": 0.1, "width_factor": 0.1}, _int(draw, 0, 2))
    if cls == "RandomCrop":
        return Spec(cls, {"height": _int(draw, 1, 8), "width": _int(draw, 1, 8)}, _int(draw, 0, 2))
    if cls == "RandomContrast":
        return Spec(cls, {"factor": 0.2}, _int(draw, 0, 1))
    return Spec(cls, {"factor": 0.2}, _int(draw, 0, 1))


def embedding(draw: Draw, shape: tuple, wild: bool) -> Spec:
    return Spec("Embedding", {"input_dim": _int(draw, 2, 20), "output_dim": _int(draw, 1, 6)}, _int(draw, 0, 2))


# single-input layers that take an input of the given rank (the batch axis included)
_ANY = [dense, activation, normalization, flatten, reshape, rescaling, einsum_dense]
SINGLE: dict[int, list[Callable]] = {
    2: _ANY + [repeat_vector],
    3: _ANY + [permute, time_distributed, bidirectional, mha, attention]
       + [rnn(c) for c in ("LSTM", "GRU", "SimpleRNN")]
       + [conv(k, 1) for k in ("conv", "transpose", "separable", "depthwise")]
       + [pooling(k, 1) for k in ("Max", "Average")] + [global_pooling(k, 1) for k in ("Max", "Average")]
       + [adaptive_pooling(k, 1) for k in ("Max", "Average")] + [cropping(1), upsampling(1), zero_padding(1)]
       + [spatial_dropout(1)],
    4: _ANY + [permute, time_distributed, conv_lstm(1), resizing("Resizing"), resizing("CenterCrop")]
       + [conv(k, 2) for k in ("conv", "transpose", "separable", "depthwise")]
       + [pooling(k, 2) for k in ("Max", "Average")] + [global_pooling(k, 2) for k in ("Max", "Average")]
       + [adaptive_pooling(k, 2) for k in ("Max", "Average")] + [cropping(2), upsampling(2), zero_padding(2)]
       + [spatial_dropout(2), time_distributed_conv, mha, image_preprocessing],
    5: _ANY + [permute, conv_lstm(2)]
       + [conv(k, 3) for k in ("conv", "transpose")]
       + [pooling(k, 3) for k in ("Max", "Average")] + [global_pooling(k, 3) for k in ("Max", "Average")]
       + [adaptive_pooling(k, 3) for k in ("Max", "Average")] + [cropping(3), upsampling(3), zero_padding(3)]
       + [spatial_dropout(3), time_distributed_conv],
}
# layers called on two tensors, and how they take them
MERGES = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"]
TWO_INPUTS = {"MultiHeadAttention": "two", "Attention": "list"}


def _too_big(shape: tuple) -> bool:
    total = 1
    for d in shape[1:]:
        total *= d if d is not None else 4
    return total > 4096 or any(d is not None and d > 48 for d in shape[1:])


_GROWING = {"UpSampling", "ZeroPadding", "Transpose", "RepeatVector", "Resizing"}


def draw_input(draw: Draw) -> Program:
    rank = _pick(draw, [2, 3, 3, 4, 4, 5])
    if rank == 2 and draw(st.integers(0, 3)) == 0:
        return Program((_int(draw, 1, 8),), dtype="int32")  # token ids for an Embedding
    if rank == 5:
        dims = [_int(draw, 1, 6) for _ in range(3)] + [_int(draw, 1, 4)]
    elif rank == 4:
        dims = [_int(draw, 1, 10) for _ in range(2)] + [_int(draw, 1, 4)]
        if draw(st.integers(0, 7)) == 0:
            dims[0] = dims[1] = None  # an image of any size
    elif rank == 3:
        dims = [_int(draw, 1, 10), _int(draw, 1, 8)]
        if draw(st.integers(0, 5)) == 0:
            dims[0] = None  # a sequence of any length
    else:
        dims = [_int(draw, 1, 16)]
    batch = 2 if draw(st.integers(0, 5)) == 0 else None
    return Program(tuple(dims), batch_size=batch)


def draw_chain(draw: Draw, max_steps: int = 6, merges: bool = True, shared: bool = False) -> KerasChain:
    """Draw and apply steps until ``max_steps`` or the first call Keras rejects."""
    program = draw_input(draw)
    chain = KerasChain(Program(program.input_shape, program.dtype, program.batch_size))
    current = "v0"
    names = iter(f"v{i}" for i in range(1, 1000))
    if program.dtype == "int32":
        if not chain.apply(Step(embedding(draw, chain.shape(current), False), (current,), next(names))):
            return chain
        current = chain.program.steps[-1].out
    for _ in range(_int(draw, 2, max_steps)):
        shape = chain.shape(current)
        wild = draw(st.integers(0, 3)) == 0
        if merges and draw(st.integers(0, 5)) == 0:
            step = _merge_steps(draw, chain, current, names, wild)
            if step is None:
                return chain
            current = step
            continue
        # EXCLUDED (shapecheck gap, reported): LayerNormalization called again at another shape.
        # Keras fails on data when the gamma it built cannot be reshaped to the new axes
        # (axis=1 built on (2, 2), then called on (2, 1, 2)); shapecheck keeps no built spec for it.
        named = [i for i, s in enumerate(chain.program.steps)  # (AdaptiveMax: the exclusion below)
                 if s.named and s.style == "one" and not s.spec.cls.startswith("AdaptiveMax")
                 and s.spec.cls != "LayerNormalization"]
        if shared and named and draw(st.integers(0, 4)) == 0:
            # call an earlier layer object again, on whatever shape is current
            j = _pick(draw, named)
            out = next(names)
            if not chain.apply(Step(chain.program.steps[j].spec, (current,), out, reuse=j)):
                return chain
            current = out
            continue
        rank = len(shape)
        if wild and draw(st.booleans()):
            rank = _pick(draw, sorted(SINGLE))  # a layer made for another rank
        options = SINGLE.get(rank, _ANY)
        if rank != len(shape):
            # EXCLUDED (reported): AdaptiveMaxPooling on another rank. Keras's symbolic build checks
            # no rank ((None, 1) -> AdaptiveMaxPooling2D((1, 6)) gives (None, 1, 6, 1)) and its
            # TensorFlow kernel cannot be run here to settle it (SIGFPE, see KerasChain.apply);
            # shapecheck reports rank-mismatch.
            options = [f for f in options if not getattr(f, "adaptive_max", False)]
        if _too_big(shape):
            options = [f for f in options if not any(g in getattr(f, "__qualname__", "") for g in ("upsampling",))]
            options = [dense, flatten, activation] + [f for f in options if "pooling" in f.__qualname__]
        maker = _pick(draw, options)
        spec = maker(draw, shape, wild)
        if _too_big(shape) and any(g in spec.cls for g in _GROWING):
            spec = Spec("Dense", {"units": 4}, 1)
        style = TWO_INPUTS.get(spec.cls, "one")
        inputs = (current,) * (2 if style != "one" else 1)
        repeat = 1
        if style == "one" and draw(st.integers(0, 5)) == 0 and spec.cls in (
                "Dense", "Activation", "LayerNormalization", "Conv1D", "Conv2D", "Conv3D", "Dropout", "ReLU",
                "MaxPooling1D", "MaxPooling2D", "LSTM", "GRU", "SimpleRNN", "BatchNormalization"):
            repeat = _int(draw, 2, 3)
        out = next(names)
        name = shared and repeat == 1 and draw(st.integers(0, 2)) == 0
        if not chain.apply(Step(spec, inputs, out, style, repeat, named=name)):
            return chain
        current = out
    return chain


def _merge_steps(draw: Draw, chain: KerasChain, current: str, names: Any, wild: bool) -> Optional[str]:
    """A branch off ``current`` and the merge of both (or of ``current`` with an earlier tensor)."""
    shape = chain.shape(current)
    earlier = [s.out for s in chain.program.steps if s.out != current] + ["v0"]
    if wild or draw(st.integers(0, 9)) == 0:
        other = _pick(draw, earlier)
    else:
        kind = _pick(draw, ["same", "same", "dense", "any"])
        if kind == "same":
            spec = _pick(draw, [Spec("Dense", {"units": shape[-1] or 4}, 1), Spec("Activation", {"activation": "relu"}, 1),
                                Spec("LayerNormalization")])
        elif kind == "dense":
            spec = Spec("Dense", {"units": _int(draw, 1, 6)}, 1)
        else:
            spec = _pick(draw, SINGLE.get(len(shape), _ANY))(draw, shape, False)
        style = TWO_INPUTS.get(spec.cls, "one")
        other = next(names)
        if not chain.apply(Step(spec, (current,) * (2 if style != "one" else 1), other, style)):
            return None
    cls = _pick(draw, MERGES + ["MultiHeadAttention", "Attention"])
    rank = len(shape)
    if cls == "Attention" and len(chain.shape(other)) != rank:
        # EXCLUDED (shapecheck gap, reported): Attention over a query and a value of different
        # ranks. Keras builds the query's shape; on data the batched matmul then either fails
        # (query (None, 3, 1, 3), value (None, 3)) or gives another shape. shapecheck follows
        # the symbolic shape and reports nothing.
        cls = "MultiHeadAttention"
    if cls == "Concatenate":
        cfg: dict = {"axis": _int(draw, -rank + 1, rank - 1) if draw(st.booleans()) else -1}
        if cfg["axis"] == 0:
            cfg["axis"] = -1
        spec = Spec(cls, cfg, _int(draw, 0, 1))
    elif cls == "Dot":
        spec = Spec(cls, {"axes": _int(draw, 1, max(1, rank - 1)) if draw(st.booleans()) else -1}, _int(draw, 0, 1))
    elif cls == "MultiHeadAttention":
        spec = mha(draw, shape, wild)
    elif cls == "Attention":
        spec = attention(draw, shape, wild)
    else:
        spec = Spec(cls)
    style = TWO_INPUTS.get(cls, "list")
    pair = (current, other) if draw(st.booleans()) else (other, current)
    out = next(names)
    function = cls in MERGES and draw(st.integers(0, 2)) == 0
    if not chain.apply(Step(spec, pair, out, style, function=function)):
        return None
    return out


# --------------------------------------------------------------------------- source text


@dataclass
class Rendered:
    source: str
    lines: list[int]  # per executed call (Keras's order), the line of the call
    input_line: int
    make_lines: list[int]  # per executed call, the line of the layer's constructor
    visible: list[bool] = field(default_factory=list)  # per executed call: shapecheck records its shape
    # (a call inside a nested Sequential is not recorded: only the sub-model's call is)


IMPORTS = [
    "import keras\nfrom keras import layers",
    "import tensorflow as tf\nfrom tensorflow import keras\nfrom tensorflow.keras import layers",
    "import keras\n\nlayers = keras.layers",
    "import tensorflow as tf\n\nkeras = tf.keras\nlayers = tf.keras.layers",
]


def render(program: Program, mode: str, helpers: list[bool], loops: list[bool], model: bool = True,
           names: Optional[list[bool]] = None, submodels: Optional[list[int]] = None, imports: int = 0) -> Rendered:
    """The program as source: ``mode`` is ``functional``, ``sequential`` or ``add``. In functional
    mode ``helpers[i]`` puts step i in a helper function, ``loops[i]`` writes a repeated step as a
    ``for`` loop (else unrolled), and ``names[i]`` writes the first config value of step i as a
    name: a parameter of its helper (the value passed at the call), else a module constant.
    ``submodels[i]`` = n > 1 writes steps i .. i+n-1 (when they form a plain chain) as a nested
    ``keras.Sequential([...])`` without an Input, called once in the functional program.
    ``imports`` picks how Keras is imported (an index into :data:`IMPORTS`)."""
    head = IMPORTS[imports].split("\n") + [""]
    input_args = [repr(program.input_shape)]
    if program.batch_size is not None:
        input_args.append(f"batch_size={program.batch_size}")
    if program.dtype != "float32":
        input_args.append(f"dtype={program.dtype!r}")
    input_expr = f"keras.Input(shape={', '.join(input_args)})" if len(input_args) == 1 else \
        f"keras.Input(shape={input_args[0]}, {', '.join(input_args[1:])})"
    lines = list(head)
    step_lines: list[list[int]] = []  # per step, the line of each repeat
    make_lines: list[int] = []
    groups = _groups(program, submodels or []) if mode == "functional" else {}
    grouped = {k for start, end in groups.items() for k in range(start, end + 1)}
    subst: list[dict] = [{} for _ in program.steps]  # per step: config key -> the name written instead
    passed: list[Optional[str]] = [None] * len(program.steps)  # the value a helper's parameter receives
    for i, step in enumerate(program.steps):
        if not (names and names[i]) or step.function or step.reuse is not None or not step.spec.kwargs:
            continue
        key, value = next(iter(step.spec.kwargs.items()))
        if isinstance(value, Spec):
            continue
        if mode == "functional" and helpers[i] and not step.named and step.reuse is None and i not in grouped:
            subst[i] = {key: "p"}
            passed[i] = _literal(value)
        else:
            subst[i] = {key: f"C{i}"}
            lines.append(f"C{i} = {_literal(value)}")
    if len(lines) > len(head):
        lines.append("")

    def call_expr(i: int, args: list[str], layer: Optional[str] = None) -> str:
        step = program.steps[i]
        if step.function:
            extra = "".join(f", {k}={_literal(v)}" for k, v in step.spec.kwargs.items())
            return f"layers.{step.spec.cls.lower()}([{', '.join(args)}]{extra})"
        made = layer or step.spec.render(subst[i])
        if step.style == "list":
            return f"{made}([{', '.join(args)}])"
        return f"{made}({', '.join(args)})"

    if mode == "sequential":
        lines.append("model = keras.Sequential([")
        seq_line = len(lines)
        lines.append(f"    {input_expr},")
        input_line = len(lines)
        for i, step in enumerate(program.steps):
            step_lines.append([seq_line] * step.repeat)
            for _ in range(step.repeat):
                lines.append(f"    {step.spec.render(subst[i])},")
                make_lines.append(len(lines))
        lines.append("])")
    elif mode == "add":
        lines.append("model = keras.Sequential()")
        lines.append(f"model.add({input_expr})")
        input_line = len(lines)
        for i, (step, loop) in enumerate(zip(program.steps, loops)):
            if step.repeat > 1 and loop:
                lines.append(f"for _ in range({step.repeat}):")
                lines.append(f"    model.add({step.spec.render(subst[i])})")
                step_lines.append([len(lines)] * step.repeat)
            else:
                here = []
                for _ in range(step.repeat):
                    lines.append(f"model.add({step.spec.render(subst[i])})")
                    here.append(len(lines))
                step_lines.append(here)
    else:
        body: list[str] = []
        hidden: set[int] = set()  # executed calls inside a sub-model
        calls_before = [sum(s.repeat for s in program.steps[:k]) for k in range(len(program.steps))]
        where: list[tuple[str, Any]] = []  # per step: ("head", [line]) or ("body", [offset])
        makes: list[tuple[str, Any]] = []  # per step, where its constructor is, when not on the call's line
        for i, (step, helper, loop) in enumerate(zip(program.steps, helpers, loops)):
            params = [f"t{j}" for j in range(len(step.inputs))]
            if any(start < i <= end for start, end in groups.items()):
                continue  # written with the sub-model that holds it
            makes.append(None)
            if i in groups:
                end = groups[i]
                body.append(f"sub{i} = keras.Sequential([")
                made = []
                for k in range(i, end + 1):
                    for _ in range(program.steps[k].repeat):
                        body.append(f"    {program.steps[k].spec.render(subst[k])},")
                        made.append(len(body))
                body.append("])")
                body.append(f"{program.steps[end].out} = sub{i}({step.inputs[0]})")
                at = 0
                for k in range(i, end + 1):
                    n = program.steps[k].repeat
                    if k > i:
                        makes.append(None)
                    makes[-1] = ("body", made[at:at + n])
                    where.append(("body", [len(body)] * n))
                    at += n
                    hidden.update(range(calls_before[k], calls_before[k] + n))
                hidden.discard(calls_before[end] + program.steps[end].repeat - 1)
                continue
            if step.named or step.reuse is not None:
                if step.named:
                    body.append(f"layer{i} = {step.spec.render(subst[i])}")
                    makes[-1] = ("body", [len(body)])
                body.append(f"{step.out} = {call_expr(i, list(step.inputs), f'layer{step.reuse if step.reuse is not None else i}')}")
                where.append(("body", [len(body)]))
            elif helper:
                sig = ", ".join(params + (["n"] if step.repeat > 1 and loop else [])
                                + (["p"] if passed[i] is not None else []))
                lines.append(f"def block{i}({sig}):")
                if step.repeat > 1 and loop:
                    lines.append("    for _ in range(n):")
                    lines.append(f"        t0 = {call_expr(i, ['t0'])}")
                    where.append(("head", [len(lines)] * step.repeat))
                    lines.append("    return t0")
                elif step.repeat > 1:
                    here = []
                    for _ in range(step.repeat):
                        lines.append(f"    t0 = {call_expr(i, ['t0'])}")
                        here.append(len(lines))
                    where.append(("head", here))
                    lines.append("    return t0")
                else:
                    lines.append(f"    return {call_expr(i, params)}")
                    where.append(("head", [len(lines)]))
                lines += ["", ""]
                args = ", ".join(list(step.inputs) + ([str(step.repeat)] if step.repeat > 1 and loop else [])
                                 + ([passed[i]] if passed[i] is not None else []))
                body.append(f"{step.out} = block{i}({args})")
            elif step.repeat > 1 and loop:
                body.append(f"{step.out} = {step.inputs[0]}")
                body.append(f"for _ in range({step.repeat}):")
                body.append(f"    {step.out} = {call_expr(i, [step.out])}")
                where.append(("body", [len(body)] * step.repeat))
            elif step.repeat > 1:
                here = []
                args = list(step.inputs)
                for _ in range(step.repeat):
                    body.append(f"{step.out} = {call_expr(i, args)}")
                    args = [step.out]
                    here.append(len(body))
                where.append(("body", here))
            else:
                body.append(f"{step.out} = {call_expr(i, list(step.inputs))}")
                where.append(("body", [len(body)]))
        lines.append(f"v0 = {input_expr}")
        input_line = len(lines)
        offset = len(lines)
        lines += body
        for (kind, ls), made in zip(where, makes):
            step_lines.append(ls if kind == "head" else [offset + x for x in ls])
            if made is not None:
                make_lines.extend(offset + x for x in made[1])
            else:
                make_lines.extend(step_lines[-1])
        if program.steps and model:
            lines.append(f"model = keras.Model(v0, {program.steps[-1].out})")
    calls = [ln for ls in step_lines for ln in ls]
    hidden = hidden if mode == "functional" else set()
    return Rendered("\n".join(lines) + "\n", calls, input_line, make_lines if mode != "add" else calls,
                    [i not in hidden for i in range(len(calls))])


def _groups(program: Program, submodels: list[int]) -> dict[int, int]:
    """first step -> last step of each run of steps that can be a nested Sequential."""
    steps, out = program.steps, {}
    i = 0
    while i < len(steps):
        n = submodels[i] if i < len(submodels) else 0
        end = min(i + n, len(steps)) - 1
        if n > 1 and end > i and _plain_run(steps, i, end):
            out[i] = end
            i = end + 1
        else:
            i += 1
    return out


def _plain_run(steps: list[Step], start: int, end: int) -> bool:
    run = steps[start:end + 1]
    if any(s.style != "one" or s.named or s.reuse is not None or s.function for s in run):
        return False
    if any(run[k].inputs != (run[k - 1].out,) for k in range(1, len(run))):
        return False
    inner = {s.out for s in run[:-1]}
    return not any(set(s.inputs) & inner for s in steps[end + 1:])
