"""Where each node goes: a layered drawing of a DAG (Sugiyama's method), small enough to read in one sitting.

1. **Ranks.** Inputs at the top, the loss at the bottom: a node sits one rank below its lowest input, then
   everything is pulled down to just above its first consumer, so ``b`` in ``w * x + b`` sits beside the
   ``+`` rather than at the very top, and a weight's transpose sits beside the matmul that uses it.
2. **Order within a rank.** Edges that skip ranks get invisible waypoints, then a few sweeps sort each rank by
   the mean position of its neighbours (the barycenter heuristic), keeping the order with the fewest crossings.
   The members of a module (a cluster) are kept next to each other.
3. **Coordinates.** Each node wants to sit at the mean x of its neighbours; within a rank the nodes must keep
   their order and a gap. "As close as possible to the wishes, in this order" is an isotonic regression, solved
   exactly by pool-adjacent-violators.

The output is plain numbers; the browser only draws. Graphviz does all of this better in general, but doing it
here keeps the drawing interactive (every node is ours to light up and click) with nothing to install.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

SWEEPS = 12  # ordering sweeps (down and up alternately)
PASSES = 8  # coordinate passes
LARGE = 400  # nodes and waypoints beyond which a third of the sweeps and half the passes do (a redraw < 1 s)


@dataclass(frozen=True)
class Box:
    id: str
    w: float
    h: float
    cluster: tuple[str, ...] = ()  # the modules around it, outermost first


@dataclass
class Layout:
    pos: dict[str, tuple[float, float]]  # node centres
    edges: list[list[tuple[float, float]]]  # one polyline per edge, in the order given
    clusters: dict[tuple[str, ...], tuple[float, float, float, float]] = field(default_factory=dict)  # x, y, w, h
    width: float = 0.0
    height: float = 0.0


def _ranks(ids: list[str], preds: dict[str, list[str]], succs: dict[str, list[str]]) -> tuple[dict, dict, dict]:
    """Ranks, and each node's depth (longest path from an input) and height (longest path to an output)."""
    indegree = {v: len(set(preds[v])) for v in ids}
    queue = [v for v in ids if indegree[v] == 0]
    order = []
    while queue:
        v = queue.pop()
        order.append(v)
        for s in set(succs[v]):
            indegree[s] -= 1
            if indegree[s] == 0:
                queue.append(s)
    if len(order) != len(ids):
        raise ValueError("the graph has a cycle: a computation graph never does")
    rank, height = {}, {}
    for v in order:  # as early as possible: below every input
        rank[v] = max((rank[u] + 1 for u in preds[v]), default=0)
    depth = dict(rank)
    for v in reversed(order):  # then as late as possible: just above the first consumer
        height[v] = max((height[s] + 1 for s in succs[v]), default=0)
        if succs[v]:
            rank[v] = min(rank[s] for s in succs[v]) - 1
    return rank, depth, height


def _crossings(upper: list[str], lower: list[str], links: list[tuple[str, str]]) -> int:
    """Edge crossings between two adjacent ranks (``links`` run from ``upper`` to ``lower``): pairs of links
    whose ends come in opposite orders, counted as inversions with a Fenwick tree (n log n)."""
    pu, pl = {v: i for i, v in enumerate(upper)}, {v: i for i, v in enumerate(lower)}
    tree = [0] * (len(lower) + 1)
    count = seen = 0
    for _, b in sorted((pu[a], pl[b]) for a, b in links):
        i, below = b + 1, 0
        while i > 0:  # how many earlier links end at or left of b
            below += tree[i]
            i -= i & -i
        count += seen - below
        seen += 1
        i = b + 1
        while i <= len(lower):
            tree[i] += 1
            i += i & -i
    return count


def _arrange(items: list[tuple[str, float]], cluster: dict[str, tuple], depth: int = 0) -> list[str]:
    """Sort by barycenter, but keep the members of each cluster together (recursively, for nested ones)."""
    groups: dict[object, list[tuple[str, float]]] = {}
    for v, b in items:
        c = cluster[v]
        key = c[: depth + 1] if len(c) > depth else ("#", v)
        groups.setdefault(key, []).append((v, b))
    ordered = sorted(groups.items(), key=lambda kv: sum(b for _, b in kv[1]) / len(kv[1]))
    out: list[str] = []
    for key, members in ordered:
        out.extend([members[0][0]] if key[0] == "#" and len(key) == 2 else _arrange(members, cluster, depth + 1))
    return out


