"""Every op's backward against finite differences in float64 (autolab.autograd.gradcheck), on hypothesis shapes."""

from __future__ import annotations

import numpy as np
import pytest
from engine_cases import CASES
from engine_helpers import AL, make_inputs
from hypothesis import given, settings

import autolab
from autolab.autograd import GradcheckError, gradcheck, gradgradcheck


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gradcheck(case):
    @settings(max_examples=15, deadline=None)
    @given(case.inputs)
    def check(drawn):
        arrays, opts = drawn
        xs = make_inputs(AL, arrays, case.diff)
        assert all(x is None or x.dtype == autolab.float64 or not x.is_floating_point() for x in xs)
        assert gradcheck(lambda *t: case.fn(AL, *t, **opts), xs)

    check()


KERNEL_OPS = {"conv2d", "max_pool2d", "avg_pool2d"}  # backward runs a kernel: differentiable once only
TWICE = [c for c in CASES if c.name not in KERNEL_OPS]


@pytest.mark.parametrize("case", TWICE, ids=[c.name for c in TWICE])
def test_gradgradcheck(case):
    """Backward rules are written in tensor ops, so create_graph=True gives correct second derivatives."""

    @settings(max_examples=6, deadline=None)
    @given(case.inputs)
    def check(drawn):
        arrays, opts = drawn
        xs = make_inputs(AL, arrays, case.diff)
        assert gradgradcheck(lambda *t: case.fn(AL, *t, **opts), xs)

    check()


@pytest.mark.parametrize("op", ["conv2d", "max_pool2d", "avg_pool2d"])
def test_kernel_ops_refuse_double_backward_clearly(op):
    x = autolab.randn(1, 1, 4, 4, dtype=autolab.float64, requires_grad=True)
    w = autolab.randn(1, 1, 2, 2, dtype=autolab.float64, requires_grad=True)
    f = autolab.nn.functional
    y = {
        "conv2d": lambda: f.conv2d(x, w),
        "max_pool2d": lambda: f.max_pool2d(x, 2),
        "avg_pool2d": lambda: f.avg_pool2d(x, 2),
    }[op]()
    (g,) = autolab.autograd.grad((y * y).sum(), x, retain_graph=True)  # once is fine
    assert g.shape == x.shape
    with pytest.raises(NotImplementedError, match=f"{op}.*cannot be differentiated a second time"):
        autolab.autograd.grad((y * y).sum(), x, create_graph=True)


def test_gradcheck_catches_a_wrong_backward():
    """gradcheck is a test oracle, so it must be able to fail: a backward off by a factor is caught."""
    from autolab.autograd import Function

    class BadSquare(Function):
        def forward(self, x):
            return x * x

        def backward(self, grad):
            (x,) = self.inputs
            return grad * x  # should be 2 x

    x = autolab.randn(3, dtype=autolab.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(BadSquare.apply, (x,))
    assert gradcheck(BadSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_checks_in_float64_even_for_float32_inputs():
    x = autolab.randn(4, requires_grad=True)  # float32
    seen = []

    def f(t):
        seen.append(t.dtype)
        return (t * t).sum()

    assert gradcheck(f, (x,))
    assert set(seen) == {autolab.float64}


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: autolab.tanh(x),
        lambda x: x**3,
        lambda x: autolab.sigmoid(x) * autolab.exp(x),
        lambda x: autolab.log_softmax(x, dim=-1),
        lambda x: autolab.softmax(x, dim=0),
        lambda x: (x @ x.T).sum(dim=1),
        lambda x: x.var(dim=1) + x.mean() + x.std(),
        lambda x: x[autolab.tensor([0, 0, 1])].sum(dim=0) / (x.abs() + 1),
        lambda x: autolab.cat([x, x * 2], dim=1).reshape(-1).T,
        lambda x: autolab.where(x > 0, x * x, -x),
        lambda x: autolab.nn.functional.cross_entropy(x, autolab.tensor([1, 0])),
    ],
    ids=["tanh", "cube", "sigmoid*exp", "log_softmax", "softmax", "matmul", "var", "index", "cat", "where", "ce"],
)
def test_second_derivatives(fn):
    rng = np.random.default_rng(0)
    x = autolab.tensor(rng.uniform(0.2, 1.5, (2, 3)) * rng.choice([-1, 1], (2, 3)), requires_grad=True)
    assert gradgradcheck(fn, (x,))


def test_conv_double_backward_is_correct_or_refused():
    """create_graph through conv2d once returned a first derivative silently cut off from the weights."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    xa, wa = rng.standard_normal((1, 1, 4, 4)), rng.standard_normal((1, 1, 2, 2))
    x, w = autolab.tensor(xa, requires_grad=True), autolab.tensor(wa, requires_grad=True)
    loss = autolab.nn.functional.conv2d(x, w).sum() + (x * x).sum()
    try:
        (g,) = autolab.autograd.grad(loss, x, create_graph=True)
        (gw,) = autolab.autograd.grad(g.sum(), w, allow_unused=True)
    except NotImplementedError:
        return  # refusing clearly is acceptable
    tx, tw = torch.tensor(xa, requires_grad=True), torch.tensor(wa, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.nn.functional.conv2d(tx, tw).sum() + (tx * tx).sum(), tx, create_graph=True)
    (tgw,) = torch.autograd.grad(tg.sum(), tw)
    assert gw is not None
    np.testing.assert_allclose(gw.numpy(), tgw.numpy())
