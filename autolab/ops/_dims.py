"""Checking a ``dim`` argument the way PyTorch does: Python's ``dim % ndim`` alone would accept any integer."""

from __future__ import annotations


def wrap_dim(dim: int, ndim: int) -> int:
    """``dim`` in [-ndim, ndim) as 0 <= dim < ndim (a 0-d tensor has one dim here, as in PyTorch); else PyTorch's
    IndexError."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n
