"""Generate ``docs/rules/`` (one page per finding code) and ``docs/layers.md`` from the registries.

Run ``python -m shapecheck.docs`` after changing a code or a rule; a test fails when the
committed pages differ from what this writes, so the docs cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .core.findings import CODES, Code
from .core.rules import LAYER_FUNCTIONS, LAYERS, OPS, load_rules

DOCS_URL = "docs/rules/{number}-{name}.md"


def rule_page(code: Code) -> str:
    out = [f"# {code.number} {code.name}", "", f"*Severity: {code.severity}*", "", "## What it does", "",
           code.summary, "", "## Why is this bad?", "", code.explanation, ""]
    if code.example:
        out += ["## Example", "", "```python", code.example.rstrip(), "```", ""]
    if code.fix:
        out += ["## Use instead", "", "```python", code.fix.rstrip(), "```", ""]
    out += ["---", "", "*Generated from `shapecheck/core/findings.py` by `python -m shapecheck.docs`.*", ""]
    return "\n".join(out)


def rules_index() -> str:
    out = ["# Finding codes", "", "| code | name | severity | what it means |", "|---|---|---|---|"]
    for code in sorted(CODES.values(), key=lambda c: c.number):
        out.append(f"| [{code.number}]({code.number}-{code.name}.md) | `{code.name}` | {code.severity} "
                   f"| {code.summary} |")
    return "\n".join(out) + "\n"


def layers_page() -> str:
    load_rules()
    out = ["# Layer and op coverage", "",
           "Generated from the rule registry by `python -m shapecheck.docs`. Every rule's examples are checked "
           "against Keras itself by the test suite.", "",
           "## Layers", "", "| rule | Keras names | functional form | module | examples |", "|---|---|---|---|---|"]
    seen: dict[int, tuple] = {}
    for name, rule in LAYERS.items():
        seen.setdefault(id(rule), (rule, []))[1].append(name)
    for rule, rule_names in sorted(seen.values(), key=lambda x: x[1][0]):
        funcs = ", ".join(f"`{f}`" for f, r in LAYER_FUNCTIONS.items() if r is rule)
        module = type(rule).__module__.rsplit(".", 1)[-1]
        out.append(f"| {type(rule).__name__} | {', '.join(f'`{n}`' for n in rule_names)} | {funcs} | {module} "
                   f"| {len(rule.examples)} |")
    out += ["", "## Functions", "", "| rule | names | examples |", "|---|---|---|"]
    seen_ops: dict[int, tuple] = {}
    for name, op in OPS.items():
        seen_ops.setdefault(id(op), (op, []))[1].append(name)
    for op, op_names in sorted(seen_ops.values(), key=lambda x: x[1][0]):
        out.append(f"| {type(op).__name__} | {', '.join(f'`{n}`' for n in sorted(op_names))} "
                   f"| {len(op.examples)} |")
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
