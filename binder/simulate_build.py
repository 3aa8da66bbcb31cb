"""Imitate mybinder.org's build of this repository, without Docker, and run every notebook in it.

What repo2docker does, and what this script does instead:

1. copies the repository into the image as $HOME          -> copies the git-tracked files into WORK/home
2. a Python from binder/runtime.txt, pip install
   binder/requirements.txt                                 -> a fresh virtualenv, same pip install
3. apt-get install binder/apt.txt                          -> checks the packages are installed (no Docker)
4. binder/postBuild                                        -> the same script, with AUTOLAB_DATA_FROM
                                                              pointing at a local copy of the datasets
5. at launch: binder/start <server command>                -> binder/start python binder/run_notebooks.py,
                                                              every notebook in fast mode (AUTOLAB_FAST=1)

It also checks that postBuild's numba warm-up covered the notebooks: running them must not add to the cache.

    python binder/simulate_build.py [--data DIR] [--workdir DIR] [--keep] [--strict-cache]

Needs only PyPI (no Docker, no internet for the data). Exits non-zero when any step fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KEEP_ENV = ("LANG", "LC_ALL", "TERM", "TMPDIR", "CI", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_INDEX_URL")


def log(message: str) -> None:
    print(f"[simulate_build] {message}", flush=True)


def default_data() -> Path:
    # The order of autolab.vision.datasets.data_root (not imported: this script runs before any install).
    env = os.environ.get("AUTOLAB_DATA") or os.environ.get("AUTOLAB_TEST_DATA")
    return Path(env or REPO.parent / "shared" / "data").resolve()


def copy_repository(dest: Path) -> None:
    """The files repo2docker would see: tracked and untracked-but-not-ignored (so uncommitted work counts)."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            check=True,
            capture_output=True,
        ).stdout.decode()
        files = [f for f in listing.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis", "data"}
        files = [
            str(p.relative_to(REPO))
            for p in REPO.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(REPO).parts)
        ]
    for name in files:
        src = REPO / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def base_python() -> str:
    """A Python of the version binder/runtime.txt asks for, else this one."""
    wanted = (REPO / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    mine = f"{sys.version_info.major}.{sys.version_info.minor}"
    if wanted == mine:
        return getattr(sys, "_base_executable", sys.executable)
    other = shutil.which(f"python{wanted}")
    if other:
        return other
    log(f"python{wanted} not found (binder/runtime.txt); using Python {mine}")
    return sys.executable


def build_env(home: Path, venv: Path) -> dict[str, str]:
    """A clean environment like the image's: only the venv on PATH, HOME is the repository copy."""
    env = {k: os.environ[k] for k in KEEP_ENV if k in os.environ}
    env.update(
        HOME=str(home),
        REPO_DIR=str(home),
        NB_USER=os.environ.get("USER", "jovyan"),
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        # keep pip's download cache (CI re-runs are faster); every package still installs from scratch
        PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    for key, value in os.environ.items():  # pip's own settings (index, certificates, constraints)
        if key.startswith("PIP_") and key not in env:
            env[key] = value
    return env


def run(step: str, command: list[str], times: dict[str, float], **kwargs) -> None:
    log(f"{step}: {' '.join(command)}")
    start = time.perf_counter()
    subprocess.run(command, check=True, **kwargs)
    times[step] = time.perf_counter() - start


def check_apt(times: dict[str, float]) -> None:
    start = time.perf_counter()
    for line in (REPO / "binder" / "apt.txt").read_text().splitlines():
        package = line.split("#")[0].strip()
        if not package:
            continue
        ok = shutil.which("dpkg") and subprocess.run(["dpkg", "-s", package], capture_output=True).returncode == 0
        log(f"apt.txt: {package} {'installed' if ok else 'NOT installed here (repo2docker would install it)'}")
    times["apt.txt"] = time.perf_counter() - start


def cache_snapshot(cache: Path) -> dict[str, float]:
    if not cache.is_dir():
        return {}
    return {str(p.relative_to(cache)): p.stat().st_mtime for p in cache.rglob("*.nb[ic]")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Imitate the Binder build and run every notebook in it.")
    parser.add_argument("--data", type=Path, default=default_data(), help="local copy of the datasets")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the build folder afterwards")
    parser.add_argument("--strict-cache", action="store_true", help="fail when the notebooks compile kernels")
    args = parser.parse_args(argv)

    if not args.data.is_dir():
        log(f"no datasets at {args.data}: set AUTOLAB_DATA or pass --data")
        return 2
    work = (args.workdir or Path(tempfile.mkdtemp(prefix="autolab-binder-"))).resolve()
    home, venv = work / "home", work / "venv"
    times: dict[str, float] = {}
    total = time.perf_counter()
    try:
        log(f"building in {work}")
        home.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        copy_repository(home)
        times["copy repository"] = time.perf_counter() - start
        run("virtualenv", [base_python(), "-m", "venv", str(venv)], times)
        env = build_env(home, venv)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        run("requirements.txt", [*pip, "-r", "binder/requirements.txt"], times, cwd=home, env=env)
        check_apt(times)
        build = dict(env, AUTOLAB_DATA_FROM=str(args.data.resolve()))
        run("postBuild", ["binder/postBuild"], times, cwd=home, env=build)
        # the notebook runner needs nbclient, which JupyterLab brings (via nbconvert); install it if not
        run("nbclient", [*pip, "nbclient", "nbformat"], times, cwd=home, env=env)

        cache = Path(
            subprocess.run(
                ["bash", "-c", "source binder/env.sh && echo $NUMBA_CACHE_DIR"],
                cwd=home,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        before = cache_snapshot(cache)
        launch = dict(env, AUTOLAB_FAST="1")
        runner = ["binder/start", "python", "binder/run_notebooks.py", "--json", str(work / "notebooks.json")]
        run("notebooks (fast mode)", runner, times, cwd=home, env=launch)
        after = cache_snapshot(cache)
        compiled = sorted(k for k in after if before.get(k) != after[k])
        if compiled:
            log(f"the notebooks compiled {len(compiled)} cache files that postBuild did not warm:")
            for name in compiled[:20]:
                log(f"    {name}")
            if args.strict_cache:
                return 1
        else:
            log("numba cache: the notebooks compiled nothing new (postBuild's warm-up covers them)")
    except subprocess.CalledProcessError as err:
        log(f"FAILED: {' '.join(map(str, err.cmd))} exited with {err.returncode}")
        return 1
    finally:
        for step, seconds in times.items():
            log(f"  {step:<24} {seconds:7.1f} s")
        log(f"  {'total':<24} {time.perf_counter() - total:7.1f} s")
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
