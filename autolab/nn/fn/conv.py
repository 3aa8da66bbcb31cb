"""conv2d in full (groups, dilation, padding='same'), conv1d and conv_transpose2d, all reduced to the one conv
kernel autolab has (``ops.conv2d``: groups=1, dilation=1) with tensor ops around it, so autograd gives every
gradient:

- dilation d is a kernel with d - 1 zeros between its taps: spread the weight out, then convolve;
- groups g are g independent convolutions over slices of the channels, concatenated;
- conv1d is conv2d on a picture one pixel high;
- a transposed convolution is the gradient of a convolution with respect to its input: spread the input out by
  the stride, pad by (dilated kernel - 1 - padding), and convolve with the flipped, transposed kernel.
"""

from __future__ import annotations

from typing import Any

from ... import ops
from ...ops.conv import _pair, conv_transpose2d_kernel
from ...ops.shape import pad as _pad
from ...tensor import Tensor

__all__ = ["conv2d", "conv1d", "conv_transpose2d", "conv_transpose1d"]


def _spread(x: Tensor, step: int, dim: int) -> Tensor:
    """Insert ``step - 1`` zeros between neighbours along ``dim`` (n -> (n - 1) * step + 1), with tensor ops:
    append zeros after each element, flatten the pairs, cut the trailing zeros."""
    if step == 1:
        return x
    d = dim % x.ndim
    x = x.unsqueeze(d + 1)
    x = _pad(x, (0, 0) * (x.ndim - d - 2) + (0, step - 1))
    n = x.shape[d]
    x = x.reshape(*x.shape[:d], n * step, *x.shape[d + 2 :])
    return ops.narrow(x, d, 0, (n - 1) * step + 1)


def _same_padding(weight: Tensor, dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """F.pad amounts for padding='same': total d * (k - 1) per dim, the odd one extra on the right, as PyTorch."""
    (dh, dw), (kh, kw) = dilation, weight.shape[2:]
    th, tw = dh * (kh - 1), dw * (kw - 1)
    return (tw // 2, tw - tw // 2, th // 2, th - th // 2)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution over (N, C, H, W) or (C, H, W); weight (out_channels, in_channels / groups, kh, kw)."""
    dilation = _pair(dilation, "dilation")
    if groups < 1:
        raise RuntimeError("non-positive groups is not supported")
    if padding == "same":
        if _pair(stride, "stride") != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        input, padding = _pad(input, _same_padding(weight, dilation)), 0
    if dilation == (1, 1) and groups == 1:
        return ops.conv2d(input, weight, bias, stride, padding)
    w = _spread(_spread(weight, dilation[0], 2), dilation[1], 3)
    if groups == 1:
        return ops.conv2d(input, w, bias, stride, padding)
    c = input.shape[-3]
    if c % groups or weight.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected input channels ({c}) and weight's out_channels ({weight.shape[0]}) "
            "to be divisible by groups"
        )
    if c // groups != weight.shape[1]:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} to "
            f"have {weight.shape[1] * groups} channels, but got {c} channels instead"
        )
    xs = ops.chunk(input, groups, -3)
    ws = ops.chunk(w, groups, 0)
    bs = ops.chunk(bias, groups, 0) if bias is not None else [None] * groups
    return ops.cat([ops.conv2d(x, wg, b, stride, padding) for x, wg, b in zip(xs, ws, bs)], -3)


def _single(v: Any, name: str) -> int:
    v = v if isinstance(v, (int, str)) else tuple(v)
    if isinstance(v, tuple):
        if len(v) != 1:
            raise TypeError(f"{name} must be an int or a 1-tuple, got {v}")
        v = v[0]
    return v  # type: ignore[return-value]


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution over (N, C, L) or (C, L): conv2d on a (1, L) picture; weight (out, in / groups, k)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"conv1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {tuple(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: weight must be 3-D (out, in, k), got shape {tuple(weight.shape)}")
    p = _single(padding, "padding")
    p2 = p if isinstance(p, str) else (0, p)
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride, "stride")), p2,
                 (1, _single(dilation, "dilation")), groups)  # fmt: skip
    return out.squeeze(-2)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """The transpose (adjoint) of conv2d: upsamples by ``stride``; weight (in_channels, out_channels / groups,
    kh, kw). Output size (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1."""
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    out_pad, dilation = _pair(output_padding, "output_padding"), _pair(dilation, "dilation")
    for op, s, d in zip(out_pad, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(
                f"output padding must be smaller than either stride or dilation, but got output_padding={out_pad}, "
                f"stride={stride}, dilation={dilation}"
            )
    if input.shape[-3] != weight.shape[0]:
        raise RuntimeError(
            f"conv_transpose2d: input has {input.shape[-3]} channels but weight {list(weight.shape)} expects "
            f"{weight.shape[0]} (dim 0 of the weight)"
        )
    if groups == 1 and dilation == (1, 1) and min(padding) >= 0:  # the kernel path: no zeros multiplied
        out = conv_transpose2d_kernel(input, weight, stride, padding, out_pad)
        return out if bias is None else out + bias.reshape(-1, 1, 1)
    x = _spread(_spread(input, stride[0], -2), stride[1], -1)
    (kh, kw), (dh, dw) = weight.shape[2:], dilation
    ph, pw = dh * (kh - 1) - padding[0], dw * (kw - 1) - padding[1]
    x = _pad(x, (pw, pw + out_pad[1], ph, ph + out_pad[0]))  # negative amounts cut (padding > kernel)
    # (in, out/g, kh, kw) -> (out, in/g, kh, kw) per group, flipped: the adjoint's kernel
    cin, cout_g = weight.shape[:2]
    w = (
        weight.reshape(groups, cin // groups, cout_g, kh, kw)
        .transpose(1, 2)
        .reshape(groups * cout_g, cin // groups, kh, kw)
    )
    return conv2d(x, ops.flip(w, (2, 3)), bias, 1, 0, dilation, groups)


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """conv_transpose2d on a (1, L) picture; weight (in_channels, out_channels / groups, k)."""
    s = lambda v, name: (1, _single(v, name)) if name != "padding" else (0, _single(v, name))
    out = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, s(stride, "stride"),
                           s(padding, "padding"), (0, _single(output_padding, "output_padding")), groups,
                           s(dilation, "dilation"))  # fmt: skip
    return out.squeeze(-2)
