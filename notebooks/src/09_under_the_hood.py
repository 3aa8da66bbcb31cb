# Source of notebooks/09_under_the_hood.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=intro
# # 9. Under the hood: fast kernels
#
# A training step of the CNN in notebook 7 is mostly two operations: matrix multiplication (the `Linear`
# layers) and convolution. This notebook builds both from a plain Python loop up to the kind of kernel autolab
# runs, with [numba](https://numba.pydata.org) compiling Python to machine code, and times every step live
# against numpy (OpenBLAS) and, if installed, PyTorch.
#
# **Learning goals.** After this notebook you can
# - explain why a Python loop is hundreds to thousands of times slower than compiled code, and what numba's
#   `@njit` changes;
# - explain why the *order* of the loops matters (memory access and caches), and what tiling adds;
# - use several cores with `prange`;
# - write a convolution two ways: directly as loops, and as *im2col* followed by one big matrix multiplication;
# - measure honestly: warm up (compile) first, repeat, take the median, and compare in the same process.

# %% id=setup locked
import time

import matplotlib.pyplot as plt
import numba
import numpy as np
from numba import njit, prange

import autolab
from autolab.course import FAST, checks, pick, set_language

set_language("en")

try:
    import torch as pytorch

    pytorch.set_num_threads(numba.config.NUMBA_NUM_THREADS)
except ImportError:
    pytorch = None
print("fast mode:", FAST, "| cores numba uses:", numba.config.NUMBA_NUM_THREADS, "| PyTorch:", pytorch is not None)

# %% [markdown] id=measuring
# ## Measuring
#
# The first call of a numba function compiles it (a second or more), so we call once before timing. Timings on a
# shared machine are noisy: repeat, and take the median.

# %% id=measuring-code
REPEAT = pick(3, 20)


def bench(fn, *args, repeat=REPEAT):
    """Median wall time of fn(*args) in seconds, after one warm-up call."""
    fn(*args)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def gflops(m, k, n, seconds):
    return 2 * m * k * n / seconds / 1e9  # one multiply and one add per (i, j, k)


# %% [markdown] id=the-naive-loop
# ## 1. The naive loop
#
# `C[i, j] = sum_k A[i, k] * B[k, j]`. In pure Python every `*` and `+` is a function call on boxed objects.


# %% id=the-naive-loop-code
def matmul_python(A, B):
    m, k = A.shape
    n = B.shape[1]
    C = np.zeros((m, n), dtype=A.dtype)
    for i in range(m):
        for j in range(n):
            acc = 0.0
            for p in range(k):
                acc += A[i, p] * B[p, j]
            C[i, j] = acc
    return C


rng = np.random.default_rng(0)
small = 32 if FAST else 64
A = rng.standard_normal((small, small)).astype(np.float32)
B = rng.standard_normal((small, small)).astype(np.float32)
assert np.allclose(matmul_python(A, B), A @ B, atol=1e-4)
t_py = bench(matmul_python, A, B, repeat=1)
t_np = bench(np.matmul, A, B)
print(f"{small}x{small}: Python {t_py * 1e3:.1f} ms, numpy {t_np * 1e6:.1f} µs -> numpy is {t_py / t_np:,.0f}x faster")

# %% [markdown] id=the-same-loop-compiled
# ## 2. The same loop, compiled
#
# `@njit` compiles the function for the argument types it sees: the loop becomes machine code on raw floats.

# %% id=the-same-loop-compiled-code
matmul_naive = njit(matmul_python)
N = pick(128, 512)
A = rng.standard_normal((N, N)).astype(np.float32)
B = rng.standard_normal((N, N)).astype(np.float32)
assert np.allclose(matmul_naive(A, B), A @ B, rtol=1e-3, atol=1e-3)
results = {"numba i-j-k": bench(matmul_naive, A, B)}
print(f"{N}^3 numba i-j-k: {gflops(N, N, N, results['numba i-j-k']):.1f} GFLOP/s")

# %% [markdown] id=loop-order
# ## 3. Loop order
#
# Arrays are stored row by row. In the i-j-k order the inner loop walks *down a column* of `B`: every step jumps
# a whole row ahead in memory, so nearly every load misses the cache. Reordering to i-k-j makes the inner loop
# walk *along a row* of both `B` and `C`, contiguous memory that the CPU can also process several floats at a
# time (SIMD).
#
# ### Your turn
# Write `matmul_ikj`: the same result, with the loops in the order i, k, j. (Tip: `C[i, j] += A[i, p] * B[p, j]`,
# and hoist `A[i, p]` out of the inner loop.)


