"""NaN, +inf and -inf through every op, layer and kernel, against PyTorch element by element.

The promise (docs/reliability.md, "NaN and infinity"): a NaN stays a NaN and an infinity stays an infinity
wherever PyTorch's does, forward and backward, on every kernel path (numba and numpy, small shapes and the large
ones that reach the numba kernels). Three tables:

- the op tables of engine_cases.py and extra_cases.py, with NaN, +inf or -inf put in one element ("alone") or
  a mixture of them in several elements ("mixed"), on both backends;
- the kernels at the sizes where numba takes over, with the special values placed where kernels go wrong:
  first and last in a pooling window, a whole window of -inf, several NaNs in one window, non-finite weights;
- whole layers and a training run that diverges.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_cases import CASES
from engine_helpers import AL, make_inputs, to_np, torch_ns
from extra_cases import EXTRA_CASES
from hypothesis import given, settings
from hypothesis import strategies as st

import autolab
from autolab import kernels, nn

torch = pytest.importorskip("torch")
T = torch_ns()
NAN, INF = math.nan, math.inf

# Cases whose *gradient* differs from PyTorch's once an input is not finite, and why. Forward values are compared
# for every case.
GRAD_DIFFERS = {
    # PyTorch breaks ties among several NaNs (or infinities) by position in ways its own docs call unspecified;
    # the values agree, the index a gradient is routed to may not.
    "sort": "ties among NaNs",
    "topk": "ties among NaNs",
    # A slice holding a zero and an infinity (or NaN): PyTorch multiplies exclusive products (d/dx0 of
    # inf * 0 * 3 is 0 * 3 = 0), autolab divides the product by the element where it can (NaN / inf = NaN).
    "prod": "a zero and an infinity in one slice",
}
# Ops that PyTorch computes with a different formula (fused, or a closed-form derivative), where inf - inf
# turns up on one side only: the same elements are non-finite, but one side may say NaN where the other says
# +-inf. Finite elements must still agree, and nothing finite may become non-finite or the reverse.
KIND_MAY_DIFFER = {
    # 2 (x - mean) / (n - 1) in closed form gives +-inf at the finite elements; through mean() it is NaN
    "var": "gradient",
    "var_biased": "gradient",
    # PyTorch computes x * (w / sigma) + (b - mean * w / sigma); autolab (x - mean) / sigma * w + b
    "batch_norm_train": "forward and gradient",
    "batch_norm_eval": "forward and gradient",
    # PyTorch differentiates BCE with logits in closed form, autolab through log-sigmoid
    "bce_with_logits": "gradient",
    "bce_with_logits_pos_weight": "gradient",
}
# Only the inputs listed here get special values. conv2d's weight is left out: where a non-finite weight meets
# padding, PyTorch's NaNs depend on which of its kernels runs (test_conv_with_non_finite_weights below).
FLOAT_INPUTS_ONLY = {"conv2d": (0, 2)}


def compare(actual, expected, what: str, kind_may_differ: bool = False, atol: float = 1e-5) -> None:
    """Same shape; NaN exactly where PyTorch has NaN; the same infinities; finite values close.

    With ``kind_may_differ``: non-finite exactly where PyTorch is non-finite (NaN and +-inf interchangeable)."""
    a, e = to_np(actual).astype(np.float64), to_np(expected).astype(np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    if kind_may_differ:
        bad = np.isfinite(a) != np.isfinite(e)
        assert not bad.any(), (
            f"{what}: finite vs non-finite at {np.argwhere(bad)[:4].tolist()}: {a[bad][:4]} vs {e[bad][:4]}"
        )
        a, e = np.where(np.isfinite(a), a, NAN), np.where(np.isfinite(e), e, NAN)
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    assert (nan_a == nan_e).all(), (
        f"{what}: NaN at {np.argwhere(nan_a != nan_e)[:4].tolist()}: {a[nan_a != nan_e][:4]} vs torch {e[nan_a != nan_e][:4]}"
    )
    inf_a, inf_e = np.isinf(a), np.isinf(e)
    assert (inf_a == inf_e).all() and (a[inf_e] == e[inf_e]).all(), (
        f"{what}: infinities differ: {a[inf_a != inf_e][:4]} vs torch {e[inf_a != inf_e][:4]}"
    )
    fin = np.isfinite(e)
    np.testing.assert_allclose(a[fin], e[fin], rtol=1e-4, atol=atol, err_msg=what)


def poison(arrays: list, which: tuple | None, pattern: str, seed: int) -> list:
    """Copies of ``arrays`` with special values: one element ("nan", "+inf", "-inf") or several ("mixed")."""
    rng = np.random.default_rng(seed)
    out = [a.copy() if isinstance(a, np.ndarray) else a for a in arrays]
    floats = [i for i, a in enumerate(out) if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size]
    floats = [i for i in floats if which is None or i in which]
    if not floats:
        return out
    if pattern == "mixed":
        for i in floats:
            flat = out[i].reshape(-1)
            k = rng.integers(1, max(2, flat.size // 2) + 1)
            at = rng.choice(flat.size, size=min(k, flat.size), replace=False)
            flat[at] = rng.choice([NAN, INF, -INF], size=at.size)
    else:
        i = floats[rng.integers(len(floats))]
        flat = out[i].reshape(-1)
        flat[rng.integers(flat.size)] = {"nan": NAN, "+inf": INF, "-inf": -INF}[pattern]
    return out


def run_both(fn, arrays, diff, seed=1):
    """Forward and backward in both libraries; (autolab inputs, output), (torch inputs, output), or the errors."""
    results = []
    for L in (AL, T):
        try:
            xs = make_inputs(L, arrays, diff)
            out = fn(L, *xs)
            if out.requires_grad:
                gy = np.random.default_rng(seed).standard_normal(tuple(out.shape)).astype(to_np(out).dtype)
                out.backward(L.t.tensor(gy))
            results.append((xs, out, None))
        except (RuntimeError, ValueError, IndexError) as e:
            results.append((None, None, e))
    return results


@pytest.fixture(params=["auto", "numpy"])
def backend(request):
    kernels.set_backend(request.param)
    yield request.param
    kernels.set_backend("auto")


TABLE = [c for c in CASES + EXTRA_CASES if c.torch]
# the ops that reach a kernel of the seam (numba by default): these run on both backends
KERNEL_OPS = {"relu", "conv2d", "max_pool2d", "avg_pool2d", "cross_entropy", "cross_entropy_weighted", "matmul", "mm"}
TABLE_RUNS = [(c, b) for c in TABLE for b in (["auto", "numpy"] if c.name in KERNEL_OPS else ["auto"])]


@pytest.mark.parametrize(
    "case, backend", TABLE_RUNS, ids=[f"{b}-{c.name}" for c, b in TABLE_RUNS], indirect=["backend"]
)
def test_every_op_keeps_nan_and_inf_like_torch(case, backend):
    @settings(max_examples=6, deadline=None)
    @given(case.inputs, st.sampled_from(["nan", "+inf", "-inf", "mixed"]), st.integers(0, 2**16))
    def check(drawn, pattern, seed):
        arrays, opts = drawn
        arrays = [a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in arrays]
        arrays = poison(arrays, FLOAT_INPUTS_ONLY.get(case.name), pattern, seed)
        (axs, aout, aerr), (txs, tout, terr) = run_both(lambda L, *xs: case.fn(L, *xs, **opts), arrays, case.diff)
        if terr is not None:  # e.g. binary_cross_entropy of a NaN: an error in PyTorch, so in autolab too
            assert aerr is not None and type(aerr) is type(terr), f"torch raised {terr!r}, autolab gave {aerr!r}"
            return
        assert aerr is None, f"{case.name}: autolab raised {aerr!r} where torch did not"
        relaxed = KIND_MAY_DIFFER.get(case.name, "")
        compare(aout, tout, f"{case.name} forward ({pattern})", "forward" in relaxed)
        if case.name in GRAD_DIFFERS:
            return
        for i in case.diff:
            if i < len(arrays) and arrays[i] is not None and txs[i].grad is not None:
                what = f"{case.name} gradient of input {i} ({pattern})"
                compare(axs[i].grad, txs[i].grad, what, "gradient" in relaxed)

    check()


# ---- the kernels, at the sizes where numba takes over --------------------------------------------------------------
def pool_input(dtype, rng):
    """(2, 4, 32, 32) with special values placed in 2x2 (and 3x3) windows: first, last, two NaNs, NaN with inf,
    a window of -inf, -inf with NaN, +inf twice."""
    x = rng.standard_normal((2, 4, 32, 32)).astype(dtype)
    p = x[0, 0]
    p[0, 0] = NAN  # first in its window
    p[1, 3] = NAN  # last in its window
    p[2, 4], p[3, 5] = NAN, NAN  # two NaNs in one window: PyTorch's CPU kernel keeps the last
    p[4, 6], p[5, 7] = INF, NAN
    p[6:8, 8:10] = -INF  # a whole window of -inf
    p[8, 10], p[9, 11] = -INF, NAN
    p[10, 12], p[11, 13] = INF, INF  # a tie between infinities: the first wins
    x[1, 2, :3, :3] = -INF  # with padding 1 and kernel 3: a window of -inf and padding
    x[1, 3] = rng.choice([NAN, INF, -INF, 0.5], size=(32, 32)).astype(dtype)  # a plane of nothing but trouble
    return x


def torch_grads(fn, arrays, seed=1):
    xs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(T, *xs)
    out.backward(torch.tensor(np.random.default_rng(seed).standard_normal(tuple(out.shape)).astype(arrays[0].dtype)))
    return out, [x.grad for x in xs]


def autolab_grads(fn, arrays, seed=1):
    xs = [autolab.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(AL, *xs)
    out.backward(autolab.tensor(np.random.default_rng(seed).standard_normal(tuple(out.shape)).astype(arrays[0].dtype)))
    return out, [x.grad for x in xs]


def conv_input(dtype, rng, shape=(4, 8, 16, 16)):
    x = rng.standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    k = min(40, max(1, flat.size // 8))
    flat[rng.choice(flat.size, size=k, replace=False)] = rng.choice([NAN, INF, -INF], size=k)
    return x


KERNEL_CASES = {
    "relu 4-d": (lambda rng, dt: [pool_input(dt, rng)], lambda L, x: L.F.relu(x), "bias_relu_forward"),
    "relu 2-d": (lambda rng, dt: [conv_input(dt, rng, (64, 300))], lambda L, x: L.nn.ReLU()(x), "bias_relu_forward"),
    "max_pool 2x2": (lambda rng, dt: [pool_input(dt, rng)], lambda L, x: L.F.max_pool2d(x, 2), "max_pool2d_forward"),
    "max_pool 3x3 s2 p1": (
        lambda rng, dt: [pool_input(dt, rng)],
        lambda L, x: L.F.max_pool2d(x, 3, 2, 1),
        "max_pool2d_forward",
    ),
    "avg_pool 2x2": (lambda rng, dt: [pool_input(dt, rng)], lambda L, x: L.F.avg_pool2d(x, 2), "avg_pool2d_forward"),
    "conv s1 p1": (
        lambda rng, dt: [
            conv_input(dt, rng),
            rng.standard_normal((16, 8, 3, 3)).astype(dt) * 0.2,
            conv_input(dt, rng, (16,)),
        ],
        lambda L, x, w, b: L.F.conv2d(x, w, b, padding=1),
        "conv2d_forward",
    ),
    "conv s2": (
        lambda rng, dt: [conv_input(dt, rng), rng.standard_normal((16, 8, 3, 3)).astype(dt) * 0.2],
        lambda L, x, w: L.F.conv2d(x, w, stride=2),
        "conv2d_forward",
    ),
    "matmul": (
        lambda rng, dt: [conv_input(dt, rng, (256, 256)), conv_input(dt, rng, (256, 256))],
        lambda L, a, b: a @ b,
        "matmul",
    ),
    "linear": (
        lambda rng, dt: [conv_input(dt, rng, (128, 512)), rng.standard_normal((256, 512)).astype(dt) * 0.1],
        lambda L, x, w: L.F.linear(x, w),
        "matmul",
    ),
}


def logits_rows(dtype, rng, n=512):
    """Rows of 10 logits: NaN first / elsewhere / at the target, all -inf, +inf twice, -inf at the target."""
    x = rng.standard_normal((n, 10)).astype(dtype)
    t = rng.integers(0, 10, n)
    x[0, 0] = NAN
    x[1, 5], t[1] = NAN, 2
    x[2, 7], t[2] = NAN, 7
    x[3, :] = -INF
    x[4, 1], x[4, 8] = INF, INF
    x[5, 3], t[5] = -INF, 3
    x[6, 4] = INF
    return x, t


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(KERNEL_CASES))
def test_kernels_keep_nan_and_inf_like_torch(name, dtype, backend):
    make, fn, seam = KERNEL_CASES[name]
    arrays = make(np.random.default_rng(0), dtype)
    aout, agrads = autolab_grads(fn, arrays)
    assert kernels.last_path[seam].startswith("numba" if backend == "auto" else "numpy"), kernels.last_path[seam]
    tout, tgrads = torch_grads(fn, arrays)
    atol = 1e-3 if dtype == np.float32 else 1e-9  # sums of 256 float32 products
    compare(aout, tout, f"{name} forward", atol=atol)
    for i, (a, t) in enumerate(zip(agrads, tgrads)):
        compare(a, t, f"{name} gradient of input {i}", atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_cross_entropy_and_softmax_rows_like_torch(dtype, reduction, backend):
    x, t = logits_rows(dtype, np.random.default_rng(0))
    for name, fn in {
        "cross_entropy": lambda L, a: L.F.cross_entropy(a, L.t.tensor(t), reduction=reduction),
        "softmax": lambda L, a: L.F.softmax(a, 1),
        "log_softmax": lambda L, a: L.F.log_softmax(a, 1),
        "max / argmax": lambda L, a: a.max(1).values + a.argmax(1) + a.amax(1) * 0,
        "clamp": lambda L, a: a.clamp(-1, 1) + a.clamp(min=0) - a.clamp(max=0),
    }.items():
        aout, agrads = autolab_grads(fn, [x])
        if name == "cross_entropy" and backend == "auto":
            assert kernels.last_path["softmax_cross_entropy_forward"] == "numba"
        tout, tgrads = torch_grads(fn, [x])
        compare(aout, tout, f"{name} forward")
        compare(agrads[0], tgrads[0], f"{name} gradient")


def exact_conv(x, w, padding, stride):
    """conv2d in float64 that adds only real products (no padding): which outputs a non-finite weight reaches."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    y = np.zeros((n, o, ho, wo))
    for i in range(ho):
        for j in range(wo):
            for di in range(kh):
                for dj in range(kw):
                    r, q = i * stride - padding + di, j * stride - padding + dj
                    if 0 <= r < h and 0 <= q < wd:
                        y[:, :, i, j] += x[:, :, r, q].astype(np.float64) @ w[:, :, di, dj].T.astype(np.float64)
    return y


