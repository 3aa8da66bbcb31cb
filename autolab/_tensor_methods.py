"""Tensor's operators and maths methods (``x + y``, ``x.exp()``, ``x.sum()``), written out one by one.

The shape and indexing methods (``x.view(...)``, ``x.gather(...)``) are in _tensor_shape.py.

Each method is a one-line forward to the op in ``autolab/ops`` (``x.exp()`` is ``autolab.ops.exp(x)``), so there
is one implementation and "go to definition" on any method leads to it in two steps. ``Tensor`` (tensor.py)
inherits this class; it is kept apart so that tensor.py stays about what a tensor *is*.

The methods reach the ops through the package, ``autolab.ops.exp``, looked up when a method is called: every
op module imports ``Tensor`` to build its results, so this file (part of ``Tensor``) cannot import the ops by
name at import time. ``import autolab`` is always safe here, since Python registers a package before it runs
any of its modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

import autolab

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorMethods:
    """The operators and maths methods of ``Tensor``; see the module docstring."""

    _data: np.ndarray

    # ---- operators ---------------------------------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return autolab.ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return autolab.ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return autolab.ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return autolab.ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return autolab.ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return autolab.ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return autolab.ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return autolab.ops.div(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return autolab.ops.div(self, other, rounding_mode="floor")

    def __mod__(self, other: Any) -> Tensor:
        return autolab.ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return autolab.ops.remainder(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return autolab.ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return autolab.ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return autolab.ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return autolab.ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return autolab.ops.neg(self)

    def __abs__(self) -> Tensor:
        return autolab.ops.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return autolab.ops.getitem(self, index)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]  # elementwise, as in PyTorch
        return autolab.ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return autolab.ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return autolab.ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return autolab.ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return autolab.ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return autolab.ops.ge(self, other)

    def __and__(self, other: Any) -> Tensor:
        return autolab.ops.logical_and(self, other)

    def __or__(self, other: Any) -> Tensor:
        return autolab.ops.logical_or(self, other)

    def __invert__(self) -> Tensor:
        return autolab.ops.logical_not(self)

    # ---- arithmetic and elementwise math -----------------------------------------------------------------------------
    def add(self, other: Any, alpha: float = 1) -> Tensor:
        return autolab.ops.add(self, other, alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        return autolab.ops.sub(self, other, alpha)

    def mul(self, other: Any) -> Tensor:
        return autolab.ops.mul(self, other)

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        return autolab.ops.div(self, other, rounding_mode)

    def pow(self, other: Any) -> Tensor:
        return autolab.ops.pow(self, other)

    def neg(self) -> Tensor:
        return autolab.ops.neg(self)

    def remainder(self, other: Any) -> Tensor:
        return autolab.ops.remainder(self, other)

    def fmod(self, other: Any) -> Tensor:
        return autolab.ops.fmod(self, other)

    def floor_divide(self, other: Any) -> Tensor:
        return autolab.ops.floor_divide(self, other)

    def exp(self) -> Tensor:
        return autolab.ops.exp(self)

    def log(self) -> Tensor:
        return autolab.ops.log(self)

    def sqrt(self) -> Tensor:
        return autolab.ops.sqrt(self)

    def square(self) -> Tensor:
        return autolab.ops.square(self)

    def expm1(self) -> Tensor:
        return autolab.ops.expm1(self)

    def log1p(self) -> Tensor:
        return autolab.ops.log1p(self)

    def log2(self) -> Tensor:
        return autolab.ops.log2(self)

    def log10(self) -> Tensor:
        return autolab.ops.log10(self)

    def rsqrt(self) -> Tensor:
        return autolab.ops.rsqrt(self)

    def reciprocal(self) -> Tensor:
        return autolab.ops.reciprocal(self)

    def erf(self) -> Tensor:
        return autolab.ops.erf(self)

    def abs(self) -> Tensor:
        return autolab.ops.abs(self)

    def sign(self) -> Tensor:
        return autolab.ops.sign(self)

    def sin(self) -> Tensor:
        return autolab.ops.sin(self)

    def cos(self) -> Tensor:
        return autolab.ops.cos(self)

    def tan(self) -> Tensor:
        return autolab.ops.tan(self)

    def asin(self) -> Tensor:
        return autolab.ops.asin(self)

    arcsin = asin

    def acos(self) -> Tensor:
        return autolab.ops.acos(self)

    arccos = acos

    def atan(self) -> Tensor:
        return autolab.ops.atan(self)

    arctan = atan

    def sinh(self) -> Tensor:
        return autolab.ops.sinh(self)

    def cosh(self) -> Tensor:
        return autolab.ops.cosh(self)

    def tanh(self) -> Tensor:
        return autolab.ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return autolab.ops.sigmoid(self)

    def relu(self) -> Tensor:
        return autolab.ops.relu(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return autolab.ops.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min: Any) -> Tensor:
        return autolab.ops.clamp_min(self, min)

    def clamp_max(self, max: Any) -> Tensor:
        return autolab.ops.clamp_max(self, max)

    def floor(self) -> Tensor:
        return autolab.ops.floor(self)

    def ceil(self) -> Tensor:
        return autolab.ops.ceil(self)

    def round(self, decimals: int = 0) -> Tensor:
        return autolab.ops.round(self, decimals)

    def trunc(self) -> Tensor:
        return autolab.ops.trunc(self)

    fix = trunc

    def maximum(self, other: Tensor) -> Tensor:
        return autolab.ops.maximum(self, other)

    def minimum(self, other: Tensor) -> Tensor:
        return autolab.ops.minimum(self, other)

    # ---- matrix products ---------------------------------------------------------------------------------------------
    def matmul(self, other: Tensor) -> Tensor:
        return autolab.ops.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return autolab.ops.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return autolab.ops.bmm(self, other)

    def dot(self, other: Tensor) -> Tensor:
        return autolab.ops.dot(self, other)

    def outer(self, other: Tensor) -> Tensor:
        return autolab.ops.outer(self, other)

    def diag(self, diagonal: int = 0) -> Tensor:
        return autolab.ops.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return autolab.ops.diagonal(self, offset, dim1, dim2)

    def trace(self) -> Tensor:
        return autolab.ops.trace(self)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return autolab.ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return autolab.ops.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return autolab.ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def mv(self, vec: Tensor) -> Tensor:
        return autolab.ops.mv(self, vec)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
        return autolab.ops.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
        return autolab.ops.addcdiv(self, tensor1, tensor2, value=value)

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        return autolab.ops.lerp(self, end, weight)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
        return autolab.ops.diff(self, n, dim, prepend, append)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
        return autolab.ops.nan_to_num(self, nan, posinf, neginf)

    def dist(self, other: Tensor, p: float = 2) -> Tensor:
        return autolab.ops.dist(self, other, p)

    def atan2(self, other: Tensor) -> Tensor:
        return autolab.ops.atan2(self, other)

    def arctan2(self, other: Tensor) -> Tensor:
        return autolab.ops.atan2(self, other)

    def xlogy(self, other: Any) -> Tensor:
        return autolab.ops.xlogy(self, other)

    def logit(self, eps: float | None = None) -> Tensor:
        return autolab.ops.logit(self, eps)

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        return autolab.ops.cumprod(self, dim, dtype=dtype)

    def inverse(self) -> Tensor:
        return autolab.ops.inv(self)

    def det(self) -> Tensor:
        return autolab.ops.det(self)

    def erfinv(self) -> Tensor:
        return autolab.ops.erfinv(self)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return autolab.ops.median(self, dim, keepdim)

    def frac(self) -> Tensor:
        return autolab.ops.frac(self)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> tuple[Tensor, Tensor]:
        return autolab.ops.aminmax(self, dim=dim, keepdim=keepdim)

    def kron(self, other: Tensor) -> Tensor:
        return autolab.ops.kron(self, other)

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        return autolab.ops.cross(self, other, dim)

    def take(self, index: Tensor) -> Tensor:
        return autolab.ops.take(self, index)

    def repeat_interleave(self, repeats: Any = None, dim: int | None = None) -> Tensor:
        return autolab.ops.repeat_interleave(self, repeats, dim)

    # ---- reductions --------------------------------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None, *, keepdims: bool | None = None) -> Tensor:
        return autolab.ops.sum(self, dim, keepdim, dtype, keepdims=keepdims)

    def mean(
        self, dim: Any = None, keepdim: bool = False, dtype: Any = None, *, keepdims: bool | None = None
    ) -> Tensor:
        return autolab.ops.mean(self, dim, keepdim, dtype, keepdims=keepdims)

    def var(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int | None = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        return autolab.ops.var(self, dim, unbiased, keepdim, correction=correction, keepdims=keepdims)

    def std(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: int | None = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        return autolab.ops.std(self, dim, unbiased, keepdim, correction=correction, keepdims=keepdims)

    def max(self, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Any:
        return autolab.ops.max(self, dim, keepdim, keepdims=keepdims)

    def min(self, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Any:
        return autolab.ops.min(self, dim, keepdim, keepdims=keepdims)

    def amax(self, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return autolab.ops.amax(self, dim, keepdim, keepdims=keepdims)

    def amin(self, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return autolab.ops.amin(self, dim, keepdim, keepdims=keepdims)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return autolab.ops.argmax(self, dim, keepdim, keepdims=keepdims)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return autolab.ops.argmin(self, dim, keepdim, keepdims=keepdims)

    def prod(
        self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None, keepdims: bool | None = None
    ) -> Tensor:
        return autolab.ops.prod(self, dim, keepdim, dtype=dtype, keepdims=keepdims)

    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        return autolab.ops.cumsum(self, dim, dtype=dtype)

    def logsumexp(self, dim: Any, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return autolab.ops.logsumexp(self, dim, keepdim, keepdims=keepdims)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return autolab.ops.norm(self, p, dim, keepdim, dtype)

    def all(self, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return autolab.ops.all(self, dim, keepdim, keepdims=keepdims)

    def any(self, dim: Any = None, keepdim: bool = False, *, keepdims: bool | None = None) -> Tensor:
        return autolab.ops.any(self, dim, keepdim, keepdims=keepdims)

    def softmax(self, dim: int | None = None, dtype: Any = None) -> Tensor:
        return autolab.ops.softmax(self, dim, dtype)

    def log_softmax(self, dim: int | None = None, dtype: Any = None) -> Tensor:
        return autolab.ops.log_softmax(self, dim, dtype)

    # ---- sorting and searching ---------------------------------------------------------------------------------------
    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        return autolab.ops.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return autolab.ops.argsort(self, dim, descending, stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return autolab.ops.topk(self, k, dim, largest, sorted)

    def unique(
        self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
    ) -> Any:
        return autolab.ops.unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
        return autolab.ops.bincount(self, weights, minlength)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return autolab.ops.nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        return autolab.ops.argwhere(self)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return autolab.ops.count_nonzero(self, dim)

    # ---- comparisons and tests (bool results, no gradient) -----------------------------------------------------------
    def eq(self, other: Any) -> Tensor:
        return autolab.ops.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return autolab.ops.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return autolab.ops.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return autolab.ops.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return autolab.ops.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return autolab.ops.ge(self, other)

    def logical_and(self, other: Any) -> Tensor:
        return autolab.ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return autolab.ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return autolab.ops.logical_xor(self, other)

    def logical_not(self) -> Tensor:
        return autolab.ops.logical_not(self)

    def equal(self, other: Tensor) -> bool:
        return autolab.ops.equal(self, other)

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        return autolab.ops.allclose(self, other, rtol, atol, equal_nan)

    def isclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
        return autolab.ops.isclose(self, other, rtol, atol, equal_nan)

    def isnan(self) -> Tensor:
        return autolab.ops.isnan(self)

    def isinf(self) -> Tensor:
        return autolab.ops.isinf(self)

    def isfinite(self) -> Tensor:
        return autolab.ops.isfinite(self)
