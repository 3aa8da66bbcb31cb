"""Grad mode: whether new ops record themselves in the graph.

Each works as a context manager and as a decorator, like PyTorch's.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

# Per-thread, so a training thread under no_grad() does not switch recording off in the notebook.
_state = threading.local()


def is_grad_enabled() -> bool:
    return getattr(_state, "enabled", True)


def _set(enabled: bool) -> None:
    _state.enabled = enabled


def is_inference_mode_enabled() -> bool:
    return getattr(_state, "inference", False)


class _GradMode:
    enabled: bool = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # `@no_grad` without parentheses: called with the function itself, decorate it (PyTorch allows both)
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], bool):
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self) -> None:
        self._prev = is_grad_enabled()
        _set(self.enabled)

    def __exit__(self, *exc: Any) -> None:
        _set(self._prev)

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Don't record ops: for evaluation and for updating weights in place.

    >>> w = autolab.ones(3, requires_grad=True)
    >>> (w * 2).sum().backward()
    >>> with autolab.no_grad():
    ...     w -= 0.1 * w.grad
    >>> w
    tensor([0.8000, 0.8000, 0.8000], requires_grad=True)
    """

    enabled = False


class enable_grad(_GradMode):
    """Record ops again inside a ``no_grad`` block."""

    enabled = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` is ``no_grad()``; usable as a plain call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self.enabled = bool(mode)
        self._prev = is_grad_enabled()
        _set(self.enabled)  # PyTorch also applies it on construction, so a plain call works

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _set(self._prev)

    def __call__(self, fn: Callable) -> Callable:
        _set(self._prev)  # construction applied the mode; as a decorator it must apply only inside fn
        mode = self.enabled

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class inference_mode(no_grad):
    """Same as ``no_grad`` here (PyTorch adds extra speed-ups we don't need); ``is_inference_mode_enabled()``
    says whether one is active."""

    def __init__(self, mode: bool = True) -> None:
        self.enabled = not mode
        self.mode = bool(mode)

    def __enter__(self) -> None:
        super().__enter__()
        self._prev_inference = is_inference_mode_enabled()
        _state.inference = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.inference = self._prev_inference
        super().__exit__(*exc)

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper
