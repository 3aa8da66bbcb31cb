"""The base class of every op.

An op subclasses ``Function`` and writes two methods side by side:

- ``forward(*arrays, **options)`` computes on raw numpy arrays;
- ``backward(grad)`` receives the gradient of the output as a Tensor and returns one Tensor (or None) per input,
  written with Tensor ops, so that with ``create_graph=True`` the backward pass is itself differentiable. For an
  input whose ``needs_input_grad`` is False it returns None and skips that work (every op with several inputs
  does: the first conv layer's input gradient is most of its backward).

Put the op's public function right below its ``Function`` (see autolab/ops): forward, backward and the function
that checks the arguments, on one screen.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np

from ..tensor import Tensor
from .grad_mode import is_grad_enabled


class _Scope(threading.local):
    # The modules whose forward is running (outermost first). nn.Module.__call__ pushes and pops; each op records
    # the stack in ``fn.scope`` so the widgets can fold the op graph into one node per module call. Per thread, so
    # a model run in the notebook while another trains in the background doesn't mix their module attribution.
    scope: tuple = ()


_local = _Scope()


def current_scope() -> tuple:
    return _local.scope


def set_scope(scope: tuple) -> None:
    _local.scope = scope


class Function:
    """One node of the graph: the op that produced a tensor."""

    # set by apply when the op is recorded in the graph
    inputs: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]
    scope: tuple
    _output: weakref.ref
    _released: bool

    def forward(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]:
        raise NotImplementedError(f"{self.name()} has no backward")

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run ``forward`` on the inputs' arrays; when grad mode is on and an input requires grad, record this
        op as the output's ``grad_fn`` (what ``backward`` walks)."""
        fn = cls()
        out = Tensor._wrap(fn.forward(*[t._data for t in inputs], **options))
        if not is_grad_enabled():
            return out
        needs = tuple([t.requires_grad for t in inputs])
        if True not in needs or out._data.dtype.kind != "f":
            return out  # nothing to differentiate; integer results (argmax, indices) carry no gradient
        fn.inputs = inputs
        fn.needs_input_grad = needs
        fn.scope = current_scope()
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
