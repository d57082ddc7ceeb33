"""The process that runs Keras for ``--runtime``.

A crash or a hang inside Keras or its backend (a floating point exception in a kernel, a
pooling op that never returns) ends this process, never shapecheck: the parent reports that
file's results unverifiable and starts another worker for the next file.

Protocol, one JSON object per line. Argument: the wanted device. The worker first writes
``{"backend", "keras_version", "device"}`` (or ``{"error": message}`` when Keras or the device is
not there), then answers each request ``{"graph": Graph.to_json(), "time_limit": seconds,
"memory_limit": bytes or null}`` with ``{"replay": GraphReplay.to_json()}``.
It reads graphs only: the analysed code is never imported or executed.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import warnings
from typing import Any, TextIO


def _send(channel: TextIO, message: dict) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def main() -> None:
    # The channel is the original stdout; whatever Keras or TensorFlow print goes to stderr.
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    wanted = sys.argv[1]

    from ..core.ir import Graph
    from . import MEMORY_FRACTION, RuntimeUnavailable, free_memory, load_keras, load_tf_keras, select_device
    from .replay import Replayer

    try:
        keras = load_keras()
        backend = keras.backend.backend()
        device, label = select_device(backend, wanted)
    except RuntimeUnavailable as e:
        _send(channel, {"error": str(e)})
        return
    _send(channel, {"backend": backend, "keras_version": keras.__version__, "device": label})
    for line in sys.stdin:
        request = json.loads(line)
        graph = Graph.from_json(request["graph"])
        module: Any = keras if graph.keras_version >= 3 else load_tf_keras()
        if module is None:
            _send(channel, {"unavailable": "checked under tf.keras 2, and tf_keras is not installed to replay it"})
            continue
        limit = request.get("memory_limit")
        if limit is None:
            free = free_memory(backend, device)
            limit = int(free * MEMORY_FRACTION) if free else 2 * 2**30
        replayer = Replayer(module, graph, keras_version=graph.keras_version, time_limit=request["time_limit"],
                            memory_limit=limit)
        with warnings.catch_warnings():
            # (Keras's advice to the code's author, `input_shape=` and the like, is not ours to print)
            warnings.simplefilter("ignore")
            with keras.device(device):
                result = replayer.run()
        del replayer
        module.backend.clear_session()  # each file starts afresh, its memory freed
        gc.collect()
        _send(channel, {"replay": result.to_json()})


if __name__ == "__main__":
    main()
