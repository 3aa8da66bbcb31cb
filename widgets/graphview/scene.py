"""What the browser draws: nodes with their text rows, laid out, edges, module boxes, a legend, and the frames of
the step-by-step walk. Plain JSON-able data; ``static/graph.js`` only draws it.

Two kinds of drawing:

- **values** (small graphs, notebook 02): every tensor is a box with its name, its numbers and its gradient,
  every op a small node between them, micrograd style. The walk's frames say, step by step, which node is
  current, what flows along which edge, and how each node's gradient reads at that moment.
- **modules** (networks, the dashboard): one node per module call, coloured by gradient norm (``dot.fold``).
"""

from __future__ import annotations

import functools
from typing import Any

from .colors import grad_color, norm_legend, sign_legend, signed_color, text_color
from .dot import fold
from .layout import Box, layout
from .model import Graph
from .rules import number_text, rule_lines
from .summary import Summary, fmt, full_text, inline, rows, shape_text
from .walk import Walk

CHAR_W, ROW_H, SPARK_H, PAD_X, PAD_Y = 7.2, 16, 20, 9, 5  # px, for a 12 px monospace font
NO_FILL = ""  # the theme's background


def _size(row_lists: list[list[dict]], min_w: float = 0.0) -> tuple[float, float]:
    """The box that fits the widest and tallest of the variants a node can show."""
    w, h = min_w, 0.0
    for rs in row_lists:
        width = max((len(r["text"]) * CHAR_W if "text" in r else 112.0 for r in rs), default=0.0)
        w = max(w, width + 2 * PAD_X)
        h = max(h, sum(ROW_H if "text" in r else SPARK_H for r in rs) + 2 * PAD_Y)
    return round(w, 1), round(h, 1)


def _grad_rows(s: Summary | None) -> list[dict]:
    return rows(s, "grad") if s is not None else [{"text": "grad ?", "cls": "pending"}]


def _fill(s: Summary | None, scale: float) -> str:
    """A scalar gradient colours its node by sign and size; a tensor's many numbers do not make one colour
    (its numbers, or its histogram, are in the node), so it stays plain unless something is not finite."""
    if s is None:
        return NO_FILL
    if s.is_scalar:
        return signed_color(s.item, scale)
    return grad_color(float("nan")) if s.nonfinite else NO_FILL


