"""The widgets in Chinese (set_language("zh")): labels, status lines, charts, and CSS classes that stay the same."""

from __future__ import annotations

import pytest

import widgets
from autolab.course import fonts, i18n


@pytest.fixture
def zh():
    before = i18n._chosen
    i18n.set_language("zh")
    yield
    i18n._chosen = before


def run(dash):
    dash.trainer.fit()
    dash.flush()


def test_dashboard_speaks_chinese(zh, mlp_setup):
    dash = widgets.dashboard(*mlp_setup, epochs=2, refresh=0.05, stats_every=2, graph=False)
    assert [b.description for b in dash.controls.buttons.values()] == ["开始", "暂停", "继续", "停止", "重置"]
    assert dash.controls.lr.description == "学习率" and dash.controls.batch_size.description == "批量大小"
    assert "autolab-learning-rate" in dash.controls.lr._dom_classes  # tests and styles find it in any language
    assert "准备就绪" in dash.status.value and "就绪" in dash.status.value
    run(dash)
    assert "已完成" in dash.status.value and "完成了 2 轮训练（共 8 步）" in dash.status.value, dash.status.value
    assert "第 2 轮 · 第 8 步 · 损失" in dash.progress.value
    chart = dash.curves.plot.value
    assert all(word in chart for word in ("损失", "准确率", "训练", "验证", "步")) and "validation" not in chart
    assert "每个参数的梯度范数" in dash.gradients.series.value and "权重" in dash.gradients.histograms.value
    dash.close()


def test_the_nan_hint_is_chinese_with_its_numbers(zh, mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup
    dash = widgets.dashboard(model, opt, lambda out, y: loss_fn(out, y) * float("inf"), train, val, graph=False)
    run(dash)
    assert "已停止" in dash.status.value
    assert "学习率 0.1 很可能太大了：换一个更小的（例如 0.01），然后按“重置”。" in dash.status.value, dash.status.value
    dash.close()


def test_playground_and_race_label_in_chinese(zh):
    play = widgets.linear_regression(n_points=20, refresh=0.05)
    assert (play.lr.description, play.noise.description, play.n_points.description) == ("学习率", "噪声", "点数")
    titles = [ax.get_title() for ax in play.figure().axes]
    want = "损失曲面（对数刻度）与下降路径" if fonts.cjk_font() else "loss surface (log scale) and the descent path"
    assert titles[1] == want and titles[0].startswith("第 0 步" if fonts.cjk_font() else "step 0")
    play.close()
    race = widgets.optimizer_race()
    race.render()
    assert "病态的碗" in race.plot.value and "梯度下降" in race.table.value and "学习率" in race.table.value
    assert "autolab-race-learning-rate" in race.lr._dom_classes
    race.close()
