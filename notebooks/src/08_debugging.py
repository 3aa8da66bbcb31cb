# Source of notebooks/08_debugging.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=title
# # 8. Debugging a training run
#
# A broken training run rarely raises an error. It runs, prints losses, and the model learns nothing, or learns
# and then forgets, or looks perfect until it meets new data. This notebook teaches you to diagnose such runs
# from what the dashboard shows. First a healthy run, read view by view. Then six runs, each broken on purpose
# in a way that happens in real projects; you see only their views, not their code, and name the cause.
#
# **Learning goals.** After this notebook you can
# - read a healthy run: the first loss, the gradient norm per layer, the update-to-weight ratio, the spread of
#   the activations, the gap between training and validation;
# - recognise six failures from their symptoms: a learning rate too high, vanishing gradients, dead ReLUs,
#   gradients never cleared, overfitting, and inputs that are not normalised;
# - find the bugs in a training step, and write a correct one;
# - measure dead units with forward hooks;
# - use the two checks that catch most bugs before a long run: the loss at step 1, and overfitting one batch.

# %% id=setup locked
import math

import numpy as np
from IPython.display import display

import autolab as torch
import widgets
from autolab import nn, optim
from autolab.course import FAST, TrainingClock, checks, debugging, set_language, tr
from autolab.utils.data import random_split
from autolab.vision import datasets, transforms

set_language("en")
torch.manual_seed(0)
print(tr("fast mode:"), FAST)
normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
mnist = datasets.MNIST(train=True, download=True, transform=normalize)
train_split, val_split = random_split(mnist, [50000, 10000], generator=torch.Generator().manual_seed(0))
clocks = []  # how long each run trained, for the total at the end


def train(run):
    """Show the run's dashboard and train it here, in this cell (the views update as it goes)."""
    dash = widgets.debug_dashboard(*run.parts, epochs=run.epochs)
    display(dash)
    clocks.append(TrainingClock(dash.trainer))
    with np.errstate(all="ignore"):  # a diverging run overflows: the views show it, numpy need not warn
        dash.trainer.fit()
    return dash


# %% [markdown] id=healthy-intro
# ## A healthy run
#
# A small network (784 → 128 → 128 → 10, ReLU) learns MNIST with SGD (learning rate 0.01, momentum 0.9). Below the
# usual dashboard is one more view: what each activation layer outputs. The run trains in this cell, and the
# views update as it goes.

# %% id=healthy
healthy = debugging.mystery_run(0, train_split, val_split, fast=FAST)
dash = train(healthy)
first_loss = dash.curves.losses[0]
print(
    f"first loss {first_loss:.3f} (ln 10 = {math.log(10):.3f}); validation accuracy {dash.trainer.evaluate().val_accuracy:.1%}"
)

# %% [markdown] id=healthy-read
# ### How to read it
#
# - **The first loss.** Before training, a network with small random weights gives every class about the same
#   probability, 1/10, so the cross-entropy starts near $-\log(1/10) = \ln 10 \approx 2.30$. A first loss far
#   from that means something is off before a single step was taken.
# - **Loss and accuracy.** Training (blue, per step) and validation (orange, per epoch) fall together. A
#   growing gap means the model fits its training data better than new data.
# - **Gradient norm per parameter.** The size of each parameter's gradient: within an order of magnitude or two
#   of each other, and roughly steady. Many orders of magnitude between the first and the last layer mean the
#   signal dies on its way back; norms that keep growing mean something accumulates or diverges.
# - **Update / weight ratio.** How much one step changes a weight, relative to its size:
#   $\lVert \Delta w \rVert / \lVert w \rVert$. A common rule of thumb puts healthy training near $10^{-3}$:
#   each step moves a weight by a thousandth of its size, so it takes a thousand steps to change it entirely.
#   Here it sits between $10^{-3}$ and $10^{-2}$. Near $10^{-1}$ or above, each step rewrites the weights (the
#   learning rate is far too high); $10^{-5}$ or below, a layer hardly learns.
# - **Activations.** The spread (standard deviation) of each layer's output stays around 1, and few units are
#   idle: a ReLU unit is *dead* when it outputs 0 for every image of a batch.

