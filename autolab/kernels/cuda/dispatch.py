"""numpy's protocols for ``array.CudaArray`` (array.py): which kernel a numpy call on GPU arrays runs.

autolab's ops are written on numpy arrays. A ``array.CudaArray`` answers numpy's dispatch protocols, and this file says
what each call becomes:

- ``array_ufunc`` (``CudaArray.__array_ufunc__``): every numpy ufunc (``+``, ``np.exp``, ``np.maximum``, ``>``)
  runs the map/zip kernel of elementwise.py, broadcasting through strides; ``np.matmul`` runs the tiled kernel of
  matmul.py; ``np.add.reduce`` and friends the row reductions of reduce.py;
- ``array_function`` (``CudaArray.__array_function__``): the numpy functions the ops use (``np.where``,
  ``np.zeros_like``, ``np.sum``, ``np.concatenate``, ...) map, through the ``FUNCTIONS`` table, to kernels or views;
- anything else runs on the host, *counted* (``host_call``): copied to the CPU, numpy computes, the result is
  copied back, and ``array.fallbacks[name]`` grows by one.

array.py imports this module and this module imports array.py, each as a module (``array.CudaArray`` is looked
up when a function runs), so either can be imported first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..seam import last_path
from . import array, elementwise, matmul


def array_ufunc(self: array.CudaArray, ufunc: np.ufunc, method: str, inputs: tuple, out: Any, kwargs: dict) -> Any:
    """``CudaArray.__array_ufunc__``: a ufunc call on GPU arrays (see the module docstring)."""
    if method == "reduce" and ufunc in (np.add, np.maximum, np.minimum) and out is None:
        op = {np.add: "sum", np.maximum: "max", np.minimum: "min"}[ufunc]
        return inputs[0]._reduce(op, kwargs.get("axis", 0), kwargs.get("keepdims", False), kwargs.get("dtype"))
    if method == "at":  # np.add.at(a, index, values): in place, so the host copy is written back
        return host_at(ufunc, *inputs)
    if method != "__call__" or kwargs or (out is not None and len(out) != 1):
        return host_call(f"{ufunc.__name__}.{method}", getattr(ufunc, method), inputs, dict(kwargs, out=out))
    out = None if out is None else out[0]
    if ufunc is np.matmul:
        return matmul_arrays(*inputs, out=out)
    kernel = elementwise.kernel_for(ufunc)
    if kernel is None:
        return host_call(ufunc.__name__, ufunc, inputs, {"out": out} if out is not None else {})
    arrays, dt = _operands(ufunc, inputs)
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    if out is None:
        out = array.CudaArray.empty(shape, dt)
    elif not isinstance(out, array.CudaArray):
        raise RuntimeError(array.MIXED_DEVICES)
    elif out.shape != shape:
        raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't match {shape}")
    elementwise.run(kernel, out, [a.broadcast_to(shape) for a in arrays], shape)
    return out


def array_function(func: Callable, args: tuple, kwargs: dict) -> Any:
    """``CudaArray.__array_function__``: a numpy function on GPU arrays, from ``FUNCTIONS`` or on the host."""
    impl = FUNCTIONS.get(func)
    if impl is not None:
        return impl(*args, **kwargs)
    return host_call(func.__name__, func, args, kwargs)


def _operands(ufunc: np.ufunc, inputs: tuple) -> tuple[list[array.CudaArray], np.dtype]:
    """The inputs as CudaArrays (numbers and 0-d CPU arrays copied over), and the result dtype numpy gives."""
    for x in inputs:
        if isinstance(x, np.ndarray) and x.ndim > 0:
            raise RuntimeError(array.MIXED_DEVICES)
        if not isinstance(x, (array.CudaArray, np.ndarray, np.generic, int, float, bool)):
            raise TypeError(f"unsupported operand for a CUDA array: {type(x).__name__}")
    proxies = [np.zeros(1, x.dtype) if isinstance(x, array.CudaArray) else x for x in inputs]
    with np.errstate(all="ignore"):
        dt = ufunc(*proxies).dtype
    arrays = []
    array_dts = [x.dtype for x in inputs if isinstance(x, (array.CudaArray, np.ndarray, np.generic))]
    for x in inputs:
        if isinstance(x, array.CudaArray):
            arrays.append(x)
        else:  # a number: numpy's weak-scalar rule gives it the arrays' dtype
            sdt = x.dtype if isinstance(x, (np.ndarray, np.generic)) else np.result_type(*array_dts, x)
            arrays.append(_scalar(x, sdt))
    return arrays, dt


_scalars: dict = {}


def _scalar(x: Any, dt: np.dtype) -> array.CudaArray:
    """A 0-d array.CudaArray holding ``x`` (the few recent ones are kept, so a loop's constants are copied once)."""
    key = (float(x) if np.asarray(x).dtype.kind == "f" else int(x), np.dtype(dt))
    hit = _scalars.get(key)
    if hit is None:
        if len(_scalars) > 256:
            _scalars.clear()
        hit = _scalars[key] = array.CudaArray.from_host(np.asarray(x, dtype=dt))
    return hit


def host_call(name: str, func: Callable, args: tuple, kwargs: dict) -> Any:
    """Run ``func`` on host copies of the CudaArrays in ``args``; copy array results back. Counted."""
    array.fallbacks[name] += 1
    result = func(*_map(args, _to_host), **_map(kwargs, _to_host))
    outs = kwargs.get("out")
    if outs is not None:  # numpy wrote into host copies: copy them back into the CudaArrays
        for dev, host in zip(array.as_tuple(outs), array.as_tuple(_map(outs, _to_host))):
            if isinstance(dev, array.CudaArray):
                dev[...] = array.CudaArray.from_host(np.asarray(result if len(array.as_tuple(outs)) == 1 else host))
        return outs[0] if isinstance(outs, tuple) and len(outs) == 1 else outs
    return _map(result, lambda r: array.CudaArray.from_host(r) if isinstance(r, np.ndarray) else r)


def host_at(ufunc: np.ufunc, a: array.CudaArray, index: Any, values: Any = None) -> None:
    if not isinstance(a, array.CudaArray):
        raise RuntimeError(array.MIXED_DEVICES)
    view = array.basic_index(a, index) if values is not None else None
    if view is not None:  # a basic index names each element once: the in-place ufunc on the view is the same
        ufunc(view, values, out=(view,))
        return
    array.fallbacks[f"{ufunc.__name__}.at"] += 1
    host = a.to_host()
    args = (index,) if values is None else (index, values)
    ufunc.at(host, *_map(args, _to_host))
    a[...] = array.CudaArray.from_host(host)


def _to_host(x: Any) -> Any:
    return x.to_host() if isinstance(x, array.CudaArray) else x


def _map(x: Any, fn: Callable) -> Any:
    if isinstance(x, (list, tuple)):
        return type(x)(_map(v, fn) for v in x)
    if isinstance(x, dict):
        return {k: _map(v, fn) for k, v in x.items()}
    return fn(x)


# ---- the numpy functions that run kernels or make views ----------------------------------------------------------
def matmul_arrays(a: Any, b: Any, out: Any = None, kernel: str | None = None) -> array.CudaArray:
    """``a @ b`` with numpy's rules for 1-d operands and broadcast batch dimensions."""
    if not (isinstance(a, array.CudaArray) and isinstance(b, array.CudaArray)):
        raise RuntimeError(array.MIXED_DEVICES)
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
    res = array.CudaArray.empty(batch_shape + (m, n), dt)
    used = matmul.matmul_into((va.buf, va.offset), (vb.buf, vb.offset), res.buf, batch, m, n, k, sa, sb, kernel)
    last_path["matmul"] = f"cuda-{used}"
    shape = batch_shape + ((m,) if a.ndim > 1 else ()) + ((n,) if b.ndim > 1 else ())
    res = res.reshape(shape)
    if out is not None:
        out[...] = res
        return out
    return res


def _like(fill: Any) -> Callable:
    def like(
        a: array.CudaArray, dtype: Any = None, order: str = "K", subok: bool = True, shape: Any = None
    ) -> array.CudaArray:
        return array.CudaArray.full(a.shape if shape is None else array.as_tuple(shape), fill, dtype or a.dtype)

    return like


def _full_like(a: array.CudaArray, fill_value: Any, dtype: Any = None, **kw: Any) -> array.CudaArray:
    return array.CudaArray.full(a.shape, fill_value, dtype or a.dtype)


def _where(cond: Any, x: Any = None, y: Any = None) -> array.CudaArray:
    if x is None or y is None:
        return host_call("where", np.where, (cond,), {})
    arrays = [cond, x, y]
    if any(isinstance(v, np.ndarray) and v.ndim for v in arrays):
        raise RuntimeError(array.MIXED_DEVICES)
    dt = np.result_type(*(v.dtype if isinstance(v, (array.CudaArray, np.ndarray, np.generic)) else v for v in (x, y)))
    devs = [v if isinstance(v, array.CudaArray) else _scalar(v, bool if i == 0 else dt) for i, v in enumerate(arrays)]
    shape = np.broadcast_shapes(*(v.shape for v in devs))
    out = array.CudaArray.empty(shape, dt)
    elementwise.run(elementwise.where_kernel, out, [v.broadcast_to(shape) for v in devs], shape)
    return out


def _concatenate(arrays: Any, axis: int = 0, out: Any = None, dtype: Any = None, **kw: Any) -> array.CudaArray:
    arrays = list(arrays)
    if not all(isinstance(a, array.CudaArray) for a in arrays):
        raise RuntimeError(array.MIXED_DEVICES)
    axis %= arrays[0].ndim
    dt = np.dtype(dtype) if dtype is not None else np.result_type(*(a.dtype for a in arrays))
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    res, at = array.CudaArray.empty(shape, dt), 0
    for a in arrays:  # each piece copied into its slice of the result (a view)
        key = (slice(None),) * axis + (slice(at, at + a.shape[axis]),)
        res[key] = a
        at += a.shape[axis]
    return res


def _stack(arrays: Any, axis: int = 0, out: Any = None, **kw: Any) -> array.CudaArray:
    arrays = list(arrays)
    nd = arrays[0].ndim + 1
    axis %= nd
    return _concatenate([a.reshape(a.shape[:axis] + (1,) + a.shape[axis:]) for a in arrays], axis)


def _expand_dims(a: array.CudaArray, axis: Any) -> array.CudaArray:
    shape = list(a.shape)
    nd = a.ndim + len(array.as_tuple(axis))
    for ax in sorted(x % nd for x in array.as_tuple(axis)):
        shape.insert(ax, 1)
    return a.reshape(shape)


def _moveaxis(a: array.CudaArray, source: Any, destination: Any) -> array.CudaArray:
    src = [s % a.ndim for s in array.as_tuple(source)]
    dst = [d % a.ndim for d in array.as_tuple(destination)]
    order = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return a.transpose(order)


def _clip(a: array.CudaArray, lo: Any = None, hi: Any = None, out: Any = None, **kw: Any) -> array.CudaArray:
    r = a if lo is None else np.maximum(a, lo)
    r = r if hi is None else np.minimum(r, hi)
    return r if r is not a else a.copy()


def _ascontiguous(a: array.CudaArray, dtype: Any = None, **kw: Any) -> array.CudaArray:
    a = a if a.is_contiguous() else a.copy()
    return a if dtype is None else a.astype(dtype, copy=False)


FUNCTIONS: dict[Callable, Callable] = {
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
    np.broadcast_to: lambda a, shape, subok=False: a.broadcast_to(array.as_tuple(shape)),
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
