"""Install datasets into a data root, from the internet, a mirror, or a local copy.

    python -m autolab.vision.datasets.fetch --root DIR [--from SOURCE] [cifar10 mnist fashionmnist]

DIR is a data root, what ``AUTOLAB_DATA`` points at: CIFAR-10 goes to DIR/cifar-10/cifar-10-batches-bin,
MNIST to DIR/MNIST/raw, Fashion-MNIST to DIR/FashionMNIST/raw. SOURCE is an http(s) mirror laid out as
``<mirror>/<cifar-10|MNIST|FashionMNIST>/<file>``, or a local folder holding either the official archives or
an already-extracted copy (such as a shared data folder). Local files are verified before they are used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

from ._download import MIRROR_ENV, DownloadError, copy_verified, default_root
from .cifar import CIFAR10
from .mnist import MNIST, FashionMNIST

DATASETS = {"cifar10": CIFAR10, "mnist": MNIST, "fashionmnist": FashionMNIST}


def dataset_root(cls: type, data_root: str) -> str:
    """The ``root=`` argument of ``cls`` for a data root (CIFAR-10 keeps its own subfolder)."""
    return os.path.join(data_root, cls.dataset_dir) if issubclass(cls, CIFAR10) else data_root


def _first_file(candidates: list[str]) -> str | None:
    return next((c for c in candidates if os.path.isfile(c)), None)


def _install_cifar_local(cls: type[CIFAR10], root: str, src: str) -> None:
    archive = _first_file([os.path.join(src, cls.filename), os.path.join(src, cls.dataset_dir, cls.filename)])
    if archive is not None:
        copy_verified(archive, os.path.join(root, cls.filename), cls.md5)
        cls(root=root, download=True)  # extracts the verified archive, fetches nothing
        return
    for folder in (os.path.join(src, cls.dataset_dir, cls.base_folder), os.path.join(src, cls.base_folder)):
        if os.path.isdir(folder):
            break
    else:
        raise DownloadError(f"{src} holds neither {cls.filename} nor an extracted {cls.base_folder}/")
    os.makedirs(os.path.join(root, cls.base_folder), exist_ok=True)
    for name in [*cls.train_list, *cls.test_list, cls.meta_file]:
        path = os.path.join(folder, name)
        problem = cls.file_problem(os.path.dirname(folder), name)
        if problem is not None:
            raise DownloadError(f"{folder}: {problem} is missing or damaged; not installing it")
        dst = os.path.join(root, cls.base_folder, name)
        shutil.copyfile(path, dst + ".part")
        os.replace(dst + ".part", dst)


def _install_mnist_local(cls: type[MNIST], root: str, src: str) -> None:
    raw = os.path.join(root, cls.dataset_dir, "raw")
    for name, md5 in cls.resources:
        dirs = [os.path.join(src, cls.dataset_dir, "raw"), os.path.join(src, cls.dataset_dir), src]
        path = _first_file([os.path.join(d, name) for d in dirs])
        if path is None:
            raise DownloadError(f"{name} not found in any of {', '.join(dirs)}")
        copy_verified(path, os.path.join(raw, name), md5, cls.raw_md5.get(name))


def install(names: list[str], data_root: str | None = None, source: str | None = None) -> None:
    """Make each named dataset available under ``data_root``, skipping those already there."""
    data_root = data_root or default_root()
    for name in names:
        cls = DATASETS[name.lower()]
        root = dataset_root(cls, data_root)
        if not cls.missing_files(root):
            print(f"{cls.__name__}: already in {root}")
            continue
        if source is not None and not source.startswith(("http://", "https://")):
            local = _install_cifar_local if issubclass(cls, CIFAR10) else _install_mnist_local
            local(cls, root, source)
        else:
            old = os.environ.get(MIRROR_ENV)
            if source is not None:
                os.environ[MIRROR_ENV] = source
            try:
                cls(root=root, download=True)
            finally:
                if source is not None:
                    os.environ.pop(MIRROR_ENV) if old is None else os.environ.__setitem__(MIRROR_ENV, old)
        cls(root=root)  # reads it all back: proves the install is usable
        print(f"{cls.__name__}: installed in {root}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autolab.vision.datasets.fetch", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "datasets",
        nargs="*",
        metavar="DATASET",
        help="cifar10, mnist, fashionmnist (default: cifar10 mnist)",
    )
    parser.add_argument("--root", default=None, help=f"data root (default: $AUTOLAB_DATA or {default_root()})")
    parser.add_argument("--from", dest="source", default=None, help="local folder or http(s) mirror to install from")
    args = parser.parse_args(argv)
    unknown = [name for name in args.datasets if name.lower() not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}")
    try:
        install(args.datasets or ["cifar10", "mnist"], args.root, args.source)
    except (DownloadError, RuntimeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
