"""Translations of what the course shows students: ``TRANSLATIONS[lang][english] = translated``.

Keys are the English text exactly as the code writes it: a ``str.format`` template for ``i18n.tr``, or the
text of an f-string (fields and all, ``"got {got:g}"``) for the lines ``i18n.translate`` matches. A translation
uses the same ``{...}`` fields. ``zh_checks`` holds the exercise checks' lines, ``zh_widgets`` the widgets'
labels and the notebooks' result lines, ``zh_errors`` the engine's errors explained.
"""

from __future__ import annotations

from .zh_checks import ZH_CHECKS
from .zh_errors import ZH_ERRORS
from .zh_widgets import ZH_WIDGETS

TRANSLATIONS: dict[str, dict[str, str]] = {"zh": {**ZH_CHECKS, **ZH_WIDGETS}}
# The engine's errors, explained beside the English (i18n.explain): kept apart, so no check line matches them.
ERRORS: dict[str, dict[str, str]] = {"zh": ZH_ERRORS}

__all__ = ["TRANSLATIONS", "ERRORS"]
