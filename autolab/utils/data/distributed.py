"""``DistributedSampler``: each rank gets its own share of the dataset, a different one every epoch.

With data parallelism every rank runs the same loop over "the" data loader; the sampler makes each rank's loader
yield different examples. Every epoch all ranks draw the *same* permutation (seeded with ``seed + epoch``, so
call ``set_epoch(epoch)`` at the start of each epoch, or every epoch repeats the first one's order), and rank
``r`` of ``N`` takes positions ``r, r + N, r + 2N, ...`` of it. Together the ranks see every example once.

When the dataset does not divide evenly, each rank must still run the same number of steps (each step is a
collective), so the permutation is padded with its own first indices (a few examples are seen twice), or with
``drop_last=True`` the tail is dropped. This is PyTorch's ``torch.utils.data.distributed.DistributedSampler``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

import numpy as np

from ... import distributed as dist
from .sampler import Sampler


class DistributedSampler(Sampler):
    """Rank ``rank``'s share of ``dataset``, out of ``num_replicas`` (default: the world size and this rank)."""

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None or rank is None:
            if not dist.is_initialized():
                raise RuntimeError(
                    "DistributedSampler needs num_replicas and rank, or an initialized process group "
                    "(call autolab.distributed.init_process_group() first)"
                )
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)  # the largest even share
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:  # the same permutation on every rank: same seed, same epoch
            indices = np.random.default_rng(self.seed + self.epoch).permutation(n).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:  # more ranks than examples: repeat the whole list
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[: self.total_size]
        assert len(indices) == self.total_size
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use a new permutation this epoch (the same on every rank). Call it before each epoch's loop."""
        self.epoch = epoch
