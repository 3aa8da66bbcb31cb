"""``autolab.linalg``: the norms of ``torch.linalg`` (vector and matrix), built from the engine's ops, and
``inv``, ``det``, ``slogdet``, ``solve`` (ops/solve.py).

Matrix norms that need singular values (ord=2, -2, "nuc") are not here: autolab has no SVD.
"""

from __future__ import annotations

from typing import Any

from . import ops
from .ops.solve import det, inv, slogdet, solve
from .tensor import Tensor

__all__ = ["vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve"]

_INF = float("inf")


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements by default); ord may be inf, -inf or 0."""
    return ops.norm(x, p=ord, dim=dim, keepdim=keepdim, dtype=dtype)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False) -> Tensor:
    """Frobenius norm, or the max absolute column sum (ord=1) / row sum (ord=inf) of the matrices in ``dim``."""
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: the input must have at least 2 dims, got shape {tuple(A.shape)}")
    rows, cols = (d % A.ndim for d in dim)
    if ord == "fro":
        return ops.norm(A, p="fro", dim=(rows, cols), keepdim=keepdim)
    if ord not in (1, -1, _INF, -_INF):
        raise NotImplementedError(f"linalg.matrix_norm(ord={ord!r}) needs singular values; autolab has no SVD")
    # ord 1 sums down each column (over the rows dim), ord inf along each row (over the cols dim)
    summed, across = (rows, cols) if ord in (1, -1) else (cols, rows)
    sums = ops.sum(ops.abs(A), dim=summed, keepdim=True)
    out = (ops.amax if ord > 0 else ops.amin)(sums, dim=across, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """A vector norm (1-D input, or an int ``dim``) or a matrix norm (2-D input, or a pair of dims).

    With neither ``ord`` nor ``dim``: the 2-norm of all elements, whatever the shape."""
    if dtype is not None:
        A = A.type(dtype)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim)
    if isinstance(dim, int) or (dim is None and A.ndim == 1):
        return vector_norm(A, ord, dim, keepdim)
    if dim is None and A.ndim != 2:
        raise RuntimeError(f"linalg.norm: with ord={ord!r} the input must be 1-D or 2-D, got shape {tuple(A.shape)}")
    return matrix_norm(A, ord, (-2, -1) if dim is None else tuple(dim), keepdim)
