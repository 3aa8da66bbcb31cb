"""Redraw at most every ``interval`` seconds, off the training thread.

Training emits an event per step (hundreds a second on a small model); redrawing a plot per event would spend
the time on drawing and make the page flicker. A ``Refresher`` only records that something changed
(``poke``, cheap, called from the training thread) and a daemon thread redraws when the interval has passed.
The last change is never lost: after a burst of events the thread draws once more (a "trailing" redraw).
"""

from __future__ import annotations

import threading
import time
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
    """Calls ``render()`` on its own thread, at most once per ``interval`` seconds, when ``poke()``-ed."""

    def __init__(
        self, render: Callable[[], None], interval: float = 1.0, on_error: Callable[[BaseException], None] | None = None
    ) -> None:
        self.render = render
        self.throttle = Throttle(interval)
        self.on_error = on_error
        self.renders = 0
        self._dirty = False
        self._closed = False
        self._cond = threading.Condition()
        self._render_lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="autolab-widget-refresh", daemon=True)
        self._thread.start()

    @property
    def interval(self) -> float:
        return self.throttle.interval

    def poke(self) -> None:
        """Something changed: redraw when the interval allows."""
        with self._cond:
            self._dirty = True
            self._cond.notify()

    def flush(self) -> None:
        """Redraw now if something changed (used when training ends, so the last state shows at once)."""
        with self._cond:
            dirty, self._dirty = self._dirty, False
        if dirty:
            self._render_now()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._dirty and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
            delay = self.throttle.wait_time()
            if delay > 0:
                time.sleep(delay)  # let more changes pile up: they are drawn together
            with self._cond:
                dirty, self._dirty = self._dirty, False
            if dirty:
                self._render_now()

    def _render_now(self) -> None:
        with self._render_lock:
            self.throttle.last = self.throttle.clock()
            self.renders += 1
            try:
                self.render()
            except Exception as exc:  # a broken plot must not kill the refresh thread
                if self.on_error is not None:
                    self.on_error(exc)
