"""The seam's matmul and conv2d: the numba path of each, chosen per call by shape.

``@seam(reference)`` (seam.py) does what every seam function shares: another backend's arrays go to that
backend; non-float dtypes, empty arrays and ``set_backend("numpy")`` go to the plain numpy ``reference``
(reference.py, the readable maths); ``last_path[name]`` records what ran. What is left here is the choice
between numba kernels by shape, and the arrays they need (padding, packing, flipping).
"""

from __future__ import annotations

import math

import numpy as np

from . import reference as ref
from ._config import OPENBLAS_SINGLE_THREAD_MNK
from .reference import output_size
from .seam import c_contiguous as _c
from .seam import last_path, seam
from .seam import numba_kernels as _nb

# stride-1 convolutions with at most this many taps (C*kh*kw) per output use the whole-plane kernel
# (measured faster than patches for LeNet and VGG-small's layers); wider ones build patches
PLANES_MAX_TAPS = 4096

# stride-1 weight gradients with a multiple of this many output channels and at least WIDE_MIN_TAPS taps
# broadcast input pixels against vectors of 32 (or 16) output channels (VGG conv2-4: 1.2-1.4x faster than
# dot products, LeNet conv2 1.6x); with few taps (VGG conv1: 27) building the position-major output
# gradient costs more than it saves, and with 6 channels (LeNet conv1) most vector lanes would be idle
WIDE_OUT, WIDE_MIN_TAPS = 16, 64

# below this many elements numpy's transposing copy is faster than starting the parallel tiled one
SMALL_TRANSPOSE = 1 << 20


def _tasks(nb, n):
    return max(1, min(n, nb.threads))


# ---------------------------------------------------------------- matmul


