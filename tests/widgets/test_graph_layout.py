"""Where the graph's nodes go (layout.py), what they say (summary.py, rules.py), and the dashboard's module
details: a drawing without overlaps, edges that run downwards, boxes around modules, numbers as a student
writes them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autolab
from autolab import nn
from widgets.graphview import GraphView, capture
from widgets.graphview.layout import Box, layout
from widgets.graphview.rules import local_rule
from widgets.graphview.summary import fmt, full_text, inline, rows, summarize

dags = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1, max_size=3 * n),
        st.lists(st.sampled_from(["", "a", "b"]), min_size=n, max_size=n),
    )
)


def overlapping(a, b, pa, pb) -> bool:
    return abs(pa[0] - pb[0]) < (a.w + b.w) / 2 - 0.5 and abs(pa[1] - pb[1]) < (a.h + b.h) / 2 - 0.5


@settings(max_examples=60, deadline=None)
@given(dags)
def test_layout_draws_any_dag_without_overlaps_and_with_edges_pointing_down(dag):
    n, pairs, clusters = dag
    boxes = [Box(f"v{i}", 40 + 7 * (i % 5), 20 + 10 * (i % 3), (clusters[i],) if clusters[i] else ()) for i in range(n)]
    edges = [(f"v{min(a, b)}", f"v{max(a, b)}") for a, b in pairs if a != b]  # low -> high: no cycles
    out = layout(boxes, edges)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not overlapping(a, b, out.pos[a.id], out.pos[b.id]), (a, b)
        x, y = out.pos[a.id]
        assert a.w / 2 <= x <= out.width and a.h / 2 <= y <= out.height
    size = {b.id: b for b in boxes}
    for (src, dst), line in zip(edges, out.edges):
        assert line[0][1] == pytest.approx(out.pos[src][1] + size[src].h / 2, abs=0.1)  # leaves the bottom
        assert line[-1][1] == pytest.approx(out.pos[dst][1] - size[dst].h / 2, abs=0.1)  # enters the top
        assert all(p[1] <= q[1] for p, q in zip(line, line[1:]))  # always downwards
    for path, (x, y, w, h) in out.clusters.items():
        for b in boxes:
            if b.cluster[:1] == path:
                bx, by = out.pos[b.id]
                assert x < bx - b.w / 2 and bx + b.w / 2 < x + w and y < by - b.h / 2 and by + b.h / 2 < y + h


def test_layout_rejects_a_cycle():
    with pytest.raises(ValueError, match="cycle"):
        layout([Box("a", 10, 10), Box("b", 10, 10)], [("a", "b"), ("b", "a")])


def test_a_chain_is_drawn_straight_and_leaves_sit_beside_their_consumer():
    boxes = [Box(i, 50, 20) for i in ("w", "x", "mul", "t1", "b", "add", "t2")]
    edges = [("w", "mul"), ("x", "mul"), ("mul", "t1"), ("t1", "add"), ("b", "add"), ("add", "t2")]
    out = layout(boxes, edges)
    assert out.pos["b"][1] == out.pos["t1"][1]  # b is pulled down next to t1, not up to w and x
    assert out.pos["w"][1] == out.pos["x"][1] < out.pos["mul"][1]
    assert abs(out.pos["add"][0] - out.pos["t2"][0]) < 1


def test_numbers_read_like_a_students():
    assert [fmt(v) for v in (2.0, -24.0, 0.375, 1 / 3, 1e-5, 0.0, math.nan, -math.inf)] == [
        "2.0",
        "-24.0",
        "0.375",
        "0.33333",
        "1e-5",
        "0.0",
        "nan",
        "-inf",
    ]
    assert rows(summarize(np.array(2.0)), "data") == [{"text": "data 2.0"}]
    assert [r["text"] for r in rows(summarize(np.array([[1.0, -2.0], [3.5, 4.0]])), "grad")] == [
        "grad [[ 1.0, -2.0],",
        "      [ 3.5,  4.0]]",
    ]
    assert inline(summarize(np.array([1.0, 2.0]))) == "[1.0, 2.0]"
    big = summarize(np.arange(100.0).reshape(10, 10))
    assert big.values is None and inline(big) == f"(10, 10) ‖·‖ {np.linalg.norm(np.arange(100.0)):.5g}"
    assert sum(rows(big, "data")[-1]["spark"]) == 100


def test_nan_is_shown_not_hidden():
    s = summarize(np.array([1.0, np.nan, 3.0, np.inf] * 10))
    assert s.nonfinite == 20 and math.isnan(s.norm)
    assert "20 nan/inf" in full_text(s) and "nan/inf" in rows(s, "grad")[1]["text"]


def test_rules_fill_in_the_numbers():
    a, b = autolab.tensor(2.0, requires_grad=True), autolab.tensor(-3.0, requires_grad=True)
    for out, want in (
        (a * b, (["∂t/∂a = b", "∂t/∂b = a"], [-3.0, 2.0])),
        (a / b, (["∂t/∂a = 1/b", "∂t/∂b = -a/b²"], [-1 / 3, -2 / 9])),
        (a**3, (["∂t/∂a = 3·a^2"], [12.0])),
        (a**2, (["∂t/∂a = 2·a"], [4.0])),
        (a.tanh(), (["∂t/∂a = 1 - t²"], [1 - np.tanh(2.0) ** 2])),
    ):
        fn = out.grad_fn
        rule = local_rule(
            fn,
            fn.name().removesuffix("Backward0"),
            ["a", "b"][: len(fn.inputs)],
            "t",
            [t.detach().numpy() for t in fn.inputs],
            out.detach().numpy(),
        )
        assert rule.formulas == want[0]
        assert [float(np.asarray(v)) for v in rule.numbers] == pytest.approx(want[1])


def test_module_details_show_parameters_now_and_over_training(mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup
    import widgets

    dash = widgets.dashboard(model, opt, loss_fn, train, val, epochs=2, refresh=0.01)
    dash.trainer.fit()
    dash.flush()
    view = dash.graph
    fc1 = next(n for n in view.scene["nodes"] if n["alt"]["name"] == "fc1: Linear")
    view.select(fc1["id"])
    html = view.details_html
    for text in (
        "<h4>fc1</h4>",
        "Linear",
        "fc1.weight",
        "fc1.bias",
        "(16, 8)",
        "over the training so far",
        "gradient norm over training",
        "update / weight over training",
        "weight norm over training",
    ):
        assert text in html, text
    steps = [s for s, _ in view.history.get("fc1.weight")["gradient norm"]]
    assert steps == sorted(steps) and steps[-1] == dash.trainer.step - dash.trainer.step % 5
    relu = next(n for n in view.scene["nodes"] if n["alt"]["name"].startswith("act"))
    view.select(relu["id"])
    assert "no parameters" in view.details_html
    dash.close()


def test_module_view_draws_every_call_in_its_own_box(lenet_batch):
    model, x, y = lenet_batch
    loss = nn.CrossEntropyLoss()(model(x), y)
    view = GraphView(capture(loss, model))
    view.set_expanded(set(view.graph.module_paths()))
    labels = [c["label"] for c in view.scene["clusters"]]
    assert labels.count("relu: ReLU") == 4 and labels.count("pool: MaxPool2d") == 2  # calls, not paths
    view.close()
