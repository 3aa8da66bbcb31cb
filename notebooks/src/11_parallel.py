# Source of notebooks/11_parallel.ipynb (build with scripts/build_notebooks.py).
# Cells that start with %%px run on every MPI rank (ipyparallel's magic), so this file is not plain Python.

# %% [markdown] id=title
# # 11. Parallel training: one model, many processes
#
# How do you train on several GPUs, or several machines? The answer PyTorch gives, and the one large models are
# trained with, is **data parallelism** with `DistributedDataParallel`: every process holds the whole model,
# works on its own slice of each batch, and the processes *average their gradients* before every step. Here you
# run it for real: autolab speaks `torch.distributed`'s API over **MPI**, the library supercomputers use, so the
# same code runs on this laptop-sized machine and on a cluster.
#
# **Learning goals.** After this notebook you can
# - tell data parallelism from model parallelism, and `DataParallel` from `DistributedDataParallel`;
# - explain all-reduce, and why a *ring* all-reduce costs nearly the same however many processes join;
# - average gradients by hand with `dist.all_reduce`, and say why the result equals one process on the
#   global batch;
# - train a CNN data-parallel, with a `DistributedSampler`, buckets and the right learning rate for the global
#   batch, and read a bucket timeline (communication hidden behind computation);
# - measure scaling honestly, fit a cost model to measurements, and predict what more machines would give.
#
# *Fast mode* (`AUTOLAB_FAST=1`) trains a few steps on a few hundred images and measures little, to check that
# the notebook runs; its numbers mean nothing. The measured numbers of a full run are stated in the text.

# %% id=setup locked
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ipyparallel as ipp
from IPython.display import display

import autolab.distributed as dist
import widgets
from autolab import nn
from autolab.cli.run import find_mpiexec
from autolab.course import FAST, checks, pick, set_language
from autolab.distributed import cost_model

set_language("en")
REPO = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()
print("fast mode:", FAST, "| mpi4py installed:", dist.is_available(), "| mpiexec:", find_mpiexec())

# %% [markdown] id=two-ways
# ## Two ways to split the work
#
# A training step is forward, backward, update, on a batch of examples. With several workers (GPUs, machines,
# or here processes on CPU cores) there are two basic ways to share that step:
#
# | | **data parallelism** | **model parallelism** |
# |---|---|---|
# | each worker holds | the *whole* model | *a part* of the model (some layers, or a slice of each layer) |
# | each worker computes | the whole network on *its part of the batch* | its layers on the *whole batch* |
# | what travels | gradients, once per step (all-reduce) | activations forward and gradients backward, at every boundary |
# | when to use it | the model fits on one worker (most models) | the model does not fit (very large language models) |
#
# Large models combine both (pipeline, tensor and data parallelism together), but data parallelism is the
# workhorse, and the only one in this notebook.

# %% [markdown] id=dp-vs-ddp
# ## `DataParallel` versus `DistributedDataParallel`
#
# PyTorch has two data-parallel wrappers, and they are often confused (some tutorials even call the second one
# model parallelism; it is not: every process holds the whole model).
#
# - **`nn.DataParallel`**: *one* process drives several GPUs. Every step it copies the model to each GPU, splits
#   the batch, runs the pieces in threads, and gathers the outputs and gradients on GPU 0. Simple to use, but the
#   one process (its Python interpreter lock) and GPU 0 become the bottleneck, and it cannot span machines.
# - **`nn.parallel.DistributedDataParallel`** (DDP): *one process per device*, each with its own copy of the model
#   and its own data. After backward, the processes average the gradients with an **all-reduce**, so every copy
#   takes the same step and they stay identical. It scales to many machines; PyTorch recommends it everywhere.
#
# On a CPU there is nothing for `DataParallel` to split across (one process already uses every core), so autolab
# answers it with an error that says what to do instead:

# %% id=dataparallel-error
try:
    nn.DataParallel(nn.Linear(4, 2))
except RuntimeError as e:
    print("nn.DataParallel ->", e)

