"""A small training loop that reports what it does, and can be steered while it runs.

``Trainer.fit()`` trains in the calling thread; ``Trainer.start()`` trains in a background thread so a notebook
stays responsive (the numba kernels release the GIL). Either way the loop only changes course *between* two
steps: a new learning rate, a pause or a stop never lands in the middle of ``optimizer.step()``, so the model
always holds the weights of a whole number of steps.
"""

from __future__ import annotations

import copy
import math
import numbers
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from ..autograd.grad_mode import no_grad
from . import stats as _stats
from .control import RunControl, Stop
from .events import EpochEvent, EvalEvent, EventBus, ForwardEvent, Listener, StepEvent

HPARAMS = ("lr", "momentum", "weight_decay")


class Trainer(RunControl):
    """Train ``model`` with ``optimizer`` on ``loss_fn(model(x), y)``, emitting events (see ``events.py``).

    >>> from autolab.utils.data import DataLoader, TensorDataset
    >>> train_loader = DataLoader(TensorDataset(autolab.randn(32, 4), autolab.randint(0, 2, (32,))), batch_size=8)
    >>> model = nn.Linear(4, 2)
    >>> optimizer = optim.SGD(model.parameters(), lr=0.1)
    >>> trainer = Trainer(model, optimizer, nn.CrossEntropyLoss(), train_loader, None, epochs=2)
    >>> unsubscribe = trainer.subscribe(lambda e: print(e.kind, e.epoch) if e.kind == "epoch" else None)
    >>> trainer.fit()  # doctest: +ELLIPSIS
    epoch ...
    epoch ...

    How runs start and end, and what ``stop()`` and ``reset()`` guarantee: ``control.py``.
    """

    def __init__(
        self,
        model: Any,
        optimizer: Any,
        loss_fn: Callable[[Any, Any], Any],
        train_loader: Any,
        val_loader: Any = None,
        *,
        epochs: int = 10,
        stats_every: int = 5,
        loader_factory: Callable[[Any, int], Any] | None = None,
    ) -> None:
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.train_loader, self.val_loader = train_loader, val_loader
        self.epochs = _count("epochs", epochs)
        self.stats_every = _count("stats_every", stats_every)
        self.loader_factory = loader_factory or rebuild_loader
        self.events = EventBus()
        self.step = 0  # optimizer steps done since the last reset
        self.epoch = 0  # epochs completed
        self._pending: dict[str, float] = {}
        self._pending_batch_size: int | None = None
        self._lock = threading.Lock()
        self._init_control()
        self._initial_model = _copy_state(model.state_dict())
        self._initial_optimizer = copy.deepcopy(optimizer.state_dict()) if hasattr(optimizer, "state_dict") else None

    # ---- observing -------------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on the training thread for every event; returns an unsubscribe function.

        A listener that raises ends the run in the "error" state (the other listeners still get the event).
        """
        return self.events.subscribe(listener)

    @property
    def hparams(self) -> dict[str, float]:
        """The optimizer's current lr / momentum / weight_decay (first param group), plus the batch size."""
        group = self.optimizer.param_groups[0]
        values = {k: float(group[k]) for k in HPARAMS if k in group}
        values["batch_size"] = int(getattr(self.train_loader, "batch_size", 0) or 0)
        return values

    # ---- steering (any thread) -------------------------------------------------------------------------
    def set_hparams(self, **values: float) -> None:
        """Change lr, momentum or weight_decay; the next step uses them (now, when training is not running)."""
        unknown = set(values) - set(HPARAMS)
        if unknown:
            raise ValueError(f"unknown hyperparameter(s) {sorted(unknown)}; expected some of {HPARAMS}")
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{key} must be a number, got {type(value).__name__}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"Invalid {key} value: {value} (it must be a finite number >= 0)")
        with self._lock:
            self._pending.update({k: float(v) for k, v in values.items()})
        if not self.running:
            self._apply_pending_hparams()

    def set_batch_size(self, batch_size: int) -> None:
        """Use batches of ``batch_size`` from the next epoch on (the current epoch's batches are already cut)."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        with self._lock:
            self._pending_batch_size = int(batch_size)
        if not self.running:
            self._apply_pending_batch_size()

    def reset(self) -> None:
        """Stop (waiting for the run to end), then put back the initial weights and optimizer state, and count
        steps from 0 again. Refused while another Trainer trains the same model."""
        self._refuse_on_training_thread("reset")
        with self._control:
            self.stop(wait=True)
            self._claim()
            try:
                self.model.load_state_dict(_copy_state(self._initial_model))
                if self._initial_optimizer is not None:
                    self.optimizer.load_state_dict(copy.deepcopy(self._initial_optimizer))
                self._apply_pending_hparams()  # slider values chosen by the user outlive a reset
                for p in self.model.parameters():
                    p.grad = None
                self.step = self.epoch = 0
                self.error, self.error_traceback = None, ""
            finally:
                self._release()
            self._emit_state("idle", reason="reset", message="Reset to the initial weights.")

    # ---- running -----------------------------------------------------------------------------------------
    def fit(self, epochs: int | None = None) -> Trainer:
        """Train in this thread; an exception that ends the run is raised here (after the "error" event).

        In the main thread, Ctrl-C (or Jupyter's interrupt) stops after the current step.
        """
        self._refuse_on_training_thread("fit")
        with self._control:
            self._begin()
            self._runner, self._thread = threading.current_thread(), None
        if threading.current_thread() is not threading.main_thread():
            error = self._main(epochs)
        else:
            previous = signal.getsignal(signal.SIGINT)

            def interrupted(signum: int, frame: Any) -> None:
                self._interrupted = True
                self._stop.set()
                signal.signal(signal.SIGINT, previous)  # a second Ctrl-C interrupts at once

            signal.signal(signal.SIGINT, interrupted)
            try:
                error = self._main(epochs)
            finally:
                signal.signal(signal.SIGINT, previous)
        if error is not None:
            raise error
        return self

    def _run_epochs(self, epochs: int | None) -> str:
        target = self.epoch + (_count("epochs", epochs) if epochs is not None else self.epochs)
        while self.epoch < target:
            self._run_epoch()
        return f"Finished {self.epoch} epochs ({self.step} steps)."

    def _run_epoch(self) -> None:
        self._apply_pending_batch_size()
        self.model.train()
        started, loss_sum, correct_sum, samples, scored = time.perf_counter(), 0.0, 0, 0, True
        for batch_index, (x, y) in enumerate(self.train_loader):
            self._between_steps()
            loss, correct, n = self._train_step(x, y, batch_index)
            loss_sum += loss * n
            samples += n
            if correct is None:
                scored = False
            else:
                correct_sum += correct
        self._between_steps()  # a stop requested during the last batch wins over the evaluation
        self.epoch += 1
        self.events.emit(
            EpochEvent(
                epoch=self.epoch,
                step=self.step,
                train_loss=loss_sum / max(samples, 1),
                train_accuracy=correct_sum / samples if scored and samples else None,
                samples=samples,
                seconds=time.perf_counter() - started,
            )
        )
        if self.val_loader is not None:
            self.evaluate()

    def _train_step(self, x: Any, y: Any, batch_index: int) -> tuple[float, int | None, int]:
        self._apply_pending_hparams()
        self.optimizer.zero_grad()
        output = self.model(x)
        loss = self.loss_fn(output, y)
        value = float(loss.item())
        if not math.isfinite(value):
            lr = self.optimizer.param_groups[0].get("lr", float("nan"))
            raise Stop(
                "nan",
                (
                    f"The loss became {value} at step {self.step + 1} (epoch {self.epoch + 1}), so training stopped "
                    f"before applying that step. The learning rate {lr:g} is probably too large: try a smaller one "
                    f"(for example {lr / 10:g}), then Reset."
                ),
            )
        self.events.emit(ForwardEvent(epoch=self.epoch + 1, step=self.step + 1, loss=loss, model=self.model))
        loss.backward()
        want_stats = self.stats_every > 0 and (self.step + 1) % self.stats_every == 0
        if want_stats:
            named = list(self.model.named_parameters())
            norms, before = _stats.grad_norms(named), _stats.snapshot(named)
        self.optimizer.step()
        self.step += 1
        step_stats = _stats.StepStats(norms, _stats.update_ratios(before, named)) if want_stats else None
        correct = _stats.count_correct(output, y)
        n = len(y)
        group = self.optimizer.param_groups[0]
        self.events.emit(
            StepEvent(
                epoch=self.epoch + 1,
                step=self.step,
                batch=batch_index,
                loss=value,
                batch_size=n,
                correct=correct,
                hparams={k: float(group[k]) for k in HPARAMS if k in group},
                stats=step_stats,
            )
        )
        return value, correct, n

    def evaluate(self, loader: Any = None) -> EvalEvent:
        """Loss and accuracy over ``loader`` (the validation loader by default), without recording a graph.

        Refused while the model trains in the background; during a run, a stop lands between two batches.
        """
        if loader is None and self.val_loader is None:
            raise ValueError("evaluate() needs a loader: pass one, or give the Trainer a val_loader")
        if self._on_training_thread():
            return self._evaluate(loader)
        with self._control:
            if self.running:
                raise RuntimeError("evaluate() while training runs would share the model with it; stop() it first")
            self._claim()
            try:
                return self._evaluate(loader)
            finally:
                self._release()

    def _evaluate(self, loader: Any) -> EvalEvent:
        loader = loader if loader is not None else self.val_loader
        during_run = self._on_training_thread()
        self.model.eval()
        loss_sum, correct_sum, samples, scored = 0.0, 0, 0, True
        try:
            with no_grad():
                for x, y in loader:
                    if during_run:
                        self._between_steps()
                    output = self.model(x)
                    n = len(y)
                    loss_sum += float(self.loss_fn(output, y).item()) * n
                    correct = _stats.count_correct(output, y)
                    scored = scored and correct is not None
                    correct_sum += correct or 0
                    samples += n
        finally:
            self.model.train()
        event = EvalEvent(
            epoch=self.epoch,
            step=self.step,
            val_loss=loss_sum / max(samples, 1),
            val_accuracy=correct_sum / samples if scored and samples else None,
            samples=samples,
        )
        self.events.emit(event)
        return event

    # ---- helpers -------------------------------------------------------------------------------------------
    def _apply_pending_hparams(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for group in self.optimizer.param_groups:
            for key, value in pending.items():
                if key in group:  # Adam has no momentum: a momentum slider does nothing there
                    group[key] = value

    def _apply_pending_batch_size(self) -> None:
        with self._lock:
            size, self._pending_batch_size = self._pending_batch_size, None
        if size is not None and size != getattr(self.train_loader, "batch_size", None):
            self.train_loader = self.loader_factory(self.train_loader, size)


def rebuild_loader(loader: Any, batch_size: int) -> Any:
    """A DataLoader like ``loader`` (same dataset, shuffling, generator, collate) with another batch size."""
    shuffle = getattr(loader, "shuffle", None)
    if shuffle is None:
        shuffle = type(getattr(loader, "sampler", None)).__name__ == "RandomSampler"
    return type(loader)(
        loader.dataset,
        batch_size=batch_size,
        shuffle=shuffle,
        generator=getattr(loader, "generator", None),
        drop_last=getattr(loader, "drop_last", False),
        collate_fn=getattr(loader, "collate_fn", None),
    )


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def _copy_state(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v.detach().clone() if hasattr(v, "detach") else copy.deepcopy(v) for k, v in state.items()}
