"""Ops that move elements around without changing them: reshape/view, transpose/permute, expand, flip, roll, pad.

Their backward undoes the move: reshape back, permute back, sum over what expand repeated. Each op's
``Function`` is followed by its public function and the functions built on it (squeeze is a reshape, transpose
a permute, repeat an expand).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from . import arithmetic  # sibling op modules are imported whole and used at call time
from ._dims import wrap_dim


def _shape_arg(shape: tuple) -> tuple:
    """Accept both ``x.view(2, 3)`` and ``x.view((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(int(s) for s in shape)


def _dims(dims: Any, ndim: int, op: str) -> tuple:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dims")
    return tuple(d % max(ndim, 1) for d in dims)


class Reshape(Function):
    def forward(self, x, shape):
        return x.reshape(shape)

    def backward(self, grad):
        (x,) = self.inputs
        return reshape(grad, x.shape)


def reshape(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    if x.shape == shape:
        return x
    try:
        out_shape = _infer(shape, x.numel())
    except ValueError:
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {x.numel()} (the input has shape {tuple(x.shape)})"
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


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    if dim is None:
        return reshape(x, *[n for n in x.shape if n != 1])
    dims = {wrap_dim(d, x.ndim) for d in ((dim,) if isinstance(dim, int) else dim)}
    return reshape(x, *[n for i, n in enumerate(x.shape) if not (i in dims and n == 1)])


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    if not -x.ndim - 1 <= dim <= x.ndim:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-x.ndim - 1}, {x.ndim}], but got {dim})"
        )
    d = dim % (x.ndim + 1)
    return reshape(x, *x.shape[:d], 1, *x.shape[d:])


def unflatten(x: Tensor, dim: int, sizes: Any) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be -1): the inverse of flatten."""
    d = _dims(dim, x.ndim, "unflatten")[0]
    return reshape(x, *x.shape[:d], *sizes, *x.shape[d + 1 :])


class Permute(Function):
    def forward(self, x, dims):
        self.dims = dims
        return np.transpose(x, dims)

    def backward(self, grad):
        return permute(grad, tuple(np.argsort(self.dims)))


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


def swapaxes(x: Tensor, axis0: int, axis1: int) -> Tensor:
    return transpose(x, axis0, axis1)


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the others keep their order."""
    src = _dims(source, x.ndim, "movedim")
    dst = _dims(destination, x.ndim, "movedim")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: source {source} and destination {destination} must have the same length")
    order = [d for d in range(x.ndim) if d not in src]
    for s, d in sorted(zip(dst, src)):
        order.insert(s, d)
    return permute(x, *order)


class Expand(Function):
    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, grad):
        (x,) = self.inputs
        return arithmetic.unbroadcast(grad, x.shape)


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


def broadcast_to(x: Tensor, size: Any) -> Tensor:
    return expand(x, *_shape_arg((size,)))


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile ``x``: ``sizes[i]`` copies along dim i (``sizes`` may have more dims than ``x``: new leading dims).

    Built from expand and reshape, so backward (summing the copies) comes from theirs."""
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"repeat: number of repeat dims ({len(sizes)}) can not be smaller than number of dims of the tensor "
            f"({x.ndim}), shape {tuple(x.shape)}"
        )
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    # (s0, s1) -> (1, s0, 1, s1) -> (r0, s0, r1, s1) -> (r0*s0, r1*s1): copies of x laid out block by block
    spread = reshape(x, [d for n in shape for d in (1, n)])
    big = expand(spread, [d for r, n in zip(sizes, shape) for d in (r, n)])
    return reshape(big, [r * n for r, n in zip(sizes, shape)])


def tile(x: Tensor, dims: Any) -> Tensor:
    """Like ``repeat``, but ``dims`` shorter than ``x.ndim`` is padded with 1s in front."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(dims)) + dims)


class Contiguous(Function):
    def forward(self, x):
        return np.ascontiguousarray(x)

    def backward(self, grad):
        return grad


def contiguous(x: Tensor) -> Tensor:
    return x if x._data.flags.c_contiguous else Contiguous.apply(x)


class Flip(Function):
    def forward(self, x, dims):
        self.dims = dims
        return np.ascontiguousarray(np.flip(x, dims))  # a copy, as PyTorch (not a negative-stride view)

    def backward(self, grad):
        return flip(grad, self.dims)  # flipping is its own inverse


