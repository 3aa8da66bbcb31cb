"""PyTorch's ``out=`` keyword (``torch.matmul(a, b, out=c)``, used by its tensors tutorial), as a decorator."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor


def write_out(result: Tensor, out: Tensor, name: str) -> Tensor:
    """Write ``result`` into ``out`` and return ``out``: PyTorch's ``out=`` keyword.

    As in PyTorch, ``out`` keeps its dtype (a float result is not written into an integer tensor), takes the
    result's shape if it had another, and is refused when autograd would need to record the op.
    """
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad."
        )
    if result._data.dtype.kind == "f" and out._data.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type {out.dtype}")
    if out.shape == result.shape:
        np.copyto(out._data, result._data, casting="unsafe")
    else:  # PyTorch resizes out (and warns when it was not empty)
        out._data = result._data.astype(out._data.dtype)
    return out


def accepts_out(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """Give ``fn`` an ``out=`` keyword (for ops whose own cost dwarfs the wrapper's: matmul, cat, stack)."""

    @functools.wraps(fn)
    def with_out(*args: Any, out: Tensor | None = None, **kwargs: Any) -> Tensor:
        result = fn(*args, **kwargs)
        return result if out is None else write_out(result, out, fn.__name__)

    return with_out
