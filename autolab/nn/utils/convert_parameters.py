"""All of a model's parameters as one flat vector and back (``torch.nn.utils.parameters_to_vector``), for
methods that treat the weights as a single point: line searches, evolution strategies, weight averaging."""

from __future__ import annotations

from typing import Iterable

from ... import ops
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and joined into one 1-D tensor (differentiable, like PyTorch's)."""
    return ops.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data (the inverse of parameters_to_vector)."""
    if not isinstance(vec, Tensor):
        kind = (
            type(vec).__qualname__
            if type(vec).__module__ == "builtins"
            else f"{type(vec).__module__}.{type(vec).__qualname__}"
        )
        raise TypeError(f"expected torch.Tensor, but got: {kind}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        # as PyTorch's `param.data = vec[...].view_as(param).data`: the parameter gets the slice's values
        param.data = vec[pointer : pointer + n].reshape(param.shape).detach()
        pointer += n
