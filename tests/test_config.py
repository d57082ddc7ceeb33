"""``[tool.shapecheck]`` / ``shapecheck.toml`` and the same settings as flags, through the real command.

Each test builds a small project under ``tmp_path`` (the demo fixtures, real ``.gitignore`` files) and
runs ``shapecheck`` in-process with click's runner.  About 20 s in all (the hypothesis test: ~8 s).
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapecheck.cli import main
from shapecheck.core.findings import CODES

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
#: one module with a finding of each of seven codes, one per line (its findings: MANY_FINDINGS)
MANY = """\
import keras
import tensorflow as tf
from keras import layers

a = keras.Input(shape=(28, -1))
x = keras.Input(shape=(28, 28))
y = layers.Conv2D(8, 3)(x)
b = layers.Add()([keras.Input((32,)), keras.Input((16,))])
r = layers.Reshape((28, 27))(x)
c = layers.Conv2D(8, 5)(keras.Input((4, 4, 3)))
s = tf.square(keras.Input((3,)))
dense = layers.Dense(8)
d1 = dense(keras.Input((32,)))
d2 = dense(keras.Input((64,)))
"""
MANY_FINDINGS = [(5, "SC101"), (7, "SC201"), (8, "SC203"), (9, "SC204"), (10, "SC205"), (11, "SC207"),
                 (14, "SC202")]
#: a TensorFlow op on a Keras tensor: an error under Keras 3, fine under tf.keras 2
TF_OP = "import tensorflow as tf\nimport keras\n\ny = tf.square(keras.Input((3,)))\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def reported(*args: str) -> list[tuple[str, int, str]]:
    """(path, line, code) of every finding the command reports with ``args`` (JSON output)."""
    code, out = run("--format", "json", *args)
    assert code in (0, 1), out
    return [(f["path"], f["line"], f["code"]) for f in json.loads(out)["findings"]]


def codes(*args: str) -> list[str]:
    return [code for _, _, code in reported(*args)]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project: pyproject.toml (no settings yet), the demo programs in src/, MANY in src/many.py."""
    (tmp_path / "src").mkdir()
    for name in ("forgot_channels.py", "skip_connection.py"):
        shutil.copy(DEMO / name, tmp_path / "src" / name)
    (tmp_path / "src" / "many.py").write_text(MANY)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def configure(root: Path, text: str, name: str = "pyproject.toml") -> Path:
    path = root / name
    header = "[tool.shapecheck]\n" if name == "pyproject.toml" else ""
    path.write_text(header + textwrap.dedent(text))
    return path


# -- finding the configuration --------------------------------------------------------------------------


def test_no_configuration_reports_everything(project):
    assert sorted(set(codes("src"))) == ["SC101", "SC201", "SC202", "SC203", "SC204", "SC205", "SC207"]


def test_found_by_walking_up_from_the_paths(project):
    configure(project, 'select = ["SC201"]\n')
    assert codes("src") == ["SC201", "SC201"]
    assert codes("src/many.py") == ["SC201"]
    # from another working directory too: the walk starts at the paths
    (project / "elsewhere").mkdir()
    import os

    os.chdir(project / "elsewhere")
    assert codes(str(project / "src")) == ["SC201", "SC201"]


