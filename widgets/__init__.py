"""autolab's Jupyter layer: live graph, curves, gradients, controls, a dashboard, a playground and CNN views.

autolab never imports this package; it imports autolab, ipywidgets, matplotlib, graphviz (static SVG export)
and anywidget (the graph's own browser side, shipped in graphview/static: it renders offline).

>>> import widgets
>>> dash = widgets.dashboard(model, optimizer, loss_fn, train_loader, val_loader)
"""

from .activations import ActivationView, debug_dashboard
from .curves import LossCurves
from .controls import Controls
from .dashboard import Dashboard, dashboard
from .gradients import GradientView
from .graphview import GraphView, graph
from .playground import LinearRegressionPlayground, linear_regression
from .cnn import confusion_matrix, conv_filters, feature_maps, prediction_grid
from .optimizer_race import OptimizerRace, optimizer_race
from .parallel import ParallelDashboard
from .ring import RingAllReduce
from . import scaling

__all__ = [
    "ActivationView",
    "Controls",
    "Dashboard",
    "GradientView",
    "GraphView",
    "LinearRegressionPlayground",
    "LossCurves",
    "OptimizerRace",
    "ParallelDashboard",
    "RingAllReduce",
    "confusion_matrix",
    "conv_filters",
    "dashboard",
    "debug_dashboard",
    "feature_maps",
    "graph",
    "linear_regression",
    "optimizer_race",
    "prediction_grid",
]
