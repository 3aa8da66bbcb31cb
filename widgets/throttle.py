"""Redraw at most every ``interval`` seconds.

Training emits an event per step; redrawing a plot per event would spend the time on drawing and make the page
flicker. A ``Refresher`` records that something changed (``poke``) and redraws only when the interval has
passed since the last redraw, *in the thread that pokes*: during training that is the training thread, between
two steps. Drawing there, rather than on a thread of its own, costs exactly the drawing time: a separate
drawing thread would hold the GIL while the training thread waits for it after every nogil kernel (a convoy
that, measured here, cost several times the drawing itself). The notebook's thread stays free either way.

Nothing is lost: a change that arrives inside the interval is drawn by a later ``poke`` or by ``flush()``,
which the dashboard calls whenever training pauses or ends.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Callable


class Throttle:
    """Decides whether enough time has passed since the last accepted call. Pure, so tests can drive the clock."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self.last = -float("inf")

    def ready(self) -> bool:
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            return True
        return False

    def wait_time(self) -> float:
        """Seconds until ``ready()`` would say yes."""
        return max(0.0, self.last + self.interval - self.clock())


class Refresher:
    """Calls ``render()`` when ``poke()``-ed, at most once per ``interval`` seconds, and on ``flush()``."""

    def __init__(
        self,
        render: Callable[[], None],
        interval: float = 1.0,
        on_error: Callable[[BaseException], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.render = render
        self.throttle = Throttle(interval, clock)
        self.on_error = on_error
        self.renders = 0
        self.dirty = False
        self._lock = threading.Lock()

    @property
    def interval(self) -> float:
        return self.throttle.interval

    def poke(self) -> None:
        """Something changed: redraw now if the interval has passed, else leave it for later."""
        self.dirty = True
        if self.throttle.ready():
            self._render_now()

    def flush(self) -> None:
        """Redraw now if something changed since the last redraw (training paused or ended, a toggle moved)."""
        if self.dirty:
            self.throttle.last = self.throttle.clock()
            self._render_now()

    def redraw(self) -> None:
        """Redraw now, whatever the interval: for a user's click, which should answer at once."""
        self.dirty = True
        self.flush()

    def close(self) -> None:
        self.dirty = False

    def _render_now(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # another thread is drawing this view right now: it will pick up this change or a later one
        try:
            self.dirty = False
            self.renders += 1
            self.render()
        except Exception as exc:  # a broken plot must not stop training
            if self.on_error is not None:
                self.on_error(exc)
            else:
                traceback.print_exc()
        finally:
            self._lock.release()
