"""Image transforms with torchvision's API. ``Compose``, ``ToTensor``, ``Normalize``, ``RandomCrop``,
``RandomHorizontalFlip`` also work on a whole batch (``apply_batch``); the others (``Resize``, ``CenterCrop``,
``RandomResizedCrop``, ``RandomRotation``, ``ColorJitter``, ``Grayscale``, ``Pad``, ``RandomApply``, ...) run per
sample."""

from . import functional
from ._geometry import InterpolationMode
from .batch import ImageBatch, supports_batch
from .per_sample import (
    CenterCrop,
    ColorJitter,
    Grayscale,
    Pad,
    RandomApply,
    RandomResizedCrop,
    RandomRotation,
    RandomVerticalFlip,
    Resize,
)
from .transforms import Compose, Lambda, Normalize, RandomCrop, RandomHorizontalFlip, ToTensor

__all__ = [
    "CenterCrop",
    "ColorJitter",
    "Compose",
    "Grayscale",
    "ImageBatch",
    "InterpolationMode",
    "Lambda",
    "Normalize",
    "Pad",
    "RandomApply",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomVerticalFlip",
    "Resize",
    "ToTensor",
    "functional",
    "supports_batch",
]
