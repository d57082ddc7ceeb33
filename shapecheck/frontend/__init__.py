"""The front end: libcst parses a module, the interpreter follows it in statement order."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for building a syntax tree (CPython's or libcst's, with its
    positions) or unpickling a cached result, which allocate hundreds of thousands of objects and no
    cycle, so each collection the allocations trigger finds nothing to free -- and took two thirds of
    ``ast.parse``'s time on the stdlib here, a fifth of libcst's parse."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
