"""``autolab.nn.functional`` (usually imported as ``F``): the stateless forms of the layers and losses.

Most are a few tensor ops, so their backward comes from autograd; conv and pooling call the kernels.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.conv import avg_pool2d, max_pool2d
from ..ops.normalization import batch_norm as fused_batch_norm
from ..ops.shape import pad as _pad
from ..ops.softmax import cross_entropy_fused, log_softmax, softmax
from ..ops.unary import leaky_relu, relu, sigmoid, tanh
from ..random import rng
from ..tensor import Tensor
from .fn.activation import *  # noqa: F403  (elu, gelu, silu, softplus, ...: the layers' functions, by family)
from .fn.activation import __all__ as _activation_all
from .fn.attention import scaled_dot_product_attention
from .fn.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .fn.dropout import *  # noqa: F403
from .fn.dropout import __all__ as _dropout_all
from .fn.normalization import *  # noqa: F403
from .fn.normalization import __all__ as _normalization_all
from .fn.pooling import *  # noqa: F403
from .fn.pooling import __all__ as _pooling_all
from .fn.sparse import embedding
from .fn.upsampling import *  # noqa: F403
from .fn.upsampling import __all__ as _upsampling_all

__all__ = [
    "linear",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "dropout",
    "batch_norm",
    "flatten",
    "one_hot",
    "mse_loss",
    "l1_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "relu_",
    "pad",
]
__all__ += _activation_all + _normalization_all + _dropout_all + ["scaled_dot_product_attention", "embedding"]
__all__ += ["conv1d", "conv_transpose1d", "conv_transpose2d"] + _pooling_all + _upsampling_all


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``; weight has shape (out_features, in_features), as in PyTorch."""
    if input.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"linear: input {tuple(input.shape)} has {input.shape[-1]} features but the layer expects "
            f"{weight.shape[-1]} (weight {tuple(weight.shape)}): mat1 and mat2 shapes cannot be "
            f"multiplied ({int(np.prod(input.shape[:-1]))}x{input.shape[-1]} and "
            f"{weight.shape[1]}x{weight.shape[0]})"
        )
    out = ops.matmul(input, weight.t())
    return out if bias is None else out + bias


def pad(input: Tensor, pad: tuple, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last dims of ``input``: ``pad = (left, right, top, bottom, ...)``, last dim first."""
    return _pad(input, pad, mode=mode, value=value)


def relu_(input: Tensor) -> Tensor:
    return relu(input)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return ops.flatten(input, start_dim, end_dim)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), so the expected value is unchanged."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0
    keep = rng().random(input.shape) >= p  # drawn on the host, also for a CUDA input (then copied there)
    mask = Tensor._wrap((keep / (1 - p)).astype(input._data.dtype))
    return input * (mask if input.device.type == "cpu" else mask.to(input.device))


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dim 1) to zero mean and unit variance, then scale and shift.

    In training the batch's statistics are used and the running ones updated (with the unbiased variance, as
    PyTorch does); in eval the running statistics are used.
    """
    if running_var is None and (running_mean is not None or not training):
        raise RuntimeError(
            "batch_norm: running_var is None; pass both running statistics (in training you may pass neither)"
        )
    if running_mean is None and not training:
        raise RuntimeError("batch_norm: running_mean is None; evaluation mode needs the running statistics")
    axes = (0,) + tuple(range(2, input.ndim))
    c = input.shape[1]
    x = input._data
    if training:
        n = input.numel() // c
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {tuple(input.shape)}"
            )
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        if running_mean is not None and running_var is not None:
            m = momentum
            running_mean._data[...] = (1 - m) * running_mean._data + m * mean
            running_var._data[...] = (1 - m) * running_var._data + m * var * n / (n - 1)
    else:
        assert running_mean is not None and running_var is not None  # checked above
        mean, var = running_mean._data, running_var._data
    dt = x.dtype
    w = weight if weight is not None else Tensor._wrap(np.ones(c, dt))
    b = bias if bias is not None else Tensor._wrap(np.zeros(c, dt))
    return fused_batch_norm(input, w, b, mean.astype(dt, copy=False), var.astype(dt, copy=False), eps, training)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    idx = tensor._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot is only applicable to index tensor of integer dtype, got {tensor.dtype}")
    n = int(idx.max()) + 1 if num_classes == -1 else num_classes
    return Tensor._wrap(np.eye(n, dtype=np.int64)[idx])


# ---- losses ---------------------------------------------------------------------------------------------------
def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction (use 'mean', 'sum' or 'none')")


