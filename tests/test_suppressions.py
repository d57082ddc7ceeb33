"""``# shapecheck: ignore[...]`` comments in the analysed source, and ``--warn-unused-ignores``.

Every case runs the real analysis (``api.check_source``, the command through click's runner, mypy with
the plugin): a comment hides exactly the findings it names, on its line or its statement, and nothing
that only looks like a comment.  About 15 s (one mypy run).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from mypy import api as mypy_api

from shapecheck.api import Options, check_source
from shapecheck.cli import main
from shapecheck.config import Rules

from .mypy_support import mypy_config, stub_search_path

HEAD = """\
import keras
import tensorflow as tf
from keras import layers

x = keras.Input(shape=(28, 28))
"""
#: a rank mismatch (SC201) on its own line, after HEAD
RANK = "y = layers.Conv2D(8, 3)(x)"


def findings(body: str, **rules) -> list[tuple[int, str]]:
    """(line, code name) of what the analysis reports for HEAD + body."""
    source = HEAD + textwrap.dedent(body)
    result = check_source(source, "t.py", Options(rules=Rules(**rules)))
    return [(f.span.line, f.code.name) for f in result.findings]


def test_without_a_comment_the_finding_is_there():
    assert findings(RANK + "\n") == [(6, "rank-mismatch")]


@pytest.mark.parametrize("comment", [
    "# shapecheck: ignore[SC201]",
    "# shapecheck: ignore[rank-mismatch]",
    "# shapecheck: ignore[sc201]",
    "# shapecheck: ignore[SC203, SC201]",
    "# shapecheck: ignore[incompatible-shapes,rank-mismatch]",
    "# shapecheck: ignore",
    "#shapecheck:ignore[SC201]",
    "# noqa: E501  # shapecheck: ignore[SC201]",
    "# shapecheck: ignore[SC201]  # why: a known bug in the data loader",
])
def test_a_comment_on_the_reported_line(comment):
    assert findings(f"{RANK}  {comment}\n") == []


@pytest.mark.parametrize("comment", [
    "# shapecheck: ignore[SC203]",          # another code
    "# shapecheck: ignore[incompatible-shapes]",
    "# shapecheck: ignore[SC2]",            # prefixes are for the configuration, not comments
    "# shapecheck: ignored",                 # not the directive
    "# shapecheck ignore",
    "# see shapecheck: ignore[SC201] in the docs",  # not at the start of the comment
])
def test_a_comment_that_does_not_name_the_finding_leaves_it(comment):
    assert findings(f"{RANK}  {comment}\n") == [(6, "rank-mismatch")]


def test_a_string_that_looks_like_a_comment_is_not_one():
    body = 's = "# shapecheck: ignore"; ' + RANK + "\n" + 't = """\n# shapecheck: ignore\n"""; ' + RANK + "\n"
    assert findings(body) == [(6, "rank-mismatch"), (9, "rank-mismatch")]


def test_a_comment_on_another_line_does_not_count():
    assert findings(f"# shapecheck: ignore\n{RANK}\n{RANK}\n# shapecheck: ignore\n") == [
        (7, "rank-mismatch"), (8, "rank-mismatch")]


def test_the_first_line_of_a_multi_line_statement_covers_it():
    """The finding of a call that spans lines is reported where the call starts; a comment on the first
    line of its statement covers a finding reported on any of its lines."""
    spread = "y = (  # shapecheck: ignore[SC201]\n    x,\n    layers.Conv2D(8, 3)(\n        x),\n)\n"
    assert findings(spread.replace("  # shapecheck: ignore[SC201]", "")) == [(8, "rank-mismatch")]
    assert findings(spread) == []
    # a comment on a later line of the statement covers only the findings reported on that line
    later = "y = (\n    x,\n    layers.Conv2D(8, 3)(  # shapecheck: ignore\n        x),\n)\n"
    assert findings(later) == []
    other_line = "y = (\n    x,  # shapecheck: ignore\n    layers.Conv2D(8, 3)(\n        x),\n)\n"
    assert findings(other_line) == [(8, "rank-mismatch")]


def test_a_statement_inside_a_block_is_its_own_statement():
    """A comment on a ``def`` or ``if`` line covers that line, not the whole block."""
    body = "def f(t):  # shapecheck: ignore\n    return layers.Conv2D(8, 3)(t)\n\nf(x)\n"
    assert [code for _, code in findings(body)] == ["rank-mismatch"]


