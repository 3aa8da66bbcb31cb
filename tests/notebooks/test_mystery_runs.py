"""Notebook 08's broken runs show the symptoms its answers describe (on real MNIST, in fast mode).

The checks' explanations ("the first loss was in the millions", "the gradients are exactly zero") are claims
about these runs; an engine change that alters a run must fail here, not mislead a student.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import autolab
from autolab.course import debugging
from autolab.training import Trainer

from ._run import require_data

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def splits():
    data = require_data()
    from autolab.utils.data import random_split
    from autolab.vision import datasets, transforms

    normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    mnist = datasets.MNIST(root=str(data), train=True, transform=normalize)
    return random_split(mnist, [50000, 10000], generator=autolab.Generator().manual_seed(0))


def train(number, splits, fast=True):
    run = debugging.mystery_run(number, *splits, fast=fast)
    trainer = Trainer(*run.parts, epochs=run.epochs, stats_every=1)
    events = []
    trainer.subscribe(events.append)
    with np.errstate(all="ignore"):
        trainer.fit()
    steps = [e for e in events if e.kind == "step"]
    evals = [e for e in events if e.kind == "evaluation"]
    epochs = [e for e in events if e.kind == "epoch"]
    return run, trainer, steps, evals, epochs


def weight_norms(step, hidden_only=False):
    names = [n for n in step.stats.grad_norms if n.endswith("weight")]
    if hidden_only:
        names = names[:-1]
    return [step.stats.grad_norms[n] for n in names]


def test_healthy_run_starts_at_ln10_and_learns(splits):
    _, trainer, steps, evals, _ = train(0, splits)
    assert steps[0].loss == pytest.approx(math.log(10), abs=0.2)
    assert trainer.state == "finished" and evals[-1].val_accuracy > 0.6
    ratios = [r for s in steps[10:] for n, r in s.stats.update_ratios.items() if n.endswith("weight")]
    assert 1e-4 < np.median(ratios) < 3e-2  # the text says: between 1e-3 and 1e-2


def test_run1_learning_rate_too_high_explodes_to_nan(splits):
    _, trainer, steps, _, _ = train(1, splits)
    assert trainer.state == "stopped" and len(steps) < 60
    assert steps[0].loss < 3 and max(s.loss for s in steps) > 1e3
    assert max(r for s in steps[:10] for r in s.stats.update_ratios.values()) > 0.3


def test_run2_unnormalised_inputs_start_with_a_huge_loss(splits):
    fresh = debugging.mystery_run(2, *splits, fast=True)  # the same run, before training
    x, _ = next(iter(fresh.train_loader))
    assert float(x.max()) > 100  # pixels as 0..255, "normalised"
    assert float(fresh.model[2](fresh.model[1](fresh.model[0](x))).std()) > 30  # "a spread near 100"
    _, _, steps, _, _ = train(2, splits)
    assert steps[0].loss > 20 and max(s.loss for s in steps[:6]) > 1e5  # "about 40", "passed 100,000"
    assert steps[-1].loss == pytest.approx(math.log(10), abs=0.1)  # "the loss sat at ln 10"


def test_run3_deep_sigmoids_lose_the_gradient_layer_by_layer(splits):
    _, _, steps, evals, _ = train(3, splits)
    norms = weight_norms(steps[-1])
    assert len(norms) == 9 and norms[0] < 1e-4 * norms[-1]
    assert all(a < b for a, b in zip(norms[:-1], norms[1:]))  # smaller at every layer towards the input
    assert evals[-1].val_accuracy < 0.2


def test_run4_gradients_pile_up(splits):
    _, _, steps, _, _ = train(4, splits)
    first, last = weight_norms(steps[4]), weight_norms(steps[-1])
    assert all(b > 5 * a for a, b in zip(first, last))


def test_run5_dead_relus_pass_no_gradient(splits):
    run, _, steps, evals, _ = train(5, splits)
    assert steps[0].loss == pytest.approx(math.log(10), abs=0.05)
    assert all(n == 0 for s in steps for n in weight_norms(s))  # hidden AND last weights: their input is all 0
    assert evals[-1].val_accuracy < 0.2


def test_run6_overfits_three_hundred_images(splits):
    _, _, _, evals, epochs = train(6, splits, fast=False)
    assert epochs[-1].train_accuracy == 1.0 and epochs[-1].train_loss < 0.05
    assert evals[-1].val_accuracy < 0.92
    assert evals[-1].val_loss > min(e.val_loss for e in evals) + 0.02  # validation loss turned up
