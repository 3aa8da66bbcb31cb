"""CIFAR10 / MNIST on the shared copy: records equal the files' raw bytes; batched path == per-sample path."""

import copy
import gzip
import hashlib

import numpy as np
import pytest

import autolab
from autolab.utils.data import DataLoader, Subset, default_collate
from autolab.vision import transforms as T
from autolab.vision.datasets import CIFAR10, MNIST, FashionMNIST

pytestmark = pytest.mark.data
CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def cifar_record(shared_data, name, k):
    with open(shared_data / "cifar-10" / "cifar-10-batches-bin" / name, "rb") as f:
        f.seek(k * 3073)
        raw = f.read(3073)
    return raw[0], np.frombuffer(raw[1:], np.uint8).reshape(3, 32, 32)


def test_cifar10_records_equal_the_raw_bytes(shared_data, cifar_train):
    assert len(cifar_train) == 50000 and cifar_train.data.shape == (50000, 32, 32, 3)
    assert cifar_train.classes == [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]  # fmt: skip
    assert cifar_train.class_to_idx["truck"] == 9
    # The first CIFAR-10 training images are a frog and a truck: known labels of the real files.
    assert [cifar_train[i][1] for i in range(3)] == [6, 9, 9]
    for name, k, index in [
        ("data_batch_1.bin", 0, 0),
        ("data_batch_2.bin", 1016, 11016),
        ("data_batch_5.bin", 9999, 49999),
    ]:
        label, chw = cifar_record(shared_data, name, k)
        img, target = cifar_train[index]
        assert img.dtype == np.uint8 and img.shape == (32, 32, 3)
        np.testing.assert_array_equal(img, chw.transpose(1, 2, 0))
        assert target == label == cifar_train.targets[index]
    assert np.bincount(cifar_train.targets).tolist() == [5000] * 10


def test_cifar10_test_split(shared_data):
    test = CIFAR10(root=str(shared_data / "cifar-10"), train=False)
    assert len(test) == 10000 and test[0][1] == 3  # the first test image is a cat
    label, chw = cifar_record(shared_data, "test_batch.bin", 500)
    np.testing.assert_array_equal(test[500][0], chw.transpose(1, 2, 0))
    assert test[500][1] == label
    assert "Split: Test" in repr(test)


def idx_bytes(shared_data, name):
    with gzip.open(shared_data / "MNIST" / "raw" / name, "rb") as f:
        return f.read()


def test_mnist_records_equal_the_raw_bytes(shared_data, mnist_train):
    images = idx_bytes(shared_data, "train-images-idx3-ubyte.gz")
    labels = idx_bytes(shared_data, "train-labels-idx1-ubyte.gz")
    assert hashlib.md5(images).hexdigest() == MNIST.raw_md5["train-images-idx3-ubyte.gz"]
    assert len(mnist_train) == 60000 and tuple(mnist_train.data.shape) == (60000, 28, 28)
    assert [mnist_train[i][1] for i in range(5)] == [5, 0, 4, 1, 9]  # MNIST's famous first digits
    for k in (0, 12345, 59999):
        img, target = mnist_train[k]
        assert img.shape == (28, 28) and img.dtype == np.uint8
        assert img.tobytes() == images[16 + 784 * k : 16 + 784 * (k + 1)]
        assert target == labels[8 + k] == mnist_train.targets[k].item()
    test = MNIST(root=str(shared_data), train=False)
    assert len(test) == 10000 and test[0][1] == 7


def test_default_root_comes_from_autolab_data(shared_data, monkeypatch):
    monkeypatch.setenv("AUTOLAB_DATA", str(shared_data))
    assert CIFAR10(train=False).root == str(shared_data / "cifar-10")
    assert len(MNIST(train=False)) == 10000


