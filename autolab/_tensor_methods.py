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
