"""What every check shares: printing ✓ or ✗, turning tensors into arrays, and catching unfinished exercises."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

PASS = "✓"
FAIL = "✗"


class Result:
    """A check's verdict: truthy when it passed. Shows nothing in Jupyter, because the check already printed."""

    def __init__(self, passed: bool) -> None:
        self.passed = passed

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return PASS if self.passed else FAIL

    def _ipython_display_(self) -> None:
        pass


def ok(message: str) -> Result:
    print(f"{PASS} {message}")
    return Result(True)


def fail(hint: str) -> Result:
    print(f"{FAIL} {hint}")
    return Result(False)


def to_numpy(x: Any) -> np.ndarray:
    """An autolab or PyTorch tensor, a numpy array, a list or a number, as a float64 numpy array."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "numpy"):
        x = x.numpy()
    return np.asarray(x, dtype=np.float64)


def exercise(check: Callable[..., Result]) -> Callable[..., Result]:
    """Run a check; an unfinished exercise or a crash in the student's code becomes a ✗ with a hint.

    The student version of a notebook replaces each solution with ``raise NotImplementedError``, so without
    this the first unfinished exercise would stop "Run all" with a traceback instead of a hint.
    """

    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> Result:
        try:
            return check(*args, **kwargs)
        except NotImplementedError:
            return fail(
                "not done yet: replace `raise NotImplementedError()` in the cell above with your code, "
                "run that cell, then run this check again."
            )
        except Exception as e:  # the student's code crashed: show why, not a traceback into the checker
            return fail(f"your code raised {type(e).__name__}: {e}")

    return run


def close(a: Any, b: Any, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    a, b = to_numpy(a), to_numpy(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def worst(a: Any, b: Any) -> str:
    """Where two arrays of the same shape differ most, for a hint."""
    a, b = to_numpy(a), to_numpy(b)
    i = np.unravel_index(np.argmax(np.abs(a - b)), a.shape) if a.size else ()
    return f"largest difference at index {tuple(int(k) for k in i)}: yours {a[i]:.6g}, expected {b[i]:.6g}"
