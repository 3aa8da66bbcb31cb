"""numba matrix multiply: one register-blocked micro-kernel that every heavy kernel in this package reuses.

The micro-kernel computes ``C[i, j] (+)= sum_k A[i, ka + k] * B[j, kb + k]``: both operands are read along
rows ("A times B transposed"), so the inner loop over k is a plain dot product that LLVM turns into AVX
FMAs. A 4x4 block of C lives in 16 scalar accumulators, so each k step loads 8 numbers for 16 FMAs.
``fastmath`` only allows reassociation of these sums (the k loop is summed in vector lanes): the result
differs from a sequential sum by rounding only, well within float32/float64 tolerances.

Measured at 1024^3 float32 on the 2-core EPYC: about 180 GFLOP/s, against about 190 for numpy's OpenBLAS.
"""

import numpy as np
from numba import njit, prange

from ._stack import stack_array_4, stack_array_4x32, stack_array_8, stack_array_8x16

# reassociation and contraction (FMA) only: no assumptions about NaN/Inf
FAST = {"reassoc", "contract"}
ROWS_PER_TASK = 16  # rows of C per parallel task: small enough to load-balance, big enough to amortize


@njit(nogil=True, fastmath=FAST, cache=True)
def gemm_nt_block(A, B, C, i0, i1, j0, j1, ka, kb, n, acc):
    """C[i0:i1, j0:j1] (+)= A[i0:i1, ka:ka+n] @ B[j0:j1, kb:kb+n].T, serially (call it from a prange).

    Edge blocks re-read the last valid row or column instead of having their own loops (and only store
    the valid part): one copy of the inner loop keeps both the code and its compile time small.
    """
    zero = A.dtype.type(0)
    for i in range(i0, i1, 4):
        ra0 = A[i, ka : ka + n]
        ra1 = A[min(i + 1, i1 - 1), ka : ka + n]
        ra2 = A[min(i + 2, i1 - 1), ka : ka + n]
        ra3 = A[min(i + 3, i1 - 1), ka : ka + n]
        for j in range(j0, j1, 4):
            rb0 = B[j, kb : kb + n]
            rb1 = B[min(j + 1, j1 - 1), kb : kb + n]
            rb2 = B[min(j + 2, j1 - 1), kb : kb + n]
            rb3 = B[min(j + 3, j1 - 1), kb : kb + n]
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = zero
            c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = zero
            for k in range(n):
                a0, a1, a2, a3 = ra0[k], ra1[k], ra2[k], ra3[k]
                b0, b1, b2, b3 = rb0[k], rb1[k], rb2[k], rb3[k]
                c00 += a0 * b0
                c01 += a0 * b1
                c02 += a0 * b2
                c03 += a0 * b3
                c10 += a1 * b0
                c11 += a1 * b1
                c12 += a1 * b2
                c13 += a1 * b3
                c20 += a2 * b0
                c21 += a2 * b1
                c22 += a2 * b2
                c23 += a2 * b3
                c30 += a3 * b0
                c31 += a3 * b1
                c32 += a3 * b2
                c33 += a3 * b3
            res = (c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33)
            for r in range(min(4, i1 - i)):
                for q in range(min(4, j1 - j)):
                    if acc:
                        C[i + r, j + q] += res[4 * r + q]
                    else:
                        C[i + r, j + q] = res[4 * r + q]


@njit(nogil=True, cache=True)
def zeros(shape, like):
    """np.zeros for use inside a prange body: in a serial function, so numba's parfor pass does not turn
    the fill into a nested parallel loop (each one costs seconds of compile time)."""
    return np.zeros(shape, dtype=like.dtype)


@njit(nogil=True, cache=True)
def fill_zero(a):
    a[...] = 0


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def bmm_nt(A, B, C):
    """C[b] = A[b] @ B[b].T for 3-D C-contiguous arrays: A (na, M, K), B (nb, N, K), C (nc, M, N).

    A batch of 1 in A or B is broadcast over C's batch.

    The parallel tasks are (batch, block of ROWS_PER_TASK rows) pairs, so both one big matrix and many
    small ones keep both cores busy.
    """
    na, M, K = A.shape
    nb, N = B.shape[0], B.shape[1]
    nc = C.shape[0]
    blocks = (M + ROWS_PER_TASK - 1) // ROWS_PER_TASK
    for t in prange(nc * blocks):
        b = t // blocks
        i0 = (t % blocks) * ROWS_PER_TASK
        i1 = min(M, i0 + ROWS_PER_TASK)
        gemm_nt_block(A[b % na], B[b % nb], C[b], i0, i1, 0, N, 0, 0, K, False)


