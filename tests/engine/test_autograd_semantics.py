"""How the graph behaves: accumulation, freeing, grad modes, higher order, hooks, names and edges."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import to_np

import autolab
import autolab.nn as nn
from autolab.autograd import AccumulateGrad


def leaf(values, dtype=autolab.float64):
    return autolab.tensor(values, dtype=dtype, requires_grad=True)


# ---- the engine ------------------------------------------------------------------------------------------------
def test_chain_of_10000_ops_backpropagates_without_recursion():
    x = leaf(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**10_000, rel=1e-9)


def test_tensor_used_by_two_paths_gets_both_gradients():
    """A diamond: y feeds both terms; a wrong topological order drops one path's gradient (once gave 1, not 3)."""
    x = leaf(2.0)
    y = x * 1
    (y + y * 2).backward()
    assert x.grad.item() == 3.0
    # the same shape of graph, deeper and wider: z = sum_k y * k with y = x^2
    x = leaf([1.0, -2.0])
    y = x**2
    z = sum((y * k for k in range(1, 5)), autolab.zeros(2, dtype=autolab.float64)).sum()
    z.backward()
    np.testing.assert_allclose(to_np(x.grad), 10 * 2 * np.array([1.0, -2.0]))


def test_mean_centering_gradient_matches_torch():
    """x - x.mean() reaches x twice; the gradient through the mean is the part a wrong order lost."""
    torch = pytest.importorskip("torch")
    a = np.array([0.3, -1.2, 2.0, 0.5])
    w = np.array([1.0, 2.0, -1.0, 0.5])
    grads = []
    for L in (autolab, torch):
        x = L.tensor(a, requires_grad=True)
        ((x - x.mean()) * L.tensor(w)).sum().backward()
        grads.append(to_np(x.grad))
    np.testing.assert_allclose(grads[0], grads[1])
    np.testing.assert_allclose(grads[0], w - w.mean())


def test_gradients_accumulate_into_grad():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), [3 + 2, 3 + 4])
    x.grad.zero_()
    (x * 5).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), [5, 5])


def test_grads_of_two_leaves_are_independent_copies():
    """Add hands the same gradient to both inputs; zeroing one .grad must not zero the other."""
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    a.grad.zero_()
    np.testing.assert_allclose(to_np(b.grad), [1, 1])


def test_second_backward_through_freed_graph_raises_like_torch():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(to_np(x.grad), [4.0, 8.0])


def test_backward_with_gradient_and_inputs():
    x, w = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    y = x * w
    y.backward(autolab.tensor([1.0, 10.0], dtype=autolab.float64), inputs=[w])
    np.testing.assert_allclose(to_np(w.grad), [1.0, 20.0])
    assert x.grad is None


# ---- requires_grad and grad modes ------------------------------------------------------------------------------
def test_requires_grad_propagation_and_is_leaf():
    x = leaf([1.0, 2.0])
    c = autolab.tensor([3.0, 4.0])
    assert x.is_leaf and c.is_leaf and x.grad_fn is None
    y = x * c
    assert y.requires_grad and not y.is_leaf
    assert not (c * 2).requires_grad and (c * 2).is_leaf
    assert not x.detach().requires_grad and x.detach().is_leaf
    assert not autolab.argmax(x).requires_grad  # integer results carry no gradient
    assert not (x > 1).requires_grad
    d = x.detach()
    d[0] = 7.0  # detach shares storage, as in PyTorch
    assert x[0].item() == 7.0


def test_no_grad_as_context_manager_and_decorator():
    x = leaf([1.0])
    with autolab.no_grad():
        assert not autolab.is_grad_enabled()
        y = x * 2
        with autolab.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert not y.requires_grad and y.grad_fn is None
    assert autolab.is_grad_enabled()

    @autolab.no_grad()
    def f(t):
        return t * 2

    @autolab.enable_grad()
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    with autolab.no_grad():
        assert g(x).requires_grad
    assert autolab.is_grad_enabled()


def test_set_grad_enabled_call_context_and_decorator():
    x = leaf([1.0])
    with autolab.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert autolab.is_grad_enabled()

    @autolab.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert autolab.is_grad_enabled()  # decorating must not switch grad off outside the function
    assert not f(x).requires_grad
    autolab.set_grad_enabled(False)
    try:
        assert not autolab.is_grad_enabled()
    finally:
        autolab.set_grad_enabled(True)
    assert autolab.is_grad_enabled()


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError):
        with autolab.no_grad():
            raise ValueError
    assert autolab.is_grad_enabled()


