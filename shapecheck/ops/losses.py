"""Shape rules for ``keras.losses`` functions, and how ``compile(loss=...)`` applies them."""

from __future__ import annotations
