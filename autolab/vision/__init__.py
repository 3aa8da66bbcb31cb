"""Computer vision for the course: datasets, transforms and a picture helper, after torchvision."""

from . import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
