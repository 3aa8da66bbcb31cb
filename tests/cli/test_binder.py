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


def _warm_numba():
    sys.path.insert(0, str(BINDER))
    try:
        import warm_numba
    finally:
        sys.path.remove(str(BINDER))
    return warm_numba


def _record(tmp_path: Path, levels: list[str]) -> None:
    cache = tmp_path / ".cache" / "autolab" / "numba"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "autolab-cpu-levels.json").write_text(json.dumps(levels))


def test_start_sets_the_environment_and_runs_the_command(tmp_path):
    env = _start_env(tmp_path)
    assert env["AUTOLAB_DATA"] == str(tmp_path / ".cache" / "autolab" / "data")
    assert env["NUMBA_CACHE_DIR"] == str(tmp_path / ".cache" / "autolab" / "numba")
    assert int(env["NUMBA_NUM_THREADS"]) >= 1 and env["OMP_NUM_THREADS"] == env["NUMBA_NUM_THREADS"]
    # nothing warmed in this cache: kernels will compile for this very CPU, so no level is forced
    assert "NUMBA_CPU_NAME" not in env


def test_start_loads_the_best_warmed_level_this_cpu_can_run(tmp_path):
    levels = _warm_numba().supported_levels()
    if not levels:
        pytest.skip("this CPU has no AVX2: no portable level applies")
    _record(tmp_path, ["x86-64-v4", "x86-64-v3"])
    env = _start_env(tmp_path)
    assert env["NUMBA_CPU_NAME"] == levels[0]
    assert env["NUMBA_CPU_FEATURES"] == ""  # the level's own features, exactly as postBuild compiled them
    _record(tmp_path, ["x86-64-v3"])  # an image built on a machine without AVX-512
    assert _start_env(tmp_path)["NUMBA_CPU_NAME"] == "x86-64-v3"


def test_supported_levels_follow_the_cpu_features(monkeypatch):
    warm_numba = _warm_numba()
    import llvmlite.binding as ll

    features = ll.get_host_cpu_features()
    expected = [lvl for lvl, needs in warm_numba.LEVELS.items() if all(features.get(f, False) for f in needs)]
    assert warm_numba.supported_levels() == expected
    if "avx2" in features and features["avx2"]:
        assert "x86-64-v3" in expected  # the feature names are LLVM's: a typo would drop the level
    if features.get("avx512f") and features.get("avx512bw") and features.get("avx512vl"):
        assert expected[0] == "x86-64-v4"


def test_choose_cpu_without_a_record_or_without_a_matching_level(tmp_path, monkeypatch):
    warm_numba = _warm_numba()
    assert warm_numba.choose_cpu(tmp_path / "missing.json") == "host"
    (tmp_path / "r.json").write_text(json.dumps(["x86-64-v4"]))
    monkeypatch.setattr(warm_numba, "supported_levels", lambda: ["x86-64-v3"])  # an AVX2-only node
    assert warm_numba.choose_cpu(tmp_path / "r.json") == "host"
    (tmp_path / "r.json").write_text(json.dumps(["x86-64-v4", "x86-64-v3"]))
    assert warm_numba.choose_cpu(tmp_path / "r.json") == "x86-64-v3"


def test_start_respects_values_already_set(tmp_path):
    env = _start_env(tmp_path, AUTOLAB_DATA="/srv/data", NUMBA_CPU_NAME="skylake", NUMBA_NUM_THREADS="1")
    assert (env["AUTOLAB_DATA"], env["NUMBA_CPU_NAME"], env["NUMBA_NUM_THREADS"]) == ("/srv/data", "skylake", "1")
