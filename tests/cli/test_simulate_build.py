"""binder/simulate_build.py's pieces (the whole imitation runs in CI: `python binder/simulate_build.py`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sim():
    sys.path.insert(0, str(REPO / "binder"))
    try:
        import simulate_build
    finally:
        sys.path.remove(str(REPO / "binder"))
    return simulate_build


def test_copy_takes_the_repository_files_and_leaves_caches(sim, tmp_path):
    sim.copy_repository(tmp_path)
    for name in ("pyproject.toml", "binder/postBuild", "binder/start", "autolab/cli/doctor.py"):
        assert (tmp_path / name).read_bytes() == (REPO / name).read_bytes()
    assert os.access(tmp_path / "binder" / "postBuild", os.X_OK)  # modes survive: repo2docker runs it
    assert not list(tmp_path.rglob("__pycache__")) and not (tmp_path / ".git").exists()


def test_build_env_is_clean_but_keeps_pip_settings(sim, tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", "https://example.invalid/simple")
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    monkeypatch.setenv("NUMBA_CACHE_DIR", "/not/the/image/cache")
    env = sim.build_env(tmp_path / "home", tmp_path / "venv")
    assert env["HOME"] == env["REPO_DIR"] == str(tmp_path / "home")
    assert env["PATH"].split(":")[0] == str(tmp_path / "venv" / "bin")
    assert env["PIP_INDEX_URL"] == "https://example.invalid/simple"
    assert "PYTHONPATH" not in env and "NUMBA_CACHE_DIR" not in env


def test_cache_snapshot_sees_new_and_rewritten_entries(sim, tmp_path):
    (tmp_path / "k").mkdir()
    index = tmp_path / "k" / "f-1.py311.nbi"
    index.write_bytes(b"1")
    before = sim.cache_snapshot(tmp_path)
    os.utime(index, (1, 1))
    (tmp_path / "k" / "g-2.py311.1.nbc").write_bytes(b"2")
    after = sim.cache_snapshot(tmp_path)
    assert sorted(k for k in after if before.get(k) != after[k]) == ["k/f-1.py311.nbi", "k/g-2.py311.1.nbc"]
    assert sim.cache_snapshot(tmp_path / "missing") == {}


def test_runtime_python_matches_runtime_txt(sim):
    import subprocess

    wanted = (REPO / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    python = sim.base_python()
    out = subprocess.run(
        [python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert out.stdout.strip() in (wanted, mine)  # this Python when that version is not installed here
