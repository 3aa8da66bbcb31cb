"""A few training steps of the CIFAR LeNet and the MNIST CNN on "cuda" (the simulator) against the CPU: the loss,
every gradient and the weights after each optimizer step agree, and no op fell back to the host."""

from __future__ import annotations

import numpy as np
import pytest

import autolab
import autolab.nn as nn
import autolab.nn.functional as F

from .conftest import sim

pytestmark = sim


def lenet():
    """The tutorial LeNet (CIFAR-10, notebook 07)."""
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip


class MNISTNet(nn.Module):
    """The MNIST CNN of notebook 06."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 10, 5)
        self.fc = nn.Linear(1440, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv(x), 2))
        return self.fc(autolab.flatten(x, 1))


def run(build, optimizer, shape, device, steps=2):
    rng = np.random.default_rng(0)
    images = rng.standard_normal((steps, 2) + shape, dtype=np.float32)
    labels = rng.integers(0, 10, (steps, 2))
    autolab.manual_seed(0)
    model = build().to(device)
    opt = optimizer(model.parameters())
    record = []
    for x, y in zip(images, labels):
        opt.zero_grad()
        loss = F.cross_entropy(model(autolab.from_numpy(x).to(device)), autolab.from_numpy(y).to(device))
        loss.backward()
        grads = [p.grad.cpu().numpy().copy() for p in model.parameters()]
        opt.step()
        weights = [p.detach().cpu().numpy().copy() for p in model.parameters()]
        record.append((loss.item(), grads, weights, loss.device.type))
    return record


@pytest.mark.parametrize(
    "build,optimizer,shape",
    [
        (lenet, lambda p: autolab.optim.SGD(p, lr=0.05, momentum=0.9), (3, 32, 32)),
        (MNISTNet, lambda p: autolab.optim.Adam(p, lr=0.01), (1, 28, 28)),
    ],
    ids=["cifar-lenet-sgd", "mnist-cnn-adam"],
)
def test_training_steps_match_the_cpu(build, optimizer, shape):
    from autolab.kernels import last_path
    from autolab.kernels.cuda.array import fallbacks

    cpu = run(build, optimizer, shape, "cpu")
    gpu = run(build, optimizer, shape, "cuda")
    assert dict(fallbacks) == {}, "an op of the training step ran on the host"
    assert last_path["conv2d_forward"] == "cuda" and last_path["matmul"].startswith("cuda")
    for (loss_c, grads_c, w_c, dev_c), (loss_g, grads_g, w_g, dev_g) in zip(cpu, gpu):
        assert (dev_c, dev_g) == ("cpu", "cuda")
        assert loss_g == pytest.approx(loss_c, rel=1e-5)
        for gc, gg in zip(grads_c, grads_g):
            np.testing.assert_allclose(gg, gc, rtol=1e-4, atol=1e-6)
        for wc, wg in zip(w_c, w_g):
            np.testing.assert_allclose(wg, wc, rtol=1e-5, atol=1e-6)
