"""The kernel seam: every loop over pixels in autolab lives behind these functions.

The contract is in docs/architecture.md ("The kernel seam"). Each function takes and returns numpy
arrays (NCHW) and picks an implementation per call:

- numba kernels (``_gemm``, ``_conv``, ``_conv_s1``, ``_pool``, ``_fused``) for float32 and float64,
  compiled on first use and cached on disk; dispatch.py and dispatch_pool.py choose among them by shape;
- numpy, for other dtypes, for empty arrays, for small matrix products (OpenBLAS on one thread), and
  everywhere after ``set_backend("numpy")``; ``reference.py`` holds the plain numpy definition of every
  kernel, the readable maths;
- another backend's functions, for arrays of a type it registered (``register_backend``).

seam.py holds that choice, once for all of them (the ``@seam`` decorator); ``last_path[name]`` says which
implementation the last call of ``name`` ran (the benchmark prints it).

Importing this package does not import numba: the first kernel call does (about 0.25 s), and then loads
each kernel it needs from the compiled-code cache (10-20 ms each) or compiles it (seconds, once).

Compiled-code cache: ``$NUMBA_CACHE_DIR`` if set, else ``~/.cache/autolab/numba`` (honouring
``$XDG_CACHE_HOME``), else a per-user temporary directory; see ``_config.py``. ``cache_dir()`` says
which.

Threading plan: numba's thread pool (``omp`` layer) runs every heavy kernel; OpenBLAS is only called
for products under its multithreading threshold, so its worker threads never wake and never spin
against numba's. numba's OpenMP workers spin briefly between kernels on an idle machine (a LeNet step is
about 30 small parallel kernels) and wait passively when the machine is already busy when the pool starts
(``_config.py`` samples the CPU for 0.1 s to decide; an ``OMP_WAIT_POLICY`` you set wins). Measured on the
2-core EPYC (docs/benchmarks.md, "Current numbers"): ``a @ b`` at 1024^2 float32 on packed 32-column panels,
178 GFLOP/s median against 194 for numpy's 2-thread OpenBLAS (92%; best rounds 204 vs 197), with no
transposed copy of ``b``.
"""

from ._config import configure as _configure

_CACHE_DIR = _configure()  # before any numba import: environment variables only

from .dispatch import conv2d_backward_input, conv2d_backward_weight, conv2d_forward, matmul  # noqa: E402
from .dispatch_pool import (  # noqa: E402
    avg_pool2d_backward,
    avg_pool2d_forward,
    bias_relu_forward,
    max_pool2d_backward,
    max_pool2d_forward,
    relu_backward,
    softmax_cross_entropy_backward,
    softmax_cross_entropy_forward,
)
from .seam import get_backend, last_path, register_backend, set_backend  # noqa: E402


def cache_dir() -> str:
    """The directory numba's compiled kernels are cached in."""
    return _CACHE_DIR


__all__ = [
    "matmul",
    "conv2d_forward",
    "conv2d_backward_input",
    "conv2d_backward_weight",
    "max_pool2d_forward",
    "max_pool2d_backward",
    "avg_pool2d_forward",
    "avg_pool2d_backward",
    "bias_relu_forward",
    "relu_backward",
    "softmax_cross_entropy_forward",
    "softmax_cross_entropy_backward",
    "set_backend",
    "get_backend",
    "last_path",
    "register_backend",
    "cache_dir",
]
