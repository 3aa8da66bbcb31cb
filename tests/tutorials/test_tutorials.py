"""The classic PyTorch tutorial programs, run unchanged with ``import autolab as torch``.

Each program is written once, as PyTorch's tutorials write it, and executed twice: with PyTorch and with autolab
bound to the name ``torch``. Both start from the same weights (copied through ``state_dict``), so the losses they
print must agree step by step — a check of the API and of the numbers at once.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autolab


def run(program: str, lib: str, **env: object) -> dict:
    """Execute ``program`` with ``torch``, ``nn``, ``F``, ``optim`` and ``data`` bound to PyTorch or autolab."""
    if lib == "torch":
        torch = pytest.importorskip("torch")
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim
        import torch.utils.data as data
    else:
        torch = autolab
        import autolab.nn as nn
        import autolab.nn.functional as F
        import autolab.optim as optim
        import autolab.utils.data as data
    scope = dict(torch=torch, nn=nn, F=F, optim=optim, data=data, math=math, np=np, **env)
    exec(program, scope)
    return scope


def copy_weights(src: object, dst: object) -> None:
    """PyTorch's state_dict -> autolab's: same keys, so this is a one-liner for students too."""
    dst.load_state_dict({k: autolab.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})


POLYNOMIAL = """
# "Learning PyTorch with Examples": fit sin(x) with a cubic, using tensors and autograd by hand.
dtype = torch.float
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a = torch.tensor(a0, dtype=dtype, requires_grad=True)
b = torch.tensor(b0, dtype=dtype, requires_grad=True)
c = torch.tensor(c0, dtype=dtype, requires_grad=True)
d = torch.tensor(d0, dtype=dtype, requires_grad=True)
learning_rate = 1e-6
losses = []
for t in range(500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
"""


def test_polynomial_regression_with_autograd_matches_pytorch():
    init = dict(a0=0.3, b0=-0.2, c0=0.1, d0=0.05)
    ours = run(POLYNOMIAL, "autolab", **init)
    theirs = run(POLYNOMIAL, "torch", **init)
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=2e-3)
    assert ours["losses"][-1] < ours["losses"][0] / 10  # it learned
    for name in "abcd":
        assert abs(ours[name].item() - theirs[name].item()) < 1e-3


LINEAR_REGRESSION = """
# nn.Linear + MSELoss + SGD, the usual first model.
model = nn.Linear(3, 1)
model.load_state_dict(start) if start is not None else None
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
X = torch.tensor(X_np)
Y = torch.tensor(Y_np)
losses = []
for epoch in range(60):
    optimizer.zero_grad()
    loss = criterion(model(X), Y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
"""


def test_linear_regression_nn_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 3)).astype(np.float32)
    Y = (X @ np.array([[2.0], [-3.0], [0.5]]) + 0.7 + 0.01 * rng.normal(size=(128, 1))).astype(np.float32)
    theirs = run(LINEAR_REGRESSION, "torch", X_np=X, Y_np=Y, start=None)
    start = {k: autolab.tensor(v.detach().numpy()) for k, v in theirs["model"].state_dict().items()}
    torch.manual_seed(0)
    theirs = run(
        LINEAR_REGRESSION, "torch", X_np=X, Y_np=Y, start={k: torch.tensor(v.numpy()) for k, v in start.items()}
    )
    ours = run(LINEAR_REGRESSION, "autolab", X_np=X, Y_np=Y, start=start)
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-3, atol=1e-6)
    assert ours["losses"][-1] < 1e-3
    w = ours["model"].weight.detach().numpy().ravel()
    np.testing.assert_allclose(w, [2.0, -3.0, 0.5], atol=0.05)


MLP = """
# The "Quickstart" tutorial's network, on MNIST-shaped data, with a DataLoader.
class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28*28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits

model = NeuralNetwork()
if start is not None:
    model.load_state_dict(start)
dataset = data.TensorDataset(torch.tensor(images), torch.tensor(labels))
train_dataloader = data.DataLoader(dataset, batch_size=64)
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=1e-3)

def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    losses = []
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses

def test(dataloader, model, loss_fn):
    model.eval()
    correct = 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return correct / len(dataloader.dataset)

losses = train(train_dataloader, model, loss_fn, optimizer)
accuracy = test(train_dataloader, model, loss_fn)
"""


def test_quickstart_mlp_matches_pytorch():
    pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    images = rng.random((256, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, 256)
    theirs = run(MLP, "torch", images=images, labels=labels, start=None)
    start = {k: autolab.tensor(v.detach().numpy()) for k, v in theirs["model"].state_dict().items()}
    theirs_fresh = run(
        MLP,
        "torch",
        images=images,
        labels=labels,
        start={k: __import__("torch").tensor(v.numpy()) for k, v in start.items()},
    )
    ours = run(MLP, "autolab", images=images, labels=labels, start=start)
    assert list(ours["model"].state_dict()) == list(theirs_fresh["model"].state_dict())
    np.testing.assert_allclose(ours["losses"], theirs_fresh["losses"], rtol=1e-4)
    assert ours["accuracy"] == pytest.approx(theirs_fresh["accuracy"], abs=1 / 256)


LENET = """
# "Training a classifier": the CIFAR-10 LeNet, verbatim.
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1) # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

net = Net()
if start is not None:
    net.load_state_dict(start)
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
trainloader = data.DataLoader(data.TensorDataset(torch.tensor(images), torch.tensor(labels)), batch_size=4)
losses = []
for epoch in range(2):
    running_loss = 0.0
    for i, batch in enumerate(trainloader, 0):
        inputs, labels_ = batch
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels_)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
PATH = path
torch.save(net.state_dict(), PATH)
net2 = Net()
net2.load_state_dict(torch.load(PATH, weights_only=True))
with torch.no_grad():
    outputs = net2(torch.tensor(images[:8]))
    _, predicted = torch.max(outputs, 1)
"""


def test_cifar_lenet_tutorial_matches_pytorch(tmp_path):
    pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    images = rng.normal(size=(32, 3, 32, 32)).astype(np.float32)
    labels = rng.integers(0, 10, 32)
    theirs = run(LENET, "torch", images=images, labels=labels, start=None, path=str(tmp_path / "t.pth"))
    start = {k: autolab.tensor(v.detach().numpy()) for k, v in theirs["net"].state_dict().items()}
    torch = __import__("torch")
    theirs = run(
        LENET,
        "torch",
        images=images,
        labels=labels,
        path=str(tmp_path / "t.pth"),
        start={k: torch.tensor(v.numpy()) for k, v in start.items()},
    )
    ours = run(LENET, "autolab", images=images, labels=labels, start=start, path=str(tmp_path / "a.pth"))
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-3, atol=1e-5)
    np.testing.assert_array_equal(ours["predicted"].numpy(), theirs["predicted"].numpy())
