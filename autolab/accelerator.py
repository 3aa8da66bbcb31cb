"""``autolab.accelerator``: PyTorch's device-generic API (``torch.accelerator``), answered for autolab's one
accelerator, CUDA through numba (``autolab.cuda``; numba's simulator counts as one)."""

from __future__ import annotations

from typing import Any

from . import cuda
from .tensor import device


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """``device(type='cuda')`` when CUDA can be used, else None (PyTorch's answer on a CPU-only machine)."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()


def current_device_index() -> int:
    return cuda.current_device() if cuda.is_available() else -1


def synchronize(device: Any = None) -> None:
    cuda.synchronize(device)
