"""The ``autolab`` command: ``autolab doctor`` checks an install, ``autolab lab`` opens the course,
``autolab course`` builds its editions (the instructor's solutions, an nbgrader course directory), ``autolab run``
starts a script on several processes with MPI, ``autolab run-torch`` runs a PyTorch program on autolab.

Nothing here imports Jupyter (autolab never does): the doctor reads package metadata, JupyterLab's extension
folders and a running server's page config, and ``autolab lab`` starts JupyterLab as a separate program.
"""

from __future__ import annotations

import argparse
import sys

from ..course.builder.cli import course_main
from .doctor import run_doctor
from .lab import run_lab
from .run import run_job


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autolab",
        description="autolab: learn how deep learning frameworks work, in JupyterLab.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    doctor = sub.add_parser(
        "doctor",
        help="check Python, numba, the widgets front end, the numba cache and the data; say how to fix",
        description="Check this environment for the course. Exits 1 only when something is broken.",
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")

    lab = sub.add_parser(
        "lab",
        help="start JupyterLab on the course notebooks",
        description=(
            "Start JupyterLab on the course notebooks. Arguments after the options are passed on to "
            "JupyterLab (e.g. `autolab lab --no-browser --port 8899`)."
        ),
    )
    lab.add_argument("--dir", help="the notebooks folder (default: found from the source checkout)")
    lab.add_argument("--dry-run", action="store_true", help="print the command instead of running it")

    run = sub.add_parser(
        "run",
        help="run a script on N processes with MPI (data-parallel training), like torchrun",
        description=(
            "Start SCRIPT (or -m MODULE) on N processes with mpiexec. Each gets torchrun's variables (RANK, "
            "WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) and an equal share of the cores for numba. "
            "If one rank fails, the whole job stops. Example: autolab run -n 2 train.py --epochs 3"
        ),
    )
    run.add_argument("-n", "--nproc-per-node", "--np", dest="nproc", type=int, default=1, help="processes (ranks)")
    run.add_argument("--hostfile", help="an MPI host file, to spread the ranks over several machines")
    run.add_argument("--master-port", type=int, help="MASTER_PORT for scripts that read it (default 29500)")
    run.add_argument("--label", action="store_true", help="prefix each line of output with its rank")
    run.add_argument("--dry-run", action="store_true", help="print the mpiexec command instead of running it")
    run.add_argument("-m", dest="module", help="run a module (like python -m) instead of a script")
    run.add_argument("target", nargs="?", help="the script, followed by its own arguments")

    run_torch = sub.add_parser(
        "run-torch",
        help="run an unmodified PyTorch program on autolab (import torch -> autolab)",
        description=(
            "Run PROGRAM.py with `torch` and `torchvision` imported as autolab, unchanged. Arguments after the "
            "program are its own. Example: autolab run-torch main.py --epochs 1"
        ),
    )
    run_torch.add_argument("program", help="the PyTorch program, followed by its own arguments")

    course = sub.add_parser(
        "course",
        help="build the course's editions: instructor (solutions), student, an nbgrader course directory",
        add_help=False,  # `autolab course --help` is answered by the course builder's own parser
    )
    course.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def split_run_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """``autolab run``'s own options, and the target: ``[script, args...]`` or ``["-m", module, args...]``."""
    with_value = {"-n", "--np", "--nproc-per-node", "--hostfile", "--master-port"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "-m":
            return argv[:i], argv[i:]
        if arg in with_value:
            i += 2
        elif arg.startswith("-"):
            i += 1
        else:
            return argv[:i], argv[i:]
    return argv, []


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``autolab`` console script; returns the exit status."""
    parser = build_parser()
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["run"]:  # everything from the script (or -m MODULE) on belongs to it, even options we also have
        ours, target = split_run_args(argv[1:])
        args = parser.parse_args(["run", *ours])
        return run_job(args.nproc, target, args.hostfile, args.master_port, args.label, args.dry_run)
    if argv[:1] == ["run-torch"] and len(argv) > 1 and not argv[1].startswith("-"):
        from .run_torch import run_program  # lazy: only this command needs the import hook

        return run_program(argv[1], argv[2:])
    args, extra = parser.parse_known_args(argv)
    if args.command == "doctor":
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return run_doctor(as_json=args.json)
    if args.command == "course":
        return course_main(args.args + extra)
    if args.command == "lab":
        return run_lab(notebook_dir=args.dir, extra_args=extra, dry_run=args.dry_run)
    parser.print_help()
    return 0


if __name__ == "__main__":  # pragma: no cover - `python -m autolab.cli` goes through __main__.py
    sys.exit(main())
