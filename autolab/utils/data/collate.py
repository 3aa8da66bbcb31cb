"""Turning a list of samples into a batch, exactly as ``torch.utils.data.default_collate`` does."""

from __future__ import annotations

import collections.abc as abc
import copy
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autolab

# numpy arrays of strings or objects cannot become tensors (same test as PyTorch's).
_STR_OR_OBJECT = re.compile(r"[SaUO]")
_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


class CollatedBatch(abc.Sequence):
    """A batch that a dataset's ``__getitems__`` has already collated: the batched fast path.

    ``default_collate`` returns ``collated`` as it is, without looking at single samples. To any other
    ``collate_fn`` it still looks like the list of samples PyTorch would pass: ``batch[i]`` is sample i.
    """

    def __init__(self, collated: Any, length: int, sample: Callable[[int], Any]) -> None:
        self.collated = collated
        self._length = length
        self._sample = sample

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._sample(j) for j in range(*i.indices(self._length))]
        if not -self._length <= i < self._length:
            raise IndexError(i)
        return self._sample(i % self._length)


def _stack_tensors(batch: Sequence) -> Any:
    if any(getattr(t, "requires_grad", False) for t in batch):
        return autolab.stack(list(batch), 0)  # keep the graph, as torch.stack would
    shapes = {tuple(t.shape) for t in batch}
    if len(shapes) > 1:
        raise RuntimeError(
            "stack expects each tensor to be equal size, but got "
            f"{list(batch[0].shape)} at entry 0 and a different size ({sorted(shapes)}) elsewhere"
        )
    return autolab.from_numpy(np.stack([t.numpy() for t in batch]))


def default_collate(batch: Sequence) -> Any:
    """Stack a list of samples into a batch, recursing into tuples, lists and dicts.

    Tensors and numpy arrays are stacked along a new first dimension; Python ints become an int64 tensor,
    floats a float64 tensor, bools a bool tensor; strings stay a tuple; a tuple of fields becomes a list of
    batched fields; a dict a dict of batched values.
    """
    if isinstance(batch, CollatedBatch):
        return batch.collated
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, autolab.Tensor):
        return _stack_tensors(batch)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "bytes_"):
        if _STR_OR_OBJECT.search(elem.dtype.str) is not None:
            raise TypeError(_ERR.format(elem.dtype))
        if isinstance(elem, np.ndarray):
            if len({b.shape for b in batch}) > 1:
                return _stack_tensors([autolab.from_numpy(np.asarray(b)) for b in batch])  # raises
            return autolab.from_numpy(np.stack(batch))
        return autolab.from_numpy(np.array(batch))  # numpy scalars keep their dtype
    if isinstance(elem, bool):
        return autolab.from_numpy(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return autolab.from_numpy(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return autolab.from_numpy(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        if isinstance(elem, abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(collated)
            return clone
        try:
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        if len({len(e) for e in batch}) > 1:
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        if isinstance(elem, abc.MutableSequence):
            clone = copy.copy(elem)
            for i, samples in enumerate(transposed):
                clone[i] = default_collate(samples)
            return clone
        try:
            return elem_type([default_collate(samples) for samples in transposed])
        except TypeError:
            return [default_collate(samples) for samples in transposed]
    raise TypeError(_ERR.format(elem_type))


def default_convert(data: Any) -> Any:
    """What the loader applies to single samples when batching is off (``batch_size=None``): numpy arrays
    become tensors, containers are converted inside, everything else is left alone."""
    data_type = type(data)
    if isinstance(data, autolab.Tensor):
        return data
    if data_type.__module__ == "numpy" and data_type.__name__ not in ("str_", "bytes_"):
        if _STR_OR_OBJECT.search(data.dtype.str) is not None:
            return data
        return autolab.from_numpy(np.asarray(data))
    if isinstance(data, abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            clone = copy.copy(data)
            clone.update(converted)
            return clone
        except (AttributeError, TypeError):
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return data_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return data_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
