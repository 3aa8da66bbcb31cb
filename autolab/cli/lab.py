"""``autolab lab``: start JupyterLab on the course notebooks.

The notebooks ship in the source repository (``notebooks/`` beside ``autolab/``), not inside the wheel, so
``autolab lab`` looks for them, in order:

1. ``--dir DIR``;
2. ``$AUTOLAB_NOTEBOOKS``;
3. the checkout this autolab was imported from (an editable install, ``pip install -e .``);
4. the current folder or one above it holding ``notebooks/01_tensors.ipynb``;
5. ``<sys.prefix>/share/autolab/notebooks`` (where a packaged install may put them).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

FIRST_NOTEBOOK = "01_tensors.ipynb"


def _has_notebooks(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.ipynb"))


def find_notebooks(explicit: str | None = None, cwd: Path | None = None) -> Path | None:
    """The course's notebooks folder, or None when it cannot be found (see the module docstring)."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get("AUTOLAB_NOTEBOOKS"):
        return Path(os.environ["AUTOLAB_NOTEBOOKS"]).expanduser().resolve()
    spec = importlib.util.find_spec("autolab")
    if spec and spec.origin:
        checkout = Path(spec.origin).resolve().parent.parent / "notebooks"
        if _has_notebooks(checkout):
            return checkout
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks" / FIRST_NOTEBOOK).is_file():
            return folder / "notebooks"
        if (folder / FIRST_NOTEBOOK).is_file():
            return folder
    shared = Path(sys.prefix) / "share" / "autolab" / "notebooks"
    if _has_notebooks(shared):
        return shared
    return None


def lab_command(notebook_dir: Path, extra_args: list[str]) -> list[str]:
    """JupyterLab from this same Python, so its kernel sees this autolab and these widgets."""
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebook_dir}", *extra_args]


def run_lab(notebook_dir: str | None = None, extra_args: list[str] | None = None, dry_run: bool = False) -> int:
    folder = find_notebooks(notebook_dir)
    if folder is None or not folder.is_dir():
        print(
            "autolab lab: cannot find the course notebooks.\n"
            "  They live in the source repository: git clone it, then inside it run\n"
            "      pip install -e '.[lab]' && autolab lab\n"
            "  or point at them: autolab lab --dir PATH/TO/notebooks",
            file=sys.stderr,
        )
        return 1
    command = lab_command(folder, list(extra_args or []))
    if dry_run:
        print(" ".join(command))
        return 0
    if importlib.util.find_spec("jupyterlab") is None:
        print(
            "autolab lab: JupyterLab is not installed in this Python.\n"
            "  pip install 'autolab-learn[lab]'   (from a checkout: pip install -e '.[lab]')",
            file=sys.stderr,
        )
        return 1
    print(f"autolab lab: starting JupyterLab on {folder}", file=sys.stderr)
    if os.name == "posix":
        os.execv(sys.executable, command)  # replace this process: Ctrl+C goes straight to JupyterLab
    return subprocess.call(command)  # pragma: no cover - Windows
