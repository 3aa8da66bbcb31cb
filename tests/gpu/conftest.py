"""The CUDA tests run under numba's CUDA simulator, which must be switched on before numba is imported: in a
process started with ``NUMBA_ENABLE_CUDASIM=1``. test_under_simulator.py starts that process for a plain
``pytest`` run; every other test here skips unless the simulator is on (``sim`` marks them)."""

from __future__ import annotations

import os

import pytest

SIMULATOR_ON = os.environ.get("NUMBA_ENABLE_CUDASIM", "0") not in ("", "0")

sim = pytest.mark.skipif(
    not SIMULATOR_ON, reason="needs NUMBA_ENABLE_CUDASIM=1 from the start (tests/gpu/test_under_simulator.py)"
)


@pytest.fixture(autouse=True)
def _no_fallback_left():
    """Each test starts with the host-fallback counter empty."""
    if SIMULATOR_ON:
        from autolab.kernels.cuda.array import reset_fallbacks

        reset_fallbacks()
    yield
