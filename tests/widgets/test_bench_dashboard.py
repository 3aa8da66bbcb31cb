"""scripts/bench_dashboard.py (moved out of the widgets package) still measures what docs/benchmarks.md quotes."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_dashboard_benchmark_runs_and_reports_its_measures():
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_dashboard.py"), "--seconds", "0.6", "--rounds", "1"]
    cmd += ["--phase", "0.3", "--warmup", "0.5", "--batch-size", "8"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT).stdout
    hooks = re.search(r"graph view's gradient hooks: ([\d.]+) ms per backward", out)
    assert hooks and float(hooks.group(1)) >= 0, out
    assert re.search(r"alternating: median of paired with/without ratios \d+\.\d+", out), out
    rates = re.search(r"round 1: plain ([\d.]+) steps/s, trainer ([\d.]+) steps/s, dashboard ([\d.]+) steps/s", out)
    assert rates and all(float(r) > 0 for r in rates.groups()), out
    share = re.search(r"dashboard work on the training thread \(listener, and the graph hooks per capture\): "
                      r"median ([\d.]+)%", out)  # fmt: skip
    assert share and 0 <= float(share.group(1)) < 100, out
    assert "widgets.benchmark" not in (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
