"""One call, one dashboard: controls, status, loss curves, the live graph and the gradient view of a Trainer."""

from __future__ import annotations

import html
import time
import traceback
from typing import Any

import ipywidgets as W

from autolab.course.i18n import tr, translate
from autolab.training import Trainer

from .compat import colab_note
from .controls import Controls
from .curves import LossCurves
from .gradients import GradientView
from .graphview import GraphView

_COLORS = {
    "running": "#2e7d32",
    "paused": "#f9a825",
    "stopped": "#6d4c41",
    "finished": "#1565c0",
    "error": "#c62828",
    "idle": "#555555",
}


class Dashboard(W.VBox):
    """Everything about one training run. Build it with ``widgets.dashboard(...)``."""

    def __init__(self, trainer: Trainer, refresh: float = 1.0, graph: bool = True, gradients: bool = True) -> None:
        self.trainer = trainer
        self.controls = Controls(trainer)
        self.status = W.HTML()
        self.status.add_class("autolab-status")
        self.progress = W.HTML()
        self.progress.add_class("autolab-progress")
        self.curves = LossCurves(refresh=refresh)
        self.graph = GraphView(refresh=2 * refresh) if graph else None
        self.gradients = GradientView(trainer.model, refresh=3 * refresh) if gradients else None
        self.last_step: Any = None  # the latest StepEvent, for tests and curious users
        self._speed = (time.perf_counter(), 0)
        children: list[W.Widget] = [self.controls, self.status, self.progress, self.curves]
        tabs = [
            (w, title) for w, title in ((self.graph, tr("Graph")), (self.gradients, tr("Gradients"))) if w is not None
        ]
        for view, title in tabs:
            children += [W.HTML(f"<h4 style='margin:8px 0 2px'>{title}</h4>"), view]
        note = colab_note()
        if note:
            children.insert(0, W.HTML(note))
        super().__init__(children)
        for view in (self.curves, self.graph, self.gradients):
            if view is not None:
                view.refresher.on_error = self._display_error
        self.controls.on_error = self._control_failed
        self._set_status("idle", tr("Ready: press Start."))
        self._unsubscribe = trainer.subscribe(self.on_event)

    def on_event(self, event: Any) -> None:
        """Runs on the training thread: record, poke the throttled views, return quickly."""
        self.curves.on_event(event)
        if self.graph is not None:
            self.graph.on_event(event)
        if self.gradients is not None:
            self.gradients.on_event(event)
        if event.kind == "step":
            self.last_step = event
            t0, s0 = self._speed
            now = time.perf_counter()
            if now - t0 >= 1.0:  # the text is cheap but sending it per step would flood the page
                self._show_progress(event, (event.step - s0) / (now - t0))
                self._speed = (now, event.step)
        elif event.kind == "state":
            self.controls.on_event(event)
            self._set_status(event.state, event.message, event.traceback)
            if event.state == "running":
                self._speed = (time.perf_counter(), event.step)  # steps/s counts from here, not from Start's press
            else:
                if self.last_step is not None:
                    self._show_progress(self.last_step, None)
                self.flush()

    def _show_progress(self, event: Any, rate: float | None) -> None:
        hp = ", ".join(f"{k}={v:.3g}" for k, v in event.hparams.items())
        speed = " · " + tr("{rate:.1f} steps/s", rate=rate) if rate is not None else ""
        self.progress.value = tr(
            "epoch {epoch} · step {step} · loss {loss:.4f}{speed} · batch {batch} · {hp}",
            epoch=event.epoch,
            step=event.step,
            loss=event.loss,
            speed=speed,
            batch=event.batch_size,
            hp=hp,
        )

    def _set_status(self, state: str, message: str, tb: str = "") -> None:
        color = _COLORS.get(state, "#555555")
        text = (
            f"<span style='color:{color};font-weight:bold'>{html.escape(tr(state))}</span> "
            f"<span class='autolab-message'>{html.escape(translate(message))}</span>"
        )
        if tb:
            text += (
                f"<details open><summary>{tr('traceback')}</summary><pre class='autolab-traceback' "
                f"style='font-size:11px;max-height:240px;overflow:auto'>{html.escape(tb)}</pre></details>"
            )
        self.status.value = text

    def _control_failed(self, button: str, exc: BaseException) -> None:
        """A button's action raised (e.g. Start while another Trainer trains this model): show it, with the
        traceback, where the student is looking."""
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self._set_status(
            self.trainer.state,
            tr("{button} failed: {error}", button=tr(button.capitalize()), error=f"{type(exc).__name__}: {exc}"),
            tb,
        )

    def _display_error(self, exc: BaseException) -> None:
        """A view failed to draw: say so under the status line; training goes on."""
        self.progress.value = (
            f"<span style='color:#c62828'>{html.escape(tr('a view failed to draw: {error}', error=repr(exc)))}</span>"
        )

    def flush(self) -> None:
        """Draw every view now (training ended: the last state should show without waiting)."""
        for view in (self.curves, self.graph, self.gradients):
            if view is not None:
                view.refresher.flush()

    def close(self) -> None:
        self._unsubscribe()
        self.trainer.stop(wait=False)
        for view in (self.curves, self.graph, self.gradients):
            if view is not None:
                view.close()
        super().close()


def dashboard(
    model: Any,
    optimizer: Any,
    loss_fn: Any,
    train_loader: Any,
    val_loader: Any = None,
    *,
    epochs: int = 10,
    refresh: float = 1.0,
    graph: bool = True,
    gradients: bool = True,
    start: bool = False,
    **trainer_options: Any,
) -> Dashboard:
    """A live training dashboard: curves, graph, gradients and controls around an ``autolab.training.Trainer``.

    >>> dash = widgets.dashboard(model, optimizer, nn.CrossEntropyLoss(), train_loader, val_loader, epochs=5)
    >>> dash                     # press Start, or dash.trainer.start()

    ``refresh`` is the seconds between redraws of the curves (the graph redraws every 2x, gradients every 3x).
    """
    trainer = Trainer(model, optimizer, loss_fn, train_loader, val_loader, epochs=epochs, **trainer_options)
    dash = Dashboard(trainer, refresh=refresh, graph=graph, gradients=gradients)
    if start:
        trainer.start()
    return dash
