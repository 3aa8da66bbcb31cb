"""Drive a real nbgrader course, one step per run, as the instructor and the students would.

    python tests/grading/nbgrader_flow.py prepare WORK          build the course, generate and release every assignment
    python tests/grading/nbgrader_flow.py student WORK ID KIND  fetch, answer (model | typical | nothing), submit
    python tests/grading/nbgrader_flow.py collect WORK          collect every submission

Autograde and feedback are nbgrader's command line itself (``nbgrader autograde "*" --student ID``,
``nbgrader generate_feedback "*"``), run by the test in WORK/course. The steps here go through nbgrader's
own code too (its API and exchange classes, which its command line calls), one assignment after the other in one
process, which saves a command's start-up (2.5 s of CPU) per assignment. WORK holds ``course/`` (the
instructor's course directory, from ``autolab course nbgrader``), ``exchange/`` and ``students/<ID>/``. Every
student is the same OS user here, so the submissions name their student (``CourseDirectory.student_id``, what
``nbgrader submit --student`` sets); collect's owner check is off for the same reason.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import WRONG  # noqa: E402

from autolab.course.builder import Course  # noqa: E402

COURSE_ID = "autolab"


def _config(work: Path):
    """The course's own nbgrader_config.py (as `autolab course nbgrader` wrote it), and this test's exchange."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(work / "course")).load_config()
    extra = Config()
    extra.CourseDirectory.root = str(work / "course")
    extra.Exchange.assignment_dir = str(work / "course")
    extra.ExchangeCollect.check_owner = False
    config.merge(extra)
    return config


def _api(work: Path):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = _config(work)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _ok(result: dict, what: str) -> None:
    if not result.get("success"):
        raise SystemExit(f"{what} failed:\n{result.get('error', '')}\n{result.get('log', '')}")


def prepare(work: Path) -> None:
    course = Course(ROOT)
    report = course.write(work / "course", "nbgrader", ["en"])
    if report.problems:
        raise SystemExit("\n".join(report.problems))
    (work / "exchange").mkdir(parents=True, exist_ok=True)
    with open(work / "course" / "nbgrader_config.py", "a", encoding="utf-8") as config:  # what the instructor sets
        config.write(f"\nc.Exchange.root = {str(work / 'exchange')!r}\n")
    api = _api(work)
    for name in course.names():
        _ok(api.generate_assignment(name), f"generate_assignment {name}")
        _ok(api.release_assignment(name), f"release_assignment {name}")


def _student_exchange(work: Path, student: str):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory
    from traitlets.config import Config

    home = work / "students" / student
    home.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.CourseDirectory.course_id = COURSE_ID
    config.CourseDirectory.student_id = student
    config.Exchange.root = str(work / "exchange")
    config.Exchange.assignment_dir = str(home)
    coursedir = CourseDirectory(config=config)
    return home, coursedir, Authenticator(config=config), ExchangeFactory(config=config), config


def answer(nb: dict, name: str, kind: str) -> None:
    """Fill the solution cells of a released notebook the way this kind of student does."""
    if kind == "nothing":
        return
    model = {c["id"]: c["source"] for c in json.loads(Course(ROOT).render(name, "instructor"))["cells"]}
    for cell in nb["cells"]:
        if not cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        grade_id = cell["metadata"]["nbgrader"]["grade_id"]
        wrong = WRONG.get(name, {}).get(grade_id) if kind == "typical" else None
        cell["source"] = wrong if wrong is not None else "".join(model[cell["id"]])


def student(work: Path, student_id: str, kind: str) -> None:
    home, coursedir, auth, factory, config = _student_exchange(work, student_id)
    for name in Course(ROOT).names():
        coursedir.assignment_id = name
        factory.FetchAssignment(coursedir=coursedir, authenticator=auth, config=config).start()
        path = home / name / f"{name}.ipynb"
        nb = json.loads(path.read_text(encoding="utf-8"))
        answer(nb, name, kind)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
        factory.Submit(coursedir=coursedir, authenticator=auth, config=config).start()


def collect(work: Path) -> None:
    api = _api(work)
    for name in Course(ROOT).names():
        _ok(api.collect(name), f"collect {name}")


def main(argv: list[str]) -> None:
    step, work, *rest = argv
    work = Path(work)
    if step == "prepare":
        prepare(work)
    elif step == "student":
        student(work, *rest)
    elif step == "collect":
        collect(work)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
