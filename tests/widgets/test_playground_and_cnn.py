"""The linear-regression playground and the CNN views."""

from __future__ import annotations

import numpy as np
import pytest
from widget_helpers import LeNet

import autolab
import widgets
from autolab.training import stats
from autolab.utils.data import DataLoader, TensorDataset
from widgets.playground import START, loss_surface

PNG = b"\x89PNG\r\n\x1a\n"


def test_playground_steps_are_gradient_descent_on_the_mse():
    pg = widgets.linear_regression(n_points=30, noise=0.3, lr=0.1, seed=1)
    x, y = pg.x, pg.y
    w, b = START
    for _ in range(5):  # closed-form gradient of mean((w x + b - y)^2)
        r = w * x + b - y
        w, b = w - 0.1 * 2 * np.mean(r * x), b - 0.1 * 2 * np.mean(r)
    pg.step(5)
    assert pg.path[-1] == pytest.approx((w, b), rel=1e-5)
    assert pg.losses[-1] == pytest.approx(np.mean((w * x + b - y) ** 2), rel=1e-5)
    pg.step(300)  # converges to the least-squares line
    slope, intercept = np.polyfit(x, y, 1)
    assert pg.path[-1] == pytest.approx((slope, intercept), abs=1e-3)
    pg.render()
    assert pg.image.value[:8] == PNG
    pg.close()


def test_playground_sliders_change_the_data_and_restart():
    pg = widgets.linear_regression(n_points=20, seed=0)
    pg.step(3)
    pg.n_points.value = 50
    assert len(pg.x) == 50 and pg.path == [START]
    pg.noise.value = 0.0
    np.testing.assert_allclose(pg.y, 2.0 * pg.x - 1.0)
    pg.lr.value = 1.5  # too large: the loss grows, and the view says so
    pg.step(4)
    pg.render()
    assert pg.losses[-1] > pg.losses[-2] > pg.losses[0]
    assert "too large" in pg.info.value
    pg.close()


def test_loss_surface_is_the_mse_at_each_grid_point():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(7), rng.standard_normal(7)
    ws, bs = np.array([-1.0, 0.5, 2.0]), np.array([0.0, 1.0])
    s = loss_surface(x, y, ws, bs)
    assert s.shape == (2, 3)
    assert s[1, 2] == pytest.approx(np.mean((2.0 * x + 1.0 - y) ** 2))


@pytest.fixture
def trained_lenet():
    autolab.manual_seed(0)
    x, y = autolab.randn(12, 3, 32, 32), autolab.tensor(np.arange(12) % 10)
    return LeNet(), TensorDataset(x, y)


def test_conv_filters_and_feature_maps(trained_lenet):
    model, data = trained_lenet
    img = widgets.conv_filters(model.conv1)
    assert img.value[:8] == PNG
    view = widgets.feature_maps(model, data[0][0])
    choice, image = view.children[0].children[1], view.children[1]
    # the 4-D outputs in call order; the shared relu and pool modules show once per call
    assert list(choice.options) == ["conv1", "relu #1", "pool #1", "conv2", "relu #2", "pool #2"]
    first = image.value
    choice.value = "conv2"
    assert image.value[:8] == PNG and image.value != first


def test_confusion_matrix_and_prediction_grid(trained_lenet):
    model, data = trained_lenet
    classes = [f"c{i}" for i in range(10)]
    m = stats.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
    np.testing.assert_array_equal(m, [[1, 0, 0], [0, 1, 0], [0, 1, 1]])
    assert widgets.confusion_matrix(model, DataLoader(data, batch_size=5), classes).value[:8] == PNG
    assert widgets.prediction_grid(model, data, classes, n=8).value[:8] == PNG
