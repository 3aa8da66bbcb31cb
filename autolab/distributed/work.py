"""How a collective runs: started as a non-blocking MPI call, then polled until done, with a deadline.

Every rank must start the same collectives in the same order, so an operation is started (the non-blocking MPI
call, e.g. ``MPI_Iallreduce``) on the thread that asks for it, at once, in program order. Then:

- a blocking call (``all_reduce(t)``) polls it to completion on that thread: no thread hand-off, so small
  collectives cost what MPI costs;
- an asynchronous call (``async_op=True``, and every bucket DistributedDataParallel sends during backward) is
  handed to the group's worker thread, which keeps testing it, so MPI makes progress while the caller computes.
  mpi4py releases the GIL inside MPI, and autolab's kernels release it too, so the all-reduce of one bucket
  proceeds while backward computes the next. (PyTorch's MPI backend also runs one thread per process group.)

Waiting polls ``MPI_Test`` rather than blocking in ``MPI_Wait`` so that a wait can end: when a peer has crashed
or is stuck, the wait gives up at the group's timeout with an error that says so, instead of hanging forever.
After spinning briefly the poll sleeps between tests, so a rank waiting at a barrier leaves the cores to the
ranks that are still computing (this machine runs several ranks on two cores).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

SPIN_S = 0.002  # poll flat out this long (a small all-reduce completes within it) ...
SLEEP_S = 0.0002  # ... then sleep this long between polls


class DistTimeoutError(RuntimeError):
    """A collective did not complete within the process group's timeout (``init_process_group(timeout=...)``)."""


class Work:
    """The handle an ``async_op=True`` collective returns, as in PyTorch: ``wait()`` blocks until it is done.

    ``start_time`` and ``end_time`` (``time.perf_counter()`` seconds, None until known) say when MPI started and
    finished the operation: the dashboard draws DistributedDataParallel's buckets from them.
    """

    def __init__(
        self,
        name: str,
        seq: int,
        group: Any,
        start: Callable[[], Any],
        finish: Callable[[], Any] | None,
        status: Any = None,
    ) -> None:
        self.name, self.seq, self.group, self.status = name, seq, group, status
        self.source = -1  # recv: the rank the message came from
        self._start, self._finish = start, finish
        self._done = threading.Event()
        self._exception: BaseException | None = None
        self._result: list = []
        self.start_time: float | None = None
        self.end_time: float | None = None

    def _run(self, deadline: float) -> None:
        """Run to completion on this thread (a blocking call with nothing else in flight)."""
        request = self._begin()
        if request is not None:
            try:
                poll(request, deadline, self)
            except BaseException as e:  # noqa: BLE001
                self._exception = e
        self._complete()

    def _begin(self) -> Any:
        """Start the MPI call; returns its request (None if it failed to start: the error is kept)."""
        self.start_time = time.perf_counter()
        try:
            return self._start()
        except BaseException as e:  # noqa: BLE001  (handed to whoever waits)
            self._exception = e
            return None

    def _test(self, request: Any) -> bool:
        return request.Test(self.status) if self.status is not None else request.Test()

    def _complete(self) -> None:
        """Copy results into place (if the call succeeded) and wake whoever waits. Never raises."""
        try:
            if self._exception is None and self._finish is not None:
                self._result = self._finish() or []
        except BaseException as e:  # noqa: BLE001
            self._exception = e
        finally:
            self.end_time = time.perf_counter()
            self._done.set()

    def wait(self, timeout: Any = None) -> bool:
        """Block until the operation is done; raise its error, or a timeout error, if it failed."""
        limit = self.group.timeout.total_seconds() if timeout is None else _seconds(timeout)
        if not self._done.wait(limit + 1.0):  # the poller gives up at the deadline; this is only a backstop
            raise self.group._fail(timeout_message(self, limit))
        if self._exception is not None:
            raise self._exception
        return True

    def is_completed(self) -> bool:
        return self._done.is_set()

    def is_success(self) -> bool:
        return self._done.is_set() and self._exception is None

    def exception(self) -> BaseException | None:
        return self._exception

    def result(self) -> list:
        """The output tensors (after ``wait()``)."""
        self.wait()
        return list(self._result)

    def source_rank(self) -> int:
        """For a receive: the rank the message came from."""
        self.wait()
        return self.source

    def get_future(self) -> Future:
        return Future(self)

    def __repr__(self) -> str:
        state = "done" if self.is_completed() else "pending"
        return f"<Work {self.name} #{self.seq} {state}>"


