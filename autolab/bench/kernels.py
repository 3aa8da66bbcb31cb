"""Each seam kernel against PyTorch (and numpy) on the shapes of LeNet and VGG-small, batch 64, float32."""

from __future__ import annotations

import statistics

import numpy as np

from .. import kernels
from ..kernels import reference as ref
from ..kernels.warmup import warmup
from .timing import interleaved_samples

CONVS = {  # name: (input shape, out channels, kernel, padding)
    "lenet.conv1": ((64, 3, 32, 32), 6, 5, 0),
    "lenet.conv2": ((64, 6, 14, 14), 16, 5, 0),
    "vgg.conv1": ((64, 3, 32, 32), 32, 3, 1),
    "vgg.conv2": ((64, 32, 32, 32), 32, 3, 1),
    "vgg.conv3": ((64, 32, 16, 16), 64, 3, 1),
    "vgg.conv4": ((64, 64, 16, 16), 64, 3, 1),
}
POOLS = {"lenet.pool1": (64, 6, 28, 28), "lenet.pool2": (64, 16, 10, 10), "vgg.pool1": (64, 32, 32, 32)}
MATMULS = {  # name: (M, K, N)
    "square 1024": (1024, 1024, 1024),
    "lenet.fc1 x@W.T": (64, 400, 120),
    "vgg.fc1 x@W.T": (64, 4096, 512),
    "vgg.fc1 grad W": (512, 64, 4096),
}


def _torch():
    try:
        import torch  # lazy: optional (the comparison is skipped without it)
    except ImportError:
        return None
    torch.set_num_threads(2)
    return torch


def _row(kind, name, samples, path, flops=None):
    """Median and best (fastest round) of each candidate; ratios and GFLOP/s from both."""
    times = {k: statistics.median(v) for k, v in samples.items()}
    best = {k: min(v) for k, v in samples.items()}
    row = {"kind": kind, "case": name, "path": path, "us": {k: v * 1e6 for k, v in times.items()}}
    row["best_us"] = {k: v * 1e6 for k, v in best.items()}
    if "torch" in times:
        row["ratio_vs_torch"] = times["autolab"] / times["torch"]
        row["best_ratio_vs_torch"] = best["autolab"] / best["torch"]
    if flops:
        row["gflops"] = {k: flops / v / 1e9 for k, v in times.items()}
        row["best_gflops"] = {k: flops / v / 1e9 for k, v in best.items()}
    return row


def _matmul_ops(torch, a, b):
    if torch is None:
        return lambda: kernels.matmul(a, b), lambda: np.matmul(a, b), None
    ta, tb = torch.from_numpy(a), torch.from_numpy(np.ascontiguousarray(b.T)).T
    return lambda: kernels.matmul(a, b), lambda: np.matmul(a, b), lambda: torch.matmul(ta, tb)


def bench_matmul(torch, rounds):
    rows = []
    rng = np.random.default_rng(0)
    for name, (m, k, n) in MATMULS.items():
        a = rng.standard_normal((m, k), dtype=np.float32)
        if "W.T" in name:  # a linear layer: x @ weight.T, weight stored (out, in)
            b = rng.standard_normal((n, k), dtype=np.float32).T
        else:
            b = rng.standard_normal((k, n), dtype=np.float32)
        times = _compare(*_matmul_ops(torch, a, b), rounds)
        rows.append(_row("matmul", name, times, kernels.last_path["matmul"], 2.0 * m * n * k))
    return rows


def _conv_ops(torch, x, w, b, gy, p):
    """{op: (autolab, numpy reference, torch or None, seam name)} for one conv layer."""
    s, pp = (1, 1), (p, p)
    ops = {
        "fwd": [lambda: kernels.conv2d_forward(x, w, b, s, pp), lambda: ref.conv2d_forward(x, w, b, s, pp)],
        "grad input": [
            lambda: kernels.conv2d_backward_input(gy, w, x.shape, s, pp),
            lambda: ref.conv2d_backward_input(gy, w, x.shape, s, pp),
        ],
        "grad weight": [
            lambda: kernels.conv2d_backward_weight(gy, x, w.shape, s, pp),
            lambda: ref.conv2d_backward_weight(gy, x, w.shape, s, pp),
        ],
    }
    seams = {"fwd": "conv2d_forward", "grad input": "conv2d_backward_input", "grad weight": "conv2d_backward_weight"}
    if torch is None:
        return {op: (*fns, None, seams[op]) for op, fns in ops.items()}
    tx, tw, tb, tgy = (torch.from_numpy(a) for a in (x, w, b, gy))

    def t_bwd(mask):  # exactly the requested gradients, as autograd asks for them
        return torch.ops.aten.convolution_backward(
            tgy, tx, tw, [tw.shape[0]], [1, 1], [p, p], [1, 1], False, [0, 0], 1, mask
        )

    t_ops = {
        "fwd": lambda: torch.nn.functional.conv2d(tx, tw, tb, 1, p),
        "grad input": lambda: t_bwd([True, False, False]),
        "grad weight": lambda: t_bwd([False, True, True]),
    }
    return {op: (*fns, t_ops[op], seams[op]) for op, fns in ops.items()}


def _compare(ours, numpy_ref, torch_fn, rounds):
    cands = {"autolab": ours, "numpy": numpy_ref}
    if torch_fn is not None:
        cands["torch"] = torch_fn
    return interleaved_samples(cands, rounds)