def test_a_comment_on_the_call_of_a_helper_covers_what_fails_inside_it_for_that_call():
    """A helper fine for one call and wrong for another: its finding is reported inside it, with the call in
    a note; the comment on that call silences it, and the helper's other wrong call is still reported."""
    body = ("def block(t, n):\n    y = layers.Dense(n)(t)\n    return layers.Add()([t, y])\n\n"
            "a = keras.Input((16,))\nok = block(a, 16)\nbad = block(a, 32){}\nworse = block(a, 8)\n")
    assert findings(body.format("")) == [(8, "incompatible-shapes"), (8, "incompatible-shapes")]
    assert findings(body.format("  # shapecheck: ignore[SC203]")) == [(8, "incompatible-shapes")]
    kept = check_source(HEAD + body.format("  # shapecheck: ignore[SC203]"), "t.py").findings
    assert [n.span.line for n in kept[0].notes if n.message == "in the call made here"] == [13]  # worse
    assert findings(body.format("  # shapecheck: ignore[SC203]"), warn_unused_ignores=True) == [
        (8, "incompatible-shapes")]
    # a comment on the helper's line covers every call
    assert findings(body.format("").replace("[t, y])\n", "[t, y])  # shapecheck: ignore\n")) == []


def test_a_comment_does_not_hide_a_syntax_error():
    result = check_source("x = (  # shapecheck: ignore\n", "t.py")
    assert [f.code.name for f in result.findings] == ["syntax-error"]
    result = check_source("import keras  # shapecheck: ignore[syntax-error]\nx = (\n", "t.py")
    assert [f.code.name for f in result.findings] == ["syntax-error"]


# -- unused suppressions --------------------------------------------------------------------------------


def test_unused_comments_are_reported_only_when_asked():
    body = (f"{RANK}  # shapecheck: ignore[SC201, SC203]\n"   # SC203 silences nothing
            "z = layers.Dense(4)(x)  # shapecheck: ignore\n"    # nothing to silence
            f"{RANK}  # shapecheck: ignore[no-such-code]\n"     # not a code: unused, and SC201 stays
            f"{RANK}  # shapecheck: ignore\n")                  # used
    assert findings(body) == [(8, "rank-mismatch")]
    source = HEAD + body
    result = check_source(source, "t.py", Options(rules=Rules(warn_unused_ignores=True)))
    got = [(f.span.line, f.span.column, f.code.number, f.message) for f in result.findings]
    assert got == [
        (6, 29, "SC005", 'Unused "shapecheck: ignore[SC203]": no SC203 incompatible-shapes finding on this line '
                         "or statement."),
        (7, 25, "SC005", 'Unused "shapecheck: ignore" comment: no finding on this line or statement to silence.'),
        (8, 5, "SC201", result.findings[2].message),
        (8, 29, "SC005", "Unused \"shapecheck: ignore[no-such-code]\": 'no-such-code' is not a shapecheck finding "
                         "code or name."),
    ]
    assert all(f.level == "error" for f in result.findings)


def test_a_comment_for_a_code_the_configuration_turns_off_is_unused(tmp_path, monkeypatch):
    """As with mypy and Ruff: the comment silenced nothing, whatever the reason. Asking for the warning
    selects SC005 even under a ``--select`` that does not name it; ``--ignore`` still turns it off."""
    monkeypatch.chdir(tmp_path)
    Path("m.py").write_text(HEAD + RANK + "  # shapecheck: ignore[SC201]\n")
    run = CliRunner().invoke(main, ["--select", "SC203", "--warn-unused-ignores", "m.py"])
    assert (run.exit_code, [line.split(" [")[-1] for line in run.output.splitlines()[:-1]]) == (
        1, ["SC005 unused-ignore]"])
    assert CliRunner().invoke(main, ["--select", "SC203", "m.py"]).exit_code == 0
    assert CliRunner().invoke(main, ["--warn-unused-ignores", "--ignore", "SC0", "m.py"]).exit_code == 0
    # asked for in the file, under a --select of the command line
    Path("pyproject.toml").write_text("[tool.shapecheck]\nwarn-unused-ignores = true\n")
    run = CliRunner().invoke(main, ["--select", "SC203", "m.py"])
    assert run.exit_code == 1 and "[SC005 unused-ignore]" in run.output
    Path("pyproject.toml").write_text('[tool.shapecheck]\nwarn-unused-ignores = true\nignore = ["unused-ignore"]\n')
    assert CliRunner().invoke(main, ["--select", "SC203", "m.py"]).exit_code == 0


