"""Imports of the project's own modules (shapecheck/frontend/modules.py): resolution, loading, findings.

Each test writes a small project under ``tmp_path`` and checks one of its files with the real API; the
fixture projects under ``fixtures/projects/`` (run under Keras too) are in the fixture tests.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from shapecheck.api import check_file
from shapecheck.frontend.modules import REJECTED_THERE, dotted_name, keras_dependencies, search_roots

BAD_BLOCK = """\
from tensorflow import keras


def conv_block(x, filters=8):
    return keras.layers.Conv2D(filters, 3)(x)
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def check(root: Path, name: str):
    cwd = os.getcwd()
    os.chdir(root)  # paths as reported: relative to the working directory
    try:
        return check_file(name)
    finally:
        os.chdir(cwd)


def errors(result) -> list[tuple[str, int, str]]:
    return [(f.span.path, f.span.line, f.code.name) for f in result.findings if f.level == "error"]


def shapes(result) -> dict[int, list]:
    out: dict[int, list] = {}
    for entry in result.shapes:
        out.setdefault(entry["span"].line, []).append([t.shape for t in entry["outputs"]])
    return out


RANK_BUG = ("train.py", 4, "rank-mismatch")


# ----------------------------------------------------------------------------- resolution


@pytest.mark.parametrize("statement", [
    "from blocks import conv_block",
    "from blocks import conv_block as cb\nconv_block = cb",
    "import blocks\nconv_block = blocks.conv_block",
    "import blocks as b\nconv_block = b.conv_block",
])
def test_a_sibling_module_is_followed(tmp_path, statement):
    write(tmp_path, {"blocks.py": BAD_BLOCK,
                     "train.py": f"from tensorflow import keras\n{statement}\n"})
    lines = (tmp_path / "train.py").read_text().splitlines()
    (tmp_path / "train.py").write_text("\n".join(lines[:1] + ["inp = keras.Input((28, 28))"] + lines[1:]
                                                 + ["y = conv_block(inp)", ""]))
    result = check(tmp_path, "train.py")
    line = len(lines) + 2  # (the Input line is inserted after the first)
    assert errors(result) == [("train.py", line, "rank-mismatch")]
    notes = [(n.span.path, n.span.line) for n in result.findings[0].notes if n.message == REJECTED_THERE]
    assert notes == [("blocks.py", 5)]


def test_packages_relative_imports_and_submodules(tmp_path):
    write(tmp_path, {
        "config.py": "CHANNELS = 3\nSIZE = 32\n",
        "models/__init__.py": "from .net import build\n",
        "models/blocks.py": BAD_BLOCK,
        "models/layers/__init__.py": "",
        "models/layers/head.py": "from ..blocks import conv_block\nfrom ... import config as cfg\n"
                                 "from .. import blocks\nUNITS = 4\n",
        "models/net.py": """\
            from tensorflow import keras
            from config import SIZE, CHANNELS
            from . import blocks
            from .layers.head import UNITS


            def build():
                inp = keras.Input((SIZE, SIZE, CHANNELS))
                x = blocks.conv_block(inp, UNITS)
                return keras.Model(inp, x)
            """,
        "train.py": """\
            from tensorflow import keras
            import models.layers.head
            from models import build
            model = build()
            out = model(keras.Input((32, 32, 3)))
            bad = models.layers.head.conv_block(keras.Input((32, 32)))
            """,
    })
    result = check(tmp_path, "train.py")
    assert [(None, 30, 30, 4)] in shapes(result)[5]
    assert errors(result) == [("train.py", 6, "rank-mismatch")]
    # (`from ... import config` in models/layers/head.py climbs above the project: not followed, no harm)


def test_src_layout_and_scripts_folder(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[project]\nname = 'pkg'\n",
        "src/pkg/__init__.py": "from .blocks import conv_block\n",
        "src/pkg/blocks.py": BAD_BLOCK,
        "scripts/train.py": "from tensorflow import keras\nfrom pkg import conv_block\n"
                            "inp = keras.Input((28, 28))\ny = conv_block(inp)\n",
    })
    assert str(tmp_path / "src") in search_roots(str(tmp_path / "scripts" / "train.py"))
    result = check(tmp_path, "scripts/train.py")
    assert errors(result) == [(os.path.join("scripts", "train.py"), 4, "rank-mismatch")]