def flip(x: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along ``dims``."""
    if x.ndim == 0:
        return x.clone()
    return Flip.apply(x, dims=_dims(dims, x.ndim, "flip"))


class Roll(Function):
    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(x, shifts, dims)

    def backward(self, grad):
        return Roll.apply(grad, shifts=tuple(-s for s in self.shifts), dims=self.dims)  # roll back


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements along ``dims``; those pushed off one end come back at the other. Without ``dims`` the
    tensor is rolled as if flattened."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: without dims, shifts must be a single number, got {shifts}")
        flat = Roll.apply(reshape(x, -1), shifts=shifts, dims=(0,))
        return reshape(flat, x.shape)
    dims = _dims(dims, x.ndim, "roll")
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dims must have the same length, got {len(shifts)} and {len(dims)}")
    return Roll.apply(x, shifts=shifts, dims=dims)


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``length`` elements of ``x`` along ``dim`` from ``start``: ``x[..., start:start + length, ...]``."""
    d = _dims(dim, x.ndim, "narrow")[0]
    n = x.shape[d]
    s = start + n if start < 0 else start
    if not 0 <= s <= n or length < 0 or s + length > n:
        raise IndexError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}) of dim {dim} "
            f"of a tensor of shape {tuple(x.shape)}"
        )
    return x[(slice(None),) * d + (slice(s, s + length),)]


_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad_by_index(x: Tensor, pairs: list, mode: str) -> Tensor:
    """Modes "reflect", "replicate" and "circular": gather with index arrays, so their backward (adding up the
    copies) is indexing's."""
    for d, (lo, hi) in enumerate(pairs):
        n = x.shape[d]
        if not lo and not hi:
            continue
        too_big = max(lo, hi) >= n if mode == "reflect" else max(lo, hi) > n if mode == "circular" else False
        if min(lo, hi) < 0 or too_big or n == 0:
            raise RuntimeError(
                f"pad: {mode} padding ({lo}, {hi}) is negative or too large for dim {d} of size {n} "
                f"(input shape {tuple(x.shape)}); autolab cuts with negative amounts in constant mode only"
            )
        index = np.pad(np.arange(n), (lo, hi), mode=_NP_MODE[mode])  # where each output element comes from
        x = x[(slice(None),) * d + (index,)]
    return x


class ConstantPad(Function):
    """Surround ``x`` with ``value``; backward cuts the gradient of the original region back out."""

    def forward(self, x, widths, value):
        self.widths = widths
        return np.pad(x, widths, constant_values=value)

    def backward(self, grad):
        return grad[tuple(slice(lo, n - hi) for (lo, hi), n in zip(self.widths, grad.shape))]


def pad(x: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last dims: ``pad = (left, right)`` for the last dim, ``(left, right, top, bottom)`` for the last
    two, and so on. Negative amounts cut. Modes: constant, reflect, replicate, circular."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise RuntimeError(
            f"pad: padding length must be even and at most twice the number of dims, got {len(pad)} values for "
            f"a tensor of shape {tuple(x.shape)}"
        )
    k = len(pad) // 2
    pairs = [(0, 0)] * (x.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    if mode != "constant" and mode not in _NP_MODE:
        raise NotImplementedError(f"pad: mode {mode!r} is not one of constant, reflect, replicate, circular")
    if mode != "constant" and value:
        raise RuntimeError(f"pad: padding mode {mode!r} doesn't take in value argument")
    if mode != "constant":
        return _pad_by_index(x, pairs, mode)
    for d, ((lo, hi), n) in enumerate(zip(pairs, x.shape)):
        if n + lo + hi < 0:
            raise RuntimeError(
                f"pad: padding ({lo}, {hi}) would leave dim {d} of size {n} with {n + lo + hi} elements "
                f"(input shape {tuple(x.shape)})"
            )
    if any(lo < 0 or hi < 0 for lo, hi in pairs):  # negative amounts cut, as a slice; the rest pads
        x = x[tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pairs, x.shape))]
        pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    widths = tuple(pairs)
    if not any(lo or hi for lo, hi in widths):
        return x
    return ConstantPad.apply(x, widths=widths, value=0 if value is None else value)
