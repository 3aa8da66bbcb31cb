"""Colour: grayscale and the four adjustments of ColorJitter, with torchvision's tensor formulas.

An image (uint8 (H, W, C)) is adjusted in float and rounded back to uint8; PIL's own fixed-point arithmetic
can differ from that by one level. Grayscale of an image uses PIL's integer formula exactly.
"""

from __future__ import annotations

import numpy as np

from ._geometry import planes


def _integer(img) -> bool:
    return isinstance(img, np.ndarray) or not np.issubdtype(np.dtype(img.dtype.np), np.floating)


def _bound(x: np.ndarray, img) -> float:
    # The largest value of the image's type: 255 for images and uint8 tensors, 1.0 for float tensors.
    return 255.0 if _integer(img) else 1.0


def _gray_planes(x: np.ndarray) -> np.ndarray:
    """torchvision's ``rgb_to_grayscale`` on float planes (..., 3, H, W) -> (..., 1, H, W)."""
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    return (0.2989 * r + 0.587 * g + 0.114 * b)[..., None, :, :]


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """Grayscale: an image becomes (H, W) (or (H, W, 3) with 3 output channels), a tensor (1 or 3, H, W)."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if isinstance(img, np.ndarray):
        if img.ndim == 2:
            gray = img
        else:  # PIL's convert("L"): L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16
            rgb = img[..., :3].astype(np.uint32)
            gray = ((19595 * rgb[..., 0] + 38470 * rgb[..., 1] + 7471 * rgb[..., 2] + 0x8000) >> 16).astype(np.uint8)
        return gray if num_output_channels == 1 else np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    x, back = planes(img)
    if x.shape[-3] == 1:
        gray = x
    elif x.shape[-3] == 3:
        gray = _gray_planes(x)
    else:
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {x.shape[-3]}")
    if num_output_channels == 3:
        gray = np.concatenate([gray] * 3, axis=-3)
    return back(gray)


def _blend(x: np.ndarray, other, ratio: float, bound: float) -> np.ndarray:
    return np.clip(ratio * x + (1.0 - ratio) * other, 0, bound)


def adjust_brightness(img, brightness_factor: float):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    x, back = planes(img)
    return back(_blend(x, 0.0, brightness_factor, _bound(x, img)))


def adjust_contrast(img, contrast_factor: float):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    x, back = planes(img)
    gray = _gray_planes(x) if x.shape[-3] == 3 else x
    if _integer(img):
        gray = np.floor(gray)  # torchvision truncates the grayscale of integer images before the mean
    mean = gray.mean(axis=(-3, -2, -1), keepdims=True)
    return back(_blend(x, mean, contrast_factor, _bound(x, img)))


def adjust_saturation(img, saturation_factor: float):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    x, back = planes(img)
    if x.shape[-3] == 1:
        return back(x)
    gray = _gray_planes(x)
    if _integer(img):
        gray = np.floor(gray)
    return back(_blend(x, gray, saturation_factor, _bound(x, img)))


def _rgb2hsv(x: np.ndarray) -> np.ndarray:
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(axis=-3), x.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    cr_divisor = np.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(x: np.ndarray) -> np.ndarray:
    # All three channels at once: c_n = v - v s clip(min(k, 4 - k), 0, 1), k = (n + 6h) mod 6, n = 5, 3, 1 for
    # r, g, b. The same values as the usual six-sector table, without choosing among six arrays per pixel.
    h, s, v = x[..., 0:1, :, :], x[..., 1:2, :, :], x[..., 2:3, :, :]
    n = np.array([5.0, 3.0, 1.0], dtype=x.dtype).reshape(3, 1, 1)
    k = np.mod(n + 6.0 * h, 6.0)
    return v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)


def adjust_hue(img, hue_factor: float):
    """Shift the hue by ``hue_factor`` (a fraction of the colour circle, in [-0.5, 0.5])."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    x, back = planes(img)
    if x.shape[-3] == 1:
        return back(x)
    bound = _bound(x, img)
    hsv = _rgb2hsv(x / bound)
    hsv[..., 0, :, :] = np.fmod(hsv[..., 0, :, :] + hue_factor, 1.0)
    return back(_hsv2rgb(hsv) * bound)


__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "rgb_to_grayscale",
]
