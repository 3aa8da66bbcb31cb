"""``CudaArray``: an n-d array in GPU memory that autolab's ops can use as they use numpy arrays.

Storage is a flat numba device array (``buf``); ``shape``, ``strides_el`` (in elements, not bytes) and
``offset`` say which of its elements form the array, as numpy's own header does. So reshaping a contiguous
array, transposing, slicing with ``a[:, 1:3]`` and broadcasting (a stride of 0) are views: new headers over
the same memory, no kernel.

autolab's ops are written on numpy arrays (``a * b``, ``np.exp(a)``, ``a.sum(axis=1)``); a ``CudaArray``
has numpy's methods (``sum``, ``max``, ``argmax``, ``astype``, ``reshape``, ``transpose``, ...) and takes part in
numpy's dispatch protocols (``__array_ufunc__``, ``__array_function__``), so the same lines run GPU kernels:
dispatch.py says which kernel each numpy call runs.

Anything else runs on the host, *counted*: the array is copied to the CPU, numpy computes, the result is copied
back, and ``fallbacks[name]`` grows by one (``reset_fallbacks()`` clears it). Tests assert that a training step
needs no fallback. ``np.asarray(cuda_array)`` raises, as PyTorch's ``.numpy()`` of a CUDA tensor does: the
only way to the host is explicit (``to_host()``, ``Tensor.cpu()``).

A CPU array with dimensions in the same operation raises PyTorch's "Expected all tensors to be on the same
device" error; 0-d CPU arrays and Python numbers are allowed, as in PyTorch.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import cuda

from . import dispatch, elementwise, launch, reduce

fallbacks: Counter = Counter()  # name -> host round trips (see the module docstring)

MIXED_DEVICES = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"
TO_NUMPY = "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first."


def reset_fallbacks() -> None:
    fallbacks.clear()


def c_strides(shape: tuple) -> tuple:
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= n
    return tuple(reversed(st))


class CudaArray:
    """An n-d array in GPU memory (see the module docstring)."""

    __slots__ = ("buf", "shape", "strides_el", "offset", "dtype")
    _autolab_cuda = True  # what Tensor looks for, without importing this module (which imports numba)

    def __init__(self, buf: Any, shape: tuple, strides_el: tuple | None = None, offset: int = 0) -> None:
        self.buf = buf
        self.shape = tuple(int(s) for s in shape)
        self.strides_el = c_strides(self.shape) if strides_el is None else tuple(int(s) for s in strides_el)
        self.offset = int(offset)
        self.dtype = np.dtype(buf.dtype)

    # ---- making one --------------------------------------------------------------------------------------
    @classmethod
    def empty(cls, shape: tuple, dtype: Any) -> CudaArray:
        shape = tuple(int(s) for s in shape)
        return cls(cuda.device_array(max(1, math.prod(shape)), dtype=np.dtype(dtype)), shape)

    @classmethod
    def from_host(cls, a: Any) -> CudaArray:
        """Copy a numpy array (or anything numpy reads) to the GPU."""
        a = np.require(a, requirements="C")  # np.ascontiguousarray would make a 0-d array 1-d
        flat = a.reshape(-1) if a.size else np.zeros(1, a.dtype)
        return cls(cuda.to_device(flat), a.shape)

    @classmethod
    def full(cls, shape: tuple, value: Any, dtype: Any) -> CudaArray:
        out = cls.empty(shape, dtype)
        out.fill(value)
        return out

    def to_host(self) -> np.ndarray:
        """Copy to a new numpy array."""
        c = self if self._compact() else self.copy()
        return c.buf.copy_to_host()[: c.size].reshape(c.shape)

    # ---- what it is --------------------------------------------------------------------------------------
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))
    itemsize = property(lambda self: self.dtype.itemsize)
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    T = property(lambda self: self.transpose())

    @property
    def strides(self) -> tuple:
        """In bytes, as numpy's."""
        return tuple(s * self.dtype.itemsize for s in self.strides_el)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"CudaArray({self.to_host()!r})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(TO_NUMPY)

    @property
    def flags(self) -> _Flags:
        return _Flags(self.is_contiguous(), self.transpose().is_contiguous())

    def is_contiguous(self) -> bool:
        return self.strides_el == c_strides(self.shape) or self.size <= 1

    def _compact(self) -> bool:
        """Contiguous and starting at the buffer's first element (what to_host and the kernels' flat views need)."""
        return self.is_contiguous() and self.offset == 0

    def flat_buffer(self) -> Any:
        """The elements in C order as one flat device array (a copy only when this is not contiguous)."""
        c = self if self.is_contiguous() else self.copy()
        return c.buf[c.offset : c.offset + max(1, c.size)]

    # ---- views: new headers, same memory ----------------------------------------------------------------
    def reshape(self, *shape: Any, order: str = "C") -> CudaArray:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = _resolve_shape(shape, self.size)
        src = self if self.is_contiguous() else self.copy()
        return CudaArray(src.buf, shape, None, src.offset)

    def ravel(self) -> CudaArray:
        return self.reshape(-1)

    flatten = ravel

    def transpose(self, *axes: Any) -> CudaArray:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = tuple(range(self.ndim))[::-1] if not axes or axes == (None,) else tuple(a % self.ndim for a in axes)
        return CudaArray(self.buf, [self.shape[a] for a in axes], [self.strides_el[a] for a in axes], self.offset)

    def swapaxes(self, a: int, b: int) -> CudaArray:
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    def broadcast_to(self, shape: tuple) -> CudaArray:
        shape = tuple(shape)
        extra = len(shape) - self.ndim
        if extra < 0:
            raise ValueError(f"cannot broadcast shape {self.shape} to {shape}")
        st = [0] * extra
        for n, have, s in zip(shape[extra:], self.shape, self.strides_el):
            if have not in (1, n):
                raise ValueError(f"operands could not be broadcast together with shapes {self.shape} {shape}")
            st.append(s if have == n else 0)
        return CudaArray(self.buf, shape, st, self.offset)

    def squeeze(self, axis: Any = None) -> CudaArray:
        if axis is None:
            axes = {i for i, n in enumerate(self.shape) if n == 1}
        else:
            axes = {a % self.ndim for a in (axis if isinstance(axis, tuple) else (axis,))}
        keep = [i for i in range(self.ndim) if i not in axes]
        return CudaArray(self.buf, [self.shape[i] for i in keep], [self.strides_el[i] for i in keep], self.offset)

    def __getitem__(self, key: Any) -> CudaArray:
        view = basic_index(self, key)
        if view is None:  # integer-array or boolean-mask indexing
            return dispatch.host_call("__getitem__", lambda a, k: a[k], (self, key), {})
        return view

    def __setitem__(self, key: Any, value: Any) -> None:
        view = basic_index(self, key)
        if view is None or (isinstance(value, np.ndarray) and value.ndim):
            host = self.to_host()
            host[key] = value.to_host() if isinstance(value, CudaArray) else value
            fallbacks["__setitem__"] += 1
            view, value = self, CudaArray.from_host(host)
        if isinstance(value, CudaArray):
            elementwise.run(elementwise.COPY, view, [value.broadcast_to(view.shape)], view.shape)
        else:
            view.fill(value)

    # ---- copies and casts ---------------------------------------------------------------------------------
    def copy(self, order: str = "C") -> CudaArray:
        out = CudaArray.empty(self.shape, self.dtype)
        elementwise.run(elementwise.COPY, out, [self], self.shape)
        return out

    def astype(self, dtype: Any, copy: bool = True, **kwargs: Any) -> CudaArray:
        dtype = np.dtype(dtype)
        if dtype == self.dtype and not copy:
            return self
        out = CudaArray.empty(self.shape, dtype)
        elementwise.run(elementwise.COPY, out, [self], self.shape)
        return out

    def fill(self, value: Any) -> None:
        src = CudaArray.from_host(np.asarray(value, dtype=self.dtype))
        elementwise.run(elementwise.COPY, self, [src.broadcast_to(self.shape)], self.shape)

    def item(self, *args: Any) -> Any:
        if args:
            return self.to_host().item(*args)
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self.to_host().item()

    def tolist(self) -> Any:
        return self.to_host().tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        return bool(self.item())

    # ---- reductions ---------------------------------------------------------------------------------------
    def _reduce(self, op: str, axis: Any, keepdims: bool, dtype: Any = None) -> CudaArray:
        nd = self.ndim
        axes = tuple(range(nd)) if axis is None else tuple(a % max(nd, 1) for a in as_tuple(axis))
        keep = [i for i in range(nd) if i not in axes]
        rows = math.prod(self.shape[i] for i in keep)
        k = math.prod(self.shape[i] for i in axes)
        if op in ("max", "min", "argmax", "argmin") and k == 0:
            raise ValueError(f"zero-size array to reduction operation {op} which has no identity")
        src = self.transpose(keep + list(axes)) if nd else self
        if op == "sum":
            out_dt = np.dtype(dtype) if dtype is not None else np.sum(np.zeros(1, self.dtype)).dtype
            if src.dtype != out_dt:
                src = src.astype(out_dt)
        else:
            out_dt = np.dtype(np.int64) if op.startswith("arg") else self.dtype
        out = CudaArray.empty((rows,), out_dt)
        reduce.reduce_rows(op, src.flat_buffer(), out.buf, rows, k)
        shape = [self.shape[i] for i in keep]
        if keepdims:
            shape = [1 if i in axes else n for i, n in enumerate(self.shape)]
        return out.reshape(shape)

    def sum(self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:
        _no_out(out, "sum")
        return self._reduce("sum", axis, keepdims, dtype)

    def max(self, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> CudaArray:
        _no_out(out, "max")
        return self._reduce("max", axis, keepdims)

    def min(self, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> CudaArray:
        _no_out(out, "min")
        return self._reduce("min", axis, keepdims)

    def argmax(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> CudaArray:
        _no_out(out, "argmax")
        src = self.reshape(-1) if axis is None else self
        return src._reduce("argmax", 0 if axis is None else axis, keepdims)

    def argmin(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> CudaArray:
        _no_out(out, "argmin")
        src = self.reshape(-1) if axis is None else self
        return src._reduce("argmin", 0 if axis is None else axis, keepdims)

    def any(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> CudaArray:
        _no_out(out, "any")
        return np.not_equal(self, 0)._reduce("max", axis, keepdims)

    def all(self, axis: Any = None, out: Any = None, keepdims: bool = False) -> CudaArray:
        _no_out(out, "all")
        return np.not_equal(self, 0)._reduce("min", axis, keepdims)

    def mean(self, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False) -> CudaArray:
        _no_out(out, "mean")
        dt = np.dtype(dtype) if dtype is not None else np.mean(np.zeros(1, self.dtype)).dtype
        axes = tuple(range(self.ndim)) if axis is None else as_tuple(axis)
        count = math.prod(self.shape[a] for a in axes)
        total = self.astype(dt, copy=False)._reduce("sum", axis, keepdims)
        return np.true_divide(total, np.asarray(count, dt))

    # ---- numpy's protocols: dispatch.py says which kernel each call runs ------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, out: Any = None, **kwargs: Any) -> Any:
        return dispatch.array_ufunc(self, ufunc, method, inputs, out, kwargs)

    def __array_function__(self, func: Callable, types: Any, args: tuple, kwargs: dict) -> Any:
        return dispatch.array_function(func, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        """ndarray methods with no kernel here run on the host, counted."""
        method = getattr(np.ndarray, name, None)
        if method is None or name.startswith("__"):
            raise AttributeError(f"'CudaArray' object has no attribute '{name}'")
        return lambda *args, **kwargs: dispatch.host_call(name, method, (self, *args), kwargs)

    # ---- operators: numpy's ufuncs, so they dispatch as above --------------------------------------------
    __add__ = lambda self, o: np.add(self, o)  # noqa: E731
    __radd__ = lambda self, o: np.add(o, self)  # noqa: E731
    __sub__ = lambda self, o: np.subtract(self, o)  # noqa: E731
    __rsub__ = lambda self, o: np.subtract(o, self)  # noqa: E731
    __mul__ = lambda self, o: np.multiply(self, o)  # noqa: E731
    __rmul__ = lambda self, o: np.multiply(o, self)  # noqa: E731
    __truediv__ = lambda self, o: np.true_divide(self, o)  # noqa: E731
    __rtruediv__ = lambda self, o: np.true_divide(o, self)  # noqa: E731
    __pow__ = lambda self, o: np.power(self, o)  # noqa: E731
    __rpow__ = lambda self, o: np.power(o, self)  # noqa: E731
    __matmul__ = lambda self, o: np.matmul(self, o)  # noqa: E731
    __rmatmul__ = lambda self, o: np.matmul(o, self)  # noqa: E731
    __neg__ = lambda self: np.negative(self)  # noqa: E731
    __abs__ = lambda self: np.absolute(self)  # noqa: E731
    __invert__ = lambda self: np.logical_not(self) if self.dtype == bool else np.invert(self)  # noqa: E731
    __gt__ = lambda self, o: np.greater(self, o)  # noqa: E731
    __ge__ = lambda self, o: np.greater_equal(self, o)  # noqa: E731
    __lt__ = lambda self, o: np.less(self, o)  # noqa: E731
    __le__ = lambda self, o: np.less_equal(self, o)  # noqa: E731
    __eq__ = lambda self, o: np.equal(self, o)  # noqa: E731
    __ne__ = lambda self, o: np.not_equal(self, o)  # noqa: E731
    __and__ = lambda self, o: np.bitwise_and(self, o)  # noqa: E731
    __or__ = lambda self, o: np.bitwise_or(self, o)  # noqa: E731
    __hash__ = None  # type: ignore[assignment]

    def __iadd__(self, o: Any) -> CudaArray:
        return np.add(self, o, out=(self,))

    def __isub__(self, o: Any) -> CudaArray:
        return np.subtract(self, o, out=(self,))

    def __imul__(self, o: Any) -> CudaArray:
        return np.multiply(self, o, out=(self,))

    def __itruediv__(self, o: Any) -> CudaArray:
        return np.true_divide(self, o, out=(self,))


class _Flags:
    """The two of numpy's ``a.flags`` that autolab's ops read."""

    def __init__(self, c: bool, f: bool) -> None:
        self.c_contiguous, self.f_contiguous = c, f

    def __getitem__(self, name: str) -> bool:
        return {"C_CONTIGUOUS": self.c_contiguous, "C": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous}[name]


# ---- helpers -------------------------------------------------------------------------------------------------
def as_tuple(axis: Any) -> tuple:
    return tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)


def _no_out(out: Any, name: str) -> None:
    if out is not None:
        raise NotImplementedError(f"CudaArray.{name}(out=...) is not supported")


def _resolve_shape(shape: tuple, size: int) -> tuple:
    shape = tuple(int(s) for s in shape)
    if -1 in shape:
        known = math.prod(s for s in shape if s != -1)
        shape = tuple(size // known if s == -1 and known else (0 if s == -1 else s) for s in shape)
    if math.prod(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return shape


def basic_index(a: CudaArray, key: Any) -> CudaArray | None:
    """The view ``a[key]`` for ints, slices, None and Ellipsis; None for any other key."""
    key = key if isinstance(key, tuple) else (key,)
    if not all(k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice)) for k in key):
        return None
    if any(isinstance(k, (bool, np.bool_)) for k in key):
        return None
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if Ellipsis in key:
        i = key.index(Ellipsis)
        key = key[:i] + (slice(None),) * (a.ndim - used) + key[i + 1 :]
    else:
        key = key + (slice(None),) * (a.ndim - used)
    shape, strides, offset, d = [], [], a.offset, 0
    for k in key:
        if k is None:
            shape.append(1)
            strides.append(0)
            continue
        n, s = a.shape[d], a.strides_el[d]
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            shape.append(len(range(start, stop, step)))
            strides.append(s * step)
            offset += start * s
        else:
            i = int(k) + n if k < 0 else int(k)
            if not 0 <= i < n:
                raise IndexError(f"index {k} is out of bounds for axis {d} with size {n}")
            offset += i * s
        d += 1
    return CudaArray(a.buf, shape, strides, offset)


def launch_config(n: int) -> tuple[int, int]:
    return launch(n)


def _register() -> None:
    from .. import seam  # lazy: backend imports this module (CudaArray)
    from . import backend

    seam.register_backend(CudaArray, backend, "cuda")


_register()
