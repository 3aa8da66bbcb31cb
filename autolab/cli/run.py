"""``autolab run -n 4 train.py``: start a script on 4 processes with MPI, as ``torchrun`` would.

It runs ``mpiexec -n 4 python -m autolab.distributed.launch train.py ...``: mpiexec (from the ``mpich`` wheel,
in the same environment as this Python) starts the processes, and the launcher gives each one torchrun's
variables and its share of the cores. The plain ``mpiexec -n 4 python train.py`` works too.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path


def find_mpiexec() -> str | None:
    """The mpiexec next to this Python (the mpich wheel puts it there), else the first on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("mpiexec")


def run_command(
    mpiexec: str,
    nproc: int,
    target: list[str],
    hostfile: str | None = None,
    label: bool = False,
) -> list[str]:
    """The mpiexec command line; ``target`` is ``[script, args...]`` or ``["-m", module, args...]``."""
    cmd = [mpiexec, "-n", str(nproc)]
    if hostfile:
        cmd += ["-f", hostfile]
    if label:
        cmd.append("-prepend-rank")  # MPICH: "[0] ..." before each line of output
    return cmd + [sys.executable, "-u", "-m", "autolab.distributed.launch", *target]


def run_job(
    nproc: int,
    target: list[str],
    hostfile: str | None = None,
    master_port: int | None = None,
    label: bool = False,
    dry_run: bool = False,
) -> int:
    if nproc < 1:
        print(f"autolab run: -n must be at least 1, got {nproc}", file=sys.stderr)
        return 2
    if not target:
        print("autolab run: give a script (autolab run -n 2 train.py) or a module (-m package.module)", file=sys.stderr)
        return 2
    if target[0] != "-m" and not Path(target[0]).is_file():
        print(f"autolab run: no such script: {target[0]}", file=sys.stderr)
        return 2
    mpiexec = find_mpiexec()
    if mpiexec is None:
        print(
            "autolab run: mpiexec not found. Install MPI with: pip install 'autolab-learn[distributed]' "
            "(mpi4py and the mpich wheel, which puts mpiexec beside this Python)",
            file=sys.stderr,
        )
        return 1
    cmd = run_command(mpiexec, nproc, target, hostfile, label)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if master_port is not None:
        env["MASTER_PORT"] = str(master_port)
    if dry_run:
        print(" ".join(cmd))
        return 0
    proc = subprocess.Popen(cmd, env=env)
    try:
        code = proc.wait()
    except KeyboardInterrupt:  # mpiexec forwards the interrupt to every rank
        proc.send_signal(signal.SIGINT)
        code = proc.wait()
    if code != 0:
        print(
            f"autolab run: the job failed (mpiexec exit status {code}); see the [rank N] lines above", file=sys.stderr
        )
    return code
