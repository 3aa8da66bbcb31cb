"""Adagrad: divide each coordinate's step by the root of the sum of all its squared gradients so far."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


class Adagrad(Optimizer):
    """``sum += g²``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)`` (Duchi et al., 2011).

    Coordinates that saw large gradients take small steps; the steps only ever shrink.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        check_range("lr_decay value", lr_decay, lr_decay >= 0)
        check_range("weight_decay value", weight_decay, weight_decay >= 0)
        check_range("initial_accumulator_value value", initial_accumulator_value, initial_accumulator_value >= 0)
        check_range("epsilon value", eps, eps >= 0)
        check_implementation_flags("Adagrad", foreach=foreach, fused=fused, differentiable=differentiable)
        defaults: dict[str, Any] = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay)
        defaults.update(initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize)
        defaults.update(differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:  # PyTorch creates Adagrad's state up front, not at the first step
            for p in group["params"]:
                self._init_state(p, group, self.state.setdefault(p, {}))

    @staticmethod
    def _init_state(p: Tensor, group: dict, state: dict) -> None:
        state["step"] = scalar_state(0)
        state["sum"] = np.full_like(p._data, group["initial_accumulator_value"])

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        if not state:  # a group added after construction
            self._init_state(p, group, state)
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p._data
        clr = group["lr"] / (1 + (float(state["step"]) - 1) * group["lr_decay"])  # the decayed learning rate
        state["sum"] += g * g
        std = np.sqrt(state["sum"]) + group["eps"]
        p._data -= (clr * g / std).astype(p._data.dtype, copy=False)
