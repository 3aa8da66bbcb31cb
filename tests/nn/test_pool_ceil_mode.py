"""Pooling with ``ceil_mode=True`` (ragged last windows), ``count_include_pad=False`` and ``divisor_override``
against PyTorch: output shapes, values, indices and gradients, for 2-D and 1-D pooling, the functions and the
layers, over fixed cases and random shapes (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from nn_helpers import AL, T, to_np, torch

import autolab


def _check(fa, ft, x: np.ndarray, exact: bool = False) -> None:
    """Same output shape, values and input gradient (float64)."""
    tx, ax = torch.tensor(x, requires_grad=True), autolab.tensor(x, requires_grad=True)
    ty, ay = ft(tx), fa(ax)
    assert tuple(ay.shape) == tuple(ty.shape)
    tol = {"rtol": 0, "atol": 0} if exact else {"rtol": 1e-12, "atol": 1e-13}
    np.testing.assert_allclose(to_np(ay), to_np(ty), **tol)
    w = np.random.default_rng(0).standard_normal(tuple(ty.shape))
    (ty * torch.tensor(w)).sum().backward()
    (ay * autolab.tensor(w)).sum().backward()
    np.testing.assert_allclose(to_np(ax.grad), to_np(tx.grad), **tol)


# (H, W, kernel, stride, padding): ragged last windows in one or both dims, a window dropped by the "must start
# inside the input or the left padding" rule (7, k2 s3 p1), and shapes where ceil_mode changes nothing
CASES = [
    (5, 5, 2, 2, 0),
    (7, 6, 3, 2, 1),
    (6, 9, (2, 3), (3, 2), (1, 0)),
    (7, 7, 2, 3, 1),
    (8, 8, 2, 2, 0),
    (4, 11, 3, 3, 1),
    (1, 5, 1, 2, 0),
]


@pytest.mark.parametrize("h,w,k,s,p", CASES, ids=str)
@pytest.mark.parametrize("ceil_mode", [True, False])
def test_max_pool2d_ceil_mode(h, w, k, s, p, ceil_mode):
    x = np.random.default_rng(1).standard_normal((2, 3, h, w))
    _check(lambda t: AL.nn.functional.max_pool2d(t, k, s, p, ceil_mode=ceil_mode),
           lambda t: T.nn.functional.max_pool2d(t, k, s, p, ceil_mode=ceil_mode), x, exact=True)  # fmt: skip
    ta, ti = T.nn.functional.max_pool2d(torch.tensor(x), k, s, p, ceil_mode=ceil_mode, return_indices=True)
    aa, ai = AL.nn.functional.max_pool2d(autolab.tensor(x), k, s, p, ceil_mode=ceil_mode, return_indices=True)
    np.testing.assert_array_equal(to_np(ai), ti.numpy())  # indices into the input's H*W, not the padded plane
    # unbatched (C, H, W) and the layer
    _check(lambda t: AL.nn.MaxPool2d(k, s, p, ceil_mode=ceil_mode)(t),
           lambda t: T.nn.MaxPool2d(k, s, p, ceil_mode=ceil_mode)(t), x[0], exact=True)  # fmt: skip


@pytest.mark.parametrize("h,w,k,s,p", CASES, ids=str)
@pytest.mark.parametrize("ceil_mode", [True, False])
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 5])
def test_avg_pool2d_ceil_mode_and_divisors(h, w, k, s, p, ceil_mode, count_include_pad, divisor_override):
    x = np.random.default_rng(2).standard_normal((2, 3, h, w))
    kw = {"ceil_mode": ceil_mode, "count_include_pad": count_include_pad, "divisor_override": divisor_override}
    _check(lambda t: AL.nn.functional.avg_pool2d(t, k, s, p, **kw),
           lambda t: T.nn.functional.avg_pool2d(t, k, s, p, **kw), x)  # fmt: skip
    _check(lambda t: AL.nn.AvgPool2d(k, s, p, **kw)(t), lambda t: T.nn.AvgPool2d(k, s, p, **kw)(t), x[1])


@pytest.mark.parametrize("n,k,s,p", [(5, 2, 2, 0), (10, 3, 2, 1), (7, 2, 3, 1), (9, 4, 4, 2)], ids=str)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_pool1d_ceil_mode(n, k, s, p, count_include_pad):
    x = np.random.default_rng(3).standard_normal((2, 3, n))
    _check(lambda t: AL.nn.MaxPool1d(k, s, p, ceil_mode=True)(t), lambda t: T.nn.MaxPool1d(k, s, p, ceil_mode=True)(t),
           x, exact=True)  # fmt: skip
    kw = {"ceil_mode": True, "count_include_pad": count_include_pad}
    _check(lambda t: AL.nn.AvgPool1d(k, s, p, **kw)(t), lambda t: T.nn.AvgPool1d(k, s, p, **kw)(t), x)
    ti = T.nn.functional.max_pool1d(torch.tensor(x), k, s, p, ceil_mode=True, return_indices=True)[1]
    ai = AL.nn.functional.max_pool1d(autolab.tensor(x), k, s, p, ceil_mode=True, return_indices=True)[1]
    np.testing.assert_array_equal(to_np(ai), ti.numpy())


def test_ceil_mode_keeps_nan_and_float32():
    x = np.random.default_rng(4).standard_normal((1, 2, 5, 5)).astype(np.float32)
    x[0, 0, 4, 4] = np.nan  # in the ragged last window
    tx, ax = torch.tensor(x), autolab.tensor(x)
    for name in ("max_pool2d", "avg_pool2d"):
        t = getattr(T.nn.functional, name)(tx, 2, ceil_mode=True)
        a = getattr(AL.nn.functional, name)(ax, 2, ceil_mode=True)
        assert a.dtype == autolab.float32
        np.testing.assert_allclose(to_np(a), t.numpy(), rtol=1e-6)  # NaN where torch has NaN
        assert np.isnan(to_np(a)[0, 0, 2, 2])


def test_divisor_override_zero_is_an_error():
    x = autolab.ones(1, 1, 4, 4)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        AL.nn.functional.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        T.nn.functional.avg_pool2d(torch.ones(1, 1, 4, 4), 2, divisor_override=0)


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 10),
    w=st.integers(1, 10),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 4),
    sw=st.integers(1, 4),
    ph=st.integers(0, 2),
    pw=st.integers(0, 2),
    count_include_pad=st.booleans(),
    divisor_override=st.sampled_from([None, 1, 3]),
)
def test_pooling_ceil_mode_random_shapes(h, w, kh, kw, sh, sw, ph, pw, count_include_pad, divisor_override):
    assume(ph <= kh // 2 and pw <= kw // 2 and h + 2 * ph >= kh and w + 2 * pw >= kw)
    x = np.random.default_rng(h * 100 + w).standard_normal((2, 2, h, w))
    args = ((kh, kw), (sh, sw), (ph, pw))
    _check(lambda t: AL.nn.functional.max_pool2d(t, *args, ceil_mode=True),
           lambda t: T.nn.functional.max_pool2d(t, *args, ceil_mode=True), x, exact=True)  # fmt: skip
    kwargs = {"ceil_mode": True, "count_include_pad": count_include_pad, "divisor_override": divisor_override}
    _check(lambda t: AL.nn.functional.avg_pool2d(t, *args, **kwargs),
           lambda t: T.nn.functional.avg_pool2d(t, *args, **kwargs), x)  # fmt: skip
