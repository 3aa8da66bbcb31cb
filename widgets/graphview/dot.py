"""Write a captured ``Graph`` as DOT, folding the ops of each collapsed module call into one node.

An op is drawn inside the first module of its scope (outermost first) that is not expanded. The ops of one
module that are folded together are split into connected pieces, so two calls of the same module (a ReLU used
twice) stay two nodes: "one node per module call". Expanded modules become boxes (DOT clusters) around what
they contain.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .colors import format_norm, grad_color, text_color
from .model import Graph, Op


@dataclass
class _Node:
    key: str
    label: str
    kind: str  # "op", "module", "leaf", "output"
    clusters: tuple[str, ...]  # expanded module paths around it, outermost first
    grad_norm: float | None = None
    tooltip: str = ""
    members: list[int] = field(default_factory=list)
    path: str = ""  # the module path of a module node


def shape_text(shape: tuple[int, ...]) -> str:
    return str(tuple(shape)) if shape else "scalar"


def default_expanded(graph: Graph) -> set[str]:
    """Open the model itself, so its layers show as nodes (the loss module stays folded)."""
    return {graph.model_path} if graph.model_path else set()


def _group_of(op: Op, expanded: set[str]) -> str | None:
    for path in op.scope:
        if path not in expanded:
            return path
    return None


def fold(graph: Graph, expanded: set[str]) -> tuple[dict[str, _Node], list[tuple[str, str, tuple]], dict[int, str]]:
    """Nodes, deduplicated edges and the node key of every op and leaf."""
    parent = {op_id: op_id for op_id in graph.ops}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    group = {op_id: _group_of(op, expanded) for op_id, op in graph.ops.items()}
    for e in graph.edges:  # join the ops of one module call
        if e.src in graph.ops and group[e.src] is not None and group[e.src] == group[e.dst]:
            parent[find(e.src)] = find(e.dst)

    nodes: dict[str, _Node] = {}
    key_of: dict[int, str] = {}
    pieces: dict[tuple[str, int], str] = {}
    for op_id, op in graph.ops.items():
        path = group[op_id]
        if path is None:
            key = f"op{op_id}"
            clusters = op.scope
            nodes[key] = _Node(key, op.name, "op", clusters, op.grad_norm, op.full_name, [op_id])
        else:
            piece = (path, find(op_id))
            if piece not in pieces:
                pieces[piece] = f"m{len(pieces)}"
                clusters = op.scope[: op.scope.index(path)]
                nodes[pieces[piece]] = _Node(pieces[piece], path, "module", clusters, path=path)
            key = pieces[piece]
            nodes[key].members.append(op_id)
        key_of[op_id] = key

    edges: dict[tuple[str, str], tuple] = {}
    leaf_consumers: dict[int, list[str]] = {}
    for e in graph.edges:
        dst = key_of[e.dst]
        if e.src in graph.ops:
            src = key_of[e.src]
            if src != dst:
                edges.setdefault((src, dst), e.shape)
        else:
            leaf_consumers.setdefault(e.src, []).append(dst)

    for leaf_id, consumers in leaf_consumers.items():
        leaf = graph.leaves[leaf_id]
        # A parameter used only inside a folded module is summarised by that module's node.
        if leaf.is_param and all(nodes[c].kind == "module" for c in consumers):
            for c in consumers:
                nodes[c].tooltip += f"{leaf.label} {shape_text(leaf.shape)} {format_norm(leaf.grad_norm)}\n"
            continue
        key = f"t{leaf_id}"
        clusters = nodes[consumers[0]].clusters if leaf.is_param else ()
        label = f"{leaf.label}\n{shape_text(leaf.shape)}"
        nodes[key] = _Node(key, label, "leaf", clusters, leaf.grad_norm, label)
        key_of[leaf_id] = key
        for c in consumers:
            edges.setdefault((key, c), ())

    # A folded module shows the gradient at its output: the norm recorded on the op whose result leaves it.
    consumers_of: dict[int, list[int]] = {}
    for e in graph.edges:
        consumers_of.setdefault(e.src, []).append(e.dst)
    shapes_out: dict[str, list[tuple]] = {}
    for (src, _), shape in edges.items():
        shapes_out.setdefault(src, []).append(shape)
    for node in nodes.values():
        if node.kind != "module":
            continue
        outs = [m for m in node.members if not any(key_of[d] == node.key for d in consumers_of.get(m, []))]
        norms = [graph.ops[m].grad_norm for m in outs if graph.ops[m].grad_norm is not None]
        node.grad_norm = max(norms) if norms else None
        out_shapes = list(shapes_out.get(node.key, []))
        if graph.root in node.members:
            out_shapes.append(graph.root_shape)
        cls = graph.modules.get(node.label, "")
        shape = f"\n{shape_text(out_shapes[0])}" if out_shapes else ""
        node.tooltip = f"{node.label}: {cls}\n{node.tooltip}".strip()
        node.label = f"{node.label}: {cls}{shape}" if cls and cls != node.label else f"{node.label}{shape}"

    if graph.root is not None:
        nodes["output"] = _Node("output", f"output\n{shape_text(graph.root_shape)}", "output", ())
        edges[(key_of[graph.root], "output")] = ()
    return nodes, [(s, d, shape) for (s, d), shape in edges.items()], key_of


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_STYLE = {
    "op": 'shape=box style="rounded,filled" fontsize=10',
    "module": 'shape=box style="filled,bold" penwidth=2 fontsize=11',
    "leaf": 'shape=box style="filled" fontsize=9 color="#888888"',
    "output": 'shape=oval style="filled" fillcolor="#e0e0e0" fontsize=10',
}


def to_dot(graph: Graph, expanded: set[str] | None = None, title: str = "") -> str:
    """DOT source of ``graph`` with the modules in ``expanded`` opened (default: the model itself)."""
    expanded = default_expanded(graph) if expanded is None else set(expanded)
    nodes, edges, _ = fold(graph, expanded)
    lines = [
        "digraph autolab {",
        '  graph [rankdir=TB nodesep=0.25 ranksep=0.3 fontname="Helvetica"];',
        '  node [fontname="Helvetica"]; edge [fontname="Helvetica" fontsize=8 color="#666666"];',
    ]
    if title:
        lines.append(f"  label={_q(title)}; labelloc=t;")

    # Nest nodes into clusters, one per expanded module path.
    tree: dict = {"nodes": [], "children": {}}
    for node in nodes.values():
        branch = tree
        for path in node.clusters:
            branch = branch["children"].setdefault(path, {"nodes": [], "children": {}})
        branch["nodes"].append(node)

    def write(branch: dict, indent: str) -> None:
        for node in branch["nodes"]:
            fill = "#f7f7f7" if node.kind == "leaf" and node.grad_norm is None else grad_color(node.grad_norm)
            extra = f" fillcolor={_q(fill)} fontcolor={_q(text_color(fill))}" if node.kind != "output" else ""
            label = node.label + (f"\n{format_norm(node.grad_norm)}" if node.grad_norm is not None else "")
            tip = html.escape(node.tooltip or node.label)
            lines.append(f"{indent}{node.key} [label={_q(label)} {_STYLE[node.kind]}{extra} tooltip={_q(tip)}];")
        for path, child in branch["children"].items():
            name = "cluster_" + re.sub(r"\W", "_", path)
            cls = graph.modules.get(path, "")
            lines.append(f"{indent}subgraph {name} {{")
            lines.append(
                f"{indent}  label={_q(f'{path}: {cls}' if cls and cls != path else path)}; "
                f'style="rounded,dashed"; color="#999999"; fontsize=10;'
            )
            write(child, indent + "  ")
            lines.append(f"{indent}}}")

    write(tree, "  ")
    for src, dst, shape in edges:
        label = f" [label={_q(' ' + shape_text(shape))}]" if shape else ""
        lines.append(f"  {src} -> {dst}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"
