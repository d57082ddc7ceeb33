"""Output for CI: ``--format sarif`` (validated against the SARIF 2.1.0 schema), ``--format github``
(parsed back as the Actions runner reads it), ``--quiet``, ``--statistics``, and colour only on a
terminal. Every format is compared with the JSON report of the same run."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from rfc3986_validator import validate_rfc3986

from shapecheck.cli import main
from shapecheck.core.findings import CODES, Finding, Note, Span
from shapecheck.docs import rule_page
from shapecheck.report import github, sarif

from .test_cli import BAD, GOOD

ROOT = Path(__file__).resolve().parent.parent
#: the OASIS schema (errata 01), as in ../shared/data/; Draft 4, as its "$schema" says
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
FIXTURES = ["fixtures/demo", "fixtures/invalid", "fixtures/valid"]
#: ``python -m shapecheck`` in another working directory runs this checkout
PYTHONPATH = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a bug, not an exit status
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def fixtures_run():
    """The fixtures in JSON, SARIF and github formats: three runs of the command, which analyse once (the
    analysis is the same whatever the format)."""
    from shapecheck import cli

    analysed: dict = {}

    def analyse_once(targets, options, *args, **kwargs):
        key = (tuple(targets), options)
        if key not in analysed:
            analysed[key] = real(targets, options, *args, **kwargs)
        return analysed[key]

    real = cli.analyse
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        mp.setattr(cli, "analyse", analyse_once)
        out = {fmt: run("--format", fmt, *FIXTURES) for fmt in ("json", "sarif", "github")}
    assert len(analysed) == 1
    assert {code for code, _ in out.values()} == {1}, {fmt: code for fmt, (code, _) in out.items()}
    return {fmt: text for fmt, (_, text) in out.items()}


def validate_sarif(log: dict) -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    # "uri-reference" is not a Draft 4 format: the artifact URIs are checked with an RFC 3986 parser
    run_ = log["runs"][0]
    for result in run_["results"]:
        for loc in result["locations"] + result.get("relatedLocations", []):
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert validate_rfc3986(uri, rule="URI_reference"), uri
    for base in run_["originalUriBaseIds"].values():
        assert validate_rfc3986(base["uri"], rule="URI") and base["uri"].endswith("/")


def local_path(log: dict, location: dict) -> str:
    """The path an artifact location names, as a SARIF consumer resolves it (relative to the working directory
    when under it, as the JSON report writes it)."""
    art = location["physicalLocation"]["artifactLocation"]
    if "uriBaseId" in art:
        base = log["runs"][0]["originalUriBaseIds"][art["uriBaseId"]]["uri"]
        assert url2pathname(urlsplit(base).path).rstrip("/") == os.getcwd()
        return unquote(art["uri"])
    assert art["uri"].startswith("file:")
    return url2pathname(urlsplit(art["uri"]).path)


def same_path(sarif_path: str, json_path: str) -> bool:
    """A relative URI names the JSON report's path exactly; a file: URI, its absolute form."""
    return sarif_path == (os.path.abspath(json_path) if os.path.isabs(sarif_path) else json_path)


def region(location: dict) -> tuple:
    r = location["physicalLocation"]["region"]
    return r["startLine"], r["startColumn"], r["endLine"], r["endColumn"]


def assert_sarif_matches_json(log: dict, report: dict) -> None:
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    results = run_["results"]
    assert len(results) == len(report["findings"]) > 0
    for result, f in zip(results, report["findings"]):
        rule = rules[result["ruleIndex"]]
        assert (result["ruleId"], rule["id"], rule["name"]) == (f["code"], f["code"], f["name"])
        assert result["level"] == f["severity"]
        assert result["message"]["text"] == f["message"]
        [loc] = result["locations"]
        assert same_path(local_path(log, loc), f["path"])
        assert region(loc) == (f["line"], f["column"], f["end_line"], f["end_column"])
        related = result.get("relatedLocations", [])
        assert len(related) == len(f["notes"])
        for r, n in zip(related, f["notes"]):
            assert same_path(local_path(log, r), n["path"])
            assert (region(r)[:2], r["message"]["text"]) == ((n["line"], n["column"]), n["message"])


