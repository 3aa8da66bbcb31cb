"""The step-by-step walk shows what autolab's own backward computes, in the engine's order; names, labels,
frames and details of the values drawing (notebook 02's graph)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autolab
from autolab import nn
from widgets.graphview import GraphView, capture, graph, walk
from widgets.graphview.summary import summarize

UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "neg": lambda a: -a,
    "square": lambda a: a**2,
    "cube": lambda a: a**3,
    "exp": lambda a: (a * 0.3).exp(),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
}

programs = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), st.integers(0, 50)),
        st.tuples(st.sampled_from(sorted(BINARY)), st.integers(0, 50), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=12,
)


def run_program(program, seed: int, shape: tuple):
    """Leaves (one without grad), then each step applies an op to earlier tensors (reuse makes accumulation)."""
    rng = np.random.default_rng(seed)
    pool = [autolab.tensor(rng.standard_normal(shape), requires_grad=True) for _ in range(3)]
    pool.append(autolab.tensor(rng.standard_normal(shape)))  # data: no gradient
    for step in program:
        name, *args = step
        ins = [pool[a % len(pool)] for a in args]
        pool.append(UNARY[name](*ins) if name in UNARY else BINARY[name](*ins))
    loss = pool[-1].sum() + pool[0].sum() * 0.5  # the first leaf is used at least twice
    return pool, loss


def every_tensor(root):
    """Every tensor that requires grad in the graph of ``root``, intermediates too."""
    found, stack = {id(root): root}, [root]
    while stack:
        t = stack.pop()
        for inp in t.grad_fn.inputs if t.grad_fn is not None else ():
            if inp.requires_grad and id(inp) not in found:
                found[id(inp)] = inp
                stack.append(inp)
    return list(found.values())


def node_of(g, t):
    return g._ids.get(id(t.grad_fn)) if t.grad_fn is not None else g._ids.get(id(t))


@settings(max_examples=40, deadline=None)
@given(programs, st.integers(0, 2**16), st.sampled_from([(), (3,), (2, 3)]))
def test_walk_gradients_are_exactly_autolabs(program, seed, shape):
    pool, loss = run_program(program, seed, shape)
    g = capture(loss, values=True, track_grads=False)
    trace = walk(loss, g)
    for t in pool + [loss]:
        if t.requires_grad and t.grad_fn is not None:
            t.retain_grad()
    loss.backward()
    compared = 0
    for t in pool + [loss]:
        node = node_of(g, t)
        if node is None or t.grad is None:
            continue
        assert np.array_equal(trace.grads[node].values, t.grad.numpy().astype(np.float64)), t
        compared += 1
    assert compared >= 2


@settings(max_examples=25, deadline=None)
@given(programs, st.integers(0, 2**16))
def test_walk_visits_tensors_in_the_engines_order(program, seed):
    """Hooks fire as the real backward reaches each tensor: the walk's steps come in that same order."""
    pool, loss = run_program(program, seed, (2,))
    g = capture(loss, values=True, track_grads=False)
    trace = walk(loss, g)
    visited = []

    def recorder(node):
        return lambda grad: visited.append(node)

    for t in every_tensor(loss):
        t.register_hook(recorder(node_of(g, t)))
    loss.backward()
    assert [s.node for s in trace.backward] == visited


def test_walk_explains_a_tensor_used_twice():
    w = autolab.tensor(2.0, requires_grad=True)
    x = autolab.tensor(-3.0)
    b = autolab.tensor(10.0, requires_grad=True)
    loss = (w * x + b) ** 2 + 0.1 * w**2
    view = graph(loss)
    frames = view.frames
    assert frames[0]["phase"] == "forward" and frames[view.backward_start]["phase"] == "backward"
    assert view.step == view.backward_start - 1  # drawn before backward: waits after the forward pass
    adding = [f for f in frames if any("used more than once" in line for line in f["lines"])]
    assert len(adding) == 1 and "0.4 + -24.0 = -23.6" in " ".join(adding[0]["lines"])
    assert view.shown(view.backward_start)["w"]["grad"] == "grad ?"
    last = view.shown(len(frames) - 1)
    loss.backward()
    assert last["w"]["grad"] == f"grad {w.grad.item():.5g}" == "grad -23.6"
    assert last["b"]["grad"] == "grad 8.0" and last["x"]["grad"] == "no grad"
    # The local rule with its numbers, in the step that runs Mul.backward for w * x:
    mul = next(f for f in frames if f["title"] == "Backward: Mul" and "∂L/∂w" in " ".join(f["lines"]))
    assert "  ∂L/∂w = ∂L/∂t1 · ∂t1/∂w = 8.0 × -3.0 = -24.0" in mul["lines"]
    view.close()


def test_names_come_from_the_caller_a_mapping_and_the_model():
    weight = autolab.tensor([[1.0, 2.0]], requires_grad=True)
    inp = autolab.tensor([[3.0], [4.0]])
    out = (weight @ inp).sum()
    _hidden = out  # IPython's output history looks like this: never a name
    labels = {n["alt"]["name"] for n in graph(out).scene["nodes"] if n["kind"] != "op"}
    assert {"weight", "inp", "out", "t1"} <= labels and "_hidden" not in labels
    for mapping in ({"W": weight}, {weight: "W"}):
        labels = {n["alt"]["name"] for n in graph(out, names=mapping).scene["nodes"]}
        assert "W" in labels and "weight" not in labels
    with pytest.raises(TypeError, match="names must map"):
        graph(out, names={"W": 3})
    layer = nn.Linear(2, 1)
    y = layer(autolab.ones(1, 2)).sum()
    view = graph(y, layer)
    assert view.graph.has_values  # one layer: small enough for numbers
    labels = {n["alt"]["name"] for n in view.scene["nodes"]}
    assert {"weight", "bias", "y"} <= labels
    assert view.scene["clusters"][0]["label"] == "Linear"


