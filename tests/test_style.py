"""The code is formatted and linted with ruff, with the settings in pyproject.toml."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["autolab", "widgets", "tests", "binder", "scripts"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff") or pytest.skip("ruff is not installed (it comes with the [test] extra)")
    return subprocess.run([exe, *args, *PATHS], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint_is_clean():
    r = _ruff("check", "--no-cache")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_is_applied():
    r = _ruff("format", "--check", "--no-cache")
    assert r.returncode == 0, "run `ruff format` on:\n" + r.stdout + r.stderr


def test_autolab_never_imports_jupyter_or_torch():
    code = (
        "import sys, autolab, autolab.nn, autolab.optim, autolab.utils.data, autolab.vision, autolab.training;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('IPython', 'ipywidgets', 'jupyter_client', 'ipykernel', 'matplotlib', 'torch', 'widgets', 'graphviz'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
