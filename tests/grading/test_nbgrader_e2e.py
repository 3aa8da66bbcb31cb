"""A graded course with real nbgrader, end to end: `autolab course nbgrader`, generate and release every notebook,
three students fetch and submit through nbgrader's exchange, collect, autograde, generate_feedback. The scores
are read back from nbgrader's gradebook and must be full, partial and zero exactly as expected.

Every notebook is autograded for every student (18 executions, fast mode). To fit the CI budget the three
students' autograde runs side by side, one process each (measured: see the test's docstring)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autolab.course.builder import Course
from autolab.vision.datasets import data_root

from .answers import FAILS, HIDDEN_ONLY, WRONG

ROOT = Path(__file__).resolve().parents[2]
FLOW = Path(__file__).resolve().parent / "nbgrader_flow.py"
STUDENTS = {"alice": "model", "bob": "typical", "carol": "nothing"}

pytest.importorskip("nbgrader", reason="nbgrader comes with the [grading] extra")


def _data() -> Path:
    path = data_root().path.resolve()  # where the notebooks and the doctor look too
    if not (path / "cifar-10" / "cifar-10-batches-bin").is_dir() or not (path / "MNIST" / "raw").is_dir():
        message = f"CIFAR-10 or MNIST not found under {path} (set AUTOLAB_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _env(data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("AUTOLAB_FAST", None)  # the course's nbgrader_config.py turns fast mode on: that is part of the test
    env.pop("AUTOLAB_GRADING", None)
    env["AUTOLAB_DATA"] = str(data)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    # the python3 kernelspec runs `python`: make it this interpreter
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def flow(step: str, work: Path, *args: str) -> list[str]:
    return [sys.executable, str(FLOW), step, str(work), *args]


def nbgrader(*args: str) -> list[str]:
    return [sys.executable, "-m", "nbgrader", *args]


def _run(env: dict, cwd: Path, *steps: list[str]) -> tuple[float, float]:
    """Run commands side by side (one process each); fail with their output if one fails.

    Returns the wall seconds and the CPU seconds of the processes (with the kernels they started)."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            step,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for step in steps
    ]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    for step, p, out in zip(steps, procs, outputs):
        assert p.returncode == 0, f"{' '.join(step)} failed:\n{out[-6000:]}"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - started, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime


@pytest.mark.slow
def test_three_students_graded_by_nbgrader(tmp_path):
    """108 s of CPU (autograde 82); 227-327 s wall on the 2-core VM under a load of 10-14 (docs/course.md)."""
    env, work = _env(_data()), tmp_path
    times = {"prepare": _run(env, work, flow("prepare", work))}
    times["students"] = _run(env, work, *[flow("student", work, s, kind) for s, kind in STUDENTS.items()])
    times["collect"] = _run(env, work, flow("collect", work))
    # nbgrader's own command line, in the course directory (it reads the nbgrader_config.py that autolab wrote):
    # one autograde per student, side by side, as an instructor with several cores would
    course_dir = work / "course"
    times["autograde"] = _run(env, course_dir, *[nbgrader("autograde", "*", f"--student={s}") for s in STUDENTS])
    times["feedback"] = _run(env, course_dir, nbgrader("generate_feedback", "*"))
    print(
        "nbgrader flow, (wall, CPU) seconds per step:", {k: (round(w, 1), round(c, 1)) for k, (w, c) in times.items()}
    )
    print(f"total: {sum(w for w, _ in times.values()):.0f} s wall, {sum(c for _, c in times.values()):.0f} s CPU")
    check_graded_course(work)


def _text(out: dict) -> str:
    text = out.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def check_graded_course(work: Path) -> None:
    """What nbgrader released, scored and wrote back, for the three students."""
    from nbgrader.api import Gradebook

    course = Course(ROOT)
    names = course.names()
    points = {}
    for name in names:
        nb = course.load(name)
        points[name] = {c.id: c.points for c in nb.cells if c.role == "test"}
        # What nbgrader released is, text for text, the committed student edition.
        released = json.loads((work / "course" / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8"))
        committed = json.loads(course.committed_path(name).read_text(encoding="utf-8"))
        assert [(c["id"], "".join(c["source"])) for c in released["cells"]] == [
            (c["id"], "".join(c["source"])) for c in committed["cells"]
        ]

    with Gradebook(f"sqlite:///{work / 'course' / 'gradebook.db'}") as gb:
        for student, kind in STUDENTS.items():
            for name in names:
                submission = gb.find_submission(name, student)
                grades = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
                failing = {"model": set(), "typical": FAILS[name], "nothing": set(points[name])}[kind]
                expected = {cell: 0.0 if cell in failing else p for cell, p in points[name].items()}
                assert grades == expected, (student, name)
                assert submission.max_score == sum(points[name].values())
                assert not submission.needs_manual_grade
                total = sum(expected.values())
                if kind == "model":
                    assert submission.score == submission.max_score > 0
                elif kind == "typical":
                    assert 0 < submission.score == total < submission.max_score, (name, submission.score)
                else:
                    assert submission.score == 0

    for student, kind in STUDENTS.items():
        for name in names:
            graded = json.loads((work / "course" / "autograded" / student / name / f"{name}.ipynb").read_text())
            # Only autograded test cells fail; every other cell ran (the fallbacks work in grading mode too).
            failed = {
                c["id"] for c in graded["cells"] for out in c.get("outputs", []) if out.get("output_type") == "error"
            }
            assert failed == {"model": set(), "typical": FAILS[name], "nothing": set(points[name])}[kind], (
                student,
                name,
            )
            if kind == "nothing":
                text = "".join(_text(out) for c in graded["cells"] for out in c.get("outputs", []))
                assert "✗ not done yet" in text and "✓" not in text
            html = work / "course" / "feedback" / student / name / f"{name}.html"
            assert html.stat().st_size > 10_000, html
            assert "CheckFailed" in html.read_text(encoding="utf-8") or kind == "model"

    # The typical student includes wrong answers that pass the visible check: only hidden tests caught them.
    for name, cell_id in HIDDEN_ONLY:
        assert f"{cell_id}-check" in FAILS[name] and cell_id in WRONG[name]
        submitted = json.loads((work / "students" / "bob" / name / f"{name}.ipynb").read_text())
        visible = next(c for c in submitted["cells"] if c["id"] == f"{cell_id}-check")
        assert "seed=" not in "".join(visible["source"]), "the student never saw the hidden tests"
