"""Tensor's shape and indexing methods (``x.view(...)``, ``x.permute(...)``, ``x.gather(...)``), and new tensors
like this one (``x.new_zeros(...)``), written out one by one.

Like _tensor_methods.py (the operators and maths), each method is a one-line forward to the op in
``autolab/ops``, looked up through the package when it is called (the ops import ``Tensor``, so this file cannot
import them by name).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

import autolab

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorShapeMethods:
    """The shape and indexing methods of ``Tensor``; see the module docstring."""

    _data: np.ndarray
    grad_fn: Any

    # ---- shape -------------------------------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return autolab.ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        return autolab.ops.view(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return autolab.ops.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return autolab.ops.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = None) -> Tensor:
        return autolab.ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return autolab.ops.unsqueeze(self, dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return autolab.ops.transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> Tensor:
        return autolab.ops.permute(self, *dims)

    def t(self) -> Tensor:
        return autolab.ops.t(self)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return autolab.ops.movedim(self, source, destination)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return autolab.ops.swapaxes(self, axis0, axis1)

    swapdims = swapaxes

    def expand(self, *shape: Any) -> Tensor:
        return autolab.ops.expand(self, *shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return autolab.ops.expand_as(self, other)

    def broadcast_to(self, size: Any) -> Tensor:
        return autolab.ops.broadcast_to(self, size)

    def repeat(self, *sizes: Any) -> Tensor:
        return autolab.ops.repeat(self, *sizes)

    def tile(self, dims: Any) -> Tensor:
        return autolab.ops.tile(self, dims)

    def contiguous(self) -> Tensor:
        return autolab.ops.contiguous(self)

    def flip(self, dims: Any) -> Tensor:
        return autolab.ops.flip(self, dims)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return autolab.ops.roll(self, shifts, dims)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return autolab.ops.narrow(self, dim, start, length)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return autolab.ops.chunk(self, chunks, dim)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return autolab.ops.split(self, split_size_or_sections, dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return autolab.ops.unbind(self, dim)

    # ---- indexing ----------------------------------------------------------------------------------------------------
    def gather(self, dim: int, index: Tensor) -> Tensor:
        return autolab.ops.gather(self, dim, index)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return autolab.ops.index_select(self, dim, index)

    def select(self, dim: int, index: int) -> Tensor:
        return autolab.ops.select(self, dim, index)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        return autolab.ops.masked_fill(self, mask, value)

    def masked_select(self, mask: Tensor) -> Tensor:
        return autolab.ops.masked_select(self, mask)

    def scatter(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
        return autolab.ops.scatter(self, dim, index, src, value=value)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return autolab.ops.scatter_add(self, dim, index, src)

    def tril(self, diagonal: int = 0) -> Tensor:
        return autolab.ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return autolab.ops.triu(self, diagonal)

    # ---- views of the same data --------------------------------------------------------------------------------------
    @property
    def T(self) -> Tensor:
        """All dims reversed (the transpose of a matrix)."""
        return autolab.ops.permute(self, *reversed(range(self._data.ndim)))

    @property
    def mT(self) -> Tensor:
        """The last two dims swapped: a batch of transposed matrices."""
        return autolab.ops.transpose(self, -2, -1)

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of a batch of matrices: ``mT`` for real tensors."""
        return autolab.ops.transpose(self, -2, -1)

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix: ``T`` for a real 2-D tensor."""
        if self._data.ndim not in (0, 2):
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self._data.ndim}-D tensor.")
        return autolab.ops.permute(self, *reversed(range(self._data.ndim)))

    def view_as(self, other: Tensor) -> Tensor:
        return autolab.ops.reshape(self, other.shape)

    reshape_as = view_as

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    # ---- new tensors like this one (its dtype unless told otherwise), as PyTorch's x.new_zeros(...) ------------------
    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return autolab.full(
            autolab.creation._size(size), 0, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
        )

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return autolab.full(
            autolab.creation._size(size), 1, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
        )

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        # "uninitialised" memory; zeros are a valid choice and keep runs reproducible
        return autolab.full(
            autolab.creation._size(size), 0, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad
        )

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, **kwargs: Any) -> Tensor:
        return autolab.full(size, fill_value, dtype=dtype or self.dtype, **kwargs)

    def new_tensor(self, data: Any, *, dtype: Any = None, **kwargs: Any) -> Tensor:
        return autolab.tensor(data, dtype=dtype or self.dtype, **kwargs)

    # ---- in-place forms ----------------------------------------------------------------------------------------------
    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._set_(autolab.ops.masked_fill(self.detach(), mask, value))

    def unsqueeze_(self, dim: int) -> Tensor:
        return self._reshape_in_place(autolab.ops.unsqueeze, dim)

    def squeeze_(self, dim: Any = None) -> Tensor:
        return self._reshape_in_place(autolab.ops.squeeze, dim)

    def _reshape_in_place(self, op: Callable[..., Tensor], *args: Any) -> Tensor:
        """x.unsqueeze_(d) / x.squeeze_(d): the same tensor object takes the new shape.

        Inside a graph the tensor becomes the output of a new node, fed by a stand-in holding its old place in the
        graph (pointing the node at the tensor itself would make it its own input)."""
        if self._in_graph():
            old = autolab.Tensor._wrap(self._data, requires_grad=True)
            old.grad_fn = self.grad_fn
            new = op(old, *args)
            self._data, self.grad_fn = new._data, new.grad_fn
            if new.grad_fn is not None:
                new.grad_fn._output = weakref.ref(self)
            return self
        self._check_inplace()
        self._data = op(self.detach(), *args)._data
        return self

    if TYPE_CHECKING:  # defined in tensor.py and _tensor_inplace.py; declared here for type checkers

        @property
        def dtype(self) -> Any: ...
        @property
        def shape(self) -> Any: ...
        def detach(self) -> Tensor: ...
        def _set_(self, value: Any) -> Tensor: ...
        def _in_graph(self) -> bool: ...
        def _check_inplace(self) -> None: ...
