"""Checks for notebook 07 (CIFAR-10 CNN): output sizes of a conv layer, and accuracy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autolab
from autolab.kernels.reference import output_size

from ._core import Result, exercise, fail, ok, to_numpy
from ._quiz import Choice


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


@exercise
def confusion_matrix(fn: Callable, seed: int | None = None) -> Result:
    """``fn(predictions, labels, num_classes)``: counts ``m[true, predicted]`` as a (K, K) tensor or array."""

    rng = np.random.default_rng(14 if seed is None else seed)
    k = 4 if seed is None else int(rng.integers(3, 8))
    labels = rng.integers(0, k, 60)
    preds = np.where(rng.random(60) < 0.6, labels, rng.integers(0, k, 60))
    preds[:3] = (labels[:3] + 1) % k  # some mistakes that are not symmetric
    want = np.zeros((k, k), dtype=np.int64)
    np.add.at(want, (labels, preds), 1)
    got = fn(autolab.tensor(preds), autolab.tensor(labels), k)
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    got = to_numpy(got)
    if got.shape != (k, k):
        return fail(f"for {k} classes the matrix is {k}x{k}; yours is {got.shape}.")
    if np.array_equal(got, want.T):
        return fail("rows and columns are swapped: row = the TRUE class, column = the predicted one.")
    if got.sum() != len(labels):
        return fail(f"the counts add up to {got.sum():g}; every one of the {len(labels)} examples counts once.")
    if not np.array_equal(got, want):
        return fail("some counts are off: add 1 at [label, prediction] for every example.")
    return ok("the confusion matrix counts [true, predicted] pairs, right.")


@exercise
def leakage_quiz(answer) -> Result:
    """What a test accuracy means after the test set was used to pick hyperparameters."""

    return Choice(
        right="b",
        options={
            "a": "the accuracy to expect on new photos",
            "b": "an optimistic estimate: the test set helped pick the learning rate, so it is no longer unseen",
            "c": "the training accuracy",
            "d": "a pessimistic estimate, since the best run was kept",
        },
        why=(
            "Of 20 runs, the one that happened to suit these 10,000 test images best was kept: part of its score "
            "is luck with this particular set, which new photos will not repeat. Choose on a validation set; "
            "measure on the test set once, at the end."
        ),
        hints={
            "a": "It would be, had the test set played no part in the choice. Did it?",
            "c": "The test images were never trained on; but were they used for anything else?",
            "d": "Keeping the best of 20 scores selects the luckiest one: which way does that bias the number?",
        },
    ).check(answer)
