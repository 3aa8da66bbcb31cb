"""``autolab.nn.functional`` (usually imported as ``F``): the stateless forms of the layers and losses.

Most are a few tensor ops, so their backward comes from autograd; conv and pooling call the kernels.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.conv import avg_pool2d, max_pool2d
from ..ops.normalization import batch_norm as fused_batch_norm
from ..ops.shape import pad as _pad
from ..ops.softmax import log_softmax, softmax
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
from .losses import (  # the losses live in losses.py and losses_margin.py; F is one namespace, as in PyTorch
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    gaussian_nll_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
)
from .losses_margin import (
    cosine_embedding_loss,
    cosine_similarity,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    pairwise_distance,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)

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
    # the losses added with losses.py
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "soft_margin_loss",
    "multilabel_soft_margin_loss",
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
