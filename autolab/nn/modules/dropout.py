"""Dropout: active in train mode, the identity in eval mode."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from ..module import Module


class Dropout(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class _ChannelDropout(Dropout):
    """Dropout1d/2d/3d: zero whole channels (all positions of one feature map at once)."""

    _fn = staticmethod(F.dropout2d)

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, self.p, self.training)


class Dropout1d(_ChannelDropout):
    _fn = staticmethod(F.dropout1d)


class Dropout2d(_ChannelDropout):
    _fn = staticmethod(F.dropout2d)


class Dropout3d(_ChannelDropout):
    _fn = staticmethod(F.dropout3d)


class AlphaDropout(_ChannelDropout):
    """Dropout for SELU networks: keeps the activations' mean 0 and variance 1 (identity in eval mode)."""

    _fn = staticmethod(F.alpha_dropout)


class FeatureAlphaDropout(_ChannelDropout):
    _fn = staticmethod(F.feature_alpha_dropout)
