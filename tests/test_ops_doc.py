"""docs/ops.md is generated from the source, and every op is one readable unit (forward, backward, function)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_ops_doc", ROOT / "scripts" / "make_ops_doc.py")
make_ops_doc = sys.modules["make_ops_doc"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_ops_doc)


def test_ops_doc_is_current():
    assert (ROOT / "docs" / "ops.md").read_text(encoding="utf-8") == make_ops_doc.render(), (
        "docs/ops.md is out of date: run python scripts/make_ops_doc.py"
    )


def test_every_op_is_one_unit_on_one_screen():
    ops, composites, _ = make_ops_doc.collect()
    assert len(ops) > 60 and len(composites) > 40
    for op in ops:
        assert op.forward and op.backward, f"{op.name}: no forward or backward"
        assert op.functions or op.users, f"{op.name}: nothing calls it"
        assert op.unit_lines() <= make_ops_doc.SCREEN, (
            f"{op.name} ({op.path.name}:{op.line}) and its function span {op.unit_lines()} lines: put the function "
            "right below the class, and move argument checks into a helper above it"
        )


def test_the_table_points_at_the_right_lines():
    ops, _, _ = make_ops_doc.collect()
    add = next(op for op in ops if op.name == "Add")
    lines = add.path.read_text(encoding="utf-8").splitlines()
    assert lines[add.line - 1].startswith("class Add(Function)")
    assert lines[add.forward[1] - 1].strip().startswith("def forward(")
    assert lines[add.backward[1] - 1].strip().startswith("def backward(")
    assert lines[add.functions[0][1] - 1].startswith("def add(")
    conv = next(op for op in ops if op.name == "Conv2d")
    assert conv.functions[0][0] == "conv2d"
