"""Throttling: a burst of changes is drawn a bounded number of times, and the last change is always drawn."""

from __future__ import annotations

import threading
import time

from widgets.throttle import Refresher, Throttle


def test_throttle_accepts_one_call_per_interval():
    now = [100.0]
    t = Throttle(0.5, clock=lambda: now[0])
    accepted = []
    for _ in range(100):  # 100 calls, 0.125 s of fake time apart (exact in binary floating point)
        accepted.append(t.ready())
        now[0] += 0.125
    assert sum(accepted) == 25
    assert accepted[0] and accepted[4] and not any(accepted[1:4])
    assert t.ready() and not t.ready()
    now[0] += 0.125
    assert t.wait_time() == 0.5 - 0.125


def test_refresher_bounds_redraws_and_draws_the_last_state():
    drawn = []
    state = {"value": 0}
    r = Refresher(lambda: drawn.append(state["value"]), interval=0.05)
    start = time.monotonic()
    for i in range(1, 20001):
        state["value"] = i
        r.poke()
        if i % 500 == 0:
            time.sleep(0.01)
    elapsed = time.monotonic() - start
    deadline = time.monotonic() + 5
    while (not drawn or drawn[-1] != 20000) and time.monotonic() < deadline:
        time.sleep(0.01)  # the trailing redraw
    r.close()
    assert drawn[-1] == 20000
    # at most one redraw per interval, plus the first and the trailing one
    assert r.renders == len(drawn) <= (time.monotonic() - start) / 0.05 + 2
    assert len(drawn) < 20000 / 10, (len(drawn), elapsed)


def test_flush_draws_at_once_and_only_when_something_changed():
    drawn = []
    r = Refresher(lambda: drawn.append(threading.current_thread().name), interval=60)
    r.flush()
    assert drawn == []
    r.poke()
    r.poke()
    deadline = time.monotonic() + 5
    while not drawn and time.monotonic() < deadline:
        time.sleep(0.01)
    assert drawn == ["autolab-widget-refresh"]  # the first poke draws on the refresh thread
    r.poke()  # within the 60 s interval: waits...
    r.flush()  # ...unless flushed
    assert drawn == ["autolab-widget-refresh", "MainThread"]
    r.close()


def test_a_failing_render_reports_and_keeps_the_thread_alive():
    errors, calls = [], []

    def render():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("broken plot")

    r = Refresher(render, interval=0.0, on_error=errors.append)
    r.poke()
    deadline = time.monotonic() + 5
    while not errors and time.monotonic() < deadline:
        time.sleep(0.01)
    r.poke()
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    r.close()
    assert [str(e) for e in errors] == ["broken plot"] and len(calls) == 2
