"""shapecheck.runner: worker processes and the cache give the results one process gives, in order."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

import shapecheck.runner as runner
from shapecheck.api import Options, Report, check_file
from shapecheck.config import Rules
from shapecheck.report import json as json_report
from shapecheck.runner import Cache, check_files, options_key

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(str(p.relative_to(ROOT)) for folder in ("valid", "invalid", "demo")
                  for p in (ROOT / "fixtures" / folder).glob("*.py"))
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}

BAD = "import keras\nx = keras.Input(shape=(8,))\ny = keras.layers.Conv2D(4, 3)(x)\n"
GOOD = "import keras\nx = keras.Input(shape=(8, 8, 1))\ny = keras.layers.Conv2D(4, 3)(x)\n"


def as_json(results) -> dict:
    return json_report.as_dict(Report(list(results)), show_shapes=True)


def entries(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.pickle"))


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # the fixtures' paths as the reports show them


def test_workers_and_the_cache_give_the_same_report_as_one_process(in_root, tmp_path):
    alone = as_json(check_file(p, Options()) for p in FIXTURES)
    assert alone["summary"]["errors"] > 0 and alone["shapes"]  # a report worth comparing
    assert as_json(check_files(FIXTURES, Options(), jobs=2)) == alone
    cold = Cache(tmp_path, Options())
    assert as_json(check_files(FIXTURES, Options(), jobs=1, cache=cold)) == alone
    assert len(entries(tmp_path)) == len(FIXTURES)
    warm = Cache(tmp_path, Options())
    assert as_json(check_files(FIXTURES, Options(), jobs=2, cache=warm)) == alone


def never(path, options):
    raise AssertionError(f"{path} analysed although the cache has it")


def test_a_warm_cache_analyses_nothing(in_root, tmp_path, monkeypatch):
    files = FIXTURES[:10]
    first = as_json(check_files(files, Options(), cache=Cache(tmp_path, Options())))
    monkeypatch.setattr(runner, "check_file", never)
    for jobs in (1, 2):
        assert as_json(check_files(files, Options(), jobs=jobs, cache=Cache(tmp_path, Options()))) == first


def test_a_changed_file_is_analysed_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(BAD)
    cache_dir = tmp_path / "cache"
    [before] = check_files(["m.py"], Options(), cache=Cache(cache_dir, Options()))
    assert [f.code.name for f in before.findings] == ["rank-mismatch"]
    (tmp_path / "m.py").write_text(GOOD)
    [after] = check_files(["m.py"], Options(), cache=Cache(cache_dir, Options()))
    assert after.findings == [] and after.shapes
    assert len(entries(cache_dir)) == 2  # one entry per content; the old one is simply never asked for


def test_a_corrupt_entry_is_ignored_and_replaced(in_root, tmp_path):
    files = FIXTURES[:6]
    alone = as_json(check_file(p, Options()) for p in files)
    list(check_files(files, Options(), cache=Cache(tmp_path, Options())))
    damaged = entries(tmp_path)
    damaged[0].write_bytes(b"")  # empty
    damaged[1].write_bytes(damaged[1].read_bytes()[:40])  # cut short
    damaged[2].write_bytes(pickle.dumps({"not": "a result"}))  # something else
    damaged[3].write_bytes(os.urandom(200))
    assert as_json(check_files(files, Options(), jobs=2, cache=Cache(tmp_path, Options()))) == alone
    for entry in damaged[:4]:  # rewritten with the result: dependencies, the result, its parts
        with open(entry, "rb") as fh:
            assert [type(pickle.load(fh)).__name__ for _ in range(3)] == ["tuple", "FileResult", "dict"]


def test_the_options_are_part_of_the_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = BAD.encode()
    keys = {Cache(tmp_path, options).key("m.py", data) for options in (
        Options(), Options(keras_version=2), Options(max_file_size=10), Options(file_time_limit=5.0),
        Options(rules=Rules(enabled=frozenset({"rank-mismatch"}))), Options(debug=True))}
    assert len(keys) == 6
    # a setting that changes the findings gets its own result, not the other setting's
    (tmp_path / "m.py").write_text(BAD)
    cache_dir = tmp_path / "cache"
    [default] = check_files(["m.py"], Options(), cache=Cache(cache_dir, Options()))
    quiet = Options(rules=Rules(enabled=frozenset({"axis-mismatch"})))
    [selected] = check_files(["m.py"], quiet, cache=Cache(cache_dir, quiet))
    assert default.findings and not selected.findings
    # the path as reported is part of the key too (findings carry it)
    assert Cache(tmp_path, Options()).key("m.py", data) != Cache(tmp_path, Options()).key("n.py", data)


def test_the_key_is_the_same_in_every_process():
    """Sets in the options (selected codes) are ordered by the per-process string hash: the key must not be."""
    code = ("from shapecheck.api import Options; from shapecheck.config import Rules; "
            "from shapecheck.runner import options_key; "
            "print(options_key(Options(rules=Rules(enabled=frozenset(['rank-mismatch', 'axis-mismatch', "
            "'invalid-input', 'data-shape-mismatch'])))))")
    keys = {subprocess.run([sys.executable, "-c", code], env={**ENV, "PYTHONHASHSEED": str(seed)},
                           capture_output=True, text=True, check=True).stdout for seed in range(4)}
    assert len(keys) == 1
    assert keys == {options_key(Options(rules=Rules(enabled=frozenset(
        ["rank-mismatch", "axis-mismatch", "invalid-input", "data-shape-mismatch"])))) + "\n"}


def test_results_that_depend_on_the_clock_are_not_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(BAD + "h = keras.Input(shape=(16,))\n" + "h = keras.layers.Dense(16)(h)\n" * 300)
    limited = Options(file_time_limit=0.000001)
    [result] = check_files(["m.py"], limited, cache=Cache(tmp_path / "cache", limited))
    assert "analysis-limit" in {f.code.name for f in result.findings}
    assert entries(tmp_path / "cache") == []


def crash_on_b(path, options):
    if path.endswith("b.py"):
        os._exit(3)  # a worker killed (by the kernel, a native crash)
    return check_file(path, options)


def test_a_worker_that_dies_costs_its_file_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = [f"{c}.py" for c in "abcdef"]
    for name in names:
        (tmp_path / name).write_text(BAD)
    monkeypatch.setattr(runner, "check_file", crash_on_b)  # the forked workers inherit it
    results = list(check_files(names, Options(), jobs=2))
    assert [r.path for r in results] == names
    assert [f.code.name for r in results for f in r.findings] == [
        "rank-mismatch", "internal-error", "rank-mismatch", "rank-mismatch", "rank-mismatch", "rank-mismatch"]


def slow(path, options):
    time.sleep(0.2 if path.endswith("0.py") else 30)
    return check_file(path, options)


def test_stopping_early_stops_the_workers(tmp_path, monkeypatch):
    """What Ctrl-C does through the CLI (tests/test_cli_robust.py): the workers do not run on."""
    monkeypatch.chdir(tmp_path)
    names = [f"m{i}.py" for i in range(6)]
    for name in names:
        (tmp_path / name).write_text(BAD)
    monkeypatch.setattr(runner, "check_file", slow)
    results = check_files(names, Options(), jobs=2)
    first = next(results)
    assert first.path == "m0.py" and first.findings
    results.close()
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []


class _Stopped:
    """A worker process of a stand-in pool: running, then terminated (and joined) by ``_stop``."""

    def is_alive(self) -> bool:
        return True

    def terminate(self) -> None:
        pass

    def join(self, timeout=None) -> None:
        pass


def test_a_result_reader_left_blocked_is_known(monkeypatch):
    """A worker terminated while it sent a result leaves the pool's reader thread waiting for the rest
    (seen in CI: Ctrl-C, then the interpreter's exit joined that thread for ever)."""
    import threading
    from types import SimpleNamespace

    monkeypatch.setattr(runner, "_reader_left_blocked", False)
    released = threading.Event()
    reader = threading.Thread(target=released.wait, daemon=True)
    reader.start()
    pool = SimpleNamespace(_processes={1: _Stopped()}, _executor_manager_thread=reader,
                           shutdown=lambda **kw: None)
    try:
        runner._stop(pool)
        assert runner.exit_would_block()
    finally:
        released.set()


def test_the_command_line_ends_when_a_blocked_reader_would_keep_it(tmp_path):
    """Interrupted with such a thread left, the command writes its report and ends (status 130)
    instead of waiting for the thread at exit."""
    script = (
        "import sys, threading\n"
        "from shapecheck import cli, runner\n"
        "threading.Thread(target=threading.Event().wait).start()  # a thread that never ends\n"
        "runner._reader_left_blocked = True\n"
        "cli._run = lambda *a, **k: (print('the report'), cli.INTERRUPTED)[1]\n"
        "sys.argv = ['shapecheck', 'x.py']\n"
        "cli.main()\n")
    (tmp_path / "x.py").write_text(GOOD)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=ENV, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout) == (130, "the report\n"), done.stderr


