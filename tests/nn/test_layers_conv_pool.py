"""Conv1d, Conv2d (groups, dilation, padding modes), ConvTranspose1d/2d, 1-D and adaptive pooling, Upsample /
interpolate and PixelShuffle against PyTorch, with PyTorch's initial weights copied in, in float64."""

from __future__ import annotations

import numpy as np
import pytest
from nn_helpers import AL, T, compare, randn, to_np, torch

import autolab

CONV2D = [
    {},
    {"stride": 2, "padding": 1},
    {"dilation": 2, "padding": 2},
    {"groups": 2, "dilation": (1, 2), "stride": (2, 1)},
    {"groups": 4, "bias": False},
    {"padding": "same", "dilation": 2},
    {"padding": "valid"},
    {"padding": 1, "padding_mode": "reflect"},
    {"padding": (1, 2), "padding_mode": "circular"},
    {"padding": "same", "padding_mode": "replicate"},
]


@pytest.mark.parametrize("kw", CONV2D, ids=str)
def test_conv2d(kw):
    tm, am = compare(lambda L: L.nn.Conv2d(4, 8, (3, 2), **kw), [randn(2, 4, 9, 8)])
    assert repr(am) == repr(tm)


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 2}, {"dilation": 3, "groups": 2}, {"padding": "same"}],
                         ids=str)  # fmt: skip
def test_conv1d(kw):
    tm, am = compare(lambda L: L.nn.Conv1d(4, 6, 3, **kw), [randn(3, 4, 17)])
    assert repr(am) == repr(tm)
    compare(lambda L: L.nn.Conv1d(4, 6, 3, **kw), [randn(4, 17)])  # unbatched


CONVT = [
    {},
    {"stride": 2, "padding": 1, "output_padding": 1},
    {"stride": (2, 3), "padding": (0, 2), "dilation": (2, 1), "groups": 2},
    {"stride": 3, "output_padding": 2, "bias": False},
    {"padding": 3},  # padding larger than the kernel: the output is cut
]


@pytest.mark.parametrize("kw", CONVT, ids=str)
def test_conv_transpose2d(kw):
    tm, am = compare(lambda L: L.nn.ConvTranspose2d(4, 6, (3, 4), **kw), [randn(2, 4, 5, 6)])
    assert repr(am) == repr(tm)


def test_conv_transpose_1d_and_output_size():
    compare(lambda L: L.nn.ConvTranspose1d(4, 2, 5, stride=2, padding=1, groups=2), [randn(3, 4, 7)])
    compare(lambda L: L.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), [randn(1, 3, 4, 4)],
            call=lambda m, x: m(x, output_size=[8, 8]))  # fmt: skip
    with pytest.raises(ValueError, match="output size"):
        AL.nn.ConvTranspose2d(3, 2, 3, stride=2)(autolab.randn(1, 3, 4, 4), output_size=(20, 20))
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        AL.F.conv_transpose2d(autolab.randn(1, 2, 3, 3), autolab.randn(2, 2, 3, 3), output_padding=1)


def test_dcgan_generator_block_trains_like_torch():
    """ConvTranspose2d + BatchNorm2d + ReLU + Tanh, as in the DCGAN tutorial, for two SGD steps."""

    def make(L):
        return L.nn.Sequential(
            L.nn.ConvTranspose2d(8, 4, 4, 1, 0, bias=False), L.nn.BatchNorm2d(4), L.nn.ReLU(True),
            L.nn.ConvTranspose2d(4, 1, 4, 2, 1, bias=False), L.nn.Tanh(),
        )  # fmt: skip

    tm, am = compare(make, [randn(3, 8, 1, 1)], train=True)
    for L, m in ((T, tm), (AL, am)):
        opt = L.t.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(2):
            opt.zero_grad()
            m(L.t.tensor(randn(3, 8, 1, 1))).square().mean().backward()
            opt.step()
    for (k, t), a in zip(tm.state_dict().items(), am.state_dict().values()):
        np.testing.assert_allclose(to_np(a), to_np(t), rtol=1e-9, atol=1e-12, err_msg=k)


def test_conv_default_init_matches_torch_bounds():
    for make in (lambda L: L.nn.ConvTranspose2d(64, 32, 4, groups=2), lambda L: L.nn.Conv1d(64, 128, 5, groups=4)):
        t, a = make(T), make(AL)
        # weight and bias are both U(-b, b) with b = 1/sqrt(fan_in), fan_in = weight.shape[1] * kernel; b is read
        # off torch's weight (thousands of draws), not off a 32-value bias, whose largest draw falls short of b
        bound = np.abs(to_np(t.weight)).max()
        for (k, tp), ap in zip(t.named_parameters(), a.parameters()):
            tw, aw = to_np(tp), to_np(ap)
            assert tw.shape == aw.shape
            # The std of n draws of U(-b, b) is b/sqrt(3) with a relative standard error of sqrt(0.8 / (4n)) (a
            # uniform's kurtosis is 1.8): allow four of those, so a 32-value bias does not fail by chance.
            tolerance = 4 * np.sqrt(0.8 / (4 * aw.size))
            assert np.abs(aw).max() <= bound * 1.02, k
            assert abs(aw.std() / (bound / np.sqrt(3)) - 1) < tolerance, k


