"""Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.

They exist so that modules and parameters kept in a list or dict are registered (a plain Python list would hide
them from ``parameters()``, ``state_dict()`` and ``to()``). List-like ones name their items "0", "1", ...
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable, Iterator

from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter


class Sequential(Module):
    """Run modules one after another; children are named "0", "1", ... (or by an OrderedDict's keys).

    >>> model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    >>> model(autolab.randn(2, 784)).shape
    autolab.Size([2, 10])
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def forward(self, input: Any) -> Any:
        for m in self._modules.values():
            input = m(input)
        return input

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        keys = list(self._modules)
        return self._modules[keys[idx]]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, sequential: Iterable[Module]) -> Sequential:
        for m in sequential:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        _renumber(self, _inserted(list(self._modules.values()), index, module))
        return self

    def pop(self, key: int | slice) -> Module:
        v = self[key]
        del self[key]
        return v

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(list(self._modules)[idx], module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        for k in keys[idx] if isinstance(idx, slice) else [keys[idx]]:
            del self._modules[k]
        if all(k.isdigit() for k in self._modules):  # PyTorch keeps "0", "1", ... contiguous
            _renumber(self, list(self._modules.values()))

    def __add__(self, other: Sequential) -> Sequential:
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        return self.extend(other)


class ModuleList(Module):
    """A list of modules whose parameters the parent module can see (a plain list would hide them)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for m in modules or []:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def insert(self, index: int, module: Module) -> None:
        _renumber(self, _inserted(list(self._modules.values()), index, module))

    def pop(self, key: int | slice) -> Module:
        v = self[key]
        del self[key]
        return v

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(list(self._modules)[idx], module)

    def __delitem__(self, idx: int | slice) -> None:
        mods = list(self._modules.values())
        del mods[idx]
        _renumber(self, mods)

    def __getitem__(self, idx: int | slice) -> Any:
        mods = list(self._modules.values())
        return ModuleList(mods[idx]) if isinstance(idx, slice) else mods[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleDict(Module):
    def __init__(self, modules: dict | None = None) -> None:
        super().__init__()
        for k, m in (modules or {}).items():
            self.add_module(k, m)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self) -> Any:
        return self._modules.keys()

    def items(self) -> Any:
        return self._modules.items()

    def values(self) -> Any:
        return self._modules.values()

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def pop(self, key: str) -> Module:
        return self._modules.pop(key)

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Any) -> None:
        for k, m in modules.items() if hasattr(modules, "items") else modules:
            self.add_module(k, m)


def _inserted(items: list, index: int, item: Any) -> list:
    items.insert(index, item)
    return items


def _renumber(container: Module, items: list) -> None:
    """Re-register ``items`` under the keys "0", "1", ... (after an insert or a delete in the middle)."""
    store = container._modules if isinstance(container, (Sequential, ModuleList)) else container._parameters
    store.clear()
    for i, item in enumerate(items):
        store[str(i)] = item


def _as_parameter(value: Any) -> Any:
    # PyTorch wraps a plain tensor put into a ParameterList/Dict as a Parameter (keeping requires_grad=True)
    return Parameter(value) if isinstance(value, Tensor) and not isinstance(value, Parameter) else value


class ParameterList(Module):
    """A list of Parameters registered as "0", "1", ... (tensors are wrapped as Parameters).

    >>> pl = nn.ParameterList([nn.Parameter(autolab.zeros(2)) for _ in range(3)])
    >>> [name for name, _ in pl.named_parameters()]
    ['0', '1', '2']
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        for v in values or []:
            self.append(v)

    def append(self, value: Any) -> ParameterList:
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for v in values:
            self.append(v)
        return self

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def __getitem__(self, idx: int | slice) -> Any:
        items = list(self._parameters.values())
        return ParameterList(items[idx]) if isinstance(idx, slice) else items[idx]

    def __setitem__(self, idx: int, value: Any) -> None:
        self.register_parameter(list(self._parameters)[idx], _as_parameter(value))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._parameters.values())

    def extra_repr(self) -> str:
        return "\n".join(f"({k}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
                         for k, p in self._parameters.items())  # fmt: skip


class ParameterDict(Module):
    """A dict of Parameters registered under their keys."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def update(self, parameters: Any) -> None:
        for k, v in parameters.items() if hasattr(parameters, "items") else parameters:
            self[k] = v

    def __getitem__(self, key: str) -> Any:
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __contains__(self, key: str) -> bool:
        return key in self._parameters

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def keys(self) -> Any:
        return self._parameters.keys()

    def items(self) -> Any:
        return self._parameters.items()

    def values(self) -> Any:
        return self._parameters.values()

    def pop(self, key: str) -> Any:
        return self._parameters.pop(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self._parameters.get(key, default)

    def extra_repr(self) -> str:
        return "\n".join(f"({k}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
                         for k, p in self._parameters.items())  # fmt: skip
