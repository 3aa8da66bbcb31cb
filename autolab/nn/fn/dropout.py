"""Dropout variants: whole channels (dropout1d/2d, for conv features, whose neighbours are correlated so single
zeros would barely regularise) and alpha dropout (keeps SELU's mean 0 and variance 1)."""

from __future__ import annotations

import warnings

import numpy as np

from ...random import rng
from ...tensor import Tensor

__all__ = ["dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout", "alpha_dropout"]

_SELU_SATURATION = 1.7580993408473766  # -scale * alpha of SELU: where its negative side saturates


def _check(p: float) -> None:
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_dropout(input: Tensor, p: float, training: bool) -> Tensor:
    """PyTorch's feature dropout: one draw per (dim 0, dim 1) pair, broadcast over the remaining dims."""
    if not training or p == 0:
        return input
    if input.ndim < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input, got {input.ndim}")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    keep = (rng().random(shape) >= p) / (1 - p) if p < 1 else np.zeros(shape)
    return input * Tensor._wrap(keep.astype(input._data.dtype))


def _deprecated_dims(name: str, ndim: int, spatial: int) -> None:
    """PyTorch warns (and goes on) when dropout2d/3d get a number of dims they were not made for."""
    warnings.warn(
        f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an error in a future "
        "release. To retain the behavior and silence this warning, please use dropout instead. Note that "
        f"{name} exists to provide channel-wise dropout on inputs with {spatial} spatial dimensions, a channel "
        f"dimension, and an optional batch dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).",
        stacklevel=3,
    )


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability p; scale the rest by 1/(1-p)."""
    _check(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs)."
        )
    if input.ndim == 2:  # (C, L): a batch of one
        return _feature_dropout(input.unsqueeze(0), p, training).squeeze(0)
    return _feature_dropout(input, p, training)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) input with probability p; scale the rest by 1/(1-p).

    As in PyTorch 2.13, a 3-D input is read as (N, C, L) (1-D channel dropout, with PyTorch's warning), and
    other numbers of dims are deprecated but still run: each (dim 0, dim 1) pair is kept or dropped."""
    _check(p)
    if input.ndim not in (3, 4):
        _deprecated_dims("dropout2d", input.ndim, 2)
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p; scale the rest."""
    _check(p)
    if input.ndim not in (4, 5):
        _deprecated_dims("dropout3d", input.ndim, 3)
    if input.ndim != 5:  # not batched: a batch of one
        return _feature_dropout(input.unsqueeze(0), p, training).squeeze(0)
    return _feature_dropout(input, p, training)


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
