"""Adam and AdamW (PyTorch's formulation, including bias correction and the optional AMSGrad)."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer


class Adam(Optimizer):
    """Per-parameter step sizes from running averages of the gradient (m) and its square (v).

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2), unlike AdamW's decoupled decay.
    """

    decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"Invalid beta parameters: {betas}")
        super().__init__(
            params,
            dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize),
        )

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        if not isinstance(grad, np.ndarray):  # on the GPU: one fused kernel, autolab/kernels/cuda/optim.py
            from ..kernels.cuda import backend

            return backend.adam_update(p._data, grad, group, state, self.decoupled)
        g = -grad if group["maximize"] else grad
        lr, (b1, b2), wd = group["lr"], group["betas"], group["weight_decay"]
        if wd:
            if self.decoupled:
                p._data *= 1 - lr * wd
            else:
                g = g + wd * p._data
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p._data)
            state["exp_avg_sq"] = np.zeros_like(p._data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p._data)
        state["step"] += 1
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        bias1 = 1 - b1 ** state["step"]
        bias2 = 1 - b2 ** state["step"]
        denom = np.sqrt(v) / math.sqrt(bias2) + group["eps"]
        p._data -= ((lr / bias1) * m / denom).astype(p._data.dtype, copy=False)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the Adam step."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
