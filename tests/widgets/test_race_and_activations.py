"""The optimizer race (notebook 05) and the activation view / debug dashboard (notebook 08)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from widget_helpers import MLP

import autolab
import widgets
from autolab import nn, optim
from autolab.utils.data import DataLoader, TensorDataset
from widgets.activations import idle_units
from widgets.race import BOWL_ANGLE, BOWL_CURVATURES, SURFACES, Race, contour_lines, default_racers, rosenbrock


def bowl_hessian() -> np.ndarray:
    c, s = math.cos(BOWL_ANGLE), math.sin(BOWL_ANGLE)
    rot = np.array([[c, s], [-s, c]])  # (u, v) = rot @ (x, y)
    return rot.T @ np.diag(BOWL_CURVATURES) @ rot


def test_gradient_descent_racer_is_closed_form_gradient_descent_on_the_bowl():
    race = Race("bowl", lr=0.05, momentum=0.7)
    race.step(25)
    H, p = bowl_hessian(), np.array(SURFACES["bowl"].start)
    path = [p]
    for _ in range(25):
        p = p - 0.05 * H @ p
        path.append(p)
    gd = race.racers[0]
    np.testing.assert_allclose(np.array(gd.path), np.array(path), rtol=1e-10, atol=1e-12)
    assert gd.losses[-1] == pytest.approx(0.5 * p @ H @ p, rel=1e-9)
    # heavy ball, PyTorch's form: v = mu v + g, p -= lr v
    p, v = np.array(SURFACES["bowl"].start), np.zeros(2)
    for _ in range(25):
        v = 0.7 * v + H @ p
        p = p - 0.05 * v
    np.testing.assert_allclose(race.racers[1].path[-1], p, rtol=1e-10)


def test_the_limit_is_two_over_the_largest_curvature():
    """What notebook 05's quiz and its demo cell state: converges at lr 0.095, diverges at 0.105."""
    assert 2 / max(BOWL_CURVATURES) == pytest.approx(0.1)
    below, above = Race("bowl", lr=0.095), Race("bowl", lr=0.105)
    below.step(300)
    above.step(300)
    assert below.racers[0].status == "converged"
    assert above.racers[0].status == "diverged"


def test_sliders_reach_the_racers_that_follow_them_at_the_next_step():
    race = Race("rosenbrock")
    race.step(3)
    race.set_hparams(lr=2e-4, momentum=0.5, adam_lr=0.2)
    groups = {r.name: r.optimizer.param_groups[0] for r in race.racers}
    assert groups["gradient descent"]["lr"] == 2e-4 and groups["gradient descent"]["momentum"] == 0
    assert groups["momentum"]["momentum"] == 0.5 and groups["Nesterov"]["momentum"] == 0.5
    assert groups["Adam"]["lr"] == 0.2
    race.reset()  # rebuilt with the new values
    assert race.racers[1].optimizer.param_groups[0]["lr"] == 2e-4 and race.steps == 0


def test_on_the_rosenbrock_valley_momentum_and_adam_get_close_and_gradient_descent_crawls():
    race = Race("rosenbrock")
    race.step(1200)
    loss = {r.name: r.losses[-1] for r in race.racers}
    assert max(loss["momentum"], loss["Nesterov"], loss["Adam"]) < 1e-2 < loss["gradient descent"], loss
    assert rosenbrock(1.0, 1.0) == 0


def test_the_race_runs_the_classes_it_is_given():
    calls = []

    class Counting(optim.SGD):
        def step(self, closure=None):
            calls.append(self)
            return super().step(closure)

    race = Race("bowl", default_racers(sgd=Counting))
    race.step(4)
    assert len(calls) == 3 * 4  # gradient descent, momentum and Nesterov, not Adam
    assert {type(r.optimizer).__name__ for r in race.racers} == {"Counting", "Adam"}


def test_contours_lie_on_their_level():
    s = SURFACES["rosenbrock"]
    for level, lines in contour_lines(s)[::4]:
        for line in lines[:2]:
            values = s.loss(line[:, 0], line[:, 1])
            assert np.allclose(values, level, rtol=0.15)  # linear interpolation on a 240 x 240 grid


def test_race_widget_draws_every_path_and_switches_surface():
    view = widgets.optimizer_race()
    view.step(10)
    svg = view.plot.value
    assert svg.count("<polyline") >= len(view.race.racers) + 10  # contours + one path per racer + loss curves
    for racer in view.race.racers:
        assert racer.color in svg and racer.name in svg
    assert "10</td>" in view.table.value
    view.surface.value = "rosenbrock"
    s = SURFACES["rosenbrock"]
    assert view.race.surface.name == "rosenbrock" and view.race.steps == 0
    assert (view.lr.value, view.adam_lr.value) == (s.lr, s.adam_lr)
    assert view.race.racers[0].optimizer.param_groups[0]["lr"] == s.lr
    view.lr.value = 5e-4
    assert view.race.racers[0].optimizer.param_groups[0]["lr"] == 5e-4
    view.close()


def test_run_button_steps_in_the_background_and_stops_when_all_are_done(monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules["widgets.optimizer_race"], "TICK", 0.0)  # the package exports a same-named function
    view = widgets.optimizer_race()
    view.lr.value = 0.2  # gradient descent and Nesterov diverge, momentum and Adam converge: all finish
    view.race.reset()
    view.run_button.value = True
    deadline = time.monotonic() + 30
    while view.run_button.value and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not view.run_button.value and view.race.finished
    assert "diverged" in view.table.value
    view.close()


def test_idle_units_counts_units_idle_for_the_whole_batch():
    out = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]])
    assert idle_units(nn.ReLU(), out) == pytest.approx(1 / 3)
    assert idle_units(nn.Sigmoid(), np.array([[0.999, 0.5], [0.001, 0.2]])) == 0.5
    conv = np.zeros((2, 4, 3, 3))
    conv[1, 2, 0, 0] = 1.0
    assert idle_units(nn.ReLU(), conv) == 0.75  # channels are the units of a conv layer


def _loaders():
    autolab.manual_seed(0)
    x = autolab.randn(64, 8)
    y = autolab.tensor(np.arange(64) % 3)
    return DataLoader(TensorDataset(x, y), batch_size=16), DataLoader(TensorDataset(x, y), batch_size=64)


def test_activation_view_records_spread_and_dead_units_then_removes_its_hooks():
    model = MLP()
    with autolab.no_grad():
        model.fc1.bias.fill_(-100.0)  # every hidden unit dead
    view = widgets.ActivationView(model, every=1)
    train, val = _loaders()
    trainer = autolab.training.Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, val)
    trainer.fit(epochs=1)
    name = "act (ReLU)"
    assert view.steps == [1, 2, 3, 4]  # the evaluation pass is not a training step
    assert view.idle[name] == [100.0] * 4 and view.std[name] == [0.0] * 4
    view.render()
    assert "idle units" in view.plot.value and name in view.plot.value
    view.close()
    assert not model.act._forward_hooks


def test_debug_dashboard_has_no_graph_and_shows_activations(mlp_setup):
    dash = widgets.debug_dashboard(*mlp_setup, epochs=2)
    assert dash.graph is None and dash.activations in dash.children
    dash.trainer.fit()
    assert dash.trainer.state == "finished"
    assert len(dash.activations.steps) >= 2 and "act (ReLU)" in dash.activations.plot.value
    model = mlp_setup[0]
    dash.close()
    assert not model.act._forward_hooks
