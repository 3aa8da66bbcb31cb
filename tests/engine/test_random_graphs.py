"""Random computation graphs against PyTorch: tensors reused by many ops (diamonds), shared subexpressions, several
outputs. This is where an engine's ordering and accumulation bugs show up (a tensor that feeds two paths once lost
one path's gradient), so hypothesis builds the graphs rather than a person.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import AL, to_np, torch_ns
from hypothesis import given, settings
from hypothesis import strategies as st

UNARY = {
    "tanh": lambda L, a: a.tanh(),
    "sigmoid": lambda L, a: a.sigmoid(),
    "exp_small": lambda L, a: (a * 0.3).exp(),
    "square": lambda L, a: a * a,
    "softmax": lambda L, a: a.softmax(-1),
    "centre": lambda L, a: a - a.mean(-1, keepdim=True),
    "transpose_back": lambda L, a: a.T.contiguous().T,
    "index_repeat": lambda L, a: a[:, [0, 0, 2, 1]][:, :3],
    "relu_shift": lambda L, a: L.F.relu(a + 0.05),
}
BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / (b * b + 1),
    "matmul": lambda L, a, b: a @ b.T @ a * 0.1,
    "where": lambda L, a, b: L.t.where(a > b, a, b * 2),
    "cat_half": lambda L, a, b: L.t.cat([a[:, :2], b[:, 2:]], dim=1),
    "row_bias": lambda L, a, b: a + b.sum(0, keepdim=True),
}


@st.composite
def graphs(draw):
    """A program: a list of (op, operand indices) over a growing list of nodes; two leaves to start."""
    n_ops = draw(st.integers(2, 12))
    program = []
    for k in range(n_ops):
        avail = 2 + k
        if draw(st.booleans()):
            program.append((draw(st.sampled_from(sorted(UNARY))), (draw(st.integers(0, avail - 1)),)))
        else:
            ia, ib = draw(st.integers(0, avail - 1)), draw(st.integers(0, avail - 1))
            program.append((draw(st.sampled_from(sorted(BINARY))), (ia, ib)))
    outputs = draw(st.lists(st.integers(0, 1 + n_ops), min_size=1, max_size=3))
    return program, outputs, draw(st.integers(0, 2**32 - 1))


def _run(L, program, outputs, seed):
    rng = np.random.default_rng(seed)
    leaves = [L.t.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=True) for _ in range(2)]
    nodes = list(leaves)
    for op, args in program:
        fn = UNARY.get(op) or BINARY[op]
        nodes.append(fn(L, *[nodes[i] for i in args]))
    loss = sum((nodes[i] * (k + 1)).sum() for k, i in enumerate(outputs))
    loss.backward()
    return to_np(loss), [to_np(x.grad) if x.grad is not None else np.zeros((2, 3)) for x in leaves]


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_random_graph_gradients_match_torch(case):
    T = torch_ns()
    program, outputs, seed = case
    la, ga = _run(AL, program, outputs, seed)
    lt, gt = _run(T, program, outputs, seed)
    np.testing.assert_allclose(la, lt, rtol=1e-9, atol=1e-12)
    for a, t in zip(ga, gt):
        np.testing.assert_allclose(a, t, rtol=1e-8, atol=1e-10)


def test_shared_subexpression_many_times():
    """One tensor consumed by 50 ops at different depths."""
    pytest.importorskip("torch")
    T = torch_ns()
    grads = []
    for L in (AL, T):
        x = L.t.tensor([0.3, -0.7], dtype=L.t.float64, requires_grad=True)
        h = x.tanh()
        acc = h
        for k in range(50):
            acc = acc * 0.9 + h * (k % 3) - (h * h).sum() * 0.01
        acc.sum().backward()
        grads.append(to_np(x.grad))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)
