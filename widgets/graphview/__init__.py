"""The computation graph: capture (model.py), fold and write DOT (dot.py), draw and update (view.py)."""

from .dot import to_dot
from .model import Graph, capture
from .view import GraphView, dot_to_svg, graph

__all__ = ["Graph", "GraphView", "capture", "dot_to_svg", "graph", "to_dot"]