def test_sarif_of_every_fixture_is_valid_and_matches_the_json_report(fixtures_run):
    log = json.loads(fixtures_run["sarif"])
    validate_sarif(log)
    report = json.loads(fixtures_run["json"])
    assert_sarif_matches_json(log, report)
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    assert {f["code"] for f in report["findings"]} > {"SC201", "SC203", "SC302"}


def test_sarif_rules_are_every_code_with_its_page(fixtures_run):
    driver = json.loads(fixtures_run["sarif"])["runs"][0]["tool"]["driver"]
    assert driver["name"] == "shapecheck"
    rules = driver["rules"]
    assert sorted(r["id"] for r in rules) == sorted(c.number for c in CODES.values())
    for rule in rules:
        code = next(c for c in CODES.values() if c.number == rule["id"])
        assert rule["name"] == code.name
        assert rule["shortDescription"]["text"] == code.summary
        assert rule["defaultConfiguration"]["level"] == code.severity
        page = f"docs/rules/{code.number}-{code.name}.md"
        assert rule["helpUri"].endswith("/" + page)
        assert rule["help"]["markdown"] == rule_page(code)  # the page's text (test_docs: it is the committed one)
        # the explanation's prose, unwrapped
        assert rule["fullDescription"]["text"].split() == code.explanation.split()


def test_sarif_fingerprints_are_unique_and_survive_moving_the_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    twice = BAD + "z = layers.Conv2D(8, 3)(x)\n" + "y = layers.Conv2D(8, 3)(x)\n"
    Path("m.py").write_text(twice)
    first = json.loads(run("--format", "sarif", "m.py")[1])["runs"][0]["results"]
    Path("m.py").write_text("# a comment that moves every line down\n\n" + twice.replace("\ny =", "\n    \ny ="))
    moved = json.loads(run("--format", "sarif", "m.py")[1])["runs"][0]["results"]
    assert len(first) == len(moved) == 3
    prints = [r["partialFingerprints"]["shapecheck/v1"] for r in first]
    assert len(set(prints)) == 3  # the same line twice is two alerts
    assert [r["partialFingerprints"] for r in moved] == [r["partialFingerprints"] for r in first]
    assert [region(r["locations"][0])[0] for r in moved] != [region(r["locations"][0])[0] for r in first]


@pytest.mark.parametrize("folder, name", [("my models", "ünïcode, and spaces.py"), ("a%20b#c", "x?y:z.py")])
def test_sarif_paths_are_valid_uris(tmp_path, monkeypatch, folder, name):
    work = tmp_path / "work"
    (work / folder).mkdir(parents=True)
    (work / folder / name).write_text(BAD)
    (tmp_path / "outside dir").mkdir()
    (tmp_path / "outside dir" / "ö,1.py").write_text(BAD)
    monkeypatch.chdir(work)
    paths = [f"{folder}/{name}", "../outside dir/ö,1.py", str(tmp_path / "outside dir" / "ö,1.py")]
    code, out = run("--format", "sarif", *paths)
    assert code == 1
    log = json.loads(out)
    validate_sarif(log)
    code, report = run("--format", "json", *paths)
    assert_sarif_matches_json(log, json.loads(report))
    inside, up, absolute = (r["locations"][0]["physicalLocation"]["artifactLocation"]
                            for r in log["runs"][0]["results"])
    assert inside["uriBaseId"] == "%SRCROOT%" and " " not in inside["uri"] and "," not in inside["uri"]
    # outside the working directory: an absolute file: URI, for ../ as for an absolute path
    assert "uriBaseId" not in up and up == absolute and up["uri"].startswith("file:///")
    assert Path(url2pathname(urlsplit(up["uri"]).path)).read_text() == BAD


