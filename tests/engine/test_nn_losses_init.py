"""Losses and nn.init against PyTorch: loss modules with weights and ignore_index, saturation, init bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import AL, assert_close, to_np, torch_ns

import autolab
import autolab.nn as nn

torch = pytest.importorskip("torch")
T = torch_ns()


# ---- losses ----------------------------------------------------------------------------------------------------
LOSSES = {
    "MSELoss": (lambda L: L.nn.MSELoss(), "real"),
    "MSELoss_sum": (lambda L: L.nn.MSELoss(reduction="sum"), "real"),
    "L1Loss": (lambda L: L.nn.L1Loss(), "real"),
    "L1Loss_none": (lambda L: L.nn.L1Loss(reduction="none"), "real"),
    "CrossEntropyLoss": (lambda L: L.nn.CrossEntropyLoss(), "class"),
    "CrossEntropyLoss_weight": (
        lambda L: L.nn.CrossEntropyLoss(weight=L.t.tensor([1.0, 2.0, 0.5, 1.5], dtype=L.t.float64)),
        "class",
    ),
    "CrossEntropyLoss_ignore": (lambda L: L.nn.CrossEntropyLoss(ignore_index=2, reduction="sum"), "class"),
    "CrossEntropyLoss_ignore_neg": (lambda L: L.nn.CrossEntropyLoss(ignore_index=-1), "class_neg"),
    "NLLLoss": (lambda L: L.nn.NLLLoss(), "logp"),
    "NLLLoss_none": (lambda L: L.nn.NLLLoss(reduction="none"), "logp"),
    "BCELoss": (lambda L: L.nn.BCELoss(), "prob"),
    "BCELoss_weight": (lambda L: L.nn.BCELoss(weight=L.t.tensor([0.5, 1.0, 2.0], dtype=L.t.float64)), "prob"),
    "BCEWithLogitsLoss": (lambda L: L.nn.BCEWithLogitsLoss(), "logit"),
    "BCEWithLogitsLoss_pos_weight": (
        lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.t.tensor([1.0, 3.0, 0.5], dtype=L.t.float64)),
        "logit",
    ),
}


def _loss_data(kind, rng):
    if kind == "real":
        return rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    if kind in ("class", "class_neg"):
        t = np.array([0, 2, 3, 2, 1])
        if kind == "class_neg":
            t[1] = -1
        return rng.standard_normal((5, 4)) * 3, t
    if kind == "logp":
        x = rng.standard_normal((5, 4))
        return x - np.log(np.exp(x).sum(1, keepdims=True)), np.array([0, 2, 3, 2, 1])
    if kind == "prob":
        return rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    return rng.standard_normal((4, 3)) * 4, rng.uniform(0, 1, (4, 3))


@pytest.mark.parametrize("build, kind", LOSSES.values(), ids=LOSSES.keys())
def test_loss_module_matches_torch(build, kind):
    x, y = _loss_data(kind, np.random.default_rng(0))
    out = {}
    for L in (AL, T):
        xi = L.t.tensor(x, requires_grad=True)
        loss = build(L)(xi, L.t.tensor(y))
        loss.sum().backward()
        out[L.name] = (loss, xi.grad)
    assert_close(out["autolab"][0], out["torch"][0], rtol=1e-10, what="loss")
    assert_close(out["autolab"][1], out["torch"][1], rtol=1e-10, atol=1e-14, what="grad")


def test_bce_saturates_like_torch():
    """log is clamped at -100, so a confident wrong prediction gives a large finite loss, as in PyTorch."""
    p, y = np.array([0.0, 1.0, 1e-30]), np.array([1.0, 0.0, 1.0])
    a = nn.functional.binary_cross_entropy(autolab.tensor(p), autolab.tensor(y), reduction="none")
    t = torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(y), reduction="none")
    assert_close(a, t)


def test_bce_with_logits_is_stable_for_large_logits():
    x = autolab.tensor([100.0, -100.0, 30.0], requires_grad=True)
    y = autolab.tensor([0.0, 1.0, 1.0])
    loss = nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(to_np(loss), [100.0, 100.0, np.log1p(np.exp(-30.0))], rtol=1e-6, atol=1e-7)
    loss.sum().backward()
    assert np.isfinite(to_np(x.grad)).all()


# ---- init ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("build, fan_in", [(lambda: nn.Linear(300, 200), 300), (lambda: nn.Conv2d(8, 64, 5), 200)])
def test_default_init_bounds_match_pytorch_formula(build, fan_in):
    """kaiming_uniform_(a=sqrt(5)) works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias uses the same bound."""
    autolab.manual_seed(0)
    m = build()
    bound = 1 / math.sqrt(fan_in)
    w, b = to_np(m.weight), to_np(m.bias)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert abs(w.mean()) < 0.02 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.8 * bound
    assert m.weight.dtype == autolab.float32


def test_init_functions_follow_formulas():
    autolab.manual_seed(0)
    w = autolab.empty(400, 250)
    fan_in, fan_out = 250, 400
    nn.init.kaiming_uniform_(w)
    assert abs(np.abs(to_np(w)).max() - math.sqrt(6 / fan_in)) < 0.01 * math.sqrt(6 / fan_in)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(to_np(w).std() - math.sqrt(2 / fan_in)) < 0.02 * math.sqrt(2 / fan_in)
    nn.init.xavier_uniform_(w)
    assert abs(np.abs(to_np(w)).max() - math.sqrt(6 / (fan_in + fan_out))) < 0.01 * math.sqrt(6 / (fan_in + fan_out))
    nn.init.xavier_normal_(w, gain=2.0)
    assert abs(to_np(w).std() - 2 * math.sqrt(2 / (fan_in + fan_out))) < 0.02 * 2 * math.sqrt(2 / (fan_in + fan_out))
    nn.init.normal_(w, 1.0, 0.1)
    assert abs(to_np(w).mean() - 1.0) < 0.01
    nn.init.trunc_normal_(w, std=1.0, a=-0.5, b=0.5)
    assert np.abs(to_np(w)).max() <= 0.5
    for name, param in [("linear", None), ("relu", None), ("tanh", None), ("leaky_relu", 0.2), ("sigmoid", None)]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))
    p = nn.Parameter(autolab.ones(2, 2))
    nn.init.zeros_(p)  # on a parameter that requires grad: no error, no graph
    assert p.tolist() == [[0, 0], [0, 0]] and p.is_leaf and p.requires_grad
