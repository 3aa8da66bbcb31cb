"""The shared-memory tiled matrix product ``out[b] = a[b] @ b[b]`` for a batch of matrices.

A naive kernel gives each thread one output element and lets it read a whole row of ``a`` and column of ``b``
from global memory: every input element is read ``n`` (or ``m``) times, and the GPU waits on memory.

Tiling: a block of ``TILE x TILE`` threads computes one ``TILE x TILE`` tile of the output. It walks along
``k`` in steps of ``TILE``; at each step every thread loads *one* element of ``a``'s tile and one of ``b``'s
into shared memory (fast, per block), the block waits at ``cuda.syncthreads()`` until the tiles are complete,
then each thread does ``TILE`` multiply-adds from shared memory, and the block waits again before the next
tiles overwrite these. Each global element is now read ``n / TILE`` times instead of ``n``.

Threads outside the matrix (its edges are rarely multiples of ``TILE``) load zeros and write nothing, but
they still reach every barrier: a ``syncthreads()`` that some threads of a block skip is a deadlock (the
simulator reports it). A block loops over output tiles (``blockIdx`` strided by the grid size, as the other
kernels' grid-stride loops), so any grid computes the whole product.

Operands are read through strides, so a transposed view (``w.T`` in a linear layer's forward) costs no copy.

Under numba's simulator a barrier costs milliseconds (every simulated thread is a Python thread that must
stop and restart), so there ``matmul_into`` runs ``matmul_simple`` instead: one thread per output element, a
plain dot product, no shared memory and no barrier. ``KERNEL`` says which; tests/cuda checks the tiled kernel
directly on small shapes, and ``last_path["matmul"]`` names the one that ran.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import cuda

from . import launch, simulator

TILE = 8 if simulator() else 16  # threads per block = TILE^2; the simulator runs each as a Python thread


def _make(dtype: np.dtype):
    nb_type = numba.from_dtype(dtype)  # shared arrays need their dtype when the kernel is compiled

    @cuda.jit
    def matmul_tiled(a, a_off, a_sb, a_sm, a_sk, b, b_off, b_sb, b_sk, b_sn, out, m, n, k, batch, zero):
        ta = cuda.shared.array((TILE, TILE), dtype=nb_type)
        tb = cuda.shared.array((TILE, TILE), dtype=nb_type)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y  # tx: column in the tile, ty: row
        tiles_m, tiles_n = (m + TILE - 1) // TILE, (n + TILE - 1) // TILE
        for z in range(cuda.blockIdx.z, batch, cuda.gridDim.z):
            for ti in range(cuda.blockIdx.y, tiles_m, cuda.gridDim.y):
                for tj in range(cuda.blockIdx.x, tiles_n, cuda.gridDim.x):
                    row, col = ti * TILE + ty, tj * TILE + tx
                    acc = zero
                    for t0 in range(0, k, TILE):
                        # each thread loads one element of each tile (zero outside the matrices)
                        ka, kb = t0 + tx, t0 + ty
                        ta[ty, tx] = a[a_off + z * a_sb + row * a_sm + ka * a_sk] if row < m and ka < k else 0
                        tb[ty, tx] = b[b_off + z * b_sb + kb * b_sk + col * b_sn] if kb < k and col < n else 0
                        cuda.syncthreads()  # the tiles are complete
                        for j in range(TILE):
                            acc += ta[ty, j] * tb[j, tx]
                        cuda.syncthreads()  # everyone is done with these tiles before they are overwritten
                    if row < m and col < n:
                        out[(z * m + row) * n + col] = acc

    return matmul_tiled


_kernels: dict = {}


@cuda.jit
def matmul_simple(a, a_off, a_sb, a_sm, a_sk, b, b_off, b_sb, b_sk, b_sn, out, m, n, k, batch, zero):
    for t in range(cuda.grid(1), batch * m * n, cuda.gridsize(1)):
        z, rest = t // (m * n), t % (m * n)
        row, col = rest // n, rest % n
        acc = zero
        pa, pb = a_off + z * a_sb + row * a_sm, b_off + z * b_sb + col * b_sn
        for j in range(k):
            acc += a[pa + j * a_sk] * b[pb + j * b_sk]
        out[t] = acc


KERNEL = "simple" if simulator() else "tiled"


def matmul_into(
    a, b, out, batch: int, m: int, n: int, k: int, a_strides: tuple, b_strides: tuple, kernel: str | None = None
) -> str:
    """``out`` (flat, contiguous ``(batch, m, n)``) = ``a @ b``; ``a`` is ``(buf, offset)`` read with strides
    ``(batch, row, k)``, ``b`` with ``(batch, k, column)``. ``kernel``: "tiled" or "simple" (default
    ``KERNEL``). Returns the kernel's name."""
    kernel = kernel or KERNEL
    zero = np.dtype(out.dtype).type(0)
    if kernel == "simple":
        if m * n * batch:
            blocks, threads = launch(batch * m * n)
            matmul_simple[blocks, threads](a[0], a[1], *a_strides, b[0], b[1], *b_strides, out, m, n, k, batch, zero)
        return kernel
    tiles_m, tiles_n = -(-m // TILE), -(-n // TILE)
    most = 2 if simulator() else 65535
    grid = (min(tiles_n, most), min(tiles_m, most), min(batch, 1 if simulator() else 65535))
    if m * n * batch == 0:
        return kernel
    dt = np.dtype(out.dtype)
    if dt not in _kernels:
        _kernels[dt] = _make(dt)
    _kernels[dt][grid, (TILE, TILE)](a[0], a[1], *a_strides, b[0], b[1], *b_strides, out, m, n, k, batch, zero)
    return kernel
