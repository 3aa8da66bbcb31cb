"""Run one layer in PyTorch and in autolab with the same weights and inputs; compare everything.

``compare(make, inputs)``: ``make(L)`` builds the layer with library ``L`` (``L.nn.LSTM(...)``, written once for
both). The torch layer's own initial weights are copied into autolab through ``load_state_dict`` (so the
state_dict keys must be PyTorch's), then the outputs, the input gradients and every parameter's gradient are
compared in float64.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import AL, to_np, torch_ns  # noqa: F401  (AL is re-exported for the tests)

import autolab

torch = pytest.importorskip("torch")
T = torch_ns()


def flat(out: object) -> list:
    """The tensors of a nested output ((out, (h, c)) from an LSTM), in order; None entries are skipped."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return [] if out is None else [out]


def copy_weights(tm: object, am: object) -> None:
    ts = tm.state_dict()
    assert list(am.state_dict()) == list(ts), "state_dict keys differ from PyTorch's"
    am.load_state_dict({k: v.detach().numpy() for k, v in ts.items()})


def compare(
    make,
    inputs: list,
    *,
    train: bool = False,
    call=None,
    rtol: float = 1e-9,
    atol: float = 1e-10,
    seed: int = 0,
    nograd: tuple = (),
) -> tuple:
    """Build, copy weights, run forward and backward in both libraries; assert values and gradients match.

    ``call(module, *inputs)`` overrides ``module(*inputs)``; float inputs get gradients, except those whose
    index is in ``nograd`` (masks). Returns (torch module, autolab module)."""
    torch.manual_seed(seed)
    tm = make(T).double().train(train)
    am = make(AL).double().train(train)
    copy_weights(tm, am)
    call = call or (lambda m, *xs: m(*xs))
    floats = [isinstance(a, np.ndarray) and a.dtype.kind == "f" and i not in nograd for i, a in enumerate(inputs)]
    tx = [torch.tensor(a, requires_grad=f) if isinstance(a, np.ndarray) else a for a, f in zip(inputs, floats)]
    ax = [autolab.tensor(a, requires_grad=f) if isinstance(a, np.ndarray) else a for a, f in zip(inputs, floats)]
    to, ao = flat(call(tm, *tx)), flat(call(am, *ax))
    assert len(to) == len(ao)
    for i, (a, t) in enumerate(zip(ao, to)):
        assert tuple(a.shape) == tuple(t.shape), f"output {i}: shape {tuple(a.shape)} != {tuple(t.shape)}"
        np.testing.assert_allclose(to_np(a), to_np(t), rtol=rtol, atol=atol, err_msg=f"output {i}")
    # backward of a random weighting of every float output that depends on something differentiable
    rng = np.random.default_rng(seed)
    tl, al = 0, 0
    for a, t in zip(ao, to):
        if t.requires_grad and t.dtype.is_floating_point:
            w = rng.standard_normal(tuple(t.shape))
            tl = tl + (t * torch.tensor(w)).sum()
            al = al + (a * autolab.tensor(w)).sum()
    if isinstance(tl, int):
        return tm, am
    tl.backward()
    al.backward()
    for i, (a, t) in enumerate(zip(ax, tx)):
        if floats[i]:
            np.testing.assert_allclose(to_np(a.grad), to_np(t.grad), rtol=rtol, atol=atol, err_msg=f"input {i} grad")
    tp, ap = dict(tm.named_parameters()), dict(am.named_parameters())
    assert list(ap) == list(tp)
    for name, p in tp.items():
        if p.grad is None:
            assert ap[name].grad is None or not np.any(to_np(ap[name].grad)), name
            continue
        np.testing.assert_allclose(to_np(ap[name].grad), to_np(p.grad), rtol=rtol, atol=atol, err_msg=f"{name}.grad")
    return tm, am


def randn(*shape: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)
