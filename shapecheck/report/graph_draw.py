"""Draw a :class:`~shapecheck.report.graph.Picture` with matplotlib: SVG (text kept as text) and PNG.

matplotlib is imported here only, and used through its object API with the Agg canvas: no
pyplot, no window, no global state touched (its settings only inside ``rc_context``).
"""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path
from matplotlib.textpath import TextToPath

from .graph import Box, Edge, Picture
from .graph_layout import GAP_Y, layout

#: the red of a failing call (matplotlib's tab:red) and its fill
RED = "#d62728"
RED_FILL = "#fde8e8"
_STYLE = {  # kind -> (fill, border)
    "input": ("#e6f4e6", "#4c8c4a"),
    "layer": ("#eaf1fb", "#4a6fa5"),
    "model": ("#fff5db", "#b08a2e"),
    "op": ("#f2edfa", "#7a5ca8"),
    "method": ("#f2f2f2", "#777777"),
    "data": ("#f2f2f2", "#777777"),
}
TITLE_SIZE = 10.0
TEXT_SIZE = 8.5
LABEL_SIZE = 8.5
CAPTION_SIZE = 10.5
PAD_X, PAD_Y = 10.0, 7.0
LINE = 1.35  # line height, in font sizes
#: a finding's message is wrapped at this many characters, and cut after this many lines
WRAP, MAX_LINES = 60, 8
#: PNG: pixels per inch, and the most pixels either side may have (the SVG is never scaled)
PNG_DPI = 110.0
PNG_MAX_PIXELS = 16000

_measure = TextToPath()
_FONTS: dict[tuple[float, str], FontProperties] = {}


def _font(size: float, weight: str = "normal") -> FontProperties:
    key = (size, weight)
    if key not in _FONTS:
        _FONTS[key] = FontProperties(family="DejaVu Sans", size=size, weight=weight)
    return _FONTS[key]


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """The width of ``text`` in points, measured with the font matplotlib draws it in."""
    w, _, _ = _measure.get_text_width_height_descent(text, _font(size, weight), ismath=False)
    return w


def _lines(box: Box) -> list[tuple[str, float, str, str]]:
    """The lines of a box: (text, size, weight, colour)."""
    lines = [(box.title, TITLE_SIZE, "bold", "#1a1a1a")]
    lines.extend((n, TEXT_SIZE, "normal", "#333333") for n in box.notes)
    for f in box.findings:
        lines.append((f"{f.code.number} {f.code.name}", TEXT_SIZE, "bold", RED))
        wrapped = textwrap.wrap(f.message, WRAP) or [""]
        if len(wrapped) > MAX_LINES:
            wrapped = wrapped[:MAX_LINES - 1] + [wrapped[MAX_LINES - 1] + " …"]
        lines.extend((w, TEXT_SIZE, "normal", "#1a1a1a") for w in wrapped)
    return lines


def _size(lines: list[tuple[str, float, str, str]]) -> tuple[float, float]:
    w = max(text_width(t, s, wt) for t, s, wt, _ in lines)
    h = sum(s * LINE for _, s, _, _ in lines) - (LINE - 1) * lines[-1][1]
    return w + 2 * PAD_X, h + 2 * PAD_Y


