"""``tensor.backward()`` and ``autograd.grad()``: the two ways to start backpropagation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .engine import _accumulate, run_backward


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _seed_grads(outputs: list, grad_outputs: list | None) -> list:
    grads = []
    for i, out in enumerate(outputs):
        g = None if grad_outputs is None else grad_outputs[i]
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs (this output has shape "
                    f"{tuple(out.shape)}); pass a gradient of that shape, e.g. "
                    "out.backward(autolab.ones_like(out)), or reduce it first with .sum()"
                )
            g = Tensor._wrap(np.ones(out.shape, out._data.dtype))
            if not isinstance(out._data, np.ndarray):  # the seed lives where the output does (a GPU)
                g = g.to(out.device)
        elif not isinstance(g, Tensor):
            g = Tensor._wrap(np.asarray(g, out._data.dtype))
        elif g._data.dtype != out._data.dtype:
            g = g.type(out.dtype)  # as PyTorch: a gradient takes the dtype of the tensor it belongs to
        if g.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and output[{i}] "
                f"has a shape of {tuple(out.shape)}."
            )
        grads.append(g)
    return grads


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves (what ``loss.backward()`` does)."""
    outputs = _as_list(tensors)
    grads = _seed_grads(outputs, None if grad_tensors is None else _as_list(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        wanted = _as_list(inputs)
        captured = run_backward(outputs, grads, retain_graph, create_graph, capture=wanted)
        for t in wanted:
            if id(t) in captured:
                _accumulate(t, captured[id(t)], create_graph)
        return
    run_backward(outputs, grads, retain_graph, create_graph)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than stored in ``.grad``.

    With ``create_graph=True`` the result is itself differentiable, which gives higher-order derivatives:

    >>> x = autolab.tensor(0.5, requires_grad=True)
    >>> (dy,) = autolab.autograd.grad(autolab.tanh(x), x, create_graph=True)
    >>> (d2y,) = autolab.autograd.grad(dy, x)  # -2 tanh(x) (1 - tanh(x)^2)
    >>> d2y
    tensor(-0.7269)
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    grads = _seed_grads(outs, None if grad_outputs is None else _as_list(grad_outputs))
    if retain_graph is None:
        retain_graph = create_graph
    captured = run_backward(outs, grads, retain_graph, create_graph, capture=ins)
    result = []
    for i, t in enumerate(ins):
        g = captured.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior."
            )
        result.append(g)
    return tuple(result)
