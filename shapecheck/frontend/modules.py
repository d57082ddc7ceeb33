"""Imports of the project's own modules: what another file of the project defines is used as if local.

``from models.blocks import conv_block`` in ``train.py`` binds ``conv_block`` to the function that
``models/blocks.py`` defines, so that ``conv_block(x, 32)`` is followed into it, as a helper of the
same file would be.  Nothing is imported or executed: the other file is read and parsed
(:func:`shapecheck.api.read_source`), and its top level is interpreted by the same interpreter, once
per analysis (:class:`Modules` keeps each module's ``Env``).

Resolution is the one mypy and pyright make (:func:`search_roots`): an absolute import is looked up
under the folder above the checked file's top package (the walk up while ``__init__.py`` exists),
the checked file's own folder (a script imports its siblings), the project's root (the nearest
folder above with ``pyproject.toml``, ``setup.py``, ``setup.cfg`` or ``.git``) and the ``src/`` of
each of those folders that has one; a relative import from the importing file's package.  What
resolves to no file, the standard library's names and the packages the front end knows
(Keras, TensorFlow, numpy, ...) keep their qualified names, as before.

Findings stay per file.  A call made in the checked file that fails inside an imported function
is reported at that call (the outermost call in this file), with a note at the line of the other
module where Keras rejects it: ``# shapecheck: ignore`` comments, the cache and editors work per
file.  What fails while the other module's top level runs is not reported here: it is reported
when that file is checked.  A module being loaded (an import cycle) gives ``UNKNOWN`` for the
names it has not defined yet, as Python would leave them missing; imports nest at most
``MAX_IMPORT_DEPTH`` deep and at most ``MAX_MODULES`` modules are read per analysis.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ..core.findings import CALL_SITE, Finding, Note, Span

if TYPE_CHECKING:
    from .interpreter import Interpreter

#: modules being loaded at once (``a`` imports ``b`` imports ``c``...): deeper imports are unknown
MAX_IMPORT_DEPTH = 8
#: project modules read in one analysis
MAX_MODULES = 64
#: project files the prefilter reads to decide whether a file without Keras imports calls Keras code
MAX_PREFILTER_FILES = 16
MAX_PREFILTER_DEPTH = 3
#: the note of a finding moved to the call site: where, in the other module, Keras rejects the call
REJECTED_THERE = "Keras rejects it here, in the imported code"

#: top-level packages that are never the project's own: those the front end gives meaning to
_KNOWN_PACKAGES = frozenset({
    "keras", "tensorflow", "tf_keras", "numpy", "scipy", "sklearn", "pandas", "torch", "jax", "matplotlib",
    "tensorflow_datasets", "tensorflow_hub", "tensorflow_addons", "keras_cv", "keras_nlp", "keras_hub", "PIL", "cv2",
})
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
#: folders walked up from a file, at most (the top package, the project root)
_MAX_WALK = 32


@dataclass(eq=False)
class ModuleValue:
    """A module of the project: its dotted name, its file (as reported), its top-level bindings."""

    name: str
    path: str
    #: its absolute path
    file: str
    env: Any  # the module's Env, filled while it loads
    is_package: bool = False
    #: submodules imported through it (``import pkg.sub`` makes ``pkg.sub`` an attribute of ``pkg``)
    submodules: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- resolution


def search_roots(path: str) -> list[str]:
    """The folders an absolute import from ``path`` is looked up in, in order (see the module docstring)."""
    here = os.path.dirname(os.path.abspath(path))
    top = here
    for _ in range(_MAX_WALK):
        if not os.path.isfile(os.path.join(top, "__init__.py")):
            break
        top = os.path.dirname(top)
    roots = [top, here]
    folder = here
    for _ in range(_MAX_WALK):
        if any(os.path.exists(os.path.join(folder, m)) for m in _PROJECT_MARKERS):
            roots.append(folder)
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for root in list(roots):
        src = os.path.join(root, "src")
        if os.path.isdir(src):
            roots.append(src)
    seen: list[str] = []
    for r in roots:
        if r not in seen:
            seen.append(r)
    return seen


def _module_file(base: str, parts: list[str]) -> Optional[tuple[str, bool]]:
    """The file of module ``parts`` under folder ``base`` (a package's ``__init__.py``), and whether it
    is a package; ``None`` where there is none."""
    folder = os.path.join(base, *parts)
    init = os.path.join(folder, "__init__.py")
    if os.path.isfile(init):
        return init, True
    if parts and os.path.isfile(folder + ".py"):
        return folder + ".py", False
    return None


def is_project_name(dotted: str) -> bool:
    """Whether an absolute import of ``dotted`` may name a project module (not the standard library's,
    nor a package the front end knows)."""
    top = dotted.split(".")[0]
    return bool(top) and top not in _KNOWN_PACKAGES and top not in sys.stdlib_module_names


def resolve_absolute(dotted: str, roots: Iterable[str]) -> Optional[tuple[str, bool]]:
    """The file of ``dotted`` (and whether it is a package) under the first root that has it."""
    if not is_project_name(dotted):
        return None
    parts = dotted.split(".")
    for root in roots:
        found = _module_file(root, parts)
        if found is not None:
            return found
    return None


def relative_base(path: str, level: int) -> Optional[str]:
    """The folder ``from .`` (level 1), ``from ..`` (level 2) ... of the file ``path`` names; ``None`` past
    the file system's root."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(level - 1):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder


def dotted_name(file: str) -> str:
    """The module name of ``file`` as its package layout gives it (``models/blocks.py`` in a package
    ``models``: ``models.blocks``)."""
    file = os.path.abspath(file)
    folder, base = os.path.split(file)
    parts = [] if base == "__init__.py" else [base[:-3] if base.endswith(".py") else base]
    for _ in range(_MAX_WALK):
        if not os.path.isfile(os.path.join(folder, "__init__.py")):
            break
        parts.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    return ".".join(parts) or "__init__"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- the prefilter

_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import\b|import[ \t]+([\w., \t]+))", re.MULTILINE)


