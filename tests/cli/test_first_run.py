"""A new user's first run: the README's two commands, `autolab lab` in a root shell and on the first notebook,
and where the data is (the doctor, the notebooks and the tests agree; the doctor's advice fits what it found)."""

from __future__ import annotations

import gzip
import json
import os
import pty
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from autolab.cli import data_check, lab
from autolab.cli.data_check import CIFAR_FILES, MNIST_FILES, check_data
from autolab.vision.datasets import _root, default_root

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, re.S)


# ---- the README ---------------------------------------------------------------------------------------------


def test_readme_has_exactly_two_setup_commands_sharing_one_venv():
    course, tests = setup_commands()  # exactly two, in this order
    for command in (course, tests):
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && "), command
    assert course.endswith("autolab lab") and tests.endswith("python -m pytest -q")
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    assert "same virtualenv, `.venv`" in section
    assert "Ctrl+C twice" in section and "keeps the terminal busy" in section  # the lab command blocks


def test_readme_test_command_installs_pytorch_cpu_build_first():
    steps = [s.strip() for s in setup_commands()[1].split("&&")]
    torch_step = next(s for s in steps if s.startswith("pip install torch"))
    assert steps.index(torch_step) < steps.index('pip install -e ".[test]"')  # before .[test] can pull CUDA torch
    args = shlex.split(torch_step)
    assert args[args.index("--index-url") + 1] == CPU_INDEX and "--no-deps" in args
    pinned = re.search(r'"torch==([\d.]+)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert f"torch=={pinned}" in args, "README and pyproject.toml pin the same torch"


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    command = setup_commands()[1].split("&& ", 2)[2]  # after the venv: the pip installs and pytest
    quiet = command.replace("pip install ", "pip install -q ")
    assert quiet in ci, f".ci/run must run the README's test command:\n{quiet}"


@pytest.mark.slow
def test_pip_resolves_the_readme_torch_step_to_a_cpu_build(tmp_path):
    """pip itself, with the README's options, on this machine's configuration: an unreachable index is skipped
    (with retries), not fatal, and a local CPU wheel still resolves; online, the CPU index serves it."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the CUDA-by-default build is a Linux matter")
    step = next(s.strip() for s in setup_commands()[1].split("&&") if s.strip().startswith("pip install torch"))
    args = shlex.split(step)[2:]
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", *args, "--dry-run", "--ignore-installed", "--report", report]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        message = f"pip could not resolve `{step}` here:\n{done.stderr[-1500:]}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    [item] = json.loads(report.read_text())["install"]
    assert item["metadata"]["name"] == "torch" and item["metadata"]["version"].endswith("+cpu"), item["metadata"]


# ---- autolab lab ---------------------------------------------------------------------------------------------


def test_lab_command_as_root_allows_root_once(tmp_path):
    (tmp_path / lab.FIRST_NOTEBOOK).write_text("{}")
    assert "--allow-root" in lab.lab_command(tmp_path, [], as_root=True)
    assert "--allow-root" not in lab.lab_command(tmp_path, [], as_root=False)
    assert lab.lab_command(tmp_path, ["--allow-root"], as_root=True).count("--allow-root") == 1


def test_lab_command_opens_the_first_notebook_unless_told_otherwise(tmp_path):
    assert f"--LabApp.default_url=/lab/tree/{lab.FIRST_NOTEBOOK}" not in lab.lab_command(tmp_path, [])
    (tmp_path / lab.FIRST_NOTEBOOK).write_text("{}")
    assert f"--LabApp.default_url=/lab/tree/{lab.FIRST_NOTEBOOK}" in lab.lab_command(tmp_path, [])
    mine = lab.lab_command(tmp_path, ["--LabApp.default_url=/lab/tree/02_autograd.ipynb"])
    assert [a for a in mine if "default_url" in a] == ["--LabApp.default_url=/lab/tree/02_autograd.ipynb"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_autolab_lab_starts_as_this_user_opens_the_first_notebook_and_stops_on_two_ctrl_c(tmp_path):
    """The real command, as this user (root on these machines and in most containers): JupyterLab starts, / goes
    to the first notebook, and Ctrl+C twice (two SIGINTs) stops it, as the README says."""
    port, token = _free_port(), "first-run"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "autolab.cli", "lab", "--no-browser", f"--port={port}",
               f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]  # fmt: skip
    log = tmp_path / "lab.log"
    # A terminal: Jupyter asks before stopping on Ctrl+C only when stdin is a tty, and the test may have been
    # started with SIGINT ignored (a background job), which its children would inherit.
    terminal, tty = pty.openpty()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command,
            stdin=tty,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    os.close(tty)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"autolab lab exited with {proc.returncode}:\n{log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"no answer on port {port}:\n{log.read_text()[-2000:]}"
            try:
                reply = requests.get(f"http://127.0.0.1:{port}/?token={token}", allow_redirects=False, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        assert reply.status_code == 302
        assert reply.headers["Location"].split("?")[0].endswith(f"/lab/tree/{lab.FIRST_NOTEBOOK}")
        text = log.read_text()
        if lab.running_as_root():
            assert "running as root" in text and "--allow-root" in text
        assert "Running as root is not recommended" not in text
        proc.send_signal(signal.SIGINT)  # the first Ctrl+C asks, and keeps serving
        deadline = time.monotonic() + 10
        while "Shut down this Jupyter server" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "Shut down this Jupyter server" in log.read_text() and proc.poll() is None
        proc.send_signal(signal.SIGINT)  # the second one stops it
        assert proc.wait(timeout=30) is not None
    finally:
        os.close(terminal)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ---- where the data is ---------------------------------------------------------------------------------------


@pytest.fixture
def no_data_env(monkeypatch, tmp_path):
    for name in ("AUTOLAB_DATA", "AUTOLAB_TEST_DATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(_root, "checkout_dir", lambda: None)  # as if not run from a checkout
    return tmp_path


def _agreed_root() -> Path:
    """The root each of the three uses: the datasets (so the notebooks), the doctor, and the tests' helpers."""
    notebooks = Path(default_root())
    doctor = data_check.data_root()[0]
    tests = _root.data_root().path  # tests/notebooks/_run.py, tests/vision/conftest.py, the hub test
    assert notebooks == doctor == tests
    return notebooks


def test_data_root_order_env_then_shared_copy_then_cache(no_data_env, monkeypatch):
    tmp = no_data_env
    assert _agreed_root() == tmp / "xdg" / "autolab" / "data"
    assert _root.data_root().source == "download cache"

    checkout = tmp / "work" / "autolab"
    (checkout / "autolab").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("")
    monkeypatch.setattr(_root, "checkout_dir", lambda: checkout)
    assert _agreed_root() == tmp / "xdg" / "autolab" / "data"  # no shared/data beside it yet
    (tmp / "work" / "shared" / "data" / "MNIST").mkdir(parents=True)
    assert _agreed_root() == tmp / "work" / "shared" / "data"
    assert _root.data_root().source == "shared copy"

    monkeypatch.setenv("AUTOLAB_TEST_DATA", str(tmp / "old-name"))
    assert _agreed_root() == tmp / "old-name"
    monkeypatch.setenv("AUTOLAB_DATA", str(tmp / "explicit"))
    assert _agreed_root() == tmp / "explicit"


def test_this_checkout_is_recognised():
    assert _root.checkout_dir() == REPO


def test_doctor_on_empty_folders_says_not_downloaded_yet(no_data_env):
    root = _agreed_root()
    (root / "cifar-10" / "cifar-10-batches-bin").mkdir(parents=True)  # what an interrupted first run leaves
    (root / "MNIST" / "raw").mkdir(parents=True)
    check = check_data()
    assert check.status == "warn", check
    assert "CIFAR-10 not downloaded yet (the folder is there, but empty)" in check.detail
    assert "MNIST not downloaded yet" in check.detail and "download cache" in check.detail
    assert "delete" not in check.fix and f"fetch --root {root}" in check.fix


def _sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)


