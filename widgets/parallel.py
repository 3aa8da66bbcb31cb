"""The data-parallel dashboard: each rank's loss, the all-reduce time per step, and the bucket timeline.

The ranks run somewhere else (MPI processes, e.g. ipyparallel engines); the notebook collects one record per rank
per step and calls ``add(records)``. A record is a plain dict:

    {"rank": 0, "step": 12, "loss": 2.1, "step_time": 0.031, "images": 64,
     "timeline": ddp.last_step.as_dict()}     # autolab.nn.parallel.DistributedDataParallel

The bucket timeline draws one step of one rank: forward and backward (computation) on the first row, then one
row per gradient bucket: a thin grey line while the bucket was complete but waiting its turn, an orange bar while
its all-reduce ran. Orange that starts before backward ends is communication hidden behind computation.
"""

from __future__ import annotations

import html
import threading

import ipywidgets as W
import numpy as np

from autolab.course.i18n import tr

from .svgplot import COLORS, Series, line_chart, nice_ticks
from .throttle import Refresher

COMPUTE, COMM, WAIT = "#4c78a8", "#f58518", "#9d9d9d"


class ParallelDashboard(W.VBox):
    """Live view of a data-parallel run: feed it the ranks' records with ``add``."""

    def __init__(self, world_size: int, title: str = "", refresh: float = 0.5) -> None:
        self.world_size = world_size
        self.title = title
        self.header = W.HTML()
        self.charts = W.HTML()
        self.charts.add_class("autolab-parallel-charts")
        self.timeline = W.HTML()
        self.timeline.add_class("autolab-bucket-timeline")
        self.rank = W.Dropdown(
            options=list(range(world_size)), value=0, description=tr("Rank"), layout={"width": "150px"}
        )
        self.step = W.IntSlider(value=0, min=0, max=0, description=tr("Step"), continuous_update=True)
        self.follow = W.Checkbox(value=True, description=tr("follow the latest step"), indent=False)
        controls = W.HBox([self.rank, self.step, self.follow])
        super().__init__([self.header, self.charts, controls, self.timeline])
        self._lock = threading.Lock()
        self.records: dict[int, dict[int, dict]] = {r: {} for r in range(world_size)}  # rank -> step -> record
        self.refresher = Refresher(self.render, refresh)
        self.rank.observe(lambda _: self.refresher.redraw(), "value")
        self.step.observe(self._moved, "value")
        self.follow.observe(lambda _: self.refresher.redraw(), "value")
        self.render()

    # ---- data -----------------------------------------------------------------------------------------------
    def add(self, records: list[dict] | dict) -> None:
        """Add records (one dict or a list, in any order, from any ranks); redraws at most every ``refresh`` s."""
        for rec in [records] if isinstance(records, dict) else records:
            with self._lock:
                self.records.setdefault(int(rec["rank"]), {})[int(rec["step"])] = rec
        self.refresher.poke()

    def clear(self) -> None:
        with self._lock:
            self.records = {r: {} for r in range(self.world_size)}
        self.refresher.redraw()

    def series(self, key: str, rank: int) -> tuple[np.ndarray, np.ndarray]:
        """(steps, values) of one rank; ``key`` is a record field or ``allreduce_ms`` / ``exposed_ms``."""
        with self._lock:
            recs = sorted(self.records.get(rank, {}).items())
        steps = np.array([s for s, _ in recs], dtype=np.float64)
        if key in ("allreduce_ms", "exposed_ms"):
            field = "allreduce_time" if key == "allreduce_ms" else "exposed_time"
            vals = [1e3 * r["timeline"][field] if r.get("timeline") else np.nan for _, r in recs]
        else:
            vals = [r.get(key, np.nan) for _, r in recs]
        return steps, np.array(vals, dtype=np.float64)

    def _moved(self, change: dict) -> None:
        if change["new"] != self.step.max:
            self.follow.value = False  # the student is looking at an older step: stop jumping to the newest
        self.refresher.redraw()

    # ---- drawing --------------------------------------------------------------------------------------------
    def render(self) -> None:
        with self._lock:
            last = max((max(v) for v in self.records.values() if v), default=0)
        if last and self.step.max != last:
            self.step.max = last
        if self.follow.value and last:
            with self.step.hold_trait_notifications():
                self.step.value = last
        self._set(self.header, self._header_html(last))
        self._set(self.charts, self._charts_svg())
        rec = self.records.get(self.rank.value, {}).get(self.step.value)
        tl = rec.get("timeline") if rec else None
        caption = f"bucket timeline: rank {self.rank.value}, step {self.step.value}"
        self._set(self.timeline, timeline_svg(tl, caption) if tl else "<i>no synchronised step recorded yet</i>")

    @staticmethod
    def _set(widget: W.HTML, value: str) -> None:
        if widget.value != value:
            widget.value = value

    def _header_html(self, last: int) -> str:
        if not last:
            return f"<b>{html.escape(self.title)}</b> waiting for the first step from {self.world_size} ranks"
        with self._lock:
            latest = [self.records[r].get(last) for r in range(self.world_size)]
        latest = [r for r in latest if r]
        images = sum(r.get("images", 0) for r in latest)
        slowest = max(r.get("step_time", 0.0) for r in latest)
        parts = [f"<b>{html.escape(self.title)}</b>", f"{self.world_size} ranks", f"step {last}"]
        if images:
            parts.append(f"global batch {images}")
        if images and slowest:
            parts.append(f"{images / slowest:,.0f} images/s")
        tls = [r["timeline"] for r in latest if r.get("timeline")]
        if tls:
            comm = max(t["allreduce_time"] for t in tls) * 1e3
            exposed = max(t["exposed_time"] for t in tls) * 1e3
            parts.append(f"all-reduce {comm:.2f} ms, of which {exposed:.2f} ms not hidden behind backward")
        return " · ".join(parts)

    def _charts_svg(self) -> str:
        loss, comm = [], []
        for r in range(self.world_size):
            color = COLORS[r % len(COLORS)]
            x, y = self.series("loss", r)
            loss.append(Series(x, y, color, f"rank {r}"))
            x, y = self.series("allreduce_ms", r)
            comm.append(Series(x, y, color, f"rank {r}"))
            x, y = self.series("exposed_ms", r)
            comm.append(Series(x, y, color, "", dash="3,2", width=1))
        return (
            "<div style='display:flex;gap:8px'>"
            + line_chart(loss, tr("loss of each rank's batch"), tr("step"), width=360)
            + line_chart(
                comm, tr("all-reduce per step, ms (dashed: not overlapped)"), tr("step"), log_y=True, width=360
            )
            + "</div>"
        )

    def close(self) -> None:
        self.refresher.close()
        super().close()


