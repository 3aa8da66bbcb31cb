"""NAdam: Adam with Nesterov momentum, the gradient mixed in with the momentum of the *next* step."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .adam import check_betas
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


class NAdam(Optimizer):
    """Adam whose step looks ahead: ``p -= lr * ((1 - mu_t) g / (1 - Π mu) + mu_{t+1} m / (1 - Π mu · mu_{t+1}))
    / (sqrt(v_hat) + eps)``, with a momentum ``mu_t = b1 (1 - 0.5 · 0.96^(t · momentum_decay))`` that warms up
    (Dozat, 2016). ``decoupled_weight_decay=True`` shrinks the weights as AdamW does (NAdamW)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        check_range("epsilon value", eps, eps >= 0)
        check_betas(betas)
        check_range("weight_decay value", weight_decay, weight_decay >= 0)
        check_range("momentum_decay value", momentum_decay, momentum_decay >= 0)
        check_implementation_flags("NAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults: dict[str, Any] = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay
        )
        defaults.update(decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach)
        defaults.update(capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        lr, (b1, b2), wd, psi = group["lr"], group["betas"], group["weight_decay"], group["momentum_decay"]
        if not state:
            state["step"] = scalar_state(0)
            state["mu_product"] = scalar_state(1)  # Π mu_i so far (float32, as PyTorch keeps it)
            state["exp_avg"] = np.zeros_like(p._data)
            state["exp_avg_sq"] = np.zeros_like(p._data)
        state["step"] += 1
        t = float(state["step"])
        g = -grad if group["maximize"] else grad
        if wd:
            if group["decoupled_weight_decay"]:
                p._data *= 1 - lr * wd
            else:
                g = g + wd * p._data
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))  # this step's momentum
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))  # the next step's
        state["mu_product"] *= mu
        mu_product = float(state["mu_product"])
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)  # m = b1 * m + (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g  # v = b2 * v + (1 - b2) * g²
        denom = np.sqrt(v / (1 - b2**t)) + group["eps"]  # sqrt(v_hat) + eps
        dtype = p._data.dtype
        p._data -= (lr * (1.0 - mu) / (1.0 - mu_product) * g / denom).astype(dtype, copy=False)  # gradient part
        p._data -= (lr * mu_next / (1.0 - mu_product * mu_next) * m / denom).astype(dtype, copy=False)  # momentum
