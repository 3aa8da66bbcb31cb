"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (PyTorch's formulation)."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags, check_range


class SGD(Optimizer):
    """``p -= lr * v`` where ``v = momentum * v + (1 - dampening) * (grad + weight_decay * p)``.

    >>> model = nn.Linear(3, 1)
    >>> optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        check_range("momentum value", momentum, momentum >= 0)
        check_range("weight_decay value", weight_decay, weight_decay >= 0)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        check_implementation_flags("SGD", foreach=foreach, fused=fused, differentiable=differentiable)
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
                foreach=foreach,
                differentiable=differentiable,
                fused=fused,
            ),
        )

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        if not isinstance(grad, np.ndarray):  # on the GPU: one fused kernel, autolab/kernels/cuda/optim.py
            from ..kernels.cuda import backend  # lazy: imports numba-cuda (optional)

            return backend.sgd_update(p._data, grad, group, state)
        d = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            d = d + group["weight_decay"] * p._data  # L2 penalty: its gradient is weight_decay * p
        mu = group["momentum"]
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:  # the first step starts the velocity at the gradient itself
                buf = state["momentum_buffer"] = np.array(d, copy=True)
            else:  # v = mu * v + (1 - dampening) * g
                buf *= mu
                buf += (1 - group["dampening"]) * d if group["dampening"] else d  # no temporary when 1 * g
            d = d + mu * buf if group["nesterov"] else buf  # Nesterov looks one velocity step ahead
        p._data -= (group["lr"] * d).astype(p._data.dtype, copy=False)