def values_scene(graph: Graph, walk: Walk | None, show_rules: bool = False, start: str = "auto") -> dict:
    """The values drawing of a graph captured with ``values=True``, and the frames of ``walk``."""
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    final = walk.grads if walk is not None else {}
    scalars = [abs(s.item) for s in final.values() if s.is_scalar and s.item == s.item]
    scale = max(scalars, default=0.0)
    calls = call_keys(graph)
    users: dict[int, list[str]] = {}
    for op in graph.ops.values():
        for i in dict.fromkeys(op.inputs):
            users.setdefault(i, []).append(op.label)

    def tensor_node(node_id: int, label: str, kind: str, value: Summary | None, shape, dtype, needs_grad, scope):
        head = [{"text": label, "cls": "name"}]
        if shape:
            head.append({"text": f"{shape_text(shape)} {dtype}", "cls": "dim"})
        grad = final.get(node_id)
        grad_rows = _grad_rows(grad) if needs_grad else [{"text": "no grad", "cls": "dim"}]
        nid = f"n{node_id}"
        nodes[nid] = {
            "id": nid,
            "kind": kind,
            "head": head,
            "value": rows(value, "data"),
            "grad": grad_rows,
            "fill": _fill(grad, scale) if needs_grad else NO_FILL,
            "cluster": list(scope),
            "alt": {
                "name": label,
                "kind": kind,
                "shape": shape_text(shape),
                "value": full_text(value) if value is not None else "",
                "grad": full_text(grad) if grad is not None else ("?" if needs_grad else "no gradient"),
                "users": ", ".join(users.get(node_id, [])),
            },
            "variants": [grad_rows],
        }
        return nid

    first_user = {}
    for op_id in graph.forward_order:
        for i in graph.ops[op_id].inputs:
            first_user.setdefault(i, op_id)
    for leaf in graph.leaves.values():
        kind = "leaf" if leaf.requires_grad else "const"
        # A parameter sits in the box of the module that uses it (weight and bias inside "Linear").
        scope = calls[first_user[leaf.id]] if leaf.is_param and leaf.id in first_user else ()
        tensor_node(leaf.id, leaf.label, kind, leaf.value, leaf.shape, leaf.dtype, leaf.requires_grad, scope)
    for op_id in graph.forward_order:
        op = graph.ops[op_id]
        out = tensor_node(op.id, op.label, "tensor", op.out, op.out_shape, op.dtype, True, calls[op.id])
        nodes[out]["alt"]["kind"] = f"result of {op.name}"
        head = [{"text": f"{op.symbol} {op.name}" if op.symbol != op.name.lower() else op.name, "cls": "op"}]
        if show_rules and op.rule is not None:
            # One line per input that wants a gradient: backward skips the others (the 0.1 in 0.1 * w**2).
            wanted = [i < 0 or i in graph.ops or graph.leaves[i].requires_grad for i in op.inputs]
            head += [{"text": line, "cls": "rule"} for line in rule_lines(op.rule, wanted)]
        in_names = [graph.label_of(i) for i in op.inputs if i >= 0]
        oid = f"o{op.id}"
        nodes[oid] = {
            "id": oid,
            "kind": "op",
            "head": head,
            "value": [],
            "grad": [],
            "fill": NO_FILL,
            "cluster": list(calls[op.id]),
            "alt": {
                "name": op.name,
                "kind": "op",
                "shape": "",
                "value": _expression(op.symbol, op.name, in_names, op.label),
                "grad": "rule: " + "; ".join(op.rule.formulas) if op.rule else "",
                "users": op.label,
            },
            "variants": [],
        }
        for slot, i in enumerate(op.inputs):
            if i >= 0:
                # w * w: two parallel edges, the left one labelled on its left, the right one on its right
                side = -1 if op.inputs.count(i) > 1 and op.inputs.index(i) == slot else 1
                edges.append({"id": f"e{op.id}.{slot}", "src": f"n{i}", "dst": oid, "side": side})
        edges.append({"id": f"e{op.id}.out", "src": oid, "dst": out})

    frames = _frames(graph, walk, nodes, scale) if walk is not None else []
    # Wide margins: the gradients written beside the edges of the outermost nodes must fit.
    scene = _place(nodes, edges, ranksep=46, titles=_titles(graph, calls), margin=40)
    scene.update(mode="values", frames=frames, legend=sign_legend(scale))
    scene["width"] += 50  # ... and on the right, longer ones (∂L/∂t4 = 1.0)
    scene["start"] = _start(graph, frames, start)
    scene["label"] = f"computation graph of {graph.label_of(graph.root) if graph.root is not None else 'a tensor'}"
    return scene


def _rhs(symbol: str, name: str, ins: list[str]) -> str:
    """``w × x``, ``t3**2``, ``exp(t1)``: how the op reads in a formula."""
    if len(ins) == 2 and symbol in ("+", "−", "×", "÷", "@", "^"):
        return f"{ins[0]} {symbol} {ins[1]}"
    if symbol.startswith("**") and ins:
        return f"{ins[0]}{symbol}"
    return f"{symbol if symbol == name.lower() else name}({', '.join(ins)})"


def _expression(symbol: str, name: str, ins: list[str], out: str) -> str:
    return f"{out} = {_rhs(symbol, name, ins)}"


def _start(graph: Graph, frames: list[dict], start: str | int) -> int:
    """Where the slider starts: after the forward pass, or at the end if backward already ran."""
    if not frames:
        return 0
    if isinstance(start, int):
        return max(0, min(start, len(frames) - 1))
    forward_end = max(i for i, f in enumerate(frames) if f["phase"] == "forward")
    if start == "end" or (start == "auto" and any(leaf.grad is not None for leaf in graph.leaves.values())):
        return len(frames) - 1
    return 0 if start == "start" else forward_end


