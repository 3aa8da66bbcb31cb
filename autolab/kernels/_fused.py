"""Fused numba kernels: several numpy passes (and their temporaries) done in one parallel pass.

- bias + ReLU after a conv or linear layer: ``max(x + b, 0)`` in one read and one write;
- ReLU's backward reads the saved output instead of a separate mask;
- NaN stays NaN, as in PyTorch: ReLU tests ``v <= 0`` (False for NaN) rather than ``v > 0`` (also False for
  NaN), so a NaN passes through forward and its gradient passes through backward. Both are selects, which
  the compiler vectorizes like the old comparison (docs/reliability.md has the timings);
- softmax with cross-entropy: the per-row max, exp, sum, log and the gradient ``softmax - onehot`` in
  one pass per row, numerically stable (the max is subtracted before exp).
"""

import numpy as np
from numba import njit, prange


@njit(inline="always")
def epilogue(v, bias, relu, zero):
    """The end of a conv kernel, for one output value: add its channel's bias, then ReLU if fused.

    ``zero`` is a zero of the output's dtype (see bias_relu). Inlined into the kernels that call it."""
    v = v + bias
    return (zero if v <= zero else v) if relu else v  # NaN <= 0 is False: NaN stays NaN


@njit(parallel=True, nogil=True, cache=True)
def bias_relu(x, b, y):
    """y[n, c, s] = max(x[n, c, s] + b[c], 0) for x viewed as (N, C, S)."""
    N, C, S = x.shape
    # a zero of the array's own dtype: with a plain ``0`` numba compares and selects in int64/float64,
    # and the loop stops being vectorized (12x slower)
    zero = y.dtype.type(0)
    for t in prange(N * C):
        n, c = t // C, t % C
        bc = b[c]
        xr, yr = x[n, c], y[n, c]
        for s in range(S):
            v = xr[s] + bc
            yr[s] = zero if v <= zero else v  # NaN <= 0 is False: NaN stays NaN
    return y


@njit(parallel=True, nogil=True, cache=True)
def relu_backward(gy, y, gx):
    """gx = 0 where the ReLU output was <= 0, else gy (flat arrays): a NaN output passes the gradient, as in
    PyTorch's threshold_backward."""
    zero = gx.dtype.type(0)
    for i in prange(gy.shape[0]):
        gx[i] = zero if y[i] <= zero else gy[i]
    return gx


@njit(parallel=True, nogil=True, cache=True)
def softmax_xent_forward(logits, target, losses, probs):
    """losses[n] = logsumexp(logits[n]) - logits[n, target[n]]; probs = softmax(logits)."""
    N, K = logits.shape
    for n in prange(N):
        row = logits[n]
        m = row[0]
        for k in range(1, K):
            m = max(m, row[k])
        s = 0.0
        for k in range(K):
            e = np.exp(row[k] - m)
            probs[n, k] = e
            s += e
        inv = 1.0 / s
        for k in range(K):
            probs[n, k] *= inv
        losses[n] = np.log(s) + m - row[target[n]]
    return losses, probs


@njit(parallel=True, nogil=True, cache=True)
def softmax_xent_backward(probs, target, gloss, glogits):
    """glogits[n] = (probs[n] - onehot(target[n])) * gloss[n]."""
    N, K = probs.shape
    for n in prange(N):
        g = gloss[n]
        for k in range(K):
            glogits[n, k] = probs[n, k] * g
        glogits[n, target[n]] -= g
    return glogits