SYS_PATH_SCRIPT = """\
import os
import sys
from pathlib import Path
{edit}
from tensorflow import keras
from models.blocks import conv_block
inp = keras.Input((28, 28))
y = conv_block(inp)
"""


@pytest.mark.parametrize("edit, found", [
    ('sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))', True),
    ("sys.path.append(os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))", True),
    ("sys.path.append(str(Path(__file__).resolve().parent.parent))", True),
    ("sys.path.insert(0, str(Path(__file__).parents[1]))", True),
    ('sys.path.append(str(Path(__file__).parent / ".."))', True),
    ("ROOT = Path(__file__).absolute().parent.parent\nsys.path.extend([str(ROOT)])", True),
    ('sys.path.append("..")', True),  # relative: to the file's folder, taken as the working directory
    ("pass", False),  # no project marker, no edit: `models` is not found, so nothing is known
    ('sys.path.append(os.environ["PROJECT_ROOT"])', False),  # a folder the source does not say
    ('if os.environ.get("X"):\n    sys.path.append("..")', False),  # an edit that may not run
])
def test_a_folder_the_script_puts_on_sys_path(tmp_path, edit, found):
    write(tmp_path, {"models/blocks.py": BAD_BLOCK, "scripts/train.py": SYS_PATH_SCRIPT.format(edit=edit)})
    line = SYS_PATH_SCRIPT.format(edit=edit).splitlines().index("y = conv_block(inp)") + 1
    result = check(tmp_path, "scripts/train.py")
    assert errors(result) == ([(os.path.join("scripts", "train.py"), line, "rank-mismatch")] if found else [])


@pytest.mark.parametrize("edit, found", [
    ('sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))', True),
    ("pass", False),  # `models` is nowhere to be found: the file is not a Keras file
])
def test_a_script_without_keras_imports_reaches_its_model_through_sys_path(tmp_path, edit, found):
    script = SYS_PATH_SCRIPT.format(edit=edit).replace("from tensorflow import keras\n", "")
    script = script.replace("inp = keras.Input((28, 28))\ny = conv_block(inp)", "y = conv_block(make_input())")
    blocks = BAD_BLOCK + "\n\ndef make_input():\n    return keras.Input((28, 28))\n"
    write(tmp_path, {"models/blocks.py": blocks, "scripts/train.py": script.replace(
        "import conv_block", "import conv_block, make_input")})
    line = script.splitlines().index("y = conv_block(make_input())") + 1
    result = check(tmp_path, "scripts/train.py")
    assert errors(result) == ([(os.path.join("scripts", "train.py"), line, "rank-mismatch")] if found else [])


def test_module_names_follow_the_package_layout(tmp_path):
    write(tmp_path, {"a/__init__.py": "", "a/b/__init__.py": "", "a/b/c.py": "", "top.py": ""})
    assert dotted_name(str(tmp_path / "a" / "b" / "c.py")) == "a.b.c"
    assert dotted_name(str(tmp_path / "a" / "b" / "__init__.py")) == "a.b"
    assert dotted_name(str(tmp_path / "top.py")) == "top"
    roots = search_roots(str(tmp_path / "a" / "b" / "c.py"))
    assert roots[:2] == [str(tmp_path), str(tmp_path / "a" / "b")]


def test_the_imported_modules_main_block_does_not_run(tmp_path):
    write(tmp_path, {
        "blocks.py": BAD_BLOCK + "\nif __name__ == '__main__':\n    conv_block(keras.Input((4,)))\n",
        "train.py": "from tensorflow import keras\nfrom blocks import conv_block\n"
                    "y = conv_block(keras.Input((8, 8, 1)))  # fine\n",
    })
    assert errors(check(tmp_path, "train.py")) == []
    # checked itself, blocks.py runs as __main__: its own bug is its own
    assert errors(check(tmp_path, "blocks.py")) == [("blocks.py", 5, "rank-mismatch")]


