"""Which GPU thread touched which element: run a kernel under numba's CUDA simulator and draw the answer.

``trace(kernel, grid, block, *arrays)`` launches ``kernel[grid, block](*arrays)`` with each numpy array
replaced by a recording copy: every element a simulated thread reads or writes is logged with that thread's
``(blockIdx, threadIdx)`` and how many accesses to that array the thread had made before (its *step*). The
results are copied back into your arrays, as a real launch would. Needs the simulator
(``NUMBA_ENABLE_CUDASIM=1`` before numba is imported): on a real GPU nothing can watch the threads.

- ``thread_map(t, "out")``: each element of ``out`` coloured by the thread (or block) that wrote it, labelled
  with its ``threadIdx`` (tiles of a tiled kernel show up as blocks of one colour);
- ``access_steps(t, "x")``: for the first threads of block 0 (a warp, on a GPU), the element each one read at
  steps 0, 1, 2...: neighbouring threads reading neighbouring elements in the same step is *coalesced*
  access (one memory transaction serves them all); threads far apart in the same step is *strided* access.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._figure import new_figure, to_png


@dataclass
class Trace:
    """What a traced launch did: ``events`` rows of (array name, "read" or "write", flat index, block, thread,
    step), ``shapes`` of the arrays, ``block`` the launch's block shape."""

    events: list = field(default_factory=list)
    shapes: dict = field(default_factory=dict)
    block: tuple = (1, 1, 1)
    grid: tuple = (1, 1, 1)

    def owners(self, name: str, kind: str = "write", by: str = "thread") -> np.ndarray:
        """Per element of ``name``: the global id of the (last) thread, or block, that accessed it; -1 if none."""
        owner = np.full(int(np.prod(self.shapes[name])), -1)
        bx, by_, _ = self.block
        gx, gy, _ = self.grid
        for n, k, flat, b, t, _step in self.events:
            if n == name and k == kind:
                block_id = (b[2] * gy + b[1]) * gx + b[0]
                owner[flat] = (
                    block_id
                    if by == "block"
                    else block_id * (bx * by_ * self.block[2]) + (t[2] * by_ + t[1]) * bx + t[0]
                )
        return owner.reshape(self.shapes[name])

    def steps(self, name: str, kind: str = "read", threads: int = 8) -> np.ndarray:
        """``[thread, step]``: the flat index that thread ``(x, 0, 0)`` of block 0 accessed at each step (-1: none)."""
        rows: dict[int, dict[int, int]] = {}
        for n, k, flat, b, t, step in self.events:
            if n == name and k == kind and b == (0, 0, 0) and t[1] == t[2] == 0 and t[0] < threads:
                rows.setdefault(t[0], {})[step] = flat
        most = max((max(r) for r in rows.values()), default=-1) + 1
        out = np.full((threads, most), -1)
        for x, r in rows.items():
            for s, flat in r.items():
                out[x, s] = flat
        return out


def _recording_class(name: str, log: Trace) -> type:
    """A numpy subclass that logs element accesses made from simulated CUDA threads.

    A class of its own per array: the simulator copies arrays to its fake device keeping their class (not their
    attributes), so the class is what carries the name and the log."""

    counters: dict = {}
    lock = threading.Lock()

    def record(self: np.ndarray, kind: str, idx: Any) -> None:
        me = threading.current_thread()
        if not hasattr(me, "threadIdx") or self.ndim == 0:
            return  # not a simulated GPU thread (the simulator's own copies)
        try:
            flat = int(np.ravel_multi_index(idx if isinstance(idx, tuple) else (idx,), self.shape))
        except (TypeError, ValueError):
            return  # a slice, not one element
        b, t = me.blockIdx, me.threadIdx
        key = ((b.x, b.y, b.z), (t.x, t.y, t.z), kind)
        with lock:
            step = counters.get(key, 0)
            counters[key] = step + 1
            log.events.append((name, kind, flat, key[0], key[1], step))

    def getitem(self: np.ndarray, idx: Any) -> Any:
        record(self, "read", idx)
        return np.ndarray.__getitem__(self, idx)

    def setitem(self: np.ndarray, idx: Any, value: Any) -> None:
        record(self, "write", idx)
        np.ndarray.__setitem__(self, idx, value)

    return type(f"Recording_{name}", (np.ndarray,), {"__getitem__": getitem, "__setitem__": setitem})


