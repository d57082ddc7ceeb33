"""How fast shapecheck is, next to mypy and the libcst parse floor: ``python benchmarks/speed.py``.

Generates a corpus in a temporary directory and times, side by side on the same files, best of
``--rounds`` runs (the kinds of run alternate inside each round, in an order that turns every round):

* ``floor``: a fresh process that imports libcst and runs ``libcst.parse_module`` over every file, and
  nothing else -- what any libcst-based checker pays at least;
* ``shapecheck``: one process, no cache (``-j 1 --no-cache``); ``shapecheck -j 2`` (two worker
  processes, no cache); ``shapecheck warm``: the default command with a cache filled by an earlier run
  (``SHAPECHECK_CACHE_DIR``);
* ``mypy``: ``mypy --ignore-missing-imports`` cold (a fresh cache directory, ``--no-incremental``);
* on the Keras corpus, ``mypy stubs`` and ``mypy plugin``: mypy with shapecheck's stubs on ``mypy_path``,
  without and with ``plugins = shapecheck.mypy`` (as ``benchmarks/mypy_plugin.py``; the stubs are what
  installing keras-shapecheck gives mypy, the plugin is the one setting that differs); the plugin with
  an empty results cache (``SHAPECHECK_CACHE_DIR``, cold like mypy's), and ``mypy plugin warm``: mypy's
  cache still cold, shapecheck's filled by an earlier mypy run (mypy run again after a change elsewhere).

Two corpora per size: ``keras`` -- generated Keras programs (functional, Sequential, subclassed models,
helper functions, training code with NumPy data; from templates and a seeded random) -- and ``mixed`` --
a repository where 5% of the files are such programs and the rest are copies of the standard library's
own sources.  Sizes: ``--sizes`` (default 100 and 1,000 files; ``--large`` adds 10,000).

Every run is a fresh process (interpreter start and imports included), as when a user runs the command.
It prints seconds, the ratios to the floor and to mypy, and the peak memory (the largest resident set of
the process or any of its workers, from ``os.wait4``'s ``ru_maxrss``).  Then ``shapecheck --version`` and
a one-file check, a check that TensorFlow and Keras are never imported (``python -X importtime``, the
workers included), and which of issue 8's targets this run meets.  The machines are shared and noisy:
read the ratios, measured side by side, more than the seconds.

A script, not a test: pytest never collects it (it is outside ``tests/``).
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mypy_support import mypy_config, stub_search_path  # noqa: E402

#: fresh processes find this checkout's shapecheck (the editable install may point elsewhere)
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
ENV.pop("SHAPECHECK_CACHE_DIR", None)

# ----------------------------------------------------------------------------- the Keras corpus

HEADERS = [
    ("import keras\nfrom keras import layers\n", "keras", "layers"),
    ("from tensorflow import keras\nfrom tensorflow.keras import layers\n", "keras", "layers"),
    ("import tensorflow as tf\n", "tf.keras", "tf.keras.layers"),
    ("import keras\nfrom keras import layers as L\n", "keras", "L"),
]

UTILITIES = '''

def set_seed(seed={seed}):
    """Make the run repeatable."""
    random.seed(seed)
    np.random.seed(seed)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="{desc}")
    parser.add_argument("--epochs", type=int, default={epochs})
    parser.add_argument("--batch-size", type=int, default={batch})
    parser.add_argument("--learning-rate", type=float, default={lr})
    parser.add_argument("--out", default="runs/{name}")
    return parser.parse_args(argv)


def summarize(history):
    """The last value of every metric, for the log."""
    lines = []
    for key, values in sorted(history.history.items()):
        lines.append(f"{{key}}={{values[-1]:.4f}}")
    logging.info(" ".join(lines))
    return lines
'''

FUNCTIONAL_CNN = '''

def build_cnn_{i}(input_shape=({h}, {h}, {c}), num_classes={classes}):
    inputs = {K}.Input(shape=input_shape)
    x = inputs
    for filters in {filters}:
        x = {L}.Conv2D(filters, {k}, padding="same", activation="relu")(x)
        x = {L}.BatchNormalization()(x)
        x = {L}.MaxPooling2D(2)(x)
    x = {L}.{pool}()(x)
    x = {L}.Dropout({drop})(x)
    outputs = {L}.Dense(num_classes, activation="softmax")(x)
    return {K}.Model(inputs, outputs, name="cnn_{i}")
'''

SEQUENTIAL_MLP = '''

def build_mlp_{i}(features={features}, num_classes={classes}):
    model = {K}.Sequential([
        {K}.Input(shape=(features,)),
{dense}        {L}.Dense(num_classes, activation="softmax"),
    ])
    return model
'''

SUBCLASSED = '''

class Block{i}({K}.layers.Layer):
    def __init__(self, units={units}, **kwargs):
        super().__init__(**kwargs)
        self.dense = {L}.Dense(units, activation="relu")
        self.norm = {L}.LayerNormalization()

    def call(self, inputs):
        return self.norm(self.dense(inputs))


class Tower{i}({K}.Model):
    def __init__(self, units={units}, num_classes={classes}, **kwargs):
        super().__init__(**kwargs)
        self.proj = {L}.Dense(units)
        self.hidden = {L}.Dense(units, activation="relu")
        self.dropout = {L}.Dropout({drop})
        self.head = {L}.Dense(num_classes)

    def call(self, inputs, training=False):
        x = self.proj(inputs)
        h = self.hidden(x)
        x = self.dropout(x + h, training=training)
        return self.head(x)


tower_{i} = Tower{i}()
tower_{i}.build((None, {features}))
'''

HELPERS = '''

def conv_block_{i}(x, filters, kernel_size={k}, stride=1):
    shortcut = x
    y = {L}.Conv2D(filters, kernel_size, strides=stride, padding="same")(x)
    y = {L}.BatchNormalization()(y)
    y = {L}.Activation("relu")(y)
    y = {L}.Conv2D(filters, kernel_size, padding="same")(y)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = {L}.Conv2D(filters, 1, strides=stride)(x)
    return {L}.Add()([y, shortcut])


def build_resnet_{i}(input_shape=({h}, {h}, {c}), num_classes={classes}):
    inputs = {K}.Input(shape=input_shape)
    x = {L}.Conv2D({f0}, 3, padding="same")(inputs)
    for filters, stride in {stages}:
        x = conv_block_{i}(x, filters, stride=stride)
    x = {L}.GlobalAveragePooling2D()(x)
    return {K}.Model(inputs, {L}.Dense(num_classes)(x))
'''

TEXT_RNN = '''

def build_text_{i}(max_len={seq}, vocab={vocab}, embed_dim={embed}):
    tokens = {K}.Input(shape=(max_len,), dtype="int32")
    x = {L}.Embedding(vocab, embed_dim)(tokens)
    x = {L}.{rnn}({units}, return_sequences=True)(x)
    x = {L}.GlobalMaxPooling1D()(x)
    x = {L}.Dense({hidden}, activation="relu")(x)
    return {K}.Model(tokens, {L}.Dense(1, activation="sigmoid")(x))
'''

TRAIN_IMAGES = '''

x_train_{i} = np.random.rand({n}, {h}, {h}, {c}).astype("float32")
y_train_{i} = {K}.utils.to_categorical(np.random.randint(0, {classes}, size=({n},)), {classes})
model_{i} = build_cnn_{i}()
model_{i}.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history_{i} = model_{i}.fit(x_train_{i}, y_train_{i}, batch_size={batch}, epochs={epochs}, validation_split=0.1)
'''

TRAIN_TABULAR = '''

x_tab_{i} = np.random.normal(size=({n}, {features})).astype("float32")
y_tab_{i} = np.random.randint(0, {classes}, size=({n},))
mlp_{i} = build_mlp_{i}()
mlp_{i}.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
mlp_{i}.fit(x_tab_{i}, y_tab_{i}, batch_size={batch}, epochs={epochs})
print(mlp_{i}.predict(x_tab_{i}[:8]).shape)
'''

TRAIN_TEXT = '''

text_model_{i} = build_text_{i}()
text_model_{i}.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
tokens_{i} = np.random.randint(0, {vocab}, size=({n}, {seq}))
labels_{i} = np.random.randint(0, 2, size=({n}, 1))
text_model_{i}.fit(tokens_{i}, labels_{i}, epochs={epochs})
'''

RESNET_USE = '''

resnet_{i} = build_resnet_{i}()
resnet_{i}.compile(optimizer="sgd", loss={K}.losses.SparseCategoricalCrossentropy(from_logits=True))
print(resnet_{i}.output_shape)
'''

#: a mistake a user makes now and then: the data has the wrong number of features
BUGGY = '''

wrong_{i} = build_mlp_{i}()
wrong_{i}.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
wrong_{i}.fit(np.zeros(({n}, {features_wrong})), np.zeros(({n},)), epochs=1)
'''


def keras_file(rng: random.Random, number: int) -> str:
    """One Keras program: imports, utilities, one to four models, their training code."""
    header, k, l = rng.choice(HEADERS)
    parts = [f'"""Generated Keras program {number}: models and their training."""\n'
             f"import argparse\nimport logging\nimport random\n\nimport numpy as np\n{header}"]
    parts.append(UTILITIES.format(seed=rng.randrange(1000), desc=f"experiment {number}", epochs=rng.choice([5, 10, 20]),
                                  batch=rng.choice([32, 64, 128]), lr=rng.choice([1e-3, 3e-4]), name=f"exp{number}"))
    kinds = rng.sample(["cnn", "mlp", "subclassed", "resnet", "text"], rng.randint(1, 4))
    for i, kind in enumerate(kinds):
        common = dict(i=i, K=k, L=l, classes=rng.choice([2, 5, 10, 100]), n=rng.choice([256, 1000, 60000]),
                      batch=rng.choice([16, 32, 64]), epochs=rng.choice([1, 3, 10]), drop=rng.choice([0.1, 0.25, 0.5]))
        if kind == "cnn":
            filters = [rng.choice([16, 32]) * 2**j for j in range(rng.randint(2, 3))]
            shape = dict(h=rng.choice([28, 32, 64]), c=rng.choice([1, 3]), k=rng.choice([3, 5]))
            parts.append(FUNCTIONAL_CNN.format(**common, **shape, filters=filters,
                                               pool=rng.choice(["GlobalAveragePooling2D", "Flatten"])))
            parts.append(TRAIN_IMAGES.format(**common, **shape))
        elif kind == "mlp":
            features = rng.choice([8, 20, 64, 784])
            dense = "".join(f'        {l}.Dense({rng.choice([32, 64, 128, 256])}, activation="relu"),\n'
                            for _ in range(rng.randint(1, 4)))
            parts.append(SEQUENTIAL_MLP.format(**common, features=features, dense=dense))
            parts.append(TRAIN_TABULAR.format(**common, features=features))
            if rng.random() < 0.15:
                parts.append(BUGGY.format(**common, features_wrong=features + rng.randint(1, 9)))
        elif kind == "subclassed":
            parts.append(SUBCLASSED.format(**common, units=rng.choice([32, 64, 128]), features=rng.choice([16, 32])))
        elif kind == "resnet":
            stages = [(16 * 2**j, 1 if j == 0 else 2) for j in range(rng.randint(2, 3))]
            parts.append(HELPERS.format(**common, h=rng.choice([32, 64]), c=3, k=3, f0=16, stages=stages))
            parts.append(RESNET_USE.format(**common))
        else:
            seq = rng.choice([50, 100, 200])
            parts.append(TEXT_RNN.format(**common, seq=seq, vocab=rng.choice([5000, 20000]),
                                         embed=rng.choice([32, 64]), rnn=rng.choice(["LSTM", "GRU"]),
                                         units=rng.choice([32, 64]), hidden=rng.choice([16, 32])))
            parts.append(TRAIN_TEXT.format(**common, seq=seq, vocab=5000))
    parts.append('\n\nif __name__ == "__main__":\n    args = parse_args()\n    set_seed()\n'
                 '    logging.basicConfig(level=logging.INFO)\n')
    return "".join(parts)


# ----------------------------------------------------------------------------- the mixed corpus

_SKIP = {"test", "tests", "idle_test", "site-packages", "__pycache__", "lib2to3", "dist-packages"}


def stdlib_sources(limit_bytes: int = 200_000) -> list[Path]:
    """The standard library's own modules (no tests, no relative imports), that CPython parses, sorted."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.startswith(("plat-", "config-")))
        for name in sorted(files):
            path = Path(folder) / name
            if not name.endswith(".py") or not name[:-3].isidentifier() or path.stat().st_size > limit_bytes:
                continue
            try:
                tree = ast.parse(path.read_bytes())
            except (SyntaxError, ValueError):
                continue
            # a copy outside its package cannot import relatively (mypy stops on it, a blocking error)
            if any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree)):
                continue
            found.append(path)
    return found


