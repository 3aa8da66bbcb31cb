"""Every op against PyTorch: forward values, gradients and result dtypes, on the same hypothesis inputs.

float64 runs compare tightly; a float32 run of each case checks that results stay float32, as PyTorch's do.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_cases import CASES
from engine_helpers import AL, assert_close, dtype_name, make_inputs, to_np, torch_ns
from hypothesis import given, settings

pytest.importorskip("torch")
TORCH_CASES = [c for c in CASES if c.torch]


def _run(L, case, arrays, opts, gy_seed):
    xs = make_inputs(L, arrays, case.diff)
    out = case.fn(L, *xs, **opts)
    gy = np.random.default_rng(gy_seed).standard_normal(tuple(out.shape)).astype(to_np(out).dtype)
    if L.name == "torch":
        out.backward(L.t.tensor(gy))
    else:
        out.backward(L.t.tensor(gy))
    return xs, out


@pytest.mark.parametrize("case", TORCH_CASES, ids=[c.name for c in TORCH_CASES])
def test_matches_torch(case):
    T = torch_ns()

    @settings(max_examples=15, deadline=None)
    @given(case.inputs)
    def check(drawn):
        arrays, opts = drawn
        for dt, rtol, atol in ((np.float64, case.rtol, 1e-9), (np.float32, 1e-4, 1e-5)):
            arrs = [a.astype(dt) if a is not None and a.dtype.kind == "f" else a for a in arrays]
            axs, aout = _run(AL, case, arrs, opts, 1)
            txs, tout = _run(T, case, arrs, opts, 1)
            assert dtype_name(aout.dtype) == dtype_name(tout.dtype)
            assert tuple(aout.shape) == tuple(tout.shape)
            assert_close(aout, tout, rtol, atol, f"{case.name} forward ({dt.__name__})")
            for i in case.diff:
                if i >= len(arrs) or arrs[i] is None:
                    continue
                assert dtype_name(axs[i].grad.dtype) == dtype_name(txs[i].grad.dtype)
                assert_close(axs[i].grad, txs[i].grad, rtol, atol, f"{case.name} grad of input {i} ({dt.__name__})")

    check()


def test_dropout_masks_and_scales():
    """No oracle for random masks: check the defining property instead, and that the seed fixes the mask."""
    import autolab
    import autolab.nn.functional as F

    x = autolab.ones(2000, requires_grad=True)
    autolab.manual_seed(3)
    y = F.dropout(x, p=0.25)
    vals = set(np.unique(to_np(y)).tolist())
    assert vals <= {0.0, np.float32(1 / 0.75)}
    assert 0.2 < (to_np(y) == 0).mean() < 0.3
    y.sum().backward()
    np.testing.assert_array_equal(to_np(x.grad), to_np(y))  # d/dx (x * mask / (1-p)) = mask / (1-p)
    autolab.manual_seed(3)
    np.testing.assert_array_equal(to_np(F.dropout(x, p=0.25)), to_np(y))
    assert F.dropout(x, p=0.25, training=False) is x
