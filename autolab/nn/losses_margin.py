"""Margin losses of ``autolab.nn.functional``: hinges, ranking, embeddings, triplets, and the distances they use.

Each wants a score (or a distance) on the right side of a margin and is zero once it is there, so only the
examples still inside the margin pull on the weights. The reduction and the checks they share with the other
losses are in ``losses.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import ops
from ..creation import zeros_like
from ..ops.unary import relu
from ..tensor import Tensor
from .losses import _check_classes, _reduce, _reduction

__all__ = [
    "multilabel_margin_loss",
    "multi_margin_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "cosine_embedding_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "pairwise_distance",
    "cosine_similarity",
]


# ---- multi-class hinges -------------------------------------------------------------------------------------------
def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge: ``sum over i != y of max(0, margin - x[y] + x[i])^p / C`` per sample."""
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    _check_classes("multi_margin_loss", input, target)
    x, t = (input.unsqueeze(0), target.reshape(1)) if input.ndim == 1 else (input, target)
    rows = Tensor._wrap(np.arange(x.shape[0]))
    xy = x[rows, t].unsqueeze(1)
    z = relu(margin - xy + x)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t].unsqueeze(1)
    others = Tensor._wrap((np.arange(x.shape[1]) != t._data[:, None]).astype(x._data.dtype))
    loss = (z * others).sum(1) / x.shape[1]
    return _reduce(loss.reshape(tuple(target.shape)), reduction, size_average, reduce)


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label hinge: target rows hold the positive classes, ended by -1;
    ``sum over positives j and negatives i of max(0, 1 - (x[j] - x[i])) / C``."""
    if target.shape != input.shape or target._data.dtype.kind not in "iu":
        raise RuntimeError(f"multilabel_margin_loss: expected an int64 target of shape {tuple(input.shape)}")
    x = input.unsqueeze(0) if input.ndim == 1 else input
    t = target._data.reshape(x.shape)
    c = x.shape[1]
    pos = np.zeros(x.shape, dtype=bool)
    for n, row in enumerate(t):  # the positives are the entries before the first -1
        for j in row:
            if j < 0:
                break
            pos[n, j] = True
    pair = Tensor._wrap((pos[:, :, None] & ~pos[:, None, :]).astype(x._data.dtype))  # [n, j, i]
    hinge = relu(1 - (x.unsqueeze(2) - x.unsqueeze(1)))
    loss = (hinge * pair).sum((1, 2)) / c
    return _reduce(loss.reshape(tuple(input.shape[:-1])), reduction, size_average, reduce)


# ---- margins and embeddings ---------------------------------------------------------------------------------------
def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``: y = 1 wants x1 ranked above x2, y = -1 the reverse."""
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: "
            f"{list(input1.shape)}, input2: {list(input2.shape)}, target: {list(target.shape)} "
        )
    return _reduce(relu(-target * (input1 - input2) + margin), reduction, size_average, reduce)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``x`` where y = 1, ``max(0, margin - x)`` where y = -1 (x is usually a distance)."""
    zero = zeros_like(input)
    loss = ops.where(target != 1, relu(margin - input), zero) + ops.where(target != -1, input, zero)
    return _reduce(loss, reduction, size_average, reduce)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / max(|x1| |x2|, eps)`` along ``dim``."""
    n1 = ops.sqrt((x1 * x1).sum(dim))
    n2 = ops.sqrt((x2 * x2).sum(dim))
    return (x1 * x2).sum(dim) / ops.clamp(n1 * n2, min=eps)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where y = 1, ``max(0, cos(x1, x2) - margin)`` where y = -1."""
    dim = 1 if input1.ndim == 2 else 0
    prod = (input1 * input2).sum(dim)
    mag = (((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)).sqrt()
    cos = prod / mag
    zero = zeros_like(cos)
    loss = ops.where(target == 1, 1 - cos, zero) + ops.where(target == -1, relu(cos - margin), zero)
    return _reduce(loss, reduction, size_average, reduce)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim (eps keeps the gradient finite when x1 == x2)."""
    return ops.norm(x1 - x2 + eps, p, dim=-1, keepdim=keepdim)


def _triplet(d_ap: Tensor, d_an: Tensor, d_pn: Tensor | None, margin: float, reduction: str) -> Tensor:
    if d_pn is not None:  # swap: use the harder of the two negatives' distances
        d_an = ops.minimum(d_an, d_pn)
    return _reduce(relu(margin + d_ap - d_an), reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with the p-norm distance: pulls positives in, pushes negatives out."""
    if margin <= 0:
        raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative {negative.ndim}D inputs"
        )
    d_pn = pairwise_distance(positive, negative, p, eps) if swap else None
    return _triplet(
        pairwise_distance(anchor, positive, p, eps),
        pairwise_distance(anchor, negative, p, eps),
        d_pn,
        margin,
        _reduction(size_average, reduce, reduction),
    )


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """The triplet loss with any distance (default: ``pairwise_distance``)."""
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead")
    dist: Any = distance_function if distance_function is not None else pairwise_distance
    d_pn = dist(positive, negative) if swap else None
    return _triplet(dist(anchor, positive), dist(anchor, negative), d_pn, margin, reduction)