def test_sarif_of_an_interrupted_run_says_so(tmp_path, monkeypatch):
    """Ctrl-C after the first of two files (how Ctrl-C gets there is test_cli_robust's)."""
    from shapecheck import cli

    monkeypatch.chdir(tmp_path)
    Path("a.py").write_text(BAD)
    Path("b.py").write_text(GOOD)
    real = cli.analyse

    def first_file_then_ctrl_c(targets, options, *args, **kwargs):
        report, stopped = real(["a.py"], options, *args, **kwargs)
        assert stopped is None
        return report, cli.Interrupted("analysis", 1, 2)

    monkeypatch.setattr(cli, "analyse", first_file_then_ctrl_c)
    result = CliRunner().invoke(main, ["--format", "sarif", "-o", "out.sarif", "."])
    assert result.exit_code == 130
    log = json.loads(Path("out.sarif").read_text())
    validate_sarif(log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == (
        "Interrupted after 1 of 2 files: the report is incomplete.")
    assert len(log["runs"][0]["results"]) == 1


def test_sarif_carries_runtime_verdicts(tmp_path, monkeypatch):
    """``--runtime``: each result's ``properties.runtime`` is the verdict the JSON report gives."""
    from shapecheck.runtime import FileRuntime, RuntimeReport, Verdict
    from shapecheck.cli import analyse
    from shapecheck.api import Options

    from shapecheck.report import json as json_report

    monkeypatch.chdir(tmp_path)
    Path("a.py").write_text(BAD)
    report, _ = analyse(["a.py"], Options())
    checked = RuntimeReport("tensorflow", "3", "CPU")
    checked.files["a.py"] = FileRuntime(findings=[Verdict("confirmed", "Keras raises ValueError")])
    log = sarif.as_dict(report, runtime=checked)
    validate_sarif(log)
    [item] = json_report.as_dict(report, runtime=checked)["findings"]
    assert log["runs"][0]["results"][0]["properties"]["runtime"] == item["runtime"]


# --- --format github -------------------------------------------------------------------------

COMMAND = re.compile(r"::(error|warning|notice) ([^:]*)::(.*)")


def unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """What the Actions runner reads from a workflow command line."""
    m = COMMAND.fullmatch(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group(2).split(","))
    return m.group(1), {k: unescape_property(v) for k, v in props.items()}, unescape_data(m.group(3))


def expected_command(f: dict) -> tuple[str, dict[str, str], str]:
    level = {"error": "error", "warning": "warning", "note": "notice"}[f["severity"]]
    props = {"file": f["path"], "line": str(f["line"]), "col": str(f["column"]), "endLine": str(f["end_line"]),
             "endColumn": str(f["end_column"]), "title": f"{f['code']} {f['name']}"}
    notes = [f"{n['path']}:{n['line']}:{n['column']}: note: {n['message']}" for n in f["notes"]]
    return level, props, "\n".join([f["message"]] + notes)


def test_github_commands_are_the_findings(fixtures_run):
    lines = fixtures_run["github"].splitlines()
    report = json.loads(fixtures_run["json"])
    assert [parse_command(line) for line in lines] == [expected_command(f) for f in report["findings"]]


def test_github_escaping_of_messages_and_paths():
    message = "100% wrong: shapes (2, 3),\r\nand\n(4,) %0A is not a newline"
    f = Finding(CODES["rank-mismatch"], Span("dir, with: odd%/m.py", 3, 5, 3, 9), message,
                (Note(Span("dir, with: odd%/m.py", 1, 1, 1, 4), "from: here, 50%"),), severity="warning")
    line = github.command(f)
    assert "\n" not in line and "\r" not in line
    assert line.startswith("::warning file=dir%2C with%3A odd%25/m.py,line=3,")
    level, props, data = parse_command(line)
    assert level == "warning"
    assert props["file"] == "dir, with: odd%/m.py" and props["title"] == "SC201 rank-mismatch"
    assert data == message + "\ndir, with: odd%/m.py:1:1: note: from: here, 50%"


def test_github_command_ends_with_the_runtime_verdict():
    from shapecheck.runtime import Verdict

    f = Finding(CODES["rank-mismatch"], Span("m.py", 2, 1, 2, 5), "bad rank",
                (Note(Span("m.py", 1, 1, 1, 2), "from here"),))
    level, props, data = parse_command(github.command(f, Verdict("contradicted", "Keras accepts it: 50%, ok")))
    assert (level, props["line"]) == ("error", "2")
    assert data.splitlines() == ["bad rank", "m.py:1:1: note: from here",
                                 "runtime: contradicted: Keras accepts it: 50%, ok"]


def test_github_real_run_with_a_comma_in_the_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a,b: c").mkdir()
    (tmp_path / "a,b: c" / "m%1.py").write_text(BAD)
    code, out = run("--format", "github", "a,b: c")
    assert code == 1
    code, report = run("--format", "json", "a,b: c")
    [f] = json.loads(report)["findings"]
    assert [parse_command(line) for line in out.splitlines()] == [expected_command(f)]


# --- --quiet, --statistics, and flags that do not fit a format --------------------------------


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "bad.py").write_text(BAD)
    (tmp_path / "pkg" / "bad2.py").write_text(BAD + "w = layers.Add()([keras.Input((3,)), keras.Input((4,))])\n")
    (tmp_path / "pkg" / "good.py").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_quiet_prints_the_findings_only(tree):
    code, full = run("pkg")
    qcode, quiet = run("-q", "pkg")
    assert code == qcode == 1
    assert full.splitlines()[-1] == "Found 3 errors in 3 files."
    assert quiet.splitlines() == full.splitlines()[:-1]
    assert run("--quiet", "pkg/good.py") == (0, "")


