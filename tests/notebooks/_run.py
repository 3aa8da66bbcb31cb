"""Execute a notebook in fast mode, the way CI does, and collect its text output (with scripts/nbrun.py)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
_spec = importlib.util.spec_from_file_location("nbrun", ROOT / "scripts" / "nbrun.py")
nbrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbrun)
CELL_TIMEOUT_S = 120
NEEDS_DATA = {
    "04_linear_regression",
    "05_losses_optimizers",
    "06_data_pipelines",
    "07_cifar10_cnn",
    "08_debugging",
    "11_parallel",
}  # MNIST, CIFAR-10  # the whole budget of a notebook in CI, so one hung cell fails fast


def data_dir() -> Path:
    """Where autolab finds the data (the doctor and the notebooks agree): $AUTOLAB_DATA, else ../shared/data
    beside the checkout, else the download cache (autolab.vision.datasets.data_root)."""
    from autolab.vision.datasets import data_root

    return data_root().path.resolve()


def require_data() -> Path:
    """The shared data dir; missing data fails under CI=true and skips elsewhere."""
    path = data_dir()
    if not (path / "cifar-10" / "cifar-10-batches-bin").is_dir() or not (path / "MNIST" / "raw").is_dir():
        message = f"CIFAR-10 or MNIST not found under {path} (set AUTOLAB_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def kernel_env(monkeypatch: pytest.MonkeyPatch, data: Path | None) -> None:
    """The kernel inherits this process's environment: fast mode, the data, this repo on the path, this Python."""
    for name, value in nbrun.kernel_environment(ROOT, fast=True, data=data).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AUTOLAB_COURSE_DIR", str(ROOT / "build" / "course-work"))  # files notebook 06 writes


def execute(nb: dict, cwd: Path = NOTEBOOKS) -> str:
    """Run every cell top to bottom (raising on the first error); return all text output joined."""
    import nbformat

    node = nbformat.reads(json.dumps(nb), as_version=4)  # joins the source lists into strings
    nbrun.run(node, cwd, CELL_TIMEOUT_S)
    return "\n".join(nbrun.cell_text(cell) for cell in node.cells if cell.cell_type == "code")