def make_corpus(base: Path, kind: str, size: int, stdlib: list[Path], seed: int) -> Path:
    """``size`` files under ``base/<kind>-<size>``, 100 to a folder; module names unique (for mypy)."""
    rng = random.Random(f"{seed}-{kind}-{size}")
    top = base / f"{kind}-{size}"
    keras_every = 1 if kind == "keras" else 20  # mixed: every twentieth file, 5%
    for n in range(size):
        folder = top / f"d{n // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if n % keras_every == keras_every - 1 or kind == "keras":
            (folder / f"model_{n:05d}.py").write_text(keras_file(rng, n), encoding="utf-8")
        else:
            source = stdlib[n % len(stdlib)]
            shutil.copyfile(source, folder / f"m{n:05d}_{source.stem.lstrip('_') or 'init'}.py")
    return top


# ----------------------------------------------------------------------------- timing


@dataclass
class Run:
    seconds: float
    #: user + system CPU seconds of the process and the workers it waited for: steadier than the wall
    #: clock on a shared machine (but blind to what parallel workers save)
    cpu: float
    peak_mb: float
    status: int
    stdout: str
    stderr: str


def run(cmd: list[str], *, cwd: Path, env: Optional[dict] = None) -> Run:
    """One fresh process: wall seconds, and the largest resident set of it or any child it waited for."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


FLOOR = ("import sys, libcst\n"
         "for path in open(sys.argv[1], encoding='utf-8').read().splitlines():\n"
         "    with open(path, 'rb') as fh:\n"
         "        libcst.parse_module(fh.read())\n")


@dataclass
class Kind:
    """One kind of run: how to make its command line, and what exit statuses are a success."""

    name: str
    cmd: list[str]
    env: dict = field(default_factory=lambda: ENV)
    ok: tuple[int, ...] = (0, 1)
    fresh_cache: bool = False  # mypy: a new --cache-dir per run
    #: a new, empty SHAPECHECK_CACHE_DIR per run (the mypy plugin's results cache: cold)
    fresh_results: bool = False

    def once(self, cwd: Path, work: Path) -> Run:
        cmd = list(self.cmd)
        if self.fresh_cache:
            cmd += ["--cache-dir", tempfile.mkdtemp(prefix="mypy-cache-", dir=work)]
        env = self.env
        if self.fresh_results:
            env = {**env, "SHAPECHECK_CACHE_DIR": tempfile.mkdtemp(prefix="sc-cache-", dir=work)}
        result = run(cmd, cwd=cwd, env=env)
        if result.status not in self.ok:
            sys.exit(f"{self.name} failed (exit {result.status}): {' '.join(cmd)}\n"
                     f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        return result


def shapecheck_flags() -> set[str]:
    """The options this checkout's ``shapecheck`` has (the benchmark also runs before -j and the cache exist)."""
    done = run([sys.executable, "-m", "shapecheck", "--help"], cwd=ROOT)
    return set(re.findall(r"(--[a-z][a-z-]*|-j\b)", done.stdout))


