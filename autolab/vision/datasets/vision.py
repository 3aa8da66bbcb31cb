"""The base of the image datasets: uint8 images in memory, per-sample and batched access."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from autolab.utils.data import CollatedBatch, Dataset, default_collate
from autolab.utils.data._rng import numpy_rng

from ..transforms.batch import ImageBatch, supports_batch


class VisionDataset(Dataset):
    """Images kept as one uint8 array: (N, H, W, C), or (N, H, W) for grayscale (any memory order).

    ``dataset[i]`` is ``(image, label)`` with the image a fresh uint8 ndarray (H, W, C) or (H, W), passed
    through ``transform``. ``dataset.__getitems__(indices)``, which the DataLoader calls once per batch,
    runs the transforms on the whole batch at once when they all have a batched form, and returns the batch
    already collated; otherwise it falls back to one sample at a time.
    """

    classes: list[str] = []

    def __init__(self, root: str, transform: Callable | None = None, target_transform: Callable | None = None):
        self.root = root
        self.transform = transform
        self.target_transform = target_transform
        self._images: np.ndarray = np.zeros((0, 1, 1), np.uint8)  # set by the subclass
        self._labels: np.ndarray = np.zeros(0, np.int64)

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, index: int):
        img = self._images[index].copy()  # a copy: a transform may write into it
        target = int(self._labels[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices: Sequence[int]):
        if not supports_batch(self.transform):
            return [self[i] for i in indices]
        idx = np.asarray(indices, dtype=np.intp)
        # Fancy indexing copies (the batch owns its array) and keeps the memory order of _images.
        images = self._images[idx]
        gray = images.ndim == 3
        batch = ImageBatch(images[..., None] if gray else images, gray=gray)
        if self.transform is not None:
            batch = self.transform.apply_batch(batch, numpy_rng(None))
        labels = self._labels[idx].tolist()
        if self.target_transform is not None:
            labels = [self.target_transform(t) for t in labels]
        collated = [batch.collated(), default_collate(labels)]
        return CollatedBatch(collated, len(idx), lambda i: (batch.sample(i), labels[i]))

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
        ]
        lines += ["    " + line for line in self.extra_repr().splitlines()]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}".replace("\n", "\n    "))
        return "\n".join(lines)