POOLS = [
    ("MaxPool1d", (3, 2, 1), (2, 3, 11)),
    ("AvgPool1d", (3, 2, 1), (2, 3, 11)),
    ("AvgPool1d", (4,), (3, 10)),
    ("AdaptiveAvgPool1d", (4,), (2, 3, 11)),
    ("AdaptiveMaxPool1d", (4,), (2, 3, 11)),
    ("AdaptiveAvgPool2d", ((1, 1),), (2, 3, 7, 9)),
    ("AdaptiveAvgPool2d", ((3, 4),), (2, 3, 7, 9)),
    ("AdaptiveAvgPool2d", ((None, 2),), (2, 3, 7, 9)),
    ("AdaptiveMaxPool2d", (5,), (2, 3, 7, 9)),
    ("AdaptiveMaxPool2d", ((7, 3),), (2, 3, 7, 9)),
    ("AdaptiveAvgPool2d", (3,), (3, 7, 9)),
]


@pytest.mark.parametrize("name,args,shape", POOLS, ids=[f"{n}{a}" for n, a, _ in POOLS])
def test_pooling(name, args, shape):
    tm, am = compare(lambda L: getattr(L.nn, name)(*args), [randn(*shape)])
    assert repr(am) == repr(tm)


def test_pool_indices():
    x = randn(2, 3, 12)
    tv, ti = T.F.max_pool1d(torch.tensor(x), 3, return_indices=True)
    av, ai = AL.F.max_pool1d(autolab.tensor(x), 3, return_indices=True)
    np.testing.assert_array_equal(to_np(ai), to_np(ti))
    tv, ti = T.F.adaptive_max_pool2d(torch.tensor(randn(1, 2, 8, 6)), (4, 3), return_indices=True)
    av, ai = AL.F.adaptive_max_pool2d(autolab.tensor(randn(1, 2, 8, 6)), (4, 3), return_indices=True)
    np.testing.assert_array_equal(to_np(ai), to_np(ti))


UPSAMPLE = [
    {"scale_factor": 2},
    {"scale_factor": 1.5, "mode": "nearest"},
    {"size": (5, 11)},
    {"size": (4, 3), "mode": "nearest-exact"},
    {"scale_factor": 2, "mode": "bilinear"},
    {"scale_factor": 2, "mode": "bilinear", "align_corners": True},
    {"size": (3, 13), "mode": "bilinear", "align_corners": False},
    {"size": (1, 13), "mode": "bilinear", "align_corners": True},
    {"scale_factor": (0.7, 1.6), "mode": "bilinear"},
    {"scale_factor": 1.3, "mode": "bilinear", "recompute_scale_factor": True},
]


@pytest.mark.parametrize("kw", UPSAMPLE, ids=str)
def test_upsample_and_interpolate(kw):
    tm, am = compare(lambda L: L.nn.Upsample(**kw), [randn(2, 3, 6, 7)])
    assert repr(am) == repr(tm)


def test_interpolate_1d_fixed_modes_and_errors():
    x = randn(2, 3, 9)
    for kw in ({"scale_factor": 2, "mode": "linear"}, {"size": 4, "mode": "linear", "align_corners": True},
               {"size": 13}):  # fmt: skip
        compare(lambda L, kw=kw: L.nn.Upsample(**kw), [x])
    compare(lambda L: L.nn.UpsamplingBilinear2d(scale_factor=2), [randn(1, 2, 3, 4)])
    compare(lambda L: L.nn.UpsamplingNearest2d(size=(5, 7)), [randn(1, 2, 3, 4)])
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        AL.F.interpolate(autolab.randn(1, 1, 2, 2), size=3, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        AL.F.interpolate(autolab.randn(1, 1, 2, 2), size=3, align_corners=True)
    with pytest.raises(NotImplementedError, match="bicubic"):
        AL.F.interpolate(autolab.randn(1, 1, 2, 2), size=3, mode="bicubic")


def test_pixel_shuffle_and_unshuffle():
    tm, am = compare(lambda L: L.nn.PixelShuffle(3), [randn(2, 18, 4, 5)])
    assert repr(am) == repr(tm)
    compare(lambda L: L.nn.PixelUnshuffle(2), [randn(2, 3, 4, 6)])
    x = autolab.randn(1, 8, 3, 3)
    assert np.array_equal(to_np(AL.F.pixel_unshuffle(AL.F.pixel_shuffle(x, 2), 2)), to_np(x))


def test_gradcheck_conv_transpose_and_interpolate():
    x = autolab.tensor(randn(1, 2, 3, 3), requires_grad=True)
    w = autolab.tensor(randn(2, 2, 2, 2, seed=3), requires_grad=True)
    f = lambda x, w: AL.F.conv_transpose2d(x, w, stride=2, dilation=2, groups=2)
    assert autolab.autograd.gradcheck(f, (x, w))
    g = lambda x, w: AL.F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)  # the kernel path
    assert autolab.autograd.gradcheck(g, (x, w))
    assert g(x, w).grad_fn.name() == "ConvTranspose2dBackward0"
    assert autolab.autograd.gradcheck(lambda x: AL.F.interpolate(x, scale_factor=1.5, mode="bilinear"), (x,))
