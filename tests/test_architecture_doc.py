"""docs/architecture.md's tree names every module of the package, and only modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"


def named_in_tree() -> set[str]:
    """Paths (relative to the repository) of the files and folders the tree in architecture.md names.

    Each line is a file or a folder, indented two spaces per level; a folder's line may go on to name files
    in it (``modules/  activation.py batchnorm.py ...``)."""
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```\n(autolab/\n.*?)```", text, re.S)
    assert block, "architecture.md has no tree starting with autolab/"
    names, stack = set(), []
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip())) // 2
        first, *rest = line.split()
        stack = stack[:depth] + [first.rstrip("/")]
        path = "/".join(stack)
        names.add(path + ("/" if first.endswith("/") else ""))
        if first.endswith("/"):
            names |= {f"{path}/{w}" for w in (word.strip(",:;()") for word in rest) if re.fullmatch(r"\w+\.py", w)}
    return names


def package_modules() -> set[str]:
    found = {p.relative_to(ROOT).as_posix() for p in (ROOT / "autolab").rglob("*.py") if "__pycache__" not in p.parts}
    found = {f for f in found if not f.endswith(("/__init__.py", "/__main__.py"))} | {"autolab/__init__.py"}
    return found | {p.relative_to(ROOT).as_posix() + "/" for p in (ROOT / "autolab").rglob("*/") if p.is_dir()
                    and "__pycache__" not in p.parts}  # fmt: skip


def test_every_module_of_the_package_is_in_the_tree():
    missing = sorted(package_modules() - named_in_tree())
    assert not missing, f"add these to the tree in docs/architecture.md, with what each is for: {missing}"


def test_every_module_the_tree_names_exists():
    named = {n for n in named_in_tree() if n.startswith("autolab")}
    ghosts = sorted(n for n in named if not (ROOT / n).exists())
    assert not ghosts, f"docs/architecture.md names modules that do not exist: {ghosts}"


def test_the_tree_parser_reads_folders_and_their_files():
    names = named_in_tree()
    assert {"autolab/", "autolab/tensor.py", "autolab/ops/arithmetic.py", "autolab/nn/modules/loss.py"} <= names
    assert "autolab/autograd/engine.py" in names and "widgets/" in names
