"""Dispatch for pooling and the fused steps (see dispatch.py for the conventions)."""

from __future__ import annotations

import numpy as np

from . import reference as ref
from .dispatch import _c, _nb, _out, _use_numba, last_path


def max_pool2d_forward(x, kernel, stride, padding):
    """-> (y, argmax): argmax is the int64 flat index into H*W of each output's input pixel."""
    x = _c(x)
    if not _use_numba(x) or x.size == 0:
        last_path["max_pool2d_forward"] = "numpy"
        return ref.max_pool2d_forward(x, kernel, stride, padding)
    last_path["max_pool2d_forward"] = "numba"
    N, C, H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    shape = (N, C, _out(H, kh, sh, ph), _out(W, kw, sw, pw))
    y, argmax = np.empty(shape, x.dtype), np.empty(shape, np.int64)
    return _nb().pool.max_forward(x, y, argmax, kh, kw, sh, sw, ph, pw)


def max_pool2d_backward(gy, argmax, x_shape):
    gy, argmax = _c(gy), _c(argmax)
    if not _use_numba(gy) or gy.size == 0:
        last_path["max_pool2d_backward"] = "numpy"
        return ref.max_pool2d_backward(gy, argmax, x_shape)
    last_path["max_pool2d_backward"] = "numba"
    N, C, H, W = x_shape
    gx = np.zeros((N, C, H * W), gy.dtype)
    return _nb().pool.max_backward(gy, argmax.astype(np.int64, copy=False), gx).reshape(x_shape)


def avg_pool2d_forward(x, kernel, stride, padding):
    """count_include_pad=True, like PyTorch's default."""
    x = _c(x)
    if not _use_numba(x) or x.size == 0:
        last_path["avg_pool2d_forward"] = "numpy"
        return ref.avg_pool2d_forward(x, kernel, stride, padding)
    last_path["avg_pool2d_forward"] = "numba"
    N, C, H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    y = np.empty((N, C, _out(H, kh, sh, ph), _out(W, kw, sw, pw)), x.dtype)
    return _nb().pool.avg_forward(x, y, kh, kw, sh, sw, ph, pw)


def avg_pool2d_backward(gy, x_shape, kernel, stride, padding):
    gy = _c(gy)
    if not _use_numba(gy) or gy.size == 0:
        last_path["avg_pool2d_backward"] = "numpy"
        return ref.avg_pool2d_backward(gy, x_shape, kernel, stride, padding)
    last_path["avg_pool2d_backward"] = "numba"
    gx = np.zeros(x_shape, gy.dtype)
    return _nb().pool.avg_backward(gy, gx, *kernel, *stride, *padding)


def bias_relu_forward(x, b=None):
    """max(x + b, 0), b (C,) broadcast over x (N, C, ...): one pass instead of two."""
    x = _c(x)
    b = None if b is None else _c(b)
    if x.ndim < 2 or not _use_numba(x, *(() if b is None else (b,))) or x.size == 0:
        last_path["bias_relu_forward"] = "numpy"
        return ref.bias_relu_forward(x, b)
    last_path["bias_relu_forward"] = "numba"
    x3 = x.reshape(x.shape[0], x.shape[1], -1)
    bb = np.zeros(x.shape[1], x.dtype) if b is None else b
    return _nb().fused.bias_relu(x3, bb, np.empty_like(x3)).reshape(x.shape)


def relu_backward(gy, y):
    """gy where the ReLU's output y > 0, else 0."""
    gy, y = _c(gy), _c(y)
    if not _use_numba(gy, y) or gy.size == 0:
        last_path["relu_backward"] = "numpy"
        return ref.relu_backward(gy, y)
    last_path["relu_backward"] = "numba"
    flat = gy.reshape(-1)
    return _nb().fused.relu_backward(flat, y.reshape(-1), np.empty_like(flat)).reshape(gy.shape)


def softmax_cross_entropy_forward(logits, target):
    """logits (N, K), target int64 (N,) -> (losses (N,), probs (N, K)); reduce the losses in the op."""
    logits, target = _c(logits), _c(np.asarray(target, np.int64))
    if logits.ndim != 2 or not _use_numba(logits) or logits.size == 0:
        last_path["softmax_cross_entropy_forward"] = "numpy"
        return ref.softmax_cross_entropy_forward(logits, target)
    if target.shape != logits.shape[:1] or target.min() < 0 or target.max() >= logits.shape[1]:
        raise IndexError(f"target must hold class indices in [0, {logits.shape[1]}) for each row")
    last_path["softmax_cross_entropy_forward"] = "numba"
    N, K = logits.shape
    losses, probs = np.empty(N, logits.dtype), np.empty((N, K), logits.dtype)
    return _nb().fused.softmax_xent_forward(logits, target, losses, probs)


def softmax_cross_entropy_backward(probs, target, gloss):
    """(probs - onehot(target)) * gloss[:, None]; for reduction='mean' pass gloss = full(N, g / N)."""
    probs, target = _c(probs), _c(np.asarray(target, np.int64))
    gloss = _c(np.broadcast_to(np.asarray(gloss, probs.dtype), probs.shape[:1]))
    if not _use_numba(probs, gloss) or probs.size == 0:
        last_path["softmax_cross_entropy_backward"] = "numpy"
        return ref.softmax_cross_entropy_backward(probs, target, gloss)
    last_path["softmax_cross_entropy_backward"] = "numba"
    return _nb().fused.softmax_xent_backward(probs, target, gloss, np.empty_like(probs))
