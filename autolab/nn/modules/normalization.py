"""LayerNorm, GroupNorm and InstanceNorm1d/2d: normalisation that, unlike BatchNorm, does not mix the samples
of a batch (so it behaves the same in train and eval mode, and with a batch of one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...creation import ones, tensor, zeros
from ...dtypes import int64
from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from ..parameter import Parameter


def _affine_parameters(m: Module, n: int, affine: bool, bias: bool, dtype: Any) -> None:
    """weight (ones) and bias (zeros) of n channels, or None: ``bias=False`` scales without shifting."""
    m.register_parameter("weight", Parameter(ones(n, dtype=dtype)) if affine else None)
    m.register_parameter("bias", Parameter(zeros(n, dtype=dtype)) if affine and bias else None)


def _bias_repr(m: Module) -> str:
    return f", bias={m.bias is not None}"


class LayerNorm(Module):
    """Normalise over the last dims (``normalized_shape``), with an elementwise scale and shift.

    >>> nn.LayerNorm(8)(autolab.randn(2, 5, 8)).shape
    autolab.Size([2, 5, 8])
    """

    def __init__(
        self,
        normalized_shape: Sequence[int] | int,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self.weight = Parameter(ones(*shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(zeros(*shape, dtype=dtype)) if elementwise_affine and bias else None
        if self.weight is None:
            self.register_parameter("weight", None)
        if self.bias is None:
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Normalise each sample over groups of ``num_channels // num_groups`` channels (and all positions)."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_parameters(self, num_channels, affine, bias, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}{_bias_repr(self)}"


class _InstanceNorm(Module):
    _batched_ndim = 0  # 3 for InstanceNorm1d (N, C, L), 4 for InstanceNorm2d (N, C, H, W)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_parameters(self, num_features, affine, bias, dtype)
        if track_running_stats:  # the same buffers as BatchNorm, so state_dicts have PyTorch's keys
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def forward(self, input: Tensor) -> Tensor:
        n = self._batched_ndim
        if input.ndim not in (n - 1, n):
            raise ValueError(f"expected {n - 1}D or {n}D input (got {input.ndim}D input)")
        unbatched = input.ndim == n - 1
        x = input.unsqueeze(0) if unbatched else input
        # as in PyTorch: running statistics are used only in eval mode, and only if they are tracked
        y = F.instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0,
            self.eps,
        )
        return y.squeeze(0) if unbatched else y

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"
            f"{_bias_repr(self)}, track_running_stats={self.track_running_stats}"
        )


class InstanceNorm1d(_InstanceNorm):
    """Per-sample, per-channel normalisation of (N, C, L) or (C, L) input."""

    _batched_ndim = 3


class InstanceNorm2d(_InstanceNorm):
    """Per-sample, per-channel normalisation of (N, C, H, W) or (C, H, W) input."""

    _batched_ndim = 4
