"""More elementwise functions: tan, the inverse trig functions, and the hyperbolic sine and cosine.

Each backward is the textbook derivative, written in tensor ops (so it differentiates again)."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from . import arithmetic, unary  # sibling op modules are imported whole and used at call time


class Tan(Function):
    def forward(self, x):
        return np.tan(x)

    def backward(self, grad):
        y = self.output
        return grad * (1 + y * y)  # d/dx tan x = 1 + tan^2 x


def tan(x: Tensor) -> Tensor:
    return Tan.apply(unary.as_float(x))


class Asin(Function):
    def forward(self, x):
        return np.arcsin(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad / unary.sqrt(1 - x * x)


def asin(x: Tensor) -> Tensor:
    return Asin.apply(unary.as_float(x))


class Acos(Function):
    def forward(self, x):
        return np.arccos(x)

    def backward(self, grad):
        (x,) = self.inputs
        return -grad / unary.sqrt(1 - x * x)


def acos(x: Tensor) -> Tensor:
    return Acos.apply(unary.as_float(x))


class Atan(Function):
    def forward(self, x):
        return np.arctan(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad / (1 + x * x)


class Atan2(Function):
    def forward(self, y, x):
        return np.arctan2(y, x)

    def backward(self, grad):
        y, x = self.inputs  # d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)
        r2 = x * x + y * y
        gy = arithmetic.unbroadcast(grad * x / r2, y.shape) if self.needs_input_grad[0] else None
        gx = arithmetic.unbroadcast(-grad * y / r2, x.shape) if self.needs_input_grad[1] else None
        return gy, gx


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point (other, input) in (-pi, pi]: atan(input / other), by quadrant."""
    y, x = arithmetic.operands(unary.as_float(input), other, "atan2")
    return Atan2.apply(y, x)


arctan2 = atan2


def atan(x: Tensor) -> Tensor:
    return Atan.apply(unary.as_float(x))


class Sinh(Function):
    def forward(self, x):
        return np.sinh(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad * cosh(x)


def sinh(x: Tensor) -> Tensor:
    return Sinh.apply(unary.as_float(x))


class Cosh(Function):
    def forward(self, x):
        return np.cosh(x)

    def backward(self, grad):
        (x,) = self.inputs
        return grad * sinh(x)


def cosh(x: Tensor) -> Tensor:
    return Cosh.apply(unary.as_float(x))


arcsin, arccos, arctan = asin, acos, atan
