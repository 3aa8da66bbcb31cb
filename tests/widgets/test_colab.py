"""Colab, faked in sys.modules: with the custom widget manager off, the widgets say how to turn it on."""

from __future__ import annotations

import sys
import types

import widgets
from widgets import compat


def _fake_colab(monkeypatch, enable):
    """google.colab.output as Colab lays it out: enable_custom_widget_manager, and _widgets._installed_url."""
    google = types.ModuleType("google")
    colab = types.ModuleType("google.colab")
    output = types.ModuleType("google.colab.output")
    output._widgets = types.SimpleNamespace(_installed_url=None)
    output.enable_custom_widget_manager = lambda: enable(output._widgets)
    google.colab, colab.output = colab, output
    for name, module in (("google", google), ("google.colab", colab), ("google.colab.output", output)):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(compat, "_told", False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    return shown


def _refuse(record):
    raise RuntimeError("no widget manager here")


def _install(record):
    record._installed_url = "https://ssl.gstatic.com/colaboratory-static/widgets/manager.min.js"


def test_outside_colab_nothing_is_said(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert compat.colab_widget_manager_enabled() is None
    assert compat.colab_note() is None


def test_enabling_fails_says_how_to_enable(monkeypatch):
    shown = _fake_colab(monkeypatch, _refuse)
    assert compat.colab_widget_manager_enabled() is False
    assert compat.ENABLE_HINT in compat.colab_note()
    assert len(shown) == 1 and compat.ENABLE_HINT in shown[0]["text/plain"]


def test_manager_off_shows_how_to_enable(monkeypatch, mlp_setup):
    # Enabling goes through but Colab records no manager (turned off, or an older Colab): the graph would be blank.
    shown = _fake_colab(monkeypatch, lambda record: None)
    assert compat.colab_widget_manager_enabled() is False
    dash = widgets.dashboard(*mlp_setup, epochs=1)
    # Once, as plain output outside any widget (widgets may not render at all), in HTML and in plain text.
    assert len(shown) == 1
    assert compat.ENABLE_HINT in shown[0]["text/plain"]
    assert "output.enable_custom_widget_manager()" in shown[0]["text/html"]
    # And at the top of the dashboard.
    assert "enable_custom_widget_manager()" in dash.children[0].value
    widgets.dashboard(*mlp_setup, epochs=1)
    assert len(shown) == 1, "the message is shown once per kernel, not once per widget"


def test_manager_on_no_instructions(monkeypatch, mlp_setup):
    shown = _fake_colab(monkeypatch, _install)
    assert compat.colab_widget_manager_enabled() is True
    dash = widgets.dashboard(*mlp_setup, epochs=1)
    assert shown == []
    assert "Colab" in dash.children[0].value and "enable_custom_widget_manager" not in dash.children[0].value
