"""`autolab lab`: where it finds the notebooks, and the JupyterLab command it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autolab.cli import lab, main

REPO = Path(__file__).resolve().parents[2]


def _course(folder: Path) -> Path:
    notebooks = folder / "notebooks"
    notebooks.mkdir(parents=True)
    (notebooks / lab.FIRST_NOTEBOOK).write_text("{}")
    return notebooks


def test_explicit_dir_and_env_win(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOLAB_NOTEBOOKS", str(tmp_path / "from-env"))
    assert lab.find_notebooks(str(tmp_path / "given")) == tmp_path / "given"
    assert lab.find_notebooks(None) == tmp_path / "from-env"


def test_source_checkout_is_found(monkeypatch):
    monkeypatch.delenv("AUTOLAB_NOTEBOOKS", raising=False)
    if not any((REPO / "notebooks").glob("*.ipynb")):
        pytest.skip("this checkout has no notebooks yet")
    assert lab.find_notebooks(None) == REPO / "notebooks"


def test_found_from_a_folder_inside_the_course(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOLAB_NOTEBOOKS", raising=False)
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: None)  # as if installed elsewhere
    notebooks = _course(tmp_path / "course")
    deep = tmp_path / "course" / "some" / "where"
    deep.mkdir(parents=True)
    assert lab.find_notebooks(None, cwd=deep) == notebooks
    assert lab.find_notebooks(None, cwd=notebooks) == notebooks


def test_not_found_says_how_to_get_the_notebooks(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AUTOLAB_NOTEBOOKS", raising=False)
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(lab.sys, "prefix", str(tmp_path))
    assert main(["lab", "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "cannot find the course notebooks" in err and "pip install -e '.[lab]'" in err


def test_dry_run_prints_the_command_with_extra_arguments(tmp_path, capsys):
    notebooks = _course(tmp_path)
    assert main(["lab", "--dir", str(notebooks), "--dry-run", "--no-browser", "--port", "8899"]) == 0
    printed = capsys.readouterr().out.split()
    root = ["--allow-root"] if lab.running_as_root() else []
    assert printed == [
        sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebooks}",
        "--LabApp.default_url=/lab/tree/01_tensors.ipynb", *root, "--no-browser", "--port", "8899",
    ]  # fmt: skip


def test_without_jupyterlab_it_says_what_to_install(tmp_path, monkeypatch, capsys):
    notebooks = _course(tmp_path)
    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: None)
    assert main(["lab", "--dir", str(notebooks)]) == 1
    assert "pip install 'autolab-learn[lab]'" in capsys.readouterr().err


def test_help_lists_both_commands():
    out = subprocess.run([sys.executable, "-m", "autolab.cli", "--help"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0
    assert "doctor" in out.stdout and "lab" in out.stdout
