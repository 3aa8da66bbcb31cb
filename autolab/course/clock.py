"""How long a training run took, measured from the trainer's own state events (pauses excluded)."""

from __future__ import annotations

import threading
import time
from typing import Any


class TrainingClock:
    """Seconds that ``trainer`` (an ``autolab.training.Trainer``) has spent in the "running" state.

    The notebooks start training in a background thread, so the sliders stay live; a wall clock around the
    cell would then also count the time a student waits before running the next cell, or a pause.
    """

    def __init__(self, trainer: Any) -> None:
        self._lock = threading.Lock()
        self._done = 0.0
        self._since: float | None = None
        self.unsubscribe = trainer.subscribe(self._on_event)

    def _on_event(self, event: Any) -> None:
        if getattr(event, "kind", None) != "state":
            return
        now = time.perf_counter()
        with self._lock:
            if event.state == "running":
                if self._since is None:
                    self._since = now
            elif self._since is not None:
                self._done += now - self._since
                self._since = None

    @property
    def seconds(self) -> float:
        with self._lock:
            running = time.perf_counter() - self._since if self._since is not None else 0.0
            return self._done + running

    @property
    def minutes(self) -> float:
        return self.seconds / 60
