# Source of notebooks/04_linear_regression.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=intro
# # 4. Linear regression
#
# The smallest complete training loop: fit a line `y = w*x + b` to noisy points by gradient descent. First with
# bare tensors and autograd, so every step is visible; then with `nn.Linear`, `nn.MSELoss` and `optim.SGD`,
# which is the same loop in the form every PyTorch program uses.
#
# **Learning goals.** After this notebook you can
# - write a training loop from scratch: forward, loss, backward, update, clear gradients;
# - say what each of `nn.Linear`, `nn.MSELoss` and `optim.SGD` replaces in that loop;
# - read a loss surface and a gradient-descent path on it;
# - recognise a learning rate that is too large, and explain why it diverges;
# - turn the same loop into a classifier (MNIST digits) with `nn.CrossEntropyLoss`.

# %% id=setup locked
import matplotlib.pyplot as plt

import autolab as torch
import autolab.nn.functional as F
from autolab import nn, optim
from autolab.course import FAST, checks, pick, set_language

set_language("en")
print("fast mode:", FAST)

# %% [markdown] id=data
# ## Data
#
# Points on the line `y = 3x + 2`, plus Gaussian noise.

# %% id=data-code
torch.manual_seed(0)
n_points = pick(40, 200)
x = torch.rand(n_points, 1) * 2 - 1
y = 3 * x + 2 + 0.3 * torch.randn(n_points, 1)
plt.figure(figsize=(4, 3))
plt.scatter(x.numpy(), y.numpy(), s=8)
plt.xlabel("x")
plt.ylabel("y")
plt.show()

# %% [markdown] id=from-scratch
# ## From scratch
#
# ### Your turn: the loss
# The mean squared error: the average over the points of `(pred - target)**2`. Build it from tensor ops so that
# autograd can differentiate it.


# %% id=mse solution
def mse(pred, target):
    ### BEGIN SOLUTION
    return ((pred - target) ** 2).mean()
    ### END SOLUTION


# %% id=mse-check test points=1
checks.mse(mse)
### BEGIN HIDDEN TESTS
checks.mse(mse, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=one-step-of-gradient-descent-task
# ### Your turn: one step of gradient descent
# For each parameter `p`: `p -= lr * p.grad`, in place and inside `torch.no_grad()` (the update must not be
# recorded), then clear `p.grad` for the next step.


# %% id=sgd-step solution
def sgd_step(params, lr):
    ### BEGIN SOLUTION
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None
    ### END SOLUTION


# %% id=sgd-step-check test points=2
checks.sgd_step(sgd_step)
### BEGIN HIDDEN TESTS
checks.sgd_step(sgd_step, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=from-scratch-note
# The training loop. (If an exercise above is not done yet, the built-in version stands in for it.)

# %% id=from-scratch-code
loss_fn = mse if checks.passed(mse) else F.mse_loss


def builtin_step(params, lr):
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


step_fn = sgd_step if checks.passed(sgd_step) else builtin_step

w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for step in range(pick(60, 200)):
    loss = loss_fn(x * w + b, y)  # forward
    loss.backward()  # backward: fills w.grad and b.grad
    step_fn([w, b], lr=0.3)  # update, and clear the gradients
    if step % 20 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}  w {w.item():.3f}  b {b.item():.3f}")
print(f"fitted: w = {w.item():.3f}, b = {b.item():.3f}  (true: 3, 2)")

# %% [markdown] id=nn-linear-mseloss-sgd
# ## The same with `nn.Linear`, `MSELoss` and `SGD`
#
# `nn.Linear(1, 1)` holds `w` and `b`; `nn.MSELoss()` is our `mse`; `optim.SGD` does `sgd_step`, and its
# `zero_grad()` clears the gradients. The loop keeps its shape.

# %% id=nn-linear-mseloss-sgd-code
torch.manual_seed(0)
model = nn.Linear(1, 1)
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.3)
for _ in range(pick(60, 200)):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
print(f"nn.Linear learned w = {model.weight.item():.3f}, b = {model.bias.item():.3f}, loss {loss.item():.4f}")

# %% [markdown] id=the-playground
# ## The playground
#
# Move the sliders: the learning rate, the noise, the number of points; press *Step* or *Run*. You see the data
# with the current line, and the loss as a function of `(w, b)`, drawn as contours, with the path gradient
# descent takes across it. Try a learning rate near the top of the slider.

# %% id=the-playground-code
import widgets

widgets.linear_regression(n_points=40, noise=0.5, lr=0.05)

# %% [markdown] id=learning-rate-too-large
# ## When the learning rate is too large
#
# Near its minimum the loss is a bowl. A step of size `lr * gradient` lands closer to the bottom only while
# `lr` is below `2 / curvature` along the steepest direction. For this data the curvature is about 2 (along `b`),
# so the limit is about `lr = 1`: below it the loss shrinks, just above it every step overshoots further than the
# last, and the loss explodes.


# %% id=learning-rate-too-large-code
def losses_for(lr, steps=30):
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    history = []
    for _ in range(steps):
        loss = F.mse_loss(x * w + b, y)
        loss.backward()
        builtin_step([w, b], lr)
        history.append(loss.item())
    return history


plt.figure(figsize=(5, 3))
for lr in [0.05, 0.5, 0.95, 1.1]:
    history = losses_for(lr)
    print(f"lr {lr:4}: loss after 30 steps {history[-1]:.4g}")
    plt.semilogy(history, label=f"lr = {lr}")
plt.xlabel("step")
plt.ylabel("loss (log scale)")
plt.legend()
plt.show()

# %% [markdown] id=mnist
# ## From regression to classification: MNIST
#
# The same loop also learns to *classify*. Each MNIST image is a 28x28 handwritten digit; the model outputs 10
# numbers (logits), one per digit. Softmax turns them into probabilities, and the loss is the cross-entropy:
# `-log(probability of the right digit)`. `nn.CrossEntropyLoss` does both steps in one stable op. Only the model
# and the loss change; forward, backward, step and `zero_grad` stay as they were.

# %% id=mnist-code
from autolab.utils.data import DataLoader, Subset
from autolab.vision import datasets, transforms

to_tensor = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
mnist_train = datasets.MNIST(train=True, download=True, transform=to_tensor)
mnist_test = datasets.MNIST(train=False, download=True, transform=to_tensor)
digits_train = DataLoader(Subset(mnist_train, range(pick(2000, len(mnist_train)))), batch_size=64, shuffle=True)
digits_test = DataLoader(Subset(mnist_test, range(pick(500, len(mnist_test)))), batch_size=500)

torch.manual_seed(0)
classifier = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(classifier.parameters(), lr=0.01, momentum=0.9)
for epoch in range(pick(1, 2)):
    for images, labels in digits_train:
        optimizer.zero_grad()
        loss = criterion(classifier(images), labels)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}")

with torch.no_grad():
    right = sum((classifier(x).argmax(dim=1) == y).sum().item() for x, y in digits_test)
print(f"MNIST test accuracy: {right / len(digits_test.dataset):.1%} (chance: 10%)")

# %% [markdown] id=summary
# ## Summary
#
# - A training loop is: forward, loss, `backward()`, update under `no_grad()`, clear the gradients.
# - `nn.Linear`, `nn.MSELoss` and `optim.SGD` (with `zero_grad()`) are those same pieces, packaged.
# - Gradient descent walks downhill on the loss surface; the learning rate sets the step length.
# - Too large a learning rate overshoots the minimum by more each step, and the loss diverges.
# - Classification is the same loop with logits and `nn.CrossEntropyLoss`.
#
# Next: **5. CIFAR-10**, the same loop with a convolutional network and real colour images.
