"""End to end, in Chinese: JupyterLab + headless Chromium run the Chinese notebook 04 and a small dashboard.

The checks print Chinese ✗ lines, the playground and the dashboard show Chinese labels (buttons, sliders, status,
chart titles), and a matplotlib title in Chinese is drawn with the CJK font: no "Glyph missing" warning reaches
the page. Screenshots land in test-artifacts/browser/zh-*.png.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "notebooks" / "zh" / "04_linear_regression.ipynb"

DASHBOARD = """\
from autolab.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
xs = torch.randn(512, 8)
ys = (xs[:, 0] > 0).long()
net = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
dash = widgets.dashboard(
    net,
    optim.SGD(net.parameters(), lr=0.1, momentum=0.9),
    nn.CrossEntropyLoss(),
    DataLoader(TensorDataset(xs, ys), batch_size=32, shuffle=True),
    DataLoader(TensorDataset(xs, ys), batch_size=128),
    epochs=3,
    refresh=0.3,
)
dash"""

TITLE = """\
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fig, ax = plt.subplots(figsize=(5, 2.5))
    ax.semilogy(losses_for(0.5 * limit))
    ax.set_title(plot_text("gradient descent at different learning rates"))
    ax.set_xlabel(plot_text("step"))
    ax.set_ylabel(plot_text("loss (log scale)"))
    fig.tight_layout()
    fig.canvas.draw()
    plt.show()
glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
print("TITLE:", ax.get_title(), "| FONT:", matplotlib.rcParams["font.family"], "| GLYPH WARNINGS:", len(glyphs))"""


def build_notebook(path: Path) -> Path:
    """notebooks/zh/04 without its MNIST part (no data needed), then the dashboard, Start, and a titled plot."""
    nb = json.loads(SOURCE.read_text(encoding="utf-8"))
    keep = nb["cells"]
    cut = next(i for i, c in enumerate(keep) if c.get("id") == "mnist")
    extra = [DASHBOARD, "dash.trainer.start()", "import matplotlib\n\n" + TITLE]
    nb["cells"] = keep[:cut] + [
        {"cell_type": "code", "id": f"e2e-{i}", "metadata": {}, "execution_count": None, "outputs": [], "source": s}
        for i, s in enumerate(extra)
    ]
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return path


def run_all(page, base, token, path, wait_kernel_idle):
    page.goto(f"{base}/lab/tree/{path}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook:visible", timeout=30_000)
    wait_kernel_idle(base, token, path)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()


def test_chinese_notebook_speaks_chinese_in_jupyterlab(lab_zh, page, artifacts, wait_kernel_idle):
    from autolab.course import fonts

    base, token = lab_zh
    run_all(page, base, token, "zh_course.ipynb", wait_kernel_idle)
    try:
        # The dashboard trains to the end, and says so in Chinese.
        status = page.locator(".autolab-status").first
        status.wait_for(timeout=90_000)
        page.wait_for_function(
            "[...document.querySelectorAll('.autolab-status')].some(s => s.textContent.includes('已完成'))",
            timeout=120_000,
        )
        dash = page.locator(".widget-vbox", has=page.locator(".autolab-status")).first
        dash.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)  # the last redraw of the curves
        dash.screenshot(path=str(artifacts / "zh-dashboard.png"))
        controls = page.locator(".autolab-controls").first
        controls.scroll_into_view_if_needed()
        controls.screenshot(path=str(artifacts / "zh-dashboard-controls.png"))
        assert "完成了 3 轮训练" in status.text_content(), status.text_content()
        buttons = [b.strip() for b in dash.locator("button").all_text_contents() if b.strip()]
        assert {"开始", "暂停", "继续", "停止", "重置"} <= set(buttons), buttons
        labels = dash.locator(".widget-label").all_text_contents()
        assert {"学习率", "动量", "权重衰减", "批量大小", "平滑"} <= set(labels), labels
        plot = dash.locator(".autolab-loss-plot").first.text_content()  # two charts: loss and accuracy
        assert "损失" in plot and "准确率" in plot and "训练" in plot and "验证" in plot, plot
        assert "第 " in page.locator(".autolab-progress").first.text_content()
        headings = dash.locator("h4").all_text_contents()
        assert "计算图" in headings and "梯度" in headings, headings
        hint = dash.locator(".gv-hint").first.text_content()  # the graph's own front end, in Chinese too
        assert hint == "点击一个节点（或用 Tab、方向键、回车）查看详情", hint
        assert "播放" in dash.locator(".gv-walk").first.text_content()

        # The checks and the playground, earlier in the notebook.
        outputs = page.locator(".jp-OutputArea-output")
        assert outputs.filter(has_text="快速模式：").count() == 1
        assert outputs.filter(has_text="✗ 还没有完成").count() >= 3
        playground = page.locator(".widget-vbox", has=page.locator(".autolab-playground-plot")).first
        assert {"学习率", "噪声", "点数"} <= set(playground.locator(".widget-label").all_text_contents())

        # A plot's title in Chinese, drawn with the CJK font where one is installed.
        line = outputs.filter(has_text="TITLE:").first
        line.wait_for(timeout=60_000)
        text = line.text_content()
        assert "GLYPH WARNINGS: 0" in text, text
        if fonts.cjk_font() is not None:
            assert "TITLE: 不同学习率下的梯度下降" in text, text
        else:  # no CJK font here: the figure keeps its English title instead of drawing boxes
            assert "TITLE: gradient descent at different learning rates" in text, text
        figure = page.locator(".jp-OutputArea-output img").last
        figure.scroll_into_view_if_needed()
        page.locator(".jp-Cell", has=line).first.screenshot(path=str(artifacts / "zh-plot-title.png"))
        printed = " ".join(outputs.all_text_contents())  # every cell's output: a warning would be shown there
        assert "missing from font" not in printed and "Glyph" not in printed, printed
        page.screenshot(path=str(artifacts / "zh-notebook.png"))
    except Exception:
        page.screenshot(path=str(artifacts / "zh-failure.png"), full_page=True)
        raise
    assert not page.requests_outside, f"the page fetched from outside 127.0.0.1: {page.requests_outside}"
