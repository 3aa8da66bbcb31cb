"""End to end in JupyterLab: notebook 02's graph walked step by step, its numbers against autolab's own
backward, node details by mouse and keyboard, the text view, downloads, the dark theme; and a module's details
in the training dashboard. Screenshots land in test-artifacts/browser/."""

from __future__ import annotations

import re

import pytest
from dashboard_checks import expect_dashboard_renders

import autolab

pytestmark = pytest.mark.browser
GRAD = re.compile(r"grad\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*$")


def expected_gradients() -> dict[str, float]:
    """loss = (w * x + b) ** 2 at w = 2, x = -3, b = 10, as notebook 02 builds it: autolab's .grad of every
    tensor (intermediates keep theirs with retain_grad)."""
    w = autolab.tensor(2.0, requires_grad=True)
    b = autolab.tensor(10.0, requires_grad=True)
    x = autolab.tensor(-3.0)
    t1 = w * x
    t2 = t1 + b
    loss = t2**2
    for t in (t1, t2, loss):
        t.retain_grad()
    loss.backward()
    return {name: float(t.grad.item()) for name, t in dict(w=w, b=b, t1=t1, t2=t2, loss=loss).items()}


def shown_gradient(view, name: str) -> float | None:
    """The gradient a node shows, read from its text as a student reads it (None while it shows ``?``)."""
    rows = view.locator(f"g.node[data-name='{name}'] text").all_text_contents()
    grads = [r for r in rows if r.startswith("grad")]
    if not grads or "?" in grads[0]:
        return None
    final = [r for r in rows if r.strip().startswith("=")]  # an addition on show: "grad 1.0 + 2.0" "= 3.0"
    m = GRAD.search(grads[-1]) if not final else re.search(r"=\s*(-?[\d.e+-]+)", final[-1])
    return float(m.group(1))


def run_all(page, base, token, path, wait_kernel_idle):
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook:visible", timeout=30_000)
    wait_kernel_idle(base, token, path)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()


