"""Custom autograd Functions in PyTorch's form (static forward/backward with a ctx), run on autolab and on
PyTorch with the same code: values, gradients, double backward, gradcheck, and PyTorch's error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import autolab


def define(lib):
    """The same custom Functions, written once against ``lib`` (torch or autolab), as a tutorial writes them."""
    Function = lib.autograd.Function
    once_differentiable = lib.autograd.function.once_differentiable

    class LegendrePolynomial3(Function):  # PyTorch's tutorial "Defining new autograd functions"
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    class Exp(Function):  # saves its output
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    class ScaleShift(Function):  # a non-tensor argument, needs_input_grad, two outputs
        @staticmethod
        def forward(ctx, x, w, k):
            ctx.save_for_backward(x, w)
            ctx.k = k
            return x * w * k, x + w

        @staticmethod
        def backward(ctx, g1, g2):
            x, w = ctx.saved_tensors
            gx = g1 * w * ctx.k + g2 if ctx.needs_input_grad[0] else None
            gw = g1 * x * ctx.k + g2 if ctx.needs_input_grad[1] else None
            return gx, gw, None

    class SortValues(Function):  # a non-differentiable output
        @staticmethod
        def forward(ctx, x):
            idx = x.argsort(dim=-1)
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x.gather(-1, idx), idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (idx,) = ctx.saved_tensors
            return lib.zeros_like(g).scatter(-1, idx, g)

    class MulSetup(Function):  # the newer form: forward without ctx, then setup_context
        @staticmethod
        def forward(x, y):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    class Cube(Function):  # backward in tensor ops, so a second derivative flows through it
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g

    class CubeOnce(Cube):
        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g

    class NoMaterialize(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.seen = (g1 is None, g2 is None)
            out = 0
            if g1 is not None:
                out = out + 2 * g1
            if g2 is not None:
                out = out + 3 * g2
            return out

    class AddOneInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    return {k: v for k, v in locals().items() if isinstance(v, type)}


TORCH, AUTOLAB = define(torch), define(autolab)


def pair(values, dtype="float64"):
    return (
        torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True),
        autolab.tensor(values, dtype=getattr(autolab, dtype), requires_grad=True),
    )


def same(a, t, tol=1e-12):
    np.testing.assert_allclose(np.asarray(a.detach().numpy()), t.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["LegendrePolynomial3", "Exp", "Cube"])
def test_one_input_functions_match_torch(name):
    values = [[-1.5, -0.2, 0.0], [0.3, 1.0, 2.5]]
    tx, ax = pair(values)
    ty, ay = TORCH[name].apply(tx), AUTOLAB[name].apply(ax)
    same(ay, ty)
    w = np.arange(6.0).reshape(2, 3)
    (ty * torch.tensor(w)).sum().backward()
    (ay * autolab.tensor(w)).sum().backward()
    same(ax.grad, tx.grad)
    assert type(ay.grad_fn).__name__ == type(ty.grad_fn).__name__ == f"{name}Backward"
    assert ay.grad_fn.name() == ty.grad_fn.name()


def test_legendre_tutorial_fits_as_in_pytorch():
    """The tutorial's loop, 50 steps, float64: the same coefficients on both."""
    results = []
    for lib, fns in ((torch, TORCH), (autolab, AUTOLAB)):
        x = lib.linspace(-math.pi, math.pi, 200, dtype=lib.float64)
        y = lib.sin(x)
        a, b, c, d = (lib.full((), v, dtype=lib.float64, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
        for _ in range(50):
            y_pred = a + b * fns["LegendrePolynomial3"].apply(c + d * x)
            loss = (y_pred - y).pow(2).sum()
            loss.backward()
            with lib.no_grad():
                for p in (a, b, c, d):
                    p -= 5e-6 * p.grad
                    p.grad = None
        results.append([p.item() for p in (a, b, c, d)] + [loss.item()])
    np.testing.assert_allclose(results[1], results[0], rtol=1e-9, atol=1e-15)


def test_non_tensor_argument_two_outputs_and_needs_input_grad():
    tx, ax = pair([1.0, 2.0, 3.0])
    tw, aw = pair([0.5, -1.0, 2.0])
    for req in ((True, True), (True, False), (False, True)):
        tx.grad = tw.grad = ax.grad = aw.grad = None
        tx.requires_grad_(req[0]), ax.requires_grad_(req[0]), tw.requires_grad_(req[1]), aw.requires_grad_(req[1])
        t1, t2 = TORCH["ScaleShift"].apply(tx, tw, 2.5)
        a1, a2 = AUTOLAB["ScaleShift"].apply(ax, aw, 2.5)
        same(a1, t1), same(a2, t2)
        (t1 * 3 + t2 * t2).sum().backward()
        (a1 * 3 + a2 * a2).sum().backward()
        for a, t in ((ax, tx), (aw, tw)):
            assert (a.grad is None) == (t.grad is None)
            if t.grad is not None:
                same(a.grad, t.grad)
    # one output used: the other's gradient arrives as zeros (materialized)
    tx.requires_grad_(True), ax.requires_grad_(True)
    tx.grad = ax.grad = None
    TORCH["ScaleShift"].apply(tx, tw, 2.0)[1].sum().backward()
    AUTOLAB["ScaleShift"].apply(ax, aw, 2.0)[1].sum().backward()
    same(ax.grad, tx.grad)


def test_non_differentiable_output():
    values = [[3.0, -1.0, 2.0], [0.0, 5.0, -4.0]]
    tx, ax = pair(values)
    tv, ti = TORCH["SortValues"].apply(tx)
    av, ai = AUTOLAB["SortValues"].apply(ax)
    same(av, tv)
    np.testing.assert_array_equal(ai.numpy(), ti.numpy())
    assert (ai.requires_grad, av.requires_grad) == (ti.requires_grad, tv.requires_grad) == (False, True)
    w = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    (tv * torch.tensor(w, dtype=torch.float64)).sum().backward()
    (av * autolab.tensor(w, dtype=autolab.float64)).sum().backward()
    same(ax.grad, tx.grad)


def test_setup_context_form():
    tx, ax = pair([1.0, -2.0])
    ty, ay = pair([3.0, 4.0])
    TORCH["MulSetup"].apply(tx, ty).sum().backward()
    AUTOLAB["MulSetup"].apply(ax, ay).sum().backward()
    same(ax.grad, tx.grad), same(ay.grad, ty.grad)


def test_double_backward_through_a_ctx_function():
    tx, ax = pair([0.5, -1.5, 2.0])
    (tg,) = torch.autograd.grad(TORCH["Cube"].apply(tx).sum(), tx, create_graph=True)
    (ag,) = autolab.autograd.grad(AUTOLAB["Cube"].apply(ax).sum(), ax, create_graph=True)
    same(ag, tg)
    (tgg,) = torch.autograd.grad((tg * tg).sum(), tx)
    (agg,) = autolab.autograd.grad((ag * ag).sum(), ax)
    same(agg, tgg)
    # through a saved output too: d2/dx2 exp(x) = exp(x)
    (g,) = autolab.autograd.grad(AUTOLAB["Exp"].apply(ax).sum(), ax, create_graph=True)
    (gg,) = autolab.autograd.grad(g.sum(), ax)
    np.testing.assert_allclose(gg.numpy(), np.exp(ax.detach().numpy()))
    assert autolab.autograd.gradgradcheck(AUTOLAB["Cube"].apply, (ax,))


def test_gradcheck_float64():
    x = autolab.randn(3, 4, dtype=autolab.float64, requires_grad=True)
    w = autolab.randn(3, 4, dtype=autolab.float64, requires_grad=True)
    assert autolab.autograd.gradcheck(AUTOLAB["LegendrePolynomial3"].apply, (x,))
    assert autolab.autograd.gradcheck(AUTOLAB["Exp"].apply, (x,))
    assert autolab.autograd.gradcheck(lambda a, b: AUTOLAB["ScaleShift"].apply(a, b, 1.5), (x, w))
    assert autolab.autograd.gradcheck(AUTOLAB["MulSetup"].apply, (x, w))


def test_once_differentiable_refuses_a_second_derivative_as_pytorch():
    for lib, fns in ((torch, TORCH), (autolab, AUTOLAB)):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(fns["CubeOnce"].apply(x).sum(), x, create_graph=True)
        np.testing.assert_allclose(g.detach().numpy(), [3.0, 12.0])
        # the incoming gradient did not require grad: the result is simply not differentiable
        assert not g.requires_grad
        y = fns["CubeOnce"].apply(x)
        (g,) = lib.autograd.grad(y, x, lib.ones_like(y, requires_grad=True), create_graph=True)
        with pytest.raises(RuntimeError, match="differentiate twice a function that was marked with"):
            g.sum().backward()


def test_set_materialize_grads_false_passes_none():
    for fns in (TORCH, AUTOLAB):
        lib = torch if fns is TORCH else autolab
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = fns["NoMaterialize"].apply(x)
        a.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
        assert a.grad_fn is not None


def test_mark_dirty_is_accepted_and_leaf_is_refused():
    for lib, fns in ((torch, TORCH), (autolab, AUTOLAB)):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = fns["AddOneInPlace"].apply(y)
        z.sum().backward()
        np.testing.assert_allclose(z.detach().numpy(), [3.0, 5.0])
        np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            fns["AddOneInPlace"].apply(x)


def test_under_no_grad_nothing_is_recorded():
    for lib, fns in ((torch, TORCH), (autolab, AUTOLAB)):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            y = fns["Exp"].apply(x)
        assert y.grad_fn is None and not y.requires_grad


def _errors(lib, backward, args_of):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

    Bad.backward = staticmethod(backward)
    x = lib.ones(3, requires_grad=True)
    with pytest.raises(Exception) as info:
        Bad.apply(*args_of(x)).sum().backward()
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "backward",
    [
        lambda ctx, g: g,  # too few
        lambda ctx, g: (g, g),  # a gradient for the number
        lambda ctx, g: (g[:2], None),  # a wrong shape
        lambda ctx, g: (3, None),  # not a tensor
    ],
    ids=["count", "non-tensor-position", "shape", "type"],
)
def test_errors_are_pytorchs(backward):
    want = _errors(torch, backward, lambda x: (x, 2.0))
    got = _errors(autolab, backward, lambda x: (x, 2.0))
    assert got == want


def test_extra_trailing_none_gradients_are_allowed_and_broadcast_gradients_summed():
    for lib in (torch, autolab):

        class Extra(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g.expand(4, 3) * 2, None, None

        x = lib.ones(3, requires_grad=True)
        Extra.apply(x).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [8.0, 8.0, 8.0])


def test_saved_tensors_are_freed_after_backward():
    x = autolab.ones(2, requires_grad=True)
    y = AUTOLAB["Exp"].apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()
    with pytest.raises(TypeError, match="save_for_backward can only save variables, but argument 0 is of type int"):

        class SavesInt(autolab.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(3)
                return x

        SavesInt.apply(x)


def test_the_engine_form_still_works_beside_it():
    from autolab.ops.unary import Exp as EngineExp

    x = autolab.tensor([0.0, 1.0], requires_grad=True)
    EngineExp.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]), rtol=1e-6)
    assert not EngineExp._ctx_form and AUTOLAB["Exp"]._ctx_form


