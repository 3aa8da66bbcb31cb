"""The graph view: capture, module folding, gradient norms, colours, DOT, SVG export and its fallback."""

from __future__ import annotations

import json
import re
import shutil

import graphviz
import numpy as np
import pytest

import autolab
from autolab import nn
from widgets.graphview import GraphView, capture, to_dot
from widgets.graphview.colors import grad_color
from widgets.graphview.dot import fold

LENET_MODULES = ("conv1", "conv2", "fc1", "fc2", "fc3", "pool", "relu")


def lenet_loss(lenet_batch):
    model, x, y = lenet_batch
    return model, nn.CrossEntropyLoss()(model(x), y)


def node_labels(graph, expanded=None):
    expanded = {graph.model_path} if expanded is None else expanded
    nodes, edges, _ = fold(graph, expanded)
    return [n.label.split("\n")[0] for n in nodes.values()], edges


def test_lenet_module_view_has_one_node_per_module_call(lenet_batch):
    model, loss = lenet_loss(lenet_batch)
    graph = capture(loss, model)
    labels, edges = node_labels(graph)
    for name, cls in (
        ("conv1", "Conv2d"),
        ("conv2", "Conv2d"),
        ("fc1", "Linear"),
        ("fc2", "Linear"),
        ("fc3", "Linear"),
    ):
        assert labels.count(f"{name}: {cls}") == 1
    assert labels.count("pool: MaxPool2d") == 2  # the same module called twice: two calls, two nodes
    assert labels.count("relu: ReLU") == 4
    assert "CrossEntropyLoss" in labels and "output" in labels
    # A chain from the input to the loss: every module call has exactly one module-or-op successor.
    assert len(edges) == len(labels) - 1
    dot = to_dot(graph)
    for name in LENET_MODULES:
        assert re.search(rf'label="{name}: ', dot)
    assert "cluster_LeNet" in dot
    assert "(4, 6, 28, 28)" in dot  # conv1's output shape


def test_expanding_a_module_shows_its_ops_and_named_parameters(lenet_batch):
    model, loss = lenet_loss(lenet_batch)
    graph = capture(loss, model)
    labels, _ = node_labels(graph, {graph.model_path, "conv1"})
    assert "conv1: Conv2d" not in labels  # opened: its op and its parameters instead
    assert "conv1.weight" in labels and "conv1.bias" in labels
    assert "conv2: Conv2d" in labels and "conv2.weight" not in labels
    every_op, _ = node_labels(graph, set(graph.module_paths()))
    for name in ("conv1.weight", "conv2.weight", "fc1.weight", "fc3.bias"):
        assert name in every_op
    assert every_op.count("MaxPool2d") == 2 or every_op.count("MaxPool") == 2


def test_gradient_norms_on_the_graph_are_those_of_backward(lenet_batch):
    model, loss = lenet_loss(lenet_batch)
    graph = capture(loss, model, track_grads=True)
    loss.backward()
    graph.refresh_grads()
    by_label = {leaf.label: leaf for leaf in graph.leaves.values()}
    for name, p in model.named_parameters():
        assert by_label[name].grad_norm == pytest.approx(float(np.linalg.norm(p.grad.numpy())), rel=1e-5)
    assert graph.ops[graph.root].grad_norm == pytest.approx(1.0)  # d loss / d loss


def test_hooks_record_the_gradient_reaching_each_op():
    x = autolab.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    w = autolab.tensor(np.full((2, 3), 2.0), requires_grad=True)
    h = x * w  # grad of h is 3 * h**2 from the cube below... d(sum(h**3))/dh = 3 h^2
    loss = (h**3).sum()
    graph = capture(loss, track_grads=True)
    loss.backward()
    mul = next(op for op in graph.ops.values() if op.name == "Mul")
    expected = np.linalg.norm(3 * (np.arange(6.0) * 2) ** 2)
    assert mul.grad_norm == pytest.approx(expected)


def test_capture_numbers_nodes_the_same_way_every_step(lenet_batch):
    model, x, y = lenet_batch
    dots = [to_dot(capture(nn.CrossEntropyLoss()(model(x), y), model, track_grads=False)) for _ in range(2)]
    assert dots[0] == dots[1]  # same names: the browser updates the drawing in place


