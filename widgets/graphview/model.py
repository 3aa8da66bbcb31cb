"""The computation graph behind a tensor, as plain data the DOT writer can fold and colour.

Walking ``t.grad_fn`` gives the ops; their ``inputs`` give the edges; ``fn.scope`` says which module calls were
running when each op was made, which is what lets the view fold the ops of ``conv1`` into one ``conv1`` node.
The walk keeps names and shapes only, never the tensors, so a captured graph does not hold a batch in memory.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from autolab.training.stats import norm


@dataclass
class Op:
    id: int
    name: str  # readable: "Conv2d", "Relu", from PyTorch's "Conv2dBackward0"
    full_name: str
    scope: tuple[str, ...]  # module paths of the calls it ran in, outermost first
    grad_norm: float | None = None  # norm of the gradient that reached its output (filled during backward)


@dataclass
class Leaf:
    id: int
    label: str  # "conv1.weight" for a parameter, else "tensor"
    shape: tuple[int, ...]
    is_param: bool
    requires_grad: bool
    grad_norm: float | None = None


@dataclass
class Edge:
    src: int  # an Op id or a Leaf id
    dst: int  # an Op id
    shape: tuple[int, ...]


@dataclass
class Graph:
    ops: dict[int, Op] = field(default_factory=dict)
    leaves: dict[int, Leaf] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    root: int | None = None
    root_shape: tuple[int, ...] = ()
    modules: dict[str, str] = field(default_factory=dict)  # module path -> class name
    model_path: str | None = None  # the path shown for the model itself
    _leaf_refs: dict[int, Any] = field(default_factory=dict, repr=False)

    def module_paths(self) -> list[str]:
        """The modules that ran, in forward order (the walk went from the output back, so reverse it)."""
        seen: dict[str, None] = {}
        for op in reversed(list(self.ops.values())):
            for path in op.scope:
                seen.setdefault(path, None)
        return list(seen)

    def refresh_grads(self) -> None:
        """Read the current ``.grad`` of the leaves (after ``backward``)."""
        for leaf_id, ref in self._leaf_refs.items():
            t = ref()
            if t is not None and getattr(t, "grad", None) is not None:
                self.leaves[leaf_id].grad_norm = norm(t.grad)

    def set_param_grad_norms(self, norms: dict[str, float]) -> None:
        for leaf in self.leaves.values():
            if leaf.is_param and leaf.label in norms:
                leaf.grad_norm = norms[leaf.label]


_BACKWARD = re.compile(r"Backward\d*$")


def readable(name: str) -> str:
    return _BACKWARD.sub("", name) or name


def _module_names(model: Any) -> dict[int, str]:
    if model is None:
        return {}
    return {id(m): name for name, m in model.named_modules()}


def _module_path(module: Any, names: dict[int, str]) -> str:
    """``conv1`` for a submodule; the class name for the model itself and for modules outside it (the loss)."""
    name = names.get(id(module))
    return name if name else type(module).__name__


def capture(tensor: Any, model: Any = None, track_grads: bool = True) -> Graph:
    """The graph that produced ``tensor``.

    With ``track_grads``, a hook on every intermediate tensor records the norm of the gradient that reaches it
    during the next ``backward``: call this before ``backward`` to see gradients flow (or vanish) layer by
    layer. Parameters get their gradient norm from ``.grad`` via ``Graph.refresh_grads()``.

    Nodes are numbered in the order of the walk, not by ``id()``: the same network captured at two steps gives
    the same node names, so the browser updates the drawing in place instead of redrawing it.
    """
    if model is None:
        model = _guess_model(tensor)
    names = _module_names(model)
    params = {id(p): name for name, p in model.named_parameters()} if model is not None else {}
    graph = Graph(root_shape=tuple(tensor.shape), model_path=type(model).__name__ if model is not None else None)
    numbers: dict[int, int] = {}

    def number(obj: Any) -> int:
        return numbers.setdefault(id(obj), len(numbers))

    if tensor.grad_fn is None:
        _add_leaf(graph, tensor, number(tensor), params)
        return graph
    graph.root = number(tensor.grad_fn)
    stack, outputs, done = [tensor.grad_fn], {id(tensor.grad_fn): tensor}, set()
    while stack:
        fn = stack.pop()
        if id(fn) in done:
            continue
        done.add(id(fn))
        modules = getattr(fn, "scope", ())
        scope = tuple(_module_path(m, names) for m in modules)
        for module, path in zip(modules, scope):
            graph.modules.setdefault(path, type(module).__name__)
        op = Op(number(fn), readable(fn.name()), fn.name(), scope)
        graph.ops[op.id] = op
        if track_grads and id(fn) in outputs:
            _watch(outputs[id(fn)], op)
        for t in fn.inputs:
            if t.grad_fn is not None:
                graph.edges.append(Edge(number(t.grad_fn), op.id, tuple(t.shape)))
                outputs.setdefault(id(t.grad_fn), t)
                stack.append(t.grad_fn)
            elif t.requires_grad or len(t.shape) > 0:  # scalar constants (x * 0.5) are noise in a picture
                leaf_id = number(t)
                _add_leaf(graph, t, leaf_id, params)
                graph.edges.append(Edge(leaf_id, op.id, tuple(t.shape)))
    graph.edges.reverse()  # inputs first reads better in the DOT source
    return graph


def _guess_model(tensor: Any) -> Any:
    """Without a model, take the outermost module seen in the graph that has the most submodules."""
    best, best_size, stack, seen = None, 0, [tensor.grad_fn] if tensor.grad_fn is not None else [], set()
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        scope = getattr(fn, "scope", ())
        if scope and hasattr(scope[0], "named_modules"):
            size = sum(1 for _ in scope[0].named_modules())
            if size > best_size:
                best, best_size = scope[0], size
        stack.extend(t.grad_fn for t in fn.inputs if t.grad_fn is not None)
    return best


def _add_leaf(graph: Graph, t: Any, leaf_id: int, params: dict[int, str]) -> None:
    if leaf_id in graph.leaves:
        return
    name = params.get(id(t))
    graph.leaves[leaf_id] = Leaf(leaf_id, name or "tensor", tuple(t.shape), name is not None, bool(t.requires_grad))
    try:
        graph._leaf_refs[leaf_id] = weakref.ref(t)
    except TypeError:
        pass
    if t.grad is not None:
        graph.leaves[leaf_id].grad_norm = norm(t.grad)


def _watch(t: Any, op: Op) -> None:
    def hook(grad: Any) -> None:
        op.grad_norm = norm(grad)

    t.register_hook(hook)
