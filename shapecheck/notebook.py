"""Jupyter notebooks: the code cells of a ``.ipynb`` file, in order, analysed as one program.

A notebook is read as JSON (nbformat 4's ``cells``, or nbformat 3's ``worksheets``); markdown and raw
cells are left out. The code cells are joined into one Python module, line for line: IPython's own
syntax -- ``%magic`` and ``%%cell`` magics, ``!shell`` escapes, ``x = !cmd`` and ``x = %magic``,
``obj?`` / ``??obj`` help, the ``/f x``, ``,f x`` and ``;f x`` autocalls -- becomes ``pass`` (or
``x = get_ipython()``, so that ``x`` is unknown afterwards), keeping every other line where it was.
The forms are those of IPython's ``TransformerManager`` (``IPython.core.inputtransformer2``), which a
test compares with this module; IPython itself is not needed to read a notebook.

What a magic runs is not followed, except where IPython runs Python in the notebook's namespace:
the body of a ``%%time``, ``%%capture``, ``%%prun`` or ``%%debug`` cell, the statement after
``%time``, and the script of ``%run helpers.py`` (``%run -i``, ``%run -m pkg.mod``; a path of module
names below the notebook's folder), read as ``from helpers import *``: its functions, classes and
constants are the notebook's (what its ``if __name__ == "__main__":`` block or its private names
would add stays unknown). Other cell magics (``%%bash``, ``%%writefile``, ``%%timeit``: its names do not outlive
it) leave their cell out. Two things IPython accepts in a cell and a module does not are rewritten in
place: a top-level ``await`` (``async for``, ``async with``) loses the keyword, and a ``from __future__
import`` at the top of a later cell names another module. A notebook whose kernel is not Python
(R, Julia) has no cell to check.

Findings, notes and shapes are then put back where the user sees them: :attr:`Span.cell` is the
cell's number, counting every cell of the notebook from 1 as Ruff and the notebook editors do, and
the line and column are those inside the cell.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, TypeVar

from .core.findings import UNREADABLE_FILE, FileResult, Finding, Span

if TYPE_CHECKING:
    from .api import Options

T = TypeVar("T")

#: cell magics whose body IPython runs as Python in the notebook's namespace
_BODY_RUNS = frozenset({"time", "capture", "prun", "debug"})
#: line magics whose argument IPython runs as a statement in the notebook's namespace
_STATEMENT_RUNS = re.compile(r"%time[ \t]+(?=\S)")
#: the first character of a line that IPython reads as one of its escapes: shell, magic, help, autocall
_ESCAPES = "!%?/,;"
#: ``lhs = !cmd`` and ``lhs = %magic`` (on a line whose strings and comment are blanked): the first ``=`` of
#: the line, a plain assignment, then the escape
_ASSIGN_ESCAPE = re.compile(r"[^=]*?(?<![=!<>:+\-*/%&|^@~])=(?!=)[ \t]*([!%])")
#: ``obj?``, ``obj.attr??``, ``x = obj[0]?``: IPython's ``_help_end_re`` (the whole line asks for help)
_HELP_END = re.compile(r"(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*\?\??$")
#: ``from __future__ import ...``: the module's name, kept to its length (``_no_future``: nothing to follow)
_FUTURE = re.compile(r"^(from[ \t]+)__future__([ \t]+import\b)")
#: the start of a function, whose body may hold ``await`` only when it is ``async``
_DEF = re.compile(r"(async[ \t]+)?def\b")
#: IPython's top-level ``await``, ``async for`` and ``async with`` (autoawait), with the spaces after the keyword
_AWAIT = re.compile(r"\b(?:await|async(?=[ \t]+(?:for|with)\b))\b[ \t]*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class NotANotebook(ValueError):
    """The file is not a notebook that can be read; ``line`` and ``column`` say where, when known."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Cell:
    """A code cell: its number among all the notebook's cells (1-based) and its source."""

    number: int
    source: str


