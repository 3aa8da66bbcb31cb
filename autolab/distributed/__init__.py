"""``autolab.distributed``: data-parallel training over MPI, with ``torch.distributed``'s API.

    autolab run -n 2 train.py           # or: mpiexec -n 2 python train.py

    import autolab.distributed as dist
    dist.init_process_group()           # backend "mpi"
    t = autolab.ones(3) * dist.get_rank()
    dist.all_reduce(t)                  # in place: every rank now holds the sum

MPI (mpi4py with the ``mpich`` wheel, ``pip install 'autolab-learn[distributed]'``) moves the bytes; this package
adds PyTorch's names, in-place tensors, ``async_op`` work handles, timeouts, and a job that ends when one rank
fails. ``autolab.nn.parallel.DistributedDataParallel`` and ``autolab.utils.data.distributed.DistributedSampler``
are built on it. mpi4py is imported (and MPI started) only by ``init_process_group``.
"""

from .collectives import (
    all_gather,
    all_gather_into_tensor,
    all_reduce,
    barrier,
    broadcast,
    gather,
    irecv,
    isend,
    recv,
    reduce,
    reduce_scatter,
    reduce_scatter_tensor,
    scatter,
    send,
)
from .objects import all_gather_object, broadcast_object_list, gather_object
from .process_group import (
    Backend,
    GroupMember,
    ProcessGroup,
    default_pg_timeout,
    destroy_process_group,
    get_backend,
    get_process_group_ranks,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
    new_group,
)
from .reduce_op import ReduceOp
from .work import DistTimeoutError, Future, Work

__all__ = [
    "Backend",
    "DistTimeoutError",
    "Future",
    "GroupMember",
    "ProcessGroup",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "default_pg_timeout",
    "destroy_process_group",
    "gather",
    "gather_object",
    "get_backend",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "irecv",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "isend",
    "new_group",
    "recv",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "scatter",
    "send",
]
