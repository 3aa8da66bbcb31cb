"""Resize, CenterCrop, RandomResizedCrop, RandomRotation, Grayscale, ColorJitter, Pad, RandomApply.

Oracles: torch (interpolate with antialias follows PIL's filters), PIL for images (what torchvision hands to
its transforms), colorsys for hue, and torchvision's own functions when it can be imported.
"""

import colorsys

import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from PIL import Image

import autolab
from autolab.vision import transforms as T
from autolab.vision.transforms import functional as VF


def image(h=20, w=30, seed=0):
    return (np.random.default_rng(seed).random((h, w, 3)) * 255).astype(np.uint8)


def chw(seed=0, shape=(3, 20, 30)):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(10, 15), (7, 9), (41, 50), (20, 31)])
def test_resize_of_a_tensor_matches_torch_interpolate_with_antialias(mode, size):
    x = chw()
    ours = VF.resize(autolab.from_numpy(x), list(size), interpolation=T.InterpolationMode(mode)).numpy()
    theirs = tF.interpolate(torch.from_numpy(x)[None], size=size, mode=mode, antialias=True, align_corners=False)[0]
    np.testing.assert_allclose(ours, theirs.numpy(), atol=2e-5)


@pytest.mark.parametrize("size", [(10, 15), (41, 50), (13, 7)])
def test_resize_of_an_image_matches_pil_to_one_level(size):
    img = image()
    ours = T.Resize(size)(img)
    theirs = np.asarray(Image.fromarray(img).resize((size[1], size[0]), Image.BILINEAR))
    assert ours.shape == theirs.shape and ours.dtype == np.uint8
    assert np.abs(ours.astype(int) - theirs.astype(int)).max() <= 1


def test_resize_sizes_follow_torchvision():
    assert T.Resize(10)(image(20, 30)).shape == (10, 15, 3)
    assert T.Resize(10)(image(30, 20)).shape == (15, 10, 3)
    assert T.Resize(10, max_size=12)(image(20, 30)).shape == (8, 12, 3)
    assert T.Resize([10])(autolab.from_numpy(chw())).shape == (3, 10, 15)
    with pytest.raises(ValueError):
        T.Resize(10, max_size=10)(image())
    nearest = T.Resize((10, 15), interpolation=T.InterpolationMode.NEAREST)(autolab.from_numpy(chw())).numpy()
    np.testing.assert_array_equal(nearest, tF.interpolate(torch.from_numpy(chw())[None], (10, 15))[0].numpy())


def test_center_crop_and_its_padding_follow_torchvision():
    img = image(20, 30)
    top, left = int(round((20 - 7) / 2.0)), int(round((30 - 8) / 2.0))
    np.testing.assert_array_equal(T.CenterCrop((7, 8))(img), img[top : top + 7, left : left + 8])
    big = T.CenterCrop(33)(img)  # padded: (33 - 30) // 2 = 1 left, 2 right; (33 - 20) // 2 = 6 top, 7 bottom
    assert big.shape == (33, 33, 3)
    np.testing.assert_array_equal(big[6:26, 1:31], img)
    assert big[:6].sum() == 0 and big[26:].sum() == 0 and big[:, :1].sum() == 0 and big[:, 31:].sum() == 0
    t = T.CenterCrop(5)(autolab.from_numpy(chw()))
    np.testing.assert_array_equal(t.numpy(), chw()[:, 8:13, 12:17])


def test_pad_matches_numpy_pad_and_checks_its_arguments():
    img = image()
    np.testing.assert_array_equal(
        T.Pad((1, 2, 3, 4), fill=7)(img), np.pad(img, ((2, 4), (1, 3), (0, 0)), constant_values=7)
    )
    np.testing.assert_array_equal(
        T.Pad(2, padding_mode="reflect")(img), np.pad(img, ((2, 2), (2, 2), (0, 0)), "reflect")
    )
    with pytest.raises(ValueError):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError):
        T.Pad(1, padding_mode="wrap")


@pytest.mark.parametrize("angle", [0.0, 17.0, -33.5, 90.0, 180.0])
def test_rotation_matches_pil(angle):
    img = image(21, 30)
    ours = VF.rotate(img, angle)
    theirs = np.asarray(Image.fromarray(img).rotate(angle, resample=Image.NEAREST, fillcolor=(0, 0, 0)))
    mismatched = (ours != theirs).any(axis=-1).mean()
    assert mismatched < 0.01, mismatched  # pixel centres that fall exactly on a border may round either way
    if angle == 90.0:  # a quarter turn counter-clockwise of the central square
        sq = image(16, 16)
        np.testing.assert_array_equal(VF.rotate(sq, 90.0), np.rot90(sq))


def test_random_rotation_draws_its_angle_from_autolabs_generator():
    img = image()
    autolab.manual_seed(5)
    a = T.RandomRotation(45)(img)
    autolab.manual_seed(5)
    np.testing.assert_array_equal(T.RandomRotation(45)(img), a)
    autolab.manual_seed(5)
    angle = T.RandomRotation.get_params([-45.0, 45.0])
    np.testing.assert_array_equal(VF.rotate(img, angle), a)
    with pytest.raises(NotImplementedError, match="expand=True"):
        T.RandomRotation(10, expand=True)


