"""The dashboard after N steps: curves, gradients, graph, controls and status, driven by a real Trainer."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from widget_helpers import LeNet

import autolab
import widgets
from autolab import nn
from autolab.utils.data import DataLoader, TensorDataset


def run(dash, epochs=None):
    dash.trainer.fit(epochs)
    dash.flush()


def test_widget_state_after_n_steps(mlp_setup):
    dash = widgets.dashboard(*mlp_setup, epochs=2, refresh=0.05, stats_every=2)
    steps = []
    dash.trainer.subscribe(lambda e: steps.append(e) if e.kind == "step" else None)
    run(dash)
    assert dash.curves.steps == list(range(1, 9))
    assert dash.curves.losses == [e.loss for e in steps]
    assert dash.curves.accuracy == pytest.approx([e.correct / e.batch_size for e in steps])
    assert len(dash.curves.val_losses) == 2 and dash.curves.val_steps == [4, 8]
    assert dash.gradients.steps == [2, 4, 6, 8]
    assert set(dash.gradients.norms) == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    assert dash.gradients.norms["fc2.bias"] == [e.stats.grad_norms["fc2.bias"] for e in steps if e.stats]
    loss_chart = dash.curves.plot.value
    assert loss_chart.count("<svg") == 4 and "validation" in loss_chart  # 2 charts, each with a plotting area
    assert loss_chart.count("<circle") == 4  # 2 validation points on the loss chart, 2 on the accuracy chart
    assert all(name in dash.gradients.series.value for name in dash.gradients.norms)
    assert dash.gradients.histograms.value.count("<polygon") == 8  # 4 parameters x (weights, gradients)
    assert 'label="fc1: Linear' in dash.graph.dot_source
    assert "finished" in dash.status.value
    assert dash.controls.buttons["start"].disabled is False and dash.controls.buttons["stop"].disabled is True
    assert dash.last_step.step == 8
    dash.close()


def test_sliders_reach_the_optimizer_at_the_next_step(mlp_setup):
    dash = widgets.dashboard(*mlp_setup, epochs=1, refresh=0.05)
    lrs = []

    def listener(e):
        if e.kind == "step":
            lrs.append(e.hparams["lr"])
            if e.step == 1:
                dash.controls.lr.value = 0.01  # what moving the slider in the browser does
                dash.controls.momentum.value = 0.5

    dash.trainer.subscribe(listener)
    run(dash)
    assert lrs == [0.1, 0.01, 0.01, 0.01]
    assert dash.trainer.optimizer.param_groups[0]["momentum"] == 0.5
    dash.controls.batch_size.value = 32  # not running: takes effect for the next run
    run(dash, 1)
    assert dash.trainer.train_loader.batch_size == 32 and dash.last_step.batch_size == 32
    dash.close()


def test_error_in_training_thread_shows_traceback(mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup

    def bad_loss(out, y):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied (a deliberate test failure)")

    dash = widgets.dashboard(model, opt, bad_loss, train, val, refresh=0.05)
    dash.trainer.start()
    dash.trainer.join(30)
    assert dash.trainer.state == "error"
    assert "RuntimeError: mat1 and mat2 shapes" in dash.status.value
    assert "autolab-traceback" in dash.status.value and "bad_loss" in dash.status.value
    assert dash.controls.buttons["reset"].disabled is False
    dash.close()


def test_nan_loss_shows_the_learning_rate_hint(mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup
    dash = widgets.dashboard(model, opt, lambda out, y: loss_fn(out, y) * float("inf"), train, val)
    run(dash)
    assert "stopped" in dash.status.value
    assert "learning rate 0.1 is probably too large" in dash.status.value and "smaller" in dash.status.value
    assert all(np.isfinite(p.detach().numpy()).all() for p in model.parameters())
    dash.close()


def test_lenet_dashboard_graph_contains_every_module():
    autolab.manual_seed(0)
    x, y = autolab.randn(16, 3, 32, 32), autolab.randint(0, 10, (16,))
    model = LeNet()
    dash = widgets.dashboard(
        model,
        autolab.optim.SGD(model.parameters(), lr=0.01),
        nn.CrossEntropyLoss(),
        DataLoader(TensorDataset(x, y), batch_size=8),
        None,
        epochs=1,
        refresh=0.05,
    )
    run(dash)
    for name in (
        "conv1: Conv2d",
        "conv2: Conv2d",
        "fc1: Linear",
        "fc2: Linear",
        "fc3: Linear",
        "pool: MaxPool2d",
        "relu: ReLU",
        "CrossEntropyLoss",
    ):
        assert f'label="{name}' in dash.graph.dot_source
    assert "‖∇‖" in dash.graph.dot_source  # gradients arrived on the graph
    assert set(dash.gradients.norms) == {n for n, _ in model.named_parameters()} or not dash.gradients.norms
    dash.close()


def test_buttons_start_stop_and_reset(mlp_setup):
    model = mlp_setup[0]
    initial = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
    dash = widgets.dashboard(*mlp_setup, epochs=10_000, refresh=0.05)
    buttons = dash.controls.buttons
    assert [n for n, b in buttons.items() if not b.disabled] == ["start", "reset"]
    reached = threading.Event()
    dash.trainer.subscribe(lambda e: reached.set() if e.kind == "step" and e.step >= 3 else None)
    buttons["start"].click()
    assert reached.wait(30)
    buttons["stop"].click()
    dash.trainer.join(30)
    assert dash.trainer.state == "stopped" and "stopped" in dash.status.value
    assert dash.trainer.step >= 3 and dash.last_step.step == dash.trainer.step
    buttons["reset"].click()
    assert dash.trainer.step == 0
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.detach().numpy(), initial[name])
    dash.close()


@pytest.mark.parametrize("exc", [SystemExit, KeyboardInterrupt, ZeroDivisionError])
def test_a_model_that_raises_anything_shows_the_error_in_the_dashboard(mlp_setup, exc):
    model, opt, loss_fn, train, val = mlp_setup

    class Exploding(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = model

        def forward(self, x):
            raise exc("a deliberate failure inside forward")

    dash = widgets.dashboard(Exploding(), opt, loss_fn, train, val, refresh=0.05)
    dash.trainer.start()
    dash.trainer.join(30)
    assert dash.trainer.state == "error" and not dash.trainer.running
    assert f"{exc.__name__}: a deliberate failure inside forward" in dash.status.value
    assert "autolab-traceback" in dash.status.value and "in forward" in dash.status.value
    assert dash.controls.buttons["start"].disabled is False and dash.controls.buttons["stop"].disabled is True
    dash.close()


def test_a_failing_listener_and_a_refused_button_show_in_the_dashboard(mlp_setup):
    model, opt, loss_fn, train, val = mlp_setup
    dash = widgets.dashboard(model, opt, loss_fn, train, val, epochs=10_000, refresh=0.05)

    def broken_printer(e):
        if e.kind == "step" and e.step == 2:
            raise TypeError("a student's listener has a bug")

    unsubscribe = dash.trainer.subscribe(broken_printer)
    dash.controls.buttons["start"].click()
    dash.trainer.join(30)
    assert "error" in dash.status.value and "TypeError: a student&#x27;s listener has a bug" in dash.status.value
    assert "broken_printer" in dash.status.value
    unsubscribe()
    # A second dashboard on the same model while the first trains: Start is refused, and says so in its status.
    dash.controls.buttons["start"].click()
    other = widgets.dashboard(model, autolab.optim.SGD(model.parameters(), lr=0.1), loss_fn, train, val)
    other.controls.buttons["start"].click()
    assert "Start failed: RuntimeError" in other.status.value and "another Trainer" in other.status.value
    assert other.trainer.state == "idle" and dash.trainer.running
    dash.controls.buttons["reset"].click()  # waits for the run to end, then resets
    assert dash.trainer.state == "idle" and not dash.trainer.running and "idle" in dash.status.value
    other.close()
    dash.close()
