"""Nothing lost (issue 9): ``--output-file`` is written whole or not at all, Ctrl-C reports the files
finished so far and exits 130, and the per-file limits reach the analysis."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecheck.cli import main

from .test_cli import BAD

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
import keras
from keras import layers

x = keras.Input(shape=(28, 28, 1))
y = layers.Conv2D(8, 3)(x)
"""
#: a quarter of a second of analysis or so: 300 layer calls after the one error
SLOW = BAD + "h = keras.Input(shape=(16,))\n" + "h = layers.Dense(16)(h)\n" * 300


def run(*args: str) -> tuple[int, str]:
    """Exit status and what the user sees (stdout, then stderr)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def shapecheck(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "shapecheck", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=120)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "bad.py").write_text(BAD)
    (tmp_path / "pkg" / "good.py").write_text(GOOD)
    (tmp_path / "pkg" / "broken.py").write_text("def f(:\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# -- --output-file -------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_file_holds_the_bytes_stdout_gets(tree, fmt):
    (tree / "out").mkdir()
    printed = shapecheck("--format", fmt, "--show-shapes", "pkg", cwd=tree)
    written = shapecheck("--format", fmt, "--show-shapes", "--output-file", "out/report", "pkg", cwd=tree)
    assert printed.returncode == written.returncode == 2  # the syntax error
    assert b"[SC201 rank-mismatch]" in printed.stdout or b'"rank-mismatch"' in printed.stdout
    assert written.stdout == b"" and written.stderr == b""
    assert (tree / "out" / "report").read_bytes() == printed.stdout
    assert leftovers(tree / "out") == []
    if fmt == "json":
        assert json.loads(printed.stdout)["complete"] is True


def test_output_file_has_no_colour_even_when_forced(tree, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out = run("--output-file", "report.txt", "pkg")
    assert code == 2 and out == ""
    text = (tree / "report.txt").read_text()
    assert "pkg/bad.py:5:5: error:" in text and "\x1b[" not in text
    code, out = run("pkg")
    assert "\x1b[" in out  # what the file would have had otherwise


def test_output_file_replaces_an_old_report_keeping_its_mode(tree):
    target = tree / "report.txt"
    target.write_text("old report\n")
    target.chmod(0o640)
    code, _ = run("-o", "report.txt", "pkg/good.py")
    assert code == 0
    assert target.read_text() == "No shape errors in 1 file.\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert leftovers(tree) == []


def test_output_file_in_a_missing_directory_is_exit_2_with_a_message(tree):
    done = shapecheck("--output-file", "no/such/dir/report.txt", "pkg", cwd=tree)
    assert done.returncode == 2
    assert done.stderr.decode().strip() == \
        "shapecheck: cannot write the report to no/such/dir/report.txt: No such file or directory"
    assert b"Traceback" not in done.stderr and done.stdout == b""


def test_output_file_that_is_a_directory_is_a_usage_error(tree):
    code, out = run("--output-file", "pkg", "pkg")
    assert code == 2 and "is a directory" in out
    assert sorted(p.name for p in (tree / "pkg").iterdir()) == ["bad.py", "broken.py", "good.py"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_output_file_in_a_read_only_directory_is_exit_2(tree):
    (tree / "ro").mkdir()
    (tree / "ro").chmod(0o555)
    try:
        code, out = run("--output-file", "ro/report.txt", "pkg")
    finally:
        (tree / "ro").chmod(0o755)
    assert code == 2 and "cannot write the report to ro/report.txt: Permission denied" in out


@pytest.mark.parametrize("error, status", [(OSError(28, "No space left on device"), 2), (KeyboardInterrupt(), 130)])
def test_an_error_while_writing_leaves_the_old_file_and_no_temp_file(tree, monkeypatch, error, status):
    from shapecheck.report import text

    real = text.render

    def render_then_fail(report, out, **kw):
        real(report, out, **kw)  # the report is half-way to the temp file ...
        raise error  # ... when the disk fills up, or a second Ctrl-C comes

    monkeypatch.setattr(text, "render", render_then_fail)
    (tree / "report.txt").write_text("old report\n")
    code, out = run("--output-file", "report.txt", "pkg")
    assert code == status
    assert (tree / "report.txt").read_text() == "old report\n"
    assert leftovers(tree) == []
    if status == 2:
        assert "cannot write the report to report.txt: No space left on device" in out


def test_a_usage_error_after_the_analysis_leaves_the_old_file(tree, monkeypatch):
    import shapecheck.runtime as runtime

    def verify(report, settings):
        raise runtime.RuntimeUnavailable("--device gpu:3: the tensorflow backend sees no GPUs")

    monkeypatch.setattr(runtime, "verify", verify)
    (tree / "report.txt").write_text("old report\n")
    code, out = run("--runtime", "--device", "gpu:3", "-o", "report.txt", "pkg")
    assert code == 2 and out == "shapecheck: --device gpu:3: the tensorflow backend sees no GPUs\n"
    assert (tree / "report.txt").read_text() == "old report\n"
    assert leftovers(tree) == []


def test_output_file_dash_is_stdout(tree):
    code, out = run("-o", "-", "pkg/good.py")
    assert (code, out) == (0, "No shape errors in 1 file.\n")
    assert not (tree / "-").exists() and leftovers(tree) == []


def test_list_layers_goes_to_the_output_file_too(tree):
    code, out = run("--list-layers", "--format", "json", "-o", "layers.json")
    assert code == 0 and out == ""
    assert "keras.layers.Conv2D" in json.loads((tree / "layers.json").read_text())["layers"]


# -- Ctrl-C --------------------------------------------------------------------------------
N_FAST, N_SLOW = 3, 400


@pytest.fixture
def big_tree(tmp_path):
    """A few fast files, then far more slow ones than the test waits for (each has one error)."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(N_FAST):
        (src / f"a{i}.py").write_text(BAD)
    for i in range(N_SLOW):
        (src / f"b{i:03}.py").write_text(SLOW)
    return tmp_path