def test_the_command_line_with_workers_and_cache(in_root, tmp_path):
    """``-j`` and the cache flags reach the runner: the JSON reports are the same, and a warm run reads
    the entries the first run wrote under ``SHAPECHECK_CACHE_DIR`` (``--no-cache`` writes none)."""
    def shapecheck(*args: str, cache: Path) -> dict:
        done = subprocess.run([sys.executable, "-m", "shapecheck", "--format", "json", "--show-shapes", *args,
                               "fixtures/demo"], cwd=ROOT, env={**ENV, "SHAPECHECK_CACHE_DIR": str(cache)},
                              capture_output=True, text=True)
        assert done.returncode == 1, done.stderr
        return json.loads(done.stdout)

    plain = shapecheck("-j", "1", "--no-cache", cache=tmp_path / "none")
    assert not (tmp_path / "none").exists()
    assert shapecheck("-j", "2", cache=tmp_path / "c") == plain
    written = {p: p.stat().st_mtime_ns for p in entries(tmp_path / "c")}
    assert len(written) == len(list((ROOT / "fixtures" / "demo").glob("*.py")))
    assert shapecheck(cache=tmp_path / "c") == plain
    assert shapecheck("--cache-dir", str(tmp_path / "d"), cache=tmp_path / "c") == plain
    assert len(entries(tmp_path / "d")) == len(written)
    assert {p: p.stat().st_mtime_ns for p in entries(tmp_path / "c")} == written  # read, not rewritten


