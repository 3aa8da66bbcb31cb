"""Command lines of the builder: ``python scripts/build_notebooks.py ...`` and ``autolab course ...``.

    autolab course build                    rewrite the committed student editions (notebooks/, notebooks/zh/)
    autolab course check                    exit 1 if one is out of date, leaks a solution, or a translation drifted
    autolab course instructor DIR           the instructor edition (solutions, hidden tests) into DIR
    autolab course student DIR              the student edition into DIR
    autolab course nbgrader DIR             an nbgrader course directory: DIR/source/<assignment>/, nbgrader_config.py
    autolab course zh-todo NN_slug          the Chinese blocks to add or update, with hashes and the English text

Each takes notebook names to build only those (``01_tensors``) and ``--lang en|zh|all``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import markers, translations
from .course import LANGUAGES, Course, Report, find_root
from .editions import EDITIONS
from .source import SourceError


def _langs(value: str) -> list[str]:
    return list(LANGUAGES) if value == "all" else [value]


def leaked_solutions(course: Course, only: list[str] | None = None) -> list[str]:
    """Committed student editions that hold a marker, or a line of a solution or a hidden test."""
    problems = []
    for name in course.names(only):
        try:
            notebook = course.load(name)
        except SourceError:
            continue  # reported by the build
        secret: set[str] = set()
        for cell in notebook.cells:
            lines = cell.source.split("\n")
            for pair in (markers.SOLUTION, markers.HIDDEN):
                for region in markers.find_regions(lines, pair):
                    secret |= {s.strip() for s in lines[region.begin + 1 : region.end] if len(s.strip()) > 12}
        for lang in course.languages(name):
            path = course.committed_path(name, lang)
            if not path.exists():
                continue
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            shown = {line.strip() for c in cells for line in "".join(c["source"]).split("\n")}
            # a line may be secret in one place and shown legitimately in another (e.g. `return out`)
            public = {
                line.strip() for c in notebook.cells for line in markers.student_text(c.source, c.code).split("\n")
            }
            for word in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
                if any(word in line for line in shown):
                    problems.append(f"{path.relative_to(course.root)}: the student edition contains `{word}`")
            for line in sorted((secret & shown) - public):
                problems.append(f"{path.relative_to(course.root)}: the student edition shows a solution line: {line}")
    return problems


def _print(report: Report, verb: str) -> int:
    for line in report.changed:
        print(f"{verb}: {line}")
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    return 0 if report.ok else 1


def run(
    action: str,
    names: list[str] | None = None,
    out: Path | None = None,
    lang: str = "en",
    root: str | None = None,
) -> int:
    """Do one of the actions in the module docstring; print what happened; return the exit status."""
    try:
        course = Course(find_root(root))
    except FileNotFoundError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if action in ("build", "check"):
        report = course.build(check=action == "check", only=names)
        if action == "check":
            report.problems += leaked_solutions(course, names)
            for path in report.changed:
                report.problems.append(f"{path} is out of date: run `python scripts/build_notebooks.py`")
            report.changed = []
            if report.ok:
                print("the committed notebooks are current; no solution in the student editions; translations in sync")
        return _print(report, "rebuilt")
    if action == "zh-todo":
        try:
            for name in course.names(names):
                text = translations.todo(course.load(name), course.translation(name) or {})
                print(text or f"<!-- {name}: every block is current -->")
        except SourceError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        return 0
    if action in EDITIONS:
        if out is None:
            print("error: say where to write the edition (a folder)", file=sys.stderr)
            return 1
        report = course.write(Path(out), action, _langs(lang), names)
        status = _print(report, "wrote")
        if action == "nbgrader" and report.ok:
            print(f"next: cd {out} && nbgrader generate_assignment 01_tensors  (docs/course.md: Grading with nbgrader)")
        return status
    raise ValueError(f"unknown action {action!r}")


def script_main(argv: list[str] | None = None) -> int:
    """``python scripts/build_notebooks.py``: the committed student editions, or any edition with --out."""
    parser = argparse.ArgumentParser(
        prog="build_notebooks.py",
        description="Build the course notebooks from notebooks/src (v2 sources; see docs/course.md).",
    )
    parser.add_argument("names", nargs="*", help="notebooks to build, e.g. 01_tensors (default: all)")
    parser.add_argument("--check", action="store_true", help="only check the committed notebooks (what CI runs)")
    parser.add_argument("--edition", choices=EDITIONS, default="student")
    parser.add_argument("--out", type=Path, help="write the edition here instead of notebooks/")
    parser.add_argument("--lang", choices=[*LANGUAGES, "all"], default="en", help="with --out (default: en)")
    parser.add_argument("--root", help="the repository (default: this checkout)")
    parser.add_argument("--zh-todo", action="store_true", help="print the Chinese blocks to add or update")
    args = parser.parse_args(argv)
    names = args.names or None
    if args.zh_todo:
        return run("zh-todo", names, root=args.root)
    if args.out is not None:
        return run(args.edition, names, args.out, args.lang, args.root)
    if args.edition != "student":
        parser.error("the instructor and nbgrader editions are never committed: give --out DIR")
    return run("check" if args.check else "build", names, root=args.root)


def course_main(argv: list[str] | None = None) -> int:
    """``autolab course ...``."""
    parser = argparse.ArgumentParser(
        prog="autolab course",
        description="Build the course's editions from notebooks/src.\n\n" + __doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    helps = {
        "build": "rewrite the committed student editions",
        "check": "check the committed student editions, and the translations",
        "student": "write the student edition (no solutions) into DIR",
        "instructor": "write the instructor edition (solutions, hidden tests) into DIR",
        "nbgrader": "write an nbgrader course directory into DIR",
        "zh-todo": "print the Chinese blocks to add or update",
    }
    for action, text in helps.items():
        p = sub.add_parser(action, help=text, description=text)
        if action in EDITIONS:
            p.add_argument("out", metavar="DIR", type=Path)
            p.add_argument("--lang", choices=[*LANGUAGES, "all"], default="en")
        p.add_argument("names", nargs="*", help="notebooks, e.g. 01_tensors (default: all)")
        p.add_argument("--root", help="the autolab repository (default: this checkout, or the current folder)")
    args = parser.parse_args(argv)
    return run(args.action, args.names or None, getattr(args, "out", None), getattr(args, "lang", "en"), args.root)
