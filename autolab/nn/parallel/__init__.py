"""``autolab.nn.parallel``: ``DistributedDataParallel`` (data parallelism over MPI processes) and ``DataParallel``
(which on a CPU only explains what to use instead)."""

from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
