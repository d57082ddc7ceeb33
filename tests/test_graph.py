"""``--graph DIR``: the pictures of the models (shapecheck/report/graph*.py).

The pictures are read back as a user's tools would: the SVG with an XML parser (its <text>
elements and the red outline of the failing call, in its own coordinates), the PNG with
matplotlib's image reader. What they must show comes from elsewhere: the layer names and output
shapes from the summary (``FileResult.models``, compared with Keras's own summary in
tests/test_summary.py), the failing calls from the findings.
"""

from __future__ import annotations

import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import shapecheck.report

from shapecheck.api import check_file, check_source
from shapecheck.cli import main
from shapecheck.core.ir import ModelRef
from shapecheck.core.summary import show_output_shape
from shapecheck.report import graph_draw, graph_layout
from shapecheck.report.graph import INSTALL_HINT, pictures, shape_text, write_graphs
from tests.fixtures_support import FIXTURES

SVG = "{http://www.w3.org/2000/svg}"
RED = graph_draw.RED

DEMO = sorted((FIXTURES / "demo").glob("*.py"))
VALID = sorted((FIXTURES / "valid").glob("*.py"))
# every third invalid program, and those whose failing call is of a kind of its own: a model called
# on the wrong tensors (in no model), a constructor Keras rejects, an Input, an op, fit's data,
# a model that cannot reach its inputs
_INVALID = sorted((FIXTURES / "invalid").glob("*.py"))
INVALID = sorted(set(_INVALID[::3]) | {FIXTURES / "invalid" / n for n in (
    "multi_input_model_one_tensor.py", "batch_input_shape_keras3.py", "permute_not_a_permutation.py",
    "input_negative_dimension.py", "ops_matmul_inner_dims.py", "train_mnist_categorical_int_labels.py",
    "model_missing_an_input.py", "model_called_on_wrong_width.py", "shared_conv_rgb_and_gray.py",
    "subclassed_model_wrong_input.py")})


# ----------------------------------------------------------------------------- reading an SVG
def svg_root(path: str) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg", root.tag
    return root


def svg_texts(root: ET.Element) -> list[tuple[str, float, float]]:
    """Every <text>: its content and position."""
    return [("".join(t.itertext()), float(t.get("x", "nan")), float(t.get("y", "nan")))
            for t in root.iter(f"{SVG}text")]


