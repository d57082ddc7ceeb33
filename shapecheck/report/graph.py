"""``--graph DIR``: a picture of every model the code builds, like Keras's ``plot_model(show_shapes=True)``.

One box per layer (``conv2d (Conv2D)``; a shared layer once, with an edge per call; a nested
model as one box, as ``plot_model`` draws it by default), ``InputLayer`` boxes for the inputs,
edges from top to bottom labelled with the shape that flows (as Keras prints it, ``?`` when
unknown), and the failing call in red with its finding. A failing call that is in no model (the
model it was meant for was never built, or it is not used by one) gets a picture of its own:
the part of the graph that leads to it.

This module turns a :class:`FileResult` into :class:`Picture` s (stdlib only: boxes, edges,
findings); :mod:`.graph_layout` places them and :mod:`.graph_draw` draws them with matplotlib,
imported only when a picture is written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..core.findings import FileResult, Finding
from ..core.ir import ModelRef, Node, TensorRef
from ..core.shapes import show_shape
from ..core.summary import ModelSummary, show_output_shape

#: what ``--graph`` needs besides shapecheck itself
INSTALL_HINT = "pip install 'keras-shapecheck[graph]'"
FORMATS = ("svg", "png")
#: a picture of more boxes is not drawn (a note says so): it would take minutes and no one could read it
MAX_BOXES = 1500


@dataclass
class Box:
    """One layer, op, input or model call."""

    key: str
    title: str
    #: "input" | "layer" | "op" | "model" | "method" | "data"
    kind: str
    #: the findings of the call this box stands for (drawn in red)
    findings: list[Finding] = field(default_factory=list)
    #: the smallest IR node id behind the box: the order of boxes within a rank
    order: int = 0
    #: more to say in the box, a line each (a subclassed model's layers)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    #: the shape of the tensor that flows, as Keras prints it
    label: str
    #: the tensor (node, output index): two tensors between the same boxes (a shared layer's two
    #: calls feeding one merge) are two edges; the same tensor twice (``x + x``) is one
    tensor: Optional[tuple[int, int]] = None


@dataclass
class Picture:
    """What one file of ``--graph`` shows: a model, or the graph that leads to a failing call."""

    #: the part of the file name after the source file's stem (made safe and unique later)
    name: str
    #: the caption: what it is and where it was built
    title: str
    boxes: dict[str, Box] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    #: findings about the model as a whole (e.g. a model built from tensors it cannot reach)
    problems: list[Finding] = field(default_factory=list)
    #: IR node id -> the key of the box it is drawn in
    node_box: dict[int, str] = field(default_factory=dict)
    #: the model's layer id (``None``: a failing call's own picture)
    model_id: Optional[str] = None
    #: the boxes whose outputs are the model's outputs, and their shapes
    outputs: list[tuple[str, str]] = field(default_factory=list)

    def add_box(self, box: Box) -> Box:
        have = self.boxes.get(box.key)
        if have is None:
            self.boxes[box.key] = box
            return box
        have.order = min(have.order, box.order)
        return have

    def add_edge(self, edge: Edge) -> None:
        if edge not in self.edges:
            self.edges.append(edge)


def shape_text(tensor: Any) -> str:
    """A tensor type's shape as Keras prints it; ``?`` when the tensor or its rank is unknown."""
    if tensor is None or getattr(tensor, "shape", None) is None:
        return "?"
    return show_shape(tensor.shape)


@dataclass
class _Call:
    """A Keras-level call whose IR nodes are not layers of the calling graph: a nested model, a
    subclassed layer, a wrapper (``Lambda``, ``TimeDistributed``)."""

    key: str
    title: str
    kind: str
    #: the tensors it was called on (``None``: found by walking back through its inner nodes)
    inputs: Optional[list[TensorRef]]
    node: Optional[int] = None
    #: the layers (ids) whose own nodes the call made: a Sequential's first call, which builds it
    members: frozenset = frozenset()


def _short_class(op: str) -> str:
    return op.rsplit(".", 1)[-1]


