"""Coverage and precision on real-world Keras code (issue 10): ``python benchmarks/corpus.py CACHE``.

Downloads a fixed list of packages from PyPI (``pip download --no-deps``, pinned versions, the
sdist where it carries examples or tests) into the cache folder ``CACHE`` (once: a package already
there is not downloaded again), extracts each into ``CACHE/src/<name>-<version>``, and runs the
``shapecheck`` analysis (:func:`shapecheck.api.check_file`, the CLI's default options, one file at
a time in this process) over the parts of it listed in :data:`CORPUS`.  Per package it prints the
files, the Keras files (those that import keras, tensorflow or tf_keras), the findings by code, the
Keras layer and op calls seen (``layer_calls``) and those whose output rank was inferred
(``layer_calls_inferred``), their percentage, the internal errors and the CPU seconds taken (CPU
time: on a shared machine the wall clock says more about the neighbours); then the totals, per kind
of package (scripts, libraries) and over all.

``--findings`` lists every finding (each one is a false positive until Keras is shown to reject
the reduced program); ``--uninferred N`` groups the calls whose shape stayed unknown by their root
cause and prints the N most frequent (see :func:`root_causes`); ``--json FILE`` writes the figures.
Name packages to run only those.  The figures and what was done about them: ``docs/coverage.md``.

A script, not a test (it needs the network the first time, and takes minutes); the offline
zero-false-positive check over a vendored sample is ``tests/test_coverage.py``.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shapecheck.api import KERAS_PACKAGES, Options, check_file, iter_python_files  # noqa: E402


@dataclass(frozen=True)
class Package:
    """One corpus entry: a pinned PyPI requirement and the folders of it to check."""

    requirement: str
    #: folders (relative to the extracted archive's top) whose ``.py`` files are checked
    parts: tuple[str, ...]
    licence: str
    #: True: the sdist (``--no-binary :all:``), which carries examples/tests; False: the wheel
    sdist: bool = True
    #: "scripts": programs that build and train their models (tutorials, examples); "tests": test
    #: suites (test functions and ``TestCase`` methods that build models and run layers on data);
    #: "library": model-building functions and layers whose callers are elsewhere (their inputs are
    #: parameters)
    kind: str = "library"
    #: only the files whose name matches this pattern (``"*_test.py"``); empty: every ``.py`` file
    only: str = ""

    @property
    def name(self) -> str:
        return self.requirement.split("==")[0]


#: Real-world Keras code found on PyPI: tutorial scripts (Keras 2's ``examples/``), training and
#: model-building code of libraries built on Keras (functional blocks, subclassed layers, tests that
#: build small models).  Versions are pinned so that the figures can be compared between runs.
CORPUS: tuple[Package, ...] = (
    Package("keras==2.3.1", ("examples",), "MIT", kind="scripts"),
    Package("keras-tuner==1.4.7", ("keras_tuner",), "Apache-2.0"),
    Package("autokeras==3.0.0", ("autokeras",), "Apache-2.0"),
    Package("segmentation-models==1.0.1", ("segmentation_models",), "MIT"),
    Package("keras-unet-collection==0.1.13", ("keras_unet_collection",), "MIT"),
    Package("deepctr==0.9.4", ("deepctr", "examples", "tests"), "Apache-2.0"),
    Package("keras-tcn==3.5.7", ("tcn",), "MIT"),
    Package("vit-keras==0.2.0", ("vit_keras",), "Apache-2.0"),
    Package("spektral==1.3.1", ("spektral",), "MIT"),
    Package("keras-rl2==1.0.5", ("rl", "examples"), "MIT"),
    Package("bert4keras==0.11.5", ("bert4keras",), "Apache-2.0"),
    Package("tensorflow-recommenders==0.7.7", ("tensorflow_recommenders",), "Apache-2.0", sdist=False),
    Package("tensorflow-model-optimization==0.8.1", ("tensorflow_model_optimization",), "Apache-2.0",
            sdist=False),
    Package("keras-cv==0.9.0", ("keras_cv",), "Apache-2.0"),
    Package("talos==2.0.10", ("examples", "tests"), "MIT", kind="scripts"),
    # TensorFlow 1 graph code (`tf.placeholder`, sessions), as four of the Keras 2.3.1 examples are
    Package("cleverhans==3.0.1", ("cleverhans_tutorials",), "MIT", kind="scripts"),
    Package("keras==3.15.1", ("keras/src",), "Apache-2.0", sdist=False, kind="tests", only="*_test.py"),
    Package("keras-self-attention==0.51.0", ("tests",), "MIT", kind="tests"),
    Package("tf-models-official==2.20.0", ("official/nlp/modeling",), "Apache-2.0", sdist=False),
)


def download(pkg: Package, cache: Path) -> Path:
    """The package's archive in ``cache``, downloaded first if it is not there."""
    archives = cache / "archives"
    archives.mkdir(parents=True, exist_ok=True)
    found = _archive_of(pkg, archives)
    if found is not None:
        return found
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(archives),
           pkg.requirement]
    cmd += ["--no-binary", ":all:"] if pkg.sdist else ["--only-binary", ":all:"]
    subprocess.run(cmd, check=True)
    found = _archive_of(pkg, archives)
    if found is None:
        raise SystemExit(f"pip downloaded no archive of {pkg.requirement} into {archives}")
    return found


