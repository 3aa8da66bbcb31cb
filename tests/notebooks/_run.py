"""Execute a notebook in fast mode with nbclient, the way CI does, and collect its text output."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT_S = 120
NEEDS_DATA = {
    "04_linear_regression",
    "07_cifar10_cnn",
    "11_parallel",
}  # MNIST, CIFAR-10  # the whole budget of a notebook in CI, so one hung cell fails fast


def data_dir() -> Path:
    return Path(os.environ.get("AUTOLAB_TEST_DATA", ROOT.parent / "shared" / "data")).resolve()


def require_data() -> Path:
    """The shared data dir; missing data fails under CI=true and skips elsewhere."""
    path = data_dir()
    if not (path / "cifar-10" / "cifar-10-batches-bin").is_dir() or not (path / "MNIST" / "raw").is_dir():
        message = f"CIFAR-10 or MNIST not found under {path} (set AUTOLAB_TEST_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def kernel_env(monkeypatch: pytest.MonkeyPatch, data: Path | None) -> None:
    """The kernel inherits this process's environment: fast mode, the data, and this repo on the path."""
    monkeypatch.setenv("AUTOLAB_FAST", "1")
    if data is not None:
        monkeypatch.setenv("AUTOLAB_DATA", str(data))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    # The python3 kernelspec runs `python`: make it this interpreter.
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))


def execute(nb: dict, cwd: Path = NOTEBOOKS) -> str:
    """Run every cell top to bottom (raising on the first error); return all text output joined."""
    import nbformat
    from nbclient import NotebookClient

    node = nbformat.reads(json.dumps(nb), as_version=4)  # joins the source lists into strings
    client = NotebookClient(
        node, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return "\n".join(output_text(cell) for cell in node.cells if cell.cell_type == "code")


def output_text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out and "text/plain" in out["data"]:
            parts.append(out["data"]["text/plain"])
    return "".join(parts)
