"""2-D convolution and pooling. The loops live in ``autolab.kernels``; this file holds the graph bookkeeping.

Their backward calls kernels too, so these ops can be differentiated once, not twice (PyTorch can do both).
The maths of every kernel, in plain numpy, is in ``autolab/kernels/reference.py``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from . import shape  # sibling op modules are imported whole and used at call time


def _pair(v: Any, name: str) -> tuple[int, int]:
    """A size for both dims: one whole number (3 -> (3, 3)) or a sequence of one or two. Also used by the layers
    and by vision's transforms, so a kernel, a stride and a crop size are read the same way everywhere. 2.5 or
    "3" is a TypeError, as PyTorch's conv and pooling raise (numpy would quietly take 2)."""
    v = (v,) if isinstance(v, (numbers.Number, str)) else tuple(v)
    if len(v) == 1:
        v = v * 2
    if len(v) != 2 or not all(isinstance(n, numbers.Real) and int(n) == n for n in v):
        raise TypeError(f"{name} must be an int or a pair of ints, got {v}")
    return (int(v[0]), int(v[1]))


def _batched(x: Tensor, op: str) -> tuple[Tensor, bool]:
    """Accept (C, H, W) as a batch of one, as PyTorch does; anything else but 4-D is an error."""
    if x.ndim == 3:
        return x.unsqueeze(0), True
    if x.ndim != 4:
        raise RuntimeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {tuple(x.shape)}")
    return x, False


def _no_double_backward(grad: Tensor, op: str, always: bool = False) -> None:
    # Pooling's backward is linear in grad and does not depend on x, so with a constant grad its result is exact
    # (the second derivative is 0). conv2d's depends on x and w too: under create_graph it must always refuse,
    # or the first derivative would silently come back cut off from the weights.
    if is_grad_enabled() and (always or grad.requires_grad):
        raise NotImplementedError(
            f"autolab computes {op}'s gradient with a kernel, so it cannot be differentiated "
            "a second time (create_graph=True through a conv or pool)"
        )


