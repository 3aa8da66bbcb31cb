"""How a training run starts, pauses and ends, and who may touch the model meanwhile.

The rules (docs/reliability.md, "Training"), each checked by a hypothesis state machine in
tests/widgets/test_trainer_state_machine.py:

- One run at a time per Trainer, and one Trainer at a time per model: ``start()``, ``fit()``, ``reset()`` and a
  stand-alone ``evaluate()`` take the Trainer's control lock and claim the model's parameters; a second one
  waits for the lock or is refused with a RuntimeError that says why.
- ``state`` is "running" or "paused" exactly while a run is in progress; every run ends in "finished",
  "stopped" or "error", whatever ends it (a listener or model raising anything, SystemExit and
  KeyboardInterrupt included), and the error's traceback comes with the "error" event.
- ``stop()`` and ``reset()`` return only once the run's thread has emitted its last event and is gone; so
  no event of a run can arrive after the "idle" event of a reset.
"""

from __future__ import annotations

import threading
import traceback
from typing import Any

from .events import EventBus, StateEvent

RUNNING = ("running", "paused")
ENDED = ("finished", "stopped", "error")

_claims_lock = threading.Lock()
_claims: dict[int, Any] = {}  # id(parameter or model) -> the RunControl using it


class Stop(Exception):
    """Raised inside the loop to leave it between two steps: ``Stop(reason, message)``."""


