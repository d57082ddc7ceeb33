"""No internal error over large real trees (issue 9): ``python benchmarks/robustness.py [TREE...]``.

Runs the ``shapecheck`` analysis (:func:`shapecheck.api.check_file`, the CLI's default options,
one file at a time in this process) over

* ``stdlib``: the CPython standard library (``sysconfig``'s ``stdlib`` path;
  :func:`shapecheck.api.iter_python_files` skips ``site-packages`` below it, and the test data,
  which includes badly encoded and invalid files on purpose, is kept),
* ``keras`` and ``tensorflow``: the installed packages' sources (found with
  :func:`importlib.util.find_spec`, which locates a package without importing it),
* ``fixtures``: every ``.py`` file under ``fixtures/`` (``valid``, ``invalid``, ``demo``, ``trap``),

and prints, per tree, the number of files, the seconds taken, the findings by name and the
slowest files.  The exit status is 1 when any ``internal-error`` finding appears (or an exception
escapes :func:`check_file`, which must never happen); each is listed with its message.  Else 0.
Give tree names to run only those (``python benchmarks/robustness.py keras fixtures``).

A script, not a test: the whole run takes several minutes (keras ~100 s, tensorflow ~150 s).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import sysconfig
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shapecheck.api import Options, check_file, iter_python_files  # noqa: E402


def package_dir(name: str) -> list[str]:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return []
    return list(spec.submodule_search_locations)


def trees() -> dict[str, list[str]]:
    return {
        "stdlib": [sysconfig.get_paths()["stdlib"]],
        "keras": package_dir("keras"),
        "tensorflow": package_dir("tensorflow"),
        "fixtures": [str(ROOT / "fixtures")],
    }


def run_tree(name: str, roots: list[str], options: Options, slowest: int) -> list[str]:
    """Check every file under ``roots``; print the figures; return the internal errors found."""
    if not roots:
        print(f"{name}: not installed, skipped")
        return []
    counts: Counter[str] = Counter()
    times: list[tuple[float, str]] = []
    problems: list[str] = []
    files = 0
    start = time.perf_counter()
    for path in iter_python_files(roots):
        files += 1
        t0 = time.perf_counter()
        try:
            result = check_file(path, options)
        except BaseException as e:  # noqa: BLE001 - the point is to see it
            if isinstance(e, KeyboardInterrupt):
                raise
            problems.append(f"{path}: an exception escaped check_file: {type(e).__name__}: {e}\n"
                            + traceback.format_exc())
            continue
        finally:
            times.append((time.perf_counter() - t0, path))
        for f in result.findings:
            counts[f.code.name] += 1
            if f.code.name == "internal-error":
                problems.append(f"{path}:{f.span.line}: {f.message}")
    seconds = time.perf_counter() - start
    print(f"{name}: {files} files in {seconds:.1f} s ({', '.join(roots)})")
    for finding, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"    {finding:<24} {n}")
    if not counts:
        print("    (no findings)")
    for t, path in sorted(times, reverse=True)[:slowest]:
        print(f"    slow: {t:6.1f} s  {path}")
    sys.stdout.flush()
    return problems


def main(argv: list[str] | None = None) -> int:
    available = trees()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs="*", metavar="TREE",
                        help=f"the trees to check (default: all of {', '.join(available)})")
    parser.add_argument("--slowest", type=int, default=3, help="how many of the slowest files to list per tree")
    parser.add_argument("--debug", action="store_true", help="internal errors carry their traceback")
    args = parser.parse_args(argv)
    unknown = [t for t in args.trees if t not in available]
    if unknown:
        parser.error(f"unknown tree(s) {', '.join(unknown)}; choose from {', '.join(available)}")
    options = Options(debug=args.debug)
    problems: list[str] = []
    total = time.perf_counter()
    for name in args.trees or available:
        problems += run_tree(name, available[name], options, args.slowest)
    print(f"total: {time.perf_counter() - total:.1f} s")
    if problems:
        print(f"\n{len(problems)} internal error(s):")
        for p in problems:
            print(f"  {p}")
        return 1
    print("no internal error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
