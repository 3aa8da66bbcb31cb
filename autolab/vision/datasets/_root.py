"""Where the datasets are: one answer for the datasets, the notebooks, ``autolab doctor`` and the tests.

In order, the first that applies:

1. ``$AUTOLAB_DATA`` (``$AUTOLAB_TEST_DATA`` is read as an older name of it): an explicit choice, such as a
   class hub's shared read-only copy, the copy baked into the Binder image, or CI's.
2. ``shared/data`` beside a source checkout (``<checkout>/../shared/data``) when it holds a dataset folder:
   a copy that a lab, a team or a CI machine keeps next to its clones, so nobody downloads it again.
3. ``$XDG_CACHE_HOME/autolab/data`` (``~/.cache/autolab/data``): where downloads go.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

ROOT_ENV = "AUTOLAB_DATA"
OLD_ROOT_ENV = "AUTOLAB_TEST_DATA"
DATASET_DIRS = ("cifar-10", "MNIST", "FashionMNIST")


class DataRoot(NamedTuple):
    path: Path
    source: str  # why this folder: "AUTOLAB_DATA", "AUTOLAB_TEST_DATA", "shared copy" or "download cache"


def checkout_dir() -> Path | None:
    """The source checkout this autolab was imported from (an editable install), or None."""
    folder = Path(__file__).resolve().parents[3]
    if (folder / "pyproject.toml").is_file() and (folder / "autolab").is_dir():
        return folder
    return None


def shared_copy() -> Path | None:
    """``<checkout>/../shared/data`` when it exists and holds at least one dataset folder."""
    checkout = checkout_dir()
    if checkout is None:
        return None
    shared = checkout.parent / "shared" / "data"
    if any((shared / name).is_dir() for name in DATASET_DIRS):
        return shared
    return None


def download_cache() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "autolab" / "data"


def data_root() -> DataRoot:
    """The data root to read datasets from (and download missing ones into), and why it was chosen."""
    for name in (ROOT_ENV, OLD_ROOT_ENV):
        if os.environ.get(name):
            return DataRoot(Path(os.environ[name]).expanduser(), name)
    shared = shared_copy()
    if shared is not None:
        return DataRoot(shared, "shared copy")
    return DataRoot(download_cache(), "download cache")