def draw(pic: Picture, paths: list[str]) -> list[str]:
    """Write ``pic`` to each of ``paths`` (``.svg`` or ``.png``); notes for the user (a PNG scaled down)."""
    keys = sorted(pic.boxes, key=lambda k: pic.boxes[k].order)
    content = {k: _lines(pic.boxes[k]) for k in keys}
    sizes = {k: _size(content[k]) for k in keys}
    # a box is at least as wide as the tensors that leave it (their shapes), side by side
    out_labels: dict[str, dict[Any, str]] = {}
    for e in pic.edges:
        if e.src != e.dst:
            out_labels.setdefault(e.src, {})[_port(e)] = e.label
    label_w = {e.label: text_width(e.label, LABEL_SIZE) + 8 for e in pic.edges}
    for k, labels in out_labels.items():
        need = sum(label_w[x] for x in labels.values()) + 6 * (len(labels) - 1) + 8
        sizes[k] = (max(sizes[k][0], need), sizes[k][1])
    edges = [(e.src, e.dst) for e in pic.edges]
    lay = layout(keys, sizes, edges)

    caption = [(pic.title, CAPTION_SIZE, "bold", "#1a1a1a")]
    for f in pic.problems:
        caption.append((f"{f.code.number} {f.code.name}", TEXT_SIZE, "bold", RED))
        caption.extend((w, TEXT_SIZE, "normal", RED) for w in textwrap.wrap(f.message, 110)[:MAX_LINES])
    top = 12.0 + sum(s * LINE for _, s, _, _ in caption)
    # room on the right for the arcs of a shared layer called on its own output, and their shapes
    loops = 100.0 if any(s == t or turned for (s, t), turned in zip(edges, lay.reversed)) else 0.0
    width = max(lay.width + loops, max(text_width(t, s, wt) for t, s, wt, _ in caption) + 32)
    height = lay.height + top

    fig = Figure(figsize=(width / 72, height / 72), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)  # y downwards, in points: sizes and font sizes are in the same unit
    ax.set_axis_off()

    y = 10.0
    for t, s, wt, colour in caption:
        ax.text(16, y, t, fontproperties=_font(s, wt), color=colour, va="top", ha="left", parse_math=False)
        y += s * LINE

    left = (width - loops - lay.width) / 2  # the graph centred under a wider caption
    pos = {k: (x + left, yy + top) for k, (x, yy) in lay.boxes.items()}
    for k in keys:
        box = pic.boxes[k]
        x, yt = pos[k]
        w, h = sizes[k]
        fill, border = _STYLE.get(box.kind, _STYLE["layer"])
        failing = bool(box.findings)
        ax.add_patch(FancyBboxPatch((x - w / 2, yt), w, h, boxstyle="round,pad=0,rounding_size=5",
                                    facecolor=RED_FILL if failing else fill, edgecolor=RED if failing else border,
                                    linewidth=2.0 if failing else 1.0, zorder=2))
        ly = yt + PAD_Y
        for i, (t, s, wt, colour) in enumerate(content[k]):
            # the name centred, a finding's lines from the left
            ax.text(x if i == 0 else x - w / 2 + PAD_X, ly, t, fontproperties=_font(s, wt), color=colour, va="top",
                    zorder=3, ha="center" if i == 0 else "left", parse_math=False)
            ly += s * LINE

    _edges(ax, pic, lay, pos, sizes, out_labels, label_w, (left, top))

    notes = []
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "shapecheck"}):
        for path in paths:
            if path.endswith(".png"):
                dpi = min(PNG_DPI, PNG_MAX_PIXELS * 72 / max(width, height))
                if dpi < PNG_DPI:
                    notes.append(f"{path}: scaled down to fit {PNG_MAX_PIXELS} pixels; the SVG has it full size")
                fig.savefig(path, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
            else:
                fig.savefig(path, format="svg", facecolor="white", metadata={"Date": None})
    return notes


def _port(e: Edge) -> tuple[str, Any]:
    """Where an edge leaves its source: one place per tensor (per shape where tensors are not known)."""
    return (e.src, e.tensor if e.tensor is not None else e.label)


def _edges(ax: Any, pic: Picture, lay: Any, pos: dict, sizes: dict, out_labels: dict, label_w: dict,
           offset: tuple[float, float]) -> None:
    forward = [i for i, e in enumerate(pic.edges) if e.src != e.dst and not lay.reversed[i]]
    # where an edge leaves its source: one port per tensor, side by side under the box, in the order
    # of where they head
    heading: dict[tuple[str, Any], list[float]] = {}
    for i in forward:
        heading.setdefault(_port(pic.edges[i]), []).append(lay.paths[i][1][0])
    ports: dict[tuple[str, Any], float] = {}
    for k, labels in out_labels.items():
        order = sorted((p for p in heading if p[0] == k), key=lambda p: sum(heading[p]) / len(heading[p]))
        total = sum(label_w[labels[p]] for p in order) + 6 * (len(order) - 1)
        x = pos[k][0] - total / 2
        for p in order:
            w = label_w[labels[p]]
            ports[p] = x + w / 2
            x += w + 6
    # where it arrives: spread along the top of the target, in the order of where they come from
    arriving: dict[str, list[int]] = {}
    for i in forward:
        arriving.setdefault(pic.edges[i].dst, []).append(i)
    ends: dict[int, float] = {}
    for k, idx in arriving.items():
        idx.sort(key=lambda i: lay.paths[i][-2][0] + offset[0] if len(lay.paths[i]) > 2 else ports[_port(pic.edges[i])])
        w = sizes[k][0]
        for j, i in enumerate(idx):
            ends[i] = pos[k][0] + (j + 1) * w / (len(idx) + 1) - w / 2 if len(idx) > 1 else pos[k][0]
    labelled: set[tuple[str, Any]] = set()
    arrow: dict[str, Any] = {"arrowstyle": "-|>", "mutation_scale": 11, "color": "#555555", "linewidth": 1.0,
                             "zorder": 1, "shrinkA": 0, "shrinkB": 0}
    label_style: dict[str, Any] = {"fontproperties": _font(LABEL_SIZE), "color": "#333333", "va": "center",
                                   "zorder": 4, "parse_math": False,
                                   "bbox": {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"}}
    for i, e in enumerate(pic.edges):
        if e.src == e.dst or lay.reversed[i]:
            # a shared layer called on its own output (directly or further down): an arc on the right
            (xs, ys), (ws, hs) = pos[e.src], sizes[e.src]
            (xt, yt), (wt, ht) = pos[e.dst], sizes[e.dst]
            a = (xs + ws / 2, ys + hs * (0.7 if e.src == e.dst else 0.5))
            b = (xt + wt / 2, yt + ht * (0.3 if e.src == e.dst else 0.5))
            bulge = max(a[0], b[0]) + 34
            verts = [a, (bulge, a[1] + 14), (bulge, b[1] - 14), b]
            ax.add_patch(FancyArrowPatch(path=Path(verts, [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4]),
                                         **arrow))
            ax.text(bulge - 6, (a[1] + b[1]) / 2, e.label, ha="left", **label_style)
            continue
        pts = [(x + offset[0], y + offset[1]) for x, y in lay.paths[i]]
        pts[0] = (ports[_port(e)], pts[0][1])
        pts[-1] = (ends[i], pts[-1][1])
        ax.add_patch(FancyArrowPatch(path=Path(pts, [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1)), **arrow))
        if _port(e) in labelled:
            continue
        labelled.add(_port(e))
        if len(heading[_port(e)]) > 1 or len(out_labels[e.src]) > 1:
            # one tensor to several calls, or several tensors side by side: at the port, under the box
            lx, ly = pts[0][0], pts[0][1] + LABEL_SIZE * 1.2
        else:  # on the edge, halfway across the band
            (x0, y0), (x1, y1) = pts[0], pts[1]
            ly = y0 + GAP_Y / 2
            lx = x0 + (x1 - x0) * (ly - y0) / (y1 - y0) if y1 != y0 else x0
        ax.text(lx, ly, e.label, ha="center", **label_style)
