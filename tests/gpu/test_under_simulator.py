"""Run this folder's tests in a fresh process with numba's CUDA simulator on (it cannot be switched on in a
process that has imported numba already)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SIMULATOR_ON

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


@pytest.mark.skipif(SIMULATOR_ON, reason="the simulator is on in this process: the tests run here directly")
def test_cuda_tests_pass_under_the_simulator():
    pytest.importorskip("numba.cuda", reason="numba-cuda is not installed (pip install 'autolab-learn[cuda]')")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(proc.stdout[-3000:])
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    summary = proc.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) > 20, summary
    assert re.search(r"\b1 skipped", summary), summary  # only this test skips there
