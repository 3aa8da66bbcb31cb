"""What every check shares: printing ✓ or ✗, turning tensors into arrays, catching unfinished exercises, and
grading mode (a failed check raises, so nbgrader's autograde counts its cell as failed)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from ..i18n import explain, message, translate

PASS = "✓"
FAIL = "✗"

# id(student's object) -> (the object, did every check of it pass). The object is kept so its id stays unique.
_verdicts: dict[int, tuple[Any, bool]] = {}


def grading() -> bool:
    """True while a grader runs the notebook: nbgrader's autograde and validate set ``NBGRADER_EXECUTION``
    (see nbgrader/converters/autograde.py and validator.py); ``AUTOLAB_GRADING=1`` asks for it by hand."""
    if os.environ.get("NBGRADER_EXECUTION"):
        return True
    return os.environ.get("AUTOLAB_GRADING", "").strip().lower() not in ("", "0", "false", "no", "off")


def passed(answer: Any) -> bool:
    """Whether ``answer`` (the function, class or value a student gave to a check) passed every check it was given.

    Later cells use it to fall back to a built-in while an exercise is unfinished, e.g.
    ``loss_fn = mse if checks.passed(mse) else F.mse_loss``. (In grading mode a failing check raises, so a
    variable assigned from it, ``mse_ok = checks.mse(mse)``, would never be set.) False for anything never checked.
    """
    entry = _verdicts.get(id(answer))
    return entry is not None and entry[0] is answer and entry[1]


def _record(answer: Any, ok: bool) -> None:
    entry = _verdicts.get(id(answer))
    before = entry[1] if entry is not None and entry[0] is answer else True
    _verdicts[id(answer)] = (answer, before and ok)


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
    """Print ✓ and ``message`` (in the student's language: ``i18n.translate``); a passing Result."""
    print(f"{PASS} {translate(message)}")
    return Result(True)


def fail(hint: str) -> Result:
    """Print ✗ and ``hint`` (in the student's language: ``i18n.translate``); a failing Result."""
    print(f"{FAIL} {translate(hint)}")
    return Result(False)


def to_numpy(x: Any) -> np.ndarray:
    """An autolab or PyTorch tensor, a numpy array, a list or a number, as a float64 numpy array."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "numpy"):
        x = x.numpy()
    return np.asarray(x, dtype=np.float64)


class CheckFailed(AssertionError):
    """Raised in grading mode by a check that did not pass, so the test cell fails (after the ✗ line printed)."""


def exercise(check: Callable[..., Result]) -> Callable[..., Result]:
    """Run a check; an unfinished exercise or a crash in the student's code becomes a ✗ with a hint.

    The student edition of a notebook replaces each solution with ``raise NotImplementedError``, so without
    this the first unfinished exercise would stop "Run all" with a traceback instead of a hint. In grading
    mode (:func:`grading`) a ✗ then raises :class:`CheckFailed`, an AssertionError, so the grader sees the
    test cell fail; a student working in the notebook only sees the ✗ line.
    """

    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> Result:
        try:
            result = check(*args, **kwargs)
        except NotImplementedError:
            result = fail(message("not_done"))
        except Exception as e:  # the student's code crashed: show why, not a traceback into the checker
            hint = explain(e)  # an engine error stays English; a Chinese notebook adds it in Chinese
            result = fail(message("crashed", error=f"{type(e).__name__}: {e}") + (f"\n  {hint}" if hint else ""))
        if args:
            _record(args[0], bool(result))
        if not result and grading():
            raise CheckFailed(f"checks.{check.__name__} did not pass (see the line above)")
        return result

    return run


def close(a: Any, b: Any, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    a, b = to_numpy(a), to_numpy(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def worst(a: Any, b: Any) -> str:
    """Where two arrays of the same shape differ most, for a hint."""
    a, b = to_numpy(a), to_numpy(b)
    i = np.unravel_index(np.argmax(np.abs(a - b)), a.shape) if a.size else ()
    return f"largest difference at index {tuple(int(k) for k in i)}: yours {a[i]:.6g}, expected {b[i]:.6g}"
