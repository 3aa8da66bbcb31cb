"""Indexing: x[1:3], x[idx], x[mask]. The backward puts the gradient back where the elements came from,
adding where the same element was picked more than once (np.add.at)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from . import join  # sibling op modules are imported whole and used at call time: join.where(...)
from ._dims import wrap_dim


def _raw_index(index: Any) -> Any:
    """Tensors inside an index become numpy arrays; lists become arrays, as in PyTorch."""
    if isinstance(index, tuple):
        return tuple(_raw_index(i) for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _check_index(index: Any) -> None:
    for i in index if isinstance(index, tuple) else (index,):
        if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
            raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors, got {i.dtype}")


class GetItem(Function):
    torch_name = "Index"

    def forward(self, x, index):
        self.index = index
        return x[index]

    def backward(self, grad):
        (x,) = self.inputs
        return IndexAdd.apply(grad, index=self.index, shape=x.shape)


class IndexAdd(Function):
    """zeros(shape) with grad added at ``index``: the backward of GetItem. Its own backward is GetItem again."""

    def forward(self, g, index, shape):
        self.index = index
        out = np.zeros_like(g, shape=shape, order="C")  # on g's device
        np.add.at(out, index, g)
        return out

    def backward(self, grad):
        return GetItem.apply(grad, index=self.index)


def getitem(x: Tensor, index: Any) -> Tensor:
    raw = _raw_index(index)
    _check_index(raw)
    try:
        return GetItem.apply(x, index=raw)
    except IndexError as e:
        raise IndexError(f"index {index!r} is out of range for a tensor of shape {tuple(x.shape)}: {e}") from None


def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of ``x`` at the positions ``index`` (1-D, int) along ``dim``; repeats allowed."""
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise IndexError(
            f"index_select(): index must be a 1-D integer tensor, got shape {tuple(idx.shape)} dtype {idx.dtype}"
        )
    if not -max(x.ndim, 1) <= dim < max(x.ndim, 1):
        raise IndexError(f"index_select(): dim {dim} is out of range for a tensor of shape {tuple(x.shape)}")
    if x.ndim == 0:
        return getitem(x.reshape(1), idx.reshape(-1)).reshape(())
    return getitem(x, (slice(None),) * (dim % x.ndim) + (idx.reshape(-1),))


def select(x: Tensor, dim: int, index: int) -> Tensor:
    """``x[..., index, ...]`` at ``dim``: that dim goes away."""
    if x.ndim == 0 or not -x.ndim <= dim < x.ndim:
        raise IndexError(f"select(): dim {dim} is out of range for a tensor of shape {tuple(x.shape)}")
    d = dim % x.ndim
    if not -x.shape[d] <= index < x.shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {x.shape[d]} at dimension {dim}")
    return getitem(x, (slice(None),) * d + (index,))


class GatherAlong(Function):
    def forward(self, x, index, dim):
        self.index, self.dim = index, dim
        self.shape = x.shape
        # torch.gather's index may be smaller than x along the other dims (the result has index's shape);
        # numpy's take_along_axis would broadcast instead, so cut x down to index's extent first.
        cut = tuple(slice(None) if i == dim else slice(0, n) for i, n in enumerate(index.shape))
        return np.take_along_axis(x[cut], index, axis=dim)

    def backward(self, grad):
        return ScatterAlong.apply(grad, index=self.index, dim=self.dim, shape=self.shape)


