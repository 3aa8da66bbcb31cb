"""The per-sample definitions of the transforms, as plain functions on one image.

An *image* is what a dataset hands to its transform: a ``uint8`` numpy array of shape (H, W, C), or
(H, W) for grayscale. It stands in for the PIL image torchvision would give (``np.asarray(pil_image)``
has exactly this layout), since autolab does not depend on PIL. A *tensor* is an ``autolab.Tensor`` of
shape (C, H, W) or (N, C, H, W), what ``to_tensor`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import autolab


def to_tensor(pic: np.ndarray):
    """HWC (or HW) ndarray -> CHW Tensor; uint8 is scaled to float32 in [0, 1], other dtypes kept as is."""
    if not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be an image as a numpy ndarray (H, W, C) or (H, W). Got {type(pic)}.")
    if pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2 or 3 dimensional. Got {pic.ndim} dimensions.")
    if pic.ndim == 2:
        pic = pic[:, :, None]
    chw = np.ascontiguousarray(pic.transpose(2, 0, 1))
    if chw.dtype == np.uint8:
        # Division by 255 (not multiplication by 1/255) is what torchvision does; the batched path
        # does the same float32 operation, so both agree to the last bit.
        chw = np.divide(chw, np.float32(255), dtype=np.float32)
    return autolab.from_numpy(chw)


def _array(t) -> np.ndarray:
    return t.numpy() if isinstance(t, autolab.Tensor) else np.asarray(t)


def normalize(tensor, mean: Sequence[float], std: Sequence[float]):
    """``(tensor - mean[c]) / std[c]`` per channel c, computed in the tensor's float dtype."""
    x = _array(tensor)
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"Input tensor should be a float tensor. Got {x.dtype}.")
    if x.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = {x.shape}")
    mean_a = np.asarray(mean, dtype=x.dtype).reshape(-1, 1, 1)
    std_a = np.asarray(std, dtype=x.dtype).reshape(-1, 1, 1)
    if (std_a == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {x.dtype}, leading to division by zero.")
    return autolab.from_numpy((x - mean_a) / std_a)


def _spatial_axes(x: np.ndarray, is_tensor: bool) -> tuple[int, int]:
    # Images are (..., H, W, C) or (H, W); tensors (..., C, H, W).
    if is_tensor:
        return x.ndim - 2, x.ndim - 1
    return (0, 1) if x.ndim == 2 else (x.ndim - 3, x.ndim - 2)


def parse_padding(padding) -> tuple[int, int, int, int]:
    """torchvision's padding argument -> (left, top, right, bottom)."""
    if isinstance(padding, int):
        return padding, padding, padding, padding
    padding = tuple(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return padding
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


def pad_array(x: np.ndarray, padding, fill=0, padding_mode: str = "constant", is_tensor: bool = False):
    """Pad the spatial axes of an image or tensor array (also a whole batch of them)."""
    left, top, right, bottom = parse_padding(padding)
    ax_h, ax_w = _spatial_axes(x, is_tensor)
    widths = [(0, 0)] * x.ndim
    widths[ax_h], widths[ax_w] = (top, bottom), (left, right)
    if padding_mode == "constant":
        # A filled array and one slice assignment: several times faster than np.pad on a batch.
        # full_like keeps the memory order of x (see ImageBatch).
        out = np.full_like(x, fill, shape=[n + a + b for n, (a, b) in zip(x.shape, widths)])
        out[tuple(slice(a, a + n) for n, (a, _) in zip(x.shape, widths))] = x
        return out
    if padding_mode not in ("edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    return np.pad(x, widths, mode=padding_mode)


def _wrap_like(result: np.ndarray, original):
    return autolab.from_numpy(result) if isinstance(original, autolab.Tensor) else result


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Pad an image (ndarray) or a tensor on all four sides."""
    is_tensor = isinstance(img, autolab.Tensor)
    return _wrap_like(pad_array(_array(img), padding, fill, padding_mode, is_tensor), img)


def crop(img, top: int, left: int, height: int, width: int):
    """The (height, width) window of an image or tensor whose corner is (top, left)."""
    is_tensor = isinstance(img, autolab.Tensor)
    x = _array(img)
    ax_h, ax_w = _spatial_axes(x, is_tensor)
    index = [slice(None)] * x.ndim
    index[ax_h], index[ax_w] = slice(top, top + height), slice(left, left + width)
    return _wrap_like(np.ascontiguousarray(x[tuple(index)]), img)


def hflip(img):
    """Mirror an image or tensor left-right."""
    is_tensor = isinstance(img, autolab.Tensor)
    x = _array(img)
    return _wrap_like(np.ascontiguousarray(np.flip(x, axis=_spatial_axes(x, is_tensor)[1])), img)


def image_size(img) -> tuple[int, int]:
    """(height, width) of an image or tensor."""
    is_tensor = isinstance(img, autolab.Tensor)
    x = _array(img)
    ax_h, ax_w = _spatial_axes(x, is_tensor)
    return x.shape[ax_h], x.shape[ax_w]


# The resampling and colour functions live in their own files; torchvision's functional module has them all.
from ._color import adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation, rgb_to_grayscale  # noqa: E402
from ._geometry import InterpolationMode, center_crop, resize, resized_crop, rotate  # noqa: E402


def to_grayscale(img, num_output_channels: int = 1):
    """torchvision's name for grayscale conversion of an image."""
    return rgb_to_grayscale(img, num_output_channels)


def vflip(img):
    """Mirror an image or tensor top-bottom."""
    from .per_sample import vflip as _vflip  # lazy: per_sample imports this module

    return _vflip(img)


__all__ = [
    "InterpolationMode",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "center_crop",
    "crop",
    "hflip",
    "image_size",
    "normalize",
    "pad",
    "resize",
    "resized_crop",
    "rgb_to_grayscale",
    "rotate",
    "to_grayscale",
    "to_tensor",
    "vflip",
]