def _isotonic(targets: list[float], weights: list[float]) -> list[float]:
    """Non-decreasing y minimising sum w (y - t)^2: pool adjacent violators."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for t, w in zip(targets, weights):
        blocks.append([t, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for m, _, c in blocks:
        out.extend([m] * int(c))
    return out


def layout(
    boxes: list[Box],
    edges: list[tuple[str, str]],
    nodesep: float = 22,
    ranksep: float = 34,
    margin: float = 10,
    pad: float = 10,
    label_room: float = 16,
) -> Layout:
    """Positions for ``boxes`` and polylines for ``edges`` (pairs of box ids, repeats allowed)."""
    size = {b.id: (b.w, b.h) for b in boxes}
    cluster = {b.id: tuple(b.cluster) for b in boxes}
    ids = [b.id for b in boxes]
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        preds[b].append(a)
        succs[a].append(b)
    rank, depth, height = _ranks(ids, preds, succs)

    # Waypoints for edges that skip ranks; they belong to the clusters both ends share. Edges from the same
    # node share their waypoints (a "bus", Graphviz's concentrate): a weight used by fifty ops far below is
    # one line down the page with fifty branches, not fifty parallel lines to keep apart.
    links: dict[tuple[str, str], None] = {}
    chains: list[list[str]] = []
    for a, b in edges:
        chain = [a]
        shared = _common(cluster[a], cluster[b])
        for r in range(rank[a] + 1, rank[b]):
            d = f"~{a}|{'/'.join(shared)}|{r}"
            if d not in rank:
                rank[d], size[d], cluster[d], height[d] = r, (6.0, 0.0), shared, 0
                depth[d] = depth[a] + r - rank[a]
            height[d] = max(height[d], height[b] + rank[b] - r)
            chain.append(d)
        chain.append(b)
        chains.append(chain)
        links.update(dict.fromkeys(zip(chain, chain[1:])))
    top = min(rank.values(), default=0)
    layers: list[list[str]] = [[] for _ in range(max(rank.values(), default=0) - top + 1)]
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for a, b in links:
        down[a].append(b)
        up[b].append(a)

    # Initial order: depth first from the outputs, inputs in argument order, so an op's inputs start together.
    seen: set[str] = set()
    for v in sorted(rank, key=lambda v: -rank[v]):
        stack = [v]
        while stack:
            u = stack.pop()
            if u in seen:
                continue
            seen.add(u)
            layers[rank[u] - top].append(u)
            stack.extend(reversed(up[u]))
    layers = [_arrange([(v, i) for i, v in enumerate(layer)], cluster) for layer in layers]

    between: list[list[tuple[str, str]]] = [[] for _ in layers]  # the links leaving each rank
    for a, b in links:
        between[rank[a] - top].append((a, b))

    def total_crossings(ls: list[list[str]]) -> int:
        return sum(_crossings(ls[i], ls[i + 1], between[i]) for i in range(len(ls) - 1) if len(between[i]) > 1)

    best, best_count = [list(layer) for layer in layers], total_crossings(layers)
    large = len(rank) > LARGE
    for sweep in range(SWEEPS // 3 if large else SWEEPS):
        if best_count == 0:
            break
        rng = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for r in rng:
            if len(layers[r]) < 2:
                continue
            near = layers[r - 1] if sweep % 2 == 0 else layers[r + 1]
            where = {v: i for i, v in enumerate(near)}
            nbrs = up if sweep % 2 == 0 else down
            items = []
            for i, v in enumerate(layers[r]):
                ps = [where[u] for u in nbrs[v] if u in where]
                items.append((v, sum(ps) / len(ps) if ps else i * len(near) / max(len(layers[r]), 1)))
            layers[r] = _arrange(sorted(items, key=lambda it: it[1]), cluster)
        count = total_crossings(layers)
        if count < best_count:
            best, best_count = [list(layer) for layer in layers], count
    layers = best

    # x: wishes (mean of the neighbours), kept in order and apart; y: ranks stacked with room for labels.
    def gap(a: str, b: str) -> float:
        common = len(_common(cluster[a], cluster[b]))
        extra = pad * (len(cluster[a]) + len(cluster[b]) - 2 * common)
        return (size[a][0] + size[b][0]) / 2 + (nodesep if size[a][1] and size[b][1] else nodesep / 2) + extra

    x: dict[str, float] = {}
    for layer in layers:
        pos = 0.0
        for i, v in enumerate(layer):
            pos += gap(layer[i - 1], v) if i else 0.0
            x[v] = pos

    def pulls(v: str, looking_up: bool, looking_down: bool) -> list[tuple[float, float]]:
        """(weight, x) of the neighbours v wants to sit under or over. The main line of a network (a long
        chain behind or ahead of it) pulls harder than a side branch (a weight and its transpose), so the
        network runs straight down instead of drifting sideways layer after layer; a long edge's waypoints
        pull a real node less than its real neighbours do, so a chain of ops stays straight and the long edge
        bends instead."""
        out = []
        for u, length in [(u, depth[u]) for u in up[v] if looking_up] + [
            (u, height[u]) for u in down[v] if looking_down
        ]:
            w = (1.0 + min(length, 8)) * (0.35 if u.startswith("~") and not v.startswith("~") else 1.0)
            out.append((w, x[u]))
        return out

    passes = PASSES // 2 if large else PASSES
    for p in range(passes):
        order = layers if p % 2 == 0 else layers[::-1]
        for layer in order:
            last = p == passes - 1
            offsets, targets, weights = [], [], []
            off = 0.0
            for i, v in enumerate(layer):
                off += gap(layer[i - 1], v) if i else 0.0
                pull = ns = pulls(v, p % 2 == 0 or last, p % 2 == 1 or last)
                wish = sum(w * xu for w, xu in pull) / sum(w for w, _ in pull) if pull else x[v]
                offsets.append(off)
                targets.append(wish - off)
                # When two wishes collide, the node deeper in the network holds its place and the side
                # branch (a weight, a bias) gives way.
                weights.append((1.0 + min(depth[v], 50)) * (2.0 if v.startswith("~") else 1.0) if ns else 0.3)
            for v, y, off in zip(layer, _isotonic(targets, weights), offsets):
                x[v] = y + off

    # Vertical: each rank as tall as its tallest node; extra room where clusters open (their label) or close.
    first: dict[tuple, int] = {}
    last: dict[tuple, int] = {}
    for r, layer in enumerate(layers):
        for v in layer:
            if v.startswith("~"):
                continue
            for d in range(1, len(cluster[v]) + 1):
                first.setdefault(cluster[v][:d], r)
                last[cluster[v][:d]] = r
    y: dict[str, float] = {}
    cursor = margin
    for r, layer in enumerate(layers):
        opening = max(
            (sum(1 for d in range(1, len(cluster[v]) + 1) if first.get(cluster[v][:d]) == r) for v in layer), default=0
        )
        cursor += opening * (pad + label_room)
        height = max((size[v][1] for v in layer), default=0.0)
        for v in layer:
            y[v] = cursor + height / 2
        closing = max(
            (sum(1 for d in range(1, len(cluster[v]) + 1) if last.get(cluster[v][:d]) == r) for v in layer), default=0
        )
        cursor += height + ranksep + closing * pad

    left = min((x[v] - size[v][0] / 2 - pad * len(cluster[v]) for v in x), default=0.0)
    shift = margin - left
    pos = {v: (round(x[v] + shift, 1), round(y[v], 1)) for v in x}

    ports = _ports(chains, pos, size)
    polylines = [_route(k, chain, pos, size, ports) for k, chain in enumerate(chains)]
    boxes_out = _cluster_boxes(ids, pos, size, cluster, pad, label_room)
    width = max([pos[v][0] + size[v][0] / 2 for v in ids] + [bx + bw for bx, _, bw, _ in boxes_out.values()] + [0])
    height = max([pos[v][1] + size[v][1] / 2 for v in ids] + [by + bh for _, by, _, bh in boxes_out.values()] + [0])
    return Layout({v: pos[v] for v in ids}, polylines, boxes_out, round(width + margin, 1), round(height + margin, 1))


def _common(a: tuple, b: tuple) -> tuple:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _route(k: int, chain: list[str], pos: dict, size: dict, ports: dict) -> list[tuple[float, float]]:
    """Bottom of the source to the top of the target through the waypoints, leaving and entering at the ports."""
    a, b = chain[0], chain[-1]
    start = (round(pos[a][0] + ports[("out", k)], 1), round(pos[a][1] + size[a][1] / 2, 1))
    end = (round(pos[b][0] + ports[("in", k)], 1), round(pos[b][1] - size[b][1] / 2, 1))
    return [start] + [pos[d] for d in chain[1:-1]] + [end]


def _ports(chains: list[list[str]], pos: dict, size: dict) -> dict[tuple[str, int], float]:
    """Where edge k leaves its source (``("out", k)``) and enters its target (``("in", k)``), as x offsets.
    Edges that share an end are spread along it in the order of their other ends, so parallel edges (``w * w``)
    stay apart and do not cross."""
    ends: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for k, chain in enumerate(chains):
        ends[("out", chain[0])].append((pos[chain[1]][0], k))
        ends[("in", chain[-1])].append((pos[chain[-2]][0], k))
    ports = {}
    for (side, node), mates in ends.items():
        mates.sort()
        spread = min(12.0, size[node][0] / (len(mates) + 1))
        for i, (_, k) in enumerate(mates):
            ports[(side, k)] = (i - (len(mates) - 1) / 2) * spread
    return ports


def _cluster_boxes(ids, pos, size, cluster, pad, label_room) -> dict[tuple, tuple[float, float, float, float]]:
    """Each module's box around its members, a little larger per level of nesting inside it."""
    bounds: dict[tuple, list[float]] = {}
    for v in ids:
        c, (cx, cy), (w, h) = cluster[v], pos[v], size[v]
        for d in range(1, len(c) + 1):
            levels = len(c) - d + 1
            box = bounds.setdefault(c[:d], [float("inf"), float("inf"), -float("inf"), -float("inf")])
            box[0], box[2] = min(box[0], cx - w / 2 - pad * levels), max(box[2], cx + w / 2 + pad * levels)
            box[1], box[3] = (
                min(box[1], cy - h / 2 - (pad + label_room) * levels),
                max(box[3], cy + h / 2 + pad * levels),
            )
    return {
        p: (round(x0, 1), round(y0, 1), round(x1 - x0, 1), round(y1 - y0, 1)) for p, (x0, y0, x1, y1) in bounds.items()
    }