def kinds_for(corpus: Path, kind: str, work: Path, flags: set[str], plugin: bool) -> list[Kind]:
    sc = [sys.executable, "-m", "shapecheck"]
    parallel = "-j" in flags or "--jobs" in flags
    cached = "--no-cache" in flags
    cold = sc + (["-j", "1"] if parallel else []) + (["--no-cache"] if cached else []) + [str(corpus)]
    files = work / f"{corpus.name}.files"
    files.write_text("\n".join(str(p) for p in sorted(corpus.rglob("*.py"))), encoding="utf-8")
    empty = work / "empty.ini"
    empty.write_text("[mypy]\n", encoding="utf-8")
    mypy = [sys.executable, "-m", "mypy", "--no-incremental", "--no-error-summary", "--hide-error-context"]
    kinds = [
        Kind("floor", [sys.executable, "-c", FLOOR, str(files)], ok=(0,)),
        Kind("shapecheck", cold, ok=(0, 1, 2)),
    ]
    if parallel:
        kinds.append(Kind("shapecheck -j 2", sc + ["-j", "2"] + (["--no-cache"] if cached else []) + [str(corpus)],
                          ok=(0, 1, 2)))
    if cached:
        cache_env = {**ENV, "SHAPECHECK_CACHE_DIR": str(work / f"cache-{corpus.name}")}
        kinds.append(Kind("shapecheck warm", sc + [str(corpus)], env=cache_env, ok=(0, 1, 2)))
    kinds.append(Kind("mypy", mypy + ["--config-file", str(empty), "--ignore-missing-imports", str(corpus)],
                      fresh_cache=True))
    if plugin and kind == "keras":
        stubs = stub_search_path(work)
        for name, with_plugin in (("mypy stubs", False), ("mypy plugin", True)):
            folder = work / f"{corpus.name}-{name.replace(' ', '-')}"
            folder.mkdir(exist_ok=True)
            config = mypy_config(folder, plugin=with_plugin, stub_path=stubs)
            kinds.append(Kind(name, mypy + ["--config-file", str(config), str(corpus)], fresh_cache=True,
                              fresh_results=with_plugin))
        # mypy's cache cold as above, shapecheck's results cache filled by an earlier mypy run (as when
        # mypy runs again after a change elsewhere: the plugin's files are not analysed again)
        warm_env = {**ENV, "SHAPECHECK_CACHE_DIR": str(work / f"cache-plugin-{corpus.name}")}
        kinds.append(Kind("mypy plugin warm", mypy + ["--config-file", str(config), str(corpus)], env=warm_env,
                          fresh_cache=True))
    return kinds


