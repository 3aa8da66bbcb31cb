"""Checks for notebook 03 (modules): a hand-written Linear layer and a parameter count."""

from __future__ import annotations

from typing import Any

import numpy as np

import autolab
from autolab import nn

from ._core import Result, close, exercise, fail, ok, to_numpy, worst


@exercise
def linear(layer_cls: type) -> Result:
    """``layer_cls(in_features, out_features)`` must behave like ``nn.Linear``."""
    autolab.manual_seed(0)
    layer = layer_cls(20, 3)
    if not isinstance(layer, nn.Module):
        return fail("your layer must subclass nn.Module (and call super().__init__() first).")
    params = dict(layer.named_parameters())
    if set(params) != {"weight", "bias"}:
        return fail(
            f"expected parameters named 'weight' and 'bias', found {sorted(params)}. Assign nn.Parameter "
            "objects to self.weight and self.bias in __init__."
        )
    w, b = params["weight"], params["bias"]
    if tuple(w.shape) != (3, 20) or tuple(b.shape) != (3,):
        return fail(
            f"weight has shape {tuple(w.shape)} and bias {tuple(b.shape)}; nn.Linear(20, 3) uses (3, 20) and "
            "(3,): one row of weights per output feature."
        )
    bound = 1 / np.sqrt(20)
    wv = to_numpy(w)
    if np.abs(wv).max() > bound * 1.0001 or wv.std() < bound / 4:
        return fail(
            f"initialise the weights uniformly in [-1/sqrt(in_features), 1/sqrt(in_features)] = [-{bound:.3f}, "
            f"{bound:.3f}], like nn.Linear; yours range over [{wv.min():.3f}, {wv.max():.3f}]."
        )
    x = autolab.randn(4, 20)
    y = layer(x)
    want = to_numpy(x) @ wv.T + to_numpy(b)
    if tuple(y.shape) != (4, 3):
        return fail(f"a batch of 4 inputs gave an output of shape {tuple(y.shape)}, expected (4, 3).")
    if not close(y, want):
        return fail(f"forward should compute x @ weight.T + bias; {worst(y, want)}")
    y.sum().backward()
    if w.grad is None or b.grad is None:
        return fail("no gradient reached weight or bias: build the output from tensor ops on the Parameters.")
    if not close(b.grad, np.full(3, 4.0)):
        return fail("the bias gradient is wrong: add the bias once per sample, with broadcasting.")
    return ok("your Linear layer matches nn.Linear: names, shapes, initialisation, forward and gradients.")


@exercise
def count_parameters(fn: Any) -> Result:
    """``fn(model)`` must return the number of trainable numbers in the model."""
    model = nn.Sequential(nn.Linear(10, 7), nn.ReLU(), nn.Linear(7, 2))
    want = 10 * 7 + 7 + 7 * 2 + 2
    got = fn(model)
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    if int(got) != want:
        return fail(
            f"got {got}, expected {want} for Linear(10, 7) -> ReLU -> Linear(7, 2). Add p.numel() over "
            "model.parameters(): each weight matrix AND each bias."
        )
    return ok(f"{want} parameters, counted right.")
