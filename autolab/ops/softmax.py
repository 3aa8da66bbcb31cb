"""softmax and log_softmax along a dim, computed stably (subtract the max first)."""

from __future__ import annotations

import warnings

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from . import unary  # sibling op modules are imported whole and used at call time
from ._dims import wrap_dim


def _dim(x: Tensor, dim: int | None, name: str) -> int:
    if dim is None:
        # PyTorch's legacy rule: dim 0 for 0-D, 1-D and 3-D inputs, else 1. Say so, as PyTorch warns.
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Pass dim=...", stacklevel=3)
        dim = 0 if x.ndim in (0, 1, 3) else 1
    return wrap_dim(dim, x.ndim)


class Softmax(Function):
    def forward(self, x, dim):
        self.dim = dim
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        return e / e.sum(axis=dim, keepdims=True)

    def backward(self, grad):
        # y_i (g_i - sum_j g_j y_j): the Jacobian-vector product without building the Jacobian
        y = self.output
        return y * (grad - (grad * y).sum(dim=self.dim, keepdim=True))


def softmax(x: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    if dtype is not None:
        x = x.type(dtype)
    return Softmax.apply(x if x.is_floating_point() else x.float(), dim=_dim(x, dim, "softmax"))


class LogSoftmax(Function):
    def forward(self, x, dim):
        self.dim = dim
        shifted = x - x.max(axis=dim, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    def backward(self, grad):
        return grad - unary.exp(self.output) * grad.sum(dim=self.dim, keepdim=True)


def log_softmax(x: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    if dtype is not None:
        x = x.type(dtype)
    return LogSoftmax.apply(x if x.is_floating_point() else x.float(), dim=_dim(x, dim, "log_softmax"))


class CrossEntropy(Function):
    """softmax + cross-entropy in one op over (N, C) scores and (N,) class indices.

    Composed from log_softmax and indexing it takes five graph nodes and as many passes over the data; fused, the
    forward keeps the softmax probabilities and the backward is simply ``(probs - onehot(target)) * grad``.
    """

    torch_name = "NllLoss"  # what PyTorch prints for a cross-entropy loss's grad_fn

    def forward(self, x, target, reduction):
        self.target, self.reduction = target, reduction
        losses, self.probs = kernels.softmax_cross_entropy_forward(x, target)
        if reduction == "mean":  # (a number of x's dtype: losses.mean() keeps float32, on a GPU too)
            return losses.mean()
        return losses.sum() if reduction == "sum" else losses

    def backward(self, grad):
        n = self.probs.shape[0]
        if self.reduction == "none":
            per_row = grad
        else:
            per_row = grad.expand(n) / n if self.reduction == "mean" else grad.expand(n)
        if not is_grad_enabled():
            return Tensor._wrap(kernels.softmax_cross_entropy_backward(self.probs, self.target, per_row._data))
        # create_graph: the same formula in tensor ops, so the gradient can be differentiated again
        (x,) = self.inputs
        onehot = np.zeros_like(self.probs)
        onehot[np.arange(n), self.target] = 1
        return (softmax(x, dim=1) - Tensor._wrap(onehot)) * per_row.unsqueeze(1)


def cross_entropy_fused(x: Tensor, target: Tensor, reduction: str) -> Tensor:
    return CrossEntropy.apply(x, target=target._data, reduction=reduction)
