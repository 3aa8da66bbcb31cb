"""The regression, likelihood and cross-entropy losses of ``autolab.nn.functional``, with PyTorch's signatures,
defaults and formulas, and the reduction and checks every loss shares (the margin losses are in
``losses_margin.py``).

Each is a few tensor ops, so its gradient (and second derivative) comes from autograd; only cross-entropy on
(N, C) scores uses a fused op (``ops/softmax.py``), because it is in every classification step, and binary
cross-entropy has its own backward, PyTorch's, which stays finite where a sigmoid saturated to exactly 0 or 1. Where PyTorch
broadcasts an input and a target of different shapes with only a warning, autolab raises: that broadcast usually
hides a bug, e.g. (N, 1) against (N,).

``size_average`` and ``reduce`` are PyTorch's deprecated spellings of ``reduction``; they are accepted, with
PyTorch's warning.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import ops
from ..autograd.function import Function
from ..creation import full_like
from ..ops.softmax import cross_entropy_fused, log_softmax
from ..ops.unary import relu
from ..tensor import Tensor

__all__ = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "soft_margin_loss",
    "multilabel_soft_margin_loss",
]


# ---- reduction ----------------------------------------------------------------------------------------------------
def legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """PyTorch's old pair of flags as a ``reduction`` string, with its deprecation warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.", stacklevel=3
    )
    return ret


def _reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """``reduction``, or the legacy flags' equivalent when either is given (for losses that need it early)."""
    return reduction if size_average is None and reduce is None else legacy_reduction(size_average, reduce)


