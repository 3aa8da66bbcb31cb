"""Tensor's in-place methods (``x.add_(y)``, ``x.exp_()``, ``x.uniform_()``, ``x[i] = v``, ``x += y``).

Optimizers and nn.init update parameters in place. These methods write into the tensor's own numpy array and
bypass autograd, so each one first guards the graph (``_check_inplace``): PyTorch raises for an in-place write to
a leaf that requires grad (outside ``no_grad``), and autolab, which keeps no version counters, also refuses one on
a tensor inside a graph. ``Tensor`` (tensor.py) inherits this class, as it does _tensor_methods.py.

The maths forms (``x.exp_()``) reach the ops through the package, ``autolab.ops.exp``, looked up when a method is
called: the ops import ``Tensor``, so this file (part of ``Tensor``) cannot import them by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

import autolab

from .random import rng

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorInplaceMethods:
    """The in-place methods of ``Tensor``; see the module docstring."""

    _data: np.ndarray
    grad_fn: Any
    requires_grad: bool

    if TYPE_CHECKING:  # written in tensor.py; declared here for mypy

        @property
        def is_leaf(self) -> bool: ...

        def detach(self) -> Tensor: ...

        def __add__(self, other: Any) -> Tensor: ...

        def __sub__(self, other: Any) -> Tensor: ...

        def __mul__(self, other: Any) -> Tensor: ...

        def __truediv__(self, other: Any) -> Tensor: ...

    # ---- in-place updates (optimizers, nn.init). They bypass autograd, so guard the graph. -------------------
    def _check_inplace(self) -> None:
        if autolab.is_grad_enabled() and self.requires_grad:
            if self.is_leaf:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation. "
                    "Wrap the update in `with autolab.no_grad():`."
                )
            raise RuntimeError(
                "autolab does not support in-place ops on a tensor that is part of the graph "
                "(its old value may be needed for backward); use the out-of-place form, e.g. y = y + 1"
            )

    def _set_(self, value: Any) -> Tensor:
        """Write ``value`` into this tensor's storage (fill_, copy_: any dtype is cast, as in PyTorch)."""
        self._check_inplace()
        arr = value._data if isinstance(value, TensorInplaceMethods) else value
        np.copyto(self._data, arr, casting="unsafe")
        return self

    def _result_(self, value: Any) -> Tensor:
        """Write the result of maths on this tensor (add_, exp_, ...). A float result in an integer tensor would be
        silently truncated: PyTorch refuses it, and so do we."""
        kind = np.asarray(value._data if isinstance(value, TensorInplaceMethods) else value).dtype.kind
        own = self._data.dtype
        if (kind == "f" and own.kind in "iub") or (kind in "iu" and own.kind == "b"):
            name = _TORCH_NAMES.get(own.name, own.name)
            raise RuntimeError(f"result type {_TORCH_NAMES[kind]} can't be cast to the desired output type {name}")
        return self._set_(value)

    def _update_(self, op: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
        # x.exp_() is x.copy_(x.exp()) computed without recording: only outside a graph (see _check_inplace)
        return self._result_(op(self.detach(), *args, **kwargs))

    def copy_(self, src: Any) -> Tensor:
        return self._set_(
            np.broadcast_to(src._data if isinstance(src, TensorInplaceMethods) else np.asarray(src), self._data.shape)
        )

    def zero_(self) -> Tensor:
        return self._set_(0)

    def fill_(self, value: Any) -> Tensor:
        return self._set_(value._data if isinstance(value, TensorInplaceMethods) else value)

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._result_(self._data + alpha * _raw(other))

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._result_(self._data - alpha * _raw(other))

    def mul_(self, other: Any) -> Tensor:
        return self._result_(self._data * _raw(other))

    def div_(self, other: Any) -> Tensor:
        return self._result_(self._data / _raw(other))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return self._set_(np.clip(self._data, min, max))

    def addcmul_(self, t1: Any, t2: Any, value: float = 1) -> Tensor:
        return self._result_(self._data + value * _raw(t1) * _raw(t2))

    def addcdiv_(self, t1: Any, t2: Any, value: float = 1) -> Tensor:
        return self._result_(self._data + value * _raw(t1) / _raw(t2))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).uniform(a, b, self._data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).normal(mean, std, self._data.shape))

    def bernoulli_(self, p: Any = 0.5, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).random(self._data.shape) < _raw(p))

    def exponential_(self, lambd: float = 1.0, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).exponential(1.0 / lambd, self._data.shape))

    def random_(self, from_: int = 0, to: int | None = None, generator: Any = None) -> Tensor:
        if to is None:  # random_(n) draws from [0, n); random_() from [0, 2**mantissa] as PyTorch does
            from_, to = (
                (0, from_)
                if from_
                else (0, 2 ** (np.finfo(self._data.dtype).nmant + 1 if self._data.dtype.kind == "f" else 31))
            )
        return self._set_(rng(generator).integers(from_, to, self._data.shape).astype(self._data.dtype))

    # maths in place, each x.op_(...) = x.copy_(x.op(...)) outside a graph
    def abs_(self) -> Tensor:
        return self._update_(autolab.ops.abs)

    def neg_(self) -> Tensor:
        return self._update_(autolab.ops.neg)

    def exp_(self) -> Tensor:
        return self._update_(autolab.ops.exp)

    def log_(self) -> Tensor:
        return self._update_(autolab.ops.log)

    def sqrt_(self) -> Tensor:
        return self._update_(autolab.ops.sqrt)

    def square_(self) -> Tensor:
        return self._update_(autolab.ops.square)

    def reciprocal_(self) -> Tensor:
        return self._update_(autolab.ops.reciprocal)

    def pow_(self, exponent: Any) -> Tensor:
        return self._update_(autolab.ops.pow, exponent)

    def sin_(self) -> Tensor:
        return self._update_(autolab.ops.sin)

    def cos_(self) -> Tensor:
        return self._update_(autolab.ops.cos)

    def tanh_(self) -> Tensor:
        return self._update_(autolab.ops.tanh)

    def sigmoid_(self) -> Tensor:
        return self._update_(autolab.ops.sigmoid)

    def relu_(self) -> Tensor:
        return self._update_(autolab.ops.relu)

    def sign_(self) -> Tensor:
        return self._update_(autolab.ops.sign)

    def floor_(self) -> Tensor:
        return self._update_(autolab.ops.floor)

    def ceil_(self) -> Tensor:
        return self._update_(autolab.ops.ceil)

    def round_(self, decimals: int = 0) -> Tensor:
        return self._update_(autolab.ops.round, decimals=decimals)

    def clamp_min_(self, min: Any) -> Tensor:
        return self._update_(autolab.ops.clamp_min, min)

    def clamp_max_(self, max: Any) -> Tensor:
        return self._update_(autolab.ops.clamp_max, max)

    def clip_(self, min: Any = None, max: Any = None) -> Tensor:
        return self.clamp_(min, max)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._result_(self._data + _raw(weight) * (_raw(end) - self._data))

    def scatter_(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
        return self._update_(autolab.ops.scatter, dim, index, src, value=value)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._update_(autolab.ops.scatter_add, dim, index, src)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        idx = [slice(None)] * self._data.ndim
        idx[dim] = np.asarray(_raw(index)).reshape(-1)
        new = self._data.copy()
        new[tuple(idx)] = _raw(value)
        return self._set_(new)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: float = 1) -> Tensor:
        new = self._data.copy()
        np.add.at(new, (slice(None),) * (dim % self._data.ndim) + (np.asarray(_raw(index)),), alpha * _raw(source))
        return self._set_(new)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        new = self._data.copy()
        idx: list[Any] = [slice(None)] * self._data.ndim
        idx[dim] = np.asarray(_raw(index)).reshape(-1)
        new[tuple(idx)] = _raw(source)
        return self._set_(new)

    def put_(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        new = self._data.copy().reshape(-1)
        (np.add.at if accumulate else np.put)(
            new, np.asarray(_raw(index)).reshape(-1), np.asarray(_raw(source)).reshape(-1)
        )
        return self._set_(new.reshape(self._data.shape))

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return self._update_(autolab.ops.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).lognormal(mean, std, self._data.shape))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, generator: Any = None) -> Tensor:
        return self._set_(median + sigma * rng(generator).standard_cauchy(self._data.shape))

    def geometric_(self, p: float, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).geometric(p, self._data.shape))

    def t_(self) -> Tensor:
        """Transpose a matrix in place: the same tensor object takes the transposed view."""
        self._check_inplace()
        self._data = self._data.T if self._data.ndim == 2 else self._data
        return self

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        new = self._data.copy()
        np.fill_diagonal(new, fill_value, wrap=wrap)
        return self._set_(new)

    # `x += y` updates x in place, as in PyTorch. Inside a graph (a non-leaf that requires grad) autolab
    # builds a new node instead, since it keeps no version counters to detect a clobbered saved value.
    def _in_graph(self) -> bool:
        return self.requires_grad and not self.is_leaf and autolab.is_grad_enabled()

    def __iadd__(self, other: Any) -> Tensor:
        return self + other if self._in_graph() else self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self - other if self._in_graph() else self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self * other if self._in_graph() else self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self / other if self._in_graph() else self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace()
        self._data[_raw_index(index)] = _raw(value)


# PyTorch's names for a dtype in its casting error ("result type Float can't be cast to ... Long")
_TORCH_NAMES = {
    "f": "Float",
    "i": "Long",
    "u": "Byte",
    "b": "Bool",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
}


def _raw(x: Any) -> Any:
    # every Tensor inherits this class: the test is "is x a Tensor?" without importing tensor.py (which imports us)
    return x._data if isinstance(x, TensorInplaceMethods) else x


def _raw_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_raw(i) for i in index)
    return _raw(index)