@pytest.mark.parametrize(
    "shape, padding, stride", [((2, 3, 12, 12), 1, 1), ((2, 3, 12, 12), 2, 2), ((8, 8, 16, 16), 1, 1)]
)
def test_conv_with_non_finite_weights(shape, padding, stride, backend):
    """PyTorch's answer depends on its kernel: some multiply the padding's zeros by the weight (0 * NaN = NaN),
    some skip them. autolab's promise: every output a non-finite weight reaches through a real pixel is
    non-finite (outputs it reaches only through padding may be too); every other output equals PyTorch's.
    The input gradient counts real pixels only, as PyTorch's does."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((4, shape[1], 3, 3)).astype(np.float32)
    w[1, 0, 0, 0], w[2, 1, 2, 1], w[3, 2, 1, 1] = NAN, INF, -INF
    fn = lambda L, x, w: L.F.conv2d(x, w, padding=padding, stride=stride)  # noqa: E731
    aout, (agx, agw) = autolab_grads(fn, [x, w])
    tout, (tgx, tgw) = torch_grads(fn, [x, w])
    a, t, e = to_np(aout), to_np(tout), exact_conv(x, w, padding, stride)
    assert (~np.isfinite(a) >= ~np.isfinite(e)).all(), "a non-finite weight's output came out finite"
    both = np.isfinite(a) & np.isfinite(t)
    assert both[:, 0].all()  # channel 0 has finite weights only
    np.testing.assert_allclose(a[both], t[both], rtol=1e-4, atol=1e-4)
    assert (np.isfinite(to_np(agx)) >= np.isfinite(to_np(tgx))).all()
    compare(agx, tgx, "input gradient") if stride == 1 else None
    compare(agw, tgw, "weight gradient")


# ---- layers and a training run -------------------------------------------------------------------------------
def test_relu_keeps_nan_in_every_shape_the_issue_named():
    for shape in [(4,), (1, 4), (1, 1, 4, 4), (2, 3, 4, 4, 2)]:
        y = autolab.nn.functional.relu(autolab.full(shape, NAN))
        assert np.isnan(y.numpy()).all(), shape
        y = nn.ReLU()(autolab.full(shape, -INF))
        assert (y.numpy() == 0).all()


def lenet(L):
    return L.nn.Sequential(
        L.nn.Conv2d(3, 6, 5),
        L.nn.ReLU(),
        L.nn.MaxPool2d(2, 2),
        L.nn.Conv2d(6, 16, 5),
        L.nn.ReLU(),
        L.nn.MaxPool2d(2, 2),
        L.nn.Flatten(),
        L.nn.Linear(16 * 5 * 5, 120),
        L.nn.ReLU(),
        L.nn.Linear(120, 10),
    )


def test_a_lenet_propagates_non_finite_pixels_exactly_like_torch(backend):
    autolab.manual_seed(0)
    ours, theirs = lenet(AL), lenet(T)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32)
    x[0, 0, 10, 10], x[1, 2, 0, 0], x[2, 1, 31, 31] = NAN, INF, -INF  # image 3 stays finite
    y, ty = ours(autolab.tensor(x)), theirs(torch.tensor(x))
    compare(y, ty, "LeNet output")
    assert np.isfinite(to_np(y)[3]).all() and not np.isfinite(to_np(y)[:3]).all()
    loss = nn.functional.cross_entropy(y, autolab.tensor([1, 2, 3, 4]), reduction="none")
    tloss = torch.nn.functional.cross_entropy(ty, torch.tensor([1, 2, 3, 4]), reduction="none")
    compare(loss, tloss, "LeNet losses")


@pytest.mark.parametrize("bad", [NAN, INF])
def test_a_lenet_with_a_diverged_weight_stops_on_nan_instead_of_finishing(bad):
    """The issue's report: a diverged LeNet "finished" with thousands of non-finite weights, because ReLU turned
    the NaNs of its first layer into zeros, the loss stayed finite and the trainer's NaN stop never fired. A
    single non-finite weight in conv1 (what divergence leaves behind) must now reach the loss and stop training
    before any step is applied."""
    from autolab.training import Trainer
    from autolab.utils.data import DataLoader, TensorDataset

    autolab.manual_seed(0)
    model = lenet(AL)
    with autolab.no_grad():
        model[0].weight[2, 1, 0, 0] = bad
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    x, y = autolab.randn(64, 3, 32, 32), autolab.randint(0, 10, (64,))
    opt = autolab.optim.SGD(model.parameters(), lr=0.01)
    trainer = Trainer(model, opt, nn.CrossEntropyLoss(), DataLoader(TensorDataset(x, y), batch_size=16), epochs=3)
    states = []
    trainer.subscribe(lambda e: states.append(e) if e.kind == "state" else None)
    trainer.fit()
    assert trainer.state == "stopped" and states[-1].reason == "nan" and trainer.step == 0, states[-1].message
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])  # no step applied
