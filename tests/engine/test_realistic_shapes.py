"""The ops at the shapes the tutorials use, in float32, against PyTorch.

The hypothesis tables use tiny shapes, which the kernel seam may send to numpy; these sizes reach the numba
kernels through the ops, including with non-contiguous inputs (a transposed weight, an NHWC batch permuted).
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import AL, assert_close, torch_ns

torch = pytest.importorskip("torch")
T = torch_ns()

SHAPES = {
    "linear 64x400 @ 400x120 (weight.t())": (
        lambda L, x, w, b: L.F.linear(x, w, b),
        [(64, 400), (120, 400), (120,)],
    ),
    "matmul transposed left": (lambda L, a, b: a.T @ b, [(96, 64), (96, 80)]),
    "batched matmul": (lambda L, a, b: a @ b, [(4, 64, 32), (4, 32, 48)]),
    "broadcast batched matmul": (lambda L, a, b: a @ b, [(3, 1, 16, 24), (5, 24, 8)]),
    "conv1 of LeNet": (lambda L, x, w, b: L.F.conv2d(x, w, b), [(8, 3, 32, 32), (6, 3, 5, 5), (6,)]),
    "conv2 of LeNet": (lambda L, x, w, b: L.F.conv2d(x, w, b), [(8, 6, 14, 14), (16, 6, 5, 5), (16,)]),
    "conv 3x3 padding 1": (lambda L, x, w: L.F.conv2d(x, w, padding=1), [(4, 16, 16, 16), (32, 16, 3, 3)]),
    "conv stride 2 padding 1": (
        lambda L, x, w, b: L.F.conv2d(x, w, b, stride=2, padding=1),
        [(4, 8, 17, 17), (12, 8, 3, 3), (12,)],
    ),
    "conv on an NHWC batch permuted to NCHW": (
        lambda L, x, w: L.F.conv2d(x.permute(0, 3, 1, 2), w, padding=2),
        [(4, 20, 20, 3), (8, 3, 5, 5)],
    ),
    "max_pool2d 2x2": (lambda L, x: L.F.max_pool2d(L.F.relu(x), 2, 2), [(8, 6, 28, 28)]),
    "max_pool2d 3x3 stride 2 padding 1": (lambda L, x: L.F.max_pool2d(x, 3, 2, 1), [(4, 16, 17, 17)]),
    "avg_pool2d 2x2": (lambda L, x: L.F.avg_pool2d(x, 2), [(8, 6, 28, 28)]),
    "avg_pool2d 3x3 padding 1": (lambda L, x: L.F.avg_pool2d(x, 3, 1, 1), [(4, 8, 16, 16)]),
    "cross_entropy 64x10": (
        lambda L, x: L.F.cross_entropy(x, L.t.tensor(np.arange(64) % 10)),
        [(64, 10)],
    ),
    "batch_norm 2d train": (
        lambda L, x, w, b: L.F.batch_norm(x, None, None, w, b, training=True),
        [(8, 16, 12, 12), (16,), (16,)],
    ),
    "softmax over 1000": (lambda L, x: L.F.softmax(x * 5, dim=1), [(32, 1000)]),
}


@pytest.mark.parametrize("fn, shapes", SHAPES.values(), ids=SHAPES.keys())
def test_float32_at_tutorial_shapes(fn, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    res = []
    for L in (AL, T):
        xs = [L.t.tensor(a, requires_grad=True) for a in arrays]
        y = fn(L, *xs)
        gy = np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(np.float32)
        y.backward(L.t.tensor(gy))
        res.append((y, [x.grad for x in xs]))
    (ya, ga), (yt, gt) = res
    assert str(ya.dtype) == "autolab.float32"
    scale = float(np.abs(yt.detach().numpy()).max()) + 1
    assert_close(ya, yt, rtol=1e-4, atol=1e-5 * scale, what="forward")
    for i, (a, t) in enumerate(zip(ga, gt)):
        gscale = float(np.abs(t.numpy()).max()) + 1
        assert str(a.dtype) == "autolab.float32"
        assert_close(a, t, rtol=1e-4, atol=1e-5 * gscale, what=f"grad of input {i}")
