"""A colour scale for gradient norms that makes vanishing and exploding gradients stand out.

The norm is placed on a log10 scale from 1e-7 (blue: vanishing) through 1e-2 (pale: typical) to 1e3 (red:
exploding). Nodes without a gradient stay white.
"""

from __future__ import annotations

import math

from matplotlib import colormaps
from matplotlib.colors import to_hex

LOW, HIGH = -7.0, 3.0  # log10 of the norms at the two ends of the scale
_CMAP = colormaps["coolwarm"]
NO_GRAD = "#ffffff"


def grad_color(grad_norm: float | None) -> str:
    if grad_norm is None:
        return NO_GRAD
    if not math.isfinite(grad_norm):
        return "#b40426"  # nan/inf: as exploded as it gets
    x = math.log10(grad_norm) if grad_norm > 0 else LOW
    return to_hex(_CMAP(min(max((x - LOW) / (HIGH - LOW), 0.0), 1.0)))


def text_color(fill: str) -> str:
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def legend_html() -> str:
    """A colour bar with its ticks, to sit beside the graph."""
    stops = ", ".join(grad_color(10 ** (LOW + (HIGH - LOW) * i / 10)) for i in range(11))
    ticks = "".join(f"<span>1e{int(e)}</span>" for e in range(int(LOW), int(HIGH) + 1, 2))
    return (
        "<div style='font-size:11px;width:260px'>gradient norm "
        "(<span style='color:#3b4cc0'>vanishing</span> … <span style='color:#b40426'>exploding</span>)"
        f"<div style='height:10px;background:linear-gradient(to right, {stops})'></div>"
        f"<div style='display:flex;justify-content:space-between'>{ticks}</div></div>"
    )


def format_norm(value: float | None) -> str:
    return "" if value is None else f"‖∇‖ {value:.1e}"
