"""Checks for notebook 07 (CIFAR-10 CNN): output sizes of a conv layer, and accuracy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autolab
from autolab.kernels.reference import output_size

from ._core import Result, exercise, fail, ok


@exercise
def conv_output_size(fn: Callable[..., int]) -> Result:
    """``fn(size, kernel, stride=1, padding=0)``: the output height (or width) of a conv or pool layer."""
    cases = [(32, 5, 1, 0), (14, 5, 1, 0), (28, 2, 2, 0), (32, 3, 1, 1), (7, 3, 2, 1), (10, 2, 2, 0)]
    for size, k, s, p in cases:
        got = fn(size, k, stride=s, padding=p)
        if got != output_size(size, k, s, p):
            return fail(
                f"size {size}, kernel {k}, stride {s}, padding {p}: got {got}, expected {output_size(size, k, s, p)}. "
                "Pad both sides, count how many times the kernel fits, and round down."
            )
    return ok("output sizes are right for convs and pools, with stride and padding.")


@exercise
def accuracy(fn: Callable) -> Result:
    """``fn(logits, labels)`` must return the fraction (0..1) of rows whose largest logit is the label."""
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((50, 10))
    labels = rng.integers(0, 10, 50)
    labels[:20] = logits[:20].argmax(1)
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
