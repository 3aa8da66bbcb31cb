"""interpolate (nearest, nearest-exact, linear, bilinear) and pixel_shuffle / pixel_unshuffle.

Resizing is separable: each output row is a weighted sum of input rows, and the same for columns, so it is
two matrix products with an interpolation matrix per axis, ``M_h @ x @ M_w.T``. Building M is where the modes
differ (which input positions, with what weights); autograd gives the backward (M.T spreads the gradient back).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import ops
from ...tensor import Tensor

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle"]

_LINEAR = {"linear": 1, "bilinear": 2}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def _matrix(n_in: int, n_out: int, scale: float | None, mode: str, align_corners: bool, dtype: np.dtype) -> Tensor:
    """The (n_out, n_in) interpolation matrix of one axis. ``scale`` is the user's scale_factor when it is used
    for the coordinates (PyTorch's rule), else None and the ratio of the sizes is used."""
    if n_in == n_out:  # PyTorch copies an axis whose size does not change, whatever scale_factor says
        return Tensor._wrap(np.eye(n_in, dtype=dtype))
    m = np.zeros((n_out, n_in), dtype)
    ratio = n_in / n_out if scale is None else 1.0 / scale
    dst = np.arange(n_out)
    if mode == "nearest" and n_out == 2 * n_in:  # PyTorch's exact shortcut for doubling
        m[dst, dst // 2] = 1
        return Tensor._wrap(m)
    if mode in ("nearest", "nearest-exact"):
        # in float32, as PyTorch's kernel computes it: floor(i * scale) can land on the other side of an integer
        offset = np.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = np.floor((dst.astype(np.float32) + offset) * np.float32(ratio)).astype(np.int64)
        m[dst, np.minimum(src, n_in - 1)] = 1
        return Tensor._wrap(m)
    if align_corners:  # the corner pixels' centres line up: output 0 -> input 0, last -> last
        pos = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:  # pixel centres: output centre (i + 0.5) maps to input coordinate (i + 0.5) * ratio, minus 0.5
        pos = np.maximum((dst + 0.5) * ratio - 0.5, 0)
    i0 = np.minimum(np.floor(pos).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    frac = pos - i0
    np.add.at(m, (dst, i0), 1 - frac)
    np.add.at(m, (dst, i1), frac)
    return Tensor._wrap(m)


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of (N, C, L) or (N, C, H, W) input to ``size``, or by ``scale_factor``."""
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: unknown mode {mode!r}")
    if mode not in ("nearest", "nearest-exact", "linear", "bilinear"):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported in autolab (nearest, linear, bilinear)")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported in autolab")
    if align_corners is not None and mode.startswith("nearest"):
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
        )
    dims = input.ndim - 2
    if dims < 1 or dims > 2:
        raise NotImplementedError(f"interpolate: autolab resizes 3-D and 4-D input, got {input.ndim}-D")
    if mode in _LINEAR and _LINEAR[mode] != dims:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode] + 2}D input")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    n_in = tuple(input.shape[2:])
    if size is not None:
        n_out = (size,) * dims if isinstance(size, int) else tuple(int(s) for s in size)
        scales: tuple = (None,) * dims
    else:
        scales = (scale_factor,) * dims if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
        n_out = tuple(math.floor(n * s) for n, s in zip(n_in, scales))
        if recompute_scale_factor:
            scales = (None,) * dims
    if len(n_out) != dims:
        raise ValueError(
            f"Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of {list(n_in)} and output size of {list(n_out)}."
        )
    dt = input._data.dtype
    mats = [_matrix(a, b, s, mode, bool(align_corners), dt) for a, b, s in zip(n_in, n_out, scales)]
    out = ops.matmul(input, mats[-1].t())  # the last axis (width)
    if dims == 2:
        out = ops.matmul(mats[0], out)  # then the rows
    return out


def upsample(
    input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest", align_corners: Any = None
) -> Tensor:
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(N, C * r^2, H, W) -> (N, C, H * r, W * r): channels become sub-pixel positions (ESPCN's upsampler)."""
    r = upscale_factor
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
            f"but input.size(-3)={c} is not divisible by {r * r}"
        )
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)  # (..., C, H, r, W, r)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle: (N, C, H * r, W * r) -> (N, C * r^2, H, W)."""
    r = downscale_factor
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(
            f"pixel_unshuffle expects height and width to be divisible by downscale_factor, got {h}x{w} and {r}"
        )
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)  # (..., C, r, r, H, W)
    return x.reshape(*lead, c * r * r, h // r, w // r)