def _titled(name: Optional[str], cls: Optional[str]) -> str:
    """Keras's ``name (Class)``; whichever part is known."""
    if name and cls:
        return f"{name} ({cls})"
    return name or cls or "?"


def _model_class(ref: Any) -> str:
    kind = getattr(ref, "kind", None)
    return {"functional": "Functional", "sequential": "Sequential"}.get(kind or "", "Model")


class _Graph:
    """The IR of one file, read for pictures: the shape of each tensor, the calls that hide
    their inner nodes, the names the summary knows."""

    def __init__(self, result: FileResult) -> None:
        self.result = result
        self.nodes: list[Node] = list(result.graph.nodes) if result.graph is not None else []
        self.types: dict[TensorRef, Any] = {}
        self.calls: dict[TensorRef, _Call] = {}
        #: layer id -> (name, class) as the summary shows it; class -> the layer ids of that class
        self.names: dict[str, tuple[Optional[str], Optional[str]]] = {}
        self.of_class: dict[str, set[str]] = {}
        for m in result.models:
            for row in m.layers or []:
                if row.layer_id is not None:
                    self.names.setdefault(row.layer_id, (row.name, row.layer))
                    if row.layer:
                        self.of_class.setdefault(row.layer, set()).add(row.layer_id)
        methods: dict[Any, list[Node]] = {}
        for n in self.nodes:
            if n.kind == "method" and n.op.endswith(".__call__") and n.span is not None:
                methods.setdefault(n.span, []).append(n)
        # The shapes are recorded per Keras-level call, innermost first: an outer call (the
        # model a helper's layers run in) overrides the inner ones it hides.
        for entry in result.shapes:
            refs = [r for r in entry.get("refs") or () if isinstance(r, TensorRef)]
            for r, t in zip(entry.get("refs") or (), entry.get("outputs") or ()):
                if isinstance(r, TensorRef):
                    self.types[r] = t
            if not refs:
                continue
            call = self._call(entry, refs, methods)
            if call is None:
                continue
            for r in refs:
                # a model's call: its outputs, even where its first call made its layers' own nodes
                if call.kind == "model" or self._inside(r, entry["layer"]):
                    self.calls[r] = call

    def _inside(self, ref: TensorRef, label: str) -> bool:
        """Whether ``ref`` comes from a node that only exists inside a call labelled ``label``."""
        if ref.node >= len(self.nodes):
            return False
        return self._flagged(ref) and self.nodes[ref.node].op != label

    def _call(self, entry: dict, refs: list[TensorRef], methods: dict) -> Optional[_Call]:
        label = entry["layer"]
        first = min(r.node for r in refs)
        candidates = [m for m in methods.get(entry["span"], []) if m.id < first]
        if not candidates and not any(self._inside(r, label) for r in refs):
            if label.startswith("keras."):
                return self._building_call(refs)
            return None
        if candidates and label.startswith("keras."):
            m = max(candidates, key=lambda m: m.id)
            ref = m.config.get("model")
            name = getattr(ref, "name", None) or m.name
            key = m.layer_id or f"n{m.id}"
            return _Call(key, _titled(name, _model_class(ref)), "model", m.tensor_refs(), m.id)
        short = label[:-2] if label.endswith("()") else _short_class(label)
        if not short[:1].isupper():
            return None  # a helper function of the analysed code: its layers are drawn as they are
        ids = self.of_class.get(short, set())
        if len(ids) == 1:  # the one layer of its class the models hold: its name and identity
            [lid] = ids
            return _Call(lid, _titled(self.names[lid][0], short), "layer", None)
        return _Call(f"call{first}", short, "layer", None)

    def _building_call(self, refs: list[TensorRef]) -> Optional[_Call]:
        """A model's call recorded without a call of its own: the first call of a ``Sequential`` made
        its layers' nodes there. The model is the one whose layers made ``refs``."""
        made = {self.nodes[r.node].layer_id for r in refs if r.node < len(self.nodes)}
        for m in self.result.models:
            ref = m.ref
            if not isinstance(ref, ModelRef) or ref.kind != "sequential":
                continue
            members = frozenset(getattr(layer, "layer_id", None) for layer in ref.layers) - {None}
            if made and made <= members:
                name, cls = self.names.get(ref.layer_id, (None, None))
                return _Call(ref.layer_id, _titled(name or ref.name, cls or "Sequential"), "model", None,
                             members=members)
        return None

    # -- the producer of a tensor ----------------------------------------------------
    def producer(self, ref: TensorRef, stop: frozenset,
                 rows: frozenset = frozenset()) -> tuple[Box, list[TensorRef], list[int]]:
        """The box that made ``ref``, the tensors it was called on, the IR nodes it stands for.
        ``rows``: the layer ids the drawn model's summary lists; a model's call whose own layers it
        lists one by one (``keras.Model(mlp.inputs, mlp.layers[-2].output)``) is drawn as those layers."""
        if ref.node >= len(self.nodes):
            return Box(f"t{ref.node}:{ref.index}", "?", "op", order=ref.node), [], []
        n = self.nodes[ref.node]
        if ref in stop:
            if n.kind == "input":
                return self.input_box(n), [], [n.id]
            # A model built from an intermediate tensor: Keras starts it with an InputLayer of its own.
            return Box(f"in{ref.node}:{ref.index}", "InputLayer", "input", order=ref.node), [], []
        call = self.calls.get(ref)
        if call is not None and call.kind == "model" and call.key not in rows and n.layer_id in rows:
            call = None
        if call is not None:
            inputs = call.inputs if call.inputs is not None else self._inputs_of(ref, call)
            inner = [call.node] if call.node is not None else []
            inner += self._inner_nodes(ref, call)
            return Box(call.key, call.title, call.kind, order=min(inner or [ref.node])), inputs, inner
        if n.kind == "input":
            return self.input_box(n), [], [n.id]
        return self.node_box(n), n.tensor_refs(), [n.id]

    def input_box(self, n: Node) -> Box:
        name = self.names.get(n.layer_id or "", (None, None))[0] or n.name
        return Box(n.layer_id or f"n{n.id}", _titled(name, "InputLayer"), "input", order=n.id)

    def node_box(self, n: Node) -> Box:
        if n.kind == "layer":
            name, cls = self.names.get(n.layer_id or "", (None, None))
            cls = cls or n.op.removeprefix("keras.layers.")
            return Box(n.layer_id or f"n{n.id}", _titled(name or n.name, cls), "layer", order=n.id)
        if n.kind == "data":
            return Box(f"n{n.id}", "data (a batch of the arrays given)", "data", order=n.id)
        if n.kind == "method":
            ref = n.config.get("model")
            model = getattr(ref, "name", None) or n.name
            if n.op.endswith(".__call__"):  # a model called as a layer
                return Box(f"n{n.id}", _titled(model, _model_class(ref)), "model", order=n.id)
            return Box(f"n{n.id}", f"{model or 'model'}.{_short_class(n.op)}()", "method", order=n.id)
        if n.kind == "construct":
            name, cls = self.names.get(n.layer_id or "", (None, None))
            return Box(n.layer_id or f"n{n.id}", _titled(name or n.name, cls or _short_class(n.op)), "layer",
                       order=n.id)
        return Box(f"n{n.id}", n.op, "op", order=n.id)

    def _inner_walk(self, ref: TensorRef, call: _Call) -> tuple[list[int], list[TensorRef]]:
        """The nodes inside ``call`` behind ``ref`` and the tensors from outside they read."""
        inner: list[int] = []
        outside: list[TensorRef] = []
        seen: set[int] = set()
        stack = [ref.node]
        while stack:
            nid = stack.pop()
            if nid in seen or nid >= len(self.nodes):
                continue
            seen.add(nid)
            inner.append(nid)
            for r in self.nodes[nid].tensor_refs():
                mine = self._flagged(r) or (r.node < len(self.nodes) and self.nodes[r.node].layer_id in call.members)
                if mine and self.calls.get(r) in (None, call):
                    stack.append(r.node)
                elif r not in outside:
                    outside.append(r)
        return inner, outside

    def _flagged(self, ref: TensorRef) -> bool:
        """Made by a replayed, traced or shapecheck-internal node: a node that only a call shows."""
        if ref.node >= len(self.nodes):
            return False
        n = self.nodes[ref.node]
        return n.replay or n.traced or n.op.startswith("shapecheck.")

    def _inputs_of(self, ref: TensorRef, call: _Call) -> list[TensorRef]:
        return self._inner_walk(ref, call)[1]

    def _inner_nodes(self, ref: TensorRef, call: _Call) -> list[int]:
        return self._inner_walk(ref, call)[0]


