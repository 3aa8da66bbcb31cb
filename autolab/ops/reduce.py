"""Reductions: sum, mean, var, std, max, min, argmax. Backward spreads the gradient back over the reduced axes."""

from __future__ import annotations

import builtins
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor


def _axes(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    for d in dims:
        if not -builtins.max(ndim, 1) <= d < builtins.max(ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {d})")
    return tuple(sorted(d % builtins.max(ndim, 1) for d in dims)) if ndim else ()


def _keep_shape(shape: tuple, axes: tuple) -> tuple:
    """The shape of the result with keepdim=True: reduced axes become 1, ready to broadcast back."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return np.sum(x, axis=axes, keepdims=keepdim)

    def backward(self, grad):
        (x,) = self.inputs
        from .shape import expand, reshape

        return expand(reshape(grad, _keep_shape(x.shape, self.axes)), x.shape)


class Mean(Function):
    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return np.mean(x, axis=axes, keepdims=keepdim)

    def backward(self, grad):
        (x,) = self.inputs
        from .shape import expand, reshape

        n = x.numel() // builtins.max(grad.numel(), 1)
        return expand(reshape(grad, _keep_shape(x.shape, self.axes)), x.shape) / n


class MaxMin(Function):
    """max or min over axes. The gradient goes to the elements that won (shared equally among ties, as PyTorch's
    full reduction does)."""

    torch_name = "Max"

    def forward(self, x, axes, keepdim, fn):
        self.torch_name = "Max" if fn is np.max else "Min"  # so x.min().grad_fn reads MinBackward0
        out = fn(x, axis=axes, keepdims=True)
        self.axes = axes
        self.winners = x == out
        return out if keepdim else np.squeeze(out, axis=axes)

    def backward(self, grad):
        (x,) = self.inputs
        from .shape import reshape

        share = self.winners / self.winners.sum(axis=self.axes, keepdims=True)
        return reshape(grad, _keep_shape(x.shape, self.axes)) * Tensor._wrap(share.astype(x._data.dtype))


class IndexedMaxMin(Function):
    """max(x, dim) / min(x, dim): values and indices; the gradient goes to the index PyTorch returns."""

    torch_name = "Max"

    def forward(self, x, dim, keepdim, arg):
        self.torch_name = "Max" if arg is np.argmax else "Min"
        self.dim, self.keepdim = dim, keepdim
        self.index = np.expand_dims(arg(x, axis=dim), dim)
        out = np.take_along_axis(x, self.index, axis=dim)
        return out if keepdim else np.squeeze(out, axis=dim)

    def backward(self, grad):
        (x,) = self.inputs
        from .index import scatter_along

        g = grad if self.keepdim else grad.unsqueeze(self.dim)
        return scatter_along(g, self.index, self.dim, x.shape)


MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    if dtype is not None:
        x = x.type(dtype)
    elif x._data.dtype.kind in "bui":  # PyTorch sums integers and bools as int64
        x = x.long()
    return Sum.apply(x, axes=_axes(dim, x.ndim), keepdim=keepdim)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    if dtype is not None:
        x = x.type(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {x.dtype}. Use x.float().mean()"
        )
    return Mean.apply(x, axes=_axes(dim, x.ndim), keepdim=keepdim)


def var(
    x: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> Tensor:
    """Variance; by default with Bessel's correction (divide by n - 1), as in PyTorch."""
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _axes(dim, x.ndim)
    n = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    centered = x - mean(x, dim=axes, keepdim=True)
    return sum(centered * centered, dim=axes, keepdim=keepdim) / builtins.max(n - correction, 0)


def std(
    x: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> Tensor:
    from .unary import sqrt

    return sqrt(var(x, dim, unbiased, keepdim, correction=correction))


def _maxmin(x: Tensor, dim: Any, keepdim: bool, is_max: bool) -> Any:
    name = "max" if is_max else "min"
    if dim is None:
        if x.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        return MaxMin.apply(x, axes=_axes(None, x.ndim), keepdim=False, fn=np.max if is_max else np.min)
    if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum
        return maximum(x, dim) if is_max else minimum(x, dim)
    d = _axes(dim, x.ndim)[0] if x.ndim else 0
    if x.ndim and x.shape[d] == 0:  # an empty batch is fine, as long as the reduced dim itself is not empty
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if x.ndim == 0:
        return (MaxResult if is_max else MinResult)(x, Tensor._wrap(np.zeros((), np.int64)))
    values = IndexedMaxMin.apply(x, dim=d, keepdim=keepdim, arg=np.argmax if is_max else np.argmin)
    idx = (np.argmax if is_max else np.argmin)(x._data, axis=d)
    idx = np.expand_dims(idx, d) if keepdim else idx
    return (MaxResult if is_max else MinResult)(values, Tensor._wrap(idx.astype(np.int64)))


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``max(x)`` is a tensor; ``max(x, dim)`` returns ``(values, indices)`` as PyTorch does."""
    return _maxmin(x, dim, keepdim, True)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _maxmin(x, dim, keepdim, False)


def amax(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return MaxMin.apply(x, axes=_axes(dim, x.ndim), keepdim=keepdim, fn=np.max)


def amin(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return MaxMin.apply(x, axes=_axes(dim, x.ndim), keepdim=keepdim, fn=np.min)


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(x._data), dtype=np.int64))
    return Tensor._wrap(np.argmax(x._data, axis=dim, keepdims=keepdim).astype(np.int64))


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(x._data), dtype=np.int64))
    return Tensor._wrap(np.argmin(x._data, axis=dim, keepdims=keepdim).astype(np.int64))


def maximum(a: Tensor, b: Tensor) -> Tensor:
    from .join import where

    return where(a >= b, a, b)


def minimum(a: Tensor, b: Tensor) -> Tensor:
    from .join import where

    return where(a <= b, a, b)
