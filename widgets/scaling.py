"""Pictures for the scaling section of notebook 11: measured points, modelled lines, never mixed up.

Measured values are drawn as markers, modelled ones as dashed lines, and every legend entry says which it is.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from autolab.course.i18n import plot_text

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
    ax.set_xlabel(plot_text("message size (bytes)"))
    ax.set_ylabel(plot_text("all-reduce time (µs)"))
    ax.set_title(
        f"ring model fitted: α = {fit.alpha * 1e6:.1f} µs, bandwidth = {fit.bandwidth / 1e9:.2f} GB/s", fontsize=10
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return W.Image(value=to_png(fig), format="png")


def throughput_figure(
    measured: dict[int, float], predictions: dict[str, dict[str, list[dict]]], batch: int, note: str = ""
) -> W.Image:
    """Images per second, one panel per model: modelled for N machines on each network (a band from "not
    overlapped" to "all-reduce hidden"), and on the first panel the ranks measured on this machine (markers).

    ``predictions[model][network]`` is a list of ``cost_model.predict_step`` results; ``measured[n]`` images/s.
    """
    fig = new_figure(9.6, 3.6)
    axes = fig.subplots(1, len(predictions), sharey=True, squeeze=False)[0]
    for ax, (model, by_net) in zip(axes, predictions.items()):
        for k, (net, rows) in enumerate(by_net.items()):
            machines = [r["machines"] for r in rows]
            lo = [r["machines"] * batch / r["no_overlap"] for r in rows]
            hi = [r["machines"] * batch / r["full_overlap"] for r in rows]
            ax.fill_between(machines, lo, hi, color=f"C{k}", alpha=0.25, label=f"model: {net}")
            ax.plot(machines, hi, "--", color=f"C{k}", lw=1)
            ax.plot(machines, lo, ":", color=f"C{k}", lw=1)
        ideal = [n * batch / rows[0]["compute"] for n in machines]
        ax.plot(machines, ideal, "-", color="0.6", lw=0.8, label=plot_text("perfect scaling"))
        if ax is axes[0] and measured:
            n = sorted(measured)
            ax.plot(n, [measured[k] for k in n], "o", color="k", label=plot_text("measured: ranks on this machine"))
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(model, fontsize=10)
        ax.set_xlabel(plot_text("machines (model) / ranks here (measured)"))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel(plot_text("images per second"))
    if note:
        fig.suptitle(note, fontsize=9)
    fig.tight_layout()
    return W.Image(value=to_png(fig), format="png")
