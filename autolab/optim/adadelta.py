"""Adadelta: a step size that needs no learning rate, from running averages of squared gradients and steps."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


class Adadelta(Optimizer):
    """``delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g``; ``p -= lr * delta`` (Zeiler, 2012).

    The ratio has the units of the parameter, so ``lr=1.0`` (the default) is a sensible choice.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        check_range("rho value", rho, 0 <= rho <= 1)
        check_range("epsilon value", eps, eps >= 0)
        check_range("weight_decay value", weight_decay, weight_decay >= 0)
        check_implementation_flags("Adadelta", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults: dict[str, Any] = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        defaults.update(capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = scalar_state(0)
            state["square_avg"] = np.zeros_like(p._data)
            state["acc_delta"] = np.zeros_like(p._data)
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if wd:
            g = g + wd * p._data
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg *= rho
        square_avg += (1 - rho) * g * g  # E[g²] = rho * E[g²] + (1 - rho) * g²
        delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * g  # RMS[Δx] / RMS[g] * g
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta  # E[Δx²] = rho * E[Δx²] + (1 - rho) * Δx²
        p._data -= (lr * delta).astype(p._data.dtype, copy=False)
