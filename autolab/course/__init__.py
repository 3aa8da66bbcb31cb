"""Helpers for the course notebooks: fast mode, where the data lives, and the exercise checks.

Nothing here imports Jupyter: checks print plain text (a ✓ or a ✗ with a hint), so they work in a terminal too.

``FAST`` is True when the environment sets ``AUTOLAB_FAST=1``: the notebooks then train on small subsets for a
few steps, which is how CI runs every notebook top to bottom in under two minutes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


FAST: bool = _env_flag("AUTOLAB_FAST")


def pick(fast: T, full: T) -> T:
    """``fast`` in fast mode, ``full`` otherwise: ``epochs = pick(1, 6)``."""
    return fast if FAST else full


def data_root() -> Path:
    """Where the datasets live: ``$AUTOLAB_DATA`` if set, else ``./data`` beside the notebooks."""
    return Path(os.environ.get("AUTOLAB_DATA", "data")).expanduser()


def cifar_root() -> Path:
    """The ``root=`` to give ``CIFAR10``: the folder that holds ``cifar-10-batches-bin``.

    Accepts both layouts: ``$AUTOLAB_DATA/cifar-10-batches-bin`` (what a download creates) and
    ``$AUTOLAB_DATA/cifar-10/cifar-10-batches-bin`` (the shared copy this project tests against).
    """
    root = data_root()
    nested = root / "cifar-10"
    if (nested / "cifar-10-batches-bin").is_dir():
        return nested
    return root


def mnist_root() -> Path:
    """The ``root=`` to give ``MNIST``: the folder that holds ``MNIST/raw``."""
    return data_root()


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux and macOS)."""
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


__all__ = ["FAST", "pick", "data_root", "cifar_root", "mnist_root", "peak_memory_mb"]
