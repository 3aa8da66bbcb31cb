"""Matrix product, 2-D and batched. The arithmetic runs in ``autolab.kernels.matmul`` (numba or BLAS).

Backward of C = A @ B:  dA = dC @ B^T,  dB = A^T @ dC  (summed over broadcast batch dims).
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ..tensor import Tensor
from . import arithmetic, index  # sibling op modules are imported whole and used at call time
from ._out import accepts_out


def _check_inner(a: Tensor, b: Tensor, n: int, m: int) -> None:
    if n != m:
        raise RuntimeError(f"matmul: {tuple(a.shape)} @ {tuple(b.shape)}: inner sizes {n} and {m} differ")


class MatMul(Function):
    def forward(self, a, b):
        return kernels.matmul(a, b)

    def backward(self, grad):
        a, b = self.inputs
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = arithmetic.unbroadcast(matmul(grad, b.transpose(-1, -2)), a.shape)
        if self.needs_input_grad[1]:
            if b.ndim == 2 and b._data.flags.f_contiguous and not b._data.flags.c_contiguous:
                # b is a transposed view (a linear layer's weight.t()): compute dB^T = dC^T @ A, so that
                # after the transpose's backward the weight's gradient is contiguous, not an 8 MB strided
                # view that every later copy (grad accumulation, the optimizer) walks across the cache
                a2, g2 = a.reshape(-1, a.shape[-1]), grad.reshape(-1, grad.shape[-1])
                gb = matmul(g2.transpose(0, 1), a2).transpose(0, 1)
            else:
                gb = arithmetic.unbroadcast(matmul(a.transpose(-1, -2), grad), b.shape)
        return ga, gb


@accepts_out
def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b``. 1-D operands are treated as a row/column vector, as numpy and PyTorch do.

    >>> (autolab.ones(64, 400) @ autolab.ones(400, 120)).shape
    autolab.Size([64, 120])
    """
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul: expected two tensors, got {type(a).__name__} and {type(b).__name__}")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"matmul: expected both operands to have the same dtype, but got {a.dtype} and {b.dtype}"
            " (convert one, e.g. with .float())"
        )
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need at least 1 dimension, got {a.ndim}D and {b.ndim}D")
    if a.ndim == 1 and b.ndim == 1:
        _check_inner(a, b, a.shape[0], b.shape[0])
        return (a * b).sum()
    if a.ndim == 1:
        return matmul(a.unsqueeze(0), b).squeeze(-2)
    if b.ndim == 1:
        return matmul(a, b.unsqueeze(-1)).squeeze(-1)
    _check_inner(a, b, a.shape[-1], b.shape[-2])
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise RuntimeError(
            f"matmul: {tuple(a.shape)} @ {tuple(b.shape)}: batch dimensions {tuple(a.shape[:-2])} and "
            f"{tuple(b.shape[:-2])} cannot be broadcast"
        ) from None
    return MatMul.apply(a, b)


@accepts_out
def mm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got {a.ndim}D and {b.ndim}D")
    return matmul(a, b)


@accepts_out
def bmm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, got {a.ndim}D and {b.ndim}D")
    return matmul(a, b)


# ---- small products built from the ops above (their backward comes from mul, sum and indexing) -------------------
def dot(a: Tensor, b: Tensor) -> Tensor:
    """The dot product of two 1-D tensors of the same length."""
    if a.ndim != 1 or b.ndim != 1 or a.shape != b.shape:
        raise RuntimeError(
            f"dot: expected two 1-D tensors of the same size, got shapes {tuple(a.shape)} and {tuple(b.shape)}"
        )
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    """``out[i, j] = a[i] * b[j]`` for 1-D ``a`` and ``b``."""
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: expected two 1-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return a.unsqueeze(1) * b.unsqueeze(0)


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of ``x`` in dims (dim1, dim2), ``offset`` above it (below if negative), as the last dim."""
    if x.ndim < 2:
        raise RuntimeError(f"diagonal: expected a tensor with at least 2 dims, got shape {tuple(x.shape)}")
    d1, d2 = dim1 % x.ndim, dim2 % x.ndim
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rest = [d for d in range(x.ndim) if d not in (d1, d2)]
    moved = x.permute(*rest, d1, d2)  # the two dims last, so one pair of index arrays picks the diagonal
    n, m = moved.shape[-2:]
    count = max(0, min(n + min(offset, 0), m - max(offset, 0)))
    rows = np.arange(count) - min(offset, 0)
    return moved[Ellipsis, rows, rows + offset]


_diagonal_of = diagonal  # diag's argument is named `diagonal`, as in PyTorch, and hides the function


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor becomes a square matrix with it on the ``diagonal``; a 2-D tensor gives its diagonal."""
    if x.ndim == 2:
        return _diagonal_of(x, diagonal)
    if x.ndim != 1:
        raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {tuple(x.shape)}")
    n = x.shape[0] + abs(diagonal)
    rows = np.arange(x.shape[0]) + max(-diagonal, 0)
    return index.IndexAdd.apply(x, index=(rows, rows + diagonal), shape=(n, n))  # zeros, with x placed on the diagonal


def trace(x: Tensor) -> Tensor:
    """The sum of the main diagonal of a 2-D tensor."""
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, got shape {tuple(x.shape)}")
    return diagonal(x).sum()