def bench_conv(torch, rounds):
    rows = []
    rng = np.random.default_rng(1)
    for name, (shape, o, k, p) in CONVS.items():
        x = rng.standard_normal(shape, dtype=np.float32)
        w = rng.standard_normal((o, shape[1], k, k), dtype=np.float32)
        b = rng.standard_normal(o, dtype=np.float32)
        y = kernels.conv2d_forward(x, w, b, (1, 1), (p, p))
        gy = rng.standard_normal(y.shape, dtype=np.float32)
        flops = 2.0 * y.size * shape[1] * k * k
        for op, (ours, numpy_ref, torch_fn, seam) in _conv_ops(torch, x, w, b, gy, p).items():
            times = _compare(ours, numpy_ref, torch_fn, rounds)
            ours()
            rows.append(_row("conv2d", f"{name} {op}", times, kernels.last_path[seam], flops))
    return rows


def _pool_ops(torch, x, gy, idx):
    """{op: (autolab, numpy reference, torch or None, seam name)} for 2x2 pooling of x."""
    k, z = (2, 2), (0, 0)
    ops = {
        "max fwd": [lambda: kernels.max_pool2d_forward(x, k, k, z), lambda: ref.max_pool2d_forward(x, k, k, z)],
        "max bwd": [
            lambda: kernels.max_pool2d_backward(gy, idx, x.shape),
            lambda: ref.max_pool2d_backward(gy, idx, x.shape),
        ],
        "avg fwd": [lambda: kernels.avg_pool2d_forward(x, k, k, z), lambda: ref.avg_pool2d_forward(x, k, k, z)],
        "avg bwd": [
            lambda: kernels.avg_pool2d_backward(gy, x.shape, k, k, z),
            lambda: ref.avg_pool2d_backward(gy, x.shape, k, k, z),
        ],
    }
    t_ops = dict.fromkeys(ops)
    if torch is not None:
        aten = torch.ops.aten
        tx, tgy, tidx = torch.from_numpy(x), torch.from_numpy(gy), torch.from_numpy(idx)
        t_ops = {
            "max fwd": lambda: aten.max_pool2d_with_indices(tx, [2, 2], [2, 2]),
            "max bwd": lambda: aten.max_pool2d_with_indices_backward(
                tgy, tx, [2, 2], [2, 2], [0, 0], [1, 1], False, tidx
            ),
            "avg fwd": lambda: torch.nn.functional.avg_pool2d(tx, 2, 2),
            "avg bwd": lambda: aten.avg_pool2d_backward(tgy, tx, [2, 2], [2, 2], [0, 0], False, True, None),
        }
    seam = {"max fwd": "max_pool2d_forward", "max bwd": "max_pool2d_backward"}
    seam.update({"avg fwd": "avg_pool2d_forward", "avg bwd": "avg_pool2d_backward"})
    return {op: (*fns, t_ops[op], seam[op]) for op, fns in ops.items()}


def bench_pool(torch, rounds):
    rows = []
    rng = np.random.default_rng(2)
    for name, shape in POOLS.items():
        x = rng.standard_normal(shape, dtype=np.float32)
        y, idx = kernels.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0))
        gy = rng.standard_normal(y.shape, dtype=np.float32)
        for op, (ours, numpy_ref, torch_fn, seam) in _pool_ops(torch, x, gy, idx).items():
            times = _compare(ours, numpy_ref, torch_fn, rounds)
            rows.append(_row("pool", f"{name} {op}", times, kernels.last_path[seam]))
    return rows


def bench_fused(torch, rounds):
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((64, 10), dtype=np.float32)
    target = rng.integers(0, 10, 64)
    gl = np.full(64, 1 / 64, np.float32)
    x = rng.standard_normal((64, 6, 28, 28), dtype=np.float32)
    b = rng.standard_normal(6, dtype=np.float32)

    def ours_xent():
        _, probs = kernels.softmax_cross_entropy_forward(logits, target)
        return kernels.softmax_cross_entropy_backward(probs, target, gl)

    def numpy_xent():
        _, probs = ref.softmax_cross_entropy_forward(logits, target)
        return ref.softmax_cross_entropy_backward(probs, target, gl)

    cases = {
        "softmax+xent fwd+bwd (64,10)": (ours_xent, numpy_xent),
        "bias+relu (64,6,28,28)": (lambda: kernels.bias_relu_forward(x, b), lambda: ref.bias_relu_forward(x, b)),
    }
    if torch is not None:
        tl = torch.from_numpy(logits).requires_grad_()
        tt, tx, tb = torch.from_numpy(target), torch.from_numpy(x), torch.from_numpy(b).reshape(1, 6, 1, 1)

        def torch_xent():
            (g,) = torch.autograd.grad(torch.nn.functional.cross_entropy(tl, tt), (tl,))
            return g

        torch_ops = {"softmax+xent fwd+bwd (64,10)": torch_xent, "bias+relu (64,6,28,28)": lambda: torch.relu(tx + tb)}
    else:
        torch_ops = dict.fromkeys(cases)
    rows = []
    for name, (ours, numpy_ref) in cases.items():
        samples = _compare(ours, numpy_ref, torch_ops[name], rounds)
        rows.append(_row("fused", name, samples, "numba"))
    return rows


def run(rounds: int = 5) -> list[dict]:
    torch = _torch()
    warmup()  # compile or load every kernel first: this section times steady state
    return (
        bench_matmul(torch, rounds) + bench_conv(torch, rounds) + bench_pool(torch, rounds) + bench_fused(torch, rounds)
    )
