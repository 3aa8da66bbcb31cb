"""Checks shared by the JupyterLab, Notebook 7 and Voila end-to-end tests (a module, not conftest: pytest imports
conftest files by path, so `from conftest import ...` would pick whichever it loaded first)."""

from __future__ import annotations

import json


def expect_dashboard_renders(page, modules: tuple[str, ...] = ("conv1", "conv2", "fc1", "fc3", "CrossEntropyLoss")):
    """The graph (drawn in the browser by the graph widget's own front end, one node per module call of LeNet) shows each of
    ``modules``, and the loss plot's train curve is redrawn as training goes on."""
    page.wait_for_function("document.querySelectorAll('.autolab-graph svg g.node').length >= 8", timeout=45_000)
    page.wait_for_function("document.querySelectorAll('.autolab-loss-plot svg polyline').length >= 2", timeout=30_000)
    graph_text = page.locator(".autolab-graph svg").first.text_content()
    for module in modules:
        assert module in graph_text, f"{module} missing from the rendered graph: {graph_text!r}"
    first_plot = page.locator(".autolab-loss-plot polyline").nth(1).get_attribute("points")
    page.wait_for_function(
        "document.querySelectorAll('.autolab-loss-plot polyline')[1].getAttribute('points') !== "
        f"{json.dumps(first_plot)}",
        timeout=20_000,
    )
