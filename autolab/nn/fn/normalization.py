"""Normalisation over other axes than BatchNorm's: per sample (layer_norm), per group of channels (group_norm),
per sample and channel (instance_norm). All are "subtract the mean, divide by the standard deviation" over some
dims, written with tensor ops; only which dims differs, which is the whole lesson."""

from __future__ import annotations

from collections.abc import Sequence

from ... import ops
from ...tensor import Tensor

__all__ = ["layer_norm", "group_norm", "instance_norm"]


def _standardise(x: Tensor, dims: tuple[int, ...], eps: float) -> Tensor:
    """(x - mean) / sqrt(var + eps) over ``dims``, with the biased variance (divide by n), as every norm layer."""
    centred = x - x.mean(dims, keepdim=True)
    var = (centred * centred).mean(dims, keepdim=True)
    return centred * ops.rsqrt(var + eps)


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int] | int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dims (a transformer's features), then
    scale and shift elementwise."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape) :]) != shape or len(shape) > input.ndim:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, {', '.join(map(str, shape))}], "
            f"but got input of size{list(input.shape)}"
        )
    y = _standardise(input, tuple(range(input.ndim - len(shape), input.ndim)), eps)
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


def _per_channel(t: Tensor, ndim: int) -> Tensor:
    """(C,) -> (C, 1, 1, ...) so that it broadcasts along dim 1 of an ``ndim``-dim input."""
    return t.reshape(t.shape[0], *([1] * (ndim - 2)))


def group_norm(
    input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5
) -> Tensor:
    """Split the channels into ``num_groups`` groups and normalise each sample's group (channels and positions
    together). One group is layer norm over (C, H, W); C groups is instance norm."""
    n, c = input.shape[0], input.shape[1]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(input.shape)} and num_groups={num_groups}"
        )
    y = _standardise(input.reshape(n, num_groups, -1), (2,), eps).reshape(input.shape)
    if weight is not None:
        y = y * _per_channel(weight, input.ndim)
    return y if bias is None else y + _per_channel(bias, input.ndim)


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each (sample, channel) plane over its positions: style transfer's norm, blind to contrast.

    With running statistics, the batch's average of the per-instance statistics updates them (the unbiased
    variance, as BatchNorm); ``use_input_stats=False`` normalises with the running ones instead."""
    dims = tuple(range(2, input.ndim))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        y = (input - _per_channel(running_mean, input.ndim)) * _per_channel(ops.rsqrt(running_var + eps), input.ndim)
    else:
        if running_mean is not None and running_var is not None:
            x = input._data
            n = x[0, 0].size
            mean, var = x.mean(axis=dims), x.var(axis=dims) * n / max(n - 1, 1)
            running_mean._data[...] = (1 - momentum) * running_mean._data + momentum * mean.mean(0)
            running_var._data[...] = (1 - momentum) * running_var._data + momentum * var.mean(0)
        y = _standardise(input, dims, eps)
    if weight is not None:
        y = y * _per_channel(weight, input.ndim)
    return y if bias is None else y + _per_channel(bias, input.ndim)