# ---- torch.autograd.functional ------------------------------------------------------------------------------------
def _f1(lib):
    return lambda x: (x**3).sum(-1) * lib.sin(x).prod()


def _f2(lib):
    return lambda x, y: (x.exp() @ y, (x * 2).sum())


@pytest.mark.parametrize("what", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_autograd_functional_matches_torch(what):
    rng = np.random.default_rng(0)
    xa, ya, va = rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((2, 3))
    results = []
    for lib in (torch, autolab):
        AF = lib.autograd.functional
        x, y, v = (lib.tensor(a) for a in (xa, ya, va))
        if what == "jacobian":
            r = [AF.jacobian(_f1(lib), x), AF.jacobian(_f2(lib), (x, y))]
        elif what == "hessian":
            r = [AF.hessian(lambda t: (t**3).sum() * t.sum(), x), AF.hessian(lambda a, b: (a.exp() @ b).sum(), (x, y))]
        elif what == "vjp":
            r = [AF.vjp(_f1(lib), x, lib.tensor([1.0, -2.0], dtype=lib.float64))]
        elif what == "jvp":
            r = [AF.jvp(_f1(lib), x, v)]
        else:
            r = [getattr(AF, what)(lambda t: (t**3).sum() * t.sum(), x, v)]
        results.append(r)

    def flat(obj):
        if isinstance(obj, (tuple, list)):
            return [z for o in obj for z in flat(o)]
        return [obj.detach().numpy()]

    want, got = flat(results[0]), flat(results[1])
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_variable_as_old_tutorials_use_it():
    for lib in (torch, autolab):
        Variable = lib.autograd.Variable
        x = lib.ones(2)
        v = Variable(x, requires_grad=True)
        assert v is not x and v.requires_grad and not x.requires_grad
        assert isinstance(x, Variable) and not Variable(x).requires_grad
        (v * 3).sum().backward()
        assert v.grad.tolist() == [3.0, 3.0]
        with lib.no_grad():
            v.add_(1)
        assert x.tolist() == [2.0, 2.0]  # the same storage


def test_distance_modules_match_torch():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    for make in (
        lambda lib: lib.nn.CosineSimilarity(),
        lambda lib: lib.nn.CosineSimilarity(dim=0, eps=1e-3),
        lambda lib: lib.nn.PairwiseDistance(),
        lambda lib: lib.nn.PairwiseDistance(p=1.0, keepdim=True),
    ):
        out = []
        for lib in (torch, autolab):
            x = lib.tensor(a, requires_grad=True)
            y = make(lib)(x, lib.tensor(b))
            y.sum().backward()
            out.append((y.detach().numpy(), x.grad.numpy()))
        for g, w in zip(out[1], out[0]):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
