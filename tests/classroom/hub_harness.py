"""A real JupyterHub on 127.0.0.1 for the class tests: PyPI's jupyterhub, npm's configurable-http-proxy,
the DummyAuthenticator with a shared password and the SimpleLocalProcessSpawner (every student's server is a
local process, with a home folder of its own under the test's temporary folder).

Students talk to it the way a browser does: the login form (with its _xsrf cookie), then the hub's REST API
with that cookie (start the server, make an API token), then their own server's REST API and kernel websocket
with the token.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PASSWORD = "autolab-class"
CHP_VERSION = "5"  # configurable-http-proxy's major version; .ci/run installs the same
CHP_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "autolab" / "configurable-http-proxy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(message: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_data() -> Path:
    """The course data where autolab itself finds it (the doctor and the notebooks agree); missing: a failure
    under CI=true, a skip elsewhere."""
    from autolab.vision.datasets import data_root

    root = data_root()
    if not (root.path / "cifar-10" / "cifar-10-batches-bin").is_dir() or not (root.path / "MNIST" / "raw").is_dir():
        _missing(f"CIFAR-10 or MNIST not found under {root.path} ({root.source}); set AUTOLAB_DATA")
    return root.path


def proxy_command() -> str:
    """configurable-http-proxy: on PATH, else in CHP_DIR, else installed there with npm (a couple of seconds)."""
    on_path = shutil.which("configurable-http-proxy")
    if on_path:
        return on_path
    local = CHP_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if not local.exists():
        if not shutil.which("npm") or not shutil.which("node"):
            _missing(
                "JupyterHub's proxy needs Node.js: install node and npm, then "
                f"`npm install --prefix {CHP_DIR} configurable-http-proxy@{CHP_VERSION}`"
            )
        install = ["npm", "install", "--prefix", str(CHP_DIR), "--no-audit", "--no-fund", "--loglevel=error"]
        done = subprocess.run([*install, f"configurable-http-proxy@{CHP_VERSION}"], capture_output=True, text=True)
        if done.returncode != 0 or not local.exists():
            _missing(f"npm could not install configurable-http-proxy into {CHP_DIR}: {done.stderr.strip()[-500:]}")
    return str(local)


@dataclass
class Hub:
    url: str  # the public URL (the proxy)
    folder: Path
    process: subprocess.Popen
    log: Path
    started_s: float  # seconds from launch until the hub answered

    def home(self, name: str) -> Path:
        return self.folder / "home" / name

    def stop(self) -> None:
        """SIGTERM stops the hub, the servers it spawned and the proxy (cleanup_servers is on)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_hub(folder: Path, environment: dict[str, str], timeout_s: float = 60) -> Hub:
    """Write a jupyterhub_config.py into ``folder`` and start the hub; ``environment`` goes to every server."""
    folder.mkdir(parents=True, exist_ok=True)
    port, hub_port, api_port = free_port(), free_port(), free_port()
    singleuser = Path(sys.executable).with_name("jupyterhub-singleuser")
    args = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # these machines run as root
    config = textwrap.dedent(
        f"""
        c = get_config()  # noqa
        c.JupyterHub.ip = "127.0.0.1"
        c.JupyterHub.port = {port}
        c.JupyterHub.hub_ip = "127.0.0.1"
        c.JupyterHub.hub_port = {hub_port}
        c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
        c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]
        c.ConfigurableHTTPProxy.pid_file = {str(folder / "proxy.pid")!r}
        c.JupyterHub.db_url = "sqlite:///{folder / "jupyterhub.sqlite"}"
        c.JupyterHub.cookie_secret_file = {str(folder / "cookie_secret")!r}
        c.JupyterHub.pid_file = {str(folder / "hub.pid")!r}
        c.JupyterHub.authenticator_class = "dummy"
        c.DummyAuthenticator.password = {PASSWORD!r}
        c.Authenticator.allow_all = True
        c.JupyterHub.spawner_class = "simple"
        c.SimpleLocalProcessSpawner.home_dir_template = {str(folder / "home" / "{username}")!r}
        c.Spawner.cmd = [{str(singleuser)!r}]
        c.Spawner.args = {args!r}
        c.Spawner.default_url = "/lab"
        c.Spawner.environment.update({environment!r})  # the form docs/classroom.md uses for TLJH
        c.Spawner.start_timeout = 180  # three servers starting at once on two busy cores
        c.Spawner.http_timeout = 180
        """
    )
    (folder / "jupyterhub_config.py").write_text(config)
    log = folder / "jupyterhub.log"
    env = dict(os.environ, PATH=os.pathsep.join([str(singleuser.parent), os.environ.get("PATH", "")]))
    began = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(folder / "jupyterhub_config.py")],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    hub = Hub(f"http://127.0.0.1:{port}", folder, process, log, 0.0)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{hub.url}/hub/api/", timeout=2).status_code == 200:
                hub.started_s = time.perf_counter() - began
                return hub
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    hub.stop()
    raise RuntimeError(f"JupyterHub did not answer within {timeout_s} s:\n{log.read_text()[-3000:]}")


@dataclass
class Student:
    """One student's browser session on the hub, then an API token for their own server."""

    hub: Hub
    name: str
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""
    home_notebook: Path | None = None  # the course notebook nbgitpuller put in their home
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def server(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def _hub_api(self, method: str, path: str, **kwargs) -> requests.Response:
        # Cookie-authenticated API calls carry the _xsrf cookie's value back in a header, as JupyterLab does.
        headers = {"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or ""}
        return self.session.request(method, f"{self.hub.url}/hub/api{path}", headers=headers, timeout=30, **kwargs)

    def login(self) -> None:
        began = time.perf_counter()
        self.session.get(f"{self.hub.url}/hub/login", timeout=30).raise_for_status()  # sets the _xsrf cookie
        form = {"username": self.name, "password": PASSWORD, "_xsrf": self.session.cookies.get("_xsrf", path="/hub/")}
        reply = self.session.post(f"{self.hub.url}/hub/login", data=form, allow_redirects=False, timeout=30)
        assert reply.status_code == 302, f"{self.name}: login answered {reply.status_code}: {reply.text[:300]}"
        me = self._hub_api("GET", "/user")
        assert me.status_code == 200 and me.json()["name"] == self.name, me.text[:300]
        self.timings["login_s"] = time.perf_counter() - began

    def start_server(self, timeout_s: float = 180) -> None:
        """POST /users/NAME/server, then poll until the hub says the server is ready."""
        began = time.perf_counter()
        reply = self._hub_api("POST", f"/users/{self.name}/server")
        assert reply.status_code in (201, 202), f"{self.name}: spawn answered {reply.status_code}: {reply.text[:300]}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            model = self._hub_api("GET", f"/users/{self.name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                self.timings["spawn_s"] = time.perf_counter() - began
                break
            if not model.get("pending") and not server:
                raise AssertionError(f"{self.name}: the spawn failed; see {self.hub.log}")
            time.sleep(0.5)
        else:
            raise AssertionError(f"{self.name}: server not ready after {timeout_s} s; see {self.hub.log}")
        reply = self._hub_api("POST", f"/users/{self.name}/tokens", json={"note": "autolab class test"})
        assert reply.status_code == 201, reply.text[:300]
        self.token = reply.json()["token"]

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """The student's own Jupyter server's REST API, with their token."""
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.server}/api{path}", headers=headers, timeout=60, **kwargs)
