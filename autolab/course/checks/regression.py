"""Checks for notebook 04 (linear regression): the loss and one step of gradient descent, by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autolab

from ._core import Result, close, exercise, fail, ok, to_numpy
from ._quiz import Choice


@exercise
def mse(fn: Callable, seed: int | None = None) -> Result:
    """``fn(pred, target)`` must return the mean squared error as a 0-d tensor, with a gradient.

    ``seed`` draws other values, and a 2-D batch instead of six numbers."""
    rng = np.random.default_rng(1 if seed is None else seed)
    shape = (6,) if seed is None else (int(rng.integers(2, 9)), int(rng.integers(1, 4)))
    p, t = rng.standard_normal(shape), rng.standard_normal(shape)
    pred = autolab.tensor(p, requires_grad=True)
    got = fn(pred, autolab.tensor(t))
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    want = float(((p - t) ** 2).mean())
    if tuple(got.shape) != ():
        return fail(f"the loss must be one number (shape ()), got shape {tuple(got.shape)}: take the mean.")
    if not np.isclose(float(got.item()), want, rtol=1e-5):
        sum_instead = float(((p - t) ** 2).sum())
        extra = " You summed; divide by the number of points." if np.isclose(float(got.item()), sum_instead) else ""
        return fail(f"got {float(got.item()):.5f}, expected {want:.5f}.{extra}")
    got.backward()
    if pred.grad is None or not close(pred.grad, 2 * (p - t) / p.size):
        return fail("the gradient is wrong: build the loss only from tensor ops (no .item() or numpy inside).")
    return ok("mean squared error: right value and right gradient.")


@exercise
def sgd_step(fn: Callable, seed: int | None = None) -> Result:
    """``fn(params, lr)`` must do ``p -= lr * p.grad`` in place, without recording it, then clear the grads.

    ``seed`` draws other parameters, a random loss and another learning rate."""
    if seed is None:
        w = autolab.tensor([1.0, -2.0], requires_grad=True)
        b = autolab.tensor(0.5, requires_grad=True)
        loss = ((w * 3.0).sum() + b * 2.0) ** 2  # d = 3*1 - 3*2 + 1 = -2: dL/dw = 2d*3, dL/db = 2d*2
        lr = 0.1
    else:
        rng = np.random.default_rng(seed)
        w = autolab.tensor(rng.standard_normal(int(rng.integers(2, 6))), requires_grad=True)
        b = autolab.tensor(float(rng.standard_normal()), requires_grad=True)
        x = autolab.tensor(rng.standard_normal(tuple(w.shape)))
        loss = ((w * x).sum() + b).tanh() + (w**2).sum()
        lr = float(rng.choice([0.01, 0.05, 0.3]))
    loss.backward()
    want_w = to_numpy(w) - lr * to_numpy(w.grad)
    want_b = float(to_numpy(b) - lr * to_numpy(b.grad))
    w_id = id(w)
    fn([w, b], lr)
    if id(w) != w_id:
        return fail("update the tensor in place (w -= ...), not by making a new one.")
    if not close(w, want_w) or not close(b, want_b):
        return fail(
            f"after one step w = {to_numpy(w)}, b = {float(to_numpy(b)):.3f}; expected w = {want_w}, "
            f"b = {want_b:.3f}. Step AGAINST the gradient: p -= lr * p.grad."
        )
    if not w.requires_grad or w.grad_fn is not None:
        return fail("the update was recorded in the graph: do it inside `with torch.no_grad():`.")
    if w.grad is not None and np.any(to_numpy(w.grad) != 0):
        return fail("the gradients are still there: set p.grad = None (or zero it) so the next step starts fresh.")
    return ok("one step of gradient descent: in place, unrecorded, grads cleared.")


@exercise
def hessian(fn: Callable, seed: int | None = None) -> Result:
    """``fn(x)``: the 2x2 Hessian of mean((w x + b - y)²) with respect to (w, b), for a column x of inputs."""

    rng = np.random.default_rng(13 if seed is None else seed)
    x = rng.uniform(-1, 2, (int(rng.integers(5, 30)), 1))
    got = fn(autolab.tensor(x.astype(np.float32)))
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    got = to_numpy(got)
    m1, m2 = float(x.mean()), float((x * x).mean())
    want = 2 * np.array([[m2, m1], [m1, 1.0]])
    if got.shape != (2, 2):
        return fail(f"the Hessian of a function of (w, b) is 2x2; yours has shape {got.shape}.")
    if np.allclose(got, want / 2, rtol=1e-4):
        return fail("off by a factor of 2: the derivative of (w x + b - y)² brings down a 2, and so does the second.")
    if np.allclose(got, want * len(x), rtol=1e-4) or np.allclose(got, want * len(x) / 2, rtol=1e-4):
        return fail("you summed over the points; the loss is a MEAN, so its Hessian averages too.")
    if np.allclose(got, want[::-1, ::-1], rtol=1e-4):
        return fail("the order is (w, b): H[0, 0] is d²L/dw², H[1, 1] is d²L/db².")
    if not np.allclose(got, want, rtol=1e-4, atol=1e-6):
        return fail(
            f"expected 2 * [[mean(x²), mean(x)], [mean(x), 1]] = {np.round(want, 4).tolist()}, got "
            f"{np.round(got, 4).tolist()}. Note that it does not depend on y, w or b: the loss is a quadratic."
        )
    return ok("the Hessian is 2 [[mean x², mean x], [mean x, 1]], the same at every (w, b).")


@exercise
def lr_regime_quiz(answer) -> Result:
    """What gradient descent does with a learning rate between 1/λ_max and 2/λ_max."""

    return Choice(
        right="b",
        options={
            "a": "the loss grows without bound",
            "b": "along the most curved direction each step overshoots to the other side, but it still converges",
            "c": "it converges without ever overshooting",
            "d": "the parameters stop moving",
        },
        why=(
            "Along the most curved direction the error is multiplied by (1 - lr λ_max) at every step. Between "
            "1/λ_max and 2/λ_max that factor lies between -1 and 0: the sign flips (an overshoot to the other "
            "side) but the size shrinks, so it converges, zigzagging. Beyond 2/λ_max the size grows: divergence."
        ),
        hints={
            "a": "That happens beyond 2/λ_max. What is (1 - lr λ_max) for lr = 1.5/λ_max?",
            "c": "No overshoot needs (1 - lr λ) ≥ 0, that is lr ≤ 1/λ, in every direction.",
            "d": "The step is lr times the gradient, which is not zero away from the minimum.",
        },
    ).check(answer)