def measure(kinds: list[Kind], cwd: Path, work: Path, rounds: int) -> dict[str, Run]:
    """Best of ``rounds`` for each kind; the order within a round turns each round."""
    for kind in kinds:
        if kind.name in ("shapecheck warm", "mypy plugin warm"):
            kind.once(cwd, work)  # fills the cache
    best: dict[str, Run] = {}
    peaks: dict[str, float] = {}
    cpus: dict[str, float] = {}
    for r in range(rounds):
        order = kinds[r % len(kinds):] + kinds[:r % len(kinds)]
        for kind in order:
            result = kind.once(cwd, work)
            peaks[kind.name] = max(peaks.get(kind.name, 0.0), result.peak_mb)
            cpus[kind.name] = min(cpus.get(kind.name, result.cpu), result.cpu)
            if kind.name not in best or result.seconds < best[kind.name].seconds:
                best[kind.name] = result
        print(f"    round {r + 1}: " + ", ".join(f"{k.name} {best[k.name].seconds:.2f}s" for k in kinds), flush=True)
    for name, result in best.items():
        result.peak_mb = peaks[name]
        result.cpu = cpus[name]
    return best


def table(title: str, best: dict[str, Run]) -> list[str]:
    floor, floor_cpu = best["floor"].seconds, best["floor"].cpu
    mypy, mypy_cpu = best["mypy"].seconds, best["mypy"].cpu
    lines = [title, f"    {'run':<18}{'best s':>9}{'/ floor':>9}{'/ mypy':>9}{'cpu s':>9}{'/ floor':>9}{'/ mypy':>9}"
                    f"{'peak MB':>9}"]
    for name, result in best.items():
        lines.append(f"    {name:<18}{result.seconds:9.2f}{result.seconds / floor:9.2f}{result.seconds / mypy:9.3f}"
                     f"{result.cpu:9.2f}{result.cpu / floor_cpu:9.2f}{result.cpu / mypy_cpu:9.3f}{result.peak_mb:9.0f}")
    return lines


