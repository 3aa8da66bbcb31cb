"""Live curves of train and validation loss and accuracy, with smoothing and a log-scale toggle."""

from __future__ import annotations

import threading

import ipywidgets as W
import numpy as np

from autolab.course.i18n import tr

from .svgplot import COLORS, Series, line_chart
from .throttle import Refresher

MAX_POINTS = 2000


def ema(values: np.ndarray, smoothing: float) -> np.ndarray:
    """Exponential moving average with bias correction (TensorBoard's smoothing), so the start is not dragged to 0."""
    if smoothing <= 0 or len(values) == 0:
        return np.asarray(values, dtype=np.float64)
    out = np.empty(len(values))
    avg = 0.0
    for i, v in enumerate(values):
        avg = smoothing * avg + (1 - smoothing) * v
        out[i] = avg / (1 - smoothing ** (i + 1))
    return out


class LossCurves(W.VBox):
    """Train loss per step (raw, faint, and smoothed), validation loss per evaluation, and both accuracies.

    Feed it with ``add_step``, ``add_eval`` (or ``observe(event)`` with autolab.training events); it redraws at
    most once per ``refresh`` seconds.
    """

    def __init__(self, refresh: float = 1.0, smoothing: float = 0.6, log_scale: bool = False) -> None:
        self.smoothing = W.FloatSlider(
            value=smoothing, min=0.0, max=0.99, step=0.01, description=tr("Smoothing"), continuous_update=False
        )
        self.log_scale = W.Checkbox(value=log_scale, description=tr("Log scale"), indent=False)
        self.plot = W.HTML()
        self.plot.add_class("autolab-loss-plot")
        super().__init__([W.HBox([self.smoothing, self.log_scale]), self.plot])
        self._lock = threading.Lock()
        self.clear()
        self.refresher = Refresher(self.render, refresh)
        self.smoothing.observe(lambda _: self.refresher.redraw(), "value")
        self.log_scale.observe(lambda _: self.refresher.redraw(), "value")

    def clear(self) -> None:
        with self._lock:
            self.steps: list[int] = []
            self.losses: list[float] = []
            self.accuracy: list[float] = []  # per step, nan where the model is not a classifier
            self.val_steps: list[int] = []
            self.val_losses: list[float] = []
            self.val_accuracy: list[float] = []

    def add_step(self, step: int, loss: float, accuracy: float | None = None) -> None:
        with self._lock:
            self.steps.append(step)
            self.losses.append(loss)
            self.accuracy.append(np.nan if accuracy is None else accuracy)
        self.refresher.poke()

    def add_eval(self, step: int, loss: float, accuracy: float | None = None) -> None:
        with self._lock:
            self.val_steps.append(step)
            self.val_losses.append(loss)
            self.val_accuracy.append(np.nan if accuracy is None else accuracy)
        self.refresher.poke()

    def on_event(self, event) -> None:
        """Listener for ``Trainer.subscribe``."""
        if event.kind == "step":
            acc = event.correct / event.batch_size if event.correct is not None else None
            self.add_step(event.step, event.loss, acc)
        elif event.kind == "evaluation":
            self.add_eval(event.step, event.val_loss, event.val_accuracy)

    def svg(self) -> str:
        """Both charts as SVG text (see svgplot.py: a redraw costs about a millisecond)."""
        with self._lock:
            steps, losses, acc = np.array(self.steps), np.array(self.losses), np.array(self.accuracy)
            vsteps, vlosses, vacc = np.array(self.val_steps), np.array(self.val_losses), np.array(self.val_accuracy)
        s = self.smoothing.value
        keep = slice(None, None, max(1, len(steps) // MAX_POINTS))  # a chart 320 px wide needs no more points
        loss_series = [
            Series(steps[keep], losses[keep], COLORS[0], opacity=0.25, width=1),
            Series(steps[keep], ema(losses, s)[keep], COLORS[0], tr("train")),
        ]
        acc_series = []
        if np.isfinite(acc).any():
            acc_series.append(Series(steps[keep], ema(np.nan_to_num(acc), s)[keep], COLORS[0], tr("train")))
        if len(vsteps):
            loss_series.append(Series(vsteps, vlosses, COLORS[1], tr("validation"), markers=True))
            if np.isfinite(vacc).any():
                acc_series.append(Series(vsteps, vacc, COLORS[1], tr("validation"), markers=True))
        return (
            "<div style='display:flex;gap:8px'>"
            + line_chart(loss_series, tr("loss"), tr("step"), log_y=self.log_scale.value)
            + line_chart(acc_series, tr("accuracy"), tr("step"), ylim=(0.0, 1.0))
            + "</div>"
        )

    def render(self) -> None:
        value = self.svg()
        if self.plot.value != value:
            self.plot.value = value

    def close(self) -> None:
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()
