"""Helpers for tests that run mypy over Keras code with shapecheck's stubs (and plugin).

The project is installed editable, so mypy does not find the stub packages in site-packages
during the tests: :func:`stub_search_path` makes a directory in which ``keras``, ``tensorflow``
and ``tf_keras`` are links to ``shapecheck/mypy/stubs/<name>-stubs``, for ``mypy_path``.
Unlike stubs found in site-packages, mypy reports errors inside stubs on ``mypy_path`` (so a
test can prove that the stubs have none) -- unless the directory lies under an entry of
``sys.path``: mypy run in-process (``mypy.api.run``) takes the running interpreter's
``sys.path`` for site-packages and silences errors in modules found below it.  pytest's
``tmp_path_factory`` directories are not on ``sys.path``; a script run from ``/tmp`` is.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union

import shapecheck.mypy.stubgen as stubgen

STUBS = stubgen.STUBS


def stub_search_path(base: Union[Path, "os.PathLike[str]", object]) -> str:
    """A directory with ``keras``/``tensorflow``/``tf_keras`` links to the stub packages.

    ``base`` is a directory, or pytest's ``tmp_path_factory`` (the directory is then made once
    per session and shared)."""
    if hasattr(base, "getbasetemp"):
        root = Path(base.getbasetemp()) / "shapecheck-stub-path"  # type: ignore[attr-defined]
    else:
        root = Path(base) / "shapecheck-stub-path"  # type: ignore[arg-type]
    root.mkdir(parents=True, exist_ok=True)
    for module, dist in stubgen.PACKAGES.items():
        link = root / module
        if not link.is_symlink():
            try:
                link.symlink_to(STUBS / dist, target_is_directory=True)
            except FileExistsError:  # made meanwhile by another test in this directory
                pass
    return str(root)


def mypy_config(path: Union[str, Path], *, plugin: bool, extra: str = "", stub_path: str = "") -> Path:
    """Write a mypy.ini at ``path`` (a file, or a directory to put ``mypy.ini`` in).

    ``stub_path`` is the directory :func:`stub_search_path` made (default: one next to the
    config).  ``extra`` is appended verbatim (more options, or ``[mypy-...]`` sections)."""
    path = Path(path)
    if path.is_dir():
        path = path / "mypy.ini"
    stub_path = stub_path or stub_search_path(path.parent)
    lines = ["[mypy]", f"mypy_path = {stub_path}", "check_untyped_defs = True", "ignore_missing_imports = True"]
    if plugin:
        lines.append("plugins = shapecheck.mypy")
    text = "\n".join(lines) + "\n"
    if extra:
        text += extra.rstrip("\n") + "\n"
    path.write_text(text, encoding="utf-8")
    return path
