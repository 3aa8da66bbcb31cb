"""Backpropagation: walk the graph from the output back to the leaves, applying each op's backward.

The topological order is built with an explicit stack, not recursion, so a chain of 10,000 ops works.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .grad_mode import no_grad, set_grad_enabled

if TYPE_CHECKING:
    from ..tensor import Tensor

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time."
)


def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Tensors reachable from ``roots`` through ``grad_fn``, each after every tensor that depends on it."""
    order: list[Tensor] = []
    # A tensor is marked when it is expanded, not when it is pushed: marking on push would let a tensor reached
    # by two paths (y + y * 2) finish before one of its consumers, and then that consumer's gradient arrives
    # after the tensor was already processed, and is lost.
    seen: set[int] = set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            t, expanded = stack.pop()
            if expanded:
                order.append(t)  # post-order: all of t's inputs are already in `order`
                continue
            if id(t) in seen:
                continue
            seen.add(id(t))
            stack.append((t, True))
            if t.grad_fn is not None:
                for parent in t.grad_fn.inputs:
                    if parent.requires_grad and id(parent) not in seen:
                        stack.append((parent, False))
    order.reverse()  # outputs first
    return order


def ready_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """A topological order in which each tensor comes as soon as every tensor that sends it a gradient is done.

    Any topological order gives the same gradients, but ``topological_order`` (depth first) often puts a
    layer's weight at the very end: the weight is reached before the activations that feed the same op. Here a
    tensor becomes *ready* when its last consumer has been processed, and the newest ready tensor goes next (a
    stack), so a layer's weight is accumulated right after that layer's backward. Its post-accumulate hooks then
    run early: that is when DistributedDataParallel starts a bucket's all-reduce, overlapping communication with
    the rest of backward (PyTorch's engine also runs a node as soon as its dependencies are done).
    """
    consumers: dict[int, int] = {}  # id -> how many gradients will flow into this tensor
    parents: dict[int, list[Tensor]] = {}  # id -> its inputs that need a gradient (found once, used twice)
    stack = list(roots)
    while stack:
        t = stack.pop()
        if id(t) in parents:
            continue
        fn = t.grad_fn
        ps = [p for p in fn.inputs if p.requires_grad] if fn is not None else []
        parents[id(t)] = ps
        for p in ps:
            consumers[id(p)] = consumers.get(id(p), 0) + 1
        stack.extend(ps)
    order: list[Tensor] = []
    ready = [r for r in reversed(roots) if id(r) not in consumers]
    while ready:
        t = ready.pop()
        if id(t) not in parents:
            continue  # a root listed twice
        ps = parents.pop(id(t))
        order.append(t)
        for p in ps:
            left = consumers[id(p)] - 1
            consumers[id(p)] = left
            if left == 0:
                ready.append(p)
    return order


# ---- callbacks at the end of a backward pass (PyTorch: Variable._execution_engine.queue_callback) -----------
_state = threading.local()  # each thread runs its own backward passes (the dashboard trains on a thread)


def queue_callback(callback: Callable[[], None]) -> None:
    """Run ``callback()`` once the backward pass now running has finished (DDP waits for its all-reduces there)."""
    queue = getattr(_state, "callbacks", None)
    if queue is None:
        raise RuntimeError("queue_callback() can only be called while a backward pass is running (from a hook)")
    queue.append(callback)


def run_backward(
    roots: Sequence[Tensor],
    grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[Tensor] | None = None,
) -> dict[int, Tensor]:
    """Propagate ``grads`` from ``roots``.

    Without ``capture`` the gradients of leaves accumulate into ``.grad`` (what ``backward()`` does); with it, the
    gradients of the captured tensors are returned instead and no ``.grad`` is touched (``autograd.grad``).
    """
    pending: dict[int, Tensor] = {}
    for r, g in zip(roots, grads):
        pending[id(r)] = pending[id(r)] + g if id(r) in pending else g
    wanted = {id(t) for t in capture} if capture is not None else None
    captured: dict[int, Tensor] = {}
    outer_callbacks = getattr(_state, "callbacks", None)
    _state.callbacks = []
    try:
        _propagate(roots, pending, wanted, captured, retain_graph, create_graph)
        callbacks = _state.callbacks
        while callbacks:  # a callback may queue another
            callbacks.pop(0)()
    finally:
        _state.callbacks = outer_callbacks
    return captured


def _propagate(
    roots: Sequence[Tensor],
    pending: dict[int, Tensor],
    wanted: set[int] | None,
    captured: dict[int, Tensor],
    retain_graph: bool,
    create_graph: bool,
) -> None:
    # Without create_graph the backward ops are not recorded: that keeps the pass cheap.
    with set_grad_enabled(create_graph):
        for t in ready_order(roots):
            if id(t) not in pending:
                continue
            g = pending.pop(id(t))
            for hook in t._backward_hooks:
                new = hook(g)
                if new is not None:
                    g = new
            if wanted is not None:
                if id(t) in wanted:
                    captured[id(t)] = g
            elif t.grad_fn is None or t._retains_grad:
                _accumulate(t, g, create_graph)
            fn = t.grad_fn
            if fn is None:
                continue
            if fn._released:
                raise RuntimeError(FREED_MESSAGE)
            in_grads = fn.backward(g)
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            for inp, ig in zip(fn.inputs, in_grads):
                if ig is None or not inp.requires_grad:
                    continue
                if ig.shape != inp.shape:
                    raise RuntimeError(
                        f"{fn.name()} returned a gradient of shape {ig.shape} for an input of "
                        f"shape {inp.shape}: this is a bug in that op's backward"
                    )
                pending[id(inp)] = pending[id(inp)] + ig if id(inp) in pending else ig
            if not retain_graph:
                fn._released = True


def _accumulate(t: Tensor, g: Tensor, create_graph: bool) -> None:
    if not create_graph:
        # A copy, so that an in-place change of one .grad (zero_(), clipping) never reaches another tensor's.
        g = g.detach().clone()
    if t.grad is None:
        t.grad = g
    else:
        # Out of place: `g` may be shared with another tensor's gradient (Add hands the same grad to both inputs).
        with no_grad() if not create_graph else set_grad_enabled(True):
            t.grad = t.grad + g
    for hook in t._post_accumulate_grad_hooks:  # leaves only; () unless a hook was registered
        hook(t)
