"""Layers of issue 19, forward + backward on autolab against PyTorch, in one process, interleaved.

    python scripts/bench_layers.py [--rounds 5] [--threads 1]

LSTM and GRU at the shapes of PyTorch's word-language-model example (2 layers, sequence 35, batch 20), and the
ConvTranspose2d generator of the DCGAN example (scaled to 32x32 MNIST-size output, batch 64).
Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

import numpy as np

import autolab
from autolab.bench.timing import interleaved_samples

CASES = [  # (layer, input size, hidden size, layers, sequence length, batch)
    ("LSTM", 200, 200, 2, 35, 20),
    ("LSTM", 650, 650, 2, 35, 20),
    ("GRU", 200, 200, 2, 35, 20),
    ("RNN", 200, 200, 2, 35, 20),
]


def make_step(lib, kind: str, n_in: int, hidden: int, layers: int, seq: int, batch: int):
    lib.manual_seed(0)
    layer = getattr(lib.nn, kind)(n_in, hidden, layers)
    x = lib.from_numpy(np.random.default_rng(0).standard_normal((seq, batch, n_in), dtype=np.float32))

    def step():
        layer.zero_grad()
        out, _ = layer(x)
        out.sum().backward()

    return step


def make_dcgan_step(lib):
    """The DCGAN generator (nz=100, ngf=64 scaled down to 32x32 output): ConvTranspose2d, BatchNorm2d, ReLU."""
    nn = lib.nn
    lib.manual_seed(0)
    g = nn.Sequential(
        nn.ConvTranspose2d(100, 256, 4, 1, 0, bias=False), nn.BatchNorm2d(256), nn.ReLU(),
        nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1, bias=False), nn.Tanh(),
    )  # fmt: skip
    z = lib.from_numpy(np.random.default_rng(0).standard_normal((64, 100, 1, 1), dtype=np.float32))

    def step():
        g.zero_grad()
        g(z).mean().backward()

    return step


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (autolab uses numpy's BLAS)")
    args = parser.parse_args()
    import torch  # lazy: the oracle, never a dependency of autolab

    torch.set_num_threads(args.threads)
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, torch {torch.__version__}, threads {args.threads}"
    )
    print(f"{'case':32} {'autolab ms':>11} {'torch ms':>9} {'ratio':>6}")
    for case in CASES:
        steps = {"autolab": make_step(autolab, *case), "torch": make_step(torch, *case)}
        samples = interleaved_samples(steps, rounds=args.rounds, target=0.2)
        med = {k: statistics.median(v) * 1e3 for k, v in samples.items()}
        name = f"{case[0]}({case[1]}, {case[2]}, {case[3]}) L={case[4]} N={case[5]}"
        print(f"{name:32} {med['autolab']:11.1f} {med['torch']:9.1f} {med['autolab'] / med['torch']:6.2f}")
    samples = interleaved_samples(
        {"autolab": make_dcgan_step(autolab), "torch": make_dcgan_step(torch)}, args.rounds, 0.2
    )
    med = {k: statistics.median(v) * 1e3 for k, v in samples.items()}
    name = "DCGAN generator 32x32, N=64"
    print(f"{name:32} {med['autolab']:11.1f} {med['torch']:9.1f} {med['autolab'] / med['torch']:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
