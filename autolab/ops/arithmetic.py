"""+ - * / ** and negation, with PyTorch's broadcasting and type promotion.

Each op is one unit: its ``Function`` (``forward`` on numpy arrays, ``backward`` on tensors) and right below it
the public function that checks the arguments and calls ``Function.apply``. The helpers shared by every binary
op (turning numbers into tensors, promotion, broadcasting and its backward) come first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..creation import tensor
from ..tensor import Tensor
from . import join  # sibling op modules are imported whole and used at call time: join.where(...)
from ._out import write_out


# ---- helpers: numbers to tensors, promotion, broadcasting --------------------------------------------------------
def unbroadcast(grad: Tensor, shape: tuple) -> Tensor:
    """Sum ``grad`` back down to ``shape``: the backward of broadcasting.

    A dimension that broadcasting added or stretched from 1 received the same input value many times, so its
    gradient is the sum over that dimension.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    return grad.sum(dim=axes).reshape(shape)


def scalar_like(x: Any, ref: Tensor) -> Tensor:
    """A Python number as a 0-d tensor of ``ref``'s dtype; an int tensor with a float number becomes float32."""
    kind = ref._data.dtype.kind
    if isinstance(x, (bool, np.bool_)):
        dt = ref._data.dtype
    elif isinstance(x, (float, np.floating)) and kind != "f":
        dt = dtypes.get_default_dtype().np
    elif isinstance(x, (int, np.integer)) and kind == "b":
        dt = np.dtype(np.int64)
    else:
        dt = ref._data.dtype
    return Tensor._wrap(np.asarray(x, dtype=dt))


def operands(a: Any, b: Any, op: str) -> tuple[Tensor, Tensor]:
    """``a`` and ``b`` as two tensors of one dtype (PyTorch's promotion) whose shapes broadcast."""
    if not isinstance(a, Tensor):
        a = scalar_like(a, b) if isinstance(b, Tensor) and np.isscalar(a) else tensor(a)
    if not isinstance(b, Tensor):
        b = scalar_like(b, a) if np.isscalar(b) else tensor(b)
    if a._data.dtype != b._data.dtype:
        dt = result_dtype(a, b)
        if a._data.dtype != dt:
            a = a.type(dt) if a.ndim or a.requires_grad else Tensor._wrap(a._data.astype(dt))
        if b._data.dtype != dt:
            b = b.type(dt) if b.ndim or b.requires_grad else Tensor._wrap(b._data.astype(dt))
    if a.shape != b.shape:
        check_broadcast(op, a.shape, b.shape)
    return a, b


def result_dtype(a: Tensor, b: Tensor) -> np.dtype:
    """PyTorch's promotion, including its rule that a 0-d tensor does not widen a tensor with dimensions of the
    same kind: float32 weights * a float64 0-d tensor stay float32 (numpy's rule would double them)."""
    da, db = a._data.dtype, b._data.dtype
    if (a.ndim == 0) != (b.ndim == 0) and _category(da) == _category(db):
        return db if a.ndim == 0 else da
    return dtypes.promote(da, db)


def _category(d: np.dtype) -> str:
    return "f" if d.kind == "f" else "b" if d.kind == "b" else "i"


def check_broadcast(op: str, sa: tuple, sb: tuple) -> None:
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        n = max(len(sa), len(sb))
        pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
        dim = next(i for i in range(n) if pa[i] != pb[i] and 1 not in (pa[i], pb[i]))
        raise RuntimeError(
            f"{op}: shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast together: the size of tensor a "
            f"({pa[dim]}) must match the size of tensor b ({pb[dim]}) at non-singleton dimension {dim - n + len(sa)}"
        ) from None