# %% [markdown] id=allreduce
# ## All-reduce: the one collective data parallelism needs
#
# Rank *i* (the processes are numbered 0 to N-1, their *ranks*) computed the gradient $g_i$ of the mean loss over
# its own $B$ examples. Averaging, $\bar g = \frac1N \sum_i g_i$, gives the gradient of the mean loss over all
# $NB$ examples: exactly what one process would compute on the **global batch**. So N processes that average
# their gradients take the same steps as one process with a batch N times larger, only (ideally) N times faster.
#
# **All-reduce** is the operation that leaves the sum of every rank's array on every rank. The naive way, everyone
# sends to rank 0, which adds and sends back, pushes $2(N-1)$ whole gradients through rank 0's one network link:
# it gets slower with every rank you add. The **ring** all-reduce cuts each gradient into N chunks and passes
# chunks round a ring. Watch it (press play, or drag the slider):

# %% id=ring
widgets.RingAllReduce(4)

# %% [markdown] id=ring-bytes
# ### Your turn: how much does each rank send?
#
# Step through the animation and watch the counter under it. Write `ring_bytes_sent(m, n)`: the number of bytes
# one rank sends during a whole ring all-reduce of a gradient of `m` bytes over `n` ranks.

# %% id=ring-bytes-answer solution
def ring_bytes_sent(m, n):
    ### BEGIN SOLUTION
    return 2 * (n - 1) * m / n  # 2(n-1) steps, one chunk of m/n bytes each
    ### END SOLUTION


# %% id=ring-bytes-check test points=1
checks.ring_bytes_sent(ring_bytes_sent)
### BEGIN HIDDEN TESTS
checks.ring_bytes_sent(ring_bytes_sent, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=ring-cost
# Every one of the $2(N-1)$ steps, each rank sends one chunk of $m/N$ bytes, all links busy at once: $2(N-1)/N$
# of the gradient in all, less than twice its size however many ranks join. With a *latency* $\alpha$ per
# message and $\beta$ seconds per byte (one over the bandwidth), an all-reduce of $m$ bytes costs
#
# $$T(m, N) = 2(N-1)\,\alpha \;+\; 2\,\frac{N-1}{N}\, m\,\beta .$$
#
# The bandwidth term tends to $2m\beta$: sending a 100 MB gradient round a ring of 1,000 machines takes hardly
# longer than round 4. The latency term does grow with N; for small messages MPI switches to tree-shaped
# algorithms with $\log_2 N$ steps. We will fit this model to measurements at the end.

# %% [markdown] id=cluster-intro
# ## A cluster in this notebook
#
# MPI starts N copies of a program (`mpiexec -n N python train.py`); each asks MPI for its rank and the
# number of ranks, the *world size*. To keep the ranks interactive, we start them as
# [ipyparallel](https://ipyparallel.readthedocs.io) **engines**: N Python processes, started by `mpiexec`, that
# run the code we send them. A cell that begins with `%%px` runs on *every* engine at once, and shows each one's
# output under `[stdout:k]` (engine k; its MPI rank may differ, so our code prints the rank).
#
# The next cell starts two engines (about ten seconds).

# %% id=cluster
N_RANKS = 2
cluster = ipp.Cluster(engines="mpi", n=N_RANKS, log_level=logging.ERROR)
cluster.config.MPILauncher.mpi_cmd = [find_mpiexec()]  # the mpich wheel's mpiexec, beside this Python
rc = cluster.start_and_connect_sync()
view = rc[:]
view.block = True  # wait for every engine, and show what each printed
view.activate()  # %px and %%px now run on these engines
print(f"{len(rc.ids)} engines running")

# %% id=init
%%px
import os
import time
from datetime import timedelta

import numpy as np

import autolab as torch
import autolab.distributed as dist
import autolab.nn.functional as F
from autolab import nn, optim
from autolab.course import FAST, checks, pick

# A collective that waits longer than the timeout (a rank crashed or runs different code) raises instead of hanging.
dist.init_process_group(backend="mpi", timeout=timedelta(seconds=120))
rank, world = dist.get_rank(), dist.get_world_size()
print(f"rank {rank} of {world}: process {os.getpid()}, {os.environ['NUMBA_NUM_THREADS']} numba thread(s)")

# %% [markdown] id=collectives
# Each rank got one numba thread: two ranks on two cores, so they do not fight over the cores (`autolab run`
# and `init_process_group` divide the cores among the ranks of a machine).
#
# ## Collectives, by hand
#
# A *collective* is an operation every rank of the group calls together. `all_reduce` sums (or averages, takes the
# max of, ...) a tensor over the ranks **in place**; `broadcast` copies rank 0's tensor to everyone (DDP uses it
# to start every copy of the model from the same weights); `all_gather` collects every rank's tensor on every
# rank. All of them have PyTorch's names and arguments.

# %% id=collectives-demo
%%px
t = torch.arange(4.0) + 10 * rank
print("mine:          ", t.tolist())
dist.all_reduce(t)  # op=dist.ReduceOp.SUM: every rank now holds the sum
print("all_reduce sum:", t.tolist())
w = torch.full((2,), float(rank))
dist.broadcast(w, src=0)  # rank 0's values, everywhere
everyone = [torch.zeros(1) for _ in range(world)]
dist.all_gather(everyone, torch.tensor([rank * 1.5]))
print("broadcast from 0:", w.tolist(), "| all_gather:", [e.item() for e in everyone])

# %% [markdown] id=exercise
# ### Your turn: average the gradients yourself
#
# Write `average_gradients(model)`: after `loss.backward()` has left each rank's own gradients in `p.grad`,
# replace every parameter's gradient by its average over all ranks, in place. Use `dist.all_reduce` (it sums)
# and `dist.get_world_size()`. You write it here; the check sends it to every rank, where each builds the same
# small model, computes gradients on its own batch, calls your function, and compares with what
# `DistributedDataParallel` computes.

# %% id=average-gradients solution
def average_gradients(model):
    """Runs on every rank: replace each p.grad by its average over the ranks."""
    ### BEGIN SOLUTION
    world_size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad)  # the sum over the ranks, in place
            p.grad /= world_size  # the average: the gradient of the global batch
    ### END SOLUTION


