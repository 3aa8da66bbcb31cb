"""The graph widget: a computation graph drawn in the browser, that a student can step through and click into.

Python captures the graph (model.py), walks backward through it (walk.py), lays it out (layout.py, scene.py)
and sends the result to ``static/graph.js``, an anywidget front end shipped in this package: no Graphviz, no
CDN, so it works offline. Clicking a node sends its id back; Python answers with the details panel
(details.py). Without anywidget the view falls back to an SVG made by Graphviz's ``dot``, and without that to
the DOT text with a note.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any

import ipywidgets as W

from autolab.course.i18n import tr
from autolab.tensor import Tensor

from ..compat import colab_note
from ..throttle import Refresher, Throttle
from .details import ParamHistory, fold_node_details, op_details, tensor_details
from .dot import default_expanded, fold, to_dot
from .model import Graph, capture
from .scene import modules_scene, values_scene
from .walk import Walk, walk

try:
    from .canvas import GraphCanvas
except ImportError:  # pragma: no cover - depends on the environment
    GraphCanvas = None

VALUES_LIMIT = 60  # up to this many ops, draw every tensor with its numbers (and offer the walk)
TINY = 8  # ... or this many, if some ran inside modules (one Linear layer: yes; LeNet: its modules)


def dot_to_svg(dot_source: str) -> str | None:
    """SVG text made by the ``dot`` binary, or None where Graphviz is not installed."""
    import graphviz

    try:
        return graphviz.Source(dot_source).pipe(format="svg").decode()
    except graphviz.ExecutableNotFound:
        return None


class GraphView(W.VBox):
    """The computation graph of a tensor (usually the loss).

    Small graphs show every tensor with its value and gradient, and a walk through the forward and backward
    passes; networks show one node per module call, expandable on demand. Click a node for its details.

    >>> view = widgets.graph(loss)              # names come from your variables: w, x, b, loss
    >>> view.step = view.backward_start         # or press the buttons; view.frames says what each step shows
    >>> view.expand("features")                 # a network: open a module to see its layers, or its ops
    """

    def __init__(
        self,
        graph: Graph | None = None,
        expanded: set[str] | None = None,
        refresh: float = 2.0,
        renderer: str = "auto",
        walk: Walk | None = None,
        rules: bool = False,
        start: str | int = "auto",
        history: ParamHistory | None = None,
    ) -> None:
        self.graph = graph or Graph()
        self.walk = walk
        self.start = start
        self.history = history if history is not None else ParamHistory()
        self.expanded: set[str] = set(expanded) if expanded is not None else default_expanded(self.graph)
        self.renderer = _pick_renderer(renderer)
        self.expand_select = W.SelectMultiple(
            options=[], description=tr("Expand"), rows=4, layout=W.Layout(width="260px")
        )
        self.modules_button = W.Button(description=tr("Modules"), tooltip=tr("one node per module call"))
        self.ops_button = W.Button(description=tr("All ops"), tooltip=tr("every op (unreadable for a real network)"))
        self.rules_box = W.Checkbox(value=rules, description=tr("Show local derivative rules"), indent=False)
        self.modules_button.on_click(lambda _: self.set_expanded(default_expanded(self.graph)))
        self.ops_button.on_click(lambda _: self.set_expanded(set(self.graph.module_paths())))
        self.expand_select.observe(self._on_select, "value")
        self.rules_box.observe(lambda _: self.render(), "value")
        if self.renderer == "browser":
            colab_note()  # in Colab with the custom widget manager off, says how to turn it on (once)
            self.canvas = GraphCanvas()
            self.canvas.observe(self._on_selected, "selected")
        else:
            self.canvas = W.HTML()
        self.canvas.add_class("autolab-graph")
        self.canvas.layout = W.Layout(width="100%", min_height="120px")
        self.toolbar = W.HBox([self.expand_select, W.VBox([self.modules_button, self.ops_button])])
        super().__init__([self.toolbar, self.rules_box, self.canvas])
        self.refresher = Refresher(self.render, refresh)
        self._capture_throttle = Throttle(refresh)
        self._fresh_capture = False
        self._fold_nodes: dict[str, Any] = {}
        self.scene: dict = {}
        self._sync_options()
        self.render()

    @classmethod
    def of(cls, tensor: Any, model: Any = None, names: Any = None, detail: str = "auto", **kwargs: Any) -> GraphView:
        """The view of ``tensor``. ``names``: ``{"w": w}`` or ``{w: "w"}``, over the caller's variable names.
        ``detail``: "values" (every tensor, its numbers and the walk), "modules", or "auto" (values for small
        graphs)."""
        if detail not in ("auto", "values", "modules"):
            raise ValueError(f"detail must be 'auto', 'values' or 'modules', got {detail!r}")
        ops, in_modules = count_ops(tensor)
        # Automatically: numbers for a small expression (notebook 02), modules for a network.
        values = detail == "values" or (detail == "auto" and ops <= (VALUES_LIMIT if not in_modules else TINY))
        graph = capture(tensor, model, track_grads=False, values=values, names=_name_map(names))
        graph.refresh_grads()
        trace = walk(tensor, graph) if values and tensor.requires_grad else None
        graph._ids.clear()  # object ids are only meaningful while capturing
        return cls(graph, walk=trace, **kwargs)

    # ---- the walk ----------------------------------------------------------------------------------------
    @property
    def frames(self) -> list[dict]:
        """The steps of the walk: phase, title, explanation lines, current nodes, and what changes."""
        return self.scene.get("frames", [])

    @property
    def step(self) -> int:
        return self.canvas.step if self.renderer == "browser" else self.scene.get("start", 0)

    @step.setter
    def step(self, k: int) -> None:
        if not 0 <= k < max(len(self.frames), 1):
            raise IndexError(f"step {k} is outside the walk's {len(self.frames)} steps")
        if self.renderer == "browser":
            self.canvas.step = k

    @property
    def backward_start(self) -> int:
        """The first step of the backward pass."""
        return next((i for i, f in enumerate(self.frames) if f["phase"] == "backward"), 0)

    def shown(self, k: int | None = None) -> dict[str, dict]:
        """What each node shows at step ``k`` (default: the current step), by node name: ``{"w": {"grad": ...}}``.

        The same merge of the frames the browser does; tests read gradients from it."""
        k = self.step if k is None else k
        out = {}
        states: dict[str, dict] = {}
        for frame in self.frames[: k + 1]:
            for nid, change in frame["set"].items():
                states.setdefault(nid, {}).update(change)
        for node in self.scene.get("nodes", []):
            s = states.get(node["id"], {})
            rows = s.get("grad", node["grad"])
            out[node["alt"]["name"] if node["kind"] != "op" else node["id"]] = {
                "grad": " ".join(r["text"] for r in rows if "text" in r),
                "alt_grad": s.get("altGrad", node["alt"]["grad"]),
                "kind": node["kind"],
            }
        return out

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

    def select(self, node_id: str) -> None:
        """Open the details of a node, as a click does (ids are those of ``scene["nodes"]``)."""
        if self.renderer == "browser":
            self.canvas.selected = node_id
        else:
            self._on_selected({"new": node_id})

    @property
    def details_html(self) -> str:
        return self.canvas.details if self.renderer == "browser" else getattr(self, "_details", "")

    def _sync_options(self) -> None:
        paths = self.graph.module_paths()
        self._syncing = True
        try:
            if list(self.expand_select.options) != paths:
                self.expand_select.options = paths
            self.expand_select.value = tuple(p for p in paths if p in self.expanded)
        finally:
            self._syncing = False
        values = self.graph.has_values
        self.toolbar.layout.display = "none" if values or not paths else None
        self.rules_box.layout.display = None if values and self.graph.ops else "none"

    def _on_select(self, change: dict) -> None:
        if not getattr(self, "_syncing", False):
            self.expanded = set(change["new"])
            self.render()

    @property
    def dot_source(self) -> str:
        return to_dot(self.graph, self.expanded) if self.graph.ops or self.graph.leaves else "digraph { }"

    def build_scene(self) -> dict:
        if self.graph.has_values:
            return values_scene(self.graph, self.walk, show_rules=self.rules_box.value, start=self.start)
        nodes, _, _ = fold(self.graph, self.expanded)
        self._fold_nodes = nodes
        return modules_scene(self.graph, self.expanded)

    def render(self) -> None:
        self._sync_options()
        if not (self.graph.ops or self.graph.leaves):
            return
        scene = self.build_scene()
        if scene == self.scene:
            return  # unchanged: leave the page alone
        self.scene = scene
        if self.renderer == "browser":
            first = not self.canvas.scene
            self.canvas.scene = json.dumps(scene, separators=(",", ":"))
            if first or self.canvas.step >= len(scene["frames"]):
                self.canvas.step = scene["start"] if scene["frames"] else -1
            if self.canvas.selected:
                self._on_selected({"new": self.canvas.selected})
        elif self.renderer == "dot":
            self.canvas.value = dot_to_svg(self.dot_source) or ""
        else:
            self.canvas.value = (
                "<p>No graph renderer here: <code>pip install anywidget</code> (renders in the browser) "
                f"or install Graphviz's <code>dot</code>. The graph in DOT:</p><pre>{html.escape(self.dot_source)}</pre>"
            )

    def _on_selected(self, change: dict) -> None:
        node_id = change["new"]
        text = self.details(node_id) if node_id else ""
        if self.renderer == "browser":
            self.canvas.details = text
        self._details = text

    def details(self, node_id: str) -> str:
        """The HTML of the details panel for a node of the current drawing."""
        if self.graph.has_values:
            number = int(node_id[1:]) if node_id[1:].isdigit() else -1
            if node_id.startswith("o") and number in self.graph.ops:
                return op_details(self.graph, number)
            if number in self.graph.ops or number in self.graph.leaves:
                grad = self.walk.grads.get(number) if self.walk is not None else None
                return tensor_details(self.graph, number, grad)
            return ""
        node = self._fold_nodes.get(node_id)
        return fold_node_details(self.graph, node, self.history) if node is not None else ""

    def export_svg(self, path: str | Path | None = None) -> str | None:
        """The graph as SVG text (also written to ``path``), made by the ``dot`` binary.

        The browser's "⤓ SVG" button needs nothing installed and draws values and gradients too; this is for
        scripts. Where ``dot`` is missing this warns, writes the DOT source next to ``path`` (``.dot``) instead,
        and returns None.
        """
        svg = dot_to_svg(self.dot_source)
        if svg is None:
            warnings.warn(
                "Graphviz's `dot` binary is not installed, so no static SVG: install graphviz (apt-get "
                "install graphviz), use the ⤓ SVG button of the graph in the browser, or paste the DOT source "
                "into any Graphviz viewer.",
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
        elif event.kind == "step":
            if event.stats is not None:
                self.history.add_stats(event.step, event.stats)
            if self._fresh_capture:
                self._fresh_capture = False
                self._next.refresh_grads()
                model = self._next.model
                if model is not None:
                    self.history.add_weights(event.step, model)
                first, self.graph = not self.graph.ops, self._next
                if first:
                    self.expanded = default_expanded(self.graph)
                self.refresher.poke()

    def close(self) -> None:
        if hasattr(self, "refresher"):
            self.refresher.close()
        super().close()


def count_ops(tensor: Any, limit: int = 10_000) -> tuple[int, bool]:
    """How many ops made ``tensor`` (stops counting at ``limit``), and whether any ran inside a module."""
    stack = [tensor.grad_fn] if getattr(tensor, "grad_fn", None) is not None else []
    seen: set[int] = set()
    in_modules = False
    while stack and len(seen) < limit:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        in_modules = in_modules or bool(getattr(fn, "scope", ()))
        stack.extend(t.grad_fn for t in fn.inputs if t.grad_fn is not None)
    return len(seen), in_modules


def caller_names(skip: str = "widgets") -> dict[int, str]:
    """``id(tensor) -> name`` for the tensors in the variables of the code that called into ``widgets``.

    Locals first, then globals (in a notebook they are the same); names starting with ``_`` are IPython's
    output history (``_``, ``_3``) and skipped. A tensor with two names gets the first one defined.
    """
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == skip:
        frame = frame.f_back
    if frame is None:
        return {}
    names: dict[int, str] = {}
    for scope in (frame.f_locals, frame.f_globals):
        for name, value in list(scope.items()):
            if isinstance(value, Tensor) and name.isidentifier() and not name.startswith("_"):
                names.setdefault(id(value), name)
    return names


def _name_map(names: Any) -> dict[int, str]:
    found = caller_names()
    if names:
        for k, v in dict(names).items():
            tensor, name = (v, k) if isinstance(k, str) else (k, v)
            if not isinstance(tensor, Tensor) or not isinstance(name, str):
                raise TypeError("names must map names to tensors ({'w': w}) or tensors to names ({w: 'w'})")
            found[id(tensor)] = name
    return found


def _pick_renderer(renderer: str) -> str:
    if renderer == "wasm":  # the name of the browser renderer when it was graphviz-anywidget
        renderer = "browser"
    if renderer == "auto":
        if GraphCanvas is not None:
            return "browser"
        return "dot" if shutil.which("dot") else "text"
    if renderer not in ("browser", "dot", "text"):
        raise ValueError(f"renderer must be 'auto', 'browser', 'dot' or 'text', got {renderer!r}")
    if renderer == "browser" and GraphCanvas is None:
        raise ImportError("renderer='browser' needs anywidget: pip install anywidget")
    return renderer


def graph(tensor: Any, model: Any = None, names: Any = None, **kwargs: Any) -> GraphView:
    """The graph view of ``tensor`` (usually the loss); see ``GraphView``.

    Nodes are named after your variables (``w``, ``x``, ``loss``), a model's parameters (``conv1.weight``) and
    ``names`` (``{"w": w}``); other intermediates get ``t1``, ``t2``, ... in the order they were computed.
    """
    return GraphView.of(tensor, model, names=names, **kwargs)
