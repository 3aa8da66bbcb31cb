"""Does ``NUMBA_CPU_NAME=generic`` (a numba cache that runs on any x86-64) cost speed? Measure it.

    python binder/bench_cpu_name.py [--rounds 3]

Each round runs one process per setting (host CPU, generic), interleaved, sharing one warm cache, and
times the seam's numba kernels at LeNet-on-CIFAR-10 shapes (batch 64, float32) and a whole LeNet
training step. Prints, per kernel, the median over rounds of each process's fastest of 15 calls, and the
generic/host ratio. The result chose what
binder/postBuild and binder/start do (docs/binder.md, "The numba cache").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, time, numpy as np
import autolab, autolab.nn as nn, autolab.nn.functional as F
from autolab import kernels as K
from autolab.kernels.warmup import warmup

warmup()
rng = np.random.default_rng(0)
f = np.float32
x1, w1 = rng.standard_normal((64, 3, 32, 32)).astype(f), rng.standard_normal((6, 3, 5, 5)).astype(f)
x2, w2 = rng.standard_normal((64, 6, 14, 14)).astype(f), rng.standard_normal((16, 6, 5, 5)).astype(f)
g1, g2 = np.ones((64, 6, 28, 28), f), np.ones((64, 16, 10, 10), f)
a, b = rng.standard_normal((512, 512)).astype(f), rng.standard_normal((512, 512)).astype(f)
s1, p0 = (1, 1), (0, 0)
cases = {
    "matmul 512^3": lambda: K.matmul(a, b),
    "conv1 forward": lambda: K.conv2d_forward(x1, w1, None, s1, p0),
    "conv1 grad weight": lambda: K.conv2d_backward_weight(g1, x1, w1.shape, s1, p0),
    "conv2 forward": lambda: K.conv2d_forward(x2, w2, None, s1, p0),
    "conv2 grad input": lambda: K.conv2d_backward_input(g2, w2, x2.shape, s1, p0),
    "conv2 grad weight": lambda: K.conv2d_backward_weight(g2, x2, w2.shape, s1, p0),
    "max pool 2x2": lambda: K.max_pool2d_forward(g1, (2, 2), (2, 2), p0),
}

class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(3, 6, 5), nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = x.reshape(x.shape[0], -1)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x)))))

model = LeNet()
opt = autolab.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
xb, yb = autolab.tensor(x1), autolab.tensor(rng.integers(0, 10, 64))
def step():
    opt.zero_grad()
    F.cross_entropy(model(xb), yb).backward()
    opt.step()
cases["LeNet training step"] = step

out = {}
for name, fn in cases.items():
    fn()
    times = []
    for _ in range(15):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    out[name] = min(times) * 1e6  # the least disturbed run: this machine is shared
print(json.dumps(out))
"""


def run(cpu_name: str | None, cache: str, threads: int) -> dict[str, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, NUMBA_NUM_THREADS=str(threads))
    env.pop("NUMBA_CPU_NAME", None)
    env.pop("NUMBA_CPU_FEATURES", None)
    if cpu_name:
        # a named CPU level brings its own features; numba would otherwise add the host's
        env.update(NUMBA_CPU_NAME=cpu_name, NUMBA_CPU_FEATURES="")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--also", nargs="*", default=[], help="more CPU names to compare, e.g. x86-64-v3")
    parser.add_argument("--threads", type=int, default=1, help="numba threads (1: immune to a busy machine)")
    args = parser.parse_args()
    settings = {"host": None, "generic": "generic"}
    for level in args.also:
        settings[level] = level
    results: dict[str, list[dict[str, float]]] = {k: [] for k in settings}
    with tempfile.TemporaryDirectory(prefix="autolab-cpu-bench-") as cache:
        for cpu in settings.values():
            run(cpu, cache, args.threads)  # compile into the shared cache first
        for _ in range(args.rounds):
            for setting, cpu in settings.items():
                results[setting].append(run(cpu, cache, args.threads))
    print(f"{args.threads} numba thread(s), {args.rounds} rounds")
    others = [k for k in settings if k != "host"]
    print(f"{'kernel (batch 64, float32)':<26} {'host µs':>9}" + "".join(f" {k + ' µs (ratio)':>24}" for k in others))
    for name in results["host"][0]:
        host = statistics.median(r[name] for r in results["host"])
        row = f"{name:<26} {host:>9.0f}"
        for k in others:
            t = statistics.median(r[name] for r in results[k])
            row += f" {t:>15.0f} ({t / host:4.2f}x)"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
