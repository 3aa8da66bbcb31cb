"""The files around the code agree with it: one version, the licence pyproject declares, a changelog entry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import autolab

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_has_one_source():
    """pyproject.toml takes it from autolab.__version__, read statically: building a wheel needs no numpy."""
    code = (
        "import sys; from setuptools.config.pyprojecttoml import read_configuration; "
        "v = read_configuration('pyproject.toml', expand=True)['project']['version']; "
        "print(v, 'autolab' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == [autolab.__version__, "False"]
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text and "\nversion =" not in text.split("[tool.setuptools.dynamic]")[0]


def test_the_licence_file_is_the_one_pyproject_declares():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"' in text and 'license-files = ["LICENSE"]' in text
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_the_changelog_has_an_entry_for_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {autolab.__version__}" in changelog or "## Unreleased" in changelog


def test_contributing_points_at_the_guides_it_relies_on():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for target in ("docs/architecture.md", "docs/ops.md", "docs/course.md", "scripts/make_ops_doc.py"):
        assert target in text and (ROOT / target).exists(), target
