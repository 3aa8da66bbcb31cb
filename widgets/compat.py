"""Where the widgets run, and what to say where they cannot run fully."""

from __future__ import annotations

import sys


def in_colab() -> bool:
    return "google.colab" in sys.modules


def colab_note() -> str | None:
    """An HTML note for Colab, whose widget support is partial; None elsewhere."""
    if not in_colab():
        return None
    try:  # Colab needs this to render third-party widgets (the graph view) at all
        from google.colab import output  # type: ignore[import-not-found]

        output.enable_custom_widget_manager()
    except Exception:
        pass
    return (
        "<b>Colab:</b> plots and sliders work; the live graph view needs Colab's custom widget manager and "
        "may stay empty. <code>GraphView.export_svg()</code> draws a static picture instead."
    )
