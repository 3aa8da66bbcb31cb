"""The graph widget: DOT laid out in the browser by Graphviz compiled to WebAssembly.

The browser side is ``graphviz-anywidget``, which ships Graphviz as WASM inside its JavaScript: no ``dot`` binary
and nothing fetched from a CDN, so it works offline. d3-graphviz redraws a changed graph in place, so live
updates do not flicker. Without that package the view falls back to an SVG made by the ``dot`` binary, and
without that to the DOT text with a note.
"""

from __future__ import annotations

import html
import shutil
import warnings
from pathlib import Path
from typing import Any

import ipywidgets as W

from ..compat import colab_note
from ..throttle import Refresher, Throttle
from .colors import legend_html
from .dot import default_expanded, to_dot
from .model import Graph, capture

try:
    from graphviz_anywidget import GraphvizAnyWidget
except ImportError:  # pragma: no cover - depends on the environment
    GraphvizAnyWidget = None


def dot_to_svg(dot_source: str) -> str | None:
    """SVG text made by the ``dot`` binary, or None where Graphviz is not installed."""
    import graphviz

    try:
        return graphviz.Source(dot_source).pipe(format="svg").decode()
    except graphviz.ExecutableNotFound:
        return None


class GraphView(W.VBox):
    """The computation graph of a tensor (usually the loss), one node per module call, expandable on demand.

    >>> view = GraphView.of(loss, model)       # after loss.backward(), nodes show gradient norms
    >>> view.expand("features")                # open a module: its layers, or its ops
    >>> view.export_svg("graph.svg")           # static picture (needs the dot binary)
    """

    def __init__(
        self, graph: Graph | None = None, expanded: set[str] | None = None, refresh: float = 2.0, renderer: str = "auto"
    ) -> None:
        self.graph = graph or Graph()
        self.expanded: set[str] = set(expanded) if expanded is not None else default_expanded(self.graph)
        self.renderer = _pick_renderer(renderer)
        self.expand_select = W.SelectMultiple(options=[], description="Expand", rows=4, layout=W.Layout(width="260px"))
        self.modules_button = W.Button(description="Modules", tooltip="one node per module call")
        self.ops_button = W.Button(description="All ops", tooltip="every op (unreadable for a real network)")
        self.modules_button.on_click(lambda _: self.set_expanded(default_expanded(self.graph)))
        self.ops_button.on_click(lambda _: self.set_expanded(set(self.graph.module_paths())))
        self.expand_select.observe(self._on_select, "value")
        if self.renderer == "wasm":
            colab_note()  # in Colab with the custom widget manager off, says how to turn it on (once)
            self.canvas = GraphvizAnyWidget(dot_source="", enable_zoom=True)
        else:
            self.canvas = W.HTML()
        self.canvas.add_class("autolab-graph")
        self.canvas.layout = W.Layout(width="100%", min_height="300px")
        toolbar = W.HBox([self.expand_select, W.VBox([self.modules_button, self.ops_button]), W.HTML(legend_html())])
        super().__init__([toolbar, self.canvas])
        self.refresher = Refresher(self.render, refresh)
        self._capture_throttle = Throttle(refresh)
        self._fresh_capture = False
        self.dot_source = ""
        self._sync_options()
        self.render()

    @classmethod
    def of(cls, tensor: Any, model: Any = None, **kwargs: Any) -> GraphView:
        graph = capture(tensor, model, track_grads=False)
        graph.refresh_grads()
        return cls(graph, **kwargs)

    # ---- what is shown ---------------------------------------------------------------------------------
    def show(self, graph: Graph) -> None:
        first = not self.graph.ops
        self.graph = graph
        if first:
            self.expanded = default_expanded(graph)
        self._sync_options()
        self.refresher.redraw()

    def set_expanded(self, expanded: set[str]) -> None:
        self.expanded = set(expanded)
        self._sync_options()
        self.render()

    def expand(self, path: str) -> None:
        self.set_expanded(self.expanded | {path})

    def collapse(self, path: str) -> None:
        self.set_expanded(self.expanded - {path})

    def _sync_options(self) -> None:
        paths = self.graph.module_paths()
        self._syncing = True
        try:
            if list(self.expand_select.options) != paths:
                self.expand_select.options = paths
            self.expand_select.value = tuple(p for p in paths if p in self.expanded)
        finally:
            self._syncing = False

    def _on_select(self, change: dict) -> None:
        if not getattr(self, "_syncing", False):
            self.expanded = set(change["new"])
            self.render()

    def render(self) -> None:
        self._sync_options()
        dot = to_dot(self.graph, self.expanded) if self.graph.ops or self.graph.leaves else "digraph { }"
        if dot == self.dot_source:
            return  # unchanged: leave the page alone
        self.dot_source = dot
        if self.renderer == "wasm":
            self.canvas.dot_source = dot
        elif self.renderer == "dot":
            self.canvas.value = dot_to_svg(dot) or ""
        else:
            self.canvas.value = (
                "<p>No graph renderer here: <code>pip install graphviz-anywidget</code> (renders in the browser) "
                f"or install Graphviz's <code>dot</code>. The graph in DOT:</p><pre>{html.escape(dot)}</pre>"
            )

    def export_svg(self, path: str | Path | None = None) -> str | None:
        """The graph as SVG text (also written to ``path``), made by the ``dot`` binary.

        Where ``dot`` is missing this warns, writes the DOT source next to ``path`` (``.dot``) instead, and
        returns None: the live view still works, it lays the graph out in the browser.
        """
        svg = dot_to_svg(self.dot_source)
        if svg is None:
            warnings.warn(
                "Graphviz's `dot` binary is not installed, so no static SVG: install graphviz (apt-get "
                "install graphviz) or paste the DOT source into any Graphviz viewer.",
                stacklevel=2,
            )
            if path is not None:
                Path(path).with_suffix(".dot").write_text(self.dot_source)
            return None
        if path is not None:
            Path(path).write_text(svg)
        return svg

    # ---- live, from autolab.training events -------------------------------------------------------------
    def on_event(self, event: Any) -> None:
        """Listener for ``Trainer.subscribe``: re-capture the graph at most every ``refresh`` seconds."""
        if event.kind == "forward":
            if self._capture_throttle.ready():
                self._next = capture(event.loss, event.model, track_grads=True)
                self._fresh_capture = True
        elif event.kind == "step" and self._fresh_capture:
            self._fresh_capture = False
            self._next.refresh_grads()
            first, self.graph = not self.graph.ops, self._next
            if first:
                self.expanded = default_expanded(self.graph)
            self.refresher.poke()

    def close(self) -> None:
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()


def _pick_renderer(renderer: str) -> str:
    if renderer == "auto":
        if GraphvizAnyWidget is not None:
            return "wasm"
        return "dot" if shutil.which("dot") else "text"
    if renderer not in ("wasm", "dot", "text"):
        raise ValueError(f"renderer must be 'auto', 'wasm', 'dot' or 'text', got {renderer!r}")
    if renderer == "wasm" and GraphvizAnyWidget is None:
        raise ImportError("renderer='wasm' needs graphviz-anywidget: pip install graphviz-anywidget")
    return renderer


def graph(tensor: Any, model: Any = None, **kwargs: Any) -> GraphView:
    """The graph view of ``tensor`` (usually the loss); see ``GraphView``."""
    return GraphView.of(tensor, model, **kwargs)
