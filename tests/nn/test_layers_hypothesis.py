"""Random shapes and arguments for the layers whose index arithmetic is easy to get wrong (resizing, adaptive
windows, transposed convolutions), against PyTorch."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_helpers import AL, T, to_np, torch

import autolab

SETTINGS = settings(max_examples=40, deadline=None)


def _check(fa, ft, x: np.ndarray) -> None:
    tx, ax = torch.tensor(x, requires_grad=True), autolab.tensor(x, requires_grad=True)
    ty, ay = ft(tx), fa(ax)
    np.testing.assert_allclose(to_np(ay), to_np(ty), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(0).standard_normal(tuple(ty.shape))
    (ty * torch.tensor(w)).sum().backward()
    (ay * autolab.tensor(w)).sum().backward()
    np.testing.assert_allclose(to_np(ax.grad), to_np(tx.grad), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    mode=st.sampled_from(["nearest", "nearest-exact", "bilinear-t", "bilinear-f"]),
    use_size=st.booleans(),
    oh=st.integers(1, 12),
    ow=st.integers(1, 12),
    sh=st.floats(0.3, 3.0),
    sw=st.floats(0.3, 3.0),
)
def test_interpolate(h, w, mode, use_size, oh, ow, sh, sw):
    base, corners = (mode.split("-")[0], mode.endswith("-t")) if mode.startswith("bilinear") else (mode, None)
    if use_size:
        kw = {"size": (oh, ow)}
    else:
        if int(h * sh) < 1 or int(w * sw) < 1:
            return
        kw = {"scale_factor": (sh, sw)}
    kw |= {"mode": base, "align_corners": corners}
    x = np.random.default_rng(1).standard_normal((2, 2, h, w))
    _check(lambda t: AL.F.interpolate(t, **kw), lambda t: T.F.interpolate(t, **kw), x)


@SETTINGS
@given(h=st.integers(1, 10), w=st.integers(1, 10), oh=st.integers(1, 10), ow=st.integers(1, 10))
def test_adaptive_pooling(h, w, oh, ow):
    x = np.random.default_rng(2).standard_normal((2, 3, h, w))
    _check(lambda t: AL.F.adaptive_avg_pool2d(t, (oh, ow)), lambda t: T.F.adaptive_avg_pool2d(t, (oh, ow)), x)
    _check(lambda t: AL.F.adaptive_max_pool2d(t, (oh, ow)), lambda t: T.F.adaptive_max_pool2d(t, (oh, ow)), x)


@SETTINGS
@given(
    h=st.integers(1, 6),
    k=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
    groups=st.sampled_from([1, 2]),
    extra=st.integers(0, 2),
)
def test_conv_transpose2d(h, k, stride, padding, dilation, groups, extra):
    out_pad = min(extra, max(stride, dilation) - 1)
    if (h - 1) * stride - 2 * padding + dilation * (k - 1) + out_pad + 1 <= 0:
        return
    rng = np.random.default_rng(3)
    x, wt = rng.standard_normal((2, 4, h, h + 1)), rng.standard_normal((4, 3, k, k))
    kw = dict(stride=stride, padding=padding, output_padding=out_pad, groups=groups, dilation=dilation)
    _check(
        lambda t: AL.F.conv_transpose2d(t, autolab.tensor(wt), **kw),
        lambda t: T.F.conv_transpose2d(t, torch.tensor(wt), **kw),
        x,
    )