def test_the_text_prefilter_never_skips_a_file_that_imports_keras():
    """``api._may_import_keras`` (a substring test before the imports are read from the tree) is false only
    where the tree's imports hold no Keras package: over the fixtures, the standard library's sources and
    the spellings Python normalises."""
    import ast
    import sysconfig

    from shapecheck.api import KERAS_PACKAGES, _imported_packages, _may_import_keras

    stdlib = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    sources = [(ROOT / p).read_text(encoding="utf-8") for p in FIXTURES]
    sources += [p.read_text(encoding="utf-8", errors="replace") for p in stdlib]
    sources += ["import \uff4b\uff45\uff52\uff41\uff53\n",  # fullwidth letters: Python reads `import keras`
                "import \U0001d5cd\U0001d5be\U0001d5c7\U0001d5cc\U0001d5c8\U0001d5cb\U0001d5bf\U0001d5c5\U0001d5c8\U0001d5d0"
                " as tf\n",  # mathematical sans-serif `tensorflow`
                "import os\nos.environ['TF_USE_LEGACY_KERAS'] = '1'\n"]
    imports_keras = skipped = 0
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        if _imported_packages(tree) & KERAS_PACKAGES:
            imports_keras += 1
            assert _may_import_keras(source), source[:200]
        elif not _may_import_keras(source):
            skipped += 1
    assert imports_keras >= len(FIXTURES) and skipped > 100  # both sides were exercised


def test_the_mypy_plugins_way_in_reads_and_writes_the_cache(tmp_path, monkeypatch):
    import shapecheck.api as api
    from shapecheck.runner import check_source_cached

    monkeypatch.setenv("SHAPECHECK_CACHE_DIR", str(tmp_path))
    first = check_source_cached(BAD, "m.py", Options())
    assert as_json([first]) == as_json([api.check_source(BAD, "m.py", Options())])
    assert len(entries(tmp_path)) == 1
    monkeypatch.setattr(api, "check_source", never)
    assert as_json([check_source_cached(BAD, "m.py", Options())]) == as_json([first])