# %% id=matmul-ikj solution
@njit
def matmul_ikj(A, B):
    ### BEGIN SOLUTION
    m, k = A.shape
    n = B.shape[1]
    C = np.zeros((m, n), dtype=A.dtype)
    for i in range(m):
        for p in range(k):
            a = A[i, p]
            for j in range(n):
                C[i, j] += a * B[p, j]
    return C
    ### END SOLUTION


# %% id=matmul-ikj-check test points=2
checks.matmul(matmul_ikj)
### BEGIN HIDDEN TESTS
checks.matmul(matmul_ikj, seed=7)
### END HIDDEN TESTS

# %% id=loop-order-code
if checks.passed(matmul_ikj):
    results["numba i-k-j"] = bench(matmul_ikj, A, B)
    print(f"i-k-j: {gflops(N, N, N, results['numba i-k-j']):.1f} GFLOP/s")

# %% [markdown] id=all-the-cores-prange
# ## 4. All the cores: `prange`
#
# Rows of `C` are independent, so different cores can compute different rows. `parallel=True` plus `prange`
# splits the outer loop across threads.


# %% id=all-the-cores-prange-code
@njit(parallel=True)
def matmul_parallel(A, B):
    m, k = A.shape
    n = B.shape[1]
    C = np.zeros((m, n), dtype=A.dtype)
    for i in prange(m):
        for p in range(k):
            a = A[i, p]
            for j in range(n):
                C[i, j] += a * B[p, j]
    return C


assert np.allclose(matmul_parallel(A, B), A @ B, rtol=1e-3, atol=1e-3)
results["numba parallel i-k-j"] = bench(matmul_parallel, A, B)
print(f"parallel: {gflops(N, N, N, results['numba parallel i-k-j']):.1f} GFLOP/s")

# %% [markdown] id=tiling
# ## 5. Tiling
#
# For large matrices a row of `B` no longer fits in the fastest cache, and it is reloaded for every row of `A`.
# A *tiled* kernel works on blocks: a `TI x TK` block of `A` times a `TK x TJ` block of `B`, small enough to stay
# in cache while it is reused. Each thread owns whole row-blocks of `C`, so no two threads write the same memory.

# %% id=tiling-code
TI, TK, TJ = 64, 128, 256


