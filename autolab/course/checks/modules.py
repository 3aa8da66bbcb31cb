"""Checks for notebook 03 (modules): a hand-written Linear layer and a parameter count."""

from __future__ import annotations

from typing import Any

import numpy as np

import autolab
from autolab import nn

from ._core import Result, close, exercise, fail, ok, to_numpy, worst
from ._quiz import Number


@exercise
def linear(layer_cls: type, seed: int | None = None) -> Result:
    """``layer_cls(in_features, out_features)`` must behave like ``nn.Linear``.

    ``seed`` picks other sizes and a larger batch than the fixed ``(20, 3)`` layer on 4 inputs."""
    rng = np.random.default_rng(seed)
    n_in, n_out, batch = (20, 3, 4) if seed is None else (int(rng.integers(30, 80)), int(rng.integers(2, 9)), 7)
    autolab.manual_seed(0 if seed is None else seed)
    layer = layer_cls(n_in, n_out)
    if not isinstance(layer, nn.Module):
        return fail("your layer must subclass nn.Module (and call super().__init__() first).")
    params = dict(layer.named_parameters())
    if set(params) != {"weight", "bias"}:
        return fail(
            f"expected parameters named 'weight' and 'bias', found {sorted(params)}. Assign nn.Parameter "
            "objects to self.weight and self.bias in __init__."
        )
    w, b = params["weight"], params["bias"]
    if tuple(w.shape) != (n_out, n_in) or tuple(b.shape) != (n_out,):
        return fail(
            f"weight has shape {tuple(w.shape)} and bias {tuple(b.shape)}; nn.Linear({n_in}, {n_out}) uses "
            f"{(n_out, n_in)} and {(n_out,)}: one row of weights per output feature."
        )
    bound = 1 / np.sqrt(n_in)
    wv = to_numpy(w)
    if np.abs(wv).max() > bound * 1.0001 or wv.std() < bound / 4:
        return fail(
            f"initialise the weights uniformly in [-1/sqrt(in_features), 1/sqrt(in_features)] = [-{bound:.3f}, "
            f"{bound:.3f}], like nn.Linear; yours range over [{wv.min():.3f}, {wv.max():.3f}]."
        )
    x = autolab.randn(batch, n_in)
    y = layer(x)
    want = to_numpy(x) @ wv.T + to_numpy(b)
    if tuple(y.shape) != (batch, n_out):
        return fail(f"a batch of {batch} inputs gave an output of shape {tuple(y.shape)}, expected {(batch, n_out)}.")
    if not close(y, want):
        return fail(f"forward should compute x @ weight.T + bias; {worst(y, want)}")
    y.sum().backward()
    if w.grad is None or b.grad is None:
        return fail("no gradient reached weight or bias: build the output from tensor ops on the Parameters.")
    if not close(b.grad, np.full(n_out, float(batch))):
        return fail("the bias gradient is wrong: add the bias once per sample, with broadcasting.")
    return ok("your Linear layer matches nn.Linear: names, shapes, initialisation, forward and gradients.")


def _random_model(seed: int) -> tuple[Any, int, str]:
    """A random stack of convolutions and linear layers, some without bias, and its parameter count."""
    rng = np.random.default_rng(seed)
    c_in, c_out, k = 3, int(rng.integers(2, 9)), int(rng.choice([3, 5]))
    bias = bool(rng.integers(0, 2))
    width, classes = int(rng.integers(5, 40)), int(rng.integers(2, 11))
    layers = [nn.Conv2d(c_in, c_out, k, bias=bias), nn.ReLU(), nn.Flatten()]
    layers += [nn.Linear(c_out * 4, width), nn.Tanh(), nn.Linear(width, classes, bias=False)]
    want = c_out * c_in * k * k + (c_out if bias else 0) + c_out * 4 * width + width + width * classes
    name = f"Conv2d({c_in}, {c_out}, {k}, bias={bias}) -> ... -> Linear({width}, {classes}, bias=False)"
    return nn.Sequential(*layers), want, name