# %% id=average-gradients-check test points=2
checks.average_gradients(average_gradients, view)
### BEGIN HIDDEN TESTS
checks.average_gradients(average_gradients, view, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=ddp
# ## `DistributedDataParallel`: the same average, overlapped with backward
#
# Your function waits until backward is over, then sends one message per parameter. DDP does better in two ways.
#
# **Buckets.** Each message pays the latency $\alpha$, so DDP sends the gradients in a few *buckets* of about
# `bucket_cap_mb` (25 MB by default), each one flat array.
#
# **Overlap.** Backward computes the gradients from the last layer to the first. DDP puts a hook on every
# parameter (`register_post_accumulate_grad_hook`): when the last gradient of a bucket is ready, that bucket's
# all-reduce starts, in the background, while backward goes on computing the earlier layers. At the end of
# backward DDP only waits for what is still in flight. In the first step DDP sends everything as one bucket and
# records the order in which the gradients arrived; from the second step on, the buckets follow that order.
#
# DDP also **broadcasts** rank 0's initial weights when it wraps the model (so the copies start equal), and it
# checks that every rank wrapped the same architecture. LeNet's gradients are only 250 kB, far below one bucket,
# so we set `bucket_cap_mb=0.01` to see three buckets at work.
#
# ### Each rank its own data: `DistributedSampler`
#
# Every rank runs the same loop over "the" data loader; a `DistributedSampler` gives each rank a different share.
# Each epoch all ranks shuffle with the same seed (`seed + epoch`: call `sampler.set_epoch(epoch)`), then rank
# *r* takes every N-th index starting at *r*. If the dataset does not divide evenly, the list is padded with a
# few repeats, because every rank must run the same number of steps (each step is a collective):

# %% id=sampler-demo
%%px
from autolab.utils.data.distributed import DistributedSampler

sampler = DistributedSampler(range(11), shuffle=True, seed=0)
sampler.set_epoch(0)
print(f"rank {rank}, epoch 0:", list(sampler))
sampler.set_epoch(1)
print(f"rank {rank}, epoch 1:", list(sampler))

# %% [markdown] id=global-batch
# ### The global batch and the learning rate
#
# With N ranks of B images each, every step averages over a **global batch** of NB images, and there are N times
# fewer steps per epoch. Keep the learning rate of a batch of B and training slows down (fewer steps, each no
# longer). The usual remedy is the *linear scaling rule* (Goyal et al., 2017): multiply the learning rate by N, so
# one step on NB images moves about as far as N steps on B images did. It holds up to global batches of a few
# thousand images, usually with a few epochs of *warm-up* from a small rate. Notebook 7 trained LeNet with
# batch 64 and lr 0.02; here each of 2 ranks takes 64, so the global batch is 128 and the rate 0.04.
#
# ## Training LeNet on CIFAR-10, data-parallel
#
# Each rank loads CIFAR-10, builds LeNet with the same seed, wraps it in DDP, and defines `train_steps(k)`, which
# runs k steps and returns what the dashboard draws: its loss, its step time and DDP's timeline of the step.

# %% id=train-setup
%%px
from autolab.nn.parallel import DistributedDataParallel
from autolab.utils.data import DataLoader, Subset
from autolab.vision import datasets, transforms


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 6, 5), nn.Conv2d(6, 16, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1, self.fc2, self.fc3 = nn.Linear(16 * 5 * 5, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)])
train_set = datasets.CIFAR10(train=True, download=True, transform=tf)
test_set = datasets.CIFAR10(train=False, download=True, transform=tf)
train_set = Subset(train_set, range(pick(512, len(train_set))))
test_set = Subset(test_set, range(pick(256, len(test_set))))
BATCH, EPOCHS = 64, pick(1, 4)
train_sampler = DistributedSampler(train_set, shuffle=True, seed=0)
train_loader = DataLoader(train_set, batch_size=BATCH, sampler=train_sampler)

