"""Shared by the optim tests: the same small problems built in autolab and in PyTorch from the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

import autolab

torch = pytest.importorskip("torch")


def lib(name: str):
    return autolab if name == "autolab" else torch


def to_np(x) -> np.ndarray:
    return np.array(x.detach().numpy() if hasattr(x, "detach") else x, copy=True)


class Problem:
    """A small float64 objective: an ill-conditioned quadratic in ``w`` plus a tanh MLP on fixed data.

    Two parameter tensors for the quadratic (so a test can give them different param groups) and the four of a
    4-8-1 MLP; every library starts from the same numpy weights.
    """

    def __init__(self, name: str, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        t = lib(name)
        self.t = t
        q = rng.standard_normal((6, 6))
        a = q @ q.T / 6 + np.diag(np.linspace(0.05, 3.0, 6))
        self.A, self.b = t.tensor(a), t.tensor(rng.standard_normal(6))
        self.X, self.y = t.tensor(rng.standard_normal((16, 4))), t.tensor(rng.standard_normal((16, 1)))
        shapes = [(3,), (3,), (8, 4), (8,), (1, 8), (1,)]
        self.params = [t.tensor(rng.standard_normal(s) * 0.5, requires_grad=True) for s in shapes]

    def loss(self):
        w = self.t.cat([self.params[0], self.params[1]])
        quad = 0.5 * (w * (self.A @ w)).sum() + (self.b * w).sum()
        w1, b1, w2, b2 = self.params[2:]
        h = (self.X @ w1.T + b1).tanh()
        mse = (((h @ w2.T + b2) - self.y) ** 2).mean()
        return quad + mse

    def snapshot(self) -> list[np.ndarray]:
        return [to_np(p) for p in self.params]


def run(
    name: str, make_opt, steps: int, seed: int = 0, closure: bool = False, negate: bool = False
) -> list[list[np.ndarray]]:
    """Weights after each of ``steps`` optimizer steps of ``make_opt(optim_module, params)``.

    ``negate`` hands the optimizer minus the loss (for ``maximize=True``, which then climbs back down).
    """
    prob = Problem(name, seed)
    opt = make_opt(lib(name).optim, prob.params)
    out = []
    for _ in range(steps):

        def step_closure():
            opt.zero_grad()
            loss = -prob.loss() if negate else prob.loss()
            loss.backward()
            return loss

        if closure:
            opt.step(step_closure)
        else:
            step_closure()
            opt.step()
        out.append(prob.snapshot())
    return out


def assert_same_trajectory(a: list, b: list, rtol: float = 1e-9, atol: float = 1e-10) -> None:
    assert len(a) == len(b)
    for step, (pa, pb) in enumerate(zip(a, b)):
        for i, (x, y) in enumerate(zip(pa, pb)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, err_msg=f"step {step}, parameter {i}")
