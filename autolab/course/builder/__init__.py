"""Build the course notebooks from their sources (``notebooks/src/NN_slug.py``, format v2).

One source, editions built from it: the student edition (committed, what students open), the instructor
edition (solutions) and an nbgrader course directory; each in English, and in Chinese where
``notebooks/src/zh/NN_slug.md`` translates the markdown cells. Command lines: ``autolab course ...`` and
``python scripts/build_notebooks.py`` (see ``cli``). Only the standard library: no Jupyter needed to build.
"""

from .course import Course, Report, find_root
from .editions import EDITIONS, render
from .markers import MarkerError
from .source import Cell, Notebook, SourceError, parse

__all__ = [
    "Course",
    "Report",
    "find_root",
    "EDITIONS",
    "render",
    "MarkerError",
    "Cell",
    "Notebook",
    "SourceError",
    "parse",
]
