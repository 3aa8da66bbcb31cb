"""binder/: the files repo2docker reads, and the scripts it runs (the full build is binder/simulate_build.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"binder/requirements.txt must pin exact versions: {line!r}"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_requirements_pin_what_the_project_asks_for():
    packaging = pytest.importorskip("packaging.requirements")
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["lab"]
    pins = _pins()
    for spec in wanted:
        req = packaging.Requirement(spec)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name == "autolab-learn":
            continue
        assert name in pins, f"binder/requirements.txt does not pin {req.name} (pyproject: {spec})"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} breaks {spec}"
    assert pins["jupyterlab"].startswith("4.") and pins["ipywidgets"].startswith("8.")


def test_runtime_and_apt():
    assert re.fullmatch(r"python-3\.\d+", (BINDER / "runtime.txt").read_text().strip())
    assert "graphviz" in (BINDER / "apt.txt").read_text().split()


def test_scripts_are_executable_and_strict():
    post, start = BINDER / "postBuild", BINDER / "start"
    assert os.access(post, os.X_OK) and os.access(start, os.X_OK)
    assert re.search(r"^set -e", post.read_text(), re.M)
    assert start.read_text().rstrip().endswith('exec "$@"')
    for script in (post, start, BINDER / "env.sh"):
        subprocess.run(["bash", "-n", str(script)], check=True)


def _start_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"HOME": str(tmp_path), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", **extra}
    out = subprocess.run(
        [str(BINDER / "start"), sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_start_sets_the_environment_and_runs_the_command(tmp_path):
    env = _start_env(tmp_path)
    assert env["AUTOLAB_DATA"] == str(tmp_path / ".cache" / "autolab" / "data")
    assert env["NUMBA_CACHE_DIR"] == str(tmp_path / ".cache" / "autolab" / "numba")
    assert int(env["NUMBA_NUM_THREADS"]) >= 1 and env["OMP_NUM_THREADS"] == env["NUMBA_NUM_THREADS"]
    # no build record in this cache: the CPU cannot be the build's, so the portable copy is used
    assert env["NUMBA_CPU_NAME"] == _portable_level()
    if env["NUMBA_CPU_NAME"] == "x86-64-v3":
        assert env["NUMBA_CPU_FEATURES"] == ""  # the level's own features only, as in postBuild's warm-up


def test_start_keeps_the_host_cpu_when_it_built_the_cache(tmp_path):
    cache = tmp_path / ".cache" / "autolab" / "numba"
    subprocess.run(
        [sys.executable, str(BINDER / "warm_numba.py"), "--record-cpu", "--no-warm"],
        env=dict(os.environ, NUMBA_CACHE_DIR=str(cache)), check=True, capture_output=True,
    )  # fmt: skip
    env = _start_env(tmp_path)
    assert "NUMBA_CPU_NAME" not in env
    record = json.loads((cache / "autolab-build-cpu.json").read_text())
    record["name"] = "some-other-cpu"
    (cache / "autolab-build-cpu.json").write_text(json.dumps(record))
    assert _start_env(tmp_path)["NUMBA_CPU_NAME"] == _portable_level()


def _portable_level() -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, 'binder'); import warm_numba as w; print(w.portable_level())"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def test_portable_level_needs_every_v3_feature():
    sys.path.insert(0, str(BINDER))
    try:
        import warm_numba
    finally:
        sys.path.remove(str(BINDER))
    import llvmlite.binding as ll

    features = ll.get_host_cpu_features()
    expected = "x86-64-v3" if all(features.get(f, False) for f in ("avx2", "fma", "bmi2")) else "generic"
    assert warm_numba.portable_level() == expected


def test_start_respects_values_already_set(tmp_path):
    env = _start_env(tmp_path, AUTOLAB_DATA="/srv/data", NUMBA_CPU_NAME="skylake", NUMBA_NUM_THREADS="1")
    assert (env["AUTOLAB_DATA"], env["NUMBA_CPU_NAME"], env["NUMBA_NUM_THREADS"]) == ("/srv/data", "skylake", "1")
