"""The ring all-reduce model: its formula, a fit that recovers known coefficients, and step predictions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autolab.distributed import cost_model as cm


def test_ring_formula_counts_2_n_minus_1_messages_of_m_over_n_bytes():
    assert cm.ring_allreduce_time(1e6, 1, 1e-5, 1e-9) == 0.0
    assert cm.ring_allreduce_time(1e6, 4, 1e-5, 1e-9) == pytest.approx(6 * 1e-5 + 6 / 4 * 1e6 * 1e-9)
    assert cm.ring_allreduce_time(1e6, 4, 1e-5, 1e-9, messages=3) == pytest.approx(18e-5 + 1.5e-3)
    # the bandwidth term tends to 2 m beta: 1000 ranks cost hardly more than 4, apart from latency
    assert cm.ring_allreduce_time(1e8, 1000, 0, 1e-9) / cm.ring_allreduce_time(1e8, 4, 0, 1e-9) < 1.34


@settings(max_examples=50, deadline=None)
@given(alpha=st.floats(1e-7, 1e-3), bandwidth=st.floats(1e7, 1e11), noise=st.floats(0, 0.02), seed=st.integers(0, 99))
def test_fit_recovers_alpha_and_beta(alpha, bandwidth, noise, seed):
    rng = np.random.default_rng(seed)
    samples = []
    for n in (2, 4):
        for m in (4, 1e3, 1e5, 1e6, 1e7):
            t = cm.ring_allreduce_time(m, n, alpha, 1 / bandwidth) * (1 + noise * rng.uniform(-1, 1))
            samples.append((n, m, t))
    fit = cm.fit_ring(samples)
    assert fit.alpha == pytest.approx(alpha, rel=0.1 + 5 * noise)
    # beta is only visible where the bandwidth term is not swamped by latency
    if 2e7 / bandwidth > 20 * alpha:
        assert fit.bandwidth == pytest.approx(bandwidth, rel=0.1 + 5 * noise)
    assert fit.residual <= 2 * noise + 1e-9


def test_fit_needs_two_points_and_keeps_coefficients_non_negative():
    with pytest.raises(ValueError, match="at least two"):
        cm.fit_ring([(2, 100, 1e-5)])
    fit = cm.fit_ring([(2, 4, 2e-5), (2, 4e6, 1e-5)])  # bigger message faster: noise, not physics
    assert fit.alpha >= 0 and fit.beta >= 0


def test_predicted_step_brackets_the_truth():
    net = cm.Network("test", alpha=1e-5, bandwidth=1e9)
    p = cm.predict_step(0.02, 4e6, 8, net)
    comm = cm.ring_allreduce_time(4e6, 8, 1e-5, 1e-9)
    assert p["allreduce"] == pytest.approx(comm)
    assert p["full_overlap"] == pytest.approx(max(0.02, comm)) and p["no_overlap"] == pytest.approx(0.02 + comm)
    assert cm.ETHERNET_10G.beta == pytest.approx(1 / 1.25e9)
