"""nbgrader's markers inside a cell: solutions, and hidden tests.

    ### BEGIN SOLUTION            (in a `solution` cell)     ### BEGIN HIDDEN TESTS      (in a `test` cell)
    ...the model answer...                                   ...checks on other inputs...
    ### END SOLUTION                                         ### END HIDDEN TESTS

The same rules as nbgrader's ClearSolutions and ClearHiddenTests preprocessors, so that the student edition
built here and the release ``nbgrader generate_assignment`` makes from the nbgrader edition are the same text:
a solution becomes the stub, indented like its BEGIN line; a hidden-test region disappears with its markers.
"""

from __future__ import annotations

from dataclasses import dataclass

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
SOLUTION = (BEGIN_SOLUTION, END_SOLUTION)
HIDDEN = (BEGIN_HIDDEN, END_HIDDEN)

# nbgrader's default stubs (ClearSolutions.code_stub["python"] and .text_stub).
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
TEXT_STUB = ["YOUR ANSWER HERE"]

# nbgrader treats any line *containing* these words as a marker; so do we, to refuse a near miss.
_KEYWORDS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class MarkerError(ValueError):
    """Unbalanced, nested or misspelt markers: refusing to guess what to hide. ``line`` counts from 0."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Region:
    """Lines ``begin`` .. ``end`` (the two marker lines, counted from 0) of a cell."""

    begin: int
    end: int
    indent: str


def find_regions(lines: list[str], pair: tuple[str, str]) -> list[Region]:
    """The regions of one marker pair, checked: balanced, not nested, each marker alone on its line."""
    begin_marker, end_marker = pair
    regions: list[Region] = []
    open_at: int | None = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not any(word in line for word in _KEYWORDS):
            continue
        if stripped not in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
            word = max((w for w in _KEYWORDS if w in line), key=len)
            raise MarkerError(i, f"a marker stands alone on its line, exactly `### {word}`: {stripped!r}")
        if stripped == begin_marker:
            if open_at is not None:
                raise MarkerError(i, f"`{begin_marker}` inside another one (opened {i - open_at} lines above)")
            open_at = i
        elif stripped == end_marker:
            if open_at is None:
                raise MarkerError(i, f"`{end_marker}` without a `{begin_marker}` before it")
            regions.append(Region(open_at, i, lines[open_at][: len(lines[open_at]) - len(lines[open_at].lstrip())]))
            open_at = None
    if open_at is not None:
        raise MarkerError(open_at, f"`{begin_marker}` without an `{end_marker}` after it")
    return regions


def replace_regions(source: str, pair: tuple[str, str], stub: list[str] | None, keep_content: bool) -> str:
    """Each region of ``pair`` replaced by ``stub`` (indented like its BEGIN line), or by its own content
    without the marker lines (``keep_content``), or by nothing."""
    lines = source.split("\n")
    out: list[str] = []
    position = 0
    for region in find_regions(lines, pair):
        out += lines[position : region.begin]
        if keep_content:
            out += lines[region.begin + 1 : region.end]
        elif stub is not None:
            out += [region.indent + s for s in stub]
        position = region.end + 1
    out += lines[position:]
    return "\n".join(out)


def student_text(source: str, code: bool) -> str:
    """What a student gets: solutions replaced by the stub, hidden tests removed."""
    text = replace_regions(source, SOLUTION, CODE_STUB if code else TEXT_STUB, keep_content=False)
    return replace_regions(text, HIDDEN, None, keep_content=False)


def instructor_text(source: str) -> str:
    """What an instructor reads: the solutions without their markers; hidden tests kept, still marked."""
    return replace_regions(source, SOLUTION, None, keep_content=True)


def count_regions(source: str, pair: tuple[str, str]) -> int:
    return len(find_regions(source.split("\n"), pair))
