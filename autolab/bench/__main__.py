"""Command line of the benchmark: run the sections, print a table, optionally write JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

from ..kernels import seam
from . import kernels, models, process


def machine() -> dict:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    # lazy: numba reads its environment when imported, so only after autolab.kernels has set it
    import numba
    import numpy

    info = {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}
    info.update(numpy=numpy.__version__, numba=numba.__version__)
    try:
        import torch  # lazy: optional, and loaded by main() only after its OpenMP settings

        info["torch"] = torch.__version__
    except ImportError:
        pass
    if hasattr(os, "getloadavg"):
        info["loadavg_at_start"] = os.getloadavg()
    return info


def _fmt_us(us: dict) -> str:
    return "  ".join(f"{k} {v:9.1f}" for k, v in us.items())


def print_rows(rows: list[dict]) -> None:
    """One line per comparison: median ratio (best-round ratio), path, median us, GFLOP/s or img/s."""
    for r in rows:
        extra = ""
        if "gflops" in r:
            extra += "  GFLOP/s " + " ".join(f"{k} {v:.0f}" for k, v in r["gflops"].items())
            extra += " (best " + " ".join(f"{k} {v:.0f}" for k, v in r["best_gflops"].items()) + ")"
        if "images_per_s" in r:
            extra += "  img/s " + " ".join(f"{k} {v:.0f}" for k, v in r["images_per_s"].items())
            extra += " (best " + " ".join(f"{k} {v:.0f}" for k, v in r["best_images_per_s"].items()) + ")"
        ratio = "             "
        if "ratio_vs_torch" in r:
            ratio = f"{r['ratio_vs_torch']:5.2f}x ({r['best_ratio_vs_torch']:4.2f})"
        print(f"{r['case']:30s} {ratio} {r.get('path', ''):13s} us: {_fmt_us(r['us'])}{extra}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autolab.bench", description=__doc__)
    parser.add_argument("--json", help="write all results to this file")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds per comparison (median)")
    parser.add_argument(
        "--sections", default="kernels,models,process", help="comma-separated: kernels, models, process"
    )
    parser.add_argument(
        "--omp-wait",
        choices=("default", "passive"),
        default="default",
        help="'passive' sets OMP_WAIT_POLICY=PASSIVE for both OpenMP runtimes (torch's and numba's); 'default' "
        "leaves torch's alone and lets autolab choose numba's (it spins unless the machine is busy)",
    )
    args = parser.parse_args(argv)
    sections = args.sections.split(",")
    if args.omp_wait == "passive":
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        # torch first, as a user of both would have it. torch loads its own copy of libgomp and numba the
        # system's, so each keeps its own OpenMP runtime and wait policy (kernels/_config.py decides
        # numba's); --omp-wait passive sets the environment for both before either loads.
        import torch  # noqa: F401  # lazy: optional, and only after the OpenMP settings above
    except ImportError:
        pass
    result = {"command": "python -m autolab.bench " + " ".join(argv or sys.argv[1:]), "machine": machine()}
    result["machine"]["omp_wait_policy"] = os.environ.get("OMP_WAIT_POLICY", "default")
    print(json.dumps(result["machine"]))
    started = time.time()
    if "kernels" in sections:
        print("\n== kernels (float32, batch 64; autolab / torch time: median (best round)) ==")
        result["kernels"] = kernels.run(args.rounds)
        print_rows(result["kernels"])
    if "models" in sections:
        print("\n== training steps ==")
        result["models"] = models.run(args.rounds)
        if not result["models"]:
            print("(neither autolab.nn nor torch is importable)")
        print_rows(result["models"])
    if "process" in sections:
        print("\n== fresh processes ==")
        result["process"] = process.run()
        print(json.dumps(result["process"], indent=1))
    if seam._state["nb"] is not None:  # the policy numba's workers actually got (kernels/_config.py)
        result["machine"]["numba_wait_policy"] = seam._state["nb"].wait_policy
        print(f"numba wait policy: {result['machine']['numba_wait_policy']}")
    result["seconds"] = time.time() - started
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
