"""Pictures of a batch: ``make_grid`` (torchvision's) and ``show_images`` (a labelled matplotlib grid).

matplotlib is imported inside ``show_images`` only, so ``import autolab`` never loads it.
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


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False, pad_value: float = 0.0):
    """Tile a batch (N, C, H, W) into one image tensor (C, H', W'), ``nrow`` images per row, like
    torchvision's ``make_grid``. ``normalize=True`` rescales the values to [0, 1] first."""
    x = _to_numpy(tensor).astype(np.float32, copy=False)
    if x.ndim == 3:
        x = x[:, None] if x.shape[0] != 1 and x.shape[0] != 3 else x[None]
    if x.shape[1] == 1:
        x = np.repeat(x, 3, axis=1)
    if normalize:
        lo, hi = x.min(), x.max()
        x = (x - lo) / max(hi - lo, 1e-5)
    n, c, h, w = x.shape
    ncol = min(nrow, n)
    nrows = math.ceil(n / ncol)
    grid = np.full((c, nrows * (h + padding) + padding, ncol * (w + padding) + padding), pad_value, np.float32)
    for k in range(n):
        r, q = divmod(k, ncol)
        top, left = r * (h + padding) + padding, q * (w + padding) + padding
        grid[:, top : top + h, left : left + w] = x[k]
    return autolab.from_numpy(grid)


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
