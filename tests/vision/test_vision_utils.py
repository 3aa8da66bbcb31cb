"""The picture helpers, and that importing autolab loads neither matplotlib nor tqdm."""

import subprocess
import sys

import numpy as np
import pytest

import autolab
from autolab.vision.utils import make_grid, show_images

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def test_importing_autolab_does_not_import_matplotlib_or_tqdm():
    code = (
        "import sys, autolab, autolab.vision, autolab.utils.data, autolab.vision.datasets.fetch\n"
        "print(sorted(m for m in ('matplotlib', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def titles(fig):
    return [(ax.get_title(), ax.title.get_color()) for ax in fig.axes if ax.get_title()]


def test_show_images_titles_with_class_names_and_predictions():
    pytest.importorskip("matplotlib")
    images = autolab.rand(5, 3, 32, 32)
    fig = show_images(images, autolab.tensor([3, 1, 4, 1, 5]), CLASSES, ncols=3)
    assert len(fig.axes) == 6 and [t for t, _ in titles(fig)] == ["cat", "automobile", "deer", "automobile", "dog"]
    fig = show_images(images, [3, 1, 4, 1, 5], CLASSES, preds=autolab.tensor([3, 2, 4, 1, 0]))
    assert titles(fig)[:2] == [("cat (cat)", "green"), ("bird (automobile)", "red")]
    shown = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(shown, images.numpy()[0].transpose(1, 2, 0), rtol=1e-6)


def test_show_images_takes_uint8_images_and_undoes_normalize():
    pytest.importorskip("matplotlib")
    gray = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    fig = show_images(gray, [7, 2])
    assert [t for t, _ in titles(fig)] == ["7", "2"]
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), gray[1] / 255, rtol=1e-6)
    x = np.full((1, 3, 4, 4), 0.5, np.float32)
    fig = show_images(autolab.from_numpy((x - 0.25) / 0.5), mean=(0.25,) * 3, std=(0.5,) * 3)
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), 0.5, rtol=1e-6)


def test_make_grid_layout_matches_torchvision():
    x = autolab.rand(10, 3, 32, 32)
    grid = make_grid(x, nrow=8, padding=2)
    assert tuple(grid.shape) == (3, 2 * 34 + 2, 8 * 34 + 2)
    np.testing.assert_array_equal(grid.numpy()[:, 36:68, 2:34], x.numpy()[8])
    assert tuple(make_grid(autolab.rand(4, 1, 28, 28), nrow=2).shape) == (3, 62, 62)


def test_make_grid_cases_follow_torchvisions_rules():
    from autolab.vision.utils import make_grid as mg

    x = np.random.default_rng(0).random((5, 1, 4, 6)).astype(np.float32)
    grid = mg(autolab.from_numpy(x), nrow=3, padding=1, pad_value=0.5).numpy()
    assert grid.shape == (3, 2 * 5 + 1, 3 * 7 + 1)  # one channel becomes three
    np.testing.assert_array_equal(grid[:, 6:10, 8:14], np.repeat(x[4], 3, 0))  # image 4: row 1, column 1
    assert grid[0, 0, 0] == 0.5 and grid[0, 10, 21] == 0.5 and grid.dtype == np.float32
    single = mg(autolab.from_numpy(x[0]))  # one image: returned as three channels, not padded
    assert tuple(single.shape) == (3, 4, 6)
    assert tuple(mg(autolab.from_numpy(x[0, 0])).shape) == (3, 4, 6)
    assert tuple(mg([autolab.from_numpy(x[0])] * 2, padding=0).shape) == (3, 4, 12)
    norm = mg(autolab.from_numpy(x * 4 - 1), normalize=True, padding=0).numpy()
    assert norm.min() == 0 and abs(norm.max() - 1) < 1e-6
    ranged = mg(autolab.from_numpy(x), normalize=True, value_range=(0.25, 0.75), padding=0).numpy()
    np.testing.assert_allclose(ranged[0, :4, :6], (np.clip(x[0, 0], 0.25, 0.75) - 0.25) / 0.5, rtol=1e-6)
    each = mg(autolab.from_numpy(x), normalize=True, scale_each=True, padding=0, nrow=5).numpy()
    assert all(each[0, :, 6 * k : 6 * k + 6].min() == 0 for k in range(5))
    with pytest.raises(TypeError):
        mg(autolab.from_numpy(x), normalize=True, value_range=[0, 1])


def test_make_grid_and_save_image_match_torchvision_when_installed(tmp_path):
    tvu = pytest.importorskip("torchvision.utils")
    import torch
    from PIL import Image

    from autolab.vision.utils import make_grid as mg
    from autolab.vision.utils import save_image

    x = np.random.default_rng(1).random((7, 3, 5, 4)).astype(np.float32) * 1.2 - 0.1
    for kwargs in [{}, {"nrow": 3, "padding": 1}, {"normalize": True}, {"normalize": True, "scale_each": True},
                   {"normalize": True, "value_range": (0.2, 0.8), "pad_value": 1.0}]:  # fmt: skip
        np.testing.assert_allclose(
            mg(autolab.from_numpy(x), **kwargs).numpy(), tvu.make_grid(torch.from_numpy(x), **kwargs).numpy(), atol=1e-6
        )
    save_image(autolab.from_numpy(x), tmp_path / "ours.png", nrow=4)
    tvu.save_image(torch.from_numpy(x), tmp_path / "theirs.png", nrow=4)
    ours = np.asarray(Image.open(tmp_path / "ours.png").convert("RGB"))
    theirs = np.asarray(Image.open(tmp_path / "theirs.png").convert("RGB"))
    np.testing.assert_array_equal(ours, theirs)


def test_save_image_writes_a_png_with_torchvisions_rounding(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    from autolab.vision.utils import save_image

    x = np.random.default_rng(2).random((2, 3, 5, 4)).astype(np.float32) * 1.2 - 0.1
    save_image(autolab.from_numpy(x), tmp_path / "grid.png", padding=0)
    back = np.round(imread(tmp_path / "grid.png")[..., :3] * 255).astype(np.uint8)
    expected = np.clip(np.concatenate(list(x), axis=2) * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(back, expected)
    save_image(autolab.from_numpy(x[0, :1]), tmp_path / "gray.png")  # one channel
    assert imread(tmp_path / "gray.png").shape[:2] == (5, 4)
