"""Make the student and instructor versions of the course notebooks.

The committed notebooks in notebooks/ are the *sources*: they hold the solutions between nbgrader-style markers

    ### BEGIN SOLUTION
    ...the answer...
    ### END SOLUTION

This script writes two cleaned copies of each (outputs cleared), by default under build/course/:

- ``student/``: every solution replaced by ``raise NotImplementedError()`` (code) or "YOUR ANSWER HERE"
  (markdown), at the marker's indentation. The checks catch NotImplementedError and print a hint, so a
  student notebook still runs top to bottom.
- ``instructor/``: the solutions kept, the marker lines removed.

    python scripts/make_student_version.py [--out build/course] [notebooks/01_tensors.ipynb ...]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
MARKDOWN_STUB = ["YOUR ANSWER HERE"]


class MarkerError(ValueError):
    """A BEGIN without its END (or the reverse): refusing to guess what to hide."""


def strip_solutions(source: str, stub: list[str] | None) -> str:
    """Replace each marked region by ``stub`` (indented like its BEGIN line); ``None`` keeps the solution."""
    out: list[str] = []
    inside = False
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise MarkerError("nested ### BEGIN SOLUTION")
            inside = True
            if stub is not None:
                indent = line[: len(line) - len(line.lstrip())]
                out.extend(indent + s for s in stub)
        elif marker == END:
            if not inside:
                raise MarkerError("### END SOLUTION without a BEGIN")
            inside = False
        elif not inside or stub is None:
            out.append(line)
    if inside:
        raise MarkerError("### BEGIN SOLUTION without an END")
    return "\n".join(out)


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def convert(nb: dict, student: bool) -> dict:
    """A copy of the notebook for students (solutions hidden) or instructors (solutions shown)."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        kind = cell["cell_type"]
        stub = (CODE_STUB if kind == "code" else MARKDOWN_STUB) if student else None
        text = strip_solutions(_source(cell), stub)
        cell["source"] = text.splitlines(keepends=True)
        if kind == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def count_solutions(nb: dict) -> int:
    return sum(_source(c).count(BEGIN) for c in nb["cells"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write student and instructor versions of the notebooks.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/[0-9]*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "course")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for version in ("student", "instructor"):
        (args.out / version).mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for version in ("student", "instructor"):
            text = json.dumps(convert(nb, student=version == "student"), indent=1, ensure_ascii=False)
            (args.out / version / path.name).write_text(text + "\n", encoding="utf-8")
        print(f"{path.name}: {count_solutions(nb)} solution(s) hidden in student/")
    print(f"wrote {len(paths)} notebook(s) to {args.out}/student and {args.out}/instructor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
