"""Pictures for the scaling section of notebook 11: measured points, modelled lines, never mixed up.

Measured values are drawn as markers, modelled ones as dashed lines, and every legend entry says which it is.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from ._figure import new_figure, to_png

MARKERS = {1: "s", 2: "o", 4: "^", 8: "D"}


def allreduce_figure(
    measured: dict[int, list[tuple[int, float]]], fit, oversubscribed: set[int] = frozenset()
) -> W.Image:
    """All-reduce time against message size: measured per world size (markers), the fitted ring model (dashed).

    ``measured[n]`` is a list of (bytes, seconds); ``fit`` is an ``autolab.distributed.cost_model.RingFit``.
    """
    fig = new_figure(6.4, 3.6)
    ax = fig.add_subplot(1, 1, 1)
    sizes = sorted({b for rows in measured.values() for b, _ in rows})
    grid = np.geomspace(max(1, min(sizes)), max(sizes), 60)
    for k, (n, rows) in enumerate(sorted(measured.items())):
        b = np.array([r[0] for r in rows], dtype=float)
        s = np.array([r[1] for r in rows], dtype=float)
        label = f"measured, {n} ranks" + (" (oversubscribed: more ranks than cores)" if n in oversubscribed else "")
        color = f"C{k}"
        ax.loglog(b, s * 1e6, MARKERS.get(n, "o"), color=color, label=label)
        ax.loglog(grid, [fit.predict(g, n) * 1e6 for g in grid], "--", color=color, label=f"model, {n} ranks")
    ax.set_xlabel("message size (bytes)")
    ax.set_ylabel("all-reduce time (µs)")
    ax.set_title(
        f"ring model fitted: α = {fit.alpha * 1e6:.1f} µs, bandwidth = {fit.bandwidth / 1e9:.2f} GB/s", fontsize=10
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return W.Image(value=to_png(fig), format="png")


def throughput_figure(
    measured: dict[int, float], predictions: dict[str, list[dict]], batch: int, note: str = ""
) -> W.Image:
    """Images per second: measured here for 1, 2, 4 ranks (markers), modelled for N machines (dashed lines).

    ``measured[n]`` is images/s on this machine; ``predictions[label]`` is a list of ``predict_step`` results.
    """
    fig = new_figure(6.4, 3.6)
    ax = fig.add_subplot(1, 1, 1)
    n = sorted(measured)
    ax.plot(n, [measured[k] for k in n], "o", color="k", label="measured: ranks on this 2-core machine")
    for k, (label, rows) in enumerate(predictions.items()):
        machines = [r["machines"] for r in rows]
        lo = [r["machines"] * batch / r["no_overlap"] for r in rows]
        hi = [r["machines"] * batch / r["full_overlap"] for r in rows]
        ax.plot(machines, hi, "--", color=f"C{k}", label=f"model: {label}, all-reduce hidden")
        ax.plot(machines, lo, ":", color=f"C{k}", label=f"model: {label}, not overlapped")
        ax.fill_between(machines, lo, hi, color=f"C{k}", alpha=0.12)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("ranks here / machines in the model")
    ax.set_ylabel("images per second")
    if note:
        ax.set_title(note, fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return W.Image(value=to_png(fig), format="png")
