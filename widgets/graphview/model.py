"""The computation graph behind a tensor, as plain data the views can fold, lay out and colour.

Walking ``t.grad_fn`` gives the ops; their ``inputs`` give the edges; ``fn.scope`` says which module calls were
running when each op was made, which is what lets the view fold the ops of ``conv1`` into one ``conv1`` node.
The walk keeps names, shapes and (with ``values=True``, for small graphs) summaries of the numbers, never the
tensors, so a captured graph does not hold a batch in memory.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from autolab.training.stats import norm

from .rules import Rule, backward_source, local_rule, source_location, symbol
from .summary import Summary, fmt, summarize


@dataclass
class Op:
    id: int
    name: str  # readable: "Conv2d", "Relu", from PyTorch's "Conv2dBackward0"
    full_name: str
    scope: tuple[str, ...]  # module paths of the calls it ran in, outermost first
    grad_norm: float | None = None  # norm of the gradient that reached its output (filled during backward)
    # With values=True: what the op made and how it differentiates.
    label: str = ""  # the output tensor's name: the caller's variable ("loss") or a short label ("t1")
    named: bool = False  # the label is a name the student used
    out_shape: tuple[int, ...] = ()
    dtype: str = ""
    out: Summary | None = None
    inputs: list[int] = field(default_factory=list)  # node ids of the inputs, in argument order
    symbol: str = ""
    rule: Rule | None = None
    source: str | None = None  # the source of its backward
    where: str | None = None  # "autolab/ops/arithmetic.py:52"


@dataclass
class Leaf:
    id: int
    label: str  # "conv1.weight" for a parameter, the caller's name for a tensor, else "tensor"
    shape: tuple[int, ...]
    is_param: bool
    requires_grad: bool
    grad_norm: float | None = None
    named: bool = False
    dtype: str = ""
    value: Summary | None = None  # with values=True
    grad: Summary | None = None  # its .grad when captured, with values=True


@dataclass
class Edge:
    src: int  # an Op id or a Leaf id
    dst: int  # an Op id
    shape: tuple[int, ...]
    slot: int = 0  # which argument of the op (w * w has two edges from w)


@dataclass
class Graph:
    ops: dict[int, Op] = field(default_factory=dict)
    leaves: dict[int, Leaf] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    root: int | None = None
    root_shape: tuple[int, ...] = ()
    modules: dict[str, str] = field(default_factory=dict)  # module path -> class name
    model_path: str | None = None  # the path shown for the model itself
    forward_order: list[int] = field(default_factory=list)  # op ids, inputs before outputs (values=True)
    has_values: bool = False
    _leaf_refs: dict[int, Any] = field(default_factory=dict, repr=False)
    _model_ref: Any = field(default=None, repr=False)
    _ids: dict[int, int] = field(default_factory=dict, repr=False)  # id(tensor or fn) -> node id, while capturing

    @property
    def model(self) -> Any:
        return self._model_ref() if self._model_ref is not None else None

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
                if self.has_values:
                    self.leaves[leaf_id].grad = summarize(t.grad.detach().numpy())

    def set_param_grad_norms(self, norms: dict[str, float]) -> None:
        for leaf in self.leaves.values():
            if leaf.is_param and leaf.label in norms:
                leaf.grad_norm = norms[leaf.label]

    def label_of(self, node_id: int) -> str:
        return self.ops[node_id].label if node_id in self.ops else self.leaves[node_id].label


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


def capture(
    tensor: Any, model: Any = None, track_grads: bool = True, values: bool = False, names: dict[int, str] | None = None
) -> Graph:
    """The graph that produced ``tensor``.

    With ``track_grads``, a hook on every intermediate tensor records the norm of the gradient that reaches it
    during the next ``backward``: call this before ``backward`` to see gradients flow (or vanish) layer by
    layer. Parameters get their gradient norm from ``.grad`` via ``Graph.refresh_grads()``.

    With ``values``, every tensor's numbers are summarised (``summary.py``), scalar constants (the 3 in
    ``3 * w``) become nodes, and each op gets its local derivative rule. ``names`` maps ``id(tensor)`` to the
    name to show (the caller's variables); unnamed intermediates get ``t1``, ``t2``, ... in forward order.

    Nodes are numbered in the order of the walk, not by ``id()``: the same network captured at two steps gives
    the same node names, so the browser updates the drawing in place instead of redrawing it.
    """
    if model is None:
        model = _guess_model(tensor)
    names = dict(names or {})
    modules = _module_names(model)
    params = {id(p): name for name, p in model.named_parameters()} if model is not None else {}
    graph = Graph(root_shape=tuple(tensor.shape), model_path=type(model).__name__ if model is not None else None)
    graph.has_values = values
    if model is not None:
        try:
            graph._model_ref = weakref.ref(model)
        except TypeError:
            pass
    ids = graph._ids

    def number(obj: Any) -> int:
        return ids.setdefault(id(obj), len(ids))

    if tensor.grad_fn is None:
        _add_leaf(graph, tensor, number(tensor), params, names, values)
        return graph
    graph.root = number(tensor.grad_fn)
    stack, outputs, done, fns = [tensor.grad_fn], {id(tensor.grad_fn): tensor}, set(), {}
    while stack:
        fn = stack.pop()
        if id(fn) in done:
            continue
        done.add(id(fn))
        scope = tuple(_module_path(m, modules) for m in getattr(fn, "scope", ()))
        for module, path in zip(getattr(fn, "scope", ()), scope):
            graph.modules.setdefault(path, type(module).__name__)
        op = Op(number(fn), readable(fn.name()), fn.name(), scope)
        graph.ops[op.id] = op
        fns[op.id] = fn
        if track_grads and id(fn) in outputs:
            _watch(outputs[id(fn)], op)
        for slot, t in enumerate(fn.inputs):
            if t.grad_fn is not None:
                graph.edges.append(Edge(number(t.grad_fn), op.id, tuple(t.shape), slot))
                op.inputs.append(number(t.grad_fn))
                outputs.setdefault(id(t.grad_fn), t)
                stack.append(t.grad_fn)
            elif values or t.requires_grad or len(t.shape) > 0:  # scalar constants (x * 0.5): noise in a network
                leaf_id = number(t)
                _add_leaf(graph, t, leaf_id, params, names, values)
                graph.edges.append(Edge(leaf_id, op.id, tuple(t.shape), slot))
                op.inputs.append(leaf_id)
            else:
                op.inputs.append(-1)
    graph.edges.reverse()  # inputs first reads better in the DOT source
    if values:
        _describe(graph, tensor, fns, outputs, names)
    else:
        ids.clear()  # only the walk needs them, right after a values capture
    return graph


def _describe(graph: Graph, root: Any, fns: dict[int, Any], outputs: dict[int, Any], names: dict[int, str]) -> None:
    """Values, names and local rules of the ops (values=True)."""
    order = _forward_order(graph)
    graph.forward_order = order
    used = {leaf.label for leaf in graph.leaves.values()} | set(names.values())
    count = 0
    for op_id in order:
        op, fn = graph.ops[op_id], fns[op_id]
        out = outputs[id(fn)]
        op.out_shape, op.dtype = tuple(out.shape), str(out.dtype).removeprefix("autolab.")
        op.out = summarize(out.detach().numpy())
        if id(out) in names:
            op.label, op.named = names[id(out)], True
        else:  # t1, t2, ... skipping any name the student already uses
            count += 1
            while f"t{count}" in used:
                count += 1
            op.label = f"t{count}"
    leaves = 0
    for op_id in order:  # unnamed leaves: leaf1, leaf2, ... in the order they are first used
        for i in graph.ops[op_id].inputs:
            leaf = graph.leaves.get(i)
            if leaf is not None and not leaf.named and leaf.label == "tensor":
                leaves += 1
                leaf.label = f"leaf{leaves}"
    for op_id in order:
        op, fn = graph.ops[op_id], fns[op_id]
        in_names = [graph.label_of(i) if i >= 0 else "c" for i in op.inputs]
        arrays = [t.detach().numpy() for t in fn.inputs]
        op.symbol = symbol(fn, op.name)
        op.rule = local_rule(fn, op.name, in_names, op.label, arrays, outputs[id(fn)].detach().numpy())
        op.source, op.where = backward_source(fn), source_location(fn)


def _forward_order(graph: Graph) -> list[int]:
    """The ops in the order Python evaluated them: depth first, inputs left to right, each after its inputs.

    (The engine's ``topological_order`` is a valid order too, reversed, but it visits the last input first: for
    ``w * x + b`` it would number ``b``'s side before ``w * x``, which the student wrote first.)
    """
    order: list[int] = []
    seen: set[int] = set()
    stack = [(graph.root, False)]
    while stack:
        op_id, expanded = stack.pop()
        if expanded:
            order.append(op_id)
            continue
        if op_id in seen:
            continue
        seen.add(op_id)
        stack.append((op_id, True))
        stack.extend((i, False) for i in reversed(graph.ops[op_id].inputs) if i in graph.ops and i not in seen)
    return order


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


def _add_leaf(graph: Graph, t: Any, leaf_id: int, params: dict[int, str], names: dict[int, str], values: bool) -> None:
    if leaf_id in graph.leaves:
        return
    param = params.get(id(t))
    name = names.get(id(t), param)
    label = name or ("tensor" if t.requires_grad or not values or t.ndim else _constant_label(t))
    leaf = Leaf(leaf_id, label, tuple(t.shape), param is not None, bool(t.requires_grad), named=name is not None)
    graph.leaves[leaf_id] = leaf
    try:
        graph._leaf_refs[leaf_id] = weakref.ref(t)
    except TypeError:
        pass
    if t.grad is not None:
        leaf.grad_norm = norm(t.grad)
    if values:
        leaf.dtype = str(t.dtype).removeprefix("autolab.")
        leaf.value = summarize(t.detach().numpy())
        leaf.grad = summarize(t.grad.detach().numpy()) if t.grad is not None else None


def _constant_label(t: Any) -> str:
    """A Python number that became a 0-d tensor (the 3 in ``3 * w``) is labelled by its value."""
    return fmt(float(t.item()))


def _watch(t: Any, op: Op) -> None:
    def hook(grad: Any) -> None:
        op.grad_norm = norm(grad)

    t.register_hook(hook)
