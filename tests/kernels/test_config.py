"""Where compiled kernels are cached, and that importing the seam stays cheap (numba loads lazily)."""

import os
import subprocess
import sys

from autolab.kernels import _config


def _fresh(code, **env):
    """Run ``code`` in a fresh interpreter with ``env`` on top of ours; returns its last stdout line."""
    full = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_user_cache_dir_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert _config.cache_dir() == str(tmp_path / "mine")


def test_default_cache_dir_is_per_user_and_created(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = _config.cache_dir()
    assert path == str(tmp_path / "xdg" / "autolab" / "numba")
    assert os.path.isdir(path)


def test_unwritable_cache_home_falls_back_to_temp(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")  # makedirs below a file fails, as on a read-only home
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = _config.cache_dir()
    assert "autolab-numba-" in os.path.basename(path) and os.access(path, os.W_OK)


def test_import_does_not_load_numba_and_sets_the_cache_before_it(tmp_path):
    code = (
        "import sys, autolab.kernels as k; print('numba' in sys.modules, end=' '); "
        "import numba; print(numba.config.CACHE_DIR == k.cache_dir())"
    )
    assert _fresh(code, XDG_CACHE_HOME=str(tmp_path)) == "False True"


def test_kernels_compile_into_the_configured_cache(tmp_path):
    code = (
        "import numpy as np, autolab.kernels as k; "
        "k.relu_backward(np.ones(3, np.float32), np.ones(3, np.float32)); print(k.cache_dir())"
    )
    cache = tmp_path / "cache"
    assert _fresh(code, NUMBA_CACHE_DIR=str(cache)) == str(cache)
    assert any(p.suffix == ".nbi" for p in cache.rglob("*")), "numba wrote no index file into the cache"


_FAULTS = (
    "import resource, autolab as torch; from autolab.bench.models import lenet, make_step; "
    "step = make_step(torch, lenet); [step() for _ in range(10)]; "
    "f = resource.getrusage(resource.RUSAGE_SELF).ru_minflt; [step() for _ in range(5)]; "
    "print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f) / 5)"
)


def test_tuned_malloc_stops_page_faults_in_every_training_step():
    if not sys.platform.startswith("linux"):
        return
    tuned = float(_fresh(_FAULTS))
    default = float(_fresh(_FAULTS, AUTOLAB_MALLOC_TUNE="0"))
    # glibc's defaults hand the step's arrays back to the system and fault them in again each step
    assert default > 200, default
    assert tuned < 20, tuned


def test_usable_cores_honours_a_cgroup_quota(tmp_path):
    cores = _config.usable_cores(str(tmp_path / "none"))  # no cgroup files: the affinity mask
    assert cores == len(os.sched_getaffinity(0))
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert _config.usable_cores(str(tmp_path)) == cores
    (tmp_path / "cpu.max").write_text("50000 100000\n")  # half a CPU still needs one thread
    assert _config.usable_cores(str(tmp_path)) == 1
    v1 = tmp_path / "v1" / "cpu"
    v1.mkdir(parents=True)
    (v1 / "cpu.cfs_quota_us").write_text("100000\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")
    assert _config.usable_cores(str(tmp_path / "v1")) == 1


def test_busy_machine_makes_workers_wait_passively_and_idle_one_lets_them_spin():
    code = (
        "import os, autolab.kernels._config as c; c.machine_is_busy = lambda: {busy}; "
        "from autolab.kernels import dispatch; nb = dispatch._nb(); "
        "print(nb.wait_policy, 'OMP_WAIT_POLICY' in os.environ)"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    for busy, expected in ((True, "PASSIVE False"), (False, "default False")):
        out = subprocess.run([sys.executable, "-c", code.format(busy=busy)], capture_output=True, text=True, env=env)
        assert out.stdout.strip() == expected, out.stderr
    chosen = subprocess.run(
        [sys.executable, "-c", code.format(busy=True)],
        capture_output=True,
        text=True,
        env={**env, "OMP_WAIT_POLICY": "ACTIVE"},
    )
    assert chosen.stdout.strip() == "ACTIVE True"  # the user's choice wins and stays


def test_cpu_times_read_busy_and_total_ticks(tmp_path):
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal guest guest_nice
    stat.write_text("cpu  100 10 50 800 20 5 5 10 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n")
    assert _config._cpu_times(str(stat)) == (180, 1000)


def test_a_process_spinning_on_a_core_makes_the_machine_busy():
    if not os.path.exists("/proc/stat"):
        return
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        import time

        time.sleep(0.3)  # let it start and be scheduled
        assert _config.busy_cores() >= _config.BUSY_CORES
        assert _config.machine_is_busy()
    finally:
        hog.kill()
        hog.wait()
