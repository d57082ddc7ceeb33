"""The library behind every front door: check sources and paths, get findings and shapes.

The CLI, the pre-commit hook and the mypy plugin are thin layers over
:func:`check_source` and :func:`check_paths`.  Nothing here imports TensorFlow or
Keras, and nothing of the analysed code is executed.
"""

from __future__ import annotations

import ast
import errno
import os
import re
import stat
import time
import tokenize
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from .config import Rules, Settings
from .exclusion import Exclusion
from .frontend import gc_paused
from .core.findings import (
    ANALYSIS_LIMIT,
    FILE_ERRORS,
    INTERNAL_ERROR,
    SYNTAX_ERROR,
    UNREADABLE_FILE,
    FileResult,
    Finding,
    Span,
)


@dataclass(frozen=True)
class Options:
    keras_version: int = 3
    debug: bool = False
    #: seconds of analysis per file (None: no limit); checked cooperatively inside the
    #: interpreter, so parsing and position metadata are not interrupted (``max_file_size``
    #: bounds those)
    file_time_limit: Optional[float] = None
    #: bytes (of the file's text, UTF-8 encoded); a larger file that imports Keras or
    #: TensorFlow is not analysed but gets one ``analysis-limit`` finding (None: no limit)
    max_file_size: Optional[int] = None
    #: selection, per-file ignores, severity overrides and ``--warn-unused-ignores``, applied to the
    #: findings after the analysis (with the ``# shapecheck: ignore`` comments of the source)
    rules: Rules = Rules()
    #: the run's resolved settings (its exclusions: :mod:`shapecheck.exclusion`), where a front door read them
    settings: Optional[Settings] = None


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]


_SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", ".git", ".hg", ".svn", ".tox", ".nox",
              ".venv", "venv", ".mypy_cache", ".pytest_cache", ".ruff_cache"}


def iter_python_files(paths: Iterable[str], exclusion: Optional[Exclusion] = None) -> Iterator[str]:
    """Python files and Jupyter notebooks (``.ipynb``) under ``paths`` (recursively, hidden and tool folders,
    ``.ipynb_checkpoints`` among them, skipped), in order; with
    ``exclusion``, what it leaves out is skipped too (a path named in ``paths`` itself only with
    ``force-exclude``)."""
    for p in paths:
        path = Path(p)
        if exclusion is not None and exclusion.excluded_explicitly_named(p):
            continue
        if path.is_dir():
            seen: set[tuple[int, int]] = set()
            for root, dirs, files in os.walk(path, followlinks=True):
                st = os.stat(root)
                key = (st.st_dev, st.st_ino)
                if key in seen:  # a symlink loop
                    dirs[:] = []
                    continue
                seen.add(key)
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".") and not (
                    exclusion is not None and exclusion.excluded(os.path.join(root, d), True)))
                for f in sorted(files):
                    if f.endswith((".py", ".ipynb")) and not (exclusion is not None
                                                  and exclusion.excluded(os.path.join(root, f), False)):
                        yield os.path.join(root, f)
        else:
            yield str(path)


def display_path(path: str) -> str:
    """Relative to the working directory when under it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def read_source(path: str) -> str:
    """Decode as Python does: PEP 263 declaration or BOM, else UTF-8."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        # a FIFO would block the run forever, a device never end
        raise OSError(errno.EINVAL, "not a regular file (a FIFO, a device or a socket)")
    with open(path, "rb") as fh:
        data = fh.read()
    if b"\0" in data:
        raise UnicodeDecodeError("utf-8", data, data.index(b"\0"), data.index(b"\0") + 1,
                                 "a null byte: this looks like a binary file")
    import io

    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def check_source(source: str, path: str = "<string>", options: Options = Options()) -> FileResult:
    """Analyse one module's source text; its findings are those ``options.rules`` and the source's
    ``# shapecheck: ignore`` comments leave (:mod:`shapecheck.suppressions`).

    ``options.file_time_limit`` is a cooperative deadline, counted from this call: the
    interpreter looks at the clock every few dozen steps and stops like ``MAX_STEPS`` does
    (an ``analysis-limit`` warning where it stopped, the findings so far kept).  Parsing
    (CPython's, then libcst's) and libcst's position metadata cannot be interrupted: for a
    large file they take most of the time (about 5 s and 12 s per MB here), and
    ``options.max_file_size`` is what bounds them — a Keras file over it is not parsed at all.
    """
    from .suppressions import apply

    result, tree = _analyse(source, path, options)
    apply(result, options.rules, source, tree)
    return result


