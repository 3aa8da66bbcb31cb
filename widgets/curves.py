"""Live curves of train and validation loss and accuracy, with smoothing and a log-scale toggle."""

from __future__ import annotations

import threading

import ipywidgets as W
import numpy as np

from ._figure import new_figure, set_image, to_png
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
            value=smoothing, min=0.0, max=0.99, step=0.01, description="Smoothing", continuous_update=False
        )
        self.log_scale = W.Checkbox(value=log_scale, description="Log scale", indent=False)
        self.image = W.Image(format="png", layout=W.Layout(width="640px"))
        self.image.add_class("autolab-loss-plot")
        super().__init__([W.HBox([self.smoothing, self.log_scale]), self.image])
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

    def _build(self) -> None:
        """Axes and lines are made once; each redraw only swaps their data (several times faster)."""
        self.fig = new_figure(8, 3)
        self.ax_loss, self.ax_acc = self.fig.subplots(1, 2)
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.22)
        (self._raw,) = self.ax_loss.plot([], [], color="C0", alpha=0.25, linewidth=1)
        (self._smooth,) = self.ax_loss.plot([], [], color="C0", label="train")
        (self._val,) = self.ax_loss.plot([], [], "o-", color="C1", label="validation")
        (self._acc,) = self.ax_acc.plot([], [], color="C0", label="train")
        (self._vacc,) = self.ax_acc.plot([], [], "o-", color="C1", label="validation")
        for ax, title in ((self.ax_loss, "loss"), (self.ax_acc, "accuracy")):
            ax.set_title(title, fontsize=10)
            ax.set_xlabel("step", fontsize=9)
            ax.grid(alpha=0.3)
            ax.legend(loc="upper right", fontsize=8)
        self.ax_acc.set_ylim(0, 1)

    def figure(self):
        with self._lock:
            steps, losses, acc = np.array(self.steps), np.array(self.losses), np.array(self.accuracy)
            vsteps, vlosses, vacc = np.array(self.val_steps), np.array(self.val_losses), np.array(self.val_accuracy)
        if not hasattr(self, "fig"):
            self._build()
        s = self.smoothing.value
        smooth, smooth_acc = ema(losses, s), ema(np.nan_to_num(acc), s)
        keep = slice(None, None, max(1, len(steps) // MAX_POINTS))  # a plot 640 px wide needs no more points
        self._raw.set_data(steps[keep], losses[keep])
        self._smooth.set_data(steps[keep], smooth[keep])
        self._val.set_data(vsteps, vlosses)
        self._acc.set_data(steps[keep], smooth_acc[keep] if np.isfinite(acc).any() else [])
        self._vacc.set_data(vsteps, vacc if np.isfinite(vacc).any() else [])
        log = self.log_scale.value and bool(len(steps) or len(vsteps))
        self.ax_loss.set_yscale("log" if log else "linear")
        for ax in (self.ax_loss, self.ax_acc):
            ax.relim()
            ax.autoscale_view()
        self.ax_acc.set_ylim(0, 1)
        return self.fig

    def render(self) -> None:
        set_image(self.image, to_png(self.figure()))

    def close(self) -> None:
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()
