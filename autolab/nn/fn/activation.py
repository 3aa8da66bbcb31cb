"""Activation functions, written with tensor ops so autograd derives their gradients.

Two habits keep them exact where PyTorch is: a branch that can overflow (exp of a large x) is computed on a
clamped input, because ``where`` still backpropagates 0 * inf = nan through the branch it did not pick; and at a
kink the gradient follows PyTorch's convention (hardtanh's is 0 on the boundary, relu's is 0 at 0).
"""

from __future__ import annotations

import math

from ... import ops
from ...ops.softmax import softmax
from ...random import rng
from ...tensor import Tensor

__all__ = [
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "softplus",
    "mish",
    "softsign",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "logsigmoid",
    "tanhshrink",
    "softshrink",
    "hardshrink",
    "threshold",
    "glu",
    "prelu",
    "rrelu",
    "softmin",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _neg_part(x: Tensor) -> Tensor:
    """min(x, 0), with gradient 0 at 0 as relu has."""
    return -ops.relu(-x)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (e^x - 1) below: a ReLU whose negative side saturates smoothly at -alpha."""
    return ops.where(input > 0, input, alpha * ops.expm1(ops.clamp(input, max=0)))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the constants that keep activations at mean 0, variance 1 (self-normalising)."""
    return _SELU_SCALE * elu(input, _SELU_ALPHA)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (e^(x/alpha) - 1)): elu rescaled so its slope is continuous at 0."""
    return ops.where(input > 0, input, alpha * ops.expm1(ops.clamp(input, max=0) / alpha))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the normal CDF; ``approximate='tanh'`` is the cheaper formula GPT-2 used."""
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input**3)
        return 0.5 * input * (1 + ops.tanh(inner))
    if approximate != "none":
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return 0.5 * input * (1 + ops.erf(input * (1 / math.sqrt(2))))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return input * ops.sigmoid(input)


def _log1p_exp(x: Tensor) -> Tensor:
    """log(1 + e^x) as max(x, 0) + log(1 + e^-|x|), which never overflows. The two halves are cut with ``where``
    so that at x = 0 the gradient is sigmoid(0) = 1/2 (relu and abs would both give 0 there)."""
    pos = ops.where(x > 0, x, 0.0)
    return pos + ops.log1p(ops.exp(ops.where(x > 0, 0.0, x) - pos))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, a smooth ReLU; where beta * x > threshold it is x itself, as in PyTorch."""
    x = input * beta
    return ops.where(x > threshold, input, _log1p_exp(x) / beta)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return input * ops.tanh(softplus(input))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (1 + ops.abs(input))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient is 1 strictly inside, 0 on the edges (PyTorch's rule)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    inside = (input > min_val) & (input < max_val)
    return ops.where(inside, input, ops.clamp(input, min_val, max_val).detach())


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6): MobileNet's ReLU, bounded so that it survives low-precision arithmetic."""
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: a piecewise-linear sigmoid."""
    return relu6(input + 3) / 6


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6: a piecewise form of silu (MobileNetV3)."""
    return input * hardsigmoid(input)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -log(1 + e^-x), finite for any x."""
    return -_log1p_exp(-input)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - ops.tanh(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Shrink towards 0 by lambd, and 0 inside [-lambd, lambd] (the proximal step of an L1 penalty)."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return ops.where(input > lambd, input - lambd, ops.where(input < -lambd, input + lambd, 0.0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    return ops.where((input > lambd) | (input < -lambd), input, 0.0)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``."""
    return ops.where(input > threshold, input, value)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split ``dim`` in halves a, b and return a * sigmoid(b)."""
    if input.shape[dim] % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}")
    a, b = ops.chunk(input, 2, dim)
    return a * ops.sigmoid(b)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """max(0, x) + weight * min(0, x), with one learned slope per channel (dim 1), or one for all."""
    if weight.numel() != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if weight.numel() != channels:
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                f"{weight.numel()} and channel size = {channels}."
            )
        if input.ndim >= 2:  # (C,) -> (C, 1, 1, ...) so it broadcasts along dim 1
            weight = weight.reshape(channels, *([1] * (input.ndim - 2)))
    return ops.relu(input) + weight * _neg_part(input)


def rrelu(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, inplace: bool = False
) -> Tensor:
    """Leaky ReLU with a random slope from U(lower, upper) per element in training, their mean in eval."""
    if not training:
        return ops.leaky_relu(input, (lower + upper) / 2)
    slope = Tensor._wrap(rng().uniform(lower, upper, input.shape).astype(input._data.dtype))
    return ops.where(input >= 0, input, input * slope)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: object = None) -> Tensor:
    """softmax(-x): weights that favour the smallest entries."""
    return softmax(-input, dim, dtype)
