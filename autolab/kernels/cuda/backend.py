"""The kernel seam's functions for ``CudaArray``s: what ``kernels.conv2d_forward(x, ...)`` runs when ``x`` is
on the GPU (``register_backend(CudaArray, this module, "cuda")``). Same signatures and results as
autolab/kernels/reference.py; each function prepares shapes and buffers on the host and launches the kernels
of conv.py, pool.py, loss.py and matmul.py. The optimizer updates (``sgd_update``, ``adam_update``) are here
too: autolab/optim calls them for parameters on the GPU.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..reference import output_size
from . import conv, dispatch, loss, optim, pool
from .array import MIXED_DEVICES, CudaArray


def _same_device(*arrays: Any) -> None:
    if not all(a is None or isinstance(a, CudaArray) for a in arrays):
        raise RuntimeError(MIXED_DEVICES)


def _flat(a: CudaArray) -> Any:
    return a.flat_buffer()


def matmul(a: CudaArray, b: CudaArray) -> CudaArray:
    return dispatch.matmul_arrays(a, b)


# ---- conv2d: im2col + matmul -------------------------------------------------------------------------------
def _cols(x: CudaArray, kernel: tuple, stride: tuple, padding: tuple) -> tuple[CudaArray, int, int]:
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho, wo = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
    cols = CudaArray.empty((n * ho * wo, c * kh * kw), x.dtype)
    conv.run(conv.im2col, _flat(x), cols.buf, cols.size, n, c, h, w, kh, kw, sh, sw, ph, pw, ho, wo)
    return cols, ho, wo


def conv2d_forward(x: CudaArray, w: CudaArray, b: CudaArray | None, stride: tuple, padding: tuple) -> CudaArray:
    _same_device(x, w, b)
    n, o = x.shape[0], w.shape[0]
    cols, ho, wo = _cols(x, w.shape[2:], stride, padding)
    y = dispatch.matmul_arrays(cols, w.reshape(o, -1).T)  # (n*ho*wo, o)
    if b is not None:
        y += b
    return y.reshape(n, ho, wo, o).transpose(0, 3, 1, 2).copy()  # to NCHW


def conv2d_backward_input(gy: CudaArray, w: CudaArray, x_shape: tuple, stride: tuple, padding: tuple) -> CudaArray:
    _same_device(gy, w)
    n, c, h, wd = x_shape
    o, _, kh, kw = w.shape
    ho, wo = gy.shape[2:]
    gcols = dispatch.matmul_arrays(gy.transpose(0, 2, 3, 1).reshape(-1, o), w.reshape(o, -1))  # (n*ho*wo, c*kh*kw)
    gx = CudaArray.empty(x_shape, gy.dtype)
    dims = (n, c, h, wd, kh, kw, *stride, *padding, ho, wo, gy.dtype.type(0))
    conv.run(conv.col2im, _flat(gcols), gx.buf, gx.size, *dims)
    return gx


def conv2d_backward_weight(gy: CudaArray, x: CudaArray, w_shape: tuple, stride: tuple, padding: tuple) -> CudaArray:
    _same_device(gy, x)
    o = w_shape[0]
    cols, _, _ = _cols(x, w_shape[2:], stride, padding)
    gw = dispatch.matmul_arrays(gy.transpose(1, 0, 2, 3).reshape(o, -1), cols)  # (o, c*kh*kw)
    return gw.reshape(w_shape)


# ---- pooling ---------------------------------------------------------------------------------------------------
def _pool_dims(shape: tuple, kernel: tuple, stride: tuple, padding: tuple) -> tuple:
    n, c, h, w = shape
    ho = output_size(h, kernel[0], stride[0], padding[0])
    wo = output_size(w, kernel[1], stride[1], padding[1])
    return n * c, h, w, *kernel, *stride, *padding, ho, wo


def max_pool2d_forward(x: CudaArray, kernel: tuple, stride: tuple, padding: tuple) -> tuple[CudaArray, CudaArray]:
    dims = _pool_dims(x.shape, kernel, stride, padding)
    shape = x.shape[:2] + dims[-2:]
    y, arg = CudaArray.empty(shape, x.dtype), CudaArray.empty(shape, np.int64)
    pool.run(pool.max_forward, y.size, _flat(x), y.buf, arg.buf, *dims)
    return y, arg


def max_pool2d_backward(gy: CudaArray, argmax: CudaArray, x_shape: tuple) -> CudaArray:
    gx = CudaArray.full(x_shape, 0, gy.dtype)
    planes = x_shape[0] * x_shape[1]
    pool.run(
        pool.max_backward,
        gy.size,
        _flat(gy),
        _flat(argmax),
        gx.buf,
        planes,
        math.prod(x_shape[2:]),
        math.prod(gy.shape[2:]),
    )
    return gx


def avg_pool2d_forward(x: CudaArray, kernel: tuple, stride: tuple, padding: tuple) -> CudaArray:
    dims = _pool_dims(x.shape, kernel, stride, padding)
    y = CudaArray.empty(x.shape[:2] + dims[-2:], x.dtype)
    pool.run(pool.avg_forward, y.size, _flat(x), y.buf, *dims, x.dtype.type(0))
    return y


def avg_pool2d_backward(gy: CudaArray, x_shape: tuple, kernel: tuple, stride: tuple, padding: tuple) -> CudaArray:
    dims = _pool_dims(x_shape, kernel, stride, padding)
    gx = CudaArray.full(x_shape, 0, gy.dtype)
    pool.run(pool.avg_backward, gy.size, _flat(gy), gx.buf, *dims)
    return gx


# ---- fused steps ---------------------------------------------------------------------------------------------
def bias_relu_forward(x: CudaArray, b: CudaArray | None = None) -> CudaArray:
    _same_device(x, b)
    if b is not None:
        x = x + b.reshape((1, -1) + (1,) * (x.ndim - 2))
    return np.maximum(x, x.dtype.type(0))


def relu_backward(gy: CudaArray, y: CudaArray) -> CudaArray:
    _same_device(gy, y)
    return np.where(y <= 0, gy.dtype.type(0), gy)


def softmax_cross_entropy_forward(logits: CudaArray, target: Any) -> tuple[CudaArray, CudaArray]:
    _same_device(logits, target)
    rows, k = logits.shape
    losses, probs = CudaArray.empty((rows,), logits.dtype), CudaArray.empty((rows, k), logits.dtype)
    loss.run(
        loss.ce_forward, rows, _flat(logits), _flat(target.astype(np.int64, copy=False)), losses.buf, probs.buf, rows, k
    )
    return losses, probs


def softmax_cross_entropy_backward(probs: CudaArray, target: Any, gloss: Any) -> CudaArray:
    _same_device(probs, target)
    rows, k = probs.shape
    if not isinstance(gloss, CudaArray):
        gloss = CudaArray.from_host(np.asarray(gloss, probs.dtype))
    g = CudaArray.empty((rows, k), probs.dtype)
    stride = 0 if gloss.size == 1 else 1
    loss.run(
        loss.ce_backward,
        rows,
        _flat(probs),
        _flat(target.astype(np.int64, copy=False)),
        _flat(gloss),
        g.buf,
        rows,
        k,
        stride,
    )
    return g


# ---- optimizer updates (autolab/optim) -------------------------------------------------------------------------------
def _param(p: CudaArray) -> CudaArray:
    if not p.is_contiguous():
        raise NotImplementedError("the CUDA optimizer kernels update contiguous parameters only")
    return p


def sgd_update(p: CudaArray, grad: CudaArray, group: dict, state: dict) -> None:
    """One SGD step of ``p`` in place (momentum buffer in ``state``, as autolab.optim.SGD keeps it)."""
    _same_device(p, grad)
    p = _param(p)
    first = "momentum_buffer" not in state or state["momentum_buffer"] is None
    mu = group["momentum"]
    if mu and first:
        state["momentum_buffer"] = CudaArray.empty(p.shape, p.dtype)
    buf = state["momentum_buffer"].buf if mu else p.buf
    args = (group["lr"], group["weight_decay"], mu, group["dampening"], group["nesterov"], group["maximize"], first)
    optim.run(optim.sgd_step, p.size, _flat(p), _flat(grad), buf, p.size, *args)


def adam_update(p: CudaArray, grad: CudaArray, group: dict, state: dict, decoupled: bool) -> None:
    """One Adam (or AdamW, ``decoupled``) step of ``p`` in place, moments in ``state``."""
    _same_device(p, grad)
    p = _param(p)
    if not state:
        from ...optim.optimizer import scalar_state  # lazy: optim imports this module on a CUDA step

        state["step"] = scalar_state(0)  # as the CPU Adam keeps it (PyTorch's state_dict)
        state["exp_avg"] = CudaArray.full(p.shape, 0, p.dtype)
        state["exp_avg_sq"] = CudaArray.full(p.shape, 0, p.dtype)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = CudaArray.full(p.shape, 0, p.dtype)
    state["step"] += 1
    (b1, b2), step = group["betas"], float(state["step"])
    vmax = state["max_exp_avg_sq"].buf if group["amsgrad"] else state["exp_avg_sq"].buf
    args = (group["lr"], b1, b2, group["eps"], group["weight_decay"], decoupled, group["amsgrad"], group["maximize"])
    bias = (1 - b1**step, math.sqrt(1 - b2**step))
    m, v = state["exp_avg"].buf, state["exp_avg_sq"].buf
    optim.run(optim.adam_step, p.size, _flat(p), _flat(grad), m, v, vmax, p.size, *args, *bias)
