"""embedding: a lookup table, ``weight[indices]``; the backward adds each output row's gradient into the row it
was read from (the indexing op's scatter-add), so only the rows used in a batch get a gradient."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...tensor import Tensor

__all__ = ["embedding"]


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and outside autograd, the rows used whose norm exceeds max_norm (PyTorch's rule)."""
    rows = np.unique(idx)
    norms = np.linalg.norm(weight._data[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    scale = max_norm / (norms[big] + 1e-7)
    weight._data[rows[big]] *= scale[:, None].astype(weight._data.dtype)


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input``: output shape input.shape + (dim,).

    ``padding_idx``'s row gets no gradient; ``max_norm`` rescales the rows used to at most that norm first."""
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse gradients are not supported in autolab")
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {input.dtype} instead (call .long() on the indices)"
        )
    n = weight.shape[0]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index out of range in self: indices must be in [0, {n}), got {int(idx.max())}")
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    out = ops.getitem(weight, Tensor._wrap(idx.astype(np.int64)))
    if padding_idx is not None:
        pad = padding_idx + n if padding_idx < 0 else padding_idx
        hit = idx == pad
        if hit.any():  # the padding row is read as it is, but no gradient flows back into it
            out = ops.where(Tensor._wrap(hit[..., None]), out.detach(), out)
    return out
