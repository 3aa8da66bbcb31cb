"""Checks for notebook 04 (linear regression): the loss and one step of gradient descent, by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autolab

from ._core import Result, close, exercise, fail, ok, to_numpy


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
