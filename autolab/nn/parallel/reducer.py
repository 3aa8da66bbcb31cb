"""The part of DistributedDataParallel that averages gradients: buckets, started from gradient hooks.

One all-reduce per parameter would pay MPI's latency dozens of times per step; one all-reduce of everything would
have to wait for the whole of backward. So parameters are grouped in *buckets* of about ``bucket_cap_mb``, in
the order their gradients become ready (the reverse of the forward order: the last layer's first). A hook on each
parameter (``register_post_accumulate_grad_hook``) counts down its bucket; when a bucket is complete its
gradients are copied into one flat array, divided by the number of ranks and all-reduced *asynchronously*, while
backward goes on computing the earlier layers. At the end of backward (a callback the autograd engine runs) DDP
waits for the remaining all-reduces and copies the averages back into ``.grad``.

Buckets are started in bucket order on every rank (a bucket that is ready early waits for the ones before it):
MPI matches collectives by the order in which ranks call them.

The first backward sends everything as one bucket, and records the order in which gradients arrived; from the
second step on, buckets follow that order (rank 0's, so that every rank agrees). PyTorch does the same.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ... import distributed as dist
from ...autograd import engine
from ...tensor import Tensor

FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES: the first bucket starts early


def assign_buckets(sizes: list[int], dtypes: list[Any], order: list[int], limits: list[int]) -> list[list[int]]:
    """Group parameter indices (taken in ``order``) into buckets per dtype, each closed once it reaches its limit.

    ``limits[0]`` is the first bucket's limit, ``limits[-1]`` every later one's. ``sizes`` are in bytes.
    """
    open_: dict[Any, list[int]] = {}
    filled: dict[Any, int] = {}
    which_limit: dict[Any, int] = {}
    buckets: list[list[int]] = []
    for i in order:
        key = np.dtype(dtypes[i]).str
        open_.setdefault(key, []).append(i)
        filled[key] = filled.get(key, 0) + sizes[i]
        k = which_limit.setdefault(key, 0)
        if filled[key] >= limits[min(k, len(limits) - 1)]:
            buckets.append(open_.pop(key))
            filled[key] = 0
            which_limit[key] = k + 1
    buckets.extend(b for b in open_.values() if b)
    return buckets


@dataclass
class Bucket:
    """Parameters whose gradients travel together in one all-reduce."""

    index: int
    members: list[int]  # parameter indices, in buffer order
    offsets: list[int]
    buffer: np.ndarray
    pending: int = 0
    work: Any = None
    ready_time: float | None = None


@dataclass
class BucketTiming:
    """When one bucket's gradients were complete, and when its all-reduce ran (seconds from forward's start)."""

    index: int
    numel: int
    nbytes: int
    ready: float
    start: float
    end: float


@dataclass
class StepTimeline:
    """One synchronised step, in seconds from the start of DDP's forward: the dashboard's bucket timeline."""

    forward: tuple[float, float]
    backward: tuple[float, float]  # from the output's gradient to the end of autograd's pass
    synced: float  # when the last average was back in .grad
    buckets: list[BucketTiming] = field(default_factory=list)

    @property
    def allreduce_time(self) -> float:
        """Seconds all-reduces were running (summed over buckets)."""
        return sum(b.end - b.start for b in self.buckets)

    @property
    def exposed_time(self) -> float:
        """Seconds backward's end had to wait for communication: the part that did not overlap computation."""
        return max(0.0, self.synced - self.backward[1])

    def as_dict(self) -> dict:
        """Plain numbers (JSON-ready), e.g. to send from an MPI engine to the notebook's dashboard."""
        return {
            "forward": list(self.forward),
            "backward": list(self.backward),
            "synced": self.synced,
            "allreduce_time": self.allreduce_time,
            "exposed_time": self.exposed_time,
            "buckets": [vars(b).copy() for b in self.buckets],
        }


