"""``shapecheck --runtime``: confirm or contradict every static result with real Keras.

Each file's extracted graph (:class:`~shapecheck.core.ir.Graph`) is rebuilt with real
Keras layers (:mod:`.replay`), symbolically and then on small random data on the device
chosen here (the GPU when the backend sees one, else the CPU). Every finding gets a
verdict — ``confirmed`` (Keras raises there), ``contradicted`` (Keras accepts it: a false
positive) or ``unverifiable`` (with why) — and every inferred shape is compared with the
shape Keras gives. Keras and its backend are imported only in the worker process that
replays the graphs (:mod:`.worker`); the analysed code is never imported or executed.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Optional

from ..core import dims
from ..core.ir import TensorRef
from ..core.shapes import show_shape
from .replay import GraphReplay, Outcome

RUNTIME_EXTRA = "pip install 'keras-shapecheck[runtime]'"
#: the share of free memory the data pass may use when no ``--runtime-memory`` is given
MEMORY_FRACTION = 0.5


class RuntimeUnavailable(Exception):
    """No Keras (or no backend, or no such device) to replay with: a usage error (exit 2)."""


@dataclass(frozen=True)
class Settings:
    device: str = "auto"  # auto | cpu | gpu | gpu:N
    memory_limit: Optional[int] = None  # bytes the replay may use; None: a fraction of free memory
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
    #: Keras rejects a call shapecheck reported nothing for: (where the call is, message)
    missed: list[tuple[Any, str]] = field(default_factory=list)
    data_pass: str = ""  # why the data pass did not run, when it did not
    #: layer identity -> Keras's (trainable, non_trainable) parameter counts
    params: dict[str, tuple[int, int]] = field(default_factory=dict)


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


# -- the worker ----------------------------------------------------------------------
class _Worker:
    """The Keras process (:mod:`.worker`): started on demand, again after a crash or a hang."""

    #: seconds Keras and its backend may take to import and find the device
    STARTUP = 300.0

    def __init__(self, device: str) -> None:
        self.device = device
        self.settings = Settings(device)
        self.proc: Optional[subprocess.Popen] = None
        self.stderr: Any = None
        self.hello: dict = {}

    def start(self) -> None:
        self.stderr = tempfile.TemporaryFile()
        # The worker imports this very shapecheck, wherever it was imported from.
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", "shapecheck.runtime.worker", self.device],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     bufsize=1, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": path})
        hello = self._read(self.STARTUP)
        if not isinstance(hello, dict):
            self.stop()
            raise RuntimeUnavailable(f"Keras could not start for --runtime: {hello}")
        if "error" in hello:
            self.stop()
            raise RuntimeUnavailable(hello["error"])
        self.hello = hello

    def replay(self, graph: Any) -> dict | str:
        """The worker's answer for one graph, or why there is none (a crash, a hang)."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        request = {"graph": graph.to_json(), "time_limit": self.settings.time_limit,
                   "memory_limit": self.settings.memory_limit}
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._died()
        # The replay checks its time limit between calls; one call that never returns is cut here.
        answer = self._read(self.settings.time_limit * 2 + 30)
        if isinstance(answer, str):
            self.stop()
        return answer

    def _read(self, timeout: float) -> dict | str:
        assert self.proc is not None and self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                return f"the replay of this file did not finish in {timeout:g} s and was stopped"
        line = self.proc.stdout.readline()
        if not line:
            return self._died()
        return json.loads(line)

    def _died(self) -> str:
        assert self.proc is not None
        code = self.proc.wait()
        how = f"exit status {code}"
        if code < 0:
            try:
                how = signal.Signals(-code).name
            except ValueError:
                how = f"signal {-code}"
        tail = ""
        if self.stderr is not None:
            self.stderr.seek(0)
            lines = [ln for ln in self.stderr.read().decode(errors="replace").splitlines() if ln.strip()]
            fatal = [ln for ln in lines if "Fatal" in ln or "Error" in ln]
            tail = f": {(fatal or lines)[-1].strip()[:200]}" if lines else ""
        self.proc = None
        return f"Keras crashed while replaying this file ({how}{tail})"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


