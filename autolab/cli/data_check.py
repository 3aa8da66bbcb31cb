"""Where the course data is, and whether each dataset is complete (by file names and sizes: fast, no md5)."""

from __future__ import annotations

import os
from pathlib import Path

from . import doctor  # doctor imports this module too, so use doctor.Check at call time

CIFAR_RECORD = 3073  # 1 label byte + 3 * 32 * 32 pixels
CIFAR_FILES = {f"data_batch_{i}.bin": 10_000 * CIFAR_RECORD for i in range(1, 6)}
CIFAR_FILES["test_batch.bin"] = 10_000 * CIFAR_RECORD

# raw idx sizes; a .gz holds the same content compressed, so only its presence is checked
MNIST_FILES = {
    "train-images-idx3-ubyte": 16 + 60_000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60_000,
    "t10k-images-idx3-ubyte": 16 + 10_000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10_000,
}

FETCH = "python -m autolab.vision.datasets.fetch --root {root}"


def data_root() -> tuple[Path, str]:
    """The data root the datasets use by default, and where that choice came from."""
    if os.environ.get("AUTOLAB_DATA"):
        return Path(os.environ["AUTOLAB_DATA"]).expanduser(), "AUTOLAB_DATA"
    try:
        from autolab.vision.datasets._download import default_root  # lazy: loads every dataset module
    except ImportError:
        cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(cache) / "autolab" / "data", "default"
    return Path(default_root()), "default"


def cifar_status(root: Path) -> tuple[str, str]:
    """("complete" | "missing" | "broken", detail) for CIFAR-10 under ``root``."""
    for folder in (root / "cifar-10-batches-bin", root / "cifar-10" / "cifar-10-batches-bin"):
        if folder.is_dir():
            break
    else:
        return "missing", "CIFAR-10 not downloaded"
    bad = []
    for name, size in CIFAR_FILES.items():
        path = folder / name
        if not path.is_file():
            bad.append(f"{name} missing")
        elif path.stat().st_size != size:
            bad.append(f"{name} has {path.stat().st_size} bytes, not {size}")
    if bad:
        return "broken", f"CIFAR-10 in {folder} is incomplete: {'; '.join(bad)}"
    return "complete", f"CIFAR-10 ({folder})"


def mnist_status(root: Path) -> tuple[str, str]:
    folder = root / "MNIST" / "raw"
    if not folder.is_dir():
        return "missing", "MNIST not downloaded"
    bad = []
    for name, size in MNIST_FILES.items():
        raw, gz = folder / name, folder / f"{name}.gz"
        if raw.is_file():
            if raw.stat().st_size != size:
                bad.append(f"{name} has {raw.stat().st_size} bytes, not {size}")
        elif not (gz.is_file() and gz.stat().st_size > 0):
            bad.append(f"{name}(.gz) missing")
    if bad:
        return "broken", f"MNIST in {folder} is incomplete: {'; '.join(bad)}"
    return "complete", f"MNIST ({folder})"


def check_data() -> doctor.Check:
    root, why = data_root()
    results = [cifar_status(root), mnist_status(root)]
    states = {state for state, _ in results}
    details = "; ".join(detail for _, detail in results)
    fix = FETCH.format(root=root)
    where = f"data root {root} ({why})"
    if "broken" in states:
        return doctor.Check("data", "fail", f"{where}: {details}", f"delete the broken files, then: {fix}")
    if "missing" in states:
        note = "the notebooks download it on first use"
        return doctor.Check("data", "warn", f"{where}: {details} ({note})", f"to fetch it now: {fix}")
    return doctor.Check("data", "ok", f"{where}: {details}")
