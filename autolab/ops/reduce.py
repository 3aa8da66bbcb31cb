"""Reductions: sum, mean, var, std, max, min, prod, cumsum, norm. Backward spreads the gradient back over the
reduced axes.

Every reduction also accepts numpy's spelling ``keepdims=``, as PyTorch does (``P.sum(1, keepdims=True)`` in
makemore).
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from . import index, join, unary  # sibling op modules, used at call time: join.where(...)


def _axes(dim: Any, ndim: int) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    for d in dims:
        if not -builtins.max(ndim, 1) <= d < builtins.max(ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {d})")
    return tuple(sorted(d % builtins.max(ndim, 1) for d in dims)) if ndim else ()


def _keep(keepdim: bool, keepdims: bool | None) -> bool:
    return keepdim if keepdims is None else keepdims


def _keep_shape(shape: tuple, axes: tuple) -> tuple:
    """The shape of the result with keepdim=True: reduced axes become 1, ready to broadcast back."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _int_to_long(x: Tensor, dtype: Any) -> Tensor:
    """PyTorch accumulates integers and bools as int64 (sum, prod, cumsum) unless a dtype is given."""
    if dtype is not None:
        return x.type(dtype)
    return x.long() if x._data.dtype.kind in "bui" else x


class Sum(Function):
    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return np.sum(x, axis=axes, keepdims=keepdim)

    def backward(self, grad):
        (x,) = self.inputs
        return grad.reshape(_keep_shape(x.shape, self.axes)).expand(x.shape)


def sum(
    x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None, *, keepdims: bool | None = None
) -> Tensor:
    x = _int_to_long(x, dtype)
    return Sum.apply(x, axes=_axes(dim, x.ndim), keepdim=_keep(keepdim, keepdims))


class Mean(Function):
    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return np.mean(x, axis=axes, keepdims=keepdim)

    def backward(self, grad):
        (x,) = self.inputs
        n = x.numel() // builtins.max(grad.numel(), 1)
        return grad.reshape(_keep_shape(x.shape, self.axes)).expand(x.shape) / n


def mean(
    x: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None, *, keepdims: bool | None = None
) -> Tensor:
    if dtype is not None:
        x = x.type(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {x.dtype}. Use x.float().mean()"
        )
    return Mean.apply(x, axes=_axes(dim, x.ndim), keepdim=_keep(keepdim, keepdims))


