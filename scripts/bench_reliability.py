"""Before/after timings of the code that issue 12 changed, old and new side by side in one process.

    python scripts/bench_reliability.py [--before REV]

REV (default 1a0a55d, the commit the work started from) is where the old versions come from: the fused ReLU
kernels (compiled uncached, next to the new ones), the numpy reference's max pooling and ReLU backward, and
``autolab.save`` / ``autolab.load``. Each comparison interleaves old and new and reports the minimum over rounds,
which is what survives a machine shared with other work; docs/reliability.md quotes the output.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import autolab  # noqa: E402
from autolab import serialization  # noqa: E402
from autolab.kernels import reference  # noqa: E402


def old_module(rev: str, path: str, name: str, folder: Path, edit=lambda s: s):
    """Module ``name`` built from ``path`` as it was at ``rev``."""
    source = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True)
    return module_from_source(edit(source.stdout), name, folder)


def module_from_source(source: str, name: str, folder: Path):
    file = folder / f"{name}.py"
    file.write_text(source)
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best(fn, reps: int) -> float:
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps


def compare(label: str, pairs: dict, rounds: int, reps: int, unit: float, suffix: str) -> None:
    for fn in pairs.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in pairs}
    for _ in range(rounds):
        for key, fn in pairs.items():
            times[key].append(best(fn, reps))
    print(f"{label}: " + "  ".join(f"{k} {min(v) * unit:.1f} {suffix}" for k, v in times.items()))


def relu_pairs(old, new, x: np.ndarray, gy: np.ndarray) -> dict:
    x3, b = x.reshape(x.shape[0], x.shape[1], -1), np.zeros(x.shape[1], x.dtype)
    y3, gx, out = np.empty_like(x3), np.empty_like(gy), x.reshape(-1)
    return {
        "fwd old": lambda: old.bias_relu(x3, b, y3),
        "fwd new": lambda: new.bias_relu(x3, b, y3),
        "bwd old": lambda: old.relu_backward(gy, out, gx),
        "bwd new": lambda: new.relu_backward(gy, out, gx),
    }


def relu_kernels(old, new, threads: int) -> None:
    import numba  # after autolab's kernel configuration (thread count, wait policy)

    numba.set_num_threads(threads)
    rng = np.random.default_rng(0)
    for shape in [(64, 6, 28, 28), (64, 32, 32, 32)]:
        x = rng.standard_normal(shape).astype(np.float32)
        pairs = relu_pairs(old, new, x, rng.standard_normal(x.size).astype(np.float32))
        compare(f"ReLU kernels {shape} float32, {threads} thread(s)", pairs, 41, 10, 1e6, "us")


def reference_pairs(old, x: np.ndarray) -> dict:
    y = np.maximum(x, 0)
    return {
        "max_pool old": lambda: old.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0)),
        "max_pool new": lambda: reference.max_pool2d_forward(x, (2, 2), (2, 2), (0, 0)),
        "relu_bwd old": lambda: old.relu_backward(x, y),
        "relu_bwd new": lambda: reference.relu_backward(x, y),
    }


def numpy_references(old) -> None:
    rng = np.random.default_rng(0)
    for shape in [(64, 6, 28, 28), (64, 32, 32, 32)]:
        x = rng.standard_normal(shape).astype(np.float32)
        compare(f"numpy reference {shape}", reference_pairs(old, x), 9, 3, 1e3, "ms")


# Peak resident memory of a fresh process while it loads the file (Linux): ru_maxrss would carry over the
# parent's high-water mark through fork + exec, so the kernel's VmHWM is reset first (clear_refs 5).
MEMORY = (
    "import importlib, re, sys; sys.path[:0] = [{root!r}, {folder!r}]; import autolab; "
    "m = importlib.import_module({mod!r}); hwm = lambda: int(re.search(r'VmHWM:\\s+(\\d+)', "
    "open('/proc/self/status').read()).group(1)); open('/proc/self/clear_refs', 'w').write('5'); b = hwm(); "
    "m.load({path!r}); print((hwm() - b) / 1024)"
)


def checkpoints(old) -> None:
    state = {f"layer{i}.weight": autolab.randn(1024, 1024) for i in range(25)}  # 100 MB of float32
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "checkpoint.pt")
    serialization.save(state, path)
    pairs = {
        "save old": lambda: old.save(state, path + ".old"),
        "save new": lambda: serialization.save(state, path + ".new"),
        "load old": lambda: old.load(path),
        "load new": lambda: serialization.load(path),
    }
    compare("100 MB state dict (25 x 1024x1024 float32)", pairs, 7, 1, 1e3, "ms")
    for who, mod in (("old", old.__name__), ("new", "autolab.serialization")):
        cmd = MEMORY.format(root=str(ROOT), folder=str(Path(old.__file__).parent), mod=mod, path=path)
        grew = subprocess.run([sys.executable, "-c", cmd], capture_output=True, text=True, check=True).stdout
        print(f"  peak memory growth while loading it, {who}: {float(grew):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="1a0a55d", help="git revision holding the old code")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    old_fused = old_module(
        args.before, "autolab/kernels/_fused.py", "fused_old", folder, lambda s: s.replace("cache=True", "cache=False")
    )
    # the current kernels, compiled the same way (no disk cache), so only the source differs
    new_source = (ROOT / "autolab/kernels/_fused.py").read_text()
    new_fused = module_from_source(new_source.replace("cache=True", "cache=False"), "fused_new", folder)
    old_reference = old_module(args.before, "autolab/kernels/reference.py", "reference_old", folder)
    old_serialization = old_module(
        args.before,
        "autolab/serialization.py",
        "serialization_old",
        folder,
        lambda s: s.replace("from .nn.parameter", "from autolab.nn.parameter").replace(
            "from .tensor", "from autolab.tensor"
        ),
    )
    print(f"load average {os.getloadavg()[0]:.1f}; old code from {args.before}; minimum over interleaved rounds")
    for threads in (1, 2):
        relu_kernels(old_fused, new_fused, threads)
    numpy_references(old_reference)
    checkpoints(old_serialization)


if __name__ == "__main__":
    main()
