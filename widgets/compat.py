"""Where the widgets run, and what to say where they cannot run fully (Colab)."""

from __future__ import annotations

import sys

ENABLE_HINT = "from google.colab import output; output.enable_custom_widget_manager()"

_told = False  # the "how to enable" message is shown once per kernel, not once per widget


def in_colab() -> bool:
    return "google.colab" in sys.modules


def colab_widget_manager_enabled() -> bool | None:
    """Whether Colab's custom widget manager is on (try to turn it on first); None outside Colab.

    Without it Colab draws no third-party widget: the graph view (an anywidget) would stay blank, silently.
    anywidget turns it on when imported; this asks Colab's own record (``output._widgets._installed_url``),
    because the user may have turned it off, or the call may have failed.
    """
    if not in_colab():
        return None
    try:
        from google.colab import output  # type: ignore[import-not-found]

        output.enable_custom_widget_manager()
    except Exception:
        return False
    record = getattr(output, "_widgets", None)
    if record is None or not hasattr(record, "_installed_url"):
        return True  # a Colab that keeps no record: the call went through, trust it
    return bool(record._installed_url)


def colab_note() -> str | None:
    """An HTML note for Colab (partial widget support); None elsewhere.

    Where the custom widget manager is off, the note says how to turn it on, and it is also displayed once as
    plain output, outside any widget, since widgets may not render at all then.
    """
    enabled = colab_widget_manager_enabled()
    if enabled is None:
        return None
    if enabled:
        return (
            "<b>Colab:</b> the graph view loads through Colab's custom widget manager; if it stays empty, "
            "<code>GraphView.export_svg()</code> draws a static picture instead."
        )
    note = (
        "<b>Colab: the custom widget manager is off</b>, so the graph view (and possibly the whole dashboard) "
        f"shows nothing. Run <code>{ENABLE_HINT}</code> in a cell, then run this cell again."
    )
    _tell_once(note)
    return note


def _tell_once(note_html: str) -> None:
    global _told
    if _told:
        return
    _told = True
    from IPython.display import display

    plain = "Colab: the custom widget manager is off, so widgets may show nothing. Run:\n    " + ENABLE_HINT
    display({"text/html": note_html, "text/plain": plain}, raw=True)
