"""Transforms against their definitions (torchvision's, written with torch), and batched == per sample."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autolab
from autolab.vision import transforms as T
from autolab.vision.transforms import ImageBatch
from autolab.vision.transforms import functional as F

rng = np.random.default_rng(0)
RGB = rng.integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
GRAY = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def torch_to_tensor(img):
    # torchvision's ToTensor on an HWC uint8 array: permute to CHW, float, divide by 255.
    t = torch.from_numpy(img if img.ndim == 3 else img[:, :, None])
    return t.permute(2, 0, 1).contiguous().to(torch.float32).div(255)


def test_to_tensor_matches_torchvision_definition():
    for img in (RGB[0], GRAY[0]):
        got = T.ToTensor()(img)
        assert isinstance(got, autolab.Tensor) and got.dtype == autolab.float32
        np.testing.assert_array_equal(got.numpy(), torch_to_tensor(img).numpy())
    assert tuple(T.ToTensor()(GRAY[0]).shape) == (1, 28, 28)
    floats = rng.random((4, 4, 3))
    kept = T.ToTensor()(floats)  # non-uint8 arrays are only transposed, as in torchvision
    assert kept.dtype == autolab.float64 and np.array_equal(kept.numpy(), floats.transpose(2, 0, 1))
    with pytest.raises(TypeError):
        T.ToTensor()(autolab.zeros(3, 4, 4))


def test_normalize_matches_torchvision_definition():
    x = T.ToTensor()(RGB[1])
    got = T.Normalize(MEAN, STD)(x)
    tx = torch.from_numpy(x.numpy())
    want = (tx - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert np.array_equal(x.numpy(), torch_to_tensor(RGB[1]).numpy())  # input untouched
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize(MEAN, (1, 0, 1))(x)
    with pytest.raises(TypeError):
        T.Normalize(MEAN, STD)(autolab.zeros(3, 2, 2, dtype=autolab.int64))


@pytest.mark.parametrize("mode,torch_mode", [("constant", "constant"), ("edge", "replicate"), ("reflect", "reflect")])
def test_pad_matches_torch_pad(mode, torch_mode):
    x = T.ToTensor()(RGB[2])
    got = F.pad(x, (1, 2, 3, 4), fill=0, padding_mode=mode)  # left, top, right, bottom
    want = torch.nn.functional.pad(torch.from_numpy(x.numpy())[None], (1, 3, 2, 4), mode=torch_mode)[0]
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    img = F.pad(RGB[2], 4, fill=7)  # an image pads its H and W axes, not its channels
    assert img.shape == (40, 40, 3) and (img[:4] == 7).all() and np.array_equal(img[4:-4, 4:-4], RGB[2])
    assert F.pad(RGB[2], (2, 5)).shape == (42, 36, 3)  # (left/right, top/bottom)


def all_windows(padded, size):
    h, w = padded.shape[:2]
    return {(i, j): padded[i : i + size, j : j + size] for i in range(h - size + 1) for j in range(w - size + 1)}


def test_random_crop_picks_every_window_uniformly():
    autolab.manual_seed(0)
    crop = T.RandomCrop(32, padding=4)
    windows = all_windows(F.pad(RGB[3], 4), 32)
    seen = []
    for _ in range(2000):
        out = crop(RGB[3])
        matches = [key for key, win in windows.items() if np.array_equal(out, win)]
        assert matches
        seen.append(matches[0])
    counts = np.bincount([i * 9 + j for i, j in seen], minlength=81)
    assert (counts > 0).all() and counts.max() < 3 * counts.mean()
    assert T.RandomCrop(28)(GRAY[0]).shape == (28, 28)  # crop of the full size: the image itself
    assert np.array_equal(T.RandomCrop(28)(GRAY[0]), GRAY[0])
    assert T.RandomCrop(40, pad_if_needed=True)(RGB[0]).shape == (40, 40, 3)
    with pytest.raises(ValueError, match="larger than input image"):
        T.RandomCrop(40)(RGB[0])


def test_random_crop_on_a_tensor_crops_h_and_w():
    autolab.manual_seed(1)
    x = T.ToTensor()(RGB[0])
    out = T.RandomCrop(24)(x)
    assert isinstance(out, autolab.Tensor) and tuple(out.shape) == (3, 24, 24)


def test_random_horizontal_flip():
    assert np.array_equal(T.RandomHorizontalFlip(p=1.0)(RGB[0]), RGB[0][:, ::-1])
    assert np.array_equal(T.RandomHorizontalFlip(p=0.0)(RGB[0]), RGB[0])
    x = T.ToTensor()(RGB[0])
    assert np.array_equal(T.RandomHorizontalFlip(p=1.0)(x).numpy(), x.numpy()[:, :, ::-1])
    autolab.manual_seed(0)
    flipped = [not np.array_equal(T.RandomHorizontalFlip()(RGB[0]), RGB[0]) for _ in range(1000)]
    assert 400 < sum(flipped) < 600


def test_compose_and_lambda():
    t = T.Compose([T.ToTensor(), T.Lambda(lambda x: x * 2)])
    np.testing.assert_array_equal(t(RGB[0]).numpy(), torch_to_tensor(RGB[0]).numpy() * 2)
    assert not t.batchable and T.Compose([T.ToTensor()]).batchable
    assert "ToTensor()" in repr(t)
    with pytest.raises(TypeError):
        T.Lambda(3)


def run_batch(transform, images, rng=None):
    gray = images.ndim == 3
    batch = ImageBatch(images[..., None].copy() if gray else images.copy(), gray=gray)
    return transform.apply_batch(batch, rng or np.random.default_rng(0)).collated().numpy()


def run_samples(transform, images):
    return np.stack([np.asarray(transform(img).numpy() if transform else img) for img in images])


@pytest.mark.parametrize("images", [RGB, GRAY], ids=["rgb", "gray"])
@pytest.mark.parametrize("normalize", [False, True])
def test_batched_equals_per_sample_for_deterministic_transforms(images, normalize):
    channels = 3 if images.ndim == 4 else 1
    # A full-size crop and a certain flip are random transforms whose outcome is fixed.
    steps = [T.RandomCrop(images.shape[1]), T.RandomHorizontalFlip(p=1.0), T.ToTensor()]
    if normalize:
        steps.append(T.Normalize(MEAN[:channels], STD[:channels]))
    transform = T.Compose(steps)
    np.testing.assert_array_equal(run_batch(transform, images), run_samples(transform, images))


@pytest.mark.parametrize("padding_mode", ["constant", "reflect"])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_batched_random_crop_equals_per_sample_crop_with_the_same_params(padding_mode, as_tensor):
    crop = T.RandomCrop(30, padding=3, fill=5, padding_mode=padding_mode)
    images = np.stack([T.ToTensor()(img).numpy() for img in RGB]) if as_tensor else RGB
    batch = ImageBatch(images.copy(), is_tensor=as_tensor)
    got = crop.apply_batch(batch, np.random.default_rng(1)).array
    redraw = np.random.default_rng(1)
    tops, lefts = redraw.integers(0, 38 - 30 + 1, size=8), redraw.integers(0, 38 - 30 + 1, size=8)
    assert len(set(tops.tolist())) > 1
    for k, img in enumerate(images):
        sample = autolab.from_numpy(img) if as_tensor else img
        want = F.crop(F.pad(sample, 3, fill=5, padding_mode=padding_mode), int(tops[k]), int(lefts[k]), 30, 30)
        np.testing.assert_array_equal(got[k], want.numpy() if as_tensor else want)


@pytest.mark.parametrize("as_tensor", [False, True])
def test_batched_flip_equals_per_sample_flip(as_tensor):
    images = np.stack([T.ToTensor()(img).numpy() for img in RGB]) if as_tensor else RGB
    got = T.RandomHorizontalFlip().apply_batch(ImageBatch(images.copy(), is_tensor=as_tensor), np.random.default_rng(2))
    flips = np.random.default_rng(2).random(8) < 0.5
    assert 0 < flips.sum() < 8
    for k, img in enumerate(images):
        sample = autolab.from_numpy(img) if as_tensor else img
        want = F.hflip(sample) if flips[k] else sample
        np.testing.assert_array_equal(got.array[k], want.numpy() if as_tensor else want)


def test_batched_pipeline_rejects_wrong_order():
    with pytest.raises(TypeError):
        run_batch(T.Normalize(MEAN, STD), RGB)
    with pytest.raises(TypeError):
        run_batch(T.Compose([T.ToTensor(), T.ToTensor()]), RGB)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 4),
    h=st.integers(2, 9),
    w=st.integers(2, 9),
    channels=st.sampled_from([0, 1, 3]),  # 0: a grayscale (H, W) image
    padding=st.integers(0, 3),
    mode=st.sampled_from(["constant", "edge", "reflect", "symmetric"]),
    as_tensor=st.booleans(),
    planar=st.booleans(),  # images whose memory is channel-planar, as CIFAR10 keeps them
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_batched_crop_and_flip_equal_per_sample_for_any_shape(
    n, h, w, channels, padding, mode, as_tensor, planar, seed, data
):
    padding = min(padding, h - 1, w - 1) if mode == "reflect" else padding
    th, tw = data.draw(st.integers(1, h + 2 * padding)), data.draw(st.integers(1, w + 2 * padding))
    r = np.random.default_rng(seed)
    images = r.integers(0, 256, (n, h, w) + ((channels,) if channels else ()), dtype=np.uint8)
    crop, flip = T.RandomCrop((th, tw), padding=padding, fill=9, padding_mode=mode), T.RandomHorizontalFlip()
    if as_tensor:
        samples = [T.ToTensor()(img) for img in images]
        batch = ImageBatch(np.stack([s.numpy() for s in samples]), is_tensor=True)
    else:
        samples = list(images)
        batch = ImageBatch(images[..., None].copy() if not channels else images.copy(), gray=not channels)
        if planar:
            batch.array = np.ascontiguousarray(batch.array.transpose(0, 3, 1, 2)).transpose(0, 2, 3, 1)
    out = flip.apply_batch(crop.apply_batch(batch, np.random.default_rng(seed)), np.random.default_rng(seed + 1))
    redraw = np.random.default_rng(seed)
    hp, wp = h + 2 * padding, w + 2 * padding
    tops, lefts = redraw.integers(0, hp - th + 1, size=n), redraw.integers(0, wp - tw + 1, size=n)
    flips = np.random.default_rng(seed + 1).random(n) < 0.5
    for k, sample in enumerate(samples):
        want = F.crop(F.pad(sample, padding, fill=9, padding_mode=mode), int(tops[k]), int(lefts[k]), th, tw)
        want = F.hflip(want) if flips[k] else want
        got = out.sample(k)
        np.testing.assert_array_equal(got.numpy() if as_tensor else got, want.numpy() if as_tensor else want)
