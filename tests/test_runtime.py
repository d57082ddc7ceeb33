"""``--runtime``: the replay of every fixture with real Keras confirms every static result.

Each fixture's graph is rebuilt from the IR and run by Keras (TensorFlow backend, CPU here):
a finding Keras does not raise, or a shape Keras computes otherwise, fails the test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shapecheck.api import Report, check_paths, check_source
from shapecheck.cli import main
from shapecheck.config import parse_size
from shapecheck import runtime
from shapecheck.runtime import Settings, verify

from .chains_support import IMPORTS, draw_chain, render
from .fixtures_support import FIXTURES, KINDS

pytestmark = pytest.mark.runtime

ROOT = Path(__file__).resolve().parent.parent
PATHS = sorted(p for kind in KINDS for p in (FIXTURES / kind).glob("*.py"))
TRAP = FIXTURES / "trap" / "writes_files.py"

#: findings the replay cannot check, and why (the fixture's name -> a part of the reason)
UNVERIFIABLE: dict[str, str] = {}


def replay(path: Path, **settings):
    report = check_paths([str(path)])
    runtime = verify(report, Settings(device="cpu", **settings))
    [file] = report.files
    return file, runtime.files[file.path], runtime


@pytest.mark.parametrize("path", PATHS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_replay_confirms_every_finding_and_shape(path):
    file, checked, _ = replay(path)
    assert len(checked.findings) == len(file.findings) and len(checked.shapes) == len(file.shapes)
    for f, v in zip(file.findings, checked.findings):
        where = f"{file.path}:{f.span.line} {f.code.name}"
        if path.name in UNVERIFIABLE:
            assert v.verdict == "unverifiable" and UNVERIFIABLE[path.name] in v.message, (where, v)
        else:
            assert v.verdict == "confirmed", (where, f.message, v)
    for entry, v in zip(file.shapes, checked.shapes):
        assert v.agrees is not False, (f"{file.path}:{entry['span'].line} {entry['layer']}: shapecheck "
                                       f"{[t.shape for t in entry['outputs']]}, {v.message}")
    assert checked.missed == []
    # --runtime --summary: the parameters Keras counts for each built layer are shapecheck's
    for m in file.models:
        for row in m.layers or []:
            keras = checked.params.get(row.layer_id) if row.layer_id is not None else None
            if keras is not None and row.params is not None and row.built:
                assert sum(keras) == row.params, (f"{file.path}:{m.line} {m.variable} {row.name}: "
                                                  f"Keras {keras}, shapecheck {row.params}")
    if not file.findings:
        # The shapes were compared, not skipped: all but the few behind code the replay does not run.
        compared = sum(v.agrees is True for v in checked.shapes)
        assert compared >= 0.75 * len(file.shapes), [v.message for v in checked.shapes if v.agrees is None]


def test_an_invalid_fixture_is_confirmed_for_keras_s_reason():
    file, checked, _ = replay(FIXTURES / "invalid" / "unet_odd_input_size.py")
    [v] = checked.findings
    assert v.verdict == "confirmed"
    assert "A `Concatenate` layer requires inputs with matching shapes" in v.message


def test_runtime_never_runs_the_analysed_code(tmp_path):
    trap = tmp_path / "trapped.txt"
    env = {**os.environ, "SHAPECHECK_TRAP": str(trap)}
    for args in ([str(TRAP)], ["--runtime", str(TRAP)], ["--runtime", "--show-shapes", "--format", "json", str(TRAP)]):
        proc = subprocess.run([sys.executable, "-m", "shapecheck", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=300)
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert not trap.exists(), f"shapecheck {' '.join(args)} ran the analysed code: {trap.read_text()}"
        assert not (tmp_path / "shapecheck-trap.txt").exists()
    data = json.loads(proc.stdout)
    [finding] = data["findings"]
    assert finding["name"] == "invalid-reshape"
    assert finding["runtime"]["verdict"] == "confirmed"
    # the Lambda and the custom layer are stood in for by their declared shapes, never run
    stand_ins = [s for s in data["shapes"] if s["agrees"] is None]
    assert {s["layer"] for s in stand_ins} >= {"keras.layers.Lambda", "Spy()"}


def test_the_trap_fixture_would_write_its_file_if_run(tmp_path):
    # (the trap is armed: running it for real writes the file)
    trap = tmp_path / "trapped.txt"
    proc = subprocess.run([sys.executable, str(TRAP)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "SHAPECHECK_TRAP": str(trap)}, cwd=tmp_path)
    assert trap.exists(), proc.stderr[-2000:]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.py").write_text(textwrap.dedent("""\
        import keras
        x = keras.Input(shape=(28, 28))
        y = keras.layers.Conv2D(8, 3)(x)
        """))
    (tmp_path / "good.py").write_text(textwrap.dedent("""\
        import keras
        x = keras.Input(shape=(28, 28, 1))
        y = keras.layers.Conv2D(8, 3)(x)
        """))
    return tmp_path


def test_text_output_gives_each_finding_its_verdict_and_says_where_it_ran(tree):
    code, out = run("--runtime", "--device", "cpu", "--show-shapes", ".")
    assert code == 1
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("bad.py:3:5: error:"))
    assert lines[at + 2].startswith("    runtime: confirmed: Keras raises ValueError: Input 0 with name 'None' of "
                                    "layer 'conv2d' is incompatible with the layer: expected min_ndim=4, found ndim=3")
    assert "good.py:3:5: shape: keras.layers.Conv2D -> (None, 26, 26, 8) (Keras: (None, 26, 26, 8))" in out
    assert lines[-1].startswith("Runtime (tensorflow backend, Keras 3.")
    assert ", CPU): 1 confirmed, 0 contradicted, 0 unverifiable finding(s); 3 of 4 shape(s) agree" in lines[-1]


def test_json_output_carries_the_verdicts(tree):
    code, out = run("--runtime", "--device", "cpu", "--format", "json", "--show-shapes", ".")
    assert code == 1
    data = json.loads(out)
    [finding] = data["findings"]
    assert finding["runtime"]["verdict"] == "confirmed"
    conv = [s for s in data["shapes"] if s["path"] == "good.py" and s["layer"] == "keras.layers.Conv2D"]
    assert conv == [{"path": "good.py", "line": 3, "column": 5, "layer": "keras.layers.Conv2D",
                     "shape": [None, 26, 26, 8], "runtime_shape": [None, 26, 26, 8], "agrees": True}]
    rt = data["runtime"]
    assert (rt["backend"], rt["device"], rt["confirmed"], rt["contradicted"], rt["unverifiable"]) == \
        ("tensorflow", "CPU", 1, 0, 0)
    assert rt["missed"] == []


def test_a_false_positive_is_contradicted_and_fails_the_run(tree, monkeypatch):
    # A rule made wrong on purpose: Keras accepts what it reports.
    from shapecheck.core.findings import RANK_MISMATCH, ShapeError
    from shapecheck.core.rules import LAYERS, load_rules

    load_rules()  # (the command loads them only when it runs)

    def wrong(call):
        raise ShapeError(RANK_MISMATCH, "a made-up error")

    monkeypatch.setattr(LAYERS["Conv2D"], "output", wrong)
    code, out = run("--runtime", "--device", "cpu", "--no-cache", "good.py")  # (the cache knows no patch)
    assert code == 1
    assert "    runtime: CONTRADICTED: Keras accepts it (output shape (2, 26, 26, 8))" in out
    assert "0 confirmed, 1 contradicted" in out


def test_a_wrong_shape_disagrees_and_fails_the_run(tree, monkeypatch):
    from shapecheck.core.rules import LAYERS, load_rules
    from shapecheck.core.shapes import TensorType

    load_rules()
    monkeypatch.setattr(LAYERS["Conv2D"], "output", lambda call: TensorType((None, 25, 25, 8)))
    code, out = run("--runtime", "--device", "cpu", "--show-shapes", "--no-cache", "good.py")
    assert code == 1
    assert "(Keras DISAGREES: Keras gives (None, 26, 26, 8))" in out


def test_data_pass_over_the_memory_limit_is_skipped_and_said(tmp_path):
    path = FIXTURES / "invalid" / "resnet_missing_projection.py"
    file, checked, _ = replay(path, memory_limit=2**20)  # (above its weights: 368 KiB)
    assert checked.data_pass.startswith("not run on data: about ")
    assert "above the limit of 1 MiB" in checked.data_pass
    # Keras's symbolic build still confirms what it raises on
    assert [v.verdict for v in checked.findings] == ["confirmed"]
    # what fails only on data is then unverifiable, never contradicted
    file, checked, _ = replay(FIXTURES / "invalid" / "train_mnist_categorical_int_labels.py",
                              memory_limit=2**22)  # (above its weights: 3 MiB)
    assert [v.verdict for v in checked.findings] == ["unverifiable"]
    assert "not run on data" in checked.findings[0].message


def test_time_limit_makes_the_rest_unverifiable():
    file, checked, _ = replay(FIXTURES / "invalid" / "resnet_missing_projection.py", time_limit=0)
    assert [v.verdict for v in checked.findings] == ["unverifiable"]
    assert "time limit (0 s)" in checked.findings[0].message


def test_device_gpu_without_a_gpu_is_a_usage_error(tree):
    result = CliRunner().invoke(main, ["--runtime", "--device", "gpu:3", "good.py"])
    assert result.exit_code == 2
    assert "--device gpu:3: the tensorflow backend sees" in result.output


def test_no_keras_names_the_runtime_extra(tree):
    # A `keras` that cannot be imported, as where it is not installed.
    (tree / "nokeras" / "keras").mkdir(parents=True)
    (tree / "nokeras" / "keras" / "__init__.py").write_text("raise ImportError('No module named keras')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree / "nokeras"), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-m", "shapecheck", "--runtime", "good.py"], capture_output=True,
                          text=True, env=env, cwd=tree, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "--runtime needs Keras and a backend" in proc.stderr
    assert "pip install 'keras-shapecheck[runtime]'" in proc.stderr


def test_a_crash_in_keras_is_unverifiable_and_the_run_goes_on(monkeypatch):
    # TensorFlow kernels can die of a floating point exception (seen: MaxPooling3D on data); the
    # worker that runs Keras dies, not shapecheck, and the next file gets a fresh worker.
    real = runtime._Worker._read
    reads = []

    def crashing(self, timeout):
        if timeout != runtime._Worker.STARTUP and not reads:  # the first graph is being replayed
            reads.append(timeout)
            os.kill(self.proc.pid, signal.SIGFPE)
        return real(self, timeout)

    monkeypatch.setattr(runtime._Worker, "_read", crashing)
    paths = [FIXTURES / "invalid" / "unet_odd_input_size.py", FIXTURES / "invalid" / "dot_axes_mismatch.py"]
    report = check_paths([str(p) for p in paths])
    rt = verify(report, Settings(device="cpu"))
    first, second = (rt.files[f.path] for f in report.files)
    assert [v.verdict for v in first.findings] == ["unverifiable"]
    assert first.findings[0].message.startswith("Keras crashed while replaying this file (SIGFPE")
    assert [v.verdict for v in second.findings] == ["confirmed"]


def test_memory_sizes_parse():
    assert parse_size("2GiB") == 2 * 2**30
    assert parse_size("500MB") == 500 * 10**6
    assert parse_size("1.5g") == 1_500_000_000
    assert parse_size("4096") == 4096
    assert parse_size("lots") is None
    code, out = run("--runtime", "--runtime-memory", "lots", ".")
    assert code == 2 and "not a size" in out


def test_shared_layers_stay_shared_in_the_replay():
    source = textwrap.dedent("""\
        import keras
        dense = keras.layers.Dense(8)
        a = dense(keras.Input((4,)))
        b = dense(keras.Input((5,)))
        """)
    file = check_source(source, "shared.py")
    runtime = verify(Report([file]), Settings(device="cpu"))
    [v] = runtime.files["shared.py"].findings
    assert v.verdict == "confirmed" and "expected axis -1 of input shape to have value 4" in v.message


def test_layers_run_on_data_replay_on_data_of_that_shape():
    source = textwrap.dedent("""\
        import numpy as np
        import keras
        features = keras.layers.Conv2D(4, 3)(np.random.rand(2, 8, 8, 3))
        dense = keras.layers.Dense(2)
        dense(np.zeros((2, 16)))
        dense(keras.Input((12,)))
        """)
    file = check_source(source, "eager.py")
    runtime = verify(Report([file]), Settings(device="cpu"))
    checked = runtime.files["eager.py"]
    [v] = checked.findings
    assert v.verdict == "confirmed" and "expected axis -1 of input shape to have value 16" in v.message
    assert [s.agrees for s in checked.shapes[:2]] == [True, True], [s.message for s in checked.shapes]


def test_tf_keras_2_files_replay_with_tf_keras():
    source = textwrap.dedent("""\
        import tf_keras as keras
        x = keras.Input(shape=(28, 28))
        y = keras.layers.Conv2D(8, 3)(x)
        """)
    file = check_source(source, "legacy.py")
    runtime = verify(Report([file]), Settings(device="cpu"))
    [v] = runtime.files["legacy.py"].findings
    assert v.verdict == "confirmed" and "expected min_ndim=4, found ndim=3" in v.message


def test_static_runs_never_import_keras_for_the_runtime():
    code = ("import sys; from shapecheck.cli import main; import shapecheck.runtime, shapecheck.report.text;"
            "print('keras' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr


# -- generated programs ------------------------------------------------------------------
GENERATED = settings(max_examples=int(os.environ.get("SHAPECHECK_ORACLE_EXAMPLES", "25")) // 2 or 1,
                     deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.filterwarnings("ignore:.*does not support masking:UserWarning")
@GENERATED
@given(st.data())
def test_generated_programs_replay_as_shapecheck_says(data):
    """Random model-building programs (the chains of test_oracle_chains, written with helpers, loops,
    shared layers and nested Sequentials): the replay contradicts no finding, disagrees with no
    shape, and confirms every finding it can check."""
    chain = draw_chain(data.draw, max_steps=5, merges=True, shared=True)
    assume(not chain.inconsistent)
    steps = chain.program.steps
    mode = "functional" if not chain.program.linear else data.draw(st.sampled_from(["functional", "sequential",
                                                                                     "add"]))
    functional = mode == "functional"
    rendered = render(chain.program, mode, [functional and data.draw(st.booleans()) for _ in steps],
                      [data.draw(st.booleans()) for _ in steps], model=not chain.rejected,
                      submodels=[data.draw(st.sampled_from([0, 0, 2])) if functional else 0 for _ in steps],
                      imports=data.draw(st.integers(0, len(IMPORTS) - 1)))
    file = check_source(rendered.source, "generated.py")
    checked = verify(Report([file]), Settings(device="cpu")).files["generated.py"]
    context = "\n" + rendered.source
    for f, v in zip(file.findings, checked.findings):
        assert v.verdict != "contradicted", f"line {f.span.line}: {f.message}: {v.message}" + context
        if f.level == "error" and v.verdict == "unverifiable":
            assert any(why in v.message for why in ("could not follow", "known only as")), v.message + context
    for entry, v in zip(file.shapes, checked.shapes):
        assert v.agrees is not False, f"line {entry['span'].line} {entry['layer']}: {v.message}" + context


def test_summary_with_runtime_shows_keras_counts_beside_shapecheck_s(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out = run("--summary", "--runtime", "--device", "cpu", "fixtures/demo/classifier.py")
    assert code == 0  # (no finding, no contradiction)
    assert "Keras #" in out
    assert "│ dense (Dense)                        │ (None, 10)                   │         54,090 │      54,090 │" in out
    assert " Total params: 54,410 (Keras: 54,410)" in out
    code, out = run("--summary", "--runtime", "--device", "cpu", "--format", "json", "fixtures/demo/classifier.py")
    [model] = json.loads(out)["models"]
    assert [(r["name"], r["params"], r["runtime_params"]) for r in model["layers"]] == [
        ("input_layer", 0, 0), ("conv2d", 320, 320), ("max_pooling2d", 0, 0), ("flatten", 0, 0),
        ("dense", 54090, 54090)]
    assert model["runtime_total_params"] == model["total_params"] == 54410


def test_weights_over_the_memory_limit_are_never_made():
    # 100,000 x 100,000 weights (40 GB): even a symbolic build would make them
    source = textwrap.dedent("""\
        import keras
        x = keras.Input((100000,))
        h = keras.layers.Dense(100000)(x)
        y = keras.layers.Reshape((7, 7))(h)
        """)
    file = check_source(source, "huge.py")
    assert file.graph.params  # shapecheck's own counts, known before any replay
    checked = verify(Report([file]), Settings(device="cpu", memory_limit=2**30)).files["huge.py"]
    [v] = checked.findings
    assert v.verdict == "unverifiable"
    assert "the layers' weights alone need about 38,147 MiB" in v.message
    assert "above the limit of 1,024 MiB" in v.message


def test_an_error_about_the_backend_confirms_nothing():
    # Under JAX, Keras rejects `ragged=True` whatever the shapes: not the finding's reason.
    from shapecheck.core.findings import INVALID_INPUT, Finding, Span
    from shapecheck.core.ir import Graph, Node
    from shapecheck.runtime import finding_verdict
    from shapecheck.runtime.replay import GraphReplay, Outcome

    graph = Graph([Node(0, "keras.layers.InputLayer", "input")])
    finding = Finding(INVALID_INPUT, Span("m.py", 1, 1, 1, 1), "sparse and ragged", node=0)
    backend = GraphReplay({0: Outcome("raised", "`ragged=True` is not supported with the jax backend",
                                      error="ValueError")})
    v = finding_verdict(finding, graph, backend)
    assert (v.verdict, v.message) == ("unverifiable", "Keras raises for another reason: `ragged=True` is not "
                                                      "supported with the jax backend")
    shapes = GraphReplay({0: Outcome("raised", "KerasTensor cannot have `sparse=True` and `ragged=True` at the "
                                               "same time.", error="ValueError")})
    assert finding_verdict(finding, graph, shapes).verdict == "confirmed"


def test_functions_without_a_shape_rule_are_never_called(tmp_path):
    # TensorFlow functions with effects, inside a layer's call (traced) and outside: the replay calls
    # only the functions shapecheck has a shape rule for.
    written = tmp_path / "written.txt"
    source = textwrap.dedent(f"""\
        import keras
        import tensorflow as tf

        class Writer(keras.layers.Layer):
            def call(self, x):
                tf.io.write_file({str(written)!r}, tf.strings.as_string(tf.reduce_sum(x)))
                return tf.square(x)

        x = keras.Input((3,))
        y = Writer()(x)
        z = tf.io.write_file({str(written)!r}, "top level")
        """)
    file = check_source(source, "writer.py")
    assert {n.op for n in file.graph.nodes} >= {"tensorflow.io.write_file", "tensorflow.square"}
    checked = verify(Report([file]), Settings(device="cpu")).files["writer.py"]
    assert not written.exists()
    assert any(s.agrees for s in checked.shapes)  # tf.square was replayed


def test_summary_with_runtime_of_a_model_whose_layers_are_unknown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # a layer added where the code may not run: which layers the model has is unknown
    (tmp_path / "grow.py").write_text(
        "import random\nimport keras\nfrom keras import layers\n"
        "head = keras.Sequential([keras.Input((784,)), layers.Dense(16)])\n"
        "if random.random() > 0.5:\n    head.add(layers.Dense(4))\n")
    code, out = run("--summary", "--runtime", "--device", "cpu", "--format", "json", "--no-cache", "grow.py")
    assert code == 0
    head = [m for m in json.loads(out)["models"] if m["variable"] == "head"]
    assert [(m["layers"], m["runtime_total_params"]) for m in head] == [(None, None)]
