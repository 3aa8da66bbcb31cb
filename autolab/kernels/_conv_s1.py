"""numba conv2d for stride 1 (LeNet, VGG): shifted whole-plane multiply-adds, no patch matrix.

With stride 1 and the input zero-padded to (Hp, Wp), output pixel (i, j) under kernel tap (di, dj) reads
input element ``(i + di) * Wp + (j + dj)`` of the flattened plane. So if the output is computed with the
padded width Wp (the last kw-1 columns of each row are junk that is dropped at the end), every tap is ONE
contiguous multiply-add over the whole plane:

    acc[o, 0:Ho*Wp] += w[o, c, di, dj] * xp[c, di*Wp + dj : di*Wp + dj + Ho*Wp]

i.e. ``acc = w @ X`` where the rows of X are offsets into one flat array; ``_gemm.gemm_offsets`` runs it
with a 4x32 block of acc held in registers across all taps. No patch matrix is built. The junk columns
cost (Wp - Wo) / Wo extra work (14% for LeNet's conv1, 40% for its conv2).

The weight gradient is the same trick read the other way. For layers with a multiple of 16 output channels
(``backward_weight_wide``) the kernel taps become the rows: input pixels are broadcast straight from the
padded planes against vectors of output channels, on ``gemm_offsets`` (or its 16-wide twin). For narrower
layers (LeNet conv1, 6 channels, whose vectors would be mostly idle) ``backward_weight`` takes one long dot
product per (o, c, di, dj) on the dot-product kernel of ``_gemm``, after copying the shifted planes into rows.
The input gradient is a stride-1 convolution of the padded output gradient with the flipped weight, so it
reuses ``forward``; the dispatcher prepares the weight.
"""

import numpy as np
from numba import njit, prange

from ._fused import epilogue
from ._gemm import FAST, gemm_nt_block, gemm_offsets, gemm_offsets16, zeros

VEC = 32  # plane lengths (a multiple of the micro-kernel's 32 positions) are rounded up to this: no scalar remainder loops after the vector loops


@njit(nogil=True, cache=True)
def _round_up(n):
    return (n + VEC - 1) // VEC * VEC


@njit(nogil=True, cache=True)
def _pad_planes(x, xp, ph, pw, Hp, Wp):
    """Copy x (C, H, W) into the zeroed flat planes xp (C, >= Hp*Wp) at offset (ph, pw)."""
    C, H, W = x.shape
    for c in range(C):
        for r in range(H):
            dst = (r + ph) * Wp + pw
            xr = x[c, r]
            for q in range(W):
                xp[c, dst + q] = xr[q]


