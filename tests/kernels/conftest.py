"""Fixtures for the kernel tests."""

import pytest


@pytest.fixture(autouse=True)
def _auto_backend():
    """Every test starts on the default backend, whatever a failing test left behind."""
    from autolab import kernels

    kernels.set_backend("auto")
    yield
    kernels.set_backend("auto")