def _rows_per_task(M, K, itemsize, threads):
    """Rows of A per parallel task: a multiple of 4 whose block fits in half of a 1 MB L2, and enough
    tasks (two per thread) to balance the load."""
    fit = max(4, (1 << 19) // max(1, K * itemsize) // 4 * 4)
    balance = max(4, -(-M // (2 * threads)) // 4 * 4)
    return min(fit, balance, 256)


@seam(ref.matmul, arrays=2, contiguous=False, fast_if=lambda a, b: a.ndim >= 2 and b.ndim >= 2)
def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """numpy matmul semantics; numba's tiled kernel above OpenBLAS's single-thread size."""
    M, K = a.shape[-2:]
    N = b.shape[-1]
    if b.shape[-2] != K:
        return np.matmul(a, b)  # let numpy raise its usual error
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    nbatch = math.prod(batch)
    if nbatch * M * N * K < OPENBLAS_SINGLE_THREAD_MNK:
        last_path["matmul"] = "numpy-blas-1thread"
        return np.matmul(a, b)
    nb = _nb()
    if b.ndim == 2 and b.flags.c_contiguous:  # (..., M, K) @ (K, N): one tall matrix, B read along its rows
        last_path["matmul"] = "numba-nn"
        A = _c(a).reshape(-1, K)
        Bp = np.empty(((N + 31) // 32, K * 32), b.dtype)
        nb.gemm.pack_panels(b, Bp)
        out = np.empty((A.shape[0], N), a.dtype)
        nb.gemm.gemm_nn(A, Bp, out, _rows_per_task(A.shape[0], K, a.itemsize, nb.threads))
        return out.reshape(batch + (M, N))
    if b.ndim == 2:  # b is a (transposed) view: read it along its columns, as B.T's rows
        A = _c(a).reshape(1, -1, K)
    elif a.ndim == 2 or a.shape[:-2] == batch:
        A = _c(a).reshape(-1, M, K)
    else:
        A = _c(np.broadcast_to(a, batch + (M, K))).reshape(-1, M, K)
    if b.ndim == 2 or b.shape[:-2] == batch:
        bt = np.swapaxes(b, -1, -2)
        if bt.flags.c_contiguous:  # b is a transposed view (x @ w.T): no copy needed
            Bt = bt.reshape(-1, N, K)
        elif b.size < SMALL_TRANSPOSE:
            Bt = _c(bt).reshape(-1, N, K)
        else:
            B = _c(b).reshape(-1, K, N)
            Bt = np.empty((B.shape[0], N, K), b.dtype)
            nb.gemm.transpose_last2(B, Bt)
    else:
        B = _c(np.broadcast_to(b, batch + (K, N))).reshape(-1, K, N)
        Bt = np.empty((B.shape[0], N, K), b.dtype)
        nb.gemm.transpose_last2(B, Bt)
    rows = A.shape[1]
    out = np.empty((max(A.shape[0], Bt.shape[0]), rows, N), a.dtype)
    nb.gemm.bmm_nt(A, Bt, out)
    return out.reshape(batch + (M, N))


# ---------------------------------------------------------------- conv2d


def _padded_weight(w2d, dtype):
    """(O, K) -> (O, Kp) with Kp a multiple of 16, zero columns at the end (whole vectors in dot products)."""
    O, K = w2d.shape
    out = np.zeros((O, (K + 15) // 16 * 16), dtype)
    out[:, :K] = w2d
    return out


def _conv_any(nb, x, w, b, y, stride, padding, name):
    """Stride-1 whole-plane kernel when the taps are few, else patches + dot products."""
    O, C, kh, kw = w.shape
    has_bias = b is not None
    bb = b if has_bias else nb.empty[x.dtype]
    tasks = _tasks(nb, x.shape[0])
    if stride == (1, 1) and C * kh * kw <= PLANES_MAX_TAPS and min(padding) >= 0:
        last_path[name] = "numba-planes"
        return nb.s1.forward(x, w, bb, has_bias, False, y, padding[0], padding[1], tasks)
    last_path[name] = "numba-im2row"
    w2 = _padded_weight(w.reshape(O, -1), x.dtype)
    return nb.conv.conv_forward(x, w2, bb, has_bias, False, y, kh, kw, *stride, *padding, tasks)


@seam(ref.conv2d_forward, arrays=3)
def conv2d_forward(x, w, b, stride, padding):
    """x (N,C,H,W), w (O,C,kh,kw), b (O,) or None -> y (N,O,Ho,Wo)."""
    stride, padding = tuple(stride), tuple(padding)
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    y = np.empty((N, O, output_size(H, kh, stride[0], padding[0]), output_size(W, kw, stride[1], padding[1])), x.dtype)
    return _conv_any(_nb(), x, w, b, y, stride, padding, "conv2d_forward")


def _finite_weight(gy, w, *_):
    # The numba kernels convolve a zero-padded gy with all of w, and 0 * inf = NaN would leak into pixels that
    # no infinite weight reaches; the reference adds only real contributions (as PyTorch). The sum of w is a
    # cheap test (weight-sized, no temporary array) that is non-finite whenever an element is.
    return bool(np.isfinite(w.sum()))


@seam(ref.conv2d_backward_input, arrays=2, fast_if=_finite_weight)
def conv2d_backward_input(gy, w, x_shape, stride, padding):
    """gx (N,C,H,W): the convolution of the (dilated) gy with the flipped, transposed weight."""
    stride, padding = tuple(stride), tuple(padding)
    nb = _nb()
    N, C, H, W = x_shape
    O, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    Ho, Wo = gy.shape[2:]
    Hd, Wd = output_size(H, kh, 1, ph), output_size(W, kw, 1, pw)  # the output at stride 1
    if (Hd, Wd) != (Ho, Wo):
        # put gy back on the (padded) input's grid: zeros between its rows and columns (stride), and
        # zero rows/columns at the end that no window reached (when the stride does not divide the size)
        g = np.zeros((N, O, Hd, Wd), gy.dtype)
        g[:, :, : (Ho - 1) * sh + 1 : sh, : (Wo - 1) * sw + 1 : sw] = gy
        gy = g
    wf = _c(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))  # (C, O, kh, kw)
    gx = np.empty((N, C, H, W), gy.dtype)
    return _conv_any(nb, gy, wf, None, gx, (1, 1), (kh - 1 - ph, kw - 1 - pw), "conv2d_backward_input")


@seam(ref.conv2d_backward_weight, arrays=2)
def conv2d_backward_weight(gy, x, w_shape, stride, padding):
    """gw (O,C,kh,kw) = sum over images and output pixels of gy times the input patch."""
    gw = _conv_backward_weight_numba(gy, x, w_shape, tuple(stride), tuple(padding))
    if not np.isfinite(gw.sum()):
        # The numba kernels also multiply zeros (padding, the junk columns of the plane trick) by input pixels;
        # with an infinite pixel that makes a NaN PyTorch does not have. A non-finite gradient is rare, and then
        # the reference, which adds only real contributions, decides.
        last_path["conv2d_backward_weight"] = "numpy"
        return ref.conv2d_backward_weight(gy, x, w_shape, stride, padding)
    return gw


def _conv_backward_weight_numba(gy, x, w_shape, stride, padding):
    nb = _nb()
    O, C, kh, kw = w_shape
    # one partial gradient per parallel task (so tasks never write to the same memory), summed here
    tasks, K = _tasks(nb, x.shape[0]), C * kh * kw
    if stride == (1, 1) and O % WIDE_OUT == 0 and K >= WIDE_MIN_TAPS and min(padding) >= 0:
        last_path["conv2d_backward_weight"] = "numba-planes-wide"
        partial = np.zeros((tasks, K, O), x.dtype)  # transposed: taps are the rows
        nb.s1.backward_weight_wide(gy, x, partial, padding[0], padding[1])
        return _c(partial.sum(axis=0).T).reshape(O, C, kh, kw)
    partial = np.zeros((tasks, O, K), x.dtype)
    if stride == (1, 1):
        last_path["conv2d_backward_weight"] = "numba-planes"
        nb.s1.backward_weight(gy, x, partial, padding[0], padding[1])
    else:
        last_path["conv2d_backward_weight"] = "numba-im2col"
        nb.conv.conv_backward_weight(gy, x, partial, kh, kw, *stride, *padding)
    return partial.sum(axis=0).reshape(O, C, kh, kw)
