"""Scaled dot-product attention and the multi-head attention forward, in tensor ops.

softmax(Q K^T / sqrt(d) + mask) V: each query position takes a weighted average of the values, weighted by how
well its query matches each key. Masks come in two conventions, both PyTorch's: in ``scaled_dot_product_attention``
a boolean mask says where attention is *allowed* (True = attend); in ``nn.MultiheadAttention`` (attn_mask,
key_padding_mask) True means *masked out*. A float mask is added to the scores in both.
"""

from __future__ import annotations

import math

import numpy as np

from ... import ops
from ...ops.softmax import softmax
from ...random import rng
from ...tensor import Tensor

__all__ = ["scaled_dot_product_attention"]


def _additive(mask: Tensor | None, dtype: np.dtype, allowed_when_true: bool) -> Tensor | None:
    """A mask as a float tensor to add to the scores: 0 where attention may go, -inf where it may not."""
    if mask is None or mask._data.dtype.kind == "f":
        return mask
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"only bool and floating types of masks are supported, got {mask.dtype}")
    blocked = ~mask._data if allowed_when_true else mask._data
    return Tensor._wrap(np.where(blocked, -np.inf, 0).astype(dtype))


def _causal(l: int, s: int, dtype: np.dtype) -> Tensor:
    """-inf above the diagonal: position i may attend to positions 0..i only."""
    return Tensor._wrap(np.triu(np.full((l, s), -np.inf, dtype), 1))


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q K^T * scale + mask) V over the last two dims (..., L, E) x (..., S, E) -> (..., L, Ev).

    ``scale`` defaults to 1/sqrt(E); ``is_causal`` masks the future; a boolean ``attn_mask`` is True where a
    query may attend. Dropout (``dropout_p``) is applied to the attention weights."""
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported in autolab")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    dtype = query._data.dtype
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = ops.matmul(query * scale, key.transpose(-2, -1))
    mask = _causal(query.shape[-2], key.shape[-2], dtype) if is_causal else _additive(attn_mask, dtype, True)
    if mask is not None:
        scores = scores + mask
    weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout_weights(weights, dropout_p)
    return ops.matmul(weights, value)


def dropout_weights(weights: Tensor, p: float) -> Tensor:
    """F.dropout's rule (zero with probability p, scale the rest by 1/(1-p)); F itself imports this file."""
    if p >= 1:
        return weights * 0
    keep = (rng().random(weights.shape) >= p) / (1 - p)
    return weights * Tensor._wrap(keep.astype(weights._data.dtype))
