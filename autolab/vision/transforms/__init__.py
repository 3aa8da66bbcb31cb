"""Image transforms with torchvision's API: ``Compose``, ``ToTensor``, ``Normalize``, ``RandomCrop``,
``RandomHorizontalFlip`` and ``Lambda``. Each also works on a whole batch (``apply_batch``)."""

from . import functional
from .batch import ImageBatch, supports_batch
from .transforms import Compose, Lambda, Normalize, RandomCrop, RandomHorizontalFlip, ToTensor

__all__ = [
    "Compose",
    "ImageBatch",
    "Lambda",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "ToTensor",
    "functional",
    "supports_batch",
]
