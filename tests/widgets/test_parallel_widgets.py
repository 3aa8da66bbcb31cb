"""Notebook 11's widgets: the ring all-reduce animation, the data-parallel dashboard and its bucket timeline."""

from __future__ import annotations

import re

import numpy as np
import pytest

import widgets
from autolab.distributed import cost_model
from autolab.nn.parallel.reducer import BucketTiming, StepTimeline
from widgets.parallel import timeline_svg
from widgets.ring import ring_states


@pytest.mark.parametrize("n", [2, 3, 4, 7])
def test_ring_states_are_the_ring_algorithm(n):
    states = ring_states(n)
    assert len(states) == 1 + 2 * (n - 1)
    start = states[0]["values"]
    total = start.sum(axis=0)
    for s in states[1:]:
        assert len(s["sends"]) == n and sorted(src for src, _, _ in s["sends"]) == list(range(n))
        assert all(dst == (src + 1) % n for src, dst, _ in s["sends"])  # only to the right neighbour
    after_rs = states[n - 1]
    for i in range(n):  # after reduce-scatter rank i holds the whole sum of chunk i + 1
        assert after_rs["values"][i, (i + 1) % n] == total[(i + 1) % n]
        assert after_rs["complete"][i].sum() == 1
    assert (states[-1]["values"] == total).all() and states[-1]["complete"].all()


def test_ring_widget_steps_with_its_slider():
    ring = widgets.RingAllReduce(4)
    assert ring.picture.value.count("<rect") == 16 and "chunk" not in ring.picture.value  # no arrows at the start
    ring.frame.value = 1
    assert ring.picture.value.count("marker-end") == 4 and "Reduce-scatter, step 1 of 3" in ring.text.value
    ring.frame.value = 6
    assert "Done: every rank holds the whole sum" in ring.text.value and "6/4 of a vector" in ring.text.value
    np.testing.assert_array_equal(ring.result, np.tile([10, 50, 90, 130], (4, 1)))
    assert ring.play.max == ring.frame.max == 6
    with pytest.raises(ValueError, match="2 to 8 ranks"):
        widgets.RingAllReduce(9)


def timeline(step: int, overlap: bool = True) -> dict:
    buckets = [
        BucketTiming(0, 1000, 4000, 0.004, 0.0042 if overlap else 0.011, 0.006 if overlap else 0.0125),
        BucketTiming(1, 3000, 12000, 0.009, 0.0092, 0.0118),
    ]
    return StepTimeline(forward=(0.0, 0.003), backward=(0.0032, 0.010), synced=0.012, buckets=buckets).as_dict()


def records(n_ranks: int, steps: int) -> list[dict]:
    return [
        {
            "rank": r,
            "step": s,
            "loss": 2.3 - 0.1 * s + 0.01 * r,
            "images": 64,
            "step_time": 0.012,
            "timeline": timeline(s),
        }
        for s in range(1, steps + 1)
        for r in range(n_ranks)
    ]


def test_step_timeline_numbers():
    tl = timeline(1)
    assert tl["allreduce_time"] == pytest.approx(0.0018 + 0.0026)
    assert tl["exposed_time"] == pytest.approx(0.002)


def test_dashboard_draws_every_rank_and_the_latest_step():
    dash = widgets.ParallelDashboard(2, title="test", refresh=0.0)
    assert "waiting for the first step" in dash.header.value
    dash.add(records(2, 5)[::-1])  # any order
    dash.refresher.flush()
    assert "step 5" in dash.header.value and "global batch 128" in dash.header.value
    assert f"{128 / 0.012:,.0f} images/s" in dash.header.value
    assert "all-reduce 4.40 ms, of which 2.00 ms not hidden" in dash.header.value
    charts = dash.charts.value
    assert charts.count("rank 0") == 2 and charts.count("rank 1") == 2  # legends of both charts
    steps, loss = dash.series("loss", 1)
    np.testing.assert_allclose(steps, [1, 2, 3, 4, 5])
    np.testing.assert_allclose(loss, [2.21, 2.11, 2.01, 1.91, 1.81])
    np.testing.assert_allclose(dash.series("exposed_ms", 0)[1], [2.0] * 5)
    assert dash.step.value == dash.step.max == 5 and "rank 0, step 5" in dash.timeline.value
    dash.rank.value = 1
    assert "rank 1, step 5" in dash.timeline.value
    dash.step.value = 2  # looking back stops following the newest step
    assert dash.follow.value is False and "step 2" in dash.timeline.value
    dash.add(records(2, 6)[-2:])
    dash.refresher.flush()
    assert dash.step.max == 6 and dash.step.value == 2
    dash.close()


def _parse(svg: str) -> tuple[float, list[float]]:
    """(x of the end-of-backward line, x of each all-reduce bar)."""
    end_x = float(re.search(r'<line x1="([\d.]+)" x2="[\d.]+" y1="[\d.]+" y2="[\d.]+" stroke="#000"', svg).group(1))
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="12" fill="#f58518"', svg)
    return end_x, [float(b) for b in bars]


def test_timeline_puts_overlapped_communication_left_of_backwards_end():
    svg = timeline_svg(timeline(1), "caption", width=720)
    end_x, bars = _parse(svg)
    assert len(bars) == 2 and bars[0] < end_x  # bucket 0's all-reduce starts during backward
    assert "bucket 0: all-reduce of 3.9 KiB, 1.80 ms" in svg
    end_x, bars = _parse(timeline_svg(timeline(1, overlap=False), "caption"))
    assert bars[0] > end_x


def test_scaling_figures_render():
    fit = cost_model.fit_ring([(2, 4, 3e-6), (2, 1e6, 2e-4), (2, 4e6, 8e-4)])
    img = widgets.scaling.allreduce_figure({2: [(4, 3e-6), (1e6, 2e-4)], 4: [(4, 9e-6), (1e6, 5e-4)]}, fit, {4})
    assert img.value[:4] == b"\x89PNG" and len(img.value) > 10_000
    net = cost_model.ETHERNET_10G
    preds = {"LeNet": {net.name: [cost_model.predict_step(0.01, 2.5e5, n, net) for n in (1, 2, 4, 8)]}}
    img = widgets.scaling.throughput_figure({1: 5000.0, 2: 5200.0}, preds, batch=64)
    assert img.value[:4] == b"\x89PNG"