def timeline_svg(tl: dict, caption: str = "", width: int = 720) -> str:
    """One step as a Gantt chart: computation, then each bucket's wait and all-reduce, in milliseconds."""
    buckets = tl["buckets"]
    rows = 1 + len(buckets)
    left, right, top, row_h = 90, 12, 30, 18
    height = top + rows * row_h + 50
    end = max([tl["synced"], tl["backward"][1]] + [b["end"] for b in buckets]) * 1e3 or 1.0
    pw = width - left - right

    def x(ms: float) -> float:
        return left + ms / end * pw

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        f'font-size="10">',
        f'<text x="{left}" y="14" font-size="12">{html.escape(caption)}</text>',
    ]
    for t in nice_ticks(0.0, end):
        out.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top}" y2="{top + rows * row_h}" stroke="#eee"/>'
            f'<text x="{x(t):.1f}" y="{top + rows * row_h + 12}" text-anchor="middle">{t:g}</text>'
        )
    out.append(f'<text x="{left + pw}" y="{height - 3}" text-anchor="end">ms since the start of forward</text>')

    def bar(row: int, a: float, b: float, color: str, title: str, h: float = 12) -> None:
        y = top + row * row_h + (row_h - h) / 2
        w = max(1.0, x(b * 1e3) - x(a * 1e3))
        out.append(
            f'<rect x="{x(a * 1e3):.1f}" y="{y:.1f}" width="{w:.1f}" height="{h}" fill="{color}">'
            f"<title>{html.escape(title)}</title></rect>"
        )

    out.append(f'<text x="{left - 6}" y="{top + row_h / 2 + 3}" text-anchor="end">compute</text>')
    f0, f1 = tl["forward"]
    b0, b1 = tl["backward"]
    bar(0, f0, f1, "#9ecae9", f"forward {1e3 * (f1 - f0):.2f} ms")
    bar(0, b0, b1, COMPUTE, f"backward {1e3 * (b1 - b0):.2f} ms")
    for i, b in enumerate(buckets, start=1):
        kb = b["nbytes"] / 1024
        out.append(
            f'<text x="{left - 6}" y="{top + i * row_h + row_h / 2 + 3}" text-anchor="end">bucket {b["index"]}</text>'
        )
        bar(i, b["ready"], b["start"], WAIT, f"bucket {b['index']} complete, waiting for its turn", h=2)
        bar(
            i,
            b["start"],
            b["end"],
            COMM,
            f"bucket {b['index']}: all-reduce of {kb:.1f} KiB, {1e3 * (b['end'] - b['start']):.2f} ms",
        )
    xb = x(b1 * 1e3)
    out.append(
        f'<line x1="{xb:.1f}" x2="{xb:.1f}" y1="{top - 4}" y2="{top + rows * row_h}" stroke="#000" '
        'stroke-dasharray="3,3"/>'
        f'<text x="{xb + 3:.1f}" y="{top - 6}" font-size="9">end of backward</text>'
    )
    legend = [("#9ecae9", "forward"), (COMPUTE, "backward"), (COMM, "all-reduce"), (WAIT, "complete, waiting")]
    ly = height - 12
    for k, (color, label) in enumerate(legend):
        lx = left + 85 * k
        out.append(
            f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{color}"/>'
            f'<text x="{lx + 13}" y="{ly}">{label}</text>'
        )
    out.append("</svg>")
    return "".join(out)