def parsing(pid: int) -> bool:
    """Whether the process, or one of its worker processes (``-j``), has loaded libcst's native parser:
    its first Keras file is being parsed (where there is no /proc, a second after the start stands for it)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            children = [int(c) for c in fh.read().split()]
        for process in (pid, *children):
            try:
                with open(f"/proc/{process}/maps") as fh:
                    if "libcst/native" in fh.read():
                        return True
            except (FileNotFoundError, ProcessLookupError):
                continue  # a worker that is gone
        return False
    except FileNotFoundError:
        time.sleep(1.0)
        return True


def _default_sigint() -> None:
    """In the child: SIGINT as a terminal's program gets it. A process started in the background of a
    non-interactive shell (a CI script's `cmd &`) inherits SIGINT ignored, and Python then installs no
    KeyboardInterrupt for it: the command under test would never see the Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Start ``python -m shapecheck``, wait until it parses its first file and 2 s more (the fast files
    take milliseconds, the slow ones a minute in all), send SIGINT; exit status, stdout, stderr."""
    # (a session of its own: whatever happens, the cleanup kills it and its workers, which would
    # otherwise hold the pipes open and keep the test waiting)
    proc = subprocess.Popen([sys.executable, "-m", "shapecheck", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ, PYTHONIOENCODING="utf-8"),
                            start_new_session=True, preexec_fn=_default_sigint)
    try:
        deadline = time.monotonic() + 30
        while not parsing(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2.0)
        assert proc.poll() is None, "shapecheck finished before the interrupt"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.returncode is None:
            proc.communicate(timeout=30)
    return proc.returncode, out.decode(), err.decode()


def finished_files(total_done: int) -> list[str]:
    names = [f"src/a{i}.py" for i in range(N_FAST)] + [f"src/b{i:03}.py" for i in range(N_SLOW)]
    return names[:total_done]


def test_ctrl_c_prints_the_finished_files_and_exits_130(big_tree):
    code, out, err = interrupt(["src"], big_tree)
    assert code == 130, err
    assert "Traceback" not in err and err == ""
    last = out.splitlines()[-1]
    m = re.fullmatch(r"Interrupted after (\d+) of (\d+) files: the report is incomplete\.", last)
    assert m, out[-500:]
    done, total = int(m.group(1)), int(m.group(2))
    assert total == N_FAST + N_SLOW and N_FAST <= done < total
    # every finished file's finding, in order, and no other
    paths = re.findall(r"^(src/\S+\.py):5:5: error: .*\[SC201 rank-mismatch\]$", out, re.M)
    assert paths == finished_files(done)
    assert f"Found {done} error{'s' if done != 1 else ''} in {done} file{'s' if done != 1 else ''}." in out


def test_ctrl_c_with_json_to_an_output_file(big_tree):
    code, out, err = interrupt(["--format", "json", "--output-file", "report.json", "src"], big_tree)
    assert code == 130
    assert out == ""
    data = json.loads((big_tree / "report.json").read_text())
    assert data["complete"] is False
    done = data["interrupted"]["files_done"]
    assert data["interrupted"] == {"stage": "analysis", "files_done": done, "files_total": N_FAST + N_SLOW}
    assert N_FAST <= done < N_FAST + N_SLOW
    assert data["summary"]["files"] == data["summary"]["errors"] == done
    assert [f["path"] for f in data["findings"]] == finished_files(done)
    assert err.strip() == f"shapecheck: Interrupted after {done} of {N_FAST + N_SLOW} files: the report is incomplete."
    assert leftovers(big_tree) == []


def replay_one_file_then(stop: BaseException, monkeypatch) -> list[str]:
    """A stand-in for ``runtime.verify`` (the real Keras worker takes seconds to start): it confirms
    every finding of the first file it is given, then raises ``stop``. The files it replayed."""
    import shapecheck.runtime as runtime
    from shapecheck.runtime import FileRuntime, RuntimeReport, ShapeVerdict, Verdict

    replayed: list[str] = []

    def verify(report, settings):
        rt = RuntimeReport("stand-in", "3.x", "CPU")
        for file in report.files:
            if len(replayed) == 1:
                raise stop
            replayed.append(file.path)
            rt.files[file.path] = FileRuntime([Verdict("confirmed", "Keras raises ValueError") for _ in file.findings],
                                              [ShapeVerdict((), None, "no tensor") for _ in file.shapes])
        return rt

    monkeypatch.setattr(runtime, "verify", verify)
    return replayed


def test_ctrl_c_during_the_runtime_replay_keeps_the_verdicts_so_far(tree, monkeypatch):
    """The replay goes one file at a time; the interrupt comes in the second file's (a stand-in for
    Keras: the real worker takes seconds to start)."""
    replayed = replay_one_file_then(KeyboardInterrupt(), monkeypatch)
    code, out = run("--runtime", "pkg/bad.py", "pkg/broken.py")
    assert code == 130
    assert replayed == ["pkg/bad.py"]
    assert "    runtime: confirmed: Keras raises ValueError" in out
    assert "pkg/broken.py:1:7: error: Syntax error" in out  # reported, without a verdict
    assert out.count("runtime:") == 1
    assert out.rstrip().endswith("Interrupted after replaying 1 of 2 files: the runtime verdicts are incomplete "
                                 "(the static findings of every file are reported).")
    replayed.clear()
    code, out = run("--runtime", "--format", "json", "pkg/bad.py", "pkg/broken.py")
    assert replayed == ["pkg/bad.py"], out
    data, _ = json.JSONDecoder().raw_decode(out)  # stdout, then the stderr line
    assert code == 130 and data["complete"] is False
    assert data["interrupted"] == {"stage": "runtime", "files_done": 1, "files_total": 2}
    assert [("runtime" in f) for f in data["findings"]] == [True, False]


def test_a_runtime_worker_that_cannot_restart_keeps_the_static_report(tree, monkeypatch):
    """Keras started, then its worker died for good in the second file: the first file's verdicts and
    every file's static findings are reported, with why the replay stopped; exit 2 (not 130)."""
    from shapecheck.runtime import RuntimeUnavailable

    replayed = replay_one_file_then(
        RuntimeUnavailable("the Keras worker died (signal 11) and could not be restarted"), monkeypatch)
    code, out = run("--runtime", "pkg/bad.py", "pkg/broken.py")
    assert code == 2
    assert "    runtime: confirmed: Keras raises ValueError" in out
    assert "pkg/broken.py:1:7: error: Syntax error" in out
    assert out.rstrip().endswith("The runtime replay stopped after 1 of 2 files: the Keras worker died (signal 11) "
                                 "and could not be restarted; the runtime verdicts are incomplete (the static "
                                 "findings of every file are reported).")
    replayed.clear()
    code, out = run("--runtime", "--format", "json", "pkg/bad.py", "pkg/broken.py")
    data, _ = json.JSONDecoder().raw_decode(out)
    assert code == 2 and data["complete"] is False
    assert data["interrupted"]["reason"].startswith("the Keras worker died")
    assert [f["path"] for f in data["findings"]] == ["pkg/bad.py", "pkg/broken.py"]


