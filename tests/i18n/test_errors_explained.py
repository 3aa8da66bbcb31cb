"""The engine's errors stay English, and a Chinese notebook explains them underneath: in a check's ✗ line, and
under the traceback in a real kernel (an IPython handler installed by set_language("zh"))."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

import autolab
from autolab import nn
from autolab.course import checks, i18n
from autolab.course.catalog import ERRORS

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("nbrun", ROOT / "scripts" / "nbrun.py")
nbrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbrun)

FAILURES = {
    "matmul": (
        lambda: autolab.ones(64, 400) @ autolab.ones(120, 84),
        "矩阵乘法 (64, 400) @ (120, 84)：内侧的两个维度 400 和 120 不相等",
    ),
    "linear": (
        lambda: nn.Linear(400, 120)(autolab.randn(64, 256)),
        "全连接层：输入 (64, 256) 有 256 个特征，但这一层需要 400 个",
    ),
    "broadcast": (lambda: autolab.ones(2, 3) + autolab.ones(4, 3), "add：形状 (2, 3) 和 (4, 3) 无法广播：在第 0 维上"),
    "labels": (
        lambda: nn.functional.cross_entropy(autolab.randn(4, 3), autolab.tensor([0.0, 1, 2, 1])),
        "交叉熵的目标（标签）必须是 int64 的类别索引，这里是 autolab.float32",
    ),
    "backward": (
        lambda: autolab.ones(2, 3, requires_grad=True).mul(2).backward(),
        "只有标量输出才能直接调用 backward()",
    ),
    "view": (lambda: autolab.ones(6).view(4, 2), "形状 [4, 2] 与 6 个元素不符"),
}


@pytest.fixture
def zh():
    before = i18n._chosen
    i18n.set_language("zh")
    yield
    i18n._chosen = before


def raised(fn) -> BaseException:
    with pytest.raises(Exception) as info:
        fn()
    return info.value


@pytest.mark.parametrize("name", FAILURES)
def test_engine_errors_stay_english_and_are_explained_in_chinese(zh, name):
    fn, chinese = FAILURES[name]
    error = raised(fn)
    assert not i18n._CJK.search(str(error)), "the engine's own message stays English"
    assert (i18n.explain(error) or "").startswith(chinese), i18n.explain(error)


def test_english_explains_nothing_and_an_unknown_error_is_left_alone(zh, monkeypatch):
    assert i18n.explain(ValueError("something nobody wrote down")) is None
    monkeypatch.setattr(i18n, "_chosen", "en")
    assert i18n.explain(raised(FAILURES["matmul"][0])) is None
    assert len(ERRORS["zh"]) >= 20


def test_a_crashing_exercise_shows_the_error_and_its_chinese(zh):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        checks.mse(lambda pred, target: autolab.ones(2, 3) @ autolab.ones(4, 5))
    first, second = out.getvalue().strip().split("\n")
    assert first.startswith("✗ 你的代码抛出了异常 RuntimeError: matmul: (2, 3) @ (4, 5): inner sizes 3 and 4 differ")
    assert second.strip().startswith("矩阵乘法 (2, 3) @ (4, 5)：内侧的两个维度 3 和 4 不相等")


@pytest.mark.slow
def test_a_chinese_kernel_explains_the_error_under_its_traceback(monkeypatch):
    for key, value in nbrun.kernel_environment(ROOT, fast=True).items():
        monkeypatch.setenv(key, value)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('from autolab.course import set_language\n\nset_language("zh")'),
        nbformat.v4.new_code_cell("import autolab\n\nautolab.ones(64, 400) @ autolab.ones(120, 84)"),
        nbformat.v4.new_code_cell('set_language("en")'),
        nbformat.v4.new_code_cell("autolab.ones(2, 3) @ autolab.ones(4, 5)"),
    ]
    with nbrun.kernel(nb, ROOT, 60) as client:
        client.execute_cell(nb.cells[0], 0)
        with pytest.raises(CellExecutionError):  # still an error: Run All stops, a grader sees it fail
            client.execute_cell(nb.cells[1], 1)
        client.execute_cell(nb.cells[2], 2)
        with pytest.raises(CellExecutionError):
            client.execute_cell(nb.cells[3], 3)
    error = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert error and error[0].ename == "RuntimeError" and "inner sizes 400 and 120 differ" in error[0].evalue
    hint = nbrun.stream_text(nb.cells[1])
    assert hint.startswith("提示： 矩阵乘法 (64, 400) @ (120, 84)"), hint
    assert nbrun.stream_text(nb.cells[3]) == "", "English: the traceback alone"
