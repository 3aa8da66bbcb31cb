"""The v2 notebook builder: parsing and its errors, markers, the three editions, and its command lines."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autolab.course.builder import Course, SourceError, editions, markers, parse
from autolab.course.builder.cli import course_main, leaked_solutions, script_main

from ._run import ROOT

SOURCE = """\
# Source of a test notebook.

# %% [markdown] id=goals
# # Title
#
# text

# %% id=setup locked
from autolab.course import checks, set_language

set_language("en")

# %%
x = 1


y = 2

# %% id=mse solution
def mse(pred, target):
    ### BEGIN SOLUTION
    return ((pred - target) ** 2).mean()
    ### END SOLUTION

# %% id=mse-check test points=2
checks.mse(mse)
### BEGIN HIDDEN TESTS
checks.mse(mse, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=why solution points=1
# Why the mean?
# ### BEGIN SOLUTION
# So the loss does not grow with the batch.
# ### END SOLUTION
"""


def test_parse_reads_ids_roles_and_points():
    nb = parse(SOURCE, "src/05_test.py")
    assert [(c.kind, c.id, c.role, c.points, c.locked) for c in nb.cells] == [
        ("markdown", "goals", "plain", None, False),
        ("code", "setup", "plain", None, True),
        ("code", "setup_1", "plain", None, False),
        ("code", "mse", "solution", None, False),
        ("code", "mse-check", "test", 2.0, False),
        ("markdown", "why", "solution", 1.0, False),
    ]
    assert nb.cells[0].source == "# Title\n\ntext"
    assert nb.cells[2].source == "x = 1\n\n\ny = 2"
    assert nb.cells[3].line == 19 and nb.cells[3].first_line == 20


def _error(text: str) -> SourceError:
    with pytest.raises(SourceError) as info:
        parse(text, "notebooks/src/05_x.py")
    return info.value


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("# %% [markdown]\n# hi\n", 1, "needs an id"),
        ("# %% id=a\nx\n# %% [markdown] id=a\n# y\n", 3, "duplicate cell id 'a' (first used on line 1)"),
        ("# %% id=Bad_Id\nx\n", 1, "bad cell id"),
        ("# %% id=a colour=red\nx\n", 1, "unknown word 'colour=red'"),
        ("# %% id=a solution\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n", 3, "without an `### END SOLUTION`"),
        ("# %% id=a solution\ndef f():\n    return 1\n    ### END SOLUTION\n", 4, "without a `### BEGIN SOLUTION`"),
        ("# %% id=a solution\n\ndef f():\n    ## BEGIN SOLUTION\n", 4, "exactly `### BEGIN SOLUTION`"),
        (
            "# %% id=a\ndef f():\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION\n",
            3,
            "mark the cell `solution`",
        ),
        ("# %% id=a solution\ndef f():\n    return 1\n", 1, "needs ### BEGIN SOLUTION"),
        ("# %% id=a solution\n### BEGIN SOLUTION\nanswer = 1\n### END SOLUTION\n", 2, "inside a function"),
        ("# %% id=t test\nchecks.mse(mse)\n", 1, "needs its points"),
        ("# %% id=t test points=0\nchecks.mse(mse)\n", 1, "more than 0"),
        ("# %% id=t test points=1\nok = checks.mse(mse)\n", 2, "checks.passed(mse)"),
        ("# %% id=t test points=1\nchecks.mse(mse)\nif checks.sgd_step(s):\n    pass\n", 3, "only calls checks"),
        ("# %% id=t\nchecks.mse(mse)\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n", 3, "belong in a `test` cell"),
        ("# %% id=t test points=1\nchecks.mse(mse)\n### BEGIN HIDDEN TESTS\n", 3, "without an `### END HIDDEN TESTS`"),
        ("# %% id=a\n\n# %% id=b\nx\n", 1, "cell 'a' is empty"),
    ],
)
def test_malformed_sources_name_file_and_line(text, line, words):
    e = _error(text)
    assert str(e).startswith(f"notebooks/src/05_x.py:{line}: "), str(e)
    assert words in str(e)


def test_test_cells_may_prepare_inputs_and_use_passed():
    parse("# %% id=t test points=1\nshapes = (3, 4)\nchecks.mse(mse)\nchecks.passed(mse)\n")


STUDENT = """def f(x):
    ### BEGIN SOLUTION
    return x * 2
    ### END SOLUTION
check(f)"""


def test_student_stub_keeps_indentation_and_nbgrader_wording():
    out = markers.student_text(STUDENT, code=True)
    assert out == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\ncheck(f)"
    compile(out, "<student>", "exec")
    assert markers.instructor_text(STUDENT) == "def f(x):\n    return x * 2\ncheck(f)"
    assert markers.student_text("Q?\n### BEGIN SOLUTION\n42\n### END SOLUTION", code=False) == "Q?\nYOUR ANSWER HERE"


def test_hidden_tests_vanish_for_students_and_stay_marked_for_instructors():
    cell = "checks.mse(mse)\n### BEGIN HIDDEN TESTS\nchecks.mse(mse, seed=7)\n### END HIDDEN TESTS"
    assert markers.student_text(cell, code=True) == "checks.mse(mse)"
    assert markers.instructor_text(cell) == cell


_line = st.text(alphabet="abcdefgh =+()1", min_size=0, max_size=12)


@given(
    before=st.lists(_line, max_size=4),
    solution=st.lists(_line.map(lambda s: "sol" + s), min_size=1, max_size=4),
    after=st.lists(_line, max_size=4),
    indent=st.sampled_from(["", "    ", "        "]),
)
def test_markers_property(before, solution, after, indent):
    """Student: the solution lines are gone, one stub stands at the marker's indentation, the rest is untouched.
    Instructor: exactly the original without the two marker lines."""
    body = [indent + s for s in solution]
    source = "\n".join(before + [indent + markers.BEGIN_SOLUTION] + body + [indent + markers.END_SOLUTION] + after)
    assert markers.student_text(source, True).split("\n") == before + [indent + s for s in markers.CODE_STUB] + after
    assert markers.instructor_text(source).split("\n") == before + body + after


def test_editions_metadata_and_validity():
    nb = parse(SOURCE, "notebooks/src/05_test.py")
    student, teacher, graded = (editions.render(nb, e) for e in editions.EDITIONS)
    for built in (student, teacher, graded):
        nbformat.validate(nbformat.reads(json.dumps(built), as_version=4))
        assert [c["id"] for c in built["cells"]] == ["goals", "setup", "setup_1", "mse", "mse-check", "why"]
        assert all(c.get("outputs", []) == [] for c in built["cells"])
    text = ["".join(c["source"]) for c in student["cells"]]
    assert "raise NotImplementedError()" in text[3] and "mean()" not in text[3]
    assert text[4] == "checks.mse(mse)" and text[5] == "Why the mean?\nYOUR ANSWER HERE"
    assert student["cells"][4]["metadata"] == {"deletable": False, "editable": False}
    assert "mean()" in "".join(teacher["cells"][3]["source"])
    meta = [c["metadata"].get("nbgrader") for c in graded["cells"]]
    assert meta[0] == {
        "grade": False,
        "grade_id": "goals",
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    assert meta[1]["locked"] and meta[2] is None
    assert meta[3] == {
        "grade": False,
        "grade_id": "mse",
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    assert meta[4] == {
        "grade": True,
        "grade_id": "mse-check",
        "locked": True,
        "points": 2,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    assert meta[5]["grade"] and meta[5]["solution"] and meta[5]["points"] == 1  # a written answer, graded by hand
    assert "### BEGIN HIDDEN TESTS" in "".join(graded["cells"][4]["source"])


def test_cell_ids_survive_edits():
    """Editing, adding and removing cells leaves every other cell's id alone."""
    before = {c.id for c in parse(SOURCE).cells if c.explicit_id}
    edited = SOURCE.replace("# text", "# other text").replace(
        "# %% id=mse solution", "# %% id=new\nz = 3\n\n# %% id=mse solution"
    )
    after = {c.id for c in parse(edited).cells}
    assert before <= after


def test_course_sources_have_an_id_on_every_cell_and_a_hidden_test_per_exercise():
    course = Course(ROOT)
    for name in course.names():
        nb = course.load(name)
        assert all(c.explicit_id for c in nb.cells), name
        tests = [c for c in nb.cells if c.role == "test"]
        assert len(tests) == len([c for c in nb.cells if c.role == "solution"]) >= 1, name
        for cell in tests:
            if re.search(r"checks\.(\w+_quiz|diagnosis)\(", cell.source):
                continue  # a conceptual answer ("b", 782) has no other inputs to hide a second test on
            assert markers.count_regions(cell.source, markers.HIDDEN) == 1, (name, cell.id)
            assert "seed=" in cell.source.split(markers.BEGIN_HIDDEN)[1], (name, cell.id)


def test_instructor_and_nbgrader_editions_are_written(tmp_path):
    assert script_main(["--edition", "instructor", "--out", str(tmp_path / "i"), "01_tensors"]) == 0
    nb = json.loads((tmp_path / "i" / "01_tensors.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in nb["cells"])
    assert "raise ValueError" in text and "BEGIN SOLUTION" not in text and "seed=7" in text
    assert course_main(["nbgrader", str(tmp_path / "g")]) == 0
    course = Course(ROOT)
    for name in course.names():
        assert (tmp_path / "g" / "source" / name / f"{name}.ipynb").is_file()
    config = (tmp_path / "g" / "nbgrader_config.py").read_text()
    assert 'course_id = "autolab"' in config or "course_id = 'autolab'" in config
    (tmp_path / "g" / "nbgrader_config.py").write_text("# mine\n")
    assert course_main(["nbgrader", str(tmp_path / "g"), "01_tensors"]) == 0
    assert (tmp_path / "g" / "nbgrader_config.py").read_text() == "# mine\n", "an edited config is kept"


def test_check_finds_a_stale_notebook_and_a_leaked_solution(tmp_path, capsys):
    root = tmp_path / "repo"
    (root / "notebooks" / "src").mkdir(parents=True)
    (root / "notebooks" / "src" / "05_test.py").write_text(SOURCE)
    assert script_main(["--root", str(root)]) == 0
    assert script_main(["--root", str(root), "--check"]) == 0
    built = root / "notebooks" / "05_test.ipynb"
    built.write_text(built.read_text().replace("# YOUR CODE HERE", "return ((pred - target) ** 2).mean()"))
    capsys.readouterr()
    assert script_main(["--root", str(root), "--check"]) == 1
    err = capsys.readouterr().err
    assert "notebooks/05_test.ipynb is out of date" in err
    assert "shows a solution line: return ((pred - target) ** 2).mean()" in err
    assert leaked_solutions(Course(root))
    (root / "notebooks" / "06_gone.ipynb").write_text("{}")
    assert script_main(["--root", str(root)]) == 1
    assert "06_gone.ipynb has no source" in capsys.readouterr().err


def test_malformed_source_fails_the_build_with_its_line(tmp_path, capsys):
    root = tmp_path / "repo"
    (root / "notebooks" / "src").mkdir(parents=True)
    (root / "notebooks" / "src" / "05_test.py").write_text(SOURCE.replace("    ### END SOLUTION\n", "", 1))
    assert script_main(["--root", str(root)]) == 1
    assert "notebooks/src/05_test.py:21: cell 'mse': `### BEGIN SOLUTION` without an" in capsys.readouterr().err


def test_autolab_course_command_runs_from_an_installed_autolab(tmp_path):
    """What an instructor types: one command, the instructor edition of every notebook."""
    out = tmp_path / "instructor"
    r = subprocess.run(
        [sys.executable, "-m", "autolab.cli", "course", "instructor", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(p.stem for p in out.glob("*.ipynb")) == Course(ROOT).names()
