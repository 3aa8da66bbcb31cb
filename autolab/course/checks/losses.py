"""Checks for notebook 05 (losses and optimizers): a stable cross-entropy, SGD with momentum and Nesterov, Adam.

The optimizers are checked step by step against ``autolab.optim`` on a small problem whose gradients change as
the parameters move (so a momentum buffer or Adam's running averages matter). When a student's trajectory
matches a known mistake (the ``(1 - momentum)`` factor, a missing bias correction, ...) the hint names it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autolab
from autolab import optim

from ._core import Result, close, exercise, fail, ok, to_numpy, worst
from ._quiz import Choice, Number


def _softmax64(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ce64(z: np.ndarray, t: np.ndarray) -> float:
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(t)), t]))


@exercise
def cross_entropy(fn: Callable, seed: int = 0) -> Result:
    """``fn(logits, target)``: mean cross-entropy of logits (N, K) against class indices (N,), stable for huge logits."""

    rng = np.random.default_rng(10 + seed)
    n, k = 6, 5
    z = rng.standard_normal((n, k)) * 2
    t = rng.integers(0, k, n)
    logits = autolab.tensor(z.astype(np.float32), requires_grad=True)
    got = fn(logits, autolab.tensor(t))
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    if not hasattr(got, "shape") or tuple(got.shape) != ():
        shape = tuple(got.shape) if hasattr(got, "shape") else type(got).__name__
        return fail(f"the loss must be one number (shape ()), got {shape}: average over the batch with .mean().")
    want = _ce64(z, t)
    value = float(got.item())
    if not np.isclose(value, want, rtol=1e-4):
        if np.isclose(value, want * n, rtol=1e-4):
            return fail(f"got {value:.5f}, expected {want:.5f}: you summed over the batch; take the mean.")
        if np.isclose(value, -want, rtol=1e-4):
            return fail("the sign is flipped: the loss is MINUS the log-probability of the right class.")
        p = _softmax64(z)
        if np.isclose(value, float(np.mean(-p[np.arange(n), t])), rtol=1e-4):
            return fail("you used the probability itself: take the log of the softmax (log p of the right class).")
        return fail(
            f"got {value:.5f}, expected {want:.5f}. The loss is mean over rows of "
            "logsumexp(row) - row[target]: check that you pick each row's own target class."
        )
    if getattr(got, "grad_fn", None) is None:
        return fail("the loss has no graph: build it from tensor ops on `logits` (no numpy, no .item()).")
    name = got.grad_fn.name()
    if name.startswith(("NllLoss", "CrossEntropy")):
        return fail("that is the built-in loss: write it from exp, log, max and sum yourself.")
    got.backward()
    onehot = np.eye(k)[t]
    if logits.grad is None or not close(logits.grad, (_softmax64(z) - onehot) / n, rtol=1e-3, atol=1e-6):
        return fail(
            "the value is right but the gradient is not (softmax - one_hot) / N: is part of the loss computed "
            "outside autograd (numpy, .item(), .detach() on something that should carry gradient)?"
        )
    big = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0], [-1000.0, -1001.0, -1000.0]], dtype=np.float32)
    tb = np.array([0, 2, 1])
    with np.errstate(all="ignore"):  # an overflow is what we test for: the hint says it, not a numpy warning
        value = float(fn(autolab.tensor(big * (1 + seed), requires_grad=True), autolab.tensor(tb)).item())
    want = _ce64(big.astype(np.float64) * (1 + seed), tb)
    if not np.isfinite(value):
        return fail(
            f"with logits near ±{1000 * (1 + seed)} your loss is {value}: exp overflowed. Subtract each row's "
            "maximum before exp (the log-sum-exp trick); it changes nothing mathematically."
        )
    if not np.isclose(value, want, rtol=1e-4, atol=1e-4):
        return fail(f"with huge logits you get {value:.5f}, expected {want:.5f}: add the maximum back after the log.")
    return ok("cross-entropy: right value, gradient softmax - one_hot, and stable with logits of ±1000.")


# ---- optimizers ---------------------------------------------------------------------------------------------


def _problem(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20 + seed)
    return {
        "a": rng.uniform(-2, 2, (2, 3)),
        "b": rng.uniform(-1.5, 1.5, 4),
        "h": rng.uniform(0.5, 3.0, (2, 3)),  # curvatures of the quadratic part
    }


def _loss(a: Any, b: Any, h: Any) -> Any:
    return 0.5 * (h * a * a).sum() + 0.25 * (b * b * b * b).sum()


def _grads(a: np.ndarray, b: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return h * a, b**3


LR_CHANGE_AT = 3  # before this step the learning rate is halved in param_groups, as a scheduler would
STEPS = 6


def _trajectory(make: Callable, config: dict, prob: dict) -> tuple[list, Any]:
    """Run an optimizer class for STEPS steps; returns [(a, b) after each step] and (a, b, c, optimizer)."""

    a = autolab.tensor(prob["a"].astype(np.float32), requires_grad=True)
    b = autolab.tensor(prob["b"].astype(np.float32), requires_grad=True)
    c = autolab.tensor(np.ones(2, dtype=np.float32), requires_grad=True)  # never in the loss: grad stays None
    h = autolab.tensor(prob["h"].astype(np.float32))
    opt = make([a, b, c], **config)
    out = []
    for step in range(STEPS):
        if step == LR_CHANGE_AT:
            for group in opt.param_groups:
                group["lr"] *= 0.5
        opt.zero_grad()
        _loss(a, b, h).backward()
        opt.step()
        out.append((to_numpy(a).copy(), to_numpy(b).copy()))
    return out, (a, b, c, opt)


def _simulate(rule: Callable, config: dict, prob: dict) -> list:
    """The same run in numpy float64 with ``rule(p, g, state, lr, step, config) -> new p``."""
    ps = [prob["a"].copy(), prob["b"].copy()]
    states: list[dict] = [{}, {}]
    lr, out = config["lr"], []
    for step in range(STEPS):
        if step == LR_CHANGE_AT:
            lr *= 0.5
        grads = _grads(ps[0], ps[1], prob["h"])
        ps = [rule(p, g, s, lr, step + 1, config) for p, g, s in zip(ps, grads, states)]
        out.append((ps[0].copy(), ps[1].copy()))
    return out


def _same(traj: list, other: list) -> bool:
    return all(close(x, y, rtol=1e-3, atol=1e-5) for pair, pair2 in zip(traj, other) for x, y in zip(pair, pair2))


def _first_difference(traj: list, ref: list) -> str:
    for step, (mine, theirs) in enumerate(zip(traj, ref), start=1):
        for name, x, y in zip(("a", "b"), mine, theirs):
            if not close(x, y, rtol=1e-4, atol=1e-6):
                return f"step {step}, parameter {name}: {worst(x, y)}"
    return ""


def _sgd_rule(variant: str) -> Callable:
    def rule(p, g, state, lr, step, config):
        mu, nesterov = config.get("momentum", 0.0), config.get("nesterov", False)
        if variant == "lr_cached":
            lr = config["lr"]
        d = g
        if mu and variant != "no_momentum":
            buf = state.get("v")
            if variant == "ema":
                buf = (1 - mu) * g if buf is None else mu * buf + (1 - mu) * g
            else:
                buf = g.copy() if buf is None else mu * buf + g
            state["v"] = buf
            d = g + mu * buf if nesterov and variant != "nesterov_ignored" else buf
        return p + lr * d if variant == "uphill" else p - lr * d

    return rule


_SGD_HINTS = {
    "uphill": "your parameters move UP the gradient: subtract, p -= lr * d.",
    "lr_cached": (
        "after the learning rate was changed in optimizer.param_groups (as a scheduler or the dashboard's slider "
        "does) your steps kept the old one: read group['lr'] inside step(), do not store it in __init__."
    ),
    "ema": (
        "your velocity is momentum * v + (1 - momentum) * grad (an average); PyTorch's SGD uses "
        "v = momentum * v + grad, so with momentum 0.9 its steps are up to 10x longer."
    ),
    "no_momentum": (
        "momentum has no effect in your optimizer: keep a velocity per parameter in its state "
        "(state = self.state.setdefault(p, {})), v = momentum * v + grad, and step by v."
    ),
    "nesterov_ignored": (
        "with nesterov=True the step must be grad + momentum * v (a look-ahead), not v; yours ignores nesterov."
    ),
}

_ADAM_HINTS = {
    "uphill": "your parameters move UP the gradient: p -= lr * m_hat / (sqrt(v_hat) + eps).",
    "lr_cached": _SGD_HINTS["lr_cached"],
    "no_bias_correction": (
        "no bias correction: m and v start at 0, so early on they are too small; divide m by (1 - beta1**t) and "
        "v by (1 - beta2**t), with t the number of steps taken so far (1 at the first step)."
    ),
    "no_sqrt": "divide by sqrt(v_hat) + eps, not by v_hat: v averages squared gradients.",
    "g_not_squared": "v must average the SQUARED gradient: v = beta2 * v + (1 - beta2) * grad * grad.",
}


def _adam_rule(variant: str) -> Callable:
    def rule(p, g, state, lr, step, config):
        b1, b2 = config.get("betas", (0.9, 0.999))
        eps = config.get("eps", 1e-8)
        if variant == "lr_cached":
            lr = config["lr"]
        m = b1 * state.get("m", 0.0) + (1 - b1) * g
        v = b2 * state.get("v", 0.0) + (1 - b2) * (np.abs(g) if variant == "g_not_squared" else g * g)
        state["m"], state["v"] = m, v
        if variant == "no_bias_correction":
            mh, vh = m, v
        else:
            mh, vh = m / (1 - b1**step), v / (1 - b2**step)
        d = mh / (vh + eps) if variant == "no_sqrt" else mh / (np.sqrt(vh) + eps)
        return p + lr * d if variant == "uphill" else p - lr * d

    return rule


def _check_optimizer(
    cls: type, reference: type, configs: list[dict], rules: Callable, hints: dict, name: str, seed: int
) -> Result:

    prob = _problem(seed)
    for config in configs:
        try:
            traj, (a, b, c, opt) = _trajectory(cls, config, prob)
        except KeyError as e:
            key = (
                "a parameter" if hasattr(e.args[0] if e.args else None, "shape") else repr(e.args[0] if e.args else "")
            )
            return fail(
                f"your optimizer raised KeyError looking up {key}: the first time a parameter is seen, its state "
                "has no entry yet. Use state = self.state.setdefault(p, {}) and state.get(...) for the first step."
            )
        except TypeError as e:
            if "NoneType" in str(e):
                return fail(
                    f"your step() raised {e}: skip parameters whose .grad is None (`if p.grad is None: continue`)."
                )
            raise
        if not isinstance(opt, autolab.optim.Optimizer):
            return fail(
                f"{cls.__name__} must subclass autolab.optim.Optimizer (call super().__init__(params, defaults))."
            )
        if a.grad_fn is not None or not a.requires_grad or not a.is_leaf:
            return fail("the update was recorded by autograd: decorate step() with @torch.no_grad().")
        if not close(c, np.ones(2)):
            return fail("a parameter without a gradient (its .grad is None) moved: skip it, as PyTorch does.")
        ref, _ = _trajectory(reference, config, prob)
        if _same(traj, ref):
            continue
        if all(np.allclose(x, prob[k]) for x, k in zip(traj[-1], ("a", "b"))):
            return fail(f"with {config} your parameters never changed: update p in place (p -= ... or p.add_(...)).")
        for variant, hint in hints.items():
            if _same(traj, _simulate(rules(variant), config, prob)):
                return fail(f"{name}({_args(config)}): {hint}")
        return fail(
            f"{name}({_args(config)}) differs from autolab.optim.{reference.__name__} at {_first_difference(traj, ref)}."
        )
    return ok(
        f"{name} matches autolab.optim.{reference.__name__} step for step ({len(configs)} settings, {STEPS} steps each)."
    )


def _args(config: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in config.items())


@exercise
def sgd(cls: type, seed: int = 0) -> Result:
    """``cls(params, lr, momentum=0.0, nesterov=False)``: SGD with momentum and Nesterov, like ``optim.SGD``."""

    lr = 0.1 + 0.02 * seed
    configs = [dict(lr=lr), dict(lr=lr, momentum=0.9), dict(lr=lr, momentum=0.8, nesterov=True)]
    return _check_optimizer(cls, optim.SGD, configs, _sgd_rule, _SGD_HINTS, cls.__name__, seed)


@exercise
def adam(cls: type, seed: int = 0) -> Result:
    """``cls(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)``: Adam with bias correction, like ``optim.Adam``."""

    lr = 0.05 + 0.01 * seed
    configs = [dict(lr=lr), dict(lr=lr, betas=(0.8, 0.99), eps=1e-6)]
    return _check_optimizer(cls, optim.Adam, configs, _adam_rule, _ADAM_HINTS, cls.__name__, seed)


# ---- conceptual questions ------------------------------------------------------------------------------------

_LOG_SOFTMAX = Choice(
    right="a",
    options={
        "a": "the same loss",
        "b": "a larger loss",
        "c": "a smaller loss",
        "d": "NaN",
    },
    why=(
        "log_softmax is idempotent: its outputs are log-probabilities whose exps already sum to 1, so the "
        "log-sum-exp inside CrossEntropyLoss is log(1) = 0 and nothing changes. It is wasted work and a sign of "
        "confusion (the pair is log_softmax + NLLLoss, or raw logits + CrossEntropyLoss), not a wrong number. "
        "Feeding *softmax* probabilities is the real bug: see the pitfalls below."
    ),
    hints={
        "b": "Compute log_softmax(log_softmax(z)) for z = [2, 1, 0] by hand: what is the log-sum-exp of log-probabilities?",
        "c": "The loss cannot drop below what the log-probabilities give: what is the log-sum-exp of log-probabilities?",
        "d": "log_softmax never overflows (it subtracts the maximum), and its output is finite for finite logits.",
    },
)


@exercise
def log_softmax_quiz(answer: Any) -> Result:
    """A model ends in log_softmax and is trained with CrossEntropyLoss: same, larger or smaller loss, or NaN?"""
    return _LOG_SOFTMAX.check(answer)


@exercise
def lr_limit_quiz(answer: Any, curvatures: tuple[float, float] = (1.0, 20.0)) -> Result:
    """The largest learning rate at which gradient descent converges on the bowl: 2 / (largest curvature)."""
    lo, hi = sorted(curvatures)
    question = Number(
        right=2 / hi,
        why=(
            f"Along the most curved direction (curvature {hi:g}) each step multiplies the distance to the minimum "
            f"by (1 - lr * {hi:g}); that stays below 1 in size only while lr < 2 / {hi:g}. The flat direction "
            "would allow a far larger step, but the steep one decides, which is why plain gradient descent is slow "
            "on ill-conditioned problems: the rate that is safe for the steep direction crawls along the flat one."
        ),
        near_misses=(
            (2 / lo, "that is the limit of the FLAT direction; the most curved direction diverges first."),
            (1 / hi, "close: a step overshoots to the other side at 1/curvature, but still shrinks until 2/curvature."),
            (hi / 2, "invert it: the limit is 2 divided by the curvature."),
        ),
        hint="The limit is 2 / λ_max, with λ_max the curvature of the most curved direction.",
    )
    return question.check(answer)