def _analyse(source: str, path: str, options: Options) -> tuple[FileResult, Optional[ast.Module]]:
    """The findings of the analysis, and CPython's parse of the source (``None`` where it has none)."""
    # (imported here: libcst alone takes 0.2 s to import, and `shapecheck --version` should not wait)
    import libcst as cst

    from .frontend.interpreter import MAX_STEPS, AnalysisLimit, Interpreter

    started = time.monotonic()
    result = FileResult(path)
    if options.max_file_size is not None:
        size = len(source.encode("utf-8", "surrogatepass"))
        if size > options.max_file_size:
            # Not even CPython's parse (seconds per 10 MB): a look at the text decides.
            if _mentions_keras_import(source):
                result.findings.append(Finding(ANALYSIS_LIMIT, Span(path, 1, 1, 1, 1), (
                    f"Not analysed: this file is {_show_size(size)} ({size:,} bytes), over the "
                    f"{_show_size(options.max_file_size)} limit on the size of a file to analyse; raise it "
                    f"with --max-file-size (e.g. --max-file-size {_show_size(_next_size(size))}) to check it.")))
            return result, None
    # CPython's parser first: it bounds nesting (200 brackets, ~3000 levels of expression),
    # beyond which libcst's native parser can overflow its stack and kill the process.
    tree = _python_parse(source)
    if not isinstance(tree, ast.Module):
        line, col, msg = tree
        result.findings.append(Finding(SYNTAX_ERROR, Span(path, line, col, line, col), msg))
        return result, None
    packages = _imported_packages(tree) if _may_import_keras(source) else set()
    if not packages & KERAS_PACKAGES:
        # Nothing here can make a Keras tensor, unless a module of the project it imports does
        # (train.py: `from model import build_model`): a look at those files' text decides.
        from .frontend.modules import keras_dependencies

        calls_keras, read = keras_dependencies(tree, path) if "import" in source else (False, {})
        result.dependencies = tuple(sorted(read.items()))
        if not calls_keras:
            return result, tree  # no need for libcst's slower parse
    # A module that imports tf_keras runs under tf.keras 2 whatever the setting.
    keras_version = 2 if "tf_keras" in packages else options.keras_version
    try:
        interp = Interpreter.for_source(source, path, keras_version)
        parsed = time.monotonic()
        if options.file_time_limit is not None:
            interp.deadline = started + options.file_time_limit
    except cst.ParserSyntaxError as e:
        result.findings.append(Finding(SYNTAX_ERROR, Span(path, e.raw_line, e.raw_column + 1, e.raw_line,
                                                          e.raw_column + 1), f"Syntax error: {e.message}"))
        return result, None
    except RecursionError:
        result.findings.append(Finding(SYNTAX_ERROR, Span(path, 1, 1, 1, 1),
                                       "The file is nested too deeply to be parsed."))
        return result, None
    finished = False
    try:
        interp.run()
        finished = True
    except AnalysisLimit as e:
        if e.reason == "time":
            message = (f"Analysis stopped here after {time.monotonic() - started:.1f} s (the per-file time "
                       f"limit, --file-time-limit, is {options.file_time_limit:g} s; parsing took "
                       f"{parsed - started:.1f} s); the code after this point is not checked.")
        else:
            message = (f"Analysis stopped here after {MAX_STEPS:,} steps (loops, recursion or "
                       "branches that multiply); the code after this point is not checked.")
        result.findings.append(Finding(ANALYSIS_LIMIT, e.span, message))
    except RecursionError:
        result.findings.append(Finding(ANALYSIS_LIMIT, Span(path, 1, 1, 1, 1),
                                       "Analysis stopped: the code is nested too deeply to follow; "
                                       "the rest of the file is not checked."))
    except Exception as e:  # noqa: BLE001 - one file's bug must not stop the run
        detail = traceback.format_exc().rstrip() if options.debug else f"{type(e).__name__}: {e}"
        result.findings.append(Finding(INTERNAL_ERROR, Span(path, 1, 1, 1, 1),
                                       "shapecheck failed on this file; please report it with the file "
                                       f"(or a reduced version): {detail}"))
    result.findings.extend(interp.findings)
    result.findings.sort(key=lambda f: (f.span.line, f.span.column, f.code.number))
    result.layer_calls = interp.unknowns.layer_calls
    result.layer_calls_inferred = interp.unknowns.layer_calls_inferred
    try:
        result.unknowns = interp.unknowns.explain()
    except Exception:  # noqa: BLE001 - the explanations of unknown shapes must not cost the findings
        if options.debug:
            raise
    result.shapes = [  # (this file's lines only: another module's are its own file's)
        {"span": s.span, "layer": s.layer, "outputs": s.outputs, "refs": s.refs, "created": s.created}
        for s in interp.shapes if s.span.path == path
    ]
    result.dependencies = tuple(sorted({**dict(result.dependencies), **interp.modules.read}.items()))
    result.graph = interp.engine.graph
    result.graph.params = _params(interp.engine)
    try:
        from .core.summary import summarize

        if not finished:
            for record in interp.models:
                record.uncertain = True  # the code after where the analysis stopped may change them
        result.models = summarize(interp)
    except Exception as e:  # noqa: BLE001 - the summary must not cost the findings
        if options.debug:
            raise
        result.models = []
        # A warning: the findings are complete, only --summary lacks this file's models.
        result.findings.append(Finding(INTERNAL_ERROR, Span(path, 1, 1, 1, 1),
                                       f"shapecheck failed to summarise this file's models (--summary); please "
                                       f"report it: {type(e).__name__}: {e}", severity="warning"))
    return result, tree


