"""Measure data-parallel training here: all-reduce times by size, and LeNet DDP steps, for one world size.

    autolab run -n 2 -m autolab.bench.distributed --json ddp2.json

Run it for 1, 2 and 4 ranks; notebook 11 and docs/distributed.md fit the ring model
(``autolab.distributed.cost_model``) to the all-reduce times. Each rank trains LeNet on its own batch of
``--batch`` random CIFAR-sized images (weak scaling: the global batch is ranks x batch). Rank 0 prints a table
and writes the JSON. Times are the slowest rank's (a collective ends when the last rank has its result).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

import autolab
import autolab.distributed as dist
from autolab import nn, optim
from autolab.kernels._config import usable_cores
from autolab.nn.parallel import DistributedDataParallel

from .__main__ import machine
from .models import lenet

SIZES = [4, 64, 1024, 16 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024]  # bytes of float32


def _slowest(value: float) -> float:
    t = autolab.tensor([value], dtype=autolab.float64)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return float(t.item())


def _per_step_slowest(values: list[float]) -> np.ndarray:
    """For each step, the slowest rank's value (a synchronised step is as slow as its slowest rank)."""
    everyone: list = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, list(values))
    return np.max(np.array(everyone, dtype=np.float64), axis=0)


def _summary(values: np.ndarray) -> dict[str, float]:
    """The median, and the best (the fastest repetition: interference from other work only ever adds time)."""
    return {"median": float(np.median(values)), "best": float(np.min(values))}


def time_allreduce(nbytes: int, budget_s: float = 0.3, blocks: int = 5) -> dict[str, float]:
    """Seconds per all-reduce of ``nbytes`` (float32) over blocks of back-to-back calls (slowest rank per block):
    ``{"median", "best"}``."""
    t = autolab.zeros(max(1, nbytes // 4))
    for _ in range(3):
        dist.all_reduce(t)
    dist.barrier()
    start = time.perf_counter()
    dist.all_reduce(t)
    once = _slowest(time.perf_counter() - start)
    reps = int(min(200, max(3, budget_s / blocks / max(once, 1e-6))))
    times = []
    for _ in range(blocks):
        dist.barrier()
        start = time.perf_counter()
        for _ in range(reps):
            dist.all_reduce(t)
        times.append(_slowest((time.perf_counter() - start) / reps))
    return _summary(np.array(times))


def time_training(steps: int, batch: int, bucket_cap_mb: float | None, warmup: int = 3) -> dict:
    """LeNet with DDP: median step time synced, and with ``no_sync`` (computation alone), slowest rank."""
    rng = np.random.default_rng(dist.get_rank())
    x = autolab.from_numpy(rng.standard_normal((batch, 3, 32, 32), dtype=np.float32))
    y = autolab.from_numpy(rng.integers(0, 10, batch))
    autolab.manual_seed(0)
    model = DistributedDataParallel(lenet(nn), bucket_cap_mb=bucket_cap_mb)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(warmup):  # compiled kernels load; buckets are rebuilt after the first step
        step()
    synced, comm, exposed = [], [], []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        synced.append(time.perf_counter() - start)
        comm.append(model.last_step.allreduce_time)
        exposed.append(model.last_step.exposed_time)
    alone = []
    with model.no_sync():
        for _ in range(steps):
            start = time.perf_counter()
            step()
            alone.append(time.perf_counter() - start)
    n = dist.get_world_size()
    stats = {
        "step_s": _summary(_per_step_slowest(synced)),
        "compute_s": _summary(_per_step_slowest(alone)),
        "allreduce_s": _summary(_per_step_slowest(comm)),
        "exposed_s": _summary(_per_step_slowest(exposed)),
    }
    nbytes = sum(p.numel() * p.element_size() for p in model.parameters())
    result: dict = {"batch_per_rank": batch, "model_bytes": nbytes, "buckets": len(model.buckets), "steps": steps}
    for which in ("median", "best"):  # step_s, compute_s, ... are medians; "best" has the fastest steps
        row = {key: v[which] for key, v in stats.items()}
        row["images_per_s"] = n * batch / row["step_s"]
        if which == "median":
            result.update(row)
        else:
            result["best"] = row
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed training steps")
    parser.add_argument("--batch", type=int, default=64, help="images per rank per step")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="all-reduce sizes in bytes")
    parser.add_argument("--bucket-cap-mb", type=float, default=None, help="DDP's bucket size (default 25 MB)")
    parser.add_argument("--skip-training", action="store_true", help="only the all-reduce times")
    parser.add_argument("--quick", action="store_true", help="a few repetitions only (to check it runs)")
    parser.add_argument("--json", help="write the results here (rank 0)")
    args = parser.parse_args(argv)

    dist.init_process_group()
    rank, n = dist.get_rank(), dist.get_world_size()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    budget, blocks, warmup = (0.02, 1, 2) if args.quick else (0.3, 5, 3)
    allreduce = []
    for size in sizes if n > 1 else []:
        t = time_allreduce(size, budget, blocks)
        allreduce.append({"bytes": size, "seconds": t["median"], "best_seconds": t["best"]})
    training = None if args.skip_training else time_training(args.steps, args.batch, args.bucket_cap_mb, warmup)
    if rank == 0:
        import numba  # lazy: under plain mpiexec, init_process_group sets NUMBA_NUM_THREADS before numba reads it

        info = machine()
        result = {
            "world_size": n,
            "threads_per_rank": numba.get_num_threads(),
            "cores": usable_cores(),
            "oversubscribed": n * numba.get_num_threads() > usable_cores(),
            # 1-minute load average before and after: other work on the machine skews every number here
            "load_average": [load_before, os.getloadavg()[0] if hasattr(os, "getloadavg") else None],
            "machine": info,
            "command": "autolab run -n {} -m autolab.bench.distributed {}".format(n, " ".join(argv or sys.argv[1:])),
            "allreduce": allreduce,
            "training": training,
        }
        for row in allreduce:
            print(
                f"all_reduce {row['bytes']:>10,d} B  median {row['seconds'] * 1e6:10.1f} us, "
                f"best {row['best_seconds'] * 1e6:10.1f} us"
            )
        if training:
            for label, t in (("median", training), ("best", training["best"])):
                print(
                    f"LeNet DDP, {n} rank(s) x batch {training['batch_per_rank']}, {label} of {args.steps} steps: "
                    f"step {t['step_s'] * 1e3:.1f} ms (computation alone {t['compute_s'] * 1e3:.1f} ms, all-reduce "
                    f"{t['allreduce_s'] * 1e3:.2f} ms, not overlapped {t['exposed_s'] * 1e3:.2f} ms), "
                    f"{t['images_per_s']:.0f} images/s"
                )
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=1)
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
