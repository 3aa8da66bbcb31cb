"""ImageFolder and DatasetFolder over a folder of PNG and JPEG files, as torchvision reads them."""

import sys

import numpy as np
import pytest
from PIL import Image

import autolab
from autolab.utils.data import DataLoader
from autolab.vision import transforms as T
from autolab.vision.datasets import DatasetFolder, ImageFolder
from autolab.vision.datasets.folder import image_loader


@pytest.fixture
def folder(tmp_path):
    """root/cat: 2 PNG (one grayscale, one RGBA) + a JPEG; root/dog: 2 PNG in a nested folder; root/empty."""
    rng = np.random.default_rng(0)
    images = {}
    for rel, mode in [
        ("cat/b.png", "RGB"),
        ("cat/a.png", "L"),
        ("cat/c.jpg", "RGB"),
        ("cat/notes.txt", None),
        ("dog/x/1.png", "RGBA"),
        ("dog/0.PNG", "RGB"),
    ]:
        path = tmp_path / "root" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if mode is None:
            path.write_text("not an image")
            continue
        channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
        array = (rng.random((6, 5, channels)) * 255).astype(np.uint8)
        Image.fromarray(array[..., 0] if mode == "L" else array, mode).save(path)
        images[rel] = np.asarray(Image.open(path).convert("RGB"))
    (tmp_path / "root" / "empty").mkdir()
    return tmp_path / "root", images


def test_image_folder_finds_classes_and_samples_in_torchvisions_order(folder):
    root, images = folder
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        ImageFolder(root)
    ds = ImageFolder(root, allow_empty=True)
    assert ds.classes == ["cat", "dog", "empty"] and ds.class_to_idx == {"cat": 0, "dog": 1, "empty": 2}
    rel = [str(p.relative_to(root)) if hasattr(p, "relative_to") else p[len(str(root)) + 1 :] for p, _ in ds.samples]
    assert rel == ["cat/a.png", "cat/b.png", "cat/c.jpg", "dog/0.PNG", "dog/x/1.png"]
    assert ds.targets == [0, 0, 0, 1, 1] and ds.imgs == ds.samples and len(ds) == 5
    for i, name in enumerate(rel):
        img, target = ds[i]
        assert img.dtype == np.uint8 and img.shape == (6, 5, 3) and target == ds.targets[i]
        np.testing.assert_array_equal(img, images[name])


def test_image_folder_through_transforms_and_a_loader_with_workers(folder):
    root, _ = folder
    ds = ImageFolder(root, transform=T.Compose([T.Resize(4), T.CenterCrop(4), T.ToTensor()]), allow_empty=True)
    batches = list(DataLoader(ds, batch_size=2, num_workers=2))
    assert [tuple(b[0].shape) for b in batches] == [(2, 3, 4, 4), (2, 3, 4, 4), (1, 3, 4, 4)]
    assert sum((b[1].tolist() for b in batches), []) == [0, 0, 0, 1, 1]
    assert batches[0][0].dtype == autolab.float32


def test_dataset_folder_with_its_own_loader_and_filter(folder):
    root, _ = folder
    ds = DatasetFolder(root, loader=lambda p: p.rsplit("/", 1)[1], extensions=(".png",), allow_empty=True)
    assert [ds[i][0] for i in range(len(ds))] == ["a.png", "b.png", "0.PNG", "1.png"]
    only_b = DatasetFolder(root, loader=str, is_valid_file=lambda p: p.endswith("b.png"), allow_empty=True)
    assert len(only_b) == 1 and only_b.targets == [0]
    with pytest.raises(ValueError):
        DatasetFolder(root, loader=str)
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        ImageFolder(root / "cat")


def test_without_pillow_the_error_says_what_is_needed(folder, monkeypatch):
    root, _ = folder
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(RuntimeError, match="needs Pillow"):
        image_loader(str(root / "cat/c.jpg"))


def test_matches_torchvision_when_installed(folder):
    datasets = pytest.importorskip("torchvision.datasets")
    root, _ = folder
    ours, theirs = ImageFolder(root, allow_empty=True), datasets.ImageFolder(str(root), allow_empty=True)
    assert ours.classes == theirs.classes and ours.samples == theirs.samples
    for i in range(len(ours)):
        np.testing.assert_array_equal(ours[i][0], np.asarray(theirs[i][0]))
