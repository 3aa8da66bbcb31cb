"""Execute course notebooks top to bottom, the way a student's "Run all" does, and print what they measured.

    python scripts/run_notebooks.py --fast                      # every notebook in fast mode (what CI checks)
    python scripts/run_notebooks.py 07_cifar10_cnn              # the real CIFAR-10 run (long)
    python scripts/run_notebooks.py 07_cifar10_cnn --until "## A better network"   # LeNet only
    python scripts/run_notebooks.py --edition instructor 06_data_pipelines   # with the model solutions in

For each notebook it prints the wall time and every output line that states a result (accuracy, minutes,
peak memory, timings), so the numbers can be copied into docs/benchmarks.md with the command that made them.
Executed copies (with outputs) go to build/executed/ (not committed). Data: $AUTOLAB_DATA, as in the notebooks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import nbrun  # scripts/nbrun.py: the runner every tool that executes notebooks shares

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RESULT = re.compile(r"accuracy|trained|min\b|peak memory|GFLOP/s|fitted|workers|✓|✗|Error", re.IGNORECASE)


def load(name: str, edition: str):
    """The committed notebook (the student edition), or another edition built from its source."""
    import nbformat  # lazy: --help works without Jupyter

    if edition == "student":
        return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    sys.path.insert(0, str(ROOT))
    from autolab.course.builder import Course  # lazy: this checkout's autolab, put on the path just above

    return nbformat.reads(Course(ROOT).render(name, edition), as_version=4)


def run(nb, until: str | None, timeout: int) -> tuple[float, list[str], dict]:
    seconds = nbrun.run(nb, NOTEBOOKS, timeout, until=(lambda cell: until in cell.source) if until else None)
    lines = [line for cell in nb.cells for line in nbrun.stream_text(cell).splitlines() if RESULT.search(line)]
    return seconds, lines, nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names without .ipynb (default: all)")
    parser.add_argument("--fast", action="store_true", help="set AUTOLAB_FAST=1")
    parser.add_argument("--until", help="stop before the first cell containing this text")
    parser.add_argument("--timeout", type=int, default=24 * 3600, help="seconds allowed per cell")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "executed")
    parser.add_argument(
        "--edition", choices=("student", "instructor"), default="student",
        help="the committed student edition (exercises fall back to built-ins) or the instructor's (solutions in)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    os.environ.update(nbrun.kernel_environment(ROOT, fast=args.fast))
    names = args.names or sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    for name in names:
        seconds, lines, nb = run(load(name, args.edition), args.until, args.timeout)
        (args.out / f"{name}.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
        mode = "fast" if args.fast else "full"
        print(f"== {name} ({mode} mode, {args.edition} edition): {seconds:.1f} s wall")
        for line in lines:
            print("   ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
