"""The details panel beside the graph: everything about one node (a tensor, an op or a module), as HTML.

Charts are SVG text from ``svgplot`` (drawn in ``currentColor``, so they follow the theme). A module shows its
parameters now (values and gradients as histograms) and over the training so far (``ParamHistory``).
"""

from __future__ import annotations

import html
import threading
from typing import Any

import numpy as np

from autolab.training import stats as tstats

from ..svgplot import COLORS, Series, histogram, line_chart
from .model import Graph
from .rules import rule_lines
from .summary import Summary, fmt, full_text, shape_text

HIST_COLORS = ("#4477aa", "#cc6677")  # values, gradients (Paul Tol's colour-blind-safe pair)


class ParamHistory:
    """Statistics of every parameter over training, fed by ``autolab.training`` events.

    Gradient norms and update ratios come with the steps that carry ``StepStats``; weight norms and standard
    deviations are read when the graph is captured (every few seconds), which costs a few microseconds.
    """

    def __init__(self, limit: int = 5000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self.series: dict[str, dict[str, list[tuple[int, float]]]] = {}  # name -> stat -> [(step, value)]

    def record(self, step: int, name: str, stat: str, value: float) -> None:
        with self._lock:
            points = self.series.setdefault(name, {}).setdefault(stat, [])
            points.append((step, value))
            if len(points) > self.limit:  # keep every other point: long runs stay small, the shape stays
                del points[: len(points) // 2 : 2]

    def add_stats(self, step: int, step_stats: Any) -> None:
        for name, v in step_stats.grad_norms.items():
            self.record(step, name, "gradient norm", v)
        for name, v in step_stats.update_ratios.items():
            self.record(step, name, "update / weight", v)

    def add_weights(self, step: int, model: Any) -> None:
        for name, p in model.named_parameters():
            a = p.detach().numpy()
            self.record(step, name, "weight norm", tstats.norm(a))
            self.record(step, name, "weight std", float(a.std()))

    def get(self, name: str) -> dict[str, list[tuple[int, float]]]:
        with self._lock:
            return {k: list(v) for k, v in self.series.get(name, {}).items()}


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _header(title: str, subtitle: str = "") -> str:
    sub = f"<div style='opacity:.75'>{html.escape(subtitle)}</div>" if subtitle else ""
    return (
        "<button type='button' class='close' data-act='close' aria-label='Close the details'>×</button>"
        f"<h4>{html.escape(title)}</h4>{sub}"
    )


def _summary_block(label: str, s: Summary | None, color: str) -> str:
    if s is None:
        return f"<div><b>{label}</b>: none</div>"
    text = html.escape(full_text(s))
    out = f"<div><b>{label}</b></div><pre>{text}</pre>"
    if s.numel > 1 and s.counts:
        edges = np.linspace(s.edges[0], s.edges[1], len(s.counts) + 1)
        note = f"[{fmt(s.edges[0])}, {fmt(s.edges[1])}]"
        out += histogram(np.array(s.counts), edges, color, width=300, height=40, note=note)
    return out


def tensor_details(graph: Graph, node_id: int, grad: Summary | None) -> str:
    """A tensor of a values graph: a leaf, a constant or the result of an op."""
    if node_id in graph.ops:
        op = graph.ops[node_id]
        name, value, shape, dtype = op.label, op.out, op.out_shape, op.dtype
        facts = [("kind", f"result of {op.name}"), ("grad_fn", op.full_name), ("is_leaf", "False")]
        requires = True
        note = "an intermediate: backward() passes its gradient on and does not keep it (unless retain_grad())"
    else:
        leaf = graph.leaves[node_id]
        name, value, shape, dtype, requires = leaf.label, leaf.value, leaf.shape, leaf.dtype, leaf.requires_grad
        facts = [("kind", "parameter" if leaf.is_param else "leaf"), ("grad_fn", "None"), ("is_leaf", "True")]
        note = "a leaf: backward() adds its gradient to .grad" if requires else "requires no gradient"
    facts = [("shape", shape_text(shape)), ("dtype", dtype), ("requires_grad", str(requires))] + facts
    return (
        _header(name, note)
        + _table(facts)
        + _summary_block("value", value, HIST_COLORS[0])
        + (_summary_block("gradient ∂L/∂" + name, grad, HIST_COLORS[1]) if requires else "")
    )


def op_details(graph: Graph, op_id: int) -> str:
    op = graph.ops[op_id]
    ins = [
        (graph.label_of(i), shape_text(graph.ops[i].out_shape if i in graph.ops else graph.leaves[i].shape))
        for i in op.inputs
        if i >= 0
    ]
    facts = [
        ("grad_fn", op.full_name),
        ("inputs", ", ".join(f"{n} {s}" for n, s in ins)),
        ("output", f"{op.label} {shape_text(op.out_shape)}"),
    ]
    if op.scope:
        facts.append(("inside", " › ".join(op.scope)))
    rule = ""
    if op.rule is not None:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in rule_lines(op.rule))
        rule = f"<div><b>local derivative rule</b></div><ul>{items}</ul>"
    source = ""
    if op.source:
        where = f" ({html.escape(op.where)})" if op.where else ""
        source = f"<details><summary>its backward{where}</summary><pre>{html.escape(op.source)}</pre></details>"
    return (
        _header(f"{op.name}", "an op: its backward turns ∂L/∂(its output) into ∂L/∂(each input)")
        + _table(facts)
        + rule
        + source
    )


def module_details(graph: Graph, path: str, norm_at_output: float | None, history: ParamHistory | None) -> str:
    """A module call of a network: its parameters now, and over the training so far."""
    model = graph.model
    cls = graph.modules.get(path, "")
    module = dict(model.named_modules()).get(path) if model is not None else None
    if module is None and model is not None and path == graph.model_path:
        module = model
    facts = [("class", cls or "?")]
    if norm_at_output is not None:
        facts.append(("‖∂L/∂output‖", f"{norm_at_output:.3g}"))
    out = _header(path, "a module: click Expand above to see its ops") + _table(facts)
    if module is None:
        return out + "<div>(parameters unavailable: the model is gone)</div>"
    prefix = "" if module is model else path + "."
    params = list(module.named_parameters())
    if not params:
        return out + "<div>no parameters</div>"
    rows = [("parameter", "shape · ‖w‖ · ‖grad‖")]
    for name, p in params:
        g = tstats.norm(p.grad) if p.grad is not None else None
        rows.append(
            (
                prefix + name,
                f"{shape_text(tuple(p.shape))} · {tstats.norm(p):.3g} · "
                + (f"{g:.3g}" if g is not None else "no grad yet"),
            )
        )
    out += _table(rows)
    for name, p in params:
        full = prefix + name
        out += f"<div style='margin-top:6px'><b>{html.escape(full)}</b></div>"
        for label, t, color in (("values", p, HIST_COLORS[0]), ("gradient", p.grad, HIST_COLORS[1])):
            if t is None:
                out += f"<div>{label}: none yet</div>"
                continue
            counts, edges = tstats.histogram(t, 30)
            out += f"<div>{label}</div>" + histogram(
                counts, edges, color, width=300, height=36, note=f"[{edges[0]:.2g}, {edges[-1]:.2g}]"
            )
    if history is not None:
        out += _history_charts(history, [prefix + n for n, _ in params])
    return out


def _history_charts(history: ParamHistory, names: list[str]) -> str:
    charts = []
    for stat, log_y in (("gradient norm", True), ("update / weight", True), ("weight norm", False)):
        series = []
        for i, name in enumerate(names):
            points = history.get(name).get(stat, [])
            if points:
                xs, ys = zip(*points)
                series.append(Series(np.array(xs), np.array(ys), COLORS[i % len(COLORS)], name.rsplit(".", 1)[-1]))
        if series:
            hline = (1e-3, "1e-3 healthy") if stat == "update / weight" else None
            charts.append(
                line_chart(series, f"{stat} over training", "step", log_y=log_y, hline=hline, width=320, height=170)
            )
    if not charts:
        return "<div style='margin-top:6px'>statistics over training appear once it runs</div>"
    return "<div style='margin-top:6px'><b>over the training so far</b></div>" + "".join(charts)


def fold_node_details(graph: Graph, node: Any, history: ParamHistory | None) -> str:
    """A node of the modules drawing (``dot.fold``): a module call, an op, a parameter or the output."""
    if node.kind == "module":
        return module_details(graph, node.path, node.grad_norm, history)
    if node.kind == "leaf":
        name = node.label.split("\n")[0]
        out = _header(name, "a parameter" if "." in name else "an input")
        ref = next((graph._leaf_refs.get(i) for i, leaf in graph.leaves.items() if leaf.label == name), None)
        t = ref() if ref is not None else None
        if t is not None:
            out += _table([("shape", shape_text(tuple(t.shape))), ("requires_grad", str(t.requires_grad))])
            for label, x, color in (("values", t, HIST_COLORS[0]), ("gradient", t.grad, HIST_COLORS[1])):
                if x is not None:
                    counts, edges = tstats.histogram(x, 30)
                    out += f"<div>{label}</div>" + histogram(counts, edges, color, width=300, height=36)
        if history is not None and "." in name:
            out += _history_charts(history, [name])
        return out
    if node.kind == "op":
        op = graph.ops[node.members[0]]
        facts = [("grad_fn", op.full_name), ("inside", " › ".join(op.scope) or "no module")]
        if op.grad_norm is not None:
            facts.append(("‖∂L/∂output‖", f"{op.grad_norm:.3g}"))
        return _header(op.name, "an op") + _table(facts)
    return _header("output", "the tensor the graph was drawn for") + _table([("shape", shape_text(graph.root_shape))])
