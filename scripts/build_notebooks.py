"""Build the course notebooks from their sources in notebooks/src (format v2: see docs/course.md).

    python scripts/build_notebooks.py          # rewrite the committed student editions (notebooks/, notebooks/zh/)
    python scripts/build_notebooks.py --check  # exit 1: one is stale, shows a solution, or a translation drifted
    python scripts/build_notebooks.py --edition instructor --out DIR [--lang en|zh|all] [NN_slug ...]
    python scripts/build_notebooks.py --edition nbgrader --out DIR    # an nbgrader course directory
    python scripts/build_notebooks.py --zh-todo NN_slug               # Chinese blocks to add or update

The same as `autolab course build|check|instructor|student|nbgrader|zh-todo` (autolab/course/builder/).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's autolab, installed or not

from autolab.course.builder.cli import script_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(script_main())