def targets(results: dict[tuple[str, int], dict[str, Run]]) -> list[str]:
    """Issue 8's targets that depend on the corpus, met or not, in this run."""
    lines = []

    def check(ok: bool, text: str) -> None:
        lines.append(f"  [{'met' if ok else 'NOT met'}] {text}")

    for (kind, size), best in sorted(results.items()):
        t = {name: r.seconds for name, r in best.items()}
        c = {name: r.cpu for name, r in best.items()}
        where = f"{kind} {size}:"
        if kind == "keras":
            check(t["shapecheck"] <= t["mypy"], f"{where} cold one process no slower than mypy "
                                                f"({t['shapecheck']:.2f}s vs {t['mypy']:.2f}s; CPU "
                                                f"{c['shapecheck'] / c['mypy']:.2f}x)")
            check(t["shapecheck"] <= 1.2 * t["floor"], f"{where} cold within 1.2x of the libcst floor "
                                                       f"({t['shapecheck'] / t['floor']:.2f}x; CPU "
                                                       f"{c['shapecheck'] / c['floor']:.2f}x)")
            if "shapecheck -j 2" in t:
                check(t["shapecheck -j 2"] <= t["mypy"] / 2, f"{where} -j 2 half of mypy's time "
                                                             f"({t['shapecheck -j 2'] / t['mypy']:.2f}x)")
            if "shapecheck warm" in t:
                check(t["shapecheck warm"] <= t["mypy"] / 20, f"{where} warm cache a twentieth of mypy's time "
                                                              f"({t['shapecheck warm'] / t['mypy']:.3f}x)")
            for plugin in ("mypy plugin", "mypy plugin warm"):
                if plugin in t:
                    check(t[plugin] <= 1.15 * t["mypy stubs"], f"{where} {plugin} within 1.15x of mypy without it "
                          f"({t[plugin] / t['mypy stubs']:.2f}x; CPU {c[plugin] / c['mypy stubs']:.2f}x)")
        else:
            check(t["shapecheck"] * 10 <= t["mypy"], f"{where} at least 10x faster than mypy "
                                                     f"({t['mypy'] / t['shapecheck']:.1f}x; CPU "
                                                     f"{c['mypy'] / c['shapecheck']:.1f}x)")
        check(best["shapecheck"].peak_mb < 500, f"{where} peak memory under 500 MB ({best['shapecheck'].peak_mb:.0f} MB)")
    for kind in ("keras", "mixed"):
        sizes = sorted(size for k, size in results if k == kind)
        for small, large in zip(sizes, sizes[1:]):
            a, b = results[(kind, small)]["shapecheck"], results[(kind, large)]["shapecheck"]
            # linear: the CPU time per file does not grow (the fixed start-up cost makes small runs dearer
            # per file; CPU, not the wall clock, which follows the machine's load over the minutes between)
            per_small, per_large = a.cpu / small, b.cpu / large
            check(per_large <= per_small * 1.1, f"{kind} {small} -> {large}: CPU time per file "
                  f"{per_small * 1000:.1f} ms -> {per_large * 1000:.1f} ms, memory {a.peak_mb:.0f} -> {b.peak_mb:.0f} MB")
    return lines


