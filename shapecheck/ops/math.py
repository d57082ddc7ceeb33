"""Rules for ``keras.ops.math``: segment reductions, FFTs, ``stft``/``istft``, ``top_k`` and friends."""

from __future__ import annotations
