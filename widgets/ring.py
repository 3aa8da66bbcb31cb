"""Ring all-reduce, step by step: an animation of what each rank holds and sends.

Each of ``n`` ranks holds a vector cut into ``n`` chunks. In ``n - 1`` steps of *reduce-scatter* every rank sends
one chunk to its right neighbour, which adds it to its own; afterwards rank ``i`` holds the full sum of one chunk.
In ``n - 1`` steps of *all-gather* the finished chunks travel around the ring, replacing what is there. Every
step each rank sends ``1/n`` of the vector, so a rank sends ``2 (n - 1) / n`` vectors in all, whatever ``n`` is.
"""

from __future__ import annotations

import math

import ipywidgets as W
import numpy as np

from autolab.course.i18n import tr

CHUNK_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]


def ring_states(n: int) -> list[dict]:
    """Every state of the algorithm: ``values`` (rank, chunk), the ``sends`` (src, dst, chunk) that led to it."""
    values = np.array([[(i + 1) + 10 * c for c in range(n)] for i in range(n)], dtype=np.int64)
    complete = np.zeros((n, n), bool)  # (rank, chunk) holds the final sum
    states = [{"phase": "start", "step": 0, "values": values.copy(), "sends": [], "complete": complete.copy()}]
    for k in range(n - 1):  # reduce-scatter: rank i sends chunk (i - k) mod n, the neighbour adds it
        sends = [(i, (i + 1) % n, (i - k) % n) for i in range(n)]
        new = values.copy()
        for src, dst, c in sends:
            new[dst, c] += values[src, c]
        values = new
        if k == n - 2:
            for i in range(n):
                complete[i, (i + 1) % n] = True
        states.append(
            {
                "phase": "reduce-scatter",
                "step": k + 1,
                "values": values.copy(),
                "sends": sends,
                "complete": complete.copy(),
            }
        )
    for k in range(n - 1):  # all-gather: rank i sends its finished chunk (i + 1 - k) mod n, the neighbour copies it
        sends = [(i, (i + 1) % n, (i + 1 - k) % n) for i in range(n)]
        new = values.copy()
        for src, dst, c in sends:
            new[dst, c] = values[src, c]
            complete[dst, c] = True
        values = new
        states.append(
            {"phase": "all-gather", "step": k + 1, "values": values.copy(), "sends": sends, "complete": complete.copy()}
        )
    return states


def caption(state: dict, n: int, index: int) -> str:
    sent = f"{index}/{n}" if index else "0"
    if state["phase"] == "start":
        text = tr(
            "Each of the {n} ranks holds its own gradient, cut into {n} chunks (colours). Goal: every rank ends "
            "with the sum. Press play, or step with the slider.",
            n=n,
        )
    elif state["phase"] == "reduce-scatter":
        text = tr(
            "Reduce-scatter, step {step} of {steps}: every rank sends one chunk to its right neighbour, "
            "which adds it to its own.",
            step=state["step"],
            steps=n - 1,
        ) + (tr(" Now each rank holds the complete sum of one chunk (thick border).") if state["step"] == n - 1 else "")
    else:
        text = tr(
            "All-gather, step {step} of {steps}: the finished chunks travel round the ring, replacing "
            "the partial sums.",
            step=state["step"],
            steps=n - 1,
        ) + (tr(" Done: every rank holds the whole sum.") if state["step"] == n - 1 else "")
    sent_line = tr("Sent by each rank so far: {sent} of a vector (all links busy at once).", sent=sent)
    return f"{text} <br><small>{sent_line}</small>"