def test_a_pyproject_without_the_table_is_passed_by(project):
    configure(project, 'select = ["SC203"]\n')
    (project / "src" / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    assert codes("src") == ["SC203", "SC203"]


def test_the_walk_stops_at_a_repository_root(project):
    configure(project, 'select = ["SC203"]\n')
    (project / "src" / ".git").mkdir()
    assert len(codes("src")) == 9


def test_shapecheck_toml_wins_over_pyproject_in_its_directory(project):
    configure(project, 'select = ["SC203"]\n')
    configure(project, 'select = ["SC201"]\n', name="shapecheck.toml")
    assert set(codes("src")) == {"SC201"}


def test_config_points_elsewhere_and_isolated_reads_none(project):
    configure(project, 'select = ["SC203"]\n')
    other = project / "ci" / "strict.toml"
    other.parent.mkdir()
    other.write_text('select = ["SC207"]\n')
    assert codes("--config", str(other), "src") == ["SC207"]
    assert codes("--config", "pyproject.toml", "src") == ["SC203", "SC203"]
    assert len(codes("--isolated", "src")) == 9
    code, out = run("--config", "missing.toml", "src")
    assert code == 2 and "missing.toml" in out
    code, out = run("--config", str(other), "--isolated", "src")
    assert code == 2 and "--config and --isolated cannot be used together" in out


# -- selection ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table, expected", [
    ('select = ["SC2"]', ["SC201", "SC203", "SC204", "SC205", "SC207", "SC202"]),
    ('select = ["SC20"]', ["SC201", "SC203", "SC204", "SC205", "SC207", "SC202"]),
    ('select = ["SC1", "tf-op-on-keras-tensor"]', ["SC101", "SC207"]),
    ('select = ["sc101"]', ["SC101"]),
    ('ignore = ["SC2"]', ["SC101"]),
    ('ignore = ["SC"]', []),
    ('ignore = ["rank-mismatch", "SC204", "SC1"]', ["SC203", "SC205", "SC207", "SC202"]),
    ('select = ["SC2"]\nignore = ["SC201"]', ["SC203", "SC204", "SC205", "SC207", "SC202"]),
    ('ignore = ["SC2"]\nextend-select = ["SC201"]', ["SC101", "SC201"]),  # more specific wins
    ('select = ["SC101"]\nextend-select = ["SC207"]', ["SC101", "SC207"]),
    ('select = ["SC201"]\nignore = ["SC201"]', []),  # a tie: ignore wins
    ('extend_select = ["SC201"]\nignore = ["SC2"]', ["SC101", "SC201"]),  # snake_case is read too
])
def test_select_ignore_extend_select_and_prefixes(project, table, expected):
    configure(project, table + "\n")
    assert codes("src/many.py") == expected


def test_the_command_line_wins(project):
    configure(project, 'ignore = ["SC201"]\nkeras-version = 2\n')
    assert "SC201" not in codes("src")
    # --select replaces the file's selection (its ignore included), as Ruff's does
    assert codes("--select", "SC201", "src") == ["SC201", "SC201"]
    # --ignore and --extend-select add to it (no SC207: the file's keras-version = 2 allows tf ops)
    assert codes("--ignore", "SC203,SC1", "--extend-select", "SC201", "src/many.py") == [
        "SC201", "SC204", "SC205", "SC202"]
    # flags repeat
    assert codes("--select", "SC201", "--select", "SC203", "src/many.py") == ["SC201", "SC203"]
    # keras-version: the file's applies unless the flag says otherwise
    (project / "src" / "tf_op.py").write_text(TF_OP)
    assert codes("src/tf_op.py") == []
    assert codes("--keras-version", "3", "src/tf_op.py") == ["SC207"]


def test_per_file_ignores(project):
    (project / "src" / "legacy").mkdir()
    shutil.copy(DEMO / "forgot_channels.py", project / "src" / "legacy" / "old.py")
    configure(project, """\
        [tool.shapecheck.per-file-ignores]
        "src/legacy/**" = ["SC2"]
        "skip_connection.py" = ["incompatible-shapes"]
        "many.py" = ["SC201", "SC1"]
        """)
    assert reported("src") == [
        ("src/forgot_channels.py", 6, "SC201"),
        ("src/many.py", 8, "SC203"), ("src/many.py", 9, "SC204"), ("src/many.py", 10, "SC205"),
        ("src/many.py", 11, "SC207"), ("src/many.py", 14, "SC202")]
    # relative to the configuration's directory, not the working directory
    import os

    os.chdir(project / "src")
    assert ("legacy/old.py", 6, "SC201") not in reported(".")
    # the command line's table replaces the file's (patterns from the working directory)
    assert ("legacy/old.py", 6, "SC201") in reported("--per-file-ignores", "many.py:SC2", ".")
    assert [c for p, _, c in reported("--per-file-ignores", "many.py:SC2", ".") if p == "many.py"] == ["SC101"]


