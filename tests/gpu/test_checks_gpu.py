"""Notebook 10's checks: the model kernels pass, and typical wrong kernels get the hint that names the bug."""

from __future__ import annotations

import numpy as np

from .conftest import SIMULATOR_ON, sim

if SIMULATOR_ON:  # a module global: the simulator swaps the `cuda` a kernel sees for its own, in its globals
    from numba import cuda

pytestmark = sim

TILE, THREADS = 4, 8


def kernels():
    @cuda.jit
    def saxpy(a, x, y, out):
        for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            out[i] = a * x[i] + y[i]

    @cuda.jit
    def saxpy_no_loop(a, x, y, out):  # one element per thread: wrong when the grid is small
        i = cuda.grid(1)
        if i < out.size:
            out[i] = a * x[i] + y[i]

    @cuda.jit
    def saxpy_no_bounds(a, x, y, out):  # wrong when the grid is large
        i = cuda.grid(1)
        out[i] = a * x[i] + y[i]

    @cuda.jit
    def block_sum(x, partial):
        s = cuda.shared.array(THREADS, dtype=np.float32)
        t, i = cuda.threadIdx.x, cuda.grid(1)
        s[t] = x[i] if i < x.size else 0
        cuda.syncthreads()
        step = THREADS // 2
        while step > 0:
            if t < step:
                s[t] += s[t + step]
            cuda.syncthreads()
            step //= 2
        if t == 0:
            partial[cuda.blockIdx.x] = s[0]

    @cuda.jit
    def block_sum_first_half(x, partial):  # stops one halving early
        s = cuda.shared.array(THREADS, dtype=np.float32)
        t, i = cuda.threadIdx.x, cuda.grid(1)
        s[t] = x[i] if i < x.size else 0
        cuda.syncthreads()
        step = THREADS // 2
        while step > 1:
            if t < step:
                s[t] += s[t + step]
            cuda.syncthreads()
            step //= 2
        if t == 0:
            partial[cuda.blockIdx.x] = s[0]

    @cuda.jit
    def matmul_tiled(a, b, c):
        ta = cuda.shared.array((TILE, TILE), dtype=np.float32)
        tb = cuda.shared.array((TILE, TILE), dtype=np.float32)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        row, col = cuda.blockIdx.y * TILE + ty, cuda.blockIdx.x * TILE + tx
        m, k = a.shape
        n = b.shape[1]
        acc = 0.0
        for t0 in range(0, k, TILE):
            ta[ty, tx] = a[row, t0 + tx] if row < m and t0 + tx < k else 0
            tb[ty, tx] = b[t0 + ty, col] if t0 + ty < k and col < n else 0
            cuda.syncthreads()
            for j in range(TILE):
                acc += ta[ty, j] * tb[j, tx]
            cuda.syncthreads()
        if row < m and col < n:
            c[row, col] = acc

    @cuda.jit
    def matmul_no_edge(a, b, c):  # assumes every size is a multiple of TILE
        ta = cuda.shared.array((TILE, TILE), dtype=np.float32)
        tb = cuda.shared.array((TILE, TILE), dtype=np.float32)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        row, col = cuda.blockIdx.y * TILE + ty, cuda.blockIdx.x * TILE + tx
        acc = 0.0
        for t0 in range(0, a.shape[1], TILE):
            ta[ty, tx] = a[row, t0 + tx]
            tb[ty, tx] = b[t0 + ty, col]
            cuda.syncthreads()
            for j in range(TILE):
                acc += ta[ty, j] * tb[j, tx]
            cuda.syncthreads()
        c[row, col] = acc

    return locals()


def test_model_kernels_pass_visible_and_hidden(capsys):
    from autolab.course import checks

    k = kernels()
    for seed in (None, 7):
        assert checks.saxpy(k["saxpy"], seed=seed)
        assert checks.block_sum(k["block_sum"], THREADS, seed=seed)
        assert checks.tiled_matmul(k["matmul_tiled"], TILE, seed=seed)
    assert capsys.readouterr().out.count("✓") == 6


def test_wrong_kernels_get_the_hint(capsys):
    from autolab.course import checks

    k = kernels()
    assert not checks.saxpy(k["saxpy_no_loop"])
    assert "never written" in capsys.readouterr().out
    assert not checks.saxpy(k["saxpy_no_bounds"])
    assert "past the end" in capsys.readouterr().out
    assert not checks.block_sum(k["block_sum_first_half"], THREADS)
    assert "syncthreads" in capsys.readouterr().out
    assert not checks.tiled_matmul(k["matmul_no_edge"], TILE)
    assert "past the end" in capsys.readouterr().out


def test_trace_widget_records_who_wrote_what():
    import widgets.threads as threads

    k = kernels()
    x, y, out = np.arange(10, dtype=np.float32), np.ones(10, np.float32), np.zeros(10, np.float32)
    t = threads.trace(k["saxpy"], 2, 2, np.float32(2.0), x, y, out, names=["a", "x", "y", "out"])
    np.testing.assert_array_equal(out, 2 * x + 1)  # results copied back, as a launch does
    np.testing.assert_array_equal(t.owners("out"), np.arange(10) % 4)  # grid-stride: thread i writes i, i+4, ...
    np.testing.assert_array_equal(t.owners("out", by="block"), (np.arange(10) % 4) // 2)
    np.testing.assert_array_equal(t.steps("x", threads=2), [[0, 4, 8], [1, 5, 9]])
    assert bytes(threads.thread_map(t, "out").value)[:4] == b"\x89PNG"