# ----------------------------------------------------------------------------- what cannot be followed


@pytest.mark.parametrize("blocks", [
    "def conv_block(x, filters=8:\n    pass\n",  # a syntax error there
    None,  # no such module
])
def test_unreadable_or_missing_modules_are_unknown(tmp_path, blocks):
    files = {"train.py": "from tensorflow import keras\nfrom blocks import conv_block\n"
                         "inp = keras.Input((28, 28))\ny = conv_block(inp)\nz = keras.layers.Dense(3)(y)\n"}
    if blocks is not None:
        files["blocks.py"] = blocks
    write(tmp_path, files)
    result = check(tmp_path, "train.py")
    assert result.findings == []
    assert shapes(result)[5] == [[None]]  # unknown rank: silently


def test_an_import_cycle_ends_and_reads_names_once_they_are_defined(tmp_path):
    # b imports a while b is loading: a sees b half-made (Python too); a's function reads b.WIDTH when it
    # is called, once b has it
    write(tmp_path, {
        "a.py": "from tensorflow import keras\nimport b\nWIDTH = 28\n\n\n"
                "def make():\n    return keras.Input((b.WIDTH, WIDTH))\n",
        "b.py": "from a import WIDTH as OTHER, make\nWIDTH = 5\n",
        "train.py": "from tensorflow import keras\nfrom b import OTHER, WIDTH, make\n"
                    "x = keras.layers.Dense(3)(keras.Input((OTHER,)))\n"
                    "y = keras.layers.Dense(3)(make())\n",
    })
    result = check(tmp_path, "train.py")
    assert result.findings == []
    got = shapes(result)
    assert [(None, 3)] in got[3] and [(None, 5, 3)] in got[4]


def test_a_name_read_from_a_module_still_loading_is_unknown(tmp_path):
    # (Python raises ImportError there: nothing after it runs, so nothing may be reported)
    write(tmp_path, {
        "a.py": "import b\nfrom b import WIDTH\nSIZE = WIDTH\n",
        "b.py": "import a\nWIDTH = 5\n",
        "train.py": "from tensorflow import keras\nimport b\nimport a\n"
                    "y = keras.layers.Dense(3)(keras.Input((a.SIZE, 2)))\n",
    })
    result = check(tmp_path, "train.py")
    assert result.findings == []
    assert not isinstance(shapes(result)[4][0][0][1], int)


def test_a_module_that_imports_the_checked_file_sees_unknowns(tmp_path):
    write(tmp_path, {
        "train.py": "from tensorflow import keras\nimport helper\nSIZE = 3\n"
                    "y = keras.layers.Dense(4)(keras.Input((helper.size(),)))\n",
        "helper.py": "import train\n\n\ndef size():\n    return train.SIZE + 1\n",
    })
    result = check(tmp_path, "train.py")
    # (Python runs train.py again as the module `train`, which calls helper.size() before helper defines
    # it: an AttributeError; the analysis leaves the checked file's names unknown to the modules it imports)
    assert result.findings == [] and not isinstance(shapes(result)[4][0][0][1], int)


def test_keras_and_the_standard_library_keep_their_names(tmp_path):
    # A local keras.py or math.py does not take the place of the real ones (as mypy resolves them).
    write(tmp_path, {"keras.py": "Input = None\n", "math.py": "def ceil(x):\n    return 1\n",
                     "train.py": "import math\nimport keras\nx = keras.Input((math.ceil(2.5), 4))\n"
                                 "y = keras.layers.Conv1D(4, 3)(x)\n"})
    result = check(tmp_path, "train.py")
    assert errors(result) == [("train.py", 4, "invalid-argument")] or shapes(result)[4] == [[(None, 1, 4)]]


# ----------------------------------------------------------------------------- findings per file


def test_what_fails_in_the_other_modules_top_level_is_its_own(tmp_path):
    write(tmp_path, {
        "blocks.py": BAD_BLOCK + "\nbroken = conv_block(keras.Input((5,)))\n",
        "train.py": "from tensorflow import keras\nfrom blocks import conv_block\n"
                    "ok = conv_block(keras.Input((8, 8, 1)))\n",
    })
    assert errors(check(tmp_path, "train.py")) == []
    assert errors(check(tmp_path, "blocks.py")) == [("blocks.py", 5, "rank-mismatch")]