@njit(nogil=True, cache=True)
def _tap_offsets(C, kh, kw, PS, Wp):
    """Where kernel tap (c, di, dj) starts reading the flat padded planes (plane stride PS, row stride Wp)."""
    offs = np.empty(C * kh * kw, np.int64)
    for c in range(C):
        for di in range(kh):
            for dj in range(kw):
                offs[(c * kh + di) * kw + dj] = c * PS + di * Wp + dj
    return offs


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def forward(x, w, b, has_bias, relu, y, ph, pw, tasks):
    """y (N,O,Ho,Wo) = conv(x, w) with stride 1 and padding (ph, pw) [+ b] [then ReLU]."""
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    Ho, Wo = y.shape[2], y.shape[3]
    Hp, Wp = H + 2 * ph, W + 2 * pw
    zero = y.dtype.type(0)  # not a plain 0: numba would compare in int64/float64
    L = _round_up(Ho * Wp)
    # slack after each plane: the last taps read up to kw-1 (junk columns) + VEC (rounding) past it
    PS = Hp * Wp + kw + VEC
    offs = _tap_offsets(C, kh, kw, PS, Wp)
    K = C * kh * kw
    wflat = w.reshape(O * K)
    rows = np.arange(O) * K
    for t in prange(tasks):
        xp = zeros((C, PS), x)
        acc = np.empty((O, L), dtype=x.dtype)
        for n in range(t * N // tasks, (t + 1) * N // tasks):
            _pad_planes(x[n], xp, ph, pw, Hp, Wp)
            gemm_offsets(wflat, rows, xp.reshape(C * PS), offs, acc, 0, L, L, False)
            for o in range(O):
                bo = b[o] if has_bias else zero
                for i in range(Ho):
                    for j in range(Wo):
                        y[n, o, i, j] = epilogue(acc[o, i * Wp + j], bo, relu, zero)
    return y


@njit(nogil=True, cache=True)
def _shift_rows(xp, shifted, C, kh, kw, Wp, L):
    """shifted[(c*kh + di)*kw + dj, :L] = xp[c, di*Wp + dj :][:L]: the plane seen by each kernel tap."""
    for c in range(C):
        for di in range(kh):
            for dj in range(kw):
                src = xp[c, di * Wp + dj : di * Wp + dj + L]
                dst = shifted[(c * kh + di) * kw + dj]
                for p in range(L):
                    dst[p] = src[p]


@njit(nogil=True, cache=True)
def _grad_geometry(x, gy, ph, pw):
    """(kh, kw, Hp, Wp, L) of a stride-1 conv, from its input, its output gradient and the padding."""
    H, W = x.shape[2], x.shape[3]
    Ho, Wo = gy.shape[2], gy.shape[3]
    Wp = W + 2 * pw
    return H + 2 * ph - Ho + 1, W + 2 * pw - Wo + 1, H + 2 * ph, Wp, _round_up(Ho * Wp)


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def backward_weight(gy, x, partial, ph, pw):
    """partial[t] (O, C*kh*kw) += weight gradient of a stride-1 conv over task t's images.

    Dot products of gy's rows with the shifted input planes. Each task sums its images into its own
    (zeroed) partial gradient; the caller adds the partials up.
    """
    N, C = x.shape[0], x.shape[1]
    tasks, O, K = partial.shape
    Ho, Wo = gy.shape[2], gy.shape[3]
    kh, kw, Hp, Wp, L = _grad_geometry(x, gy, ph, pw)
    for t in prange(tasks):
        xp = zeros((C, Hp * Wp + kw + VEC), x)
        g = zeros((O, L), gy)  # junk columns stay 0, so they add nothing
        shifted = np.empty((K, L), dtype=x.dtype)
        for n in range(t * N // tasks, (t + 1) * N // tasks):
            _pad_planes(x[n], xp, ph, pw, Hp, Wp)
            for o in range(O):
                for i in range(Ho):
                    for j in range(Wo):
                        g[o, i * Wp + j] = gy[n, o, i, j]
            _shift_rows(xp, shifted, C, kh, kw, Wp, L)
            gemm_nt_block(g, shifted, partial[t], 0, O, 0, K, 0, 0, L, True)
    return partial


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def backward_weight_wide(gy, x, partial, ph, pw):
    """partial[t] (C*kh*kw, O) += the transposed weight gradient of a stride-1 conv, for O a multiple of 16.

    The forward trick with the roles swapped: output row = kernel tap, reduction over plane positions,
    gwT[tap, o] = sum_p xp[offs[tap] + p] * gT[p, o], where gT is the output gradient of one image laid
    out position-major (junk columns zero). So ``gemm_offsets`` broadcasts input pixels straight from the
    padded planes against vectors of 32 (or 16) output channels: no shifted copies, no dot-product reductions.
    """
    N, C = x.shape[0], x.shape[1]
    tasks, K, O = partial.shape
    Ho, Wo = gy.shape[2], gy.shape[3]
    kh, kw, Hp, Wp, L = _grad_geometry(x, gy, ph, pw)
    PS = Hp * Wp + kw + VEC
    offs = _tap_offsets(C, kh, kw, PS, Wp)
    rows = np.arange(L) * O
    for t in prange(tasks):
        xp = zeros((C, PS), x)
        gT = zeros((L, O), gy)  # junk columns and the rounding tail stay 0, so they add nothing
        for n in range(t * N // tasks, (t + 1) * N // tasks):
            _pad_planes(x[n], xp, ph, pw, Hp, Wp)
            for i in range(Ho):
                for j in range(Wo):
                    for o in range(O):
                        gT[i * Wp + j, o] = gy[n, o, i, j]
            if O % 32 == 0:
                gemm_offsets(xp.reshape(C * PS), offs, gT.reshape(L * O), rows, partial[t], 0, O, O, True)
            else:
                gemm_offsets16(xp.reshape(C * PS), offs, gT.reshape(L * O), rows, partial[t], True)
    return partial