def test_missing_data_says_what_where_and_how(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOLAB_DATA", str(tmp_path))
    with pytest.raises(RuntimeError) as e:
        CIFAR10()
    msg = str(e.value)
    assert "data_batch_1.bin" in msg and "batches.meta.txt" in msg
    assert str(tmp_path / "cifar-10" / "cifar-10-batches-bin") in msg
    assert "download=True" in msg and "autolab.vision.datasets.fetch" in msg
    with pytest.raises(RuntimeError) as e:
        FashionMNIST(root=str(tmp_path))
    assert "t10k-labels-idx1-ubyte.gz" in str(e.value) and str(tmp_path / "FashionMNIST" / "raw") in str(e.value)


def per_sample_batch(ds, indices):
    return default_collate([ds[i] for i in indices])


def assert_batches_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and tuple(x.shape) == tuple(y.shape)
        np.testing.assert_array_equal(x.numpy(), y.numpy())


@pytest.mark.parametrize(
    "transform",
    [
        None,
        T.ToTensor(),
        T.Compose([T.ToTensor(), T.Normalize(CIFAR_MEAN, CIFAR_STD)]),
        T.Compose([T.RandomCrop(32), T.RandomHorizontalFlip(p=1.0), T.ToTensor()]),
        T.Compose([T.ToTensor(), T.RandomHorizontalFlip(p=0.0), T.Normalize(CIFAR_MEAN, CIFAR_STD)]),
    ],
)
def test_batched_path_equals_per_sample_path_on_cifar(cifar_train, transform):
    ds = copy.copy(cifar_train)
    ds.transform = transform
    indices = [5, 49999, 0, 1234, 7, 7]
    assert_batches_equal(default_collate(ds.__getitems__(indices)), per_sample_batch(ds, indices))


@pytest.mark.parametrize("transform", [None, T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])])
def test_batched_path_equals_per_sample_path_on_mnist(mnist_train, transform):
    ds = copy.copy(mnist_train)
    ds.transform = transform
    ds.target_transform = lambda y: y % 2 == 0
    indices = [3, 59999, 42]
    got = default_collate(ds.__getitems__(indices))
    assert_batches_equal(got, per_sample_batch(ds, indices))
    assert got[1].dtype == autolab.bool


def test_a_custom_collate_fn_sees_single_samples(cifar_train):
    ds = copy.copy(cifar_train)
    ds.transform = T.ToTensor()
    batch = ds.__getitems__([3, 4])
    (img, label), per_sample = batch[1], ds[4]
    assert label == per_sample[1] and np.array_equal(img.numpy(), per_sample[0].numpy())


def test_a_transform_without_batched_form_falls_back_to_samples(cifar_train):
    ds = copy.copy(cifar_train)
    ds.transform = T.Compose([T.ToTensor(), T.Lambda(lambda t: t * 2)])
    batch = ds.__getitems__([1, 2])
    assert isinstance(batch, list)
    assert_batches_equal(default_collate(batch), per_sample_batch(ds, [1, 2]))


def test_loader_over_a_subset_with_random_augmentation(cifar_train):
    ds = copy.copy(cifar_train)
    ds.transform = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor()])
    autolab.manual_seed(0)
    loader = DataLoader(Subset(ds, list(range(100))), batch_size=32, shuffle=True)
    first = [(x.numpy().copy(), y.tolist()) for x, y in loader]
    assert [len(y) for _, y in first] == [32, 32, 32, 4] and len(loader) == 4
    assert sorted(sum((y for _, y in first), [])) == sorted(cifar_train.targets[:100])
    x = first[0][0]
    assert x.shape == (32, 3, 32, 32) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    autolab.manual_seed(0)
    again = [(x.numpy(), y.tolist()) for x, y in loader]
    assert all(np.array_equal(a[0], b[0]) and a[1] == b[1] for a, b in zip(first, again))


def test_subsampling_through_data_and_targets_as_in_torchvision(cifar_train, mnist_train):
    ds = copy.copy(cifar_train)
    ds.data, ds.targets = ds.data[100:110], ds.targets[100:110]
    assert len(ds) == 10 and ds[0][1] == cifar_train[100][1] and np.array_equal(ds[9][0], cifar_train[109][0])
    assert len(cifar_train) == 50000
    m = copy.copy(mnist_train)
    m.data, m.targets = m.data[:7], m.targets[:7]
    assert len(m) == 7 and len(list(DataLoader(m, batch_size=4))) == 2 and len(mnist_train) == 60000
