"""The course's message catalog: every check's message has a Chinese entry with the same fields, lines written
by the checks come out in the student's language, and plots fall back to English without a CJK font."""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import pytest

from autolab.course import checks, fonts, i18n
from autolab.course.catalog import ERRORS, TRANSLATIONS
from autolab.course.catalog.zh_checks import ZH_CHECKS

ROOT = Path(__file__).resolve().parents[2]
CHECKS = sorted((ROOT / "autolab" / "course" / "checks").glob("*.py")) + [ROOT / "autolab/course/debugging.py"]
FIELD = re.compile(r"\{\{|\}\}|\{((?:[^{}]|\{[^{}]*\})*)\}")

# Strings in the checks that are not sentences a student reads: formulas, and lines made only of other lines.
NOT_MESSAGES = {
    "{PASS} {translate(message)}",
    "{FAIL} {translate(hint)}",
    "{type(e).__name__}: {e}",
    "{names['a']}*{names['b']} + {names['c']}",
    "at {{names[k]: v for k, v in inputs.items()}}",
    "Conv2d({c_in}, {c_out}, {k}, bias={bias}) -> ... -> Linear({width}, {classes}, bias=False)",
    "Linear(10, 7) -> ReLU -> Linear(7, 2)",
    "{where}: {hint}",
}


def _key(node: ast.AST) -> str:
    """A string literal's text as the catalog writes it: an f-string keeps its fields' source, ``{got:.3f}``."""
    if isinstance(node, ast.Constant):
        return node.value
    out = []
    for v in node.values:
        if isinstance(v, ast.Constant):
            out.append(v.value.replace("{", "{{").replace("}", "}}"))
            continue
        field = "{" + ast.unparse(v.value) + ("" if v.conversion == -1 else "!" + chr(v.conversion))
        if v.format_spec is not None:
            field += ":" + "".join(
                x.value if isinstance(x, ast.Constant) else "{" + ast.unparse(x.value) + "}"
                for x in v.format_spec.values
            )
        out.append(field + "}")
    return "".join(out)


