"""Checks for notebook 11 (parallel training): gradient averaging by hand, against DistributedDataParallel.

These checks run on every MPI rank at once (in a ``%%px`` cell): each rank builds the same small model, computes
gradients on its own batch, calls your function, and compares with what DistributedDataParallel computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Result, exercise, fail, ok, to_numpy, worst


def _setup(seed: int) -> tuple[Any, Any, Any]:
    import autolab
    import autolab.distributed as dist
    from autolab import nn

    autolab.manual_seed(seed)  # the same initial weights on every rank
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))
    g = np.random.default_rng(seed * 100 + dist.get_rank())  # a different batch on every rank
    x = autolab.tensor(g.normal(size=(4, 6)).astype(np.float32))
    y = autolab.tensor(g.integers(0, 3, 4))
    return model, x, y


@exercise
def average_gradients(fn: Any, seed: int = 0) -> Result:
    """``fn(model)`` must replace every ``p.grad`` by its average over the ranks, as DDP's backward does."""
    import autolab.distributed as dist
    import autolab.nn.functional as F
    from autolab.nn.parallel import DistributedDataParallel

    if not dist.is_initialized():
        return fail("run this check on the MPI ranks (a %%px cell), after dist.init_process_group().")
    n, rank = dist.get_world_size(), dist.get_rank()
    if n < 2:
        return fail("with a single rank every average is trivially right: run this on 2 or more ranks.")
    model, x, y = _setup(seed)
    F.cross_entropy(model(x), y).backward()
    local = {name: to_numpy(p.grad).copy() for name, p in model.named_parameters()}
    fn(model)
    yours = {name: None if p.grad is None else to_numpy(p.grad) for name, p in model.named_parameters()}

    reference, x, y = _setup(seed)
    ddp = DistributedDataParallel(reference)
    F.cross_entropy(ddp(x), y).backward()
    want = {name: to_numpy(p.grad) for name, p in reference.named_parameters()}

    missing = [k for k, v in yours.items() if v is None]
    if missing:
        return fail(f"rank {rank}: {', '.join(missing)} lost its gradient; keep p.grad, averaged in place.")
    if all(np.allclose(yours[k], local[k], rtol=1e-6, atol=0) for k in want):
        return fail(
            f"rank {rank}: the gradients are still this rank's own. Call dist.all_reduce(p.grad) for every "
            "parameter, so that each rank receives the sum over all ranks."
        )
    if all(np.allclose(yours[k], n * want[k], rtol=1e-5, atol=1e-7) for k in want):
        return fail(
            f"rank {rank}: you have the SUM over the {n} ranks. Divide by dist.get_world_size() to get the "
            "average (a sum would make the step N times larger than one process on the whole batch)."
        )
    wrong = [k for k in want if not np.allclose(yours[k], want[k], rtol=1e-5, atol=1e-7)]
    if wrong:
        k = wrong[0]
        return fail(f"rank {rank}: wrong average for {', '.join(wrong)}; for {k}: {worst(yours[k], want[k])}")
    return ok(f"rank {rank} of {n}: your averaged gradients equal DistributedDataParallel's, for every parameter.")