def test_the_command_warns_about_unused_ignores(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.py").write_text(HEAD + "z = layers.Dense(4)(x)  # shapecheck: ignore[SC201]\n" + RANK
                            + "  # shapecheck: ignore[rank-mismatch]\n")
    quiet = CliRunner().invoke(main, ["m.py"])
    assert quiet.exit_code == 0, quiet.output
    loud = CliRunner().invoke(main, ["--warn-unused-ignores", "m.py"])
    assert loud.exit_code == 1
    assert loud.output.splitlines()[0] == ('m.py:6:25: error: Unused "shapecheck: ignore[SC201]": no SC201 '
                                           "rank-mismatch finding on this line or statement. [SC005 unused-ignore]")
    assert "m.py:7" not in loud.output
    # the code can itself be left out like any other
    assert CliRunner().invoke(main, ["--warn-unused-ignores", "--ignore", "unused-ignore", "m.py"]).exit_code == 0


# -- the mypy plugin ------------------------------------------------------------------------------------

def test_the_mypy_plugin_honours_the_comments(tmp_path):
    """The plugin calls ``api.check_source``, so the comments work in mypy (and editors) too; with
    ``warn-unused-ignores`` in ``[tool.shapecheck]``, an unused one is a ``shape-unused-ignore`` error."""
    stub_path = stub_search_path(tmp_path)
    source = HEAD + RANK + "  # shapecheck: ignore[SC201]\n" + RANK + "\nz = layers.Dense(4)(x)  # shapecheck: ignore\n"
    (tmp_path / "main.py").write_text(source)
    (tmp_path / "pyproject.toml").write_text("[tool.shapecheck]\nwarn-unused-ignores = true\n")
    config = mypy_config(tmp_path, plugin=True, extra="incremental = False\n", stub_path=stub_path)
    out, err, _ = mypy_api.run(["--config-file", str(config), "--show-error-codes", "--no-pretty",
                                "--no-error-summary", str(tmp_path / "main.py")])
    errors = [(int(line.split(":")[1]), line.rsplit("[", 1)[-1].rstrip("]"))
              for line in out.splitlines() if ": error: " in line]
    assert errors == [(7, "shape-rank-mismatch"), (8, "shape-unused-ignore")], out + err


# -- random programs ------------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: a comment for each line: none, or one that covers SC201 or not
COMMENTS = st.sampled_from([None, None, "# shapecheck: ignore", "# shapecheck: ignore[SC201]",
                            "# shapecheck: ignore[rank-mismatch, SC203]", "# shapecheck: ignore[SC203]",
                            "# note: shapecheck: ignore"])
COVERS = {"# shapecheck: ignore", "# shapecheck: ignore[SC201]", "# shapecheck: ignore[rank-mismatch, SC203]"}
#: the forms of one rank mismatch: its lines, and which of them the finding is reported on
FORMS = [
    (["y = layers.Conv2D(8, 3)(x)"], 0),
    (["y = (", "    layers.Conv2D(8, 3)(", "        x)", ")"], 1),
    (["y = layers.Conv2D(", "    8, 3)(x)"], 0),
    (["if True:", "    y = layers.Conv2D(8, 3)(", "        x)"], 1),
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(range(len(FORMS))), st.lists(COMMENTS, min_size=4, max_size=4)),
                min_size=1, max_size=6))
def test_random_comments_silence_exactly_their_line_or_statement(statements):
    """Statements of each form with random comments on their lines: a finding is silenced exactly when a
    comment that covers SC201 is on the line it is reported on or on the first line of its statement
    (for the ``if`` form, the inner statement: the ``if`` line is another statement)."""
    lines = HEAD.splitlines()
    expected = []
    for form, comments in statements:
        body, reported_at = FORMS[form]
        first = len(lines) + 1
        for i, text in enumerate(body):
            lines.append(text + (f"  {comments[i]}" if comments[i] else ""))
        statement_start = first + (1 if form == 3 else 0)
        line = first + reported_at
        covering = {first + i for i, c in enumerate(comments[:len(body)]) if c in COVERS}
        if not covering & {line, statement_start}:
            expected.append((line, "rank-mismatch"))
    result = check_source("\n".join(lines) + "\n", "t.py")
    assert [(f.span.line, f.code.name) for f in result.findings] == expected
