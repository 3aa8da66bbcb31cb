"""The Optimizer base class: parameter groups, per-parameter state, zero_grad and state_dict.

Hyperparameters live in ``param_groups`` (a list of dicts) and are read afresh at every ``step()``, so a
change made while training runs (a slider in the dashboard, a scheduler) takes effect at the next step.

The optimizers keep their state as numpy arrays (``state[p]["exp_avg"]``); ``state_dict()`` hands them out
as Tensors in PyTorch's layout, so a checkpoint has the same keys as one written by ``torch.optim``.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections import defaultdict
from typing import Any, Callable, Iterable

import numpy as np

from .. import get_default_dtype
from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor


def scalar_state(value: float) -> np.ndarray:
    """A 0-d array for a per-parameter counter (``step``, NAdam's ``mu_product``...).

    PyTorch keeps these as float32 tensors (float64 when the default dtype is float64), and its arithmetic on
    them rounds to that precision, so ours does too: trajectories then agree with PyTorch's to the last bits.
    """
    dtype = np.float64 if get_default_dtype() == np.float64 else np.float32
    return np.array(value, dtype=dtype)


def check_implementation_flags(
    name: str, *, foreach: bool | None = None, fused: bool | None = None, **flags: bool
) -> None:
    """Accept PyTorch's implementation switches; refuse, by name, the ones autolab cannot honour.

    ``foreach`` and ``fused`` choose among PyTorch's kernels for the same update; autolab has one, so either
    value gives PyTorch's result. ``capturable`` (CUDA graphs) and ``differentiable`` (autograd through the
    update itself) would change what the step is, and autolab's steps run outside autograd.
    """
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    for flag, value in flags.items():
        if value:
            raise NotImplementedError(
                f"autolab.optim.{name}({flag}=True) is not supported: autolab's optimizer steps run on the CPU "
                f"outside autograd. Leave {flag}=False."
            )


def check_range(what: str, value: float, ok: bool) -> None:
    """PyTorch's wording for a hyperparameter out of range: ``Invalid learning rate: -1``."""
    if not ok:
        raise ValueError(f"Invalid {what}: {value}")


class Optimizer:
    """Base class: subclasses set ``defaults`` and write ``_update`` (one parameter) or ``step``."""

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        self.defaults = defaults
        self.param_groups: list[dict] = []
        # as in PyTorch, a defaultdict: ``self.state[p]`` is an empty dict the first time p is seen
        self.state: defaultdict[Tensor, dict] = defaultdict(dict)
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got Tensor"
            )
        params = list(params)
        if not params:
            raise ValueError(
                "optimizer got an empty parameter list (did the model register its layers as "
                "attributes of an nn.Module?)"
            )
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (fine-tuning a layer with a smaller lr)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        ps = group["params"]
        if isinstance(ps, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
                "in sets will change between runs. Please use a list instead."
            )
        ps = [ps] if isinstance(ps, Tensor) else list(ps)
        if ps and all(isinstance(p, tuple) for p in ps):  # model.named_parameters()
            group["param_names"] = [name for name, _ in ps]
            ps = [p for _, p in ps]
        group["params"] = ps
        for p in ps:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        if isinstance(group.get("lr"), Tensor):
            raise NotImplementedError(
                f"autolab.optim.{type(self).__name__}: a Tensor lr is not supported (PyTorch uses one for "
                "capturable and fused steps); pass a number, e.g. lr=float(lr)"
            )
        if len(ps) != len({id(p) for p in ps}):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause an "
                "error; see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in ps):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last step; otherwise backward() would add to them."""
        for g in self.param_groups:
            for p in g["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad = Tensor._wrap(np.zeros_like(p.grad._data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; ``closure`` re-evaluates the loss first."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, p.grad._data, group, self.state.setdefault(p, {}))
        return loss

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        raise NotImplementedError

    # ---- saving and restoring ---------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """PyTorch's layout: ``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``.

        Parameters are numbered 0, 1, ... across the groups in order; arrays in the state come out as Tensors
        (copies), ``step`` as a 0-d float32 Tensor, as PyTorch's does.
        """
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in g.items() if k != "params"}, "params": ids})
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                if p in self.state and self.state[p]:
                    state[index[id(p)]] = {
                        k: Tensor._wrap(v.copy()) if isinstance(v, np.ndarray) else copy.copy(v)
                        for k, v in self.state[p].items()
                    }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and state saved by ``state_dict()`` (ours or PyTorch's, same layout).

        As in PyTorch, arrays take the dtype of their parameter, except ``step``, which keeps its own.
        """
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(a["params"]) != len(b["params"]) for a, b in zip(groups, self.param_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        by_index = {}
        new_groups = []
        for saved, own in zip(groups, self.param_groups):
            for i, p in zip(saved["params"], own["params"]):
                by_index[i] = p
            group = copy.deepcopy({k: v for k, v in saved.items() if k != "params"})
            group["params"] = own["params"]
            if "param_names" in own and "param_names" not in group:
                group["param_names"] = own["param_names"]
            for k, v in self.defaults.items():  # a checkpoint from an older version may lack newer keys
                group.setdefault(k, v)
            new_groups.append(group)
        state: defaultdict[Tensor, dict] = defaultdict(dict)
        for i, st in state_dict["state"].items():
            p = by_index.get(int(i))
            if p is None:
                continue
            state[p] = {k: _cast(v, p, k) for k, v in st.items()}
        self.param_groups, self.state = new_groups, state

    def __getstate__(self) -> dict:
        # A scheduler wraps ``self.step`` (lr_base.py) in a function bound to *this* optimizer: a copy (copy,
        # deepcopy, pickle) must fall back to the class's step, or stepping the copy would step the original.
        return {k: v for k, v in self.__dict__.items() if k not in ("step", "_opt_called")}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params")
        return "\n".join(lines) + "\n)"


def _cast(value: Any, p: Tensor, key: str) -> Any:
    """A saved state entry as the array our update works on (a copy, never the checkpoint's own array)."""
    if isinstance(value, Tensor):
        value = value._data
    elif type(value).__module__.startswith("torch"):  # a state dict straight from torch.optim
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        if key == "step" or value.dtype.kind != "f":
            return value.copy()
        return value.astype(p._data.dtype)
    if key == "step" and isinstance(value, (int, float)) and math.isfinite(value):
        return scalar_state(value)  # PyTorch before 1.12 saved the step as a number
    return copy.deepcopy(value)
