"""Rules for the ``keras.ops.nn`` functions that are not plain elementwise activations:
convolution, pooling, normalization, attention, losses and the CTC functions."""

from __future__ import annotations