def test_severity_overrides_change_the_exit_status(project):
    configure(project, '[tool.shapecheck.severity]\nSC201 = "warning"\n')
    code, out = run("src/forgot_channels.py")
    assert code == 0
    assert "forgot_channels.py:6:5: warning:" in out and "[SC201 rank-mismatch]" in out
    configure(project, '[tool.shapecheck.severity]\nSC2 = "note"\nSC203 = "error"\n')
    data = json.loads(run("--format", "json", "src")[1])
    assert [(f["code"], f["severity"]) for f in data["findings"] if f["path"].endswith("many.py")] == [
        ("SC101", "error"), ("SC201", "note"), ("SC203", "error"), ("SC204", "note"), ("SC205", "note"),
        ("SC207", "note"), ("SC202", "note")]
    assert run("--severity", "SC1=warning", "--severity", "SC203=warning", "src")[0] == 0
    assert run("--severity", "SC2=error", "src/forgot_channels.py")[0] == 1  # the flag wins over the file


# -- which files --------------------------------------------------------------------------------------


def files(*args: str) -> list[str]:
    code, out = run("--format", "json", *args)
    assert code in (0, 1), out
    summary = json.loads(out)["summary"]
    return sorted({p for p, _, _ in reported(*args)}), summary["files"]


def test_exclude_and_extend_exclude(project):
    (project / "src" / "build").mkdir()
    shutil.copy(DEMO / "forgot_channels.py", project / "src" / "build" / "gen.py")
    configure(project, 'exclude = ["build/", "skip_*.py"]\n')
    assert files("src")[0] == ["src/forgot_channels.py", "src/many.py"]
    assert files("--extend-exclude", "many.py", "src")[0] == ["src/forgot_channels.py"]
    # --exclude replaces the file's patterns
    assert files("--exclude", "many.py", "src")[0] == [
        "src/build/gen.py", "src/forgot_channels.py", "src/skip_connection.py"]
    # anchored patterns are relative to the configuration file's directory
    configure(project, 'exclude = ["/src/many.py"]\n')
    assert "src/many.py" not in files("src")[0]
    import os

    os.chdir(project / "src")
    assert "many.py" not in files(".")[0]


def test_gitignore_is_respected_nested_ones_too(project):
    (project / ".gitignore").write_text("many.py\n")
    (project / "src" / "sub").mkdir()
    shutil.copy(DEMO / "forgot_channels.py", project / "src" / "sub" / "gen.py")
    shutil.copy(DEMO / "forgot_channels.py", project / "src" / "sub" / "keep.py")
    (project / "src" / "sub" / ".gitignore").write_text("*.py\n!keep.py\n")
    assert files("src")[0] == ["src/forgot_channels.py", "src/skip_connection.py", "src/sub/keep.py"]
    assert files("--no-respect-gitignore", "src")[0] == [
        "src/forgot_channels.py", "src/many.py", "src/skip_connection.py", "src/sub/gen.py", "src/sub/keep.py"]
    configure(project, "respect-gitignore = false\n")
    assert "src/many.py" in files("src")[0]


def test_a_path_named_on_the_command_line_is_checked_unless_force_exclude(project):
    """As Ruff: pre-commit names every file it passes, and `--force-exclude` lets the exclusions apply
    to them too."""
    (project / ".gitignore").write_text("many.py\n")
    configure(project, 'exclude = ["skip_connection.py", "src/generated/"]\n')
    (project / "src" / "generated").mkdir()
    shutil.copy(DEMO / "forgot_channels.py", project / "src" / "generated" / "gen.py")
    named = ["src/skip_connection.py", "src/many.py", "src/generated/gen.py", "src/forgot_channels.py"]
    assert files(*named)[0] == sorted(named)
    assert files("--force-exclude", *named)[0] == ["src/forgot_channels.py"]
    configure(project, 'exclude = ["skip_connection.py"]\nforce-exclude = true\n')
    assert files("src/skip_connection.py") == ([], 0)
    assert files("--no-force-exclude", "src/skip_connection.py")[0] == ["src/skip_connection.py"]


# -- the limits from the file -------------------------------------------------------------------------------