@njit(parallel=True)
def matmul_tiled(A, B):
    m, k = A.shape
    n = B.shape[1]
    C = np.zeros((m, n), dtype=A.dtype)
    for ib in prange((m + TI - 1) // TI):
        i0 = ib * TI
        i1 = min(i0 + TI, m)
        for p0 in range(0, k, TK):
            p1 = min(p0 + TK, k)
            for j0 in range(0, n, TJ):
                j1 = min(j0 + TJ, n)
                for i in range(i0, i1):
                    for p in range(p0, p1):
                        a = A[i, p]
                        for j in range(j0, j1):
                            C[i, j] += a * B[p, j]
    return C


assert np.allclose(matmul_tiled(A, B), A @ B, rtol=1e-3, atol=1e-3)
results["numba tiled parallel"] = bench(matmul_tiled, A, B)
results["autolab.kernels.matmul"] = bench(autolab.kernels.matmul, A, B)
results["numpy (OpenBLAS)"] = bench(np.matmul, A, B)
if pytorch is not None:
    tA, tB = pytorch.from_numpy(A), pytorch.from_numpy(B)
    results["PyTorch"] = bench(pytorch.matmul, tA, tB)


# %% id=tiling-code-2
def report(results, flops):
    names = list(results)
    rates = [flops / results[name] / 1e9 for name in names]
    for name, rate in zip(names, rates):
        print(f"{name:24s} {results[name] * 1e3:9.3f} ms  {rate:7.1f} GFLOP/s")
    plt.figure(figsize=(6, 0.4 * len(names) + 0.8))
    plt.barh(names, rates)
    plt.xlabel("GFLOP/s (higher is better)")
    plt.gca().invert_yaxis()
    plt.show()


print("autolab.kernels.matmul ran:", autolab.kernels.last_path.get("matmul"))
print(f"matmul {N}x{N} @ {N}x{N}, float32, median of {REPEAT}:")
report(results, 2 * N**3)

# %% [markdown] id=tiling-note
# What is left between the tiled kernel and OpenBLAS: keeping a small block of `C` in *registers* (not memory)
# across the `p` loop, packing `B` so that it is read contiguously, and SIMD instructions that process several
# floats at once. autolab's own kernel, in `autolab/kernels/_gemm.py`, does the first two. It first copies `B`
# into *panels* of 32 columns, each panel stored contiguously row after row (`pack_panels`); then a 4 x 32 block
# of `C` (four rows, 32 columns: eight AVX-512 registers) stays in registers while the loop runs over all of `k`
# (`gemm_offsets`): each `k` costs two contiguous vector loads from the panel, four numbers of `A`, and eight
# fused multiply-adds. numba's compiler (LLVM) turns those inner loops into the SIMD instructions. Above,
# `autolab.kernels.last_path` printed which implementation the call took.

# %% [markdown] id=convolution-directly
# ## 6. Convolution, directly
#
# A convolution layer computes, for every image `n`, output channel `o` and pixel `(y, x)`:
# `out[n, o, y, x] = b[o] + sum_{c, i, j} w[o, c, i, j] * x[n, c, y + i, x + j]` (stride 1, no padding).
# Written as loops, with the independent `(n, o)` pairs spread over the cores:


# %% id=convolution-directly-code
@njit(parallel=True)
def conv_direct(x, w):
    n_img, c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    ho, wo = h - kh + 1, wd - kw + 1
    out = np.zeros((n_img, c_out, ho, wo), dtype=x.dtype)
    for job in prange(n_img * c_out):
        n, o = job // c_out, job % c_out
        for c in range(c_in):
            for i in range(kh):
                for j in range(kw):
                    wv = w[o, c, i, j]
                    for yy in range(ho):
                        for xx in range(wo):
                            out[n, o, yy, xx] += wv * x[n, c, yy + i, xx + j]
    return out


# LeNet's second convolution: 6 -> 16 channels, 5x5 kernel, on 14x14 feature maps.
batch = pick(8, 64)
x = rng.standard_normal((batch, 6, 14, 14)).astype(np.float32)
w = rng.standard_normal((16, 6, 5, 5)).astype(np.float32)
reference = autolab.kernels.reference.conv2d_forward(x, w, None, (1, 1), (0, 0))
assert np.allclose(conv_direct(x, w), reference, rtol=1e-3, atol=1e-3)
print("direct convolution matches the reference:", reference.shape)

# %% [markdown] id=im2col
# ## 7. Convolution as one matrix multiplication: im2col
#
# Copy every 5x5x6 input patch into a column of a matrix `cols` of shape `(C*kh*kw, Ho*Wo)` per image. Then the
# whole convolution is `w.reshape(O, C*kh*kw) @ cols`: one large matmul, which we just learned to make fast.
# The price is memory: the patches overlap, so input pixels are copied many times over (how many, the question
# after this exercise asks).
#
# ### Your turn
# Write `im2col(x, kh, kw)` for `x` of shape `(N, C, H, W)`, stride 1, no padding, returning `(N, C*kh*kw, Ho*Wo)`.
# Row `(c, i, j)` (in that order, flattened) holds `x[:, c, i:i+Ho, j:j+Wo]`, flattened. Loop over `i` and `j`
# only; let numpy slicing do the rest.


# %% id=im2col-task solution
def im2col(x, kh, kw):
    ### BEGIN SOLUTION
    n, c, h, w = x.shape
    ho, wo = h - kh + 1, w - kw + 1
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i : i + ho, j : j + wo]
    return cols.reshape(n, c * kh * kw, ho * wo)
    ### END SOLUTION


# %% id=im2col-check test points=3
checks.im2col(im2col)
### BEGIN HIDDEN TESTS
checks.im2col(im2col, seed=7)
### END HIDDEN TESTS


# %% [markdown] id=im2col-copies-quiz
# ### Predict: how many copies?
#
# For a 5x5 kernel with stride 1, how many times does `im2col` copy an input pixel that is far from the image's
# borders? Make `im2col_copies_answer()` return the number.


# %% id=im2col-copies-answer solution
def im2col_copies_answer():
    ### BEGIN SOLUTION
    return 25
    ### END SOLUTION