def test_statistics_counts_each_code(tree):
    code, out = run("--statistics", "pkg")
    assert code == 1
    *table, last = out.splitlines()
    assert last == "Found 3 errors in 3 files."
    rows = [line.split() for line in table]
    report = json.loads(run("--format", "json", "pkg")[1])
    expected = Counter((f["code"], f["name"]) for f in report["findings"])
    assert {(code_, name): int(n) for n, code_, name in rows} == expected
    assert [int(n) for n, *_ in rows] == sorted((int(n) for n, *_ in rows), reverse=True)
    assert rows[0] == ["2", "SC201", "rank-mismatch"]
    assert run("-q", "--statistics", "pkg")[1].splitlines() == table


def test_statistics_in_json_is_added_to_the_findings(tree):
    code, out = run("--format", "json", "--statistics", "pkg")
    data = json.loads(out)
    expected = Counter((f["code"], f["name"]) for f in data["findings"])
    assert {(s["code"], s["name"]): s["count"] for s in data["statistics"]} == expected
    assert sum(s["count"] for s in data["statistics"]) == len(data["findings"]) == 3


@pytest.mark.parametrize("args", [
    ["--format", "sarif", "--summary"], ["--format", "github", "--show-shapes"], ["--format", "sarif", "--statistics"],
    ["--format", "github", "--list-layers"], ["--statistics", "--summary"], ["--statistics", "--show-shapes"],
])
def test_flags_that_do_not_fit_the_format_are_usage_errors(tree, args):
    code, out = run(*args, "pkg")
    assert code == 2
    assert "Error:" in out and args[-1] in out


# --- colour only on a terminal -----------------------------------------------------------------


