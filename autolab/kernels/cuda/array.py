"""``CudaArray``: an n-d array in GPU memory that autolab's ops can use as they use numpy arrays.

Storage is a flat numba device array (``buf``); ``shape``, ``strides_el`` (in elements, not bytes) and
``offset`` say which of its elements form the array, as numpy's own header does. So reshaping a contiguous
array, transposing, slicing with ``a[:, 1:3]`` and broadcasting (a stride of 0) are views: new headers over
the same memory, no kernel.

autolab's ops are written on numpy arrays (``a * b``, ``np.exp(a)``, ``a.sum(axis=1)``); a ``CudaArray``
takes part in numpy's dispatch protocols, so the same lines run GPU kernels:

- ``__array_ufunc__``: every numpy ufunc (``+``, ``np.exp``, ``np.maximum``, ``>``) runs the map/zip kernel of
  elementwise.py, broadcasting through strides; ``np.matmul`` runs the tiled kernel of matmul.py;
- ``__array_function__``: the numpy functions the ops use (``np.where``, ``np.zeros_like``, ``np.sum``,
  ``np.concatenate``, ...) map to kernels or views here;
- methods with numpy's names (``sum``, ``max``, ``argmax``, ``astype``, ``reshape``, ``transpose``, ...).

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

from ..seam import last_path
from . import elementwise, launch, matmul, reduce

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
        view = _basic_index(self, key)
        if view is None:  # integer-array or boolean-mask indexing
            return _host_call("__getitem__", lambda a, k: a[k], (self, key), {})
        return view

    def __setitem__(self, key: Any, value: Any) -> None:
        view = _basic_index(self, key)
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
        axes = tuple(range(nd)) if axis is None else tuple(a % max(nd, 1) for a in _tuple(axis))
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
        axes = tuple(range(self.ndim)) if axis is None else _tuple(axis)
        count = math.prod(self.shape[a] for a in axes)
        total = self.astype(dt, copy=False)._reduce("sum", axis, keepdims)
        return np.true_divide(total, np.asarray(count, dt))

    # ---- numpy's protocols -------------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, out: Any = None, **kwargs: Any) -> Any:
        if method == "reduce" and ufunc in (np.add, np.maximum, np.minimum) and out is None:
            op = {np.add: "sum", np.maximum: "max", np.minimum: "min"}[ufunc]
            return inputs[0]._reduce(op, kwargs.get("axis", 0), kwargs.get("keepdims", False), kwargs.get("dtype"))
        if method == "at":  # np.add.at(a, index, values): in place, so the host copy is written back
            return _host_at(ufunc, *inputs)
        if method != "__call__" or kwargs or (out is not None and len(out) != 1):
            return _host_call(f"{ufunc.__name__}.{method}", getattr(ufunc, method), inputs, dict(kwargs, out=out))
        out = None if out is None else out[0]
        if ufunc is np.matmul:
            return matmul_arrays(*inputs, out=out)
        kernel = elementwise.kernel_for(ufunc)
        if kernel is None:
            return _host_call(ufunc.__name__, ufunc, inputs, {"out": out} if out is not None else {})
        arrays, dt = _operands(ufunc, inputs)
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        if out is None:
            out = CudaArray.empty(shape, dt)
        elif not isinstance(out, CudaArray):
            raise RuntimeError(MIXED_DEVICES)
        elif out.shape != shape:
            raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't match {shape}")
        elementwise.run(kernel, out, [a.broadcast_to(shape) for a in arrays], shape)
        return out

    def __array_function__(self, func: Callable, types: Any, args: tuple, kwargs: dict) -> Any:
        impl = _FUNCTIONS.get(func)
        if impl is not None:
            return impl(*args, **kwargs)
        return _host_call(func.__name__, func, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        """ndarray methods with no kernel here run on the host, counted."""
        method = getattr(np.ndarray, name, None)
        if method is None or name.startswith("__"):
            raise AttributeError(f"'CudaArray' object has no attribute '{name}'")
        return lambda *args, **kwargs: _host_call(name, method, (self, *args), kwargs)

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
def _tuple(axis: Any) -> tuple:
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


def _basic_index(a: CudaArray, key: Any) -> CudaArray | None:
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


def _operands(ufunc: np.ufunc, inputs: tuple) -> tuple[list[CudaArray], np.dtype]:
    """The inputs as CudaArrays (numbers and 0-d CPU arrays copied over), and the result dtype numpy gives."""
    for x in inputs:
        if isinstance(x, np.ndarray) and x.ndim > 0:
            raise RuntimeError(MIXED_DEVICES)
        if not isinstance(x, (CudaArray, np.ndarray, np.generic, int, float, bool)):
            raise TypeError(f"unsupported operand for a CUDA array: {type(x).__name__}")
    proxies = [np.zeros(1, x.dtype) if isinstance(x, CudaArray) else x for x in inputs]
    with np.errstate(all="ignore"):
        dt = ufunc(*proxies).dtype
    arrays = []
    array_dts = [x.dtype for x in inputs if isinstance(x, (CudaArray, np.ndarray, np.generic))]
    for x in inputs:
        if isinstance(x, CudaArray):
            arrays.append(x)
        else:  # a number: numpy's weak-scalar rule gives it the arrays' dtype
            sdt = x.dtype if isinstance(x, (np.ndarray, np.generic)) else np.result_type(*array_dts, x)
            arrays.append(_scalar(x, sdt))
    return arrays, dt


_scalars: dict = {}


def _scalar(x: Any, dt: np.dtype) -> CudaArray:
    """A 0-d CudaArray holding ``x`` (the few recent ones are kept, so a loop's constants are copied once)."""
    key = (float(x) if np.asarray(x).dtype.kind == "f" else int(x), np.dtype(dt))
    hit = _scalars.get(key)
    if hit is None:
        if len(_scalars) > 256:
            _scalars.clear()
        hit = _scalars[key] = CudaArray.from_host(np.asarray(x, dtype=dt))
    return hit


def _host_call(name: str, func: Callable, args: tuple, kwargs: dict) -> Any:
    """Run ``func`` on host copies of the CudaArrays in ``args``; copy array results back. Counted."""
    fallbacks[name] += 1
    result = func(*_map(args, _to_host), **_map(kwargs, _to_host))
    outs = kwargs.get("out")
    if outs is not None:  # numpy wrote into host copies: copy them back into the CudaArrays
        for dev, host in zip(_tuple(outs), _tuple(_map(outs, _to_host))):
            if isinstance(dev, CudaArray):
                dev[...] = CudaArray.from_host(np.asarray(result if len(_tuple(outs)) == 1 else host))
        return outs[0] if isinstance(outs, tuple) and len(outs) == 1 else outs
    return _map(result, lambda r: CudaArray.from_host(r) if isinstance(r, np.ndarray) else r)


def _host_at(ufunc: np.ufunc, a: CudaArray, index: Any, values: Any = None) -> None:
    if not isinstance(a, CudaArray):
        raise RuntimeError(MIXED_DEVICES)
    view = _basic_index(a, index) if values is not None else None
    if view is not None:  # a basic index names each element once: the in-place ufunc on the view is the same
        ufunc(view, values, out=(view,))
        return
    fallbacks[f"{ufunc.__name__}.at"] += 1
    host = a.to_host()
    args = (index,) if values is None else (index, values)
    ufunc.at(host, *_map(args, _to_host))
    a[...] = CudaArray.from_host(host)


def _to_host(x: Any) -> Any:
    return x.to_host() if isinstance(x, CudaArray) else x


def _map(x: Any, fn: Callable) -> Any:
    if isinstance(x, (list, tuple)):
        return type(x)(_map(v, fn) for v in x)
    if isinstance(x, dict):
        return {k: _map(v, fn) for k, v in x.items()}
    return fn(x)


# ---- the numpy functions that run kernels or make views ----------------------------------------------------------
def matmul_arrays(a: Any, b: Any, out: Any = None, kernel: str | None = None) -> CudaArray:
    """``a @ b`` with numpy's rules for 1-d operands and broadcast batch dimensions."""
    if not (isinstance(a, CudaArray) and isinstance(b, CudaArray)):
        raise RuntimeError(MIXED_DEVICES)
    dt = np.result_type(a.dtype, b.dtype)
    a, b = (a if a.dtype == dt else a.astype(dt)), (b if b.dtype == dt else b.astype(dt))
    va, vb = (a[None, :] if a.ndim == 1 else a), (b[:, None] if b.ndim == 1 else b)
    if va.shape[-1] != vb.shape[-2]:
        raise ValueError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 ({a.shape} @ {b.shape})")
    batch_shape = np.broadcast_shapes(va.shape[:-2], vb.shape[:-2])
    (m, k), n = va.shape[-2:], vb.shape[-1]
    batch = math.prod(batch_shape)
    # one batch dimension: broadcast both to batch_shape, then fold it (a stride of 0 where broadcast)
    va = va.broadcast_to(batch_shape + (m, k))
    vb = vb.broadcast_to(batch_shape + (k, n))
    if len(batch_shape) > 1:
        va, vb = va.copy().reshape(batch, m, k), vb.copy().reshape(batch, k, n)
    sa = (va.strides_el[0] if batch_shape else 0,) + va.strides_el[-2:]
    sb = (vb.strides_el[0] if batch_shape else 0,) + vb.strides_el[-2:]
    res = CudaArray.empty(batch_shape + (m, n), dt)
    used = matmul.matmul_into((va.buf, va.offset), (vb.buf, vb.offset), res.buf, batch, m, n, k, sa, sb, kernel)
    last_path["matmul"] = f"cuda-{used}"
    shape = batch_shape + ((m,) if a.ndim > 1 else ()) + ((n,) if b.ndim > 1 else ())
    res = res.reshape(shape)
    if out is not None:
        out[...] = res
        return out
    return res


def _like(fill: Any) -> Callable:
    def like(a: CudaArray, dtype: Any = None, order: str = "K", subok: bool = True, shape: Any = None) -> CudaArray:
        return CudaArray.full(a.shape if shape is None else _tuple(shape), fill, dtype or a.dtype)

    return like


def _full_like(a: CudaArray, fill_value: Any, dtype: Any = None, **kw: Any) -> CudaArray:
    return CudaArray.full(a.shape, fill_value, dtype or a.dtype)


def _where(cond: Any, x: Any = None, y: Any = None) -> CudaArray:
    if x is None or y is None:
        return _host_call("where", np.where, (cond,), {})
    arrays = [cond, x, y]
    if any(isinstance(v, np.ndarray) and v.ndim for v in arrays):
        raise RuntimeError(MIXED_DEVICES)
    dt = np.result_type(*(v.dtype if isinstance(v, (CudaArray, np.ndarray, np.generic)) else v for v in (x, y)))
    devs = [v if isinstance(v, CudaArray) else _scalar(v, bool if i == 0 else dt) for i, v in enumerate(arrays)]
    shape = np.broadcast_shapes(*(v.shape for v in devs))
    out = CudaArray.empty(shape, dt)
    elementwise.run(elementwise.where_kernel, out, [v.broadcast_to(shape) for v in devs], shape)
    return out


def _concatenate(arrays: Any, axis: int = 0, out: Any = None, dtype: Any = None, **kw: Any) -> CudaArray:
    arrays = list(arrays)
    if not all(isinstance(a, CudaArray) for a in arrays):
        raise RuntimeError(MIXED_DEVICES)
    axis %= arrays[0].ndim
    dt = np.dtype(dtype) if dtype is not None else np.result_type(*(a.dtype for a in arrays))
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    res, at = CudaArray.empty(shape, dt), 0
    for a in arrays:  # each piece copied into its slice of the result (a view)
        key = (slice(None),) * axis + (slice(at, at + a.shape[axis]),)
        res[key] = a
        at += a.shape[axis]
    return res


def _stack(arrays: Any, axis: int = 0, out: Any = None, **kw: Any) -> CudaArray:
    arrays = list(arrays)
    nd = arrays[0].ndim + 1
    axis %= nd
    return _concatenate([a.reshape(a.shape[:axis] + (1,) + a.shape[axis:]) for a in arrays], axis)


def _expand_dims(a: CudaArray, axis: Any) -> CudaArray:
    shape = list(a.shape)
    nd = a.ndim + len(_tuple(axis))
    for ax in sorted(x % nd for x in _tuple(axis)):
        shape.insert(ax, 1)
    return a.reshape(shape)


def _moveaxis(a: CudaArray, source: Any, destination: Any) -> CudaArray:
    src = [s % a.ndim for s in _tuple(source)]
    dst = [d % a.ndim for d in _tuple(destination)]
    order = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return a.transpose(order)


def _clip(a: CudaArray, lo: Any = None, hi: Any = None, out: Any = None, **kw: Any) -> CudaArray:
    r = a if lo is None else np.maximum(a, lo)
    r = r if hi is None else np.minimum(r, hi)
    return r if r is not a else a.copy()


def _ascontiguous(a: CudaArray, dtype: Any = None, **kw: Any) -> CudaArray:
    a = a if a.is_contiguous() else a.copy()
    return a if dtype is None else a.astype(dtype, copy=False)


_FUNCTIONS: dict[Callable, Callable] = {
    np.zeros_like: _like(0),
    np.ones_like: _like(1),
    np.empty_like: _like(0),
    np.full_like: _full_like,
    np.sum: lambda a, axis=None, dtype=None, out=None, keepdims=False, **kw: a.sum(axis, dtype, out, keepdims),
    np.max: lambda a, axis=None, out=None, keepdims=False, **kw: a.max(axis, out, keepdims),
    np.amax: lambda a, axis=None, out=None, keepdims=False, **kw: a.max(axis, out, keepdims),
    np.min: lambda a, axis=None, out=None, keepdims=False, **kw: a.min(axis, out, keepdims),
    np.amin: lambda a, axis=None, out=None, keepdims=False, **kw: a.min(axis, out, keepdims),
    np.mean: lambda a, axis=None, dtype=None, out=None, keepdims=False, **kw: a.mean(axis, dtype, out, keepdims),
    np.any: lambda a, axis=None, out=None, keepdims=False, **kw: a.any(axis, out, keepdims),
    np.all: lambda a, axis=None, out=None, keepdims=False, **kw: a.all(axis, out, keepdims),
    np.argmax: lambda a, axis=None, out=None, keepdims=False: a.argmax(axis, out, keepdims),
    np.argmin: lambda a, axis=None, out=None, keepdims=False: a.argmin(axis, out, keepdims),
    np.reshape: lambda a, shape=None, order="C", **kw: a.reshape(shape if shape is not None else kw["newshape"]),
    np.transpose: lambda a, axes=None: a.transpose(axes) if axes is not None else a.transpose(),
    np.swapaxes: lambda a, x, y: a.swapaxes(x, y),
    np.moveaxis: _moveaxis,
    np.broadcast_to: lambda a, shape, subok=False: a.broadcast_to(_tuple(shape)),
    np.expand_dims: _expand_dims,
    np.squeeze: lambda a, axis=None: a.squeeze(axis),
    np.ravel: lambda a, order="C": a.ravel(),
    np.where: _where,
    np.concatenate: _concatenate,
    np.stack: _stack,
    np.clip: _clip,
    np.copy: lambda a, order="K", subok=False: a.copy(),
    np.ascontiguousarray: _ascontiguous,
    np.require: lambda a, dtype=None, requirements=None, **kw: _ascontiguous(a, dtype),
    np.matmul: lambda a, b, out=None, **kw: matmul_arrays(a, b, out),
    np.dot: lambda a, b, out=None: matmul_arrays(a, b, out),
    np.shape: lambda a: a.shape,
    np.ndim: lambda a: a.ndim,
    np.size: lambda a, axis=None: a.size if axis is None else a.shape[axis],
}


def launch_config(n: int) -> tuple[int, int]:
    return launch(n)


def _register() -> None:
    from .. import seam  # lazy: backend imports this module (CudaArray)
    from . import backend

    seam.register_backend(CudaArray, backend, "cuda")


_register()
