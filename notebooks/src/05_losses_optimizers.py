# Source of notebooks/05_losses_optimizers.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=title
# # 5. Losses and optimizers
#
# Notebook 4 trained with the mean squared error and plain gradient descent. A classifier needs another loss,
# and real training uses better optimizers. This notebook takes both apart: softmax and cross-entropy, derived
# and made numerically safe, then momentum, Nesterov and Adam, written by you as `Optimizer` subclasses and
# raced against each other on surfaces where you can watch every step.
#
# **Learning goals.** After this notebook you can
# - derive softmax and cross-entropy, compute them stably with the log-sum-exp trick, and explain why the
#   gradient of the loss with respect to the logits is `softmax - one_hot`;
# - tell binary from multi-class cross-entropy, and say which PyTorch loss expects what;
# - write SGD with momentum and Nesterov, and Adam, as `torch.optim.Optimizer` subclasses that match PyTorch's
#   step for step;
# - explain from a picture why plain gradient descent crawls on an ill-conditioned problem, what momentum and
#   Adam change, and where the learning rate's limit comes from;
# - avoid four classic pitfalls: softmax fed to `CrossEntropyLoss`, `log_softmax` fed to it, the binary formula
#   used for ten classes, and `.data` instead of `.detach()`.

# %% id=setup locked
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import autolab as torch
import autolab.nn.functional as F
import widgets
from autolab import nn, optim
from autolab.course import FAST, checks, pick, plot_text, set_language, tr
from autolab.optim import Optimizer

set_language("en")
torch.manual_seed(0)
print(tr("fast mode:"), FAST)

# %% [markdown] id=softmax-intro
# ## From scores to probabilities: softmax
#
# A classifier's last layer outputs one number per class, the *logits* $z_1, \dots, z_K$: any real numbers.
# Softmax turns them into probabilities:
#
# $$p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}.$$
#
# Adding the same constant $c$ to every logit changes nothing ($e^{z_k + c} = e^c e^{z_k}$ and $e^c$ cancels).
# That matters on a computer: $e^{z}$ overflows float32 for $z > 88$, so the naive formula returns `nan` for
# large logits, while subtracting the largest logit first keeps every exponent at or below $e^0 = 1$.

# %% id=softmax-demo
z = torch.tensor([[1000.0, 0.0, -5.0]])
with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point: no warning needed
    naive = z.exp() / z.exp().sum(dim=1, keepdim=True)
shifted = (z - z.max(dim=1, keepdim=True).values).exp()
safe = shifted / shifted.sum(dim=1, keepdim=True)
print("naive:  ", naive)
print("shifted:", safe)
print("built-in torch.softmax:", torch.softmax(z, dim=1))

# %% [markdown] id=ce-intro
# ## Cross-entropy, and its gradient
#
# The loss of one example whose true class is $y$ is the negative log-probability the model gives it:
#
# $$L = -\log p_y = -z_y + \log \sum_j e^{z_j}.$$
#
# The second term is the *log-sum-exp*. With $m = \max_j z_j$ it is computed safely as
# $\operatorname{lse}(z) = m + \log \sum_j e^{z_j - m}$: every exponent is at most 0, and the largest term of the
# sum is exactly 1, so the log never sees 0.
#
# The derivative is short. $\partial \operatorname{lse} / \partial z_k = e^{z_k} / \sum_j e^{z_j} = p_k$, and
# $\partial z_y / \partial z_k$ is 1 for $k = y$, else 0. So
#
# $$\frac{\partial L}{\partial z_k} = p_k - [k = y], \qquad \nabla_z L = \operatorname{softmax}(z) - \text{one\_hot}(y).$$
#
# The gradient pushes the right class's logit up by how far its probability is from 1, and every other logit
# down by its probability. Averaged over a batch of $N$ examples, each row is divided by $N$. Autograd agrees:

# %% id=ce-gradient
logits = torch.randn(4, 3, requires_grad=True)
target = torch.tensor([0, 2, 1, 2])
F.cross_entropy(logits, target).backward()
by_hand = (torch.softmax(logits, dim=1) - F.one_hot(target, 3)).detach() / 4
print("autograd:\n", logits.grad)
print("softmax - one_hot, over N:\n", by_hand)
print("equal:", np.allclose(logits.grad.numpy(), by_hand.numpy(), atol=1e-6))

