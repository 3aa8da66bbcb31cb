"""What each rank runs under ``autolab run``: set torchrun's variables, share the cores, run the script.

    mpiexec -n 4 python -m autolab.distributed.launch train.py --epochs 2

MPI tells each process its rank through its own variables (MPICH's ``PMI_RANK``, Open MPI's
``OMPI_COMM_WORLD_RANK``, Slurm's ``SLURM_PROCID``); scripts written for ``torchrun`` read ``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``, so this sets those too. It gives each rank
an equal share of the node's cores for numba (``NUMBA_NUM_THREADS``), unless you set it: two ranks with two
threads each on two cores would fight over them. If the script fails on one rank, with an exception or a non-zero
``sys.exit``, the traceback is printed with the rank and the whole job is stopped (``MPI_Abort``), so the other
ranks do not wait forever for it.
"""

from __future__ import annotations

import os
import runpy
import sys
import traceback

from ..kernels._config import usable_cores  # standard library only: numba must not be imported before the env
from .abort import abort_job

# (rank, world size, local rank, local world size) as each launcher names them, most specific first.
SOURCES = [
    ("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"),  # MPICH (hydra)
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE"),
    ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", None),  # srun
]


def rank_environment(environ: dict[str, str], cores: int) -> dict[str, str]:
    """The variables to add for one rank: torchrun's names, and NUMBA_NUM_THREADS unless already set."""
    out: dict[str, str] = {}
    for rank, size, local, local_size in SOURCES:
        if rank in environ and size in environ:
            out["RANK"], out["WORLD_SIZE"] = environ[rank], environ[size]
            out["LOCAL_RANK"] = environ.get(local, environ[rank])
            out["LOCAL_WORLD_SIZE"] = environ.get(local_size or "", "") or _local_size(environ, out)
            break
    else:  # started without MPI (python -m autolab.distributed.launch train.py): a world of one
        out.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", LOCAL_WORLD_SIZE="1")
    out["GROUP_RANK"] = environ.get("SLURM_NODEID", "0")
    out["MASTER_ADDR"] = environ.get("MASTER_ADDR", "127.0.0.1")
    out["MASTER_PORT"] = environ.get("MASTER_PORT", "29500")
    if "NUMBA_NUM_THREADS" not in environ:
        out["NUMBA_NUM_THREADS"] = str(max(1, cores // max(1, int(out["LOCAL_WORLD_SIZE"]))))
    return {k: v for k, v in out.items() if environ.get(k) != v}


def _local_size(environ: dict[str, str], out: dict[str, str]) -> str:
    """Slurm's tasks on this node: SLURM_TASKS_PER_NODE is like "4(x2),3"; we take this node's entry."""
    spec = environ.get("SLURM_TASKS_PER_NODE", "")
    node = int(environ.get("SLURM_NODEID", "0"))
    counts: list[int] = []
    for part in filter(None, spec.split(",")):
        n, _, times = part.partition("(x")
        counts += [int(n)] * (int(times.rstrip(")")) if times else 1)
    return str(counts[node]) if node < len(counts) else out["WORLD_SIZE"]


def _user_frames(tb):
    """The traceback from the script's first frame on: the launcher's and runpy's frames say nothing useful."""
    while tb is not None and (
        tb.tb_frame.f_code.co_filename in (__file__,) or "runpy" in tb.tb_frame.f_code.co_filename
    ):
        tb = tb.tb_next
    return tb


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m autolab.distributed.launch (SCRIPT | -m MODULE) [ARGS...]\n\n" + __doc__)
        return 0 if argv else 2
    os.environ.update(rank_environment(dict(os.environ), usable_cores()))
    as_module = argv[0] == "-m"
    if as_module and len(argv) < 2:
        print("launch: -m needs a module name", file=sys.stderr)
        return 2
    target, args = (argv[1], argv[2:]) if as_module else (argv[0], argv[1:])
    sys.argv = [target, *args]
    if not as_module:
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
    try:
        if as_module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    except SystemExit as e:
        if e.code not in (None, 0):
            abort_job(f"{target} exited with status {e.code}", e.code if isinstance(e.code, int) else 1)
        raise
    except BaseException as e:  # noqa: BLE001  (KeyboardInterrupt too: the other ranks must stop as well)
        abort_job("".join(traceback.format_exception(type(e), e, _user_frames(e.__traceback__))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