# %% [markdown] id=step-exercise
# ## Your turn: find the bugs in a training step
#
# This training step runs without an error and prints a loss that changes. It is wrong in three ways:
#
# ```python
# def train_step(model, optimizer, loss_fn, x, y):
#     loss = loss_fn(model(x), y)
#     optimizer.step()
#     loss.backward()
#     return loss
# ```
#
# Write the correct version: it should leave no gradient from an earlier step behind, update the weights with
# this batch's gradient, and return the loss as a Python number (a tensor would keep the whole graph of the step
# alive for as long as you keep it, in a list of losses for a plot, say).


# %% id=train-step solution
def train_step(model, optimizer, loss_fn, x, y):
    ### BEGIN SOLUTION
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION


# %% id=train-step-check test points=2
checks.train_step(train_step)
### BEGIN HIDDEN TESTS
checks.train_step(train_step, seed=3)
### END HIDDEN TESTS

# %% [markdown] id=hooks-exercise
# ## Your turn: dead units, with forward hooks
#
# A *forward hook* is a function that a module calls after each `forward`, with the module, its inputs and its
# output: `handle = module.register_forward_hook(hook)`, and `handle.remove()` takes it off again. The
# activation view above is built on them.
#
# Write `dead_fraction(model, x)`: run `x` through the model and return, for every `nn.ReLU` module, the share
# of its units that output 0 for **every** sample of `x` (a unit is a column of the output). Key the dict by the
# module's name in `model.named_modules()`, and remove your hooks before returning.


# %% id=dead-fraction solution
def dead_fraction(model, x):
    ### BEGIN SOLUTION
    fractions, handles = {}, []
    for name, module in model.named_modules():
        if isinstance(module, nn.ReLU):

            def hook(module, inputs, output, name=name):
                fractions[name] = (output == 0).all(dim=0).float().mean().item()

            handles.append(module.register_forward_hook(hook))
    with torch.no_grad():
        model(x)
    for handle in handles:
        handle.remove()
    return fractions
    ### END SOLUTION


# %% id=dead-fraction-check test points=2
checks.dead_fraction(dead_fraction)
### BEGIN HIDDEN TESTS
checks.dead_fraction(dead_fraction, seed=2)
### END HIDDEN TESTS

# %% [markdown] id=dead-fraction-used
# On the healthy network, with a batch of 1,000 validation images:

# %% id=dead-fraction-used-code
images = next(iter(healthy.val_loader))[0]
if checks.passed(dead_fraction):
    print({name: f"{share:.1%}" for name, share in dead_fraction(healthy.model, images).items()})

# %% [markdown] id=mystery-intro
# ## Six broken runs
#
# Each run below trains with exactly one thing wrong, one of these:

# %% id=causes
for letter, cause in debugging.CAUSES.items():
    print(f"({letter}) {tr(cause)}")

# %% [markdown] id=mystery-how
# For each run, watch the views, compare them with the healthy run above, and make its answer function return a letter (`return "a"`). The
# check says whether you are right and why (and names the exact bug). A wrong answer gets a hint about what to
# look at. The code of every run is in `autolab/course/debugging.py`: read it afterwards, not before.
#
# Tip: the loss chart has a **Log scale** box; the status line under the buttons also says how a run ended.

# %% [markdown] id=run1
# ### Run 1

# %% id=run1-train
dash = train(debugging.mystery_run(1, train_split, val_split, fast=FAST))


# %% id=run1-answer solution
def answer_run1():
    ### BEGIN SOLUTION
    return "a"
    ### END SOLUTION


# %% id=run1-check test points=1
checks.diagnosis(1, answer_run1)

# %% [markdown] id=run2
# ### Run 2

# %% id=run2-train
dash = train(debugging.mystery_run(2, train_split, val_split, fast=FAST))


# %% id=run2-answer solution
def answer_run2():
    ### BEGIN SOLUTION
    return "f"
    ### END SOLUTION


# %% id=run2-check test points=1
checks.diagnosis(2, answer_run2)

