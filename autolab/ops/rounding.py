"""Rounding (floor, ceil, round, trunc) and tests on values (isnan, isinf, isfinite).

Rounding is a step function: flat almost everywhere, so PyTorch gives it a gradient of zero rather than none
(``floor(x).grad_fn`` is ``FloorBackward0``); autolab does the same, so a graph through ``round`` still runs
backward, it just carries nothing back. Integer tensors are already whole numbers and come back as a copy.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..creation import zeros_like
from ..tensor import Tensor


class Rounding(Function):
    torch_name = "Floor"

    def forward(self, x, fn, name, decimals=0):
        self.torch_name = name
        return fn(x, decimals) if decimals else fn(x)

    def backward(self, grad):
        return zeros_like(grad)


def _rounding(fn, name: str):
    def op(input: Tensor) -> Tensor:
        if input._data.dtype.kind != "f":
            return Tensor._wrap(input._data.copy())
        return Rounding.apply(input, fn=fn, name=name)

    op.__name__ = name.lower()
    op.__doc__ = f"Elementwise {name.lower()}; its gradient is zero everywhere, as in PyTorch."
    return op


floor = _rounding(np.floor, "Floor")
ceil = _rounding(np.ceil, "Ceil")
trunc = _rounding(np.trunc, "Trunc")
fix = trunc


def round(input: Tensor, decimals: int = 0) -> Tensor:
    """Round half to even (``round(0.5) == 0``, ``round(1.5) == 2``), as PyTorch and numpy do."""
    if input._data.dtype.kind != "f" and decimals >= 0:
        return Tensor._wrap(input._data.copy())
    return Rounding.apply(input, fn=np.round, name="Round", decimals=decimals)


def isnan(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isnan(input._data))


def isinf(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isinf(input._data))


def isfinite(input: Tensor) -> Tensor:
    return Tensor._wrap(np.isfinite(input._data))
