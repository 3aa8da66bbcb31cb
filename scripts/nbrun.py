"""Run a notebook's cells in a fresh Jupyter kernel: the one runner behind every tool that executes the course.

Used by scripts/run_notebooks.py (measure a notebook, print its results), binder/run_notebooks.py (every
notebook in the Binder image, time to the first training step, peak memory) and the notebook tests
(tests/notebooks/_run.py). Each keeps only what is its own: which cells to run and what to read back.

    import nbrun
    seconds = nbrun.run(nb, cwd=path.parent, timeout=120)          # every cell, in order; raises on an error
    with nbrun.kernel(nb, cwd, timeout) as client:                  # a live kernel, to drive cell by cell
        client.execute_cell(nb.cells[0], 0)
    text = "".join(nbrun.cell_text(c) for c in nb.cells)            # what the cells printed

``nb`` is an ``nbformat`` notebook node; outputs are written into its cells, as Jupyter does.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

KERNEL = "python3"  # the kernelspec every runner uses; with kernel_environment() it runs this interpreter


@contextlib.contextmanager
def kernel(nb: Any, cwd: Path, timeout: int) -> Iterator[Any]:
    """An ``nbclient.NotebookClient`` for ``nb`` with a started kernel whose working directory is ``cwd``."""
    from nbclient import NotebookClient  # lazy: the scripts print their --help without Jupyter installed

    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, resources={"metadata": {"path": str(cwd)}})
    with client.setup_kernel():
        yield client


def run(nb: Any, cwd: Path, timeout: int, until: Callable[[Any], bool] | None = None) -> float:
    """Run the cells of ``nb`` in order in one new kernel, stopping before the first cell for which ``until(cell)``
    is true; returns the wall seconds. A failing cell raises nbclient's ``CellExecutionError`` (a cell running past
    ``timeout`` seconds, ``CellTimeoutError``)."""
    started = time.perf_counter()
    with kernel(nb, cwd, timeout) as client:
        for index, cell in enumerate(nb.cells):
            if until is not None and until(cell):
                break
            client.execute_cell(cell, index)
    return time.perf_counter() - started


def stream_text(cell: Any) -> str:
    """What a cell printed (stdout and stderr), joined: a busy kernel may split one line over several messages.
    (Only stream outputs have a "text" field.)"""
    return "".join(out.get("text", "") for out in cell.get("outputs", []))


def cell_text(cell: Any) -> str:
    """What a cell printed, and the plain-text form of what it displayed or returned."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif "data" in out and "text/plain" in out["data"]:
            parts.append(out["data"]["text/plain"])
    return "".join(parts)


def kernel_environment(root: Path, fast: bool, data: Path | None = None) -> dict[str, str]:
    """Environment variables that make a kernel started from this process run the course as CI does: fast mode
    (or not), the datasets in ``data``, this checkout's ``autolab`` first on the path, and this interpreter as the
    ``python`` of the python3 kernelspec."""
    env = {
        "AUTOLAB_FAST": "1" if fast else "0",
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    if data is not None:
        env["AUTOLAB_DATA"] = str(data)
    return env
