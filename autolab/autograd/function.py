"""The base class of every op, and of the custom Functions you write.

``Function`` has two forms. **Write PyTorch's** (it runs unchanged on PyTorch)::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):  # x: a Tensor; runs without recording
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):  # one gradient per output in, one per forward argument out
            (y,) = ctx.saved_tensors
            return grad * y

``Exp.apply(x)`` calls it; ``ctx`` is a ``FunctionCtx`` (``save_for_backward``, ``needs_input_grad``,
``mark_non_differentiable``, ``set_materialize_grads``, ``mark_dirty``), and ``forward`` may also leave ``ctx``
to a separate ``setup_context(ctx, inputs, output)``. This form is handled by ``_apply_ctx_form`` below.

autolab's own ops use the **engine's form**, closer to the metal: the same two methods as instance methods.

- ``forward(*arrays, **options)`` computes on raw numpy arrays;
- ``backward(grad)`` receives the gradient of the output as a Tensor and returns one Tensor (or None) per input,
  written with Tensor ops, so that with ``create_graph=True`` the backward pass is itself differentiable. For an
  input whose ``needs_input_grad`` is False it returns None and skips that work (every op with several inputs
  does: the first conv layer's input gradient is most of its backward).

Put the op's public function right below its ``Function`` (see autolab/ops): forward, backward and the function
that checks the arguments, on one screen.
"""

from __future__ import annotations

import functools
import inspect
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .engine import FREED_MESSAGE
from .grad_mode import is_grad_enabled, no_grad


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
    # True for a subclass written in PyTorch's form (a @staticmethod forward taking ctx); set per subclass
    _ctx_form: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._ctx_form = isinstance(inspect.getattr_static(cls, "forward"), staticmethod)

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple, output: Any) -> None:
        """PyTorch's newer form: ``forward(*args)`` without ctx, then this fills ``ctx``. Override it to use it."""
        raise NotImplementedError("setup_context is not overridden")

    def forward(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]:
        raise NotImplementedError(f"{self.name()} has no backward")

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run ``forward`` on the inputs' arrays; when grad mode is on and an input requires grad, record this
        op as the output's ``grad_fn`` (what ``backward`` walks)."""
        if cls._ctx_form:
            return _apply_ctx_form(cls, inputs, options)
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


