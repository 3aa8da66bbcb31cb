"""The benchmark command runs end to end and writes the JSON that docs/benchmarks.md quotes."""

import json
import subprocess
import sys


def test_bench_training_steps_write_json(tmp_path):
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "autolab.bench", "--sections", "models", "--rounds", "1", "--json", str(out)]
    printed = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300).stdout
    result = json.loads(out.read_text())
    rows = {r["case"]: r for r in result["models"]}
    assert set(rows) == {"LeNet batch 64", "VGG-small batch 64"}
    for case, row in rows.items():
        assert row["images_per_s"]["autolab"] > 0 and row["images_per_s"]["torch"] > 0
        ratio = row["us"]["autolab"] / row["us"]["torch"]
        assert abs(row["ratio_vs_torch"] - ratio) < 1e-9
        assert case in printed
    assert result["machine"]["numba_wait_policy"] in ("default", "PASSIVE")
    assert result["machine"]["cores"] >= 1
