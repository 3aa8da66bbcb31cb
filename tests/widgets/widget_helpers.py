"""A small LeNet, an MLP and a learnable synthetic data set for the widget and training-loop tests (no data files).

A uniquely named module (not conftest) so that test files can import it."""

from __future__ import annotations

import numpy as np

import autolab
from autolab import nn


class LeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = autolab.flatten(x, 1)
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def blobs(n: int, seed: int = 0):
    """Three Gaussian blobs in 8-D: an MLP learns them in a few steps."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.standard_normal((n, 8)).astype(np.float32) * 0.5 + np.eye(3, 8, dtype=np.float32)[y] * 3
    return autolab.tensor(x), autolab.tensor(y.astype(np.int64))


def params_of(model) -> dict[str, np.ndarray]:
    return {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
