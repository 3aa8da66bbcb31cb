"""Checks for notebook 01 (tensors)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autolab

from ._core import Result, close, exercise, fail, ok, to_numpy, worst

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


@exercise
def broadcast_shape(fn: Callable[[tuple, tuple], tuple]) -> Result:
    """``fn(a_shape, b_shape)`` must return the broadcast shape, or raise ValueError when there is none."""
    for a, b in _SHAPE_CASES:
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
    for a, b in _BAD_CASES:
        try:
            got = fn(a, b)
        except ValueError:
            continue
        return fail(
            f"broadcast_shape({a}, {b}) returned {got}, but these shapes do not broadcast: raise ValueError "
            "when two sizes differ and neither is 1."
        )
    return ok(f"broadcast_shape agrees with numpy on {len(_SHAPE_CASES) + len(_BAD_CASES)} cases.")


@exercise
def pairwise_sq_distances(fn: Callable) -> Result:
    """``fn(a, b)`` for a (N, D) and b (M, D) tensors must return the (N, M) squared distances."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
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