class ScatterAlong(Function):
    """Add ``g`` at positions ``index`` along ``dim`` of a zero tensor (the backward of gather and max(x, dim)).

    Adding, not placing: gather may pick the same element twice, and then both picks send it gradient."""

    def forward(self, g, index, dim, shape):
        self.index, self.dim = index, dim
        out = np.zeros_like(g, shape=shape, order="C")  # on g's device
        where = list(np.ix_(*[np.arange(n) for n in index.shape]))  # every position of index...
        where[dim] = index  # ...with its coordinate along dim replaced by the index value
        np.add.at(out, tuple(where), g)
        return out

    def backward(self, grad):
        return GatherAlong.apply(grad, index=self.index, dim=self.dim)


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = x[i][index[i][j]]`` for dim=1, as ``torch.gather``."""
    return GatherAlong.apply(x, index=index._data, dim=wrap_dim(dim, x.ndim))


def scatter_along(g: Tensor, index: np.ndarray, dim: int, shape: tuple) -> Tensor:
    return ScatterAlong.apply(g, index=index, dim=dim, shape=shape)


class MaskedFill(Function):
    def forward(self, x, mask, value):
        self.mask = np.broadcast_to(mask, x.shape)
        return np.where(self.mask, np.asarray(value).astype(x.dtype), x)

    def backward(self, grad):
        return join.where(Tensor._wrap(self.mask), 0.0, grad)  # the filled places no longer depend on x


def masked_fill(x: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``x`` with ``value`` wherever ``mask`` (bool, broadcastable to x's shape) is True."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype}")
    try:
        np.broadcast_shapes(m.shape, x.shape)
        if np.broadcast_shapes(m.shape, x.shape) != x.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(
            f"masked_fill: the mask of shape {tuple(m.shape)} must broadcast to the tensor's shape {tuple(x.shape)}"
        ) from None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                f"masked_fill only supports a 0-dimensional value tensor, but got tensor with {value.ndim} dimension(s)"
            )
        if value.requires_grad:  # the value gets gradient too: the sum of grad over the filled places
            return join.where(Tensor._wrap(np.broadcast_to(m, x.shape)), value.type(x.dtype), x)
        value = value.item()
    return MaskedFill.apply(x, mask=m, value=value)


def masked_select(x: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``x`` where ``mask`` is True, as a 1-D tensor (``x`` and ``mask`` broadcast together)."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected a bool mask, got dtype {m.dtype}")
    shape = np.broadcast_shapes(x.shape, m.shape)
    return getitem(x.expand(shape), np.broadcast_to(m, shape))


def _triangle(x: Tensor, diagonal: int, upper: bool, op: str) -> Tensor:
    if x.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape {tuple(x.shape)}")
    n, m = x.shape[-2:]
    keep = np.triu(np.ones((n, m), bool), diagonal) if upper else np.tril(np.ones((n, m), bool), diagonal)
    return join.where(Tensor._wrap(keep), x, 0)  # the gradient flows only through the kept triangle


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (on and below ``diagonal``); the rest is 0. Causal masks."""
    return _triangle(x, diagonal, False, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (on and above ``diagonal``); the rest is 0."""
    return _triangle(x, diagonal, True, "triu")


class ScatterAdd(Function):
    """``x`` with ``src[i][j]`` added at row ``index[i][j]`` (dim 0): the sum of everything sent to each place."""

    def forward(self, x, src, index, dim, reduce_add):
        self.index, self.dim, self.add = index, dim, reduce_add
        out = x.copy()
        where = list(np.ix_(*[np.arange(n) for n in index.shape]))
        where[dim] = index
        self.where = tuple(where)
        cut = tuple(slice(0, n) for n in index.shape)
        if reduce_add:
            np.add.at(out, self.where, src[cut])
        else:
            out[self.where] = src[cut]
        return out

    def backward(self, grad):
        x, src = self.inputs
        gx = gsrc = None
        if self.needs_input_grad[0]:
            gx = grad
            if not self.add:  # overwritten places no longer depend on x
                mask = np.zeros(x.shape, bool)
                mask[self.where] = True
                gx = join.where(Tensor._wrap(mask), 0.0, grad)
        if self.needs_input_grad[1]:
            picked = GatherAlong.apply(grad, index=self.index, dim=self.dim)
            pad = tuple((0, s - n) for s, n in zip(src.shape, self.index.shape))
            gsrc = (
                picked
                if not any(p for _, p in pad)
                else IndexAdd.apply(picked, index=tuple(slice(0, n) for n in self.index.shape), shape=src.shape)
            )
        return gx, gsrc


def _scatter(x: Tensor, dim: int, index: Tensor, src: Any, add: bool, op: str) -> Tensor:
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype != np.int64:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.ndim != x.ndim:
        raise RuntimeError(f"{op}(): index {tuple(idx.shape)} must have as many dims as self {tuple(x.shape)}")
    if not isinstance(src, Tensor):
        src = Tensor._wrap(np.full(idx.shape, src, dtype=x._data.dtype))
    return ScatterAdd.apply(x, src.type(x.dtype), index=idx, dim=wrap_dim(dim, x.ndim), reduce_add=add)


def scatter(x: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
    """``x`` with ``src[i][j]`` written at row ``index[i][j]`` (for dim 0); ``src`` may be a number."""
    return _scatter(x, dim, index, value if src is None else src, False, "scatter")


def scatter_add(x: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``x`` plus ``src`` added at the positions ``index`` along ``dim`` (repeated positions add up)."""
    return _scatter(x, dim, index, src, True, "scatter_add")