# -- verdicts ----------------------------------------------------------------------
def verify(report: Any, settings: Settings = Settings()) -> RuntimeReport:
    """Replay every file's graph in a Keras worker process; verdicts for each finding and shape of
    ``report`` (an ``api.Report``). :class:`RuntimeUnavailable` when Keras or the device is not there."""
    worker = _WORKERS.get(settings.device)
    if worker is None or worker.proc is None:
        worker = _Worker(settings.device)
        worker.start()
        _WORKERS[settings.device] = worker
    worker.settings = settings
    rt = RuntimeReport(worker.hello["backend"], worker.hello["keras_version"], worker.hello["device"])
    for file in report.files:
        rt.files[file.path] = _verify_file(file, worker)
    return rt


#: the worker of each device, kept for the next call (Keras takes seconds to import)
_WORKERS: dict[str, _Worker] = {}


@atexit.register
def _stop_workers() -> None:
    for worker in _WORKERS.values():
        worker.stop()


def _verify_file(file: Any, worker: _Worker) -> FileRuntime:
    graph = getattr(file, "graph", None)
    answer: dict | str = "the file was not analysed (nothing to replay)"
    if graph is not None:
        answer = worker.replay(graph)
    if isinstance(answer, dict) and "unavailable" in answer:
        answer = answer["unavailable"]
    if isinstance(answer, str):
        return FileRuntime([Verdict("unverifiable", answer) for _ in file.findings],
                           [ShapeVerdict((), None, answer) for _ in file.shapes], data_pass=answer)
    return judge(file, graph, GraphReplay.from_json(answer["replay"]))


def judge(file: Any, graph: Any, r: GraphReplay) -> FileRuntime:
    out = FileRuntime(data_pass=r.eager_skipped, params=dict(r.params))
    reported: set[int] = set()
    # (a finding reported once for a call that runs several times, in a helper, names one node)
    spans = {(f.span.cell, f.span.line, f.span.column) for f in file.findings}  # (the cell: in a notebook)
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
                and (node.span is None or (node.span.cell, node.span.line, node.span.column) not in spans) \
                and node.kind in ("input", "layer", "op", "model", "construct") and node.span is not None:
            out.missed.append((node.span, f"Keras raises {sym.error}: {sym.message}"))
    return out


#: what Keras raises about the backend, not about the code: no confirmation of a finding
_OTHER_REASON = re.compile(r"(not|only) supported (with|by|on|for) the \w+ backend", re.I)


def finding_verdict(f: Any, graph: Any, r: GraphReplay) -> Verdict:
    if f.node is None:
        return Verdict("unverifiable", "nothing to replay for this finding")
    node = graph.nodes[f.node]
    sym = r.symbolic.get(f.node) or Outcome("skipped", "not replayed")
    eager = r.eager.get(f.node)
    for outcome in (sym, eager):
        if outcome is not None and outcome.raised and _OTHER_REASON.search(outcome.message):
            return Verdict("unverifiable", f"Keras raises for another reason: {outcome.message}")
    if sym.raised:
        return Verdict("confirmed", f"Keras raises {sym.error}: {sym.message}")
    if eager is not None and eager.raised:
        return Verdict("confirmed", f"Keras raises {eager.error} when data flows: {eager.message}")
    if sym.ok and node.kind in ("construct", "model"):
        return Verdict("contradicted", "Keras accepts it")
    if sym.status == "skipped" and node.kind == "method" and eager is None and r.eager_skipped \
            and sym.message != r.eager_skipped:
        return Verdict("unverifiable", f"it needs data to flow, and the replay was {r.eager_skipped}")
    if sym.status == "skipped" and (node.kind != "method" or eager is None):
        return Verdict("unverifiable", sym.message)
    if eager is not None and eager.ok:
        shapes = ", ".join(show_shape(s) for s in eager.shapes or [])
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
            if not _agree(t.shape, keras_shape):
                agrees, why = False, f"Keras gives {show_shape(keras_shape)}"
                continue
        data_shape = _output(eager, ref.index)
        if data_shape is not None:
            if keras_shape is None:
                runtime.append(list(data_shape))
            if not _agree(t.shape, data_shape):
                agrees, why = False, f"on data Keras gives {show_shape(data_shape)}"
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


def _agree(static: Optional[tuple], keras_shape: tuple) -> bool:
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


def _downstream_of_data(graph: Any) -> set[int]:
    """Nodes computed from data probes (``fit``/``predict``'s data): their findings are the method's."""
    tainted: set[int] = set()
    for node in graph.nodes:
        if node.kind == "data" or any(ref.node in tainted for ref in node.tensor_refs()):
            tainted.add(node.id)
    return tainted