def test_inplace_on_leaf_requiring_grad_raises():
    x = leaf([1.0, 2.0])
    for op in (lambda: x.add_(1), lambda: x.mul_(2), lambda: x.zero_(), lambda: x.__setitem__(0, 3.0)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad.*in-place"):
            op()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x += 1
    with autolab.no_grad():
        x -= 1  # the optimizer's update
    np.testing.assert_allclose(to_np(x.detach()), [0.0, 1.0])
    assert x.is_leaf and x.requires_grad


def test_only_float_tensors_can_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        autolab.tensor([1, 2], requires_grad=True)


# ---- higher order ----------------------------------------------------------------------------------------------
def test_second_derivative_of_tanh_matches_formula():
    a = np.linspace(-2, 2, 7)
    x = leaf(a)
    (dy,) = autolab.autograd.grad(autolab.tanh(x).sum(), x, create_graph=True)
    assert dy.requires_grad
    np.testing.assert_allclose(to_np(dy), 1 - np.tanh(a) ** 2)
    (d2y,) = autolab.autograd.grad(dy.sum(), x)
    np.testing.assert_allclose(to_np(d2y), -2 * np.tanh(a) * (1 - np.tanh(a) ** 2), rtol=1e-12)


def test_third_derivative_of_cube():
    x = leaf(1.5)
    (d1,) = autolab.autograd.grad(x**3, x, create_graph=True)
    (d2,) = autolab.autograd.grad(d1, x, create_graph=True)
    (d3,) = autolab.autograd.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == pytest.approx((3 * 1.5**2, 6 * 1.5, 6.0))


def test_grad_does_not_touch_dot_grad_and_reports_unused():
    x, u = leaf([1.0, 2.0]), leaf([0.0])
    (g,) = autolab.autograd.grad((x * x).sum(), x)
    np.testing.assert_allclose(to_np(g), [2.0, 4.0])
    assert x.grad is None
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        autolab.autograd.grad((x * x).sum(), [x, u])
    gx, gu = autolab.autograd.grad((x * x).sum(), [x, u], allow_unused=True)
    assert gu is None


def test_create_graph_backward_accumulates_differentiable_grad():
    x = leaf([0.5, -1.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (gg,) = autolab.autograd.grad(x.grad.sum(), x)
    np.testing.assert_allclose(to_np(gg), 6 * np.array([0.5, -1.0]))


# ---- hooks -----------------------------------------------------------------------------------------------------
def test_tensor_hook_replaces_gradient_and_can_be_removed():
    x = leaf([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(to_np(g).copy()) or g * 10)
    (x * 3).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), [30, 30])
    np.testing.assert_allclose(seen[0], [3, 3])
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), [3, 3])
    assert len(seen) == 1


def test_hook_on_intermediate_changes_upstream_gradient_and_retain_grad():
    torch = pytest.importorskip("torch")
    results = []
    for L in (autolab, torch):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g + 1)
        y.retain_grad()
        (y * y).sum().backward()
        assert y.retains_grad and not y.is_leaf
        results.append((to_np(y.grad), to_np(x.grad)))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])


def test_non_leaf_grad_is_none_without_retain_grad():
    x = leaf([1.0])
    y = x * 2
    (y * 3).sum().backward()
    assert y.grad is None and x.grad is not None


def test_module_forward_hooks_and_pre_hooks():
    autolab.manual_seed(0)
    lin = nn.Linear(3, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, inp: calls.append(("pre", m, inp[0].shape)))
    h2 = lin.register_forward_hook(lambda m, inp, out: calls.append(("post", m, out.shape)))
    x = autolab.randn(4, 3)
    lin(x)
    assert calls == [("pre", lin, (4, 3)), ("post", lin, (4, 2))]
    # a pre-hook may replace the input, a forward hook the output
    h3 = lin.register_forward_pre_hook(lambda m, inp: (inp[0] * 0,))
    h4 = lin.register_forward_hook(lambda m, inp, out: out + 1)
    out = lin(x)
    np.testing.assert_allclose(to_np(out), np.broadcast_to(to_np(lin.bias) + 1, (4, 2)), rtol=1e-6)
    for h in (h1, h2, h3, h4):
        h.remove()
    calls.clear()
    np.testing.assert_allclose(to_np(lin(x)), to_np(x) @ to_np(lin.weight).T + to_np(lin.bias), rtol=1e-5)
    assert calls == []


