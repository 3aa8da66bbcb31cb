"""The anywidget that draws a scene in the browser (``static/graph.js``) and reports clicks back."""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from autolab.course.i18n import tr

STATIC = Path(__file__).parent / "static"
BROWSER_TEXTS = (
    "play", "pause", "First step", "Previous step", "Play the walk", "Next step", "Last step", "full size",
    "fit width", "Fit the graph to the width, or show it at full size", "Download the drawing as SVG",
    "Download the drawing as PNG", "click a node (or Tab, arrows, Enter) for its details",
    "Text view: the graph as a table (for screen readers)", "node", "kind", "shape", "value", "gradient", "used by",
)  # fmt: skip


class GraphCanvas(anywidget.AnyWidget):
    """``scene`` (from scene.py, as JSON) goes to the browser; ``step`` and ``selected`` come back as the student walks
    and clicks; ``details`` is the HTML of the panel beside the graph."""

    _esm = STATIC / "graph.js"
    _css = STATIC / "graph.css"
    scene = traitlets.Unicode("").tag(sync=True)  # JSON: one string crosses to the browser faster than a dict
    step = traitlets.Int(-1).tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    details = traitlets.Unicode("").tag(sync=True)
    # English text of the browser side -> the student's language (static/graph.js looks each up; {} for English)
    labels = traitlets.Dict({}).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        if not self.labels:
            self.labels = {text: tr(text) for text in BROWSER_TEXTS if tr(text) != text}
