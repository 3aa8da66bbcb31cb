"""What the training loop tells its observers.

The loop in ``loop.py`` never knows who watches it: a dashboard, a progress printer, a test. Each event is a
small immutable record; observers must treat them as read-only and return quickly, because they run on the
training thread between two steps. A listener that raises ends the run in the "error" state, with its traceback;
the other listeners still receive the event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .stats import StepStats


@dataclass(frozen=True)
class ForwardEvent:
    """The loss of a step is computed and ``backward`` has not run yet.

    The only event that carries live tensors: an observer may walk ``loss.grad_fn`` or register tensor hooks
    (the graph view does, to read the gradient arriving at each layer). It must not keep them past the step.
    """

    epoch: int
    step: int
    loss: Any
    model: Any
    kind: str = "forward"


@dataclass(frozen=True)
class StepEvent:
    """One optimizer step is done. ``hparams`` are the values this step used (first param group)."""

    epoch: int
    step: int  # counts from 1 over the whole run
    batch: int  # index of the batch within the epoch
    loss: float
    batch_size: int
    correct: int | None  # right predictions in the batch, when the output looks like class scores
    hparams: dict[str, float]
    stats: StepStats | None  # gradient statistics, every ``stats_every`` steps
    kind: str = "step"


@dataclass(frozen=True)
class EpochEvent:
    epoch: int
    step: int
    train_loss: float  # mean over the epoch's samples
    train_accuracy: float | None
    samples: int
    seconds: float
    kind: str = "epoch"


@dataclass(frozen=True)
class EvalEvent:
    epoch: int
    step: int
    val_loss: float
    val_accuracy: float | None
    samples: int
    kind: str = "evaluation"


@dataclass(frozen=True)
class StateEvent:
    """The loop changed state: running, paused, stopped, finished or error.

    ``reason`` says why it stopped ("user", "interrupt", "nan", "exception", "done"); ``message`` is meant for
    a human; ``traceback`` is set when an exception ended training.
    """

    state: str
    step: int
    reason: str = ""
    message: str = ""
    traceback: str = ""
    kind: str = "state"


Event = ForwardEvent | StepEvent | EpochEvent | EvalEvent | StateEvent
Listener = Callable[[Event], None]


@dataclass
class EventBus:
    """A list of listeners, safe to subscribe to from one thread while another emits."""

    _listeners: list[Listener] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` for every event; returns a function that unsubscribes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: Event) -> None:
        """Call every listener, even when one raises; then raise the first error (the Trainer reports it)."""
        with self._lock:
            listeners = list(self._listeners)
        error: BaseException | None = None
        for listener in listeners:
            try:
                listener(event)
            except BaseException as exc:  # noqa: B036 -- SystemExit from a listener must end the run visibly too
                error = error or exc
        if error is not None:
            raise error

    def wants_forward(self) -> bool:
        return bool(self._listeners)