torch.manual_seed(0)
model = DistributedDataParallel(LeNet(), bucket_cap_mb=0.01)
optimizer = optim.SGD(model.parameters(), lr=0.02 * world, momentum=0.9)  # the linear scaling rule
schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
loss_fn = nn.CrossEntropyLoss()
step, epoch, batches = 0, 0, iter(train_loader)


def train_steps(k):
    """Up to k more steps (fewer at the end of training); one record per step for the dashboard."""
    global step, epoch, batches
    records = []
    while len(records) < k and epoch < EPOCHS:
        try:
            x, y = next(batches)
        except StopIteration:  # end of an epoch: a new shuffle, a smaller learning rate
            epoch += 1
            schedule.step()
            train_sampler.set_epoch(epoch)
            batches = iter(train_loader)
            continue
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()  # DDP averages the gradients during this call
        optimizer.step()
        step += 1
        records.append(
            {
                "rank": rank,
                "step": step,
                "loss": loss.item(),
                "images": len(y),
                "step_time": time.perf_counter() - start,
                "timeline": model.last_step.as_dict(),
            }
        )
    return records


print(f"rank {rank}: {len(train_sampler)} training images per epoch, {len(train_loader)} steps")
if rank == 0:  # one bucket until the first backward has shown the order in which gradients arrive
    print("buckets before the first step:")
    for b in model.buckets:
        print(f"  bucket {b['index']}: {b['bytes'] / 1024:6.1f} kB  {', '.join(b['params'])}")

# %% [markdown] id=train
# The next cell drives the ranks from here: it asks every rank for ten more steps at a time
# (`view.apply_sync`), and gives their records to the dashboard. Left: each rank's loss, on its own batch (they
# differ, the weights do not). Right: milliseconds of all-reduce per step (log scale), and dashed, the part that
# was *not* hidden behind backward. An all-reduce ends when the *last* rank joins it, so its time includes waiting
# for the slowest rank: the spikes are steps where the other rank was late (on a shared machine, descheduled).
# Below: the **bucket timeline** of one step.

# %% id=train-loop
dash = widgets.ParallelDashboard(N_RANKS, title="LeNet on CIFAR-10")
display(dash)
start = time.time()
while True:
    per_rank = view.apply_sync(ipp.Reference("train_steps"), 10)  # one list of records per engine
    if not any(per_rank):
        break
    for records in per_rank:
        dash.add(records)
dash.refresher.flush()
minutes = (time.time() - start) / 60
steps = max(r["step"] for r in dash.records[0].values())
print(f"{steps} steps of {N_RANKS} x 64 images in {minutes:.2f} min")

