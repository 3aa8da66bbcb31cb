# Source of notebooks/03_modules.ipynb (build with scripts/build_notebooks.py).
# ruff: noqa: E402

# %% [markdown] id=intro
# # 3. Modules
#
# A network is a function with parameters. `nn.Module` is the container that keeps the two together: it finds
# every `Parameter` you assign to it (also inside sub-modules), names them, and saves and loads them.
#
# **Learning goals.** After this notebook you can
# - write an `nn.Module` with `__init__` and `forward`, and list its parameters by name;
# - stack layers with `nn.Sequential`;
# - write your own layer (a `Linear`), initialised like PyTorch's, and say what that initialisation does to the
#   scale of the signal;
# - save a model's `state_dict` and load it back.

# %% id=setup locked
import os
import tempfile

import numpy as np

import autolab as torch
from autolab import nn
from autolab.course import FAST, checks, set_language, tr

set_language("en")
torch.manual_seed(0)
print(tr("fast mode:"), FAST)

# %% [markdown] id=a-module
# ## A module
#
# Assigning a `Parameter` (or another module) to `self` registers it. `forward` says what to compute; call the
# module itself, `model(x)`, which runs `forward` (and any hooks).


# %% id=a-module-code
class TwoLayer(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


model = TwoLayer(4, 8, 3)
print(model)
print(model(torch.randn(2, 4)).shape)

# %% [markdown] id=parameters-and-their-names
# ## Parameters and their names
#
# Names follow the attribute path: `hidden.weight` is the `weight` of the `hidden` sub-module. An optimizer gets
# `model.parameters()`; a checkpoint stores them by name.

# %% id=parameters-and-their-names-code
for name, p in model.named_parameters():
    print(f"{name:14s} {str(tuple(p.shape)):10s} requires_grad={p.requires_grad}")

# %% [markdown] id=count-the-parameters-task
# ### Your turn: count the parameters
# Return the total number of numbers in `model.parameters()`.


# %% id=count-parameters solution
def count_parameters(model):
    ### BEGIN SOLUTION
    return sum(p.numel() for p in model.parameters())
    ### END SOLUTION


# %% id=count-parameters-check test points=1
checks.count_parameters(count_parameters)
### BEGIN HIDDEN TESTS
checks.count_parameters(count_parameters, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=nn-sequential
# ## `nn.Sequential`
#
# When each layer feeds the next, `Sequential` saves writing `forward`. Its sub-modules are named `0`, `1`, ...

# %% id=nn-sequential-code
seq = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
print(seq)
print([name for name, _ in seq.named_parameters()])
print(seq[0])

# %% [markdown] id=mlp-task
# ### Your turn: a network from a list of sizes
#
# Write `mlp(sizes)`: for `sizes = [784, 128, 64, 10]` it returns
# `nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))`: a `Linear`
# between each pair of consecutive sizes, a `ReLU` between two `Linear`s, and none after the last (the outputs
# are scores that may be negative). `nn.Sequential(*layers)` takes a list of layers.


# %% id=mlp solution
def mlp(sizes):
    ### BEGIN SOLUTION
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])
    ### END SOLUTION


# %% id=mlp-check test points=2
checks.mlp(mlp)
### BEGIN HIDDEN TESTS
checks.mlp(mlp, seed=7)
### END HIDDEN TESTS

# %% id=mlp-used
if checks.passed(mlp):
    net = mlp([784, 128, 64, 10])
    print(net)
    print("parameters:", sum(p.numel() for p in net.parameters()))

# %% [markdown] id=your-own-layer
# ## Your own layer
#
# `nn.Linear(in_features, out_features)` computes `x @ weight.T + bias`, with `weight` of shape
# `(out_features, in_features)`. PyTorch initialises both uniformly in `[-1/sqrt(in_features), 1/sqrt(in_features)]`.
# What that bound does for the scale of the outputs is a question for after this exercise.
#
# ### Your turn: write `MyLinear`
# Use `nn.Parameter(torch.empty(...))` and the in-place `uniform_(low, high)` to initialise.


# %% id=my-linear solution
class MyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        ### BEGIN SOLUTION
        bound = 1 / np.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return x @ self.weight.T + self.bias
        ### END SOLUTION


