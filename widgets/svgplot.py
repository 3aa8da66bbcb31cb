"""Small line charts and histograms written directly as SVG text.

The live views redraw during training, on the training thread, so a redraw must be cheap: matplotlib spends
about 100 ms laying out tick labels for one figure, this module about 1 ms for the same chart. The browser
draws the SVG; swapping one SVG for the next in an ``ipywidgets.HTML`` happens within a frame, so no flicker.
Matplotlib stays in use for the static pictures (CNN views, the playground).

Text, grid and reference lines are drawn in ``currentColor`` (faint where they are grid), so a chart follows
the page's text colour: readable in JupyterLab's light and dark themes alike.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 22, 30  # margins in pixels, room for ticks and the title
GRID = ' stroke="currentColor" stroke-opacity="0.15"'  # faint in either theme


@dataclass
class Series:
    x: np.ndarray
    y: np.ndarray
    color: str
    label: str = ""
    width: float = 1.5
    opacity: float = 1.0
    markers: bool = False
    dash: str = ""


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 5 times a power of ten) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _fmt(v: float, digits: int = 4) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e")
    return f"{v:.{digits}g}"


def line_chart(
    series: list[Series],
    title: str = "",
    xlabel: str = "",
    log_y: bool = False,
    ylim: tuple[float, float] | None = None,
    hline: tuple[float, str] | None = None,
    width: int = 320,
    height: int = 220,
    legend: bool = True,
) -> str:
    """An SVG line chart. ``log_y`` plots log10 of the positive values; ``hline`` is (y, label), a reference."""
    pw, ph = width - LEFT - RIGHT, height - TOP - BOTTOM
    xs, ys = [], []
    prepared = []
    for s in series:
        x, y = np.asarray(s.x, dtype=np.float64), np.asarray(s.y, dtype=np.float64)
        if log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log10(y), np.nan)
        ok = np.isfinite(x) & np.isfinite(y)
        prepared.append((s, x, y, ok))
        xs.append(x[ok])
        ys.append(y[ok])
    hy = None
    if hline is not None:
        hy = math.log10(hline[0]) if log_y else hline[0]
        ys.append(np.array([hy]))
    allx = np.concatenate(xs) if xs else np.array([])
    ally = np.concatenate(ys) if ys else np.array([])
    x0, x1 = (float(allx.min()), float(allx.max())) if allx.size else (0.0, 1.0)
    if ylim is not None:
        y0, y1 = ylim
    elif ally.size:
        y0, y1 = float(ally.min()), float(ally.max())
        pad = (y1 - y0) * 0.05 or (abs(y0) * 0.05 or 0.5)
        y0, y1 = y0 - pad, y1 + pad
    else:
        y0, y1 = 0.0, 1.0
    if x1 <= x0:
        x0, x1 = x0 - 0.5, x1 + 0.5

    def px(x: np.ndarray) -> np.ndarray:
        return LEFT + (x - x0) / (x1 - x0) * pw

    def py(y: np.ndarray) -> np.ndarray:
        return TOP + (1 - (y - y0) / (y1 - y0)) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="10" fill="currentColor">',
        f'<text x="{LEFT + pw / 2}" y="14" text-anchor="middle" font-size="12">{html.escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>',
    ]
    for t in nice_ticks(x0, x1):
        X = float(px(np.array(t)))
        out.append(
            f'<line x1="{X:.1f}" x2="{X:.1f}" y1="{TOP}" y2="{TOP + ph}" {GRID}/>'
            f'<text x="{X:.1f}" y="{TOP + ph + 12}" text-anchor="middle">{_fmt(t)}</text>'
        )
    if log_y:  # one tick per decade, or per few decades when the range is wide (a diverging run spans 30)
        every = max(1, math.ceil((math.floor(y1) - math.ceil(y0)) / 8))
        yticks = [float(v) for v in range(math.ceil(y0), math.floor(y1) + 1) if v % every == 0]
    else:
        yticks = nice_ticks(y0, y1)
    if log_y and len(yticks) < 2:
        yticks = nice_ticks(y0, y1)
    for t in yticks:
        Y = float(py(np.array(t)))
        label = _fmt(10**t, 2) if log_y else _fmt(t)
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{Y:.1f}" y2="{Y:.1f}" {GRID}/>'
            f'<text x="{LEFT - 3}" y="{Y + 3:.1f}" text-anchor="end">{label}</text>'
        )
    if xlabel:
        out.append(f'<text x="{LEFT + pw / 2}" y="{height - 4}" text-anchor="middle">{html.escape(xlabel)}</text>')
    out.append(f'<svg x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" viewBox="{LEFT} {TOP} {pw} {ph}">')
    if hy is not None and math.isfinite(hy):
        Y = float(py(np.array(hy)))
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{Y:.1f}" y2="{Y:.1f}" stroke="currentColor" stroke-dasharray="2,3"/>'
        )
    for s, x, y, ok in prepared:
        if not ok.any():
            continue
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px(x[ok]), py(y[ok])))
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        out.append(
            f'<polyline points="{pts}" fill="none" stroke="{s.color}" stroke-width="{s.width}" '
            f'stroke-opacity="{s.opacity}"{dash}/>'
        )
        if s.markers:
            out.extend(
                f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2.5" fill="{s.color}"/>' for a, b in zip(px(x[ok]), py(y[ok]))
            )
    out.append("</svg>")
    labelled = [s for s in series if s.label] + (
        [] if hline is None else [Series(np.array([]), np.array([]), "#000", hline[1], dash="2,3")]
    )
    if legend and labelled:
        for i, s in enumerate(labelled):
            Y = TOP + 10 + 11 * i
            dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
            out.append(
                f'<line x1="{LEFT + pw - 90}" x2="{LEFT + pw - 76}" y1="{Y - 3}" y2="{Y - 3}" '
                f'stroke="{s.color}" stroke-width="2"{dash}/>'
                f'<text x="{LEFT + pw - 73}" y="{Y}" font-size="9">{html.escape(s.label)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def histogram(
    counts: np.ndarray, edges: np.ndarray, color: str, width: int = 260, height: int = 34, note: str = ""
) -> str:
    """A filled step histogram, no axes: one row of a per-layer table."""
    counts = np.asarray(counts, dtype=np.float64)
    top = counts.max() if counts.size and counts.max() > 0 else 1.0
    n = len(counts)
    xs = np.linspace(0, width, n + 1)
    ys = height - counts / top * (height - 2)
    pts = [f"0,{height}"]
    for i in range(n):
        pts.append(f"{xs[i]:.1f},{ys[i]:.1f} {xs[i + 1]:.1f},{ys[i]:.1f}")
    pts.append(f"{width},{height}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        'fill="currentColor">'
        f'<rect width="{width}" height="{height}" fill="currentColor" fill-opacity="0.04" stroke="currentColor" '
        'stroke-opacity="0.25"/>'
        f'<polygon points="{" ".join(pts)}" fill="{color}" fill-opacity="0.8"/>'
        f'<text x="{width - 2}" y="9" text-anchor="end" font-size="8">{html.escape(note)}</text></svg>'
    )
