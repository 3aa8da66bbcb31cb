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