def read_cells(text: str) -> list[Cell]:
    """The code cells of a notebook's JSON text, in order."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise NotANotebook(f"not valid JSON ({e.msg}, line {e.lineno} column {e.colno})", e.lineno, e.colno) from None
    except RecursionError:
        raise NotANotebook("its JSON is nested too deeply to be read") from None
    if not isinstance(data, dict):
        raise NotANotebook("not a Jupyter notebook (the JSON is not an object)")
    if isinstance(data.get("cells"), list):  # nbformat 4
        cells = data["cells"]
        source_key = "source"
    elif isinstance(data.get("worksheets"), list):  # nbformat 3: the worksheets' cells, one after another
        cells = [c for ws in data["worksheets"] if isinstance(ws, dict) and isinstance(ws.get("cells"), list)
                 for c in ws["cells"]]
        source_key = "input"
    else:
        raise NotANotebook("not a Jupyter notebook (no \"cells\" list)")
    if not _python(data.get("metadata")):
        return []  # an R or Julia notebook: nothing of it is Python (Ruff skips them too)
    out = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get(source_key, "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)  # nbformat's multiline string: lines that keep their line breaks
        if not isinstance(source, str):
            raise NotANotebook(f"not a Jupyter notebook (cell {number}'s source is not text)")
        out.append(Cell(number, source))
    return out


def _python(metadata: object) -> bool:
    """Whether the notebook's kernel runs Python: its ``language_info.name``, else its ``kernelspec.language``,
    says so or says nothing."""
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        entry = metadata.get(key)
        if isinstance(entry, dict) and isinstance(entry.get(field), str):
            return entry[field].lower() in ("python", "python3", "ipython", "ipython3")
    return True


@dataclass
class _Scan:
    """Where a line of Python starts: inside brackets, a string spanning lines, or after a backslash."""

    depth: int = 0
    string: Optional[str] = None  # the quote of the string still open at the end of the last line
    continued: bool = False

    @property
    def at_statement(self) -> bool:
        return self.depth == 0 and self.string is None and not self.continued

    def code(self, line: str) -> str:
        """``line`` with its strings' contents blanked and its comment cut, reading it after the lines
        before; the state after it."""
        out = []
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if self.string is not None:
                if line.startswith(self.string, i):
                    out.append(self.string)
                    i += len(self.string)
                    self.string = None
                elif c == "\\":
                    out.append("_" * len(line[i:i + 2]))
                    i += 2
                else:
                    out.append("_")
                    i += 1
                continue
            if c == "#":
                break
            if c in "'\"":
                self.string = line[i:i + 3] if line[i:i + 3] in ("'''", '"""') else c
                out.append(self.string)
                i += len(self.string)
                continue
            if c in "([{":
                self.depth += 1
            elif c in ")]}":
                self.depth = max(0, self.depth - 1)
            out.append(c)
            i += 1
        code = "".join(out)
        if self.string in ("'", '"') and not line.endswith("\\"):
            self.string = None  # a one-line string left open: Python's error, not a reason to read on
        self.continued = self.string is None and code.endswith("\\")
        return code


def _run_import(magic: str) -> Optional[str]:
    """``from helpers import *`` for ``%run helpers.py`` (see the module's docstring), else ``None``."""
    import keyword
    import shlex

    m = re.match(r"%run[ \t]+(.*)$", magic)
    if m is None:
        return None
    try:
        tokens = shlex.split(m.group(1), comments=True)
    except ValueError:
        return None
    module = None
    for i, token in enumerate(tokens):
        if token == "-m" and i + 1 < len(tokens):
            module = tokens[i + 1]
            break
        if not token.startswith("-"):
            path = token[2:] if token.startswith("./") else token
            module = path[:-3].replace("/", ".") if path.endswith(".py") else None
            break
    if module is None or not all(p.isidentifier() and not keyword.iskeyword(p) for p in module.split(".")):
        return None
    return f"from {module} import *"


def _magic(line: str, scan: _Scan) -> Optional[tuple[str, bool]]:
    """What stands in for ``line`` if it starts one of IPython's escapes (``None``: it is Python): ``pass``,
    ``lhs = get_ipython()``, or the statement a ``%time`` runs (then ``True``: the line stays Python)."""
    if not scan.at_statement:
        return None
    stripped = line.lstrip()
    indent = line[:len(line) - len(stripped)]
    if not stripped:
        return None
    if stripped[0] in _ESCAPES:
        run = _run_import(stripped)
        if run is not None:
            return indent + run, False
        m = _STATEMENT_RUNS.match(stripped)
        return (indent + stripped[m.end():], True) if m else (indent + "pass", False)
    code = dataclasses.replace(scan).code(line)
    if _HELP_END.search(code.rstrip()):
        return indent + "pass", False
    m = _ASSIGN_ESCAPE.match(code)
    if m is not None:
        return line[:m.start(1)] + "get_ipython()", False
    return None


