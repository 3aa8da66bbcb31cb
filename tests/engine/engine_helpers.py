"""Shared helpers for the engine tests: building autolab/torch tensors from the same numpy data and comparing."""

from __future__ import annotations

import types

import numpy as np
import pytest

import autolab
import autolab.nn.functional as F

# One namespace per library, so a test case can be written once as ``lambda L, x: L.F.relu(x)`` and run on both:
# that also checks that autolab's API spells things the way PyTorch does.
AL = types.SimpleNamespace(t=autolab, F=F, nn=autolab.nn, name="autolab")


def torch_ns() -> types.SimpleNamespace:
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    return types.SimpleNamespace(t=torch, F=TF, nn=torch.nn, name="torch")


def dtype_name(d: object) -> str:
    """'float32' for both autolab.float32 and torch.float32."""
    return str(d).split(".")[-1]


def to_np(x: object) -> np.ndarray:
    if hasattr(x, "detach"):
        x = x.detach()
    return np.asarray(x.numpy())


def make_inputs(L: types.SimpleNamespace, arrays: list, diff: tuple) -> list:
    """Tensors of library ``L`` from numpy arrays; the ones listed in ``diff`` require grad."""
    return [None if a is None else L.t.tensor(a, requires_grad=i in diff) for i, a in enumerate(arrays)]


def assert_close(actual: object, expected: object, rtol: float = 1e-7, atol: float = 1e-9, what: str = "") -> None:
    a, e = to_np(actual), to_np(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=what)
