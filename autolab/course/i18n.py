"""The language the course speaks to the student: English or Simplified Chinese.

A notebook chooses its language in its setup cell with ``set_language("en")``; the Chinese edition of the
same notebook is built with that one line rewritten to ``set_language("zh")`` (``autolab/course/builder``).
Without a call, the language comes from ``$AUTOLAB_LANG``, then the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``), then English.

Strings that checks and widgets show to students go through :func:`message`: a catalog maps a message key to
its text in each language, and a language without an entry falls back to English. Engine errors stay in
English, as PyTorch's do.
"""

from __future__ import annotations

import os
from typing import Any

SUPPORTED: tuple[str, ...] = ("en", "zh")

# key -> {language: text}; ``str.format`` fields are filled from message()'s keyword arguments.
CATALOG: dict[str, dict[str, str]] = {
    "not_done": {
        "en": (
            "not done yet: replace `raise NotImplementedError()` in the cell above with your code, "
            "run that cell, then run this check again."
        ),
        "zh": (
            "还没有完成：把上面单元格里的 `raise NotImplementedError()` 换成你的代码，"
            "运行那个单元格，然后再运行这个检查。"
        ),
    },
    "crashed": {
        "en": "your code raised {error}",
        "zh": "你的代码抛出了异常 {error}",
    },
}

_chosen: str | None = None


def normalize(lang: str) -> str:
    """``"zh_CN.UTF-8"``, ``"zh-Hans"``, ``"ZH"`` -> ``"zh"``; ``"en_US"``, ``"C"``, ``"POSIX"`` -> ``"en"``.

    Raises ValueError for a language the course does not have.
    """
    code = lang.strip().split(".")[0].replace("-", "_").split("_")[0].lower()
    if code in ("c", "posix", ""):
        return "en"
    if code not in SUPPORTED:
        raise ValueError(f"the course speaks {', '.join(SUPPORTED)}, not {lang!r}")
    return code


def _from_environment() -> str:
    for name in ("AUTOLAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return normalize(value)
            except ValueError:
                if name == "AUTOLAB_LANG":
                    raise ValueError(f"AUTOLAB_LANG={value!r}: the course speaks {', '.join(SUPPORTED)}") from None
                return "en"  # a locale the course has no translation for: English
    return "en"


def set_language(lang: str) -> str:
    """Make the course speak ``lang`` ("en" or "zh") from now on, in this kernel; returns the normalized code."""
    global _chosen
    _chosen = normalize(lang)
    return _chosen


def get_language() -> str:
    """The language chosen with :func:`set_language`, else the one the environment asks for, else "en"."""
    return _chosen if _chosen is not None else _from_environment()


def message(key: str, **fields: Any) -> str:
    """The catalog's text for ``key`` in the current language (English when it has no translation)."""
    texts = CATALOG[key]
    return texts.get(get_language(), texts["en"]).format(**fields)


__all__ = ["SUPPORTED", "CATALOG", "normalize", "set_language", "get_language", "message"]
