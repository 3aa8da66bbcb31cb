"""The doctor asks a *running* JupyterLab what its page loads: against a stub server and a real one."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autolab.cli import doctor, jupyter_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _page(extensions: list[str]) -> bytes:
    config = {"appName": "JupyterLab", "federated_extensions": [{"name": n, "load": "x.js"} for n in extensions]}
    return (
        '<html><head><script id="jupyter-config-data" type="application/json">'
        f"{json.dumps(config)}</script></head></html>"
    ).encode()


@pytest.fixture
def stub_lab():
    """A loopback HTTP server that answers /lab like JupyterLab, only with the right token."""
    seen = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        extensions = ["@jupyter-widgets/jupyterlab-manager", "anywidget"]

        def do_GET(self):  # noqa: N802 - http.server's naming
            seen["path"] = self.path
            if self.headers.get("Authorization") != "token s3cret":
                self.send_response(302)
                self.send_header("Location", "/login")
                self.end_headers()
                return
            body = _page(Handler.extensions)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, Handler, seen
    server.shutdown()
    server.server_close()


def _info(port: int, token: str = "s3cret") -> dict:
    return {"pid": os.getpid(), "port": port, "base_url": "/", "token": token, "url": f"http://x:{port}/"}


def test_server_extensions_reads_the_page_config(stub_lab):
    server, _, seen = stub_lab
    names = jupyter_env.server_extensions(_info(server.server_port))
    assert names == {"@jupyter-widgets/jupyterlab-manager", "anywidget"}
    assert seen["path"] == "/lab"


def test_server_extensions_is_none_without_access(stub_lab):
    server, _, _ = stub_lab
    assert jupyter_env.server_extensions(_info(server.server_port, token="wrong")) is None
    assert jupyter_env.server_extensions(_info(_free_port())) is None  # nothing listening


def test_running_servers_skips_dead_ones(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "jpserver-1.json").write_text(json.dumps({"pid": os.getpid(), "port": 1}))
    (tmp_path / "jpserver-2.json").write_text(json.dumps({"pid": dead.pid, "port": 2}))
    (tmp_path / "jpserver-3.json").write_text("{not json")
    assert [s["port"] for s in jupyter_env.running_servers(tmp_path)] == [1]


def test_check_widgets_fails_when_the_running_lab_lacks_the_manager(stub_lab, monkeypatch):
    server, handler, _ = stub_lab
    monkeypatch.setattr(jupyter_env, "running_servers", lambda directory=None: [_info(server.server_port)])
    assert doctor.check_widgets().status == "ok"
    monkeypatch.setattr(handler, "extensions", ["anywidget"])
    check = doctor.check_widgets()
    assert check.status == "fail"
    assert "does not load @jupyter-widgets/jupyterlab-manager" in check.detail
    assert "restart it" in check.fix


@pytest.mark.slow
def test_against_a_real_jupyterlab(tmp_path):
    pytest.importorskip("jupyterlab")
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path))
    lab = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
            "--ip=127.0.0.1", "--IdentityProvider.token=t0ken", f"--ServerApp.root_dir={tmp_path}",
            "--allow-root",
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        servers: list[dict] = []
        while time.time() < deadline and not servers:
            time.sleep(0.5)
            servers = jupyter_env.running_servers(Path(env["JUPYTER_RUNTIME_DIR"]))
        assert servers, "JupyterLab did not start"
        names = None
        while time.time() < deadline and names is None:
            names = jupyter_env.server_extensions(servers[0])
        assert names is not None
        # the running server loads exactly the prebuilt extensions that the folder scan finds
        assert names == set(jupyter_env.installed_labextensions())
    finally:
        lab.terminate()
        lab.wait(timeout=30)