PROJECT_BLOCK = "from tensorflow import keras\n\n\ndef block(x):\n    return keras.layers.Conv2D(4, 3)(x)\n"
PROJECT_FIXED = "from tensorflow import keras\n\n\ndef block(x):\n    return keras.layers.Conv1D(4, 3)(x)\n"
PROJECT_TRAIN = "from tensorflow import keras\nfrom blocks import block\ny = block(keras.Input((9, 9)))\n"


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_entry_is_stale_when_an_imported_module_changes(tmp_path, monkeypatch, jobs):
    """train.py unchanged, blocks.py edited: the cache gives what an analysis without it gives, with and
    without workers, and through the mypy plugin's way in."""
    from shapecheck.runner import check_source_cached

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHAPECHECK_CACHE_DIR", str(tmp_path / "plugin-cache"))
    (tmp_path / "train.py").write_text(PROJECT_TRAIN)
    (tmp_path / "other.py").write_text(GOOD)  # two files: -j 2 starts workers
    paths = ["train.py", "other.py"]
    for text, expected in ((PROJECT_BLOCK, ["rank-mismatch"]), (PROJECT_FIXED, []), (PROJECT_BLOCK, ["rank-mismatch"])):
        (tmp_path / "blocks.py").write_text(text)
        fresh = as_json(check_file(p, Options()) for p in paths)
        assert [f["name"] for f in fresh["findings"]] == expected
        for _ in range(2):  # cold, then warm
            assert as_json(check_files(paths, Options(), jobs=jobs, cache=Cache(tmp_path / "c", Options()))) == fresh
            assert as_json([check_source_cached(PROJECT_TRAIN, "train.py", Options())]) == \
                as_json([check_file("train.py", Options())])


def test_a_script_without_keras_is_stale_when_its_module_starts_using_keras(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text("import numpy as np\nfrom model import build\nm = build()\n"
                                       "m.compile(loss='mse')\nm.fit(np.zeros((4, 3)), np.zeros((4, 1)))\n")
    (tmp_path / "model.py").write_text("def build():\n    return None\n")
    cache = tmp_path / "c"
    [before] = check_files(["train.py"], Options(), cache=Cache(cache, Options()))
    assert before.findings == [] and [os.path.basename(p) for p, _ in before.dependencies] == ["model.py"]
    (tmp_path / "model.py").write_text("from tensorflow import keras\n\n\ndef build():\n    i = keras.Input((2,))\n"
                                       "    return keras.Model(i, keras.layers.Dense(1)(i))\n")
    [after] = check_files(["train.py"], Options(), cache=Cache(cache, Options()))
    assert [f.code.name for f in after.findings] == ["data-shape-mismatch"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_report_keeps_only_the_parts_it_reads(in_root, tmp_path, jobs):
    """``analyse`` empties the parts of each result the report does not read (the graph, models, shapes:
    most of a run's memory), and nothing else; the cache still gets whole results, so that a later run
    that shows shapes from it shows them all."""
    from shapecheck.cli import analyse
    from shapecheck.core.findings import PARTS
    from shapecheck.runner import Speed

    whole, _ = analyse(["fixtures/demo"], Options())
    assert all(getattr(whole.files[0], part) for part in PARTS - {"unknowns"})  # parts worth dropping
    speed = Speed(jobs=jobs, cache_dir=str(tmp_path))
    lean, _ = analyse(["fixtures/demo"], Options(), speed=speed, keep=frozenset({"models"}))
    assert [(f.path, f.findings, f.layer_calls, f.layer_calls_inferred, f.models) for f in lean.files] == \
        [(f.path, f.findings, f.layer_calls, f.layer_calls_inferred, f.models) for f in whole.files]
    assert all(f.graph is None and f.shapes == [] and f.unknowns == [] for f in lean.files)
    cached, _ = analyse(["fixtures/demo"], Options(), speed=speed)
    assert as_json(cached.files) == as_json(whole.files)
