"""``autolab.cuda``: PyTorch's ``torch.cuda`` answers, for autolab's CUDA backend (numba, autolab/kernels/cuda).

``is_available()`` is True when numba finds a CUDA GPU, or when numba's CUDA simulator is on
(``NUMBA_ENABLE_CUDASIM=1`` set before numba is imported): then the same kernels run on the CPU, one Python
thread per GPU thread, so code written for a GPU (``.to("cuda")``) runs and is tested here, slowly.
"""

from __future__ import annotations

from typing import Any

from .kernels import cuda as _backend


def is_available() -> bool:
    """True when tensors can be moved to ``"cuda"`` (a GPU, or numba's simulator)."""
    return _backend.numba_cuda() is not None


def is_simulator() -> bool:
    """True when "cuda" is numba's CPU simulator rather than a GPU (autolab's own addition)."""
    return is_available() and _backend.simulator()


def device_count() -> int:
    if not is_available():
        return 0
    return 1 if _backend.simulator() else len(_backend.numba_cuda().gpus)


def current_device() -> int:
    _backend.require()
    return 0


def get_device_name(device: Any = None) -> str:
    cuda = _backend.require()
    if _backend.simulator():
        return "numba CUDA simulator (on the CPU)"
    name = cuda.get_current_device().name
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize(device: Any = None) -> None:
    """Wait until every kernel launched so far has finished (launches return at once on a GPU)."""
    if is_available():
        _backend.numba_cuda().synchronize()


def manual_seed(seed: int) -> None:
    """autolab draws random numbers for CUDA tensors on the host (then copies them), so seeding the CPU
    generator (``autolab.manual_seed``) decides them; this exists so that PyTorch code that calls it runs."""


def manual_seed_all(seed: int) -> None:
    """See ``manual_seed``."""
