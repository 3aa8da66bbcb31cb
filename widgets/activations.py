"""What each activation layer outputs while a model trains: its spread, and how many of its units are idle.

Two symptoms the gradient view shows only indirectly: dead ReLUs (a unit that outputs 0 for every input in
the batch never gets a gradient again) and saturated sigmoids/tanhs (outputs pinned near their limits, where
the slope, and so the gradient, is almost 0). Forward hooks on the activation modules record, every few
training steps, the standard deviation of each layer's output and the share of its units that are idle.
"""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as W
import numpy as np

from autolab import nn
from autolab.course.i18n import tr

from .svgplot import COLORS, Series, line_chart
from .throttle import Refresher

ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh)


def idle_units(module: Any, output: np.ndarray) -> float:
    """Share of units (features or channels) that are idle for the whole batch.

    ReLU: exactly 0 for every sample (dead). Sigmoid: within 0.02 of 0 or 1 for every sample; tanh: within 0.02
    of ±1 (saturated). A unit is one column of a (N, features) output or one channel of (N, C, H, W).
    """
    per_unit = output.reshape(output.shape[0], output.shape[1], -1) if output.ndim > 2 else output[:, :, None]
    if isinstance(module, nn.Sigmoid):
        idle = (per_unit < 0.02) | (per_unit > 0.98)
    elif isinstance(module, nn.Tanh):
        idle = np.abs(per_unit) > 0.98
    else:
        idle = per_unit == 0
    return float(idle.all(axis=(0, 2)).mean())


class ActivationView(W.VBox):
    """Attach to a model (and optionally a Trainer, to stop when it stops); records every ``every`` forwards."""

    def __init__(self, model: Any, every: int = 5, refresh: float = 2.0) -> None:
        self.model = model
        self.every = every
        self.layers = [(name, m) for name, m in model.named_modules() if isinstance(m, ACTIVATIONS)]
        self.plot = W.HTML()
        self.plot.add_class("autolab-activation-plot")
        super().__init__([self.plot])
        self._lock = threading.Lock()
        self.calls = 0
        self.steps: list[int] = []
        self.std: dict[str, list[float]] = {self.label(n, m): [] for n, m in self.layers}
        self.idle: dict[str, list[float]] = {self.label(n, m): [] for n, m in self.layers}
        self._pending: dict[str, tuple[float, float]] = {}
        self._handles = [m.register_forward_hook(self._hook) for _, m in self.layers]
        self.refresher = Refresher(self.render, refresh)
        self.render()

    @staticmethod
    def label(name: str, module: Any) -> str:
        return f"{name} ({type(module).__name__})"

    def _hook(self, module: Any, inputs: tuple, output: Any) -> None:
        if not self.model.training:  # evaluation passes are not training steps
            return
        first = module is self.layers[0][1]
        if first:
            self.calls += 1
        if (self.calls - 1) % self.every:
            return
        out = output.detach().numpy()
        name = self.label(next(n for n, m in self.layers if m is module), module)
        with np.errstate(all="ignore"):
            self._pending[name] = (float(out.std()), idle_units(module, out))
        if module is self.layers[-1][1]:
            self._commit()

    def _commit(self) -> None:
        with self._lock:
            self.steps.append(self.calls)
            for key in self.std:
                std, idle = self._pending.get(key, (np.nan, np.nan))
                self.std[key].append(std)
                self.idle[key].append(100 * idle)
            self._pending = {}
        self.refresher.poke()

    def svg(self) -> str:
        with self._lock:
            steps = np.array(self.steps)
            std = {k: np.array(v) for k, v in self.std.items()}
            idle = {k: np.array(v) for k, v in self.idle.items()}
        colors = {k: COLORS[i % len(COLORS)] for i, k in enumerate(std)}
        spread = line_chart(
            [Series(steps, v, colors[k], k) for k, v in std.items()], tr("output std per activation layer"), tr("step"),
            log_y=True, legend=False,
        )  # fmt: skip
        idle_chart = line_chart(
            [Series(steps, v, colors[k], k) for k, v in idle.items()],
            tr("idle units, % (dead ReLU / saturated)"),
            tr("step"),
            ylim=(-2, 102),
            legend=False,
        )
        legend = "".join(f"<span style='color:{c};margin-right:8px'>&#9632; {k}</span>" for k, c in colors.items())
        return (
            f"<div style='display:flex;gap:8px'>{spread}{idle_chart}</div>"
            f"<div style='font-size:10px;max-width:650px'>{legend}</div>"
        )

    def render(self) -> None:
        value = self.svg()
        if self.plot.value != value:
            self.plot.value = value

    def flush(self) -> None:
        self.refresher.flush()

    def close(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()


def debug_dashboard(
    model: Any, optimizer: Any, loss_fn: Any, train_loader: Any, val_loader: Any = None, *, epochs: int = 2, **options
) -> Any:
    """``widgets.dashboard`` without the graph, with the activation view under the gradient view.

    The activation view's hooks are removed when the dashboard is closed.
    """
    from .dashboard import dashboard

    dash = dashboard(model, optimizer, loss_fn, train_loader, val_loader, epochs=epochs, graph=False, **options)
    view = ActivationView(model)
    dash.activations = view
    dash.children = (*dash.children, W.HTML("<h4 style='margin:8px 0 2px'>Activations</h4>"), view)
    dash.trainer.subscribe(lambda event: view.flush() if event.kind == "state" and event.state != "running" else None)
    closer = dash.close

    def close() -> None:
        view.close()
        closer()

    dash.close = close
    return dash
