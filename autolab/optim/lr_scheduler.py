"""``autolab.optim.lr_scheduler``: PyTorch's learning-rate schedules, under PyTorch's module name.

Each writes the new rate into ``optimizer.param_groups`` when you call ``step()`` (after ``optimizer.step()``).
The code is split by kind: lr_base.py (the base class), lr_decay.py (formulas of the epoch), lr_cyclic.py
(cycles and warm restarts), lr_combined.py (schedules of schedules, ReduceLROnPlateau).
"""

from .lr_base import LRScheduler, _LRScheduler
from .lr_combined import ChainedScheduler, ReduceLROnPlateau, SequentialLR
from .lr_cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from .lr_decay import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .optimizer import Optimizer

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "SequentialLR",
    "CosineAnnealingLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "CyclicLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "PolynomialLR",
    "LRScheduler",
    "_LRScheduler",
    "Optimizer",
]
