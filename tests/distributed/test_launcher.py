"""``autolab run``: the mpiexec command, torchrun's variables for each rank, the thread share, arguments."""

from __future__ import annotations

import subprocess
import sys
import tempfile

import pytest
from mpi_helpers import RANKS, job_env, mpiexec, rank_reports

from autolab.cli import main
from autolab.cli.run import find_mpiexec, run_command
from autolab.distributed.launch import rank_environment


def autolab_run(*args: str, **env: str) -> subprocess.CompletedProcess:
    mpiexec()
    report_dir = tempfile.mkdtemp(prefix="autolab-ranks-")
    e = job_env(REPORT_DIR=report_dir, **env)
    if "NUMBA_NUM_THREADS" not in env:
        e.pop("NUMBA_NUM_THREADS")  # the launcher decides
    cmd = [sys.executable, "-m", "autolab.cli", "run", *args]
    proc = subprocess.run(cmd, env=e, capture_output=True, text=True, timeout=60)
    proc.report_dir = report_dir  # type: ignore[attr-defined]
    return proc


def test_each_rank_gets_torchruns_variables_and_its_share_of_the_cores():
    proc = autolab_run("-n", "2", "--master-port", "29777", str(RANKS / "env_rank.py"), "--lr", "0.1", "-n", "9")
    reports = rank_reports(proc)
    assert "Warning" not in proc.stderr, proc.stderr  # e.g. runpy's about a module imported before it runs
    for rank in (0, 1):
        r = reports[rank]
        assert (r["RANK"], r["WORLD_SIZE"], r["LOCAL_RANK"], r["LOCAL_WORLD_SIZE"]) == (str(rank), "2", str(rank), "2")
        assert (r["MASTER_ADDR"], r["MASTER_PORT"]) == ("127.0.0.1", "29777")
        assert r["world"] == 2 and r["name"] == "__main__"
        assert r["argv"] == ["--lr", "0.1", "-n", "9"]  # the script's own options pass through untouched
    from autolab.kernels._config import usable_cores

    assert reports[0]["NUMBA_NUM_THREADS"] == str(max(1, usable_cores() // 2))


def test_a_thread_count_the_user_set_wins():
    reports = rank_reports(autolab_run("-n", "2", str(RANKS / "env_rank.py"), NUMBA_NUM_THREADS="1"))
    assert {r["NUMBA_NUM_THREADS"] for r in reports.values()} == {"1"}


def test_dry_run_prints_the_mpiexec_command(capsys):
    assert main(["run", "-n", "4", "--hostfile", "hosts", "--dry-run", str(RANKS / "env_rank.py"), "x"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{find_mpiexec()} -n 4 -f hosts {sys.executable} -u -m autolab.distributed.launch ")
    assert line.endswith("env_rank.py x")
    assert run_command("mpiexec", 2, ["-m", "pkg.train", "--a"])[-4:] == [
        "autolab.distributed.launch",
        "-m",
        "pkg.train",
        "--a",
    ]


def test_bad_invocations_say_what_is_wrong(capsys):
    assert main(["run", "-n", "2", "no_such_script.py"]) == 2
    assert "no such script: no_such_script.py" in capsys.readouterr().err
    assert main(["run", "-n", "0", str(RANKS / "env_rank.py")]) == 2
    assert "-n must be at least 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"PMI_RANK": "3", "PMI_SIZE": "4", "MPI_LOCALRANKID": "1", "MPI_LOCALNRANKS": "2"}, ("3", "4", "1", "2")),
        (
            {
                "OMPI_COMM_WORLD_RANK": "5",
                "OMPI_COMM_WORLD_SIZE": "8",
                "OMPI_COMM_WORLD_LOCAL_RANK": "1",
                "OMPI_COMM_WORLD_LOCAL_SIZE": "4",
            },
            ("5", "8", "1", "4"),
        ),
        (
            {
                "SLURM_PROCID": "6",
                "SLURM_NTASKS": "8",
                "SLURM_LOCALID": "2",
                "SLURM_NODEID": "1",
                "SLURM_TASKS_PER_NODE": "4(x2)",
            },
            ("6", "8", "2", "4"),
        ),
        ({}, ("0", "1", "0", "1")),
    ],
    ids=["mpich", "openmpi", "slurm", "no-mpi"],
)
def test_rank_variables_from_each_launcher(environ, expected):
    env = rank_environment(environ, cores=8)
    assert (env["RANK"], env["WORLD_SIZE"], env["LOCAL_RANK"], env["LOCAL_WORLD_SIZE"]) == expected
    assert env["NUMBA_NUM_THREADS"] == str(8 // int(expected[3]))
