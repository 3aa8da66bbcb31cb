"""End to end in Voila: the dashboard notebook served as an app, code hidden, rendered by headless Chromium."""

from __future__ import annotations

import pytest
from dashboard_checks import expect_dashboard_renders

pytestmark = pytest.mark.browser

# Voila 0.5's page template links FontAwesome from jsDelivr. Offline that fails harmlessly (icons only); here it is
# blocked so the test never depends on the network, and it must be the only thing asked of outside 127.0.0.1.
_KNOWN_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@"


def _local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "data:", "blob:"))


def test_dashboard_in_voila(voila, page, artifacts):
    base, token = voila
    page.route(lambda url: not _local(url), lambda route: route.abort())
    page.goto(f"{base}/?token={token}")
    try:
        # Voila runs every cell (the second starts training) and shows only the outputs.
        expect_dashboard_renders(page)
        page.screenshot(path=str(artifacts / "voila-running.png"), full_page=True)

        # Code hidden: no input areas or editors, and none of the notebook's source text on the page.
        assert page.locator(".jp-InputArea, .jp-InputPrompt, .cm-editor, .CodeMirror").count() == 0
        body = page.locator("body").inner_text()
        for source in ("import autolab", "class LeNet", "widgets.dashboard("):
            assert source not in body, f"Voila showed the notebook's code: {source!r}"

        # The app is live: the learning-rate readout steers the training thread in Voila's kernel too.
        readout = page.locator(".autolab-learning-rate .widget-readout").first
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.02")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "document.querySelector('.autolab-progress').textContent.includes('lr=0.02,')", timeout=20_000
        )
        page.screenshot(path=str(artifacts / "voila-after-slider.png"), full_page=True)
        status = page.locator(".autolab-status").first.text_content()
        assert "error" not in status, status
    except Exception:
        page.screenshot(path=str(artifacts / "voila-failure.png"), full_page=True)
        raise
    unexpected = [u for u in page.requests_outside if not u.startswith(_KNOWN_CDN)]
    assert not unexpected, f"the page asked for more than the known FontAwesome CDN stylesheet: {unexpected}"
