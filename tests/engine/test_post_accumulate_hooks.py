"""What DistributedDataParallel needs from the engine: post-accumulate hooks, end-of-backward callbacks, and an
order that accumulates a layer's weight as soon as that layer's backward is done (so all-reduces can overlap)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autolab
import autolab.nn as nn
from autolab.autograd import engine


def mlp(lib, seed=0):
    """The same float64 MLP in autolab and torch (torch's initial weights copied over)."""
    torch.manual_seed(seed)
    ref = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)
    ).double()
    if lib is torch:
        return ref
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    model.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return model


def test_post_accumulate_hook_sees_the_accumulated_grad_like_torch():
    seen = {}
    for lib in (autolab, torch):
        model = mlp(lib)
        x = lib.tensor(np.linspace(-1, 1, 6).reshape(2, 3))
        calls = []
        for name, p in model.named_parameters():
            p.register_post_accumulate_grad_hook(
                lambda t, name=name, calls=calls: calls.append((name, t.grad.detach().clone()))
            )
        for _ in range(2):  # the second backward accumulates: the hook sees the sum
            model(x).pow(2).sum().backward()
        seen[lib.__name__] = {name: np.array(g.numpy()) for name, g in calls[len(calls) // 2 :]}
        assert len(calls) == 2 * len(list(model.parameters()))  # once per parameter per backward
    assert seen["autolab"].keys() == seen["torch"].keys()
    for name in seen["torch"]:
        np.testing.assert_allclose(seen["autolab"][name], seen["torch"][name], rtol=1e-12)


def test_post_accumulate_hook_errors_and_removal_match_torch():
    for lib in (autolab, torch):
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            lib.ones(2).register_post_accumulate_grad_hook(lambda t: None)
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="non-leaf"):
            (x * 2).register_post_accumulate_grad_hook(lambda t: None)
        calls = []
        handle = x.register_post_accumulate_grad_hook(lambda t, calls=calls: calls.append(1))
        (x * 2).sum().backward()
        handle.remove()
        (x * 2).sum().backward()
        assert calls == [1]


def test_a_layers_weight_is_ready_right_after_that_layer():
    """Ready order: the last layer's parameters before the first layer's (a depth-first order put every weight at
    the end of backward, after all biases, which would leave no all-reduce to overlap with computation)."""
    model = mlp(autolab)
    order = []
    for name, p in model.named_parameters():
        p.register_post_accumulate_grad_hook(lambda t, name=name: order.append(name))
    model(autolab.randn(4, 3, dtype=autolab.float64)).sum().backward()
    assert order.index("4.weight") < order.index("2.bias") and order.index("2.weight") < order.index("0.bias")
    assert sorted(order) == sorted(n for n, _ in model.named_parameters())


def test_queue_callback_runs_after_every_gradient_is_accumulated():
    model = mlp(autolab)
    params = list(model.parameters())
    log = []

    def first_hook(t):
        engine.queue_callback(lambda: log.append(("callback", [p.grad is not None for p in params])))

    params[-1].register_post_accumulate_grad_hook(first_hook)
    model(autolab.randn(2, 3, dtype=autolab.float64)).sum().backward()
    assert log == [("callback", [True] * len(params))]
    with pytest.raises(RuntimeError, match="while a backward pass is running"):
        engine.queue_callback(lambda: None)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=25), st.integers(1, 3))
def test_ready_order_is_a_topological_order_of_every_reachable_tensor(edges, n_roots):
    """Random DAGs built from sums of earlier nodes: each tensor once, after every tensor that consumes it."""
    nodes = [autolab.ones(2, requires_grad=True), autolab.ones(2, requires_grad=True)]
    for a, b in edges:
        nodes.append(nodes[a % len(nodes)] + nodes[b % len(nodes)] * 2)
    roots = nodes[-n_roots:]
    order = engine.ready_order(roots)
    assert {id(t) for t in order} == {id(t) for t in engine.topological_order(roots)}
    assert len(order) == len({id(t) for t in order})
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        if t.grad_fn is not None:
            for parent in (p for p in t.grad_fn.inputs if p.requires_grad):
                assert position[id(parent)] > position[id(t)]


def test_ddp_style_bucket_hook_can_average_inside_backward():
    """The pattern DDP uses, on one process: hooks fill a flat buffer, the end-of-backward callback writes back."""
    model = nn.Linear(3, 2).double()
    params = list(model.parameters())
    flat = {}

    def hook(p):
        flat[id(p)] = p.grad.numpy().copy() / 2
        if len(flat) == len(params):
            engine.queue_callback(lambda: [setattr(q, "grad", autolab.tensor(flat[id(q)])) for q in params])

    for p in params:
        p.register_post_accumulate_grad_hook(hook)
    model(autolab.ones(1, 3, dtype=autolab.float64)).sum().backward()
    np.testing.assert_allclose(model.bias.grad.numpy(), [0.5, 0.5])
