"""Shape rules for data: NumPy arrays, ``keras.utils`` helpers, ``keras.datasets``, splits."""

from __future__ import annotations
