"""Checks for notebook 09 (under the hood): im2col and a matmul kernel."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autolab.kernels.reference import conv2d_forward

from ._core import Result, exercise, fail, ok, worst


@exercise
def im2col(fn: Callable[[np.ndarray, int, int], np.ndarray]) -> Result:
    """``fn(x, kh, kw)`` for x (N, C, H, W), stride 1, no padding, must give (N, C*kh*kw, Ho*Wo) columns
    such that ``w.reshape(O, -1) @ cols`` is the convolution."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 6, 7))
    w = rng.standard_normal((4, 3, 3, 2))
    cols = fn(x, 3, 2)
    if cols is None:
        return fail("your function returned None: did you forget `return`?")
    want_shape = (2, 3 * 3 * 2, 4 * 6)
    if cols.shape != want_shape:
        return fail(f"cols has shape {cols.shape}, expected {want_shape} = (N, C*kh*kw, Ho*Wo).")
    y = (w.reshape(4, -1) @ cols).reshape(2, 4, 4, 6)
    want = conv2d_forward(x, w, None, (1, 1), (0, 0))
    if not np.allclose(y, want):
        return fail(
            f"w.reshape(O, -1) @ cols is not the convolution: {worst(y, want)}. Row (c, i, j) of cols, in that "
            "order, must hold x[:, c, i:i+Ho, j:j+Wo] flattened."
        )
    return ok("im2col is right: one matmul now computes the whole convolution.")


@exercise
def matmul(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Result:
    """``fn(a, b)`` for 2-D float32 arrays must equal ``a @ b`` (odd sizes catch tiling edge bugs)."""
    rng = np.random.default_rng(4)
    for m, k, n in [(5, 7, 3), (33, 17, 65), (64, 64, 64)]:
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        got = fn(a, b)
        if got is None:
            return fail("your function returned None: did you forget `return`?")
        if got.shape != (m, n):
            return fail(f"({m}x{k}) @ ({k}x{n}) gave shape {got.shape}, expected {(m, n)}.")
        if not np.allclose(got, a @ b, rtol=1e-4, atol=1e-4):
            return fail(f"({m}x{k}) @ ({k}x{n}) is wrong: {worst(got, a @ b)}. Check the edges of your tiles.")
    return ok("your matmul is right, edges included.")
