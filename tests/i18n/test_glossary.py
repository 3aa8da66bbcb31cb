"""docs/glossary.zh.md: one Chinese word per term across the course. Its "不用" column lists the variants the
course does not use; none may appear in the Chinese notebooks, the message catalog or the Chinese docs, and
every message that says a glossary term in English says its Chinese term."""

from __future__ import annotations

import re
from pathlib import Path

from autolab.course.catalog import TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.zh.md"


def rows() -> list[tuple[str, str, list[str]]]:
    """(中文, English, variants not used) for each row of the glossary's table."""
    found = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("中文", "---"):
            found.append((cells[0], cells[1], [v for v in re.split(r"[、，,]", cells[2]) if v.strip()]))
    return found


def chinese_texts() -> dict[str, str]:
    """Everything the course says in Chinese, by where it is."""
    texts = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in ROOT.glob("notebooks/src/zh/*.md")}
    texts |= {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in ROOT.glob("docs/*.zh.md")}
    texts |= {"README.zh-CN.md": (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")}
    texts |= {f"catalog: {k!r}": v for k, v in TRANSLATIONS["zh"].items()}
    del texts["docs/glossary.zh.md"]
    return texts


def test_the_glossary_has_the_issues_terms_with_their_english():
    table = {zh: en for zh, en, _ in rows()}
    for term in [
        "张量",
        "自动求导",
        "反向传播",
        "梯度",
        "学习率",
        "动量",
        "批量大小",
        "损失函数",
        "优化器",
        "卷积",
        "池化",
        "过拟合",
    ]:
        assert table.get(term), f"{term} is missing from docs/glossary.zh.md"
    assert table["批量大小"] == "batch size" and table["池化"] == "pooling"
    assert len(table) >= 40


def test_no_text_uses_a_variant_the_glossary_rules_out():
    texts = chinese_texts()
    assert len([k for k in texts if k.startswith("notebooks/")]) >= 7
    found = [
        f"{where}: {variant} (the course says {zh})"
        for zh, _, variants in rows()
        for variant in variants
        for where, text in texts.items()
        if variant in text
    ]
    assert not found, "\n".join(found)


# English term in a message -> the Chinese its translation must use (as prose: `momentum * v`, optimizer.step()
# and the path loss <- Pow are code).
SAME_WORD = {
    "learning rate": "学习率",
    "momentum": "动量",
    "batch size": "批量大小",
    "gradient": "梯度",
    "loss": "损失",
    "optimizer": "优化器",
    "overfitting": "过拟合",
    "weight decay": "权重衰减",
    "convolution": "卷积",
    "accuracy": "准确率",
    "epoch": "轮",
    "Hessian": "黑塞矩阵",
    "backward pass": "反向传播",
}


def test_every_message_says_a_term_with_its_glossary_word():
    wrong = []
    for english, chinese in TRANSLATIONS["zh"].items():
        prose = re.sub(r"`[^`]*`|\{[^{}]*\}", " ", english)
        for term, word in SAME_WORD.items():
            if (
                re.search(rf"(?<![\w.*=_]){re.escape(term)}(?![\w(=_])(?!\.\w)(?!\s*(?:[*=+(]|<-))", prose, re.I)
                and word not in chinese
            ):
                wrong.append(f"{english!r}: {term} -> {word}, not in {chinese!r}")
    assert not wrong, "\n".join(wrong)