def _imports_of_text(source: str) -> list[tuple[int, str]]:
    """(level, dotted name) of the imports a module's text seems to make (a cheap regex read)."""
    found = []
    for m in _IMPORT_LINE.finditer(source):
        if m.group(3) is not None:
            for part in m.group(3).split(","):
                name = part.strip().split()[0] if part.strip() else ""
                if name:
                    found.append((0, name))
        else:
            found.append((len(m.group(1)), m.group(2)))
    return found


def _imports_of_tree(tree: ast.Module) -> list[tuple[int, str, list[str]]]:
    """(level, module, names) of the imports at the top level of ``tree`` (and inside its ``if``,
    ``try`` and ``with`` blocks): where a script imports its project's modules."""
    found: list[tuple[int, str, list[str]]] = []
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found.extend((0, a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or "", [a.name for a in node.names]))
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody"):
                stack.extend(getattr(node, block, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                stack.extend(handler.body)
    return found


def keras_dependencies(tree: ast.Module, path: str) -> tuple[bool, dict[str, str]]:
    """Whether a module that imports no Keras itself imports a project module that does (transitively,
    at most ``MAX_PREFILTER_DEPTH`` deep and ``MAX_PREFILTER_FILES`` files), and the files read to
    decide (absolute path -> sha256 of the bytes: the cache's dependencies).

    The other files are only read, never parsed: a regex finds their imports and their Keras imports."""
    read: dict[str, str] = {}
    if not os.path.isfile(path):
        return False, read
    roots_of: dict[str, list[str]] = {}

    def roots(file: str) -> list[str]:
        folder = os.path.dirname(file)
        if folder not in roots_of:
            roots_of[folder] = search_roots(file)
        return roots_of[folder]

    # (importing file, level, dotted, the names imported from it: submodules where it is a package)
    frontier: list[tuple[str, int, str, tuple]] = []
    for level, module, imported in _imports_of_tree(tree):
        imported = [n for n in imported if n != "*"]
        if module:
            frontier.append((path, level, module, tuple(imported)))
        else:  # `from . import a, b`
            frontier.extend((path, level, n, ()) for n in imported)
    edits_path: Optional[bool] = None  # (walked for only when an import is not found)
    for _ in range(MAX_PREFILTER_DEPTH):
        following: list[tuple[str, int, str, tuple]] = []
        for importer, level, dotted, names_ in frontier:
            if len(read) >= MAX_PREFILTER_FILES:
                return False, read
            if not level and not is_project_name(dotted):
                continue
            file = _resolve(importer, level, dotted, roots(importer) if not level else [])
            if file is None and importer == path and not level:
                edits_path = _edits_sys_path(tree) if edits_path is None else edits_path
                if edits_path:
                    return True, read  # (found, perhaps, where the file's own sys.path edit points: the analysis tells)
            if file is not None and names_ and os.path.basename(file) == "__init__.py":
                following.extend((importer, level, f"{dotted}.{n}", ()) for n in names_)
            if file is None or os.path.abspath(file) in read or os.path.abspath(file) == os.path.abspath(path):
                continue
            try:
                st = os.stat(file)
            except OSError:
                continue
            facts = _text_facts(os.path.abspath(file), st.st_size, st.st_mtime_ns)
            if facts is None:
                continue
            read[os.path.abspath(file)] = facts[0]
            if facts[1]:
                return True, read
            following.extend((file, lv, name, ()) for lv, name in facts[2])
        frontier = following
    return False, read


def _edits_sys_path(tree: ast.Module) -> bool:
    """Whether the module calls ``sys.path.append/insert/extend`` (anywhere)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("append", "insert", "extend") and isinstance(node.func.value, ast.Attribute) \
                and node.func.value.attr == "path" and isinstance(node.func.value.value, ast.Name) \
                and node.func.value.value.id == "sys":
            return True
    return False


@lru_cache(maxsize=4096)
def _text_facts(file: str, size: int, mtime_ns: int) -> Optional[tuple[str, bool, tuple[tuple[int, str], ...]]]:
    """The sha256 of a module's bytes, whether its text imports Keras, and its imports; kept per process
    for each (path, size, modification time): a project's modules are read once for all its scripts."""
    from ..api import _may_import_keras, _mentions_keras_import

    try:
        with open(file, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    text = data.decode("utf-8", "replace")
    keras = _may_import_keras(text) and _mentions_keras_import(text)  # (the substring test first: cheap)
    return digest(data), keras, tuple(_imports_of_text(text))


def _resolve(importer: str, level: int, dotted: str, roots: list[str]) -> Optional[str]:
    if level:
        base = relative_base(importer, level)
        found = _module_file(base, dotted.split(".") if dotted else []) if base is not None else None
    else:
        found = resolve_absolute(dotted, roots) if dotted else None
    return found[0] if found is not None else None


# --------------------------------------------------------------------------- the interpreter's side


class Modules:
    """The project modules one analysis reads: each loaded once (its ``Env``), findings moved to the
    checked file's call sites, and the files read (the cache's dependencies)."""

    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp
        self.home = os.path.abspath(interp.path) if os.path.isfile(interp.path) else None
        self._roots: Optional[list[str]] = None
        self.loaded: dict[str, Optional[ModuleValue]] = {}
        #: modules whose top level is being followed now, outermost first
        self.loading: list[str] = []
        #: absolute path -> sha256 of every project file read
        self.read: dict[str, str] = {}
        #: each loaded module's path as reported, its absolute path, and the positions of its nodes
        self.positions: list[tuple[str, str, Any]] = []
        #: the import statements whose modules are loading now, outermost first
        self.sites: list[Optional[Span]] = []

    @property
    def roots(self) -> list[str]:
        if self._roots is None:
            self._roots = search_roots(self.home) if self.home is not None else []
        return self._roots

    def add_root(self, folder: str, first: bool) -> None:
        """A folder the program puts on ``sys.path`` (:mod:`shapecheck.frontend.paths`): looked up for
        the absolute imports after it, first (``sys.path.insert(0, ...)``) or last."""
        if self.home is None or not os.path.isdir(folder):
            return
        roots = [r for r in self.roots if r != folder]
        self._roots = [folder, *roots] if first else [*roots, folder]

    # -- imports ------------------------------------------------------------------
    def import_module(self, dotted: str, aliased: bool, node: Any) -> Optional[ModuleValue]:
        """``import a.b.c``: the module ``a`` (``b`` and ``c`` loaded as its submodules); ``import a.b.c as m``:
        the module ``a.b.c``; ``None`` where it is no project module (the name keeps its qualified name)."""
        if self.home is None or not is_project_name(dotted):
            return None
        site = self.interp.span(node)
        if aliased:
            return self.load_absolute(dotted, site)
        parts = dotted.split(".")
        top = self.load_absolute(parts[0], site)
        parent = top
        for i in range(1, len(parts)):
            if parent is None:
                break
            child = self.load_absolute(".".join(parts[: i + 1]), site)
            if child is not None:
                parent.submodules[parts[i]] = child
            parent = child
        return top

    def import_from(self, small: Any, env: Any) -> bool:
        """``from <dots><module> import names`` of a project module: binds the names (what the module
        defines, else its submodules, else unknown) and says so; false where the module is not the
        project's (the interpreter binds qualified names, as before)."""
        import libcst as cst

        from .interpreter import _dotted

        if self.home is None:
            return False
        level = len(small.relative)
        module = _dotted(small.module) if small.module is not None else ""
        site = self.interp.span(small)
        if level == 0:
            if not module or not is_project_name(module):
                return False
            source = self.load_absolute(module, site)
        else:
            base = relative_base(self.file_of(small, site), level)
            found = _module_file(base, module.split(".") if module else []) if base is not None else None
            source = self.load(found[0], found[1], site) if found is not None else None
        if source is None:
            return False
        if isinstance(small.names, cst.ImportStar):
            for name, value in list(source.env.vars.items()):
                if not name.startswith("_"):
                    env.vars[name] = value
            env.star_modules.extend(source.env.star_modules)
            return True
        for alias in small.names:
            name = _dotted(alias.name)
            value = self.member(source, name)
            if alias.asname is not None:
                self.interp.assign(alias.asname.name, value, env)
            else:
                env.vars[name] = value
        return True

    def file_of(self, node: Any, site: Span) -> str:
        """The absolute path of the file ``node`` is in."""
        for shown, file, positions in self.positions:
            if shown == site.path and node in positions:
                return file
        return self.home or os.path.abspath(site.path)

    def member(self, mod: ModuleValue, name: str) -> Any:
        """``from mod import name``: a binding of the module, else its submodule ``name``, else unknown."""
        from ..core.ir import UNKNOWN

        if name in mod.env.vars:
            return mod.env.vars[name]
        if name in mod.submodules:
            return mod.submodules[name]
        if mod.is_package:
            found = _module_file(os.path.dirname(mod.file), [name])
            if found is not None:
                sub = self.load(found[0], found[1], None)
                if sub is not None:
                    mod.submodules[name] = sub
                    return sub
        if mod.env.star_modules:  # `from keras.layers import *` there: its names are attributes too
            from .values import Builtin

            value = mod.env.lookup(name)
            return UNKNOWN if isinstance(value, Builtin) else value
        return UNKNOWN

    def attribute(self, mod: ModuleValue, name: str) -> Any:
        """``mod.name``."""
        return self.member(mod, name)

    def load_absolute(self, dotted: str, site: Optional[Span]) -> Optional[ModuleValue]:
        found = resolve_absolute(dotted, self.roots) if dotted else None
        if found is None:
            return None
        return self.load(found[0], found[1], site)

    def load(self, file: str, is_package: bool, site: Optional[Span] = None) -> Optional[ModuleValue]:
        """The module in ``file``, followed once per analysis; ``None`` for the checked file itself, past
        the bounds, or where the file cannot be read (its names are then unknown)."""
        key = os.path.abspath(file)
        if key in self.loaded:
            return self.loaded[key]
        if key == self.home or len(self.loading) >= MAX_IMPORT_DEPTH or len(self.loaded) >= MAX_MODULES:
            return None
        from ..api import _python_parse, display_path, read_source

        try:
            with open(key, "rb") as fh:
                self.read[key] = digest(fh.read())
            source = read_source(key)
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            self.loaded[key] = None
            return None
        if not isinstance(_python_parse(source), ast.Module):
            self.loaded[key] = None  # a syntax error there: reported when that file is checked
            return None
        import libcst as cst

        from . import gc_paused
        from .interpreter import Env, _positions

        try:
            with gc_paused():
                tree = cst.parse_module(source)
                positions = _positions(tree)
        except (cst.ParserSyntaxError, RecursionError):
            self.loaded[key] = None
            return None
        shown = display_path(key)
        env = Env()
        env.vars["__name__"] = dotted_name(key)
        env.vars["__file__"] = key
        mod = ModuleValue(env.vars["__name__"], shown, key, env, is_package)
        self.loaded[key] = mod
        self.positions.append((shown, key, positions))
        self._run(tree, env, "yield" in source, key, site)
        return mod

    def _run(self, tree: Any, env: Any, may_yield: bool, key: str, site: Optional[Span]) -> None:
        """The module's top level, as a fresh call stack: its findings are dropped (they are its own file's),
        and the models it builds are not this file's."""
        from .interpreter import Frame, _Break, _Continue, _Raise, _Return

        interp = self.interp
        interp._may_yield = interp._may_yield or may_yield
        saved = (interp.findings, interp._frame, interp._depth, len(interp.models))
        interp.findings = []
        interp._frame = Frame()
        interp._depth = 0
        self.loading.append(key)
        self.sites.append(site)
        try:
            interp.exec_block(tree.body, env)
        except (_Return, _Raise, _Break, _Continue, RecursionError):
            pass  # the module stops there: what it defined so far stays
        finally:
            self.loading.pop()
            self.sites.pop()
            interp.findings, interp._frame, interp._depth = saved[0], saved[1], saved[2]
            del interp.models[saved[3]:]

    # -- positions and findings -------------------------------------------------------
    def span(self, node: Any) -> Optional[Span]:
        """The span of a node of a loaded module (``None``: not one of theirs)."""
        for path, _, positions in self.positions:
            r = positions.get(node)
            if r is not None:
                return Span(path, r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)
        return None

    def relocate(self, finding: Finding) -> Optional[Finding]:
        """A finding inside another module, moved to the outermost call in the checked file that leads
        to it (with a note where Keras rejects it); ``None`` where no call of this file leads there
        (the other module's top level, or its functions analysed on their own)."""
        here = self.interp.path
        if self.loading:
            return None
        sites = [n.span for n in finding.notes if n.message == CALL_SITE and n.span.path == here]
        if not sites:
            return None
        site = sites[-1]  # the notes list the calls innermost first
        notes = tuple(n for n in finding.notes if not (n.message == CALL_SITE and n.span == site))
        return replace(finding, span=site, notes=(Note(finding.span, REJECTED_THERE),) + notes)

    def home_span(self, span: Span) -> Span:
        """``span`` if it is in the checked file, else the outermost call or import of this file that led
        to it (where the analysis-limit finding goes)."""
        here = self.interp.path
        if span.path == here:
            return span
        for s in self.interp._frame.stack:
            if s.path == here:
                return s
        for site in self.sites:
            if site is not None and site.path == here:
                return site
        return Span(here, 1, 1, 1, 1)
