"""Checks for notebook 10 (GPUs under the hood): an elementwise kernel, a block reduction, a tiled matmul.

Each check launches the student's ``@cuda.jit`` kernel (under numba's CUDA simulator on a machine without a GPU)
on small arrays whose sizes are *not* multiples of the block size, with a grid that is too small as well as
one that is too large, so that a missing bounds test or grid-stride loop shows up. The simulator raises on an
out-of-bounds index, where a real GPU may silently read garbage.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Result, exercise, fail, ok, worst
from ._quiz import Number


def _unwrap(e: BaseException) -> BaseException:
    # the simulator re-raises a thread's exception wrapped with its (blockIdx, threadIdx): find the student's own
    while e.__cause__ is not None and not isinstance(e, NotImplementedError):
        e = e.__cause__
    return e


def _launch(kernel: Any, grid: Any, block: Any, *args: Any) -> None:
    try:
        kernel[grid, block](*args)
    except Exception as e:
        inner = _unwrap(e)
        if isinstance(inner, NotImplementedError) or "NotImplementedError" in str(e):
            raise NotImplementedError from None
        raise


@exercise
def saxpy(kernel: Any, seed: int | None = None) -> Result:
    """``kernel[grid, block](a, x, y, out)`` must compute ``out = a * x + y`` for any grid (grid-stride loop)."""
    rng = np.random.default_rng(21 if seed is None else seed)
    for n, grid, block in ((5, 3, 8), (37, 2, 4), (int(rng.integers(1, 60)), 1, 1)):
        x = rng.standard_normal(n).astype(np.float32)
        y = rng.standard_normal(n).astype(np.float32)
        out = np.zeros(n, np.float32)
        try:
            _launch(kernel, grid, block, np.float32(2.5), x, y, out)
        except IndexError as e:
            return fail(f"n={n} with {grid}x{block} threads: an index went past the end ({e}). Test `i < out.size`.")
        if not np.allclose(out, 2.5 * x + y, rtol=1e-5):
            missed = int(np.sum(out == 0))
            hint = " Some elements were never written: loop `for i in range(start, n, stride)`." if missed else ""
            return fail(f"n={n} with {grid} blocks of {block} threads: {worst(out, 2.5 * x + y)}.{hint}")
    return ok("saxpy is right for any grid: fewer threads than elements, and more.")


@exercise
def block_sum(kernel: Any, threads: int, seed: int | None = None) -> Result:
    """``kernel[blocks, threads](x, partial)``: ``partial[b]`` = the sum of block ``b``'s ``threads`` elements
    of ``x`` (zero past the end), with ``threads`` a power of two."""
    rng = np.random.default_rng(22 if seed is None else seed)
    for n in (3 * threads + 3, threads, int(rng.integers(1, 5 * threads))):
        x = rng.integers(-5, 6, n).astype(np.float32)
        blocks = -(-n // threads)
        partial = np.full(blocks, np.nan, np.float32)
        try:
            _launch(kernel, blocks, threads, x, partial)
        except IndexError as e:
            return fail(f"n={n}: an index went past the end ({e}). Threads past the end load 0.")
        want = np.add.reduceat(x, np.arange(0, n, threads))
        if not np.allclose(partial, want):
            return fail(
                f"n={n}, {blocks} blocks of {threads}: partial sums {partial.tolist()}, expected {want.tolist()}. "
                "Is there a cuda.syncthreads() after the load and after every halving step?"
            )
    return ok("block_sum is right: each block reduced its chunk in log2(threads) steps.")


@exercise
def tiled_matmul(kernel: Any, tile: int, seed: int | None = None) -> Result:
    """``kernel[(ceil(n/tile), ceil(m/tile)), (tile, tile)](a, b, c)`` must give ``c = a @ b``."""
    rng = np.random.default_rng(23 if seed is None else seed)
    sizes = [(5, 7, 3), (tile, tile, tile), (1, 2 * tile + 1, tile + 2)]
    if seed is not None:
        sizes = [tuple(int(v) for v in rng.integers(1, 3 * tile, 3))]
    for m, k, n in sizes:
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        c = np.zeros((m, n), np.float32)
        try:
            _launch(kernel, (-(-n // tile), -(-m // tile)), (tile, tile), a, b, c)
        except IndexError as e:
            return fail(f"({m}x{k}) @ ({k}x{n}): an index went past the end ({e}). Load 0 outside the matrices.")
        if not np.allclose(c, a @ b, rtol=1e-4, atol=1e-4):
            return fail(f"({m}x{k}) @ ({k}x{n}): {worst(c, a @ b)}. Check the edges, and both syncthreads().")
    return ok("your tiled matmul is right, edges included.")


@exercise
def grid_stride_quiz(answer: Any) -> Result:
    """A grid-stride loop over 1000 elements on 3 blocks of 128 threads: how many elements does thread 0 handle?"""
    return Number(
        right=3,
        rtol=0,
        atol=0.01,
        why=(
            "The grid has 3 x 128 = 384 threads, so thread 0 handles elements 0, 384 and 768; the next, 1152, is "
            "past the end. Threads 232 and up handle only 2: the work is as even as it can be."
        ),
        near_misses=(
            (8, "that is 1000 / 128: the stride is the whole grid (all blocks), cuda.gridsize(1), not one block."),
            (1, "one element per thread would need 1000 threads; the grid has fewer, so each thread loops."),
            (2.6, "a thread handles a whole number of elements: count 0, 384, 768, ... below 1000."),
        ),
    ).check(answer)