# %% [markdown] id=run3
# ### Run 3

# %% id=run3-train
dash = train(debugging.mystery_run(3, train_split, val_split, fast=FAST))


# %% id=run3-answer solution
def answer_run3():
    ### BEGIN SOLUTION
    return "b"
    ### END SOLUTION


# %% id=run3-check test points=1
checks.diagnosis(3, answer_run3)

# %% [markdown] id=run4
# ### Run 4

# %% id=run4-train
dash = train(debugging.mystery_run(4, train_split, val_split, fast=FAST))


# %% id=run4-answer solution
def answer_run4():
    ### BEGIN SOLUTION
    return "d"
    ### END SOLUTION


# %% id=run4-check test points=1
checks.diagnosis(4, answer_run4)

# %% [markdown] id=run5
# ### Run 5

# %% id=run5-train
dash = train(debugging.mystery_run(5, train_split, val_split, fast=FAST))


# %% id=run5-answer solution
def answer_run5():
    ### BEGIN SOLUTION
    return "c"
    ### END SOLUTION


# %% id=run5-check test points=1
checks.diagnosis(5, answer_run5)

# %% [markdown] id=run6
# ### Run 6

# %% id=run6-train
dash = train(debugging.mystery_run(6, train_split, val_split, fast=FAST))


# %% id=run6-answer solution
def answer_run6():
    ### BEGIN SOLUTION
    return "e"
    ### END SOLUTION


# %% id=run6-check test points=1
checks.diagnosis(6, answer_run6)

# %% [markdown] id=habits
# ## Two checks before every long run
#
# **The loss at step 1.** With $K$ classes and a fresh network it should be near $\ln K$. Run 2 would have been
# caught here, before any training.
#
# **Overfit one batch.** Train on a single batch, again and again. A correct model, loss and training step
# drive its loss to nearly 0 within a few hundred steps: the network has far more weights than one batch has
# numbers to fit. If the loss does not fall, the bug is in the code (the model, the loss, the step, the labels),
# not in the amount of data, and you found it in seconds instead of after an hour of training.

# %% id=habits-code
model = debugging.mlp()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x, y = next(iter(healthy.train_loader))
step = train_step if checks.passed(train_step) else debugging.train_step
with torch.no_grad():
    print(f"step 1: loss {nn.functional.cross_entropy(model(x), y).item():.3f}, ln 10 = {math.log(10):.3f}")
for i in range(1, 201):
    loss = step(model, optimizer, nn.CrossEntropyLoss(), x, y)
    if i in (1, 50, 100, 200):
        print(f"after {i:3d} steps on one batch of {len(y)}: loss {float(loss):.4f}")

# %% id=total
minutes = sum(clock.minutes for clock in clocks)
print(f"training time of the seven runs: {minutes:.1f} min")

# %% [markdown] id=measured
# **Measured.** A full run (10,000 training images per run, 2 epochs, 30 for run 6) on the project's 2-core
# machine while other work shared it: the healthy run started at a loss of 2.342 (ln 10 = 2.303) and reached
# 91.9% validation accuracy; the seven runs trained for 0.3 minutes in all.

# %% [markdown] id=summary
# ## Summary
#
# | symptom in the views | likely cause |
# |---|---|
# | loss grows within a few steps, update ratio near 1, then NaN | learning rate too high |
# | first loss far above $\ln K$, huge activations in the first layer | inputs not normalised |
# | gradient norms shrink layer by layer towards the input, loss stuck at $\ln K$ | vanishing gradients |
# | gradient norms climb steadily over hundreds of steps | gradients never cleared (`zero_grad`) |
# | 100% idle units, zero gradients in the hidden layers, loss stuck at $\ln K$ | dead ReLUs |
# | training accuracy 100%, validation accuracy stalls, validation loss rises | overfitting |
#
# - Look at the first loss before anything else; then overfit one batch; then train for real with the views on.
# - A symptom can have a cause upstream: run 2's ReLUs died *because* its inputs were 255 times too large.
#
# Next: **9. Under the hood**, where the kernels that ran all this are taken apart.
