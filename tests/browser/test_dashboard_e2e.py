"""End to end: JupyterLab + headless Chromium run the dashboard notebook, and a slider steers training."""

from __future__ import annotations

import pytest
from dashboard_checks import expect_dashboard_renders

pytestmark = pytest.mark.browser


def test_dashboard_in_jupyterlab(lab, page, artifacts, wait_kernel_idle):
    base, token = lab
    page.goto(f"{base}/lab/tree/dashboard.ipynb?reset&token={token}")
    page.wait_for_selector(".jp-Notebook:visible", timeout=30_000)
    wait_kernel_idle(base, token, "dashboard.ipynb")

    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()

    try:
        expect_dashboard_renders(page, ("conv1", "conv2", "fc1", "fc2", "fc3", "pool", "CrossEntropyLoss"))
        page.screenshot(path=str(artifacts / "dashboard-running.png"), full_page=True)

        # Move the learning-rate slider one notch right: 1e-2 -> 10**-1.9 on its log scale.
        handle = page.locator(".autolab-learning-rate .noUi-handle").first
        handle.focus()
        handle.press("ArrowRight")
        page.wait_for_function(
            "document.querySelector('.autolab-progress').textContent.includes('lr=0.0126')", timeout=20_000
        )
        page.screenshot(path=str(artifacts / "dashboard-after-slider.png"), full_page=True)
        status = page.locator(".autolab-status").first.text_content()
        assert "error" not in status, status
    except Exception:
        page.screenshot(path=str(artifacts / "dashboard-failure.png"), full_page=True)
        raise
    assert not page.requests_outside, f"the page fetched from outside 127.0.0.1: {page.requests_outside}"
