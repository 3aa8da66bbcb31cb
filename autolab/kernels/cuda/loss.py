"""Softmax + cross-entropy for a batch of rows, forward and backward. One thread per row (grid-stride).

Forward, for one row of logits ``z`` and its class ``t``: subtract the row's maximum ``m`` first (``exp`` of a
large logit overflows; ``exp(z - m)`` is at most 1, and the ratio is unchanged), then
``loss = log(sum(exp(z - m))) + m - z[t]`` and ``probs = exp(z - m) / sum``. The thread reads its row three
times: for the maximum, for the sum, for the probabilities.

Backward: ``dloss/dz = (probs - onehot(t)) * gloss``, one thread per row again.
"""

from __future__ import annotations

import math

from numba import cuda

from . import launch


@cuda.jit
def ce_forward(z, target, losses, probs, rows, k):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        m = z[r * k]
        for j in range(1, k):
            v = z[r * k + j]
            if v > m or v != v:
                m = v
        s = z[r * k] * 0
        for j in range(k):
            e = math.exp(z[r * k + j] - m) if m == m else m  # a NaN row stays NaN (and exp(NaN) raises in Python)
            probs[r * k + j] = e
            s += e
        for j in range(k):
            probs[r * k + j] = probs[r * k + j] / s
        losses[r] = math.log(s) + m - z[r * k + target[r]] if s == s else s


@cuda.jit
def ce_backward(probs, target, gloss, g, rows, k, gstride):
    for r in range(cuda.grid(1), rows, cuda.gridsize(1)):
        gl = gloss[r * gstride]  # gstride 0: one number for every row
        for j in range(k):
            g[r * k + j] = (probs[r * k + j] - (1 if j == target[r] else 0)) * gl


def run(kernel, rows: int, *args) -> None:
    blocks, threads = launch(rows)
    kernel[blocks, threads](*args)
