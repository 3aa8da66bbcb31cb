"""The Tensor: a numpy array plus what autograd needs (``requires_grad``, ``grad``, ``grad_fn``).

This file is about what a tensor *is*. Its op methods (``x + y``, ``x.exp()``, ``x.view(...)``) are written out
in _tensor_methods.py and _tensor_shape.py, which ``Tensor`` inherits; each forwards to the op in
``autolab/ops``, so that ``x.exp()`` and ``autolab.exp(x)`` are the same code.

Everything else in autolab builds tensors, so this file imports none of it by name: what a method needs from
above (the ops, autograd's ``backward``, the grad mode) it reaches through the package, ``autolab.ops.clone``,
when it is called. ``import autolab`` is always safe here: Python registers a package before running any of its
modules.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import autolab

from . import dtypes
from ._format import format_tensor
from ._tensor_methods import TensorMethods
from ._tensor_shape import TensorShapeMethods
from .random import rng


class Size(tuple):
    """``x.shape``: a tuple that prints like PyTorch's ``torch.Size``."""

    def __repr__(self) -> str:
        return f"autolab.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


class device:
    """``autolab.device("cpu")``, ``device("cuda", 0)``, ``device("cuda:0")``: a type and an optional index, as
    in PyTorch. CUDA runs through numba (``autolab.cuda``; without a GPU, numba's simulator); asking for a device
    that cannot be used raises an error that says why."""

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        name = str(type)
        kind, _, suffix = name.partition(":")
        if kind not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of device string: {name}")
        if suffix:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was passed explicitly: {name}"
                )
            if not suffix.isdigit():
                raise RuntimeError(f"Invalid device string: '{name}'")
            index = int(suffix)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = kind
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        # As torch.device: device("cpu") != device("cpu", 0), and a device is never equal to a string.
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return device, (self.type, self.index)


def check_device(dev: Any) -> bool:
    """True for a CUDA device that can be used, False for the CPU (or None); raises for anything else."""
    if dev is None:
        return False
    d = device(dev)
    if d.type == "cpu":
        return False
    if d.type == "cuda":
        if d.index not in (None, 0):
            raise RuntimeError(f"CUDA error: invalid device ordinal (autolab uses one GPU, cuda:0; got {d})")
        why = autolab.kernels.cuda.why_unavailable()
        if why is None:
            return True
        raise RuntimeError(
            f"autolab cannot move a tensor to '{dev}': {why}. Use device='cpu', or write "
            "`device = autolab.device('cuda' if autolab.cuda.is_available() else 'cpu')`."
        )
    raise RuntimeError(f"autolab computes on the CPU or, through numba, on CUDA GPUs; it cannot use '{dev}'.")


def to_cuda_array(a: np.ndarray) -> Any:
    """A numpy array copied to the GPU (``autolab.kernels.cuda.array.CudaArray``)."""
    from .kernels.cuda.array import CudaArray  # lazy: it imports numba

    return CudaArray.from_host(a)


