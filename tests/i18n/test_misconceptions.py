"""docs/misconceptions.zh.md: every code block runs (each asserts what its section claims), and the claims that
depend on PyTorch's API hold in PyTorch too."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import autolab

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "misconceptions.zh.md").read_text(encoding="utf-8")
SECTIONS = re.findall(r"^## (\d)\. (.*?)$(.*?)(?=^## |\Z)", PAGE, re.S | re.M)


def test_the_page_has_the_six_misconceptions_each_with_code():
    titles = " ".join(title for _, title, _ in SECTIONS)
    for topic in [
        "log_softmax",
        "十分类",
        "num_workers",
        "DistributedDataParallel",
        "torch.normal(std=0.1)",
        "100 个批量",
    ]:
        assert topic in titles, topic
    assert [n for n, _, _ in SECTIONS] == ["1", "2", "3", "4", "5", "6"]
    assert all("```python" in body and "assert" in body for _, _, body in SECTIONS)


@pytest.mark.parametrize("number,title,body", SECTIONS, ids=[n for n, _, _ in SECTIONS])
def test_each_demonstration_runs_and_prints(number, title, body):
    for code in re.findall(r"```python\n(.*?)```", body, re.S):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"misconceptions.zh.md section {number}", "exec"), {"__name__": f"section{number}"})
        assert out.getvalue().strip(), "a demonstration shows its result"


def test_normal_needs_a_mean_and_a_size_as_in_pytorch():
    torch = pytest.importorskip("torch")
    for lib in (torch, autolab):
        with pytest.raises(TypeError):
            lib.normal(std=0.1)
        with pytest.raises(TypeError):
            lib.normal(0.0, 0.1)
        assert tuple(lib.normal(0.0, 0.1, size=(3, 4)).shape) == (3, 4)
        assert tuple(lib.normal(lib.zeros(5)).shape) == (5,)
        assert tuple(lib.normal(lib.zeros(2, 3), std=0.5).shape) == (2, 3)


def test_cross_entropy_of_log_softmax_is_the_same_in_pytorch():
    torch = pytest.importorskip("torch")
    z = torch.tensor([[4.0, 1.0, -2.0], [0.5, 3.0, 0.0]])
    y = torch.tensor([0, 1])
    ce = torch.nn.functional.cross_entropy
    assert torch.allclose(ce(z, y), ce(torch.log_softmax(z, 1), y))
    mine = autolab.nn.functional.cross_entropy(autolab.tensor(z.numpy()), autolab.tensor(y.numpy()))
    assert abs(mine.item() - ce(z, y).item()) < 1e-6
    assert ce(torch.softmax(z, 1), y).item() > ce(z, y).item() + 0.3
