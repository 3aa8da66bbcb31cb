"""Run the course notebooks top to bottom in a fresh kernel each, and report time and peak memory.

    python binder/run_notebooks.py [NOTEBOOK_OR_DIR ...] [--first-step]

Used by binder/simulate_build.py (every notebook, fast mode) and to measure the first-run target:
``--first-step`` records, for each notebook that trains, the seconds from asking for a kernel to the end
of the first ``optimizer.step()``. Nothing is written back to the notebooks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
sys.path.insert(0, str(REPO / "scripts"))
import nbrun  # noqa: E402  (scripts/nbrun.py: the runner every tool that executes notebooks shares)

# Appended as a last cell: the kernel's own peak resident memory (Linux reports kB, macOS bytes).
PEAK_CELL = (
    "import resource as _r, sys as _s\n"
    "_p = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss\n"
    "_s.stdout.write(f'AUTOLAB_PEAK_MB {_p / (1024 * 1024 if _s.platform == \"darwin\" else 1024)}\\n')"
)

# Prepended with --first-step: wrap step() of every optimizer class to note when the first one returns.
FIRST_STEP_CELL = """\
def _autolab_first_step_hook(path):
    import os
    import time

    import autolab.optim as optim

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    def wrap(cls):
        original = cls.__dict__.get("step")
        if original is None:
            return
        def step(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            if not os.path.exists(path):
                with open(path, "w") as f:
                    f.write(repr(time.time()))
            return result
        cls.step = step

    for cls in [optim.Optimizer, *subclasses(optim.Optimizer)]:
        wrap(cls)
_autolab_first_step_hook(%r)
del _autolab_first_step_hook
"""


def find_notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in [Path(p) for p in paths] or [NOTEBOOKS]:
        found += sorted(p.glob("*.ipynb")) if p.is_dir() else [p]
    return found


def _peak_mb(cell) -> float | None:
    for line in nbrun.stream_text(cell).splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == "AUTOLAB_PEAK_MB":
            return round(float(words[1]), 1)
    return None


def run_one(path: Path, timeout: int, first_step: bool) -> dict:
    """Run the whole notebook; with ``first_step``, also note when the first optimizer step returned."""
    # lazy: --help works without Jupyter
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(path, as_version=4)
    marker = Path(tempfile.mkdtemp(prefix="autolab-step-")) / "first_step"
    if first_step:
        nb.cells.insert(0, nbformat.v4.new_code_cell(FIRST_STEP_CELL % str(marker)))
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    result: dict = {"notebook": path.name, "ok": True}
    start = time.time()
    try:
        nbrun.run(nb, path.parent, timeout)
    except (CellExecutionError, CellTimeoutError) as err:
        result["ok"] = False
        result["error"] = str(err)[-3000:]
    result["seconds"] = round(time.time() - start, 2)
    peak = _peak_mb(nb.cells[-1])
    if peak is not None:
        result["peak_mb"] = peak
    if first_step and marker.exists():
        result["first_step_s"] = round(float(marker.read_text()) - start, 2)
    return result


def run_until_first_step(path: Path, timeout: int, linger: float) -> dict:
    """Open the notebook in a new kernel and run its cells in order until the first optimizer step returns.

    What a student does on Binder: open the notebook, Run All. Measures seconds from asking for a kernel to
    the end of the first training step; then lets training go on for ``linger`` seconds (it runs in a
    background thread) and reads the kernel's peak memory.
    """
    import nbformat  # lazy: --help works without Jupyter

    nb = nbformat.read(path, as_version=4)
    marker = Path(tempfile.mkdtemp(prefix="autolab-step-")) / "first_step"
    hook = nbformat.v4.new_code_cell(FIRST_STEP_CELL % str(marker))
    cells = [hook, *[c for c in nb.cells if c.cell_type == "code"]]
    nb.cells = cells
    result: dict = {"notebook": path.name, "ok": False, "cells_run": 0}
    start = time.time()
    with nbrun.kernel(nb, path.parent, timeout) as client:
        for index, cell in enumerate(cells):
            client.execute_cell(cell, index)
            result["cells_run"] = index
            if marker.exists():
                break
            if "trainer.start()" in cell.source or ".fit(" in cell.source:
                deadline = time.time() + timeout  # training runs in a thread: wait for its first step
                while not marker.exists() and time.time() < deadline:
                    time.sleep(0.01)
                break
        if marker.exists():
            result["ok"] = True
            result["first_step_s"] = round(float(marker.read_text()) - start, 2)
            time.sleep(linger)
        peak_cell = nbformat.v4.new_code_cell(PEAK_CELL)
        nb.cells.append(peak_cell)
        client.execute_cell(peak_cell, len(nb.cells) - 1)
        result["peak_mb"] = _peak_mb(peak_cell)
        result["lingered_s"] = linger
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--first-step", action="store_true", help="time the first optimizer step")
    parser.add_argument(
        "--until-first-step",
        action="store_true",
        help="run each notebook only until its first optimizer step (the first-run measurement)",
    )
    parser.add_argument("--linger", type=float, default=0.0, help="with --until-first-step: seconds to train on")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    notebooks = find_notebooks(args.paths)
    if not notebooks:
        print("run_notebooks: no notebooks found", file=sys.stderr)
        return 1
    mode = "fast" if os.environ.get("AUTOLAB_FAST", "") not in ("", "0") else "full"
    cpu = os.environ.get("NUMBA_CPU_NAME") or "this machine's"
    print(f"run_notebooks: numba code for {cpu} CPU, cache {os.environ.get('NUMBA_CACHE_DIR', '(default)')}")
    results = []
    for path in notebooks:
        print(f"run_notebooks: {path.name} ({mode} mode) ...", flush=True)
        if args.until_first_step:
            res = run_until_first_step(path, args.timeout, args.linger)
            res.setdefault("seconds", res.get("first_step_s", 0))
            if not res["ok"]:
                res["error"] = "no optimizer step happened"
        else:
            res = run_one(path, args.timeout, args.first_step)
        results.append(res)
        extra = "".join(f", {k} {res[k]}" for k in ("peak_mb", "first_step_s") if k in res)
        print(f"  {'ok' if res['ok'] else 'FAILED'} in {res['seconds']} s{extra}", flush=True)
        if not res["ok"]:
            print(res["error"], flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    failed = [r["notebook"] for r in results if not r["ok"]]
    print(f"run_notebooks: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