# %% [markdown] id=ce-exercise
# ### Your turn: a stable cross-entropy
#
# Write `cross_entropy(logits, target)`: `logits` is `(N, K)`, `target` holds `N` class indices; return the mean
# loss over the batch as a 0-d tensor. Use tensor operations only (`max`, `exp`, `sum`, `log`, indexing), not
# `F.cross_entropy` or `torch.logsumexp`. The check tries logits of ±1000 too.
#
# Hints: `logits.max(dim=1, keepdim=True).values` is each row's maximum; `x[torch.arange(N), target]` picks
# one entry per row.


# %% id=cross-entropy solution
def cross_entropy(logits, target):
    ### BEGIN SOLUTION
    shifted = logits - logits.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -log_probs[torch.arange(len(target)), target].mean()
    ### END SOLUTION


# %% id=cross-entropy-check test points=2
checks.cross_entropy(cross_entropy)
### BEGIN HIDDEN TESTS
checks.cross_entropy(cross_entropy, seed=3)
### END HIDDEN TESTS

# %% [markdown] id=log-softmax-quiz
# ### Predict the output
#
# A model's `forward` ends with `return F.log_softmax(x, dim=1)`, and it is trained with `nn.CrossEntropyLoss()`,
# which applies `log_softmax` itself. Compared with a model that returns the raw logits `x`, the loss is:
#
# (a) the same, (b) larger, (c) smaller, (d) NaN.
#
# Make `answer_log_softmax()` return your letter (replace `raise NotImplementedError()` with, say,
# `return "b"`), then run the check. Work it out before you try it: what is the log-sum-exp of a row of
# log-probabilities?


# %% id=log-softmax-answer solution
def answer_log_softmax():
    ### BEGIN SOLUTION
    return "a"
    ### END SOLUTION


# %% id=log-softmax-check test points=1
checks.log_softmax_quiz(answer_log_softmax)

# %% [markdown] id=binary-intro
# ## Two classes, or many
#
# With two classes a model can output a single logit $s$: $p = \sigma(s) = 1 / (1 + e^{-s})$ is the probability
# of class 1, and the binary cross-entropy is $-[y \log p + (1 - y) \log(1 - p)]$ for a label $y \in \{0, 1\}$.
# That is exactly softmax cross-entropy over the two logits $(0, s)$. In PyTorch: `nn.BCEWithLogitsLoss` takes
# the logit $s$ and a float label (it applies the sigmoid itself, stably); `nn.BCELoss` takes probabilities;
# `nn.CrossEntropyLoss` takes a row of $K$ logits and an integer class.
#
# Binary cross-entropy over $K$ outputs, each with its own sigmoid, is a different model: $K$ independent yes/no
# questions (is there a cat? a dog?), for *multi-label* data. For one class out of ten, use `CrossEntropyLoss`.

# %% id=binary-demo
s = torch.tensor([2.0, -1.0, 0.5])
y = torch.tensor([1.0, 0.0, 0.0])
bce = nn.BCEWithLogitsLoss()(s, y)
two_logits = torch.stack([torch.zeros(3), s], dim=1)  # the logits (0, s) of a two-class softmax
ce = nn.CrossEntropyLoss()(two_logits, y.long())
print(f"BCEWithLogitsLoss: {bce.item():.6f}   CrossEntropyLoss on (0, s): {ce.item():.6f}")

# %% [markdown] id=optim-intro
# ## Optimizers
#
# Gradient descent steps against the gradient: $p \leftarrow p - \eta\, g$. Two ideas make it much faster.
#
# **Momentum** keeps a velocity, a running sum of past gradients, and steps along it:
# $v \leftarrow \mu v + g$, $p \leftarrow p - \eta v$. Where successive gradients agree (along a valley floor)
# the steps grow, up to $1 / (1 - \mu)$ times (10x for $\mu = 0.9$); where they flip sign (across a valley) they
# cancel. **Nesterov** momentum steps by $g + \mu v$ instead of $v$: it looks ahead along the velocity, which
# damps the overshoot. These are PyTorch's formulas (`optim.SGD`), with the first velocity equal to the first
# gradient.
#
# **Adam** gives every number its own step size. It keeps running averages of the gradient and of its square,
# $m \leftarrow \beta_1 m + (1 - \beta_1) g$ and $v \leftarrow \beta_2 v + (1 - \beta_2) g^2$, corrects their
# start from zero ($\hat m = m / (1 - \beta_1^t)$, $\hat v = v / (1 - \beta_2^t)$ at step $t$), and steps
# $p \leftarrow p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)$. The step is about $\eta$ in size whatever the
# scale of the gradient.
#
# In PyTorch an optimizer is a subclass of `Optimizer`. Its constructor hands the parameters and the default
# hyperparameters to `super().__init__(params, defaults)`, which sorts them into `self.param_groups` (a list of
# dicts, each with a `"params"` list). `step()` runs under `torch.no_grad()`, reads the hyperparameters from
# each group at every step (a scheduler or a slider may have changed them), skips parameters without a gradient,
# and keeps per-parameter buffers in `self.state`. The skeleton:
#
# ```python
# class MyOptimizer(Optimizer):
#     def __init__(self, params, lr):
#         super().__init__(params, dict(lr=lr))
#
#     @torch.no_grad()
#     def step(self):
#         for group in self.param_groups:
#             for p in group["params"]:
#                 if p.grad is None:
#                     continue
#                 state = self.state.setdefault(p, {})  # this parameter's buffers, empty at the first step
#                 p -= group["lr"] * p.grad
# ```

