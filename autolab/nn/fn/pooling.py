"""1-D pooling (2-D pooling on a picture one pixel high) and adaptive pooling (the window sizes are chosen so
that the output has a given size, whatever the input's: how a classifier head accepts any image size).

Adaptive average pooling is separable: the mean over a rectangle is the mean over its rows of the means over
its columns, so it is two matrix products with averaging matrices, ``A_h @ x @ A_w.T``, and autograd gives the
backward. Adaptive max pooling takes the max of each window (one pooling kernel call when the sizes divide).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import ops
from ...ops.conv import avg_pool2d, max_pool2d
from ...tensor import Tensor

__all__ = [
    "max_pool1d",
    "avg_pool1d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
]


def _one(v: Any, name: str) -> Any:
    if v is None or isinstance(v, int):
        return v
    v = tuple(v)
    if len(v) != 1:
        raise TypeError(f"{name} must be an int or a 1-tuple, got {v}")
    return v[0]


def _check_1d(input: Tensor, op: str) -> None:
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {tuple(input.shape)}")


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The max of each window along the last dim of (N, C, L); indices (with ``return_indices``) index L."""
    _check_1d(input, "max_pool1d")
    k, s = _one(kernel_size, "kernel_size"), _one(stride, "stride")
    out = max_pool2d(input.unsqueeze(-2), (1, k), None if s is None else (1, s), (0, _one(padding, "padding")),
                     (1, _one(dilation, "dilation")), ceil_mode, return_indices)  # fmt: skip
    return (out[0].squeeze(-2), out[1].squeeze(-2)) if return_indices else out.squeeze(-2)


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    _check_1d(input, "avg_pool1d")
    k, s = _one(kernel_size, "kernel_size"), _one(stride, "stride")
    out = avg_pool2d(input.unsqueeze(-2), (1, k), None if s is None else (1, s), (0, _one(padding, "padding")),
                     ceil_mode, count_include_pad)  # fmt: skip
    return out.squeeze(-2)


def _bins(n_in: int, n_out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive windows: output i covers [floor(i * n_in / n_out), ceil((i + 1) * n_in / n_out))."""
    return [((i * n_in) // n_out, -(-((i + 1) * n_in) // n_out)) for i in range(n_out)]


def _averaging_matrix(n_in: int, n_out: int, dtype: np.dtype) -> Tensor:
    m = np.zeros((n_out, n_in), dtype)
    for i, (a, b) in enumerate(_bins(n_in, n_out)):
        m[i, a:b] = 1.0 / (b - a)
    return Tensor._wrap(m)


def _sizes(input: Tensor, output_size: Any, dims: int, op: str) -> tuple[int, ...]:
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{op}: expected a {dims + 1}-D or {dims + 2}-D input, got shape {tuple(input.shape)}")
    sizes = (output_size,) * dims if isinstance(output_size, int) or output_size is None else tuple(output_size)
    if len(sizes) != dims:
        raise ValueError(f"{op}: output_size must be {dims} numbers, got {output_size}")
    # None keeps that dim's input size, as in PyTorch
    return tuple(input.shape[input.ndim - dims + i] if s is None else int(s) for i, s in enumerate(sizes))


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average over windows chosen so that the output is ``output_size`` (oh, ow), for (N, C, H, W) input."""
    oh, ow = _sizes(input, output_size, 2, "adaptive_avg_pool2d")
    h, w = input.shape[-2:]
    if (oh, ow) == (1, 1):
        return input.mean((-2, -1), keepdim=True)  # global average pooling, the common case
    dt = input._data.dtype if input.is_floating_point() else np.dtype(np.float32)
    a_h, a_w = _averaging_matrix(h, oh, dt), _averaging_matrix(w, ow, dt)
    return ops.matmul(ops.matmul(a_h, input), a_w.t())


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    (o,) = _sizes(input, _one(output_size, "output_size"), 1, "adaptive_avg_pool1d")
    return ops.matmul(input, _averaging_matrix(input.shape[-1], o, input._data.dtype).t())


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The max over adaptive windows; when the input size is a multiple of the output size the windows are
    regular and one max_pool2d call does it."""
    oh, ow = _sizes(input, output_size, 2, "adaptive_max_pool2d")
    h, w = input.shape[-2:]
    if h % oh == 0 and w % ow == 0:
        return max_pool2d(input, (h // oh, w // ow), (h // oh, w // ow), return_indices=return_indices)
    if return_indices:
        raise NotImplementedError(
            "adaptive_max_pool2d: return_indices=True needs the input size to be a multiple of output_size in autolab"
        )
    rows = []
    for a, b in _bins(h, oh):
        row = [input[..., a:b, c:d].amax((-2, -1)) for c, d in _bins(w, ow)]
        rows.append(ops.stack(row, -1))
    return ops.stack(rows, -2)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    (o,) = _sizes(input, _one(output_size, "output_size"), 1, "adaptive_max_pool1d")
    out = adaptive_max_pool2d(input.unsqueeze(-2), (1, o), return_indices)
    return (out[0].squeeze(-2), out[1].squeeze(-2)) if return_indices else out.squeeze(-2)
