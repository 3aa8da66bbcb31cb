"""The programs in this folder, run with PyTorch and through the runner (autolab run-torch): same printed lines.

Numbers on a line (losses, accuracies) must agree to float32 rounding (rtol 1e-3); everything else exactly.
A program that needs torchvision runs on PyTorch when torchvision is installed; otherwise its output is
compared with the lines that PyTorch 2.13 + torchvision 0.28 printed (expected/NAME.txt).
"""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RUNNER = REPO / "scripts" / "run_torch_program.py"
NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+")


def env_with_repo():
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))


def run(cmd, cwd):
    env = env_with_repo()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout.splitlines()


def assert_same_output(ours, theirs):
    assert len(ours) == len(theirs), (ours, theirs)
    for a, b in zip(ours, theirs):
        assert NUMBER.sub("#", a) == NUMBER.sub("#", b), (a, b)
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            assert float(x) == pytest.approx(float(y), rel=1e-3, abs=1e-4), (a, b)


PROGRAMS = [
    ("autograd_losses.py", [], False),
    ("data_workers.py", [], False),
    ("devices.py", [], False),
    ("vision_folder.py", ["--root", "{tmp}/images"], True),
]


@pytest.mark.parametrize("name,args,needs_torchvision", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_program_prints_what_pytorch_prints(name, args, needs_torchvision, tmp_path):
    ours_dir, theirs_dir = tmp_path / "autolab", tmp_path / "torch"
    ours_dir.mkdir()
    theirs_dir.mkdir()
    ours = run([sys.executable, str(RUNNER), str(HERE / name), *(a.format(tmp=ours_dir) for a in args)], ours_dir)
    if needs_torchvision and importlib.util.find_spec("torchvision") is None:
        theirs = (HERE / "expected" / name.replace(".py", ".txt")).read_text().splitlines()
    else:
        theirs = run([sys.executable, str(HERE / name), *(a.format(tmp=theirs_dir) for a in args)], theirs_dir)
    assert_same_output(ours, theirs)


def test_the_runner_names_what_autolab_lacks(tmp_path):
    program = tmp_path / "uses_missing.py"
    program.write_text("import sys\nimport torch\nprint(__name__, sys.argv[1:])\nfrom torch.nn import NoSuchLayer\n")
    proc = subprocess.run(
        [sys.executable, str(RUNNER), str(program), "--flag", "x"],
        capture_output=True,
        text=True,
        env=env_with_repo(),
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == ["__main__ ['--flag', 'x']"]
    assert "this program uses torch.nn.NoSuchLayer, which autolab does not have" in proc.stderr
    missing_module = tmp_path / "missing_module.py"
    missing_module.write_text("import torch.no_such_module\n")
    proc = subprocess.run(
        [sys.executable, "-m", "autolab.cli", "run-torch", str(missing_module)],
        capture_output=True,
        text=True,
        env=env_with_repo(),
    )
    assert proc.returncode == 1 and "this program uses torch.no_such_module" in proc.stderr
    exits = tmp_path / "exits.py"
    exits.write_text("import torch, sys\nassert torch.__name__ == 'autolab'\nsys.exit(3)\n")
    assert subprocess.run([sys.executable, str(RUNNER), str(exits)], env=env_with_repo()).returncode == 3
