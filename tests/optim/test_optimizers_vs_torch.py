"""Every optimizer against torch.optim, step for step: the same float64 weights, 300 steps, a tight tolerance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optim_helpers import assert_same_trajectory, run

STEPS = 300

# name -> option sets; each runs 300 steps on the quadratic + MLP problem in both libraries
CONFIGS = {
    "SGD": [
        dict(lr=0.01),
        dict(lr=0.01, momentum=0.9),
        dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-2),
        dict(lr=0.01, momentum=0.5, dampening=0.3, maximize=True),
        dict(lr=0.01, momentum=0.9, foreach=False, fused=None),
    ],
    "Adam": [
        dict(lr=0.01),
        dict(lr=0.01, amsgrad=True, weight_decay=0.1),
        dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1),
        dict(lr=0.01, maximize=True, betas=(0.8, 0.99)),
    ],  # fmt: skip
    "AdamW": [dict(lr=0.01), dict(lr=0.01, amsgrad=True, weight_decay=0.3, eps=1e-6)],
    "Adadelta": [dict(lr=0.5), dict(lr=0.2, rho=0.8, eps=1e-5, weight_decay=0.05), dict(lr=0.5, maximize=True)],
    "Adagrad": [dict(lr=0.1), dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)],
    "RMSprop": [
        dict(lr=1e-3),
        dict(lr=1e-3, centered=True),
        dict(lr=1e-3, momentum=0.9),
        dict(lr=3e-4, centered=True, momentum=0.9, weight_decay=0.1, alpha=0.9),
    ],
    "Adamax": [dict(), dict(lr=2e-3, betas=(0.9, 0.99), weight_decay=0.1), dict(maximize=True)],
    "NAdam": [
        dict(),
        dict(lr=3e-3, momentum_decay=0.01, weight_decay=0.1),
        dict(lr=3e-3, weight_decay=0.1, decoupled_weight_decay=True),
    ],
    "RAdam": [dict(), dict(lr=0.01, weight_decay=0.1), dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)],
    "Rprop": [dict(), dict(lr=0.001, etas=(0.3, 1.5), step_sizes=(1e-4, 0.5)), dict(maximize=True)],
    "ASGD": [dict(), dict(lr=0.01, t0=50, lambd=1e-3, alpha=0.5, weight_decay=0.01)],
}
CASES = [(name, kw) for name, kws in CONFIGS.items() for kw in kws]


def _make(name, kw):
    return lambda O, params: getattr(O, name)(params, **kw)


@pytest.mark.parametrize("name, kw", CASES, ids=[f"{n}-{i}" for n, kws in CONFIGS.items() for i in range(len(kws))])
def test_trajectory_matches_torch(name, kw):
    flip = kw.get("maximize", False)  # maximize=True climbs minus the loss: the same well-behaved descent
    ours = run("autolab", _make(name, kw), STEPS, negate=flip)
    theirs = run("torch", _make(name, kw), STEPS, negate=flip)
    assert_same_trajectory(ours, theirs)
    moved = max(np.abs(a - b).max() for a, b in zip(theirs[0], theirs[-1]))
    assert moved > 1e-3, "the problem must actually move the weights, or the comparison proves nothing"


def _two_groups(name, kw):
    """The quadratic's two halves in groups of their own (other lr, other weight decay), the MLP in a third."""

    def make(O, params):
        groups = [
            {"params": [params[0]]},
            {"params": [params[1]], "lr": kw.get("lr", 1e-3) * 0.5, "weight_decay": 0.05},
            {"params": params[2:]},
        ]
        return getattr(O, name)(groups, **kw)

    return make


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_param_groups_with_their_own_options_match_torch(name):
    kw = CONFIGS[name][0]
    assert_same_trajectory(run("autolab", _two_groups(name, kw), 100), run("torch", _two_groups(name, kw), 100))


@pytest.mark.parametrize("name", ["SGD", "Adam", "Rprop"])
def test_step_with_closure_matches_torch(name):
    kw = CONFIGS[name][0]
    ours = run("autolab", _make(name, kw), 50, closure=True)
    assert_same_trajectory(ours, run("torch", _make(name, kw), 50, closure=True))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "SGD"]),
    lr=st.floats(1e-4, 2e-2),
    weight_decay=st.sampled_from([0.0, 1e-3, 0.1]),
    maximize=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_random_options_match_torch(name, lr, weight_decay, maximize, seed):
    kw = dict(lr=lr, weight_decay=weight_decay, maximize=maximize)
    ours = run("autolab", _make(name, kw), 40, seed=seed, negate=maximize)
    assert_same_trajectory(ours, run("torch", _make(name, kw), 40, seed=seed, negate=maximize))
