"""The ops of extra_cases.py: gradients against finite differences (once and twice), and values, gradients and
dtypes against PyTorch, on hypothesis inputs. Fewer examples per case than the core table: these ops are
simpler, and the whole engine suite should stay fast."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import AL, assert_close, dtype_name, make_inputs, to_np, torch_ns
from extra_cases import EXTRA_CASES
from hypothesis import given, settings

from autolab.autograd import gradcheck, gradgradcheck

IDS = [c.name for c in EXTRA_CASES]


@pytest.mark.parametrize("case", EXTRA_CASES, ids=IDS)
def test_gradcheck(case):
    @settings(max_examples=8, deadline=None)
    @given(case.inputs)
    def check(drawn):
        arrays, opts = drawn
        xs = make_inputs(AL, arrays, case.diff)
        assert gradcheck(lambda *t: case.fn(AL, *t, **opts), xs)

    check()


@pytest.mark.parametrize("case", EXTRA_CASES, ids=IDS)
def test_gradgradcheck(case):
    @settings(max_examples=4, deadline=None)
    @given(case.inputs)
    def check(drawn):
        arrays, opts = drawn
        xs = make_inputs(AL, arrays, case.diff)
        assert gradgradcheck(lambda *t: case.fn(AL, *t, **opts), xs)

    check()


def _run(L, case, arrays, opts):
    xs = make_inputs(L, arrays, case.diff)
    out = case.fn(L, *xs, **opts)
    gy = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(to_np(out).dtype)
    out.backward(L.t.tensor(gy))
    return xs, out


@pytest.mark.parametrize("case", EXTRA_CASES, ids=IDS)
def test_matches_torch(case):
    T = torch_ns()

    @settings(max_examples=8, deadline=None)
    @given(case.inputs)
    def check(drawn):
        arrays, opts = drawn
        for dt, rtol, atol in ((np.float64, case.rtol, 1e-9), (np.float32, 1e-4, 1e-5)):
            arrs = [a.astype(dt) if a.dtype.kind == "f" else a for a in arrays]
            axs, aout = _run(AL, case, arrs, opts)
            txs, tout = _run(T, case, arrs, opts)
            assert dtype_name(aout.dtype) == dtype_name(tout.dtype)
            assert_close(aout, tout, rtol, atol, f"{case.name} forward ({dt.__name__})")
            for i in case.diff:
                assert dtype_name(axs[i].grad.dtype) == dtype_name(txs[i].grad.dtype)
                assert_close(axs[i].grad, txs[i].grad, rtol, atol, f"{case.name} grad of input {i} ({dt.__name__})")

    check()
