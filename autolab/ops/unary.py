"""Elementwise functions of one tensor. Each backward multiplies the incoming gradient by the local derivative,
written with tensor ops so that it can be differentiated again (create_graph=True)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes, kernels
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from . import arithmetic, join  # sibling op modules are imported whole and used at call time


def _const(mask: np.ndarray, like: Tensor) -> Tensor:
    """A 0/1 (or other) array as a constant tensor of ``like``'s dtype: it carries no gradient."""
    return Tensor._wrap(mask.astype(like._data.dtype, copy=False))


def _select(mask: np.ndarray, grad: Tensor) -> Tensor:
    """``grad`` where mask, else 0 (differentiable in grad, for create_graph)."""
    return join.where(Tensor._wrap(mask), grad, 0.0)


def as_float(x: Tensor) -> Tensor:
    """exp, log, ... of an integer tensor give float32, as in PyTorch."""
    return x if x._data.dtype.kind == "f" else cast(x, dtypes.get_default_dtype())


class Exp(Function):
    def forward(self, x):
        return np.exp(x)

    def backward(self, grad):
        return grad * self.output  # d/dx e^x = e^x


def exp(x: Tensor) -> Tensor:
    return Exp.apply(as_float(x))


class Log(Function):
    def forward(self, x):
        with np.errstate(divide="ignore"):  # log(0) = -inf without a numpy warning, as in PyTorch (BCE relies on it)
            return np.log(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad / x


def log(x: Tensor) -> Tensor:
    return Log.apply(as_float(x))


class Sqrt(Function):
    def forward(self, x):
        return np.sqrt(x)

    def backward(self, grad):
        return grad / (2 * self.output)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(as_float(x))


def square(x: Tensor) -> Tensor:
    """``x * x`` (PyTorch records it as ``x ** 2``: PowBackward0)."""
    return arithmetic.pow(x, 2)


class Expm1(Function):
    def forward(self, x):
        return np.expm1(x)

    def backward(self, grad):
        return grad * (self.output + 1)  # d/dx (e^x - 1) = e^x


def expm1(x: Tensor) -> Tensor:
    """``exp(x) - 1``, accurate for small ``x``."""
    return Expm1.apply(as_float(x))


class Log1p(Function):
    def forward(self, x):
        with np.errstate(divide="ignore"):
            return np.log1p(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad / (x + 1)


def log1p(x: Tensor) -> Tensor:
    """``log(1 + x)``, accurate for small ``x``."""
    return Log1p.apply(as_float(x))


class LogBase(Function):
    """log2 and log10: log(x) / log(base), so the derivative is 1 / (x log(base))."""

    def forward(self, x, base):
        self.torch_name = f"Log{base}"
        self.ln_base = float(np.log(base))
        with np.errstate(divide="ignore"):
            return np.log2(x) if base == 2 else np.log10(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad / (x * self.ln_base)


def log2(x: Tensor) -> Tensor:
    return LogBase.apply(as_float(x), base=2)


def log10(x: Tensor) -> Tensor:
    return LogBase.apply(as_float(x), base=10)


class Rsqrt(Function):
    def forward(self, x):
        with np.errstate(divide="ignore"):
            return (1 / np.sqrt(x)).astype(x.dtype, copy=False)

    def backward(self, grad):
        y = self.output  # y = x^(-1/2), dy/dx = -1/2 x^(-3/2) = -y^3 / 2
        return grad * y * y * y * -0.5


def rsqrt(x: Tensor) -> Tensor:
    """``1 / sqrt(x)``."""
    return Rsqrt.apply(as_float(x))


class Reciprocal(Function):
    def forward(self, x):
        with np.errstate(divide="ignore"):
            return (1 / x).astype(x.dtype, copy=False)

    def backward(self, grad):
        y = self.output
        return -grad * y * y  # d/dx 1/x = -1/x^2


def reciprocal(x: Tensor) -> Tensor:
    """``1 / x``; an integer tensor gives float32, as in PyTorch."""
    return Reciprocal.apply(as_float(x))


class Erf(Function):
    def forward(self, x):
        # numpy has no erf; math.erf element by element is slow but exact, and erf is rare in a training loop
        return np.asarray(np.frompyfunc(math.erf, 1, 1)(x), dtype=x.dtype)

    def backward(self, grad):
        (x,) = self.inputs
        return grad * (2 / math.sqrt(math.pi)) * exp(-x * x)


def erf(x: Tensor) -> Tensor:
    """The error function, ``2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt``."""
    return Erf.apply(as_float(x))


class Erfinv(Function):
    def forward(self, y):
        # Giles' polynomial (single precision), then two Newton steps on erf(x) = y for full double precision
        y64 = y.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            w = -np.log((1 - y64) * (1 + y64))
            a, b = w - 2.5, np.sqrt(w) - 3
            p = np.where(w < 5, _poly(_ERFINV_SMALL, a), _poly(_ERFINV_LARGE, b)) * y64
            erf = np.frompyfunc(math.erf, 1, 1)
            for _ in range(2):
                step = (np.asarray(erf(p), dtype=np.float64) - y64) / (2 / math.sqrt(math.pi) * np.exp(-p * p))
                p = np.where(np.isfinite(step), p - step, p)
        p = np.where(np.abs(y64) == 1, np.copysign(np.inf, y64), np.where(np.abs(y64) > 1, np.nan, p))
        return p.astype(y.dtype)

    def backward(self, grad):
        x = self.output  # d erfinv(y)/dy = sqrt(pi)/2 exp(erfinv(y)^2)
        return grad * (math.sqrt(math.pi) / 2) * exp(x * x)


_ERFINV_SMALL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                 -0.00417768164, 0.246640727, 1.50140941)  # fmt: skip
_ERFINV_LARGE = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                 0.00943887047, 1.00167406, 2.83297682)  # fmt: skip


def _poly(coefs: tuple, w: np.ndarray) -> np.ndarray:
    p = np.full_like(w, coefs[0])
    for c in coefs[1:]:
        p = c + p * w
    return p


def erfinv(x: Tensor) -> Tensor:
    """The inverse of erf on (-1, 1): ``erf(erfinv(y)) = y`` (used by truncated-normal initialisation)."""
    return Erfinv.apply(as_float(x))


class Abs(Function):
    def forward(self, x):
        return np.abs(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad * _const(_sign(x._data), x)


def abs(x: Tensor) -> Tensor:
    return Abs.apply(x)


def sign(x: Tensor) -> Tensor:
    return Tensor._wrap(_sign(x._data))


def _sign(a: np.ndarray) -> np.ndarray:
    """np.sign, except that the sign of NaN is 0, as in PyTorch (so abs'(NaN) = 0 there too)."""
    s = np.sign(a)
    return np.where(np.isnan(s), s.dtype.type(0), s) if s.dtype.kind == "f" else s


class Sin(Function):
    def forward(self, x):
        return np.sin(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad * cos(x)


def sin(x: Tensor) -> Tensor:
    return Sin.apply(as_float(x))


class Cos(Function):
    def forward(self, x):
        return np.cos(x)

    def backward(self, grad):
        (x,) = self.inputs
        return -grad * sin(x)


def cos(x: Tensor) -> Tensor:
    return Cos.apply(as_float(x))


class Tanh(Function):
    def forward(self, x):
        return np.tanh(x)

    def backward(self, grad):
        y = self.output
        return grad * (1 - y * y)  # so d2/dx2 tanh = -2 y (1 - y^2) comes out of autograd itself


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(as_float(x))


class Sigmoid(Function):
    def forward(self, x):
        # e = exp(-|x|) never overflows; 1 / (1 + e) for x >= 0 and e / (1 + e) below keep the small values of the
        # left tail (sigmoid(-20) = 2e-9 in float32, where 0.5 * (1 + tanh(x / 2)) rounds to exactly 0, as
        # PyTorch does not). NaN takes the second branch and stays NaN.
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def backward(self, grad):
        y = self.output
        return grad * y * (1 - y)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(as_float(x))


class ReLU(Function):
    torch_name = "Relu"  # PyTorch prints ReluBackward0

    def forward(self, x):
        return kernels.bias_relu_forward(x)

    def backward(self, grad):
        if not is_grad_enabled():  # the usual case: one fused pass over the gradient
            return Tensor._wrap(kernels.relu_backward(grad._data, self.output._data))
        (x,) = self.inputs
        # select, not multiply, as PyTorch: an inf gradient arriving at x <= 0 gives 0, not inf * 0 = nan
        return _select(x._data > 0, grad)


def relu(x: Tensor) -> Tensor:
    return ReLU.apply(x)


class LeakyReLU(Function):
    torch_name = "LeakyRelu"

    def forward(self, x, negative_slope):
        self.slope = negative_slope
        return np.where(x > 0, x, x * x.dtype.type(negative_slope))

    def backward(self, grad):
        (x,) = self.inputs
        return grad * _const(np.where(x._data > 0, 1.0, self.slope), x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyReLU.apply(x, negative_slope=negative_slope)


class Clamp(Function):
    def forward(self, x, min, max):
        self.lo, self.hi = min, max
        return np.clip(x, min, max)

    def backward(self, grad):
        (x,) = self.inputs
        inside = np.ones_like(x._data, dtype=bool)  # on x's device
        lo, hi = self.lo, self.hi
        if lo is not None:
            inside &= x._data >= lo
        if hi is not None:
            inside &= x._data <= hi
        return _select(inside, grad)


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    if any(isinstance(v, Tensor) and v.numel() > 1 for v in (min, max)):
        # element-wise bounds: where() sends the gradient to x inside, to the bound where it clipped (PyTorch's)
        if min is not None:
            x = join.where(x < min, min, x)
        return x if max is None else join.where(x > max, max, x)
    lo = min.item() if isinstance(min, Tensor) else min
    hi = max.item() if isinstance(max, Tensor) else max
    if x._data.dtype.kind != "f" and any(isinstance(v, float) for v in (lo, hi)):
        x = cast(x, dtypes.float32)  # as PyTorch: an integer tensor clamped to a float bound becomes float32
    return Clamp.apply(x, min=lo, max=hi)


clip = clamp


def clamp_min(x: Tensor, min: Any) -> Tensor:
    return clamp(x, min=min)


def clamp_max(x: Tensor, max: Any) -> Tensor:
    return clamp(x, max=max)


class Cast(Function):
    torch_name = "ToCopy"

    def forward(self, x, dtype):
        self.src = x.dtype
        return x.astype(dtype)

    def backward(self, grad):
        return grad.type(self.src)


def cast(x: Tensor, dtype: Any) -> Tensor:
    if x._data.dtype == dtype.np:
        return x
    if x.requires_grad and dtype.np.kind != "f":
        return Tensor._wrap(x._data.astype(dtype.np))
    return Cast.apply(x, dtype=dtype.np)


class Clone(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        return grad


def clone(x: Tensor) -> Tensor:
    return Clone.apply(x)