class Future:
    """The small part of ``torch.futures.Future`` that a collective's result needs: wait, value, done, then."""

    def __init__(self, work: Work) -> None:
        self._work = work

    def wait(self) -> list:
        return self._work.result()

    def value(self) -> list:
        return self._work.result()

    def done(self) -> bool:
        return self._work.is_completed()

    def then(self, callback: Callable[[Future], Any]) -> Any:
        self._work.wait()
        return callback(self)


def _seconds(timeout: Any) -> float:
    return timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)


def timeout_message(work: Work, seconds: float) -> str:
    g = work.group
    return (
        f"Timed out after {seconds:.0f} s waiting for {work.name} (collective #{work.seq} of this process group) "
        f"on rank {g.rank()} of {g.size()}: another rank has not joined it. It may have crashed, be stuck, or be "
        "running different code (every rank must call the same collectives in the same order). This process "
        "group cannot be used any more: end the job, or restart the cluster."
    )


def poll(request: Any, deadline: float, work: Work) -> None:
    """Test ``request`` until it completes: spin for ``SPIN_S``, then sleep between tests; give up at ``deadline``."""
    started = time.monotonic()
    tests = 0
    while not work._test(request):
        tests += 1
        now = time.monotonic()
        if now - started < SPIN_S:
            if tests % 64 == 0:
                os.sched_yield()  # an oversubscribed machine: let the peer we wait for run
            continue
        if now > deadline:
            raise work.group._fail(timeout_message(work, work.group.timeout.total_seconds()))
        time.sleep(SLEEP_S)


class Worker:
    """Starts a process group's operations on the calling thread, in issue order, and completes them.

    Starting on the caller's thread keeps the order MPI needs (every rank starts the same collectives in the same
    order) and starts each operation at once, even while the caller is busy computing. A blocking call is then
    polled to completion on the caller's thread; an ``async_op`` one is handed to the worker thread, which tests
    everything in flight until it is done. Several operations may be in flight together: a pending ``irecv``
    must not hold up the ``send`` that completes another rank's, and DDP's buckets all progress at once.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._start_lock = threading.Lock()  # one start at a time: issue order is start order
        self._cond = threading.Condition()
        self._handed: list[tuple[Work, Any, float]] = []
        self._thread: threading.Thread | None = None
        self._stopped = False

    def submit(self, work: Work, deadline: float, inline: bool) -> None:
        with self._start_lock:
            if self._stopped:
                raise RuntimeError("this process group has been destroyed")
            request = work._begin()
        if request is None:  # it failed to start: the error is in the work
            work._complete()
        elif inline:
            try:
                poll(request, deadline, work)
            except BaseException as e:  # noqa: BLE001
                work._exception = e
            work._complete()
        else:
            with self._cond:
                self._handed.append((work, request, deadline))
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name=f"autolab-dist-{self.name}", daemon=True)
                    self._thread.start()
                self._cond.notify_all()

    def _loop(self) -> None:
        in_flight: list[tuple[Work, Any, float]] = []
        last_progress = time.monotonic()
        while True:
            with self._cond:
                while not in_flight and not self._handed and not self._stopped:
                    self._cond.wait()
                if self._stopped and not in_flight and not self._handed:
                    return
                in_flight += self._handed
                self._handed.clear()
            still = []
            for work, request, deadline in in_flight:
                try:
                    finished = work._test(request)
                    if not finished and time.monotonic() > deadline:
                        raise work.group._fail(timeout_message(work, work.group.timeout.total_seconds()))
                except BaseException as e:  # noqa: BLE001
                    work._exception, finished = e, True
                if finished:
                    work._complete()
                    last_progress = time.monotonic()
                else:
                    still.append((work, request, deadline))
            in_flight = still
            if in_flight and time.monotonic() - last_progress > SPIN_S:
                time.sleep(SLEEP_S)  # waiting for a slow peer: leave the cores to the ranks that compute
            elif in_flight:
                os.sched_yield()

    def stop(self) -> None:
        """Let what is in flight finish, then end the thread (destroy_process_group)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)
