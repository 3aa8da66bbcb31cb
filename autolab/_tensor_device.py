"""Devices: ``autolab.device("cuda:0")``, and whether a device can be used.

A tensor lives on the CPU (its data a numpy array) or on the GPU (a ``CudaArray``, autolab/kernels/cuda). This
file says what a device name means, as ``torch.device`` does, and raises a clear error for a device that autolab
cannot use. ``Tensor.to``, ``.cpu()`` and ``.cuda()`` (tensor.py) move the data through ``autolab.ops.device``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autolab


class device:
    """``autolab.device("cpu")``, ``device("cuda", 0)``, ``device("cuda:0")``: a type and an optional index, as
    in PyTorch. CUDA runs through numba (``autolab.cuda``; without a GPU, numba's simulator); asking for a device
    that cannot be used raises an error that says why."""

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        name = str(type)
        kind, _, suffix = name.partition(":")
        if kind not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of device string: {name}")
        if suffix:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was passed explicitly: {name}"
                )
            if not suffix.isdigit():
                raise RuntimeError(f"Invalid device string: '{name}'")
            index = int(suffix)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = kind
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        # As torch.device: device("cpu") != device("cpu", 0), and a device is never equal to a string.
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return device, (self.type, self.index)


def check_device(dev: Any) -> bool:
    """True for a CUDA device that can be used, False for the CPU (or None); raises for anything else."""
    if dev is None:
        return False
    d = device(dev)
    if d.type == "cpu":
        return False
    if d.type == "cuda":
        if d.index not in (None, 0):
            raise RuntimeError(f"CUDA error: invalid device ordinal (autolab uses one GPU, cuda:0; got {d})")
        why = autolab.kernels.cuda.why_unavailable()
        if why is None:
            return True
        raise RuntimeError(
            f"autolab cannot move a tensor to '{dev}': {why}. Use device='cpu', or write "
            "`device = autolab.device('cuda' if autolab.cuda.is_available() else 'cpu')`."
        )
    raise RuntimeError(f"autolab computes on the CPU or, through numba, on CUDA GPUs; it cannot use '{dev}'.")


def to_cuda_array(a: np.ndarray) -> Any:
    """A numpy array copied to the GPU (``autolab.kernels.cuda.array.CudaArray``)."""
    from .kernels.cuda.array import CudaArray  # lazy: it imports numba

    return CudaArray.from_host(a)