def set_theme(page, name: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").first.click()
    page.locator(".lm-Menu-itemLabel:text-is('Theme')").hover()
    page.locator(f".lm-Menu-itemLabel:text-is('{name}')").click()
    light = "true" if "Light" in name else "false"
    page.wait_for_selector(f"body[data-jp-theme-light='{light}']", state="attached", timeout=10_000)
    page.wait_for_timeout(500)  # the theme's stylesheet applies


def luminance(css_color: str) -> float:
    """0 (black) .. 255 (white) of ``rgb(...)``, ``#rgb`` or ``#rrggbb``."""
    c = css_color.strip()
    if c.startswith("#"):
        h = c[1:] if len(c) > 4 else "".join(ch * 2 for ch in c[1:])
        r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    else:
        r, g, b = (float(v) for v in re.findall(r"[\d.]+", c)[:3])
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_notebook02_backward_walk_matches_autolab(lab_course, page, artifacts, wait_kernel_idle, tmp_path):
    base, token = lab_course
    run_all(page, base, token, "02_autograd.ipynb", wait_kernel_idle)
    want = expected_gradients()
    try:
        page.wait_for_function("document.querySelectorAll('.gv').length >= 3", timeout=60_000)
        view = page.locator(".gv").first
        view.scroll_into_view_if_needed()
        counter = view.locator(".gv-counter")
        total = int(re.search(r"of (\d+)", counter.text_content()).group(1))
        # Drawn before backward(): the walk waits after the forward pass, every gradient still unknown.
        assert shown_gradient(view, "w") is None and "forward" in counter.text_content()
        view.locator("button[data-act=next]").click()
        view.locator("button[data-act=next]").click()
        view.screenshot(path=str(artifacts / "graph-walk-backward.png"))
        seen: dict[str, float] = {}
        for _ in range(total):
            text = counter.text_content()
            for name in want:
                g = shown_gradient(view, name)
                if g is not None:
                    seen[name] = g
            if text.startswith(f"step {total} "):
                break
            assert "backward" in text or "forward" in text
            view.locator("button[data-act=next]").click()
        for name, value in want.items():
            assert seen[name] == pytest.approx(value), f"{name}: shown {seen[name]}, autolab's .grad {value}"
        assert shown_gradient(view, "x") is None  # x needs no gradient: the node says so
        assert "no grad" in view.locator("g.node[data-name='x']").text_content()

        # The printed .grad after backward() and the second drawing (which starts at the end) agree.
        out = page.locator(".jp-OutputArea-output", has_text="backward says").first.text_content()
        printed = {k: float(v) for k, v in re.findall(r"dloss/d(\w) = (-?[\d.]+)", out)}
        assert printed == {"w": want["w"], "b": want["b"]}
        after = page.locator(".gv").nth(1)
        assert shown_gradient(after, "w") == pytest.approx(want["w"])

        # A tensor used twice: some step shows w's two parts being added.
        twice = page.locator(".gv").nth(2)
        twice.scroll_into_view_if_needed()
        twice.locator("button[data-act=first]").click()
        added = None
        for _ in range(40):
            if twice.locator("g.node[data-name='w'].state-acc").count():
                added = twice.locator("g.node[data-name='w']").text_content()
                twice.screenshot(path=str(artifacts / "graph-accumulation.png"))
                break
            twice.locator("button[data-act=next]").click()
        assert added is not None and "+" in added, "no step showed w's gradients being added"
        twice.locator("button[data-act=last]").click()
        w_grad = page.locator(".jp-OutputArea-output", has_text="w.grad =").first.text_content()
        assert shown_gradient(twice, "w") == pytest.approx(float(re.search(r"w.grad = (-?[\d.]+)", w_grad).group(1)))

        # Details: a click on w, then the keyboard: arrow to a neighbour, Enter.
        view.locator("g.node[data-name='w']").click()
        details = view.locator(".gv-details")
        details.locator("h4", has_text="w").wait_for(timeout=10_000)
        assert "requires_grad" in details.text_content() and "True" in details.text_content()
        active = page.evaluate(
            "[...document.querySelectorAll('.jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))"
        )
        view.locator("g.node[data-name='w']").press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "(el) => !el.querySelector('h4') || el.querySelector('h4').textContent !== 'w'",
            arg=details.element_handle(),
            timeout=10_000,
        )
        after_keys = "[...document.querySelectorAll('.jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))"
        assert page.evaluate(after_keys) == active  # the keys moved within the graph, not between cells
        assert page.locator(".jp-Notebook.jp-mod-editMode").count() == 0  # and Enter did not start editing
        view.screenshot(path=str(artifacts / "graph-details.png"))

        # The text view: one row per node, with the gradient the drawing shows.
        view.locator(".gv-table summary").click()
        row = view.locator(".gv-table tr[data-id]", has=page.locator("th", has_text="b")).first
        assert str(want["b"]) in row.text_content()
        view.locator(".gv-table").screenshot(path=str(artifacts / "graph-table.png"))

        # Downloads, made in the browser: no Graphviz anywhere.
        with page.expect_download() as svg_download:
            view.locator("button[data-act=svg]").click()
        svg_download.value.save_as(tmp_path / "graph.svg")
        svg = (tmp_path / "graph.svg").read_text()
        assert svg.startswith("<svg") and "grad -24.0" in svg and "--gv-fg" in svg
        with page.expect_download() as png_download:
            view.locator("button[data-act=png]").click()
        png_download.value.save_as(tmp_path / "graph.png")
        assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        # Dark theme: text stays light on the dark page, and the drawing is still readable.
        light_fg = view.evaluate("el => getComputedStyle(el).getPropertyValue('--gv-fg')")
        set_theme(page, "JupyterLab Dark")
        view.scroll_into_view_if_needed()
        dark_fg = view.evaluate("el => getComputedStyle(el.querySelector('g.node.kind-op text')).fill")
        dark_bg = view.evaluate("el => getComputedStyle(el).getPropertyValue('--gv-bg')")
        assert luminance(dark_fg) > 150 and luminance(dark_fg) - luminance(dark_bg) > 100, (dark_fg, dark_bg)
        assert light_fg != view.evaluate("el => getComputedStyle(el).getPropertyValue('--gv-fg')")
        view.screenshot(path=str(artifacts / "graph-dark.png"))
        twice.scroll_into_view_if_needed()
        twice.screenshot(path=str(artifacts / "graph-accumulation-dark.png"))
        set_theme(page, "JupyterLab Light")
    except Exception:
        page.screenshot(path=str(artifacts / "graph-failure.png"), full_page=True)
        raise
    assert not page.requests_outside, f"the page fetched from outside 127.0.0.1: {page.requests_outside}"


def test_dashboard_module_details(lab, page, artifacts, wait_kernel_idle):
    base, token = lab
    run_all(page, base, token, "dashboard.ipynb", wait_kernel_idle)
    try:
        expect_dashboard_renders(page)
        page.wait_for_function(
            "document.querySelector('.autolab-progress') && /step [1-9]/.test(document.querySelector('.autolab-progress').textContent)",
            timeout=30_000,
        )
        graph = page.locator(".autolab-graph").first
        graph.locator("g.node[data-name^='conv1']").click()
        details = graph.locator(".gv-details")
        details.locator("h4", has_text="conv1").wait_for(timeout=15_000)
        text = details.text_content()
        assert "Conv2d" in text and "conv1.weight" in text and "conv1.bias" in text
        # Statistics over the training so far: charts appear once steps with statistics have run.
        page.wait_for_function(
            "(el) => el.textContent.includes('gradient norm over training')",
            arg=details.element_handle(),
            timeout=30_000,
        )
        graph.screenshot(path=str(artifacts / "dashboard-module-details.png"))
        set_theme(page, "JupyterLab Dark")
        graph.screenshot(path=str(artifacts / "dashboard-module-details-dark.png"))
        set_theme(page, "JupyterLab Light")
        assert "error" not in page.locator(".autolab-status").first.text_content()
    except Exception:
        page.screenshot(path=str(artifacts / "dashboard-details-failure.png"), full_page=True)
        raise
    assert not page.requests_outside, f"the page fetched from outside 127.0.0.1: {page.requests_outside}"