def test_doctor_names_a_truncated_mnist_gzip_and_only_that_file(no_data_env):
    root = _agreed_root()
    raw = root / "MNIST" / "raw"
    for name, size in MNIST_FILES.items():
        (raw).mkdir(parents=True, exist_ok=True)
        (raw / f"{name}.gz").write_bytes(gzip.compress(bytes(size), compresslevel=1))
    good = data_check.mnist_status(root)
    assert good.state == "complete", good.problems
    whole = (raw / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (raw / "t10k-labels-idx1-ubyte.gz").write_bytes(whole[: len(whole) // 2])  # a download cut short
    check = check_data()
    assert check.status == "fail"
    assert "t10k-labels-idx1-ubyte.gz is truncated or corrupt" in check.detail
    assert check.fix.startswith(f"delete {raw / 't10k-labels-idx1-ubyte.gz'}, then run:")


def test_doctor_completes_a_partial_download_and_spots_a_misplaced_folder(no_data_env):
    root = _agreed_root()
    cifar = root / "cifar-10" / "cifar-10-batches-bin"
    for name, size in list(CIFAR_FILES.items())[:2]:
        _sparse(cifar / name, size)
    state = data_check.cifar_status(root)
    assert state.state == "partial" and "data_batch_3.bin" in state.problems[0]
    check = check_data()
    assert check.status == "warn" and check.fix.startswith("complete it: python -m autolab.vision.datasets.fetch")

    flat = root.parent / "flat"
    for name, size in CIFAR_FILES.items():
        _sparse(flat / "cifar-10-batches-bin" / name, size)
    state = data_check.cifar_status(flat)
    assert state.state == "misplaced" and str(flat / "cifar-10" / "cifar-10-batches-bin") in state.problems[0]
