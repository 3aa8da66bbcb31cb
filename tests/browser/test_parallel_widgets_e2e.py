"""End to end: notebook 11's widgets in JupyterLab + headless Chromium. The ring all-reduce plays in the browser
(its Play widget ticks there); the data-parallel dashboard draws both ranks and its bucket timeline follows the
rank picked in the browser. Synthetic records, so no MPI cluster is started here (tests/distributed runs MPI)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

CELLS = [
    "import widgets\nring = widgets.RingAllReduce(4, interval_ms=300)\nring",
    """from autolab.nn.parallel.reducer import BucketTiming, StepTimeline

def timeline(s):
    b = [BucketTiming(0, 850, 3400, 0.004, 0.0042, 0.006), BucketTiming(1, 3000, 12000, 0.009, 0.0092, 0.0118)]
    return StepTimeline((0.0, 0.003), (0.0032, 0.010), 0.012, b).as_dict()

dash = widgets.ParallelDashboard(2, title="synthetic", refresh=0.0)
dash.add([{"rank": r, "step": s, "loss": 2.3 - 0.05 * s + 0.02 * r, "images": 64, "step_time": 0.012,
           "timeline": timeline(s)} for s in range(1, 21) for r in range(2)])
dash.refresher.flush()
dash""",
]


def notebook() -> dict:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": src}
        for i, src in enumerate(CELLS)
    ]
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {"cells": cells, "metadata": {"kernelspec": spec}, "nbformat": 4, "nbformat_minor": 5}


def test_ring_and_parallel_dashboard_in_jupyterlab(lab, page, artifacts, wait_kernel_idle, tmp_path):
    base, token = lab
    (tmp_path / "nb" / "parallel.ipynb").write_text(json.dumps(notebook()))
    page.goto(f"{base}/lab/tree/parallel.ipynb?reset&token={token}")
    page.wait_for_selector(".jp-Notebook:visible", timeout=30_000)
    wait_kernel_idle(base, token, "parallel.ipynb")
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
    try:
        page.wait_for_selector(".autolab-ring svg", timeout=60_000)
        assert page.locator(".autolab-ring svg rect").count() == 16  # 4 ranks x 4 chunks
        page.locator(".widget-play button").first.click()  # play: the browser advances the slider
        page.wait_for_function(
            "[...document.querySelectorAll('.widget-html')].some(e => e.textContent.includes('Done: every rank'))",
            timeout=30_000,
        )
        page.locator(".autolab-ring").first.screenshot(path=str(artifacts / "ring-allreduce-done.png"))

        page.wait_for_selector(".autolab-bucket-timeline svg", timeout=60_000)
        timeline = page.locator(".autolab-bucket-timeline").first
        assert "rank 0, step 20" in timeline.text_content()
        assert timeline.locator("rect[fill='#f58518']").count() == 3  # two buckets + the legend swatch
        charts = page.locator(".autolab-parallel-charts").first
        assert charts.locator("polyline").count() >= 6  # loss of 2 ranks, all-reduce and exposed of 2 ranks
        page.locator(".jp-OutputArea select").first.select_option("1")  # the Rank dropdown
        page.wait_for_function(
            "document.querySelector('.autolab-bucket-timeline').textContent.includes('rank 1, step 20')",
            timeout=20_000,
        )
        charts.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea')]").first.screenshot(
            path=str(artifacts / "parallel-dashboard.png")
        )
    except Exception:
        page.screenshot(path=str(artifacts / "parallel-failure.png"), full_page=True)
        raise
    assert not page.requests_outside, f"the page fetched from outside 127.0.0.1: {page.requests_outside}"
