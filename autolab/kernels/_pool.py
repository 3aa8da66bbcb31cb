"""numba pooling kernels: one parallel task per (image, channel) plane, so no two tasks touch one plane.

Max pooling matches PyTorch's CPU kernel exactly: the window's first maximum wins, a NaN wins over
numbers (the last NaN, as PyTorch's ``val > max || isnan(val)`` gives), and the index starts at the
window's first in-bounds element (what PyTorch reports for an all -inf window).
"""

import numpy as np
from numba import njit, prange


@njit(parallel=True, nogil=True, cache=True)
def max_forward(x, y, argmax, kh, kw, sh, sw, ph, pw):
    N, C, H, W = x.shape
    Ho, Wo = y.shape[2], y.shape[3]
    fast = kh == 2 and kw == 2 and sh == 2 and sw == 2 and ph == 0 and pw == 0
    for t in prange(N * C):
        n, c = t // C, t % C
        plane = x[n, c]
        if fast:  # the usual 2x2 pooling: the four reads unrolled, no bounds to compute
            for i in range(Ho):
                for j in range(Wo):
                    r, q = 2 * i, 2 * j
                    a, b, e, d = plane[r, q], plane[r, q + 1], plane[r + 1, q], plane[r + 1, q + 1]
                    # selects, not branches: on real activations each comparison is a coin toss, and
                    # mispredicted branches made this loop 4x slower. b != b is True for NaN.
                    best, k = a, 0
                    u = (b > best) | (b != b)
                    best, k = (b, 1) if u else (best, k)
                    u = (e > best) | (e != e)
                    best, k = (e, 2) if u else (best, k)
                    u = (d > best) | (d != d)
                    best, k = (d, 3) if u else (best, k)
                    y[n, c, i, j] = best
                    argmax[n, c, i, j] = (r + k // 2) * W + q + k % 2
            continue
        for i in range(Ho):
            r0 = i * sh - ph
            ra, rb = max(r0, 0), min(r0 + kh, H)
            for j in range(Wo):
                c0 = j * sw - pw
                ca, cb = max(c0, 0), min(c0 + kw, W)
                best = -np.inf
                idx = ra * W + ca
                for r in range(ra, rb):
                    for q in range(ca, cb):
                        v = plane[r, q]
                        if v > best or v != v:  # v != v: NaN
                            best = v
                            idx = r * W + q
                y[n, c, i, j] = best
                argmax[n, c, i, j] = idx
    return y, argmax


@njit(parallel=True, nogil=True, cache=True)
def max_backward(gy, argmax, gx):
    """gx (zeroed, (N, C, H*W)) += gy at each output's argmax."""
    N, C, Ho, Wo = gy.shape
    for t in prange(N * C):
        n, c = t // C, t % C
        for i in range(Ho):
            for j in range(Wo):
                gx[n, c, argmax[n, c, i, j]] += gy[n, c, i, j]
    return gx


@njit(parallel=True, nogil=True, cache=True)
def avg_forward(x, y, kh, kw, sh, sw, ph, pw):
    """count_include_pad=True: the divisor is always kh*kw."""
    N, C, H, W = x.shape
    Ho, Wo = y.shape[2], y.shape[3]
    scale = 1.0 / (kh * kw)
    for t in prange(N * C):
        n, c = t // C, t % C
        plane = x[n, c]
        for i in range(Ho):
            r0 = i * sh - ph
            for j in range(Wo):
                c0 = j * sw - pw
                s = y.dtype.type(0)
                for r in range(max(r0, 0), min(r0 + kh, H)):
                    for q in range(max(c0, 0), min(c0 + kw, W)):
                        s += plane[r, q]
                y[n, c, i, j] = s * scale
    return y


@njit(parallel=True, nogil=True, cache=True)
def avg_backward(gy, gx, kh, kw, sh, sw, ph, pw):
    """gx (zeroed) += gy / (kh*kw) over each output's window."""
    N, C, Ho, Wo = gy.shape
    H, W = gx.shape[2], gx.shape[3]
    scale = 1.0 / (kh * kw)
    for t in prange(N * C):
        n, c = t // C, t % C
        for i in range(Ho):
            r0 = i * sh - ph
            for j in range(Wo):
                c0 = j * sw - pw
                g = gy[n, c, i, j] * scale
                for r in range(max(r0, 0), min(r0 + kh, H)):
                    for q in range(max(c0, 0), min(c0 + kw, W)):
                        gx[n, c, r, q] += g
    return gx