# %% [markdown] id=buckets-after
# After the first step DDP rebuilt its buckets in the order the gradients actually arrived: the last layer first.

# %% id=buckets-rebuilt
%%px
if rank == 0:
    for b in model.buckets:
        print(f"bucket {b['index']}: {b['bytes'] / 1024:6.1f} kB  {', '.join(b['params'])}")

# %% [markdown] id=timeline
# **Reading the timeline.** The top row is computation on that rank: forward (light) and backward (dark). Below,
# one row per bucket: grey while the bucket was complete but waiting its turn, orange while its all-reduce ran.
# Bucket 0 (the last layers, whose gradients come first) starts while backward is still computing the
# convolutions: that orange bar to the left of the dashed line is communication hidden behind computation. Only
# what lies to the right of the line made the step longer. Move the *Step* slider to see the first step, which
# sent everything as a single bucket at the end.
#
# On this machine the overlap is modest: two ranks share two cores, so whatever core moves bytes is not computing.
# On GPUs, communication runs on its own hardware (NVLink, the network card) and the overlap is nearly free.
#
# ### Evaluating, in parallel too
# Each rank counts the correct answers on its share of the test set; one `all_reduce` adds up the counts.

# %% id=evaluate
%%px
model.eval()
counts = torch.zeros(2, dtype=torch.float64)  # correct, seen
with torch.no_grad():
    for x, y in DataLoader(test_set, batch_size=256, sampler=DistributedSampler(test_set, shuffle=False)):
        counts += torch.tensor([(model(x).argmax(1) == y).sum().item(), len(y)], dtype=torch.float64)
dist.all_reduce(counts)
model.train()
if rank == 0:
    print(f"test accuracy {counts[0].item() / counts[1].item():.1%} on {int(counts[1].item())} images")

# %% [markdown] id=measured-training
# **Measured.** The full run (all 50,000 images, 4 epochs, 2 ranks x 64, lr 0.04 with a cosine schedule, 3
# buckets) reached **61.4%** test accuracy in **1.35 minutes** of training, on 2 CPU cores shared with other work
# (details in `docs/distributed.md`). DDP gives the same model as one process on batches of 128 (the tests check
# this to 1e-10 in float64), so the accuracy is that of ordinary LeNet training at that batch size.
#
# The engines stop here; the rest of the notebook starts its own processes.

# %% id=stop-cluster
view.execute("dist.destroy_process_group()")
rc.shutdown(hub=False, block=True)
cluster.stop_cluster_sync()

# %% [markdown] id=script
# ## The same as a script: `autolab run`
#
# Outside a notebook, data-parallel training is a script started N times. `scripts/ddp_cifar10.py` is the loop
# above as a script: an ordinary training loop plus `init_process_group`, a `DistributedSampler`,
# `DistributedDataParallel` and `set_epoch`. `autolab run -n 2 script.py` starts it on two processes through
# `mpiexec` and gives each the variables `torchrun` would (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`, `MASTER_ADDR`,
# `MASTER_PORT`); `mpiexec -n 2 python script.py` works as well, and on a cluster so do Slurm's `srun` and
# `mpiexec` with a host file (`docs/distributed.md`).

# %% id=script-run
script = REPO / "scripts" / "ddp_cifar10.py"


def autolab_run(n, *args):
    """`autolab run -n N ...` from this notebook; prints what the ranks print."""
    cmd = [sys.executable, "-m", "autolab.cli", "run", "-n", str(n), *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=pick(120, 1800))
    print(proc.stdout + proc.stderr[-1500:])
    return proc


_ = autolab_run(2, script, "--epochs", 1, "--limit", pick(512, 10000))

# %% [markdown] id=faults
# ### When a rank fails
#
# If one rank dies, the others would wait forever in the next all-reduce for a partner that never comes. autolab
# makes the whole job stop instead, with the failing rank's traceback: an uncaught exception calls `MPI_Abort`,
# and `mpiexec` then ends every rank. A rank that is alive but stuck (or runs different code) makes the others
# give up at the process group's timeout with a `DistTimeoutError`. Let rank 1 crash at step 3:

# %% id=crash
crashed = autolab_run(2, script, "--epochs", 1, "--limit", 512, "--crash-rank", 1)
print("exit status:", crashed.returncode)

# %% [markdown] id=scaling
# ## Scaling, honestly
#
# How much faster is it with more ranks? `autolab.bench.distributed` measures, for one world size, the time of
# all-reduces of 4 B to 4 MB and of LeNet training steps (each rank its own batch of 64). We run it with 1, 2 and
# 4 ranks. This machine has **2 cores**: 1 rank uses both (2 threads), 2 ranks one each, and 4 ranks are
# *oversubscribed* (two ranks per core, taking turns): expect nothing good from 4, it is measured to show what
# oversubscription does.

# %% id=scaling-measure
out_dir = Path(tempfile.mkdtemp(prefix="autolab-scaling-"))
bench_args = pick(["--quick", "--steps", 2, "--batch", 16, "--sizes", "4,1048576"], ["--steps", 30, "--batch", 64])
results = {}
for n in pick((1, 2), (1, 2, 4)):  # fast mode skips the oversubscribed run: 4 more processes to start
    autolab_run(n, "-m", "autolab.bench.distributed", *bench_args, "--json", out_dir / f"ranks{n}.json")
    results[n] = json.loads((out_dir / f"ranks{n}.json").read_text())

print("MEASURED on", results[1]["machine"]["cpu"], f"({results[1]['cores']} cores)")
busiest = max(max(v for v in r["load_average"] if v is not None) for r in results.values())
if busiest > 0.5 * results[1]["cores"]:
    print(
        f"WARNING: the machine was busy (1-minute load average up to {busiest:.1f} on {results[1]['cores']} cores): "
        "these numbers measure the competition for the cores as much as autolab. Re-run on a quiet machine."
    )
print(" ranks | threads/rank | step, median (best) ms | alone (ms) | all-reduce (ms) | images/s (best)")
for n, r in results.items():
    t, b = r["training"], r["training"]["best"]
    over = "  oversubscribed" if r["oversubscribed"] else ""
    print(
        f"  {n:4d} | {r['threads_per_rank']:12d} | {t['step_s'] * 1e3:11.1f} ({b['step_s'] * 1e3:5.1f}) "
        f"| {b['compute_s'] * 1e3:10.1f} | {b['allreduce_s'] * 1e3:15.2f} | {b['images_per_s']:8.0f}{over}"
    )

# %% [markdown] id=scaling-read
# Each run times 30 steps (fast mode: 2); *best* is the fastest: other work on the machine only ever adds time,
# so the fastest repetition is the closest to what the code costs on its own. *alone* is the same step under
# DDP's `no_sync()`: the computation without communication. On one quiet 2-core
# machine, data parallelism cannot do much better than one process that already uses both cores: the work is the
# same and the cores are the same (two single-threaded ranks can win a little, by not synchronising threads inside
# every kernel). Four ranks take turns on two cores and add communication. On a *busy* machine the picture
# changes: the scheduler shares the cores per process, so more processes get a bigger share of someone else's
# cores. What data parallelism really buys is *more machines*. To see what they would give, we need the cost of
# communication.
#
# ### A model of all-reduce, fitted to the measurements
#
# We fit $\alpha$ and $\beta$ of the ring model to the 2-rank all-reduce times (the best of five blocks of
# repetitions for each size) by least squares on relative error, so small and large messages count alike. The 4-rank points are drawn against the same model, but they
# are oversubscribed; they were not used in the fit.

# %% id=fit
samples = [(2, row["bytes"], row["best_seconds"]) for row in results[2]["allreduce"]]
fit = cost_model.fit_ring(samples)
print(
    f"fitted on 2 ranks: alpha = {fit.alpha * 1e6:.1f} us per message, bandwidth = {fit.bandwidth / 1e9:.2f} GB/s "
    f"(shared memory of one machine); fit error {fit.residual:.0%} rms"
)
measured = {n: [(row["bytes"], row["best_seconds"]) for row in r["allreduce"]] for n, r in results.items() if n > 1}
widgets.scaling.allreduce_figure(measured, fit, oversubscribed={4})