def messages(path: Path) -> set[str]:
    """The sentences a check module can show: its string literals, less docstrings, raised errors' texts (engine
    errors stay English), comparisons (``"int" in str(e)``), subscripts and names (no spaces)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skip.add(id(body[0].value))
        if isinstance(node, (ast.Raise, ast.Compare, ast.Subscript, ast.JoinedStr)):
            skip |= {id(n) for n in ast.walk(node) if n is not node or not isinstance(node, ast.JoinedStr)}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            skip |= {id(n) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip or not (
            isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            continue
        text = _key(node).strip()
        if sum(c.isalpha() for c in text) >= 3 and " " in text:
            found.add(text)
    return found


def fields(text: str) -> list[str]:
    return sorted(m.group(1) for m in FIELD.finditer(text) if m.group(1) is not None)


@pytest.fixture
def zh():
    before = i18n._chosen
    i18n.set_language("zh")
    yield
    i18n._chosen = before


def printed(fn, *args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(*args)
    return out.getvalue().strip()


def test_every_message_of_the_checks_has_a_chinese_entry():
    missing = {f"{p.name}: {m!r}" for p in CHECKS for m in messages(p) - NOT_MESSAGES if m not in ZH_CHECKS}
    assert not missing, "add these to autolab/course/catalog/zh_checks.py:\n" + "\n".join(sorted(missing))


def test_the_extractor_sees_plain_strings_and_f_strings_with_their_fields():
    found = messages(ROOT / "autolab" / "course" / "checks" / "regression.py")
    assert "mean squared error: right value and right gradient." in found
    assert "got {float(got.item()):.5f}, expected {want:.5f}.{extra}" in found
    assert "You summed; divide by the number of points." in found


def test_translations_keep_every_field_and_nothing_stays_english():
    for lang, table in [*TRANSLATIONS.items(), *ERRORS.items()]:
        for english, translated in table.items():
            if table is ERRORS[lang]:  # an explanation may leave out a detail the English repeats
                assert set(fields(translated)) <= set(fields(english)), f"{lang}: {english!r} -> {translated!r}"
            else:
                assert fields(english) == fields(translated), f"{lang}: {english!r} -> {translated!r}"
            if lang == "zh" and sum(c.isalpha() for c in FIELD.sub("", english)) > 12:
                assert re.search(r"[\u4e00-\u9fff]", translated), f"not translated: {english!r}"


def test_checks_print_chinese_with_the_values_put_back(zh):
    def summed(p, t):
        return ((p - t) ** 2).sum()

    line = printed(checks.mse, summed)
    # The English: "✗ got 4.16829, expected 0.69472. You summed; divide by the number of points."
    assert re.fullmatch(r"✗ 得到 (\d+\.\d{5})，应为 (\d+\.\d{5})。你求的是和；要除以点的个数。", line), line
    assert printed(checks.mse, lambda p, t: ((p - t) ** 2).mean()) == "✓ 均方误差：值和梯度都正确。"

    def unfinished(p, t):
        raise NotImplementedError

    assert "还没有完成" in printed(checks.mse, unfinished)


def test_quiz_lines_translate_the_option_and_the_explanation(zh):
    line = printed(checks.workers_quiz, "b")
    assert line.startswith("✓ 正确，(b) 在两个独立的 worker 进程里"), line
    assert "GIL" in line and "process" not in line
    assert printed(checks.log_softmax_quiz, "x") == '✗ \'x\' 不是选项之一：请用 "a", "b", "c" 或 "d" 之一作答。'


def test_english_is_untouched_and_an_unknown_line_passes_through(monkeypatch):
    monkeypatch.setattr(i18n, "_chosen", "en")
    assert (
        printed(checks.mse, lambda p, t: ((p - t) ** 2).mean())
        == "✓ mean squared error: right value and right gradient."
    )
    assert i18n.tr("learning rate") == "learning rate"
    monkeypatch.setattr(i18n, "_chosen", "zh")
    assert i18n.translate("something the catalog has never seen: 3") == "something the catalog has never seen: 3"
    assert i18n.tr("learning rate") == "学习率"
    assert i18n.tr("step {step}, loss {loss:.4g}", step=3, loss=0.25) == "第 3 步，损失 0.25"


def test_the_dashboards_nan_hint_is_translated_with_its_numbers(zh):
    english = (
        "The loss became nan at step 5 (epoch 2), so training stopped before applying that step. "
        "The learning rate 10 is probably too large: try a smaller one (for example 1), then Reset."
    )
    assert i18n.translate(english) == (
        "第 5 步（第 2 轮）的损失变成了 nan，所以训练在应用这一步之前停了下来。"
        "学习率 10 很可能太大了：换一个更小的（例如 1），然后按“重置”。"
    )


def test_plot_text_stays_english_without_a_cjk_font(zh, monkeypatch):
    assert i18n.plot_text("true line") == ("真实直线" if fonts.cjk_font() else "true line")
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    assert i18n.plot_text("true line") == "true line"
    assert i18n.plot_text("step {step}, loss {loss:.4g}", step=2, loss=1.5) == "step 2, loss 1.5"
    assert fonts.configure("zh") is False and fonts.configure("en") is True


def test_a_chinese_title_draws_without_missing_glyphs(zh, recwarn):
    if fonts.cjk_font() is None:
        pytest.skip("no CJK font installed here (Debian: apt-get install fonts-noto-cjk)")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot([0, 1], [1, 0])
    ax.set_title(i18n.plot_text("loss surface (log scale) and the descent path"))
    ax.set_xlabel(i18n.plot_text("step") + " −1")
    fig.canvas.draw()
    missing = [str(w.message) for w in recwarn if "missing from" in str(w.message)]
    assert not missing, missing
    assert ax.get_title() == "损失曲面（对数刻度）与下降路径"


def test_set_language_puts_the_cjk_font_after_matplotlibs_own(zh):
    import matplotlib

    if fonts.cjk_font() is None:
        pytest.skip("no CJK font installed here")
    families = matplotlib.rcParams["font.family"]
    assert families[-1] == fonts.cjk_font() and families[0] == "sans-serif", families
    i18n.set_language("zh")  # twice: still one entry
    assert matplotlib.rcParams["font.family"].count(fonts.cjk_font()) == 1


def test_doctor_names_the_cjk_font_or_how_to_install_one(monkeypatch):
    from autolab.cli import doctor  # lazy: only this test needs the command-line side

    found = doctor.check_cjk_font()
    assert found.name == "chinese font" and (found.status == "ok") == (fonts.cjk_font() is not None)
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    missing = doctor.check_cjk_font()
    assert missing.status == "info" and "fonts-noto-cjk" in missing.fix
