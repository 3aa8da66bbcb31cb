"""Conceptual exercises ("predict the output", "find the bug", "name the cause"), autograded from an answer.

The student sets a variable (``answer = "b"``, or a number) in a solution cell; the check compares it with the
right answer and explains why, or, for a wrong answer, gives the hint written for that particular mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..i18n import tr
from ._core import Result, fail, ok


def _unanswered(answer: Any) -> bool:
    return answer is None or answer is ... or (isinstance(answer, str) and answer.strip() in ("", "?"))


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question: ``options`` maps each letter to its text; ``hints`` a wrong letter to a hint."""

    right: str
    why: str
    options: Mapping[str, str]
    hints: Mapping[str, str] = field(default_factory=dict)
    hint: str = ""  # for a wrong letter without a hint of its own

    def check(self, answer: Any) -> Result:
        if _unanswered(answer):
            return fail(f"not done yet: set the answer to one of {_letters(self.options)}.")
        if callable(answer):
            answer = answer()
        letter = str(answer).strip().lower().rstrip(")").lstrip("(")
        if letter not in self.options:
            return fail(f"{answer!r} is not one of the choices: answer with one of {_letters(self.options)}.")
        if letter == self.right:
            return ok(f"right, ({letter}) {self.options[letter]}. {self.why}")
        return fail(f"not ({letter}). {self.hints.get(letter, self.hint)}".rstrip())


@dataclass(frozen=True)
class Number:
    """A question whose answer is a number, right within ``rtol`` (relative) or ``atol``."""

    right: float
    why: str
    rtol: float = 0.01
    atol: float = 0.0
    near_misses: tuple[tuple[float, str], ...] = ()  # (a typical wrong value, the hint for it)
    hint: str = ""

    def check(self, answer: Any) -> Result:
        if _unanswered(answer):
            return fail("not done yet: set the answer to a number.")
        if callable(answer):
            answer = answer()
        try:
            value = float(answer.item() if hasattr(answer, "item") else answer)
        except (TypeError, ValueError):
            return fail(f"{answer!r} is not a number.")
        if abs(value - self.right) <= max(self.atol, self.rtol * abs(self.right)):
            return ok(f"right: {self.right:g}. {self.why}")
        for wrong, hint in self.near_misses:
            if abs(value - wrong) <= max(self.atol, self.rtol * abs(wrong)):
                return fail(f"{value:g} is not it. {hint}")
        return fail(f"{value:g} is not it. {self.hint}".rstrip())


def _letters(options: Mapping[str, str]) -> str:
    names = [f'"{k}"' for k in options]
    return ", ".join(names[:-1]) + tr(" or ") + names[-1] if len(names) > 1 else names[0]