def test_limits_from_the_file(project):
    configure(project, 'max-file-size = "50B"\n')
    assert codes("src/forgot_channels.py") == ["SC004"]
    assert codes("--max-file-size", "0", "src/forgot_channels.py") == ["SC201"]
    configure(project, "max-file-size = 0\nfile-time-limit = 0.000001\n")
    data = json.loads(run("--format", "json", "src/many.py")[1])
    assert [f["code"] for f in data["findings"]][-1] == "SC004"
    assert "--file-time-limit, is 1e-06 s" in data["findings"][-1]["message"]


# -- errors: exit status 2 naming the file, the key and what is allowed ------------------------------------


@pytest.mark.parametrize("table, message", [
    ('selct = ["SC201"]', "unknown key 'selct' (did you mean 'select'? the keys are: select, extend-select"),
    ('select = ["SC999"]', "unknown finding code 'SC999' in select (a code such as SC201"),
    ('ignore = ["rank-mismatch", "rank-mismatches"]', "unknown finding code 'rank-mismatches' in ignore"),
    ('ignore = ["syntax-error"]', "'syntax-error' in ignore: a file that cannot be read or parsed is always reported"),
    ("select = [201]", "select must be a list of finding codes, names or prefixes"),
    ("keras-version = 4", "keras-version must be 2 or 3, not 4"),
    ("respect-gitignore = 5", "respect-gitignore must be true or false, not 5"),
    ('exclude = [1]', "exclude must be a list of gitignore-style patterns, not [1]"),
    ('max-file-size = "lots"', "max-file-size must be a size such as \"2MB\""),
    ("file-time-limit = -1", "file-time-limit must be a number of seconds (0: no limit), not -1"),
    ('severity = { SC201 = "fatal" }', "severity of 'SC201' must be \"error\", \"warning\" or \"note\", not 'fatal'"),
    ('severity = { SC777 = "note" }', "unknown finding code 'SC777' in severity"),
    ('per-file-ignores = { "tests/*" = ["SC2x"] }', "per-file-ignores 'tests/*': unknown finding code 'SC2x'"),
    ("per-file-ignores = 3", "per-file-ignores must be a table of gitignore-style patterns"),
    ("select = [", "not valid TOML"),
])
def test_a_bad_file_is_exit_status_2_with_a_clear_line(project, table, message):
    config = configure(project, table + "\n")
    code, out = run("src")
    assert code == 2
    line, = out.splitlines()
    assert line.startswith(f"shapecheck: configuration error: {config}")
    assert message in line
    assert "[tool.shapecheck]" in line or "TOML" in line


@pytest.mark.parametrize("args, message", [
    (["--select", "SC999"], "Invalid value for --select: unknown finding code 'SC999'"),
    (["--ignore", "nope"], "Invalid value for --ignore: unknown finding code 'nope'"),
    (["--severity", "SC201"], "Invalid value for --severity: 'SC201' is not CODE=LEVEL"),
    (["--severity", "SC201=loud"], "Invalid value for --severity: severity of 'SC201' must be"),
    (["--per-file-ignores", "SC201"], "Invalid value for --per-file-ignores: 'SC201' is not PATTERN:CODES"),
    (["--keras-version", "4"], "Invalid value for '--keras-version'"),
    (["--max-file-size", "lots"], "Invalid value for --max-file-size"),
])
def test_a_bad_flag_is_a_usage_error(project, args, message):
    code, out = run(*args, "src")
    assert code == 2
    assert message in out and "Usage:" in out


# -- the selection semantics, on random sets ------------------------------------------------------------

SELECTORS = st.sampled_from(["SC", "SC1", "SC2", "SC20", "SC10", "SC101", "SC201", "SC202", "SC203", "SC207",
                             "rank-mismatch", "axis-mismatch", "invalid-reshape", "negative-dimension", "ALL"])
SETS = st.lists(SELECTORS, max_size=3, unique=True)


def _matches(selector: str, number: str) -> bool:
    name = next(c.name for c in CODES.values() if c.number == number)
    return selector == "ALL" or selector == name or number.startswith(selector)


def _narrowness(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector) if selector.startswith("SC") and len(selector) < 5 else 9


