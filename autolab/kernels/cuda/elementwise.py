"""Elementwise kernels: map (one input), zip (two) and where (three), with numpy's broadcasting.

One thread per output element (in a grid-stride loop). The thread turns its flat output index ``i`` into a
multi-index ``(k0, k1, ...)`` over the output shape, last dimension fastest, and reads each input at
``offset + sum(k_d * stride_d)``. Broadcasting costs nothing: an input dimension of size 1 that is stretched
has stride 0, so every ``k_d`` reads the same element. The same trick reads transposed or sliced views without
copying them: strides say where each element lives.

The operation itself is a *device function* (``@cuda.jit(device=True)``: callable from a kernel, not
launchable), one per numpy ufunc in ``UNARY`` and ``BINARY``; ``kernel_for`` compiles one kernel per operation
the first time it is used. On a GPU, ``math.log(0.0)`` is ``-inf`` and ``math.exp(1000.0)`` is ``inf``; in the
simulator, which runs Python's ``math``, those raise, so the functions below guard them (NaN stays NaN).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numba import cuda

from . import launch

_INF = math.inf
_NAN = math.nan


def _device(fn: Callable) -> Callable:
    return cuda.jit(device=True)(fn)


# ---- the operations: plain scalar functions ---------------------------------------------------------------------
def _exp(x):
    if x != x:
        return x
    if x > 709.0:
        return _INF
    return math.exp(x)


def _log(x):
    if x > 0:
        return math.log(x)
    if x == 0:
        return -_INF
    return _NAN


def _log1p(x):
    if x > -1:
        return math.log1p(x)
    if x == -1:
        return -_INF
    return _NAN


def _sqrt(x):
    return math.sqrt(x) if x >= 0 else _NAN


def _maximum(a, b):
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


def _minimum(a, b):
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


def _sign(x):
    if x != x:
        return x
    return 1 if x > 0 else (-1 if x < 0 else 0)


def _expm1(x):
    if x > 709.0:
        return _INF
    return math.expm1(x)


def _tanh(x):
    return math.tanh(x)


def _divide(a, b):
    if b == 0:  # Python raises on 0-division (the simulator); IEEE, like numpy and the GPU, does not
        if a != a or a == 0:
            return _NAN
        return _INF if (a > 0) == (math.copysign(1.0, b) > 0) else -_INF
    return a / b


_divide_d = _device(_divide)


def _reciprocal(x):
    return _divide_d(1.0, x)


def _power(a, b):
    return a**b


UNARY: dict[np.ufunc, Callable] = {
    np.negative: lambda x: -x,
    np.positive: lambda x: x,
    np.absolute: lambda x: abs(x),
    np.exp: _exp,
    np.log: _log,
    np.log1p: _log1p,
    np.expm1: _expm1,
    np.sqrt: _sqrt,
    np.square: lambda x: x * x,
    np.tanh: _tanh,
    np.sin: lambda x: math.sin(x),
    np.cos: lambda x: math.cos(x),
    np.floor: lambda x: math.floor(x),
    np.ceil: lambda x: math.ceil(x),
    np.sign: _sign,
    np.logical_not: lambda x: not x,
    np.isnan: lambda x: x != x,
    np.isinf: lambda x: x == _INF or x == -_INF,
    np.isfinite: lambda x: x == x and x != _INF and x != -_INF,
    np.reciprocal: _reciprocal,
}

BINARY: dict[np.ufunc, Callable] = {
    np.add: lambda a, b: a + b,
    np.subtract: lambda a, b: a - b,
    np.multiply: lambda a, b: a * b,
    np.true_divide: _divide,
    np.power: _power,
    np.maximum: _maximum,
    np.minimum: _minimum,
    np.fmax: lambda a, b: b if a != a else (a if b != b or a >= b else b),
    np.fmin: lambda a, b: b if a != a else (a if b != b or a <= b else b),
    np.greater: lambda a, b: a > b,
    np.greater_equal: lambda a, b: a >= b,
    np.less: lambda a, b: a < b,
    np.less_equal: lambda a, b: a <= b,
    np.equal: lambda a, b: a == b,
    np.not_equal: lambda a, b: a != b,
    np.logical_and: lambda a, b: bool(a) and bool(b),
    np.logical_or: lambda a, b: bool(a) or bool(b),
    np.logical_xor: lambda a, b: bool(a) != bool(b),
    np.bitwise_and: lambda a, b: a & b,
    np.bitwise_or: lambda a, b: a | b,
}


# ---- the kernels: one thread per output element ------------------------------------------------------------------
def _make_map(fn: Callable) -> Callable:
    f = _device(fn)

    @cuda.jit
    def map_kernel(out, o_off, o_st, a, a_off, a_st, shape, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            io, ia, rest = o_off, a_off, i
            for d in range(len(shape) - 1, -1, -1):  # flat index -> multi-index -> each array's offset
                k = rest % shape[d]
                rest //= shape[d]
                io += k * o_st[d]
                ia += k * a_st[d]
            out[io] = f(a[ia])

    return map_kernel


def _make_zip(fn: Callable) -> Callable:
    f = _device(fn)

    @cuda.jit
    def zip_kernel(out, o_off, o_st, a, a_off, a_st, b, b_off, b_st, shape, n):
        for i in range(cuda.grid(1), n, cuda.gridsize(1)):
            io, ia, ib, rest = o_off, a_off, b_off, i
            for d in range(len(shape) - 1, -1, -1):
                k = rest % shape[d]
                rest //= shape[d]
                io += k * o_st[d]
                ia += k * a_st[d]
                ib += k * b_st[d]
            out[io] = f(a[ia], b[ib])

    return zip_kernel


@cuda.jit
def where_kernel(out, o_off, o_st, c, c_off, c_st, a, a_off, a_st, b, b_off, b_st, shape, n):
    """``out = a if c else b``, elementwise with broadcasting (numpy's ``where``)."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        io, ic, ia, ib, rest = o_off, c_off, a_off, b_off, i
        for d in range(len(shape) - 1, -1, -1):
            k = rest % shape[d]
            rest //= shape[d]
            io += k * o_st[d]
            ic += k * c_st[d]
            ia += k * a_st[d]
            ib += k * b_st[d]
        out[io] = a[ia] if c[ic] else b[ib]


_kernels: dict[tuple, Callable] = {}


def kernel_for(ufunc: np.ufunc) -> Callable | None:
    """The compiled map or zip kernel for ``ufunc``; None if there is none (the caller falls back, counted)."""
    key = (ufunc,)
    if key not in _kernels:
        if ufunc.nin == 1 and ufunc in UNARY:
            _kernels[key] = _make_map(UNARY[ufunc])
        elif ufunc.nin == 2 and ufunc in BINARY:
            _kernels[key] = _make_zip(BINARY[ufunc])
        else:
            return None
    return _kernels[key]


COPY = _make_map(lambda x: x)  # copy and cast: out[i] = a[i], converted to out's dtype on the store


def run(kernel: Callable, out, arrays, shape: tuple) -> None:
    """Launch an elementwise ``kernel`` writing ``out`` (a CudaArray of ``shape``) from ``arrays`` (CudaArrays,
    already broadcast to ``shape`` by their strides)."""
    shape = tuple(shape) or (1,)
    n = math.prod(shape)
    if n == 0:
        return
    args = [out.buf, out.offset, _strides(out, len(shape))]
    for a in arrays:
        args += [a.buf, a.offset, _strides(a, len(shape))]
    blocks, threads = launch(n)
    kernel[blocks, threads](*args, shape, n)


def _strides(a, nd: int) -> tuple:
    st = tuple(a.strides_el)
    return (0,) * (nd - len(st)) + st
