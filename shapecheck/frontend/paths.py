"""File paths as programs compute them, for ``sys.path`` edits: ``os.path`` functions, ``pathlib.Path``
and ``__file__``.

A script in ``scripts/`` or a notebook in ``notebooks/`` often makes the project importable first::

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    sys.path.append(str(Path(__file__).resolve().parent.parent))
    sys.path.append("..")

then imports ``models.blocks``. The interpreter evaluates these paths (``__file__`` is the file's
absolute path) and adds the folder to where the file's absolute imports are looked up
(:meth:`shapecheck.frontend.modules.Modules.add_root`). A relative path is relative to the working
directory the program runs in, which the source does not say: it is taken to be the file's own
folder (how a notebook runs, and a script run where it lies). Everything else -- the environment,
the home folder, a path the code cannot know -- is unknown, and an unknown path adds nothing.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Optional

from ..core.ir import UNKNOWN

#: the calls this module evaluates (canonical names)
FUNCTIONS = frozenset({"os.path.join", "os.path.dirname", "os.path.basename", "os.path.abspath", "os.path.realpath",
                       "os.path.normpath", "os.fspath", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
                       "pathlib.PurePosixPath"})
#: the ``os`` constants of paths (POSIX)
CONSTANTS = {"os.pardir": "..", "os.curdir": ".", "os.sep": "/", "os.path.sep": "/"}
#: the ``sys.path`` methods that add a folder
SYS_PATH_METHODS = frozenset({"sys.path.append", "sys.path.insert", "sys.path.extend"})


@dataclass(frozen=True)
class PathValue:
    """A ``pathlib.Path`` whose text is known."""

    path: str


def text(value: Any) -> Optional[str]:
    """The path a value stands for (a string or a :class:`PathValue`), or ``None``."""
    if isinstance(value, PathValue):
        return value.path
    return value if isinstance(value, str) else None


def absolute(path: str, cwd: str) -> str:
    """``path`` made absolute against ``cwd`` (the analysed file's folder) and normalised."""
    return posixpath.normpath(posixpath.join(cwd, path))


def call(name: str, args: list, kwargs: dict, cwd: str) -> Any:
    """``os.path.join(...)``, ``Path(...)`` and the others of :data:`FUNCTIONS`, on known paths."""
    parts = [text(a) for a in args]
    if kwargs or None in parts:
        return UNKNOWN
    try:
        if name.startswith("pathlib."):
            return PathValue(posixpath.join(*parts) if parts else ".")
        if name == "os.path.join" and parts:
            return posixpath.join(*parts)
        if len(parts) != 1:
            return UNKNOWN
        [p] = parts
        if name == "os.path.dirname":
            return posixpath.dirname(p)
        if name == "os.path.basename":
            return posixpath.basename(p)
        if name in ("os.path.abspath", "os.path.realpath"):
            return absolute(p, cwd)
        if name == "os.path.normpath":
            return posixpath.normpath(p)
        if name == "os.fspath":
            return p
    except (TypeError, ValueError):
        return UNKNOWN
    return UNKNOWN


def attribute(p: PathValue, attr: str) -> Any:
    """``p.parent``, ``p.parents``, ``p.name``, ``p.stem``, ``p.suffix``; UNKNOWN for the rest."""
    pure = PurePosixPath(p.path)
    if attr == "parent":
        return PathValue(str(pure.parent))
    if attr == "parents":
        return tuple(PathValue(str(x)) for x in pure.parents)
    if attr in ("name", "stem", "suffix"):
        return getattr(pure, attr)
    return UNKNOWN


def method(p: PathValue, name: str, args: list, kwargs: dict, cwd: str) -> Any:
    """``p.resolve()``, ``p.absolute()``, ``p.joinpath(...)``, ``p.as_posix()``, ``p.expanduser()``
    (of a path without ``~``)."""
    if kwargs:
        return UNKNOWN
    if name in ("resolve", "absolute") and not args:
        return PathValue(absolute(p.path, cwd))
    if name == "expanduser" and not args and not p.path.startswith("~"):
        return p
    if name == "as_posix" and not args:
        return p.path
    if name == "joinpath":
        parts = [text(a) for a in args]
        return UNKNOWN if None in parts else PathValue(posixpath.join(p.path, *parts))
    return UNKNOWN


def divide(left: Any, right: Any) -> Any:
    """``path / "models"`` (and ``"a" / path``)."""
    a, b = text(left), text(right)
    if a is None or b is None or not (isinstance(left, PathValue) or isinstance(right, PathValue)):
        return UNKNOWN
    return PathValue(posixpath.join(a, b))


def folders_added(name: str, args: list, cwd: str) -> tuple[list[str], bool]:
    """The folders ``sys.path.append(p)`` / ``insert(i, p)`` / ``extend([...])`` adds, absolute, and
    whether they go first (``insert(0, p)``); none where a path is not known."""
    if name == "sys.path.append" and len(args) == 1:
        given, first = [args[0]], False
    elif name == "sys.path.insert" and len(args) == 2:
        given, first = [args[1]], args[0] == 0
    elif name == "sys.path.extend" and len(args) == 1 and isinstance(args[0], (list, tuple)):
        given, first = list(args[0]), False
    else:
        return [], False
    paths = [text(g) for g in given]
    return [absolute(p, cwd) for p in paths if p is not None and p and not p.startswith("~")], first