def var(
    x: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Variance; by default with Bessel's correction (divide by n - 1), as in PyTorch. Built from mean, sub,
    mul and sum, so its gradient comes from theirs."""
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _axes(dim, x.ndim)
    n = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    centered = x - mean(x, dim=axes, keepdim=True)
    return sum(centered * centered, dim=axes, keepdim=_keep(keepdim, keepdims)) / builtins.max(n - correction, 0)


def std(
    x: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
    keepdims: bool | None = None,
) -> Tensor:
    return var(x, dim, unbiased, _keep(keepdim, keepdims), correction=correction).sqrt()


class MaxMin(Function):
    """max or min over axes. The gradient goes to the elements that won (shared equally among ties, as PyTorch's
    full reduction does). Where a NaN won, PyTorch's max() / min() / norm(inf) share the gradient among the
    NaNs (``nan_shared``), while its amax / amin make the whole slice's gradient NaN."""

    torch_name = "Max"

    def forward(self, x, axes, keepdim, fn, nan_shared=False):
        self.torch_name = "Max" if fn is np.max else "Min"  # so x.min().grad_fn reads MinBackward0
        out = fn(x, axis=axes, keepdims=True)
        self.axes = axes
        self.winners = x == out
        if nan_shared and x.dtype.kind == "f" and np.isnan(out).any():
            self.winners |= np.isnan(x) & np.isnan(out)
        return out if keepdim else np.squeeze(out, axis=axes)

    def backward(self, grad):
        (x,) = self.inputs
        share = self.winners / self.winners.sum(axis=self.axes, keepdims=True)
        return grad.reshape(_keep_shape(x.shape, self.axes)) * Tensor._wrap(share.astype(x._data.dtype))


def amax(x: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    return MaxMin.apply(x, axes=_axes(dim, x.ndim), keepdim=_keep(keepdim, keepdims), fn=np.max)


def amin(x: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    return MaxMin.apply(x, axes=_axes(dim, x.ndim), keepdim=_keep(keepdim, keepdims), fn=np.min)


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
        g = grad if self.keepdim else grad.unsqueeze(self.dim)
        return index.scatter_along(g, self.index, self.dim, x.shape)


MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


def max(x: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Any:
    """``max(x)`` is a tensor; ``max(x, dim)`` returns ``(values, indices)`` as PyTorch does."""
    return _maxmin(x, dim, _keep(keepdim, keepdims), True)


def min(x: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Any:
    return _maxmin(x, dim, _keep(keepdim, keepdims), False)


def _maxmin(x: Tensor, dim: Any, keepdim: bool, is_max: bool) -> Any:
    name = "max" if is_max else "min"
    if dim is None:
        if x.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        fn = np.max if is_max else np.min
        return MaxMin.apply(x, axes=_axes(None, x.ndim), keepdim=False, fn=fn, nan_shared=True)
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


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(x._data), dtype=np.int64))
    return Tensor._wrap(np.argmax(x._data, axis=dim, keepdims=_keep(keepdim, keepdims)).astype(np.int64))


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(x._data), dtype=np.int64))
    return Tensor._wrap(np.argmin(x._data, axis=dim, keepdims=_keep(keepdim, keepdims)).astype(np.int64))


def _pick(a: Tensor, b: Tensor, a_wins: Tensor, b_wins: Tensor) -> Tensor:
    """a where it wins, b where it wins, and at a tie (a + b) / 2: the same value, but the gradient is shared
    half and half between the two, as PyTorch does. Where either is NaN, a + b: NaN, and both get the gradient."""
    if not (a.requires_grad or b.requires_grad):
        return join.where(a_wins | (a == b), a, join.where(b_wins, b, a + b))  # no /2: integers stay integers
    return join.where(a_wins, a, join.where(b_wins, b, join.where(a == b, (a + b) / 2, a + b)))


def maximum(a: Tensor, b: Tensor) -> Tensor:
    return _pick(a, b, a > b, a < b)


def minimum(a: Tensor, b: Tensor) -> Tensor:
    return _pick(a, b, a < b, a > b)


class Prod(Function):
    """The product over axes. d out / d x_i is the product of all the others: out / x_i when no x is zero.

    A slice with exactly one zero has a gradient only at that zero (the product of the others); with two or more
    zeros every gradient is zero. Written with tensor ops (where, prod, /), so it can be differentiated again;
    the second derivative between two zeros of the same slice is the one case this leaves at zero."""

    def forward(self, x, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim
        return np.prod(x, axis=axes, keepdims=keepdim)

    def backward(self, grad):
        (x,) = self.inputs
        keep = _keep_shape(x.shape, self.axes)
        g, out = grad.reshape(keep), self.output.reshape(keep)
        zero = x._data == 0
        if not zero.any():
            return g * out / x
        is_zero = Tensor._wrap(zero)
        safe = join.where(is_zero, 1.0, x)
        lone = Tensor._wrap(zero.sum(axis=self.axes, keepdims=True) == 1)
        others = Prod.apply(safe, axes=self.axes, keepdim=True) * lone  # product of the rest, at a lone zero
        return g * join.where(is_zero, others, out / safe)


def prod(
    x: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None, keepdims: bool | None = None
) -> Tensor:
    """The product of all elements, or along ``dim`` (an int, as in PyTorch)."""
    x = _int_to_long(x, dtype)
    if dim is None:
        return Prod.apply(x, axes=_axes(None, x.ndim), keepdim=False)
    if not isinstance(dim, int):
        raise TypeError(f"prod(): dim must be an int, got {dim!r} (PyTorch's prod reduces one dim at a time)")
    return Prod.apply(x, axes=_axes(dim, x.ndim), keepdim=_keep(keepdim, keepdims))


class Cumsum(Function):
    def forward(self, x, dim):
        self.dim = dim
        return np.cumsum(x, axis=dim)

    def backward(self, grad):
        # out_j = sum_{i <= j} x_i, so d/dx_i collects grad_j for every j >= i: a cumsum run backwards
        return cumsum(grad.flip((self.dim,)), self.dim).flip((self.dim,))


def cumsum(x: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sum along ``dim``: ``out[i] = x[0] + ... + x[i]``."""
    x = _int_to_long(x, dtype)
    d = _axes(dim, x.ndim)[0] if x.ndim else 0
    if x.ndim == 0:
        return x.clone()
    return Cumsum.apply(x, dim=d)


def logsumexp(x: Tensor, dim: Any, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    """``log(sum(exp(x), dim))`` without overflow: the max is taken out first (it cancels in the gradient)."""
    x = unary.as_float(x)
    axes = _axes(dim, x.ndim)
    m = amax(x, dim=axes, keepdim=True).detach() if x.numel() else Tensor._wrap(np.zeros(()))
    m = Tensor._wrap(np.where(np.isfinite(m._data), m._data, 0).astype(x._data.dtype))  # all -inf: no shift
    out = sum((x - m).exp(), dim=axes, keepdim=True).log() + m
    return out if _keep(keepdim, keepdims) else out.squeeze(axes) if axes else out


def all(x: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    """True where every element (along ``dim``) is non-zero. The result is bool (uint8 for uint8 input)."""
    keep = _keep(keepdim, keepdims) and dim is not None
    out = np.all(x._data, axis=None if dim is None else _axes(dim, x.ndim), keepdims=keep)
    return Tensor._wrap(np.asarray(out).astype(np.uint8 if x._data.dtype == np.uint8 else np.bool_))


def any(x: Tensor, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
    """True where some element (along ``dim``) is non-zero."""
    keep = _keep(keepdim, keepdims) and dim is not None
    out = np.any(x._data, axis=None if dim is None else _axes(dim, x.ndim), keepdims=keep)
    return Tensor._wrap(np.asarray(out).astype(np.uint8 if x._data.dtype == np.uint8 else np.bool_))


class Norm2(Function):
    """The Euclidean norm sqrt(sum x^2). Its gradient x / norm is taken as 0 where the norm is 0 (as PyTorch),
    where sqrt's own rule would give 0 / 0."""

    torch_name = "LinalgVectorNorm"

    def forward(self, x, axes, keepdim):
        self.axes = axes
        return np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))

    def backward(self, grad):
        (x,) = self.inputs
        keep = _keep_shape(x.shape, self.axes)
        out = self.output.reshape(keep)
        safe = join.where(Tensor._wrap(out._data == 0), 1.0, out)
        return grad.reshape(keep) * x / safe


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The vector p-norm of ``x`` over ``dim`` (all elements by default): p = 2 or "fro" (Euclidean), 1, inf,
    -inf, 0 (count of non-zeros) or any other number ``(sum |x|^p)^(1/p)``."""
    if dtype is not None:
        x = x.type(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"norm(): input dtype should be floating point, but got {x.dtype}; use x.float().norm()")
    if p == "nuc":
        raise NotImplementedError("norm(p='nuc'): the nuclear norm needs an SVD, which autolab does not have")
    axes = _axes(dim, x.ndim)
    if p in ("fro", 2, 2.0):
        return Norm2.apply(x, axes=axes, keepdim=keepdim)
    if not isinstance(p, (int, float)):
        raise ValueError(f"norm(): p must be a number, 'fro' or 'nuc', got {p!r}")
    if p in (float("inf"), float("-inf")):  # a NaN's share of the gradient meets abs'(NaN) = 0, as in PyTorch
        fn = np.max if p > 0 else np.min
        return MaxMin.apply(x.abs(), axes=axes, keepdim=keepdim, fn=fn, nan_shared=True)
    if p == 0:
        return sum((x != 0).type(x.dtype), dim=axes, keepdim=keepdim)
    if p == 1:
        return sum(x.abs(), dim=axes, keepdim=keepdim)
    return sum(x.abs() ** p, dim=axes, keepdim=keepdim) ** (1.0 / p)
