"""``DistributedDataParallel``: the same model on every rank, each on its own part of the batch.

Every rank holds a full copy of the model and runs forward and backward on its own slice of the data (a
``DistributedSampler`` gives each rank different examples). Before the optimizer steps, the gradients are
averaged over the ranks, so every copy takes exactly the same step and the copies never drift apart. That
average of ``N`` gradients of a batch of ``B`` is the gradient of one batch of ``N * B``: data-parallel training
computes what one process would on the global batch, ``N`` times as fast (when communication keeps up).

How the averaging overlaps backward is in ``reducer.py``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ... import distributed as dist
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor
from ..module import Module
from .reducer import FIRST_BUCKET_BYTES, Reducer, StepTimeline

DEFAULT_BUCKET_CAP_MB = 25  # PyTorch's default


class DistributedDataParallel(Module):
    """Wrap ``module`` so that ``loss.backward()`` leaves the gradient averaged over all ranks in ``.grad``.

    Every rank runs (under ``autolab run -n 2 train.py``; not a doctest, it needs an MPI job)::

        dist.init_process_group()
        model = DistributedDataParallel(Net())            # every rank now has rank 0's initial weights
        loss_fn(model(x_of_this_rank), y).backward()      # .grad: the average over the ranks' batches

    Call it on every rank, with the same model. ``state_dict()`` keys start with ``module.``, as in PyTorch.
    autolab additions: ``buckets`` (which parameters travel together) and ``last_step`` (a ``StepTimeline`` of
    the last synchronised backward: when each bucket's all-reduce ran).
    """

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        dim: int = 0,
        broadcast_buffers: bool | None = None,
        init_sync: bool = True,
        process_group: Any = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
        **unsupported: Any,
    ) -> None:
        super().__init__()
        for key, value in unsupported.items():
            if value not in (None, False):
                raise NotImplementedError(f"DistributedDataParallel({key}=...) is not supported by autolab")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps an nn.Module, got {type(module).__name__}")
        group = dist.process_group.resolve(process_group)
        if group is None:
            raise RuntimeError("DistributedDataParallel: this rank is not a member of the given process group")
        named = [(n, p) for n, p in module.named_parameters()]
        if not any(p.requires_grad for _, p in named):
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a "
                "gradient."
            )
        if device_ids or output_device is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with single-device/"
                "multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters {{device(type='cpu')}}."
            )
        self.module = module
        object.__setattr__(self, "process_group", group)
        self.dim = dim
        self.broadcast_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        cap_mb = DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap_mb * 1024 * 1024)
        first = FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        trained = [(n, p) for n, p in named if p.requires_grad]
        if init_sync:
            _verify_same_model(group, named)
            _broadcast_coalesced(group, [p for _, p in named] + [b for _, b in module.named_buffers()])
        object.__setattr__(
            self,
            "reducer",
            Reducer(
                [p for _, p in trained],
                [n for n, _ in trained],
                group,
                self.bucket_bytes_cap,
                first,
                find_unused_parameters,
                gradient_as_bucket_view,
            ),
        )

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        reducer = self.reducer
        if reducer.require_finalize:
            raise RuntimeError(reducer.unfinished_message())
        sync = is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            reducer.rebuild_if_needed()
        if self.broadcast_buffers and self.require_backward_grad_sync:
            buffers = [b for _, b in self.module.named_buffers()]
            if buffers:
                _broadcast_coalesced(self.process_group, buffers)
        out = self.module(*inputs, **kwargs)
        if sync:
            reducer.prepare_for_backward(_tensors_in(out), start)
        else:
            reducer.expect_hooks = False
        return out

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, forward/backward accumulate gradients locally, with no communication (gradient accumulation).

        The first backward after the block averages everything accumulated so far.
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    @property
    def buckets(self) -> list[dict]:
        """autolab only: each bucket's parameter names, elements and bytes, in the order they are all-reduced."""
        r = self.reducer
        return [
            {
                "index": b.index,
                "params": [r.names[i] for i in b.members],
                "numel": int(b.buffer.size),
                "bytes": int(b.buffer.nbytes),
            }
            for b in r.buckets
        ]

    @property
    def last_step(self) -> StepTimeline | None:
        """autolab only: the timeline of the last synchronised backward (None before the first)."""
        return self.reducer.timeline

    def __getstate__(self) -> None:
        raise TypeError("DistributedDataParallel is not pickled; save model.module.state_dict() on rank 0")


def _tensors_in(out: Any) -> list[Tensor]:
    """Every tensor in a forward's output (a tensor, or tuples, lists and dicts of them)."""
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, dict):
        out = list(out.values())
    if isinstance(out, (list, tuple)):
        return [t for item in out for t in _tensors_in(item)]
    return []


def _verify_same_model(group: Any, named: Sequence[tuple[str, Tensor]]) -> None:
    """Every rank wraps the same architecture: the same parameters, in the same order, with the same shapes."""
    mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in named]
    everyone: list = [None] * group.size()
    dist.all_gather_object(everyone, mine, group=group)
    me = group.rank()
    for r, theirs in enumerate(everyone):
        if len(theirs) != len(mine):
            raise RuntimeError(
                f"DDP expects same model across all ranks, but Rank {me} has {len(mine)} params, while rank {r} "
                f"has inconsistent {len(theirs)} params."
            )
        for (name, shape, dtype), (_, their_shape, their_dtype) in zip(mine, theirs):
            if (shape, dtype) != (their_shape, their_dtype):
                raise RuntimeError(
                    f"DDP expects same model across all ranks, but parameter {name} has shape {list(shape)} "
                    f"({dtype}) on rank {me} and shape {list(their_shape)} ({their_dtype}) on rank {r}: build the "
                    "same model on every rank (only the data should differ)."
                )


def _broadcast_coalesced(group: Any, tensors: list[Tensor]) -> None:
    """Rank 0's values into every rank's tensors: one broadcast per dtype of everything flattened."""
    by_dtype: dict[str, list[Tensor]] = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype.str, []).append(t)
    for ts in by_dtype.values():
        flat = Tensor._wrap(np.concatenate([t._data.reshape(-1) for t in ts]))
        dist.broadcast(flat, src=group.ranks[0], group=group)
        offset = 0
        for t in ts:
            n = t._data.size
            t._data[...] = flat._data[offset : offset + n].reshape(t._data.shape)
            offset += n
