"""Every finding code's page: the same four sections, and an example and a fix that are real.

The pages (``docs/rules/<number>-<name>.md``, ``shapecheck --explain``) show each code's example and fix
as whole programs (:func:`shapecheck.docs.program` adds the imports they use). Here each program, read
back from the committed page, goes through the analysis (the example yields its code and nothing else,
the fix nothing at all) and through Python and Keras themselves (the example fails as the page says, the
fix runs). internal-error, a bug of ours, has no program: its page shows the report and the ``--debug``
run, and the test makes shapecheck fail to compare them with what it prints.
"""

from __future__ import annotations

import contextlib
import io
import os
import pty
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecheck.api import Options, check_file
from shapecheck.cli import main
from shapecheck.config import Rules
from shapecheck.core.findings import CODES, INTERNAL_ERROR, Code

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ["What it does", "Why is this bad?", "Example", "Use instead"]
#: every opt-in report on (unused-ignore is reported only with --warn-unused-ignores)
OPTIONS = Options(rules=Rules(warn_unused_ignores=True))
#: codes whose example Python cannot even compile
PYTHON_REJECTS = {"syntax-error", "unreadable-file"}
#: codes whose example runs: shapecheck's own limits and comments, no error of Keras
KERAS_ACCEPTS = {"analysis-limit", "unused-ignore"}
#: what Keras raises on an example where it is not ValueError
KERAS_RAISES = {"dtype-mismatch": TypeError}  # a kernel that has no implementation for the dtype
#: codes whose page shows a terminal session instead of programs
SESSIONS = {INTERNAL_ERROR.name}


def page_of(code: Code) -> str:
    path = ROOT / "docs" / "rules" / f"{code.number}-{code.name}.md"
    assert path.is_file(), f"{code.label} has no page: run `python -m shapecheck.docs`"
    return path.read_text()


def sections(page: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)\n", page, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def snippets(code: Code) -> tuple[tuple[str, str], tuple[str, str]]:
    """(language, text) of the code blocks of the page's Example and Use instead sections."""
    found = []
    for title in ("Example", "Use instead"):
        blocks = re.findall(r"^```(\w+)\n(.*?)^```$", sections(page_of(code))[title], re.S | re.M)
        assert len(blocks) == 1, f"{code.label}: {title} needs one code block"
        found.append(blocks[0])
    return found[0], found[1]


def programs(code: Code) -> tuple[bytes, bytes]:
    """The example and the fix as the bytes of a file: encoded as the fix declares (PEP 263)."""
    (_, example), (_, fix) = snippets(code)
    encoding, _ = tokenize.detect_encoding(io.BytesIO(fix.encode("utf-8")).readline)
    return example.encode(encoding), fix.encode(encoding)


PROGRAM_CODES = sorted((c for c in CODES.values() if c.name not in SESSIONS), key=lambda c: c.number)


@pytest.mark.parametrize("code", sorted(CODES.values(), key=lambda c: c.number), ids=lambda c: c.label)
def test_every_page_has_the_four_sections(code):
    found = sections(page_of(code))  # (test_docs.py: the page is what rule_page writes today)
    assert list(found) == SECTIONS, code.label
    for title, text in found.items():
        assert text.split("---")[0].strip(), f"{code.label}: {title} is empty"
    (lang_example, example), (lang_fix, fix) = snippets(code)
    expected = "console" if code.name in SESSIONS else "python"
    assert (lang_example, lang_fix) == (expected, expected), code.label
    assert example != fix


@pytest.mark.parametrize("code", PROGRAM_CODES, ids=lambda c: c.label)
def test_shapecheck_reports_the_example_with_its_code_and_nothing_on_the_fix(code, tmp_path):
    example, fix = programs(code)
    (tmp_path / "example.py").write_bytes(example)
    (tmp_path / "fix.py").write_bytes(fix)
    found = check_file(str(tmp_path / "example.py"), OPTIONS).findings
    assert [f.code.name for f in found] == [code.name], [(f.code.label, f.message) for f in found]
    found = check_file(str(tmp_path / "fix.py"), OPTIONS).findings
    assert found == [], [(f.code.label, f.message) for f in found]


def run(program: bytes) -> None:
    """``program`` as Python runs it (Keras's progress bars silenced)."""
    compiled = compile(program, "program.py", "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compiled, {"__name__": "__main__"})


@pytest.mark.parametrize("code", PROGRAM_CODES, ids=lambda c: c.label)
def test_python_and_keras_reject_the_example_and_run_the_fix(code, tmp_path):
    example, fix = programs(code)
    run(fix)
    if code.name in KERAS_ACCEPTS:
        run(example)
    elif code.name in PYTHON_REJECTS:
        # as a file run by Python (compile() of bytes lets a non-UTF-8 comment through; python does not)
        (tmp_path / "example.py").write_bytes(example)
        done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 1 and "SyntaxError" in done.stderr, done.stderr
    else:
        with pytest.raises(KERAS_RAISES.get(code.name, ValueError)):
            run(example)


def test_only_internal_error_has_no_program():
    """Sessions are not run as programs: no other code may slip out of the tests above with one."""
    assert {c.name for c in CODES.values() if c.example.startswith("$ ") or c.fix.startswith("$ ")} == SESSIONS


def session(text: str) -> tuple[list[str], str]:
    """A page's console block: the command's arguments and what it prints."""
    command, _, output = text.partition("\n")
    args = command.split()
    assert args[:2] == ["$", "shapecheck"]
    return args[2:], output


def test_the_internal_error_page_shows_what_shapecheck_prints(tmp_path, monkeypatch):
    """shapecheck made to fail (an IndexError in the interpreter) prints the page's example; with the fix's
    ``--debug``, the traceback (the page's ``  ...`` stands for its frames)."""
    from shapecheck.frontend.interpreter import Interpreter

    def bug(self):
        return [][0]

    monkeypatch.setattr(Interpreter, "run", bug)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text("import keras\nx = keras.Input(shape=(3,))\n")
    (_, example), (_, fix) = snippets(INTERNAL_ERROR)
    args, expected = session(example)
    done = CliRunner().invoke(main, args)
    assert done.output == expected
    args, expected = session(fix)
    done = CliRunner().invoke(main, args)
    pattern = "\n".join(".*" if line == "  ..." else re.escape(line) for line in expected.split("\n"))
    assert re.fullmatch(pattern, done.output, re.S), done.output


# -- shapecheck --explain ------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["SC201", "sc201", "rank-mismatch", "Rank-Mismatch", "shape-rank-mismatch"])
def test_explain_prints_the_page_as_markdown_when_piped(query):
    done = CliRunner().invoke(main, ["--explain", query])
    assert done.exit_code == 0
    assert done.output == page_of(CODES["rank-mismatch"])


def test_explain_an_unknown_code_is_a_usage_error_that_lists_the_codes():
    done = CliRunner().invoke(main, ["--explain", "SC999"])
    assert done.exit_code == 2
    assert "'SC999'" in done.output
    for code in CODES.values():
        assert code.label in done.output


def test_explain_renders_the_page_on_a_terminal():
    """On a terminal (a pseudo-terminal here), rich renders the Markdown: headings without their ``##``,
    the code blocks without their fences."""
    primary, replica = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "shapecheck", "--explain", "SC204"], stdout=replica,
                            stderr=subprocess.PIPE, env=env, cwd=ROOT)
    os.close(replica)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    shown = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode())
    assert "\x1b[" in b"".join(chunks).decode()  # styled
    assert "Why is this bad?" in shown and "## Why is this bad?" not in shown
    assert "```" not in shown
    assert "layers.Reshape((28, 27))(x)" in shown
