"""Automatic differentiation: the graph of Functions, backpropagation, grad modes and gradient checks."""

from .engine import topological_order
from . import function
from .function import AccumulateGrad, Function, FunctionCtx, once_differentiable
from .functional import backward, grad
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable

__all__ = [
    "Function",
    "Variable",
    "FunctionCtx",
    "function",
    "once_differentiable",
    "AccumulateGrad",
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "topological_order",
]
