"""Where the course data is, and whether each dataset is complete (by file names and sizes: fast, no md5).

The data root comes from ``autolab.vision.datasets._root.data_root``: the function the datasets (so the
notebooks) and the tests use too, so the doctor looks exactly where they read. The advice fits what it finds:
an empty or absent folder is "not downloaded yet", an interrupted download is completed by the fetch command,
and a truncated file is named, to be deleted before fetching again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import doctor  # doctor imports this module too, so use doctor.Check at call time

CIFAR_RECORD = 3073  # 1 label byte + 3 * 32 * 32 pixels
CIFAR_FILES = {f"data_batch_{i}.bin": 10_000 * CIFAR_RECORD for i in range(1, 6)}
CIFAR_FILES["test_batch.bin"] = 10_000 * CIFAR_RECORD
CIFAR_META = "batches.meta.txt"
CIFAR_DIR = Path("cifar-10", "cifar-10-batches-bin")  # under the data root: where CIFAR10() reads

# raw idx sizes; a .gz must decompress to the same size (its gzip trailer says so)
MNIST_FILES = {
    "train-images-idx3-ubyte": 16 + 60_000 * 28 * 28,
    "train-labels-idx1-ubyte": 8 + 60_000,
    "t10k-images-idx3-ubyte": 16 + 10_000 * 28 * 28,
    "t10k-labels-idx1-ubyte": 8 + 10_000,
}
MNIST_DIR = Path("MNIST", "raw")

FETCH = "python -m autolab.vision.datasets.fetch --root {root}"
SOURCES = {
    "AUTOLAB_DATA": "from $AUTOLAB_DATA",
    "AUTOLAB_TEST_DATA": "from $AUTOLAB_TEST_DATA",
    "shared copy": "the shared copy beside this checkout",
    "download cache": "the download cache; set AUTOLAB_DATA to use another folder",
}


@dataclass
class DatasetState:
    name: str
    folder: Path
    state: str  # "complete" | "missing" (not downloaded yet) | "partial" (files absent) | "corrupt" | "misplaced"
    problems: list[str] = field(default_factory=list)
    bad_files: list[Path] = field(default_factory=list)  # wrong size: delete before fetching again

    def describe(self) -> str:
        if self.state == "complete":
            return f"{self.name} ({self.folder})"
        if self.state == "missing":
            empty = " (the folder is there, but empty)" if self.folder.is_dir() else ""
            return f"{self.name} not downloaded yet{empty}"
        return f"{self.name} in {self.folder}: {'; '.join(self.problems)}"


def data_root() -> tuple[Path, str]:
    """The data root the datasets, the notebooks and the tests use, and where that choice came from."""
    from autolab.vision.datasets._root import data_root as resolve  # lazy: loads every dataset module

    found = resolve()
    return found.path, found.source


def _size_problem(path: Path, size: int) -> str | None:
    actual = path.stat().st_size
    return None if actual == size else f"{path.name} is truncated or corrupt ({actual:,} bytes, not {size:,})"


def cifar_status(root: Path) -> DatasetState:
    """CIFAR-10 under ``root/cifar-10/cifar-10-batches-bin``, where ``CIFAR10()`` reads it."""
    folder = root / CIFAR_DIR
    if not folder.is_dir() and (root / CIFAR_DIR.name).is_dir():
        flat = root / CIFAR_DIR.name
        return DatasetState("CIFAR-10", flat, "misplaced", [f"the datasets read {folder}: move the folder there"])
    found = [n for n in [*CIFAR_FILES, CIFAR_META] if (folder / n).is_file()]
    if not found:
        return DatasetState("CIFAR-10", folder, "missing")
    status = DatasetState("CIFAR-10", folder, "complete")
    for name, size in CIFAR_FILES.items():
        if (folder / name).is_file() and (problem := _size_problem(folder / name, size)):
            status.problems.append(problem)
            status.bad_files.append(folder / name)
    absent = [n for n in [*CIFAR_FILES, CIFAR_META] if n not in found]
    if absent:
        status.problems.append(f"{', '.join(absent)} missing (an interrupted download?)")
    status.state = "corrupt" if status.bad_files else "partial" if absent else "complete"
    return status


def _gzip_size(path: Path) -> int:
    """The uncompressed size a gzip file's trailer records (modulo 2**32; the MNIST files are smaller)."""
    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b" or path.stat().st_size < 18:
            return -1
        f.seek(-4, os.SEEK_END)
        return int.from_bytes(f.read(4), "little")


def mnist_status(root: Path) -> DatasetState:
    folder = root / MNIST_DIR
    status = DatasetState("MNIST", folder, "complete")
    absent = []
    for name, size in MNIST_FILES.items():
        raw, gz = folder / name, folder / f"{name}.gz"
        if raw.is_file():
            if problem := _size_problem(raw, size):
                status.problems.append(problem)
                status.bad_files.append(raw)
        elif gz.is_file():
            if _gzip_size(gz) != size:
                status.problems.append(f"{gz.name} is truncated or corrupt (not a whole gzip of {size:,} bytes)")
                status.bad_files.append(gz)
        else:
            absent.append(f"{name}(.gz)")
    if len(absent) == len(MNIST_FILES):
        return DatasetState("MNIST", folder, "missing")
    if absent:
        status.problems.append(f"{', '.join(absent)} missing (an interrupted download?)")
    status.state = "corrupt" if status.bad_files else "partial" if absent else "complete"
    return status


def check_data() -> doctor.Check:
    root, source = data_root()
    results = [cifar_status(root), mnist_status(root)]
    states = {r.state for r in results}
    details = "; ".join(r.describe() for r in results)
    fetch = FETCH.format(root=root)
    where = f"data root {root} ({SOURCES.get(source, source)})"
    if "corrupt" in states:
        bad = " ".join(str(p) for r in results for p in r.bad_files)
        return doctor.Check("data", "fail", f"{where}: {details}", f"delete {bad}, then run: {fetch}")
    if "misplaced" in states:
        return doctor.Check("data", "warn", f"{where}: {details}", "move the folder, or fetch a fresh copy: " + fetch)
    if "partial" in states:
        return doctor.Check("data", "warn", f"{where}: {details}", f"complete it: {fetch}")
    if "missing" in states:
        note = "the notebooks download it on first use"
        return doctor.Check("data", "warn", f"{where}: {details} ({note})", f"to download it now: {fetch}")
    return doctor.Check("data", "ok", f"{where}: {details}")