# %% id=my-linear-check test points=3
checks.linear(MyLinear)
### BEGIN HIDDEN TESTS
checks.linear(MyLinear, seed=7)
### END HIDDEN TESTS

# %% [markdown] id=init-scale
# ### Predict the output: what the initialisation does to the scale
#
# Feed `nn.Linear(1000, 1000)`, freshly initialised, a batch of inputs with mean 0 and standard deviation 1.
# About what standard deviation do its outputs have? Each output is a sum of 1000 products `w * x`; a number drawn
# uniformly from `[-b, b]` has variance `b**2 / 3`. Make `init_scale_answer()` return your number.


# %% id=init-scale-answer solution
def init_scale_answer():
    ### BEGIN SOLUTION
    return (1 / 3) ** 0.5
    ### END SOLUTION


# %% id=init-scale-check test points=1
checks.init_scale_quiz(init_scale_answer)

# %% [markdown] id=init-scale-measured
# Measured, through one layer and through a stack of ten (each followed by nothing, then by a ReLU):

# %% id=init-scale-code
x = torch.randn(512, 1000)
print(f"input std {x.std().item():.3f}, after one Linear(1000, 1000): {nn.Linear(1000, 1000)(x).std().item():.3f}")
for act in (None, nn.ReLU()):
    h = x
    for _ in range(10):
        h = nn.Linear(1000, 1000)(h)
        h = act(h) if act is not None else h
    print(f"after ten layers{' with ReLU' if act else ''}: std {h.std().item():.2e}")

# %% [markdown] id=init-scale-note
# So the default bound keeps the scale from growing with the width of a layer (the `1000` cancels), but it does
# not keep it constant: every layer divides the variance by about 3, and a ReLU, which zeroes half its inputs,
# halves it again. Through ten layers the signal shrinks by orders of magnitude, and so do the gradients on the
# way back (notebook 8 shows such a network failing to learn). Deep networks therefore use an initialisation
# scaled for their activation, such as He (Kaiming) initialisation for ReLU, weights with standard deviation
# `sqrt(2 / in_features)` (`nn.init.kaiming_normal_`), or normalisation layers (`BatchNorm`, notebook 7) that
# rescale the activations as they go.

# %% [markdown] id=train-and-eval
# ## `train()` and `eval()`
#
# Some layers behave differently while training (dropout drops, batch norm uses batch statistics). `model.train()`
# and `model.eval()` set the `training` flag on every sub-module.

# %% id=train-and-eval-code
drop = nn.Sequential(nn.Dropout(0.5))
x = torch.ones(1, 8)
print("train:", drop(x))
drop.eval()
print("eval: ", drop(x))

# %% [markdown] id=state-dict-save-and-load
# ## `state_dict`, save and load
#
# `state_dict()` is an ordered dict from names to tensors. `torch.save` writes it to a file; `load_state_dict`
# copies the values into a model of the same architecture.

# %% id=state-dict-save-and-load-code
state = model.state_dict()
print(list(state.keys()))

path = os.path.join(tempfile.mkdtemp(), "two_layer.pt")
torch.save(model.state_dict(), path)

fresh = TwoLayer(4, 8, 3)  # different random weights
x = torch.randn(5, 4)
print("before loading, same output?", np.allclose(fresh(x).detach().numpy(), model(x).detach().numpy()))
fresh.load_state_dict(torch.load(path))
print("after loading, same output? ", np.allclose(fresh(x).detach().numpy(), model(x).detach().numpy()))

# %% [markdown] id=summary
# ## Summary
#
# - An `nn.Module` registers the `Parameter`s and modules you assign to it; `named_parameters()` lists them by path.
# - `nn.Sequential` chains layers; a custom layer is a module with parameters and a `forward`.
# - `nn.Linear` computes `x @ W.T + b`, initialised uniformly in `±1/sqrt(in_features)`: the output's scale does
#   not grow with the layer's width, but each layer divides the variance by about 3.
# - `state_dict()` + `torch.save` / `torch.load` + `load_state_dict()` move trained weights between models.
#
# Next: **4. Linear regression**, the smallest complete training loop.