# %% [markdown] id=sgd-exercise
# ### Your turn: SGD with momentum and Nesterov
#
# Complete `MySGD(params, lr, momentum=0.0, nesterov=False)`. With `momentum` 0 it is plain gradient descent.
# The check runs it next to `optim.SGD` on the same problem, step by step, and changes the learning rate in
# `param_groups` half way.


# %% id=sgd solution
class MySGD(Optimizer):
    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        ### BEGIN SOLUTION
        for group in self.param_groups:
            lr, mu = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad
                if mu:
                    state = self.state.setdefault(p, {})
                    v = state.get("velocity")
                    v = d.clone() if v is None else mu * v + d
                    state["velocity"] = v
                    d = d + mu * v if group["nesterov"] else v
                p -= lr * d
        ### END SOLUTION


# %% id=sgd-check test points=2
checks.sgd(MySGD)
### BEGIN HIDDEN TESTS
checks.sgd(MySGD, seed=5)
### END HIDDEN TESTS

# %% [markdown] id=adam-exercise
# ### Your turn: Adam
#
# Complete `MyAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)`, with the bias correction. Count the steps
# per parameter in its state (every parameter takes its first step at $t = 1$).


# %% id=adam solution
class MyAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))

    @torch.no_grad()
    def step(self):
        ### BEGIN SOLUTION
        for group in self.param_groups:
            (b1, b2), eps = group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(p, {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
                g = p.grad
                state["t"] += 1
                state["m"] = b1 * state["m"] + (1 - b1) * g
                state["v"] = b2 * state["v"] + (1 - b2) * g * g
                m_hat = state["m"] / (1 - b1 ** state["t"])
                v_hat = state["v"] / (1 - b2 ** state["t"])
                p -= group["lr"] * m_hat / (v_hat.sqrt() + eps)
        ### END SOLUTION


# %% id=adam-check test points=2
checks.adam(MyAdam)
### BEGIN HIDDEN TESTS
checks.adam(MyAdam, seed=4)
### END HIDDEN TESTS

# %% [markdown] id=race-intro
# ## The race
#
# Four optimizers start from the same point (the black circle) and look for the minimum (the star). The first
# surface is an *ill-conditioned bowl*: $f = \tfrac{1}{2}(u^2 + 20 v^2)$, turned by 30° so that no optimizer
# gets the axes for free. It is 20 times more curved across than along, like the loss of a network near a
# minimum, where some directions are far steeper than others. The second is the *Rosenbrock valley*,
# $f = (1 - x)^2 + 100 (y - x^2)^2$: a curved, almost flat floor between steep walls.
#
# Press **Run** and watch: gradient descent zigzags across the bowl and crawls along it; momentum gathers speed
# along the floor; Nesterov overshoots less; Adam moves about one learning rate per step in each coordinate.
# Then try:
# - the learning rate up to 0.1 and just beyond, on the bowl: who diverges first, and why?
# - momentum 0 (momentum and Nesterov become gradient descent), then 0.95;
# - the Rosenbrock valley: which optimizer reaches (1, 1), and in how many steps?
#
# The race uses **your** `MySGD` and `MyAdam` once their checks pass (PyTorch's until then).

# %% id=race
sgd_class = MySGD if checks.passed(MySGD) else optim.SGD
adam_class = MyAdam if checks.passed(MyAdam) else optim.Adam
race = widgets.optimizer_race("bowl", sgd=sgd_class, adam=adam_class)
display(race)


# %% [markdown] id=lr-limit-quiz
# ### Your turn: the learning rate's limit
#
# Along one direction of the bowl, $f = \tfrac{\lambda}{2} u^2$ and a gradient step gives
# $u \leftarrow u - \eta \lambda u = (1 - \eta \lambda) u$. What is the largest learning rate $\eta$ for which
# plain gradient descent still converges on this bowl (curvatures 1 and 20)? Make `answer_lr_limit()` return the number.


# %% id=lr-limit-answer solution
def answer_lr_limit():
    ### BEGIN SOLUTION
    return 2 / 20
    ### END SOLUTION


# %% id=lr-limit-check test points=1
checks.lr_limit_quiz(answer_lr_limit)

# %% [markdown] id=lr-limit-demo-intro
# The same race without the widget, for gradient descent just below and just above that limit:

# %% id=lr-limit-demo
from widgets.race import Race

for lr in (0.095, 0.105):
    bowl_race = Race("bowl", lr=lr)
    bowl_race.step(200)
    gd = bowl_race.racers[0]
    print(
        f"lr {lr}: after {len(gd.path) - 1} steps gradient descent is {gd.losses[-1]:.3g} above the minimum ({gd.status})"
    )

# %% [markdown] id=mnist-intro
# ## The same race on a real network
#
# On MNIST (handwritten digits, notebook 4) a small network has 100,000 weights instead of 2, but the story is
# the same. Each optimizer trains the same network from the same starting weights for one epoch; the loss is
# smoothed over 50 steps. 10,000 training images are held out for validation (notebook 6 explains the split).

# %% id=mnist-race
from autolab.utils.data import DataLoader, Subset, random_split
from autolab.vision import datasets, transforms

to_tensor = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
mnist = datasets.MNIST(train=True, download=True, transform=to_tensor)
train_set, val_set = random_split(mnist, [50000, 10000], generator=torch.Generator().manual_seed(0))
train_set = Subset(train_set, range(pick(3000, len(train_set))))
val_loader = DataLoader(Subset(val_set, range(pick(1000, len(val_set)))), batch_size=1000)

torch.manual_seed(0)
start = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)).state_dict()
contenders = {
    "gradient descent, lr 0.05": lambda ps: sgd_class(ps, lr=0.05),
    "momentum 0.9, lr 0.05": lambda ps: sgd_class(ps, lr=0.05, momentum=0.9),
    "Nesterov 0.9, lr 0.05": lambda ps: sgd_class(ps, lr=0.05, momentum=0.9, nesterov=True),
    "Adam, lr 0.001": lambda ps: adam_class(ps, lr=1e-3),
}
plt.figure(figsize=(6, 3.5))
for name, make in contenders.items():
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    model.load_state_dict(start)
    optimizer = make(model.parameters())
    losses = []
    for images, labels in DataLoader(
        train_set, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(1)
    ):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        right = sum((model(x).argmax(dim=1) == y).sum().item() for x, y in val_loader)
    accuracy = right / len(val_loader.dataset)
    smooth = np.convolve(losses, np.ones(50) / 50, mode="valid") if len(losses) > 50 else losses
    plt.plot(smooth, label=f"{name}: {accuracy:.1%}")
    print(f"{name:28s}", tr("validation accuracy after one epoch: {acc:.1%}", acc=accuracy))