def svg_red_boxes(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """The bounding boxes (x0, y0, x1, y1) of the closed shapes outlined in red."""
    boxes = []
    for p in root.iter(f"{SVG}path"):
        style = p.get("style", "")
        if re.search(rf"stroke:\s*{RED}", style) and p.get("d", "").rstrip().endswith("z"):
            nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", p.get("d", ""))]
            xs, ys = nums[0::2], nums[1::2]
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def inside(box: tuple[float, float, float, float], x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _flat(v: Any) -> list:
    if isinstance(v, dict):
        v = list(v.values())
    return [x for e in v for x in _flat(e)] if isinstance(v, (list, tuple)) else [v]


def consumed_layers(result: Any) -> set[str]:
    """The layers (ids) whose output some other top-level call reads: their shape flows along an edge."""
    nodes = result.graph.nodes
    out = set()
    for n in nodes:
        if n.replay or n.traced:
            continue
        for r in n.tensor_refs():
            m = nodes[r.node]
            if m.layer_id and not m.replay and not m.traced and m.kind in ("layer", "input"):
                out.add(m.layer_id)
    return out


# ----------------------------------------------------------------------------- every fixture
#: pictures that do not yet draw what the summary lists (known gaps of report/graph.py, strict: a fix
#: makes them fail until removed from here)
_PICTURE_GAPS = {
}


def _with_gaps(paths: list[Path]) -> list:
    return [pytest.param(p, marks=pytest.mark.xfail(reason=_PICTURE_GAPS[p.name], strict=True))
            if p.name in _PICTURE_GAPS else p for p in paths]


@pytest.mark.parametrize("path", _with_gaps(DEMO + VALID + INVALID), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_pictures(path: Path, tmp_path: Path) -> None:
    """One SVG per model (and per failing call in no model), valid XML; each layer of a model's summary
    by Keras's name and class, each shape that flows out of a layer into another, each finding's code
    inside a red box that also holds the failing call's name."""
    result = check_file(str(path))
    pics = pictures(result)
    written = write_graphs([result], str(tmp_path), ("svg",))
    assert len(written) == len(pics) >= len(result.models)
    assert len(set(written)) == len(written)
    assert all(Path(p).parent == tmp_path and p.endswith(".svg") and Path(p).stem.startswith(path.stem + ".")
               for p in written)
    roots = [svg_root(p) for p in written]
    flowing = consumed_layers(result)
    for m, root in zip(result.models, roots):  # the models come first, in the summary's order
        texts = {t for t, _, _ in svg_texts(root)}
        ref = m.ref
        if m.kind == "subclassed" and not isinstance(ref, ModelRef):  # one box, its layers listed inside
            for row in m.layers or []:
                assert f"{row.name} ({row.layer}): {show_output_shape(row.output_shape)}" in texts, row
            continue
        if not isinstance(ref, ModelRef) or m.layers is None:
            continue
        if ref.kind == "functional":
            outputs = {result.graph.nodes[r.node].layer_id for r in _flat(ref.outputs)}
        else:
            outputs = {m.layers[-1].layer_id} if m.layers else set()
        for row in m.layers:
            if row.layer_id in outputs:
                continue  # its shape leaves the model: no edge (unless data meets it)
            if row.name and row.layer and not (ref.kind == "sequential" and row.layer in ("Functional", "Sequential")):
                assert f"{row.name} ({row.layer})" in texts, (m.variable, row)
            if row.output_shape is not None and row.layer_id in flowing and row.layer not in ("InputLayer",):
                # several outputs: each an edge of its own (at least one of them read by another call)
                shapes = row.output_shape if isinstance(row.output_shape, list) else [row.output_shape]
                assert any(show_output_shape(s) in texts for s in shapes), (m.variable, row)
    # every finding about a call: in red, with its code, in a box that names the call
    all_texts = [(t, x, y, i) for i, root in enumerate(roots) for t, x, y in svg_texts(root)]
    for f in result.findings:
        if f.node is None or f.level == "note":
            continue
        label = f"{f.code.number} {f.code.name}"
        where = [(x, y, i) for t, x, y, i in all_texts if t == label]
        assert where, (label, written)
        if result.graph.nodes[f.node].kind == "model":
            # a finding about a whole model is in its caption, in red
            assert any("".join(t.itertext()) == label and re.search(rf"fill:\s*{RED}", t.get("style", ""))
                       for root in roots for t in root.iter(f"{SVG}text")), (label, written)
            continue
        n = result.graph.nodes[f.node]
        named = []  # for each red box with this code: whether it also names the failing call
        for x, y, i in where:
            reds = [b for b in svg_red_boxes(roots[i]) if inside(b, x, y)]
            assert reds, (label, written[i])  # every box with a code is a red one
            titles = [t for t, tx, ty, j in all_texts if j == i and inside(reds[0], tx, ty)]
            named.append(any(t.startswith(f"{n.name} (") for t in titles))
        if n.kind == "layer" and n.name and not (n.traced or n.replay):  # else: the call it is inside
            assert any(named), (label, n)
        assert f.message.split()[0] in {w for t, _, _, _ in all_texts for w in t.split()}


def test_shared_layer_is_one_box_with_an_edge_per_call(tmp_path: Path) -> None:
    path = FIXTURES / "invalid" / "shared_conv_rgb_and_gray.py"
    result = check_file(str(path))
    [svg] = write_graphs([result], str(tmp_path), ("svg",))
    texts = [t for t, _, _ in svg_texts(svg_root(svg))]
    assert texts.count("stem (Conv2D)") == 1
    # both inputs reach it, with their shapes as the analysis found them
    shapes = {e["refs"][0]: e["outputs"][0] for e in result.shapes if e["layer"] == "keras.layers.InputLayer"}
    assert sorted(shape_text(t) for t in shapes.values()) == ["(None, 64, 64, 1)", "(None, 64, 64, 3)"]
    for t in shapes.values():
        assert shape_text(t) in texts
    # a shared Dense called on both embeddings, its two outputs into one Dot: two edges, each with its shape
    result = check_file(str(FIXTURES / "valid" / "siamese_shared_encoder.py"))
    [_, siamese] = pictures(result)
    dense = [b.key for b in siamese.boxes.values() if b.title == "dense_1 (Dense)"]
    dot = [b.key for b in siamese.boxes.values() if b.title == "dot (Dot)"]
    assert len(dense) == len(dot) == 1
    assert len([e for e in siamese.edges if (e.src, e.dst) == (dense[0], dot[0])]) == 2
    _, svg = write_graphs([result], str(tmp_path / "siamese"), ("svg",))
    texts = [t for t, _, _ in svg_texts(svg_root(svg))]
    assert texts.count("dense_1 (Dense)") == 1 and texts.count("(None, 16)") == 2


def test_png_files(tmp_path: Path) -> None:
    """PNG: the signature, readable by matplotlib, a sensible size, red where (and only where) a call fails."""
    import matplotlib.image

    for path in DEMO:
        result = check_file(str(path))
        written = write_graphs([result], str(tmp_path), ("png",))
        for p, pic in zip(written, pictures(result)):
            with open(p, "rb") as fh:
                assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
            image = matplotlib.image.imread(p)
            h, w = image.shape[:2]
            assert 100 < h <= graph_draw.PNG_MAX_PIXELS and 100 < w <= graph_draw.PNG_MAX_PIXELS
            r, g, b = image[..., 0], image[..., 1], image[..., 2]
            red = ((abs(r - 0xD6 / 255) < 0.04) & (abs(g - 0x27 / 255) < 0.04) & (abs(b - 0x28 / 255) < 0.04)).sum()
            failing = any(box.findings for box in pic.boxes.values())
            assert (red > 50) == failing, (p, red)


# ----------------------------------------------------------------------------- geometry
LAYOUT_CASES = [FIXTURES / "valid" / n for n in ("unet_small.py", "resnet_blocks.py", "siamese_shared_encoder.py",
                                                  "multi_input_multi_output.py", "nested_models.py")]


@pytest.mark.parametrize("path", LAYOUT_CASES, ids=lambda p: p.name)
def test_layout_no_overlap_arrows_down(path: Path) -> None:
    for pic in pictures(check_file(str(path))):
        keys = sorted(pic.boxes, key=lambda k: pic.boxes[k].order)
        sizes = {k: graph_draw._size(graph_draw._lines(pic.boxes[k])) for k in keys}
        edges = [(e.src, e.dst) for e in pic.edges]
        lay = graph_layout.layout(keys, sizes, edges)
        rects = {k: (x - sizes[k][0] / 2, y, x + sizes[k][0] / 2, y + sizes[k][1]) for k, (x, y) in lay.boxes.items()}
        items = list(rects.items())
        for i, (a, ra) in enumerate(items):
            assert ra[0] >= 0 and ra[1] >= 0 and ra[2] <= lay.width and ra[3] <= lay.height
            for b, rb in items[i + 1:]:
                overlap = ra[0] < rb[2] and rb[0] < ra[2] and ra[1] < rb[3] and rb[1] < ra[3]
                assert not overlap, (a, b)
        for (s, t), points, turned in zip(edges, lay.paths, lay.reversed):
            assert not turned and s != t  # these models have no layer called on its own output
            ys = [y for _, y in points]
            assert ys == sorted(ys) and ys[0] == rects[s][3] and ys[-1] == rects[t][1], (s, t, points)
            # a long edge passes each rank between beside the boxes there, not through them
            for (x0, y0), (x1, y1) in zip(points[1:-2], points[2:-1]):
                if x0 == x1:
                    xm, ym = x0, (y0 + y1) / 2
                    assert not any(r[0] < xm < r[2] and r[1] < ym < r[3] for r in rects.values()), (s, t)


def test_layer_called_on_its_own_output(tmp_path: Path) -> None:
    """Shared layers that make a cycle of boxes (d(d(x)), d(e(d(x)))): drawn once each, no crash."""
    source = ("import keras\nfrom keras import layers\n\ninputs = keras.Input(shape=(8,))\nd = layers.Dense(8)\n"
              "e = layers.Dense(8)\nx = d(d(inputs))\nx = d(e(x))\nmodel = keras.Model(inputs, x)\n")
    result = check_source(source, "loops.py")
    [pic] = pictures(result)
    assert len(pic.boxes) == 3 and any(e.src == e.dst for e in pic.edges)
    [svg, png] = write_graphs([result], str(tmp_path))
    texts = [t for t, _, _ in svg_texts(svg_root(svg))]
    assert texts.count("dense (Dense)") == 1 and texts.count("dense_1 (Dense)") == 1
    assert texts.count("(None, 8)") >= 3


def test_large_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of layers: every one drawn in the SVG; the PNG within its bound, and the user told."""
    source = ("import keras\nfrom keras import layers\n\ninputs = keras.Input(shape=(16,))\nx = inputs\n"
              "for i in range(200):\n    x = layers.Dense(16)(x)\nmodel = keras.Model(inputs, x)\n")
    result = check_source(source, "deep.py")
    notes: list[str] = []
    started = time.monotonic()
    svg, png = write_graphs([result], str(tmp_path), notes=notes)
    elapsed = time.monotonic() - started
    texts = {t for t, _, _ in svg_texts(svg_root(svg))}
    assert {f"dense_{i} (Dense)" for i in range(1, 200)} <= texts and "dense (Dense)" in texts
    import matplotlib.image

    h, w = matplotlib.image.imread(png).shape[:2]
    assert max(h, w) <= graph_draw.PNG_MAX_PIXELS
    assert notes == [f"{png}: scaled down to fit {graph_draw.PNG_MAX_PIXELS} pixels; the SVG has it full size"]
    assert elapsed < 60
    # past MAX_BOXES (1,500 layers: minutes to draw, and unreadable), a note instead of the picture
    import shapecheck.report.graph as graph

    notes.clear()
    monkeypatch.setattr(graph, "MAX_BOXES", 150)
    assert write_graphs([result], str(tmp_path / "none"), notes=notes) == []
    # 200 Dense and the InputLayer
    assert notes == ["deep.py: model has 201 layers, more than --graph draws (150); --summary lists them"]


# ----------------------------------------------------------------------------- the command
def test_cli_graph_keeps_report_and_status(tmp_path: Path) -> None:
    runner = CliRunner()
    target = str(FIXTURES / "demo")
    plain = runner.invoke(main, [target])
    out = tmp_path / "pictures"
    drawn = runner.invoke(main, ["--graph", str(out), target])
    assert drawn.exit_code == plain.exit_code == 1
    assert drawn.stdout == plain.stdout
    listed = drawn.stderr.splitlines()
    expected = sorted(str(out / f"{p.stem}.model.{fmt}") for p in DEMO for fmt in ("svg", "png"))
    assert sorted(listed) == expected
    assert all(os.path.getsize(p) > 0 for p in listed)


def test_cli_graph_format_and_no_model(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["--graph", str(tmp_path / "a"), "--graph-format", "svg",
                               str(FIXTURES / "demo" / "classifier.py")])
    assert res.exit_code == 0
    assert res.stderr.splitlines() == [str(tmp_path / "a" / "classifier.model.svg")]
    assert os.listdir(tmp_path / "a") == ["classifier.model.svg"]
    plain = tmp_path / "plain.py"
    plain.write_text("print('no keras here')\n")
    res = runner.invoke(main, ["--graph", str(tmp_path / "b"), str(plain)])
    assert res.exit_code == 0
    assert "no model found" in res.stderr
    assert os.listdir(tmp_path / "b") == []


def test_cli_graph_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the graph extra: exit 2 before any analysis, saying what to install."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    # as in a new process: the drawing module not imported yet
    monkeypatch.delitem(sys.modules, "shapecheck.report.graph_draw", raising=False)
    monkeypatch.delattr(shapecheck.report, "graph_draw", raising=False)
    res = CliRunner().invoke(main, ["--graph", str(tmp_path / "g"), str(FIXTURES / "demo")])
    assert res.exit_code == 2
    assert INSTALL_HINT in res.stderr
    assert res.stdout == "" and not (tmp_path / "g").exists()


def test_cli_graph_dir_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("")
    res = CliRunner().invoke(main, ["--graph", str(target), str(FIXTURES / "demo" / "classifier.py")])
    assert res.exit_code == 2
    assert "not a directory" in res.stderr or "is a file" in res.stderr


def test_unique_file_names(tmp_path: Path) -> None:
    """Two models held by one variable name: two files."""
    result = check_file(str(FIXTURES / "valid" / "sequential_add_input_shape.py"))
    written = write_graphs([result], str(tmp_path), ("svg",))
    names = [Path(p).name for p in written]
    assert len(set(names)) == len(names) == len(pictures(result))
    assert "sequential_add_input_shape.model.svg" in names and "sequential_add_input_shape.model-2.svg" in names


# ----------------------------------------------------------------------------- the progress bar
def test_progress_wanted_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from shapecheck.report.progress import wanted

    class Stream:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    for var in ("CI", "TERM", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    assert wanted(stream=Stream(True))  # type: ignore[arg-type]
    assert not wanted(stream=Stream(False))  # type: ignore[arg-type]
    assert not wanted(quiet=True, stream=Stream(True))  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")  # no colour is not no progress
    assert wanted(stream=Stream(True))  # type: ignore[arg-type]
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(stream=Stream(True))  # type: ignore[arg-type]
    monkeypatch.delenv("TERM")
    monkeypatch.setenv("CI", "true")
    assert not wanted(stream=Stream(True))  # type: ignore[arg-type]


def _many_files(root: Path, n: int = 40) -> Path:
    """``n`` different Keras programs (different, so that no cache of results makes the run short)."""
    import uuid

    text = (FIXTURES / "valid" / "unet_small.py").read_text()
    folder = root / "src"
    folder.mkdir()
    for i in range(n):
        (folder / f"m{i:02d}.py").write_text(f"# {uuid.uuid4()}\n{text}")
    return folder


def _run_shapecheck(folder: Path, env: dict[str, str], *, terminal: bool) -> tuple[int, bytes, bytes]:
    """``shapecheck folder`` with standard error on a pseudo-terminal (or a pipe); exit status, what
    the terminal (or pipe) got, standard output."""
    import pty
    import subprocess

    from tests.fixtures_support import ROOT

    env = {**env, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}  # a long path must not hide the count
    args = [sys.executable, "-m", "shapecheck", str(folder)]
    if not terminal:
        proc = subprocess.run(args, capture_output=True, env=env, timeout=300)
        return proc.returncode, proc.stderr, proc.stdout
    master, slave = pty.openpty()
    proc2 = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child's side is closed
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc2.communicate(timeout=300)
    os.close(master)
    return proc2.returncode, b"".join(chunks), out


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals")
def test_progress_bar_on_a_terminal_not_in_ci_nor_piped(tmp_path: Path) -> None:
    """A run of a few seconds: the bar (its "Checking" and file count) on a terminal, erased at the end;
    nothing with CI set or with standard error piped; the report on standard output the same."""
    folder = _many_files(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env["TERM"] = "xterm-256color"
    status, term, out = _run_shapecheck(folder, env, terminal=True)
    assert status == 0, term
    assert b"Checking" in term and b"/40" in term
    assert b"\x1b[2K" in term[term.rindex(b"Checking"):]  # transient: the line is cleared when done
    assert b"Checking" not in out
    ci_status, ci_term, ci_out = _run_shapecheck(folder, {**env, "CI": "true"}, terminal=True)
    assert ci_status == 0 and b"Checking" not in ci_term and ci_out == out
    piped_status, piped_err, piped_out = _run_shapecheck(folder, env, terminal=False)
    assert piped_status == 0 and piped_err == b"" and piped_out == out


def test_readme_picture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's command makes the picture it shows (same file name, about the same size)."""
    import matplotlib.image

    from tests.fixtures_support import ROOT

    readme = (ROOT / "README.md").read_text()
    [command] = re.findall(r"^shapecheck --graph .*$", readme, re.MULTILINE)
    [image] = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+)\)", readme)
    args = command.split()[1:]
    directory = args[args.index("--graph") + 1]
    args[args.index("--graph") + 1] = str(tmp_path)
    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(main, args)
    assert res.stderr.splitlines() == [str(tmp_path / Path(image).name)]
    assert Path(image).parent == Path(directory)
    made = matplotlib.image.imread(str(tmp_path / Path(image).name)).shape
    shown = matplotlib.image.imread(str(ROOT / image)).shape
    assert abs(made[0] - shown[0]) <= 0.1 * shown[0] and abs(made[1] - shown[1]) <= 0.1 * shown[1]


def test_odd_names_stay_text(tmp_path: Path) -> None:
    """Names with TeX dollars, XML's own characters and quotes: written as they are, not as math."""
    name = 'x$a_b$ <&> "q"'
    source = ("import keras\nfrom keras import layers\n\ninputs = keras.Input(shape=(8,))\n"
              f"x = layers.Dense(4, name={name!r})(inputs)\nx = layers.Reshape((3, 3))(x)\n"
              "model = keras.Model(inputs, x)\n")
    result = check_source(source, "odd.py")
    assert result.findings and result.findings[0].node is not None
    svg, png = write_graphs([result], str(tmp_path))
    texts = [t for t, _, _ in svg_texts(svg_root(svg))]
    assert f"{name} (Dense)" in texts


def test_random_programs_never_break_the_pictures() -> None:
    """The random Keras-in-Python programs of tests/test_never_crash.py: pictures and their layout
    for each, whatever the code does (boxes apart, forward edges downwards)."""
    from hypothesis import HealthCheck, given, settings

    from tests.test_never_crash import programs

    @settings(max_examples=8, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(programs())
    def check(source: str) -> None:
        result = check_source(source, "generated.py")
        for pic in pictures(result):
            assert all(e.src in pic.boxes and e.dst in pic.boxes for e in pic.edges)
            keys = sorted(pic.boxes, key=lambda k: pic.boxes[k].order)
            sizes = {k: graph_draw._size(graph_draw._lines(pic.boxes[k])) for k in keys}
            lay = graph_layout.layout(keys, sizes, [(e.src, e.dst) for e in pic.edges])
            rects = [(x - sizes[k][0] / 2, y, x + sizes[k][0] / 2, y + sizes[k][1]) for k, (x, y) in lay.boxes.items()]
            for i, a in enumerate(rects):
                for b in rects[i + 1:]:
                    assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
            for points, turned in zip(lay.paths, lay.reversed):
                ys = [y for _, y in points]
                assert turned or len(points) == 3 or ys == sorted(ys)

    check()


def test_layout_of_random_graphs() -> None:
    """Any graph of boxes, cycles and self-loops included: boxes never overlap, every edge is routed
    from its source to its target, forward edges downwards, and they cross the ranks between beside
    the boxes."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None, database=None)
    @given(st.integers(1, 14).flatmap(lambda n: st.tuples(
        st.lists(st.tuples(st.integers(20, 200), st.integers(16, 80)), min_size=n, max_size=n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))))
    def check(graph: tuple) -> None:
        boxes, pairs = graph
        keys = [f"b{i}" for i in range(len(boxes))]
        sizes = {k: (float(w), float(h)) for k, (w, h) in zip(keys, boxes)}
        edges = [(keys[a], keys[b]) for a, b in pairs]
        lay = graph_layout.layout(keys, sizes, edges)
        rects = {k: (x - sizes[k][0] / 2, y, x + sizes[k][0] / 2, y + sizes[k][1]) for k, (x, y) in lay.boxes.items()}
        assert set(rects) == set(keys)
        items = list(rects.values())
        for i, a in enumerate(items):
            assert a[0] >= 0 and a[2] <= lay.width + 1e-6 and a[3] <= lay.height + 1e-6
            for b in items[i + 1:]:
                assert not (a[0] < b[2] - 1e-6 and b[0] < a[2] - 1e-6 and a[1] < b[3] and b[1] < a[3])
        assert len(lay.paths) == len(edges)
        for (s, t), points, turned in zip(edges, lay.paths, lay.reversed):
            if s == t:
                continue
            (xs, _), (xt, _) = lay.boxes[s], lay.boxes[t]
            if turned:  # closes a cycle: from the top of the source up to the bottom of the target
                assert points[0] == (xs, rects[s][1]) and points[-1] == (xt, rects[t][3])
            else:
                assert points[0] == (xs, rects[s][3]) and points[-1] == (xt, rects[t][1])
            ys = [y for _, y in points]
            assert ys == sorted(ys, reverse=turned)
            for (x0, y0), (x1, y1) in zip(points[1:-2], points[2:-1]):
                if x0 == x1:  # through a rank between: beside its boxes
                    xm, ym = x0, (y0 + y1) / 2
                    assert not any(r[0] < xm < r[2] and r[1] < ym < r[3] for r in rects.values())

    check()


def test_progress_bar_of_the_runtime_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--runtime``'s replay counts the files it replays on the bar (a stand-in for the Keras worker,
    which takes seconds to start, and a terminal that is a buffer)."""
    import io

    import shapecheck.runtime as runtime
    from shapecheck import cli
    from shapecheck.api import Report
    from shapecheck.runtime import FileRuntime, RuntimeReport

    def verify(report: Any, settings: Any) -> Any:
        time.sleep(0.25)
        rt = RuntimeReport("stand-in", "3.x", "CPU")
        for file in report.files:
            rt.files[file.path] = FileRuntime([], [])
        return rt

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(runtime, "verify", verify)
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm-256color")
    report = Report([check_file(str(p)) for p in DEMO])
    checked, stopped = cli.replay(report, None, progress=True)
    assert stopped is None and sorted(checked.files) == sorted(f.path for f in report.files)
    shown = terminal.getvalue()
    assert "Replaying with Keras" in shown and f"{len(DEMO)}/{len(DEMO)}" in shown
    terminal.seek(0)
    terminal.truncate()
    cli.replay(report, None, progress=False)
    assert terminal.getvalue() == ""
