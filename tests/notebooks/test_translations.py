"""Chinese editions: translation files keyed by cell id and English hash, the sync check, the language line, and
every Chinese notebook running in fast mode."""

from __future__ import annotations

import json
import re

import pytest

from autolab.course import i18n
from autolab.course.builder import Course, SourceError, parse, translations
from autolab.course.builder.cli import script_main

from ._run import NEEDS_DATA, ROOT, execute, kernel_env, require_data

SOURCE = """\
# %% [markdown] id=goals
# # Title
#
# Some text.

# %% id=setup
from autolab.course import set_language

set_language("en")

# %% [markdown] id=more
# More text.
"""


def _zh(goals: str | None = None, more: str | None = None, extra: str = "") -> str:
    nb = parse(SOURCE)
    h = {c.id: translations.english_hash(c.source) for c in nb.cells if not c.code}
    out = "<!-- a comment before the blocks -->\n\n"
    out += f"<!-- id=goals en={goals or h['goals']} -->\n# 标题\n\n一些文字。\n\n"
    out += f"<!-- id=more en={more or h['more']} -->\n更多文字。\n" + extra
    return out


def _repo(tmp_path, zh: str):
    root = tmp_path / "repo"
    (root / "notebooks" / "src" / "zh").mkdir(parents=True)
    (root / "notebooks" / "src" / "05_test.py").write_text(SOURCE)
    (root / "notebooks" / "src" / "zh" / "05_test.md").write_text(zh)
    return root


def test_blocks_parse_by_id_and_hash():
    blocks = translations.parse(_zh(), "zh/05_test.md")
    assert list(blocks) == ["goals", "more"]
    assert blocks["goals"].text == "# 标题\n\n一些文字。" and blocks["goals"].line == 3
    assert len(blocks["goals"].english_hash) == 12


@pytest.mark.parametrize(
    "text, words",
    [
        ("stray text\n<!-- id=a en=0123456789ab -->\nx\n", "text before the first block"),
        ("<!-- id=a en=0123 -->\nx\n", "exactly `<!-- id=CELL-ID en=HASH12 -->`"),
        (
            "<!-- id=a en=0123456789ab -->\nx\n<!-- id=a en=0123456789ab -->\ny\n",
            "a second block for 'a' (first on line 1)",
        ),
        ("<!-- id=a en=0123456789ab -->\n\n", "the translation of 'a' is empty"),
    ],
)
def test_malformed_translation_files_name_their_line(text, words):
    with pytest.raises(SourceError, match=f"zh/05_test.md:\\d+: .*{words[:20]}"):
        translations.parse(text, "zh/05_test.md")


def test_sync_finds_missing_stale_and_orphan_blocks():
    nb = parse(SOURCE, "src/05_test.py")
    assert translations.sync_problems(nb, translations.parse(_zh(), "zh.md"), "zh.md") == []
    stale = translations.sync_problems(nb, translations.parse(_zh(goals="0" * 12), "zh.md"), "zh.md")
    assert len(stale) == 1 and "'goals' changed in English after it was translated" in stale[0]
    assert "zh.md:3:" in stale[0] and "src/05_test.py:1" in stale[0]
    only_goals = _zh().split("<!-- id=more")[0]
    missing = translations.sync_problems(nb, translations.parse(only_goals, "zh.md"), "zh.md")
    assert len(missing) == 1 and "no translation of markdown cell 'more'" in missing[0]
    orphans = _zh(extra="<!-- id=setup en=0123456789ab -->\n代码\n<!-- id=gone en=0123456789ab -->\n旧\n")
    problems = translations.sync_problems(nb, translations.parse(orphans, "zh.md"), "zh.md")
    assert len(problems) == 2
    assert "'setup' has no English markdown cell: it is a code cell" in problems[0]
    assert "'gone' has no English markdown cell: it does not exist" in problems[1]


def test_an_english_edit_fails_the_build_until_the_translation_follows(tmp_path, capsys):
    root = _repo(tmp_path, _zh())
    assert script_main(["--root", str(root)]) == 0
    built = json.loads((root / "notebooks" / "zh" / "05_test.ipynb").read_text())
    assert "".join(built["cells"][0]["source"]) == "# 标题\n\n一些文字。"
    assert 'set_language("zh")' in "".join(built["cells"][1]["source"])
    assert script_main(["--root", str(root), "--check"]) == 0

    source = root / "notebooks" / "src" / "05_test.py"
    source.write_text(SOURCE.replace("# Some text.", "# Some better text."))
    capsys.readouterr()
    assert script_main(["--root", str(root), "--check"]) == 1
    err = capsys.readouterr().err
    assert "'goals' changed in English after it was translated" in err
    assert script_main(["--root", str(root)]) == 1, "the build fails too"
    # --zh-todo gives the block to update, with the new hash
    capsys.readouterr()
    assert script_main(["--root", str(root), "--zh-todo", "05_test"]) == 0
    todo = capsys.readouterr().out
    new_hash = translations.english_hash("# Title\n\nSome better text.")
    assert f"<!-- id=goals en={new_hash} -->" in todo and "Some better text." in todo and "id=more" not in todo
    zh = root / "notebooks" / "src" / "zh" / "05_test.md"
    zh.write_text(_zh(goals=new_hash).replace("一些文字", "一些更好的文字"))
    assert script_main(["--root", str(root)]) == 0
    assert script_main(["--root", str(root), "--check"]) == 0