class Reducer:
    """Hooks, buckets and the end-of-backward wait for one DistributedDataParallel."""

    def __init__(
        self,
        params: list[Tensor],
        names: list[str],
        group: Any,
        bucket_cap_bytes: int,
        first_bucket_bytes: int,
        find_unused_parameters: bool,
        gradient_as_bucket_view: bool,
    ) -> None:
        self.params, self.names, self.group = params, names, group
        self.cap, self.first_cap = bucket_cap_bytes, first_bucket_bytes
        self.find_unused = find_unused_parameters
        self.as_view = gradient_as_bucket_view
        self.sizes = [p.numel() * p.element_size() for p in params]
        self.dtypes = [p._data.dtype for p in params]
        self.expect_hooks = False  # a synchronised backward is expected (set by forward)
        self.require_finalize = False  # a synchronised backward started and has not finished
        self.rebuilt = False
        self.arrival: list[int] = []
        self.timeline: StepTimeline | None = None
        self._t0 = self._fwd_end = self._bwd_start = 0.0
        self.unused: list[int] = []
        order = list(range(len(params)))
        if find_unused_parameters:
            limits = [first_bucket_bytes, bucket_cap_bytes]
            groups = sorted(assign_buckets(self.sizes, self.dtypes, order, limits), key=min)[::-1]
        else:  # one bucket until the real order of backward is known (see the module docstring)
            groups = assign_buckets(self.sizes, self.dtypes, order, [2**62])[::-1]
        self._build(groups)
        self.handles = [p.register_post_accumulate_grad_hook(self._hook_for(i)) for i, p in enumerate(params)]

    # ---- buckets ------------------------------------------------------------------------------------------------
    def _build(self, groups: list[list[int]]) -> None:
        self.buckets: list[Bucket] = []
        self.slot: dict[int, tuple[Bucket, int]] = {}  # parameter index -> (its bucket, its place in it)
        for b, members in enumerate(groups):
            offsets = np.cumsum([0] + [self.params[i].numel() for i in members]).tolist()
            bucket = Bucket(b, list(members), offsets, np.zeros(offsets[-1], self.dtypes[members[0]]))
            self.buckets.append(bucket)
            for k, i in enumerate(members):
                self.slot[i] = (bucket, k)

    def rebuild_if_needed(self) -> None:
        """After the first synchronised step: buckets in the order gradients arrived (rank 0's order)."""
        if self.rebuilt or self.find_unused or len(self.arrival) != len(self.params):
            return
        order = Tensor._wrap(np.array(self.arrival, np.int64))
        dist.broadcast(order, src=self.group.ranks[0], group=self.group)
        limits = [min(self.first_cap, self.cap), self.cap]
        self._build(assign_buckets(self.sizes, self.dtypes, order._data.tolist(), limits))
        self.rebuilt = True

    # ---- one backward -------------------------------------------------------------------------------------------
    def prepare_for_backward(self, outputs: list[Tensor], forward_start: float) -> None:
        """Called at the end of a forward that will be followed by a synchronised backward."""
        self._t0, self._fwd_end, self._bwd_start = forward_start, time.perf_counter(), 0.0
        for b in self.buckets:
            b.pending, b.work, b.ready_time = len(b.members), None, None
        self.next_bucket = 0
        self.ready = [False] * len(self.params)
        self.local_used = np.zeros(len(self.params), np.int32)
        self.arrival = [] if not self.rebuilt else self.arrival
        self.unused = self._find_unused(outputs) if self.find_unused else []
        self.marked_unused = False
        self.expect_hooks = True
        for out in outputs:
            if out.requires_grad:
                out.register_hook(self._note_backward_start)

    def _note_backward_start(self, grad: Tensor) -> None:
        if not self._bwd_start:
            self._bwd_start = time.perf_counter()

    def _find_unused(self, outputs: list[Tensor]) -> list[int]:
        reached: set[int] = set()
        seen: set[int] = set()
        stack = [t for t in outputs if t.requires_grad]
        while stack:
            t = stack.pop()
            if id(t) in seen:
                continue
            seen.add(id(t))
            if t.grad_fn is None:
                reached.add(id(t))
            else:
                stack.extend(p for p in t.grad_fn.inputs if p.requires_grad)
        return [i for i, p in enumerate(self.params) if id(p) not in reached]

    def _hook_for(self, i: int):
        def hook(param: Tensor) -> None:
            if not self.expect_hooks:
                return  # no_sync(), or a backward DDP's forward did not prepare: gradients accumulate locally
            if not self.require_finalize:
                self.require_finalize = True
                engine.queue_callback(self.finalize)
            if not self.marked_unused:
                self.marked_unused = True
                for j in self.unused:
                    self._mark_ready(j)
            self.local_used[i] = 1
            if not self.rebuilt:
                self.arrival.append(i)
            self._mark_ready(i)

        return hook

    def _mark_ready(self, i: int) -> None:
        if self.ready[i]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once. Parameter {self.names[i]} received its gradient twice "
                "in one backward pass; DistributedDataParallel does not support a module whose forward uses the "
                "same parameter in two separately differentiated outputs, or reentrant backward passes."
            )
        self.ready[i] = True
        b, k = self.slot[i]
        view = b.buffer[b.offsets[k] : b.offsets[k + 1]]
        grad = self.params[i].grad
        if grad is not None:
            view[...] = grad._data.reshape(-1)
        else:
            view[...] = 0  # unused on this rank: it contributes zero to the average
        b.pending -= 1
        if b.pending == 0:
            b.ready_time = time.perf_counter()
            while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
                self._launch(self.buckets[self.next_bucket])
                self.next_bucket += 1

    def _launch(self, b: Bucket) -> None:
        np.divide(b.buffer, self.group.size(), out=b.buffer)  # sum of (g / N) over ranks = the average
        b.work = dist.all_reduce(Tensor._wrap(b.buffer), group=self.group, async_op=True)

    def finalize(self) -> None:
        """End of backward: wait for the all-reduces, put the averages into .grad, record the timeline."""
        backward_end = time.perf_counter()
        self.expect_hooks = False
        for b in self.buckets:
            if b.work is not None:
                b.work.wait()
        if self.next_bucket < len(self.buckets):
            return  # require_finalize stays set: the next forward explains what went wrong
        used = None
        if self.find_unused:
            used = Tensor._wrap(self.local_used.copy())
            dist.all_reduce(used, group=self.group)
        for b in self.buckets:
            for k, i in enumerate(b.members):
                if used is not None and used._data[i] == 0:
                    continue  # unused on every rank: its .grad stays as it was (None), as in PyTorch
                view = b.buffer[b.offsets[k] : b.offsets[k + 1]].reshape(self.params[i].shape)
                p = self.params[i]
                if self.as_view:
                    p.grad = Tensor._wrap(view)
                elif p.grad is not None and p.grad._data.flags.writeable and p.grad._data.shape == view.shape:
                    np.copyto(p.grad._data, view)
                else:
                    p.grad = Tensor._wrap(view.copy())
        self.require_finalize = False
        synced = time.perf_counter()
        t0 = self._t0
        self.timeline = StepTimeline(
            forward=(0.0, self._fwd_end - t0),
            backward=((self._bwd_start or self._fwd_end) - t0, backward_end - t0),
            synced=synced - t0,
            buckets=[
                BucketTiming(
                    b.index,
                    int(b.buffer.size),
                    int(b.buffer.nbytes),
                    (b.ready_time or backward_end) - t0,
                    (b.work.start_time or backward_end) - t0,
                    (b.work.end_time or synced) - t0,
                )
                for b in self.buckets
            ],
        )

    def unfinished_message(self) -> str:
        missing = [self.names[i] for i, r in enumerate(self.ready) if not r]
        return (
            "Expected to have finished reduction in the prior iteration before starting a new one. This error "
            "indicates that your module has parameters that were not used in producing loss. You can enable unused "
            "parameter detection by passing the keyword argument `find_unused_parameters=True` to "
            "`autolab.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
            "participate in calculating loss.\n"
            f"Parameters which did not receive grad for rank {self.group.rank()}: {', '.join(missing)}"
        )
