"""End to end in Jupyter Notebook 7: headless Chromium runs the dashboard notebook, and a slider steers training."""

from __future__ import annotations

import pytest
from dashboard_checks import expect_dashboard_renders

pytestmark = pytest.mark.browser


def test_dashboard_in_notebook7(notebook7, page, artifacts, wait_kernel_idle):
    base, token = notebook7
    page.goto(f"{base}/notebooks/dashboard.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook:visible", timeout=30_000)
    wait_kernel_idle(base, token, "dashboard.ipynb")

    # Notebook 7 is built from JupyterLab's parts: the same Lumino menu bar and "Run All Cells" command.
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()

    try:
        expect_dashboard_renders(page)
        page.screenshot(path=str(artifacts / "notebook7-running.png"), full_page=True)

        # Set the learning-rate slider through its readout: in Notebook 7 (7.6.5, seen here) ArrowRight on the
        # focused handle does not move it, as it does in JupyterLab. The trainer then reports the new value.
        readout = page.locator(".autolab-learning-rate .widget-readout").first
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.02")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "document.querySelector('.autolab-progress').textContent.includes('lr=0.02,')", timeout=20_000
        )
        page.screenshot(path=str(artifacts / "notebook7-after-slider.png"), full_page=True)
        status = page.locator(".autolab-status").first.text_content()
        assert "error" not in status, status
    except Exception:
        page.screenshot(path=str(artifacts / "notebook7-failure.png"), full_page=True)
        raise
    assert not page.requests_outside, f"the page fetched from outside 127.0.0.1: {page.requests_outside}"
