"""Find out what JupyterLab will load, without importing Jupyter.

JupyterLab 4 loads "prebuilt" (federated) extensions from ``<data dir>/labextensions/<name>/`` in each of
Jupyter's data directories; pip packages such as ``jupyterlab_widgets`` and ``anywidget`` put theirs under
``sys.prefix``. The search order below follows ``jupyter_core.paths.jupyter_path()``. A running server is
asked directly: its ``/lab`` page embeds the list of extensions that the browser will load.
"""

from __future__ import annotations

import json
import os
import re
import site
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# front-end extension -> the pip package that ships it
PACKAGE_OF = {
    "@jupyter-widgets/jupyterlab-manager": "'jupyterlab_widgets>=3,<4'",
    "anywidget": "anywidget",
}


@dataclass(frozen=True)
class LabExtension:
    name: str
    version: str
    path: Path

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


def user_data_dir() -> Path:
    if os.environ.get("JUPYTER_DATA_DIR"):
        return Path(os.environ["JUPYTER_DATA_DIR"]).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Jupyter"
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / "jupyter"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "jupyter"


def runtime_dir() -> Path:
    if os.environ.get("JUPYTER_RUNTIME_DIR"):
        return Path(os.environ["JUPYTER_RUNTIME_DIR"]).expanduser()
    return user_data_dir() / "runtime"


def data_dirs() -> list[Path]:
    """Jupyter's data directories, highest priority first."""
    dirs = [user_data_dir()]
    dirs += [Path(p) for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    dirs.append(Path(sys.prefix) / "share" / "jupyter")
    user_base = getattr(site, "USER_BASE", None)
    if user_base:
        dirs.append(Path(user_base) / "share" / "jupyter")
    if os.name == "nt":
        dirs.append(Path(os.environ.get("PROGRAMDATA", "C:\\ProgramData")) / "jupyter")
    else:
        dirs += [Path("/usr/local/share/jupyter"), Path("/usr/share/jupyter")]
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def installed_labextensions(dirs: list[Path] | None = None) -> dict[str, LabExtension]:
    """Prebuilt JupyterLab extensions on disk, by package name (the first one found wins, as in JupyterLab)."""
    found: dict[str, LabExtension] = {}
    for base in dirs if dirs is not None else data_dirs():
        root = base / "labextensions"
        if not root.is_dir():
            continue
        for manifest in [*root.glob("*/package.json"), *root.glob("@*/*/package.json")]:
            try:
                meta = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            name = meta.get("name") or manifest.parent.relative_to(root).as_posix()
            found.setdefault(name, LabExtension(name, str(meta.get("version", "")), manifest.parent))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else (or a platform without signal 0)
    return True


def running_servers(directory: Path | None = None) -> list[dict]:
    """The Jupyter servers of this user that are still running, newest first."""
    folder = directory or runtime_dir()
    servers = []
    for info_file in sorted(folder.glob("jpserver-*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            info = json.loads(info_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(info.get("pid"), int) and _alive(info["pid"]):
            servers.append(info)
    return servers


_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)


def server_extensions(server: dict, timeout: float = 3.0) -> set[str] | None:
    """Names of the prebuilt extensions that this running server's /lab page loads; None if unreadable.

    Only asks over loopback: the server runs on this machine, whatever address it listens on.
    """
    if server.get("secure") or not server.get("port"):
        return None
    base_url = server.get("base_url") or "/"
    url = f"http://127.0.0.1:{int(server['port'])}{base_url}lab"
    request = urllib.request.Request(url)
    if server.get("token"):
        request.add_header("Authorization", f"token {server['token']}")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            page = response.read().decode("utf-8", "replace")
    except (OSError, urllib.error.URLError, ValueError):
        return None
    match = _CONFIG.search(page)
    if not match:
        return None  # a login page, or not JupyterLab
    try:
        config = json.loads(match.group(1))
    except ValueError:
        return None
    return {ext.get("name", "") for ext in config.get("federated_extensions", [])}
