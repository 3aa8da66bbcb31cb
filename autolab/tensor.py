"""The Tensor: a numpy array plus what autograd needs (``requires_grad``, ``grad``, ``grad_fn``).

This file is about what a tensor *is*. Its op methods (``x + y``, ``x.exp()``, ``x.view(...)``) are written out
in _tensor_methods.py and _tensor_shape.py, which ``Tensor`` inherits; each forwards to the op in
``autolab/ops``, so that ``x.exp()`` and ``autolab.exp(x)`` are the same code. The in-place methods
(``x.add_(y)``, ``x[i] = v``) are in _tensor_inplace.py, also inherited; ``autolab.device`` is in _tensor_device.py.

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
from ._tensor_device import check_device, device, to_cuda_array  # noqa: F401 (also imported from here)
from ._tensor_inplace import TensorInplaceMethods
from ._tensor_methods import TensorMethods
from ._tensor_shape import TensorShapeMethods


class Size(tuple):
    """``x.shape``: a tuple that prints like PyTorch's ``torch.Size``."""

    def __repr__(self) -> str:
        return f"autolab.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


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


class Tensor(TensorMethods, TensorShapeMethods, TensorInplaceMethods):
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


class _RemovableHandle:
    def __init__(self, container: list, item: Any) -> None:
        self._container, self._item = container, item

    def remove(self) -> None:
        if self._item in self._container:
            self._container.remove(self._item)