def _layer(number: str, on: bool, select, extend, ignore) -> bool:
    """docs/configuration.md: the most specific selector that matches decides (ignore on a tie); none:
    unchanged, or off where the layer has a select."""
    votes = [(_narrowness(s), 1, True) for s in (select or []) + extend if _matches(s, number)]
    votes += [(_narrowness(s), 2, False) for s in ignore if _matches(s, number)]
    if votes:
        return max(votes)[2]
    return on and select is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.none() | SETS, SETS, SETS, st.none() | SETS, SETS, SETS)
def test_random_selections_match_the_documented_semantics(project, f_select, f_extend, f_ignore, c_select,
                                                          c_extend, c_ignore):
    table = {"select": f_select, "extend-select": f_extend, "ignore": f_ignore}
    configure(project, "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items() if v is not None))
    args = [f"--{k}={','.join(v)}" for k, v in (("select", c_select), ("extend-select", c_extend),
                                                ("ignore", c_ignore)) if v]
    if c_select == []:
        args.append("--select=")  # an empty selection, given
    expected = [(line, number) for line, number in MANY_FINDINGS
                if _layer(number, _layer(number, True, f_select, f_extend, f_ignore), c_select, c_extend, c_ignore)]
    assert [(line, code) for _, line, code in reported(*args, "src/many.py")] == expected


# -- the documentation's examples are valid configurations ------------------------------------------------


def _toml_blocks(path: Path) -> list[str]:
    import re

    return [b for b in re.findall(r"```toml\n(.*?)```", path.read_text(), re.S) if "[tool.shapecheck" in b]


@pytest.mark.parametrize("doc", ["README.md", "docs/configuration.md"])
def test_the_documented_configurations_are_read(project, doc):
    blocks = _toml_blocks(ROOT / doc)
    assert blocks
    for block in blocks:
        (project / "pyproject.toml").write_text(block)
        code, out = run("src")
        assert code in (0, 1), out
        assert "configuration error" not in out


# -- the mypy plugin reads the same keys --------------------------------------------------------------------

def test_the_mypy_plugin_applies_selection_per_file_ignores_and_severity(tmp_path):
    """One mypy run with the plugin over MANY twice (one copy under legacy/): select, per-file-ignores and
    severity from [tool.shapecheck] act as in the command (a note is mypy's note, not an error)."""
    from mypy import api as mypy_api

    from .mypy_support import mypy_config, stub_search_path

    (tmp_path / "legacy").mkdir()
    (tmp_path / "many.py").write_text(MANY)
    (tmp_path / "legacy" / "old.py").write_text(MANY)
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""\
        [tool.shapecheck]
        select = ["SC2"]
        ignore = ["SC207"]
        per-file-ignores = { "legacy/" = ["rank-mismatch", "SC205"] }
        severity = { SC203 = "note" }
        """))
    config = mypy_config(tmp_path, plugin=True, extra="incremental = False\n", stub_path=stub_search_path(tmp_path))
    out, err, _ = mypy_api.run(["--config-file", str(config), "--show-error-codes", "--no-pretty",
                                "--no-error-summary", str(tmp_path / "many.py"), str(tmp_path / "legacy" / "old.py")])
    assert err == ""
    # an error carries its code; a finding below error level is a note that says its level
    found = sorted((Path(line.split(":")[0]).name, int(line.split(":")[1]),
                    line.rsplit("[", 1)[-1].rstrip("]") if ": error: " in line else line.split(": ", 2)[2][:40])
                   for line in out.splitlines() if ": error: " in line or ": note: note: " in line)
    assert found == [
        ("many.py", 7, "shape-rank-mismatch"), ("many.py", 8, "note: Inputs have incompatible shapes. R"),
        ("many.py", 9, "shape-invalid-reshape"), ("many.py", 10, "shape-negative-dimension"),
        ("many.py", 14, "shape-axis-mismatch"),
        ("old.py", 8, "note: Inputs have incompatible shapes. R"), ("old.py", 9, "shape-invalid-reshape"),
        ("old.py", 14, "shape-axis-mismatch")], out


def test_gitignore_agrees_with_git_itself(tmp_path, monkeypatch):
    """The files shapecheck walks are the ones git sees as not ignored (``git ls-files --others
    --exclude-standard``), over nested .gitignore files with negations, anchors, ``**`` and folders, and
    the repository's .git/info/exclude."""
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    bad = (DEMO / "forgot_channels.py").read_text()
    names = ["a.py", "gen_a.py", "keep_gen.py", "build/x.py", "src/build/y.py", "src/m.py", "src/gen_b.py",
             "src/deep/n.py", "src/deep/o_test.py", "src/deep/keep/p_test.py", "docs/q.py", "docs/sub/r.py",
             "tools/s.py", "tools/vendor/t.py", "tools/vendor/u.py", "notes/v.py"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(bad)
    (tmp_path / ".gitignore").write_text("gen_*.py\n!keep_gen.py\n/build/\ndocs/**/*.py\n!docs/q.py\nnotes\n")
    (tmp_path / "src" / ".gitignore").write_text("build/\n*_test.py\n!gen_b.py\n")
    (tmp_path / "src" / "deep" / "keep" / ".gitignore").write_text("!*_test.py\n")
    (tmp_path / "tools" / ".gitignore").write_text("vendor/*\n!vendor/u.py\n")
    subprocess.run(["git", "init", "-q"], check=True)
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("tools/s.py\n!notes/\n")  # read by git, first
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], check=True, capture_output=True,
                            text=True).stdout.split()
    expected = sorted(p for p in listed if p.endswith(".py"))
    assert len(expected) < len(names)  # the patterns leave some out
    assert sorted({p for p, _, _ in reported(".")}) == expected


