"""Adamax: Adam with the infinity norm, a running maximum of |g|, in place of the root-mean-square."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .adam import check_betas
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


class Adamax(Optimizer):
    """``m = b1 * m + (1 - b1) * g``; ``u = max(b2 * u, |g| + eps)``; ``p -= lr / (1 - b1^t) * m / u``."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        check_range("epsilon value", eps, eps >= 0)
        check_betas(betas)
        check_range("weight_decay value", weight_decay, weight_decay >= 0)
        check_implementation_flags("Adamax", foreach=foreach, differentiable=differentiable, capturable=capturable)
        defaults: dict[str, Any] = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, foreach=foreach)
        defaults.update(maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        (b1, b2), eps = group["betas"], group["eps"]
        if not state:
            state["step"] = scalar_state(0)
            state["exp_avg"] = np.zeros_like(p._data)
            state["exp_inf"] = np.zeros_like(p._data)
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p._data
        m, u = state["exp_avg"], state["exp_inf"]
        m += (1 - b1) * (g - m)  # m = b1 * m + (1 - b1) * g
        u *= b2
        np.maximum(u, np.abs(g) + eps, out=u)  # u = max(b2 * u, |g| + eps)
        clr = group["lr"] / (1 - b1 ** float(state["step"]))  # bias correction of m only: u is a max, not a mean
        p._data -= (clr * m / u).astype(p._data.dtype, copy=False)
