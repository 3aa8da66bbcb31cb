"""Read a notebook source in the course's v2 format: jupytext "percent" cells whose headers carry an id and a role.

    # %% [markdown] id=goals           a markdown cell (its lines are comments); an id is required
    # %% id=setup locked               a code cell; the id is optional; `locked`: read-only in a graded release
    # %% id=mse solution               an exercise: the solution sits between ### BEGIN/END SOLUTION
    # %% id=mse-check test points=2    an autograded check (locked), hidden tests between BEGIN/END HIDDEN TESTS

Ids are ``[a-z0-9-]``, unique in the notebook and never reused: they become the notebook's cell ids, nbgrader's
``grade_id`` and the keys of the Chinese translation, so they must not change when a cell is edited. A code cell
without an id gets ``<previous id>_<n>`` (an underscore, which real ids never have). Every problem is reported
as ``file:line: what is wrong``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import markers

HEADER = re.compile(r"^# %%(.*)$")
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
WORDS = ("[markdown]", "id=", "solution", "test", "points=", "locked")


class SourceError(ValueError):
    """A malformed notebook source; ``str()`` names the file and line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line > 0 else f"{path}: {message}")
        self.path, self.line, self.message = str(path), line, message


@dataclass
class Cell:
    """One cell of a source: its kind, id, role (``plain``, ``solution`` or ``test``) and text."""

    kind: str
    id: str
    source: str
    line: int  # line of the header in the source file (1-based)
    first_line: int  # file line of the first line of ``source``
    role: str = "plain"
    points: float | None = None
    locked: bool = False
    explicit_id: bool = True

    @property
    def code(self) -> bool:
        return self.kind == "code"


@dataclass
class Notebook:
    """A parsed source: ``name`` is the file's stem (``01_tensors``)."""

    name: str
    path: Path
    cells: list[Cell] = field(default_factory=list)

    def cell(self, cell_id: str) -> Cell:
        for c in self.cells:
            if c.id == cell_id:
                return c
        raise KeyError(f"{self.name} has no cell {cell_id!r}")


def _uncomment(line: str) -> str:
    if line.startswith("# "):
        return line[2:]
    return line[1:] if line.startswith("#") else line


