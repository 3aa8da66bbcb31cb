"""Moving a tensor between the CPU and the GPU, differentiably: the gradient flows back across the copy."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, to_cuda_array


def _where(a) -> str:
    """ "cpu" for a numpy array, "cuda" for a CudaArray."""
    return "cpu" if isinstance(a, np.ndarray) else "cuda"


def _move(a, where: str):
    on_cpu = isinstance(a, np.ndarray)
    if where == "cpu":
        return a if on_cpu else a.to_host()
    return to_cuda_array(a) if on_cpu else a


class ToDevice(Function):
    torch_name = "ToCopy"

    def forward(self, x, where):
        self.src = "cpu" if isinstance(x, np.ndarray) else "cuda"
        return _move(x, where)

    def backward(self, grad):
        return to_device(grad, self.src)


def to_device(x: Tensor, where: str) -> Tensor:
    """``x`` on ``"cpu"`` or ``"cuda"``: itself when it is there already (as PyTorch's ``.to``), else a copy."""
    if isinstance(x._data, np.ndarray) == (where == "cpu"):
        return x
    return ToDevice.apply(x, where=where)
