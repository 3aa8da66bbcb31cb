"""The main process's side of ``DataLoader(num_workers=N)``: hand out tasks, put the batches back in order.

Each worker has its own index queue; all share one result queue. The iterator keeps
``prefetch_factor * num_workers`` tasks in flight, round-robin over the workers, and numbers them, so that
batches come out in the sampler's order even when a later one is ready first (``in_order=False`` yields each
as it arrives). This is PyTorch's ``_MultiProcessingDataLoaderIter``, without pinned or shared memory.

Shutdown: at the end of an epoch (unless ``persistent_workers``), when the iterator is garbage-collected, or
when the loader is: each worker gets ``None``, is joined, and terminated if it does not exit in time.
"""

from __future__ import annotations

import multiprocessing
import queue
from typing import Any

from ._rng import numpy_rng
from ._worker import (
    STATUS_CHECK_INTERVAL,
    ExceptionWrapper,
    IterableDatasetStopIteration,
    ResumeIteration,
    register_tensor_reducers,
    worker_loop,
)


def _context(multiprocessing_context):
    if multiprocessing_context is None:
        return multiprocessing.get_context()
    if isinstance(multiprocessing_context, str):
        if multiprocessing_context not in multiprocessing.get_all_start_methods():
            raise ValueError(
                "multiprocessing_context option should specify a valid start method in "
                f"{multiprocessing.get_all_start_methods()!r}, but got multiprocessing_context={multiprocessing_context!r}"
            )
        return multiprocessing.get_context(multiprocessing_context)
    if not isinstance(multiprocessing_context, multiprocessing.context.BaseContext):
        raise TypeError(
            "multiprocessing_context option should be a valid context object or a string specifying the start "
            f"method, but got multiprocessing_context={multiprocessing_context}"
        )
    return multiprocessing_context


class MultiProcessingIter:
    """One epoch over the loader's batches, loaded by worker processes."""

    def __init__(self, loader) -> None:
        register_tensor_reducers()
        # Copies of what we need, not the loader itself: a loader that kept its (persistent) iterator and an
        # iterator that kept its loader would be a cycle, and `del loader` would not stop the workers.
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor if loader.prefetch_factor is not None else 2
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._persistent = loader.persistent_workers
        self._iterable = loader._iterable
        ctx = _context(loader.multiprocessing_context)
        # One seed per iterator, drawn like PyTorch's from the loader's generator (or the global one).
        self._base_seed = int(numpy_rng(loader.generator).integers(0, 2**63 - 1))
        self._result_queue = ctx.Queue()
        self._index_queues, self._workers = [], []
        for worker_id in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()
            worker = ctx.Process(
                target=worker_loop,
                args=(
                    self._iterable,
                    loader.dataset,
                    index_queue,
                    self._result_queue,
                    loader._auto_collation,
                    loader.collate_fn,
                    loader.drop_last,
                    self._base_seed,
                    loader.worker_init_fn,
                    worker_id,
                    self._num_workers,
                ),
                daemon=True,  # never outlive the main process
            )
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        self._shutdown = False
        self._reset(first_epoch=True)

    # --- one epoch -------------------------------------------------------------------------------------------

    def _reset(self, first_epoch: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._send_idx = 0  # the next task's number
        self._rcvd_idx = 0  # the next task to yield
        self._task_info: dict[int, tuple] = {}  # task -> (worker,) while pending, (worker, data) once here
        self._tasks_outstanding = 0
        self._workers_active = [True] * self._num_workers
        self._worker_cycle = 0
        if not first_epoch:  # persistent workers: tell each a new epoch starts, and wait for all to answer
            for q in self._index_queues:
                q.put(ResumeIteration())
            answered = 0
            while answered < self._num_workers:
                task_id, _ = self._get_data()
                if isinstance(task_id, ResumeIteration):
                    answered += 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next worker whose stream has not ended
            worker_id = self._worker_cycle % self._num_workers
            self._worker_cycle += 1
            if self._workers_active[worker_id]:
                break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _get_data(self) -> tuple[Any, Any]:
        """The next (task, data) from any worker; raises if a worker died or ``timeout`` passed."""
        if self._timeout > 0:
            try:
                return self._result_queue.get(timeout=self._timeout)
            except queue.Empty:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
        while True:
            try:
                return self._result_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                dead = [w for w in self._workers if not w.is_alive()]
                if dead:
                    pids = ", ".join(str(w.pid) for w in dead)
                    self._shutdown_workers()
                    raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from None

    def _process(self, data):
        self._tasks_outstanding -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            # Skip tasks whose worker's stream ended (their results will never come).
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_active[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2 and self._in_order:
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process(info[1])
            task_id, data = self._get_data()
            if isinstance(data, IterableDatasetStopIteration):
                self._workers_active[data.worker_id] = False
                self._tasks_outstanding -= 1
                self._task_info.pop(task_id, None)
                continue
            if task_id == self._rcvd_idx or not self._in_order:
                del self._task_info[task_id]
                if task_id == self._rcvd_idx:
                    self._rcvd_idx += 1
                return self._process(data)
            self._task_info[task_id] += (data,)  # early: keep it until its turn

    # --- shutdown --------------------------------------------------------------------------------------------

    def _shutdown_workers(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        for q in self._index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        for w in self._workers:
            w.join(timeout=STATUS_CHECK_INTERVAL)
            if w.is_alive():
                w.terminate()
                w.join()
        for q in (*self._index_queues, self._result_queue):
            q.cancel_join_thread()
            q.close()

    def __del__(self) -> None:
        try:
            self._shutdown_workers()
        except Exception:  # interpreter shutdown: modules may already be gone
            pass
