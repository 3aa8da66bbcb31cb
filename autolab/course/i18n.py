"""The language the course speaks to the student: English or Simplified Chinese.

A notebook chooses its language in its setup cell with ``set_language("en")``; the Chinese edition of the
same notebook is built with that one line rewritten to ``set_language("zh")`` (``autolab/course/builder``).
Without a call, the language comes from ``$AUTOLAB_LANG``, then the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``), then English.

What the checks and widgets show a student goes through this module, gettext-style: the English text stays in
the code where it is read, and the catalog (``autolab/course/catalog/``) maps it to its translation.

- :func:`tr` translates a text the code writes out, ``tr("step {n}", n=3)``: the catalog's key is the template.
- :func:`translate` translates a line already formatted, such as a check's ✗ hint built with an f-string: the
  catalog's key is then the f-string's own text (``"got {got:g}, expected {want:g}"``), matched as a pattern,
  and the values found in the line's ``{...}`` places are put in the translation's places of the same name
  (themselves translated when the catalog has them: a hint that ends with ``{extra}``).
- :func:`plot_text` is :func:`tr` for text drawn by matplotlib: English where no CJK font is installed, so a
  figure shows English labels rather than empty boxes.

A text without a translation stays English. Engine errors stay in English, as PyTorch's do.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from typing import Any

from . import fonts
from .catalog import ERRORS, TRANSLATIONS

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
    """Make the course speak ``lang`` ("en" or "zh") from now on, in this kernel; returns the normalized code.

    Also sets up matplotlib (when installed) to draw that language: a CJK font for "zh" (see ``fonts``).
    """
    global _chosen
    _chosen = normalize(lang)
    fonts.configure(_chosen)
    _install_explainer(_chosen)
    return _chosen


def get_language() -> str:
    """The language chosen with :func:`set_language`, else the one the environment asks for, else "en"."""
    return _chosen if _chosen is not None else _from_environment()


def message(key: str, **fields: Any) -> str:
    """The catalog's text for ``key`` in the current language (English when it has no translation)."""
    texts = CATALOG[key]
    return texts.get(get_language(), texts["en"]).format(**fields)


def tr(text: str, **fields: Any) -> str:
    """``text`` (English, a ``str.format`` template) in the current language, its fields filled from ``fields``.

    >>> set_language("zh")
    'zh'
    >>> tr("step {step}, loss {loss:.4g}", step=3, loss=0.25)
    '第 3 步，损失 0.25'
    >>> set_language("en")
    'en'
    """
    lang = get_language()
    template = TRANSLATIONS.get(lang, {}).get(text, text) if lang != "en" else text
    return template.format(**fields) if fields else template


def plot_text(text: str, **fields: Any) -> str:
    """:func:`tr` for text matplotlib draws: stays English where no font can draw the translation."""
    if get_language() != "en" and not fonts.can_draw(get_language()):
        return text.format(**fields) if fields else text
    return tr(text, **fields)


_FIELD = re.compile(r"\{\{|\}\}|\{((?:[^{}]|\{[^{}]*\})*)\}")  # a {field}, which may hold a {nested} format spec
_NUMERIC_SPEC = re.compile(r":[-+ #0-9,_.]*[eEfFgGd%]$")  # a field formatted as a number: {x:.3f}, {n:d}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FIRST_WORD = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_NUMBER = r"[-+]?(?:inf|nan|[0-9][0-9,_]*(?:\.[0-9]*)?(?:e[-+]?[0-9]+)?%?)"


@functools.cache
def _pattern(key: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """The regex that matches lines made from the f-string text ``key``, and the field of each group."""
    parts, names, last = [], [], 0
    for m in _FIELD.finditer(key):
        parts.append(re.escape(key[last : m.start()]))
        if m.group(1) is None:
            parts.append(re.escape(m.group(0)[0]))  # {{ or }}: a literal brace
        else:
            numeric = _NUMERIC_SPEC.search(m.group(1))  # "{loss:.4f}": a number, so "0.69472." splits right
            parts.append(f"(?P<g{len(names)}>{_NUMBER if numeric else '.*?'})")
            names.append(m.group(1))
        last = m.end()
    parts.append(re.escape(key[last:]))
    if not names:
        return None
    return re.compile("".join(parts), re.DOTALL), tuple(names)


@functools.lru_cache(maxsize=8)
def _patterns(lang: str, errors: bool = False) -> list[tuple[re.Pattern[str], tuple[str, ...], str]]:
    """The catalog's f-string entries, the most literal text first (so the most specific one wins)."""
    found = []
    for key, value in (ERRORS if errors else TRANSLATIONS).get(lang, {}).items():
        compiled = _pattern(key)
        literal = len(_FIELD.sub("", key).strip())
        if compiled is not None and literal >= 3:  # a bare "{hint}" would match anything
            found.append((literal, compiled[0], compiled[1], value))
    found.sort(key=lambda entry: -entry[0])
    return [(pattern, names, value) for _, pattern, names, value in found]


def _fill(template: str, values: dict[str, str]) -> str:
    def field(m: re.Match[str]) -> str:
        if m.group(1) is None:
            return m.group(0)[0]
        return values.get(m.group(1), m.group(0))

    return _FIELD.sub(field, template)


def translate(line: str, _depth: int = 0, _errors: bool = False) -> str:
    """A line already written out in English, in the current language (unchanged when the catalog lacks it)."""
    lang = get_language()
    table = (ERRORS if _errors else TRANSLATIONS).get(lang)
    if not table or not line.strip() or _depth > 3:
        return line
    first = _FIRST_WORD.search(line)
    if lang == "zh" and first and _CJK.match(first.group()):
        return line  # already Chinese: "你的代码抛出了异常 ..." quotes an English error that must stay as it is
    stripped = line.strip()
    lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
    if _depth and lang == "zh":
        lead = trail = ""  # " Skip the header line." ends an English sentence; Chinese puts no space between
    if stripped in table:
        return lead + table[stripped] + trail
    for pattern, names, value in _patterns(lang, _errors):
        m = pattern.fullmatch(stripped)
        if m:
            values: dict[str, str] = {}
            for i, name in enumerate(names):
                values.setdefault(name, translate(m.group(f"g{i}"), _depth + 1))
            return lead + _fill(value, values) + trail
    return line


def explain(error: BaseException) -> str | None:
    """The student's-language version of an engine error's message, or None (English, or not in the catalog).

    The error itself stays English, as PyTorch's do; a Chinese notebook shows this underneath.
    """
    text = str(error)
    if get_language() == "en" or not text:
        return None
    explained = translate(text, _errors=True)
    return explained if explained != text else None


def _show_explained(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> None:
    """IPython's custom exception handler: the usual traceback, then the error explained (when it can be)."""
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    hint = explain(value)
    if hint:
        print(f"{tr('Hint:')} {hint}", file=sys.stderr)


def _install_explainer(lang: str) -> None:
    """In a Jupyter kernel (IPython already imported: nothing is imported here), explain errors under tracebacks."""
    ipython = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if ipython is None or not hasattr(ipython, "set_custom_exc"):
        return
    if lang == "en":
        if ipython.custom_exceptions == (Exception,):
            ipython.set_custom_exc((), None)
    elif not ipython.custom_exceptions:  # a handler someone else installed stays
        ipython.set_custom_exc((Exception,), _show_explained)


__all__ = [
    "SUPPORTED",
    "CATALOG",
    "normalize",
    "set_language",
    "get_language",
    "message",
    "tr",
    "plot_text",
    "translate",
    "explain",
]
