"""Dropout variants: whole channels (dropout1d/2d, for conv features, whose neighbours are correlated so single
zeros would barely regularise) and alpha dropout (keeps SELU's mean 0 and variance 1)."""

from __future__ import annotations

import numpy as np

from ...random import rng
from ...tensor import Tensor

__all__ = ["dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout", "alpha_dropout"]

_SELU_SATURATION = 1.7580993408473766  # -scale * alpha of SELU: where its negative side saturates


def _check(p: float) -> None:
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _channel_dropout(input: Tensor, p: float, training: bool, spatial: int, name: str) -> Tensor:
    _check(p)
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(
            f"{name}: Expected {spatial + 1}D or {spatial + 2}D input, but received a {input.ndim}D input"
        )
    if not training or p == 0:
        return input
    # one draw per (sample, channel), broadcast over the positions
    shape = tuple(input.shape[: input.ndim - spatial]) + (1,) * spatial
    keep = (rng().random(shape) >= p) / (1 - p) if p < 1 else np.zeros(shape)
    return input * Tensor._wrap(keep.astype(input._data.dtype))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability p; scale the rest by 1/(1-p)."""
    return _channel_dropout(input, p, training, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability p; scale the rest by 1/(1-p)."""
    return _channel_dropout(input, p, training, 2, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    return _channel_dropout(input, p, training, 3, "dropout3d")


def _alpha(input: Tensor, p: float, training: bool, shape: tuple) -> Tensor:
    _check(p)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0
    alpha = _SELU_SATURATION
    keep = (rng().random(shape) >= p).astype(input._data.dtype)
    a = 1.0 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    # dropped units are set to SELU's saturation value, then an affine map restores mean and variance
    b = (keep - 1) * (alpha * a) + alpha * a * p
    return input * Tensor._wrap(keep * a) + Tensor._wrap(b)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for self-normalising (SELU) networks: the output keeps the input's mean and variance."""
    return _alpha(input, p, training, tuple(input.shape))


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    return _alpha(input, p, training, tuple(input.shape[:2]) + (1,) * (input.ndim - 2))