def test_intermediate_labels_follow_evaluation_order_and_are_stable():
    def build():
        a = autolab.tensor(1.5, requires_grad=True)
        b = autolab.tensor(-0.5, requires_grad=True)
        return ((a * b) + (a - b)).exp()

    first = graph(build(), names={})
    ops = {n["alt"]["value"] for n in first.scene["nodes"] if n["kind"] == "op"}
    assert {"t1 = leaf1 × leaf2", "t2 = leaf1 − leaf2", "t3 = t1 + t2", "t4 = exp(t3)"} == ops
    assert first.scene == graph(build(), names={}).scene  # rebuilt: the same drawing, node for node


def test_frames_and_table_text_for_large_tensors():
    autolab.manual_seed(0)
    x = autolab.randn(16, 8, requires_grad=True)
    h = (x @ autolab.randn(8, 32)).tanh()
    loss = h.mean()
    view = graph(loss)
    node = next(n for n in view.scene["nodes"] if n["alt"]["name"] == "x")
    value_rows = [r for r in node["value"]]
    assert value_rows[0]["text"].startswith("data μ") and "spark" in value_rows[-1]
    assert sum(value_rows[-1]["spark"]) == 16 * 8
    loss.backward()
    want = summarize(x.grad.numpy())
    assert node["alt"]["grad"].startswith("(16, 8): mean") and f"norm {want.norm:.5g}" in node["alt"]["grad"]
    view.close()


def test_details_of_a_tensor_and_an_op():
    w = autolab.tensor(2.0, requires_grad=True)
    x = autolab.tensor(-3.0)
    y = w * x
    view = graph(y)
    view.select("n" + str(next(i for i, leaf in view.graph.leaves.items() if leaf.label == "w")))
    html = view.details_html
    for text in ("<h4>w</h4>", "requires_grad", "True", "float32", "gradient ∂L/∂w", "-3.0"):
        assert text in html
    view.select("o" + str(view.graph.root))
    html = view.details_html
    assert "MulBackward0" in html and "∂y/∂w = x = -3.0" in html and "autolab/ops/arithmetic.py:" in html
    assert "def backward(self, grad)" in html
    view.select("")
    assert view.details_html == ""
    with pytest.raises(IndexError):
        view.step = len(view.frames)
    view.close()


def test_a_custom_function_shows_its_own_backward():
    class Cube(autolab.autograd.Function):
        def forward(self, a):
            return a**3

        def backward(self, grad):
            (a,) = self.inputs
            return grad * 3 * a * a

    a = autolab.tensor(2.0, requires_grad=True)
    view = graph(Cube.apply(a))
    view.select("o" + str(view.graph.root))
    assert "return grad * 3 * a * a" in view.details_html and "Cube.backward" in view.details_html
    last = view.shown(len(view.frames) - 1)
    assert last["a"]["grad"] == "grad 12.0"
    view.close()


def test_rules_toggle_writes_the_rule_under_each_op():
    w = autolab.tensor(2.0, requires_grad=True)
    loss = (w * 3.0) ** 2
    view = graph(loss)
    rows = [r["text"] for n in view.scene["nodes"] for r in n["head"] if r.get("cls") == "rule"]
    assert rows == []
    view.rules_box.value = True
    rows = [r["text"] for n in view.scene["nodes"] for r in n["head"] if r.get("cls") == "rule"]
    assert "∂t1/∂w = 3.0 = 3.0" in rows or "∂t1/∂w = 3.0" in rows
    assert "∂loss/∂t1 = 2·t1 = 12.0" in rows
    assert not any("∂t1/∂3.0" in r for r in rows)  # the constant needs no gradient: no rule for it
    view.close()


def test_networks_get_the_module_drawing(lenet_batch):
    model, x, y = lenet_batch
    loss = nn.CrossEntropyLoss()(model(x), y)
    view = GraphView.of(loss, model)
    assert not view.graph.has_values and view.frames == []
    assert GraphView.of(loss, model, detail="values").graph.has_values
    with pytest.raises(ValueError, match="detail"):
        GraphView.of(loss, model, detail="everything")
    view.close()


def test_a_broken_backward_stops_the_walk_with_the_engines_error():
    class WrongShape(autolab.autograd.Function):
        def forward(self, a):
            return a * 2

        def backward(self, grad):
            return grad.sum()  # forgot that the input has a shape

    x = autolab.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (WrongShape.apply(x) ** 2).sum()
    view = graph(y)
    last = view.frames[-1]
    assert last["title"] == "Backward stops: an error"
    assert "WrongShapeBackward0 returned a gradient of shape () for an input of shape (3,)" in last["lines"][0]
    with pytest.raises(RuntimeError, match="WrongShapeBackward0 returned a gradient of shape"):
        y.backward()  # the engine says the same
    view.close()


def test_graphs_of_a_leaf_and_of_a_constant():
    a = autolab.tensor(3.0, requires_grad=True)
    view = graph(a)
    assert [f["title"] for f in view.frames] == ["Forward: the inputs", "Backward: a.grad"]
    assert view.shown(1)["a"]["grad"] == "grad 1.0"
    c = autolab.tensor(2.0)
    view = graph(c)
    assert view.frames == [] and view.scene["nodes"][0]["alt"]["grad"] == "no gradient"
