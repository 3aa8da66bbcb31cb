"""The batched fast path: a whole batch moves through the transforms as one numpy array."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import autolab


@dataclass
class ImageBatch:
    """A batch on its way through ``transform.apply_batch``.

    ``array`` is (N, H, W, C) uint8 images before ``ToTensor`` and (N, C, H, W) floats after it: the same
    layouts as one sample, with a batch axis in front. Grayscale images (H, W) travel as (N, H, W, 1).
    The batch owns ``array`` (it is always a fresh copy), so transforms may write into it. Its memory
    order is free: CIFAR10 gathers (N, H, W, C) views of channel-planar memory, and transforms keep that
    order (``np.empty_like``), so that ToTensor reads contiguous planes.
    """

    array: np.ndarray
    is_tensor: bool = False
    gray: bool = False

    def spatial_axes(self) -> tuple[int, int]:
        return (2, 3) if self.is_tensor else (1, 2)

    def collated(self):
        """What ``default_collate`` would make of the per-sample results: one stacked Tensor."""
        array = self.array
        if not self.is_tensor and self.gray:
            array = array[..., 0]
        return autolab.from_numpy(np.ascontiguousarray(array))

    def sample(self, i: int):
        """Sample i as the per-sample path would have returned it (a Tensor or an image array)."""
        if self.is_tensor:
            return autolab.from_numpy(self.array[i].copy())
        return self.array[i, ..., 0].copy() if self.gray else self.array[i].copy()


def supports_batch(transform) -> bool:
    """True when ``transform`` (or every part of a Compose) has a batched implementation."""
    return transform is None or bool(getattr(transform, "batchable", False))
