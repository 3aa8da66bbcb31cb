"""RAdam: Adam that takes plain momentum steps until the variance of its adaptive step size is tractable."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .adam import check_betas
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


class RAdam(Optimizer):
    """Rectified Adam (Liu et al., 2019): ``rho_t`` estimates how many squared gradients v really averages.

    While ``rho_t <= 5`` the step is ``lr * m_hat`` (SGD with momentum); after, it is Adam's step times the
    rectification ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
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
        check_implementation_flags("RAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults: dict[str, Any] = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize
        )
        defaults.update(foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay)
        defaults.update(differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        lr, (b1, b2), wd = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = scalar_state(0)
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
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)  # m = b1 * m + (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g  # v = b2 * v + (1 - b2) * g²
        bias2 = 1 - b2**t
        m_hat = m / (1 - b1**t)
        rho_inf = 2 / (1 - b2) - 1  # the length of v's average at t = infinity
        rho_t = rho_inf - 2 * t * b2**t / bias2  # ... and at step t
        if rho_t > 5.0:
            adaptive = math.sqrt(bias2) / (np.sqrt(v) + group["eps"])  # 1 / sqrt(v_hat), as in Adam
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            update = m_hat * lr * adaptive * rect
        else:
            update = m_hat * lr
        p._data -= update.astype(p._data.dtype, copy=False)
