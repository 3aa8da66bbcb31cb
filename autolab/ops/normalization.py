"""Batch normalisation as one op.

Composed from tensor ops (mean, var, subtract, divide, scale, shift) it makes about twenty passes over the
activations forward and back; as one op it makes a handful, with the textbook backward:

    gx = w / sigma * (g - mean(g) - xhat * mean(g * xhat))      (training: the batch statistics depend on x)
    gx = w / sigma * g                                          (eval: fixed running statistics)
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..autograd.functional import grad as autograd_grad
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..tensor import Tensor
from . import unary  # sibling op modules are imported whole and used at call time


class BatchNorm(Function):
    def forward(self, x, w, b, *, mean, var, eps, training):
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.bshape = (1, -1) + (1,) * (x.ndim - 2)
        self.mean, self.var, self.eps, self.training = mean, var, eps, training
        self.invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
        self.xhat = (x - mean.reshape(self.bshape)) * self.invstd.reshape(self.bshape)
        return self.xhat * w.reshape(self.bshape) + b.reshape(self.bshape)

    def backward(self, grad):
        if is_grad_enabled():
            return self._differentiable_backward(grad)
        x, w, _ = self.inputs
        g, s = grad._data, self.bshape
        # gb and gw are also what the input's gradient is made of, in training mode
        gb = g.sum(axis=self.axes)
        gw = (g * self.xhat).sum(axis=self.axes)
        gx = None
        if self.needs_input_grad[0]:
            scale = (w._data * self.invstd).reshape(s)
            if self.training:
                n = g.size // g.shape[1]
                gx = scale * (g - (gb / n).reshape(s) - self.xhat * (gw / n).reshape(s))
            else:
                gx = scale * g
        need, wrap = self.needs_input_grad, Tensor._wrap
        return (
            None if gx is None else wrap(gx.astype(g.dtype, copy=False)),
            wrap(gw) if need[1] else None,
            wrap(gb) if need[2] else None,
        )

    def _differentiable_backward(self, grad):
        """create_graph=True: rebuild the forward from tensor ops and differentiate that, so the gradient itself
        has a graph (second derivatives through batch norm)."""
        x, w, b = self.inputs
        with enable_grad():
            y = composed_batch_norm(x, w, b, self.training, self.mean, self.var, self.eps)
            wanted = [t for t, need in zip(self.inputs, self.needs_input_grad) if need]
            got = iter(autograd_grad(y, wanted, grad, create_graph=True, retain_graph=True, allow_unused=True))
        return tuple(next(got) if need else None for need in self.needs_input_grad)


def batch_norm(
    x: Tensor, w: Tensor, b: Tensor, mean: np.ndarray, var: np.ndarray, eps: float, training: bool
) -> Tensor:
    return BatchNorm.apply(x, w, b, mean=mean, var=var, eps=eps, training=training)


def composed_batch_norm(
    x: Tensor, w: Tensor, b: Tensor, training: bool, mean: np.ndarray, var: np.ndarray, eps: float
) -> Tensor:
    """The same function written with tensor ops (the readable definition, and the double-backward path)."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        m, v = x.mean(dim=axes), x.var(dim=axes, unbiased=False)
    else:
        m, v = Tensor._wrap(mean), Tensor._wrap(var)
    return (x - m.reshape(shape)) / unary.sqrt(v.reshape(shape) + eps) * w.reshape(shape) + b.reshape(shape)
