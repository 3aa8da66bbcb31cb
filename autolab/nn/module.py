"""``Module``: the base class of layers and models.

Assigning a Parameter or a Module as an attribute registers it, so ``parameters()``, ``state_dict()`` and
``repr`` find everything without you listing it. Calling a module runs its hooks around ``forward``.
"""

from __future__ import annotations

import copy
from collections import OrderedDict, namedtuple
from typing import Any, Callable, Iterator

import numpy as np

from .. import dtypes
from ..autograd import function as _fn
from ..ops.device import _move, _where
from ..tensor import Tensor, _RemovableHandle, check_device
from .parameter import Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class for all layers and models.

    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Linear(4, 2)
    ...     def forward(self, x):
    ...         return self.fc(x).relu()
    >>> [name for name, _ in Net().named_parameters()]
    ['fc.weight', 'fc.bias']
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if "_parameters" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}.__init__ must call super().__init__() before using the module")
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        outer = _fn.current_scope()
        _fn.set_scope(outer + (self,))  # every op created inside forward records this module in fn.scope
        try:
            out = self.forward(*args, **kwargs)
        finally:
            _fn.set_scope(outer)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    # ---- registration ---------------------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if isinstance(value, (Parameter, Module)):
            if "_parameters" not in d:
                raise AttributeError(
                    f"cannot assign {type(value).__name__} '{name}' before Module.__init__() call "
                    "(call super().__init__() first)"
                )
            for store in ("_parameters", "_modules", "_buffers"):
                d[store].pop(name, None)
            d.pop(name, None)
            d["_parameters" if isinstance(value, Parameter) else "_modules"][name] = value
            return
        for store, kind in (("_parameters", "autolab.nn.Parameter"), ("_modules", "Module"), ("_buffers", "Tensor")):
            if name in d.get(store, {}):
                if value is not None and not (store == "_buffers" and isinstance(value, Tensor)):
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as {store[1:-1]} '{name}' ({kind} or None expected)"
                    )
                d[store][name] = value
                return
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[store]:
                del self.__dict__[store][name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that is part of the state (saved in state_dict) but not learned, e.g. BatchNorm's running mean."""
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        mod = self
        for part in target.split(".") if target else []:
            mod = getattr(mod, part)
        return mod

    # ---- walking the tree -----------------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "") -> Iterator[tuple[str, Module]]:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, mod in self._modules.items():
            if mod is not None:
                yield from mod.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named(self, store: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, t in getattr(mod, store).items():
                if t is None or id(t) in seen:
                    continue
                seen.add(id(t))  # a shared (tied) parameter is listed once, as in PyTorch
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), t

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        yield from self._named("_parameters", prefix, recurse)  # type: ignore[misc]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- modes and bulk changes -----------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode: Dropout drops, BatchNorm uses batch statistics and updates its running ones."""
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad = Tensor._wrap(np.zeros_like(p.grad._data))

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule, then on self (children first), e.g. to re-initialise weights."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def _cast(self, np_dtype: Any) -> Module:
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is not None and t._data.dtype.kind == "f":
                        t._data = t._data.astype(np_dtype)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``model.to("cuda")``, ``model.to(device)`` or ``model.to(autolab.float64)``: in place, as PyTorch."""
        dev, dtype = kwargs.get("device"), kwargs.get("dtype")
        for a in args:
            if isinstance(a, str) or type(a).__name__ == "device":
                dev = a
            elif a is not None:
                dtype = a
        if dtype is not None:
            self._cast(dtypes.to_dtype(dtype).np)
        return self if dev is None else self._move("cuda" if check_device(dev) else "cpu")

    def _move(self, where: str) -> Module:
        """Every parameter and buffer (and gradient) moved to ``where``, keeping the same tensor objects, so an
        optimizer made before the move still holds them."""
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is not None:
                        t._data = _move(t._data, where)
                        if t.grad is not None:
                            t.grad._data = _move(t.grad._data, where)
        return self

    def cpu(self) -> Module:
        return self._move("cpu")

    def cuda(self, device: Any = None) -> Module:
        check_device("cuda" if device is None else device)
        return self._move("cuda")

    def float(self) -> Module:
        return self._cast(np.float32)

    def double(self) -> Module:
        return self._cast(np.float64)

    # ---- hooks ----------------------------------------------------------------------------------------------
    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> _RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward; the widgets use it to watch activations."""
        return _add_hook(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple], Any]) -> _RemovableHandle:
        return _add_hook(self._forward_pre_hooks, hook)

    # ---- state ----------------------------------------------------------------------------------------------
    def state_dict(self, destination: dict | None = None, prefix: str = "", keep_vars: bool = False) -> dict:
        """Every parameter and persistent buffer by dotted name (``conv1.weight``), as PyTorch names them."""
        out = OrderedDict() if destination is None else destination
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b if keep_vars else b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(out, prefix + name + ".", keep_vars)
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True, assign: bool = False) -> Any:
        """Copy values into this module's parameters and buffers; names and shapes must match."""
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for k, target in own.items():
            if k not in state_dict:
                continue
            src = state_dict[k]
            arr = src._data if isinstance(src, Tensor) else np.asarray(src)
            if tuple(arr.shape) != tuple(target.shape):
                errors.append(
                    f"size mismatch for {k}: copying a param with shape {tuple(arr.shape)} from "
                    f"checkpoint, the shape in current model is {tuple(target.shape)}."
                )
                continue
            # onto the device the parameter is on (a checkpoint loads on the CPU; the model may be on a GPU)
            target._data = _move(arr.astype(target._data.dtype, copy=True), _where(target._data))
        if strict and (missing or unexpected):
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        return IncompatibleKeys(missing, unexpected)

    # ---- printing -------------------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines.extend(extra.split("\n"))
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not lines:
            return f"{self._get_name()}()"
        if len(lines) == 1 and not self._modules:
            return f"{self._get_name()}({lines[0]})"
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> list:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._modules) | set(self._buffers))

    def __getstate__(self) -> None:
        raise TypeError("autolab modules are not pickled; save model.state_dict() with autolab.save")

    def __deepcopy__(self, memo: dict) -> Module:
        """``copy.deepcopy(model)``: a copy in memory (parameters, buffers, submodules, hooks), no pickle involved."""
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            object.__setattr__(new, key, copy.deepcopy(value, memo))
        return new


def _add_hook(store: OrderedDict, hook: Callable) -> _RemovableHandle:
    key = object()
    store[key] = hook

    class _Handle(_RemovableHandle):
        def remove(self) -> None:
            store.pop(key, None)

    return _Handle([], None)
