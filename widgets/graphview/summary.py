"""What a node shows of a tensor: its numbers when it is small, its shape and statistics when it is not.

A scalar reads as ``2.0``, a small matrix as its rows, and anything larger as its shape plus mean, standard
deviation and norm, with a sparkline histogram. Summaries are plain data (no tensors), so a captured graph never
keeps a batch of activations alive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

BINS = 16  # bars of a sparkline histogram
MAX_ROWS, MAX_COLS = 4, 4  # the largest matrix shown number by number


def fmt(v: float, digits: int = 5) -> str:
    """A number the way a student writes it: ``2.0``, ``-0.375``, ``1.2346e-5``; ``nan`` and ``inf`` as such."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0.0"
    s = f"{v:.{digits}g}"
    if "e" not in s and "." not in s:
        s += ".0"
    return s.replace("e-0", "e-").replace("e+0", "e+")


@dataclass
class Summary:
    """A tensor's shape and dtype, and either all its values (small) or statistics and a histogram (large)."""

    shape: tuple[int, ...]
    dtype: str
    values: np.ndarray | None = None  # float64 copy, only when small
    mean: float = 0.0
    std: float = 0.0
    norm: float = 0.0
    min: float = 0.0
    max: float = 0.0
    nonfinite: int = 0  # how many nan/inf values
    counts: list[int] = field(default_factory=list)  # histogram of the finite values (large tensors only)
    edges: tuple[float, float] = (0.0, 0.0)
    numel: int = 1

    @property
    def is_scalar(self) -> bool:
        return self.numel == 1

    @property
    def item(self) -> float:
        """The value of a one-element tensor (nan for a larger one)."""
        return float(self.values.reshape(-1)[0]) if self.values is not None and self.numel == 1 else math.nan


def is_small(shape: tuple[int, ...]) -> bool:
    """Small enough to show every number: a scalar, a short vector, a matrix up to 4 x 4."""
    if len(shape) == 0:
        return True
    if len(shape) == 1:
        return shape[0] <= 6
    if len(shape) == 2:
        return shape[0] <= MAX_ROWS and shape[1] <= MAX_COLS
    return int(np.prod(shape)) == 1


def summarize(array: np.ndarray, bins: int = BINS) -> Summary:
    a = np.asarray(array)
    s = Summary(tuple(int(n) for n in a.shape), str(a.dtype), numel=int(a.size))
    flat = a.astype(np.float64, copy=False).reshape(-1)
    small = is_small(s.shape)
    if small:
        s.values = flat.reshape(a.shape).copy()
    finite = flat[np.isfinite(flat)]
    s.nonfinite = int(flat.size - finite.size)
    if finite.size:
        s.mean, s.std = float(finite.mean()), float(finite.std())
        s.min, s.max = float(finite.min()), float(finite.max())
        s.norm = float(np.sqrt(np.dot(finite, finite)))
        if not small:  # a small tensor shows its numbers; a histogram of four values says nothing more
            counts, edges = np.histogram(finite, bins=bins)
            s.counts, s.edges = [int(c) for c in counts], (float(edges[0]), float(edges[-1]))
    if s.nonfinite:
        s.norm = math.nan  # a norm over the finite values only would hide the problem
    return s


def shape_text(shape: tuple[int, ...]) -> str:
    return str(tuple(shape)) if shape else "scalar"


def inline(s: Summary | None) -> str:
    """One short line: ``-6.0``, ``[1.0, 2.0]``, or ``(3, 4) ‖·‖ 2.5`` (edge labels, table cells)."""
    if s is None:
        return ""
    if s.values is not None and s.numel <= 3:
        flat = [fmt(v) for v in s.values.reshape(-1)]
        return flat[0] if s.is_scalar else "[" + ", ".join(flat) + "]"
    return f"{shape_text(s.shape)} ‖·‖ {fmt(s.norm)}"


def full_text(s: Summary) -> str:
    """Every number of a small tensor, or the statistics of a large one, for the table view and details."""
    if s.values is not None:
        return fmt(s.item) if s.is_scalar else " ".join(_matrix_lines(s.values, 6))
    return (
        f"{shape_text(s.shape)}: mean {fmt(s.mean)}, std {fmt(s.std)}, norm {fmt(s.norm)}, "
        f"min {fmt(s.min)}, max {fmt(s.max)}" + (f", {s.nonfinite} nan/inf" if s.nonfinite else "")
    )


def _matrix_lines(values: np.ndarray, digits: int = 4) -> list[str]:
    """Rows of a vector or matrix with aligned columns, numpy style."""
    m = np.atleast_2d(values)
    cells = [[fmt(v, digits) for v in row] for row in m]
    width = max((len(c) for row in cells for c in row), default=0)  # an empty tensor has no cells
    rows = ["[" + ", ".join(c.rjust(width) for c in row) + "]" for row in cells]
    if values.ndim == 1:
        return rows
    last = len(rows) - 1
    return [("[" if i == 0 else " ") + r + ("]" if i == last else ",") for i, r in enumerate(rows)]


def rows(s: Summary | None, label: str) -> list[dict]:
    """The rows a node draws for a value or a gradient: text lines and, for a large tensor, a sparkline.

    Each row is ``{"text": ...}`` or ``{"spark": counts}``; the browser draws them top to bottom.
    """
    if s is None:
        return []
    if s.values is not None:
        if s.is_scalar:
            return [{"text": f"{label} {fmt(s.item)}"}]
        lines = _matrix_lines(s.values)
        pad = " " * (len(label) + 1)
        return [{"text": (label + " " if i == 0 else pad) + line} for i, line in enumerate(lines)]
    bad = f" ({s.nonfinite} nan/inf)" if s.nonfinite else ""
    return [
        {"text": f"{label} μ {fmt(s.mean)} σ {fmt(s.std)}"},
        {"text": f"{' ' * len(label)} ‖·‖ {fmt(s.norm)}{bad}"},
        {"spark": s.counts, "range": [fmt(s.edges[0]), fmt(s.edges[1])]},
    ]
