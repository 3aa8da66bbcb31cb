"""The graph widget's front end alone (graph.js in a bare Chromium page, no Jupyter): a 200-op network draws
every node, play walks to the end, the arrow keys move between nodes, and a download is self-contained."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from graph_harness import open_scene

import autolab

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from bench_graph import mlp_loss  # noqa: E402

from widgets.graphview import GraphView, capture  # noqa: E402

pytestmark = pytest.mark.browser


def test_a_200_op_network_draws_every_node(page):
    model, loss = mlp_loss()
    loss.backward()
    view = GraphView(capture(loss, model), renderer="text")
    view.set_expanded(set(view.graph.module_paths()))
    scene = view.scene
    open_scene(page, scene)
    assert page.locator("g.node").count() == len(scene["nodes"]) >= 300
    assert page.locator("g.edge").count() == len(scene["edges"])
    assert page.locator("g.cluster").count() == 101  # the Sequential and each of its 100 layer calls
    ms = float(page.evaluate("document.getElementById('root').dataset.renderMs"))
    print(f"drawn in {ms:.0f} ms")  # measured, not asserted: timings belong in scripts/bench_graph.py


def test_play_walks_to_the_end_and_keys_move_between_nodes(page):
    w = autolab.tensor(2.0, requires_grad=True)
    b = autolab.tensor(10.0, requires_grad=True)
    x = autolab.tensor(-3.0)
    loss = (w * x + b) ** 2
    view = GraphView.of(loss, names={"w": w, "b": b, "x": x, "loss": loss}, renderer="text")
    open_scene(page, view.scene, step=0)
    page.evaluate("document.getElementById('root').dataset.playMs = 100")  # a student's pace is 1.2 s a step
    page.click("button[data-act=last]")
    page.click("button[data-act=play]")  # at the end: play starts again from the first step
    page.wait_for_function(
        f"document.querySelector('.gv-counter').textContent.startsWith('step {len(view.frames)} ')", timeout=30_000
    )
    steps = [k for name, k in page.evaluate("window.model.changes") if name == "step"]
    assert steps[-len(view.frames) :] == list(range(len(view.frames)))  # every step, in order
    assert page.locator("g.node[data-name='w'] text").all_text_contents()[-1] == "grad -24.0"

    page.keyboard.press("Tab")  # from the page into the walk's buttons ... then to the graph's first node
    page.locator("g.node[tabindex='0']").focus()
    start = page.evaluate("document.activeElement.dataset.name")
    page.keyboard.press("ArrowDown")
    below = page.evaluate("document.activeElement.dataset.name")
    assert below != start
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.dataset.name") in (start, "w", "x")
    page.keyboard.press("Enter")
    assert ["selected", page.evaluate("document.activeElement.dataset.id")] in page.evaluate("window.model.changes")


def test_download_is_self_contained(page, tmp_path):
    loss = (autolab.tensor(1.5, requires_grad=True) * 2.0).exp()
    view = GraphView.of(loss, renderer="text")
    open_scene(page, view.scene, theme="dark")
    with page.expect_download() as download:
        page.click("button[data-act=svg]")
    download.value.save_as(tmp_path / "g.svg")
    svg = (tmp_path / "g.svg").read_text()
    # The theme's variables are written into the file, so it looks the same outside JupyterLab.
    style = svg[svg.index("<svg") : svg.index(">", svg.index("<svg"))]
    assert "--gv-bg:#111111" in style.replace(" ", "") and "var(--jp" not in style
    assert svg.count('class="node') == len(view.scene["nodes"]) and "tabindex" not in svg
    assert json.loads(json.dumps(view.scene))["legend"]["title"] in svg
