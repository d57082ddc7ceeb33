"""``shapecheck --runtime``: confirm or contradict every static result with real Keras.

Each file's extracted graph (:class:`~shapecheck.core.ir.Graph`) is rebuilt with real
Keras layers (:mod:`.replay`), symbolically and then on small random data on the device
chosen here (the GPU when the backend sees one, else the CPU). Every finding gets a
verdict — ``confirmed`` (Keras raises there), ``contradicted`` (Keras accepts it: a false
positive) or ``unverifiable`` (with why) — and every inferred shape is compared with the
shape Keras gives. Keras and its backend are imported only here, lazily; the analysed code
is never imported or executed.
"""

from __future__ import annotations

import gc
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Optional

from ..core import dims
from ..core.ir import TensorRef
from .replay import GraphReplay, Outcome, Replayer

RUNTIME_EXTRA = "pip install 'keras-shapecheck[runtime]'"
#: the share of free memory the data pass may use when no ``--runtime-memory`` is given
MEMORY_FRACTION = 0.5


class RuntimeUnavailable(Exception):
    """No Keras (or no backend, or no such device) to replay with: a usage error (exit 2)."""


@dataclass(frozen=True)
class Settings:
    device: str = "auto"  # auto | cpu | gpu | gpu:N
    memory_limit: Optional[int] = None  # bytes for the data pass; None: a fraction of free memory
    time_limit: float = 60.0  # seconds per file


@dataclass(frozen=True)
class Verdict:
    verdict: str  # confirmed | contradicted | unverifiable
    message: str


@dataclass(frozen=True)
class ShapeVerdict:
    #: Keras's shape of each output (``None`` where it could not be had)
    runtime_shapes: tuple
    #: whether every shape agrees; ``None`` when there is nothing to compare
    agrees: Optional[bool]
    message: str = ""


@dataclass
class FileRuntime:
    findings: list[Verdict] = field(default_factory=list)  # one per finding, in order
    shapes: list[ShapeVerdict] = field(default_factory=list)  # one per shape entry, in order
    #: Keras rejects a call shapecheck reported nothing for: (line, column, message)
    missed: list[tuple[int, int, str]] = field(default_factory=list)
    data_pass: str = ""  # why the data pass did not run, when it did not
    #: layer identity -> Keras's (trainable, non_trainable) parameter counts
    params: dict[str, tuple[int, int]] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class RuntimeReport:
    backend: str
    keras_version: str
    device: str
    files: dict[str, FileRuntime] = field(default_factory=dict)

    def count(self, verdict: str) -> int:
        return sum(1 for f in self.files.values() for v in f.findings if v.verdict == verdict)

    @property
    def shapes_checked(self) -> int:
        return sum(1 for f in self.files.values() for s in f.shapes if s.agrees is not None)

    @property
    def shapes_disagree(self) -> int:
        return sum(1 for f in self.files.values() for s in f.shapes if s.agrees is False)


# -- Keras and the device ---------------------------------------------------------
def load_keras() -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        import keras
    except ImportError as e:
        raise RuntimeUnavailable(
            f"--runtime needs Keras and a backend, and they are not installed ({e}). Install the runtime "
            f"extra: {RUNTIME_EXTRA} (TensorFlow), or Keras with JAX or PyTorch and KERAS_BACKEND set."
        ) from None
    if not hasattr(keras, "ops"):
        raise RuntimeUnavailable(f"--runtime needs Keras 3 (found keras {keras.__version__}); {RUNTIME_EXTRA}")
    try:
        keras.backend.backend()
    except Exception as e:  # noqa: BLE001 - a backend that cannot load
        raise RuntimeUnavailable(f"Keras cannot load its backend: {e}. {RUNTIME_EXTRA}") from None
    import logging

    logging.getLogger("absl").setLevel(logging.ERROR)
    return keras


def load_tf_keras() -> Any:
    """tf.keras 2 (``tf_keras``) for files checked under Keras 2 semantics; ``None`` when absent."""
    try:
        import tf_keras
    except ImportError:
        return None
    return tf_keras


def gpus(backend: str) -> list[str]:
    """The GPUs the backend sees, as names for display."""
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            found = tf.config.list_physical_devices("GPU")
            for g in found:
                try:
                    tf.config.experimental.set_memory_growth(g, True)
                except (RuntimeError, ValueError):
                    pass
            names = []
            for g in found:
                details = tf.config.experimental.get_device_details(g)
                names.append(str(details.get("device_name", g.name)))
            return names
        if backend == "torch":
            import torch

            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        if backend == "jax":
            import jax

            try:
                return [str(d.device_kind) for d in jax.devices("gpu")]
            except RuntimeError:
                return []
    except Exception:  # noqa: BLE001 - no GPU support at all
        return []
    return []


