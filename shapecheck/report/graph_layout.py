"""A layered top-to-bottom layout (Sugiyama's, in its simplest form) for ``--graph``.

Rank = the longest path from a source (edges that close a cycle, which a shared layer can make,
are turned round first); an edge that spans several ranks passes through a point on each rank
between, so that it goes round the boxes there; within a rank the order follows the barycentre of
the neighbours, swept down and up a few times (the order with the fewest crossings is kept); then
each box moves towards its neighbours' x without overlapping. Units are the caller's (points).
Stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

#: horizontal room between two boxes of a rank, and the height of the band between ranks
GAP_X = 28.0
GAP_Y = 44.0
#: the width a long edge takes on a rank it passes
DUMMY_WIDTH = 14.0
_SWEEPS = 6


@dataclass
class Layout:
    #: key -> (x of the centre, y of the top): y grows downwards
    boxes: dict[str, tuple[float, float]]
    #: one polyline per edge, in the order given: from the bottom of the source to the top of
    #: the target (a reversed edge, closing a cycle, from the top of the source upwards)
    paths: list[list[tuple[float, float]]]
    reversed: list[bool]
    width: float
    height: float
    #: the y of the middle of the band below each rank
    ranks: list[float] = field(default_factory=list)


def layout(keys: list[str], sizes: dict[str, tuple[float, float]], edges: list[tuple[str, str]],
           margin: float = 16.0) -> Layout:
    """Place ``keys`` (boxes of ``sizes`` (width, height); their order: the tie-break within a rank)
    and route ``edges`` (source key, target key)."""
    index = {k: i for i, k in enumerate(keys)}
    # -- cycles: a depth-first search in the given order; an edge back to the path is turned round
    out: dict[str, list[str]] = {k: [] for k in keys}
    for s, t in edges:
        if s != t:
            out[s].append(t)
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}
    for root in keys:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            node, it = stack[-1]
            for t in it:
                if state.get(t) == 1:
                    back.add((node, t))
                elif t not in state:
                    state[t] = 1
                    stack.append((t, iter(out[t])))
                    break
            else:
                state[node] = 2
                stack.pop()
    dag = []
    rev = []
    for s, t in edges:
        turned = (s, t) in back
        rev.append(turned)
        if s != t:
            dag.append((t, s) if turned else (s, t))
    # -- ranks: the longest path from a source (Kahn's order)
    preds: dict[str, list[str]] = {k: [] for k in keys}
    succs: dict[str, list[str]] = {k: [] for k in keys}
    for s, t in set(dag):
        preds[t].append(s)
        succs[s].append(t)
    indeg = {k: len(preds[k]) for k in keys}
    rank = {k: 0 for k in keys}
    ready = [k for k in keys if indeg[k] == 0]
    while ready:
        k = ready.pop()
        for t in succs[k]:
            rank[t] = max(rank[t], rank[k] + 1)
            indeg[t] -= 1
            if indeg[t] == 0:
                ready.append(t)
    # -- long edges through a point on each rank between
    width = {k: sizes[k][0] for k in keys}
    rank_of = dict(rank)
    up: dict[str, list[str]] = {k: [] for k in keys}  # neighbours one rank up / down
    down: dict[str, list[str]] = {k: [] for k in keys}
    chains: dict[tuple[str, str], list[str]] = {}
    for s, t in sorted(set(dag), key=lambda e: (index[e[0]], index[e[1]])):
        chain = [s]
        for r in range(rank[s] + 1, rank[t]):
            d = f"\0{s}\0{t}\0{r}"
            rank_of[d] = r
            width[d] = DUMMY_WIDTH
            up[d], down[d] = [], []
            chain.append(d)
        chain.append(t)
        for a, b in zip(chain, chain[1:]):
            down[a].append(b)
            up[b].append(a)
        chains[(s, t)] = chain
    n_ranks = max(rank_of.values(), default=-1) + 1
    rows: list[list[str]] = [[] for _ in range(n_ranks)]
    for k in keys:  # the given order first, each long edge's points after the boxes of their rank
        rows[rank_of[k]].append(k)
    for (s, t), chain in chains.items():
        for d in chain[1:-1]:
            rows[rank_of[d]].append(d)
    # -- order within ranks
    rows = _order(rows, up, down)
    # -- x: towards the neighbours, without overlap
    xs = _place(rows, width, up, down)
    left = min((xs[k] - width[k] / 2 for k in xs), default=0.0)
    right = max((xs[k] + width[k] / 2 for k in xs), default=0.0)
    shift = margin - left
    for k in xs:
        xs[k] += shift
    # -- y: each rank as tall as its tallest box
    tops: list[float] = []
    bands: list[float] = []
    y = margin
    for row in rows:
        tops.append(y)
        h = max((sizes[k][1] for k in row if k in sizes), default=0.0)
        y += h + GAP_Y
        bands.append(y - GAP_Y / 2)
    height = y - GAP_Y + margin
    row_h = [max((sizes[k][1] for k in row if k in sizes), default=0.0) for row in rows]
    placed = {k: (xs[k], tops[rank_of[k]]) for k in keys}
    # -- edge paths
    paths = []
    for (s, t), turned in zip(edges, rev):
        if s == t:
            x, y0 = placed[s]
            w, h = sizes[s]
            paths.append([(x + w / 2, y0 + h * 0.7), (x + w / 2 + 18, y0 + h * 0.5), (x + w / 2, y0 + h * 0.3)])
            continue
        a, b = (t, s) if turned else (s, t)
        chain = chains[(a, b)]
        points = [(xs[a], tops[rank_of[a]] + sizes[a][1])]
        for d in chain[1:-1]:
            r = rank_of[d]
            points += [(xs[d], tops[r]), (xs[d], tops[r] + row_h[r])]
        points.append((xs[b], tops[rank_of[b]]))
        if turned:
            points.reverse()
        paths.append(points)
    return Layout(placed, paths, rev, right - left + 2 * margin, height, bands)


def _crossings(rows: list[list[str]], down: dict[str, list[str]]) -> int:
    total = 0
    for upper, lower in zip(rows, rows[1:]):
        pos = {k: i for i, k in enumerate(lower)}
        pairs = sorted((i, pos[t]) for i, k in enumerate(upper) for t in down[k] if t in pos)
        # count inversions of the targets' positions (pairs are few per rank: quadratic is fine
        # until a rank has hundreds of edges, and then a merge count keeps it n log n)
        total += _inversions([p for _, p in pairs])
    return total


def _inversions(seq: list[int]) -> int:
    if len(seq) < 2:
        return 0
    mid = len(seq) // 2
    a, b = seq[:mid], seq[mid:]
    count = _inversions(a) + _inversions(b)
    a.sort()
    b.sort()
    j = 0
    for x in a:
        while j < len(b) and b[j] < x:
            j += 1
        count += j
    return count


def _order(rows: list[list[str]], up: dict[str, list[str]], down: dict[str, list[str]]) -> list[list[str]]:
    best = [list(r) for r in rows]
    best_c = _crossings(best, down)
    cur = [list(r) for r in rows]
    for sweep in range(_SWEEPS):
        if best_c == 0:
            break
        downward = sweep % 2 == 0
        seq = range(1, len(cur)) if downward else range(len(cur) - 2, -1, -1)
        for r in seq:
            ref = cur[r - 1] if downward else cur[r + 1]
            pos = {k: i for i, k in enumerate(ref)}
            nbrs = up if downward else down

            def bary(item: tuple[int, str]) -> float:
                i, k = item
                ps = [pos[n] for n in nbrs[k] if n in pos]
                return sum(ps) / len(ps) if ps else float(i)

            cur[r] = [k for _, k in sorted(enumerate(cur[r]), key=lambda it: (bary(it), it[0]))]
        c = _crossings(cur, down)
        if c < best_c:
            best, best_c = [list(r) for r in cur], c
    return best


def _place(rows: list[list[str]], width: dict[str, float], up: dict[str, list[str]],
           down: dict[str, list[str]]) -> dict[str, float]:
    xs: dict[str, float] = {}
    for row in rows:  # packed from 0, then centred on 0
        x = 0.0
        for k in row:
            xs[k] = x + width[k] / 2
            x += width[k] + GAP_X
        for k in row:
            xs[k] -= (x - GAP_X) / 2
    for sweep in range(2 * _SWEEPS):
        downward = sweep % 2 == 0
        seq = rows[1:] if downward else rows[-2::-1]
        for row in seq:
            nbrs = up if downward else down
            want = []
            for k in row:
                ps = [xs[n] for n in nbrs[k]] or [xs[k]]
                want.append(sum(ps) / len(ps))
            _fit(row, want, width, xs)
    return xs


def _fit(row: list[str], want: list[float], width: dict[str, float], xs: dict[str, float]) -> None:
    """Put the boxes of ``row`` as near ``want`` as their order and widths allow: left to right
    pushing right, right to left pushing left, and the mean of both."""
    n = len(row)
    right: list[float] = []
    for i, k in enumerate(row):
        x = want[i]
        if i:
            x = max(x, right[-1] + (width[row[i - 1]] + width[k]) / 2 + GAP_X)
        right.append(x)
    left: list[Optional[float]] = [None] * n
    for i in range(n - 1, -1, -1):
        x = want[i]
        if i < n - 1:
            x = min(x, left[i + 1] + 0 - (width[row[i + 1]] + width[row[i]]) / 2 - GAP_X)  # type: ignore[operator]
        left[i] = x
    for i, k in enumerate(row):
        xs[k] = (right[i] + left[i]) / 2  # type: ignore[operator]