def test_a_translated_notebook_needs_its_language_line(tmp_path, capsys):
    root = _repo(tmp_path, _zh())
    (root / "notebooks" / "src" / "05_test.py").write_text(SOURCE.replace('set_language("en")', "pass"))
    assert script_main(["--root", str(root)]) == 1
    assert 'chooses its language in one code line `set_language("en")`' in capsys.readouterr().err


def test_zh_instructor_and_nbgrader_editions_on_request(tmp_path):
    assert script_main(["--edition", "instructor", "--lang", "all", "--out", str(tmp_path / "i"), "01_tensors"]) == 0
    assert (tmp_path / "i" / "01_tensors.ipynb").is_file() and (tmp_path / "i" / "zh" / "01_tensors.ipynb").is_file()
    assert script_main(["--edition", "nbgrader", "--lang", "zh", "--out", str(tmp_path / "g"), "01_tensors"]) == 0
    graded = json.loads((tmp_path / "g" / "source" / "01_tensors" / "01_tensors.ipynb").read_text())
    assert graded["metadata"]["autolab"]["language"] == "zh"
    assert "autolab-zh" in (tmp_path / "g" / "nbgrader_config.py").read_text()
    course = Course(ROOT)
    untranslated = [n for n in course.names() if "zh" not in course.languages(n)]
    if untranslated:  # asking for a Chinese edition that has no translation file fails
        assert script_main(["--edition", "student", "--lang", "zh", "--out", str(tmp_path / "s"), untranslated[0]]) == 1


def test_committed_chinese_editions_share_the_code_cells():
    course = Course(ROOT)
    translated = [n for n in course.names() if "zh" in course.languages(n)]
    assert "01_tensors" in translated
    for name in translated:
        en = json.loads(course.committed_path(name).read_text())
        zh = json.loads(course.committed_path(name, "zh").read_text())
        assert [c["id"] for c in en["cells"]] == [c["id"] for c in zh["cells"]]
        for a, b in zip(en["cells"], zh["cells"]):
            if a["cell_type"] == "code":
                assert "".join(a["source"]).replace('set_language("en")', 'set_language("zh")') == "".join(b["source"])
            else:
                assert a["source"] != b["source"], f"{name}: {a['id']} is not translated"


def test_language_setting(monkeypatch):
    for name in ("AUTOLAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(i18n, "_chosen", None)
    assert i18n.get_language() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.get_language() == "zh"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert i18n.get_language() == "en", "LC_ALL wins over LANG"
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    assert i18n.get_language() == "en", "a locale without a translation: English"
    monkeypatch.setenv("AUTOLAB_LANG", "zh")
    assert i18n.get_language() == "zh" and "还没有完成" in i18n.message("not_done")
    monkeypatch.setenv("AUTOLAB_LANG", "klingon")
    with pytest.raises(ValueError, match="AUTOLAB_LANG='klingon'"):
        i18n.get_language()
    assert i18n.set_language("en") == "en" and i18n.get_language() == "en", "the notebook's choice wins"
    assert i18n.message("crashed", error="KeyError: 'x'") == "your code raised KeyError: 'x'"
    with pytest.raises(ValueError, match="speaks en, zh"):
        i18n.set_language("de")
    assert i18n.normalize("zh-Hans") == "zh" and i18n.normalize("ZH_tw") == "zh"


TRANSLATED = sorted(n for n in Course(ROOT).names() if "zh" in Course(ROOT).languages(n))


# Each Chinese notebook runs once, the editions alternating along the course: the code cells are the English ones
# (which tests/notebooks/test_notebooks.py runs in both editions), so what a Chinese run adds is the Chinese text,
# the ✗ lines of a student edition and the ✓ lines of an instructor's, and alternating covers both kinds in half
# the CI time (eleven notebook runs instead of twenty-two).
CHINESE_RUNS = [(name, ("student", "instructor")[i % 2]) for i, name in enumerate(TRANSLATED)]


@pytest.mark.slow
@pytest.mark.parametrize("name,edition", CHINESE_RUNS, ids=[f"{n}-{e}" for n, e in CHINESE_RUNS])
def test_chinese_notebooks_run_in_fast_mode(name, edition, monkeypatch):
    """Every Chinese edition runs top to bottom; its plots miss no glyph."""
    data = require_data() if name in NEEDS_DATA else None
    kernel_env(monkeypatch, data)
    monkeypatch.delenv("AUTOLAB_LANG", raising=False)
    course = Course(ROOT)
    if edition == "student":
        nb = json.loads(course.committed_path(name, "zh").read_text(encoding="utf-8"))
    else:
        nb = json.loads(course.render(name, "instructor", "zh"))
    out = execute(nb)
    calls = sum(len(re.findall(r"^checks\.\w+\(", "".join(c["source"]), re.M)) for c in nb["cells"])
    if edition == "student":
        assert "✓" not in out and out.count("✗ 还没有完成") == calls >= 1, out
    else:
        assert "✗" not in out and out.count("✓") == calls >= 1, out
    assert "Glyph" not in out, "a plot drew Chinese with a font that has no Chinese characters"
