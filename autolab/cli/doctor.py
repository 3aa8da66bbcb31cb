"""``autolab doctor``: check what the course needs, and say how to fix what is missing.

Each check returns a ``Check`` whose status is ``ok``, ``info`` (optional things), ``warn`` (works, but not
the way the course expects) or ``fail`` (something the course needs is broken). Only ``fail`` makes the
command exit non-zero, so a machine without JupyterLab (Colab, VS Code) or without data yet still passes.
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ..course import fonts
from . import jupyter_env
from .data_check import check_data

MIN_PYTHON = (3, 10)
MIN_NUMBA = (0, 59)
INSTALL_LAB = "pip install 'autolab-learn[lab]'   (from a checkout: pip install -e '.[lab]')"


@dataclass
class Check:
    name: str
    status: str  # "ok" | "info" | "warn" | "fail"
    detail: str
    fix: str = ""


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _major_minor(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def check_python() -> Check:
    v = sys.version_info
    detail = f"Python {v.major}.{v.minor}.{v.micro} ({sys.executable})"
    if (v.major, v.minor) < MIN_PYTHON:
        need = ".".join(map(str, MIN_PYTHON))
        return Check("python", "fail", detail, f"autolab needs Python {need} or newer: make a new virtualenv")
    return Check("python", "ok", detail)


def check_numba() -> Check:
    versions = {d: _version(d) for d in ("numba", "llvmlite", "numpy")}
    detail = ", ".join(f"{d} {v or 'missing'}" for d, v in versions.items())
    if versions["numba"] is None:
        return Check("numba", "fail", detail, "pip install 'numba>=0.59'")
    if _major_minor(versions["numba"]) < MIN_NUMBA:
        return Check("numba", "fail", detail, "pip install -U 'numba>=0.59'")
    # numba refuses to import beside a numpy newer than it supports; the message says which.
    probe = subprocess.run([sys.executable, "-c", "import numba"], capture_output=True, text=True, timeout=120)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["import failed"])[-1]
        return Check("numba", "fail", f"{detail}: {last}", "pip install -U numba  (or a numpy that it supports)")
    return Check("numba", "ok", detail)


def check_widgets() -> Check:
    """The widgets' front end must be loaded by the JupyterLab the student's browser talks to."""
    ipywidgets = _version("ipywidgets")
    needed = ["@jupyter-widgets/jupyterlab-manager"]
    if _version("anywidget"):
        needed.append("anywidget")

    servers = jupyter_env.running_servers()
    for server in servers:
        loaded = jupyter_env.server_extensions(server)
        if loaded is None:
            continue  # could not read its page (other user, no token): try the next one
        missing = [n for n in needed if n not in loaded]
        where = f"the running JupyterLab at {server.get('url', '?')}"
        if missing:
            fix = (
                f"install {', '.join(jupyter_env.PACKAGE_OF[m] for m in missing)} into the environment "
                "that runs that JupyterLab, then restart it (or start it with `autolab lab`)"
            )
            return Check("widgets", "fail", f"{where} does not load {', '.join(missing)}", fix)
        return Check("widgets", "ok", f"{where} loads {', '.join(needed)}")

    if importlib.util.find_spec("jupyterlab") is None:
        return Check(
            "widgets",
            "warn",
            "JupyterLab is not installed in this Python, and no running JupyterLab was found",
            INSTALL_LAB,
        )
    if ipywidgets is None:
        return Check("widgets", "fail", "ipywidgets is not installed", "pip install 'ipywidgets>=8,<9'")
    found = jupyter_env.installed_labextensions()
    missing = [n for n in needed if n not in found]
    if missing:
        fix = f"pip install {' '.join(jupyter_env.PACKAGE_OF[m] for m in missing)}, then restart JupyterLab"
        return Check("widgets", "fail", f"JupyterLab here lacks {', '.join(missing)}", fix)
    manager = found["@jupyter-widgets/jupyterlab-manager"]
    # ipywidgets 8 speaks the protocol of jupyterlab-manager 5 (jupyterlab_widgets 3); 7 speaks 3.
    if _major_minor(ipywidgets)[0] >= 8 and manager.version and _major_minor(manager.version)[0] < 5:
        fix = "pip install -U 'jupyterlab_widgets>=3,<4'"
        return Check("widgets", "fail", f"ipywidgets {ipywidgets} needs jupyterlab-manager 5, found {manager}", fix)
    shown = ", ".join(str(found[n]) for n in needed)
    return Check("widgets", "ok", f"ipywidgets {ipywidgets}; JupyterLab here has {shown}")


def numba_cache_dir() -> tuple[Path, str]:
    """Where numba writes autolab's compiled kernels, and why there (see autolab/kernels/_config.py)."""
    try:
        from autolab.kernels._config import default_cache_dir  # lazy: importing kernels sets numba's env
    except ImportError:  # an autolab without the numba kernels: numba's own rules apply
        default_cache_dir = None
    configured = os.environ.get("NUMBA_CACHE_DIR")  # autolab.kernels exports its choice here at import
    default = Path(default_cache_dir()) if default_cache_dir else None
    if configured:
        path = Path(configured).expanduser()
        if path == default:
            return path, "autolab's default"
        if path.name.startswith("autolab-numba-"):
            return path, "a temporary folder, because the default was not writable"
        return path, "NUMBA_CACHE_DIR"
    if default is not None:
        return default, "autolab's default"
    return Path.home() / ".cache" / "numba", "numba's default"