plt.xlabel(plot_text("step"))
plt.ylabel(plot_text("training loss (smoothed)"))
plt.yscale("log")
plt.legend(fontsize=8)
plt.show()

# %% [markdown] id=mnist-measured
# **Measured.** A full run (all 50,000 training images, one epoch per optimizer, batches of 64), on the project's
# 2-core machine while other work shared it: validation accuracy after one epoch 93.5% for gradient descent,
# 95.7% with momentum, 95.7% with Nesterov and 95.8% with Adam; the four trainings took 0.6 minutes together.
# On a real network as on the bowl, momentum buys most of the speed-up, and Adam gets there with its default
# learning rate.

# %% [markdown] id=pitfalls
# ## Pitfalls
#
# ### 1. Softmax fed to `CrossEntropyLoss`
#
# `CrossEntropyLoss` applies `log_softmax` to what it is given. Give it probabilities instead of logits and it
# computes a softmax of the probabilities. Even a perfect prediction, probability 1 for the right class, then
# costs $\log(e + 9) - 1 \approx 1.46$ for ten classes instead of 0, and the gradients are squashed: the model
# learns slowly and its loss never approaches 0.

# %% id=pitfall-softmax
perfect_logits = torch.tensor([[20.0] + [0.0] * 9])  # very sure of class 0
label = torch.tensor([0])
print(f"logits into CrossEntropyLoss:        {F.cross_entropy(perfect_logits, label).item():.4f}")
print(f"probabilities into CrossEntropyLoss: {F.cross_entropy(torch.softmax(perfect_logits, dim=1), label).item():.4f}")

