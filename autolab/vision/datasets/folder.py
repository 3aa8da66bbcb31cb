"""``DatasetFolder`` and ``ImageFolder``: one sub-folder per class, one file per sample, as torchvision reads them.

    root/dog/xxx.png
    root/dog/xxy.jpeg
    root/cat/123.png

Classes are the sub-folders in sorted order (``class_to_idx``), samples the files found under each, walked in
sorted order. Images are read into uint8 (H, W, 3) arrays, autolab's stand-in for PIL images, by Pillow (PNG,
JPEG, BMP, ...), which comes with matplotlib.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from autolab.utils.data import Dataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: str | tuple[str, ...]) -> bool:
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename: str) -> bool:
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory: str) -> tuple[list[str], dict[str, int]]:
    """The class folders of ``directory``, sorted, and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(
    directory: str,
    class_to_idx: dict[str, int] | None = None,
    extensions: str | tuple[str, ...] | None = None,
    is_valid_file: Callable[[str], bool] | None = None,
    allow_empty: bool = False,
) -> list[tuple[str, int]]:
    """(path, class index) of every valid file, class by class, each class's files in sorted order."""
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:

        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, extensions)

    instances, available = [], set()
    for target_class in sorted(class_to_idx):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    available.add(target_class)
    empty = set(class_to_idx) - available
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            msg += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)
    return instances


def image_loader(path: str) -> np.ndarray:
    """An image file as uint8 (H, W, 3) RGB, as torchvision's loader makes it (``Image.open(f).convert("RGB")``).

    Pillow decodes it: matplotlib depends on Pillow, so wherever matplotlib is installed every format reads.
    """
    try:
        from PIL import Image  # lazy: an optional dependency (matplotlib brings it)
    except ImportError:
        raise RuntimeError(
            f"reading {os.path.basename(path)} needs Pillow (pip install pillow; matplotlib installs it too)"
        ) from None
    with open(path, "rb") as f:
        return np.asarray(Image.open(f).convert("RGB")).copy()


class DatasetFolder(Dataset):
    """Samples from the files under ``root/<class>/``, read with ``loader``; ``dataset[i]`` is (sample, class)."""

    def __init__(
        self,
        root: str,
        loader: Callable[[str], object],
        extensions: tuple[str, ...] | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        self.root = os.path.expanduser(str(root))
        self.transform, self.target_transform = transform, target_transform
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx, extensions, is_valid_file, allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory: str) -> tuple[list[str], dict[str, int]]:
        return find_classes(directory)

    def __getitem__(self, index: int):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self) -> int:
        return len(self.samples)

    def __repr__(self) -> str:
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
        ]
        if self.transform is not None:
            lines.append(f"    StandardTransform\n    Transform: {self.transform!r}".replace("\n", "\n    "))
        return "\n".join(lines)


class ImageFolder(DatasetFolder):
    """Images under ``root/<class>/`` (PNG, JPEG, ...): ``dataset[i]`` is (uint8 (H, W, 3) image, class)."""

    def __init__(
        self,
        root: str,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        loader: Callable[[str], object] = image_loader,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__(
            root,
            loader,
            IMG_EXTENSIONS if is_valid_file is None else None,
            transform=transform,
            target_transform=target_transform,
            is_valid_file=is_valid_file,
            allow_empty=allow_empty,
        )
        self.imgs = self.samples


default_loader = image_loader
