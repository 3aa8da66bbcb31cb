"""Helpers for the distributed tests: each starts a real MPI job (mpiexec from the mpich wheel) on tiny models."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RANKS = Path(__file__).resolve().parent / "ranks"


def mpiexec() -> str:
    """The mpiexec beside this Python; missing MPI fails under CI=true and skips elsewhere."""
    path = Path(sys.executable).parent / "mpiexec"
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        path = Path("/nonexistent")
    if not path.is_file():
        message = "MPI not installed: pip install 'autolab-learn[distributed]' (mpi4py + the mpich wheel)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return str(path)


def job_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    env["NUMBA_NUM_THREADS"] = "1"  # 2 to 4 ranks on 2 cores: one numba thread each
    env.pop("WORLD_SIZE", None)
    env.update(extra)
    return env


def run_job(n: int, script: str, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """``mpiexec -n N python ranks/SCRIPT args``; the result carries ``.seconds`` and ``.report_dir``."""
    cmd = [mpiexec(), "-n", str(n), sys.executable, str(RANKS / script), *args]
    report_dir = tempfile.mkdtemp(prefix="autolab-ranks-")
    start = time.monotonic()
    proc = subprocess.run(
        cmd, env=job_env(REPORT_DIR=report_dir, **env), capture_output=True, text=True, timeout=timeout
    )
    proc.seconds = time.monotonic() - start  # type: ignore[attr-defined]
    proc.report_dir = report_dir  # type: ignore[attr-defined]
    return proc


def rank_reports(proc: subprocess.CompletedProcess) -> dict[int, dict]:
    """Each rank writes ``REPORT_DIR/rank{r}.json`` (ranks/_report.py); keyed by rank. Files, not stdout: mpiexec
    may interleave the ranks' output mid-line."""
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = Path(proc.report_dir)  # type: ignore[attr-defined]
    reports = [json.loads(f.read_text()) for f in sorted(folder.glob("rank*.json"))]
    shutil.rmtree(folder, ignore_errors=True)
    return {r["rank"]: r for r in reports}
