"""How much the dashboard costs: LeNet training throughput with and without it.

    python scripts/bench_dashboard.py --seconds 20 --rounds 3 --phase 3

Three ways to train the same LeNet on CIFAR-shaped batches (random data: throughput does not depend on the
pixels), interleaved round by round because timings on a shared machine drift:
- ``plain``: the hand-written loop (zero_grad, forward, loss, backward, step), on a background thread;
- ``trainer``: autolab.training.Trainer with no observer (events and gradient statistics every 5 steps);
- ``dashboard``: the Trainer observed by ``widgets.dashboard`` at its default refresh rate, every view drawing.
The overhead is ``1 - dashboard / plain`` steps per second, medians over the rounds. The dashboard's own work on
the training thread is measured through its public API only: its listener (subscribed to the Trainer like any
other) is timed, and what the graph view's gradient hooks add to one backward is measured apart
(``graph_hook_cost``: a backward with ``widgets.graph(loss, model)`` attached against one without) and counted
once per graph capture.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import threading
import time

import autolab
import widgets
from autolab import nn
from autolab.training import Trainer
from autolab.utils.data import DataLoader, TensorDataset


class LeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 6, 5), nn.Conv2d(6, 16, 5)
        self.pool, self.relu = nn.MaxPool2d(2, 2), nn.ReLU()
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(autolab.flatten(x, 1))))))


def setup(batch_size: int, samples: int):
    autolab.manual_seed(0)
    x, y = autolab.randn(samples, 3, 32, 32), autolab.randint(0, 10, (samples,))
    model = LeNet()
    opt = autolab.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return model, opt, nn.CrossEntropyLoss(), DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True)


def plain(seconds: float, batch_size: int, samples: int) -> float:
    """The hand-written loop, on a background thread like the Trainer's (numba's thread pool behaves
    differently when called from the main thread, so the comparison keeps that the same)."""
    result: list[float] = []
    thread = threading.Thread(target=lambda: result.append(_plain(seconds, batch_size, samples)))
    thread.start()
    thread.join()
    return result[0]


def _plain(seconds: float, batch_size: int, samples: int) -> float:
    model, opt, loss_fn, loader = setup(batch_size, samples)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for x, y in loader:
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()
            steps += 1
            if time.perf_counter() - start >= seconds:
                break
    return steps / (time.perf_counter() - start)


def graph_hook_cost(batch_size: int, samples: int, repeats: int = 15) -> float:
    """Seconds the graph view's gradient hooks add to one backward: backward with ``widgets.graph(loss, model)``
    attached against without, interleaved, difference of the medians."""
    model, opt, loss_fn, loader = setup(batch_size, samples)
    x, y = next(iter(loader))
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeats):
        for watched in (False, True):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            if watched:
                widgets.graph(loss, model)
            start = time.perf_counter()
            loss.backward()
            times[watched].append(time.perf_counter() - start)
    return max(0.0, statistics.median(times[True]) - statistics.median(times[False]))


def observed(
    seconds: float, batch_size: int, samples: int, with_dashboard: bool, warmup: float = 1.0, hook_cost: float = 0.0
) -> tuple[float, float]:
    """Steps per second, and the share of the training thread's time spent in the dashboard's work (its listener,
    plus ``hook_cost`` for each graph capture)."""
    model, opt, loss_fn, loader = setup(batch_size, samples)
    if with_dashboard:
        dash = widgets.dashboard(model, opt, loss_fn, loader, None, epochs=10_000)
        trainer = dash.trainer
        # Time the dashboard's listener: it records, and draws when a view is due, on the training thread, so
        # its time is exactly what it adds to training. A share of time survives a busy machine better than
        # two throughputs measured a minute apart.
        dash._unsubscribe()
        spent = [0.0]

        def timed(event):
            t = time.perf_counter()
            dash.on_event(event)
            spent[0] += time.perf_counter() - t

        dash._unsubscribe = trainer.subscribe(timed)
    else:
        trainer = Trainer(model, opt, loss_fn, loader, None, epochs=10_000)
    trainer.start()
    time.sleep(warmup)  # past the first steps (and any JIT warm-up) before timing
    s0, t0 = trainer.step, time.perf_counter()
    if with_dashboard:
        spent[0] = 0.0
        captures0 = dash.graph.refresher.renders
    time.sleep(seconds)
    elapsed = time.perf_counter() - t0
    rate = (trainer.step - s0) / elapsed
    share = 0.0
    if with_dashboard:  # the graph's gradient hooks run inside backward, once per capture (graph redraw)
        share = (spent[0] + (dash.graph.refresher.renders - captures0) * hook_cost) / elapsed
    trainer.stop()
    if with_dashboard:
        renders = {
            k: v.refresher.renders
            for k, v in (("curves", dash.curves), ("graph", dash.graph), ("gradients", dash.gradients))
        }
        print(f"    dashboard redraws during the run: {renders}")
        dash.close()
    return rate, share


def alternating(
    seconds: float, phase: float, batch_size: int, samples: int, warmup: float = 1.0
) -> tuple[list[float], list[float]]:
    """One Trainer runs throughout; the dashboard's listener is attached and detached every ``phase`` seconds.

    Both conditions share the process, the warm kernels and (nearly) the moment, so drift in the machine's load
    cancels out much better than between separate runs.
    """
    model, opt, loss_fn, loader = setup(batch_size, samples)
    dash = widgets.dashboard(model, opt, loss_fn, loader, None, epochs=10_000)
    trainer = dash.trainer
    dash._unsubscribe()
    trainer.start()
    time.sleep(warmup)
    on, off = [], []
    attached = None
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for with_dashboard in (False, True):
            if with_dashboard:
                attached = trainer.subscribe(dash.on_event)
            s0, t0 = trainer.step, time.perf_counter()
            time.sleep(phase)
            (on if with_dashboard else off).append((trainer.step - s0) / (time.perf_counter() - t0))
            if with_dashboard:
                attached()
    trainer.stop()
    dash.close()
    return on, off


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0, help="timed seconds per configuration and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--phase", type=float, default=3.0, help="seconds per phase of the alternating measurement")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of untimed training before the timings")
    args = ap.parse_args(argv)
    samples = args.batch_size * 50
    warm = min(1.0, args.warmup)
    plain(args.warmup, args.batch_size, samples)  # compile the kernels once, outside the timings
    hook_cost = graph_hook_cost(args.batch_size, samples)
    print(f"graph view's gradient hooks: {hook_cost * 1e3:.2f} ms per backward with the view attached", flush=True)
    on, off = alternating(args.seconds * args.rounds, args.phase, args.batch_size, samples, warm)
    print(f"alternating {args.phase:g} s phases: steps/s without the dashboard {[round(x, 2) for x in off]}")
    print(f"                              with the dashboard    {[round(x, 2) for x in on]}")
    paired = statistics.median(a / b for a, b in zip(on, off))  # each phase against the one just before it
    print(
        f"alternating: median of paired with/without ratios {paired:.3f} (overhead {1 - paired:+.1%}); "
        f"ratio of medians {statistics.median(on) / statistics.median(off):.3f}",
        flush=True,
    )
    rates: dict[str, list[float]] = {"plain": [], "trainer": [], "dashboard": []}
    shares = []
    for r in range(args.rounds):
        rates["plain"].append(plain(args.seconds, args.batch_size, samples))
        rates["trainer"].append(observed(args.seconds, args.batch_size, samples, False, warm)[0])
        rate, share = observed(args.seconds, args.batch_size, samples, True, warm, hook_cost)
        rates["dashboard"].append(rate)
        shares.append(share)
        print(
            f"round {r + 1}: "
            + ", ".join(f"{k} {v[-1]:.2f} steps/s" for k, v in rates.items())
            + f"; dashboard work {share:.1%} of the training thread's time",
            flush=True,
        )
    med = {k: statistics.median(v) for k, v in rates.items()}
    ratios = [d / p for d, p in zip(rates["dashboard"], rates["plain"])]
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"batch {args.batch_size}, median steps/s: " + ", ".join(f"{k} {v:.2f}" for k, v in med.items()))
    print(
        f"dashboard work on the training thread (listener, and the graph hooks per capture): median {statistics.median(shares):.1%} "
        f"of wall time, per round {[f'{x:.1%}' for x in shares]}"
    )
    print(
        f"separate runs: trainer/plain {med['trainer'] / med['plain']:.3f}, dashboard/plain per round "
        f"{[round(x, 3) for x in ratios]}"
    )


if __name__ == "__main__":
    main()
