"""Every collective once, on data each rank can also compute for every other rank; results saved per rank."""

import sys
from datetime import timedelta

import numpy as np

import autolab as torch
import autolab.distributed as dist

out_dir = sys.argv[1]
dist.init_process_group(backend="mpi", timeout=timedelta(seconds=60))
r, n = dist.get_rank(), dist.get_world_size()


def data(rank, shape=(2, 3), dtype=np.float64):
    """Rank-specific values: what rank `rank` contributes."""
    return (np.arange(np.prod(shape)).reshape(shape) * (rank + 1) + rank).astype(dtype)


out = {}
for op in ["SUM", "AVG", "PRODUCT", "MIN", "MAX"]:
    t = torch.tensor(data(r))
    dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
    out[f"all_reduce_{op}"] = t.numpy()
for op in ["BAND", "BOR", "BXOR"]:
    t = torch.tensor(data(r, dtype=np.int64))
    dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
    out[f"all_reduce_{op}"] = t.numpy()
t = torch.tensor(data(r, dtype=np.float32))
work = dist.all_reduce(t, async_op=True)
assert isinstance(work, dist.Work) and work.wait() is True and work.is_completed() and work.is_success()
out["all_reduce_async_f32"] = t.numpy()
big = torch.tensor(data(r, (4, 6)))
dist.all_reduce(big[:, 1:4])  # a non-contiguous view: the result lands in the base tensor, like PyTorch
out["all_reduce_view"] = big.numpy()
t = torch.tensor(data(r))
dist.broadcast(t, src=n - 1)
out["broadcast"] = t.numpy()
lst = [torch.zeros(2, 3, dtype=torch.float64) for _ in range(n)]
dist.all_gather(lst, torch.tensor(data(r)))
out["all_gather"] = np.stack([x.numpy() for x in lst])
o = torch.zeros(n * 2, 3, dtype=torch.float64)
dist.all_gather_into_tensor(o, torch.tensor(data(r)))
out["all_gather_into_tensor"] = o.numpy()
o = torch.zeros(2, 3, dtype=torch.float64)
dist.reduce_scatter(o, [torch.tensor(data(r) + 100 * k) for k in range(n)])
out["reduce_scatter"] = o.numpy()
o = torch.zeros(2, 3, dtype=torch.float64)
dist.reduce_scatter_tensor(o, torch.tensor(np.concatenate([data(r) + 100 * k for k in range(n)])), op=dist.ReduceOp.MAX)
out["reduce_scatter_tensor_MAX"] = o.numpy()
t = torch.tensor(data(r))
dist.reduce(t, dst=1 % n)
out["reduce"] = t.numpy()
g = [torch.zeros(2, 3, dtype=torch.float64) for _ in range(n)] if r == 0 else None
dist.gather(torch.tensor(data(r)), g, dst=0)
out["gather"] = np.stack([x.numpy() for x in g]) if g else np.zeros(0)
s = [torch.tensor(data(0) + 10 * k) for k in range(n)] if r == 0 else None
t = torch.zeros(2, 3, dtype=torch.float64)
dist.scatter(t, s, src=0)
out["scatter"] = t.numpy()
objs = [None] * n
dist.all_gather_object(objs, {"rank": r, "name": f"rank-{r}"})
out["all_gather_object"] = np.array([o["rank"] for o in objs])
box = [f"from-{r}", r] if r == 0 else [None, None]
dist.broadcast_object_list(box, src=0)
out["broadcast_object_list"] = np.array([box[1]])
# a ring of point-to-point messages: each rank sends to the next, receives from the previous
recv_buf = torch.zeros(3, dtype=torch.float64)
req = dist.irecv(recv_buf, src=(r - 1) % n)
dist.send(torch.full((3,), float(r), dtype=torch.float64), dst=(r + 1) % n)
req.wait()
out["ring"] = recv_buf.numpy()
# a group of the even ranks
evens = dist.new_group([k for k in range(n) if k % 2 == 0])
t = torch.tensor(data(r))
if r % 2 == 0:
    dist.all_reduce(t, group=evens)
    out["group_evens_rank"] = np.array([dist.get_rank(evens), dist.get_world_size(evens)])
else:
    assert evens is dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(evens) == -1
out["group_evens"] = t.numpy()
dist.barrier()
np.savez(f"{out_dir}/rank{r}.npz", **out)
dist.destroy_process_group()
assert not dist.is_initialized()
