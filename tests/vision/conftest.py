import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The CIFAR-10 / MNIST copy where autolab finds it (autolab.vision.datasets.data_root: $AUTOLAB_DATA, else
    ../shared/data beside the repo, else the download cache). Missing: a failure under CI=true, a skip elsewhere."""
    from autolab.vision.datasets import data_root

    root = data_root().path
    if not (root / "cifar-10" / "cifar-10-batches-bin").is_dir() or not (root / "MNIST" / "raw").is_dir():
        message = f"shared data not found at {root} (set AUTOLAB_DATA)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return root


@pytest.fixture(scope="session")
def cifar_train(shared_data):
    from autolab.vision.datasets import CIFAR10

    return CIFAR10(root=str(shared_data / "cifar-10"))


@pytest.fixture(scope="session")
def mnist_train(shared_data):
    from autolab.vision.datasets import MNIST

    return MNIST(root=str(shared_data))
