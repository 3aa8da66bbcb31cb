"""One source, three editions of each notebook, in either language.

- ``student``: what students open (committed as ``notebooks/NN_slug.ipynb``): solutions replaced by
  ``raise NotImplementedError()``, hidden tests removed, check cells read-only.
- ``instructor``: the solutions in place (marker lines removed); hidden tests kept, still marked.
- ``nbgrader``: the source notebook of an nbgrader course (``source/<assignment>/``): every marker kept, and
  nbgrader's cell metadata (solution cells, autograded tests with points, read-only cells), with the cell id
  as ``grade_id``. ``nbgrader generate_assignment`` turns it into the same text as the student edition.
"""

from __future__ import annotations

import json
from typing import Any

from . import markers
from .source import Cell, Notebook
from .translations import Block, localize_code

EDITIONS = ("student", "instructor", "nbgrader")
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
NBGRADER_SCHEMA = 3


def _nbgrader_metadata(cell: Cell) -> dict[str, Any] | None:
    """nbgrader's cell metadata (schema 3), or None for a plain, editable cell."""
    solution = cell.role == "solution"
    grade = cell.role == "test" or (solution and cell.points is not None)  # a markdown answer graded by hand
    locked = cell.role == "test" or cell.locked or (not cell.code and not solution)
    if not (solution or grade or locked):
        return None
    meta: dict[str, Any] = {"grade": grade, "grade_id": cell.id, "locked": locked}
    if grade:
        points = float(cell.points or 0)
        meta["points"] = int(points) if points.is_integer() else points
    meta.update(schema_version=NBGRADER_SCHEMA, solution=solution, task=False)
    return meta


def cell_text(cell: Cell, edition: str, lang: str = "en", translation: dict[str, Block] | None = None) -> str:
    """A cell's source in one edition and language."""
    if not cell.code and lang != "en":
        if translation is None or cell.id not in translation:
            raise KeyError(f"no {lang} translation of markdown cell {cell.id!r}")
        text = translation[cell.id].text
    else:
        text = localize_code(cell.source, lang) if cell.code else cell.source
    if edition == "student":
        return markers.student_text(text, cell.code)
    if edition == "instructor":
        return markers.instructor_text(text)
    if edition == "nbgrader":
        return text
    raise ValueError(f"edition must be one of {EDITIONS}, not {edition!r}")


def render(
    notebook: Notebook, edition: str, lang: str = "en", translation: dict[str, Block] | None = None
) -> dict[str, Any]:
    """The notebook (nbformat 4.5, no outputs, python3 kernelspec) of one edition in one language."""
    cells = []
    for cell in notebook.cells:
        text = cell_text(cell, edition, lang, translation)
        metadata: dict[str, Any] = {}
        if edition == "student" and cell.role == "test":
            metadata = {"deletable": False, "editable": False}
        elif edition == "student" and cell.role == "solution":
            metadata = {"deletable": False}
        elif edition == "nbgrader" and (meta := _nbgrader_metadata(cell)) is not None:
            metadata = {"nbgrader": meta}
        # nbformat stores source as a list of lines, each keeping its newline except the last.
        out: dict[str, Any] = {
            "cell_type": cell.kind,
            "id": cell.id,
            "metadata": metadata,
            "source": text.splitlines(keepends=True),
        }
        if cell.code:
            out["execution_count"] = None
            out["outputs"] = []
        cells.append(out)
    return {
        "cells": cells,
        "metadata": {
            "autolab": {"edition": edition, "language": lang, "source": f"notebooks/src/{notebook.name}.py"},
            "kernelspec": dict(KERNELSPEC),
            "language_info": dict(LANGUAGE_INFO),
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def dumps(nb: dict[str, Any]) -> str:
    """The committed form: one-space indent, UTF-8 text as is, a final newline."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
