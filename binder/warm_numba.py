"""Fill the numba cache with every kernel the course calls, so no student waits for a compile.

numba keys each cached kernel by its argument types *and* by the CPU it was compiled for (name and
features). A Binder image is built on one machine and run on others, so postBuild runs this twice: once
for the build machine's CPU (``--record-cpu`` remembers which), once with ``NUMBA_CPU_NAME=generic``.
``binder/start`` runs ``--same-cpu`` to choose between the two copies at container start.

    python binder/warm_numba.py [--record-cpu]     compile (and cache) every kernel
    python binder/warm_numba.py --same-cpu         exit 0 when this CPU is the one recorded
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

RECORD = "autolab-build-cpu.json"

# (batch, channels, size, out channels, kernel): LeNet on CIFAR-10 and on MNIST, at the batch sizes the
# notebooks use (full and fast mode), so that the kernels' per-shape dispatch picks each path it will pick.
CONV_SHAPES = [(n, c, s, o, 5) for n in (1, 16, 64) for (c, s, o) in ((3, 32, 6), (1, 28, 6), (6, 14, 16))]
MATMUL_SHAPES = [(m, k, n) for m in (1, 16, 64) for (k, n) in ((400, 120), (120, 84), (84, 10), (784, 128))]


def cpu_signature() -> dict:
    """What numba's cache index keys on (see numba.core.codegen's ``magic_tuple``), without importing numba."""
    import llvmlite.binding as ll

    return {"name": ll.get_host_cpu_name(), "features": ll.get_host_cpu_features().flatten()}


def cache_dir() -> Path:
    return Path(os.environ.get("NUMBA_CACHE_DIR") or Path.home() / ".cache" / "autolab" / "numba")


def warm(dtypes=("float32", "float64")) -> int:
    """Call every seam kernel at the course's shapes; return how many calls were made."""
    import numpy as np

    from autolab import kernels

    rng = np.random.default_rng(0)
    calls = 0
    for dtype in dtypes:
        for m, k, n in MATMUL_SHAPES:
            kernels.matmul(rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype))
            calls += 1
        for n, c, s, o, k in CONV_SHAPES:
            x = rng.standard_normal((n, c, s, s)).astype(dtype)
            w = rng.standard_normal((o, c, k, k)).astype(dtype)
            b = rng.standard_normal(o).astype(dtype)
            for padding in ((0, 0), (2, 2)):
                y = kernels.conv2d_forward(x, w, b, (1, 1), padding)
                gy = np.ascontiguousarray(np.ones_like(y))
                kernels.conv2d_backward_input(gy, w, x.shape, (1, 1), padding)
                kernels.conv2d_backward_weight(gy, x, w.shape, (1, 1), padding)
                calls += 3
            # pooling runs on the conv's output
            pooled, argmax = kernels.max_pool2d_forward(y, (2, 2), (2, 2), (0, 0))
            kernels.max_pool2d_backward(np.ones_like(pooled), argmax, y.shape)
            avg = kernels.avg_pool2d_forward(y, (2, 2), (2, 2), (0, 0))
            kernels.avg_pool2d_backward(np.ones_like(avg), y.shape, (2, 2), (2, 2), (0, 0))
            calls += 4
    extra = getattr(kernels, "warm", None)
    if callable(extra):  # the kernels package may know of kernels outside the seam
        extra()
        calls += 1
    return calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record-cpu", action="store_true", help="also record this CPU as the build CPU")
    parser.add_argument("--same-cpu", action="store_true", help="only compare this CPU with the recorded one")
    parser.add_argument("--no-warm", action="store_true", help="compile nothing (with --record-cpu: record only)")
    args = parser.parse_args(argv)

    record = cache_dir() / RECORD
    if args.same_cpu:
        try:
            return 0 if json.loads(record.read_text()) == cpu_signature() else 1
        except (OSError, ValueError):
            return 1

    if not args.no_warm:
        start = time.perf_counter()
        calls = warm()
        cpu = os.environ.get("NUMBA_CPU_NAME") or cpu_signature()["name"]
        entries = sum(1 for _ in cache_dir().rglob("*.nbi"))
        print(
            f"warm_numba: {calls} kernel calls for CPU '{cpu}' in {time.perf_counter() - start:.1f} s; "
            f"{entries} cache index files in {cache_dir()}"
        )
    if args.record_cpu:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(cpu_signature()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