def run_on_terminal(args: list[str], env: dict[str, str], *, tty: bool = True) -> str:
    """The command's standard output, which is a pseudo-terminal (or a pipe); standard error is a terminal
    of its own (what it shows there, a progress bar, is not the report)."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS")}
    base.update({"TERM": "xterm-256color", "PYTHONPATH": PYTHONPATH})
    base.update(env)
    command = [sys.executable, "-m", "shapecheck", *args]
    if not tty:
        return subprocess.run(command, env=base, capture_output=True, text=True, timeout=120).stdout
    out_leader, out_follower = pty.openpty()
    err_leader, err_follower = pty.openpty()
    proc = subprocess.Popen(command, env=base, stdin=out_follower, stdout=out_follower, stderr=err_follower)
    os.close(out_follower)
    os.close(err_follower)
    chunks: dict[int, list[bytes]] = {out_leader: [], err_leader: []}
    open_ = set(chunks)
    while open_:
        ready = select.select(list(open_), [], [], 120)[0]
        assert ready, "shapecheck printed nothing for 120 s"
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the other end is closed
                chunk = b""
            if chunk:
                chunks[fd].append(chunk)
            else:
                open_.discard(fd)
                os.close(fd)
    proc.wait(timeout=120)
    return b"".join(chunks[out_leader]).decode()


@pytest.mark.parametrize("env, tty, coloured", [
    ({}, True, True),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ({"TERM": "dumb"}, True, False),
    ({}, False, False),
    ({"FORCE_COLOR": "1"}, False, True),
])
def test_colour_only_on_a_terminal_and_never_with_no_color(tree, env, tty, coloured):
    out = run_on_terminal(["pkg/bad.py"], env, tty=tty)
    assert "rank-mismatch" in out
    assert ("\x1b[" in out) is coloured
    if coloured:
        assert "\x1b[1;31merror:" in out  # the severity in bold red


def test_no_colour_in_an_output_file_written_from_a_terminal(tree):
    out = run_on_terminal(["pkg/bad.py", "-o", "report.txt"], {})
    report = (tree / "report.txt").read_text()
    assert "rank-mismatch" in report and "\x1b[" not in report
    assert "\x1b[" not in out


# --- the README's workflows -------------------------------------------------------------------


def readme_ci_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## In CI\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def run_step(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """A workflow's ``run:`` line, with this checkout's shapecheck."""
    args = shlex.split(command)
    assert args[0] == "shapecheck"
    env = {**os.environ, "PYTHONPATH": PYTHONPATH}
    return subprocess.run([sys.executable, "-m", "shapecheck", *args[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def project(tmp_path):
    """A repository whose src/ is the demo."""
    shutil.copytree(ROOT / "fixtures" / "demo", tmp_path / "src")
    return tmp_path


def test_readme_sarif_workflow_writes_what_it_uploads(project):
    sarif_block, github_block = readme_ci_blocks()
    workflow = yaml.safe_load(sarif_block)
    [job] = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    [check] = [s for s in steps if s.get("run", "").startswith("shapecheck")]
    [upload] = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert steps.index(check) < steps.index(upload)
    assert "always()" in upload["if"] and upload["with"]["sarif_file"] in upload["if"]
    done = run_step(check["run"], project)
    assert done.returncode == 1  # the demo's errors fail the step; the upload runs anyway
    log = json.loads((project / upload["with"]["sarif_file"]).read_text())
    validate_sarif(log)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"SC201", "SC203", "SC302"}


def test_readme_annotations_step_prints_workflow_commands(project):
    sarif_block, github_block = readme_ci_blocks()
    [step] = yaml.safe_load(github_block)
    done = run_step(step["run"], project)
    assert done.returncode == 1
    parsed = [parse_command(line) for line in done.stdout.splitlines()]
    assert [(level, props["file"], props["title"]) for level, props, _ in parsed] == [
        ("error", "src/forgot_channels.py", "SC201 rank-mismatch"),
        ("error", "src/skip_connection.py", "SC203 incompatible-shapes"),
        ("error", "src/train_mnist.py", "SC302 target-shape-mismatch")]
