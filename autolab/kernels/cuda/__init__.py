"""autolab on a GPU: CUDA kernels written in Python with numba, and the array type they compute on.

A CUDA kernel is a function that thousands of GPU threads run at once, each on its own part of the data. The
threads are grouped in *blocks* (up to 1024 threads that share a fast scratch memory and can wait for each
other at a barrier, ``cuda.syncthreads()``); the blocks form a *grid*. Each thread finds its work from its
coordinates: ``cuda.grid(1)`` is ``blockIdx.x * blockDim.x + threadIdx.x``.

Every kernel here uses a *grid-stride loop*: thread ``i`` handles elements ``i, i + S, i + 2S, ...`` where ``S``
is the number of threads in the grid. The result is the same for any grid size, so a launch can use as many
threads as the GPU likes, and numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, which runs each simulated
thread as a Python thread on the CPU) can use very few: ``launch()`` picks the size.

Files, one concept each (each kernel sits beside its explanation):

- ``array.py``: ``CudaArray``, an n-d array in GPU memory (flat buffer + shape + strides + offset), which
  answers numpy's protocols so that autolab's ops, written on numpy arrays, run on it unchanged;
- ``dispatch.py``: those protocols: which kernel each numpy call on a ``CudaArray`` runs, and the counted
  host fallback for the rest;
- ``elementwise.py``: map and zip with broadcasting (every ufunc: ``+``, ``exp``, ``>``, ``where``);
- ``reduce.py``: sum/max/min/argmax along dimensions;
- ``matmul.py``: the shared-memory tiled matrix product;
- ``conv.py``: conv2d forward and both gradients, as im2col + the tiled matmul;
- ``pool.py``: max and average pooling, forward and backward;
- ``loss.py``: softmax + cross-entropy, forward and backward, one thread per row;
- ``optim.py``: the SGD (momentum) and Adam updates, one fused kernel each;
- ``backend.py``: the kernel seam's functions on ``CudaArray`` (``register_backend``).

What has no kernel runs on the host, explicitly: ``array.fallbacks`` counts every such call by name (copy to
the host, numpy, copy back), so a test can see that a training step needed none.

Importing this package does not import numba; ``autolab.cuda.is_available()`` does, once.
"""

from __future__ import annotations

import os
from typing import Any

_state: dict[str, Any] = {"cuda": None, "why": None}


def simulator() -> bool:
    """True when numba runs CUDA kernels in its CPU simulator (``NUMBA_ENABLE_CUDASIM=1``)."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")


def numba_cuda() -> Any:
    """numba's ``cuda`` module when a GPU (or the simulator) can run kernels; else None (``why()`` says why)."""
    if _state["cuda"] is None and _state["why"] is None:
        try:
            from numba import cuda  # lazy: numba-cuda is optional and slow to import
        except ImportError as e:  # pragma: no cover - depends on the environment
            _state["why"] = f"numba's CUDA target is not installed ({e}); pip install 'autolab-learn[cuda]'"
            return None
        try:
            ok = cuda.is_available()
        except Exception as e:  # pragma: no cover - a broken driver
            ok, _state["why"] = False, f"numba could not talk to the CUDA driver: {e}"
        if ok:
            _state["cuda"] = cuda
        elif _state["why"] is None:
            _state["why"] = (
                "no CUDA GPU or driver was found by numba (numba.cuda.is_available() is False); "
                "to run the GPU code on the CPU, set NUMBA_ENABLE_CUDASIM=1 before importing autolab"
            )
    return _state["cuda"]


def why_unavailable() -> str | None:
    """None when CUDA works, else the reason."""
    numba_cuda()
    return _state["why"]


def require() -> Any:
    """numba's ``cuda`` module, or a RuntimeError that says why CUDA cannot be used."""
    cuda = numba_cuda()
    if cuda is None:
        raise RuntimeError(f"autolab cannot use CUDA: {_state['why']}")
    return cuda


# Threads per block and the most blocks per launch. On a GPU: enough blocks to fill it (the grid-stride loops
# do the rest). Under the simulator each thread is a Python thread and each block costs milliseconds, so a
# launch uses 2 blocks of 32: still several blocks and several warps' worth of threads, so indexing errors show.
def launch(n: int) -> tuple[int, int]:
    """``(blocks, threads)`` for a grid-stride kernel over ``n`` items."""
    threads, most = (32, 2) if simulator() else (256, 1024)
    return max(1, min(most, -(-n // threads))), threads
