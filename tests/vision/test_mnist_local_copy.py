"""PyTorch's example writes ``datasets.MNIST('../data', download=True)``: offline, the data root is the mirror."""

import os

import numpy as np
import pytest

from autolab.vision.datasets import MNIST


def test_download_copies_the_verified_files_from_the_data_root(shared_data, tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOLAB_DATA_MIRROR", raising=False)
    monkeypatch.chdir(tmp_path)
    os.mkdir("work")
    monkeypatch.chdir("work")
    test = MNIST("../data", train=False, download=True)
    assert sorted(os.listdir(tmp_path / "data" / "MNIST" / "raw")) == sorted(name for name, _ in MNIST.resources)
    reference = MNIST(str(shared_data), train=False)
    assert len(test) == 10000 and np.array_equal(test.data.numpy(), reference.data.numpy())


def test_an_explicit_mirror_is_still_used_first(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOLAB_DATA_MIRROR", "http://127.0.0.1:9/")  # nothing listens: the download fails
    with pytest.raises(Exception, match="127.0.0.1"):
        MNIST(str(tmp_path / "data"), train=False, download=True)
