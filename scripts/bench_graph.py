"""How long the graph view takes to redraw a 200-op network after a change (a benchmark, not a test).

    python scripts/bench_graph.py [--rounds 7] [--no-browser]

A change is what a student or the dashboard does: a new capture during training (module view), Expand "All
ops", or drawing the values view with its backward walk. Each is timed in two halves, medians over the rounds:

- Python: capture + fold + layout + the JSON the widget sends (what the kernel spends);
- browser: graph.js parsing that JSON and building the SVG, in headless Chromium (tests/browser/graph_harness.py
  loads the real front end without Jupyter); the time is graph.js's own measurement (``data-render-ms``).

The widget's message itself (a JSON string of 50-250 kB) crosses the kernel's socket in a few milliseconds.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import autolab  # noqa: E402
from autolab import nn  # noqa: E402
from widgets.graphview import GraphView, capture  # noqa: E402


def mlp_loss(layers: int = 50):
    """A 50-layer MLP: 202 ops (matmul, add, relu per layer, the transposes of the weights, the loss)."""
    autolab.manual_seed(0)
    blocks = []
    for _ in range(layers):
        blocks += [nn.Linear(16, 16), nn.ReLU()]
    model = nn.Sequential(*blocks)
    return model, model(autolab.randn(8, 16)).pow(2).mean()


def expression_loss(terms: int = 50):
    """A 200-op expression of scalars and small tensors, for the values view and its walk."""
    w = autolab.tensor([0.5, -0.3], requires_grad=True)
    x = autolab.tensor([1.0, 2.0])
    t = w
    for i in range(terms):
        t = (t * x + 0.1 * i).tanh() * w
    return t.sum()


def timed(fn, rounds: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    model, loss = mlp_loss()
    loss.backward()
    view = GraphView(capture(loss, model), renderer="text")
    print(f"network: {len(view.graph.ops)} ops, {len(view.graph.leaves)} leaves")

    def dashboard_change():
        g = capture(loss, model, track_grads=True)
        g.refresh_grads()
        view.graph = g
        view.scene = {}
        return json.dumps(view.build_scene())

    def all_ops():
        view.expanded = set(view.graph.module_paths())
        return json.dumps(view.build_scene())

    expr = expression_loss()

    def values_view():
        v = GraphView.of(expr, detail="values", renderer="text")
        return json.dumps(v.scene)

    cases = {}
    for name, fn in (
        ("module view, new capture", dashboard_change),
        ("all 202 ops", all_ops),
        ("values view + walk, 200 ops", values_view),
    ):
        seconds, scene_json = timed(fn, args.rounds)
        cases[name] = scene_json
        print(f"{name:30s} python {seconds * 1000:7.1f} ms   JSON {len(scene_json) / 1024:6.1f} kB", flush=True)
    if args.no_browser or not shutil.which("chromium"):
        return
    from graph_harness import open_scene
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        for name, scene_json in cases.items():
            open_scene(page, json.loads(scene_json))
            redraws = []
            for _ in range(args.rounds):  # a change: the same model trait set again, as the kernel does
                page.evaluate("s => window.model.set('scene', s)", scene_json)
                redraws.append(float(page.evaluate("document.getElementById('root').dataset.renderMs")))
            print(f"{name:30s} browser {statistics.median(redraws):6.1f} ms (median of {args.rounds} redraws)")
        browser.close()
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")


if __name__ == "__main__":
    main()
