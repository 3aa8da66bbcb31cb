"""Train a little on every rank, then make rank 1 fail in the way argv[1] names, at step 3.

raise: an exception; kill: SIGKILL (as the OOM killer would); exit: sys.exit(3); hang: rank 1 stops calling
collectives (the others must time out, after TIMEOUT seconds).
"""

import os
import signal
import sys
import time
from datetime import timedelta

import autolab as torch
import autolab.distributed as dist
from autolab import nn
from autolab.nn.parallel import DistributedDataParallel as DDP

mode = sys.argv[1]
dist.init_process_group(timeout=timedelta(seconds=float(os.environ.get("TIMEOUT", "20"))))
rank = dist.get_rank()
model = DDP(nn.Linear(4, 2))
for step in range(1000):
    if step == 3 and rank == 1:
        if mode == "raise":
            raise FloatingPointError("loss became NaN on rank 1 at step 3")
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "exit":
            sys.exit(3)
        if mode == "hang":
            time.sleep(600)
    model(torch.ones(8, 4)).sum().backward()
print(f"rank {rank} finished", flush=True)
