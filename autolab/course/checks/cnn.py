"""Checks for notebook 07 (CIFAR-10 CNN): output sizes of a conv layer, and accuracy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autolab
from autolab.kernels.reference import output_size

from ._core import Result, exercise, fail, ok


@exercise
def conv_output_size(fn: Callable[..., int], seed: int | None = None) -> Result:
    """``fn(size, kernel, stride=1, padding=0)``: the output height (or width) of a conv or pool layer.

    ``seed`` draws other sizes, kernels, strides and paddings (strides up to 4, where rounding matters)."""
    cases = [(32, 5, 1, 0), (14, 5, 1, 0), (28, 2, 2, 0), (32, 3, 1, 1), (7, 3, 2, 1), (10, 2, 2, 0)]
    if seed is not None:
        rng = np.random.default_rng(seed)
        cases = []
        while len(cases) < 12:
            size, k, s, p = int(rng.integers(5, 64)), int(rng.integers(1, 8)), int(rng.integers(1, 5)), 0
            p = int(rng.integers(0, k // 2 + 1))
            if size + 2 * p >= k:
                cases.append((size, k, s, p))
    for size, k, s, p in cases:
        got = fn(size, k, stride=s, padding=p)
        if got != output_size(size, k, s, p):
            return fail(
                f"size {size}, kernel {k}, stride {s}, padding {p}: got {got}, expected {output_size(size, k, s, p)}. "
                "Pad both sides, count how many times the kernel fits, and round down."
            )
    return ok("output sizes are right for convs and pools, with stride and padding.")


@exercise
def accuracy(fn: Callable, seed: int | None = None) -> Result:
    """``fn(logits, labels)`` must return the fraction (0..1) of rows whose largest logit is the label.

    ``seed`` draws another batch, with another number of rows and classes."""
    rng = np.random.default_rng(2 if seed is None else seed)
    rows, classes = (50, 10) if seed is None else (int(rng.integers(20, 200)), int(rng.integers(3, 20)))
    logits = rng.standard_normal((rows, classes))
    labels = rng.integers(0, classes, rows)
    right = int(rng.integers(rows // 5, rows // 2))
    labels[:right] = logits[:right].argmax(1)
    want = float((logits.argmax(1) == labels).mean())
    got = fn(autolab.tensor(logits, dtype=autolab.float32), autolab.tensor(labels))
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    got = float(got.item() if hasattr(got, "item") else got)
    if np.isclose(got, want * 100):
        return fail("that is a percentage: return a fraction between 0 and 1.")
    if not np.isclose(got, want):
        return fail(f"got {got:.3f}, expected {want:.3f}: compare logits.argmax(1) with the labels, then average.")
    return ok(f"accuracy {want:.2f} on a test batch, right.")
