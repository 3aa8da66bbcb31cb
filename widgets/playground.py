"""Linear regression, live: the points and the fitted line, and gradient descent walking the loss surface.

The gradient comes from autolab's autograd (``loss.backward()``), exactly as in a real training loop; numpy only
evaluates the loss on a grid to draw the contour plot.
"""

from __future__ import annotations

import threading
import time

import ipywidgets as W
import numpy as np

import autolab
from autolab.course.i18n import plot_text, tr

from ._figure import new_figure, set_image, to_png
from .throttle import Refresher

TRUE_W, TRUE_B = 2.0, -1.0
START = (-3.0, 3.0)  # far from the answer, so the path is worth watching
W_RANGE, B_RANGE = (-4.0, 6.0), (-5.0, 5.0)


def loss_surface(x: np.ndarray, y: np.ndarray, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
    """Mean squared error at every (w, b) of the grid ``ws x bs``: ``out[i, j] = L(ws[j], bs[i])``."""
    pred = ws[None, :, None] * x[None, None, :] + bs[:, None, None]
    return ((pred - y[None, None, :]) ** 2).mean(axis=2)


class LinearRegressionPlayground(W.VBox):
    """``y = w x + b`` fitted by gradient descent, with sliders for learning rate, noise and number of points."""

    def __init__(
        self, n_points: int = 40, noise: float = 0.5, lr: float = 0.05, seed: int = 0, refresh: float = 0.2
    ) -> None:
        self.rng = np.random.default_rng(seed)
        self.lr = W.FloatLogSlider(
            value=lr,
            base=10,
            min=-3,
            max=0.3,
            step=0.05,
            description=tr("learning rate"),
            readout_format=".3f",
            continuous_update=False,
        )
        self.noise = W.FloatSlider(
            value=noise, min=0.0, max=3.0, step=0.1, description=tr("noise"), continuous_update=False
        )
        self.n_points = W.IntSlider(value=n_points, min=2, max=500, description=tr("points"), continuous_update=False)
        self.step_button = W.Button(description=tr("Step"), icon="step-forward")
        self.run_button = W.ToggleButton(description=tr("Run"), icon="play")
        self.reset_button = W.Button(description=tr("Reset"), icon="undo")
        self.info = W.HTML()
        self.image = W.Image(format="png", layout=W.Layout(width="800px"))
        self.image.add_class("autolab-playground-plot")
        super().__init__(
            [
                W.HBox([self.lr, self.noise, self.n_points]),
                W.HBox([self.step_button, self.run_button, self.reset_button, self.info]),
                self.image,
            ]
        )
        self._lock = threading.Lock()
        self.refresher = Refresher(self.render, refresh)
        self.step_button.on_click(lambda _: (self.step(), self.refresher.flush()))
        self.reset_button.on_click(lambda _: self.reset(new_data=False))
        self.run_button.observe(self._on_run, "value")
        self.noise.observe(lambda _: self.reset(new_data=True), "value")
        self.n_points.observe(lambda _: self.reset(new_data=True), "value")
        self._thread: threading.Thread | None = None
        self.reset(new_data=True)
        self.render()

    def reset(self, new_data: bool = True) -> None:
        with self._lock:
            if new_data:
                self.x = self.rng.uniform(-2, 2, self.n_points.value)
                self.y = TRUE_W * self.x + TRUE_B + self.noise.value * self.rng.standard_normal(self.n_points.value)
            self.w = autolab.tensor(START[0], requires_grad=True)
            self.b = autolab.tensor(START[1], requires_grad=True)
            self.path = [START]
            self._surface = None  # the loss surface depends on the data only: drawn once per data set
            self.losses = [self._loss().item()]
        self.refresher.redraw()

    def _loss(self):
        x, y = autolab.tensor(self.x), autolab.tensor(self.y)
        return ((self.w * x + self.b - y) ** 2).mean()

    def step(self, n: int = 1) -> float:
        """``n`` steps of gradient descent with the slider's learning rate; returns the loss."""
        with self._lock:
            for _ in range(n):
                loss = self._loss()
                self.w.grad = self.b.grad = None
                loss.backward()
                with autolab.no_grad():
                    self.w -= self.lr.value * self.w.grad
                    self.b -= self.lr.value * self.b.grad
                self.path.append((self.w.item(), self.b.item()))
                self.losses.append(self._loss().item())
            value = self.losses[-1]
        self.refresher.poke()
        return value

    def _on_run(self, change: dict) -> None:
        if change["new"] and (self._thread is None or not self._thread.is_alive()):
            self._thread = threading.Thread(target=self._run, daemon=True, name="autolab-playground")
            self._thread.start()

    def _run(self) -> None:
        while self.run_button.value:
            value = self.step()
            if not np.isfinite(value) or len(self.path) > 2000:
                self.run_button.value = False
            time.sleep(0.05)  # slow enough to watch
        self.refresher.flush()

    def figure(self):
        with self._lock:
            x, y, path, losses = self.x, self.y, np.array(self.path), list(self.losses)
        fig = new_figure(10, 4)
        ax_fit, ax_surface = fig.subplots(1, 2)
        w, b = path[-1]
        ax_fit.scatter(x, y, s=12, alpha=0.7)
        xs = np.array([-2.2, 2.2])
        ax_fit.plot(xs, w * xs + b, color="C3", label=f"y = {w:.2f} x + {b:.2f}")
        ax_fit.plot(xs, TRUE_W * xs + TRUE_B, "k:", linewidth=1, label=plot_text("true line"))
        ax_fit.set_ylim(-8, 8)
        ax_fit.legend(loc="upper left", fontsize=8)
        ax_fit.set_title(plot_text("step {step}, loss {loss:.4g}", step=len(path) - 1, loss=losses[-1]), fontsize=10)
        ws, bs = np.linspace(*W_RANGE, 80), np.linspace(*B_RANGE, 80)
        if self._surface is None:
            self._surface = loss_surface(x, y, ws, bs)
        surface = self._surface
        ax_surface.contour(ws, bs, np.log10(surface + 1e-12), levels=20, cmap="viridis", linewidths=0.8)
        ax_surface.plot(path[:, 0], path[:, 1], ".-", color="C3", markersize=3, linewidth=1)
        ax_surface.plot([TRUE_W], [TRUE_B], "k*", markersize=10)
        ax_surface.set_xlim(*W_RANGE)
        ax_surface.set_ylim(*B_RANGE)
        ax_surface.set_xlabel("w")
        ax_surface.set_ylabel("b")
        ax_surface.set_title(plot_text("loss surface (log scale) and the descent path"), fontsize=10)
        fig.tight_layout()
        return fig

    def render(self) -> None:
        set_image(self.image, to_png(self.figure()))
        w, b = self.path[-1]
        diverging = len(self.losses) > 3 and self.losses[-1] > self.losses[-2] > self.losses[-3]
        hint = (
            f" <b style='color:#c62828'>{tr('the loss grows: the learning rate is too large')}</b>" if diverging else ""
        )
        self.info.value = f"w = {w:.3f}, b = {b:.3f}{hint}"

    def close(self) -> None:
        self.run_button.value = False
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()


def linear_regression(**kwargs) -> LinearRegressionPlayground:
    """The linear-regression playground (see ``LinearRegressionPlayground``)."""
    return LinearRegressionPlayground(**kwargs)
