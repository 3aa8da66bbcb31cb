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
        self.show_histograms.observe(lambda _: self.refresher.redraw(), "value")

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
        """Figure and lines are made once and reused: a redraw only swaps the data."""
        with self._lock:
            steps = np.array(self.steps)
            norms = {k: np.array(v) for k, v in self.norms.items()}
            ratios = {k: np.array(v) for k, v in self.ratios.items()}
        if not hasattr(self, "_series"):
            fig = new_figure(8, 3)
            ax_norm, ax_ratio = fig.subplots(1, 2)
            fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.22)
            ax_ratio.axhline(1e-3, color="k", linestyle=":", linewidth=1, label="1e-3 (healthy)")
            for ax, title in ((ax_norm, "gradient norm per parameter"), (ax_ratio, "update / weight ratio")):
                ax.set_title(title, fontsize=10)
                ax.set_xlabel("step", fontsize=9)
                ax.set_yscale("log")
                ax.grid(alpha=0.3)
            self._series = (fig, ax_norm, ax_ratio, {})
        fig, ax_norm, ax_ratio, lines = self._series
        for name in norms:
            if name not in lines:
                color = f"C{len(lines) % 10}"
                lines[name] = (
                    ax_norm.plot([], [], color=color, linewidth=1, label=name)[0],
                    ax_ratio.plot([], [], color=color, linewidth=1)[0],
                )
                ax_norm.legend(fontsize=6, ncol=2, loc="lower left")
                ax_ratio.legend(fontsize=7, loc="lower left")
            lines[name][0].set_data(steps, norms[name])
            lines[name][1].set_data(steps, ratios.get(name, np.full(len(steps), np.nan)))
        for ax in (ax_norm, ax_ratio):
            ax.relim()
            ax.autoscale_view()
        return fig

    def histogram_figure(self):
        """One row per parameter: its weights (blue) and gradients (red). Axes without ticks: they draw fast."""
        params = list(self.model.named_parameters()) if self.model is not None else []
        names = [n for n, _ in params]
        if getattr(self, "_hist_names", None) != names:
            rows = max(len(params), 1)
            fig = new_figure(8, 0.55 * rows + 0.3)
            axes = fig.subplots(rows, 2, squeeze=False)
            fig.subplots_adjust(
                left=0.16, right=0.99, bottom=0.01, top=1 - 0.25 / (0.55 * rows + 0.3), hspace=0.15, wspace=0.04
            )
            axes[0, 0].set_title("weights", fontsize=9)
            axes[0, 1].set_title("gradients", fontsize=9)
            patches = []
            for row, name in enumerate(names):
                axes[row, 0].text(
                    -0.02, 0.5, name, fontsize=7, ha="right", va="center", transform=axes[row, 0].transAxes
                )
                row_patches = []
                for col in range(2):
                    ax = axes[row, col]
                    ax.set_xticks([])
                    ax.set_yticks([])
                    row_patches.append(
                        ax.stairs(
                            np.zeros(self.bins), np.arange(self.bins + 1.0), fill=True, color="C0" if col == 0 else "C3"
                        )
                    )
                    ax.text(0.99, 0.9, "", fontsize=6, ha="right", va="top", transform=ax.transAxes)
                patches.append(row_patches)
            self._hist = (fig, axes, patches)
            self._hist_names = names
        fig, axes, patches = self._hist
        for row, (_, p) in enumerate(params):
            for col, t in enumerate((p, p.grad)):
                ax = axes[row, col]
                counts, edges = (
                    stats.histogram(t, self.bins)
                    if t is not None
                    else (np.zeros(self.bins), np.arange(self.bins + 1.0))
                )
                patches[row][col].set_data(counts, edges)
                ax.texts[-1].set_text(f"[{edges[0]:.2g}, {edges[-1]:.2g}]" if t is not None else "no grad")
                ax.set_xlim(edges[0], edges[-1])
                ax.set_ylim(0, max(counts.max(), 1) * 1.05)
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
