"""DistributedDataParallel against one process on the global batch, and its other behaviours; one REPORT per rank.

Usage: ddp_rank.py BUCKET_CAP_MB (use "default" for PyTorch's default)
"""

import sys
from datetime import timedelta

import numpy as np
from _report import save

import autolab as torch
import autolab.distributed as dist
import autolab.nn.functional as F
from autolab import nn, optim
from autolab.nn.parallel import DistributedDataParallel as DDP
from autolab.utils.data import DataLoader, TensorDataset
from autolab.utils.data.distributed import DistributedSampler

cap = None if sys.argv[1] == "default" else float(sys.argv[1])
dist.init_process_group(timeout=timedelta(seconds=60))
rank, world = dist.get_rank(), dist.get_world_size()
B, STEPS = 3, 20  # per-rank batch; global batch = B * world
report = {"rank": rank, "world": world}


def net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 8),
        nn.Tanh(),
        nn.Linear(8, 3),
    ).double()


def batches(step):
    g = np.random.default_rng(1000 + step)
    return torch.tensor(g.normal(size=(B * world, 2, 8, 8))), torch.tensor(g.integers(0, 3, B * world))


# 1. 20 SGD steps of DDP (each rank its slice) against one process on the global batch, float64
model = DDP(net(seed=rank), bucket_cap_mb=cap)  # every rank starts from rank 0's weights (broadcast)
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
reference = net(seed=0)
ref_opt = optim.SGD(reference.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
for step in range(STEPS):
    x, y = batches(step)
    mine = slice(rank * B, (rank + 1) * B)
    opt.zero_grad()
    F.cross_entropy(model(x[mine]), y[mine]).backward()
    opt.step()
    ref_opt.zero_grad()
    F.cross_entropy(reference(x), y).backward()
    ref_opt.step()
ref_state = reference.state_dict()
report["max_diff_vs_one_process"] = max(
    float(np.abs(v.numpy() - ref_state[k.removeprefix("module.")].numpy()).max()) for k, v in model.state_dict().items()
)
report["state_dict_keys"] = list(model.state_dict())
report["buckets"] = model.buckets
tl = model.last_step
report["timeline"] = {
    "backward": tl.backward,
    "synced": tl.synced,
    "buckets": [[b.index, b.ready, b.start, b.end] for b in tl.buckets],
}
flat = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
everyone = [None] * world
dist.all_gather_object(everyone, flat.tolist())
report["params_identical_across_ranks"] = all(np.array_equal(np.array(e), flat) for e in everyone)

# 2. no_sync: two micro-batches accumulated locally, synced on the second = one step on both
acc = DDP(net(seed=0), bucket_cap_mb=cap)
x, y = batches(100)
half = slice(rank * B, (rank + 1) * B)
with acc.no_sync():
    F.cross_entropy(acc(x[half][:2]), y[half][:2]).backward()
    after_local = [p.grad.numpy().copy() for p in acc.parameters()]
F.cross_entropy(acc(x[half][2:]), y[half][2:]).backward()
one = net(seed=0)
for k in range(world):
    part = slice(k * B, (k + 1) * B)
    F.cross_entropy(one(x[part][:2]), y[part][:2]).backward()
    F.cross_entropy(one(x[part][2:]), y[part][2:]).backward()
report["no_sync_max_diff"] = max(
    float(np.abs(a.grad.numpy() - b.grad.numpy() / world).max()) for a, b in zip(acc.parameters(), one.parameters())
)
gathered = [None] * world
dist.all_gather_object(gathered, after_local[0].tolist())
report["no_sync_grads_differ_before_sync"] = not all(np.array_equal(np.array(g), after_local[0]) for g in gathered)


# 3. find_unused_parameters: a head used only on rank 0
class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.body, self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x, use_b):
        h = self.body(x)
        return self.b(h) if use_b else self.a(h)


two = DDP(TwoHeads().double(), find_unused_parameters=True)
x = torch.ones(2, 4, dtype=torch.float64) * (rank + 1)
two(x, use_b=(rank == 0)).sum().backward()
report["unused_grads"] = {n: (None if p.grad is None else p.grad.numpy().tolist()) for n, p in two.named_parameters()}
two_again = DDP(TwoHeads().double(), find_unused_parameters=True)
two_again(x, use_b=False).sum().backward()  # head b unused on every rank: its grad stays None
report["globally_unused_is_none"] = two_again.module.b.weight.grad is None

# 4. without find_unused_parameters, an unused parameter is reported at the next forward
strict = DDP(TwoHeads().double())
strict(x, use_b=False).sum().backward()
try:
    strict(x, use_b=False)
    report["unused_error"] = None
except RuntimeError as e:
    report["unused_error"] = str(e)

# 5. a model that differs across ranks is caught when it is wrapped
try:
    DDP(nn.Linear(3, 2 + (rank == world - 1)))
    report["mismatch_error"] = None
except RuntimeError as e:
    report["mismatch_error"] = str(e)

# 6. DistributedSampler with the default world: the ranks' indices partition the dataset (padded to equal length)
data = TensorDataset(torch.arange(23))
sampler = DistributedSampler(data, shuffle=True, seed=5)
sampler.set_epoch(3)
seen = [int(v) for batch in DataLoader(data, batch_size=4, sampler=sampler) for v in batch[0]]
everyone = [None] * world
dist.all_gather_object(everyone, seen)
report["sampler_indices"] = everyone

# 7. buffers (BatchNorm's running statistics) come from rank 0 at wrap time and before every forward
bn = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
bn[1].running_mean.data = torch.full((4,), float(rank), dtype=torch.float64)
bn_ddp = DDP(bn)
after_wrap = bn[1].running_mean.numpy().tolist()
bn[1].running_var.data = torch.full((4,), 1.0 + rank, dtype=torch.float64)  # drifts on purpose
bn_ddp(torch.ones(2, 3, dtype=torch.float64))
report["bn_running_mean_after_wrap"] = after_wrap
report["bn_running_var_before_forward_synced"] = bn[1].running_var.numpy().tolist()  # updated from rank 0's

# 8. gradient_as_bucket_view: the same training, .grad a view of the bucket (no copy back)
view_model = DDP(net(seed=0), bucket_cap_mb=cap, gradient_as_bucket_view=True)
copy_model = DDP(net(seed=0), bucket_cap_mb=cap)
for m in (view_model, copy_model):
    o = optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    for step in range(3):
        x, y = batches(step)
        o.zero_grad()
        F.cross_entropy(m(x[rank * B : (rank + 1) * B]), y[rank * B : (rank + 1) * B]).backward()
        o.step()
report["bucket_view_max_diff"] = max(
    float(np.abs(a.detach().numpy() - b.detach().numpy()).max())
    for a, b in zip(view_model.parameters(), copy_model.parameters())
)
report["bucket_view_shares_memory"] = bool(
    np.shares_memory(next(view_model.parameters()).grad.numpy(), view_model.reducer.buckets[-1].buffer)
    or any(
        np.shares_memory(p.grad.numpy(), b.buffer) for p in view_model.parameters() for b in view_model.reducer.buckets
    )
)

save(report)
dist.destroy_process_group()
