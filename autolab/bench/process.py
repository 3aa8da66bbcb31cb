"""Costs seen from a fresh process: import time, cold compile, first training step, peak memory.

Each measurement runs in a subprocess of this Python, so that nothing this process already imported or
compiled counts, and so that the compile cache can be pointed at an empty directory.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

IMPORT = "import time; t = time.perf_counter(); import autolab; print(time.perf_counter() - t)"

COLD = """
import json, resource, sys, time
t = time.perf_counter()
from autolab.kernels.warmup import warmup
warmup(processes=int(sys.argv[1]))
wall = time.perf_counter() - t
cpu = sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
          for f in ("ru_utime", "ru_stime"))
print(json.dumps({"wall_s": wall, "cpu_s": cpu}))
"""

PEAK_RSS = """
def peak_rss_mb():
    # VmHWM belongs to this address space; ru_maxrss survives exec and would report the parent's peak
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

STEPS = """
def steps(step, n=30):
    import statistics
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t)
    return {"step_median_ms": statistics.median(ts) * 1e3, "step_best_ms": min(ts) * 1e3}
"""

LENET = """
import json, time
t = time.perf_counter()
import {lib}
{setup}
from autolab.bench.models import lenet, make_step
step = make_step({lib}, lenet)
step()
result = {{"import_and_first_step_s": time.perf_counter() - t}}
result.update(steps(step))
result["peak_rss_mb_after_31_steps"] = peak_rss_mb()
print(json.dumps(result))
"""

FIRST_STEP = PEAK_RSS + STEPS + LENET.format(lib="autolab", setup="")
TORCH_LENET = PEAK_RSS + STEPS + LENET.format(lib="torch", setup="torch.set_num_threads(2)")


def _run(code: str, env: dict | None = None, args: tuple = ()) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def import_time(runs: int = 5) -> float:
    """Median seconds of ``import autolab`` in a fresh process (numba must not be imported by it)."""
    return statistics.median(float(_run(IMPORT)) for _ in range(runs))


def cold_compile() -> dict:
    """Compile every kernel into an empty cache: what a student waits for on the very first run.

    Once in one process, once with ``warmup(processes=2)`` (what ``python -m autolab.kernels.warmup``
    does on a multi-core machine). CPU seconds include the helper process.
    """
    result = {}
    for processes in (1, 2):
        with tempfile.TemporaryDirectory(prefix="autolab-cold-") as empty:
            result[f"{processes}_process"] = json.loads(_run(COLD, {"NUMBA_CACHE_DIR": empty}, (str(processes),)))
    return result


def first_step() -> dict:
    """``import autolab`` plus the first LeNet step with a warm cache (a first run fills it), and peak RSS."""
    try:
        _run(FIRST_STEP)  # fills the cache if this checkout's kernels were never compiled
    except subprocess.CalledProcessError as err:
        return {"error": (err.stderr or "").strip().splitlines()[-1:]}
    runs = [json.loads(_run(FIRST_STEP)) for _ in range(3)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}  # median of three processes


def torch_lenet() -> dict | None:
    """The same LeNet loop on PyTorch in a fresh process: first step, steady steps, peak RSS."""
    try:
        return json.loads(_run(TORCH_LENET))
    except subprocess.CalledProcessError:
        return None


def run() -> dict:
    result = {"import_autolab_s": import_time(), "cold_compile": cold_compile(), "warm": first_step()}
    result["torch_lenet"] = torch_lenet()
    return result
