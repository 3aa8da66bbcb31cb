"""``tensor.backward()`` and ``autograd.grad()``: the two ways to start backpropagation; and, built on them,
``torch.autograd.functional``'s ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp``, ``vhp``."""

from __future__ import annotations

from typing import Any

import numpy as np

import autolab  # jacobian stacks its rows with autolab.ops.stack, reached at call time (ops sit above autograd)

from ..tensor import Tensor
from .engine import _accumulate, run_backward
from .grad_mode import enable_grad


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


# ---- torch.autograd.functional: whole Jacobians and Hessians, and their products with a vector ---------------------
# Built on grad(): one backward pass per output element for a Jacobian (reverse mode), and grad of a grad for the
# forward-mode and Hessian products. Small problems only: that is what they are for in a course.
def _prepare(inputs: Any, create_graph: bool) -> tuple[tuple, bool]:
    is_tuple = isinstance(inputs, (tuple, list))
    xs = tuple(_as_list(inputs))
    for i, x in enumerate(xs):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"The inputs given to jacobian must be either a Tensor or a tuple of Tensors but the value at index {i} has type {type(x).__name__}."
            )
    # fresh leaves, unless the caller wants the result to stay connected to its own graph
    return tuple(
        x if create_graph and x.requires_grad else x.detach().requires_grad_(x.is_floating_point()) for x in xs
    ), is_tuple


def _grads_or_zeros(out: Tensor, xs: tuple, g_out: Tensor | None, create_graph: bool) -> list[Tensor]:
    if not out.requires_grad:
        return [Tensor._wrap(np.zeros(x.shape, x._data.dtype)) for x in xs]
    gs = grad(out, xs, g_out, retain_graph=True, create_graph=create_graph, allow_unused=True)
    return [Tensor._wrap(np.zeros(x.shape, x._data.dtype)) if g is None else g for x, g in zip(xs, gs)]


def jacobian(func: Any, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False) -> Any:
    """d outputs / d inputs, each block of shape ``output.shape + input.shape`` (``torch.autograd.functional``)."""
    xs, in_tuple = _prepare(inputs, create_graph)
    with enable_grad():
        outs = func(*xs)
    out_tuple = isinstance(outs, (tuple, list))
    blocks = []
    for out in _as_list(outs):
        rows: list[list[Tensor]] = [[] for _ in xs]
        flat = out.reshape(-1)
        for j in range(flat.numel()):
            onehot = np.zeros(flat.shape, out._data.dtype)
            onehot[j] = 1
            for k, g in enumerate(_grads_or_zeros(flat, xs, Tensor._wrap(onehot), create_graph)):
                rows[k].append(g)
        per_input = tuple(
            (autolab.ops.stack(r) if r else Tensor._wrap(np.zeros((0, *x.shape), x._data.dtype))).reshape(
                *out.shape, *x.shape
            )
            for r, x in zip(rows, xs)
        )
        if not create_graph:
            per_input = tuple(b.detach() for b in per_input)
        blocks.append(per_input if in_tuple else per_input[0])
    return tuple(blocks) if out_tuple else blocks[0]


def hessian(func: Any, inputs: Any, create_graph: bool = False, strict: bool = False, vectorize: bool = False) -> Any:
    """The second derivatives of a scalar ``func``: blocks of shape ``input_i.shape + input_j.shape``."""

    def scalar(*xs: Tensor) -> Tensor:
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with one element")
        return out.reshape(())

    def jac(*xs: Tensor) -> Any:
        return jacobian(scalar, xs if isinstance(inputs, (tuple, list)) else xs[0], create_graph=True)

    return jacobian(jac, inputs, create_graph=create_graph)


def vjp(func: Any, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), v^T J): a vector times the Jacobian, one backward pass."""
    xs, in_tuple = _prepare(inputs, create_graph)
    with enable_grad():
        outs = func(*xs)
    out_list = _as_list(outs)
    vs = [None] * len(out_list) if v is None else _as_list(v)
    total: list[Tensor] | None = None
    for out, vi in zip(out_list, vs):
        gs = _grads_or_zeros(out, xs, vi, create_graph)
        total = gs if total is None else [a + b for a, b in zip(total, gs)]
    assert total is not None
    res = tuple(g if create_graph else g.detach() for g in total)
    outs_d = (
        outs
        if create_graph
        else (tuple(o.detach() for o in out_list) if isinstance(outs, (tuple, list)) else outs.detach())
    )
    return outs_d, res if in_tuple else res[0]


def jvp(func: Any, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), J v): the Jacobian times a vector, by the double-backward trick (the vjp of a vjp)."""
    xs, in_tuple = _prepare(inputs, create_graph)
    vs = [Tensor._wrap(np.ones(x.shape, x._data.dtype)) for x in xs] if v is None else _as_list(v)
    with enable_grad():
        outs = func(*xs)
        out_list = _as_list(outs)
        # u is a dummy cotangent; d(u^T J)/du . v = J v
        us = [Tensor._wrap(np.zeros(o.shape, o._data.dtype)).requires_grad_(True) for o in out_list]
        g = grad(out_list, xs, us, create_graph=True, allow_unused=True)
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi is not None]
        res = grad([p[0] for p in pairs], us, [p[1] for p in pairs], create_graph=create_graph, allow_unused=True)
    res = tuple(
        (Tensor._wrap(np.zeros(o.shape, o._data.dtype)) if r is None else r if create_graph else r.detach())
        for r, o in zip(res, out_list)
    )
    outs_d = (
        outs
        if create_graph
        else (tuple(o.detach() for o in out_list) if isinstance(outs, (tuple, list)) else outs.detach())
    )
    return outs_d, res if isinstance(outs, (tuple, list)) else res[0]


def hvp(func: Any, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), H v) for a scalar ``func``: a gradient, then the gradient of (gradient . v)."""
    xs, in_tuple = _prepare(inputs, create_graph)
    vs = _as_list(v)
    with enable_grad():
        out = func(*xs)
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        dot = sum(
            ((g * vi).sum() for g, vi in zip(gs, vs) if g is not None), Tensor._wrap(np.zeros((), out._data.dtype))
        )
        res = (
            _grads_or_zeros(dot, xs, None, create_graph)
            if dot.requires_grad
            else _grads_or_zeros(out.detach(), xs, None, False)
        )
    res = [r if create_graph else r.detach() for r in res]
    return (out if create_graph else out.detach()), tuple(res) if in_tuple else res[0]


vhp = hvp  # the Hessian of a twice-differentiable scalar function is symmetric: v^T H = (H v)^T
