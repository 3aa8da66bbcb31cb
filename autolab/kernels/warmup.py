"""Compile (or load from the cache) every numba kernel a training step can reach, on tiny inputs.

numba compiles one machine-code version per argument *types*, not per shape, so a few tiny calls cover
every path a real network takes. ``python -m autolab.kernels.warmup`` fills the cache ahead of a lesson;
with ``processes=2`` (the default of the command on a multi-core machine) a second Python compiles half
of the kernels at the same time (compiling holds the GIL, so threads would not help). Both write to the
same cache directory; numba replaces cache files atomically.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np

from . import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    bias_relu_forward,
    cache_dir,
    conv2d_backward_input,
    conv2d_backward_weight,
    conv2d_forward,
    matmul,
    max_pool2d_backward,
    max_pool2d_forward,
    relu_backward,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_forward,
)

# the second process's share in warmup(processes=2): about half of the compile time
SECOND_HALF = (
    "conv im2row (strided)",
    "conv grad weight",
    "conv grad weight wide",
    "conv grad weight strided",
    "max pool",
    "bias relu",
)


def warmup(dtypes=(np.float32,), verbose: bool = False, processes: int = 1, only=None) -> float:
    """Run every seam function through each numba path once per dtype; returns the seconds it took."""

    def x(dt):
        return np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(dt)

    n2 = np.zeros(2, np.int64)
    steps = {
        "matmul": lambda dt: matmul(np.ones((80, 80), dt), np.ones((80, 80), dt)),
        "matmul x @ w.T": lambda dt: matmul(np.ones((80, 80), dt), np.ones((80, 80), dt).T),
        "conv planes": lambda dt: conv2d_forward(x(dt), np.ones((4, 3, 3, 3), dt), np.ones(4, dt), (1, 1), (1, 1)),
        "conv im2row (strided)": lambda dt: conv2d_forward(x(dt), np.ones((4, 3, 3, 3), dt), None, (2, 2), (1, 1)),
        "conv grad input": lambda dt: conv2d_backward_input(np.ones((2, 4, 8, 8), dt), np.ones((4, 3, 3, 3), dt), (2, 3, 8, 8), (1, 1), (1, 1)),
        "conv grad weight": lambda dt: conv2d_backward_weight(np.ones((2, 4, 8, 8), dt), x(dt), (4, 3, 3, 3), (1, 1), (1, 1)),
        "conv grad weight wide": lambda dt: conv2d_backward_weight(np.ones((2, 32, 4, 4), dt), np.ones((2, 8, 4, 4), dt), (32, 8, 3, 3), (1, 1), (1, 1)),
        "conv grad weight strided": lambda dt: conv2d_backward_weight(np.ones((2, 4, 4, 4), dt), x(dt), (4, 3, 2, 2), (2, 2), (0, 0)),
        "max pool": lambda dt: max_pool2d_backward(np.ones((2, 3, 4, 4), dt), max_pool2d_forward(x(dt), (2, 2), (2, 2), (0, 0))[1], (2, 3, 8, 8)),
        "avg pool": lambda dt: avg_pool2d_backward(avg_pool2d_forward(x(dt), (2, 2), (2, 2), (0, 0)), (2, 3, 8, 8), (2, 2), (2, 2), (0, 0)),
        "bias relu": lambda dt: relu_backward(x(dt), bias_relu_forward(x(dt), np.ones(3, dt))),
        "softmax xent": lambda dt: softmax_cross_entropy_backward(softmax_cross_entropy_forward(np.ones((2, 3), dt), n2)[1], n2, np.ones(2, dt)),
    }  # fmt: skip
    start = time.perf_counter()
    helper = None
    names = list(steps) if only is None else list(only)
    if processes > 1 and only is None:
        names = [n for n in steps if n not in SECOND_HALF]
        code = "from autolab.kernels.warmup import *; warmup({!r}, only={!r})"
        dts = tuple(np.dtype(d).name for d in dtypes)
        helper = subprocess.Popen([sys.executable, "-c", code.format(dts, SECOND_HALF)], env=dict(os.environ))
    for dt in dtypes:
        for name in names:
            step = steps[name]
            t = time.perf_counter()
            step(dt)
            if verbose:
                print(f"{np.dtype(dt).name:8s} {name:26s} {time.perf_counter() - t:6.2f} s")
    if helper is not None and helper.wait() != 0:
        raise RuntimeError("the second warm-up process failed")
    return time.perf_counter() - start


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m autolab.kernels.warmup", description=__doc__)
    parser.add_argument("--dtypes", default="float32", help="comma-separated, e.g. float32,float64 (tests)")
    args = parser.parse_args()
    print(f"numba cache: {cache_dir()}")
    dtypes = tuple(np.dtype(d) for d in args.dtypes.split(","))
    seconds = warmup(dtypes, verbose=True, processes=min(2, os.cpu_count() or 1))
    print(f"all kernels ready in {seconds:.1f} s")
