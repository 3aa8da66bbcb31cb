"""numba conv2d for any stride: patches in a per-thread buffer, multiplied on the gemm micro-kernel.

Stride-1 convolutions (all of LeNet and VGG-small) take the faster whole-plane path in ``_conv_s1``; this
module serves strided ones and a negative effective padding. Every output pixel's receptive field is
copied into a row of ``patches`` (C*kh*kw numbers, "im2row"), and ``y = w @ patches.T`` runs on the
register-blocked dot-product kernel. The patches of one block of output pixels stay in L2; nothing of size
N*C*kh*kw*Ho*Wo is ever allocated. Each parallel task owns a range of images and its own buffer, so tasks
never write to the same memory.

The input gradient is itself a convolution (of the dilated, padded output gradient with the flipped,
transposed weight); the dispatcher prepares those arrays and calls a forward kernel.
"""

import numpy as np
from numba import njit, prange

from ._fused import epilogue
from ._gemm import FAST, gemm_nt_block, zeros

PIXELS_PER_BLOCK = 256  # output pixels per patch block: 256 x (C*kh*kw) numbers stay in L2


@njit(nogil=True, cache=True)
def _im2row(x, patches, p0, p1, wo, kh, kw, sh, sw, ph, pw):
    """patches[p - p0, (c*kh + di)*kw + dj] = x[c, i*sh + di - ph, j*sw + dj - pw] (0 outside x)."""
    C, H, W = x.shape
    for p in range(p0, p1):
        i = p // wo
        j = p - i * wo
        row = patches[p - p0]
        c0 = j * sw - pw
        for c in range(C):
            for di in range(kh):
                r = i * sh + di - ph
                base = (c * kh + di) * kw
                if r < 0 or r >= H:
                    for dj in range(kw):
                        row[base + dj] = 0
                elif c0 >= 0 and c0 + kw <= W:
                    xr = x[c, r]
                    for dj in range(kw):
                        row[base + dj] = xr[c0 + dj]
                else:
                    for dj in range(kw):
                        col = c0 + dj
                        row[base + dj] = x[c, r, col] if 0 <= col < W else 0


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def conv_forward(x, w2, b, has_bias, relu, y, kh, kw, sh, sw, ph, pw, tasks):
    """y (N,O,Ho,Wo) = conv(x (N,C,H,W), w2 (O, Kp)) [+ b] [then ReLU].

    w2 is the weight flattened to (O, C*kh*kw) and zero-padded to Kp columns (a multiple of 16), so the
    dot products run on whole vectors; the padding columns of ``patches`` stay zero.
    """
    N = x.shape[0]
    O, Kp = w2.shape
    Ho, Wo = y.shape[2], y.shape[3]
    P = Ho * Wo
    zero = y.dtype.type(0)  # not a plain 0: numba would compare in int64/float64
    PB = min(P, PIXELS_PER_BLOCK)
    for t in prange(tasks):
        patches = zeros((PB, Kp), x)
        for n in range(t * N // tasks, (t + 1) * N // tasks):
            yn = y[n].reshape((O, P))
            for p0 in range(0, P, PB):
                p1 = min(P, p0 + PB)
                _im2row(x[n], patches, p0, p1, Wo, kh, kw, sh, sw, ph, pw)
                # C[o, p - p0] viewed through yn's columns: compute into yn[:, p0:p1]
                gemm_nt_block(w2, patches, yn[:, p0:p1], 0, O, 0, p1 - p0, 0, 0, Kp, False)
                if has_bias or relu:
                    for o in range(O):
                        bo = b[o] if has_bias else zero
                        for p in range(p0, p1):
                            yn[o, p] = epilogue(yn[o, p], bo, relu, zero)
    return y


@njit(nogil=True, cache=True)
def _im2col(x, cols, p0, p1, wo, kh, kw, sh, sw, ph, pw):
    """cols[(c*kh + di)*kw + dj, p - p0] = x[c, i*sh + di - ph, j*sw + dj - pw] (0 outside x)."""
    C, H, W = x.shape
    for c in range(C):
        for di in range(kh):
            for dj in range(kw):
                out = cols[(c * kh + di) * kw + dj]
                for p in range(p0, p1):
                    i = p // wo
                    r = i * sh + di - ph
                    col = (p - i * wo) * sw + dj - pw
                    out[p - p0] = x[c, r, col] if (0 <= r < H and 0 <= col < W) else 0


@njit(parallel=True, nogil=True, fastmath=FAST, cache=True)
def conv_backward_weight(gy, x, partial, kh, kw, sh, sw, ph, pw):
    """partial[t] (O, C*kh*kw) += sum over task t's images and pixels of gy[n, o, p] * patch[n, p, k].

    Each task sums its images into its own (zeroed) partial gradient; the caller adds the partials up.
    """
    N, O, Ho, Wo = gy.shape
    tasks, _, K = partial.shape
    P = Ho * Wo
    PB = min(P, PIXELS_PER_BLOCK)
    for t in prange(tasks):
        cols = np.empty((K, PB), dtype=x.dtype)
        for n in range(t * N // tasks, (t + 1) * N // tasks):
            gyn = gy[n].reshape((O, P))
            for p0 in range(0, P, PB):
                p1 = min(P, p0 + PB)
                _im2col(x[n], cols, p0, p1, Wo, kh, kw, sh, sw, ph, pw)
                gemm_nt_block(gyn, cols, partial[t], 0, O, 0, K, p0, 0, p1 - p0, True)
    return partial