_CUDA_TO_NUMPY = (
    "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first."
)


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """``data`` (a number, nested lists, an array, a tensor) as a numpy array, with PyTorch's default dtypes."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        arr = np.asarray([_to_array(d) for d in data])
    else:
        arr = np.asarray(data)
    if dtype is not None:
        return arr.astype(dtypes.to_dtype(dtype).np, copy=False)
    if arr.dtype.kind == "f" and not isinstance(data, (np.ndarray, Tensor, np.floating)):
        return arr.astype(dtypes.get_default_dtype().np, copy=False)  # Python floats: float32 (the default)
    if arr.dtype.kind in "iu" and not isinstance(data, (np.ndarray, Tensor, np.integer)):
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"can't convert data of numpy dtype {arr.dtype} to a tensor: only numbers and bools")
    return arr


class Tensor(TensorMethods, TensorShapeMethods):
    """An n-dimensional array that can record the ops applied to it, to compute gradients.

    >>> x = autolab.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    __array_ufunc__ = None  # makes `numpy_array * tensor` call Tensor.__rmul__ instead of numpy's loop
    # A class-level empty default, so that creating a tensor (every op does) pays nothing for this rare hook.
    _post_accumulate_grad_hooks: tuple | list = ()

    def __init__(self, data: Any = None, dtype: Any = None, requires_grad: bool = False) -> None:
        self._data: np.ndarray = _to_array([] if data is None else data, dtype)
        self.grad: Tensor | None = None
        self.grad_fn: Any = None
        self.requires_grad = False
        self._backward_hooks: list[Callable] = []
        self._retains_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Wrap an array without copying or converting it (the fast path used by every op)."""
        t = cls.__new__(cls)
        # a CudaArray (autolab.kernels.cuda) is kept as it is; the ndarray test comes first, so CPU pays nothing
        t._data = array if isinstance(array, np.ndarray) or hasattr(array, "_autolab_cuda") else np.asarray(array)
        t.grad = None
        t.grad_fn = None
        t.requires_grad = requires_grad
        t._backward_hooks = []
        t._retains_grad = False
        return t

    # ---- what a tensor is ---------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        return self.shape if dim is None else self._data.shape[dim]

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """Steps in elements between neighbours along each dim (numpy's byte strides / the element size)."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[dim]

    def data_ptr(self) -> int:
        return int(self._data.__array_interface__["data"][0])

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def device(self) -> device:
        return device("cpu") if isinstance(self._data, np.ndarray) else device("cuda", 0)

    @property
    def is_cuda(self) -> bool:
        return not isinstance(self._data, np.ndarray)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    @property
    def data(self) -> Tensor:
        """The same storage, detached from the graph (PyTorch's ``.data``)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor | np.ndarray) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    # ---- autograd -----------------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype} "
                "(create it with dtype=autolab.float32, or call .float() first)"
            )
        if not requires_grad and not self.is_leaf:
            raise RuntimeError("you can only change requires_grad flags of leaf variables; use .detach()")
        self.requires_grad = requires_grad
        return self

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Compute the gradient of this tensor with respect to the graph leaves; it accumulates in ``.grad``."""
        autolab.autograd.backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        return Tensor._wrap(self._data)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep theirs)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        self._retains_grad = not self.is_leaf

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces the gradient."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        self._backward_hooks.append(hook)
        return _RemovableHandle(self._backward_hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(tensor)`` after backward has accumulated this leaf's gradient into ``.grad``.

        This is how DistributedDataParallel learns, during backward, that a parameter's gradient is ready.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if "_post_accumulate_grad_hooks" not in self.__dict__:
            self._post_accumulate_grad_hooks = []
        self._post_accumulate_grad_hooks.append(hook)
        return _RemovableHandle(self._post_accumulate_grad_hooks, hook)

    # ---- conversions --------------------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if not isinstance(self._data, np.ndarray):
            raise TypeError(_CUDA_TO_NUMPY)
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if not isinstance(self._data, np.ndarray):
            raise TypeError(_CUDA_TO_NUMPY)
        return self._data if dtype is None else self._data.astype(dtype)

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def clone(self) -> Tensor:
        return autolab.ops.clone(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``x.to("cuda")``, ``x.to(autolab.float64)``, ``x.to(device, dtype)``, ``x.to(other_tensor)``.

        ``non_blocking`` and ``memory_format`` are accepted (copies are synchronous); ``copy=True`` returns a new
        tensor even when nothing changes, as in PyTorch."""
        dtype, dev = kwargs.pop("dtype", None), kwargs.pop("device", None)
        copy = bool(kwargs.pop("copy", False))
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        flags = []
        for a in args:
            if isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif isinstance(a, (str, device)):
                dev = a
            elif isinstance(a, bool):  # positional non_blocking, copy
                flags.append(a)
            elif a is not None:
                dtype = a
        copy = copy or (len(flags) > 1 and flags[1])
        out = self if dtype is None else self.type(dtype)
        if dev is not None:
            moved = autolab.ops.device.to_device(out, "cuda" if check_device(dev) else "cpu")
            if moved is not out:
                return moved
        return autolab.ops.clone(out) if copy and out is self else out

    def pin_memory(self, device: Any = None) -> Tensor:
        """Page-locked memory is for fast copies to a GPU. As CPU-only PyTorch, this fails without one."""
        if not autolab.cuda.is_available():
            raise RuntimeError("Cannot access accelerator device when none is available.")
        return self

    def is_pinned(self, device: Any = None) -> bool:
        return False

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:  # PyTorch's legacy name, "torch.FloatTensor"
            return next((k for k, v in dtypes.TENSOR_TYPES.items() if v == self.dtype), f"torch.{self.dtype.name}")
        return autolab.ops.cast(self, dtypes.to_dtype(dtype))

    def cpu(self) -> Tensor:
        return autolab.ops.device.to_device(self, "cpu")

    def cuda(self, device: Any = None, non_blocking: bool = False, **kwargs: Any) -> Tensor:
        check_device("cuda" if device is None else device)
        return autolab.ops.device.to_device(self, "cuda")

    def float(self) -> Tensor:
        return self.type(dtypes.float32)

    def double(self) -> Tensor:
        return self.type(dtypes.float64)

    def half(self) -> Tensor:
        return self.type(dtypes.float16)

    def long(self) -> Tensor:
        return self.type(dtypes.int64)

    def int(self) -> Tensor:
        return self.type(dtypes.int32)

    def bool(self) -> Tensor:
        return self.type(dtypes.bool)

    # ---- Python protocol ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} values is ambiguous")
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return format_tensor(self)

    def __format__(self, format_spec: str) -> str:
        # f"{loss:.4f}": a 0-d tensor formats as its number; any other tensor only with an empty spec (PyTorch's)
        if self._data.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __getstate__(self) -> None:
        raise TypeError("autolab tensors are not pickled (pickle can run code on load); use autolab.save/load")

    # copy.deepcopy(model) copies in memory: no pickle, no code run from a file, so it is allowed.
    def __deepcopy__(self, memo: dict) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
                "moment."
            )
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            if key == "_data":
                new._data = value.copy()
            elif key in ("_backward_hooks", "_post_accumulate_grad_hooks"):
                setattr(new, key, [])  # hooks stay with the original, as in PyTorch
            else:
                setattr(new, key, copy.deepcopy(value, memo))
        return new

    def __copy__(self) -> Tensor:
        """``copy.copy(x)``: a new tensor object with x's data copied (PyTorch's), requires_grad kept."""
        if not self.is_leaf:
            raise RuntimeError("copy.copy of a non-leaf tensor: use x.clone() (it stays in the graph)")
        return self.__deepcopy__({})

    # ---- in-place updates (optimizers, nn.init). They bypass autograd, so guard the graph. -------------------
    def _check_inplace(self) -> None:
        if autolab.is_grad_enabled() and self.requires_grad:
            if self.is_leaf:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation. "
                    "Wrap the update in `with autolab.no_grad():`."
                )
            raise RuntimeError(
                "autolab does not support in-place ops on a tensor that is part of the graph "
                "(its old value may be needed for backward); use the out-of-place form, e.g. y = y + 1"
            )

    def _set_(self, value: Any) -> Tensor:
        """Write ``value`` into this tensor's storage (fill_, copy_: any dtype is cast, as in PyTorch)."""
        self._check_inplace()
        arr = value._data if isinstance(value, Tensor) else value
        np.copyto(self._data, arr, casting="unsafe")
        return self

    def _result_(self, value: Any) -> Tensor:
        """Write the result of maths on this tensor (add_, exp_, ...). A float result in an integer tensor would be
        silently truncated: PyTorch refuses it, and so do we."""
        kind = np.asarray(value._data if isinstance(value, Tensor) else value).dtype.kind
        own = self._data.dtype
        if (kind == "f" and own.kind in "iub") or (kind in "iu" and own.kind == "b"):
            name = _TORCH_NAMES.get(own.name, own.name)
            raise RuntimeError(f"result type {_TORCH_NAMES[kind]} can't be cast to the desired output type {name}")
        return self._set_(value)

    def _update_(self, op: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
        # x.exp_() is x.copy_(x.exp()) computed without recording: only outside a graph (see _check_inplace)
        return self._result_(op(self.detach(), *args, **kwargs))

    def copy_(self, src: Any) -> Tensor:
        return self._set_(np.broadcast_to(src._data if isinstance(src, Tensor) else np.asarray(src), self._data.shape))

    def zero_(self) -> Tensor:
        return self._set_(0)

    def fill_(self, value: Any) -> Tensor:
        return self._set_(value._data if isinstance(value, Tensor) else value)

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._result_(self._data + alpha * _raw(other))

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._result_(self._data - alpha * _raw(other))

    def mul_(self, other: Any) -> Tensor:
        return self._result_(self._data * _raw(other))

    def div_(self, other: Any) -> Tensor:
        return self._result_(self._data / _raw(other))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return self._set_(np.clip(self._data, min, max))

    def addcmul_(self, t1: Any, t2: Any, value: float = 1) -> Tensor:
        return self._result_(self._data + value * _raw(t1) * _raw(t2))

    def addcdiv_(self, t1: Any, t2: Any, value: float = 1) -> Tensor:
        return self._result_(self._data + value * _raw(t1) / _raw(t2))

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).uniform(a, b, self._data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).normal(mean, std, self._data.shape))

    def bernoulli_(self, p: Any = 0.5, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).random(self._data.shape) < _raw(p))

    def exponential_(self, lambd: float = 1.0, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).exponential(1.0 / lambd, self._data.shape))

    def random_(self, from_: int = 0, to: int | None = None, generator: Any = None) -> Tensor:
        if to is None:  # random_(n) draws from [0, n); random_() from [0, 2**mantissa] as PyTorch does
            from_, to = (
                (0, from_)
                if from_
                else (0, 2 ** (np.finfo(self._data.dtype).nmant + 1 if self._data.dtype.kind == "f" else 31))
            )
        return self._set_(rng(generator).integers(from_, to, self._data.shape).astype(self._data.dtype))

    # maths in place, each x.op_(...) = x.copy_(x.op(...)) outside a graph
    def abs_(self) -> Tensor:
        return self._update_(autolab.ops.abs)

    def neg_(self) -> Tensor:
        return self._update_(autolab.ops.neg)

    def exp_(self) -> Tensor:
        return self._update_(autolab.ops.exp)

    def log_(self) -> Tensor:
        return self._update_(autolab.ops.log)

    def sqrt_(self) -> Tensor:
        return self._update_(autolab.ops.sqrt)

    def square_(self) -> Tensor:
        return self._update_(autolab.ops.square)

    def reciprocal_(self) -> Tensor:
        return self._update_(autolab.ops.reciprocal)

    def pow_(self, exponent: Any) -> Tensor:
        return self._update_(autolab.ops.pow, exponent)

    def sin_(self) -> Tensor:
        return self._update_(autolab.ops.sin)

    def cos_(self) -> Tensor:
        return self._update_(autolab.ops.cos)

    def tanh_(self) -> Tensor:
        return self._update_(autolab.ops.tanh)

    def sigmoid_(self) -> Tensor:
        return self._update_(autolab.ops.sigmoid)

    def relu_(self) -> Tensor:
        return self._update_(autolab.ops.relu)

    def sign_(self) -> Tensor:
        return self._update_(autolab.ops.sign)

    def floor_(self) -> Tensor:
        return self._update_(autolab.ops.floor)

    def ceil_(self) -> Tensor:
        return self._update_(autolab.ops.ceil)

    def round_(self, decimals: int = 0) -> Tensor:
        return self._update_(autolab.ops.round, decimals=decimals)

    def clamp_min_(self, min: Any) -> Tensor:
        return self._update_(autolab.ops.clamp_min, min)

    def clamp_max_(self, max: Any) -> Tensor:
        return self._update_(autolab.ops.clamp_max, max)

    def clip_(self, min: Any = None, max: Any = None) -> Tensor:
        return self.clamp_(min, max)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._result_(self._data + _raw(weight) * (_raw(end) - self._data))

    def scatter_(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
        return self._update_(autolab.ops.scatter, dim, index, src, value=value)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._update_(autolab.ops.scatter_add, dim, index, src)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        idx = [slice(None)] * self._data.ndim
        idx[dim] = np.asarray(_raw(index)).reshape(-1)
        new = self._data.copy()
        new[tuple(idx)] = _raw(value)
        return self._set_(new)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: float = 1) -> Tensor:
        new = self._data.copy()
        np.add.at(new, (slice(None),) * (dim % self._data.ndim) + (np.asarray(_raw(index)),), alpha * _raw(source))
        return self._set_(new)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        new = self._data.copy()
        idx: list[Any] = [slice(None)] * self._data.ndim
        idx[dim] = np.asarray(_raw(index)).reshape(-1)
        new[tuple(idx)] = _raw(source)
        return self._set_(new)

    def put_(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        new = self._data.copy().reshape(-1)
        (np.add.at if accumulate else np.put)(
            new, np.asarray(_raw(index)).reshape(-1), np.asarray(_raw(source)).reshape(-1)
        )
        return self._set_(new.reshape(self._data.shape))

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return self._update_(autolab.ops.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).lognormal(mean, std, self._data.shape))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, generator: Any = None) -> Tensor:
        return self._set_(median + sigma * rng(generator).standard_cauchy(self._data.shape))

    def geometric_(self, p: float, generator: Any = None) -> Tensor:
        return self._set_(rng(generator).geometric(p, self._data.shape))

    def t_(self) -> Tensor:
        """Transpose a matrix in place: the same tensor object takes the transposed view."""
        self._check_inplace()
        self._data = self._data.T if self._data.ndim == 2 else self._data
        return self

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        new = self._data.copy()
        np.fill_diagonal(new, fill_value, wrap=wrap)
        return self._set_(new)

    # `x += y` updates x in place, as in PyTorch. Inside a graph (a non-leaf that requires grad) autolab
    # builds a new node instead, since it keeps no version counters to detect a clobbered saved value.
    def _in_graph(self) -> bool:
        return self.requires_grad and not self.is_leaf and autolab.is_grad_enabled()

    def __iadd__(self, other: Any) -> Tensor:
        return self + other if self._in_graph() else self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self - other if self._in_graph() else self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self * other if self._in_graph() else self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self / other if self._in_graph() else self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace()
        self._data[_raw_index(index)] = _raw(value)


# PyTorch's names for a dtype in its casting error ("result type Float can't be cast to ... Long")
_TORCH_NAMES = {
    "f": "Float",
    "i": "Long",
    "u": "Byte",
    "b": "Bool",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
}


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _raw_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_raw(i) for i in index)
    return _raw(index)


class _RemovableHandle:
    def __init__(self, container: list, item: Any) -> None:
        self._container, self._item = container, item

    def remove(self) -> None:
        if self._item in self._container:
            self._container.remove(self._item)