def _archive_of(pkg: Package, archives: Path) -> Path | None:
    name, version = pkg.requirement.split("==")
    stem = name.replace("-", "_").lower()
    for f in archives.iterdir():
        if f.name.lower().replace("-", "_").startswith(f"{stem}_{version}") \
                and f.name.endswith((".tar.gz", ".zip", ".whl")):
            return f
    return None


def extract(pkg: Package, archive: Path, cache: Path) -> Path:
    """The package's files under ``cache/src/<name>-<version>``; the folder that holds its ``parts``."""
    dest = cache / "src" / pkg.requirement.replace("==", "-")
    if not dest.exists():
        tmp = dest.with_suffix(".partial")
        tmp.mkdir(parents=True, exist_ok=True)
        if archive.name.endswith(".tar.gz"):
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
        else:
            with zipfile.ZipFile(archive) as z:
                z.extractall(tmp)
        tmp.rename(dest)
    entries = [p for p in dest.iterdir() if p.is_dir()]
    # An sdist holds one top folder (name-version/); a wheel holds the package itself.
    if len(entries) == 1 and not any((dest / part).exists() for part in pkg.parts):
        return entries[0]
    return dest


def imports_keras(path: str) -> bool:
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in KERAS_PACKAGES for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] in KERAS_PACKAGES:
            return True
    return False


def root_causes(result) -> list[tuple[str, str]]:
    """Why each counted call whose output rank stayed unknown did, one label per call: the first
    cause :mod:`shapecheck.frontend.unknowns` finds (``FileResult.unknowns``, what
    ``--explain-unknown`` prints), with the user's own names left out so that the same cause in
    different files groups together (a call not followed keeps its callee); each with an example."""
    return [(_CODE.sub(_keep_callee, u.reason), f"{u.origin.path}:{u.origin.line}: {u.reason}")
            for u in getattr(result, "unknowns", [])]


_CODE = re.compile(r"`([^`]*)`")


def _keep_callee(m: re.Match) -> str:
    code = m.group(1)
    if re.fullmatch(r"(keras|tensorflow|tf|numpy|np|operator)\.[\w.]+", code):
        return m.group(0)
    callee = re.match(r"([A-Za-z_][\w.]*)\(", code)
    if callee:
        return f"`{callee.group(1)}(...)`"
    return "`...`"