def _trim(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    while lines and not lines[0][1].strip():
        lines = lines[1:]
    while lines and not lines[-1][1].strip():
        lines = lines[:-1]
    return lines


def _header(rest: str, path: Path, line: int) -> dict:
    """The header's words: kind, id, role, points, locked."""
    out: dict = {"kind": "code", "id": None, "role": "plain", "points": None, "locked": False}
    for word in rest.split():
        if word == "[markdown]":
            out["kind"] = "markdown"
        elif word.startswith("id="):
            if out["id"] is not None:
                raise SourceError(path, line, "two ids in one cell header")
            out["id"] = word[3:]
            if not ID.match(out["id"]):
                raise SourceError(
                    path, line, f"bad cell id {out['id']!r}: use lowercase letters, digits and '-' (at most 64)"
                )
        elif word in ("solution", "test"):
            if out["role"] != "plain":
                raise SourceError(path, line, "a cell is either a `solution` or a `test`, not both")
            out["role"] = word
        elif word.startswith("points="):
            try:
                out["points"] = float(word[7:])
            except ValueError:
                raise SourceError(path, line, f"points must be a number, not {word[7:]!r}") from None
            if not out["points"] > 0:
                raise SourceError(path, line, "points must be more than 0")
        elif word == "locked":
            out["locked"] = True
        else:
            raise SourceError(path, line, f"unknown word {word!r} in the cell header (allowed: {', '.join(WORDS)})")
    return out


def parse(text: str, path: Path | str = "<source>") -> Notebook:
    """Parse a v2 source into cells; raise SourceError (with file and line) for anything malformed."""
    path = Path(path)
    raw: list[tuple[int, dict, list[tuple[int, str]]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = HEADER.match(line)
        if m:
            raw.append((number, _header(m.group(1), path, number), []))
        elif raw:
            raw[-1][2].append((number, line))
    notebook = Notebook(path.stem, path)
    seen: dict[str, int] = {}
    previous, unnamed = "cell", 0
    for number, head, lines in raw:
        if head["kind"] == "markdown":
            lines = [(n, _uncomment(s)) for n, s in lines]
        lines = _trim(lines)
        cell_id = head["id"]
        if cell_id is None:
            if head["kind"] == "markdown" or head["role"] != "plain":
                what = "a markdown cell" if head["kind"] == "markdown" else f"a `{head['role']}` cell"
                raise SourceError(path, number, f"{what} needs an id: `# %% ... id=some-name`")
            if not lines:
                continue
            unnamed += 1
            cell_id = f"{previous}_{unnamed}"
        else:
            if cell_id in seen:
                raise SourceError(path, number, f"duplicate cell id {cell_id!r} (first used on line {seen[cell_id]})")
            seen[cell_id] = number
            previous, unnamed = cell_id, 0
        if not lines:
            raise SourceError(path, number, f"cell {cell_id!r} is empty")
        cell = Cell(
            kind=head["kind"],
            id=cell_id,
            source="\n".join(s for _, s in lines),
            line=number,
            first_line=lines[0][0],
            role=head["role"],
            points=head["points"],
            locked=head["locked"],
            explicit_id=head["id"] is not None,
        )
        _validate(cell, path)
        notebook.cells.append(cell)
    return notebook


def _validate(cell: Cell, path: Path) -> None:
    lines = cell.source.split("\n")
    try:
        solutions = markers.find_regions(lines, markers.SOLUTION)
        hidden = markers.find_regions(lines, markers.HIDDEN)
    except markers.MarkerError as e:
        raise SourceError(path, cell.first_line + e.line, f"cell {cell.id!r}: {e}") from None
    where = f"cell {cell.id!r}"
    if cell.role == "test":
        if not cell.code:
            raise SourceError(path, cell.line, f"{where}: a `test` cell must be a code cell")
        if cell.points is None:
            raise SourceError(path, cell.line, f"{where}: a `test` cell needs its points, e.g. `test points=2`")
        if solutions:
            raise SourceError(path, cell.first_line + solutions[0].begin, f"{where}: a solution inside a test cell")
        _lint_test(cell, path)
    else:
        if hidden:
            raise SourceError(path, cell.first_line + hidden[0].begin, f"{where}: hidden tests belong in a `test` cell")
        if cell.points is not None and not (cell.role == "solution" and not cell.code):
            raise SourceError(
                path, cell.line, f"{where}: points go on `test` cells (or a markdown `solution`, graded by hand)"
            )
    if cell.role == "solution":
        if not solutions:
            raise SourceError(path, cell.line, f"{where}: a `solution` cell needs ### BEGIN SOLUTION / END SOLUTION")
        for region in solutions:
            if cell.code and not region.indent:
                raise SourceError(
                    path,
                    cell.first_line + region.begin,
                    f"{where}: put the solution inside a function or class body. The student edition replaces it "
                    "by `raise NotImplementedError()`, which at the top level would stop Run All; for an answer "
                    'like "b", write `def answer():` with `return "b"` between the markers.',
                )
    elif solutions:
        raise SourceError(
            path, cell.first_line + solutions[0].begin, f"{where}: mark the cell `solution` to hold a solution"
        )


def _uses_checks(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "checks"
        and n.func.attr != "passed"
        for n in ast.walk(node)
    )


def _lint_test(cell: Cell, path: Path) -> None:
    """A test cell may call checks, but not keep or branch on their result: in grading mode a failing check
    raises, so the rest of the statement never runs (``x_ok = checks.x(x)`` leaves ``x_ok`` unset)."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as e:
        raise SourceError(path, cell.first_line + (e.lineno or 1) - 1, f"cell {cell.id!r}: {e.msg}") from None
    for statement in tree.body:
        is_call = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
        if _uses_checks(statement) and not is_call:
            raise SourceError(
                path,
                cell.first_line + statement.lineno - 1,
                f"cell {cell.id!r}: a test cell only calls checks. In grading mode a failing check raises, so "
                "its result is never stored; in a later cell write e.g. `loss_fn = mse if checks.passed(mse) "
                "else F.mse_loss`.",
            )