@exercise
def count_parameters(fn: Any, seed: int | None = None) -> Result:
    """``fn(model)`` must return the number of trainable numbers in the model.

    ``seed`` builds a random model with a convolution and layers without bias instead of the fixed MLP."""
    if seed is None:
        model = nn.Sequential(nn.Linear(10, 7), nn.ReLU(), nn.Linear(7, 2))
        want, name = 10 * 7 + 7 + 7 * 2 + 2, "Linear(10, 7) -> ReLU -> Linear(7, 2)"
    else:
        model, want, name = _random_model(seed)
    got = fn(model)
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    if int(got) != want:
        return fail(
            f"got {got}, expected {want} for {name}. Add p.numel() over "
            "model.parameters(): each weight matrix AND each bias."
        )
    return ok(f"{want} parameters, counted right.")


@exercise
def mlp(fn: Any, seed: int | None = None) -> Result:
    """``fn(sizes)``: ``nn.Sequential`` of Linear layers between consecutive sizes, a ReLU between two layers,
    none after the last."""

    rng = np.random.default_rng(12 if seed is None else seed)
    cases = [[6, 5, 4, 3], [3, 2]] if seed is None else [list(rng.integers(2, 9, int(rng.integers(2, 6))))]
    for sizes in cases:
        sizes = [int(s) for s in sizes]
        model = fn(list(sizes))
        if model is None:
            return fail("your function returned None: did you forget `return`?")
        if not isinstance(model, nn.Sequential):
            return fail(f"return an nn.Sequential, got a {type(model).__name__}.")
        layers = list(model)
        kinds = [type(m).__name__ for m in layers]
        want = ["Linear", "ReLU"] * (len(sizes) - 2) + ["Linear"]
        if kinds == want + ["ReLU"]:
            return fail("no ReLU after the last layer: the outputs (logits) must be able to be negative.")
        if kinds != want:
            return fail(f"for sizes {sizes} the layers are {kinds}; expected {want}.")
        for i, layer in enumerate(layers[::2]):
            if (layer.in_features, layer.out_features) != (sizes[i], sizes[i + 1]):
                return fail(
                    f"layer {2 * i} is Linear({layer.in_features}, {layer.out_features}); expected "
                    f"Linear({sizes[i]}, {sizes[i + 1]}): each layer goes from one size to the next."
                )
        out = model(autolab.randn(7, sizes[0]))
        if tuple(out.shape) != (7, sizes[-1]):
            return fail(f"a batch of 7 gave an output of shape {tuple(out.shape)}, expected (7, {sizes[-1]}).")
    return ok("Linear, ReLU, ..., Linear: the right sizes, and no ReLU after the last layer.")


@exercise
def init_scale_quiz(answer: Any) -> Result:
    """The std of nn.Linear(1000, 1000)'s output for inputs of std 1, with PyTorch's default initialisation."""

    return Number(
        right=float(np.sqrt(1 / 3)),
        rtol=0.05,
        why=(
            "Each output sums 1000 products w*x. A weight uniform in ±1/sqrt(1000) has variance "
            "(1/sqrt(1000))**2 / 3, so the sum has variance 1000 * 1/(3*1000) * 1 = 1/3: std 0.577. The fan-in "
            "cancels (wider layers do not blow up), but every layer divides the variance by about 3."
        ),
        near_misses=(
            (1.0, "the fan-in cancels, yes, but a uniform weight in ±b has variance b²/3, not b²."),
            (1 / np.sqrt(1000), "that is the largest weight, 1/sqrt(1000), not the spread of the output."),
            (1 / 3, "that is the variance; the question asks for the standard deviation."),
        ),
        hint="Add up the variances of 1000 independent products w*x, with Var(w) = b²/3 for w uniform in ±b.",
    ).check(answer)