def startup(work: Path, rounds: int) -> list[str]:
    """``shapecheck --version`` and a one-file check, best of ``rounds``; neither imports TensorFlow or Keras."""
    one = work / "one_model.py"
    one.write_text(keras_file(random.Random(1), 1), encoding="utf-8")
    sc = [sys.executable, "-m", "shapecheck"]
    kinds = [Kind("python -c pass", [sys.executable, "-c", "pass"], ok=(0,)),
             Kind("shapecheck --version", sc + ["--version"], ok=(0,)),
             Kind("shapecheck one file", sc + [str(one)], ok=(0, 1))]
    best: dict[str, float] = {}
    for r in range(rounds):
        for kind in kinds:
            seconds = kind.once(work, work).seconds
            best[kind.name] = min(best.get(kind.name, seconds), seconds)
    lines = [f"  {name:<22}{seconds:6.3f}s" for name, seconds in best.items()]
    lines.append(f"  [{'met' if best['shapecheck --version'] <= 0.15 else 'NOT met'}] shapecheck --version in 0.15 s")
    lines.append(f"  [{'met' if best['shapecheck one file'] <= 0.4 else 'NOT met'}] a one-file check in 0.4 s")
    return lines


_HEAVY = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(tensorflow|keras|tf_keras)(\.|$)", re.MULTILINE)