@dataclass(frozen=True)
class Program:
    """The notebook's code cells as one module, and where each of its lines comes from."""

    source: str
    #: per line of ``source``: the cell's number, the line in the cell (1-based), and how many characters
    #: of the cell's line come before the module's line's first one (a ``%time`` or a common indent taken off)
    lines: tuple[tuple[int, int, int], ...]

    @staticmethod
    def of(cells: list[Cell]) -> Program:
        text: list[str] = []
        where: list[tuple[int, int, int]] = []
        for cell in cells:
            for number, (line, offset) in enumerate(python_lines(cell.source), start=1):
                text.append(line)
                where.append((cell.number, number, offset))
        return Program("".join(t + "\n" for t in text), tuple(where))

    def position(self, line: int, column: int) -> tuple[Optional[int], int, int]:
        """The cell, line in the cell and column of the module's ``line`` and ``column``."""
        if not self.lines:
            return None, line, column
        if line > len(self.lines):  # the end of the module (an unexpected end of file)
            cell, in_cell, _ = self.lines[-1]
            return cell, in_cell + 1, column
        cell, in_cell, offset = self.lines[max(line, 1) - 1]
        return cell, in_cell, column + offset if column >= 1 else column

    def span(self, span: Span, path: str) -> Span:
        """``span`` in the cell it starts in (a span of another file, or already placed, stays)."""
        if span.path != path or span.cell is not None:
            return span
        cell, line, column = self.position(span.line, span.column)
        end_cell, end_line, end_column = self.position(span.end_line, span.end_column)
        if end_cell != cell or (end_line, end_column) < (line, column):
            end_line, end_column = line, column  # (never across cells; but an unknown end stays as it was)
        if span.end_line < 1:
            end_line = span.end_line
        if span.end_column < 1:
            end_column = span.end_column
        return Span(span.path, line, column, end_line, end_column, cell=cell)

    def _moved(self, item: T, path: str) -> T:
        """A finding (or the like: a frozen dataclass with a ``span``, maybe an ``origin`` and ``notes``) moved."""
        changes: dict = {}
        for name in ("span", "origin"):
            if isinstance(getattr(item, name, None), Span):
                changes[name] = self.span(getattr(item, name), path)
        if getattr(item, "notes", None):
            changes["notes"] = tuple(
                dataclasses.replace(n, span=self.span(n.span, path), message=self.text(n.message, path))
                for n in item.notes)
        if isinstance(getattr(item, "message", None), str) and "message" in {f.name for f in dataclasses.fields(item)}:
            changes["message"] = self.text(item.message, path)
        return dataclasses.replace(item, **changes) if changes else item  # type: ignore[type-var]

    def text(self, message: str, path: str) -> str:
        """A message with the module's lines it names (``nb.ipynb:12``, ``in the call at line 12``) in their cells."""
        if path not in message and "at line " not in message:
            return message

        def cell_line(line: str) -> str:
            cell, in_cell, _ = self.position(int(line), 1)
            return f"cell {cell}:{in_cell}" if cell is not None else line

        message = re.sub(rf"(?<![\w/.]){re.escape(path)}:(\d+)\b",
                         lambda m: f"{path}:{cell_line(m.group(1))}", message)
        return re.sub(r"\(in the call at line (\d+)\)", lambda m: f"(in the call at {cell_line(m.group(1))})", message)

    def relocate(self, result: FileResult) -> None:
        """Every position of ``result`` (findings and their notes, shapes, the IR's nodes, the models) moved
        from the module into the cells."""
        path = result.path
        result.findings = [self._moved(f, path) for f in result.findings]
        if getattr(result, "unknowns", None):  # --explain-unknown's calls
            result.unknowns = [self._moved(u, path) for u in result.unknowns]
        for entry in result.shapes:
            entry["span"] = self.span(entry["span"], path)
        for node in getattr(result.graph, "nodes", None) or []:
            if getattr(node, "span", None) is not None:
                node.span = self.span(node.span, path)
            if getattr(node, "call_stack", None):
                node.call_stack = tuple(self.span(s, path) for s in node.call_stack)
        for model in result.models or []:
            if getattr(model, "path", None) == path and getattr(model, "cell", None) is None:
                model.cell, model.line, model.column = self.position(model.line, model.column)


