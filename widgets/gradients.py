"""Gradient view: the norm of each parameter's gradient over time, the update-to-weight ratio over time, and
histograms of weights and gradients per layer."""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as W
import numpy as np

from autolab.training import stats

from ._figure import new_figure, set_image, to_png
from .throttle import Refresher


class GradientView(W.VBox):
    """Fed by ``StepEvent.stats`` (see ``autolab.training.stats``); histograms read the model when drawn."""

    def __init__(self, model: Any = None, refresh: float = 3.0, bins: int = 30) -> None:
        self.model = model
        self.bins = bins
        self.series = W.Image(format="png", layout=W.Layout(width="640px"))
        self.histograms = W.Image(format="png", layout=W.Layout(width="640px"))
        self.series.add_class("autolab-gradient-plot")
        self.show_histograms = W.Checkbox(value=True, description="Histograms", indent=False)
        super().__init__([self.series, self.show_histograms, self.histograms])
        self._lock = threading.Lock()
        self.steps: list[int] = []
        self.norms: dict[str, list[float]] = {}
        self.ratios: dict[str, list[float]] = {}
        self.refresher = Refresher(self.render, refresh)
        self.show_histograms.observe(lambda _: self.refresher.poke(), "value")

    def add(self, step: int, step_stats: stats.StepStats) -> None:
        with self._lock:
            n = len(self.steps)
            self.steps.append(step)
            for table, values in ((self.norms, step_stats.grad_norms), (self.ratios, step_stats.update_ratios)):
                for name in set(table) | set(values):
                    table.setdefault(name, [np.nan] * n).append(values.get(name, np.nan))
        self.refresher.poke()

    def on_event(self, event: Any) -> None:
        if event.kind == "step" and event.stats is not None:
            self.add(event.step, event.stats)

    def series_figure(self):
        with self._lock:
            steps = np.array(self.steps)
            norms = {k: np.array(v) for k, v in self.norms.items()}
            ratios = {k: np.array(v) for k, v in self.ratios.items()}
        fig = new_figure(8, 3)
        ax_norm, ax_ratio = fig.subplots(1, 2)
        for i, name in enumerate(norms):
            ax_norm.plot(steps, norms[name], color=f"C{i % 10}", label=name, linewidth=1)
            ax_ratio.plot(steps, ratios.get(name, np.full(len(steps), np.nan)), color=f"C{i % 10}", linewidth=1)
        ax_ratio.axhline(1e-3, color="k", linestyle=":", linewidth=1, label="1e-3 (healthy)")
        for ax, title in ((ax_norm, "gradient norm per parameter"), (ax_ratio, "update / weight ratio")):
            ax.set_title(title, fontsize=10)
            ax.set_xlabel("step")
            if len(steps):
                ax.set_yscale("log")
            ax.grid(alpha=0.3)
        if norms:
            ax_norm.legend(fontsize=6, ncol=2, loc="best")
        ax_ratio.legend(fontsize=7, loc="best")
        fig.tight_layout()
        return fig

    def histogram_figure(self):
        params = [(n, p) for n, p in self.model.named_parameters()] if self.model is not None else []
        rows = max(len(params), 1)
        fig = new_figure(8, 0.9 * rows + 0.4)
        axes = fig.subplots(rows, 2, squeeze=False)
        axes[0, 0].set_title("weights", fontsize=9)
        axes[0, 1].set_title("gradients", fontsize=9)
        for row, (name, p) in enumerate(params):
            for col, t in enumerate((p, p.grad)):
                ax = axes[row, col]
                ax.tick_params(labelsize=6)
                if t is not None:
                    counts, edges = stats.histogram(t, self.bins)
                    ax.stairs(counts, edges, fill=True, color="C0" if col == 0 else "C3")
                ax.set_ylabel(name, fontsize=7, rotation=0, ha="right", va="center") if col == 0 else None
                ax.set_yticks([])
        fig.tight_layout(pad=0.3)
        return fig

    def render(self) -> None:
        set_image(self.series, to_png(self.series_figure()))
        if self.show_histograms.value and self.model is not None:
            set_image(self.histograms, to_png(self.histogram_figure()))
        self.histograms.layout.display = None if self.show_histograms.value else "none"

    def close(self) -> None:
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()
