"""``autolab lab``: start JupyterLab on the course notebooks.

The notebooks ship in the source repository (``notebooks/`` beside ``autolab/``), not inside the wheel, so
``autolab lab`` looks for them, in order:

1. ``--dir DIR``;
2. ``$AUTOLAB_NOTEBOOKS``;
3. the checkout this autolab was imported from (an editable install, ``pip install -e .``);
4. the current folder or one above it holding ``notebooks/01_tensors.ipynb``;
5. ``<sys.prefix>/share/autolab/notebooks`` (where a packaged install may put them).

JupyterLab opens on ``01_tensors.ipynb``, as the Binder link does (``zh/01_tensors.ipynb`` when ``$AUTOLAB_LANG``
or the locale asks for Chinese). In a root shell (most containers) Jupyter
refuses to start without ``--allow-root``; there is no other user to switch to, so ``autolab lab`` adds it
and says so in one line.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from autolab.course import i18n

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


def first_notebook(notebook_dir: Path) -> str:
    """The notebook JupyterLab opens: the first one, in Chinese where the language is Chinese and it exists."""
    try:
        lang = i18n.get_language()
    except ValueError:  # an AUTOLAB_LANG the course does not speak: the notebooks will say so
        lang = "en"
    translated = f"{lang}/{FIRST_NOTEBOOK}"
    return translated if lang != "en" and (Path(notebook_dir) / translated).is_file() else FIRST_NOTEBOOK


def running_as_root() -> bool:
    """True in a root shell (most containers): Jupyter then refuses to start without --allow-root."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _given(extra_args: list[str], *names: str) -> bool:
    return any(arg == name or arg.startswith(name + "=") for arg in extra_args for name in names)


def lab_command(notebook_dir: Path, extra_args: list[str], as_root: bool | None = None) -> list[str]:
    """JupyterLab from this same Python, so its kernel sees this autolab and these widgets.

    It opens the first notebook, as the Binder link does, unless the arguments say otherwise; as root it adds
    ``--allow-root``, which a container user needs (there is no other user to switch to).
    """
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={notebook_dir}"]
    default_url = ("--LabApp.default_url", "--ServerApp.default_url")
    if (Path(notebook_dir) / FIRST_NOTEBOOK).is_file() and not _given(extra_args, *default_url):
        command.append(f"--LabApp.default_url=/lab/tree/{first_notebook(notebook_dir)}")
    if (running_as_root() if as_root is None else as_root) and not _given(extra_args, "--allow-root"):
        command.append("--allow-root")
    return [*command, *extra_args]


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
    if "--allow-root" in command and not _given(list(extra_args or []), "--allow-root"):
        print("autolab lab: running as root (as in most containers), so JupyterLab gets --allow-root", file=sys.stderr)
    print(
        f"autolab lab: starting JupyterLab on {folder}; it keeps this terminal busy, Ctrl+C twice stops it",
        file=sys.stderr,
    )
    if os.name == "posix":
        os.execv(sys.executable, command)  # replace this process: Ctrl+C goes straight to JupyterLab
    return subprocess.call(command)  # pragma: no cover - Windows
