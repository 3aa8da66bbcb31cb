"""The anywidget that draws a scene in the browser (``static/graph.js``) and reports clicks back."""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"


class GraphCanvas(anywidget.AnyWidget):
    """``scene`` (from scene.py, as JSON) goes to the browser; ``step`` and ``selected`` come back as the student walks
    and clicks; ``details`` is the HTML of the panel beside the graph."""

    _esm = STATIC / "graph.js"
    _css = STATIC / "graph.css"
    scene = traitlets.Unicode("").tag(sync=True)  # JSON: one string crosses to the browser faster than a dict
    step = traitlets.Int(-1).tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    details = traitlets.Unicode("").tag(sync=True)
