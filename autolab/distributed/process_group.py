"""Process groups over MPI: ``init_process_group``, ranks and world sizes, ``new_group``, ``destroy_process_group``.

``mpiexec -n 4 python train.py`` (or ``autolab run -n 4 train.py``) starts four copies of a script; MPI tells
each its rank. ``init_process_group()`` wraps MPI's world in a ``ProcessGroup`` that the collectives use, and
makes a failing rank end the whole job: an uncaught exception on any rank prints its traceback and calls
``MPI_Abort``, which makes ``mpiexec`` stop every rank at once, instead of leaving the others waiting forever in
a collective that the dead rank will never join.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import traceback
from datetime import timedelta
from typing import Any

from ..kernels._config import usable_cores
from .abort import abort_job
from .work import DistTimeoutError, Work, Worker

default_pg_timeout = timedelta(minutes=30)  # PyTorch's default

_world: ProcessGroup | None = None
_subgroups: list[ProcessGroup] = []  # made by new_group; destroy_process_group() releases them too
_INSTALL_HINT = (
    "autolab.distributed needs mpi4py and an MPI library: pip install 'autolab-learn[distributed]' "
    "(mpi4py and the mpich wheel; no system MPI needed)"
)


def _mpi() -> Any:
    try:
        from mpi4py import MPI  # lazy: importing mpi4py starts MPI, which only init_process_group should do
    except ImportError as e:  # pragma: no cover - the test extra installs it
        raise RuntimeError(_INSTALL_HINT) from e
    return MPI


class Backend(str):
    """Backend names, as ``torch.distributed.Backend``; autolab has one, MPI."""

    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"
    UNDEFINED = "undefined"


class ProcessGroup:
    """A set of ranks that run collectives together: an MPI communicator plus the worker that orders its calls."""

    def __init__(self, comm: Any, timeout: timedelta, ranks: list[int], name: str) -> None:
        self.comm = comm
        self.timeout = timeout
        self.ranks = ranks  # global ranks of the members, in group-rank order
        self.name = name
        self._worker = Worker(name)
        self._seq = 0
        self._broken: str | None = None

    def rank(self) -> int:
        return self.comm.Get_rank()

    def size(self) -> int:
        return self.comm.Get_size()

    def _fail(self, message: str) -> RuntimeError:
        """Mark the group unusable (a collective timed out: the ranks no longer agree on what comes next)."""
        self._broken = message
        return DistTimeoutError(message)

    def _submit(
        self, name: str, start: Any, finish: Any = None, async_op: bool = False, status: Any = None
    ) -> Work | None:
        """Run one operation in issue order; return its Work when ``async_op``, else wait for it."""
        if self._broken is not None:
            raise RuntimeError(f"process group unusable after an earlier failure: {self._broken}")
        self._seq += 1
        work = Work(name, self._seq, self, start, finish, status)
        deadline = time.monotonic() + self.timeout.total_seconds()
        self._worker.submit(work, deadline, inline=not async_op)
        if async_op:
            return work
        work.wait()
        return None

    def __repr__(self) -> str:
        return f"<ProcessGroup {self.name} backend=mpi ranks={self.ranks}>"


class _NonMember:
    """What ``new_group`` returns on a rank outside the group (PyTorch's ``GroupMember.NON_GROUP_MEMBER``)."""

    def __repr__(self) -> str:
        return "GroupMember.NON_GROUP_MEMBER"


class GroupMember:
    """``group.WORLD`` is the default group (None before ``init_process_group``)."""

    NON_GROUP_MEMBER = _NonMember()

    @property
    def WORLD(self) -> ProcessGroup | None:  # noqa: N802 (PyTorch's name)
        return _world


group = GroupMember()


def is_available() -> bool:
    """True when mpi4py is installed (it is imported, and MPI started, only by ``init_process_group``)."""
    return importlib.util.find_spec("mpi4py") is not None


is_mpi_available = is_available


def is_initialized() -> bool:
    return _world is not None


def _default_group() -> ProcessGroup:
    if _world is None:
        raise ValueError("Default process group has not been initialized, please make sure to call init_process_group.")
    return _world


def resolve(grp: Any) -> ProcessGroup | None:
    """The group an operation runs on: the world for None, None for a group this rank is not part of."""
    if grp is None:
        return _default_group()
    if grp is GroupMember.NON_GROUP_MEMBER:
        return None
    if not isinstance(grp, ProcessGroup):
        raise TypeError(f"group must be a ProcessGroup from autolab.distributed.new_group, got {type(grp).__name__}")
    return grp


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    store: Any = None,
    group_name: str = "",
    pg_options: Any = None,
    device_id: Any = None,
) -> None:
    """Join the job's processes into the default group (over MPI: the processes ``mpiexec`` started).

    ``backend`` is ``"mpi"``, ``"auto"`` or None. ``init_method`` and ``store`` are accepted and not needed: MPI
    has already told each process its rank. ``world_size`` and ``rank``, when given, must agree with MPI's.
    """
    global _world
    if _world is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = (backend or "mpi").lower()
    if name not in ("mpi", "auto", "cpu:mpi", "undefined"):
        raise RuntimeError(
            f"autolab.distributed runs over MPI only, so backend={backend!r} is not available: use "
            "backend='mpi' (or leave it out) and start the processes with `autolab run -n 2 script.py` or "
            "`mpiexec -n 2 python script.py`"
        )
    if device_id is not None and "cpu" not in str(device_id):
        raise ValueError(f"autolab runs on the CPU only; device_id={device_id!r} is not available")
    MPI = _mpi()
    comm = MPI.COMM_WORLD.Dup()  # our own communicator: MPI calls of the user's own never mix with ours
    size, me = comm.Get_size(), comm.Get_rank()
    _check_agrees("world_size", world_size, size)
    _check_agrees("rank", rank, me)
    env_size = os.environ.get("WORLD_SIZE")
    if env_size is not None and env_size.isdigit() and int(env_size) != size:
        raise RuntimeError(
            f"WORLD_SIZE={env_size} in the environment, but MPI started {size} process(es): this process was not "
            f"started by mpiexec (torchrun does not start MPI jobs). Start it with `autolab run -n {env_size} "
            f"script.py` or `mpiexec -n {env_size} python script.py`."
        )
    _world = ProcessGroup(comm, timeout or default_pg_timeout, list(range(size)), group_name or "world")
    if size > 1:
        _limit_threads(MPI)
        _install_abort_on_error(MPI)


