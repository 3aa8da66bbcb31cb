"""The seam's pooling and fused steps: the numba path of each (see seam.py for what ``@seam`` does first)."""

from __future__ import annotations

import numpy as np

from . import reference as ref
from .reference import output_size
from .seam import c_contiguous as _c
from .seam import numba_kernels as _nb
from .seam import seam


@seam(ref.max_pool2d_forward)
def max_pool2d_forward(x, kernel, stride, padding):
    """-> (y, argmax): argmax is the int64 flat index into H*W of each output's input pixel."""
    N, C, H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    shape = (N, C, output_size(H, kh, sh, ph), output_size(W, kw, sw, pw))
    y, argmax = np.empty(shape, x.dtype), np.empty(shape, np.int64)
    return _nb().pool.max_forward(x, y, argmax, kh, kw, sh, sw, ph, pw)


@seam(ref.max_pool2d_backward)
def max_pool2d_backward(gy, argmax, x_shape):
    N, C, H, W = x_shape
    gx = np.zeros((N, C, H * W), gy.dtype)
    argmax = _c(argmax).astype(np.int64, copy=False)
    return _nb().pool.max_backward(gy, argmax, gx).reshape(x_shape)


@seam(ref.avg_pool2d_forward)
def avg_pool2d_forward(x, kernel, stride, padding):
    """count_include_pad=True, like PyTorch's default."""
    N, C, H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    y = np.empty((N, C, output_size(H, kh, sh, ph), output_size(W, kw, sw, pw)), x.dtype)
    return _nb().pool.avg_forward(x, y, kh, kw, sh, sw, ph, pw)


@seam(ref.avg_pool2d_backward)
def avg_pool2d_backward(gy, x_shape, kernel, stride, padding):
    gx = np.zeros(x_shape, gy.dtype)
    return _nb().pool.avg_backward(gy, gx, *kernel, *stride, *padding)


@seam(ref.bias_relu_forward, arrays=2, fast_if=lambda x, b=None: x.ndim >= 2)
def bias_relu_forward(x, b=None):
    """max(x + b, 0), b (C,) broadcast over x (N, C, ...): one pass instead of two."""
    x3 = x.reshape(x.shape[0], x.shape[1], -1)
    bb = np.zeros(x.shape[1], x.dtype) if b is None else b
    return _nb().fused.bias_relu(x3, bb, np.empty_like(x3)).reshape(x.shape)


@seam(ref.relu_backward, arrays=2)
def relu_backward(gy, y):
    """gy where the ReLU's output y > 0, else 0."""
    flat = gy.reshape(-1)
    return _nb().fused.relu_backward(flat, y.reshape(-1), np.empty_like(flat)).reshape(gy.shape)


@seam(ref.softmax_cross_entropy_forward, fast_if=lambda logits, target: logits.ndim == 2)
def softmax_cross_entropy_forward(logits, target):
    """logits (N, K), target int64 (N,) -> (losses (N,), probs (N, K)); reduce the losses in the op."""
    target = _c(np.asarray(target, np.int64))
    if target.shape != logits.shape[:1] or target.min() < 0 or target.max() >= logits.shape[1]:
        raise IndexError(f"target must hold class indices in [0, {logits.shape[1]}) for each row")
    N, K = logits.shape
    losses, probs = np.empty(N, logits.dtype), np.empty((N, K), logits.dtype)
    return _nb().fused.softmax_xent_forward(logits, target, losses, probs)


@seam(ref.softmax_cross_entropy_backward)
def softmax_cross_entropy_backward(probs, target, gloss):
    """(probs - onehot(target)) * gloss[:, None]; for reduction='mean' pass gloss = full(N, g / N)."""
    target = _c(np.asarray(target, np.int64))
    gloss = _c(np.broadcast_to(np.asarray(gloss, probs.dtype), probs.shape[:1]))
    return _nb().fused.softmax_xent_backward(probs, target, gloss, np.empty_like(probs))
