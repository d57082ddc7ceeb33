"""The pre-commit hook, with the real ``pre-commit``: the manifest at the repository root, the README's
configuration snippet, and the hook failing on a bad file and passing on a good one.

The schema tests are quick. Those marked ``packaging`` let pre-commit build its hook environment (a
virtualenv with this checkout pip-installed, libcst, click and rich from the package index): about
15-30 s per environment, three in all (~90 s). ``try-repo`` builds one per call (in a store of its
own, from a temporary commit of the checkout's uncommitted changes, which it includes); the README's
configuration builds one in the ``PRE_COMMIT_HOME`` of the module and reuses it for its three runs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pre_commit.clientlib import load_config, load_manifest

import shapecheck

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
BAD_FINDING = 'bad.py:6:5: error: Input 0 of layer "conv2d" is incompatible with the layer'


def readme_snippet() -> str:
    """The ``.pre-commit-config.yaml`` the README's pre-commit section shows."""
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## pre-commit\n(.*?)^## ", readme, re.S | re.M)
    assert section, "the README lost its pre-commit section"
    block = re.search(r"```yaml\n(.*?)```", section.group(1), re.S)
    assert block, "the README's pre-commit section lost its configuration snippet"
    return block.group(1)


def test_the_manifest_is_valid_for_pre_commit():
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "shapecheck"
    assert hook["language"] == "python" and hook["types_or"] == ["python", "jupyter"] and hook["pass_filenames"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts  # the console script pip installs in the hook's environment


def test_the_readme_snippet_is_a_valid_config_with_the_manifests_hook(tmp_path):
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(readme_snippet())
    (repo,) = load_config(str(config))["repos"]
    (hook,) = repo["hooks"]
    (manifest,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    # `repo: local` spells the manifest's hook out: the two must not drift apart
    for key in ("id", "name", "entry", "language", "types", "types_or", "require_serial"):
        assert hook[key] == manifest[key], key
    # the pinned distribution is this version (the README moves with a release)
    assert hook["additional_dependencies"] == [f"keras-shapecheck=={shapecheck.__version__}"]


# -- with the real pre-commit ----------------------------------------------------------------------

def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs the checkout to be a git repository")
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git")
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path) -> Path:
    """A user's git repository with one bad and one good file from the demo."""
    repo = tmp_path / "project"
    repo.mkdir()
    shutil.copy(DEMO / "forgot_channels.py", repo / "bad.py")
    shutil.copy(DEMO / "classifier.py", repo / "good.py")
    _git("init", "-q", cwd=repo)
    _git("add", "bad.py", "good.py", cwd=repo)
    return repo


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.packaging
def test_try_repo_fails_on_a_bad_file(project, pre_commit_home):
    done = pre_commit("try-repo", str(ROOT), "shapecheck", "--files", "bad.py", cwd=project, home=pre_commit_home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^shapecheck\.+Failed$", done.stdout, re.M), done.stdout
    assert BAD_FINDING in done.stdout and "[SC201 rank-mismatch]" in done.stdout
    assert "Found 1 error in 1 file." in done.stdout


@pytest.mark.packaging
def test_try_repo_passes_on_a_good_file(project, pre_commit_home):
    done = pre_commit("try-repo", str(ROOT), "shapecheck", "--files", "good.py", cwd=project, home=pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^shapecheck\.+Passed$", done.stdout, re.M), done.stdout


@pytest.mark.packaging
def test_the_readme_snippet_runs(project, pre_commit_home):
    """The README's configuration, with one change: the pinned distribution is this checkout
    (the version it pins may not be on the package index yet)."""
    snippet = readme_snippet()
    pin = f"keras-shapecheck=={shapecheck.__version__}"
    assert pin in snippet
    (project / ".pre-commit-config.yaml").write_text(snippet.replace(pin, str(ROOT)))
    _git("add", ".pre-commit-config.yaml", cwd=project)
    done = pre_commit("run", "--files", "bad.py", "good.py", cwd=project, home=pre_commit_home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert BAD_FINDING in done.stdout
    # one process for both files (require_serial): one summary line, which counts both
    assert done.stdout.count("Found ") == 1 and "Found 1 error in 2 files." in done.stdout
    done = pre_commit("run", "--files", "good.py", cwd=project, home=pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^shapecheck\.+Passed$", done.stdout, re.M), done.stdout
    # pre-commit names every file; the hook's --force-exclude keeps the configuration's exclude working
    (project / "pyproject.toml").write_text('[tool.shapecheck]\nexclude = ["bad.py"]\n')
    _git("add", "pyproject.toml", cwd=project)
    done = pre_commit("run", "--files", "bad.py", "good.py", cwd=project, home=pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
