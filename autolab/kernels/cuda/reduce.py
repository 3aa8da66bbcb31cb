"""Reductions along dimensions: sum, max, min, argmax, argmin.

The host moves the reduced dimensions last and makes the array contiguous, so the problem is always a matrix
``(rows, k)`` reduced along its rows: ``out[r] = x[r, 0] + x[r, 1] + ... + x[r, k-1]``. One thread per output
row (grid-stride over rows) walks its row from left to right.

That is the simplest correct reduction, and the right one when there are many rows (a bias gradient: one row
per channel). A single long row (the sum of a whole tensor) would leave all threads but one idle; the classic
cure is a *tree reduction* inside a block, where threads add pairs in shared memory and halve the active count
at each step (``cuda.syncthreads()`` between steps). Notebook 10 has you write that one.

NaN: a NaN in a row makes max/min NaN and argmax/argmin point at the first NaN, as numpy does.
"""

from __future__ import annotations

from numba import cuda

from . import launch


@cuda.jit
def sum_rows(x, out, rows, k, zero):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        acc = zero  # of the output's dtype (the host passes it: reading out[r] would read garbage)
        for j in range(k):
            acc += x[r * k + j]
        out[r] = acc


@cuda.jit
def max_rows(x, out, rows, k):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        best = x[r * k]
        for j in range(1, k):
            v = x[r * k + j]
            if best != best:  # NaN wins and stays
                break
            if v > best or v != v:
                best = v
        out[r] = best


@cuda.jit
def min_rows(x, out, rows, k):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        best = x[r * k]
        for j in range(1, k):
            v = x[r * k + j]
            if best != best:
                break
            if v < best or v != v:
                best = v
        out[r] = best


@cuda.jit
def argmax_rows(x, out, rows, k):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        best, at = x[r * k], 0
        for j in range(1, k):
            v = x[r * k + j]
            if best != best:
                break
            if v > best or v != v:
                best, at = v, j
        out[r] = at


@cuda.jit
def argmin_rows(x, out, rows, k):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        best, at = x[r * k], 0
        for j in range(1, k):
            v = x[r * k + j]
            if best != best:
                break
            if v < best or v != v:
                best, at = v, j
        out[r] = at


KERNELS = {"sum": sum_rows, "max": max_rows, "min": min_rows, "argmax": argmax_rows, "argmin": argmin_rows}


def reduce_rows(op: str, x, out, rows: int, k: int) -> None:
    """``out[r] = op(x[r, :])`` for a contiguous ``x`` of ``rows * k`` elements (flat buffers)."""
    if rows == 0:
        return
    blocks, threads = launch(rows)
    if op == "sum":
        sum_rows[blocks, threads](x, out, rows, k, out.dtype.type(0))
    else:
        KERNELS[op][blocks, threads](x, out, rows, k)
