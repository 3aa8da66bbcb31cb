"""``Variable``: PyTorch's old wrapper around a tensor, kept so that old tutorials run.

Since PyTorch 0.4 a tensor does everything a Variable did; ``Variable(t, requires_grad=True)`` now simply gives
a tensor that shares ``t``'s data and requires grad, and every tensor counts as a Variable.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


class _VariableType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableType):
    """``Variable(t, requires_grad=True)``: ``t.detach().requires_grad_(True)``, as in PyTorch today."""

    def __new__(cls, data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # type: ignore[misc]
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        return out.requires_grad_(True) if requires_grad else out
