"""Fixtures for the widget tests: see widget_helpers.py for the models and data."""

from __future__ import annotations

import numpy as np
import pytest
from widget_helpers import MLP, LeNet, blobs

import autolab
from autolab import nn
from autolab.utils.data import DataLoader, TensorDataset


@pytest.fixture
def mlp_setup():
    """(model, optimizer, loss_fn, train_loader, val_loader) for a 3-class MLP: 64 train / 32 val samples."""
    autolab.manual_seed(0)
    x, y = blobs(96)
    train = DataLoader(TensorDataset(x[:64], y[:64]), batch_size=16, shuffle=True)
    val = DataLoader(TensorDataset(x[64:], y[64:]), batch_size=32)
    model = MLP()
    opt = autolab.optim.SGD(model.parameters(), lr=0.1, momentum=0.0)
    return model, opt, nn.CrossEntropyLoss(), train, val


@pytest.fixture
def lenet_batch():
    autolab.manual_seed(0)
    return LeNet(), autolab.randn(4, 3, 32, 32), autolab.tensor(np.array([1, 0, 3, 9]))
