"""The numpy references against PyTorch in float64 (values and autograd gradients)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from autolab.kernels import reference as ref


@st.composite
def conv_case(draw):
    n = draw(st.integers(1, 3))
    c = draw(st.integers(1, 4))
    o = draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 9))
    w = draw(st.integers(max(1, kw - 2 * pw), 9))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**31))
    return n, c, o, h, w, (kh, kw), (sh, sw), (ph, pw), bias, seed


@settings(max_examples=40, deadline=None)
@given(conv_case())
def test_conv2d_matches_torch(case):
    n, c, o, h, w, k, s, p, bias, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((o, c, *k))
    b = rng.standard_normal(o) if bias else None
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(wt, requires_grad=True)
    tb = torch.tensor(b) if bias else None
    ty = F.conv2d(tx, tw, tb, stride=s, padding=p)
    gy = rng.standard_normal(ty.shape)
    ty.backward(torch.tensor(gy))

    y = ref.conv2d_forward(x, wt, b, s, p)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    gx = ref.conv2d_backward_input(gy, wt, x.shape, s, p)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    gw = ref.conv2d_backward_weight(gy, x, wt.shape, s, p)
    np.testing.assert_allclose(gw, tw.grad.numpy(), rtol=1e-10, atol=1e-10)


@st.composite
def pool_case(draw):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 9))
    w = draw(st.integers(max(1, kw - 2 * pw), 9))
    seed = draw(st.integers(0, 2**31))
    return n, c, h, w, (kh, kw), (sh, sw), (ph, pw), seed


@settings(max_examples=40, deadline=None)
@given(pool_case())
def test_max_pool2d_matches_torch(case):
    n, c, h, w, k, s, p, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    tx = torch.tensor(x, requires_grad=True)
    ty, tidx = F.max_pool2d(tx, k, s, p, return_indices=True)
    gy = rng.standard_normal(ty.shape)
    ty.backward(torch.tensor(gy))

    y, idx = ref.max_pool2d_forward(x, k, s, p)
    np.testing.assert_array_equal(y, ty.detach().numpy())
    np.testing.assert_array_equal(idx, tidx.numpy())
    assert idx.dtype == np.int64
    gx = ref.max_pool2d_backward(gy, idx, x.shape)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(pool_case())
def test_avg_pool2d_matches_torch(case):
    n, c, h, w, k, s, p, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    tx = torch.tensor(x, requires_grad=True)
    ty = F.avg_pool2d(tx, k, s, p, count_include_pad=True)
    gy = rng.standard_normal(ty.shape)
    ty.backward(torch.tensor(gy))

    y = ref.avg_pool2d_forward(x, k, s, p)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    gx = ref.avg_pool2d_backward(gy, x.shape, k, s, p)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reference_keeps_dtype(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 7)).astype(dtype)
    w = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    y = ref.conv2d_forward(x, w, None, (1, 1), (1, 1))
    assert y.dtype == dtype
    assert ref.conv2d_backward_input(y, w, x.shape, (1, 1), (1, 1)).dtype == dtype
    assert ref.conv2d_backward_weight(y, x, w.shape, (1, 1), (1, 1)).dtype == dtype
    assert ref.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))[0].dtype == dtype
    assert ref.avg_pool2d_forward(x, (2, 2), (2, 2), (1, 1)).dtype == dtype
    assert ref.avg_pool2d_backward(x[:, :, :4, :4], x.shape, (2, 2), (2, 2), (1, 1)).dtype == dtype


@pytest.mark.parametrize("shapes", [((5, 7), (7, 3)), ((4, 5, 7), (4, 7, 3)), ((2, 1, 3, 4), (5, 4, 2))])
def test_reference_matmul(shapes):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    expected = torch.matmul(torch.tensor(a), torch.tensor(b)).numpy()
    np.testing.assert_allclose(ref.matmul(a, b), expected, rtol=1e-12, atol=1e-12)
