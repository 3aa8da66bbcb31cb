"""Resampling an image: resize (PIL's antialiased filters), rotate, crop around the centre.

Everything works on a float array whose last two axes are (H, W): ``planes(img)`` turns an image (uint8 (H, W, C)
or (H, W), the stand-in for PIL's) or a tensor ((..., C, H, W)) into one, and ``back`` returns the result in the
caller's form (images are rounded back to uint8, as PIL stores them).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from enum import Enum

import numpy as np

import autolab


class InterpolationMode(Enum):
    """torchvision's interpolation names (``transforms.InterpolationMode.BILINEAR``)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"


def _mode(interpolation) -> InterpolationMode:
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, int):  # PIL's constants: 0 nearest, 2 bilinear, 3 bicubic
        table = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC}
        if interpolation in table:
            return table[interpolation]
    if isinstance(interpolation, str):
        return InterpolationMode(interpolation)
    raise ValueError(f"interpolation {interpolation!r} is not supported by autolab (nearest, bilinear, bicubic)")


def planes(img) -> tuple[np.ndarray, Callable[[np.ndarray], object]]:
    """``img`` as a float array (..., H, W), and the function that turns such an array back into ``img``'s form."""
    if isinstance(img, autolab.Tensor):
        x = img.detach().numpy() if img.requires_grad else img.numpy()
        dtype = x.dtype

        def back_tensor(y: np.ndarray):
            if np.issubdtype(dtype, np.integer):
                y = np.clip(np.round(y), np.iinfo(dtype).min, np.iinfo(dtype).max)
            return autolab.from_numpy(np.ascontiguousarray(y.astype(dtype, copy=False)))

        return x.astype(np.float32 if dtype != np.float64 else np.float64), back_tensor
    if not isinstance(img, np.ndarray):
        raise TypeError(f"img should be an image (numpy uint8 (H, W, C) or (H, W)) or a Tensor. Got {type(img)}.")
    gray = img.ndim == 2
    x = (img[None] if gray else img.transpose(2, 0, 1)).astype(np.float32)

    def back_image(y: np.ndarray):
        y = np.clip(np.round(y), 0, 255).astype(np.uint8) if img.dtype == np.uint8 else y.astype(img.dtype)
        return np.ascontiguousarray(y[0] if gray else y.transpose(1, 2, 0))

    return x, back_image


# --- resize: PIL's separable filters, which torch's interpolate(antialias=True) also follows -------------------


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - np.abs(x))


def _cubic(x: np.ndarray, a: float = -0.5) -> np.ndarray:
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


@functools.lru_cache(maxsize=256)  # a pipeline resizes to the same few sizes over and over
def resize_weights(n_in: int, n_out: int, mode: InterpolationMode, antialias: bool = True) -> np.ndarray:
    """The (n_out, n_in) matrix of one axis: output pixel i is row i times the input line.

    Pixel centres sit at ``i + 0.5``. When shrinking with ``antialias``, the filter is stretched by the scale
    so that every input pixel contributes (PIL's ``ImagingResample``); the weights of each row sum to 1.
    """
    scale = n_in / n_out
    if mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        if mode is InterpolationMode.NEAREST:  # torch's legacy "nearest": floor(i * scale)
            src = np.floor(np.arange(n_out) * scale)
        else:  # PIL's and "nearest-exact": the input pixel under the output pixel's centre
            src = np.floor((np.arange(n_out) + 0.5) * scale)
        w = np.zeros((n_out, n_in))
        w[np.arange(n_out), np.minimum(src.astype(np.int64), n_in - 1)] = 1
        return w
    kernel, support = (_triangle, 1.0) if mode is InterpolationMode.BILINEAR else (_cubic, 2.0)
    filterscale = max(scale, 1.0) if antialias else 1.0
    support *= filterscale
    centers = (np.arange(n_out) + 0.5) * scale
    lo = np.maximum((centers - support + 0.5).astype(np.int64), 0)  # int() truncation, as PIL's C code
    hi = np.minimum((centers + support + 0.5).astype(np.int64), n_in)
    taps = np.arange(n_in)
    w = kernel((taps[None, :] - centers[:, None] + 0.5) / filterscale)
    w *= (taps[None, :] >= lo[:, None]) & (taps[None, :] < hi[:, None])
    total = w.sum(axis=1, keepdims=True)
    return np.divide(w, total, out=w, where=total != 0)


