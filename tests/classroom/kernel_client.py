"""Run a notebook in a student's Jupyter server through its REST API and kernel websocket, as JupyterLab does,
and measure the kernel: peak memory (RSS of its process tree), CPU seconds, and when the first training step
finished.

The first training step is seen by a probe the test runs in the kernel before the notebook: it wraps the
``step`` of every autolab optimizer class to note the wall-clock time of the first call, and changes nothing
else.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import websocket

PROBE = """
import time as _autolab_time
import autolab.optim as _autolab_optim

_autolab_first_step = []


def _autolab_timed(step):
    def timed(self, *args, **kwargs):
        out = step(self, *args, **kwargs)
        if not _autolab_first_step:
            _autolab_first_step.append(_autolab_time.time())
        return out

    return timed


def _autolab_classes(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _autolab_classes(sub)


for _cls in {_autolab_optim.Optimizer, *_autolab_classes(_autolab_optim.Optimizer)}:
    if "step" in vars(_cls):
        _cls.step = _autolab_timed(vars(_cls)["step"])
"""
REPORT = "print('AUTOLAB_FIRST_STEP', _autolab_first_step[0] if _autolab_first_step else None)"


@dataclass
class CellResult:
    source: str
    status: str  # "ok" | "error"
    text: str  # stream text and text/plain results, joined
    error: str = ""


@dataclass
class Usage:
    """Kernel process measurements, sampled while the notebook runs."""

    pid: int
    server_pid: int | None
    peak_tree_rss: int = 0  # bytes: the largest sampled sum over the kernel and its child processes
    samples: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def sample_forever(self, every_s: float = 0.2) -> None:
        kernel = psutil.Process(self.pid)
        while not self.stop.is_set():
            try:
                tree = [kernel, *kernel.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree if p.is_running())
            except psutil.Error:
                return
            self.peak_tree_rss = max(self.peak_tree_rss, rss)
            self.samples += 1
            self.stop.wait(every_s)

    def final(self) -> dict[str, float]:
        """CPU seconds and the kernel's own peak RSS (VmHWM: exact, not sampled); call before shutdown."""
        kernel = psutil.Process(self.pid)
        cpu = kernel.cpu_times()
        tree_cpu = cpu.user + cpu.system + cpu.children_user + cpu.children_system
        for child in kernel.children(recursive=True):
            c = child.cpu_times()
            tree_cpu += c.user + c.system
        out = {
            "cpu_s": round(tree_cpu, 1),
            "kernel_peak_rss_mb": round(_vm_hwm(self.pid) / 2**20, 1),
            "tree_peak_rss_mb_sampled": round(self.peak_tree_rss / 2**20, 1),
            "rss_samples": self.samples,
        }
        if self.server_pid is not None:
            out["server_peak_rss_mb"] = round(_vm_hwm(self.server_pid) / 2**20, 1)
        return out


def _vm_hwm(pid: int) -> int:
    """A process's peak resident set size in bytes, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return psutil.Process(pid).memory_info().rss


def kernel_pid(kernel_id: str, timeout_s: float = 30) -> int:
    """The local process running this kernel: its command line names the kernel's connection file."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for proc in psutil.process_iter(["cmdline"]):
            if any(kernel_id in part for part in proc.info["cmdline"] or []):
                return proc.pid
        time.sleep(0.2)
    raise AssertionError(f"no process found for kernel {kernel_id}")


class KernelSocket:
    """Jupyter's kernel websocket (the JSON protocol JupyterLab speaks), one request at a time."""

    def __init__(self, ws_url: str, token: str):
        self.session = uuid.uuid4().hex
        url = f"{ws_url}?session_id={self.session}"
        # recv() waits at most 10 s, so execute() can keep its own deadline (and notice a dead kernel)
        self.ws = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=10)

    def close(self) -> None:
        self.ws.close()

    def execute(self, code: str, timeout_s: float = 300) -> CellResult:
        msg_id = uuid.uuid4().hex
        message = {
            "header": {
                "msg_id": msg_id,
                "username": "student",
                "session": self.session,
                "msg_type": "execute_request",
                "version": "5.3",
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            "parent_header": {},
            "metadata": {},
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
            "buffers": [],
            "channel": "shell",
        }  # fmt: skip
        self.ws.send(json.dumps(message))
        text, error, status, idle = [], "", None, False
        deadline = time.monotonic() + timeout_s
        while status is None or not idle:
            if time.monotonic() > deadline:
                raise AssertionError(f"cell did not finish in {timeout_s} s:\n{code[:300]}")
            try:
                reply = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            if not isinstance(reply, str):
                continue  # binary frames carry widget buffers
            msg = json.loads(reply)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] in ("dead", "restarting"):
                return CellResult(code, "error", "".join(text), f"the kernel is {msg['content']['execution_state']}")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue  # e.g. comm messages from a widget's background thread
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                text.append(content["text"])
            elif kind in ("execute_result", "display_data") and "text/plain" in content.get("data", {}):
                text.append(content["data"]["text/plain"] + "\n")
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                status = content["status"]
        return CellResult(code, status, "".join(text), error)


def code_cells(notebook: Path) -> list[str]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