@pytest.mark.runtime
@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="--runtime needs Keras")
def test_ctrl_c_in_a_real_runtime_replay(tmp_path):
    """Ctrl-C as a terminal sends it: SIGINT to the process group, the Keras worker included."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(200):
        (src / f"f{i:03}.py").write_text(BAD)
    proc = subprocess.Popen([sys.executable, "-m", "shapecheck", "--runtime", "--device", "cpu", "src"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_default_sigint,
                            env=dict(os.environ, PYTHONIOENCODING="utf-8", TF_CPP_MIN_LOG_LEVEL="3"))
    try:
        time.sleep(8.0)  # Keras starts in about 4 s here, then replays a file in a few dozen ms
        assert proc.poll() is None, "shapecheck finished before the interrupt"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # (what is left of the group: no test waits on it)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.returncode is None:
            proc.communicate(timeout=30)
    text = out.decode()
    assert proc.returncode == 130, err.decode()[-2000:]
    m = re.search(r"^Interrupted after replaying (\d+) of 200 files: the runtime verdicts are incomplete", text, re.M)
    assert m, text[-1000:]
    done = int(m.group(1))
    print(f"replayed {done} of 200 before the interrupt")
    assert done < 200 and "Found 200 errors in 200 files." in text  # every file's static findings
    verdicts = re.findall(r"^    runtime: (\w+): ", text, re.M)
    assert verdicts == ["confirmed"] * done  # the files replayed so far, none cut short as a crash
    assert "Traceback" not in err.decode()


def test_ctrl_c_while_looking_for_files(tree, monkeypatch):
    import shapecheck.api as api

    def files(targets, exclusion=None):
        yield "pkg/bad.py"
        yield "pkg/good.py"
        raise KeyboardInterrupt  # a huge tree, a slow network drive

    monkeypatch.setattr(api, "iter_python_files", files)  # (the command imports it when it runs)
    code, out = run("pkg")
    assert code == 130
    assert out == ("No shape errors in 0 files.\n"
                   "Interrupted while looking for files (2 found so far): the report is incomplete.\n")
    code, out = run("--format", "json", "pkg")
    data, _ = json.JSONDecoder().raw_decode(out)
    assert data["interrupted"] == {"stage": "listing", "files_done": 0, "files_total": 2}


def test_every_normal_json_report_says_complete(tree):
    for args in (["--format", "json", "pkg"], ["--format", "json", "--summary", "pkg"]):
        code, out = run(*args)
        assert code == 2
        data = json.loads(out)
        assert data["complete"] is True and "interrupted" not in data


# -- the per-file limits --------------------------------------------------------------------
def test_max_file_size_reaches_the_analysis(tree):
    code, out = run("--max-file-size", "50B", "pkg/bad.py")
    assert code == 0  # a warning
    assert out.startswith("pkg/bad.py:1:1: warning: Not analysed: this file is 98B (98 bytes), over the 50B limit")
    assert "[SC004 analysis-limit]" in out and "[SC201" not in out
    code, out = run("--max-file-size", "0", "pkg/bad.py")  # no limit
    assert code == 1 and "[SC201 rank-mismatch]" in out and "analysis-limit" not in out
    code, out = run("pkg/bad.py")  # the default is far above a small file
    assert code == 1 and "analysis-limit" not in out


def test_file_time_limit_reaches_the_analysis(tree):
    (tree / "slow.py").write_text(SLOW)
    code, out = run("--file-time-limit", "0.000001", "slow.py")
    assert "[SC004 analysis-limit]" in out and "(the per-file time limit, --file-time-limit, is 1e-06 s" in out
    code, out = run("--file-time-limit", "0", "slow.py")  # no limit
    assert code == 1 and "analysis-limit" not in out


@pytest.mark.parametrize("args", [["--max-file-size", "lots"], ["--file-time-limit", "-1"]])
def test_bad_limits_are_usage_errors(tree, args):
    code, out = run(*args, "pkg")
    assert code == 2 and "Invalid value" in out
