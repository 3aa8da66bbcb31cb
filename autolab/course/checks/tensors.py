"""Checks for notebook 01 (tensors)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autolab

from ._core import Result, close, exercise, fail, ok, to_numpy, worst
from ._quiz import Choice

_SHAPE_CASES = [
    ((3,), (3,)),
    ((4, 3), (3,)),
    ((4, 1), (1, 5)),
    ((2, 1, 3), (4, 1)),
    ((1,), (7, 2)),
    ((), (2, 3)),
    ((8, 1, 6, 1), (7, 1, 5)),
]
_BAD_CASES = [((3,), (4,)), ((2, 3), (3, 2)), ((4, 3), (4,))]


def _random_shape_cases(seed: int) -> tuple[list, list]:
    """Pairs of shapes that broadcast, and pairs that do not, drawn at random (for hidden tests)."""
    rng = np.random.default_rng(seed)

    def pair(n: int) -> tuple[list[int], list[int]]:
        out = [int(s) for s in rng.choice([2, 3, 5, 6], n)]
        # each side keeps every axis, or drops some leading ones (a missing axis broadcasts like a 1)
        a = [1 if rng.random() < 0.35 else s for s in out][int(rng.integers(0, n + 1)) if rng.random() < 0.5 else 0 :]
        b = [1 if rng.random() < 0.35 else s for s in out][int(rng.integers(0, n + 1)) if rng.random() < 0.5 else 0 :]
        return a, b

    good = [tuple(map(tuple, pair(int(rng.integers(1, 6))))) for _ in range(12)]
    bad = []
    for _ in range(6):
        n = int(rng.integers(1, 6))
        a, b = pair(n)
        a, b = [2] * (n - len(a)) + a, [3] * (n - len(b)) + b  # full length, then one axis made to clash
        k = int(rng.integers(0, n))
        a[k], b[k] = 4, 7
        bad.append((tuple(a[int(rng.integers(0, k + 1)) :]), tuple(b[int(rng.integers(0, k + 1)) :])))
    return good, bad


@exercise
def broadcast_shape(fn: Callable[[tuple, tuple], tuple], seed: int | None = None) -> Result:
    """``fn(a_shape, b_shape)`` must return the broadcast shape, or raise ValueError when there is none.

    ``seed`` draws other shapes than the fixed cases (up to five dimensions), as hidden tests do."""
    cases, bad_cases = (_SHAPE_CASES, _BAD_CASES) if seed is None else _random_shape_cases(seed)
    for a, b in cases:
        want = tuple(np.broadcast_shapes(a, b))
        got = fn(a, b)
        if got is None:
            return fail("your function returned None: did you forget `return`?")
        if tuple(got) != want:
            return fail(
                f"broadcast_shape({a}, {b}) gave {tuple(got)}, expected {want}. Line the shapes up from the "
                "RIGHT; pad the shorter one with 1s on the left; in each position the sizes must be equal or "
                "one of them 1, and the result takes the larger."
            )
    for a, b in bad_cases:
        try:
            got = fn(a, b)
        except ValueError:
            continue
        return fail(
            f"broadcast_shape({a}, {b}) returned {got}, but these shapes do not broadcast: raise ValueError "
            "when two sizes differ and neither is 1."
        )
    return ok(f"broadcast_shape agrees with numpy on {len(cases) + len(bad_cases)} cases.")


@exercise
def pairwise_sq_distances(fn: Callable, seed: int | None = None) -> Result:
    """``fn(a, b)`` for a (N, D) and b (M, D) tensors must return the (N, M) squared distances.

    ``seed`` draws other sizes (N, M and D) and values than the fixed 5 x 4 points in 3-D."""
    rng = np.random.default_rng(0 if seed is None else seed)
    n, m, d = (5, 4, 3) if seed is None else (int(v) for v in rng.integers(1, 9, 3))
    a, b = rng.standard_normal((n, d)), rng.standard_normal((m, d))
    want = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    got = fn(autolab.tensor(a, dtype=autolab.float32), autolab.tensor(b, dtype=autolab.float32))
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    got_np = to_numpy(got)
    if got_np.shape != want.shape:
        return fail(
            f"the result has shape {got_np.shape}, expected {want.shape}. Hint: a[:, None, :] has shape "
            "(N, 1, D) and b[None, :, :] has shape (1, M, D); their difference broadcasts to (N, M, D)."
        )
    if not close(got_np, want):
        return fail(f"wrong values: {worst(got_np, want)}. Square the differences, then sum over the last axis.")
    return ok("pairwise squared distances are right, with no Python loop over points.")


@exercise
def standardize_rows(fn: Callable, seed: int | None = None) -> Result:
    """``fn(x)`` for x (N, D): each row minus its mean, divided by its standard deviation (reductions with
    ``dim=1, keepdim=True``). A square x comes first: there a missing keepdim is silently wrong, not an error."""

    rng = np.random.default_rng(11 if seed is None else seed)
    for shape in ((4, 4), (3, 6)):
        x = rng.standard_normal(shape) * rng.uniform(0.5, 3, (shape[0], 1)) + rng.uniform(-5, 5, (shape[0], 1))
        got = fn(autolab.tensor(x.astype(np.float32)))
        if got is None:
            return fail("your function returned None: did you forget `return`?")
        got = to_numpy(got)
        if got.shape != shape:
            return fail(f"for x of shape {shape} you returned shape {got.shape}; the result has x's shape.")
        mean = x.mean(axis=1, keepdims=True)
        answers = [(x - mean) / x.std(axis=1, ddof=d, keepdims=True) for d in (0, 1)]
        if any(np.allclose(got, a, rtol=1e-3, atol=1e-4) for a in answers):
            continue
        if shape[0] == shape[1] and np.allclose(got, (x - x.mean(axis=1)) / x.std(axis=1), rtol=1e-3, atol=1e-4):
            return fail(
                "the row means have shape (N,), and broadcasting lines them up with the COLUMNS of x: each "
                "column got one row's mean. Keep the reduced axis: x.mean(dim=1, keepdim=True) has shape (N, 1)."
            )
        if np.allclose(got, (x - x.mean(axis=0)) / x.std(axis=0), rtol=1e-3, atol=1e-4):
            return fail("you standardised the columns (dim=0); each ROW should get mean 0 and std 1 (dim=1).")
        return fail(
            f"for x of shape {shape}: {worst(got, answers[0])}. Subtract the row's mean, then divide by its std."
        )
    return ok("every row now has mean 0 and std 1, for square and non-square x: keepdim did its job.")


@exercise
def views_quiz(answer) -> Result:
    """Which entries of ``a`` change when a slice and a masked copy of it are written to?"""

    question = Choice(
        right="b",
        options={"a": "a[0, 1] and a[1, 0]", "b": "only a[0, 1]", "c": "only a[1, 0]", "d": "neither"},
        why=(
            "b = a[:, 1] is a basic slice: a view of a's memory, so b[0] = 100 writes a[0, 1]. c = a[a > 2] uses "
            "a boolean mask (advanced indexing), which always copies: c[0] = -1 changes the copy only."
        ),
        hints={
            "a": "Basic slices are views, but a boolean mask copies: what does c share with a?",
            "c": "It is the other way round: which of the two is a view, the slice or the masked selection?",
            "d": "A basic slice such as a[:, 1] does not copy: writing to it writes to a.",
        },
    )
    return question.check(answer)