# ---- the ops ------------------------------------------------------------------------------------------------------
class Add(Function):
    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        a, b = self.inputs
        ga = unbroadcast(grad, a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(grad, b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def add(a: Any, b: Any, alpha: float = 1, *, out: Tensor | None = None) -> Tensor:
    a, b = operands(a, b, "add")
    result = Add.apply(a, b if alpha == 1 else b * alpha)
    return result if out is None else write_out(result, out, "add")


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        a, b = self.inputs
        ga = unbroadcast(grad, a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(-grad, b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def sub(a: Any, b: Any, alpha: float = 1, *, out: Tensor | None = None) -> Tensor:
    a, b = operands(a, b, "sub")
    result = Sub.apply(a, b if alpha == 1 else b * alpha)
    return result if out is None else write_out(result, out, "sub")


class Mul(Function):
    def forward(self, a, b):
        return a * b

    def backward(self, grad):
        a, b = self.inputs
        ga = unbroadcast(grad * b, a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(grad * a, b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def mul(a: Any, b: Any, *, out: Tensor | None = None) -> Tensor:
    result = Mul.apply(*operands(a, b, "mul"))
    return result if out is None else write_out(result, out, "mul")


class Div(Function):
    def forward(self, a, b):
        return a / b

    def backward(self, grad):
        a, b = self.inputs
        ga = unbroadcast(grad / b, a.shape) if self.needs_input_grad[0] else None
        gb = unbroadcast(-grad * a / (b * b), b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def div(a: Any, b: Any, rounding_mode: str | None = None, *, out: Tensor | None = None) -> Tensor:
    a, b = operands(a, b, "div")
    if rounding_mode is not None:  # integer-style division has no useful gradient
        _integer_divisor_check(a, b)
        fn = np.floor_divide if rounding_mode == "floor" else lambda x, y: np.trunc(x / y).astype(x.dtype)
        result = Tensor._wrap(fn(a._data, b._data))
    else:
        if a._data.dtype.kind != "f":  # true division of integers gives the default dtype (float32), as PyTorch
            a, b = a.type(dtypes.get_default_dtype()), b.type(dtypes.get_default_dtype())
        result = Div.apply(a, b)
    return result if out is None else write_out(result, out, "div")


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


def neg(a: Tensor) -> Tensor:
    return Neg.apply(a)


class Pow(Function):
    """a ** b for two tensors. d/da = b a^(b-1); d/db = a^b log a."""

    def forward(self, a, b):
        return a**b

    def backward(self, grad):
        a, b = self.inputs
        ga = unbroadcast(grad * b * a ** (b - 1), a.shape) if self.needs_input_grad[0] else None
        gb = None
        if self.needs_input_grad[1]:
            # PyTorch: 0 where a == 0 and b >= 0 (log(0) = -inf would give 0 * -inf); NaN for a < 0 (log is NaN)
            keep = ~((a._data == 0) & (b._data >= 0))
            with np.errstate(invalid="ignore"):
                la = where_mask(a, keep).log()
            gb = unbroadcast(grad * self.output * la * Tensor._wrap(keep.astype(grad._data.dtype)), b.shape)
        return ga, gb


class PowScalar(Function):
    """a ** p for a Python number p: the common case (x**2), kept separate so it needs no log."""

    torch_name = "Pow"

    def forward(self, a, p):
        self.p = p
        if p == -0.5 and a.dtype.kind == "f":  # PyTorch computes rsqrt: NaN for -inf, where pow gives 0
            with np.errstate(divide="ignore", invalid="ignore"):
                return (1 / np.sqrt(a)).astype(a.dtype, copy=False)
        return a**p

    def backward(self, grad):
        (a,) = self.inputs
        if self.p == 0:  # x**0 is constant; the formula would give 0 * 0**-1 = nan at x = 0
            return grad * 0
        if self.p == 2:
            return grad * 2 * a
        return grad * self.p * a ** (self.p - 1)


def pow(a: Any, b: Any) -> Tensor:
    if isinstance(a, Tensor) and np.isscalar(b) and not isinstance(b, bool):
        if a._data.dtype.kind != "f" and isinstance(b, float):
            a = a.float()
        elif a._data.dtype == np.bool_:  # numpy gives int8 for bool ** int; PyTorch int64
            a = a.long()
        return PowScalar.apply(a, p=b)
    return Pow.apply(*operands(a, b, "pow"))


def where_mask(a: Tensor, mask: np.ndarray) -> Tensor:
    """``a`` where mask, else 1 (a value at which log and division are harmless)."""
    return join.where(Tensor._wrap(mask), a, Tensor._wrap(np.ones((), a._data.dtype)))


true_divide = divide = div
multiply = mul
subtract = sub
negative = neg


# ---- rounded division: built from the ops above ------------------------------------------------------------------
def floor_divide(a: Any, b: Any) -> Tensor:
    """``floor(a / b)`` (PyTorch rounds towards minus infinity since 1.13); no gradient."""
    return div(a, b, rounding_mode="floor")


def _rounded_quotient(a: Any, b: Any, mode: str) -> Tensor:
    return Tensor._wrap(div(a, b, rounding_mode=mode)._data)  # a constant: it is flat almost everywhere


def _integer_divisor_check(a: Tensor, b: Tensor) -> None:
    if b._data.dtype.kind in "iub" and a._data.dtype.kind in "iub" and not b._data.all():
        raise RuntimeError("ZeroDivisionError")  # PyTorch's words for an integer division by zero


class Mod(Function):
    """remainder (``a - floor(a / b) * b``, the sign of b, as Python's ``%``) or fmod (``trunc``, the sign of a,
    as C's). Values from numpy's remainder / fmod, which get the infinite cases right (6.3 % inf = 6.3, where
    the formula gives inf * 0 = NaN); d/da = 1, d/db = -floor(a / b) (or -trunc)."""

    def forward(self, a, b, floor):
        self.torch_name = "Remainder" if floor else "Fmod"
        self.floor = floor
        return (np.remainder if floor else np.fmod)(a, b)

    def backward(self, grad):
        a, b = self.inputs
        ga = unbroadcast(grad, a.shape) if self.needs_input_grad[0] else None
        gb = None
        if self.needs_input_grad[1]:
            gb = unbroadcast(-grad * _rounded_quotient(a, b, "floor" if self.floor else "trunc"), b.shape)
        return ga, gb


def remainder(a: Any, b: Any) -> Tensor:
    """``a - floor(a / b) * b``: the sign of ``b``, as Python's ``%``. d/da = 1, d/db = -floor(a / b)."""
    a, b = operands(a, b, "remainder")
    _integer_divisor_check(a, b)
    return Mod.apply(a, b, floor=True)


def fmod(a: Any, b: Any) -> Tensor:
    """``a - trunc(a / b) * b``: the sign of ``a``, as C's fmod."""
    a, b = operands(a, b, "fmod")
    _integer_divisor_check(a, b)
    return Mod.apply(a, b, floor=False)
