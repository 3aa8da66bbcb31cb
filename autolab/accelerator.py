"""``autolab.accelerator``: PyTorch's device-agnostic questions ("is there a GPU? which one?").

Every answer asks ``autolab.cuda``: on a machine without a CUDA device autolab answers as a CPU-only PyTorch
does (``is_available()`` False, ``current_accelerator()`` None, ``device_count()`` 0), so that
``device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"`` picks the CPU.
"""

from __future__ import annotations

from . import cuda
from .tensor import device as _device

__all__ = [
    "current_accelerator",
    "current_device_index",
    "device_count",
    "is_available",
    "set_device_index",
    "synchronize",
]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """True when an accelerator (a CUDA device) can be used."""
    return bool(cuda.is_available())


def current_accelerator(check_available: bool = False) -> _device | None:
    """``device(type='cuda')`` when there is one, else None (with ``check_available``, also None then)."""
    return _device("cuda") if is_available() else None


def device_count() -> int:
    """How many accelerator devices there are (0 on a CPU-only machine)."""
    return int(cuda.device_count()) if is_available() else 0


def current_device_index() -> int:
    if not is_available():
        raise RuntimeError(_NONE)
    current = getattr(cuda, "current_device", None)
    return int(current()) if current is not None else 0


current_device_idx = current_device_index


def set_device_index(device) -> None:
    if not is_available():
        raise RuntimeError(_NONE)
    setter = getattr(cuda, "set_device", None)
    if setter is not None:
        setter(device)


set_device_idx = set_device_index


def synchronize(device=None) -> None:
    """Wait for the accelerator's queued work; nothing to wait for on the CPU."""
    if not is_available():
        raise RuntimeError(_NONE)
    sync = getattr(cuda, "synchronize", None)
    if sync is not None:
        sync()