def _walk(g: _Graph, pic: Picture, outputs: Iterable[TensorRef], stop: frozenset,
          rows: frozenset = frozenset()) -> None:
    """Add to ``pic`` what makes ``outputs``, back to the tensors in ``stop`` (or to the inputs)."""
    keys: dict[TensorRef, str] = {}
    stack = list(outputs)
    seen: set[TensorRef] = set()
    while stack:
        ref = stack.pop()
        if ref in seen:
            continue
        seen.add(ref)
        box, inputs, inner = g.producer(ref, stop, rows)
        box = pic.add_box(box)
        keys[ref] = box.key
        for nid in inner:
            pic.node_box.setdefault(nid, box.key)
        for r in inputs:
            src, _, _ = g.producer(r, stop, rows)
            pic.add_box(src)
            pic.add_edge(Edge(src.key, box.key, shape_text(g.types.get(r)), (r.node, r.index)))
            stack.append(r)


def _flat(v: Any) -> list:
    if isinstance(v, (list, tuple)):
        return [x for e in v for x in _flat(e)]
    if isinstance(v, dict):
        return [x for k in sorted(v, key=str) for x in _flat(v[k])]
    return [v]


def _model_picture(g: _Graph, m: ModelSummary) -> Picture:
    ref = m.ref
    cls = {"functional": "Functional", "sequential": "Sequential"}.get(m.kind, "subclassed model")
    where = f"{m.path}:{m.line}" if m.cell is None else f"{m.path}:cell {m.cell}:{m.line}"
    what = f'Model "{m.name}" ({cls})' if m.name else f"{m.kind.capitalize()} model"
    title = f'{what} — {m.variable + " = " if m.variable else ""}{where}'
    pic = Picture(m.variable or m.name or f"line{m.line}", title, model_id=getattr(ref, "layer_id", None))
    if isinstance(ref, ModelRef) and ref.kind == "functional":
        inputs = [r for r in _flat(ref.inputs) if isinstance(r, TensorRef)]
        outputs = [r for r in _flat(ref.outputs) if isinstance(r, TensorRef)]
        rows = frozenset(r.layer_id for r in m.layers or [] if r.layer_id is not None)
        _walk(g, pic, outputs, frozenset(inputs), rows)
        for r in inputs:  # an input no output depends on is still one of the model's inputs
            box, _, inner = g.producer(r, frozenset(inputs), rows)
            pic.add_box(box)
            for nid in inner:
                pic.node_box.setdefault(nid, box.key)
        for r in outputs:
            box, _, _ = g.producer(r, frozenset(inputs), rows)
            pic.outputs.append((box.key, shape_text(g.types.get(r))))
    elif isinstance(ref, ModelRef) and ref.kind == "sequential":
        _sequential(g, pic, ref, m)
    else:
        # Like plot_model: a subclassed model is one box (its layers run in its own call()); the
        # layers its __init__ assigns, as the summary lists them, inside it.
        classes = {cls for name, cls in g.names.values() if name == m.name and cls}
        cls = classes.pop() if len(classes) == 1 else "subclassed model"
        box = Box(f"model{m.line}", _titled(m.name, cls), "model")
        box.notes = [f"{_titled(r.name, r.layer)}: {show_output_shape(r.output_shape)}" for r in m.layers or []]
        box.notes.insert(0, "the layers it holds:" if box.notes else "its layers are not known")
        pic.add_box(box)
    return pic