def _frames(graph: Graph, walk: Walk, nodes: dict[str, dict], scale: float) -> list[dict]:
    """The forward pass op by op, then the backward pass in the engine's order (see walk.py)."""
    frames: list[dict] = []
    initial = {}
    for nid, node in nodes.items():
        if node["kind"] == "op":
            continue
        pending = [{"text": "grad ?", "cls": "pending"}] if node["kind"] != "const" else node["grad"]
        computed = nid[1:].isdigit() and int(nid[1:]) in graph.ops
        state = {"grad": pending, "fill": NO_FILL, "altGrad": "?" if node["kind"] != "const" else "no gradient"}
        if computed:
            state.update(value=[{"text": "data ?", "cls": "pending"}], altValue="not computed yet")
        initial[nid] = state
    leaves = ", ".join(f"{leaf.label} = {inline(leaf.value)}" for leaf in graph.leaves.values())
    frames.append(_frame("forward", "Forward: the inputs", [f"The leaves hold their values: {leaves}."], [], initial))

    for op_id in walk.forward:
        op = graph.ops[op_id]
        ins = [i for i in op.inputs if i >= 0]
        flows = {
            f"e{op.id}.{slot}": {"text": inline(_value_of(graph, i))} for slot, i in enumerate(op.inputs) if i >= 0
        }
        flows[f"e{op.id}.out"] = {"text": inline(op.out)}
        expr = _expression(op.symbol, op.name, [graph.label_of(i) for i in ins], op.label)
        if op.out is not None and op.out.is_scalar and all(_value_of(graph, i).is_scalar for i in ins):
            expr += f" = {_rhs(op.symbol, op.name, [inline(_value_of(graph, i)) for i in ins])} = {inline(op.out)}"
        else:
            expr += f": {inline(op.out)}"
        new = {f"n{op.id}": {"value": nodes[f"n{op.id}"]["value"], "altValue": nodes[f"n{op.id}"]["alt"]["value"]}}
        frames.append(_frame("forward", f"Forward: {op.name}", [expr], [f"o{op.id}", f"n{op.id}"], new, flows))

    for k, step in enumerate(walk.backward):
        frames.append(_backward_frame(graph, step, k, walk, nodes, scale))
    if walk.error:
        node = walk.backward[-1].node if walk.backward else graph.root
        op = graph.ops.get(node)
        lines = [
            f"✗ {op.name if op else 'backward'}.backward failed: {walk.error}",
            "loss.backward() raises this error at this same step: fix the op's backward (click it to see it).",
        ]
        current = [f"o{node}", f"n{node}"] if op else []
        frames.append(_frame("backward", "Backward stops: an error", lines, current, {}))
    return frames


def _value_of(graph: Graph, node_id: int) -> Summary:
    return graph.ops[node_id].out if node_id in graph.ops else graph.leaves[node_id].value


def _frame(phase, title, lines, current, changes, flows=None) -> dict:
    return {"phase": phase, "title": title, "lines": lines, "current": current, "set": changes, "edges": flows or {}}