@njit(parallel=True, nogil=True, cache=True)
def transpose_last2(B, out):
    """out[b] = B[b].T for 3-D arrays, in 32x32 tiles so that reads and writes both stay in cache."""
    nb, R, Q = B.shape
    tr = (R + 31) // 32
    tq = (Q + 31) // 32
    for t in prange(nb * tr * tq):
        b = t // (tr * tq)
        r0 = ((t // tq) % tr) * 32
        q0 = (t % tq) * 32
        for r in range(r0, min(R, r0 + 32)):
            for q in range(q0, min(Q, q0 + 32)):
                out[b, q, r] = B[b, r, q]


@njit(nogil=True, fastmath=FAST, cache=True)
def gemm_offsets(a, aoffs, b, boffs, acc, c0, L, cw, accumulate):
    """acc[i, c0 + p] (+)= sum over k of a[aoffs[i] + k] * b[boffs[k] + p] for p < L, storing only
    columns below cw: a matrix product whose operands' rows start at offsets into flat arrays.

    With offsets i*K and k*N this is a plain matrix product; with the offsets of a convolution's kernel
    taps, the rows are the overlapping shifted planes of a padded image and no patch matrix is built
    (``_conv_s1``); with 32k into packed panels it is ``gemm_nn``.

    Register-blocked: a 4 x 32 block of acc (four output rows, 32 positions = 8 AVX-512 registers)
    stays in registers (see _stack.py) while the loop runs over all k; each k costs two vector loads of
    b and four broadcast numbers of a for eight vector FMAs. Rows past the last repeat it and are not
    stored; L is a multiple of 32, and b must be readable up to boffs[k] + L.
    """
    O, K = aoffs.shape[0], boffs.shape[0]
    buf = stack_array_4x32(acc)
    av = stack_array_4(acc)
    for o0 in range(0, O, 4):
        r0 = np.uint64(aoffs[o0])
        r1 = np.uint64(aoffs[min(o0 + 1, O - 1)])
        r2 = np.uint64(aoffs[min(o0 + 2, O - 1)])
        r3 = np.uint64(aoffs[min(o0 + 3, O - 1)])
        for p0 in range(0, L, 32):
            q1 = min(32, cw - c0 - p0)  # columns of this block that exist in acc
            for r in range(4):
                for q in range(32):
                    buf[r, q] = 0
            if accumulate:
                for r in range(min(4, O - o0)):
                    for q in range(q1):
                        buf[r, q] = acc[o0 + r, c0 + p0 + q]
            for k in range(K):
                s = np.uint64(boffs[k] + p0)  # unsigned: no negative-index wraparound in the loads
                uk = np.uint64(k)
                av[0] = a[r0 + uk]
                av[1] = a[r1 + uk]
                av[2] = a[r2 + uk]
                av[3] = a[r3 + uk]
                for q in range(32):
                    v = b[s + np.uint64(q)]
                    for r in range(4):
                        buf[r, q] += av[r] * v
            for r in range(min(4, O - o0)):
                if q1 == 32:  # a whole block: a fixed trip count, stored as vectors
                    for q in range(32):
                        acc[o0 + r, c0 + p0 + q] = buf[r, q]
                else:
                    for q in range(q1):
                        acc[o0 + r, c0 + p0 + q] = buf[r, q]


@njit(nogil=True, fastmath=FAST, cache=True)
def gemm_offsets16(a, aoffs, b, boffs, acc, accumulate):
    """``gemm_offsets`` for an acc whose width is a multiple of 16 instead of 32 (16 output channels of a
    LeNet layer): an 8 x 16 block (eight rows of one AVX-512 vector) stays in registers over all k."""
    O, K, L = aoffs.shape[0], boffs.shape[0], acc.shape[1]
    buf = stack_array_8x16(acc)
    av = stack_array_8(acc)
    ro = stack_array_8(aoffs)
    for o0 in range(0, O, 8):
        for r in range(8):
            ro[r] = aoffs[min(o0 + r, O - 1)]
        for p0 in range(0, L, 16):
            for r in range(8):
                for q in range(16):
                    buf[r, q] = acc[min(o0 + r, O - 1), p0 + q] if accumulate else 0
            for k in range(K):
                s = np.uint64(boffs[k] + p0)  # unsigned: no negative-index wraparound in the loads
                for r in range(8):
                    av[r] = a[np.uint64(ro[r] + k)]
                for q in range(16):
                    v = b[s + np.uint64(q)]
                    for r in range(8):
                        buf[r, q] += av[r] * v
            for r in range(min(8, O - o0)):
                for q in range(16):
                    acc[o0 + r, p0 + q] = buf[r, q]


@njit(parallel=True, nogil=True, cache=True)
def pack_panels(B, Bp):
    """Bp[p, k*32 + q] = B[k, 32p + q] (0 past N): B's columns in 32-wide panels, each one contiguous.

    Parallel over blocks of 16 rows of B, which stay in L1 while they are dealt out to the panels.
    """
    K, N = B.shape
    P = Bp.shape[0]
    for kb in prange((K + 15) // 16):
        for p in range(P):
            j0 = p * 32
            w = min(32, N - j0)
            for k in range(kb * 16, min(K, kb * 16 + 16)):
                dst = Bp[p, k * 32 : k * 32 + 32]
                src = B[k, j0 : j0 + w]
                if w == 32:
                    for q in range(32):
                        dst[q] = src[q]
                else:
                    for q in range(w):
                        dst[q] = src[q]
                    for q in range(w, 32):
                        dst[q] = 0


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def gemm_nn(A, Bp, C, rows_per_task):
    """C (M, N) = A (M, K) @ B, with B already packed into 32-column panels by ``pack_panels``.

    This is ``gemm_offsets`` again: row k of a panel starts at offset 32k, so the same 4x32 register
    block broadcasts A's entries against whole vectors of B, and nothing is transposed. Each parallel task
    owns ``rows_per_task`` rows of A (chosen so that they stay in L2) and sweeps every panel over them.
    """
    M, K = A.shape
    N = C.shape[1]
    a = A.reshape(M * K)
    offs = np.arange(K) * 32
    tasks = (M + rows_per_task - 1) // rows_per_task
    for t in prange(tasks):
        i0 = t * rows_per_task
        i1 = min(M, i0 + rows_per_task)
        rows = np.arange(i0, i1) * K
        for p in range(Bp.shape[0]):
            gemm_offsets(a, rows, Bp[p], offs, C[i0:i1], p * 32, 32, N, False)
