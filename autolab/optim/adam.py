"""Adam and AdamW (PyTorch's formulation, including bias correction and the optional AMSGrad)."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


def check_betas(betas: tuple[float, float]) -> None:
    for i, b in enumerate(betas):
        check_range(f"beta parameter at index {i}", b, 0 <= b < 1)


class Adam(Optimizer):
    """Per-parameter step sizes from running averages of the gradient (m) and its square (v).

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2); with ``decoupled_weight_decay=True`` it
    shrinks the weights directly instead, which is AdamW.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        check_range("epsilon value", eps, eps >= 0)
        check_betas(betas)
        check_range("weight_decay value", weight_decay, weight_decay >= 0)
        name = type(self).__name__
        flags = dict(capturable=capturable, differentiable=differentiable)
        check_implementation_flags(name, foreach=foreach, fused=fused, **flags)
        defaults: dict[str, Any] = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        defaults.update(maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults.update(fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        if not isinstance(grad, np.ndarray):  # on the GPU: one fused kernel, autolab/kernels/cuda/optim.py
            from ..kernels.cuda import backend  # lazy: imports numba-cuda (optional)

            return backend.adam_update(p._data, grad, group, state, group["decoupled_weight_decay"])
        g = -grad if group["maximize"] else grad
        lr, (b1, b2), wd = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = scalar_state(0)
            state["exp_avg"] = np.zeros_like(p._data)
            state["exp_avg_sq"] = np.zeros_like(p._data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p._data)
        state["step"] += 1
        if wd:
            if group["decoupled_weight_decay"]:
                p._data *= 1 - lr * wd  # AdamW: shrink the weights, outside the adaptive scaling
            else:
                g = g + wd * p._data  # Adam: L2 penalty added to the gradient
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - b1) * (g - m)  # m = b1 * m + (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g  # v = b2 * v + (1 - b2) * g²
        if group["amsgrad"]:  # AMSGrad: never let the denominator shrink
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step = float(state["step"])
        bias1 = 1 - b1**step  # m and v start at 0: divide out the bias towards 0
        bias2 = 1 - b2**step
        denom = np.sqrt(v) / math.sqrt(bias2) + group["eps"]
        p._data -= ((lr / bias1) * m / denom).astype(p._data.dtype, copy=False)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the Adam step."""

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
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