def _backward_frame(graph: Graph, step: Any, k: int, walk: Walk, nodes: dict, scale: float) -> dict:
    name = graph.label_of(step.node)
    nid = f"n{step.node}"
    complete = {"grad": rows(step.grad, "grad"), "fill": _fill(step.grad, scale), "state": "done"}
    complete["altGrad"] = full_text(step.grad)
    changes = {nid: complete}
    summed = f" (the sum of the {step.parts} gradients it received)" if step.parts > 1 else ""
    if k == 0:
        seed = "ones, as if it were summed" if walk.seed_ones else "1"
        lines = [f"Backward starts at {name}: ∂{name}/∂{name} = {seed}."]
    else:
        lines = [f"{name} has received the gradients from all its users: ∂L/∂{name} = {inline(step.grad)}{summed}."]
    if step.op is None:
        lines.append(f"{name} is a leaf: backward() adds this to {name}.grad (AccumulateGrad).")
        return _frame("backward", f"Backward: {name}.grad", lines, [nid], changes)
    op = graph.ops[step.op]
    flows = {f"e{op.id}.out": {"text": f"∂L/∂{name} = {inline(step.grad)}", "back": True}}
    lines.append(f"{op.name}.backward turns it into gradients for its inputs:")
    for send in step.sends:
        to = graph.label_of(send.node)
        local = op.rule.numbers[send.slot] if op.rule and send.slot < len(op.rule.numbers) else None
        formula = op.rule.formulas[send.slot] if op.rule and send.slot < len(op.rule.formulas) else ""
        n = number_text(local) if step.grad.is_scalar and send.grad.is_scalar else None
        if n is not None:
            lines.append(
                f"  ∂L/∂{to} = ∂L/∂{name} · ∂{name}/∂{to} = {fmt(step.grad.item)} × {n} = {fmt(send.grad.item)}"
            )
        else:
            lines.append(f"  ∂L/∂{to} gets {inline(send.grad)}" + (f"   ({formula})" if formula else ""))
        flows[f"e{op.id}.{send.slot}"] = {"text": inline(send.grad), "back": True}
        target = f"n{send.node}"
        if send.total is not None:
            lines.append(
                f"  {to} is used more than once: its gradients add up, {inline(send.before)} + "
                f"{inline(send.grad)} = {inline(send.total)}"
            )
            if send.total.is_scalar:
                acc = [{"text": f"grad {fmt(send.before.item)} + {fmt(send.grad.item)}", "cls": "acc"}]
                acc.append({"text": f"   = {fmt(send.total.item)}", "cls": "acc"})
            else:
                acc = rows(send.total, "grad") + [{"text": "(two or more parts added)", "cls": "acc"}]
            state = {"grad": acc, "fill": _fill(send.total, scale), "state": "acc", "altGrad": full_text(send.total)}
        else:
            state = {"grad": rows(send.grad, "grad"), "fill": _fill(send.grad, scale), "state": "got"}
            state["altGrad"] = full_text(send.grad) + " (so far)"
        changes[target] = state  # the same tensor twice in one op (w * w): the second send holds the sum
        nodes[target]["variants"].append(state["grad"])
    return _frame("backward", f"Backward: {op.name}", lines, [f"o{op.id}", nid], changes, flows)


def modules_scene(graph: Graph, expanded: set[str]) -> dict:
    """One node per module call (or op, where a module is expanded), coloured by the gradient at its output."""
    folded, fold_edges, key_of = fold(graph, expanded)
    calls = call_keys(graph)
    first_consumer = {s: d for s, d, _ in reversed(fold_edges)}
    nodes: dict[str, dict] = {}
    for node in folded.values():
        if node.members:  # an op or a module call: the calls around its first op
            cluster = calls[node.members[0]][: len(node.clusters)]
        elif node.kind == "leaf" and node.clusters:  # a parameter: inside the call that uses it
            user = folded[first_consumer[node.key]]
            cluster = calls[user.members[0]][: len(node.clusters)] if user.members else ()
        else:
            cluster = ()
        lines = node.label.split("\n")
        head = [{"text": lines[0], "cls": "name"}] + [{"text": t, "cls": "dim"} for t in lines[1:]]
        if node.grad_norm is not None:
            head.append({"text": f"‖∇‖ {node.grad_norm:.1e}", "cls": "norm"})
        fill = grad_color(node.grad_norm) if node.grad_norm is not None and node.kind != "output" else NO_FILL
        nodes[node.key] = {
            "id": node.key,
            "kind": node.kind,
            "head": head,
            "value": [],
            "grad": [],
            "fill": fill,
            "cluster": list(cluster),
            "alt": {
                "name": lines[0],
                "kind": node.kind,
                "shape": " ".join(lines[1:]),
                "value": node.tooltip.replace("\n", "; ") if node.tooltip != node.label else "",
                "grad": f"{node.grad_norm:.3g}" if node.grad_norm is not None else "",
                "users": "",
            },
            "variants": [],
        }
    edges = [
        {"id": f"e{i}", "src": s, "dst": d, "label": shape_text(shape) if shape else ""}
        for i, (s, d, shape) in enumerate(fold_edges)
    ]
    for e in edges:
        nodes[e["src"]]["alt"]["users"] = ", ".join(filter(None, [nodes[e["src"]]["alt"]["users"], e["dst"]]))
    scene = _place(nodes, edges, ranksep=36, titles=_titles(graph, calls))
    scene.update(mode="modules", frames=[], legend=norm_legend(), start=0, label="computation graph of the loss")
    return scene


