"""Chinese text for a notebook's markdown cells: ``notebooks/src/zh/NN_slug.md``.

Each markdown cell of the English source has one block, keyed by the cell's id and by a hash of the English
text it was translated from:

    <!-- id=goals en=3f2a9c1b7d0e -->
    # 1. 张量
    ...

When the English cell changes, its hash changes and the build (and ``--check``) fails until the translation is
updated and its header carries the new hash; ``python scripts/build_notebooks.py --zh-todo NN_slug`` prints
the blocks that need work. Code cells are not translated: both languages share them, except the one line
``set_language("en")``, which the Chinese edition says as ``set_language("zh")``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from . import markers
from .source import Notebook, SourceError

BLOCK = re.compile(r"^<!-- id=([a-z0-9][a-z0-9-]*) en=([0-9a-f]{12}) -->$")
COMMENT = re.compile(r"^<!--.*-->$")
LANGUAGE_LINE = re.compile(r"""set_language\((["'])en\1\)""")


@dataclass
class Block:
    id: str
    english_hash: str
    text: str
    line: int


def english_hash(text: str) -> str:
    """12 hex digits of the SHA-256 of a markdown cell's English text (as it appears in the notebook)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def parse(text: str, path: Path | str) -> dict[str, Block]:
    """The blocks of a translation file, by cell id. Lines before the first block may only be comments."""
    blocks: dict[str, Block] = {}
    current: Block | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            current.text = "\n".join(body).strip("\n")
            if not current.text.strip():
                raise SourceError(path, current.line, f"the translation of {current.id!r} is empty")
            blocks[current.id] = current

    for number, line in enumerate(text.splitlines(), start=1):
        m = BLOCK.match(line)
        if m:
            close()
            if m.group(1) in blocks:
                raise SourceError(
                    path, number, f"a second block for {m.group(1)!r} (first on line {blocks[m.group(1)].line})"
                )
            current, body = Block(m.group(1), m.group(2), "", number), []
        elif line.startswith("<!-- id="):
            raise SourceError(path, number, "a block header reads exactly `<!-- id=CELL-ID en=HASH12 -->`")
        elif current is None:
            if line.strip() and not COMMENT.match(line.strip()):
                raise SourceError(path, number, "text before the first block: start it with `<!-- id=... en=... -->`")
        else:
            body.append(line)
    close()
    return blocks


def sync_problems(notebook: Notebook, blocks: dict[str, Block], path: Path) -> list[str]:
    """What keeps the Chinese edition from being built: missing, stale and orphan blocks, one line each."""
    problems = []
    markdown = {c.id: c for c in notebook.cells if not c.code}
    for cell in markdown.values():
        block = blocks.get(cell.id)
        now = english_hash(cell.source)
        if block is None:
            problems.append(
                f"{path}: no translation of markdown cell {cell.id!r} ({notebook.path}:{cell.line}, en={now})"
            )
        elif block.english_hash != now:
            problems.append(
                f"{path}:{block.line}: {cell.id!r} changed in English after it was translated "
                f"(translated from en={block.english_hash}, now en={now}, {notebook.path}:{cell.line}): "
                "update the Chinese text, then the hash"
            )
        else:
            for pair in (markers.SOLUTION, markers.HIDDEN):
                try:
                    same = markers.count_regions(block.text, pair) == markers.count_regions(cell.source, pair)
                except markers.MarkerError as e:
                    problems.append(f"{path}:{block.line + 1 + e.line}: {e}")
                    continue
                if not same:
                    problems.append(f"{path}:{block.line}: {cell.id!r} must keep the English cell's {pair[0]} markers")
    for block in blocks.values():
        if block.id not in markdown:
            what = (
                "is a code cell (code is shared, not translated)"
                if block.id in {c.id for c in notebook.cells}
                else "does not exist"
            )
            problems.append(f"{path}:{block.line}: block {block.id!r} has no English markdown cell: it {what}")
    return problems


def localize_code(source: str, lang: str) -> str:
    """A code cell in ``lang``: the ``set_language("en")`` line says ``lang`` instead."""
    return source if lang == "en" else LANGUAGE_LINE.sub(f'set_language("{lang}")', source)


def language_lines(notebook: Notebook) -> list[str]:
    """Ids of the code cells that choose the notebook's language (a translated notebook needs exactly one)."""
    return [c.id for c in notebook.cells if c.code for line in c.source.split("\n") if LANGUAGE_LINE.search(line)]


def todo(notebook: Notebook, blocks: dict[str, Block]) -> str:
    """Blocks to add or update, with the current hash and the English text to translate, in source order."""
    out = []
    for cell in notebook.cells:
        if cell.code:
            continue
        block = blocks.get(cell.id)
        now = english_hash(cell.source)
        if block is not None and block.english_hash == now:
            continue
        state = "new" if block is None else f"changed since en={block.english_hash}, zh file line {block.line}"
        out.append(f"<!-- id={cell.id} en={now} -->\n<!-- {state}; the English: -->\n{cell.source}\n")
    return "\n".join(out)
