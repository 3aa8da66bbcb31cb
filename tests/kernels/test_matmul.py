"""matmul through the seam: numba's tiled kernel and the small-size BLAS path, against PyTorch."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_helpers import tol

from autolab import kernels


def _check(a, b):
    out = kernels.matmul(a, b)
    expected = torch.matmul(torch.tensor(np.asarray(a, np.float64)), torch.tensor(np.asarray(b, np.float64)))
    assert out.dtype == a.dtype and out.shape == tuple(expected.shape)
    rtol, atol = tol(a.dtype)
    np.testing.assert_allclose(out, expected.numpy(), rtol=rtol, atol=atol * max(1, a.shape[-1]) ** 0.5)
    return out


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(1, 90),
    k=st.integers(1, 90),
    n=st.integers(1, 90),
    batch=st.sampled_from([(), (1,), (3,), (2, 2)]),
    b_batched=st.booleans(),
    transpose_b=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**31),
)
def test_matmul_matches_torch(m, k, n, batch, b_batched, transpose_b, dtype, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(batch + (m, k)).astype(dtype)
    bshape = (batch if b_batched else ()) + ((n, k) if transpose_b else (k, n))
    b = rng.standard_normal(bshape).astype(dtype)
    if transpose_b:  # x @ w.T as in a linear layer: a non-contiguous (transposed) operand
        b = np.swapaxes(b, -1, -2)
    _check(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_large_uses_numba(dtype):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((130, 257)).astype(dtype), rng.standard_normal((257, 67)).astype(dtype)
    _check(a, b)
    assert kernels.last_path["matmul"].startswith("numba")
    _check(a[::2], b[:, ::3])  # strided views are copied to contiguous at the seam
    assert kernels.last_path["matmul"].startswith("numba")


def test_matmul_broadcasts_batches_like_numpy():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 1, 70, 80))
    b = rng.standard_normal((3, 80, 60))
    _check(a, b)
    assert kernels.last_path["matmul"].startswith("numba")


def test_matmul_small_and_other_dtypes_use_numpy():
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(kernels.matmul(a, a.T), a @ a.T)
    assert kernels.last_path["matmul"] == "numpy-blas-1thread"
    ints = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(kernels.matmul(ints, ints.T), ints @ ints.T)
    assert kernels.last_path["matmul"] == "numpy"
    np.testing.assert_array_equal(kernels.matmul(np.ones(3), np.ones((3, 2))), [3.0, 3.0])
