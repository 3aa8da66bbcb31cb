"""README.zh-CN.md: the same two set-up commands as README.md, a Binder link that opens the Chinese first
notebook, and the CJK font named wherever system packages are installed."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from autolab.cli.lab import FIRST_NOTEBOOK, lab_command

ROOT = Path(__file__).resolve().parents[2]
EN = (ROOT / "README.md").read_text(encoding="utf-8")
ZH = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def commands(readme: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", readme, re.S)


def binder(readme: str) -> str:
    return re.search(r"\((https://mybinder\.org/v2/gh/[^)]+)\)", readme).group(1)


def test_the_two_commands_are_the_englishs_word_for_word():
    assert len(commands(EN)) == 2 and "autolab lab" in commands(EN)[0] and "pytest" in commands(EN)[1]
    assert commands(ZH) == commands(EN)


def test_binder_opens_the_chinese_first_notebook_of_the_same_repository():
    en, zh = urlparse(binder(EN)), urlparse(binder(ZH))
    assert (zh.netloc, zh.path) == (en.netloc, en.path), "same repository and branch as README.md's link"
    assert parse_qs(en.query)["urlpath"] == [f"lab/tree/notebooks/{FIRST_NOTEBOOK}"]
    assert parse_qs(zh.query)["urlpath"] == [f"lab/tree/notebooks/zh/{FIRST_NOTEBOOK}"]
    assert (ROOT / "notebooks" / "zh" / FIRST_NOTEBOOK).is_file()


def test_the_readmes_link_each_other_and_the_chinese_docs_exist():
    assert "(README.zh-CN.md)" in EN and "(README.md)" in ZH
    for link in re.findall(r"\]\((docs/[^)]+)\)", ZH):
        assert (ROOT / link).is_file(), link


def test_the_cjk_font_is_installed_wherever_system_packages_are():
    assert "fonts-noto-cjk" in (ROOT / "binder" / "apt.txt").read_text().split()
    assert re.search(r"apt-get install -y -qq [^\n]*fonts-noto-cjk", (ROOT / ".ci" / "run").read_text())
    assert re.search(r"apt-get install [^`]*fonts-noto-cjk", EN)


def test_autolab_lab_opens_the_chinese_notebook_in_a_chinese_locale(monkeypatch):
    from autolab.course import i18n

    monkeypatch.setattr(i18n, "_chosen", None)
    notebooks = ROOT / "notebooks"
    monkeypatch.setenv("AUTOLAB_LANG", "zh_CN.UTF-8")
    assert f"--LabApp.default_url=/lab/tree/zh/{FIRST_NOTEBOOK}" in lab_command(notebooks, [], as_root=False)
    monkeypatch.setenv("AUTOLAB_LANG", "en")
    assert f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}" in lab_command(notebooks, [], as_root=False)
