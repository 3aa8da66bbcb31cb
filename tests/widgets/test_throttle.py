"""Throttling: a burst of changes is drawn a bounded number of times, and the last change is always drawn."""

from __future__ import annotations

import re
import threading

import pytest

from widgets.throttle import Refresher, Throttle


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throttle_accepts_one_call_per_interval():
    clock = FakeClock()
    t = Throttle(0.5, clock=clock)
    accepted = []
    for _ in range(100):  # 100 calls, 0.125 s of fake time apart (exact in binary floating point)
        accepted.append(t.ready())
        clock.now += 0.125
    assert sum(accepted) == 25
    assert accepted[0] and accepted[4] and not any(accepted[1:4])
    assert t.ready() and not t.ready()
    clock.now += 0.125
    assert t.wait_time() == 0.5 - 0.125


def test_refresher_draws_once_per_interval_and_flush_draws_the_last_state():
    clock, drawn, state = FakeClock(), [], {"value": 0}
    r = Refresher(lambda: drawn.append(state["value"]), interval=1.0, clock=clock)
    for i in range(1, 1001):  # 1000 steps of 10 ms: 10 seconds of training
        state["value"] = i
        r.poke()
        clock.now += 0.01
    assert r.renders == len(drawn) == 10
    assert drawn[:3] == [1, 101, 201]
    assert r.dirty and drawn[-1] == 901  # the last 99 steps are not drawn yet...
    r.flush()  # ...until training ends and the dashboard flushes
    assert drawn[-1] == 1000 and not r.dirty
    r.flush()
    assert len(drawn) == 11  # nothing changed: nothing drawn


def test_redraw_answers_a_click_at_once():
    clock, drawn = FakeClock(), []
    r = Refresher(lambda: drawn.append(clock.now), interval=60, clock=clock)
    r.poke()
    clock.now += 1
    r.poke()
    assert drawn == [100.0]
    r.redraw()
    assert drawn == [100.0, 101.0]


def test_drawing_happens_in_the_thread_that_pokes():
    names = []
    r = Refresher(lambda: names.append(threading.current_thread().name), interval=0)
    t = threading.Thread(target=r.poke, name="autolab-training")
    t.start()
    t.join()
    assert names == ["autolab-training"]


def test_a_failing_render_reports_and_does_not_raise():
    errors, calls = [], []

    def render():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("broken plot")

    r = Refresher(render, interval=0.0, on_error=errors.append)
    r.poke()
    r.poke()
    assert [str(e) for e in errors] == ["broken plot"] and len(calls) == 2


def test_svg_charts_place_points_and_ticks_where_they_belong():
    import numpy as np

    from widgets.svgplot import LEFT, TOP, Series, histogram, line_chart, nice_ticks

    assert nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(0.013, 0.042) == pytest.approx([0.02, 0.03, 0.04])  # step 0.01: 0.005 would give 6+
    svg = line_chart(
        [Series(np.array([0.0, 1.0]), np.array([0.0, 1.0]), "#123456", "a")],
        ylim=(0.0, 1.0),
        width=100 + LEFT + 8,
        height=100 + TOP + 30,
    )
    # (0, 0) is the bottom-left corner of the 100x100 plotting area, (1, 1) the top-right one
    assert f'points="{LEFT:.1f},{TOP + 100:.1f} {LEFT + 100:.1f},{TOP:.1f}"' in svg
    log = line_chart([Series(np.arange(3.0), np.array([1e-3, 0.0, 1e-1]), "#000")], log_y=True)
    points = re.search(r'polyline points="([^"]*)"', log).group(1).split()
    assert [p.split(",")[0] for p in points] == ["48.0", "312.0"]  # x = 0 and x = 2: the zero at x = 1 dropped
    assert ">0.01<" in log  # decades are ticked
    assert "nan" not in line_chart([Series(np.arange(3.0), np.array([np.nan, 1.0, np.inf]), "#000")])
    assert "polygon" in histogram(np.array([1, 3, 2]), np.array([0.0, 1, 2, 3]), "#f00")
