"""Checks for notebook 09 (under the hood): im2col and a matmul kernel."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autolab.kernels.reference import conv2d_forward

from ._core import Result, exercise, fail, ok, worst
from ._quiz import Number


@exercise
def im2col(fn: Callable[[np.ndarray, int, int], np.ndarray], seed: int | None = None) -> Result:
    """``fn(x, kh, kw)`` for x (N, C, H, W), stride 1, no padding, must give (N, C*kh*kw, Ho*Wo) columns
    such that ``w.reshape(O, -1) @ cols`` is the convolution. ``seed`` draws other shapes and kernel sizes."""
    rng = np.random.default_rng(3 if seed is None else seed)
    if seed is None:
        (n, c, h, wd), (o, kh, kw) = (2, 3, 6, 7), (4, 3, 2)
    else:
        n, c, o, kh, kw = (int(v) for v in rng.integers(1, 5, 5))
        h, wd = kh + int(rng.integers(0, 6)), kw + int(rng.integers(0, 6))
    x = rng.standard_normal((n, c, h, wd))
    w = rng.standard_normal((o, c, kh, kw))
    cols = fn(x, kh, kw)
    if cols is None:
        return fail("your function returned None: did you forget `return`?")
    ho, wo = h - kh + 1, wd - kw + 1
    want_shape = (n, c * kh * kw, ho * wo)
    if cols.shape != want_shape:
        return fail(
            f"for x of shape {x.shape} and a {kh}x{kw} kernel, cols has shape {cols.shape}, expected "
            f"{want_shape} = (N, C*kh*kw, Ho*Wo)."
        )
    y = (w.reshape(o, -1) @ cols).reshape(n, o, ho, wo)
    want = conv2d_forward(x, w, None, (1, 1), (0, 0))
    if not np.allclose(y, want):
        return fail(
            f"w.reshape(O, -1) @ cols is not the convolution: {worst(y, want)}. Row (c, i, j) of cols, in that "
            "order, must hold x[:, c, i:i+Ho, j:j+Wo] flattened."
        )
    return ok("im2col is right: one matmul now computes the whole convolution.")


@exercise
def matmul(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], seed: int | None = None) -> Result:
    """``fn(a, b)`` for 2-D float32 arrays must equal ``a @ b`` (odd sizes catch tiling edge bugs).

    ``seed`` draws other sizes, including a single row or column."""
    rng = np.random.default_rng(4 if seed is None else seed)
    sizes = [(5, 7, 3), (33, 17, 65), (64, 64, 64)]
    if seed is not None:
        sizes = [(1, int(rng.integers(1, 40)), int(rng.integers(1, 40)))]
        sizes += [tuple(int(v) for v in rng.integers(1, 100, 3)) for _ in range(3)]
    for m, k, n in sizes:
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


@exercise
def conv_im2col(fn: Callable, seed: int | None = None) -> Result:
    """``fn(x, w, b)``: a stride-1, unpadded convolution as one matrix product on im2col's columns, plus bias."""

    rng = np.random.default_rng(15 if seed is None else seed)
    (n, c, h, wd), (o, kh, kw) = (
        ((2, 3, 7, 6), (4, 3, 2))
        if seed is None
        else (
            tuple(int(v) for v in rng.integers(1, 5, 2)) + tuple(int(v) for v in rng.integers(5, 9, 2)),
            tuple(int(v) for v in rng.integers(1, 5, 3)),
        )
    )
    x = rng.standard_normal((n, c, h, wd)).astype(np.float32)
    w = rng.standard_normal((o, c, kh, kw)).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    want = conv2d_forward(x, w, b, (1, 1), (0, 0))
    got = fn(x, w, b)
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    got = np.asarray(got)
    if got.shape != want.shape:
        return fail(f"the output should have shape (N, O, Ho, Wo) = {want.shape}, got {got.shape}.")
    if np.allclose(got, want - b[None, :, None, None], rtol=1e-3, atol=1e-3):
        return fail("the bias is missing: add b[o] to every pixel of output channel o (b[:, None] before reshaping).")
    if not np.allclose(got, want, rtol=1e-3, atol=1e-3):
        return fail(f"{worst(got, want)}. Multiply w.reshape(O, -1) by the columns, then reshape to (N, O, Ho, Wo).")
    return ok("convolution as im2col + one matmul + bias matches the reference.")


@exercise
def im2col_copies_quiz(answer) -> Result:
    """How many times does im2col (5x5 kernel, stride 1) copy an input pixel away from the borders?"""

    return Number(
        right=25,
        rtol=0,
        atol=0.01,
        why=(
            "A pixel away from the borders lies in 25 patches, one for each position of the 5x5 kernel that "
            "covers it, and im2col copies every patch into its own column: 25 copies. That is im2col's price in "
            "memory, and why autolab's kernels compute convolutions without building the patch matrix."
        ),
        near_misses=(
            (5, "count the kernel positions in both directions: 5 across times 5 down."),
            (
                1,
                "it would be once if patches did not overlap; with stride 1, every kernel position covering it copies it.",
            ),
        ),
        hint="Count the positions of a 5x5 window that contain a given pixel.",
    ).check(answer)