PATTERNS = st.sampled_from(["*.py", "!*.py", "a*.py", "!a1.py", "b/", "/b/", "**/c/*.py", "sub/", "!sub/",
                            "sub/*", "!sub/a1.py", "c", "/a2.py", "b/**", "!b/c/", "*1.py", "d/**/*.py", "#a1.py",
                            "**/b", "b/*/", "*", "!b/", "sub/**/z.py", "?1.py", "[ab]1.py", "!**/", "e/"])
TREE = ["a1.py", "a2.py", "z.py", "b/a1.py", "b/c/z.py", "sub/a1.py", "sub/b/a2.py", "sub/c/z.py", "d/e/f/a1.py",
        "sub/d/z.py"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PATTERNS, max_size=5), st.lists(PATTERNS, max_size=4))
def test_random_gitignores_agree_with_git(tmp_path_factory, root_lines, sub_lines):
    """Random .gitignore files at the root and in sub/: the files walked are git's untracked, not ignored
    ones (the walk of the command: api.iter_python_files with the exclusion it builds)."""
    import os
    import subprocess

    from shapecheck.api import iter_python_files
    from shapecheck.config import Settings
    from shapecheck.exclusion import Exclusion

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("repo")
    for name in TREE:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x = 1\n")
    (root / ".gitignore").write_text("\n".join(root_lines) + "\n")
    (root / "sub" / ".gitignore").write_text("\n".join(sub_lines) + "\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=root, check=True,
                            capture_output=True, text=True).stdout.split()
    walked = iter_python_files([str(root)], Exclusion(Settings(root=str(root))))
    assert sorted(os.path.relpath(p, root) for p in walked) == sorted(p for p in listed if p.endswith(".py"))


def test_the_documented_library_use_runs(project):
    """docs/configuration.md's Python block, run as it is in a project whose file ignores SC203."""
    import re

    code = re.search(r"## From Python.*?```python\n(.*?)```", (ROOT / "docs" / "configuration.md").read_text(),
                     re.S).group(1)
    configure(project, 'ignore = ["SC203"]\n')
    shutil.copy(DEMO / "skip_connection.py", project / "src" / "model.py")
    namespace: dict = {}
    exec(compile(code, "configuration.md", "exec"), namespace)
    assert namespace["result"].findings == []
    (project / "pyproject.toml").write_text("")
    exec(compile(code, "configuration.md", "exec"), namespace)
    assert [f.code.number for f in namespace["result"].findings] == ["SC203"]
