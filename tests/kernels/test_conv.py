"""conv2d kernels (numba paths chosen by the dispatcher) against the reference and against PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_helpers import maybe_strided, tol

from autolab import kernels
from autolab.kernels import dispatch
from autolab.kernels import reference as ref


@st.composite
def conv_case(draw):
    k = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    s = draw(st.sampled_from([(1, 1), (1, 1), (2, 2), (2, 1), (3, 2)]))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(max(1, k[0] - 2 * p[0]), 11))
    w = draw(st.integers(max(1, k[1] - 2 * p[1]), 11))
    return dict(
        n=draw(st.sampled_from([1, 2, 3])),
        c=draw(st.integers(1, 7)),
        o=draw(st.integers(1, 9)),
        hw=(h, w),
        k=k,
        s=s,
        p=p,
        bias=draw(st.booleans()),
        dtype=draw(st.sampled_from([np.float32, np.float64])),
        strided=draw(st.booleans()),
        seed=draw(st.integers(0, 2**31)),
    )


def _data(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal((case["n"], case["c"], *case["hw"]))
    w = rng.standard_normal((case["o"], case["c"], *case["k"]))
    b = rng.standard_normal(case["o"]) if case["bias"] else None
    return rng, x, w, b


@settings(max_examples=60, deadline=None)
@given(conv_case())
def test_conv2d_kernels_match_reference_and_torch(case):
    rng, x, w, b = _data(case)
    dt, s, p = case["dtype"], case["s"], case["p"]
    rtol, atol = tol(dt)
    xd, wd = maybe_strided(x.astype(dt), case["strided"]), w.astype(dt)
    bd = None if b is None else b.astype(dt)

    y = kernels.conv2d_forward(xd, wd, bd, s, p)
    assert y.dtype == dt and kernels.last_path["conv2d_forward"].startswith("numba")
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = F.conv2d(tx, tw, None if b is None else torch.tensor(b), stride=s, padding=p)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=rtol, atol=atol * 10)
    np.testing.assert_allclose(y, ref.conv2d_forward(x, w, b, s, p), rtol=rtol, atol=atol * 10)

    gy = rng.standard_normal(ty.shape)
    ty.backward(torch.tensor(gy))
    gyd = maybe_strided(gy.astype(dt), case["strided"])
    gx = kernels.conv2d_backward_input(gyd, wd, x.shape, s, p)
    gw = kernels.conv2d_backward_weight(gyd, xd, w.shape, s, p)
    assert gx.dtype == dt and gw.dtype == dt
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=rtol, atol=atol * 10)
    np.testing.assert_allclose(gw, tw.grad.numpy(), rtol=rtol, atol=atol * 30)
    np.testing.assert_allclose(gx, ref.conv2d_backward_input(gy, w, x.shape, s, p), rtol=rtol, atol=atol * 10)


@pytest.mark.parametrize(
    "shape, o, k, p",
    [
        ((4, 3, 32, 32), 6, 5, 0),  # LeNet conv1: whole-plane kernel
        ((4, 6, 14, 14), 16, 5, 0),  # LeNet conv2
        ((2, 32, 16, 16), 32, 3, 1),  # VGG-small
        ((2, 3, 9, 9), 4, 3, 3),  # padding > k - 1: the input gradient falls back to patches
    ],
)
def test_conv2d_network_shapes_float32(shape, o, k, p):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape).astype(np.float32)
    w = (rng.standard_normal((o, shape[1], k, k)) / k).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = F.conv2d(tx, tw, torch.tensor(b), padding=p)
    gy = rng.standard_normal(ty.shape).astype(np.float32)
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(kernels.conv2d_forward(x, w, b, (1, 1), (p, p)), ty.detach(), rtol=1e-4, atol=1e-4)
    gx = kernels.conv2d_backward_input(gy, w, x.shape, (1, 1), (p, p))
    np.testing.assert_allclose(gx, tx.grad, rtol=1e-4, atol=1e-4)
    gw = kernels.conv2d_backward_weight(gy, x, w.shape, (1, 1), (p, p))
    np.testing.assert_allclose(gw, tw.grad, rtol=1e-4, atol=2e-3)


def test_conv2d_paths_are_reported():
    x = np.ones((1, 3, 8, 8), np.float32)
    kernels.conv2d_forward(x, np.ones((2, 3, 3, 3), np.float32), None, (1, 1), (1, 1))
    assert kernels.last_path["conv2d_forward"] == "numba-planes"
    kernels.conv2d_forward(x, np.ones((2, 3, 3, 3), np.float32), None, (2, 2), (0, 0))
    assert kernels.last_path["conv2d_forward"] == "numba-im2row"
    wide = dispatch.PLANES_MAX_TAPS + 1
    kernels.conv2d_forward(
        np.ones((1, wide, 3, 3), np.float32), np.ones((2, wide, 1, 1), np.float32), None, (1, 1), (0, 0)
    )
    assert kernels.last_path["conv2d_forward"] == "numba-im2row"
    kernels.conv2d_forward(x.astype(np.float16), np.ones((2, 3, 3, 3), np.float16), None, (1, 1), (0, 0))
    assert kernels.last_path["conv2d_forward"] == "numpy"
    kernels.set_backend("numpy")
    kernels.conv2d_forward(x, np.ones((2, 3, 3, 3), np.float32), None, (1, 1), (0, 0))
    assert kernels.last_path["conv2d_forward"] == "numpy"


@settings(max_examples=25, deadline=None)
@given(
    n=st.sampled_from([1, 2, 3]),
    c=st.integers(8, 20),
    o=st.sampled_from([16, 32, 48, 64]),
    hw=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    k=st.sampled_from([(3, 3), (2, 4), (5, 5), (1, 1)]),
    p=st.sampled_from([(0, 0), (1, 1), (2, 1)]),
    dtype=st.sampled_from([np.float32, np.float64]),
    strided=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_wide_weight_gradient_matches_torch(n, c, o, hw, k, p, dtype, strided, seed):
    """O a multiple of 16 and enough taps: the position-major (broadcast) weight-gradient kernels."""
    h, w = max(hw[0], k[0] - 2 * p[0]), max(hw[1], k[1] - 2 * p[1])
    rng = np.random.default_rng(seed)
    x, wt = rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, *k))
    tx, tw = torch.tensor(x), torch.tensor(wt, requires_grad=True)
    ty = F.conv2d(tx, tw, padding=p)
    gy = rng.standard_normal(ty.shape)
    ty.backward(torch.tensor(gy))
    xd, gyd = maybe_strided(x.astype(dtype), strided), maybe_strided(gy.astype(dtype), strided)
    gw = kernels.conv2d_backward_weight(gyd, xd, wt.shape, (1, 1), p)
    wide = c * k[0] * k[1] >= dispatch.WIDE_MIN_TAPS
    assert kernels.last_path["conv2d_backward_weight"] == ("numba-planes-wide" if wide else "numba-planes")
    rtol, atol = tol(dtype)
    np.testing.assert_allclose(gw, tw.grad.numpy(), rtol=rtol, atol=atol * 30)
    assert gw.dtype == dtype