def select_device(backend: str, wanted: str) -> tuple[str, str]:
    """The device name for ``keras.device`` and how to show it."""
    wanted = wanted.lower()
    if wanted == "cpu":
        return "cpu:0", "CPU"
    found = gpus(backend)
    if wanted == "auto":
        return ("gpu:0", f"GPU:0 ({found[0]})") if found else ("cpu:0", "CPU (no GPU visible to the backend)")
    index = 0
    if wanted.startswith("gpu:"):
        try:
            index = int(wanted.split(":", 1)[1])
        except ValueError:
            raise RuntimeUnavailable(f"--device {wanted}: expected cpu, gpu or gpu:N") from None
    elif wanted != "gpu":
        raise RuntimeUnavailable(f"--device {wanted}: expected cpu, gpu or gpu:N")
    if index >= len(found):
        raise RuntimeUnavailable(f"--device {wanted}: the {backend} backend sees "
                                 f"{len(found) or 'no'} GPU{'s' if len(found) != 1 else ''}")
    return f"gpu:{index}", f"GPU:{index} ({found[index]})"


def free_memory(backend: str, device: str) -> Optional[int]:
    """Free bytes on the device, when the backend or the system says."""
    try:
        if device.startswith("gpu"):
            index = int(device.split(":")[1])
            if backend == "torch":
                import torch

                return int(torch.cuda.mem_get_info(index)[0])
            if backend == "jax":
                import jax

                stats = jax.devices("gpu")[index].memory_stats() or {}
                return int(stats["bytes_limit"] - stats["bytes_in_use"])
            if backend == "tensorflow":
                import tensorflow as tf

                details = tf.config.experimental.get_memory_info(f"GPU:{index}")
                total = _gpu_total(index)
                return None if total is None else max(0, total - int(details["current"]))
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except Exception:  # noqa: BLE001 - unknown: the caller falls back to a fixed limit
        return None
    return None


