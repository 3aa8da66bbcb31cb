"""CIFAR-10 from its official *binary* version: fixed-size records, so nothing is ever unpickled."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from ._download import default_root, download_file, file_verified, mirror_urls, safe_extract_tar
from .vision import VisionDataset

_RECORD = 1 + 3 * 32 * 32  # 1 label byte, then 1024 red, 1024 green, 1024 blue bytes (row-major planes)


def _planar(chw: np.ndarray) -> np.ndarray:
    """(N, 32, 32, 3) images whose memory is (N, 3, 32, 32) channel planes, as in the files.

    Indexing sees HWC images (like torchvision's ``CIFAR10.data``), but a batch gathered from it is already
    in the CHW order that ``ToTensor`` produces, which makes the batched ToTensor about 3x cheaper, and
    loading needs no transpose of the 150 MB.
    """
    return np.ascontiguousarray(chw).transpose(0, 2, 3, 1)


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 training and 10,000 test images, 32x32 RGB, in 10 classes.

    ``root`` is the folder holding ``cifar-10-batches-bin/`` (default: ``<default_root()>/cifar-10``).
    ``dataset[i]`` is ``(image, label)``: the image a uint8 ndarray (32, 32, 3), where torchvision gives a
    PIL image; ``ToTensor()`` turns either into a (3, 32, 32) float tensor. ``data`` is the (N, 32, 32, 3)
    uint8 array and ``targets`` the list of labels, as in torchvision.
    """

    base_folder = "cifar-10-batches-bin"
    dataset_dir = "cifar-10"  # its folder under the default root, and under $AUTOLAB_DATA_MIRROR
    filename = "cifar-10-binary.tar.gz"
    md5 = "c32a1d4ab5d03f1284b67883e8d87530"
    mirrors = ["https://www.cs.toronto.edu/~kriz/"]
    train_list = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_list = ["test_batch.bin"]
    meta_file = "batches.meta.txt"
    extra_members = ["readme.html"]
    records_per_file = 10_000  # every batch file, train and test: a shorter one is refused, not half-loaded

    def __init__(
        self,
        root: str | None = None,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        root = os.path.join(default_root(), self.dataset_dir) if root is None else os.path.expanduser(root)
        super().__init__(root, transform, target_transform)
        self.train = train
        if download:
            self.download()
        missing = self._missing_files()
        if missing:
            raise RuntimeError(self._not_found_message(missing))
        self.classes = self._read_classes()
        self._images, self._labels = self._read_batches(self.train_list if train else self.test_list)
        self._targets: list[int] | None = None

    # ``data`` and ``targets`` are views of what __getitem__ reads, so the torchvision idiom of
    # subsampling (``ds.data = ds.data[:1000]; ds.targets = ds.targets[:1000]``) works here too.
    @property
    def data(self) -> np.ndarray:
        """The images, (N, 32, 32, 3) uint8."""
        return self._images

    @data.setter
    def data(self, value) -> None:
        self._images = _planar(np.asarray(value, dtype=np.uint8).transpose(0, 3, 1, 2))

    @property
    def targets(self) -> list[int]:
        """The labels, a list of ints."""
        if self._targets is None:
            self._targets = self._labels.tolist()
        return self._targets

    @targets.setter
    def targets(self, value) -> None:
        self._labels = np.asarray(value, dtype=np.int64)
        self._targets = None

    @property
    def folder(self) -> str:
        return os.path.join(self.root, self.base_folder)

    @classmethod
    def _all_files(cls) -> list[str]:
        return [*cls.train_list, *cls.test_list, cls.meta_file]

    def _missing_files(self) -> list[str]:
        return self.missing_files(self.root)

    @classmethod
    def missing_files(cls, root: str) -> list[str]:
        """Expected files under ``root`` that are absent or not exactly ``records_per_file`` records long."""
        return [problem for name in cls._all_files() if (problem := cls.file_problem(root, name))]

    @classmethod
    def file_problem(cls, folder_root: str, name: str) -> str | None:
        """Why ``name`` under ``folder_root/base_folder`` is unusable, or None when it is fine."""
        path = os.path.join(folder_root, cls.base_folder, name)
        if not os.path.isfile(path):
            return name
        size, expected = os.path.getsize(path), cls.records_per_file * _RECORD
        if name.endswith(".bin") and size != expected:
            return f"{name} (size {size:,} bytes, expected {expected:,}: {cls.records_per_file:,} records of {_RECORD})"
        return None

    def _not_found_message(self, missing: list[str]) -> str:
        url = mirror_urls(self.mirrors, self.dataset_dir, self.filename)[0]
        return (
            f"{type(self).__name__}: dataset not found. Missing in {self.folder}: {', '.join(missing)}.\n"
            f"Get it with one of:\n"
            f"  {type(self).__name__}(root={self.root!r}, download=True)\n"
            f"  python -m autolab.vision.datasets.fetch --root {os.path.dirname(self.root) or '.'} "
            f"[--from LOCAL_COPY]\n"
            f"  or download {url} (md5 {self.md5}) and extract it in {self.root}\n"
            f"(set AUTOLAB_DATA to change the default root, now {default_root()})"
        )

    def _read_classes(self) -> list[str]:
        with open(os.path.join(self.folder, self.meta_file), encoding="utf-8") as f:
            return [line.strip() for line in f if line.strip()]

    def _read_batches(self, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
        paths = [os.path.join(self.folder, n) for n in names]
        counts = [self.records_per_file] * len(paths)  # sizes checked by missing_files
        planes = np.empty((sum(counts), 3, 32, 32), dtype=np.uint8)
        labels = np.empty(sum(counts), dtype=np.int64)
        start = 0
        for path, count in zip(paths, counts):
            records = np.fromfile(path, dtype=np.uint8, count=count * _RECORD)
            if records.size != count * _RECORD:  # the file shrank since it was checked
                raise RuntimeError(f"{path}: expected {count * _RECORD:,} bytes, read {records.size:,}")
            records = records.reshape(count, _RECORD)
            labels[start : start + count] = records[:, 0]
            planes[start : start + count] = records[:, 1:].reshape(count, 3, 32, 32)
            start += count
        images = _planar(planes)
        if labels.size and labels.max() >= len(self.classes):
            bad = int(np.argmax(labels >= len(self.classes)))
            raise RuntimeError(
                f"{self.folder}: record {bad} has label {labels[bad]}, but there are {len(self.classes)} classes "
                "(a damaged file?)"
            )
        return images, labels

    def download(self) -> None:
        """Fetch and extract the official archive, unless the dataset is already here."""
        if not self._missing_files():
            return
        archive = os.path.join(self.root, self.filename)
        if not file_verified(archive, self.md5):
            how_to = (
                f"Check your connection, or download it yourself and put it in {self.root}, or set AUTOLAB_DATA_MIRROR."
            )
            download_file(mirror_urls(self.mirrors, self.dataset_dir, self.filename), archive, self.md5, how_to=how_to)
        expected = [f"{self.base_folder}/{n}" for n in [*self._all_files(), *self.extra_members]]
        try:
            safe_extract_tar(archive, self.root, expected)
        except Exception:
            os.remove(archive)  # a verified-but-unusable archive must not be trusted next time either
            raise
        missing = self._missing_files()
        if missing:
            raise RuntimeError(f"{archive} did not contain {', '.join(missing)}")

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"