def _conv_args(input: Tensor, x: Tensor, weight: Tensor, stride: Any, padding: Any) -> tuple:
    """Check conv2d's shapes and dtypes; return (stride, padding) as pairs ("same" and "valid" resolved)."""
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: weight must be 4-D (out, in, kh, kw), got shape {tuple(weight.shape)}")
    if x.shape[1] != weight.shape[1]:
        raise RuntimeError(
            f"conv2d: input {tuple(input.shape)} has {x.shape[1]} channels but weight "
            f"{tuple(weight.shape)} expects {weight.shape[1]} (dim 1 of the input must match dim 1 "
            "of the weight)"
        )
    if x._data.dtype != weight._data.dtype:
        raise RuntimeError(f"conv2d: input dtype {x.dtype} and weight dtype {weight.dtype} should be the same")
    kh, kw = weight.shape[2:]
    if padding == "valid":
        padding = 0
    elif padding == "same":
        if kh % 2 == 0 or kw % 2 == 0 or _pair(stride, "stride") != (1, 1):
            raise NotImplementedError("conv2d: padding='same' is supported for odd kernels with stride 1")
        padding = (kh // 2, kw // 2)
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    if min(stride) <= 0:
        raise RuntimeError(f"conv2d: non-positive stride is not supported (got stride={stride})")
    if min(padding) < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported (got padding={padding})")
    if kh == 0 or kw == 0:
        raise RuntimeError(f"conv2d: kernel size should be greater than zero, but got {kh}x{kw}")
    h, w = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if h < kh or w < kw:
        raise RuntimeError(f"conv2d: input {tuple(input.shape)} padded to {h}x{w} is smaller than the kernel {kh}x{kw}")
    return stride, padding


def _pool_args(x: Tensor, kernel_size: Any, stride: Any, padding: Any, op: str) -> tuple:
    kernel = _pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride")
    padding = _pair(padding, "padding")
    if min(kernel) <= 0:
        raise RuntimeError(f"{op}: kernel size should be greater than zero, but got kernel_size={kernel}")
    if min(stride) <= 0:
        raise RuntimeError(f"{op}: stride should be greater than zero, but got stride={stride}")
    if min(padding) < 0:
        raise RuntimeError(f"{op}: pad must be non-negative, but got pad={padding}")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise RuntimeError(
            f"{op}: pad should be at most half of effective kernel size, but got pad={padding}, kernel_size={kernel}"
        )
    h, w = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if h < kernel[0] or w < kernel[1]:
        raise RuntimeError(f"{op}: input {tuple(x.shape)} is smaller than the kernel {kernel}")
    return kernel, stride, padding


class Conv2d(Function):
    """y = conv(x, w) + b. The loops run in ``autolab.kernels`` (kernels/dispatch.py picks numba or numpy per
    call); the readable definition of all three directions is plain numpy in kernels/reference.py:
    ``conv2d_forward``, ``conv2d_backward_input`` (each kernel tap scatters gy back through w) and
    ``conv2d_backward_weight`` (gy correlated with the shifted input)."""

    def forward(self, x, w, b=None, *, stride, padding):
        self.stride, self.padding = stride, padding
        return kernels.conv2d_forward(x, w, b, stride, padding)

    def backward(self, grad):
        _no_double_backward(grad, "conv2d", always=True)
        x, w = self.inputs[:2]
        gy = grad._data
        need = self.needs_input_grad
        # The first layer's input needs no gradient: skipping it saves most of that layer's backward.
        gx = kernels.conv2d_backward_input(gy, w._data, x.shape, self.stride, self.padding) if need[0] else None
        gw = kernels.conv2d_backward_weight(gy, x._data, w.shape, self.stride, self.padding) if need[1] else None
        grads = [None if g is None else Tensor._wrap(g) for g in (gx, gw)]
        if len(self.inputs) == 3:
            grads.append(Tensor._wrap(gy.sum(axis=(0, 2, 3))) if need[2] else None)
        return tuple(grads)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (really cross-correlation, as in every framework) over an (N, C, H, W) batch."""
    if _pair(dilation, "dilation") != (1, 1) or groups != 1:
        raise NotImplementedError("conv2d: autolab supports dilation=1 and groups=1 only")
    x, unbatched = _batched(input, "conv2d")
    stride, padding = _conv_args(input, x, weight, stride, padding)
    args = (x, weight) if bias is None else (x, weight, bias)
    out = Conv2d.apply(*args, stride=stride, padding=padding)
    return out.squeeze(0) if unbatched else out


class MaxPool2d(Function):
    def forward(self, x, kernel, stride, padding):
        y, self.argmax = kernels.max_pool2d_forward(x, kernel, stride, padding)
        return y

    def backward(self, grad):
        _no_double_backward(grad, "max_pool2d")
        (x,) = self.inputs
        return Tensor._wrap(kernels.max_pool2d_backward(grad._data, self.argmax, x.shape))


def _ceil_mode_extra(x: Tensor, kernel: tuple, stride: tuple, padding: tuple) -> tuple[int, int]:
    """How many rows and columns ceil_mode adds after the input, for the kernels' floor-mode loops to produce
    PyTorch's ceil-mode output: ``ceil((n + 2p - k) / s) + 1`` windows, less the last one if it would start
    beyond the input and its left padding (so every window holds at least one real element)."""
    extra = []
    for n, k, s, p in zip(x.shape[2:], kernel, stride, padding):
        out = -(-(n + 2 * p - k) // s) + 1
        if (out - 1) * s >= n + p:
            out -= 1
        extra.append(max((out - 1) * s + k - (n + 2 * p), 0))
    return extra[0], extra[1]


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    if _pair(dilation, "dilation") != (1, 1):
        raise NotImplementedError("max_pool2d: autolab supports dilation=1 only")
    x, unbatched = _batched(input, "max_pool2d")
    kernel, stride, padding = _pool_args(x, kernel_size, stride, padding, "max_pool2d")
    height, width = x.shape[2:]
    # ceil_mode: -inf rows/columns after the input give the ragged last windows; a max never picks them
    eh, ew = _ceil_mode_extra(x, kernel, stride, padding) if ceil_mode else (0, 0)
    if eh or ew:
        x = shape.pad(x, (0, ew, 0, eh), value=float("-inf"))
    out = MaxPool2d.apply(x, kernel=kernel, stride=stride, padding=padding)
    if return_indices:
        fn = out.grad_fn if out.grad_fn is not None else None
        argmax = fn.argmax if fn is not None else kernels.max_pool2d_forward(x._data, kernel, stride, padding)[1]
        argmax = np.asarray(argmax, dtype=np.int64)
        if ew:  # an index into the widened plane, back into the input's H*W
            argmax = argmax // (width + ew) * width + argmax % (width + ew)
        idx = Tensor._wrap(argmax)
        return (out.squeeze(0), idx.squeeze(0)) if unbatched else (out, idx)
    return out.squeeze(0) if unbatched else out


class AvgPool2d(Function):
    def forward(self, x, kernel, stride, padding):
        self.kernel, self.stride, self.padding = kernel, stride, padding
        return kernels.avg_pool2d_forward(x, kernel, stride, padding)

    def backward(self, grad):
        _no_double_backward(grad, "avg_pool2d")
        (x,) = self.inputs
        return Tensor._wrap(kernels.avg_pool2d_backward(grad._data, x.shape, self.kernel, self.stride, self.padding))


def _avg_pool_scale(x: Tensor, out_hw: tuple, kernel: tuple, stride: tuple, padding: tuple, count_include_pad: bool,
                    divisor_override: int | None) -> np.ndarray:  # fmt: skip
    """The factor (out_h, out_w) that turns the kernel's mean over k*k cells into PyTorch's: its divisor is the
    window clipped to the padded input (a ceil-mode window hanging over the edge counts less), or only the
    input's cells (count_include_pad=False), or divisor_override."""
    sizes = []
    for n, n_out, k, s, p in zip(x.shape[2:], out_hw, kernel, stride, padding):
        start = np.arange(n_out) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        sizes.append(end - start)
    divisor = np.outer(*sizes) if divisor_override is None else np.full(out_hw, divisor_override)
    return (kernel[0] * kernel[1] / divisor).astype(x._data.dtype)


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    if divisor_override is not None and int(divisor_override) == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")
    x, unbatched = _batched(input, "avg_pool2d")
    kernel, stride, padding = _pool_args(x, kernel_size, stride, padding, "avg_pool2d")
    eh, ew = _ceil_mode_extra(x, kernel, stride, padding) if ceil_mode else (0, 0)
    # the kernel averages over all k*k cells; zero rows/columns after the input give ceil_mode's last windows
    out = AvgPool2d.apply(shape.pad(x, (0, ew, 0, eh)) if eh or ew else x, kernel=kernel, stride=stride,
                          padding=padding)  # fmt: skip
    if eh or ew or not count_include_pad or divisor_override is not None:
        scale = _avg_pool_scale(x, out.shape[2:], kernel, stride, padding, count_include_pad, divisor_override)
        out = out * Tensor._wrap(scale)
    return out.squeeze(0) if unbatched else out


class ConvTranspose2d(Function):
    """The adjoint of Conv2d, from the same kernels: its forward is conv2d's input gradient (each input pixel
    scatters a copy of the kernel into the output), its input gradient is a plain conv2d, and its weight
    gradient is conv2d's weight gradient with the roles of input and output swapped. Weight (in, out, kh, kw)."""

    def forward(self, x, w, *, stride, padding, out_hw):
        self.stride, self.padding = stride, padding
        return kernels.conv2d_backward_input(x, w, (x.shape[0], w.shape[1], *out_hw), stride, padding)

    def backward(self, grad):
        _no_double_backward(grad, "conv_transpose2d", always=True)
        x, w = self.inputs
        need, gy = self.needs_input_grad, grad._data
        gx = kernels.conv2d_forward(gy, w._data, None, self.stride, self.padding) if need[0] else None
        gw = kernels.conv2d_backward_weight(x._data, gy, w.shape, self.stride, self.padding) if need[1] else None
        return tuple(None if g is None else Tensor._wrap(g) for g in (gx, gw))


def conv_transpose2d_kernel(input: Tensor, weight: Tensor, stride: Any, padding: Any, output_padding: Any) -> Tensor:
    """conv_transpose2d for groups=1, dilation=1, without bias (nn.functional adds it and handles the rest)."""
    x, unbatched = _batched(input, "conv_transpose2d")
    if x._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"conv_transpose2d: input dtype {x.dtype} and weight dtype {weight.dtype} should be the same"
        )
    stride, padding, out_pad = (
        _pair(stride, "stride"),
        _pair(padding, "padding"),
        _pair(output_padding, "output_padding"),
    )
    out_hw = tuple(
        (n - 1) * s - 2 * p + k + op for n, s, p, k, op in zip(x.shape[2:], stride, padding, weight.shape[2:], out_pad)
    )
    if min(out_hw) <= 0:
        raise RuntimeError(
            f"conv_transpose2d: the output would be {out_hw}, which is too small (input {tuple(input.shape)})"
        )
    out = ConvTranspose2d.apply(x, weight, stride=stride, padding=padding, out_hw=out_hw)
    return out.squeeze(0) if unbatched else out
