"""How a seam function picks its implementation: one decorator, ``@seam``, used by every function of the seam.

A seam function (``kernels.conv2d_forward``, ``kernels.matmul``, ...) is written as its fast path, numba on
numpy arrays, and decorated with the plain numpy reference it falls back to::

    @seam(ref.max_pool2d_forward)
    def max_pool2d_forward(x, kernel, stride, padding):
        ...  # the numba path

On each call the decorator

1. hands the call to another backend when the first array is of a type one registered with
   ``register_backend`` (GPU arrays, say: that backend's function of the same name runs, nothing below does);
2. makes the leading ``arrays`` arguments numpy arrays, C-contiguous unless told otherwise;
3. runs the reference (``reference.py``) when numba cannot or should not: after ``set_backend("numpy")``, for a
   dtype other than float32/float64 (or mixed dtypes), for an empty array, or where ``fast_if`` says no;
4. else runs the numba path.

``last_path[name]`` records what ran: "numpy" for the reference, "numba" for the numba path (which may refine
it, e.g. "numba-planes"), or the label of the other backend. The numba kernel modules are imported on the first
call that needs them (``numba_kernels()``), so ``import autolab`` never pays for numba.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ._config import start_numba_threads, tune_malloc

last_path: dict[str, str] = {}
_state: dict[str, Any] = {"backend": "auto", "nb": None}
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))

# array type -> (label, implementations): see register_backend
_backends: dict[type, tuple[str, Any]] = {}


def set_backend(name: str) -> None:
    """``"auto"`` (numba where it wins, the default) or ``"numpy"`` (the plain references everywhere)."""
    if name not in ("auto", "numpy"):
        raise ValueError(f"backend must be 'auto' or 'numpy', not {name!r}")
    _state["backend"] = name


def get_backend() -> str:
    return _state["backend"]


def register_backend(array_type: type, implementations: Any, label: str) -> None:
    """Send every seam call whose first array is an ``array_type`` to ``implementations`` (a module, or any object
    with attributes named like the seam functions: ``implementations.conv2d_forward(x, w, b, stride, padding)``).

    This is how a second backend plugs in beside numba's CPU kernels, chosen by where the data lives: a CUDA
    backend registers its device-array type and a module of functions with the signatures of this package's
    ``__all__``. ``last_path[name]`` is set to ``label`` before its function runs (which may refine it)."""
    _backends[array_type] = (label, implementations)


def _other_backend(first: Any, name: str) -> Callable | None:
    for cls in type(first).__mro__:
        if cls in _backends:
            label, impls = _backends[cls]
            fn = getattr(impls, name, None)
            if fn is None:
                raise NotImplementedError(f"kernels.{name}: the {label} backend has no implementation of it yet")
            last_path[name] = label
            return fn
    return None


class _Numba:
    """The numba kernel modules, imported on first use."""

    def __init__(self) -> None:
        # lazy: `import autolab` never pays for numba (0.25 s) or for loading the compiled kernels
        import numba

        from . import _conv, _conv_s1, _fused, _gemm, _pool  # lazy: they import numba

        tune_malloc()
        self.wait_policy = start_numba_threads()
        self.threads = numba.get_num_threads()
        self.gemm, self.conv, self.s1, self.pool, self.fused = _gemm, _conv, _conv_s1, _pool, _fused
        self.empty = {dt: np.empty(0, dt) for dt in _FLOATS}


def numba_kernels() -> _Numba:
    """The numba kernel modules (``.gemm``, ``.conv``, ``.s1``, ``.pool``, ``.fused``) and the thread count."""
    if _state["nb"] is None:
        _state["nb"] = _Numba()
    return _state["nb"]


def c_contiguous(a: Any) -> np.ndarray:
    # np.ascontiguousarray turns a 0-d array into shape (1,); np.require keeps the shape
    return np.require(a, requirements="C")


def seam(
    reference: Callable,
    *,
    arrays: int = 1,
    contiguous: bool = True,
    fast_if: Callable[..., bool] | None = None,
) -> Callable[[Callable], Callable]:
    """Make the decorated numba path a seam function that falls back to ``reference`` (see the module docstring).

    ``arrays``: how many leading positional arguments are the float arrays the path computes on (None allowed,
    for an optional bias); they decide numba or numpy. ``contiguous=False`` leaves their layout alone (matmul
    reads a transposed view without copying it). ``fast_if(*args)``: a shape test the numba path needs."""

    def decorate(fast: Callable) -> Callable:
        name = fast.__name__

        @functools.wraps(fast)
        def dispatch(*args: Any) -> Any:
            if type(args[0]) is not np.ndarray:
                other = _other_backend(args[0], name)
                if other is not None:
                    return other(*args)
            convert = c_contiguous if contiguous else np.asarray
            args = tuple(convert(a) if i < arrays and a is not None else a for i, a in enumerate(args))
            data = [a for a in args[:arrays] if a is not None]
            dt = data[0].dtype
            if (
                _state["backend"] != "auto"
                or dt not in _FLOATS
                or any(a.dtype != dt or a.size == 0 for a in data)
                or (fast_if is not None and not fast_if(*args))
            ):
                last_path[name] = "numpy"
                return reference(*args)
            last_path[name] = "numba"
            return fast(*args)

        dispatch.reference = reference  # type: ignore[attr-defined]
        return dispatch

    return decorate
