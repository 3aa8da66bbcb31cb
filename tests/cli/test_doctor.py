"""`autolab doctor`: each check on a controlled environment, and the exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autolab.cli import doctor, jupyter_env, main
from autolab.cli.data_check import CIFAR_FILES, MNIST_FILES, check_data

REPO = Path(__file__).resolve().parents[2]


def _manager(base: Path, name: str = "@jupyter-widgets/jupyterlab-manager", version: str = "5.0.16") -> None:
    folder = base / "labextensions" / name
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": name, "version": version}))


@pytest.fixture
def no_servers(monkeypatch):
    monkeypatch.setattr(jupyter_env, "running_servers", lambda directory=None: [])


def test_importing_the_cli_imports_no_jupyter():
    code = (
        "import sys, autolab, autolab.cli, autolab.cli.doctor;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('jupyter_core', 'jupyterlab', 'jupyter_server', 'ipywidgets', 'IPython', 'ipykernel', 'anywidget')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stdout + out.stderr


def test_python_and_numba_versions_are_reported():
    py = doctor.check_python()
    assert py.status == "ok" and f"{sys.version_info.major}.{sys.version_info.minor}" in py.detail
    nb = doctor.check_numba()
    import numba

    assert nb.status == "ok" and f"numba {numba.__version__}" in nb.detail


def test_old_numba_fails_with_a_fix(monkeypatch):
    monkeypatch.setattr(doctor, "_version", lambda d: {"numba": "0.55.1"}.get(d, "1.0"))
    check = doctor.check_numba()
    assert check.status == "fail" and "0.59" in check.fix


def test_labextension_scan_reads_name_and_version(tmp_path):
    _manager(tmp_path)
    _manager(tmp_path, "anywidget", "0.11.0")
    found = jupyter_env.installed_labextensions([tmp_path, tmp_path / "nothing-here"])
    assert found["@jupyter-widgets/jupyterlab-manager"].version == "5.0.16"
    assert str(found["anywidget"]) == "anywidget 0.11.0"


def test_widgets_ok_when_the_front_end_is_installed(tmp_path, monkeypatch, no_servers):
    _manager(tmp_path)
    _manager(tmp_path, "anywidget", "0.11.0")
    monkeypatch.setattr(jupyter_env, "data_dirs", lambda: [tmp_path])
    monkeypatch.setattr(doctor.importlib.util, "find_spec", lambda name: object())
    check = doctor.check_widgets()
    assert check.status == "ok", check
    assert "jupyterlab-manager 5.0.16" in check.detail


def test_widgets_fail_without_the_front_end(tmp_path, monkeypatch, no_servers):
    monkeypatch.setattr(jupyter_env, "data_dirs", lambda: [tmp_path])
    monkeypatch.setattr(doctor.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(doctor, "_version", lambda d: {"ipywidgets": "8.1.9"}.get(d))
    check = doctor.check_widgets()
    assert check.status == "fail"
    assert "jupyterlab_widgets" in check.fix


def test_widgets_fail_on_a_version_mismatch(tmp_path, monkeypatch, no_servers):
    _manager(tmp_path, version="3.0.0")  # the ipywidgets 7 front end
    monkeypatch.setattr(jupyter_env, "data_dirs", lambda: [tmp_path])
    monkeypatch.setattr(doctor.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(doctor, "_version", lambda d: {"ipywidgets": "8.1.9"}.get(d))
    check = doctor.check_widgets()
    assert check.status == "fail" and "jupyterlab-manager 5" in check.detail


def test_no_jupyterlab_here_is_only_a_warning(monkeypatch, no_servers):
    monkeypatch.setattr(doctor.importlib.util, "find_spec", lambda name: None)
    check = doctor.check_widgets()
    assert check.status == "warn" and "autolab-learn[lab]" in check.fix


def test_numba_cache_writable(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache" / "k").mkdir(parents=True)
    (tmp_path / "cache" / "k" / "f.nbi").write_bytes(b"x")
    check = doctor.check_numba_cache()
    assert check.status == "ok" and "1 compiled kernels cached" in check.detail
    assert not list((tmp_path / "cache").glob(".autolab-doctor-*"))  # the probe file is cleaned up


def test_unwritable_numba_cache_fails_and_sets_the_exit_code(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # even root cannot create a folder inside a file
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(blocker / "cache"))
    check = doctor.check_numba_cache()
    assert check.status == "fail" and "NUMBA_CACHE_DIR" in check.fix
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  numba cache" in out and "fix: export NUMBA_CACHE_DIR" in out


def _sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)


def test_data_complete_missing_and_broken(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOLAB_DATA", str(tmp_path))
    missing = check_data()
    assert missing.status == "warn" and "not downloaded yet" in missing.detail
    assert f"--root {tmp_path}" in missing.fix

    cifar = tmp_path / "cifar-10" / "cifar-10-batches-bin"  # where CIFAR10() reads
    for name, size in CIFAR_FILES.items():
        _sparse(cifar / name, size)
    (cifar / "batches.meta.txt").write_text("airplane\n")
    for name, size in MNIST_FILES.items():
        _sparse(tmp_path / "MNIST" / "raw" / name, size)
    assert check_data().status == "ok"

    _sparse(cifar / "data_batch_3.bin", 1000)  # an interrupted download
    broken = check_data()
    assert broken.status == "fail" and "data_batch_3.bin is truncated or corrupt (1,000 bytes" in broken.detail
    assert broken.fix.startswith(f"delete {cifar / 'data_batch_3.bin'}, then run: python -m autolab")


@pytest.mark.data
def test_data_shared_copy_is_complete(monkeypatch):
    from autolab.vision.datasets import data_root

    data = data_root().path
    if not (data / "cifar-10").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the shared datasets at {data}")
        pytest.skip(f"no shared datasets at {data}")
    check = check_data()
    assert check.status == "ok", check  # nested cifar-10/ layout and gzipped MNIST both count
    assert "cifar-10-batches-bin" in check.detail and str(data) in check.detail


def test_missing_dot_is_information_only(monkeypatch, capsys):
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    check = doctor.check_dot()
    assert check.status == "info" and "graphviz" in check.fix


def test_json_output_lists_every_check(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    status = main(["doctor", "--json"])
    checks = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in checks] == [
        "python",
        "numba",
        "widgets",
        "numba cache",
        "data",
        "graphviz dot",
        "chinese font",
    ]
    assert status == (1 if any(c["status"] == "fail" for c in checks) else 0)


def test_a_crashing_check_is_reported_not_raised(monkeypatch, capsys):
    def boom():
        raise RuntimeError("kaput")

    monkeypatch.setattr(doctor, "CHECKS", (boom,))
    assert doctor.run_doctor() == 1
    assert "the check crashed: RuntimeError('kaput')" in capsys.readouterr().out


def test_console_script_module_runs():
    out = subprocess.run(
        [sys.executable, "-m", "autolab.cli", "doctor", "--json"], capture_output=True, text=True, cwd=REPO
    )
    assert out.returncode in (0, 1), out.stderr
    assert json.loads(out.stdout)[0]["name"] == "python"
