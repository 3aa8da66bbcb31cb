"""A rank that fails ends the whole job with a clear error within seconds (never a hang), however it fails."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mpi_helpers import RANKS, job_env, mpiexec, run_job

BOUND_S = 60  # the bound; these end in a few seconds


@pytest.mark.parametrize("n", [2, 4])
def test_an_exception_on_one_rank_stops_every_rank_with_its_traceback(n):
    proc = run_job(n, "crash_rank.py", "raise", timeout=BOUND_S)
    assert proc.returncode != 0
    assert proc.seconds < BOUND_S
    assert "[rank 1] FloatingPointError: loss became NaN on rank 1 at step 3" in proc.stderr
    assert "rank 1 of" in proc.stderr and "stopping every rank" in proc.stderr
    assert "finished" not in proc.stdout  # nobody carried on (or waited) after rank 1 failed


def test_a_killed_rank_stops_the_job():
    proc = run_job(2, "crash_rank.py", "kill", timeout=BOUND_S)
    assert proc.returncode != 0 and proc.seconds < BOUND_S
    assert "Killed (signal 9)" in proc.stdout + proc.stderr


def test_a_rank_that_stops_taking_part_makes_the_others_time_out():
    """The failure no MPI launcher can see: rank 1 alive but stuck. The others give up at the group's timeout."""
    proc = run_job(2, "crash_rank.py", "hang", timeout=BOUND_S, TIMEOUT="3")
    assert proc.returncode != 0 and proc.seconds < BOUND_S
    assert "[rank 0]" in proc.stderr and "DistTimeoutError: Timed out after 3 s waiting for all_reduce" in proc.stderr
    assert "another rank has not joined it" in proc.stderr


def test_autolab_run_stops_the_job_when_a_rank_exits_with_an_error():
    """A non-zero sys.exit on one rank: plain mpiexec would leave the others to time out; `autolab run` aborts."""
    cmd = [sys.executable, "-m", "autolab.cli", "run", "-n", "2", str(RANKS / "crash_rank.py"), "exit"]
    proc = subprocess.run(cmd, env=job_env(), capture_output=True, text=True, timeout=BOUND_S)
    mpiexec()  # skip/fail clearly when MPI is missing
    assert proc.returncode == 3
    assert "[rank 1] " in proc.stderr and "crash_rank.py exited with status 3" in proc.stderr
    assert "autolab run: the job failed (mpiexec exit status 3)" in proc.stderr