def ring_svg(state: dict, n: int, size: int = 460) -> str:
    """The ring: ranks on a circle, each with its chunks; arrows for this step's sends."""
    cx = cy = size / 2
    radius = size / 2 - 80
    cell = min(26, 150 // n)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" font-family="sans-serif" '
        'font-size="10">',
        '<defs><marker id="ring-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>',
    ]
    pos = [
        (
            cx + radius * math.cos(2 * math.pi * i / n - math.pi / 2),
            cy + radius * math.sin(2 * math.pi * i / n - math.pi / 2),
        )
        for i in range(n)
    ]
    for src, dst, c in state["sends"]:
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        dx, dy = x1 - x0, y1 - y0
        d = math.hypot(dx, dy) or 1.0
        shrink = 0.5 * cell * n / 2 + 8
        ax, ay = x0 + dx / d * shrink, y0 + dy / d * shrink
        bx, by = x1 - dx / d * shrink, y1 - dy / d * shrink
        mx, my = (ax + bx) / 2 - dy / d * 14, (ay + by) / 2 + dx / d * 14  # bow outwards
        lx, ly = (ax + bx) / 2 - dy / d * 30, (ay + by) / 2 + dx / d * 30  # the label beyond the curve
        color = CHUNK_COLORS[c % len(CHUNK_COLORS)]
        out.append(
            f'<path d="M {ax:.1f} {ay:.1f} Q {mx:.1f} {my:.1f} {bx:.1f} {by:.1f}" fill="none" stroke="{color}" '
            'stroke-width="3" marker-end="url(#ring-arrow)"/>'
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" fill="{color}" font-weight="bold" '
            f'stroke="#fff" stroke-width="3" paint-order="stroke">{tr("chunk {c}", c=c)}</text>'
        )
    for i, (x, y) in enumerate(pos):
        x0 = x - cell * n / 2
        out.append(
            f'<text x="{x:.1f}" y="{y - cell / 2 - 6:.1f}" text-anchor="middle" font-size="12">{tr("rank {i}", i=i)}</text>'
        )
        for c in range(n):
            color = CHUNK_COLORS[c % len(CHUNK_COLORS)]
            done = state["complete"][i, c]
            sending = any(src == i and ch == c for src, _, ch in state["sends"])
            dash = ' stroke-dasharray="3,2"' if sending and not done else ""
            out.append(
                f'<rect x="{x0 + c * cell:.1f}" y="{y - cell / 2:.1f}" width="{cell - 2}" height="{cell}" '
                f'fill="{color}" fill-opacity="{0.9 if done else 0.35}" stroke="{"#000" if done else color}" '
                f'stroke-width="{2.5 if done else 1}"{dash}/>'
                f'<text x="{x0 + c * cell + (cell - 2) / 2:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                f'font-size="{9 if n > 5 else 10}">{state["values"][i, c]}</text>'
            )
    out.append("</svg>")
    return "".join(out)


class RingAllReduce(W.VBox):
    """``widgets.RingAllReduce(n=4)``: play the ``2 (n - 1)`` steps of ring all-reduce, or step through them."""

    def __init__(self, n: int = 4, interval_ms: int = 1400) -> None:
        if not 2 <= n <= 8:
            raise ValueError(f"RingAllReduce draws 2 to 8 ranks, got n={n}")
        self.n = n
        self.states = ring_states(n)
        self.frame = W.IntSlider(
            value=0, min=0, max=len(self.states) - 1, description=tr("Step"), continuous_update=True
        )
        self.play = W.Play(value=0, min=0, max=len(self.states) - 1, interval=interval_ms, description="play")
        W.jslink((self.play, "value"), (self.frame, "value"))  # the browser ticks; no kernel thread needed
        self.picture = W.HTML()
        self.picture.add_class("autolab-ring")
        self.text = W.HTML()
        super().__init__([W.HBox([self.play, self.frame]), self.text, self.picture])
        self.frame.observe(lambda change: self.show(change["new"]), "value")
        self.show(0)

    def show(self, index: int) -> None:
        state = self.states[index]
        self.picture.value = ring_svg(state, self.n)
        self.text.value = caption(state, self.n, index)

    @property
    def result(self) -> np.ndarray:
        """What each rank holds at the end (every row is the sum of all ranks' vectors)."""
        return self.states[-1]["values"]
