"""Fill the numba cache with every kernel the course calls, so no student waits for a compile.

numba keys each cached kernel by its argument types *and* by the CPU it was compiled for (name and
features). A Binder image is built on one machine and started on others, so code compiled for the build
machine's own CPU would be ignored on most nodes, and recompiled in front of the student. Instead postBuild
compiles for standard x86-64 *levels*, each of which any CPU with its features can load:

- ``x86-64-v4``: AVX-512 (Intel Xeon since Skylake-SP, AMD Zen 4). As fast as the build machine's own code
  here: the kernels use 512-bit vectors;
- ``x86-64-v3``: AVX2 and FMA (every x86 server CPU of the last ten years).

``--portable`` compiles for every level the build machine can run and records them. At container start
``binder/start`` runs ``--choose-cpu``, which prints the best recorded level this node can run (or ``host``,
on a CPU without AVX2: then kernels compile on first use), and exports ``NUMBA_CPU_NAME`` accordingly.
Measured costs of each choice: ``binder/bench_cpu_name.py`` and docs/benchmarks.md ("First run").

    python binder/warm_numba.py                  compile (and cache) every kernel for this CPU
    python binder/warm_numba.py --portable       the same for each portable level this CPU can run
    python binder/warm_numba.py --choose-cpu     print x86-64-v4 | x86-64-v3 | host
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

RECORD = "autolab-cpu-levels.json"
# LLVM's feature names. A level's code uses all of its features: a node needs every one of them.
V3_FEATURES = ("avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt", "movbe", "xsave")
V4_FEATURES = (*V3_FEATURES, "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl")
LEVELS = {"x86-64-v4": V4_FEATURES, "x86-64-v3": V3_FEATURES}  # best first

# (batch, channels, size, out channels, kernel): LeNet on CIFAR-10 and on MNIST, at the batch sizes the
# notebooks use (full and fast mode), so that the kernels' per-shape dispatch picks each path it will pick.
CONV_SHAPES = [(n, c, s, o, 5) for n in (1, 16, 64) for (c, s, o) in ((3, 32, 6), (1, 28, 6), (6, 14, 16))]
MATMUL_SHAPES = [(m, k, n) for m in (1, 16, 64) for (k, n) in ((400, 120), (120, 84), (84, 10), (784, 128))]


def supported_levels() -> list[str]:
    """The portable levels this machine can run, best first (none on a CPU without AVX2, or not x86)."""
    import llvmlite.binding as ll

    features = ll.get_host_cpu_features()
    return [level for level, needs in LEVELS.items() if all(features.get(f, False) for f in needs)]


def choose_cpu(record: Path) -> str:
    """The best level that the cache holds and this node can run, else ``host`` (compile on first use)."""
    try:
        warmed = json.loads(record.read_text())
    except (OSError, ValueError):
        warmed = []
    return next((level for level in supported_levels() if level in warmed), "host")


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
    parser.add_argument("--portable", action="store_true", help="compile for each portable level, and record")
    parser.add_argument("--level", help="compile for this CPU level (NUMBA_CPU_NAME) instead of this CPU")
    parser.add_argument("--choose-cpu", action="store_true", help="print x86-64-v4 | x86-64-v3 | host")
    parser.add_argument("--dtypes", nargs="+", default=["float32"], help="float dtypes to compile for")
    args = parser.parse_args(argv)

    record = cache_dir() / RECORD
    if args.choose_cpu:
        print(choose_cpu(record))
        return 0
    if args.portable:
        # one process per level: numba reads NUMBA_CPU_NAME once, when it is imported
        levels = supported_levels()
        for level in levels:
            subprocess.run([sys.executable, __file__, "--level", level, "--dtypes", *args.dtypes], check=True)
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(levels))
        print(f"warm_numba: portable levels cached: {', '.join(levels) or 'none (no AVX2 here)'}")
        return 0
    if args.level:  # before numba is imported (autolab imports it lazily); a level brings its own features
        os.environ.update(NUMBA_CPU_NAME=args.level, NUMBA_CPU_FEATURES="")
    start = time.perf_counter()
    warm(tuple(args.dtypes))
    cpu = args.level or "this machine's"
    entries = sum(1 for _ in cache_dir().rglob("*.nbi"))
    print(
        f"warm_numba: kernels compiled for {cpu} CPU in {time.perf_counter() - start:.1f} s; "
        f"{entries} cache index files in {cache_dir()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
