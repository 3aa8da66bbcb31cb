"""The ``autolab`` command: ``autolab doctor`` checks an install, ``autolab lab`` opens the course,
``autolab course`` builds its editions (the instructor's solutions, an nbgrader course directory).

Nothing here imports Jupyter (autolab never does): the doctor reads package metadata, JupyterLab's extension
folders and a running server's page config, and ``autolab lab`` starts JupyterLab as a separate program.
"""

from __future__ import annotations

import argparse
import sys

from ..course.builder.cli import course_main
from .doctor import run_doctor
from .lab import run_lab


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autolab",
        description="autolab: learn how deep learning frameworks work, in JupyterLab.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    doctor = sub.add_parser(
        "doctor",
        help="check Python, numba, the widgets front end, the numba cache and the data; say how to fix",
        description="Check this environment for the course. Exits 1 only when something is broken.",
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")

    lab = sub.add_parser(
        "lab",
        help="start JupyterLab on the course notebooks",
        description=(
            "Start JupyterLab on the course notebooks. Arguments after the options are passed on to "
            "JupyterLab (e.g. `autolab lab --no-browser --port 8899`)."
        ),
    )
    lab.add_argument("--dir", help="the notebooks folder (default: found from the source checkout)")
    lab.add_argument("--dry-run", action="store_true", help="print the command instead of running it")

    course = sub.add_parser(
        "course",
        help="build the course's editions: instructor (solutions), student, an nbgrader course directory",
        add_help=False,  # `autolab course --help` is answered by the course builder's own parser
    )
    course.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``autolab`` console script; returns the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "doctor":
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return run_doctor(as_json=args.json)
    if args.command == "course":
        return course_main(args.args + extra)
    if args.command == "lab":
        return run_lab(notebook_dir=args.dir, extra_args=extra, dry_run=args.dry_run)
    parser.print_help()
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m autolab.cli` goes through __main__.py
    sys.exit(main())
