"""Numbers about parameters and gradients that observers of training want to plot.

They live in the engine, not in the widgets, because they are facts about the model (a gradient norm, how much
a step moved a weight), and a script can print them as well as a dashboard can draw them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np


def _array(t: Any) -> np.ndarray:
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def norm(t: Any) -> float:
    """The L2 norm of a tensor (or array), as a Python float, computed in float64."""
    a = _array(t).ravel()
    # einsum accumulates in float64 without a float64 copy of the array: ~100x faster than astype + dot here,
    # which matters because the graph view takes the norm of every intermediate gradient of a captured step.
    return float(np.sqrt(np.einsum("i,i->", a, a, dtype=np.float64)))


def grad_norms(named_parameters: Iterable[tuple[str, Any]]) -> dict[str, float]:
    """``{name: ||p.grad||}`` for the parameters that have a gradient."""
    return {name: norm(p.grad) for name, p in named_parameters if p.grad is not None}


def snapshot(named_parameters: Iterable[tuple[str, Any]]) -> dict[str, np.ndarray]:
    """Copies of the parameter values, to measure what the next optimizer step changes."""
    return {name: _array(p).copy() for name, p in named_parameters}


def update_ratios(before: dict[str, np.ndarray], named_parameters: Iterable[tuple[str, Any]]) -> dict[str, float]:
    """``||w_after - w_before|| / ||w_before||`` per parameter.

    A healthy rate of learning moves weights by about 1e-3 of their size per step (Karpathy's rule of thumb);
    1e-1 means the learning rate is far too high, 1e-6 that the layer barely learns.
    """
    ratios = {}
    for name, p in named_parameters:
        if name not in before:
            continue
        old = before[name]
        scale = norm(old)
        ratios[name] = norm(_array(p) - old) / scale if scale > 0 else float("nan")
    return ratios


def histogram(t: Any, bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """``(counts, edges)`` of the finite values of a tensor."""
    a = _array(t).ravel()
    a = a[np.isfinite(a)]
    if a.size == 0:
        return np.zeros(bins, dtype=np.int64), np.linspace(0.0, 1.0, bins + 1)
    return np.histogram(a, bins=bins)


def count_correct(output: Any, target: Any) -> int | None:
    """Right predictions when ``output`` holds class scores ``(N, classes)`` and ``target`` class indices."""
    out, tgt = _array(output), _array(target)
    if out.ndim != 2 or tgt.ndim != 1 or tgt.dtype.kind not in "iu" or len(out) != len(tgt):
        return None
    return int((out.argmax(axis=1) == tgt).sum())


def confusion_matrix(predictions: Any, targets: Any, num_classes: int) -> np.ndarray:
    """``m[true, predicted]`` counts."""
    p, t = _array(predictions).astype(np.int64).ravel(), _array(targets).astype(np.int64).ravel()
    m = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(m, (t, p), 1)
    return m


@dataclass(frozen=True)
class StepStats:
    """Gradient statistics of one step, per parameter name."""

    grad_norms: dict[str, float]
    update_ratios: dict[str, float]
