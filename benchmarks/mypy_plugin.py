"""How much slower mypy is with the shapecheck plugin: ``python benchmarks/mypy_plugin.py [--rounds N]``.

Times mypy over every fixture (``fixtures/valid``, ``fixtures/invalid``, ``fixtures/demo``)
without the plugin and with it, both with shapecheck's stubs on ``mypy_path``, the same
settings otherwise (``check_untyped_defs``) and no incremental cache (``--no-incremental`` and a
fresh cache directory each run), alternating the two for several rounds.  It prints both medians
side by side and their ratio; the shared machines are noisy, so read the ratio, not the seconds.
The ``shapecheck`` command's analysis (:func:`shapecheck.api.check_paths`) of the same files is
timed too, for reference.  Every run is a fresh process (interpreter start and imports included),
as when a user runs ``mypy`` or ``shapecheck``.

``--profile FILE`` also writes a cProfile of one in-process ``mypy.api.run`` with the plugin
and prints its top functions by cumulative time.

A script, not a test: pytest never collects it (it is outside ``tests/``).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mypy_support import mypy_config, stub_search_path  # noqa: E402

FOLDERS = ("fixtures/valid", "fixtures/invalid", "fixtures/demo")


def fixture_files() -> list[str]:
    return [str(p.relative_to(ROOT)) for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.py"))]


def mypy_args(config: Path, cache: str, files: list[str]) -> list[str]:
    return ["--config-file", str(config), "--no-incremental", "--cache-dir", cache, *files]


def time_mypy(config: Path, files: list[str], work: Path) -> tuple[float, int, str]:
    """Seconds of one fresh ``python -m mypy`` run, its exit status and its summary line."""
    cache = tempfile.mkdtemp(prefix="cache-", dir=work)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mypy", *mypy_args(config, cache, files)],
                          cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    if done.returncode not in (0, 1) or not lines:
        sys.exit(f"mypy failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, done.returncode, lines[-1]


_CLI = ("import sys; from shapecheck.api import check_paths; r = check_paths(sys.argv[1:]); "
        "print(sum(f.level == 'error' for x in r.files for f in x.findings))")


def time_cli(files: list[str]) -> tuple[float, str]:
    """Seconds of one fresh process running ``check_paths`` over the files, and its error count."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CLI, *files], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"check_paths failed:\n{done.stderr}")
    return elapsed, done.stdout.strip()


def profile(config: Path, files: list[str], work: Path, out: str, top: int = 25) -> None:
    from mypy import api

    cache = tempfile.mkdtemp(prefix="cache-", dir=work)
    profiler = cProfile.Profile()
    profiler.enable()
    api.run(mypy_args(config, cache, files))
    profiler.disable()
    profiler.dump_stats(out)
    pstats.Stats(out).sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs of each kind, alternating (default 5)")
    parser.add_argument("--profile", metavar="FILE", help="also cProfile one in-process run with the plugin")
    args = parser.parse_args(argv)
    files = fixture_files()
    with tempfile.TemporaryDirectory(prefix="shapecheck-bench-") as tmp:
        work = Path(tmp)
        stubs = stub_search_path(work)
        configs = {}
        for plugin in (False, True):
            folder = work / ("with" if plugin else "without")
            folder.mkdir()
            configs[plugin] = mypy_config(folder, plugin=plugin, stub_path=stubs)
        times: dict[str, list[float]] = {"mypy": [], "mypy + plugin": [], "shapecheck": []}
        summaries: dict[str, str] = {}
        for i in range(args.rounds):
            # alternate the order too, so that neither kind always runs first in a round
            order = (False, True) if i % 2 == 0 else (True, False)
            for plugin in order:
                key = "mypy + plugin" if plugin else "mypy"
                elapsed, _, summary = time_mypy(configs[plugin], files, work)
                times[key].append(elapsed)
                summaries[key] = summary
            elapsed, errors = time_cli(files)
            times["shapecheck"].append(elapsed)
            summaries["shapecheck"] = f"{errors} errors"
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)
        medians = {k: statistics.median(v) for k, v in times.items()}
        print(f"\n{len(files)} files ({', '.join(FOLDERS)}), {args.rounds} rounds, medians:")
        for key, median in medians.items():
            print(f"  {key:<14} {median:6.2f}s   ({summaries[key]})")
        print(f"  ratio mypy + plugin / mypy: {medians['mypy + plugin'] / medians['mypy']:.2f}x")
        print(f"  plugin's extra time / shapecheck alone: "
              f"{(medians['mypy + plugin'] - medians['mypy']) / medians['shapecheck']:.2f}x")
        if args.profile:
            print(f"\ncProfile of one run with the plugin -> {args.profile}")
            profile(configs[True], files, work, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
