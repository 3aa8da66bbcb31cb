"""Optimizer updates as one fused kernel each: one thread per parameter element (grid-stride).

Written with numpy, an SGD-with-momentum step is several passes over memory (``buf *= mu``, ``buf += d``,
``p -= lr * buf``), each a kernel launch that reads and writes whole arrays. Fused, each element is read and
written once: memory traffic, not arithmetic, is what an update costs on a GPU.

The formulas are those of autolab/optim/sgd.py and adam.py (PyTorch's), for one element.
"""

from __future__ import annotations

import math

from numba import cuda

from . import launch


@cuda.jit
def sgd_step(p, g, buf, n, lr, wd, mu, dampening, nesterov, maximize, first):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        d = -g[i] if maximize else g[i]
        if wd != 0:
            d += wd * p[i]
        if mu != 0:
            b = d if first else mu * buf[i] + (1 - dampening) * d
            buf[i] = b
            d = d + mu * b if nesterov else b
        p[i] -= lr * d


@cuda.jit
def adam_step(p, g, m, v, vmax, n, lr, b1, b2, eps, wd, decoupled, amsgrad, maximize, bias1, sqrt_bias2):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        gi = -g[i] if maximize else g[i]
        if wd != 0:
            if decoupled:
                p[i] *= 1 - lr * wd
            else:
                gi += wd * p[i]
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        vi = v[i]
        if amsgrad:
            if vi > vmax[i]:
                vmax[i] = vi
            vi = vmax[i]
        p[i] -= (lr / bias1) * m[i] / (math.sqrt(vi) / sqrt_bias2 + eps)


def run(kernel, n: int, *args) -> None:
    blocks, threads = launch(n)
    kernel[blocks, threads](*args)