def output_size(h: int, w: int, size, max_size: int | None = None) -> tuple[int, int]:
    """torchvision's rule: an int matches the smaller edge (keeping the aspect ratio), a pair is (h, w)."""
    if isinstance(size, int) or (isinstance(size, Sequence) and len(size) == 1):
        size = size if isinstance(size, int) else size[0]
        short, long = (h, w) if h <= w else (w, h)
        new_short, new_long = size, int(size * long / short)
        if max_size is not None:
            if max_size <= size:
                raise ValueError(
                    f"max_size = {max_size} must be strictly greater than the requested size for the smaller "
                    f"edge size (size = {size})"
                )
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_short, new_long) if h <= w else (new_long, new_short)
    if max_size is not None:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller edge")
    return int(size[0]), int(size[1])


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias: bool = True):
    """Resize an image or tensor to ``size`` (see ``output_size``)."""
    x, back = planes(img)
    h, w = x.shape[-2:]
    oh, ow = output_size(h, w, size, max_size)
    if (oh, ow) == (h, w):
        return back(x)
    mode = _mode(interpolation)
    wh = resize_weights(h, oh, mode, antialias).astype(x.dtype)
    ww = resize_weights(w, ow, mode, antialias).astype(x.dtype)
    return back(np.matmul(np.matmul(wh, x), ww.T))


# --- crops ---------------------------------------------------------------------------------------------------


def center_crop(img, output_size):
    """The centred (h, w) window; an image smaller than that is first padded with zeros, as torchvision does."""
    from .functional import crop, image_size, pad  # lazy: functional imports this module

    th, tw = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size) * (3 - len(output_size))
    h, w = image_size(img)
    if th > h or tw > w:
        padding = [(tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0]
        padding += [(tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0]
        img = pad(img, padding, fill=0)
        h, w = image_size(img)
        if (h, w) == (th, tw):
            return img
    return crop(img, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """Crop the window, then resize it to ``size``."""
    from .functional import crop  # lazy: functional imports this module

    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


# --- rotation ------------------------------------------------------------------------------------------------


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False, center=None, fill=0):
    """Rotate counter-clockwise by ``angle`` degrees around ``center`` (default: the image's centre).

    Each output pixel centre is mapped back into the input by the inverse rotation (PIL's affine matrix,
    rounded to 15 decimals as PIL rounds it) and takes the nearest input pixel (or a bilinear mix); what
    falls outside the input is ``fill``.
    """
    if expand:
        raise NotImplementedError("rotate(expand=True) is not supported by autolab: the output keeps the input's size")
    x, back = planes(img)
    h, w = x.shape[-2:]
    cx, cy = (w * 0.5, h * 0.5) if center is None else (float(center[0]), float(center[1]))
    theta = -math.radians(angle)
    a, b = round(math.cos(theta), 15), round(math.sin(theta), 15)
    d, e = round(-math.sin(theta), 15), round(math.cos(theta), 15)
    c = a * -cx + b * -cy + cx
    f = d * -cx + e * -cy + cy
    ys, xs = np.meshgrid(np.arange(h) + 0.5, np.arange(w) + 0.5, indexing="ij")
    xin, yin = a * xs + b * ys + c, d * xs + e * ys + f
    fill_values = np.asarray(0 if fill is None else fill, dtype=x.dtype)
    if fill_values.ndim:  # one value per channel
        fill_values = fill_values.reshape(-1, 1, 1)
    mode = _mode(interpolation)
    if mode is InterpolationMode.BILINEAR:
        out = _bilinear_sample(x, xin - 0.5, yin - 0.5)
        inside = (xin >= 0) & (xin < w) & (yin >= 0) & (yin < h)
    else:
        ix, iy = np.floor(xin).astype(np.int64), np.floor(yin).astype(np.int64)
        inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        out = x[..., np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)]
    out = np.where(inside, out, fill_values)
    return back(out)


def _bilinear_sample(x: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    h, w = x.shape[-2:]
    x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
    fx, fy = sx - x0, sy - y0
    out = 0
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            yy, xx = np.clip(y0 + dy, 0, h - 1), np.clip(x0 + dx, 0, w - 1)
            out = out + x[..., yy, xx] * (wy * wx)
    return out