# %% [markdown] id=pitfall-log-softmax
# ### 2. `log_softmax` fed to `CrossEntropyLoss`
#
# As the quiz showed, this gives the same number, because `log_softmax` of log-probabilities changes nothing.
# It is still a mistake to write: it pays for `log_softmax` twice and says the author thought the loss wanted
# something else. The two correct pairings are raw logits with `CrossEntropyLoss`, or `log_softmax` with
# `NLLLoss` (what PyTorch's own MNIST example does):

# %% id=pitfall-log-softmax-demo
x = torch.randn(5, 10)
t = torch.randint(0, 10, (5,))
print(f"CrossEntropyLoss(logits)              {F.cross_entropy(x, t).item():.6f}")
print(f"NLLLoss(log_softmax(logits))          {F.nll_loss(F.log_softmax(x, dim=1), t).item():.6f}")
print(
    f"CrossEntropyLoss(log_softmax(logits)) {F.cross_entropy(F.log_softmax(x, dim=1), t).item():.6f}  (same, twice the work)"
)

# %% [markdown] id=pitfall-binary
# ### 3. The binary formula used for ten classes
#
# $-[y \log p + (1 - y) \log(1 - p)]$ is for $y \in \{0, 1\}$. With a digit label such as $y = 7$ plugged in,
# the $(1 - y)$ term is $-6$, and the "loss" of a model that is right and sure of it comes out *negative*, more so
# the surer it is: minimising it rewards nonsense. For ten classes the loss is $-\log p_y$, the probability of the
# right class picked out by its index:

# %% id=pitfall-binary-demo
label = 7
for p7 in (0.05, 0.5, 0.9, 0.99):  # the probability the model gives to the right class, 7
    p = torch.tensor(p7)
    binary = -(label * p.log() + (1 - label) * (1 - p).log())
    print(f"p[7] = {p7:4}: binary formula {binary.item():+8.3f}   cross-entropy -log p[7] = {-p.log().item():.3f}")

# %% [markdown] id=pitfall-data
# ### 4. `.data` versus `.detach()`
#
# Both give a tensor that shares memory with the original and is cut from the graph. The difference is what
# happens if you then change it in place while backward still needs the original values. PyTorch counts
# in-place changes on every tensor (its *version counter*): through `.detach()` the change is seen, and
# `backward()` refuses with an error; through `.data` it is not, and the gradient comes out silently wrong.
# Use `.detach()` (or `with torch.no_grad():` for updates); `.data` is a leftover from old PyTorch.
#
# The cell below runs the same code on PyTorch, when it is installed, and on autolab. autolab keeps no version
# counter yet (see the README's list of differences), so on autolab both lines are silent: there, the rule
# "never change in place what backward still needs" is yours to keep.


# %% id=pitfall-data-demo
def modify_after_forward(lib, how):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    out = a.sigmoid()  # sigmoid's backward needs its output
    alias = out.data if how == ".data" else out.detach()
    alias.zero_()  # an in-place change to the memory backward needs
    try:
        out.sum().backward()
        return f"gradient {a.grad.tolist()} (the right one is {[0.1966, 0.105]}): silently wrong"
    except RuntimeError as e:
        return f"RuntimeError: {str(e)[:60]}..."


try:
    import torch as pytorch
except ImportError:
    pytorch = None
for lib_name, lib in (("PyTorch", pytorch), ("autolab", torch)):
    if lib is None:
        print("PyTorch is not installed: skipping its half.")
        continue
    for how in (".data", ".detach()"):
        print(f"{lib_name:8s} {how:10s} {modify_after_forward(lib, how)}")

# %% [markdown] id=summary
# ## Summary
#
# - Softmax turns logits into probabilities; subtracting the row's maximum first changes nothing mathematically
#   and keeps `exp` from overflowing (the log-sum-exp trick).
# - Cross-entropy is $-\log p_y = \operatorname{lse}(z) - z_y$; its gradient with respect to the logits is
#   `softmax - one_hot`, divided by the batch size for a mean.
# - `CrossEntropyLoss` wants raw logits and integer classes; `NLLLoss` wants log-probabilities;
#   `BCEWithLogitsLoss` wants one logit per yes/no question.
# - An optimizer is a loop over `param_groups` under `no_grad`, with per-parameter state. Momentum accumulates a
#   velocity; Nesterov looks ahead along it; Adam scales each step by a running estimate of the gradient's size.
# - Gradient descent converges only for learning rates below $2 / \lambda_{\max}$, and the flattest direction
#   then sets its speed: ill-conditioning is why momentum and Adam exist.
#
# Next: **6. Data pipelines**: where batches come from, from your own `Dataset` to a CNN on MNIST.
