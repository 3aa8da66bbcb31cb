"""Joining and choosing: cat, stack, where, and the comparisons (which carry no gradient)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from . import arithmetic, sorting  # sibling op modules are imported whole and used at call time
from ._dims import wrap_dim
from ._out import accepts_out


class Cat(Function):
    def forward(self, *xs, dim):
        self.dim = dim
        self.splits = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    def backward(self, grad):
        bounds = [0, *self.splits.tolist(), grad.shape[self.dim]]
        lead = (slice(None),) * self.dim
        return tuple(
            grad[lead + (slice(bounds[i], bounds[i + 1]),)] if need else None
            for i, need in enumerate(self.needs_input_grad)
        )


@accepts_out
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    ref = tensors[0]
    d = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim or any(t.shape[k] != ref.shape[k] for k in range(ref.ndim) if k != d):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {dim}: tensor 0 has shape "
                f"{tuple(ref.shape)} but tensor {i} has shape {tuple(t.shape)}"
            )
    # PyTorch's promotion (int64 with float32 -> float32); numpy's concatenate would give float64
    dt = tensors[0]._data.dtype
    for t in tensors[1:]:
        dt = dtypes.promote(dt, t._data.dtype)
    tensors = [t if t._data.dtype == dt else t.type(dt) for t in tensors]
    return Cat.apply(*tensors, dim=d)


concat = concatenate = cat


@accepts_out
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(tensors[0].shape)} at "
                f"entry 0 and {tuple(t.shape)} at entry {i}"
            )
    return cat([t.unsqueeze(dim) for t in tensors], dim=dim)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors), as numpy's hstack."""
    tensors = list(tensors)
    return cat(tensors, dim=0 if tensors and tensors[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dim 0, 1-D tensors becoming rows."""
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors], dim=0)


class Where(Function):
    def forward(self, a, b, cond):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, grad):
        a, b = self.inputs
        mask = Tensor._wrap(np.broadcast_to(self.cond, grad.shape).astype(grad._data.dtype))
        ga = arithmetic.unbroadcast(grad * mask, a.shape) if self.needs_input_grad[0] else None
        gb = arithmetic.unbroadcast(grad * (1 - mask), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def where(condition: Any, a: Any = None, b: Any = None) -> Any:  # a Tensor; a tuple for where(cond)
    if a is None and b is None:  # where(cond) is nonzero(cond, as_tuple=True), as in PyTorch
        return sorting.nonzero(condition, as_tuple=True)
    a, b = arithmetic.operands(a, b, "where")
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {cond.dtype}")
    return Where.apply(a, b, cond=cond)


def _compare(fn: Any, a: Any, b: Any) -> Tensor:
    x = a._data if isinstance(a, Tensor) else a
    y = b._data if isinstance(b, Tensor) else b
    return Tensor._wrap(fn(x, y))  # _wrap makes a numpy bool scalar a 0-d array; a CUDA result stays on the GPU


def eq(a: Any, b: Any) -> Tensor:
    return _compare(np.equal, a, b)


def ne(a: Any, b: Any) -> Tensor:
    return _compare(np.not_equal, a, b)


def lt(a: Any, b: Any) -> Tensor:
    return _compare(np.less, a, b)


def le(a: Any, b: Any) -> Tensor:
    return _compare(np.less_equal, a, b)


def gt(a: Any, b: Any) -> Tensor:
    return _compare(np.greater, a, b)


def ge(a: Any, b: Any) -> Tensor:
    return _compare(np.greater_equal, a, b)


def logical_and(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_and, a, b)


def logical_or(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_or, a, b)


def logical_xor(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_xor, a, b)


def logical_not(a: Tensor) -> Tensor:
    return Tensor._wrap(np.logical_not(a._data))


def equal(a: Tensor, b: Tensor) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a._data, b._data))


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(a: Tensor, b: Tensor, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    return Tensor._wrap(np.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


# ---- the other way: cutting a tensor into pieces (each piece is a slice, so backward comes from getitem's) ------
def _dim(x: Tensor, dim: int, op: str) -> int:
    if not -max(x.ndim, 1) <= dim < max(x.ndim, 1) or x.ndim == 0:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of shape {tuple(x.shape)}")
    return dim % x.ndim


def _pieces(x: Tensor, d: int, sizes: Sequence[int]) -> tuple[Tensor, ...]:
    out, start = [], 0
    for n in sizes:
        out.append(x[(slice(None),) * d + (slice(start, start + n),)])
        start += n
    return tuple(out)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes."""
    d = _dim(x, dim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and not (size == 0 and n == 0):
            raise RuntimeError(f"split: split_size must be a positive number, got {size}")
        sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension "
                f"{dim}), but got split_sizes={sizes}"
            )
    return _pieces(x, d, sizes)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` pieces of ceil(n / chunks) elements (so there may be fewer pieces, as in PyTorch)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = x.shape[_dim(x, dim, "chunk")]
    return split(x, max(-(-n // chunks), 1), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``x`` along ``dim``, with that dim removed: ``tuple(x)`` for dim 0."""
    d = _dim(x, dim, "unbind")
    return tuple(x[(slice(None),) * d + (i,)] for i in range(x.shape[d]))
