"""Build the course notebooks (notebooks/*.ipynb) from their readable sources (notebooks/src/*.py).

The sources use jupytext's "percent" format: ``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell
whose lines are comments. The .ipynb files are what students open, so they are committed too, without
outputs and with a python3 kernelspec. Edit the .py, then run

    python scripts/build_notebooks.py          # rewrite every notebook
    python scripts/build_notebooks.py --check  # exit 1 if a notebook is out of date (the tests do this)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src"
OUT = ROOT / "notebooks"

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
MARKER = re.compile(r"^# %%(.*)$")


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _uncomment(line: str) -> str:
    if line.startswith("# "):
        return line[2:]
    return line[1:] if line.startswith("#") else line


def parse(text: str) -> list[tuple[str, str]]:
    """(cell_type, source) pairs, in order. Text before the first ``# %%`` is ignored."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = MARKER.match(line)
        if m:
            cells.append(("markdown" if "[markdown]" in m.group(1) else "code", []))
        elif cells:
            cells[-1][1].append(line)
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            lines = [_uncomment(line) for line in lines]
        lines = _trim(lines)
        if lines:
            out.append((kind, "\n".join(lines)))
    return out


def to_notebook(cells: list[tuple[str, str]], stem: str) -> dict:
    nb_cells = []
    for i, (kind, source) in enumerate(cells):
        # nbformat stores source as a list of lines, each keeping its newline except the last.
        lines = source.splitlines(keepends=True)
        cell = {"cell_type": kind, "id": f"{stem[:2]}-{i:03d}", "metadata": {}, "source": lines}
        if kind == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
        nb_cells.append(cell)
    return {
        "cells": nb_cells,
        "metadata": {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(src: Path) -> str:
    nb = to_notebook(parse(src.read_text(encoding="utf-8")), src.stem)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for src in sorted(SRC.glob("[0-9][0-9]_*.py")):
        target = OUT / f"{src.stem}.ipynb"
        text = render(src)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target.name)
        if not args.check:
            target.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("out of date (run scripts/build_notebooks.py):", ", ".join(stale))
        return 1
    print(("would rebuild: " if args.check else "rebuilt: ") + (", ".join(stale) or "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
