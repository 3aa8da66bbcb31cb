"""Every course notebook is committed clean as its student edition, matches its source, and runs top to bottom
in fast mode in both editions: the instructor's (every check passes) and the student's (every check says
"not done yet", nothing fails)."""

from __future__ import annotations

import json
import re

import pytest

from autolab.course.builder import Course
from autolab.course.builder.cli import script_main

from ._run import NEEDS_DATA, NOTEBOOKS, ROOT, execute, kernel_env, require_data

COURSE = Course(ROOT)
CHECK_CALL = re.compile(r"^checks\.\w+\(", re.MULTILINE)

EXPECTED = [
    "01_tensors",
    "02_autograd",
    "03_modules",
    "04_linear_regression",
    "05_losses_optimizers",
    "06_data_pipelines",
    "07_cifar10_cnn",
    "08_debugging",
    "09_under_the_hood",
    "10_gpu",
    "11_parallel",
]


def load(name: str) -> dict:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


def existing() -> list[str]:
    return [n for n in EXPECTED if (NOTEBOOKS / f"{n}.ipynb").exists()]


def test_all_notebooks_exist():
    assert existing() == EXPECTED


def test_notebooks_match_their_sources(capsys):
    status = script_main(["--check"])
    assert status == 0, "run python scripts/build_notebooks.py\n" + capsys.readouterr().err


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_clean_with_python3_kernel(name):
    nb = load(name)
    assert nb["metadata"]["kernelspec"] == {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    text = "".join("".join(c["source"]) for c in nb["cells"])
    assert "## Summary" in text and "Learning goals" in text
    assert nb["metadata"]["autolab"]["edition"] == "student"
    assert "raise NotImplementedError()" in text, "every notebook has at least one exercise"
    assert "SOLUTION" not in text and "HIDDEN TESTS" not in text


def check_calls(nb: dict) -> int:
    """How many checks the notebook's test cells call (visible, plus hidden where the edition has them)."""
    return sum(len(CHECK_CALL.findall("".join(c["source"]))) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_instructor_edition_runs_in_fast_mode(name, monkeypatch):
    """With the solutions in, every check passes, the hidden tests too."""
    kernel_env(monkeypatch, require_data() if name in NEEDS_DATA else None)
    nb = json.loads(COURSE.render(name, "instructor"))
    out = execute(nb)
    assert "✗" not in out, out
    assert out.count("✓") == check_calls(nb) > 0, out


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_student_edition_runs_in_fast_mode(name, monkeypatch):
    """A student who runs everything before doing the exercises sees a hint per check, and no traceback."""
    kernel_env(monkeypatch, require_data() if name in NEEDS_DATA else None)
    nb = load(name)
    out = execute(nb)
    assert "✓" not in out, "with every solution stubbed out, no check may pass"
    assert out.count("✗ not done yet") == check_calls(nb) > 0, out
