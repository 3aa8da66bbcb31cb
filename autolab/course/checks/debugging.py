"""Checks for notebook 08 (debugging a training run): a fixed training step, a dead-unit probe, and six diagnoses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autolab
from autolab import nn, optim

from ..debugging import ANSWERS, CAUSES
from ._core import Result, close, exercise, fail, ok
from ._quiz import Choice

# ---- find the bug: a training step ----------------------------------------------------------------------------


def _step_variant(variant: str) -> Callable:
    def step(model, optimizer, loss_fn, x, y):
        if variant != "no_zero_grad":
            optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        if variant == "step_first":
            optimizer.step()
            loss.backward()
        else:
            loss.backward()
            optimizer.step()
        return loss.item()

    return step


_STEP_HINTS = {
    "no_zero_grad": (
        "from the second step on, your weights move too far: the gradients of earlier steps are still in p.grad "
        "and backward() ADDS to them. Call optimizer.zero_grad() at the start of every step."
    ),
    "step_first": (
        "your first step did not move the weights, and every later step used the previous batch's gradient: "
        "optimizer.step() must come AFTER loss.backward()."
    ),
}


def _setup(seed: int):

    rng = np.random.default_rng(30 + seed)
    autolab.manual_seed(seed)
    model = nn.Linear(4, 3)
    batches = [
        (autolab.tensor(rng.standard_normal((5, 4)).astype(np.float32)), autolab.tensor(rng.integers(0, 3, 5)))
        for _ in range(3)
    ]
    return model, optim.SGD(model.parameters(), lr=0.5), nn.CrossEntropyLoss(), batches


def _train(step_fn: Callable, seed: int) -> tuple[list, list]:
    model, optimizer, loss_fn, batches = _setup(seed)
    returned, weights = [], []
    for x, y in batches:
        returned.append(step_fn(model, optimizer, loss_fn, x, y))
        weights.append(model.weight.detach().numpy().copy())
    return returned, weights


@exercise
def train_step(fn: Callable, seed: int = 0) -> Result:
    """``fn(model, optimizer, loss_fn, x, y)``: one correct training step, returning the loss as a float."""
    returned, weights = _train(fn, seed)
    _, want = _train(_step_variant("right"), seed)
    model, *_ = _setup(seed)
    if close(weights[0], model.weight) and not close(want[0], model.weight):
        return fail(_STEP_HINTS["step_first"])
    for i, (w, v) in enumerate(zip(weights, want), start=1):
        if close(w, v):
            continue
        if all(close(a, b) for a, b in zip(weights, _train(_step_variant("no_zero_grad"), seed)[1])):
            return fail(_STEP_HINTS["no_zero_grad"])
        return fail(f"after step {i} the weights differ from a correct step: zero_grad, forward, loss, backward, step.")
    if returned[0] is None:
        return fail("return the loss (as a number: loss.item()) so the caller can plot it.")
    if hasattr(returned[0], "grad_fn") or not isinstance(returned[0], (float, np.floating)):
        return fail(
            f"you return a {type(returned[0]).__name__}; return loss.item(), a float. A loss tensor keeps the "
            "graph of the whole step alive, and a list of them (for a plot) keeps every step's graph: memory grows."
        )
    return ok("the step is right: zero_grad, forward, backward, step, and the loss returned as a float.")


# ---- dead ReLUs, with forward hooks ----------------------------------------------------------------------------


def _dead_model(seed: int):

    rng = np.random.default_rng(40 + seed)
    autolab.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 5), nn.ReLU(), nn.Linear(5, 2))
    dead = {"1": rng.choice(8, 3, replace=False), "3": rng.choice(5, 2, replace=False)}
    with autolab.no_grad():
        for layer, name in ((model[0], "1"), (model[2], "3")):
            bias = np.full(layer.out_features, 0.5, dtype=np.float32)  # live units are off for some inputs
            bias[dead[name]] = -100.0
            layer.bias.copy_(autolab.tensor(bias))
    x = autolab.tensor(rng.standard_normal((32, 6)).astype(np.float32) * 2)
    # The answer, computed the plain way: run the layers one by one.
    want, h = {}, x
    with autolab.no_grad():
        for name, layer in model.named_children():
            h = layer(h)
            if isinstance(layer, nn.ReLU):
                want[name] = float((h.numpy() == 0).all(axis=0).mean())
    return model, x, want


@exercise
def dead_fraction(fn: Callable, seed: int = 0) -> Result:
    """``fn(model, x)``: ``{name: share of units that output 0 for every sample}`` for each ``nn.ReLU``."""
    model, x, want = _dead_model(seed)
    got = fn(model, x)
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    if not isinstance(got, dict):
        return fail(f"return a dict {{name: fraction}}, got a {type(got).__name__}.")
    left = [name for name, m in model.named_modules() if getattr(m, "_forward_hooks", None)]
    if left:
        return fail(f"hooks are still registered on {left}: keep the handles and call handle.remove() at the end.")
    keys = {str(k) for k in got}
    if keys != set(want):
        return fail(
            f"expected one entry per ReLU module, named as model.named_modules() names them: {sorted(want)}; "
            f"got {sorted(keys)}."
        )
    for name, share in want.items():
        value = float(got[name] if name in got else got[int(name)])
        if np.isclose(value, share):
            continue
        units = {"1": 8, "3": 5}[name]
        if np.isclose(value, share * units):
            return fail(f"layer {name}: you returned a count ({value:g}); return the fraction (count / {units}).")
        return fail(
            f"layer {name}: got {value:.3f}, expected {share:.3f}. A unit (a column of the output) is dead when "
            "it is 0 for EVERY sample: (out == 0).all(dim=0), then the mean over units. The share of zero "
            "values, (out == 0).float().mean(), also counts units that are merely off for some inputs."
        )
    return ok("dead units found with forward hooks, and the hooks removed afterwards.")


# ---- diagnose the mystery runs ----------------------------------------------------------------------------------

_WHY = {
    1: (
        "The loss grew from the first steps until it overflowed, and the update/weight ratio was near 1 from "
        "the start (each step changed the weights by about their own size; healthy is about 1e-3 to 1e-2). "
        "Run 1 used lr = 1.0 with momentum 0.9. Fix: a smaller learning rate (0.01 trains well here)."
    ),
    2: (
        "The very first loss, before any step was taken, was about 40: a fresh network should start near "
        "ln 10 ≈ 2.3 (a uniform guess over 10 classes). The first layer's outputs had a spread near 100 instead "
        "of about 1, and within five steps the loss passed 100,000. The pixels reached the network as floats in "
        "0..255 (ToTensor scales only uint8 images); the huge first steps then killed the ReLUs, and the loss "
        "sat at ln 10. Fix: hand ToTensor uint8 images, or divide by 255 yourself."
    ),
    3: (
        "The gradient norms fall by a constant factor from layer to layer on the way back: about 1e-1 at the "
        "output, 1e-8 at the first layer, and the update ratios of the first layers are near 1e-9, so they do "
        "not learn and the loss stays at ln 10. Eight sigmoids: each multiplies the gradient by at most 0.25. "
        "Fix: ReLU (and a sensible initialisation), fewer layers, or normalisation layers."
    ),
    4: (
        "The gradient norms climb step after step, 100x over the run, while the loss first falls and then rises: "
        "backward() adds into p.grad, so each step applied the sum of all gradients so far. Fix: "
        "optimizer.zero_grad() at the start of every step."
    ),
    5: (
        "From the first step 100% of the hidden units are idle and no gradient reaches the hidden layers: the "
        "only gradient left is that of the last layer's bias, and the loss sits at exactly ln 10. Every hidden "
        "bias started at -3, so each ReLU's input was negative for every image. Fix: the default initialisation "
        "(biases near 0); with ReLUs a small positive bias is also used."
    ),
    6: (
        "Training accuracy reached 100% and training loss almost 0 while validation accuracy stopped near 85% and "
        "validation loss turned up: the model (270,000 weights) memorised its 300 training images. Fix: more "
        "data, augmentation, a smaller model, weight decay, or stopping where validation loss is lowest."
    ),
}

_HINTS = {
    1: {
        "f": "A wrong input scale shows at step 1; here the first loss was about 2.3 and grew with every step.",
        "d": "Gradients that pile up grow over hundreds of steps; here everything exploded within 20.",
        "c": "Units did go idle, but late, as a consequence. What made the weights explode in the first place?",
    },
    2: {
        "a": "This run used the same learning rate as the healthy one, and its loss was already about 40 at "
        "step 1, before any step: look at what goes INTO the network (the first layer's output spread).",
        "c": "The ReLUs died, yes, but after the first steps. At step 1 the loss was already about 40 and the "
        "first layer's outputs had a spread near 100: why so large?",
    },
    3: {
        "c": "No unit is idle (0% in the activations view), and the gradients are tiny but not zero.",
        "a": "Nothing exploded: the loss stayed at ln 10.",
        "f": "The first loss was ln 10 ≈ 2.3, as it should be: the inputs are fine.",
    },
    4: {
        "a": "A too-high learning rate blows up within a few steps; here the first 100 steps trained well "
        "(accuracy near 80%) while the gradient norms grew steadily: something accumulates.",
        "e": "Overfitting keeps training accuracy high; here training accuracy fell too.",
    },
    5: {
        "b": "Vanishing gradients are small but not zero, and larger near the output. Here the hidden layers' "
        "gradients are exactly zero, and the activations view shows every unit idle.",
        "f": "A wrong input scale shows as a huge first loss; here the loss sits at exactly ln 10 from the start.",
    },
    6: {
        "a": "Training went smoothly: the training loss fell to almost 0.",
        "d": "Training went smoothly: the training loss fell to almost 0.",
    },
}


@exercise
def diagnosis(run: int, answer: Any) -> Result:
    """Run ``run``'s cause, as a letter of ``autolab.course.debugging.CAUSES``."""
    if run not in ANSWERS:
        return fail(f"there is no mystery run {run}: the runs are {sorted(ANSWERS)}.")
    question = Choice(
        right=ANSWERS[run],
        why=_WHY[run],
        options=CAUSES,
        hints=_HINTS[run],
        hint="Compare the views with the healthy run: the first loss, the gradient norms per layer, the update "
        "ratios, the idle units, and the gap between training and validation.",
    )
    return question.check(answer)
