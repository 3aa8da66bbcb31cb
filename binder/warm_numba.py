"""Fill the numba cache with every kernel the course calls, so no student waits for a compile.

numba keys each cached kernel by its argument types *and* by the CPU it was compiled for (name and
features). A Binder image is built on one machine and run on others, so postBuild compiles twice:

- for the build machine's own CPU (``--record-cpu`` remembers which): the fastest code;
- with ``--portable``, for the x86-64-v3 level (AVX2 and FMA: every x86 server CPU since 2013-2015),
  which any such node can load; ``generic`` (no AVX at all) where even that is missing.

At container start ``binder/start`` runs ``--choose-cpu``, which prints ``host`` when the node has the build
machine's CPU, else the portable level it can run; start sets ``NUMBA_CPU_NAME`` from that.
Measured costs of each choice: ``binder/bench_cpu_name.py`` and docs/benchmarks.md ("First run").

    python binder/warm_numba.py [--record-cpu]     compile (and cache) every kernel for this CPU
    python binder/warm_numba.py --portable         the same, for the portable CPU level
    python binder/warm_numba.py --choose-cpu       print host | x86-64-v3 | generic
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

RECORD = "autolab-build-cpu.json"
PORTABLE = "x86-64-v3"
# what LLVM's x86-64-v3 level assumes (on top of v2's SSE4.2/POPCNT): a node needs all of them to load its code
V3_FEATURES = ("avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe", "xsave")

# (batch, channels, size, out channels, kernel): LeNet on CIFAR-10 and on MNIST, at the batch sizes the
# notebooks use (full and fast mode), so that the kernels' per-shape dispatch picks each path it will pick.
CONV_SHAPES = [(n, c, s, o, 5) for n in (1, 16, 64) for (c, s, o) in ((3, 32, 6), (1, 28, 6), (6, 14, 16))]
MATMUL_SHAPES = [(m, k, n) for m in (1, 16, 64) for (k, n) in ((400, 120), (120, 84), (84, 10), (784, 128))]


def cpu_signature() -> dict:
    """What numba's cache index keys on (see numba.core.codegen's ``magic_tuple``), without importing numba."""
    import llvmlite.binding as ll

    return {"name": ll.get_host_cpu_name(), "features": ll.get_host_cpu_features().flatten()}


def portable_level() -> str:
    """The portable CPU level this machine can run: x86-64-v3 where it has AVX2 and friends, else generic."""
    import llvmlite.binding as ll

    features = ll.get_host_cpu_features()
    return PORTABLE if all(features.get(f, False) for f in V3_FEATURES) else "generic"


def choose_cpu(record: Path) -> str:
    """``host`` when this is the CPU the cache was built on, else the portable level to load."""
    try:
        if json.loads(record.read_text()) == cpu_signature():
            return "host"
    except (OSError, ValueError):
        pass
    return portable_level()


def cache_dir() -> Path:
    return Path(os.environ.get("NUMBA_CACHE_DIR") or Path.home() / ".cache" / "autolab" / "numba")


def warm(dtypes=("float32",)) -> int:
    """Compile every kernel the course reaches; return how many calls that took.

    ``autolab.kernels.warmup`` knows every numba path of the seam and hits each with tiny inputs (numba
    compiles per argument type, not per shape). float32 is enough: running every notebook after a
    float32-only warm-up compiled nothing more (binder/simulate_build.py checks this on every run, and
    fails with --strict-cache when a notebook compiles a kernel that this did not).
    """
    import numpy as np

    try:
        from autolab.kernels.warmup import warmup
    except ImportError:
        warmup = None
    if warmup is not None:
        warmup(dtypes=tuple(np.dtype(d).type for d in dtypes))
        return len(dtypes)
    return _warm_by_shapes(dtypes)


def _warm_by_shapes(dtypes) -> int:
    """Without autolab.kernels.warmup: call every seam kernel at the course's real shapes."""
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
            pooled, argmax = kernels.max_pool2d_forward(y, (2, 2), (2, 2), (0, 0))
            kernels.max_pool2d_backward(np.ones_like(pooled), argmax, y.shape)
            avg = kernels.avg_pool2d_forward(y, (2, 2), (2, 2), (0, 0))
            kernels.avg_pool2d_backward(np.ones_like(avg), y.shape, (2, 2), (2, 2), (0, 0))
            calls += 4
    return calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record-cpu", action="store_true", help="also record this CPU as the build CPU")
    parser.add_argument("--portable", action="store_true", help=f"compile for {PORTABLE} (or generic)")
    parser.add_argument("--choose-cpu", action="store_true", help="print host | x86-64-v3 | generic")
    parser.add_argument("--dtypes", nargs="+", default=["float32"], help="float dtypes to compile for")
    parser.add_argument("--no-warm", action="store_true", help="compile nothing (with --record-cpu: record only)")
    args = parser.parse_args(argv)

    record = cache_dir() / RECORD
    if args.choose_cpu:
        print(choose_cpu(record))
        return 0
    if args.portable:  # before numba is imported (autolab imports it lazily)
        level = portable_level()
        os.environ.update(NUMBA_CPU_NAME=level, NUMBA_CPU_FEATURES="")
    if not args.no_warm:
        start = time.perf_counter()
        warm(tuple(args.dtypes))
        cpu = os.environ.get("NUMBA_CPU_NAME") or cpu_signature()["name"]
        entries = sum(1 for _ in cache_dir().rglob("*.nbi"))
        print(
            f"warm_numba: kernels compiled for CPU '{cpu}' in {time.perf_counter() - start:.1f} s; "
            f"{entries} cache index files in {cache_dir()}"
        )
    if args.record_cpu:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(cpu_signature()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
