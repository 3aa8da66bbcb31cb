"""The graph widget's front end (widgets/graphview/static/graph.js) in a bare Chromium page, without Jupyter.

anywidget hands ``render`` a model with get/set/on/save_changes; this page gives it a small stand-in, so the
drawing, the walk, the keyboard and the downloads can be tested in a second instead of a JupyterLab start.
The JupyterLab tests (test_graph_e2e.py) check the real thing end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "widgets" / "graphview" / "static"

# JupyterLab's light and dark theme values of the variables graph.css reads.
THEMES = {
    "light": {
        "--jp-layout-color0": "#ffffff",
        "--jp-layout-color1": "#ffffff",
        "--jp-layout-color2": "#eeeeee",
        "--jp-ui-font-color0": "rgba(0,0,0,1)",
        "--jp-ui-font-color2": "rgba(0,0,0,0.54)",
        "--jp-ui-font-color3": "rgba(0,0,0,0.38)",
        "--jp-border-color1": "#bdbdbd",
    },
    "dark": {
        "--jp-layout-color0": "#111111",
        "--jp-layout-color1": "#212121",
        "--jp-layout-color2": "#424242",
        "--jp-ui-font-color0": "rgba(255,255,255,1)",
        "--jp-ui-font-color2": "rgba(255,255,255,0.54)",
        "--jp-ui-font-color3": "rgba(255,255,255,0.38)",
        "--jp-border-color1": "#616161",
    },
}

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>{css}
body {{ margin: 12px; background: var(--jp-layout-color0); {theme} }}</style></head>
<body><div id="root" style="width:{width}px"></div><script type="module">
const source = {js};
const mod = await import(URL.createObjectURL(new Blob([source], {{type: "text/javascript"}})));
const handlers = {{}};
const state = {{scene: {scene}, step: {step}, selected: "", details: ""}};
window.model = {{
  changes: [],
  get: (k) => state[k],
  set: (k, v) => {{ state[k] = v; window.model.changes.push([k, v]); (handlers["change:" + k] || []).forEach((f) => f()); }},
  on: (ev, f) => {{ (handlers[ev] = handlers[ev] || []).push(f); }},
  save_changes: () => {{}},
  send: () => {{}},
}};
mod.default.render({{model: window.model, el: document.getElementById("root")}});
window.rendered = true;
</script></body></html>"""


def page_html(scene: dict, step: int = -1, theme: str = "light", width: int = 1000) -> str:
    variables = ";".join(f"{k}:{v}" for k, v in THEMES[theme].items())
    return PAGE.format(
        css=(STATIC / "graph.css").read_text(),
        js=json.dumps((STATIC / "graph.js").read_text()),
        scene=json.dumps(json.dumps(scene)),
        step=step,
        theme=variables,
        width=width,
    )


def open_scene(page, scene: dict, step: int = -1, theme: str = "light", width: int = 1000) -> None:
    """Draw ``scene`` in ``page`` (a Playwright page) and wait until it is drawn."""
    page.set_content(page_html(scene, step, theme, width))
    page.wait_for_function("window.rendered === true", timeout=10_000)
