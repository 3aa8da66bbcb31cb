"""softmax and log_softmax along a dim, computed stably (subtract the max first)."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor


class Softmax(Function):
    def forward(self, x, dim):
        self.dim = dim
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        return e / e.sum(axis=dim, keepdims=True)

    def backward(self, grad):
        # y_i (g_i - sum_j g_j y_j): the Jacobian-vector product without building the Jacobian
        y = self.output
        return y * (grad - (grad * y).sum(dim=self.dim, keepdim=True))


class LogSoftmax(Function):
    def forward(self, x, dim):
        self.dim = dim
        shifted = x - x.max(axis=dim, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    def backward(self, grad):
        from .unary import exp

        return grad - exp(self.output) * grad.sum(dim=self.dim, keepdim=True)


def _dim(x: Tensor, dim: int | None, name: str) -> int:
    if dim is None:
        # PyTorch's legacy rule: dim 0 for 0-D, 1-D and 3-D inputs, else 1. Say so, as PyTorch warns.
        import warnings

        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Pass dim=...", stacklevel=3)
        dim = 0 if x.ndim in (0, 1, 3) else 1
    return dim % max(x.ndim, 1)


def softmax(x: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    if dtype is not None:
        x = x.type(dtype)
    return Softmax.apply(x if x.is_floating_point() else x.float(), dim=_dim(x, dim, "softmax"))


def log_softmax(x: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    if dtype is not None:
        x = x.type(dtype)
    return LogSoftmax.apply(x if x.is_floating_point() else x.float(), dim=_dim(x, dim, "log_softmax"))
