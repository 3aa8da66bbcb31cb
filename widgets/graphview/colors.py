"""Colour scales for gradients, chosen to stay readable for colour-blind students.

- ``grad_color``: the *norm* of a gradient on a log10 scale, from 1e-7 (blue: vanishing) through 1e-2 (pale:
  typical) to 1e3 (red: exploding). Modules and ops of a network. Moreland's "coolwarm" diverging map, which
  was designed for colour-vision deficiencies.
- ``signed_color``: the *sign* of a scalar gradient, purple for negative and orange for positive, stronger
  for larger values: the small graphs of notebook 02, where the sign says which way a step moves a weight.
  ColorBrewer's PuOr, marked colour-blind safe.

tests/widgets/test_graph_colors.py simulates protanopia, deuteranopia and tritanopia (Machado et al. 2009) and
checks that both scales keep their ends and their steps apart (coolwarm measured best of the candidates:
ends 81-107 ΔE apart under every simulation, RdBu 35-70). Nodes without a gradient use the theme's background.
"""

from __future__ import annotations

import math

from matplotlib import colormaps
from matplotlib.colors import to_hex

from .summary import fmt

LOW, HIGH = -7.0, 3.0  # log10 of the norms at the two ends of the scale
_NORM = colormaps["coolwarm"]  # blue (low) - pale - red (high)
_SIGN = colormaps["PuOr_r"]  # purple (negative) - white - orange (positive)
NO_GRAD = "#ffffff"
NAN_COLOR = "#b40426"  # the far red end: nan/inf is as exploded as it gets


def grad_color(grad_norm: float | None) -> str:
    if grad_norm is None:
        return NO_GRAD
    if not math.isfinite(grad_norm):
        return NAN_COLOR
    x = math.log10(grad_norm) if grad_norm > 0 else LOW
    return to_hex(_NORM(min(max((x - LOW) / (HIGH - LOW), 0.0), 1.0)))


def signed_color(value: float, scale: float) -> str:
    """``value`` against the largest magnitude in the graph; kept off the darkest ends so text stays legible."""
    if not math.isfinite(value):
        return NAN_COLOR
    t = 0.0 if scale <= 0 else max(-1.0, min(1.0, value / scale))
    return to_hex(_SIGN(0.5 + 0.4 * t))


def text_color(fill: str) -> str:
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def norm_legend() -> dict:
    """What the browser draws as the colour bar of ``grad_color``."""
    return {
        "title": "gradient norm",
        "stops": [grad_color(10 ** (LOW + (HIGH - LOW) * i / 10)) for i in range(11)],
        "ticks": [f"1e{e}" for e in range(int(LOW), int(HIGH) + 1, 2)],
        "ends": ["vanishing", "exploding"],
    }


def sign_legend(scale: float) -> dict:
    """The colour bar of ``signed_color``, labelled with the graph's largest gradient."""
    return {
        "title": "gradient ∂L/∂node",
        "stops": [signed_color(scale * (i / 5 - 1), scale) for i in range(11)],
        "ticks": [fmt(-scale), "0", fmt(scale)] if scale > 0 else ["0"],
        "ends": ["negative", "positive"],
    }


def legend_html() -> str:
    """A colour bar with its ticks, to sit beside a graph drawn elsewhere (the DOT export)."""
    legend = norm_legend()
    stops = ", ".join(legend["stops"])
    ticks = "".join(f"<span>{t}</span>" for t in legend["ticks"])
    return (
        "<div style='font-size:11px;width:260px'>gradient norm (vanishing … exploding)"
        f"<div style='height:10px;background:linear-gradient(to right, {stops})'></div>"
        f"<div style='display:flex;justify-content:space-between'>{ticks}</div></div>"
    )


def format_norm(value: float | None) -> str:
    return "" if value is None else f"‖∇‖ {value:.1e}"