def _gpu_total(index: int) -> Optional[int]:
    try:
        import subprocess

        out = subprocess.run(["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=10, check=True).stdout.split()
        return int(out[index]) * 2**20
    except Exception:  # noqa: BLE001
        return None


# -- verdicts ----------------------------------------------------------------------
def verify(report: Any, settings: Settings = Settings()) -> RuntimeReport:
    """Replay every file's graph; verdicts for each finding and shape of ``report`` (an ``api.Report``)."""
    keras = load_keras()
    backend = keras.backend.backend()
    device, label = select_device(backend, settings.device)
    limit = settings.memory_limit
    if limit is None:
        free = free_memory(backend, device)
        limit = int(free * MEMORY_FRACTION) if free else 2 * 2**30
    rt = RuntimeReport(backend, keras.__version__, label)
    with warnings.catch_warnings():
        # (Keras's advice to the code's author, `input_shape=` and the like, is not ours to print)
        warnings.simplefilter("ignore")
        for file in report.files:
            rt.files[file.path] = _verify_file(file, keras, device, limit, settings)
    return rt


def _verify_file(file: Any, keras: Any, device: str, limit: int, settings: Settings) -> FileRuntime:
    graph = getattr(file, "graph", None)
    if graph is None:
        why = "the file was not analysed (nothing to replay)"
        return FileRuntime([Verdict("unverifiable", why) for _ in file.findings],
                           [ShapeVerdict((), None, why) for _ in file.shapes])
    module = keras if graph.keras_version >= 3 else load_tf_keras()
    if module is None:
        why = "checked under tf.keras 2, and tf_keras is not installed to replay it"
        return FileRuntime([Verdict("unverifiable", why) for _ in file.findings],
                           [ShapeVerdict((), None, why) for _ in file.shapes])
    replayer = Replayer(module, graph, keras_version=graph.keras_version, time_limit=settings.time_limit,
                        memory_limit=limit)
    try:
        with keras.device(device):
            result = replayer.run()
    finally:
        # Each file starts afresh: Keras's global state and the memory of the last file go.
        del replayer
        module.backend.clear_session()
        gc.collect()
    return judge(file, graph, result)


def judge(file: Any, graph: Any, r: GraphReplay) -> FileRuntime:
    out = FileRuntime(data_pass=r.eager_skipped, params=dict(r.params), seconds=r.seconds)
    reported: set[int] = set()
    # (a finding reported once for a call that runs several times, in a helper, names one node)
    spans = {(f.span.line, f.span.column) for f in file.findings}
    for f in file.findings:
        out.findings.append(finding_verdict(f, graph, r))
        if f.node is not None:
            reported.add(f.node)
    for entry in file.shapes:
        out.shapes.append(shape_verdict(entry, r))
    data_derived = _downstream_of_data(graph)
    for node in graph.nodes:
        sym = r.symbolic.get(node.id)
        if sym is not None and sym.raised and node.id not in reported and node.id not in data_derived \
                and (node.span is None or (node.span.line, node.span.column) not in spans) \
                and node.kind in ("input", "layer", "op", "model", "construct") and node.span is not None:
            out.missed.append((node.span.line, node.span.column, f"Keras raises {sym.error}: {sym.message}"))
    return out


def finding_verdict(f: Any, graph: Any, r: GraphReplay) -> Verdict:
    if f.node is None:
        return Verdict("unverifiable", "nothing to replay for this finding")
    node = graph.nodes[f.node]
    sym = r.symbolic.get(f.node) or Outcome("skipped", "not replayed")
    eager = r.eager.get(f.node)
    if sym.raised:
        return Verdict("confirmed", f"Keras raises {sym.error}: {sym.message}")
    if eager is not None and eager.raised:
        return Verdict("confirmed", f"Keras raises {eager.error} when data flows: {eager.message}")
    if sym.ok and node.kind in ("construct", "model"):
        return Verdict("contradicted", "Keras accepts it")
    if sym.status == "skipped" and node.kind == "method" and eager is None and r.eager_skipped:
        return Verdict("unverifiable", f"it needs data to flow, and the replay was {r.eager_skipped}")
    if sym.status == "skipped" and (node.kind != "method" or eager is None):
        return Verdict("unverifiable", sym.message)
    if eager is not None and eager.ok:
        shapes = ", ".join(_show(s) for s in eager.shapes or [])
        return Verdict("contradicted", "Keras accepts it" + (f" (output shape {shapes})" if shapes else ""))
    if eager is not None:
        return Verdict("unverifiable", eager.message)
    return Verdict("unverifiable", f"Keras's symbolic build accepts it; {r.eager_skipped}")


def shape_verdict(entry: dict, r: GraphReplay) -> ShapeVerdict:
    refs: tuple[TensorRef, ...] = entry.get("refs") or ()
    static = entry["outputs"]
    if not refs or len(refs) != len(static):
        return ShapeVerdict((), None, "no tensor to compare")
    runtime: list = []
    agrees: Optional[bool] = True
    why = ""
    for ref, t in zip(refs, static):
        sym = r.symbolic.get(ref.node)
        eager = r.eager.get(ref.node)
        keras_shape = _output(sym, ref.index)
        if sym is not None and sym.stand_in:
            runtime.append(None if keras_shape is None else list(keras_shape))
            if agrees:
                agrees, why = None, sym.stand_in
            continue
        if keras_shape is not None:
            runtime.append(list(keras_shape))
            if not _agree(t.shape, keras_shape, exact_none=True):
                agrees, why = False, f"Keras gives {_show(keras_shape)}"
                continue
        data_shape = _output(eager, ref.index)
        if data_shape is not None:
            if keras_shape is None:
                runtime.append(list(data_shape))
            if not _agree(t.shape, data_shape, exact_none=False):
                agrees, why = False, f"on data Keras gives {_show(data_shape)}"
        elif keras_shape is None:
            runtime.append(None)
            if agrees:
                agrees = None
                why = (sym or eager or Outcome("skipped", "not replayed")).message
    return ShapeVerdict(tuple(runtime), agrees, why)


def _output(o: Optional[Outcome], index: int) -> Optional[tuple]:
    if o is None or not o.ok or o.shapes is None or index >= len(o.shapes):
        return None
    return o.shapes[index]


def _agree(static: Optional[tuple], keras_shape: tuple, exact_none: bool) -> bool:
    """Whether Keras's shape agrees with the static one: same rank, and every axis the static
    analysis knows has that size (Keras may leave it undefined symbolically)."""
    if static is None:
        return True
    if len(static) != len(keras_shape):
        return False
    for s, k in zip(static, keras_shape):
        if dims.is_known(s) and k is not None and s != k:
            return False
    return True


def _show(shape: Optional[tuple]) -> str:
    if shape is None:
        return "?"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _downstream_of_data(graph: Any) -> set[int]:
    """Nodes computed from data probes (``fit``/``predict``'s data): their findings are the method's."""
    tainted: set[int] = set()
    for node in graph.nodes:
        if node.kind == "data" or any(ref.node in tainted for ref in node.tensor_refs()):
            tainted.add(node.id)
    return tainted
