"""Checking many files fast: worker processes (``-j N``) and a per-file cache.

:func:`check_files` yields one :class:`FileResult` per path, in the order of the paths, whatever
the number of workers and whether a result came from the cache -- the same results
:func:`shapecheck.api.check_file` gives (a test compares the JSON reports).

The cache (:class:`Cache`) keeps one pickled result per file under the user cache directory
(``SHAPECHECK_CACHE_DIR`` overrides it), keyed by a hash of the file's bytes, its path as reported,
shapecheck's version and code, and every option that changes the analysis; an entry also records the
other files of the project the analysis read (imported modules, with a hash of their bytes) and is
stale when one of them changed.  Entries are written
atomically (a temporary file moved into place), so concurrent runs never read half an entry, and an
entry that cannot be read back is ignored (and replaced).  A result that depends on the clock
(the per-file time limit stopped it) or on a bug of ours is not kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import signal
import stat
import sys
import tempfile
from collections import deque
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional

from . import __version__
from .api import Options, check_file, display_path
from .core.findings import ANALYSIS_LIMIT, INTERNAL_ERROR, PARTS, FileResult, Finding, Span
from .frontend import gc_paused

#: files handed to the workers ahead of the one being waited for, per worker: enough to keep them busy,
#: few enough that Ctrl-C does not wait for a long queue
_AHEAD = 4
#: bump when the layout of cache entries changes
_FORMAT = 2


@dataclass(frozen=True)
class Speed:
    """How a run checks its files: ``jobs`` worker processes (1: in the main process), and the cache
    directory (``None``: no cache)."""

    jobs: int = 1
    cache_dir: Optional[str] = None

    @staticmethod
    def of_command_line(jobs: Optional[int], no_cache: bool, cache_dir: Optional[str]) -> Speed:
        """``-j`` (default: the number of cores), ``--no-cache``, ``--cache-dir`` (default:
        ``SHAPECHECK_CACHE_DIR``, else the user cache directory)."""
        return Speed(jobs or default_jobs(), None if no_cache else str(cache_dir or default_cache_dir()))

    def results(self, paths: list[str], options: Options, keep: frozenset[str] = PARTS) -> Iterator[FileResult]:
        cache = Cache(Path(self.cache_dir), options) if self.cache_dir is not None else None
        return check_files(paths, options, jobs=self.jobs, cache=cache, keep=keep)


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def default_cache_dir() -> Path:
    """``SHAPECHECK_CACHE_DIR``, else the platform's user cache directory (``~/.cache/shapecheck`` on Linux)."""
    override = os.environ.get("SHAPECHECK_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("shapecheck", appauthor=False))


def _canonical(value: Any) -> Any:
    """A form of ``value`` whose ``repr`` is the same in every process (sets sorted: their order
    follows the per-process string hash)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,
                tuple((f.name, _canonical(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_canonical(v)) for v in value)))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(_canonical(k)), repr(_canonical(v))) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    return value


def options_key(options: Options) -> str:
    """What of ``options`` the analysis of a file depends on, as text (the run's exclusions are not:
    a file excluded is never analysed)."""
    return repr(_canonical(dataclasses.replace(options, settings=None)))


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """shapecheck's version and the size and modification time of each of its modules: a changed
    checker (a new release, or an edited checkout) never reads the results of an older one."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(f"{__version__} {_FORMAT} {sys.version}".encode())
    for path in sorted(package.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{path.relative_to(package)} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


class Cache:
    """Results by file content and settings, one file each under ``directory``.

    An entry is three pickles one after the other: the result's dependencies (checked first), the
    result without its :data:`~shapecheck.core.findings.PARTS`, and those parts; a run whose report
    reads none of them (the default text report) unpickles a tenth of the entry."""

    def __init__(self, directory: Path, options: Options) -> None:
        self.directory = Path(directory)
        self._salt = f"{code_fingerprint()}\0{options_key(options)}\0".encode()
        #: the hash of each dependency read in this run (a module imported by many files is read once)
        self._digests: dict[str, Optional[str]] = {}

    def key(self, path: str, data: bytes) -> str:
        h = hashlib.sha256(self._salt)
        h.update(display_path(path).encode("utf-8", "surrogateescape") + b"\0")
        h.update(data)
        return h.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, key: str, keep: frozenset[str] = PARTS) -> Optional[FileResult]:
        """The entry's result with the ``keep`` parts, or ``None`` (no entry, a damaged one, or one
        whose dependencies changed)."""
        try:
            with open(self._entry(key), "rb") as fh:
                with gc_paused():  # thousands of objects per entry: the collections cost most of the load
                    dependencies = pickle.load(fh)
                    if not isinstance(dependencies, tuple) or not _dependencies_unchanged(dependencies, self._digests):
                        return None
                    result = pickle.load(fh)
                    if not isinstance(result, FileResult):
                        return None
                    if keep & PARTS:
                        parts = pickle.load(fh)
                        result = replace(result, **{p: parts[p] for p in keep & PARTS})
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a corrupt or foreign entry is a miss, never an error
            return None
        return result

    def put(self, key: str, result: FileResult) -> None:
        if any(f.code is ANALYSIS_LIMIT or f.code is INTERNAL_ERROR for f in result.findings):
            return  # the time limit depends on the machine's load; a bug of ours should not stick
        entry = self._entry(key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=entry.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    for part in (result.dependencies, result.keeping(frozenset()),
                                 {p: getattr(result, p) for p in PARTS}):
                        pickle.dump(part, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, entry)  # atomic: a concurrent reader sees the old entry or the new one
            except BaseException:
                os.unlink(tmp)
                raise
        except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
            pass


def _dependencies_unchanged(dependencies: tuple, digests: dict[str, Optional[str]]) -> bool:
    """Whether every other file a result was computed from (its imported project modules, with the
    hash of their bytes) still has the bytes it had (as mypy checks a module's dependencies): an edited
    ``models/blocks.py`` makes the entry of ``train.py`` stale."""
    from .frontend.modules import digest

    for path, expected in dependencies:
        if path not in digests:
            data = _read(path)
            digests[path] = None if data is None else digest(data)
        if digests[path] != expected:
            return False
    return True


def check_source_cached(source: str, path: str, options: Options) -> FileResult:
    """:func:`shapecheck.api.check_source` through the cache under :func:`default_cache_dir` (the mypy
    plugin's way in: a file mypy checks again unchanged is not analysed again)."""
    from .api import check_source

    try:
        cache: Optional[Cache] = Cache(default_cache_dir(), options)
    except Exception:  # noqa: BLE001 - no cache directory to be had: analyse
        cache = None
    if cache is None:
        return check_source(source, path, options)
    key = cache.key(path, source.encode("utf-8", "surrogatepass"))
    result = cache.get(key)
    if result is None:
        result = check_source(source, path, options)
        cache.put(key, result)
    return result


def _read(path: str) -> Optional[bytes]:
    """The bytes of a regular file, or ``None`` (what is not one is left to ``check_file``, uncached)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: the main process alone handles it (and stops the workers)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _died(path: str, error: BaseException) -> FileResult:
    shown = display_path(path)
    return FileResult(shown, [Finding(INTERNAL_ERROR, Span(shown, 1, 1, 1, 1), (
        "shapecheck failed on this file: the worker process analysing it stopped "
        f"({type(error).__name__}: {error}); please report it with the file (or a reduced version)."))])


def check_files(paths: list[str], options: Options, *, jobs: int = 1,
                cache: Optional[Cache] = None, keep: frozenset[str] = PARTS) -> Iterator[FileResult]:
    """``check_file`` of each path, in order: cached results where the cache has them, the others in
    ``jobs`` worker processes (``jobs`` 1: in this process).  Stopping the iteration (Ctrl-C) stops the
    workers; the results yielded so far are complete.  ``keep``: the parts of each result
    (:data:`~shapecheck.core.findings.PARTS`) the caller reads; the others are emptied (the cache is
    given whole results), so that a run holds little more than its findings."""
    pending: list[tuple[str, Optional[str], Optional[FileResult]]] = []
    for path in paths:
        data = _read(path) if cache is not None else None
        key = cache.key(path, data) if cache is not None and data is not None else None
        pending.append((path, key, cache.get(key, keep) if cache is not None and key is not None else None))
    misses = sum(hit is None for _, _, hit in pending)

    def store(path: str, key: Optional[str], result: FileResult) -> None:
        if cache is None or key is None:
            return
        data = _read(path)
        if data is not None and cache.key(path, data) == key:  # the file did not change meanwhile
            cache.put(key, result)

    if jobs <= 1 or misses <= 1:
        for path, key, hit in pending:
            if hit is not None:
                yield hit
                continue
            result = check_file(path, options)
            store(path, key, result)
            yield result.keeping(keep)
        return

    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork where it is safe and cheap (Linux): the workers start with this process's imports, so the
    # analysis's own (libcst, the rules: a third of a second) are made once here, not once per worker
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    if context.get_start_method() == "fork":
        from .core import summary  # noqa: F401
        from .frontend import interpreter  # noqa: F401
        from . import suppressions  # noqa: F401
    workers = min(jobs, misses)

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init)

    pool = new_pool()
    try:
        queue = iter(pending)
        window: deque = deque()

        def submit(path: str) -> Future:
            try:
                return pool.submit(check_file, path, options)
            except BrokenProcessPool as e:  # a worker died since the last file: the loop below sees to it
                future: Future = Future()
                future.set_exception(e)
                return future

        def feed() -> None:
            running = sum(1 for entry in window if entry[3] is not None)
            for path, key, hit in queue:
                future = None if hit is not None else submit(path)
                window.append((path, key, hit, future))
                running += future is not None
                if running >= _AHEAD * workers:
                    return

        feed()
        while window:
            path, key, hit, future = window.popleft()
            if future is None:
                yield hit
            else:
                try:
                    result = future.result()
                    store(path, key, result)
                except BrokenProcessPool:  # a worker died: this file's, or one beside it took the pool down
                    _stop(pool)
                    result = _alone(path, options, context)
                    store(path, key, result)
                    # a fresh pool for the files queued in the broken one
                    pool = new_pool()
                    window = deque((p, k, h, None if f is None else submit(p))
                                   for p, k, h, f in window)
                yield result.keeping(keep)
            feed()
    finally:
        # on Ctrl-C (or the caller stopping early) the workers must not go on in the background
        _stop(pool)


def _alone(path: str, options: Options, context: Any) -> FileResult:
    """``check_file`` in a worker of its own: its result, or an internal error if the worker dies."""
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_worker_init)
    try:
        return pool.submit(check_file, path, options).result()
    except Exception as e:  # noqa: BLE001 - BrokenProcessPool: the file kills the process that analyses it
        return _died(path, e)
    finally:
        _stop(pool)


#: a pool's result reader was left blocked by a worker stopped while it sent a result (see :func:`_stop`)
_reader_left_blocked = False


def exit_would_block() -> bool:
    """Whether the interpreter's exit would wait forever for a stopped pool's thread: a worker was
    terminated in the middle of sending its result, and the thread reading it waits for the rest
    (``concurrent.futures`` joins that thread at exit). The command then ends with ``os._exit``
    once its report is written (Ctrl-C with ``-j``)."""
    return _reader_left_blocked


def _stop(pool: Any) -> None:
    """Shut the pool down now: queued files are dropped, the running workers terminated."""
    global _reader_left_blocked
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown forgets them
    reader = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    terminated = False
    for process in processes:
        if process.is_alive():
            process.terminate()
            terminated = True
    for process in processes:
        process.join(timeout=5)
    if terminated and reader is not None:
        reader.join(timeout=2)
        if reader.is_alive():
            _reader_left_blocked = True