def no_keras_imported(corpus: Path, flags: set[str]) -> str:
    """Run shapecheck with ``-X importtime`` (inherited by worker processes) and look for TensorFlow/Keras."""
    cmd = [sys.executable, "-X", "importtime", "-m", "shapecheck"]
    if "-j" in flags:
        cmd += ["-j", "2", "--no-cache"]
    done = run(cmd + [str(corpus)], cwd=corpus)
    if done.status not in (0, 1, 2):
        return f"  [NOT met] shapecheck failed (exit {done.status})"
    heavy = sorted({m.group(1) for m in _HEAVY.finditer(done.stderr)})
    modules = len(re.findall(r"^import time:", done.stderr, re.MULTILINE))
    return (f"  [{'NOT met' if heavy else 'met'}] TensorFlow and Keras never imported "
            f"({modules} imports seen{', but: ' + ', '.join(heavy) if heavy else ''})")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="numbers of files, comma-separated (default 100,1000)")
    parser.add_argument("--large", action="store_true", help="also 10,000 files (mypy alone takes many minutes)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each kind, best kept (default 3)")
    parser.add_argument("--corpora", default="keras,mixed", help="keras, mixed or both (default)")
    parser.add_argument("--no-plugin", dest="plugin", action="store_false", help="skip the mypy plugin comparison")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", metavar="DIR", help="generate the corpus in DIR and keep it")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([10_000] if args.large else [])
    flags = shapecheck_flags()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shapecheck-speed-") as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        stdlib = stdlib_sources()
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; stdlib pool: {len(stdlib)} files; "
              f"shapecheck flags: -j {'yes' if '-j' in flags else 'no'}, cache {'yes' if '--no-cache' in flags else 'no'}",
              flush=True)
        results: dict[tuple[str, int], dict[str, Run]] = {}
        out: list[str] = []
        for size in sizes:
            for kind in args.corpora.split(","):
                corpus = make_corpus(work, kind, size, stdlib, args.seed)
                nbytes = sum(p.stat().st_size for p in corpus.rglob("*.py"))
                title = f"{kind}, {size} files ({nbytes / 1e6:.1f} MB)"
                print(f"  {title}", flush=True)
                best = measure(kinds_for(corpus, kind, work, flags, args.plugin), work, work, args.rounds)
                results[(kind, size)] = best
                out += table(title, best)
                print("\n".join(table(title, best)), flush=True)
        print("\nSummary (best of %d, seconds; peak resident memory of the largest process)" % args.rounds)
        print("\n".join(out))
        print("\nStart-up")
        print("\n".join(startup(work, max(args.rounds, 5))))
        print("\nTargets")
        print("\n".join(targets(results)))
        first = next(iter(results))
        print(no_keras_imported(work / f"{first[0]}-{first[1]}", flags))
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