def test_grad_colour_scale_separates_vanishing_from_exploding():
    def rgb(c):
        return tuple(int(c[i : i + 2], 16) for i in (1, 3, 5))

    vanishing, typical, exploding = rgb(grad_color(1e-9)), rgb(grad_color(1e-2)), rgb(grad_color(1e5))
    assert vanishing[2] > vanishing[0] + 60  # blue
    assert exploding[0] > exploding[2] + 60  # red
    assert abs(typical[0] - typical[2]) < 60  # pale, neither
    assert grad_color(None) == "#ffffff"
    assert grad_color(float("nan")) == grad_color(float("inf")) == "#b40426"


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot binary (apt-get install graphviz)")
def test_export_svg_with_dot(lenet_batch, tmp_path):
    model, loss = lenet_loss(lenet_batch)
    view = GraphView(capture(loss, model), renderer="text")
    svg = view.export_svg(tmp_path / "g.svg")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for name in LENET_MODULES:
        assert name in svg
    assert (tmp_path / "g.svg").read_text() == svg
    view.close()


def test_export_svg_without_dot_degrades(lenet_batch, tmp_path, monkeypatch):
    model, loss = lenet_loss(lenet_batch)

    def no_dot(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Source, "pipe", no_dot)
    view = GraphView(capture(loss, model), renderer="text")
    with pytest.warns(UserWarning, match="dot"):
        assert view.export_svg(tmp_path / "g.svg") is None
    assert not (tmp_path / "g.svg").exists()
    assert "conv1" in (tmp_path / "g.dot").read_text()
    assert "conv1" in view.canvas.value  # the text renderer shows the DOT source
    view.close()


def test_view_expands_and_collapses_on_demand(lenet_batch):
    model, loss = lenet_loss(lenet_batch)
    view = GraphView(capture(loss, model), renderer="browser")

    def names():
        return [row["text"] for n in json.loads(view.canvas.scene)["nodes"] for row in n["head"][:1]]

    assert "conv1: Conv2d" in names()
    assert set(view.expand_select.options) >= set(LENET_MODULES)
    view.expand_select.value = ("LeNet", "conv1")  # what a click in the list does
    assert "conv1.weight" in names() and "conv1: Conv2d" not in names()
    view.collapse("conv1")
    assert "conv1.weight" not in names()
    view.ops_button.click()
    assert "fc3.weight" in names()
    view.modules_button.click()
    assert "fc3.weight" not in names()
    view.close()


def test_nested_modules_open_one_level_at_a_time():
    autolab.manual_seed(0)
    model = nn.Sequential(nn.Sequential(nn.Linear(4, 5), nn.ReLU()), nn.Linear(5, 2))
    out = model(autolab.randn(3, 4))
    graph = capture(autolab.nn.functional.mse_loss(out, autolab.zeros(3, 2)), model)
    labels, _ = node_labels(graph)
    assert {"0: Sequential", "1: Linear"} <= set(labels) and "0.0: Linear" not in labels
    assert {"Sub", "Mean"} <= set(labels)  # a functional loss: its ops belong to no module and show as ops
    labels, _ = node_labels(graph, {graph.model_path, "0"})
    assert {"0.0: Linear", "0.1: ReLU", "1: Linear"} <= set(labels) and "0: Sequential" not in labels
    assert "subgraph cluster_0 {" in to_dot(graph, {graph.model_path, "0"})


def test_a_custom_function_in_pytorchs_form_shows_the_users_backward():
    class Exp(autolab.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y  # the line the graph view must show

    y = Exp.apply(autolab.ones(2, requires_grad=True))
    graph = capture(y.sum(), values=True)
    (op,) = [op for op in graph.ops.values() if op.name.startswith("Exp")]
    assert "the line the graph view must show" in op.source
    assert op.where.startswith("test_graph.py:")


def test_a_custom_function_with_two_outputs_is_drawn_and_walked():
    class Two(autolab.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, a, b):
            return 2 * a + 3 * b

    x = autolab.ones(3, requires_grad=True)
    a, b = Two.apply(x)
    loss = (a * b).sum()
    graph = capture(loss, values=True)  # hooks on every tensor, the hidden one that gathers both outputs too
    assert sum(op.name == "Two" for op in graph.ops.values()) >= 1
    GraphView.of(loss)  # draws the values and walks backward step by step
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0, 12.0, 12.0])
