"""numba conv2d for stride 1 (LeNet, VGG): shifted whole-plane multiply-adds, no patch matrix.

With stride 1 and the input zero-padded to (Hp, Wp), output pixel (i, j) under kernel tap (di, dj) reads
input element ``(i + di) * Wp + (j + dj)`` of the flattened plane. So if the output is computed with the
padded width Wp (the last kw-1 columns of each row are junk that is dropped at the end), every tap is ONE
contiguous multiply-add over the whole plane:

    acc[o, 0:Ho*Wp] += w[o, c, di, dj] * xp[c, di*Wp + dj : di*Wp + dj + Ho*Wp]

These are long, contiguous loops that vectorize fully, whatever the image size. The junk columns cost
(Wp - Wo) / Wo extra work (14% for LeNet's conv1, 40% for its conv2), far less than building patches.

The weight gradient is the same trick read the other way: one long dot product per (o, c, di, dj), four
by four in registers. The input gradient is a stride-1 convolution of the padded output gradient with the
flipped weight, so it reuses ``forward``; the dispatcher prepares the weight.
"""

import numpy as np
from numba import njit, prange

from ._gemm import FAST


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


@njit(nogil=True, fastmath=FAST, cache=True)
def _plane_taps(xp, w, acc, O, C, kh, kw, Wp, L):
    """acc[o, :L] += sum over (c, di, dj) of w[o, c, di, dj] * xp[c, di*Wp + dj :][:L]."""
    o = 0
    while o + 4 <= O:
        a0, a1, a2, a3 = acc[o], acc[o + 1], acc[o + 2], acc[o + 3]
        for c in range(C):
            for di in range(kh):
                for dj in range(kw):
                    xr = xp[c, di * Wp + dj : di * Wp + dj + L]
                    w0, w1, w2, w3 = w[o, c, di, dj], w[o + 1, c, di, dj], w[o + 2, c, di, dj], w[o + 3, c, di, dj]
                    for p in range(L):
                        v = xr[p]
                        a0[p] += w0 * v
                        a1[p] += w1 * v
                        a2[p] += w2 * v
                        a3[p] += w3 * v
        o += 4
    while o < O:
        a0 = acc[o]
        for c in range(C):
            for di in range(kh):
                for dj in range(kw):
                    xr = xp[c, di * Wp + dj : di * Wp + dj + L]
                    w0 = w[o, c, di, dj]
                    for p in range(L):
                        a0[p] += w0 * xr[p]
        o += 1


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def forward(x, w, b, has_bias, relu, y, ph, pw, tasks):
    """y (N,O,Ho,Wo) = conv(x, w) with stride 1 and padding (ph, pw) [+ b] [then ReLU]."""
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    Ho, Wo = y.shape[2], y.shape[3]
    Hp, Wp = H + 2 * ph, W + 2 * pw
    L = Ho * Wp
    for t in prange(tasks):
        # kw slack: the last tap of the last row reads kw-1 elements past the plane (junk columns)
        xp = np.zeros((C, Hp * Wp + kw), dtype=x.dtype)
        acc = np.empty((O, L), dtype=x.dtype)
        for n in range(t * N // tasks, (t + 1) * N // tasks):
            _pad_planes(x[n], xp, ph, pw, Hp, Wp)
            acc[:] = 0
            _plane_taps(xp, w, acc, O, C, kh, kw, Wp, L)
            for o in range(O):
                bo = b[o] if has_bias else y.dtype.type(0)
                for i in range(Ho):
                    for j in range(Wo):
                        v = acc[o, i * Wp + j] + bo
                        y[n, o, i, j] = max(v, 0) if relu else v
    return y


@njit(nogil=True, fastmath=FAST, cache=True)
def _dots(g, xp, gw, O, C, kh, kw, Wp, L):
    """gw[o, c, di, dj] += dot(g[o, :L], xp[c, di*Wp + dj :][:L]), in 4x4 register blocks over (o, tap)."""
    T = kh * kw
    for c in range(C):
        o = 0
        while o < O:
            on = min(4, O - o)
            g0 = g[o]
            g1 = g[o + 1] if on > 1 else g0
            g2 = g[o + 2] if on > 2 else g0
            g3 = g[o + 3] if on > 3 else g0
            t = 0
            while t < T:
                tn = min(4, T - t)
                s0 = (t // kw) * Wp + t % kw
                t1, t2, t3 = t + min(1, tn - 1), t + min(2, tn - 1), t + min(3, tn - 1)
                s1 = (t1 // kw) * Wp + t1 % kw
                s2 = (t2 // kw) * Wp + t2 % kw
                s3 = (t3 // kw) * Wp + t3 % kw
                x0 = xp[c, s0 : s0 + L]
                x1 = xp[c, s1 : s1 + L]
                x2 = xp[c, s2 : s2 + L]
                x3 = xp[c, s3 : s3 + L]
                zero = gw.dtype.type(0)
                c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = zero
                c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = zero
                for p in range(L):
                    a0, a1, a2, a3 = g0[p], g1[p], g2[p], g3[p]
                    b0, b1, b2, b3 = x0[p], x1[p], x2[p], x3[p]
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
                for r in range(on):
                    for q in range(tn):
                        tt = t + q
                        gw[o + r, c, tt // kw, tt % kw] += res[r * 4 + q]
                t += 4
            o += 4


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def backward_weight(gy, x, gw, ph, pw, tasks):
    """gw (O,C,kh,kw) of a stride-1 conv; each task sums its images into a private partial gradient."""
    N, C, H, W = x.shape
    O, _, kh, kw = gw.shape
    Ho, Wo = gy.shape[2], gy.shape[3]
    Hp, Wp = H + 2 * ph, W + 2 * pw
    L = Ho * Wp
    partial = np.zeros((tasks, O, C, kh, kw), dtype=gw.dtype)
    for t in prange(tasks):
        xp = np.zeros((C, Hp * Wp + kw), dtype=x.dtype)
        g = np.zeros((O, L), dtype=gy.dtype)  # junk columns stay 0, so they add nothing
        for n in range(t * N // tasks, (t + 1) * N // tasks):
            _pad_planes(x[n], xp, ph, pw, Hp, Wp)
            for o in range(O):
                for i in range(Ho):
                    for j in range(Wo):
                        g[o, i * Wp + j] = gy[n, o, i, j]
            _dots(g, xp, partial[t], O, C, kh, kw, Wp, L)
    gw[:] = partial[0]
    for t in range(1, tasks):
        gw += partial[t]
    return gw