def call_keys(graph: Graph) -> dict[int, tuple[str, ...]]:
    """Per op, its module scope with each module *call* told apart: ``("LeNet#0", "relu#2")``.

    A module used twice (one ReLU after every layer) is one path but several calls; boxing all its ops together
    would draw one box across the whole network. Ops of the same module path that are connected belong to the
    same call (as in ``dot.fold``)."""
    keys: dict[int, list[str]] = {i: [] for i in graph.ops}
    depth = max((len(op.scope) for op in graph.ops.values()), default=0)
    for d in range(1, depth + 1):
        inside = {i for i, op in graph.ops.items() if len(op.scope) >= d}
        parent = {i: i for i in inside}
        for e in graph.edges:
            if e.src in inside and e.dst in inside and graph.ops[e.src].scope[:d] == graph.ops[e.dst].scope[:d]:
                parent[_find(parent, e.src)] = _find(parent, e.dst)
        number: dict[tuple[str, int], int] = {}
        counts: dict[str, int] = {}
        for i in sorted(inside):
            path, root = graph.ops[i].scope[d - 1], _find(parent, i)
            if (path, root) not in number:
                number[(path, root)] = counts[path] = counts.get(path, -1) + 1
            keys[i].append(f"{path}#{number[(path, root)]}")
    return {i: tuple(k) for i, k in keys.items()}


def _find(parent: dict[int, int], i: int) -> int:
    """Union-find: the representative of i's set."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _titles(graph: Graph, calls: dict[int, tuple[str, ...]]) -> dict[str, str]:
    """``relu#2`` -> ``relu: ReLU``: what a module call's box is labelled."""
    titles = {}
    for key in {k for ks in calls.values() for k in ks}:
        path = key.rsplit("#", 1)[0]
        cls = graph.modules.get(path, "")
        titles[key] = f"{path}: {cls}" if cls and cls != path else path
    return titles


@functools.lru_cache(maxsize=16)
def _layout(boxes: tuple[Box, ...], edges: tuple[tuple[str, str], ...], ranksep: float, margin: float) -> Any:
    """The layout, remembered: during training the dashboard redraws the same shapes with new numbers, and
    then only the numbers need to change (the layout is most of a redraw's time)."""
    return layout(list(boxes), list(edges), ranksep=ranksep, margin=margin)


def _place(
    nodes: dict[str, dict], edges: list[dict], ranksep: float, titles: dict | None = None, margin: float = 10
) -> dict:
    boxes = []
    for node in nodes.values():
        variants = [node["head"] + node["value"] + v for v in [node["grad"], *node.pop("variants")]]
        w, h = _size(variants, min_w=44 if node["kind"] == "op" else 60)
        node["w"], node["h"] = w, h
        boxes.append(Box(node["id"], w, h, tuple(node["cluster"])))
    placed = _layout(tuple(boxes), tuple((e["src"], e["dst"]) for e in edges), ranksep, margin)
    for node in nodes.values():
        node["x"], node["y"] = placed.pos[node["id"]]
        node["text"] = text_color(node["fill"]) if node["fill"] else ""
    for e, points in zip(edges, placed.edges):
        e["points"] = [list(p) for p in points]
    clusters = [
        {"label": (titles or {}).get(path[-1], path[-1]), "path": list(path), "box": list(box)}
        for path, box in sorted(placed.clusters.items(), key=lambda kv: len(kv[0]))
    ]
    return {
        "nodes": list(nodes.values()),
        "edges": edges,
        "clusters": clusters,
        "width": placed.width,
        "height": placed.height,
    }
