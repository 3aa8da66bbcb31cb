"""What runs inside a DataLoader worker process: PyTorch's ``_worker_loop``, without shared memory.

A worker gets a copy of the dataset (forked, or pickled for the ``spawn`` start method), seeds every random
number generator with ``base_seed + worker_id``, runs ``worker_init_fn``, and then serves tasks from its own
index queue: ``(task_id, indices)`` in, ``(task_id, batch)`` out on the shared result queue. An exception
travels back as an ``ExceptionWrapper`` holding the worker's traceback as text, and the main process raises it.

Tensors cross the process boundary as numpy arrays: ``multiprocessing`` pickles what goes through a queue
with its own ``ForkingPickler``, and we register a reducer for ``autolab.Tensor`` there only. Plain
``pickle.dumps(tensor)`` still refuses (autolab never writes pickles to files; see ``autolab.save``).
"""

from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.reduction import ForkingPickler
from typing import Any

import numpy as np

import autolab

# How often (seconds) a waiting worker checks that its parent is still alive, and the main process that its
# workers are: PyTorch's MP_STATUS_CHECK_INTERVAL.
STATUS_CHECK_INTERVAL = 5.0


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: its ``id``, ``num_workers``, its ``seed`` and its
    copy of the ``dataset`` (an IterableDataset uses ``id`` and ``num_workers`` to pick its shard)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process: its ``WorkerInfo``. In the main process: None, as in PyTorch."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, with its traceback as text (tracebacks themselves do not pickle)."""

    def __init__(self, where: str) -> None:
        exc_type, exc, _ = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, exc.__traceback__))
        self.where = where

    def reraise(self) -> None:
        """Raise the same exception type in the main process, its message carrying the worker's traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)  # KeyError would repr() the message and mangle its newlines
        try:
            exception = self.exc_type(msg)
        except Exception:  # a type whose constructor wants other arguments
            exception = RuntimeError(msg)
        try:
            raise exception
        finally:
            # No frame -> exception -> traceback -> frame cycle: when the caller drops the exception, the
            # DataLoader iterator is freed at once and its workers stop.
            del exception


class KeyErrorMessage(str):
    def __repr__(self) -> str:
        return self


@dataclass
class IterableDatasetStopIteration:
    """A worker's stream is exhausted: the main process sends it no more tasks this epoch."""

    worker_id: int


@dataclass
class ResumeIteration:
    """A persistent worker starts a new epoch (it restarts its IterableDataset's iterator)."""


# --- tensors through the queues ------------------------------------------------------------------------------


def _rebuild_tensor(array: np.ndarray, requires_grad: bool):
    t = autolab.from_numpy(array)
    return t.requires_grad_() if requires_grad else t


def _reduce_tensor(t):
    array = t.detach().numpy() if t.requires_grad else t.numpy()
    return _rebuild_tensor, (np.ascontiguousarray(array), bool(t.requires_grad))


def register_tensor_reducers() -> None:
    """Let multiprocessing's pickler (and only it) send autolab tensors, as their numpy arrays."""
    ForkingPickler.register(autolab.Tensor, _reduce_tensor)
    nn = sys.modules.get("autolab.nn.parameter") or sys.modules.get("autolab.nn")
    parameter = getattr(nn, "Parameter", None)
    if parameter is not None:
        ForkingPickler.register(parameter, _reduce_tensor)


# --- seeding -------------------------------------------------------------------------------------------------


def numpy_seed_state(base_seed: int, worker_id: int) -> list[int]:
    """The four 32-bit words PyTorch seeds numpy's legacy global generator with in worker ``worker_id``
    (``torch.utils.data._utils.worker._generate_state``): a hash, so workers' numpy streams differ even
    though their seeds are consecutive."""
    init_a, mult_a, init_b, mult_b = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
    mix_mult_l, mix_mult_r, xshift, mask32 = 0xCA01F9DD, 0x4973F715, 16, 0xFFFFFFFF
    entropy = [worker_id, base_seed & mask32, base_seed >> 32, 0]
    hash_const_a = init_a

    def hash32(value: int) -> int:
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & mask32
        hash_const_a = (hash_const_a * mult_a) & mask32
        value = (value * hash_const_a) & mask32
        return (value ^ (value >> xshift)) & mask32

    def mix(x: int, y: int) -> int:
        result = ((mix_mult_l * x) & mask32) - ((mix_mult_r * y) & mask32)
        result &= mask32
        return (result ^ (result >> xshift)) & mask32

    pool = [hash32(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash32(pool[i_src]))
    hash_const_b, state = init_b, []
    for value in pool:
        value = (value ^ hash_const_b) & mask32
        hash_const_b = (hash_const_b * mult_b) & mask32
        value = (value * hash_const_b) & mask32
        state.append((value ^ (value >> xshift)) & mask32)
    return state


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Python's ``random``, numpy's global generator and autolab's as PyTorch's workers are seeded."""
    seed = base_seed + worker_id
    random.seed(seed)
    autolab.manual_seed(seed)  # the transforms and samplers draw from autolab's generator
    np.random.seed(numpy_seed_state(base_seed, worker_id))
    return seed


# --- fetching ------------------------------------------------------------------------------------------------


class _MapFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        getitems = getattr(self.dataset, "__getitems__", None)
        data = getitems(index) if callable(getitems) else [self.dataset[i] for i in index]
        return self.collate_fn(data)


class _IterableFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.iterator = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        data = []
        for _ in index:
            try:
                data.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def worker_loop(
    iterable: bool,
    dataset,
    index_queue,
    result_queue,
    auto_collation: bool,
    collate_fn,
    drop_last: bool,
    base_seed: int,
    init_fn,
    worker_id: int,
    num_workers: int,
) -> None:
    """The body of worker ``worker_id``: serve tasks until told to stop (None) or the parent is gone."""
    global _worker_info
    register_tensor_reducers()
    parent = os.getppid()
    try:
        seed = seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        fetcher_type = _IterableFetcher if iterable else _MapFetcher
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetcher_type(dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
        ended = False
        while True:
            try:
                task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:  # orphaned: the main process died without telling us
                    return
                continue
            if task is None:
                break
            if isinstance(task, ResumeIteration):
                result_queue.put((task, None))
                ended = False
                fetcher = fetcher_type(dataset, auto_collation, collate_fn, drop_last)
                continue
            if ended:
                continue
            task_id, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
                    else:
                        data, ended = IterableDatasetStopIteration(worker_id), True
                except Exception:
                    data = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
            result_queue.put((task_id, data))
            del data, task, index
    except KeyboardInterrupt:
        pass  # the main process gets it too and shuts us down
    result_queue.cancel_join_thread()  # exit even if the parent no longer reads what we put