def _check_agrees(what: str, given: int, actual: int) -> None:
    if given not in (-1, None) and int(given) != actual:
        raise ValueError(
            f"init_process_group({what}={given}) does not match MPI, which says {what} is {actual}: "
            "MPI decides ranks and the world size (set them with mpiexec -n), so leave these arguments out"
        )


def _limit_threads(MPI: Any) -> None:
    """Share the node's cores among the ranks running on it, unless the user chose a thread count."""
    if "NUMBA_NUM_THREADS" in os.environ and "numba" not in sys.modules:
        return  # set by the user, or by `autolab run` for each rank
    local = MPI.COMM_WORLD.Split_type(MPI.COMM_TYPE_SHARED)
    threads = max(1, usable_cores() // local.Get_size())
    local.Free()
    if "numba" in sys.modules:  # numba already read its config: limit this thread's parallel regions
        import numba  # lazy: already imported (checked above); a top-level import would read its config too early

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    else:
        os.environ["NUMBA_NUM_THREADS"] = str(threads)


def _install_abort_on_error(MPI: Any) -> None:
    """An uncaught exception on one rank ends every rank (mpi4py's ``python -m mpi4py`` does the same)."""

    def abort(exc_type: Any, exc: Any, tb: Any) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        abort_job(text, rank=MPI.COMM_WORLD.Get_rank(), size=MPI.COMM_WORLD.Get_size())

    sys.excepthook = abort


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Finish what is in flight and release ``group``; with None, every group and the default one."""
    global _world
    if group is GroupMember.NON_GROUP_MEMBER:
        return
    if group is None and _world is None:
        raise AssertionError("Process group cannot be None: destroy_process_group() before init_process_group()")
    doomed = [group] if group is not None else [*_subgroups, _world]
    for grp in doomed:
        grp._worker.stop()
        if grp._broken is None:
            grp.comm.Free()
        if grp in _subgroups:
            _subgroups.remove(grp)
    if group is None or group is _world:
        _world = None


def new_group(ranks: list[int] | None = None, timeout: timedelta | None = None, backend: str | None = None, **_: Any):
    """A group of some of the ranks. Every rank must call it (with the same ``ranks``), as in PyTorch."""
    world = _default_group()
    members = sorted(set(range(world.size()) if ranks is None else ranks))
    for r in members:
        if not 0 <= r < world.size():
            raise ValueError(f"new_group: rank {r} is not in the world (ranks 0..{world.size() - 1})")
    MPI = _mpi()
    me = world.rank()
    comm = world.comm.Split(0 if me in members else MPI.UNDEFINED, me)
    if me not in members:
        return GroupMember.NON_GROUP_MEMBER
    grp = ProcessGroup(comm, timeout or world.timeout, members, f"group{members}")
    _subgroups.append(grp)
    return grp


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (default: the world); -1 if it is not a member."""
    grp = resolve(group)
    return -1 if grp is None else grp.rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    grp = resolve(group)
    return -1 if grp is None else grp.size()


def get_backend(group: ProcessGroup | None = None) -> str:
    resolve(group)
    return Backend.MPI


def get_process_group_ranks(group: ProcessGroup) -> list[int]:
    grp = resolve(group)
    return [] if grp is None else list(grp.ranks)


def group_rank_of(grp: ProcessGroup, global_rank: int | None, group_rank: int | None, what: str, required: bool) -> int:
    """The rank within ``grp`` of a ``src``/``dst`` given as a global rank or as a group rank (default 0 unless
    ``required``, as for PyTorch's ``broadcast``)."""
    if global_rank is not None and group_rank is not None:
        raise ValueError(f"Can only specify one of {what} or group_{what}")
    if global_rank is None and group_rank is None:
        if required:
            raise ValueError(f"Must specify {what} (a global rank) or group_{what} (a rank within the group)")
        return 0
    world = _default_group().size()
    if group_rank is not None:
        r = int(group_rank)
    elif not 0 <= int(global_rank) < world:
        raise RuntimeError(f"invalid root rank: {global_rank} (the world has ranks 0..{world - 1})")
    elif int(global_rank) in grp.ranks:
        r = grp.ranks.index(int(global_rank))
    else:
        raise ValueError(f"Global rank {global_rank} is not part of group {grp}")
    if not 0 <= r < grp.size():
        raise RuntimeError(f"invalid root rank: {r} (the group has ranks 0..{grp.size() - 1})")
    return r
