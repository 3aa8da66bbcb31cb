"""One optimizer step, autolab against PyTorch in the same process, for every optimizer both have.

    python scripts/bench_optimizers.py [--params 1200000] [--rounds 5]

Each optimizer updates one float32 parameter of ``--params`` elements (1.2 M: the size of PyTorch's MNIST
example network). autolab's steps are numpy, one thread; PyTorch runs on one thread too (its single-tensor CPU
path, what ``foreach=None`` picks on a CPU). The two alternate, and each row is the minimum over rounds of the
mean of 20 steps, which is what survives a machine shared with other work. docs/benchmarks.md quotes the output.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import autolab  # noqa: E402

NAMES = ["SGD", "Adam", "AdamW", "Adadelta", "Adagrad", "RMSprop", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD"]
OPTIONS = {"SGD": dict(lr=1e-3, momentum=0.9)}


def _optimizer(lib, name: str, n: int):
    p = lib.tensor(np.random.default_rng(0).standard_normal(n).astype(np.float32), requires_grad=True)
    p.grad = lib.tensor(np.random.default_rng(1).standard_normal(n).astype(np.float32))
    opt = getattr(lib.optim, name)([p], **OPTIONS.get(name, dict(lr=1e-3)))
    opt.step()  # the state exists from here on
    return opt


def _ms_per_step(opt, steps: int = 20) -> float:
    t = time.perf_counter()
    for _ in range(steps):
        opt.step()
    return (time.perf_counter() - t) / steps * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=int, default=1_200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import torch  # lazy: the oracle, only for this comparison

    torch.set_num_threads(1)
    print(f"| optimizer | autolab ms/step | PyTorch ms/step | ratio |  ({args.params:,} float32 parameters)")
    print("|---|---|---|---|")
    for name in NAMES:
        ours, theirs = _optimizer(autolab, name, args.params), _optimizer(torch, name, args.params)
        a, b = [], []
        for _ in range(args.rounds):
            a.append(_ms_per_step(ours))
            b.append(_ms_per_step(theirs))
        print(f"| {name} | {min(a):.2f} | {min(b):.2f} | {min(a) / min(b):.2f} |")


if __name__ == "__main__":
    main()
