"""Functions that make tensors: from data, filled with a constant, ranges, and random draws.

Defaults follow PyTorch: Python floats become float32, Python ints int64, bools bool.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .random import Generator, rng
from .tensor import Size, Tensor, _to_array, check_device, to_cuda_array


def _size(size: tuple, name: str = "tensor") -> tuple:
    """``(2, 3)``, ``((2, 3),)`` or ``([2, 3],)`` as ``(2, 3)``; 2.5 or -1 is an error (numpy would take 2 or fail
    later), with PyTorch's exception types."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for i, s in enumerate(size):
        if isinstance(s, (bool, np.bool_)) or not hasattr(s, "__index__"):
            raise TypeError(
                f"{name}(): argument 'size' must be tuple of ints, but found element of type {type(s).__name__} "
                f"at pos {i}"
            )
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {int(s)}: {[int(n) for n in size]}")
    return tuple(int(s) for s in size)


def _finish(arr: np.ndarray, dtype: Any, requires_grad: bool, device: Any) -> Tensor:
    if dtype is not None:
        arr = arr.astype(dtypes.to_dtype(dtype).np, copy=False)
    if device is not None and check_device(device):
        arr = to_cuda_array(arr)  # made on the host (its random numbers too), then copied to the GPU
    return Tensor._wrap(arr).requires_grad_(requires_grad) if requires_grad else Tensor._wrap(arr)


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, a numpy array).

    >>> autolab.tensor([[1, 2], [3, 4]]).dtype
    autolab.int64
    """
    return _finish(np.array(_to_array(data, dtype)), None, requires_grad, device)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a numpy array when no conversion is needed."""
    if isinstance(data, Tensor) and dtype is None:
        return data
    return _finish(_to_array(data, dtype), None, False, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array``: changing one changes the other."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    if array.dtype.kind not in "fiub":
        raise TypeError(f"can't convert np.ndarray of type {array.dtype}; only numbers and bools are supported")
    return Tensor._wrap(array)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(
        np.zeros(_size(size, "zeros"), dtypes.to_dtype(dtype or dtypes.get_default_dtype()).np),
        None,
        requires_grad,
        device,
    )


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(
        np.ones(_size(size, "ones"), dtypes.to_dtype(dtype or dtypes.get_default_dtype()).np),
        None,
        requires_grad,
        device,
    )


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(
        np.empty(_size(size, "empty"), dtypes.to_dtype(dtype or dtypes.get_default_dtype()).np),
        None,
        requires_grad,
        device,
    )


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = (
            dtypes.bool
            if isinstance(fill_value, bool)
            else dtypes.int64
            if isinstance(fill_value, int)
            else dtypes.get_default_dtype()
        )
    return _finish(np.full(_size((size,), "full"), fill_value, dtypes.to_dtype(dtype).np), None, requires_grad, device)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` up to (not including) ``end``. Integers give int64, floats float32."""
    if end is None:
        start, end = 0, start
    if not all(np.isfinite(float(v)) for v in (start, end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        dtype = (
            dtypes.int64
            if all(float(v).is_integer() and not isinstance(v, float) for v in (start, end, step))
            else dtypes.get_default_dtype()
        )
    return _finish(np.arange(start, end, step, dtype=np.float64), dtype, requires_grad, device)


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    if isinstance(steps, bool) or not hasattr(steps, "__index__"):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(start, end, steps), dtype or dtypes.get_default_dtype(), requires_grad, device)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(base ** np.linspace(start, end, steps), dtype or dtypes.get_default_dtype(), requires_grad, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (row, column) indices of the lower triangle of a ``row x col`` matrix, as a (2, N) tensor."""
    return _finish(np.stack(np.tril_indices(row, offset, col)), dtype or dtypes.int64, False, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (row, column) indices of the upper triangle of a ``row x col`` matrix, as a (2, N) tensor."""
    return _finish(np.stack(np.triu_indices(row, offset, col)), dtype or dtypes.int64, False, device)


def bernoulli(input: Tensor, p: float | None = None, *, generator: Generator | None = None) -> Tensor:
    """0 or 1 for each element, 1 with probability ``input`` (or ``p``)."""
    prob = input._data if p is None else p
    return Tensor._wrap((rng(generator).random(input.shape) < prob).astype(input._data.dtype))


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _finish(np.eye(n, m), dtype or dtypes.get_default_dtype(), requires_grad, device)


def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform on [0, 1)."""
    return _finish(
        rng(generator).random(_size(size, "rand")), dtype or dtypes.get_default_dtype(), requires_grad, device
    )


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal."""
    return _finish(
        rng(generator).standard_normal(_size(size, "randn")), dtype or dtypes.get_default_dtype(), requires_grad, device
    )


def randint(
    low: int,
    high: int | None = None,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers in [low, high). ``randint(10, (3,))`` means low=0, high=10, as in PyTorch."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _finish(
        rng(generator).integers(low, high, _size((size,), "randint")), dtype or dtypes.int64, requires_grad, device
    )


def randperm(n: int, generator: Generator | None = None, dtype: Any = None, device: Any = None) -> Tensor:
    _size((n,), "randperm")
    return _finish(rng(generator).permutation(n), dtype or dtypes.int64, False, device)


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, generator: Generator | None = None
) -> Tensor:
    """Draw ``num_samples`` indices per row with probabilities proportional to ``input`` (1-D or 2-D weights)."""
    p = np.asarray(input._data, dtype=np.float64)
    rows = p.reshape(1, -1) if p.ndim == 1 else p
    if p.ndim not in (1, 2) or (rows < 0).any() or not np.isfinite(rows).all() or (rows.sum(1) <= 0).any():
        raise RuntimeError(
            f"multinomial: expected 1-D or 2-D non-negative, finite weights with a positive sum per "
            f"row, got shape {tuple(input.shape)}"
        )
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError(
            f"multinomial: cannot draw {num_samples} samples without replacement from {rows.shape[1]} categories"
        )
    g = rng(generator)
    out = np.stack([g.choice(r.size, num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return Tensor._wrap(out.reshape(num_samples) if p.ndim == 1 else out.astype(np.int64))


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Tensor:
    """Normal draws: ``normal(mean_tensor, std)``, or ``normal(mean, std, size)`` for numbers. ``mean`` has no
    default, as in PyTorch: ``normal(std=0.1)`` raises TypeError (write ``randn(size) * 0.1``)."""
    if size is None and not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        raise TypeError(
            "normal() received an invalid combination of arguments: with a number mean and std it needs size= "
            "(normal(0.0, 0.1, size=(3,))), as PyTorch's does"
        )
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = _size((size,)) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    return _finish(rng(generator).normal(m, s, shape), dtype or dtypes.get_default_dtype(), False, device)


def _like(fn: Any) -> Any:
    def like(input: Tensor, *args: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        return (
            fn(*args, input.shape, dtype=dtype or input.dtype, **kwargs)
            if fn is full
            else fn(input.shape, *args, dtype=dtype or input.dtype, **kwargs)
        )

    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"``{fn.__name__}`` with the shape and dtype of ``input``."
    return like


zeros_like, ones_like, empty_like, rand_like, randn_like = map(_like, (zeros, ones, empty, rand, randn))


def full_like(input: Tensor, fill_value: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, **kwargs)


def randint_like(input: Tensor, low: int, high: int | None = None, dtype: Any = None, **kwargs: Any) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, **kwargs)


# ---- PyTorch's legacy constructors: FloatTensor([1, 2]), LongTensor(3, 4), isinstance(x, FloatTensor) -------------
class _LegacyType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype  # type: ignore[attr-defined]


class _LegacyTensor(metaclass=_LegacyType):
    """``torch.FloatTensor(data)`` is ``tensor(data, dtype=float32)``; ``FloatTensor(2, 3)`` a (2, 3) tensor of
    zeros (PyTorch leaves its memory uninitialised; zeros keep runs repeatable)."""

    dtype: dtypes.dtype

    def __new__(cls, *args: Any) -> Tensor:  # type: ignore[misc]
        if len(args) == 1 and not isinstance(args[0], int) and not isinstance(args[0], Size):
            return tensor(args[0], dtype=cls.dtype)
        return zeros(*args, dtype=cls.dtype)


def _legacy(name: str, d: dtypes.dtype) -> type:
    return _LegacyType(name, (_LegacyTensor,), {"dtype": d, "__doc__": f"``torch.{name}``: a tensor of {d}."})


FloatTensor = _legacy("FloatTensor", dtypes.float32)
DoubleTensor = _legacy("DoubleTensor", dtypes.float64)
HalfTensor = _legacy("HalfTensor", dtypes.float16)
LongTensor = _legacy("LongTensor", dtypes.int64)
IntTensor = _legacy("IntTensor", dtypes.int32)
ShortTensor = _legacy("ShortTensor", dtypes.int16)
CharTensor = _legacy("CharTensor", dtypes.int8)
ByteTensor = _legacy("ByteTensor", dtypes.uint8)
BoolTensor = _legacy("BoolTensor", dtypes.bool)
