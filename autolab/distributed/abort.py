"""Ending the whole MPI job from one rank that failed, with its traceback, instead of leaving the others waiting.

Used by ``init_process_group`` (as ``sys.excepthook``) and by the ``autolab run`` launcher.
"""

from __future__ import annotations

import os
import sys


def abort_job(message: str, code: int = 1, rank: int | str | None = None, size: int | None = None) -> None:
    """Print ``message`` with this rank, then stop every rank of the job (``MPI_Abort``); exits this process."""
    rank = os.environ.get("RANK", "?") if rank is None else rank
    size = int(os.environ.get("WORLD_SIZE", "1")) if size is None else size
    sys.stderr.write("".join(f"[rank {rank}] {line}" for line in message.splitlines(True)))
    if not message.endswith("\n"):
        sys.stderr.write("\n")
    sys.stderr.write(
        f"[rank {rank}] autolab.distributed: rank {rank} of {size} failed with the error above; "
        "stopping every rank (MPI_Abort)\n"
    )
    sys.stderr.flush()
    if size > 1:
        from mpi4py import MPI  # lazy: the script may have failed before MPI started; this starts it to abort

        MPI.COMM_WORLD.Abort(code)
    os._exit(code)