# ---- names and edges -------------------------------------------------------------------------------------------
NAMED = [
    (lambda L, x, y: x * y, "MulBackward0"),
    (lambda L, x, y: x + y, "AddBackward0"),
    (lambda L, x, y: x - y, "SubBackward0"),
    (lambda L, x, y: x / y, "DivBackward0"),
    (lambda L, x, y: -x, "NegBackward0"),
    (lambda L, x, y: x**2, "PowBackward0"),
    (lambda L, x, y: x.exp(), "ExpBackward0"),
    (lambda L, x, y: y.log(), "LogBackward0"),
    (lambda L, x, y: y.sqrt(), "SqrtBackward0"),
    (lambda L, x, y: x.abs(), "AbsBackward0"),
    (lambda L, x, y: x.tanh(), "TanhBackward0"),
    (lambda L, x, y: x.sigmoid(), "SigmoidBackward0"),
    (lambda L, x, y: x.relu(), "ReluBackward0"),
    (lambda L, x, y: x.sum(), "SumBackward0"),
    (lambda L, x, y: x.mean(), "MeanBackward0"),
    (lambda L, x, y: x.max(dim=1)[0], "MaxBackward0"),
    (lambda L, x, y: x.min(dim=1).values, "MinBackward0"),
    (lambda L, x, y: x.softmax(1), "SoftmaxBackward0"),
    (lambda L, x, y: x.log_softmax(1), "LogSoftmaxBackward0"),
    (lambda L, x, y: x.T, "PermuteBackward0"),
    (lambda L, x, y: x[:, :1].expand(2, 4), "ExpandBackward0"),
    (lambda L, x, y: x[[0, 0]], "IndexBackward0"),
    (lambda L, x, y: x[x > 1], "IndexBackward0"),
    (lambda L, x, y: x.clone(), "CloneBackward0"),
    (lambda L, x, y: L.cat([x, y]), "CatBackward0"),
    (lambda L, x, y: L.where(x > 1, x, y), "WhereBackward0"),
]


@pytest.mark.parametrize("fn, name", NAMED, ids=[n for _, n in NAMED])
def test_grad_fn_names_are_pytorchs(fn, name):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).uniform(0.5, 2, (2, 3))
    out = fn(autolab, leaf(a), leaf(a + 1))
    assert out.grad_fn.name() == name
    assert repr(out.grad_fn) == f"<{name}>"
    tout = fn(torch, torch.tensor(a, requires_grad=True), torch.tensor(a + 1, requires_grad=True))
    assert tout.grad_fn.name() == name


def test_next_functions_form_the_graph():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = autolab.tensor([1.0, 1.0], dtype=autolab.float64)
    y = x * w
    z = y + c
    (mul_edge, const_edge) = z.grad_fn.next_functions
    assert mul_edge == (y.grad_fn, 0) and const_edge == (None, 0)
    (ex, ew) = y.grad_fn.next_functions
    assert isinstance(ex[0], AccumulateGrad) and ex[0].variable is x and ex[0].name() == "AccumulateGrad"
    assert ew[0].variable is w
    assert y.grad_fn.inputs == (x, w)
    assert y.grad_fn.output is y
    assert y.grad_fn.needs_input_grad == (True, True)
    assert (x * c).grad_fn.needs_input_grad == (True, False)


@pytest.mark.xfail(
    reason="autolab keeps no version counters, so an in-place change of a tensor saved for backward goes "
    "unnoticed and backward silently uses the new value (PyTorch raises)",
    strict=True,
)
def test_inplace_change_of_a_saved_tensor_is_detected():
    w = autolab.tensor([1.0, 2.0])
    x = leaf([1.0, 1.0])
    y = (x * w).sum()
    w.mul_(10)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_multiple_roots_and_grad_outputs_match_torch():
    torch = pytest.importorskip("torch")
    out = {}
    for L in (autolab, torch):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        L.autograd.backward([a * 2, (a * a).sum()], [L.ones(2), None])
        (g,) = L.autograd.grad([a * 2, a * 3], a, grad_outputs=[L.ones(2), L.tensor([1.0, 0.0])])
        x = L.tensor([1.0, 2.0], requires_grad=True)
        calls = []
        x.register_hook(lambda g, calls=calls: calls.append(g.tolist()))
        y = x * 3
        (y * x + y).sum().backward()  # x reached by two paths: its hook sees the total once
        out[L.__name__] = (a.grad.tolist(), g.tolist(), calls, x.grad.tolist())
    assert out["autolab"] == out["torch"]


def test_leaf_backward_and_creation_under_no_grad():
    x = leaf(3.0)
    x.backward()
    assert x.grad.item() == 1.0
    with autolab.no_grad():
        y = autolab.ones(2, requires_grad=True)  # an explicit request still makes a leaf that requires grad
        assert y.requires_grad and not (y * 2).requires_grad


def test_mixed_dtype_graph_gives_each_leaf_a_grad_of_its_own_dtype():
    torch = pytest.importorskip("torch")
    out = {}
    for L in (autolab, torch):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = L.tensor([1.0, 3.0], dtype=L.float64, requires_grad=True)
        h = L.tensor([1.0, 2.0], dtype=L.float16, requires_grad=True)
        z = (x * y + x * L.tensor([2, 3]) + x**2 + L.tensor(2.0, dtype=L.float64) * x + h.float()).sum()
        z.backward()
        out[L.__name__] = [str(t.dtype).split(".")[1] for t in (z, x.grad, y.grad, h.grad)]
        out[L.__name__] += [x.grad.tolist(), y.grad.tolist()]
    assert out["autolab"] == out["torch"]


def test_inference_mode_records_nothing():
    x = leaf([1.0])
    with autolab.inference_mode():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
