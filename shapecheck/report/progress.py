"""The progress bar of a long run: on standard error, only on a terminal, gone when done.

Nothing is shown when standard error is not a terminal (piped, redirected, a CI log), when
``CI`` is set (GitHub Actions, GitLab and most others set it; some of them give a terminal),
with ``TERM=dumb`` or with ``--quiet``; ``NO_COLOR`` asks for no colour, not for no progress,
so the bar is still shown then, without colour. A stage shorter than :data:`DELAY` seconds
shows nothing at all, so that a quick run does not flicker.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Optional, TextIO

#: seconds a stage runs before its bar appears
DELAY = 0.5


def wanted(*, quiet: bool = False, stream: Optional[TextIO] = None) -> bool:
    """Whether a progress bar belongs on ``stream`` (standard error)."""
    stream = stream if stream is not None else sys.stderr
    if quiet or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


class Steps:
    """What a stage tells its bar: ``working(item)`` before a step (the file it works on), ``done()`` after."""

    def __init__(self, bar: Any = None, task: Any = None) -> None:
        self.bar, self.task = bar, task

    def working(self, item: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, item=_fit(item))

    def done(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1)


@contextmanager
def stage(description: str, total: int, *, enabled: bool, delay: float = DELAY,
          stream: Optional[TextIO] = None) -> Iterator[Steps]:
    """A bar for ``total`` steps, shown once the stage has run ``delay`` seconds and removed at its end."""
    if not enabled or total <= 0:
        yield Steps()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream if stream is not None else sys.stderr,
                      no_color=bool(os.environ.get("NO_COLOR")) or None)
    # The bar is narrow and the file's path shortened, so that the count fits an 80-column terminal; the
    # path is plain text (a '[' in a file name is not rich markup).
    bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(),
                   TimeElapsedColumn(), TextColumn("{task.fields[item]}", style="dim", markup=False),
                   console=console, transient=True)
    task = bar.add_task(description, total=total, item="")
    lock = threading.Lock()
    state = {"started": False, "done": False}

    def start() -> None:
        with lock:
            if not state["done"]:
                bar.start()
                state["started"] = True

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.start()

    try:
        yield Steps(bar, task)
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["started"]:
                bar.stop()


#: the longest path the bar shows (longer ones keep their end: the file's name and folders)
ITEM_WIDTH = 36


def _fit(item: str) -> str:
    return item if len(item) <= ITEM_WIDTH else "…" + item[-(ITEM_WIDTH - 1):]
