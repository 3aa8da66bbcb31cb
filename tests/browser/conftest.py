"""Jupyter servers (JupyterLab, Notebook 7, Voila) and a headless system Chromium for the browser tests.

Needs: `apt-get install chromium` (the system browser; never `playwright install`), `pip install playwright
jupyterlab notebook voila ipywidgets anywidget`. Where any is missing the test skips, saying
which, except under CI=true where it fails: CI must run it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
TOKEN = "autolab-e2e"


def _missing(extra: tuple[tuple[str, str], ...] = ()) -> list[str]:
    missing = []
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        missing.append("chromium (apt-get install chromium)")
    for module, package in (
        ("playwright", "playwright"),
        ("jupyterlab", "jupyterlab"),
        ("anywidget", "anywidget"),
        *extra,
    ):
        if importlib.util.find_spec(module) is None:
            missing.append(f"{package} (pip install {package})")
    return missing


def require_browser_stack(extra: tuple[tuple[str, str], ...] = ()) -> None:
    """Skip (fail under CI=true) unless Chromium and the Python packages are here; extra: (module, package)."""
    missing = _missing(extra)
    if not missing:
        return
    reason = "browser test needs " + ", ".join(missing)
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI=true: this test must run in CI)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def _serve(tmp_path: Path, name: str, args: list[str], ready_path: str, files: tuple[Path, ...] = (), env_extra=None):
    """Start `python -m <args>` on 127.0.0.1 and a free port serving a copy of dashboard.ipynb (and ``files``);
    yield base URL.

    The server is stopped by its pid and its log copied to test-artifacts/browser/<name>.log.
    """
    root = tmp_path / "nb"
    root.mkdir()
    for f in (Path(__file__).with_name("dashboard.ipynb"), *files):
        shutil.copy(f, root / f.name)
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port = _free_port()
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
        **(env_extra or {}),
    )
    args = [a.format(port=port, root=root, token=TOKEN) for a in args]
    log_path = tmp_path / f"{name}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", *args], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}{ready_path}", timeout=5):
                    break
            except urllib.error.HTTPError:
                break  # it answers: that is all we wait for
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n" + log_path.read_text()) from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_path, ARTIFACTS / f"{name}.log")


_JUPYTER_SERVER_ARGS = [
    "--no-browser",
    "--port={port}",
    "--ip=127.0.0.1",
    "--IdentityProvider.token={token}",
    "--ServerApp.port_retries=0",
    "--allow-root",
    "--ServerApp.root_dir={root}",
]


@pytest.fixture
def lab(tmp_path):
    """A running JupyterLab on 127.0.0.1 serving a copy of this folder's notebook; yields (base_url, token)."""
    require_browser_stack()
    args = ["jupyter", "lab", *_JUPYTER_SERVER_ARGS, "--LabApp.news_url=None"]
    yield from ((base, TOKEN) for base in _serve(tmp_path, "jupyterlab", args, f"/api/status?token={TOKEN}"))


@pytest.fixture
def lab_course(tmp_path):
    """JupyterLab serving the course's notebook 02 (and the dashboard notebook), kernels in fast mode."""
    require_browser_stack()
    args = ["jupyter", "lab", *_JUPYTER_SERVER_ARGS, "--LabApp.news_url=None"]
    files = (REPO / "notebooks" / "02_autograd.ipynb",)
    serve = _serve(tmp_path, "jupyterlab-course", args, f"/api/status?token={TOKEN}", files, {"AUTOLAB_FAST": "1"})
    yield from ((base, TOKEN) for base in serve)


@pytest.fixture
def notebook7(tmp_path):
    """A running Jupyter Notebook 7 on 127.0.0.1 serving a copy of this folder's notebook; yields (base_url, token)."""
    require_browser_stack((("notebook", "notebook"),))
    import notebook

    if int(notebook.__version__.split(".")[0]) < 7:
        pytest.skip(f"needs Notebook 7, found {notebook.__version__} (pip install 'notebook>=7')")
    args = ["jupyter", "notebook", *_JUPYTER_SERVER_ARGS]
    yield from ((base, TOKEN) for base in _serve(tmp_path, "notebook7", args, f"/api/status?token={TOKEN}"))


@pytest.fixture
def voila(tmp_path):
    """Voila on 127.0.0.1 rendering a copy of this folder's notebook, code hidden; yields (base_url, token)."""
    require_browser_stack((("voila", "voila"),))
    args = [
        "voila",
        "dashboard.ipynb",
        "--no-browser",
        "--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        "--token={token}",
        "--show_tracebacks=True",
    ]
    # Voila's root page runs the notebook, so readiness is asked of a path that runs nothing.
    yield from ((base, TOKEN) for base in _serve(tmp_path, "voila", args, "/voila/static/"))


@pytest.fixture
def wait_kernel_idle():
    """wait(base, token, path): until the Jupyter server's session for `path` has an idle kernel."""

    def wait(base: str, token: str, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                sessions = _get(f"{base}/api/sessions?token={token}")
                for s in sessions:
                    if s["path"].endswith(path) and s["kernel"]["execution_state"] == "idle":
                        return
            except OSError:
                pass  # /api/sessions can answer 500 while a kernel starts
            time.sleep(0.3)
        raise AssertionError(f"the kernel of {path} never became idle")

    return wait


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored; CI uploads it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page():
    """A headless system Chromium page; `page.requests_outside` collects every URL not on 127.0.0.1."""
    require_browser_stack()
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        pg = context.new_page()
        pg.requests_outside = []
        pg.on(
            "request",
            lambda r: (
                None if r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else pg.requests_outside.append(r.url)
            ),
        )
        try:
            yield pg
        finally:
            context.close()
            browser.close()


@pytest.fixture
def lab_zh(tmp_path):
    """JupyterLab serving zh_course.ipynb: the Chinese notebook 04 (up to its MNIST part) and a small dashboard
    (tests/browser/test_chinese_e2e.py builds it), kernels in fast mode; yields (base_url, token)."""
    require_browser_stack()
    from test_chinese_e2e import build_notebook  # lazy: the notebook is the test's, the server is everyone's

    notebook = build_notebook(tmp_path / "zh_course.ipynb")
    args = ["jupyter", "lab", *_JUPYTER_SERVER_ARGS, "--LabApp.news_url=None"]
    env = {"AUTOLAB_FAST": "1", "AUTOLAB_LANG": "en"}  # the notebook's set_language("zh") must win over this
    serve = _serve(tmp_path, "jupyterlab-zh", args, f"/api/status?token={TOKEN}", (notebook,), env)
    yield from ((base, TOKEN) for base in serve)
