"""The computation graph: capture (model.py), walk backward (walk.py), lay out (layout.py, scene.py), draw and
inspect in the browser (view.py, static/graph.js), and write DOT for static export (dot.py)."""

from .dot import to_dot
from .model import Graph, capture
from .view import GraphView, dot_to_svg, graph
from .walk import Walk, walk

__all__ = ["Graph", "GraphView", "Walk", "capture", "dot_to_svg", "graph", "to_dot", "walk"]
