"""Sorting and searching: sort, argsort, topk, unique, bincount, nonzero.

Only ``sort`` and ``topk`` values carry a gradient: each value is an element of the input picked by its index,
so the backward is gather's (the gradient goes back to the position it was taken from). Indices, counts and
positions are integers and carry none.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import index  # sibling op modules are imported whole


def _dim(x: Tensor, dim: int, op: str) -> int:
    nd = max(x.ndim, 1)
    if not -nd <= dim < nd:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of shape {tuple(x.shape)}")
    return dim % nd


def _argsort(a: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """A stable argsort: equal elements keep their order, in both directions. NaN counts as the largest."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    # Sort the reversed array ascending and read it backwards: largest first, and among equal elements the
    # one that came first in the input still comes first (negating would break for bools and unsigned ints).
    n = a.shape[dim]
    up = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return n - 1 - np.flip(up, dim)


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``x`` along ``dim``. autolab always sorts stably (a valid unstable sort, too)."""
    if x.ndim == 0:
        return Tensor._wrap(np.zeros((), np.int64))
    return Tensor._wrap(_argsort(x._data, _dim(x, dim, "argsort"), descending).astype(np.int64))


class Sort(index.GatherAlong):
    """The values of a sort: a gather with the sorting indices (PyTorch names the node SortBackward0)."""


SortResult = namedtuple("sort", ["values", "indices"])


def sort(x: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> SortResult:
    """``(values, indices)`` of ``x`` sorted along ``dim``; ``values`` is differentiable."""
    if x.ndim == 0:
        return SortResult(x.clone(), Tensor._wrap(np.zeros((), np.int64)))
    d = _dim(x, dim, "sort")
    idx = _argsort(x._data, d, descending).astype(np.int64)
    return SortResult(Sort.apply(x, index=idx, dim=d), Tensor._wrap(idx))


class Topk(index.GatherAlong):
    """The values of a topk: a gather with the indices of the k largest (or smallest)."""


TopkResult = namedtuple("topk", ["values", "indices"])


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices, largest first."""
    d = _dim(x, dim, "topk")
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) is out of range for dimension {dim} of size {n} (shape {tuple(x.shape)})")
    if x.ndim == 0:
        return TopkResult(x.clone(), Tensor._wrap(np.zeros((), np.int64)))
    idx = _argsort(x._data, d, descending=largest).astype(np.int64)
    idx = np.ascontiguousarray(np.take(idx, np.arange(k), axis=d))
    return TopkResult(Topk.apply(x, index=idx, dim=d), Tensor._wrap(idx))


def unique(
    x: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct elements of ``x`` (flattened), in increasing order; optionally, for each element of ``x``
    the position of its value in the result (``return_inverse``) and how often each value occurs."""
    if dim is not None:
        raise NotImplementedError("unique(dim=...): autolab finds unique elements only, not unique slices")
    values, inverse, counts = np.unique(x._data, return_inverse=True, return_counts=True)
    out = [Tensor._wrap(values)]
    if return_inverse:
        out.append(Tensor._wrap(inverse.reshape(x.shape).astype(np.int64)))
    if return_counts:
        out.append(Tensor._wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, 2, ... occurs in the 1-D non-negative integer tensor ``x`` (or the sum of
    ``weights`` at its occurrences)."""
    a = x._data
    if a.ndim != 1 or a.dtype.kind not in "iub":
        raise RuntimeError(
            f"bincount only supports 1-d non-negative integral inputs, got shape {a.shape} dtype {x.dtype}"
        )
    if a.size and a.min() < 0:
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs; the smallest value is {a.min()}")
    if weights is None:
        return Tensor._wrap(np.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.shape != a.shape:
        raise RuntimeError(f"bincount: weights of shape {w.shape} should have the input's shape {a.shape}")
    # PyTorch keeps float32 and float64 weights' dtype, and counts other weights in float64
    dt = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return Tensor._wrap(np.bincount(a, weights=w, minlength=minlength).astype(dt))


def nonzero(x: Tensor, *, as_tuple: bool = False) -> Any:
    """The positions of the non-zero elements: a (count, ndim) int64 tensor, one row per element, or with
    ``as_tuple=True`` one 1-D tensor per dim (ready to index with: ``x[x.nonzero(as_tuple=True)]``)."""
    a = x._data
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
    return Tensor._wrap(np.argwhere(a).astype(np.int64))  # (count, ndim); a 0-d input gives (1, 0) or (0, 0)


def argwhere(x: Tensor) -> Tensor:
    return nonzero(x)


def count_nonzero(x: Tensor, dim: Any = None) -> Tensor:
    return Tensor._wrap(np.asarray(np.count_nonzero(x._data, axis=dim), dtype=np.int64))
