"""Datasets with torchvision's signatures: ``CIFAR10``, ``MNIST``, ``FashionMNIST``, ``ImageFolder``, ``DatasetFolder``.

Images stay uint8 in memory (CIFAR-10's training set is 150 MB so, 600 MB as float32).
"""

from ._download import DownloadError, UnsafeArchiveError, default_root
from ._root import DataRoot, data_root
from .cifar import CIFAR10
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .vision import VisionDataset

__all__ = [
    "CIFAR10",
    "MNIST",
    "DataRoot",
    "DatasetFolder",
    "DownloadError",
    "FashionMNIST",
    "ImageFolder",
    "UnsafeArchiveError",
    "VisionDataset",
    "data_root",
    "default_root",
]
