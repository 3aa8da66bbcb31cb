"""Pooling kernels against the reference and PyTorch: values, argmax indices, gradients."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_helpers import maybe_strided, tol

from autolab import kernels
from autolab.kernels import reference as ref


@st.composite
def pool_case(draw):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    h = draw(st.integers(max(1, k[0] - 2 * p[0]), 12))
    w = draw(st.integers(max(1, k[1] - 2 * p[1]), 12))
    shape = (draw(st.sampled_from([1, 2, 3])), draw(st.integers(1, 4)), h, w)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    return shape, k, s, p, dtype, draw(st.booleans()), draw(st.integers(0, 2**31))


@settings(max_examples=50, deadline=None)
@given(pool_case())
def test_max_pool2d_matches_torch(case):
    shape, k, s, p, dtype, strided, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if seed % 3 == 0:  # ties: the first maximum in the window wins, as in PyTorch
        x = np.round(x)
    tx = torch.tensor(x, requires_grad=True)
    ty, tidx = F.max_pool2d(tx, k, s, p, return_indices=True)
    gy = rng.standard_normal(ty.shape)
    ty.backward(torch.tensor(gy))

    y, idx = kernels.max_pool2d_forward(maybe_strided(x.astype(dtype), strided), k, s, p)
    assert kernels.last_path["max_pool2d_forward"] == "numba" and y.dtype == dtype
    np.testing.assert_array_equal(y, ty.detach().numpy().astype(dtype))
    np.testing.assert_array_equal(idx, tidx.numpy())
    np.testing.assert_array_equal(idx, ref.max_pool2d_forward(x, k, s, p)[1])
    gx = kernels.max_pool2d_backward(maybe_strided(gy.astype(dtype), strided), idx, shape)
    np.testing.assert_allclose(gx, tx.grad.numpy(), *tol(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool2d_2x2_fast_path_with_ties(dtype):
    x = np.round(np.random.default_rng(5).standard_normal((3, 4, 10, 9)))  # many ties; odd width
    ty, tidx = F.max_pool2d(torch.tensor(x), 2, 2, return_indices=True)
    y, idx = kernels.max_pool2d_forward(x.astype(dtype), (2, 2), (2, 2), (0, 0))
    np.testing.assert_array_equal(y, ty.numpy())
    np.testing.assert_array_equal(idx, tidx.numpy())


def test_max_pool2d_nan_and_inf_like_torch():
    x = np.array([[[[1.0, np.nan, 3.0, -np.inf, np.nan], [np.nan, 2.0, -np.inf, -np.inf, 5.0]]]])
    ty, tidx = F.max_pool2d(torch.tensor(x), 2, 2, return_indices=True)
    y, idx = kernels.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
    np.testing.assert_array_equal(y, ty.numpy())
    np.testing.assert_array_equal(idx, tidx.numpy())


@settings(max_examples=50, deadline=None)
@given(pool_case())
def test_avg_pool2d_matches_torch(case):
    shape, k, s, p, dtype, strided, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    ty = F.avg_pool2d(tx, k, s, p, count_include_pad=True)
    gy = rng.standard_normal(ty.shape)
    ty.backward(torch.tensor(gy))

    y = kernels.avg_pool2d_forward(maybe_strided(x.astype(dtype), strided), k, s, p)
    assert kernels.last_path["avg_pool2d_forward"] == "numba" and y.dtype == dtype
    np.testing.assert_allclose(y, ty.detach().numpy(), *tol(dtype))
    gx = kernels.avg_pool2d_backward(maybe_strided(gy.astype(dtype), strided), shape, k, s, p)
    np.testing.assert_allclose(gx, tx.grad.numpy(), *tol(dtype))
    np.testing.assert_allclose(gx, ref.avg_pool2d_backward(gy, shape, k, s, p), *tol(dtype))