# %% id=im2col-copies-check test points=1
checks.im2col_copies_quiz(im2col_copies_answer)

# %% [markdown] id=conv-im2col-task
# ### Your turn: the convolution as one matmul
#
# Write `conv_im2col(x, w, b)`: `x` is (N, C, H, W), `w` is (O, C, kh, kw), `b` is (O,); stride 1, no padding.
# Build the columns with `im2col` (yours, or the reference one below if yours is not done), multiply by the
# weights reshaped to `(O, C*kh*kw)`, add the bias to every pixel of its channel, and reshape to (N, O, Ho, Wo).


# %% id=conv-im2col-helper
def reference_im2col(x, kh, kw):
    n, c, h, w = x.shape
    ho, wo = h - kh + 1, w - kw + 1
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x[:, :, i : i + ho, j : j + wo]
    return cols.reshape(n, c * kh * kw, ho * wo)


patches = im2col if checks.passed(im2col) else reference_im2col


# %% id=conv-im2col solution
def conv_im2col(x, w, b):
    ### BEGIN SOLUTION
    o, c, kh, kw = w.shape
    n, _, h, wd = x.shape
    cols = patches(x, kh, kw)  # (N, C*kh*kw, Ho*Wo)
    out = w.reshape(o, -1) @ cols + b[:, None]  # (N, O, Ho*Wo): one matmul per image, batched
    return out.reshape(n, o, h - kh + 1, wd - kw + 1)
    ### END SOLUTION


# %% id=conv-im2col-check test points=2
checks.conv_im2col(conv_im2col)
### BEGIN HIDDEN TESTS
checks.conv_im2col(conv_im2col, seed=7)
### END HIDDEN TESTS

# %% id=im2col-code
zero_bias = np.zeros(w.shape[0], dtype=np.float32)
conv_results = {"numba direct": bench(conv_direct, x, w)}
if checks.passed(conv_im2col):
    conv_results["im2col + numpy matmul"] = bench(conv_im2col, x, w, zero_bias)
conv_results["numpy reference (autolab)"] = bench(autolab.kernels.reference.conv2d_forward, x, w, None, (1, 1), (0, 0))
conv_results["autolab.kernels"] = bench(autolab.kernels.conv2d_forward, x, w, None, (1, 1), (0, 0))
if pytorch is not None:
    tx, tw = pytorch.from_numpy(x), pytorch.from_numpy(w)
    conv_results["PyTorch"] = bench(pytorch.nn.functional.conv2d, tx, tw)

conv_flops = 2 * batch * 16 * 10 * 10 * 6 * 5 * 5
print("autolab.kernels.conv2d_forward ran:", autolab.kernels.last_path.get("conv2d_forward"))
print(f"conv2d forward, x {x.shape}, w {w.shape}, median of {REPEAT}:")
report(conv_results, conv_flops)

# %% [markdown] id=what-we-saw
# ## What we saw
#
# - The numbers above are measured in *this* run, on *this* machine: rerun the notebook and they move (by 2x or
#   more on a busy machine), which is why we take medians and compare within one run.
# - Small convolutions have little work per call, so overheads (allocating, copying patches, starting threads)
#   decide the speed as much as the arithmetic. That is why autolab's kernels pick an implementation per shape.
# - Two thread pools (numba's and OpenBLAS's) busy at once fight over the same cores. autolab runs its heavy
#   kernels on numba's pool and calls OpenBLAS only for products too small to wake its threads (see the
#   docstring of `autolab/kernels/__init__.py`).
#
# ## Summary
#
# - Compiled loops (numba `@njit`) remove the interpreter: hundreds to thousands of times faster than pure Python.
# - Loop order decides memory access: walk contiguous memory in the inner loop (i-k-j, not i-j-k).
# - `prange` spreads independent work over cores; tiling keeps the working set in cache.
# - A convolution is either a deep loop nest (direct) or im2col + one matmul: more memory, but the fastest matmul
#   does the work.
# - Benchmark honestly: warm up, repeat, median, same process.
#
# The engine you used throughout is short enough to read: start at `autolab/tensor.py` and
# `autolab/autograd/engine.py`, then `autolab/kernels/`. Next: **10. GPUs under the hood**, the same kernels
# written for thousands of threads, and **11. Parallel training**, one model trained by several processes.
