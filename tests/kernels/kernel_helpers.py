"""Shared helpers for the kernel tests: non-contiguous copies, tolerances by dtype.

A module of its own (not conftest.py): `from conftest import ...` picks whichever conftest pytest imported first."""

import numpy as np


def tol(dtype):
    """(rtol, atol) for comparing a kernel's result with a float64 oracle."""
    return (1e-4, 1e-4) if np.dtype(dtype) == np.float32 else (1e-10, 1e-10)


def maybe_strided(a, strided):
    """The same values as ``a`` in a non-contiguous array (a view every other element of a bigger one)."""
    if not strided:
        return a
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    big[..., ::2] = a
    view = big[..., ::2]
    assert not view.flags.c_contiguous or a.shape[-1] <= 1
    return view