def _params(engine: Any) -> dict:
    """Every built layer's known parameter counts (what ``--runtime`` weighs before building)."""
    out = {}
    for lid in engine.builds:
        try:
            counts = engine.params(lid)
        except Exception:  # noqa: BLE001 - a rule's bug must not cost the findings
            counts = None
        if counts is not None:
            out[lid] = counts
    return out


#: the top-level packages whose objects the front end follows
KERAS_PACKAGES = frozenset({"keras", "tensorflow", "tf_keras"})


def _imported_packages(tree: ast.Module) -> set[str]:
    """The top-level packages the module imports anywhere (even in a function), with
    ``TF_USE_LEGACY_KERAS`` standing for ``tf_keras`` (it makes ``tf.keras`` tf_keras)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Constant) and node.value == "TF_USE_LEGACY_KERAS":
            found.add("tf_keras")
    return found


#: a line (or a ``;``-separated statement) that imports one of ``KERAS_PACKAGES``, or the
#: ``TF_USE_LEGACY_KERAS`` switch: what :func:`_imported_packages` finds, read on the text
_KERAS_IMPORT = re.compile(
    r"(?:^|[;:])[ \t]*(?:from[ \t]+(?:keras|tensorflow|tf_keras)\b"
    r"|import[ \t][^\n#]*\b(?:keras|tensorflow|tf_keras)\b)|TF_USE_LEGACY_KERAS",
    re.MULTILINE)


def _may_import_keras(source: str) -> bool:
    """False only where :func:`_imported_packages` cannot find any of ``KERAS_PACKAGES``: the text has
    none of their names (nor ``TF_USE_LEGACY_KERAS``), even after the NFKC normalisation that Python
    applies to identifiers.  A substring test: ~100 times cheaper than walking the parsed tree."""
    if not source.isascii():
        import unicodedata

        source = unicodedata.normalize("NFKC", source)
    return "keras" in source or "tensorflow" in source or "TF_USE_LEGACY_KERAS" in source


def _mentions_keras_import(source: str) -> bool:
    """Whether the text seems to import Keras or TensorFlow, without parsing it (for a file
    too large to parse; an import in a string also counts, a backslash-continued one not)."""
    return _KERAS_IMPORT.search(source) is not None


def _show_size(size: int) -> str:
    """``5MB``, ``10.9MB``, ``800KB`` or ``120B`` (decimal units, as ``--max-file-size`` reads them)."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + unit
    return f"{size}B"


def _next_size(size: int) -> int:
    """A round size above ``size``: 10.9 MB -> 20 MB, 1.2 MB -> 2 MB, 340 KB -> 400 KB."""
    factor = 10 ** max(len(str(size)) - 1, 0)
    return (size // factor + 1) * factor


def _python_parse(source: str) -> ast.Module | tuple[int, int, str]:
    """CPython's parse of the file (parsing only, nothing runs), or its message and
    position when it cannot parse it."""
    import warnings

    try:
        with warnings.catch_warnings(), gc_paused():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not ours to report
            return ast.parse(source)
    except SyntaxError as e:
        return (e.lineno or 1, e.offset or 1, f"Syntax error: {e.msg}")
    except (RecursionError, MemoryError):
        return (1, 1, "The file is nested too deeply to be parsed.")
    except ValueError as e:
        return (1, 1, f"Syntax error: {e}")


def check_file(path: str, options: Options = Options()) -> FileResult:
    if path.endswith(".ipynb"):
        from .notebook import check_notebook

        return check_notebook(path, options)
    shown = display_path(path)
    try:
        source = read_source(path)
    except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        return FileResult(shown, [Finding(UNREADABLE_FILE, Span(shown, 1, 1, 1, 1),
                                          f"Cannot read this file: {reason}")])
    return check_source(source, shown, options)


def check_paths(paths: Iterable[str], options: Options = Options()) -> Report:
    report = Report()
    for path in iter_python_files(paths):
        report.files.append(check_file(path, options))
    return report


def exit_status(report: Report) -> int:
    """0: no error finding; 1: an error finding; 2: a file could not be read or parsed."""
    names = {f.code.name for f in report.findings}
    if names & FILE_ERRORS:
        return 2
    if any(f.level == "error" for f in report.findings):
        return 1
    return 0


def first_missing(paths: Iterable[str]) -> Optional[str]:
    for p in paths:
        if not os.path.exists(p):
            return p
    return None
