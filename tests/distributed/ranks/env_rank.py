"""Print what `autolab run` gave this rank: torchrun's variables, the thread share, argv, and MPI's view."""

import os
import sys

from _report import save

import autolab.distributed as dist

dist.init_process_group()
keys = ["RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "NUMBA_NUM_THREADS"]
report = {k: os.environ.get(k) for k in keys}
report.update(rank=dist.get_rank(), world=dist.get_world_size(), argv=sys.argv[1:], name=__name__)
save(report)