def test_grayscale_of_an_image_is_pils_and_of_a_tensor_torchvisions_formula():
    img = image()
    np.testing.assert_array_equal(T.Grayscale()(img), np.asarray(Image.fromarray(img).convert("L")))
    three = T.Grayscale(3)(img)
    assert three.shape == (20, 30, 3) and (three[..., 0] == three[..., 2]).all()
    x = chw()
    expected = 0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]
    np.testing.assert_allclose(T.Grayscale()(autolab.from_numpy(x)).numpy()[0], expected, rtol=1e-6)
    assert T.Grayscale(3)(autolab.from_numpy(x)).shape == (3, 20, 30)


def test_color_adjustments_of_a_float_tensor_follow_torchvisions_formulas():
    x = chw()
    t = autolab.from_numpy(x)
    gray = 0.2989 * x[0] + 0.587 * x[1] + 0.114 * x[2]
    np.testing.assert_allclose(VF.adjust_brightness(t, 1.7).numpy(), np.clip(x * 1.7, 0, 1), rtol=1e-6)
    np.testing.assert_allclose(
        VF.adjust_contrast(t, 0.6).numpy(), np.clip(0.6 * x + 0.4 * gray.mean(), 0, 1), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        VF.adjust_saturation(t, 1.5).numpy(), np.clip(1.5 * x - 0.5 * gray, 0, 1), rtol=1e-5, atol=1e-6
    )
    hue = VF.adjust_hue(t, 0.2).numpy()
    for i, j in [(0, 0), (3, 7), (19, 29), (10, 11)]:
        h, s, v = colorsys.rgb_to_hsv(*x[:, i, j].astype(float))
        np.testing.assert_allclose(hue[:, i, j], colorsys.hsv_to_rgb((h + 0.2) % 1.0, s, v), atol=1e-5)
    with pytest.raises(ValueError):
        VF.adjust_hue(t, 0.7)


def test_color_jitter_checks_ranges_and_repeats_under_a_seed():
    jitter = T.ColorJitter(brightness=0.4, contrast=(0.5, 1.5), saturation=0, hue=0.1)
    assert jitter.brightness == (0.6, 1.4) and jitter.contrast == (0.5, 1.5) and jitter.saturation is None
    assert jitter.hue == (-0.1, 0.1)
    autolab.manual_seed(1)
    a = jitter(image())
    autolab.manual_seed(1)
    np.testing.assert_array_equal(jitter(image()), a)
    assert a.dtype == np.uint8 and a.shape == (20, 30, 3) and (a != image()).any()
    with pytest.raises(ValueError):
        T.ColorJitter(hue=0.6)
    with pytest.raises(ValueError):
        T.ColorJitter(brightness=-1)


def test_random_resized_crop():
    img = image(32, 32)
    out = T.RandomResizedCrop(16)(img)
    assert out.shape == (16, 16, 3) and out.dtype == np.uint8
    whole = T.RandomResizedCrop(32, scale=(1.0, 1.0), ratio=(1.0, 1.0))(img)
    np.testing.assert_array_equal(whole, img)  # the whole image at its own size is unchanged
    top, left, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
    assert 0 <= top and top + h <= 32 and 0 <= left and left + w <= 32 and 3 / 4 - 0.1 <= w / h <= 4 / 3 + 0.1
    # An impossible ratio falls back to torchvision's central crop.
    assert T.RandomResizedCrop.get_params(image(10, 40), (0.9, 1.0), (1.0, 1.0)) == (0, 15, 10, 10)


def test_random_apply_and_vertical_flip():
    img = image()
    np.testing.assert_array_equal(T.RandomApply([T.RandomVerticalFlip(1.0)], p=0.0)(img), img)
    np.testing.assert_array_equal(T.RandomApply([T.RandomVerticalFlip(1.0)], p=1.0)(img), img[::-1])
    t = T.RandomVerticalFlip(1.0)(autolab.from_numpy(chw()))
    np.testing.assert_array_equal(t.numpy(), chw()[:, ::-1])


def test_against_torchvision_when_installed():
    tv = pytest.importorskip("torchvision.transforms.functional")
    x = chw(3, (3, 24, 17))
    t = torch.from_numpy(x)
    a = autolab.from_numpy(x)
    for ours, theirs in [
        (VF.resize(a, [12, 9]), tv.resize(t, [12, 9], antialias=True)),
        (VF.center_crop(a, [10, 30]), tv.center_crop(t, [10, 30])),
        (VF.rgb_to_grayscale(a), tv.rgb_to_grayscale(t)),
        (VF.adjust_contrast(a, 0.3), tv.adjust_contrast(t, 0.3)),
        (VF.adjust_saturation(a, 1.8), tv.adjust_saturation(t, 1.8)),
        (VF.adjust_hue(a, -0.3), tv.adjust_hue(t, -0.3)),
    ]:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-5)
