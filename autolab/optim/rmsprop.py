"""RMSprop: divide the gradient by a running root-mean-square of recent gradients (Hinton's lecture 6e)."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


class RMSprop(Optimizer):
    """``v = alpha * v + (1 - alpha) * g²``; ``p -= lr * g / (sqrt(v) + eps)``.

    ``centered=True`` divides by an estimate of the variance instead (``v - mean(g)²``); ``momentum`` keeps a
    velocity ``buf = momentum * buf + g / (sqrt(v) + eps)`` and steps by ``lr * buf``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        check_range("epsilon value", eps, eps >= 0)
        check_range("momentum value", momentum, momentum >= 0)
        check_range("weight_decay value", weight_decay, weight_decay >= 0)
        check_range("alpha value", alpha, alpha >= 0)
        check_implementation_flags("RMSprop", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults: dict[str, Any] = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered)
        defaults.update(weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize)
        defaults.update(differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
        if not state:
            state["step"] = scalar_state(0)
            state["square_avg"] = np.zeros_like(p._data)
            if mu > 0:
                state["momentum_buffer"] = np.zeros_like(p._data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p._data)
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p._data
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * g * g  # v = alpha * v + (1 - alpha) * g²
        if group["centered"]:
            mean = state["grad_avg"]
            mean += (1 - alpha) * (g - mean)  # running mean of g
            avg = np.sqrt(v - mean * mean) + eps  # root of the running variance
        else:
            avg = np.sqrt(v) + eps
        if mu > 0:
            buf = state["momentum_buffer"]
            buf *= mu
            buf += g / avg  # buf = momentum * buf + g / avg
            p._data -= (lr * buf).astype(p._data.dtype, copy=False)
        else:
            p._data -= (lr * g / avg).astype(p._data.dtype, copy=False)