# ---- PyTorch's form: a ctx, static forward/backward --------------------------------------------------------------
class FunctionCtx:
    """The ``ctx`` a custom Function's ``forward`` fills and its ``backward`` reads (PyTorch's API).

    Set any attribute you like on it too (``ctx.constant = 3``).
    """

    needs_input_grad: tuple[bool, ...]

    def __init__(self) -> None:
        self._to_save: tuple = ()
        self._saved: tuple | None = None  # what saved_tensors returns, set when the graph is recorded
        self._non_differentiable: set[int] = set()
        self._dirty: set[int] = set()
        self.materialize_grads = True
        self._freed = False

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors (inputs, outputs or intermediates) for ``backward``; read them with ``saved_tensors``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is of type {type(t).__name__}"
                )
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(FREED_MESSAGE)
        if self._saved is None:  # read inside forward, or under no_grad where no graph was recorded
            return self._to_save
        # An output is held weakly (as Function.output is): output -> grad_fn -> ctx -> output would be a cycle.
        return tuple(t() if isinstance(t, weakref.ref) else t for t in self._saved)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """These outputs get no gradient (indices, masks): ``requires_grad`` False, zeros in ``backward``."""
        self._non_differentiable.update(id(t) for t in outputs)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Inputs that ``forward`` changed in place. Accepted; the output returned for one is a new tensor that
        shares its storage (autolab has no version counters to rewrite the input's own history)."""
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` receives None (not zeros) for an output that got no gradient."""
        self.materialize_grads = bool(value)


class BackwardCFunction(Function):
    """The graph node of one call of a custom Function: ``backward`` hands the output gradients to the user's
    static ``backward`` with the ctx, and checks what comes back as PyTorch does. One subclass per custom
    Function, named as PyTorch names it (``ExpBackward``); ``_forward_cls`` is the user's class."""

    _forward_cls: Any  # the user's Function subclass
    ctx: FunctionCtx
    _only_output: int  # with one differentiable output: its position
    _arg_positions: tuple[int, ...]  # which forward arguments are the tensors in self.inputs
    _n_args: int
    _outputs: tuple[tuple[Any, Any] | None, ...]  # (shape, dtype) of each output; None for a non-tensor

    def name(self) -> str:
        return type(self).__name__

    @property  # type: ignore[override]
    def _released(self) -> bool:
        return self.ctx._freed

    @_released.setter
    def _released(self, value: bool) -> None:
        self.ctx._freed = value
        if value:
            self.ctx._saved = ()  # free the saved tensors, as PyTorch does after backward

    def _output_grads(self, grad: Tensor | _OutputGrads) -> list[Tensor | None]:
        got = grad.grads if isinstance(grad, _OutputGrads) else {self._only_output: grad}
        grads: list[Tensor | None] = []
        for k, meta in enumerate(self._outputs):
            g = got.get(k)
            if g is None and meta is not None and self.ctx.materialize_grads:
                g = Tensor._wrap(np.zeros(meta[0], dtype=meta[1]))
            grads.append(g)
        return grads

    def backward(self, grad: Any) -> tuple[Tensor | None, ...]:
        result = self._forward_cls.backward(self.ctx, *self._output_grads(grad))
        if not isinstance(result, tuple):
            result = (result,)
        n = self._n_args
        if len(result) > n and all(g is None for g in result[n:]):
            result = result[:n]  # PyTorch allows extra trailing Nones
        if len(result) != n:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected {n}, got {len(result)})"
            )
        for i, g in enumerate(result):
            if g is not None and i not in self._arg_positions:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at position {i + 1}, but the "
                    "corresponding forward input was not a Variable"
                )
        return tuple(self._checked(result[i], i, t) for i, t in zip(self._arg_positions, self.inputs))

    def _checked(self, g: Any, i: int, t: Tensor) -> Tensor | None:
        if g is None:
            return None
        if not isinstance(g, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
        if g.shape != t.shape:
            try:  # a gradient of a broadcast shape is summed down, as PyTorch does
                np.broadcast_shapes(g.shape, t.shape)
                expandable = len(g.shape) >= len(t.shape) and np.broadcast_shapes(g.shape, t.shape) == g.shape
            except ValueError:
                expandable = False
            if not expandable:
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {i} - got {list(g.shape)} but "
                    f"expected shape compatible with {list(t.shape)}"
                )
            extra = g.ndim - t.ndim
            dims = tuple(range(extra)) + tuple(
                k + extra for k, n in enumerate(t.shape) if n == 1 and g.shape[k + extra] != 1
            )
            g = g.sum(dim=dims).reshape(t.shape)
        return g if g.dtype == t.dtype else g.to(t.dtype)


class _OutputGrads:
    """The gradients of several outputs of one custom Function call, on their way to its node (see _bundle)."""

    def __init__(self, grads: dict[int, Any], shape: Any) -> None:
        self.grads, self.shape = grads, shape

    def __add__(self, other: _OutputGrads) -> _OutputGrads:
        merged = dict(self.grads)
        for k, g in other.grads.items():
            merged[k] = merged[k] + g if k in merged else g
        return _OutputGrads(merged, self.shape)

    # what a viewer of the backward pass (widgets' walk) reads: the outputs' gradients, flattened, in order
    def detach(self) -> _OutputGrads:
        return _OutputGrads({k: g.detach() for k, g in self.grads.items()}, self.shape)

    def numpy(self) -> np.ndarray:
        return np.concatenate([self.grads[k]._data.ravel() for k in sorted(self.grads)])


class _OutputOf(Function):
    """The grad_fn of output ``k`` of a custom Function with several differentiable outputs.

    The engine calls one backward per tensor, but the user's backward wants the gradients of all outputs at once.
    So each output's node passes its gradient on to one hidden tensor (the bundle), whose grad_fn is the real
    node: the engine sums what arrives there (``_OutputGrads.__add__``) and calls that node once, after every
    output is done.
    """

    index: int

    def name(self) -> str:
        return self.inputs[0].grad_fn.name()

    def backward(self, grad: Tensor) -> _OutputGrads:  # type: ignore[override]
        return _OutputGrads({self.index: grad}, self.inputs[0].shape)


class _Bundle(Tensor):
    """The hidden tensor that stands for all outputs of one multi-output custom Function call (see _OutputOf).
    What reaches it is several gradients, not one tensor, so a gradient hook (the graph view sets one on every
    tensor it shows) is not attached to it."""

    def register_hook(self, hook: Callable) -> Any:
        return _NoHandle()


class _NoHandle:
    def remove(self) -> None:
        pass


def _node_class(cls: Any) -> type:
    node = cls.__dict__.get("_backward_cls")
    if node is None:
        node = type(f"{cls.__name__}Backward", (BackwardCFunction,), {"_forward_cls": cls})
        cls._backward_cls = node
    return node


def _record(node: Function, inputs: tuple, out: Tensor) -> None:
    node.inputs = inputs
    node.needs_input_grad = tuple(t.requires_grad for t in inputs)
    node.scope = current_scope()
    node._output = weakref.ref(out)
    out.requires_grad = True
    out.grad_fn = node


def _apply_ctx_form(cls: Any, args: tuple, kwargs: dict) -> Any:
    """``apply`` for PyTorch's form: run forward without recording, then put one node in the graph."""
    ctx = FunctionCtx()
    ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    with no_grad():  # what forward computes is not recorded: backward is the user's
        if cls.setup_context is Function.setup_context:
            output = cls.forward(ctx, *args, **kwargs)
        else:
            output = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, output)
    if not (is_grad_enabled() and any(ctx.needs_input_grad)):
        return output
    outs = list(output) if isinstance(output, tuple) else [output]
    node = _node_class(cls)()
    node.ctx = ctx
    node._arg_positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
    node._n_args = len(args)
    node._outputs = tuple((tuple(o.shape), o._data.dtype) if isinstance(o, Tensor) else None for o in outs)
    inputs = tuple(args[i] for i in node._arg_positions)
    originals = list(outs)
    differentiable = []
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            continue
        if o.requires_grad or any(o is a for a in args):
            if id(o) in ctx._dirty and o.is_leaf and o.requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
            outs[k] = o = Tensor._wrap(o._data)  # an input returned as is: a new tensor on the same storage
        if o._data.dtype.kind == "f" and id(originals[k]) not in ctx._non_differentiable:
            differentiable.append(k)
    if len(differentiable) == 1:
        node._only_output = differentiable[0]
        _record(node, inputs, outs[differentiable[0]])
    elif differentiable:
        bundle = _Bundle._wrap(np.empty(0, dtype=np.float32))
        _record(node, inputs, bundle)
        for k in differentiable:
            part = _OutputOf()
            part.index = k
            _record(part, (bundle,), outs[k])
    for fn in [node] + [o.grad_fn for o in outs if isinstance(o, Tensor) and isinstance(o.grad_fn, _OutputOf)]:
        fn._released = False
    # saved_tensors: an output (found by identity) is held weakly, everything else strongly
    where = {id(o): k for k, o in enumerate(originals) if isinstance(o, Tensor) and outs[k].requires_grad}
    for a in args:
        where.pop(id(a), None)  # an input returned as is stays saved as the input
    ctx._saved = tuple(weakref.ref(outs[where[id(t)]]) if id(t) in where else t for t in ctx._to_save)
    ctx._to_save = ()
    return tuple(outs) if isinstance(output, tuple) else outs[0]


# ---- once_differentiable -----------------------------------------------------------------------------------------
class _DelayedError(Function):
    """Stands for a backward that cannot be differentiated: passes the value on, raises if backward reaches it."""

    def forward(self, x: np.ndarray, *grads: np.ndarray) -> np.ndarray:
        return x

    def backward(self, grad: Tensor) -> tuple:
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def once_differentiable(backward: Callable) -> Callable:
    """Decorate a custom Function's ``backward`` that is not written in differentiable tensor ops (numpy
    inside, say): it runs without recording, and a double backward through it raises instead of being wrong."""

    @functools.wraps(backward)
    def wrapper(ctx: FunctionCtx, *grads: Any) -> Any:
        with no_grad():
            result = backward(ctx, *grads)
        recorded = [g for g in grads if isinstance(g, Tensor) and g.requires_grad]
        if not is_grad_enabled() or not recorded:
            return result
        one = not isinstance(result, tuple)
        wrapped = tuple(
            _DelayedError.apply(r, *recorded) if isinstance(r, Tensor) and r.is_floating_point() else r
            for r in ((result,) if one else result)
        )
        return wrapped[0] if one else wrapped

    return wrapper
