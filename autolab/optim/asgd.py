"""ASGD: SGD that also keeps a running average of the iterates, the point it reports (Polyak averaging)."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_implementation_flags, check_range, scalar_state


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky, 1992). ``state[p]["ax"]`` holds the average of the iterates.

    ``p *= 1 - lambd * eta``; ``p -= eta * g``; ``ax += mu * (p - ax)``, with ``eta = lr / (1 + lambd lr t)^alpha``
    and ``mu = 1 / max(1, t - t0)``: averaging starts at step ``t0``.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_range("learning rate", lr, lr >= 0)
        check_range("weight_decay value", weight_decay, weight_decay >= 0)
        check_implementation_flags("ASGD", foreach=foreach, differentiable=differentiable, capturable=capturable)
        defaults: dict[str, Any] = dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach
        )
        defaults.update(maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        lr, lambd = group["lr"], group["lambd"]
        if not state:  # eta and mu are float32 scalars, as in PyTorch
            state["step"] = scalar_state(0)
            state["eta"] = scalar_state(lr)
            state["mu"] = scalar_state(1)
            state["ax"] = np.zeros_like(p._data)
        state["step"] += 1
        g = -grad if group["maximize"] else grad
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p._data
        eta = float(state["eta"])
        p._data *= 1 - lambd * eta  # decay
        p._data -= (eta * g).astype(p._data.dtype, copy=False)  # the SGD step
        ax = state["ax"]
        if float(state["mu"]) != 1:
            ax += (p._data - ax) * state["mu"]  # running average of the iterates
        else:
            ax[...] = p._data  # before t0: the average is the latest iterate
        t = float(state["step"])
        # rounded to float32 as PyTorch's torch.as_tensor(...) does, even when a loaded state holds float64
        state["eta"][...] = scalar_state(lr / ((1 + lambd * lr * t) ** group["alpha"]))
        state["mu"][...] = scalar_state(1 / max(1, t - group["t0"]))