def _same_shape(name: str, input: Tensor, target: Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(
            f"{name}: target shape {tuple(target.shape)} differs from input shape {tuple(input.shape)}; "
            "they must match (broadcasting here usually hides a bug, e.g. (N, 1) against (N,))"
        )


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    _same_shape("mse_loss", input, target)
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    _same_shape("l1_loss", input, target)
    return _reduce(ops.abs(input - target), reduction)


def _check_classes(name: str, input: Tensor, target: Tensor, ignore_index: int = -100) -> None:
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}: expected target of dtype int64 (class indices), got {target.dtype}. Class "
            "probabilities are not supported; convert labels with .long()"
        )
    if input.ndim < 1 or (input.ndim >= 2 and (target.shape[0] != input.shape[0] or target.ndim != input.ndim - 1)):
        raise ValueError(
            f"{name}: expected input (N, C) and target (N,), got input {tuple(input.shape)} and target "
            f"{tuple(target.shape)}"
        )
    c = input.shape[1] if input.ndim >= 2 else input.shape[0]
    t = target._data
    if t.size and (t.min() < 0 or t.max() >= c):
        bad = t[((t < 0) | (t >= c)) & (t != ignore_index)]
        if bad.size:
            raise IndexError(f"{name}: target {int(bad.ravel()[0])} is out of bounds for {c} classes")


def nll_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood: ``-input[i, target[i]]`` averaged, where ``input`` holds log-probabilities."""
    _check_classes("nll_loss", input, target, ignore_index)
    out_shape = tuple(target.shape)  # reduction='none' gives one loss per target, in the target's shape
    if input.ndim == 1:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    if input.ndim > 2:  # (N, C, d1, ...) -> (N*d1*..., C)
        c = input.shape[1]
        input = input.permute(0, *range(2, input.ndim), 1).reshape(-1, c)
        target = target.reshape(-1)
    t = target._data
    keep = t != ignore_index
    safe = np.where(keep, t, 0)  # any valid class for the ignored rows; their weight below is 0
    picked = -input[Tensor._wrap(np.arange(t.size)), Tensor._wrap(safe)]
    w = keep if weight is None else np.where(keep, weight._data[safe], 0)
    w = Tensor._wrap(w.astype(input._data.dtype))
    if not keep.all():  # 0, not 0 * input: an ignored row's input may be inf (PyTorch skips those rows)
        picked = picked.masked_fill(Tensor._wrap(~keep), 0.0)
    picked = picked * w
    if reduction == "mean":  # a weighted mean over the targets not ignored (0/0 = nan if all are, as PyTorch)
        with np.errstate(invalid="ignore", divide="ignore"):
            return picked.sum() / w.sum()
    if reduction == "none":
        return picked.reshape(out_shape)
    return _reduce(picked, reduction)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """log_softmax over the class dim (1), then nll_loss: the standard classification loss on raw scores."""
    if label_smoothing:
        raise NotImplementedError("cross_entropy: label_smoothing is not supported in autolab")
    _check_classes("cross_entropy", input, target, ignore_index)
    if (
        input.ndim == 2
        and weight is None
        and input.is_floating_point()
        and reduction in ("mean", "sum", "none")
        and not (target._data == ignore_index).any()
    ):
        return cross_entropy_fused(input, target, reduction)
    return nll_loss(log_softmax(input, dim=1 if input.ndim > 1 else 0), target, weight, ignore_index, reduction)


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    _same_shape("binary_cross_entropy", input, target)
    if not ((input._data >= 0) & (input._data <= 1)).all():  # written so that NaN fails too
        raise RuntimeError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 (apply sigmoid "
            "first, or use binary_cross_entropy_with_logits)"
        )
    if not ((target._data >= 0) & (target._data <= 1)).all():
        raise RuntimeError("binary_cross_entropy: all elements of target should be between 0 and 1")
    # PyTorch clamps log at -100 so that a confident wrong answer gives a large, finite loss
    log_p = ops.clamp(ops.log(input), min=-100)
    log_1mp = ops.clamp(ops.log(1 - input), min=-100)
    loss = -(target * log_p + (1 - target) * log_1mp)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE on raw scores: (1 - y) x - w log sigmoid(x), with log sigmoid(x) = min(x, 0) - log(1 + e^-|x|), stable
    for any x (w = 1 + (pos_weight - 1) y). PyTorch's arrangement, so that an infinite logit gives what it gives."""
    _same_shape("binary_cross_entropy_with_logits", input, target)
    log_sigmoid = -relu(-input) - ops.log(1 + ops.exp(-ops.abs(input)))
    lw = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
    loss = (1 - target) * input - lw * log_sigmoid
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
