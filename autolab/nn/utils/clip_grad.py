"""Gradient clipping, as in ``torch.nn.utils``: rescale (or clamp) the ``.grad`` of parameters in place.

Clipping runs between ``loss.backward()`` and ``optimizer.step()``; it keeps one bad batch from throwing the
weights far away (RNNs and transformers rely on it). The total norm is the norm of all gradients as if they
were concatenated into one vector, which equals the norm of the per-tensor norms.
"""

from __future__ import annotations

import types
import warnings
from typing import Iterable

import numpy as np

from ... import ops
from ...autograd import no_grad
from ...tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

TensorOrTensors = Tensor | Iterable[Tensor]


def _as_list(tensors: TensorOrTensors) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(
    tensors: TensorOrTensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach: bool | None = None
) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` viewed as one vector (``'inf'`` for the largest |value|)."""
    tensors, norm_type = _as_list(tensors), float(norm_type)  # float("inf") reads the string 'inf' too
    if not tensors:
        return Tensor(0.0)
    with no_grad():
        # the norm of the per-tensor norms is the norm of the whole vector, for every p (max for inf)
        norms = [ops.norm(t, p=norm_type) for t in tensors]
        total = ops.norm(ops.stack(norms), p=norm_type)  # mixed float32/float64 grads: float64, as in PyTorch
    if error_if_nonfinite and not bool(ops.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(
    parameters: TensorOrTensors, max_norm: float, total_norm: Tensor | float, foreach: bool | None = None
) -> None:
    """Scale every ``.grad`` in place by ``min(max_norm / (total_norm + 1e-6), 1)``."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    total = total_norm if isinstance(total_norm, Tensor) else Tensor(float(total_norm))
    with no_grad():
        # no `if coef < 1` branch: multiplying by a clamped 1.0 is harmless, and a NaN norm makes the grads NaN
        coef = ops.clamp(float(max_norm) / (total + 1e-6), max=1.0)
        with np.errstate(invalid="ignore"):  # inf * 0 (an infinite norm) is NaN, silently as in PyTorch
            for g in grads:
                g.mul_(coef.type(g.dtype))


def clip_grad_norm_(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients in place so that their total norm is at most ``max_norm``; return the norm
    measured before clipping. ``foreach`` is accepted (autolab has one implementation)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        was_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)  # read a generator once: it is walked twice below
        if was_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(
    parameters: TensorOrTensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Deprecated name of :func:`clip_grad_norm_` (PyTorch warns the same way)."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every ``.grad`` in place to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
