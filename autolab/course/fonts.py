"""Fonts for plots in the student's language: matplotlib's default font, DejaVu Sans, has no Chinese glyphs.

For Chinese, :func:`configure` puts an installed CJK font (Noto Sans CJK SC from Debian's ``fonts-noto-cjk``,
or one of the other usual ones) after the font families matplotlib uses (``font.family``): matplotlib (3.6 and
later) falls back glyph by glyph, so Latin text looks as before and Chinese is drawn by the CJK font. Where none is installed
the course's figures keep their English labels (``i18n.plot_text``) instead of drawing boxes.

matplotlib is imported only here and only when installed: the engine never needs it.
"""

from __future__ import annotations

import functools

# In order of preference; the first installed one is used.
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of an installed font matplotlib can draw Chinese with, or None (or no matplotlib)."""
    try:
        from matplotlib import font_manager  # lazy: matplotlib is optional, and slow to import
    except ImportError:
        return None
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def can_draw(lang: str) -> bool:
    """Whether matplotlib can draw text in ``lang`` here."""
    return lang == "en" or cjk_font() is not None


def configure(lang: str) -> bool:
    """Set matplotlib's fonts for ``lang``; False when ``lang`` needs a font that is not installed."""
    if lang == "en":
        return True
    font = cjk_font()
    if font is None:
        return False
    import matplotlib  # lazy: see the module docstring (cjk_font found it installed)

    # matplotlib falls back glyph by glyph along font.family (not along the list font.sans-serif names).
    families = [f for f in matplotlib.rcParams["font.family"] if f not in CJK_FONTS]
    matplotlib.rcParams["font.family"] = [*families, font]
    return True


__all__ = ["CJK_FONTS", "cjk_font", "can_draw", "configure"]