def check_numba_cache() -> Check:
    path, why = numba_cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".autolab-doctor-"):
            pass
    except OSError as err:
        fix = "export NUMBA_CACHE_DIR=~/.cache/autolab/numba   (any folder you can write)"
        return Check("numba cache", "fail", f"{path} ({why}) is not writable: {err.strerror}", fix)
    entries = sum(1 for _ in path.rglob("*.nbi"))
    state = f"{entries} compiled kernels cached" if entries else "empty: first calls compile (a few s each)"
    level = os.environ.get("NUMBA_CPU_NAME")
    if level:
        state += f"; code for the {level} CPU level (NUMBA_CPU_NAME)"
    if why.startswith("a temporary folder"):
        fix = "make ~/.cache writable, or export NUMBA_CACHE_DIR=<a folder that lasts>"
        return Check("numba cache", "warn", f"{path} ({why}); {state}", fix)
    return Check("numba cache", "ok", f"{path} ({why}) is writable; {state}")


def check_dot() -> Check:
    dot = shutil.which("dot")
    if dot is None:
        fix = "optional, for static SVG/PNG export: apt install graphviz | brew install graphviz"
        return Check("graphviz dot", "info", "`dot` not found (the live graph widgets don't need it)", fix)
    try:
        out = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=10)
        version = (out.stderr or out.stdout).strip()
    except (OSError, subprocess.SubprocessError):
        version = ""
    return Check("graphviz dot", "ok", f"{dot} {version}".strip())


def check_cjk_font() -> Check:
    """The Chinese notebooks' plots need a font with Chinese characters (autolab/course/fonts.py picks it)."""
    if importlib.util.find_spec("matplotlib") is None:
        return Check("chinese font", "info", "matplotlib is not installed (the course's plots need it)")
    font = fonts.cjk_font()
    if font is None:
        fix = "apt install fonts-noto-cjk | brew install --cask font-noto-sans-cjk-sc"
        return Check("chinese font", "info", "no CJK font: the Chinese notebooks' plots keep English labels", fix)
    return Check("chinese font", "ok", f"{font}: plots in the Chinese notebooks draw Chinese")


CHECKS = (check_python, check_numba, check_widgets, check_numba_cache, check_data, check_dot, check_cjk_font)

_MARK = {"ok": "ok  ", "info": "info", "warn": "WARN", "fail": "FAIL"}


def run_checks() -> list[Check]:
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as err:  # a crashing check is itself a finding, not a traceback for the student
            name = check.__name__.removeprefix("check_")
            results.append(Check(name, "fail", f"the check crashed: {err!r}", "please report this"))
    return results


def run_doctor(as_json: bool = False) -> int:
    """Print every check; return 1 when any check failed, else 0."""
    results = run_checks()
    failed = [r for r in results if r.status == "fail"]
    if as_json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print("autolab doctor: checking this environment for the course\n")
        width = max(len(r.name) for r in results)
        for r in results:
            print(f"  {_MARK[r.status]}  {r.name:<{width}}  {r.detail}")
            if r.fix and r.status != "ok":
                print(f"        {'':<{width}}  fix: {r.fix}")
        print()
        warned = sum(r.status == "warn" for r in results)
        if failed:
            print(f"{len(failed)} problem(s) to fix.")
        elif warned:
            print(f"No problems; {warned} warning(s) above. `autolab lab` opens the course.")
        else:
            print("All set: `autolab lab` opens the course.")
    return 1 if failed else 0
