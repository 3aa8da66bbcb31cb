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
# - compute the Hessian of a loss, and from it the largest learning rate that converges;
# - recognise a learning rate that is too large, and explain why it diverges;
# - turn the same loop into a classifier (MNIST digits) with `nn.CrossEntropyLoss`.

# %% id=setup locked
import matplotlib.pyplot as plt

import autolab as torch
import autolab.nn.functional as F
from autolab import nn, optim
from autolab.course import FAST, checks, pick, plot_text, set_language, tr

set_language("en")
print(tr("fast mode:"), FAST)

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
plt.title(plot_text("data: y = 3x + 2 + noise"))
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
print(tr("fitted: w = {w:.3f}, b = {b:.3f}  (true: 3, 2)", w=w.item(), b=b.item()))

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
# Near its minimum every loss looks like a bowl, and this one *is* a bowl: a quadratic in `w` and `b`. How
# curved it is in each direction is measured by its **Hessian**, the matrix of second derivatives
# $H = \begin{pmatrix} \partial^2 L/\partial w^2 & \partial^2 L/\partial w \partial b \\
# \partial^2 L/\partial b \partial w & \partial^2 L/\partial b^2 \end{pmatrix}$. Along an eigenvector of $H$
# with eigenvalue $\lambda$ (a curvature), one gradient step multiplies the distance to the minimum by
# $(1 - \text{lr}\,\lambda)$. The distance shrinks only while $|1 - \text{lr}\,\lambda| < 1$, that is
# $\text{lr} < 2/\lambda$, and the **most curved** direction, with the largest eigenvalue $\lambda_{\max}$, breaks
# first: gradient descent converges only for $\text{lr} < 2/\lambda_{\max}$. That is a matter of curvature, not
# of slope: the *steepest* direction (where the gradient points) changes from point to point, while the limit does
# not.
#
# ### Your turn: the Hessian
#
# For $L(w, b) = \frac{1}{N}\sum_i (w x_i + b - y_i)^2$, work out the four second derivatives by hand and
# write `hessian(x)`, returning them as a 2x2 tensor, `w` first. (They depend on `x` only.)


# %% id=hessian solution
def hessian(x):
    ### BEGIN SOLUTION
    m1, m2 = x.mean(), (x * x).mean()
    return 2 * torch.stack([torch.stack([m2, m1]), torch.stack([m1, torch.ones(())])])
    ### END SOLUTION


# %% id=hessian-check test points=2
checks.hessian(hessian)
### BEGIN HIDDEN TESTS
checks.hessian(hessian, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=hessian-used
# Its eigenvalues are the curvatures of the bowl along its two axes (`np.linalg.eigh` gives them, with the
# directions), and the largest one sets the limit:

# %% id=hessian-used-code
import numpy as np


def builtin_hessian(x):
    m1, m2 = x.mean().item(), (x * x).mean().item()
    return torch.tensor([[2 * m2, 2 * m1], [2 * m1, 2.0]])


H = (hessian if checks.passed(hessian) else builtin_hessian)(x).detach().numpy().astype(np.float64)
curvatures, directions = np.linalg.eigh(H)
for lam, (dw, db) in zip(curvatures, directions.T):
    print(f"curvature {lam:.3f} along (w, b) direction ({dw:+.2f}, {db:+.2f})")
limit = 2 / curvatures.max()
print(tr("largest learning rate that converges: 2 / {top:.3f} = {limit:.3f}", top=curvatures.max(), limit=limit))

# %% [markdown] id=learning-rate-demo
# Gradient descent with learning rates below and just above that limit:


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
for fraction in [0.05, 0.5, 0.95, 1.05]:
    lr = fraction * limit
    history = losses_for(lr)
    print(
        tr(
            "lr {lr:.3f} ({fraction:4.2f} of the limit): loss after 30 steps {loss:.4g}",
            lr=lr,
            fraction=fraction,
            loss=history[-1],
        )
    )
    plt.semilogy(history, label=plot_text("lr = {fraction:.2f} x limit", fraction=fraction))
plt.title(plot_text("gradient descent at different learning rates"))
plt.xlabel(plot_text("step"))
plt.ylabel(plot_text("loss (log scale)"))
plt.legend()
plt.show()

# %% [markdown] id=lr-regime-quiz
# ### Predict: between half the limit and the limit
#
# With `lr = 0.75 * limit`, that is between $1/\lambda_{\max}$ and $2/\lambda_{\max}$, what does gradient
# descent do? (a) the loss grows without bound; (b) along the most curved direction each step overshoots to the
# other side, but it still converges; (c) it converges without ever overshooting; (d) the parameters stop moving.
# Make `lr_regime_answer()` return your letter. (Then look at the path the playground draws for such a rate.)


# %% id=lr-regime-answer solution
def lr_regime_answer():
    ### BEGIN SOLUTION
    return "b"
    ### END SOLUTION


# %% id=lr-regime-check test points=1
checks.lr_regime_quiz(lr_regime_answer)

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
print(tr("MNIST test accuracy: {acc:.1%} (chance: 10%)", acc=right / len(digits_test.dataset)))

# %% [markdown] id=summary
# ## Summary
#
# - A training loop is: forward, loss, `backward()`, update under `no_grad()`, clear the gradients.
# - `nn.Linear`, `nn.MSELoss` and `optim.SGD` (with `zero_grad()`) are those same pieces, packaged.
# - Gradient descent walks downhill on the loss surface; the learning rate sets the step length.
# - Near a minimum the loss is a bowl whose curvatures are the Hessian's eigenvalues; gradient descent converges
#   only for `lr < 2 / λ_max`, the most curved direction's limit, and zigzags above `1 / λ_max`.
# - Too large a learning rate overshoots the minimum by more each step, and the loss diverges.
# - Classification is the same loop with logits and `nn.CrossEntropyLoss`.
#
# Next: **5. Losses and optimizers**: where cross-entropy comes from, and optimizers faster than plain SGD.
