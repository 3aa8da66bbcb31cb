"""Attach the ops to Tensor as methods and operators (``x + y``, ``x.sum()``, ``x.view(...)``).

Kept apart from tensor.py so that file stays about what a tensor *is*; every method is a one-line forward to
the op in ``autolab/ops``.
"""

from __future__ import annotations

from typing import Any

from . import ops
from .tensor import Tensor


def _r(fn: Any) -> Any:
    return lambda self, other: fn(other, self)


_METHODS = {
    # operators
    "__add__": ops.add,
    "__radd__": _r(ops.add),
    "__sub__": ops.sub,
    "__rsub__": _r(ops.sub),
    "__mul__": ops.mul,
    "__rmul__": _r(ops.mul),
    "__truediv__": ops.div,
    "__rtruediv__": _r(ops.div),
    "__pow__": ops.pow,
    "__rpow__": _r(ops.pow),
    "__matmul__": ops.matmul,
    "__rmatmul__": _r(ops.matmul),
    "__neg__": ops.neg,
    "__abs__": ops.abs,
    "__getitem__": ops.getitem,
    "__eq__": ops.eq,
    "__ne__": ops.ne,
    "__lt__": ops.lt,
    "__le__": ops.le,
    "__gt__": ops.gt,
    "__ge__": ops.ge,
    "__and__": ops.logical_and,
    "__or__": ops.logical_or,
    "__invert__": ops.logical_not,
    "__floordiv__": lambda a, b: ops.div(a, b, rounding_mode="floor"),
    # arithmetic and elementwise
    "add": ops.add,
    "sub": ops.sub,
    "mul": ops.mul,
    "div": ops.div,
    "pow": ops.pow,
    "neg": ops.neg,
    "matmul": ops.matmul,
    "mm": ops.mm,
    "bmm": ops.bmm,
    "exp": ops.exp,
    "log": ops.log,
    "sqrt": ops.sqrt,
    "abs": ops.abs,
    "tanh": ops.tanh,
    "sin": ops.sin,
    "cos": ops.cos,
    "sigmoid": ops.sigmoid,
    "relu": ops.relu,
    "clamp": ops.clamp,
    "clip": ops.clamp,
    "clamp_min": ops.clamp_min,
    "clamp_max": ops.clamp_max,
    "square": ops.square,
    "expm1": ops.expm1,
    "log1p": ops.log1p,
    "log2": ops.log2,
    "log10": ops.log10,
    "rsqrt": ops.rsqrt,
    "reciprocal": ops.reciprocal,
    "erf": ops.erf,
    "tan": ops.tan,
    "asin": ops.asin,
    "acos": ops.acos,
    "atan": ops.atan,
    "arcsin": ops.asin,
    "arccos": ops.acos,
    "arctan": ops.atan,
    "sinh": ops.sinh,
    "cosh": ops.cosh,
    "remainder": ops.remainder,
    "fmod": ops.fmod,
    "floor_divide": ops.floor_divide,
    "__mod__": ops.remainder,
    "__rmod__": _r(ops.remainder),
    "dot": ops.dot,
    "outer": ops.outer,
    "diag": ops.diag,
    "diagonal": ops.diagonal,
    "trace": ops.trace,
    "floor": ops.floor,
    "ceil": ops.ceil,
    "round": ops.round,
    "trunc": ops.trunc,
    "fix": ops.fix,
    "isnan": ops.isnan,
    "isinf": ops.isinf,
    "isfinite": ops.isfinite,
    "sign": ops.sign,
    "maximum": ops.maximum,
    "minimum": ops.minimum,
    # reductions
    "sum": ops.sum,
    "mean": ops.mean,
    "var": ops.var,
    "std": ops.std,
    "max": ops.max,
    "min": ops.min,
    "amax": ops.amax,
    "amin": ops.amin,
    "argmax": ops.argmax,
    "argmin": ops.argmin,
    "softmax": ops.softmax,
    "log_softmax": ops.log_softmax,
    "prod": ops.prod,
    "cumsum": ops.cumsum,
    "logsumexp": ops.logsumexp,
    "norm": ops.norm,
    "all": ops.all,
    "any": ops.any,
    # sorting and searching
    "sort": ops.sort,
    "argsort": ops.argsort,
    "topk": ops.topk,
    "unique": ops.unique,
    "bincount": ops.bincount,
    "nonzero": ops.nonzero,
    "argwhere": ops.argwhere,
    "count_nonzero": ops.count_nonzero,
    # shape
    "reshape": ops.reshape,
    "view": ops.view,
    "flatten": ops.flatten,
    "squeeze": ops.squeeze,
    "unsqueeze": ops.unsqueeze,
    "transpose": ops.transpose,
    "permute": ops.permute,
    "expand": ops.expand,
    "expand_as": ops.expand_as,
    "contiguous": ops.contiguous,
    "t": ops.t,
    "gather": ops.gather,
    "index_select": ops.index_select,
    "masked_fill": ops.masked_fill,
    "select": ops.select,
    "masked_select": ops.masked_select,
    "scatter": ops.scatter,
    "scatter_add": ops.scatter_add,
    "movedim": ops.movedim,
    "swapaxes": ops.swapaxes,
    "swapdims": ops.swapaxes,
    "unflatten": ops.unflatten,
    "broadcast_to": ops.broadcast_to,
    "logical_xor": ops.logical_xor,
    "tril": ops.tril,
    "triu": ops.triu,
    "flip": ops.flip,
    "roll": ops.roll,
    "repeat": ops.repeat,
    "tile": ops.tile,
    "narrow": ops.narrow,
    "chunk": ops.chunk,
    "split": ops.split,
    "unbind": ops.unbind,
    # comparisons
    "eq": ops.eq,
    "ne": ops.ne,
    "lt": ops.lt,
    "le": ops.le,
    "gt": ops.gt,
    "ge": ops.ge,
    "equal": ops.equal,
    "allclose": ops.allclose,
    "isclose": ops.isclose,
    "logical_not": ops.logical_not,
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

Tensor.T = property(lambda self: ops.permute(self, *reversed(range(self.ndim))))
Tensor.mT = property(lambda self: ops.transpose(self, -2, -1))
Tensor.view_as = lambda self, other: ops.reshape(self, other.shape)
Tensor.reshape_as = Tensor.view_as
Tensor.__rtruediv__ = _r(ops.div)


# ---- new tensors like this one (same dtype unless told otherwise), as PyTorch's x.new_zeros(...) -------------------
def _new(fill: Any) -> Any:
    def new(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        from .creation import _size, full

        return full(_size(size), fill, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)

    return new


def _new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, **kwargs: Any) -> Tensor:
    from .creation import full

    return full(size, fill_value, dtype=dtype or self.dtype, **kwargs)


def _new_tensor(self: Tensor, data: Any, *, dtype: Any = None, **kwargs: Any) -> Tensor:
    from .creation import tensor

    return tensor(data, dtype=dtype or self.dtype, **kwargs)


Tensor.new_zeros = _new(0)
Tensor.new_ones = _new(1)
Tensor.new_empty = _new(0)  # "uninitialised" memory; zeros are a valid choice and keep runs reproducible
Tensor.new_full = _new_full
Tensor.new_tensor = _new_tensor
Tensor.is_contiguous = lambda self, memory_format=None: bool(self._data.flags.c_contiguous)


# ---- in-place forms ------------------------------------------------------------------------------------------------
def _masked_fill_(self: Tensor, mask: Any, value: Any) -> Tensor:
    return self._set_(ops.masked_fill(self.detach(), mask, value))


def _inplace_reshape(op: Any) -> Any:
    """x.unsqueeze_(d) / x.squeeze_(d): the same tensor object takes the new shape.

    Inside a graph the tensor becomes the output of a new node, fed by a stand-in holding its old place in the
    graph (pointing the node at the tensor itself would make it its own input)."""

    def inplace(self: Tensor, *args: Any) -> Tensor:
        if self._in_graph():
            old = Tensor._wrap(self._data, requires_grad=True)
            old.grad_fn = self.grad_fn
            new = op(old, *args)
            self._data, self.grad_fn = new._data, new.grad_fn
            if new.grad_fn is not None:
                import weakref

                new.grad_fn._output = weakref.ref(self)
            return self
        self._check_inplace()
        self._data = op(self.detach(), *args)._data
        return self

    return inplace


Tensor.masked_fill_ = _masked_fill_
Tensor.unsqueeze_ = _inplace_reshape(ops.unsqueeze)
Tensor.squeeze_ = _inplace_reshape(ops.squeeze)