def python_lines(source: str) -> list[tuple[str, int]]:
    """The lines of one code cell as Python, one for one, each with the number of characters taken off its
    start (see :class:`Program`)."""
    lines = _LINE_BREAK.split(source)
    if lines and lines[-1] == "":
        lines.pop()
    # IPython's cleanup: a cell whose first line (after blank ones) is indented loses that indent
    first = next((line for line in lines if line.strip()), "")
    prefix = first[:len(first) - len(first.lstrip())]
    offsets = [0] * len(lines)
    if prefix:
        for i, line in enumerate(lines):
            if line.startswith(prefix):
                lines[i], offsets[i] = line[len(prefix):], len(prefix)
    out: list[tuple[str, int]] = []
    start = 0
    head = first.lstrip()
    if head.startswith("%%"):
        start = next(i for i, line in enumerate(lines) if line.strip()) + 1
        out = [("", offsets[i]) for i in range(start - 1)]
        words = head[2:].split()
        if not words or words[0] not in _BODY_RUNS:
            return out + [("", 0) for _ in lines[start - 1:]]  # not Python: the cell is left out
        # ``%%capture out``: ``out`` holds what the cell printed
        names = [w for w in words[1:] if not w.startswith("-")] if words[0] == "capture" else []
        out.append((f"{names[-1]} = get_ipython()" if names and names[-1].isidentifier() else "pass", 0))
    scan = _Scan()
    in_def: Optional[int] = None  # the indent of the function whose body the lines are in
    magic: Optional[_Scan] = None  # the state of the magic whose lines go on (brackets or a backslash)
    for i in range(start, len(lines)):
        line = lines[i]
        if magic is not None:
            magic.code(line)
            out.append(("", offsets[i]))
            if magic.at_statement:
                magic = None
            continue
        magic_line = _magic(line, scan)
        if magic_line is None:
            shift = 0
            if scan.at_statement:
                if _FUTURE.match(line):
                    # legal at the top of any cell (IPython compiles each alone), not in the middle of one module
                    line = _FUTURE.sub(r"\1_no_future\2", line, count=1)
                stripped = line.lstrip()
                indent = len(line) - len(stripped)
                if in_def is not None and stripped and not stripped.startswith("#") and indent <= in_def:
                    in_def = None
                if in_def is None and _DEF.match(stripped):
                    in_def = indent
            if in_def is None and ("await" in line or "async" in line):
                line, shift = _awaited(line, dataclasses.replace(scan))
            scan.code(line)
            out.append((line, offsets[i] + shift))
            continue
        replacement, runs = magic_line
        if runs:  # ``%time stmt``: the statement is Python (its continuation lines too), less ``%time ``
            out.append((replacement, offsets[i] + len(line) - len(replacement)))
            scan.code(replacement)
            continue
        out.append((replacement, offsets[i]))
        magic = _Scan()
        magic.code(line)
        if magic.at_statement:
            magic = None
    return out


def _awaited(line: str, scan: _Scan) -> tuple[str, int]:
    """A line of a cell outside any function with IPython's top-level ``await`` (``x = await f()``, ``async for``,
    ``async with``) as the plain Python the analysis reads (``x =       f()``: the same columns), and how many
    characters were taken off its start (a statement that starts with the keyword loses it)."""
    code = scan.code(line)
    indent = len(line) - len(line.lstrip())
    shift = 0
    for m in reversed(list(_AWAIT.finditer(code))):
        if m.start() == indent:
            line = line[:m.start()] + line[m.end():]
            shift = m.end() - m.start()
        else:
            line = line[:m.start()] + " " * (m.end() - m.start()) + line[m.end():]
    return line, shift


def _read(path: str) -> str:
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise OSError(errno.EINVAL, "not a regular file (a FIFO, a device or a socket)")
    with open(path, "rb") as fh:
        data = fh.read()
    return data.decode("utf-8-sig")  # JSON is UTF-8 (RFC 8259); an editor may have put a BOM


def check_notebook(path: str, options: Options) -> FileResult:
    """:func:`shapecheck.api.check_file` for a notebook: its code cells analysed as one module, every
    position then in its cell; a file that is not a notebook gets one ``unreadable-file`` finding."""
    from .api import check_source, display_path

    shown = display_path(path)
    try:
        cells = read_cells(_read(path))
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        return FileResult(shown, [Finding(UNREADABLE_FILE, Span(shown, 1, 1, 1, 1),
                                          f"Cannot read this file: {reason}")])
    except NotANotebook as e:
        return FileResult(shown, [Finding(UNREADABLE_FILE, Span(shown, e.line, e.column, e.line, e.column),
                                          f"Cannot read this notebook: {e}")])
    program = Program.of(cells)
    result = check_source(program.source, shown, options)
    program.relocate(result)
    return result


def cell_lines(path: str) -> dict[int, list[str]]:
    """Each code cell's lines by cell number (empty where the file cannot be read): what a report shows
    of a line in a cell."""
    try:
        cells = read_cells(_read(path))
    except (OSError, ValueError):
        return {}
    return {c.number: _LINE_BREAK.split(c.source) for c in cells}