def _sequential(g: _Graph, pic: Picture, ref: ModelRef, m: ModelSummary) -> None:
    rows = {r.layer_id: r for r in m.layers or [] if r.layer_id is not None}
    previous: Optional[tuple[str, str]] = None
    inputs = [r for r in _flat(ref.inputs) if isinstance(r, TensorRef)]
    if inputs and inputs[0].node < len(g.nodes):
        box, _, inner = g.producer(inputs[0], frozenset(inputs))
        pic.add_box(box)
        for nid in inner:
            pic.node_box[nid] = box.key
        previous = (box.key, shape_text(g.types.get(inputs[0])))
    layer_ids = set()
    for i, layer in enumerate(ref.layers):
        lid = getattr(layer, "layer_id", None)
        if getattr(layer, "class_name", None) == "InputLayer":
            continue
        row = rows.get(lid) if lid is not None else None
        if isinstance(layer, ModelRef):
            title = _titled(layer.name, _model_class(layer))
            kind = "model"
        else:
            name = row.name if row is not None else layer.config.get("name")
            title = _titled(name, row.layer if row is not None and row.layer else layer.class_name)
            kind = "layer"
        box = pic.add_box(Box(lid or f"seq{i}", title, kind, order=len(g.nodes) + i))
        if lid:
            layer_ids.add(lid)
        if previous is not None:
            pic.add_edge(Edge(previous[0], box.key, previous[1]))
        previous = (box.key, show_output_shape(row.output_shape) if row is not None else "?")
    if previous is not None and previous[0] in pic.boxes and previous[0] in layer_ids:
        pic.outputs.append(previous)
    # The calls of its layers at the top level (not the traced ones `fit` or `predict` make).
    for n in g.nodes:
        if n.layer_id is not None and n.layer_id in layer_ids and n.kind in ("layer", "construct") \
                and not n.replay and not n.traced:
            pic.node_box.setdefault(n.id, n.layer_id)


