"""Generate ``docs/rules/`` (one page per finding code) and ``docs/layers.md`` from the registries.

Run ``python -m shapecheck.docs`` after changing a code or a rule; a test fails when the
committed pages differ from what this writes, so the docs cannot drift from the code.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from .core import findings
from .core.engine import infer
from .core.findings import CODES, FILE_ERRORS, Code
from .core.rules import LAYER_FUNCTIONS, LAYERS, OPS, Call, LayerRule, Rule, load_rules

DOCS_URL = "docs/rules/{number}-{name}.md"


#: the imports a code's example and fix may use without writing them: (the name it uses, the import);
#: its page shows each snippet as a whole program with the imports of the names it uses
PREAMBLE = (("keras", "import keras"), ("layers", "from keras import layers"), ("np", "import numpy as np"),
            ("tf", "import tensorflow as tf"))
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")  # PEP 263


def program(snippet: str) -> str:
    """An example or fix of :data:`CODES` as the whole program its page shows: the imports of the
    :data:`PREAMBLE` names it uses, after its coding declaration if it has one. A snippet whose
    lines start with ``$ `` is a terminal session, shown as it is."""
    if is_session(snippet):
        return snippet
    lines = snippet.splitlines(keepends=True)
    head = 1 if lines and _CODING.match(lines[0]) else 0
    imports = [line + "\n" for name, line in PREAMBLE if re.search(rf"(?<![\w.]){name}\.", snippet)]
    if not imports:
        return snippet
    return "".join(lines[:head] + imports + ["\n"] + lines[head:])


def is_session(snippet: str) -> bool:
    """A terminal session (commands after ``$ ``, then their output), not a Python program."""
    return snippet.startswith("$ ")


def rule_page(code: Code) -> str:
    """The Markdown page of a code (``docs/rules/<number>-<name>.md``, ``shapecheck --explain``): the same
    four sections for every code: *What it does*, *Why is this bad?*, *Example*, *Use instead*."""
    mypy = "reported by mypy itself" if code.name in FILE_ERRORS else f"`{code.mypy_code}`"
    out = [f"# {code.number} {code.name}", "", f"*Severity: {code.severity} · mypy error code: {mypy}*", "",
           "## What it does", "",
           code.summary, "", "## Why is this bad?", "", code.explanation, ""]
    for title, snippet in (("Example", code.example), ("Use instead", code.fix)):
        language = "console" if is_session(snippet) else "python"
        out += [f"## {title}", "", f"```{language}", program(snippet).rstrip(), "```", ""]
    out += ["---", "", "*Generated from `shapecheck/core/findings.py` by `python -m shapecheck.docs`.*", ""]
    return "\n".join(out)


def explain(code: Code, out: TextIO) -> None:
    """``shapecheck --explain``: the code's page, rendered by rich on a terminal, as Markdown text
    otherwise (piped, redirected; as ``ruff rule`` prints it)."""
    page = rule_page(code)
    if not out.isatty():
        out.write(page)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console(file=out).print(Markdown(page))


def rules_index() -> str:
    out = ["# Finding codes", "", "Under the mypy plugin each code is an error code of its own, `shape-<name>`, "
           "under `shape` (see [mypy.md](../mypy.md)).", "",
           "| code | name | severity | what it means |", "|---|---|---|---|"]
    for code in sorted(CODES.values(), key=lambda c: c.number):
        out.append(f"| [{code.number}]({code.number}-{code.name}.md) | `{code.name}` | {code.severity} "
                   f"| {code.summary} |")
    return "\n".join(out) + "\n"


class _Reads(dict):
    """A rule's config that records the keys the rule reads."""

    def __init__(self, data: dict, reads: set) -> None:
        super().__init__(data)
        self.reads = reads

    def get(self, key: Any, default: Any = None) -> Any:
        self.reads.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        self.reads.add(key)
        return super().__contains__(key)


def _arguments_read() -> dict[int, set]:
    """For each rule (by id), the constructor arguments it reads while its examples run."""
    reads: dict[int, set] = {}
    original = Call.__init__

    def recording_init(self: Call, rule: Rule, config: dict, *args: Any, **kwargs: Any) -> None:
        original(self, rule, config, *args, **kwargs)
        self.config = _Reads(self.config, reads.setdefault(id(rule), set()))

    Call.__init__ = recording_init  # type: ignore[method-assign]
    try:
        for table in (LAYERS, OPS):
            for name, rule in table.items():
                for ex in rule.examples:
                    infer(name, ex.config, ex.inputs, ex.args, ex.call_kwargs)
    finally:
        Call.__init__ = original  # type: ignore[method-assign]
    return reads


#: read by the engine for every layer (the output dtype, messages), not shape arguments
_NOT_SHAPE = {"dtype", "name"}

_CODE_NAMES = {k: v for k, v in vars(findings).items() if isinstance(v, Code)}