@dataclass
class Figures:
    files: int = 0
    keras_files: int = 0
    findings: Counter = field(default_factory=Counter)
    layer_calls: int = 0
    layer_calls_inferred: int = 0
    internal_errors: int = 0
    seconds: float = 0.0
    causes: Counter = field(default_factory=Counter)
    #: a cause's first occurrence, as written
    examples: dict = field(default_factory=dict)
    listed: list = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.layer_calls_inferred / self.layer_calls if self.layer_calls else 100.0

    def add(self, other: "Figures") -> None:
        for name in ("files", "keras_files", "layer_calls", "layer_calls_inferred", "internal_errors", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.findings.update(other.findings)
        self.causes.update(other.causes)
        for label, example in other.examples.items():
            self.examples.setdefault(label, example)
        self.listed.extend(other.listed)

    def row(self, name: str) -> str:
        codes = ", ".join(f"{c} {n}" for c, n in sorted(self.findings.items())) or "-"
        return (f"{name:<38} {self.files:>5} {self.keras_files:>6} {self.layer_calls:>7} "
                f"{self.layer_calls_inferred:>8} {self.percent:>6.1f}% {self.internal_errors:>4} "
                f"{self.seconds:>7.1f}  {codes}")


HEADER = (f"{'package':<38} {'files':>5} {'keras':>6} {'calls':>7} {'inferred':>8} {'pct':>7} "
          f"{'int.':>4} {'seconds':>7}  findings by code")


def run_package(pkg: Package, top: Path, options: Options, causes: bool) -> Figures:
    figures = Figures()
    roots = [str(top / part) for part in pkg.parts if (top / part).exists()]
    for path in iter_python_files(roots):
        if pkg.only and not fnmatch.fnmatch(Path(path).name, pkg.only):
            continue
        figures.files += 1
        figures.keras_files += imports_keras(path)
        t0 = time.process_time()
        result = check_file(path, options)
        figures.seconds += time.process_time() - t0
        figures.layer_calls += result.layer_calls
        figures.layer_calls_inferred += result.layer_calls_inferred
        for f in result.findings:
            figures.findings[f.code.number] += 1
            figures.internal_errors += f.code.name == "internal-error"
            figures.listed.append(f"{f.span.path}:{f.span.line}:{f.span.column}: {f.code.number} "
                                  f"[{f.code.name}] {f.message.splitlines()[0]}")
        if causes:
            for label, example in root_causes(result):
                figures.causes[label] += 1
                figures.examples.setdefault(label, example)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cache", type=Path, help="folder for the downloaded and extracted packages")
    parser.add_argument("packages", nargs="*", metavar="PACKAGE", help="run only these (names as in CORPUS)")
    parser.add_argument("--findings", action="store_true", help="list every finding")
    parser.add_argument("--uninferred", type=int, default=0, metavar="N",
                        help="print the N most frequent root causes of calls left unknown")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    chosen = [p for p in CORPUS if not args.packages or p.name in args.packages]
    missing = set(args.packages) - {p.name for p in CORPUS}
    if missing:
        parser.error(f"not in the corpus: {', '.join(sorted(missing))}")
    options = Options()
    total = Figures()
    kinds: dict[str, Figures] = {}
    rows = {}
    print(HEADER)
    for pkg in chosen:
        top = extract(pkg, download(pkg, args.cache), args.cache)
        figures = run_package(pkg, top, options, args.uninferred > 0)
        print(figures.row(pkg.requirement), flush=True)
        total.add(figures)
        kinds.setdefault(pkg.kind, Figures()).add(figures)
        rows[pkg.requirement] = figures
    for kind, figures in sorted(kinds.items()):
        print(figures.row(f"total: {kind}"))
    print(total.row("total"))
    if args.findings:
        print("\nfindings:")
        for line in total.listed:
            print(f"  {line}")
    if args.uninferred:
        print(f"\ncalls left unknown, by root cause (of {total.layer_calls - total.layer_calls_inferred}):")
        for label, n in total.causes.most_common(args.uninferred):
            print(f"  {n:>6}  {label}\n          e.g. {total.examples[label]}")
    if args.json:
        data = {name: {"files": f.files, "keras_files": f.keras_files, "findings": dict(f.findings),
                       "layer_calls": f.layer_calls, "layer_calls_inferred": f.layer_calls_inferred,
                       "internal_errors": f.internal_errors, "seconds": round(f.seconds, 1)}
                for name, f in rows.items()}
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 1 if total.internal_errors else 0


if __name__ == "__main__":
    sys.exit(main())
