"""The stub packages the mypy plugin ships (keras-stubs, tensorflow-stubs, tf_keras-stubs).

They are generated from the rule registry (``python -m shapecheck.mypy.stubgen``), must add no
error to valid Keras code (default settings and ``--strict``, compared with a run in which Keras
and TensorFlow are untyped), must make mypy resolve the public names, and must ship in the wheel
so that mypy finds them in a user's installation.  mypy runs in-process (``mypy.api.run``)
except in the packaging test, which runs it as a user does, against a throwaway environment.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from mypy import api

from shapecheck.core.rules import LAYERS, OPS, load_rules
from shapecheck.frontend.names import canonical
from shapecheck.mypy import stubgen

from .mypy_support import mypy_config, stub_search_path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "mypy_stubs"
FIXTURES = [ROOT / "fixtures" / name for name in ("valid", "demo", "invalid")]
MESSAGE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")


def run_mypy(config: Path, *paths: object) -> list[dict[str, str]]:
    out, err, _ = api.run(["--config-file", str(config), "--no-incremental", "--cache-dir", os.devnull,
                           *map(str, paths)])
    assert "Traceback" not in out + err, out + err
    return [m.groupdict() for m in map(MESSAGE.match, out.splitlines()) if m]


def errors(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    return [m for m in messages if m["kind"] == "error"]


def reveals(messages: list[dict[str, str]]) -> dict[int, str]:
    pattern = re.compile(r'Revealed type is "(.*)"')
    return {int(m["line"]): pattern.match(m["text"]).group(1)  # type: ignore[union-attr]
            for m in messages if m["kind"] == "note" and m["text"].startswith("Revealed type")}


@pytest.fixture(scope="module")
def stub_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = stub_search_path(tmp_path_factory)
    # in-process mypy silences errors under sys.path entries (see mypy_support): the checks that
    # no error points into the stubs would be vacuous there
    assert not any(Path(path).resolve().is_relative_to(Path(p).resolve()) for p in sys.path if p and Path(p).is_dir())
    return path


def _parse(rel: str) -> ast.Module:
    return ast.parse((stubgen.STUBS / rel).read_text(encoding="utf-8"))


# -- 1. generated, and up to date ---------------------------------------------------------------

def test_the_stub_tree_is_up_to_date() -> None:
    assert stubgen.stale() is None, "run python -m shapecheck.mypy.stubgen"


def test_check_names_a_stale_missing_or_extra_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stubgen.write(tmp_path)
    assert stubgen.main(["--check", "--root", str(tmp_path)]) == 0
    layers = tmp_path / "keras-stubs" / "layers" / "__init__.pyi"
    layers.write_text(layers.read_text() + "class Extra: ...\n")
    assert stubgen.main(["--check", "--root", str(tmp_path)]) == 1
    assert f"{layers} is stale" in capsys.readouterr().err
    stubgen.write(tmp_path)
    (tmp_path / "tensorflow-stubs" / "old.pyi").write_text("")
    assert stubgen.main(["--check", "--root", str(tmp_path)]) == 1
    assert "old.pyi is not generated" in capsys.readouterr().err
    stubgen.write(tmp_path)  # removes it again
    assert not (tmp_path / "tensorflow-stubs" / "old.pyi").exists()
    (tmp_path / "keras-stubs" / "ops" / "image" / "__init__.pyi").unlink()
    assert stubgen.main(["--check", "--root", str(tmp_path)]) == 1
    assert "image/__init__.pyi is missing" in capsys.readouterr().err


def test_every_rule_name_has_a_stub() -> None:
    load_rules()
    layer_classes = {n.name for n in _parse("keras-stubs/layers/__init__.pyi").body if isinstance(n, ast.ClassDef)}
    assert set(LAYERS) <= layer_classes
    checked = 0
    for name in OPS:
        if name.startswith(("numpy", "operator.", "sklearn.", "shapecheck.")):
            continue
        module, _, leaf = (name if name.startswith("tensorflow.") else canonical(name)).rpartition(".")
        top, *rest = module.split(".")
        tree = _parse("/".join([stubgen.PACKAGES[top], *rest, "__init__.pyi"]))
        assert leaf in {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}, name
        checked += 1
    assert checked > 500


def test_no_stub_rejects_a_call_and_every_module_falls_back_to_any() -> None:
    """Every function and method takes (*args: Any, **kwargs: Any) (bar the operator dunders,
    which take one Any), and every module ends with ``def __getattr__(name: str) -> Any``."""
    files = sorted(stubgen.STUBS.rglob("*.pyi"))
    assert len(files) > 150
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        last = tree.body[-1]
        assert isinstance(last, ast.FunctionDef) and last.name == "__getattr__", path
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("__"):
                continue
            args = node.args
            positional = [a.arg for a in args.posonlyargs + args.args]
            assert positional in ([], ["self"], ["cls"]), (path, node.name)
            assert args.vararg and args.kwarg and not args.kwonlyargs, (path, node.name)
            assert ast.unparse(args.vararg.annotation) == ast.unparse(args.kwarg.annotation) == "Any"  # type: ignore[arg-type]


# -- 2. no error on valid code ------------------------------------------------------------------

def test_valid_code_and_the_fixtures_have_no_error(tmp_path: Path, stub_path: str) -> None:
    probe = tmp_path / "probe.py"  # proves the stubs were in use (keras.Input is not Any)
    probe.write_text("import keras\nreveal_type(keras.Input(shape=(3,)))\n")
    config = mypy_config(tmp_path, plugin=False, stub_path=stub_path)
    messages = run_mypy(config, *FIXTURES, CORPUS, probe)
    assert errors(messages) == []
    assert reveals(messages) == {2: "keras.KerasTensor[Any]"}


def test_strict_reports_nothing_the_stubs_cause(tmp_path: Path, stub_path: str) -> None:
    """Under --strict, every error with the stubs is one mypy also reports when Keras and
    TensorFlow are untyped (Any): the corpus's own unannotated code; none is in a stub file,
    and the fully annotated file has none."""
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    with_stubs = mypy_config(tmp_path / "with", plugin=False, stub_path=stub_path, extra="strict = True")
    untyped = tmp_path / "without" / "mypy.ini"
    untyped.write_text("[mypy]\ncheck_untyped_defs = True\nignore_missing_imports = True\nstrict = True\n")
    paths = (*FIXTURES, CORPUS)
    typed_errors = errors(run_mypy(with_stubs, *paths))
    untyped_errors = errors(run_mypy(untyped, *paths))
    assert [e for e in typed_errors if e["path"].endswith(".pyi")] == []
    key = lambda e: (e["path"], e["line"], e["code"])  # noqa: E731
    assert {key(e) for e in typed_errors} <= {key(e) for e in untyped_errors}
    assert [e for e in typed_errors if e["path"].endswith("annotated.py")] == []
    assert {e["code"] for e in typed_errors if "mypy_stubs" in e["path"]} <= {"no-untyped-def", "no-untyped-call"}
    print(f"--strict: {len(typed_errors)} errors with the stubs, {len(untyped_errors)} without")


# -- 3. mypy resolves the public names ------------------------------------------------------------

REVEALS = {
    "keras.layers.Conv2D": "def (*args: Any, **kwargs: Any) -> keras.layers.Conv2D",
    "keras.layers.Convolution2D": "def (*args: Any, **kwargs: Any) -> keras.layers.Convolution2D",
    "tf.keras.layers.Dense": "def (*args: Any, **kwargs: Any) -> keras.layers.Dense",
    "tf_keras.layers.Dense": "def (*args: Any, **kwargs: Any) -> keras.layers.Dense",
    "SrcDense": "def (*args: Any, **kwargs: Any) -> keras.layers.Dense",
    "keras.ops.matmul": "def (*args: Any, **kwargs: Any) -> keras.KerasTensor[Any]",
    "keras.ops.numpy.add": "def (*args: Any, **kwargs: Any) -> keras.KerasTensor[Any]",
    "keras.ops.image.resize": "def (*args: Any, **kwargs: Any) -> keras.KerasTensor[Any]",
    "keras.layers.concatenate": "def (*args: Any, **kwargs: Any) -> keras.KerasTensor[Any]",
    "tf.reshape": "def (*args: Any, **kwargs: Any) -> Any",
    "tf.math.reduce_sum": "def (*args: Any, **kwargs: Any) -> Any",
    "keras.datasets.mnist.load_data": "def (*args: Any, **kwargs: Any) -> Any",
    "keras.Model": "def (*args: Any, **kwargs: Any) -> keras.models.Model",
    "tf.keras.Sequential": "def (*args: Any, **kwargs: Any) -> keras.models.Sequential",
    "keras.Input(shape=(3,))": "keras.KerasTensor[Any]",
    "keras.layers.Dense(3)(keras.Input(shape=(3,)))": "keras.KerasTensor[Any]",
    "keras.Input(shape=(3,)) + 1": "keras.KerasTensor[Any]",
    "keras.Input(shape=(3,))[:, 0]": "keras.KerasTensor[Any]",
    "keras.callbacks.EarlyStopping": "Any",  # not stubbed: Any, not an error
}


def test_mypy_resolves_the_public_names(tmp_path: Path, stub_path: str) -> None:
    source = ["import keras", "import tensorflow as tf", "import tf_keras",
              "from keras.src.layers import Dense as SrcDense"]
    first = len(source) + 1
    source += [f"reveal_type({expr})" for expr in REVEALS]
    (tmp_path / "names.py").write_text("\n".join(source) + "\n")
    messages = run_mypy(mypy_config(tmp_path, plugin=False, stub_path=stub_path), tmp_path / "names.py")
    assert errors(messages) == []
    assert reveals(messages) == {first + i: t for i, t in enumerate(REVEALS.values())}


@pytest.mark.xfail(strict=True, reason="mypy tries int.__sub__ first and a KerasTensor (an Any subclass) "
                   "is an int to it: `1 - x` is int, so `y: keras.KerasTensor = 1 - x` is an [assignment] "
                   "error; only a plugin hook on the builtin operators can fix it")
def test_a_number_on_the_left_of_a_tensor(tmp_path: Path, stub_path: str) -> None:
    (tmp_path / "left.py").write_text("import keras\nx = keras.Input(shape=(3,))\nreveal_type(1 - x)\n")
    messages = run_mypy(mypy_config(tmp_path, plugin=False, stub_path=stub_path), tmp_path / "left.py")
    assert reveals(messages) == {3: "keras.KerasTensor[Any]"}


# -- 4. packaging -----------------------------------------------------------------------------

INSTALLED = """\
import keras
import tensorflow as tf
import tf_keras
import keras.src.ops
from keras.src.layers.core.dense import Dense
from tensorflow.keras.layers.experimental import preprocessing
reveal_type(keras.Input(shape=(3,)))
reveal_type(tf.keras.layers.Dense)
reveal_type(tf_keras.layers.Dense)
"""


@pytest.mark.packaging
def test_the_wheel_ships_the_stubs_and_mypy_finds_them_installed(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow (about 10-30 s): builds the wheel offline, installs it in a virtual environment,
    runs mypy against that environment as a user's configuration would (no mypy_path, no
    ignore_missing_imports)."""
    # A checkout on PYTHONPATH would stand in for the wheel: pip would take it as installed, and mypy
    # would read its folders before the environment's.
    monkeypatch.delenv("PYTHONPATH", raising=False)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels)], check=True, cwd=tmp_path, capture_output=True)
    (wheel,) = wheels.glob("keras_shapecheck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    stubs = {p.relative_to(stubgen.STUBS).as_posix() for p in stubgen.STUBS.rglob("*.pyi")}
    assert stubs <= names
    assert {n.split("/")[0] for n in names if n.endswith(".pyi")} == set(stubgen.PACKAGES.values())
    assert not [n for n in names if n.startswith("shapecheck/mypy/stubs")]
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "shapecheck").rglob("*.py")}
    assert sources <= names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    project = tmp_path / "project"
    project.mkdir()
    (project / "use.py").write_text(INSTALLED)
    (project / "mypy.ini").write_text("[mypy]\ncheck_untyped_defs = True\n")

    def mypy(executable: Path) -> tuple[str, int]:
        done = subprocess.run([sys.executable, "-m", "mypy", "--python-executable", str(executable),
                               "--no-incremental", "--cache-dir", os.devnull, "use.py"],
                              cwd=project, capture_output=True, text=True)
        return done.stdout, done.returncode

    out, rc = mypy(python)
    assert rc == 0 and " error: " not in out, out
    assert 'Revealed type is "keras.KerasTensor[Any]"' in out
    assert out.count('-> keras.layers.Dense"') == 2, out
    # the same program against the development interpreter (an editable install, whose
    # stubs mypy does not see): Keras is untyped there, so the result above is the wheel's
    out, rc = mypy(Path(sys.executable))
    assert rc == 1 and "[import-untyped]" in out, out