def _failing_picture(g: _Graph, finding: Finding, n: Node) -> Picture:
    """The part of the graph that leads to a failing call in no model."""
    name = n.name or _short_class(n.op)
    pic = Picture(f"{name}-line{finding.span.line}",
                  f"{finding.code.number} at {finding.span.location.rsplit(':', 1)[0]} — the graph that leads to "
                  f"this call (in no model)")
    if n.kind in ("layer", "op", "input", "data"):
        ref = TensorRef(n.id, 0)
        box, inputs, inner = g.producer(ref, frozenset())
        box = pic.add_box(box)
        for nid in inner + [n.id]:
            pic.node_box.setdefault(nid, box.key)
    else:
        box = pic.add_box(g.node_box(n))
        inputs = n.tensor_refs()
        pic.node_box[n.id] = box.key
        model = n.config.get("model") if n.kind == "method" else None
        if isinstance(model, ModelRef) and not inputs:
            mbox = pic.add_box(Box(model.layer_id, _titled(model.name, _model_class(model)), "model",
                                   order=n.id - 1))
            pic.add_edge(Edge(mbox.key, box.key, "?"))
    for r in inputs:
        src, _, _ = g.producer(r, frozenset())
        pic.add_box(src)
        pic.add_edge(Edge(src.key, box.key, shape_text(g.types.get(r)), (r.node, r.index)))
    _walk(g, pic, inputs, frozenset())
    return pic


def _constructed(g: _Graph, n: Node, pic: Picture) -> Optional[str]:
    """The box of the layer a rejected constructor call made: a call of the same class whose source
    span holds the constructor's (``model.add(LSTM(4, batch_input_shape=...))``)."""
    s = n.span
    if s is None:
        return None
    for nid, key in pic.node_box.items():
        m = g.nodes[nid] if nid < len(g.nodes) else None
        t = m.span if m is not None else None
        if m is None or m.op != n.op or t is None or t.path != s.path:
            continue
        if (t.line, t.column) <= (s.line, s.column) and (t.end_line, t.end_column) >= (s.end_line, s.end_column):
            return key
    return None