def _reduce(loss: Tensor, reduction: str, size_average: bool | None = None, reduce: bool | None = None) -> Tensor:
    """The per-element ``loss`` reduced as ``reduction`` says (or the legacy flags, when a caller passes them)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)  # same stack depth as via _reduction
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


def _weighted(loss: Tensor, weight: Tensor | None) -> Tensor:
    return loss if weight is None else loss * weight


# ---- regression ---------------------------------------------------------------------------------------------------
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error: ``mean((input - target)^2)``."""
    _same_shape("mse_loss", input, target)
    d = input - target
    return _reduce(_weighted(d * d, weight), reduction, size_average, reduce)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error: ``mean(|input - target|)``."""
    _same_shape("l1_loss", input, target)
    return _reduce(_weighted(ops.abs(input - target), weight), reduction, size_average, reduce)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Squared below ``beta`` (``0.5 d^2 / beta``), absolute above (``|d| - 0.5 beta``): robust to outliers."""
    _same_shape("smooth_l1_loss", input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    reduction = _reduction(size_average, reduce, reduction)
    d = ops.abs(input - target)
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(ops.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0, weight: Tensor | None = None
) -> Tensor:
    """``0.5 d^2`` below ``delta``, ``delta (|d| - 0.5 delta)`` above: smooth_l1 scaled by ``delta``."""
    _same_shape("huber_loss", input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = ops.abs(input - target)
    loss = ops.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _reduce(_weighted(loss, weight), reduction)


# ---- classification: class indices or probabilities ---------------------------------------------------------------
def _check_classes(name: str, input: Tensor, target: Tensor, ignore_index: int = -100) -> None:
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}: expected target of dtype int64 (class indices), got {target.dtype}; convert labels with "
            ".long() (cross_entropy also takes class probabilities, a float target of the input's shape)"
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


def _rows(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """(N, C, d1, ...) scores and (N, d1, ...) targets as (M, C) and (M,); 1-D input as one row."""
    if input.ndim == 1:
        return input.unsqueeze(0), target.unsqueeze(0)
    if input.ndim > 2:
        c = input.shape[1]
        return input.permute(0, *range(2, input.ndim), 1).reshape(-1, c), target.reshape(-1)
    return input, target


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood: ``-input[i, target[i]]`` averaged, where ``input`` holds log-probabilities.

    With ``weight`` (one per class) the mean is weighted: ``sum(w[t_i] * loss_i) / sum(w[t_i])``; targets equal to
    ``ignore_index`` count for nothing."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_classes("nll_loss", input, target, ignore_index)
    out_shape = tuple(target.shape)  # reduction='none' gives one loss per target, in the target's shape
    input, target = _rows(input, target)
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


def _class_shape(weight: Tensor, ndim: int) -> Tensor:
    """A per-class weight shaped to broadcast along dim 1 of an (N, C, ...) input."""
    return weight.reshape(-1, *([1] * (ndim - 2))) if ndim >= 2 else weight


def _cross_entropy_probs(
    logp: Tensor, target: Tensor, weight: Tensor | None, reduction: str, label_smoothing: float
) -> Tensor:
    # Class probabilities: -sum_c w_c t_c log p_c per sample; the mean divides by the number of samples.
    _same_shape("cross_entropy", logp, target)
    c = logp.shape[1] if logp.ndim >= 2 else logp.shape[0]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / c
    terms = logp * target
    if weight is not None:
        terms = terms * _class_shape(weight, logp.ndim)
    if reduction == "none":
        return -terms.sum(1 if logp.ndim >= 2 else 0)
    if reduction == "sum":
        return -terms.sum()
    _reduce(terms, reduction)  # an unknown reduction raises
    return -terms.sum() / (logp.numel() // c)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """log_softmax over the class dim (1), then nll_loss: the standard classification loss on raw scores.

    ``target`` is class indices (N,), or class probabilities of the input's shape. ``label_smoothing`` mixes
    the target with the uniform distribution: ``(1 - s) * loss + s * mean over classes of -log p``."""
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 1 if input.ndim > 1 else 0
    if target.is_floating_point() and target.shape == input.shape:  # class probabilities
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(log_softmax(input, dim=class_dim), target, weight, reduction, label_smoothing)
    _check_classes("cross_entropy", input, target, ignore_index)
    if (
        input.ndim == 2
        and weight is None
        and not label_smoothing
        and input.is_floating_point()
        and reduction in ("mean", "sum", "none")
        and not (target._data == ignore_index).any()
    ):
        return cross_entropy_fused(input, target, reduction)
    logp = log_softmax(input, dim=class_dim)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if not label_smoothing:
        return nll
    # PyTorch's label smoothing: the smooth part is -sum_c w_c log p_c, normalised as nll_loss normalises
    lp = logp if weight is None else logp * _class_shape(weight, logp.ndim)
    ignored = Tensor._wrap(target._data == ignore_index)
    smooth = (-lp.sum(class_dim)).masked_fill(ignored, 0.0)
    if reduction == "mean":
        kept = target._data[target._data != ignore_index]
        denom = float(kept.size) if weight is None else float(weight._data[kept].sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = smooth.sum() / denom if denom else smooth.sum() * float("nan")
    elif reduction == "sum":
        smooth = smooth.sum()
    c = input.shape[class_dim]
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / c)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``-(y log p + (1 - y) log(1 - p))`` for probabilities ``p`` (after a sigmoid)."""
    _same_shape("binary_cross_entropy", input, target)
    if not ((input._data >= 0) & (input._data <= 1)).all():  # written so that NaN fails too
        raise RuntimeError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 (apply sigmoid "
            "first, or use binary_cross_entropy_with_logits)"
        )
    if not ((target._data >= 0) & (target._data <= 1)).all():
        raise RuntimeError("binary_cross_entropy: all elements of target should be between 0 and 1")
    loss = BinaryCrossEntropy.apply(input, target)
    return _reduce(_weighted(loss, weight), reduction, size_average, reduce)


class BinaryCrossEntropy(Function):
    """Element-wise ``-(y log p + (1 - y) log(1 - p))``, PyTorch's way on both passes.

    Forward clamps each log at -100, so a confident wrong answer costs a large, finite loss. Backward is
    ``(p - y) / max(p (1 - p), 1e-12)``: where a float32 sigmoid saturated to exactly 0 or 1, the same loss built
    from clamp and log would send ``0 * (1 / 0) = NaN`` back through the clamped log (a VAE meets this within an
    epoch); PyTorch's formula gives a large, finite gradient instead."""

    def forward(self, p, y):
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped just below
            return -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))

    def backward(self, grad):
        p, y = self.inputs
        d_p = grad * (p - y) / ops.clamp(p * (1 - p), min=1e-12) if self.needs_input_grad[0] else None
        # d/dy = log(1 - p) - log(p), unclamped as in PyTorch (infinite where p is exactly 0 or 1)
        d_y = grad * (ops.log(1 - p) - ops.log(p)) if self.needs_input_grad[1] else None
        return d_p, d_y


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = min(x, 0) - log(1 + e^-|x|)``, finite for any x."""
    return -relu(-input) - ops.log1p(ops.exp(-ops.abs(input)))


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """BCE on raw scores: (1 - y) x - w log sigmoid(x), stable for any x (w = 1 + (pos_weight - 1) y: a
    ``pos_weight`` above 1 counts the positives more). PyTorch's arrangement, so an infinite logit gives what it
    gives."""
    _same_shape("binary_cross_entropy_with_logits", input, target)
    lw = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
    loss = (1 - target) * input - lw * logsigmoid(input)
    return _reduce(_weighted(loss, weight), reduction, size_average, reduce)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy on scores per class (targets 0/1 of shape (N, C)), averaged over the classes."""
    _same_shape("multilabel_soft_margin_loss", input, target)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    loss = _weighted(loss, weight)
    loss = loss.sum(dim=input.ndim - 1) / input.shape[-1]
    return _reduce(loss, reduction, size_average, reduce)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Two-class logistic loss for targets -1/1: ``log(1 + exp(-y x))``."""
    _same_shape("soft_margin_loss", input, target)
    return _reduce(-logsigmoid(target * input), reduction, size_average, reduce)


# ---- distributions ------------------------------------------------------------------------------------------------
def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """KL(target || model) with ``input`` the model's log-probabilities: ``target * (log target - input)``.

    ``reduction="batchmean"`` divides the sum by the batch size (the true KL divergence per sample); "mean", the
    default, divides by the number of elements, as PyTorch does (and warns)."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_target:
        loss = ops.exp(target) * (target - input)
    else:  # 0 * log 0 = 0: where the target is 0 the term is 0 (and so is its gradient)
        zero = Tensor._wrap(target._data == 0)
        safe = target.masked_fill(zero, 1.0)
        loss = (target * ops.log(safe)).masked_fill(zero, 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of a Poisson count ``target`` with rate ``exp(input)`` (or ``input``)."""
    reduction = _reduction(size_average, reduce, reduction)
    loss = ops.exp(input) - target * input if log_input else input - target * ops.log(input + eps)
    if full:  # Stirling's approximation of log(target!), for targets above 1
        t = target.masked_fill(Tensor._wrap(target._data <= 1), 1.0)
        stirling = t * ops.log(t) - t + 0.5 * ops.log(2 * math.pi * t)
        loss = loss + stirling.masked_fill(Tensor._wrap(target._data <= 1), 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input: Tensor, target: Tensor, var: Tensor | float, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and variance ``var``:
    ``0.5 (log var + (input - target)^2 / var)`` (+ ``0.5 log 2 pi`` with ``full``)."""
    if not isinstance(var, Tensor):
        var = full_like(input, var)
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)  # one variance per sample, shared by its features
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction + " is not valid")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    # PyTorch clamps var at eps without recording the clamp: the value is clamped, the gradient passes unchanged
    v = var.detach()
    var = var + (ops.clamp(v, min=eps) - v)
    d = input - target
    loss = 0.5 * (ops.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