def _codes(rule: Rule) -> list[str]:
    """The finding names a rule can raise: those its examples show, those its classes name, and
    rank-mismatch / axis-mismatch for a layer whose input spec checks rank / axes."""
    names = {ex.expect for ex in rule.examples if isinstance(ex.expect, str)}
    for cls in type(rule).__mro__:
        if cls.__module__.startswith("shapecheck.") and cls.__module__ != "shapecheck.core.rules":
            try:
                source = inspect.getsource(cls)
            except (OSError, TypeError):  # a class made at run time: its examples still count
                continue
            names |= {code.name for ident, code in _CODE_NAMES.items() if re.search(rf"\b{ident}\b", source)}
    if isinstance(rule, LayerRule):
        spec = rule.spec
        if type(rule).input_spec is not LayerRule.input_spec or (
                spec is not None and (spec.ndim, spec.min_ndim, spec.max_ndim) != (None, None, None)):
            names.add(findings.RANK_MISMATCH.name)
        if spec is not None and spec.axes:
            names.add(findings.AXIS_MISMATCH.name)
        if rule.accepts is not None or not (rule.accepts_sparse and rule.accepts_ragged):
            names.add(findings.DTYPE_MISMATCH.name)  # (what it runs on: LayerRule.accepts ...)
    return sorted(names)


def _table(table: dict, reads: dict[int, set], layers: bool) -> list[str]:
    groups: dict[int, tuple] = {}
    for name, rule in table.items():
        groups.setdefault(id(rule), (rule, []))[1].append(name)
    rows = []
    for rule, rule_names in sorted(groups.values(), key=lambda x: x[1][0]):
        names = ", ".join(f"`{n}`" for n in (rule_names if layers else sorted(rule_names)))
        args = ", ".join(f"`{a}`" for a in rule.params if a in reads.get(id(rule), ()) and a not in _NOT_SHAPE)
        extra = sorted(a for a in reads.get(id(rule), ())
                       if isinstance(a, str) and a not in rule.params and a not in _NOT_SHAPE)
        args = ", ".join(x for x in (args, ", ".join(f"`{a}`" for a in extra)) if x)
        codes = ", ".join(f"[{c}](rules/{findings.CODES[c].number}-{c}.md)" for c in _codes(rule))
        row = [names]
        if layers:
            row.append(", ".join(f"`keras.layers.{f}`" for f, r in LAYER_FUNCTIONS.items() if r is rule))
            row.append(type(rule).__module__.rsplit(".", 1)[-1])
        row += [args, codes, str(len(rule.examples))]
        rows.append("| " + " | ".join(row) + " |")
    return rows


def _applications_table() -> list[str]:
    from .layers import applications

    out = ["", f"## Applications ({len(applications.MODELS)} models)", "",
           "`keras.applications` models (`keras.applications.ResNet50`, `tf.keras.applications.ResNet50`, "
           "`keras.applications.resnet50.ResNet50`), each followed as its `keras.Input` and one operation: "
           "`include_top` gives `(batch, classes)`, `pooling=\"avg\"`/`\"max\"` `(batch, features)`, otherwise "
           "the feature map, whose sizes follow the input's through the model's strided layers (measured with "
           "Keras: `tests/data/applications_table.json`). The constructor's checks are Keras's ([invalid-argument]"
           "(rules/SC206-invalid-argument.md)); an input too small for the layers is [negative-dimension]"
           "(rules/SC205-negative-dimension.md). Not followed: `channels_first`, a width (`alpha`) other than "
           "the default (channels and parameter counts unknown), the NASNet models' sizes. Each module's "
           "`preprocess_input` keeps the shape.", "",
           "| model | modules | default size | smallest size | features | stride | sizes followed |",
           "|---|---|---|---|---|---|---|"]
    for name, app in sorted(applications.MODELS.items()):
        stride = 1
        for step in app.steps:
            stride *= step[2] if step[0] in ("conv", "pool") else 1
        modules = ", ".join(f"`{m}`" for m in app.modules)
        out.append(f"| `{name}` | {modules} | {app.default_size} | {app.min_size} | {app.features} | {stride} | "
                   f"{'yes' if app.exact else 'channels only'} |")
    return out


def layers_page() -> str:
    load_rules()
    from . import layers, ops

    reads = _arguments_read()
    out = ["# Layer and op coverage", "",
           "Generated from the rule registry by `python -m shapecheck.docs`. Every rule's examples are checked "
           "against Keras itself by the test suite. *Arguments* are the constructor (or function) arguments a "
           "rule reads while its examples run; *findings* are those its examples show, those its code names, "
           "and the rank and axis checks of a layer's input spec.", "",
           f"## Layers ({len(LAYERS)} names)", "",
           "| Keras names | functional form | family | arguments | findings | examples |",
           "|---|---|---|---|---|---|"]
    out += _table(LAYERS, reads, layers=True)
    out += ["", "### Not covered", "", "| layer | why |", "|---|---|"]
    out += [f"| `{n}` | {why} |" for n, why in sorted(layers.NOT_COVERED.items())]
    out += _applications_table()
    out += ["", f"## Functions ({len(OPS)} names)", "", "| names | arguments | findings | examples |",
            "|---|---|---|---|"]
    out += _table(OPS, reads, layers=False)
    out += ["", "### Not covered", "", "| function | why |", "|---|---|"]
    out += [f"| `{n}` | {why} |" for n, why in sorted(ops.NOT_COVERED.items())]
    return "\n".join(out) + "\n"


def generate() -> dict[str, str]:
    """Relative path -> content of every generated page."""
    pages = {f"docs/rules/{c.number}-{c.name}.md": rule_page(c) for c in CODES.values()}
    pages["docs/rules/README.md"] = rules_index()
    pages["docs/layers.md"] = layers_page()
    return pages


def main(root: str = ".") -> int:
    base = Path(root)
    for rel, content in generate().items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