# %% [markdown] id=predict
# ### Predicting N machines (a model, not a measurement)
#
# Now suppose N machines like this one, each running one rank with both cores on a batch of 64 (its step
# computation measured above, 1 rank), joined by a network we *state*, not measure: **10 Gb/s Ethernet**
# ($\alpha$ = 50 µs, 1.25 GB/s) and **100 Gb/s InfiniBand** ($\alpha$ = 3 µs, 12.5 GB/s), typical figures. The
# model gives each step $T = T_{compute} + T_{allreduce}$ if nothing overlaps, $\max(T_{compute},
# T_{allreduce})$ if DDP hides all of it: the truth lies between. LeNet's gradients (250 kB) are small; a
# ResNet-50's are 100 MB (25.6 M parameters): same compute time assumed, to isolate the effect of size.

# %% id=predict-plot
compute_s = results[1]["training"]["best"]["compute_s"]
lenet_bytes = results[1]["training"]["model_bytes"]
batch = results[1]["training"]["batch_per_rank"]
machines = [1, 2, 4, 8, 16, 32, 64, 128]
predictions = {"LeNet (250 kB of gradients)": {}, "a 100 MB model (ResNet-50 size)": {}}
for net in (cost_model.ETHERNET_10G, cost_model.ETHERNET_100G_RDMA):
    for model, nbytes in zip(predictions, (lenet_bytes, 100e6)):
        predictions[model][net.name] = [cost_model.predict_step(compute_s, nbytes, n, net) for n in machines]
print(f"MODELLED (compute per step {compute_s * 1e3:.1f} ms measured here, 1 rank, batch {batch}):")
for model, by_net in predictions.items():
    for net, rows in by_net.items():
        r = rows[machines.index(64)]
        print(
            f"  64 machines, {model}, {net}: all-reduce {r['allreduce'] * 1e3:6.1f} ms per step -> "
            f"{r['compute'] / r['no_overlap']:.0%} to {r['compute'] / r['full_overlap']:.0%} of perfect scaling"
        )
here = {n: r["training"]["best"]["images_per_s"] for n, r in results.items()}
widgets.scaling.throughput_figure(here, predictions, batch, "bands and lines: modelled; dots: measured here")

# %% [markdown] id=scaling-conclusions
# Two regimes show up. With small gradients (LeNet's 250 kB) the *latency* term rules: a ring of N machines
# pays $2(N-1)\alpha$ per all-reduce, which on Ethernet reaches milliseconds at 64 machines, as much as LeNet's
# whole step; a low-latency network (or MPI's tree algorithms, $\log_2 N$ steps) keeps it small. With large
# gradients (the 100 MB model) the *bandwidth* term rules: about $2m/\text{bandwidth}$ whatever N is, 160 ms per
# step on 10 Gb/s Ethernet, far more than the computation assumed here; then only a faster network, overlap, or
# sending less (compressed gradients; sharding the model and optimizer state as ZeRO and FSDP do) helps. That, not
# the arithmetic, is what limits data-parallel training, and why DDP's buckets and overlap exist.
#
# The measured and modelled numbers of a full run, with the machine and the commands, are in
# `docs/distributed.md`.

# %% [markdown] id=summary
# ## Summary
#
# - Data parallelism: every rank holds the whole model and takes a share of each batch; model parallelism splits
#   the model instead. `DataParallel` is one process driving several GPUs; `DistributedDataParallel` is one
#   process per device, and the one that scales.
# - Averaging the ranks' gradients with an all-reduce gives the gradient of the global batch: N ranks of B images
#   take the same steps as one process with N x B images (scale the learning rate accordingly).
# - Ring all-reduce sends $2(N-1)/N$ of the data per rank, less than twice the gradient whatever N is; its cost
#   is $2(N-1)\alpha + 2\frac{N-1}{N} m\beta$.
# - DDP broadcasts the initial weights, sends gradients in buckets that start during backward (hiding
#   communication behind computation), and a `DistributedSampler` gives each rank its own data every epoch.
# - Measure before you believe: on one machine more processes cannot beat one that uses every core; a model
#   fitted to measured all-reduce times tells you what more machines would give, and what network they need.
