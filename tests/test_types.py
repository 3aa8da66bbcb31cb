"""mypy finds no type errors in autograd/, nn/ and optim/ (the settings are [tool.mypy] in pyproject.toml)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_is_clean_on_autograd_nn_and_optim():
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it comes with the [test] extra)")
    # --cache-dir=/dev/null: no .mypy_cache in the checkout; a cold run takes a few seconds
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir=/dev/null"], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues found in" in r.stdout and "source files" in r.stdout
