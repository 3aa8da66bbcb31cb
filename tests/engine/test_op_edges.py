"""Edge cases against PyTorch: zeros where formulas divide by zero, ties, unusual indices, extreme values."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import AL, dtype_name, to_np, torch_ns

EDGES = {
    # indexing beyond the hypothesis table: None, Ellipsis, several index arrays
    "index None": lambda L, x: x[None, 0],
    "index Ellipsis": lambda L, x: x[..., 1],
    "index Ellipsis None slice": lambda L, x: x[..., None, 1:],
    "index two arrays with repeats": lambda L, x: x[[0, 1, 1], [2, 2, 2]],
    "index arrays around a slice": lambda L, x: x[[0, 1], :, [1, 1]],
    "index 0-d tensor": lambda L, x: x[L.t.tensor(1)],
    "index 2-d mask": lambda L, x: x[x[:, :, 0] > 0],
    "index bool list and slice": lambda L, x: x[L.t.tensor([True, False]), 1:],
    "gather repeated": lambda L, x: x.gather(1, L.t.tensor([[[0], [2]], [[1], [1]]]).expand(2, 2, 4)),
    # derivatives whose formula divides by zero
    "x**0 at 0": lambda L, x: (x * 0) ** 0,
    "x**1 at 0": lambda L, x: (x * 0) ** 1,
    "sqrt(relu(x)) at 0": lambda L, x: (x * 0).relu() ** 0.5,
    "abs at 0": lambda L, x: (x * 0).abs(),
    # ties: full reductions share the gradient, reductions along a dim give it to one index
    "max ties": lambda L, x: (x * 0).max(),
    "amax ties": lambda L, x: L.t.amax(x * 0, dim=1),
    "max(dim) ties": lambda L, x: (x * 0).max(dim=1)[0],
    "min all": lambda L, x: x.min(),
    "amin tuple": lambda L, x: x.amin(dim=(0, 2)),
    # extreme values: stable softmax, sigmoid, tanh
    "log_softmax large": lambda L, x: (x * 1000).log_softmax(1),
    "softmax large": lambda L, x: (x * 1000).softmax(-1),
    "sigmoid large": lambda L, x: (x * 1000).sigmoid(),
    "tanh large": lambda L, x: (x * 1000).tanh(),
    "exp very negative": lambda L, x: (-x.abs() * 1000).exp(),
    "cross_entropy large logits": lambda L, x: L.F.cross_entropy(x.reshape(6, 4) * 500, L.t.tensor([0, 1, 2, 3, 0, 1])),
    # assorted forms
    "pow tensor exponent 0-d": lambda L, x: x ** L.t.tensor(2.0, dtype=L.t.float64),
    "x ** x": lambda L, x: x.abs() ** x,
    "div by 0-d": lambda L, x: x / x[0, 0, 0],
    "where python scalar": lambda L, x: L.t.where(x > 0, x, 0.0),
    "where python scalar first": lambda L, x: L.t.where(x > 0, 1.0, x),
    "maximum": lambda L, x: L.t.maximum(x, x * 0.5),
    "minimum": lambda L, x: L.t.minimum(x, x * 0.5),
    "float() in graph": lambda L, x: x.float() * 2,
    "flatten negative": lambda L, x: x.flatten(-2),
    "mT": lambda L, x: x.mT,
    "squeeze tuple": lambda L, x: x[:, :1, :1].squeeze((1, 2)),
    "expand -1": lambda L, x: x[:, :1].expand(-1, 5, -1),
    "stack dim -1": lambda L, x: L.t.stack([x, x * 2], dim=-1),
    "matmul 3d @ 1d": lambda L, x: x @ x[0, 0],
    "matmul 1d @ 3d": lambda L, x: x[0, :, 0] @ x,
    "bmm": lambda L, x: L.t.bmm(x, x.transpose(1, 2)),
    "linear 1-d input": lambda L, x: L.F.linear(x[0, 0], x[0, :2]),
    "conv2d padding same": lambda L, x: L.F.conv2d(
        x[None, :, :, :3], L.t.ones(2, 2, 3, 3, dtype=L.t.float64), padding="same"
    ),
    "std of one element": lambda L, x: x[:, :1].std(dim=1),
    "var correction=0": lambda L, x: x.var(1, correction=0),
    "clamp tensor bound": lambda L, x: x.clamp(min=L.t.tensor(-0.5, dtype=L.t.float64)),
    # the rest of nn.functional
    "softplus": lambda L, x: L.F.softplus(x * 10),
    "softplus beta": lambda L, x: L.F.softplus(x, beta=2.0),
    "gelu tanh": lambda L, x: L.F.gelu(x, approximate="tanh"),
    "one_hot times x": lambda L, x: L.F.one_hot(L.t.tensor([[0, 2, 3], [1, 1, 0]]), 4) * x,
    "flatten functional": lambda L, x: L.F.flatten(x, 1) if L.name == "autolab" else L.t.flatten(x, 1),
    "data is detached": lambda L, x: x * x.data,
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("fn", EDGES.values(), ids=EDGES.keys())
def test_edge_matches_torch(fn):
    T = torch_ns()
    a = np.random.default_rng(0).standard_normal((2, 3, 4))
    results = []
    for L in (AL, T):
        x = L.t.tensor(a, requires_grad=True)
        y = fn(L, x)
        gy = np.random.default_rng(1).standard_normal(tuple(y.shape))
        y.backward(L.t.tensor(gy))
        results.append((to_np(y), to_np(x.grad), dtype_name(y.dtype)))
    (ya, ga, da), (yt, gt, dt) = results
    assert da == dt and ya.shape == yt.shape
    np.testing.assert_allclose(ya, yt, rtol=1e-10, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(ga, gt, rtol=1e-10, atol=1e-12, equal_nan=True)


EMPTY_BATCH = {
    "sum": lambda L, x: x.sum(),
    "mul": lambda L, x: (x * 2).sum(),
    "matmul": lambda L, x: (x @ L.t.ones(3, 2, dtype=L.t.float64)).sum(),
    "cat": lambda L, x: L.t.cat([x, L.t.ones(1, 3, dtype=L.t.float64)]).sum(),
    "softmax": lambda L, x: x.softmax(1).sum(),
    "mask": lambda L, x: x[x > 0].sum(),
    "linear": lambda L, x: L.F.linear(x, L.t.ones(2, 3, dtype=L.t.float64)).sum(),
    "mean over features": lambda L, x: x.mean(1).sum(),
    "max over features": lambda L, x: x.max(1)[0].sum(),
    "cross_entropy sum": lambda L, x: L.F.cross_entropy(x, L.t.zeros(0, dtype=L.t.int64), reduction="sum"),
}


@pytest.mark.parametrize("fn", EMPTY_BATCH.values(), ids=EMPTY_BATCH.keys())
def test_empty_batch_matches_torch(fn):
    """A batch of zero samples (an empty split, a filtered batch) flows forward and backward as in PyTorch."""
    T = torch_ns()
    out = []
    for L in (AL, T):
        x = L.t.zeros(0, 3, dtype=L.t.float64, requires_grad=True)
        y = fn(L, x)
        y.backward()
        out.append((float(y.detach()), tuple(x.grad.shape)))
    assert out[0] == out[1]


def test_max_along_an_empty_dim_raises_like_torch():
    import autolab

    x = autolab.zeros(0, 3)
    with pytest.raises(IndexError, match=r"max\(\): Expected reduction dim 0 to have non-zero size"):
        x.max(0)
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        x.max()


@pytest.mark.parametrize(
    "shape, k, s, p",
    [((2, 3, 8, 8), 2, 2, 0), ((1, 2, 7, 7), 3, 2, 1), ((8, 6, 28, 28), 2, 2, 0), ((1, 1, 5, 5), 2, 1, 0)],
)
def test_max_pool_ties_pick_the_same_element_as_torch(shape, k, s, p):
    """Rounded inputs tie often; the winner (its index and where the gradient goes) must be PyTorch's."""
    T = torch_ns()
    a = np.round(np.random.default_rng(0).standard_normal(shape)).astype(np.float32)
    res = []
    for L in (AL, T):
        x = L.t.tensor(a, requires_grad=True)
        y, idx = L.F.max_pool2d(x, k, s, p, return_indices=True)
        y.backward(L.t.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape)).astype(np.float32)))
        res.append((to_np(y), to_np(idx), to_np(x.grad)))
    for got, want in zip(res[0], res[1]):
        np.testing.assert_array_equal(got, want)