def trace(kernel: Any, grid: Any, block: Any, *args: Any, names: list[str] | None = None) -> Trace:
    """Launch ``kernel[grid, block](*args)`` under the simulator, recording every element access of the numpy
    arrays in ``args`` (named ``names``, default ``a0, a1, ...``). Returns the ``Trace``."""
    from numba import cuda

    if not getattr(cuda, "simulator", None) and not cuda.is_available():
        raise RuntimeError("trace() needs numba's CUDA simulator: set NUMBA_ENABLE_CUDASIM=1 before importing numba")
    grid = (grid,) if isinstance(grid, int) else tuple(grid)
    block = (block,) if isinstance(block, int) else tuple(block)
    log = Trace(block=(block + (1, 1))[:3], grid=(grid + (1, 1))[:3])
    names = names or [f"a{i}" for i in range(len(args))]
    traced = []
    for name, a in zip(names, args):
        if isinstance(a, np.ndarray) and a.ndim:
            log.shapes[name] = a.shape
            a = a.view(_recording_class(name, log))
        traced.append(a)
    kernel[grid, block](*traced)
    return log


def _colours(n: int) -> Any:
    from matplotlib import colormaps

    return colormaps["tab20"].resampled(max(n, 1))


def thread_map(t: Trace, name: str, kind: str = "write", by: str = "thread", title: str | None = None) -> Any:
    """An ``ipywidgets.Image``: the elements of 2-D (or 1-D) array ``name``, coloured by who ``kind``-accessed them."""
    import ipywidgets

    owner = t.owners(name, kind, by)
    grid = owner.reshape(1, -1) if owner.ndim == 1 else owner.reshape(owner.shape[0], -1)
    h, w = grid.shape
    fig = new_figure(min(12, 1 + 0.5 * w), min(8, 1 + 0.5 * h))
    ax = fig.add_subplot(1, 1, 1)
    ids = sorted({int(v) for v in grid.ravel() if v >= 0})
    cmap = _colours(len(ids))
    rgb = np.ones((h, w, 3))
    for i, v in enumerate(ids):
        rgb[grid == v] = cmap(i)[:3]
    ax.imshow(rgb, interpolation="nearest")
    per_block = int(np.prod(t.block))
    if h * w <= 256:
        for (r, c), v in np.ndenumerate(grid):
            if v >= 0:
                label = str(v) if by == "block" else str(v % per_block)
                ax.text(c, r, label, ha="center", va="center", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])
    what = "block" if by == "block" else "thread (number inside its block)"
    ax.set_title(title or f"{name}: which {what} {'wrote' if kind == 'write' else 'read'} each element", fontsize=9)
    fig.tight_layout()
    return ipywidgets.Image(value=to_png(fig), format="png")


def access_steps(t: Trace, name: str, kind: str = "read", threads: int = 8, title: str | None = None) -> Any:
    """An ``ipywidgets.Image``: the flat index each of the first ``threads`` threads of block 0 accessed at each
    step. Neighbouring threads at neighbouring indices in one column = coalesced."""
    import ipywidgets

    steps = t.steps(name, kind, threads)
    size = int(np.prod(t.shapes[name]))
    nsteps = min(steps.shape[1], 6)
    fig = new_figure(min(12, 2 + 0.18 * size), 0.6 + 0.45 * nsteps)
    ax = fig.add_subplot(1, 1, 1)
    cmap = _colours(threads)
    for s in range(nsteps):
        ax.add_patch(_rect(0, s, size, "#f4f4f4"))
        for x in range(threads):
            if steps[x, s] >= 0:
                ax.add_patch(_rect(steps[x, s], s, 1, cmap(x)))
                ax.text(steps[x, s] + 0.5, s + 0.5, str(x), ha="center", va="center", fontsize=6)
    ax.set_xlim(0, size)
    ax.set_ylim(nsteps, 0)
    ax.set_xlabel(f"element of {name} (flat index, i.e. memory address order)")
    ax.set_ylabel("step")
    ax.set_yticks([s + 0.5 for s in range(nsteps)], [str(s) for s in range(nsteps)])
    ax.set_title(title or f"threads 0-{threads - 1} of block 0: what each {kind}s at each step", fontsize=9)
    fig.tight_layout()
    return ipywidgets.Image(value=to_png(fig), format="png")


def _rect(x: float, y: float, w: float, colour: Any) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y + 0.1), w, 0.8, color=colour, linewidth=0)
