"""Matplotlib figures drawn to PNG bytes without pyplot.

pyplot keeps global state and is not safe to use from the refresh threads; a bare ``Figure`` with the Agg
canvas is. Showing PNG bytes in an ``ipywidgets.Image`` swaps the picture in place: no flicker, and it works in
every front end that renders ipywidgets (JupyterLab, Notebook 7, VS Code, Voila).
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 80


def new_figure(width: float, height: float, **kwargs) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def to_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def set_image(image, png: bytes) -> None:
    """Assign only when the picture changed, so an idle dashboard sends nothing to the browser."""
    if image.value != png:
        image.value = png
