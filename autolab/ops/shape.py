"""Ops that move elements around without changing them: reshape/view, transpose/permute, expand, squeeze.

Their backward undoes the move: reshape back, permute back, sum over what expand repeated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor


def _shape_arg(shape: tuple) -> tuple:
    """Accept both ``x.view(2, 3)`` and ``x.view((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(int(s) for s in shape)


class Reshape(Function):
    def forward(self, x, shape):
        return x.reshape(shape)

    def backward(self, grad):
        (x,) = self.inputs
        return reshape(grad, x.shape)


class Permute(Function):
    def forward(self, x, dims):
        self.dims = dims
        return np.transpose(x, dims)

    def backward(self, grad):
        return permute(grad, tuple(np.argsort(self.dims)))


class Expand(Function):
    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, grad):
        (x,) = self.inputs
        from .arithmetic import unbroadcast

        return unbroadcast(grad, x.shape)


class Contiguous(Function):
    def forward(self, x):
        return np.ascontiguousarray(x)

    def backward(self, grad):
        return grad


def reshape(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    if x.shape == shape:
        return x
    try:
        out_shape = _infer(shape, x.numel())
    except ValueError:
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {x.numel()} "
            f"(the input has shape {tuple(x.shape)})"
        ) from None
    return Reshape.apply(x, shape=out_shape)


def _infer(shape: tuple, n: int) -> tuple:
    if shape.count(-1) > 1:
        raise ValueError
    known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
    if -1 in shape:
        if known == 0 or n % known:
            raise ValueError
        shape = tuple(n // known if s == -1 else s for s in shape)
    if int(np.prod(shape, dtype=np.int64)) != n:
        raise ValueError
    return shape


def view(x: Tensor, *shape: Any) -> Tensor:
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer)):
        # x.view(dtype) reinterprets the bytes, as PyTorch's does (x.type(dtype) is what converts the values)
        from .. import dtypes

        target = dtypes.to_dtype(shape[0]).np
        return x if target == x._data.dtype else Tensor._wrap(x._data.view(target))
    return reshape(x, *shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, 1)
    s, e = start_dim % x.ndim, end_dim % x.ndim
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    return reshape(x, *x.shape[:s], -1, *x.shape[e + 1 :])


def permute(x: Tensor, *dims: Any) -> Tensor:
    dims = _shape_arg(dims)
    if sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
        raise RuntimeError(
            f"permute(): dims {list(dims)} are not a permutation of the {x.ndim} dims of {tuple(x.shape)}"
        )
    dims = tuple(d % x.ndim for d in dims)
    if dims == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, dims=dims)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    dims = list(range(x.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permute(x, *dims)


def t(x: Tensor) -> Tensor:
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return transpose(x, 0, -1) if x.ndim == 2 else x


def expand(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    lead = len(shape) - x.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({x.ndim})"
        )
    full = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    for i, n in enumerate(x.shape):
        if n != 1 and n != full[i + lead]:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({full[i + lead]}) must match the existing "
                f"size ({n}) at non-singleton dimension {i + lead}. Target sizes: {list(shape)}. "
                f"Tensor sizes: {list(x.shape)}"
            )
    if full == x.shape:
        return x
    return Expand.apply(x, shape=full)


def expand_as(x: Tensor, other: Tensor) -> Tensor:
    return expand(x, other.shape)


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    if dim is None:
        return reshape(x, *[n for n in x.shape if n != 1])
    dims = {d % max(x.ndim, 1) for d in ((dim,) if isinstance(dim, int) else dim)}
    return reshape(x, *[n for i, n in enumerate(x.shape) if not (i in dims and n == 1)])


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    if not -x.ndim - 1 <= dim <= x.ndim:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-x.ndim - 1}, {x.ndim}], but got {dim})"
        )
    d = dim % (x.ndim + 1)
    return reshape(x, *x.shape[:d], 1, *x.shape[d:])


def contiguous(x: Tensor) -> Tensor:
    return x if x._data.flags.c_contiguous else Contiguous.apply(x)