def test_the_outermost_call_in_this_file_takes_the_finding_and_its_ignore_comment(tmp_path):
    write(tmp_path, {
        "blocks.py": BAD_BLOCK,
        "net.py": "from blocks import conv_block\n\n\ndef tower(x):\n    return conv_block(conv_block(x))\n",
        "train.py": "from tensorflow import keras\nfrom net import tower\n"
                    "a = tower(keras.Input((9, 9)))\n"
                    "b = tower(keras.Input((9, 7)))  # shapecheck: ignore[rank-mismatch]\n",
    })
    result = check(tmp_path, "train.py")
    assert errors(result) == [("train.py", 3, "rank-mismatch")]
    notes = [(n.span.path, n.span.line, n.message) for n in result.findings[0].notes]
    assert ("blocks.py", 5, REJECTED_THERE) in notes
    assert ("net.py", 5, "in the call made here") in notes  # the way there, through the other modules
    # the finding itself is that call: no call-site note for it
    assert not [n for n in notes if n[0] == "train.py" and n[2] == "in the call made here"]


def test_a_script_that_imports_no_keras_is_analysed_when_its_project_does(tmp_path):
    write(tmp_path, {
        "model.py": "from tensorflow import keras\n\n\ndef build():\n"
                    "    inp = keras.Input((13,))\n    return keras.Model(inp, keras.layers.Dense(1)(inp))\n",
        "wrapper.py": "from model import build as make\n",
        "train.py": "import numpy as np\nfrom wrapper import make\nm = make()\n"
                    "m.compile(loss='mse')\nm.fit(np.zeros((10, 14)), np.zeros((10, 1)))\n",
        "plain.py": "import numpy as np\nimport json\nfrom wrapper2 import x\n",
    })
    result = check(tmp_path, "train.py")
    assert errors(result) == [("train.py", 5, "data-shape-mismatch")]
    assert sorted(os.path.basename(p) for p, _ in result.dependencies) == ["model.py", "wrapper.py"]
    import ast

    tree = ast.parse((tmp_path / "plain.py").read_text())
    assert keras_dependencies(tree, str(tmp_path / "plain.py")) == (False, {})


def test_the_analysis_limit_reached_in_another_module_is_reported_at_this_files_import(tmp_path, monkeypatch):
    import shapecheck.frontend.interpreter as interpreter

    monkeypatch.setattr(interpreter, "MAX_STEPS", 200)
    write(tmp_path, {
        "slow.py": "total = 0\nfor i in range(1000):\n    total = total + i\n",
        "train.py": "from tensorflow import keras\n\nimport slow\n",
    })
    result = check(tmp_path, "train.py")
    assert [(f.span.path, f.span.line, f.code.name) for f in result.findings] == [
        ("train.py", 3, "analysis-limit")]


def test_a_class_of_another_module_is_a_base_class_here(tmp_path):
    write(tmp_path, {
        "base.py": """\
            from tensorflow import keras
            from tensorflow.keras import layers


            class Tower(keras.Model):
                def __init__(self, units=8, **kwargs):
                    super().__init__(**kwargs)
                    self.hidden = layers.Conv1D(units, 3)

                def call(self, x):
                    return self.head(self.hidden(x))
            """,
        "train.py": """\
            from tensorflow import keras
            from tensorflow.keras import layers
            from base import Tower


            class Classifier(Tower):
                def __init__(self, classes, **kwargs):
                    super().__init__(**kwargs)
                    self.head = layers.Dense(classes)


            out = Classifier(3)(keras.Input((10, 4)))
            bad = Classifier(3)(keras.Input((5,)))
            """,
    })
    result = check(tmp_path, "train.py")
    assert [(None, 8, 3)] in shapes(result)[12]
    assert errors(result) == [("train.py", 13, "rank-mismatch")]
    assert [(n.span.path, n.span.line) for n in result.findings[0].notes if n.message == REJECTED_THERE] == [
        ("base.py", 11)]
