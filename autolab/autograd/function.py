"""The base class of every op.

An op subclasses ``Function`` and writes two methods side by side:

- ``forward(*arrays, **options)`` computes on raw numpy arrays;
- ``backward(grad)`` receives the gradient of the output as a Tensor and returns one Tensor (or None) per input,
  written with Tensor ops, so that with ``create_graph=True`` the backward pass is itself differentiable.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from .grad_mode import is_grad_enabled

if TYPE_CHECKING:
    from ..tensor import Tensor

# The modules whose forward is running (outermost first). nn.Module.__call__ pushes and pops; each op records the
# stack in ``fn.scope`` so the widgets can fold the op graph into one node per module call. Per thread, so a model
# run in the notebook while another trains in the background doesn't mix their module attribution.
_local = threading.local()


def current_scope() -> tuple:
    return getattr(_local, "scope", ())


def set_scope(scope: tuple) -> None:
    _local.scope = scope


class Function:
    """One node of the graph: the op that produced a tensor."""

    inputs: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]

    def forward(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]:
        raise NotImplementedError(f"{self.name()} has no backward")

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        from ..tensor import Tensor

        fn = cls()
        out = Tensor._wrap(fn.forward(*[t._data for t in inputs], **options))
        if is_grad_enabled() and any(t.requires_grad for t in inputs):
            if out._data.dtype.kind != "f":
                return out  # integer results (argmax, indices) carry no gradient
            fn.inputs = inputs
            fn.needs_input_grad = tuple(t.requires_grad for t in inputs)
            fn.scope = getattr(_local, "scope", ())
            fn._output = weakref.ref(out)
            fn._released = False
            out.requires_grad = True
            out.grad_fn = fn
        return out

    @property
    def output(self) -> Tensor:
        """The tensor this op produced. Held weakly: a strong reference would make a cycle output -> fn -> output."""
        out = self._output()
        if out is None:
            raise RuntimeError(f"{self.name()}: its output tensor no longer exists")
        return out

    def name(self) -> str:
        # PyTorch's names where ours differ (PowScalar is PyTorch's Pow with a number exponent)
        return f"{getattr(self, 'torch_name', type(self).__name__)}Backward0"

    @property
    def next_functions(self) -> tuple:
        """PyTorch-style edges: (grad_fn of each input, 0); leaves that need a grad get an AccumulateGrad."""
        edges = []
        for t in self.inputs:
            if t.grad_fn is not None:
                edges.append((t.grad_fn, 0))
            elif t.requires_grad:
                edges.append((AccumulateGrad(t), 0))
            else:
                edges.append((None, 0))
        return tuple(edges)

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad:
    """The node PyTorch shows for a leaf tensor that requires grad."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions: tuple = ()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"
