"""The optimizer race: gradient descent, momentum, Nesterov and Adam on one contour plot, live.

Sliders set the learning rate (the SGD family's), the momentum and Adam's learning rate; a change reaches each
optimizer's ``param_groups`` at its next step, as the dashboard's sliders do during training. The plot is SVG
text (contours computed once per surface, trajectories redrawn as they grow): a redraw costs about a millisecond.
"""

from __future__ import annotations

import html
import threading
import time
from typing import Any

import ipywidgets as W
import numpy as np

from autolab.course.i18n import tr

from .race import SURFACES, Race, Racer, contour_lines, default_racers
from .svgplot import Series, line_chart, nice_ticks
from .throttle import Refresher

MAX_STEPS = 3000  # a Run stops here, or when every racer has converged or diverged
STEPS_PER_TICK = 4
TICK = 0.03  # seconds between ticks: about 130 steps a second, slow enough to follow the paths
PLOT_W, PLOT_H, MARGIN = 430, 360, 36
MAX_DRAWN = 600  # points of a path drawn; longer paths are thinned


class OptimizerRace(W.VBox):
    """Build with ``widgets.optimizer_race(...)``. ``race`` is the model; ``plot`` and ``curves`` the views."""

    def __init__(self, surface: str = "bowl", racers: list[Racer] | None = None, refresh: float = 0.1) -> None:
        self.race = Race(surface, racers)
        s = self.race.surface
        style = {"description_width": "110px"}
        wide = W.Layout(width="380px")
        self.surface = W.ToggleButtons(
            options=[(tr(v.title.split(" (")[0]), k) for k, v in SURFACES.items()],
            value=surface,
            style={"button_width": "200px"},
        )
        self.lr = W.FloatLogSlider(
            value=s.lr, base=10, min=-4, max=0, step=0.05, description=tr("learning rate"), layout=wide, readout_format=".2g",
            continuous_update=False, style=style,
        )  # fmt: skip
        self.momentum = W.FloatSlider(
            value=s.momentum, min=0.0, max=0.99, step=0.01, description=tr("momentum"), layout=wide, continuous_update=False,
            style=style,
        )  # fmt: skip
        self.adam_lr = W.FloatLogSlider(
            value=s.adam_lr, base=10, min=-3, max=0.5, step=0.05, description=tr("Adam's lr"), layout=wide, readout_format=".2g",
            continuous_update=False, style=style,
        )  # fmt: skip
        for slider, name in ((self.lr, "learning-rate"), (self.momentum, "momentum"), (self.adam_lr, "Adams-lr")):
            slider.add_class("autolab-race-" + name)  # the same in every language
        self.step_button = W.Button(description=tr("Step ×10"), icon="step-forward")
        self.run_button = W.ToggleButton(description=tr("Run"), icon="play")
        self.reset_button = W.Button(description=tr("Reset"), icon="undo")
        self.plot = W.HTML()
        self.plot.add_class("autolab-race-plot")
        self.table = W.HTML()
        super().__init__(
            [
                self.surface,
                W.HBox([W.VBox([self.lr, self.momentum]), W.VBox([self.adam_lr])]),
                W.HBox([self.step_button, self.run_button, self.reset_button]),
                self.plot,
                self.table,
            ]
        )
        self._contours: dict[str, list] = {}
        self._thread: threading.Thread | None = None
        self.refresher = Refresher(self.render, refresh)
        self.lr.observe(lambda c: self._set(lr=c["new"]), "value")
        self.momentum.observe(lambda c: self._set(momentum=c["new"]), "value")
        self.adam_lr.observe(lambda c: self._set(adam_lr=c["new"]), "value")
        self.surface.observe(self._on_surface, "value")
        self.step_button.on_click(lambda _: self.step(10))
        self.run_button.observe(self._on_run, "value")
        self.reset_button.on_click(lambda _: self.reset())
        self.render()

    # ---- actions ------------------------------------------------------------------------------------------
    def _set(self, **values: float) -> None:
        self.race.set_hparams(**values)
        self.refresher.redraw()

    def step(self, n: int = 1) -> None:
        self.race.step(n)
        self.refresher.redraw()

    def reset(self) -> None:
        self.run_button.value = False
        self.race.reset()
        self.refresher.redraw()

    def _on_surface(self, change: dict) -> None:
        self.run_button.value = False
        s = SURFACES[change["new"]]
        self.race.reset(change["new"])
        # The surface's own starting values; each slider change also reaches the race (set_hparams)...
        self.lr.value, self.momentum.value, self.adam_lr.value = s.lr, s.momentum, s.adam_lr
        self.race.reset()  # ...and the optimizers are rebuilt with them
        self.refresher.redraw()

    def _on_run(self, change: dict) -> None:
        if change["new"] and (self._thread is None or not self._thread.is_alive()):
            if self.race.finished or self.race.steps >= MAX_STEPS:
                self.race.reset()
            self._thread = threading.Thread(target=self._run, daemon=True, name="autolab-race")
            self._thread.start()

    def _run(self) -> None:
        while self.run_button.value and not self.race.finished and self.race.steps < MAX_STEPS:
            self.race.step(STEPS_PER_TICK)
            self.refresher.poke()
            time.sleep(TICK)
        self.run_button.value = False
        self.refresher.redraw()

    # ---- drawing ------------------------------------------------------------------------------------------
    def plot_svg(self) -> str:
        """The contour plot with every path, and beside it the loss above the minimum per step (log scale)."""
        s = self.race.surface
        if s.name not in self._contours:
            self._contours[s.name] = contour_lines(s)
        runs = self.race.snapshot()
        (x0, x1), (y0, y1) = s.xlim, s.ylim
        pw, ph = PLOT_W - 2 * MARGIN, PLOT_H - 2 * MARGIN

        def px(x: Any) -> Any:
            return MARGIN + (np.asarray(x) - x0) / (x1 - x0) * pw

        def py(y: Any) -> Any:
            return MARGIN + (1 - (np.asarray(y) - y0) / (y1 - y0)) * ph

        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{PLOT_W}" height="{PLOT_H}" font-family="sans-serif" '
            'font-size="10">',
            f'<text x="{PLOT_W / 2}" y="16" text-anchor="middle" font-size="12">{html.escape(tr(s.title))}</text>',
            f'<rect x="{MARGIN}" y="{MARGIN}" width="{pw}" height="{ph}" fill="#fcfcfc" stroke="#888"/>',
        ]
        for t in nice_ticks(x0, x1):
            out.append(f'<text x="{px(t):.1f}" y="{MARGIN + ph + 13}" text-anchor="middle">{t:g}</text>')
        for t in nice_ticks(y0, y1):
            out.append(f'<text x="{MARGIN - 4}" y="{py(t) + 3:.1f}" text-anchor="end">{t:g}</text>')
        out.append(f'<text x="{MARGIN + pw / 2}" y="{PLOT_H - 4}" text-anchor="middle">x</text>')
        out.append(f'<text x="10" y="{MARGIN + ph / 2}" text-anchor="middle">y</text>')
        out.append(f'<svg x="{MARGIN}" y="{MARGIN}" width="{pw}" height="{ph}" viewBox="{MARGIN} {MARGIN} {pw} {ph}">')
        levels = self._contours[s.name]
        for i, (_, lines) in enumerate(levels):
            shade = int(200 - 140 * i / max(len(levels) - 1, 1))  # darker rings further up the walls
            for line in lines:
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px(line[:, 0]), py(line[:, 1])))
                out.append(
                    f'<polyline points="{pts}" fill="none" stroke="rgb({shade},{shade},255)" stroke-width="0.8"/>'
                )
        mx, my = px(s.minimum[0]), py(s.minimum[1])
        out.append(f'<text x="{mx:.1f}" y="{my + 5:.1f}" text-anchor="middle" font-size="16">★</text>')
        for _, color, path, _, _ in runs:
            keep = path[:: max(1, len(path) // MAX_DRAWN)]
            if len(keep) and not np.array_equal(keep[-1], path[-1]):
                keep = np.vstack([keep, path[-1:]])
            finite = keep[np.isfinite(keep).all(axis=1) & (np.abs(keep) < 1e4).all(axis=1)]
            if len(finite) == 0:
                continue
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px(finite[:, 0]), py(finite[:, 1])))
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.6" stroke-opacity="0.85"/>'
            )
            out.append(f'<circle cx="{px(finite[-1, 0]):.1f}" cy="{py(finite[-1, 1]):.1f}" r="4" fill="{color}"/>')
        sx, sy = px(s.start[0]), py(s.start[1])
        out.append(f'<circle cx="{sx:.1f}" cy="{sy:.1f}" r="4" fill="none" stroke="#000"/></svg></svg>')
        curves = line_chart(
            [Series(np.arange(len(losses)), losses, color, tr(name)) for name, color, _, losses, _ in runs],
            tr("loss above the minimum"),
            tr("step"),
            log_y=True,
            width=380,
            height=PLOT_H,
        )
        return f"<div style='display:flex;gap:10px'>{''.join(out)}{curves}</div>"

    def table_html(self) -> str:
        rows = []
        for name, color, path, losses, status in self.race.snapshot():
            badge = {"diverged": "#c62828", "converged": "#2e7d32"}.get(status, "#555")
            x, y = path[-1]
            rows.append(
                f"<tr><td><span style='color:{color}'>&#9632;</span> {html.escape(tr(name))}</td>"
                f"<td style='text-align:right'>{len(path) - 1}</td><td style='text-align:right'>{losses[-1]:.3g}</td>"
                f"<td>({x:.3g}, {y:.3g})</td><td style='color:{badge}'>{tr(status)}</td></tr>"
            )
        hp = self.race.hparams
        using = (
            "<div class='autolab-race-hparams' style='font-size:12px;margin:4px 0'>"
            + tr("learning rate {lr:.3g} · momentum {momentum:.2f} · Adam's lr {adam_lr:.3g}", **hp)
            + "</div>"
        )
        head = "<tr><th></th>" + "".join(f"<th>{tr(h)}</th>" for h in ("steps", "loss − min", "at")) + "<th></th></tr>"
        cell = "style='padding:1px 10px 1px 0'"
        table = f"<table class='autolab-race-table' style='font-size:12px'>{head}{''.join(rows)}</table>"
        return using + table.replace("<td", f"<td {cell}").replace("<th", f"<th {cell}")

    def render(self) -> None:
        for widget, value in ((self.plot, self.plot_svg()), (self.table, self.table_html())):
            if widget.value != value:
                widget.value = value

    def close(self) -> None:
        self.run_button.value = False
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()


def optimizer_race(surface: str = "bowl", sgd: type | None = None, adam: type | None = None) -> OptimizerRace:
    """Race gradient descent, momentum, Nesterov and Adam on ``"bowl"`` or ``"rosenbrock"``.

    ``sgd`` and ``adam`` are the optimizer classes to race (default ``autolab.optim.SGD`` and ``Adam``): pass your
    own subclasses of ``Optimizer`` to watch them run. They are built as ``sgd(params, lr=..., momentum=...,
    nesterov=...)`` and ``adam(params, lr=...)``.
    """
    return OptimizerRace(surface, default_racers(sgd, adam))
