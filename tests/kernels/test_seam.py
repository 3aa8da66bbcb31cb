"""One mechanism picks each seam function's implementation: another backend's arrays, numpy, or numba."""

from __future__ import annotations

import types

import numpy as np
import pytest

from autolab import kernels
from autolab.kernels import reference as ref
from autolab.kernels import seam

SEAM = [
    n for n in kernels.__all__ if n not in ("set_backend", "get_backend", "last_path", "register_backend", "cache_dir")
]


def test_every_seam_function_names_its_numpy_reference():
    """One hop from a seam function to its readable maths: ``kernels.f.reference is reference.f``."""
    assert len(SEAM) == 12
    for name in SEAM:
        fn = getattr(kernels, name)
        assert fn.reference is getattr(ref, name), name


class DeviceArray:
    """Stands in for another backend's array type (a GPU array): not a numpy array."""

    def __init__(self, data):
        self.data = np.asarray(data)


@pytest.fixture
def fake_backend():
    calls = []

    def relu_backward(gy, y):
        calls.append("relu_backward")
        return DeviceArray(np.where(y.data > 0, gy.data, 0))

    kernels.register_backend(DeviceArray, types.SimpleNamespace(relu_backward=relu_backward), "fake-gpu")
    yield calls
    del seam._backends[DeviceArray]


def test_arrays_of_a_registered_type_go_to_that_backend(fake_backend):
    gx = kernels.relu_backward(DeviceArray([1.0, 2.0]), DeviceArray([-1.0, 3.0]))
    assert isinstance(gx, DeviceArray) and gx.data.tolist() == [0.0, 2.0]
    assert fake_backend == ["relu_backward"] and kernels.last_path["relu_backward"] == "fake-gpu"
    with pytest.raises(NotImplementedError, match="max_pool2d_forward: the fake-gpu backend has no implementation"):
        kernels.max_pool2d_forward(DeviceArray(np.ones((1, 1, 2, 2))), (2, 2), (2, 2), (0, 0))
    # numpy arrays still take the CPU paths
    kernels.relu_backward(np.ones(4, np.float32), np.ones(4, np.float32))
    assert kernels.last_path["relu_backward"] == "numba"


def test_the_fallback_to_numpy_is_recorded_for_each_reason():
    x = np.ones((1, 2, 4, 4), np.float32)
    kernels.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert kernels.last_path["max_pool2d_forward"] == "numba"
    for why in (x.astype(np.float16), x[:0], x.astype(np.int64)):  # dtype, empty, integers
        y, _ = kernels.max_pool2d_forward(why, (2, 2), (2, 2), (0, 0))
        assert kernels.last_path["max_pool2d_forward"] == "numpy" and y.dtype == why.dtype
    kernels.relu_backward(np.ones(3, np.float32), np.ones(3, np.float64))  # mixed dtypes
    assert kernels.last_path["relu_backward"] == "numpy"
    kernels.bias_relu_forward(np.ones(3, np.float32))  # fast_if: the numba kernel needs (N, C, ...)
    assert kernels.last_path["bias_relu_forward"] == "numpy"
    kernels.set_backend("numpy")
    kernels.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    assert kernels.last_path["max_pool2d_forward"] == "numpy"


def test_the_arrays_given_to_a_kernel_are_made_contiguous():
    x = np.asfortranarray(np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32))
    y, argmax = kernels.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    want, want_argmax = ref.max_pool2d_forward(np.ascontiguousarray(x), (2, 2), (2, 2), (0, 0))
    np.testing.assert_array_equal(y, want)
    np.testing.assert_array_equal(argmax, want_argmax)
    assert kernels.last_path["max_pool2d_forward"] == "numba"
