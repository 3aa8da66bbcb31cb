"""Gradient view: the norm of each parameter's gradient over time, the update-to-weight ratio over time, and
histograms of weights and gradients per layer."""

from __future__ import annotations

import html
import threading
from typing import Any

import ipywidgets as W
import numpy as np

from autolab.course.i18n import tr
from autolab.training import stats

from .svgplot import COLORS, Series, histogram, line_chart
from .throttle import Refresher


class GradientView(W.VBox):
    """Fed by ``StepEvent.stats`` (see ``autolab.training.stats``); histograms read the model when drawn."""

    def __init__(self, model: Any = None, refresh: float = 3.0, bins: int = 30) -> None:
        self.model = model
        self.bins = bins
        self.series = W.HTML()
        self.histograms = W.HTML()
        self.series.add_class("autolab-gradient-plot")
        self.show_histograms = W.Checkbox(value=True, description=tr("Histograms"), indent=False)
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

    def series_svg(self) -> str:
        with self._lock:
            steps = np.array(self.steps)
            norms = {k: np.array(v) for k, v in self.norms.items()}
            ratios = {k: np.array(v) for k, v in self.ratios.items()}
        colors = {name: COLORS[i % len(COLORS)] for i, name in enumerate(norms)}
        norm_chart = line_chart(
            [Series(steps, v, colors[k], width=1) for k, v in norms.items()],
            tr("gradient norm per parameter"),
            tr("step"),
            log_y=True,
            legend=False,
        )
        ratio_chart = line_chart(
            [Series(steps, v, colors.get(k, "#888"), width=1) for k, v in ratios.items()],
            tr("update / weight ratio"),
            tr("step"),
            log_y=True,
            hline=(1e-3, tr("1e-3 healthy")),
        )
        legend = "".join(
            f"<span style='color:{c};margin-right:8px'>&#9632; {html.escape(k)}</span>" for k, c in colors.items()
        )
        return (
            f"<div style='display:flex;gap:8px'>{norm_chart}{ratio_chart}</div>"
            f"<div style='font-size:10px;max-width:650px'>{legend}</div>"
        )

    def histograms_svg(self) -> str:
        """One row per parameter: the histogram of its weights and of its gradient, each with its range."""
        rows = [
            "<table style='font-size:10px;border-collapse:collapse'><tr><th></th>"
            f"<th>{tr('weights')}</th><th>{tr('gradients')}</th></tr>"
        ]
        for name, p in self.model.named_parameters():
            cells = []
            for t, color in ((p, COLORS[0]), (p.grad, COLORS[3])):
                if t is None:
                    cells.append(f"<td style='color:#888'>{tr('no gradient yet')}</td>")
                    continue
                counts, edges = stats.histogram(t, self.bins)
                note = f"[{edges[0]:.2g}, {edges[-1]:.2g}]"
                cells.append(f"<td style='padding:1px 4px'>{histogram(counts, edges, color, note=note)}</td>")
            rows.append(
                f"<tr><td style='text-align:right;padding-right:4px'>{html.escape(name)}</td>"
                + "".join(cells)
                + "</tr>"
            )
        return "".join(rows) + "</table>"

    def render(self) -> None:
        _assign(self.series, self.series_svg())
        if self.show_histograms.value and self.model is not None:
            _assign(self.histograms, self.histograms_svg())
        self.histograms.layout.display = None if self.show_histograms.value else "none"

    def close(self) -> None:
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()


def _assign(widget: W.HTML, value: str) -> None:
    if widget.value != value:  # unchanged: send nothing to the browser
        widget.value = value