def pictures(result: FileResult) -> list[Picture]:
    """The pictures of one file: its models, then the failing calls in none of them."""
    if result.graph is None:
        return []
    g = _Graph(result)
    pics = [_model_picture(g, m) for m in result.models]
    orphans: list[Picture] = []
    for f in result.findings:
        if f.node is None or f.node >= len(g.nodes) or f.level == "note":
            continue
        n = g.nodes[f.node]
        placed = False
        for pic in pics:  # the call's box, in every model that has it (a shared layer)
            key = pic.node_box.get(n.id)
            if key is None and n.kind == "construct":
                key = n.layer_id if n.layer_id in pic.boxes else _constructed(g, n, pic)
            if key is not None:
                pic.boxes[key].findings.append(f)
                placed = True
            elif n.kind == "model" and n.layer_id is not None and n.layer_id == pic.model_id:
                pic.problems.append(f)
                placed = True
        model = n.config.get("model") if n.kind == "method" and not n.op.endswith(".__call__") else None
        for pic in [] if placed or not isinstance(model, ModelRef) else pics:
            if model is not None and model.layer_id == pic.model_id and pic.outputs:
                # fit / predict / evaluate: where the data meets the model's outputs
                box = pic.add_box(Box(f"n{n.id}", f"{_short_class(n.op)}()", "method", [f], order=n.id))
                pic.node_box[n.id] = box.key
                for key, shape in pic.outputs:
                    pic.add_edge(Edge(key, box.key, shape))
                placed = True
                break
        if not placed:
            for pic in orphans:
                if n.id in pic.node_box:
                    pic.boxes[pic.node_box[n.id]].findings.append(f)
                    break
            else:
                pic = _failing_picture(g, f, n)
                pic.boxes[pic.node_box[n.id]].findings.append(f)
                orphans.append(pic)
    return pics + orphans


def safe_name(text: str) -> str:
    """A file-name part: letters, digits, ``_ . -``; never empty, never hidden."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "model"
    return name[:80]


def write_graphs(results: Iterable[FileResult], directory: str, formats: tuple[str, ...] = FORMATS,
                 notes: Optional[list[str]] = None) -> list[str]:
    """Draw every picture of ``results`` into ``directory`` (made if needed); the paths written, in order
    (``notes`` gets what the user should know, e.g. a PNG scaled down). Raises :class:`ImportError`
    without matplotlib, :class:`OSError` when a file cannot be written."""
    from . import graph_draw  # matplotlib: only now

    os.makedirs(directory, exist_ok=True)
    written: list[str] = []
    used: set[str] = set()
    said: list[str] = []
    for result in results:
        stem = safe_name(os.path.splitext(os.path.basename(result.path))[0])
        try:
            pics = pictures(result)
        except Exception as e:  # noqa: BLE001 - a bug of ours costs this file's pictures, not the run
            said.append(f"{result.path}: shapecheck failed to read its models for --graph; please report "
                        f"it: {type(e).__name__}: {e}")
            continue
        for pic in pics:
            if len(pic.boxes) > MAX_BOXES:
                said.append(f"{result.path}: {pic.name} has {len(pic.boxes):,} layers, more than --graph draws "
                            f"({MAX_BOXES:,}); --summary lists them")
                continue
            base = f"{stem}.{safe_name(pic.name)}"
            unique, k = base, 2
            while unique in used:
                unique, k = f"{base}-{k}", k + 1
            used.add(unique)
            paths = [os.path.join(directory, f"{unique}.{fmt}") for fmt in formats]
            try:
                said.extend(graph_draw.draw(pic, paths))
            except OSError:
                raise
            except Exception as e:  # noqa: BLE001 - as above, for one picture
                said.append(f"{result.path}: shapecheck failed to draw {pic.name}; please report it: "
                            f"{type(e).__name__}: {e}")
                continue
            written.extend(paths)
    if notes is not None:
        notes.extend(said)
    return written


def renderer_missing() -> Optional[str]:
    """Why ``--graph`` cannot draw (matplotlib is not installed), or ``None``."""
    try:
        from . import graph_draw  # noqa: F401 - matplotlib and the parts of it that draw
        del graph_draw
    except ImportError as e:
        return f"--graph needs matplotlib ({e}): {INSTALL_HINT}"
    return None
