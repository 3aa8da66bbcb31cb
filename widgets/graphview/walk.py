"""Backward, step by step, in the engine's own order, with the engine's own rules.

The order comes from ``autolab.autograd.engine.ready_order``, the order ``backward()`` itself walks;
each step calls the op's real ``backward`` on the gradient summed so far, and sums what arrives at a tensor in
the order the engine does (``pending + g``). So every number the walk shows is the number ``loss.backward()``
computes (tests compare them); the walk only *records* what happens in between: the gradient arriving at each
op, what it sends to each input, and the additions when a tensor is used twice.

Two differences from a real ``backward()``: nothing is written to ``.grad`` (the walk can run before or after
it, any number of times), and hooks registered with ``register_hook`` are not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import autolab
from autolab.autograd.engine import ready_order

from .model import Graph
from .summary import Summary, summarize


@dataclass
class Send:
    """The gradient one op sends to one of its inputs."""

    node: int  # the input's node id
    slot: int  # which argument
    grad: Summary
    total: Summary | None = None  # the input's gradient summed so far, when this is not its first part
    before: Summary | None = None  # what it had before this part arrived


@dataclass
class Step:
    """The engine's visit of one tensor: its gradient is complete; a leaf stores it, an op's output runs backward."""

    node: int  # node id of the tensor: its op's id, or its leaf id
    grad: Summary
    parts: int  # how many gradients were summed into it (2 or more: it was used more than once)
    op: int | None  # the op whose backward ran (None for a leaf)
    sends: list[Send] = field(default_factory=list)


@dataclass
class Walk:
    forward: list[int]  # op ids, in an order the forward pass could have run them
    backward: list[Step]
    grads: dict[int, Summary]  # the complete gradient of every tensor node
    seed_ones: bool  # the root is not a scalar: the walk starts from ones, as if it were summed
    error: str = ""  # an op's backward failed (a bug in an op you wrote): the walk stops at that step


def walk(root: Any, graph: Graph) -> Walk:
    """Run backward from ``root`` without touching ``.grad``, recording every step. ``graph`` must be the
    ``capture(root, values=True)`` made just before (its node numbers are looked up by ``id``)."""
    ids = graph._ids

    def node_of(t: Any) -> int:
        return ids[id(t.grad_fn)] if t.grad_fn is not None else ids[id(t)]

    pending: dict[int, Any] = {}
    counts: dict[int, int] = {}
    pending[id(root)], counts[id(root)] = autolab.ones_like(root).detach(), 1
    steps: list[Step] = []
    grads: dict[int, Summary] = {}
    if not root.requires_grad:
        return Walk(graph.forward_order, [], {}, root.numel() != 1)
    # Without create_graph the engine runs the backward rules with grad mode off: so does the walk.
    with autolab.no_grad():
        for t in ready_order([root]):
            g = pending.pop(id(t), None)
            if g is None:
                continue
            step = Step(node_of(t), summarize(g.numpy()), counts.pop(id(t)), None)
            grads[step.node] = step.grad
            steps.append(step)
            fn = t.grad_fn
            if fn is None:
                continue
            step.op = step.node
            try:
                in_grads = fn.backward(g)
            except Exception as e:  # the same failure backward() would raise, shown in the walk instead
                return Walk(graph.forward_order, steps, grads, root.numel() != 1, f"{type(e).__name__}: {e}")
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            for slot, (inp, ig) in enumerate(zip(fn.inputs, in_grads)):
                if ig is None or not inp.requires_grad:
                    continue
                if tuple(ig.shape) != tuple(inp.shape):  # what the engine checks, in its words
                    error = (
                        f"{fn.name()} returned a gradient of shape {tuple(ig.shape)} for an input of shape "
                        f"{tuple(inp.shape)}"
                    )
                    return Walk(graph.forward_order, steps, grads, root.numel() != 1, error)
                send = Send(node_of(inp), slot, summarize(ig.detach().numpy()))
                if id(inp) in pending:  # used again: add, exactly as the engine does
                    send.before = summarize(pending[id(inp)].numpy())
                    pending[id(inp)] = pending[id(inp)] + ig
                    send.total = summarize(pending[id(inp)].numpy())
                    counts[id(inp)] += 1
                else:
                    pending[id(inp)], counts[id(inp)] = ig.detach(), 1
                step.sends.append(send)
    return Walk(graph.forward_order, steps, grads, root.numel() != 1)
