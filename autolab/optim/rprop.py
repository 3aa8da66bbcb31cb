"""Rprop: use only the sign of the gradient; grow each coordinate's step while the sign holds, shrink it on a flip."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun, 1993), full-batch training's classic.

    Per coordinate: same sign as last step -> ``step_size *= etaplus``; opposite -> ``step_size *= etaminus``
    and skip this step (the gradient is remembered as 0); then ``p -= sign(g) * step_size``.
    A NaN gradient makes its parameter NaN, where PyTorch's ``sign(nan) == 0`` would skip it silently.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_implementation_flags("Rprop", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults: dict[str, Any] = dict(
            lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach, maximize=maximize
        )
        defaults.update(differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        (etaminus, etaplus), (smin, smax) = group["etas"], group["step_sizes"]
        if not state:
            state["step"] = scalar_state(0)
            state["prev"] = np.zeros_like(p._data)
            state["step_size"] = np.full_like(grad, group["lr"])
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        same = g * state["prev"]  # > 0: the sign held, < 0: it flipped, 0: no previous gradient
        flipped = same < 0
        # NaN for a NaN gradient: it stays NaN (PyTorch's sign(nan) is 0: a silent skip). np.where, not masked
        # assignment, so the same lines run on a CUDA array.
        factor = np.where(same > 0, etaplus, np.where(flipped, etaminus, np.where(same == 0, 1.0, np.sign(same))))
        step_size = state["step_size"]
        step_size *= factor
        np.clip(step_size, smin, smax, out=step_size)
        g = np.where(flipped, 0, g).astype(g.dtype, copy=False)  # after a flip, no step and no memory of it
        p._data -= (np.sign(g) * step_size).astype(p._data.dtype, copy=False)
        state["prev"][...] = g
