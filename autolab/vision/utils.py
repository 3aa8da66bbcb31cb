"""Pictures of a batch: ``make_grid`` and ``save_image`` (torchvision's) and ``show_images`` (a labelled grid).

matplotlib is imported inside ``show_images`` and ``save_image`` only, so ``import autolab`` never loads it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

import autolab


def _to_numpy(x) -> np.ndarray:
    if isinstance(x, autolab.Tensor):
        return x.detach().numpy() if x.requires_grad else x.numpy()
    if isinstance(x, (list, tuple)):
        return np.stack([_to_numpy(e) for e in x])
    return np.asarray(x)


def _as_nchw(images) -> np.ndarray:
    """Tensors (N, C, H, W) / (C, H, W) or image arrays (N, H, W, C) / (N, H, W) -> float (N, C, H, W) in [0, 1]."""
    x = _to_numpy(images)
    if x.dtype == np.uint8:  # images as datasets hold them: channels last
        x = x.astype(np.float32) / 255
        if x.ndim == 2:
            x = x[None]
        if x.ndim == 3:
            x = x[..., None] if x.shape[-1] not in (1, 3) else x[None]
        return x.transpose(0, 3, 1, 2)
    x = x.astype(np.float32)
    if x.ndim == 2:
        x = x[None, None]
    elif x.ndim == 3:
        x = x[None]
    return x


def _unnormalize(x: np.ndarray, mean, std) -> np.ndarray:
    if mean is not None and std is not None:
        c = x.shape[1]
        x = (
            x * np.asarray(std, np.float32).reshape(1, -1, 1, 1)[:, :c]
            + np.asarray(mean, np.float32).reshape(1, -1, 1, 1)[:, :c]
        )
    return np.clip(x, 0, 1)


def make_grid(
    tensor,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
):
    """Tile a batch (N, C, H, W) (or a list of (C, H, W)) into one image tensor (C, H', W'), torchvision's layout.

    ``nrow`` images per row, ``padding`` pixels of ``pad_value`` around each. One-channel images become three
    channels. ``normalize=True`` shifts the values to [0, 1], by ``value_range`` (min, max) if given, else by the
    batch's own min and max (each image's, with ``scale_each``). A single image comes back without padding.
    """
    x = _to_numpy(tensor)
    if x.ndim == 2:  # one image (H, W)
        x = x[None]
    if x.ndim == 3:  # one image (C, H, W)
        if x.shape[0] == 1:
            x = np.concatenate([x] * 3, axis=0)
        x = x[None]
    if x.ndim == 4 and x.shape[1] == 1:
        x = np.concatenate([x] * 3, axis=1)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        x = x.copy()

        def norm(img: np.ndarray) -> np.ndarray:
            low, high = value_range if value_range is not None else (float(img.min()), float(img.max()))
            return (np.clip(img, low, high) - low) / max(high - low, 1e-5)

        x = np.stack([norm(img) for img in x]) if scale_each else norm(x)
        x = x.astype(_to_numpy(tensor).dtype, copy=False)
    if x.shape[0] == 1:
        return autolab.from_numpy(np.ascontiguousarray(x[0]))
    n, c, h, w = x.shape
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(n / xmaps))
    height, width = h + padding, w + padding
    grid = np.full((c, height * ymaps + padding, width * xmaps + padding), pad_value, dtype=x.dtype)
    for k in range(n):
        y, q = divmod(k, xmaps)
        grid[:, y * height + padding : (y + 1) * height, q * width + padding : (q + 1) * width] = x[k]
    return autolab.from_numpy(grid)


def save_image(tensor, fp, format: str | None = None, **kwargs) -> None:
    """Save a tensor (or a batch, tiled with ``make_grid(**kwargs)``) as an image file, as torchvision does.

    Values in [0, 1] become bytes with torchvision's rounding (``x * 255 + 0.5``, clamped). The file is written
    by matplotlib (PNG without any other package; JPEG needs Pillow), not by PIL or PyTorch.
    """
    from matplotlib.image import imsave  # lazy: autolab itself never imports matplotlib

    grid = _to_numpy(make_grid(tensor, **kwargs))
    array = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    if array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    imsave(fp, np.ascontiguousarray(array), format=format)


def _name(label, classes: Sequence[str] | None) -> str:
    label = int(label)
    return classes[label] if classes is not None else str(label)


def show_images(
    images,
    labels=None,
    classes: Sequence[str] | None = None,
    preds=None,
    ncols: int = 8,
    mean: Sequence[float] | None = None,
    std: Sequence[float] | None = None,
    size: float = 1.4,
    title: str | None = None,
):
    """Draw ``images`` in a grid, each titled with its class name; returns the matplotlib Figure.

    ``images``: a batch from a DataLoader (Tensor (N, C, H, W)), or uint8 images (N, H, W, C) / (N, H, W)
    such as ``CIFAR10(...).data[:16]``. ``labels`` and ``preds`` are class indices (ints or a Tensor), shown
    with ``classes`` names: with ``preds`` a title reads ``pred (true)``, green when right, red when wrong.
    Pass the ``mean``/``std`` of your ``Normalize`` to undo it for display.
    """
    from matplotlib.figure import Figure  # lazy: autolab itself never imports matplotlib

    x = _unnormalize(_as_nchw(images), mean, std)
    labels = None if labels is None else _to_numpy(labels).reshape(-1)
    preds = None if preds is None else _to_numpy(preds).reshape(-1)
    n = len(x)
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(ncols * size, nrows * (size + 0.3)), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k >= n:
            continue
        img = x[k].transpose(1, 2, 0)
        if img.shape[2] == 1:
            ax.imshow(img[:, :, 0], cmap="gray", vmin=0, vmax=1)
        else:
            ax.imshow(img)
        if preds is not None:
            right = labels is not None and int(preds[k]) == int(labels[k])
            text = _name(preds[k], classes)
            if labels is not None:
                text += f" ({_name(labels[k], classes)})"
            ax.set_title(text, fontsize=8, color="green" if right or labels is None else "red")
        elif labels is not None:
            ax.set_title(_name(labels[k], classes), fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
