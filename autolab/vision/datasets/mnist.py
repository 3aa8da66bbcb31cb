"""MNIST and Fashion-MNIST from their gzipped idx files, laid out as torchvision lays them out."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable

import numpy as np

import autolab

from ._download import MIRROR_ENV, copy_verified, default_root, download_file, file_verified, mirror_urls
from .vision import VisionDataset

_IDX_UBYTE = 0x08  # the idx type code of unsigned bytes, the only one these files use


def read_idx(path: str) -> np.ndarray:
    """Read an idx file (gzipped or not): a big-endian header, then uint8 data."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:  # truncated or corrupt: name the file
        raise RuntimeError(f"{path} is damaged ({type(e).__name__}: {e}); delete it and download it again") from e
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != _IDX_UBYTE:
        raise RuntimeError(f"{path} is not an idx file of unsigned bytes")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(shape)):
        raise RuntimeError(f"{path}: header says {shape} but holds {len(data) - offset} bytes")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape).copy()


class MNIST(VisionDataset):
    """MNIST: 60,000 training and 10,000 test handwritten digits, 28x28 grayscale.

    Reads ``root/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`` (default root:
    ``default_root()``). ``dataset[i]`` is ``(image, label)`` with the image a uint8 ndarray (28, 28);
    ``ToTensor()`` makes it (1, 28, 28). ``data`` (N, 28, 28) and ``targets`` (N,) are Tensors, as in
    torchvision.
    """

    dataset_dir = "MNIST"  # root/<dataset_dir>/raw, and <mirror>/<dataset_dir>/<file> for AUTOLAB_DATA_MIRROR
    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    # md5 of the decompressed files: a re-compressed .gz with the right content is accepted too.
    raw_md5 = {
        "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
    }
    classes = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]  # fmt: skip

    def __init__(
        self,
        root: str | None = None,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        root = default_root() if root is None else os.path.expanduser(root)
        super().__init__(root, transform, target_transform)
        self.train = train
        if download:
            self.download()
        missing = self._missing_files()
        if missing:
            raise RuntimeError(self._not_found_message(missing))
        prefix = "train" if train else "t10k"
        self._images = read_idx(self._path(f"{prefix}-images-idx3-ubyte.gz"))
        self._labels = read_idx(self._path(f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
        if self._images.ndim != 3 or self._labels.ndim != 1 or len(self._images) != len(self._labels):
            raise RuntimeError(
                f"{self.raw_folder}: images of shape {self._images.shape} and labels of shape {self._labels.shape} "
                "do not make a dataset (expected (N, H, W) and (N,))"
            )
        if self._labels.size and self._labels.max() >= len(self.classes):
            bad = int(np.argmax(self._labels >= len(self.classes)))
            raise RuntimeError(
                f"{self._path(f'{prefix}-labels-idx1-ubyte.gz')}: label {bad} is {self._labels[bad]}, but there are "
                f"{len(self.classes)} classes (a damaged file?)"
            )

    # Views of what __getitem__ reads (so ``ds.data = ds.data[:1000]`` subsamples, as in torchvision).
    @property
    def data(self):
        """The images, a (N, 28, 28) uint8 Tensor sharing memory with the dataset."""
        return autolab.from_numpy(self._images)

    @data.setter
    def data(self, value) -> None:
        value = value.numpy() if isinstance(value, autolab.Tensor) else value
        self._images = np.ascontiguousarray(value, dtype=np.uint8)

    @property
    def targets(self):
        """The labels, a (N,) int64 Tensor."""
        return autolab.from_numpy(self._labels)

    @targets.setter
    def targets(self, value) -> None:
        value = value.numpy() if isinstance(value, autolab.Tensor) else value
        self._labels = np.asarray(value, dtype=np.int64)

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.dataset_dir, "raw")

    def _path(self, gz_name: str) -> str:
        return self._find(self.raw_folder, gz_name)

    @staticmethod
    def _find(raw_folder: str, gz_name: str) -> str:
        # torchvision extracts the .gz files; either form is read.
        plain = os.path.join(raw_folder, gz_name[: -len(".gz")])
        return plain if os.path.isfile(plain) else os.path.join(raw_folder, gz_name)

    def _missing_files(self) -> list[str]:
        return self.missing_files(self.root)

    @classmethod
    def missing_files(cls, root: str) -> list[str]:
        """Expected files absent from ``root/<dataset_dir>/raw``."""
        raw = os.path.join(root, cls.dataset_dir, "raw")
        return [name for name, _ in cls.resources if not os.path.isfile(cls._find(raw, name))]

    def _not_found_message(self, missing: list[str]) -> str:
        name = type(self).__name__
        urls = mirror_urls(self.mirrors, self.dataset_dir, "")
        return (
            f"{name}: dataset not found. Missing in {self.raw_folder}: {', '.join(missing)}.\n"
            f"Get it with one of:\n"
            f"  {name}(root={self.root!r}, download=True)\n"
            f"  python -m autolab.vision.datasets.fetch --root {self.root} [--from LOCAL_COPY]\n"
            f"  or download the files from {urls[0]} into {self.raw_folder}\n"
            f"(set AUTOLAB_DATA to change the default root, now {default_root()})"
        )

    def download(self) -> None:
        """Fetch each missing file, checking its md5; files already here are not fetched again."""
        how_to = f"Check your connection, or put the file in {self.raw_folder} yourself, or set AUTOLAB_DATA_MIRROR."
        for name, md5 in self.resources:
            if os.path.isfile(self._path(name)):
                continue
            path = os.path.join(self.raw_folder, name)
            local = os.path.join(default_root(), self.dataset_dir, "raw", name)
            if (
                local != path
                and not os.environ.get(MIRROR_ENV)  # a mirror chosen explicitly comes first
                and not file_verified(path, md5, self.raw_md5.get(name))
                and file_verified(local, md5, self.raw_md5.get(name))
            ):
                # Offline first: the data root (a class's shared copy, $AUTOLAB_DATA) is the nearest mirror.
                # So `MNIST('../data', download=True)` in PyTorch's example copies from it, verified.
                copy_verified(local, path, md5, self.raw_md5.get(name))
            if not file_verified(path, md5, self.raw_md5.get(name)):
                urls = mirror_urls(self.mirrors, self.dataset_dir, name)
                download_file(urls, path, md5, self.raw_md5.get(name), how_to=how_to)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """Fashion-MNIST: Zalando's 28x28 grayscale clothing images, a drop-in replacement for MNIST."""

    dataset_dir = "FashionMNIST"
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    raw_md5: dict[str, str] = {}
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
