"""``autolab run-torch PROGRAM.py [args]``: run an unmodified PyTorch program on autolab.

An import hook answers ``import torch`` with ``autolab``, ``import torch.nn.functional as F`` with
``autolab.nn.functional``, ``from torchvision import datasets, transforms`` with ``autolab.vision``'s, and so on
for every ``torch.*`` and ``torchvision.*`` module autolab has. Then the program runs as ``python PROGRAM.py
args`` would run it: ``sys.argv`` is ``[PROGRAM.py, args...]``, ``__name__`` is ``"__main__"``, and its folder
is first on ``sys.path``. The real PyTorch is never imported, even where it is installed.

When the program reaches for something autolab does not have, the run stops with PyTorch's name for it
("this program uses torch.optim.Adadelta, which autolab does not have"), after the usual traceback.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import runpy
import sys
import traceback
from pathlib import Path

# PyTorch's top-level package -> autolab's. Below them, names map one to one (torch.nn.functional ->
# autolab.nn.functional), except where RENAMED says otherwise.
PACKAGES = {"torch": "autolab", "torchvision": "autolab.vision"}
RENAMED: dict[str, str] = {}


def autolab_name(torch_name: str) -> str | None:
    """The autolab module that stands for ``torch_name`` (``torch.utils.data`` -> ``autolab.utils.data``)."""
    if torch_name in RENAMED:
        return RENAMED[torch_name]
    top, _, rest = torch_name.partition(".")
    if top not in PACKAGES:
        return None
    return PACKAGES[top] + ("." + rest if rest else "")


def torch_name(name: str) -> str:
    """The reverse: what a PyTorch user calls the autolab module or attribute ``name``."""
    for theirs, ours in sorted(PACKAGES.items(), key=lambda kv: -len(kv[1])):
        if name == ours or name.startswith(ours + "."):
            return theirs + name[len(ours) :]
    return name


class _AliasLoader(importlib.abc.Loader):
    """Loads a ``torch.*`` name by importing its autolab module; both names then share one module object."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:
        pass  # already executed under its autolab name


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """The import hook: finds ``torch`` and ``torchvision`` modules among autolab's."""

    def find_spec(self, fullname, path=None, target=None):
        target_name = autolab_name(fullname)
        if target_name is None:
            return None
        try:
            found = importlib.util.find_spec(target_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            raise ModuleNotFoundError(
                f"autolab has no module {target_name!r}: this program imports {fullname!r}, which autolab does "
                "not provide (see the README's list of differences)",
                name=fullname,
            )
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(target_name), is_package=True)


def install_hook() -> TorchAliasFinder:
    """Make ``import torch`` (and ``torchvision``) import autolab in this process. Returns the finder."""
    for name in list(sys.modules):  # a real torch imported earlier would shadow the hook
        if name.split(".")[0] in PACKAGES:
            del sys.modules[name]
    finder = TorchAliasFinder()
    sys.meta_path.insert(0, finder)
    return finder


_MISSING = [
    # module 'autolab.optim' has no attribute 'Adadelta'
    (re.compile(r"module '([\w.]+)' has no attribute '(\w+)'"), lambda m: f"{torch_name(m[1])}.{m[2]}"),
    # cannot import name 'Adadelta' from 'autolab.optim' (...)
    (re.compile(r"cannot import name '(\w+)' from '([\w.]+)'"), lambda m: f"{torch_name(m[2])}.{m[1]}"),
    # 'Tensor' object has no attribute 'foo'
    (re.compile(r"'(Tensor|Parameter)' object has no attribute '(\w+)'"), lambda m: f"torch.Tensor.{m[2]}"),
    # autolab has no module 'autolab.distributions': this program imports 'torch.distributions' ...
    (re.compile(r"this program imports '([\w.]+)'"), lambda m: m[1]),
]


def missing_name(error: BaseException) -> str | None:
    """PyTorch's name for what autolab lacks, read from an AttributeError/ImportError; None if it is not that."""
    if not isinstance(error, (AttributeError, ImportError)):
        return None
    text = str(error)
    for pattern, name in _MISSING:
        match = pattern.search(text)
        if match and ("autolab" in text or "Tensor" in match[0] or "Parameter" in match[0]):
            return name(match)
    return None


def run_program(program: str, args: list[str]) -> int:
    """Run ``program`` with ``args`` on autolab; returns the exit status (as ``python program args`` would)."""
    path = Path(program)
    if not path.is_file():
        print(f"autolab run-torch: no such program: {program}", file=sys.stderr)
        return 2
    install_hook()
    sys.argv = [program, *args]
    sys.path.insert(0, str(path.resolve().parent))
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as stop:
        code = stop.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    except BaseException as error:  # noqa: BLE001 - we report every failure, as Python would
        traceback.print_exc()
        name = missing_name(error)
        if name is not None:
            print(
                f"\nautolab run-torch: this program uses {name}, which autolab does not have (yet). "
                "See the README's list of differences with PyTorch.",
                file=sys.stderr,
            )
        return 130 if isinstance(error, KeyboardInterrupt) else 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m autolab.cli.run_torch PROGRAM.py [args]``."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[0].strip("`"))
        print("usage: autolab run-torch PROGRAM.py [ARGS...]")
        return 0 if argv else 2
    return run_program(argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main())