class RunControl:
    """The life cycle of a Trainer's runs. ``Trainer`` adds the training itself (``_run_epochs``)."""

    model: Any
    events: EventBus

    def _init_control(self) -> None:
        self.state = "idle"
        self.error: BaseException | None = None  # what ended the last run, when it ended in "error"
        self.error_traceback = ""
        self._control = threading.RLock()  # start / fit / reset / stop-and-wait: one at a time
        self._state_lock = threading.Lock()  # ``state`` and the run's flags change together
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._idle = threading.Event()  # set while no run is in progress
        self._idle.set()
        self._runner: threading.Thread | None = None  # the thread running the current (or last) run
        self._thread: threading.Thread | None = None  # the background thread of start(), if that is the runner
        self._claimed: list[int] = []
        self._interrupted = False

    # ---- public controls ------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True from ``start()`` / ``fit()`` until the run has emitted its last event."""
        return not self._idle.is_set()

    def start(self, epochs: int | None = None) -> threading.Thread:
        """Train in a background thread (continuing from the current step); returns the thread."""
        self._refuse_on_training_thread("start")
        with self._control:
            self._begin()
            thread = threading.Thread(target=self._main, args=(epochs,), name="autolab-training", daemon=True)
            self._runner = self._thread = thread
            thread.start()
        return thread

    def pause(self) -> None:
        """Hold training after the current step (a no-op unless running)."""
        with self._state_lock:
            if self.state == "running":
                self._resume.clear()

    def resume(self) -> None:
        self._resume.set()

    def stop(self, wait: bool = True, timeout: float | None = None) -> None:
        """Stop after the current step (or evaluation batch). With ``wait``, return once the run has ended and
        its thread is gone; raises TimeoutError if that takes more than ``timeout`` seconds.

        Called from a listener (on the training thread) it never waits: the run ends after that event.
        """
        self._stop.set()
        self._resume.set()
        if not wait or self._on_training_thread():
            return
        with self._control:
            self._wait_idle(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the current run to end; True once it has (and its thread is gone)."""
        if not self._idle.wait(timeout):
            return False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # ---- how a run begins and ends -----------------------------------------------------------------------
    def _begin(self) -> None:
        """Called with ``_control`` held: check that a run may start, claim the model, set "running"."""
        if self.running:
            raise RuntimeError("training is already running; pause(), resume() or stop() it")
        if self._thread is not None:
            self._thread.join()  # the last run's thread has emitted its last event: let it end
        self._claim()
        self._stop.clear()
        self._resume.set()
        self._interrupted = False
        self.error, self.error_traceback = None, ""
        with self._state_lock:
            self.state = "running"
            self._idle.clear()

    def _main(self, epochs: int | None) -> BaseException | None:
        """One run, on whichever thread runs it. Returns the exception that ended it, if any."""
        error: BaseException | None = None
        try:
            try:
                self._emit_state("running", message=f"Training from step {self.step}.")  # type: ignore[attr-defined]
                message = self._run_epochs(epochs)
                final = ("finished", "done", message)
            except Stop as stop:
                final = ("stopped", *stop.args)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the run must not vanish
                error = exc
                self.error, self.error_traceback = exc, traceback.format_exc()
                final = ("error", "exception", f"{type(exc).__name__}: {exc}")
            finally:
                self.model.train()
            error = self._end(*final) or error
        finally:
            self._release()
            self._idle.set()
        return error

    def _end(self, state: str, reason: str, message: str) -> BaseException | None:
        """Emit the run's last state; a listener raising on it turns the run into an "error" (reported too)."""
        tb = self.error_traceback if state == "error" else ""
        try:
            self._emit_state(state, reason=reason, message=message, tb=tb)
        except BaseException as exc:
            if state == "error":
                return None  # the run's own error is what matters; every listener has seen it
            self.error, self.error_traceback = exc, traceback.format_exc()
            try:
                self._emit_state(
                    "error",
                    reason="exception",
                    message=f"A listener failed on the '{state}' event: {type(exc).__name__}: {exc}",
                    tb=self.error_traceback,
                )
            except BaseException:
                pass  # the state is "error" and every listener has been called
            return exc
        return None

    def _emit_state(self, state: str, reason: str = "", message: str = "", tb: str = "") -> None:
        with self._state_lock:
            self.state = state
        self.events.emit(StateEvent(state=state, step=self.step, reason=reason, message=message, traceback=tb))  # type: ignore[attr-defined]

    def _between_steps(self) -> None:
        """Where a pause or a stop lands: between two steps, or two evaluation batches."""
        if not self._resume.is_set() and not self._stop.is_set():
            self._emit_state("paused", message=f"Paused after step {self.step}.")  # type: ignore[attr-defined]
            self._resume.wait()
            if not self._stop.is_set():
                self._emit_state("running", message=f"Resumed at step {self.step}.")  # type: ignore[attr-defined]
        if self._stop.is_set():
            if self._interrupted:
                raise Stop("interrupt", f"Interrupted: stopped cleanly after step {self.step}.")  # type: ignore[attr-defined]
            raise Stop("user", f"Stopped after step {self.step}; the model holds the weights of that step.")  # type: ignore[attr-defined]

    def _wait_idle(self, timeout: float | None) -> None:
        if not self.join(timeout):
            raise TimeoutError(
                f"the training thread is still running after {timeout} s; it stops after the current step "
                "(a listener or model that blocks keeps it alive)"
            )

    def _on_training_thread(self) -> bool:
        return self.running and threading.current_thread() is self._runner

    def _refuse_on_training_thread(self, name: str) -> None:
        if self._on_training_thread():
            raise RuntimeError(
                f"{name}() was called on the training thread (from a listener or the model) while training runs; "
                "call stop() there instead: the run ends after this step"
            )

    # ---- one Trainer per model ------------------------------------------------------------------------------
    def _claim(self) -> None:
        """Mark the model's parameters as ours, or refuse if another Trainer holds any of them."""
        ids = [id(self.model), *(id(p) for p in self.model.parameters())]
        with _claims_lock:
            other = next((_claims[i] for i in ids if _claims.get(i, self) is not self), None)
            if other is not None:
                raise RuntimeError(
                    "this model is being trained by another Trainer: two Trainers cannot train (or reset) one model "
                    "at once; stop() the other one first"
                )
            for i in ids:
                _claims[i] = self
            self._claimed = ids

    def _release(self) -> None:
        with _claims_lock:
            for i in self._claimed:
                if _claims.get(i) is self:
                    del _claims[i]
            self._claimed = []
