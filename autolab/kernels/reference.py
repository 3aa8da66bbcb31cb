"""Plain numpy reference implementations of every kernel in the seam.

These are the definitions: short, readable, and obviously correct. The numba kernels in this package are
tested against them (and against PyTorch). They are also a valid (if slower) implementation that
``autolab.kernels`` can fall back to.

All arrays are NCHW; ``stride``, ``padding`` and ``kernel`` are ``(int, int)`` tuples. Outputs keep the
dtype of the inputs.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """The output height (or width) of a conv or pool: pad both sides, count how often the kernel fits."""
    return (size + 2 * padding - kernel) // stride + 1


def _pad(x: np.ndarray, padding: tuple[int, int], value: float = 0.0) -> np.ndarray:
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _windows(xp: np.ndarray, kernel, stride, out_hw) -> np.ndarray:
    """View of shape (N, C, Ho, Wo, kh, kw): the input patch under every output pixel."""
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_hw
    v = sliding_window_view(xp, (kh, kw), axis=(2, 3))
    return v[:, :, : (ho - 1) * sh + 1 : sh, : (wo - 1) * sw + 1 : sw]


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numpy matmul semantics (2-D and batched, with broadcasting)."""
    return np.matmul(a, b)


def conv2d_forward(x, w, b, stride, padding):
    """Cross-correlation, like ``torch.nn.functional.conv2d``: x (N,C,H,W), w (O,C,kh,kw) -> (N,O,Ho,Wo)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho = output_size(h, kh, stride[0], padding[0])
    wo = output_size(wd, kw, stride[1], padding[1])
    win = _windows(_pad(x, padding), (kh, kw), stride, (ho, wo))
    y = np.tensordot(win, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, Ho, Wo, O)
    y = np.ascontiguousarray(y.transpose(0, 3, 1, 2))
    if b is not None:
        y += b.reshape(1, o, 1, 1)
    return y


def conv2d_backward_input(gy, w, x_shape, stride, padding):
    """Gradient of conv2d_forward with respect to x: each kernel tap scatters gy back through w."""
    n, c, h, wd = x_shape
    _, _, ho, wo = gy.shape
    _, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    gxp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=gy.dtype)
    for i in range(kh):
        for j in range(kw):
            contrib = np.einsum("nohw,oc->nchw", gy, w[:, :, i, j])
            gxp[:, :, i : i + (ho - 1) * sh + 1 : sh, j : j + (wo - 1) * sw + 1 : sw] += contrib
    return np.ascontiguousarray(gxp[:, :, ph : ph + h, pw : pw + wd])


def conv2d_backward_weight(gy, x, w_shape, stride, padding):
    """Gradient of conv2d_forward with respect to w: correlate gy with the shifted input."""
    o, c, kh, kw = w_shape
    _, _, ho, wo = gy.shape
    (sh, sw) = stride
    xp = _pad(x, padding)
    gw = np.empty((o, c, kh, kw), dtype=gy.dtype)
    for i in range(kh):
        for j in range(kw):
            xs = xp[:, :, i : i + (ho - 1) * sh + 1 : sh, j : j + (wo - 1) * sw + 1 : sw]
            gw[:, :, i, j] = np.einsum("nohw,nchw->oc", gy, xs)
    return gw


def max_pool2d_forward(x, kernel, stride, padding):
    """Max pooling; also returns argmax: the int64 flat index into H*W of the chosen input pixel.

    As PyTorch's CPU kernel: ties go to the first element of the window in row-major order, a NaN wins over
    any number (the window's last NaN), and a window of -inf reports its first in-bounds element (padding,
    -inf too, never wins).
    """
    n, c, h, wd = x.shape
    kh, kw = kernel
    ho = output_size(h, kh, stride[0], padding[0])
    wo = output_size(wd, kw, stride[1], padding[1])
    win = _windows(_pad(x, padding, -np.inf), kernel, stride, (ho, wo)).reshape(n, c, ho, wo, kh * kw)
    k = np.argmax(win, axis=-1)  # the first maximum, or the first NaN
    y = np.take_along_axis(win, k[..., None], axis=-1)[..., 0]
    if np.isnan(y).any():  # the output is small to check: only then look for each window's last NaN
        nan = np.isnan(win)
        k = np.where(nan.any(axis=-1), kh * kw - 1 - np.argmax(nan[..., ::-1], axis=-1), k)
    # window-local (di, dj) -> row and column in the unpadded input
    r0, c0 = np.arange(ho)[:, None] * stride[0] - padding[0], np.arange(wo)[None, :] * stride[1] - padding[1]
    rows, cols = r0 + k // kw, c0 + k % kw
    if any(padding) and np.isneginf(y).any():  # a window of -inf may have been "won" by the padding
        outside = (rows < 0) | (rows >= h) | (cols < 0) | (cols >= wd)
        rows, cols = np.where(outside, np.maximum(r0, 0), rows), np.where(outside, np.maximum(c0, 0), cols)
    return np.ascontiguousarray(y), (rows * wd + cols).astype(np.int64)


def max_pool2d_backward(gy, argmax, x_shape):
    """Route each output gradient to the input pixel that won the max (summing where windows overlap)."""
    n, c, h, w = x_shape
    gx = np.zeros((n * c, h * w), dtype=gy.dtype)
    rows = np.repeat(np.arange(n * c), gy.shape[2] * gy.shape[3])
    np.add.at(gx, (rows, argmax.reshape(-1)), gy.reshape(-1))
    return gx.reshape(x_shape)


def avg_pool2d_forward(x, kernel, stride, padding):
    """Average pooling with count_include_pad=True: every window divides by kh*kw."""
    kh, kw = kernel
    ho = output_size(x.shape[2], kh, stride[0], padding[0])
    wo = output_size(x.shape[3], kw, stride[1], padding[1])
    win = _windows(_pad(x, padding), kernel, stride, (ho, wo))
    return np.ascontiguousarray(win.sum(axis=(4, 5)) / (kh * kw)).astype(x.dtype, copy=False)


def avg_pool2d_backward(gy, x_shape, kernel, stride, padding):
    """Spread each output gradient evenly over its window, then drop the padding."""
    n, c, h, w = x_shape
    kh, kw = kernel
    (sh, sw), (ph, pw) = stride, padding
    _, _, ho, wo = gy.shape
    gxp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=gy.dtype)
    g = gy / (kh * kw)
    for i in range(kh):
        for j in range(kw):
            gxp[:, :, i : i + (ho - 1) * sh + 1 : sh, j : j + (wo - 1) * sw + 1 : sw] += g
    return np.ascontiguousarray(gxp[:, :, ph : ph + h, pw : pw + w])


# fused steps (extra seam functions; see docs/architecture.md)


def bias_relu_forward(x, b=None):
    """max(x + b, 0) with b (C,) broadcast over x (N, C, ...)."""
    if b is not None:
        x = x + b.reshape((1, -1) + (1,) * (x.ndim - 2))
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def relu_backward(gy, y):
    """Gradient of ReLU given its output y: 0 where y <= 0, else gy (a NaN output passes gy, as in PyTorch)."""
    return np.where(y <= 0, 0, gy).astype(gy.dtype, copy=False)


def softmax_cross_entropy_forward(logits, target):
    """Per-row cross-entropy of softmax(logits) (N, K) with int64 class indices (N,): (losses, probs)."""
    m = logits.max(axis=1, keepdims=True)
    e = np.exp(logits - m)
    s = e.sum(axis=1, keepdims=True)
    losses = (np.log(s) + m)[:, 0] - logits[np.arange(len(target)), target]
    return losses.astype(logits.dtype, copy=False), (e / s).astype(logits.dtype, copy=False)


def softmax_cross_entropy_backward(probs, target, gloss):
    """Gradient with respect to the logits: (probs - onehot(target)) * gloss[:, None]."""
    g = probs.copy()
    g[np.arange(len(target)), target] -= 1
    return (g * np.reshape(gloss, (-1, 1))).astype(probs.dtype, copy=False)  # gloss: (N,) or one number
