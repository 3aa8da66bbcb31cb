"""End to end: the optimizer race (notebook 05) in JupyterLab: Run moves the paths, a slider reaches the race."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "race",
            "metadata": {},
            "outputs": [],
            "source": ["import widgets\n", "race = widgets.optimizer_race('bowl')\n", "race"],
        }
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_optimizer_race_in_jupyterlab(lab, page, artifacts, wait_kernel_idle, tmp_path):
    base, token = lab
    (tmp_path / "nb" / "race.ipynb").write_text(json.dumps(NOTEBOOK))
    page.goto(f"{base}/lab/tree/race.ipynb?reset&token={token}")
    page.wait_for_selector(".jp-Notebook:visible", timeout=30_000)
    wait_kernel_idle(base, token, "race.ipynb")
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
    try:
        page.wait_for_selector(".autolab-race-plot svg polyline", timeout=60_000)
        assert page.locator(".autolab-race-table tr").count() == 5  # a header and four racers
        before = page.locator(".autolab-race-plot").inner_html()

        page.locator("button", has_text="Run").first.click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.autolab-race-table td')].some(td => td.textContent === 'converged')",
            timeout=60_000,
        )
        assert page.locator(".autolab-race-plot").inner_html() != before
        page.screenshot(path=str(artifacts / "race-after-run.png"), full_page=True)

        # One notch right on the learning-rate slider (log scale, steps of 0.05 from 1e-4): 0.06 -> 10**-1.15.
        handle = page.locator(".autolab-race-learning-rate .noUi-handle").first
        handle.focus()
        handle.press("ArrowRight")
        page.wait_for_function(
            "document.querySelector('.autolab-race-hparams').textContent.includes('learning rate 0.0708')",
            timeout=20_000,
        )
        page.locator(".lm-Widget button", has_text="Rosenbrock valley").first.click()
        page.wait_for_function(
            "document.querySelector('.autolab-race-plot').textContent.includes('Rosenbrock valley')", timeout=20_000
        )
        page.screenshot(path=str(artifacts / "race-rosenbrock.png"), full_page=True)
    except Exception:
        page.screenshot(path=str(artifacts / "race-failure.png"), full_page=True)
        raise
    assert not page.requests_outside, f"the page fetched from outside 127.0.0.1: {page.requests_outside}"
