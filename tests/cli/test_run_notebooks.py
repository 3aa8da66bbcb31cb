"""binder/run_notebooks.py: runs notebooks in real kernels, reports failures, times the first training step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "binder" / "run_notebooks.py"

TRAIN = """\
import numpy as np
import autolab
from autolab import nn, optim
model = nn.Linear(3, 1)
opt = optim.SGD(model.parameters(), lr=0.1)
x = autolab.tensor(np.ones((4, 3), np.float32))
for _ in range(3):
    opt.zero_grad()
    model(x).sum().backward()
    opt.step()
print("trained")
"""


def _notebook(path: Path, *sources: str) -> Path:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def _run(*args: str) -> tuple[int, list[dict], str]:
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    out_json = Path(args[0]).parent / "results.json"
    proc = subprocess.run(
        [sys.executable, str(RUNNER), *args, "--json", str(out_json)],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    results = json.loads(out_json.read_text()) if out_json.exists() else []
    return proc.returncode, results, proc.stdout + proc.stderr


@pytest.mark.slow
def test_a_passing_and_a_failing_notebook(tmp_path):
    _notebook(tmp_path / "a_ok.ipynb", "x = 6 * 7", "print(x)")
    _notebook(tmp_path / "b_bad.ipynb", "raise ValueError('broken on purpose')")
    code, results, output = _run(str(tmp_path))
    assert code == 1
    assert [(r["notebook"], r["ok"]) for r in results] == [("a_ok.ipynb", True), ("b_bad.ipynb", False)]
    assert "broken on purpose" in results[1]["error"]
    assert results[0]["peak_mb"] > 10  # a Python kernel's resident memory, read inside the kernel
    assert "run_notebooks: 1 passed, 1 failed" in output


@pytest.mark.slow
def test_until_first_step_stops_at_the_first_optimizer_step(tmp_path):
    after = "open(r'%s', 'w').write('ran')" % (tmp_path / "after")
    nb = _notebook(tmp_path / "train.ipynb", "import time", TRAIN, after)
    code, results, output = _run(str(nb), "--until-first-step")
    assert code == 0, output
    (result,) = results
    assert result["ok"] and 0 < result["first_step_s"] < 120
    assert result["cells_run"] == 2  # the hook cell, "import time", then the training cell
    assert not (tmp_path / "after").exists()  # cells after the first step do not run


@pytest.mark.slow
def test_until_first_step_reports_a_notebook_that_never_trains(tmp_path):
    nb = _notebook(tmp_path / "no_training.ipynb", "print('no optimizer here')")
    code, results, _ = _run(str(nb), "--until-first-step")
    assert code == 1 and results[0]["ok"] is False


def test_peak_line_split_over_stream_messages_is_still_read():
    sys.path.insert(0, str(RUNNER.parent))
    try:
        import run_notebooks
    finally:
        sys.path.remove(str(RUNNER.parent))
    split = {"outputs": [{"text": "AUTOLAB_PEAK_MB"}, {"text": " 105.73"}, {"text": "4375\n"}]}
    assert run_notebooks._peak_mb(split) == 105.7
    assert run_notebooks._peak_mb({"outputs": [{"text": "AUTOLAB_PEAK_MB\n"}]}) is None
