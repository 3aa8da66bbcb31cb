"""``Parameter``: a tensor that a Module registers as learnable when you assign it as an attribute."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` that ``Module.parameters()`` finds.

    >>> weight = nn.Parameter(autolab.randn(10, 5))  # in a Module's __init__: self.weight = ...
    >>> weight.requires_grad, weight.is_leaf
    (True, True)
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        super().__init__([] if data is None else data, dtype=None, requires_grad=False)
        if isinstance(data, Tensor):
            self._data = data._data  # share storage, as PyTorch's Parameter(t) does
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
