"""Files the course makes for itself: MNIST as a CSV and as a folder of PNGs (notebook 06), in a work directory.

The datasets' own files stay read-only where they are (``$AUTOLAB_DATA``); what a notebook derives from them goes
to ``workdir()``: ``$AUTOLAB_COURSE_DIR`` if set, else ``$XDG_CACHE_HOME/autolab/course`` (``~/.cache/...``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def workdir(*parts: str) -> Path:
    """A directory for files the notebooks make (created if missing)."""
    base = os.environ.get("AUTOLAB_COURSE_DIR")
    if not base:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(cache, "autolab", "course")
    path = Path(base, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_csv(path: str | Path, images: np.ndarray, labels: np.ndarray) -> None:
    """MNIST as CSV: a header ``label,pixel0,...,pixel783``, then one image per row, label first.

    Written to a temporary name and renamed, so an interrupted run never leaves half a file behind.
    """
    path = Path(path)
    header = "label," + ",".join(f"pixel{i}" for i in range(images[0].size))
    rows = np.column_stack([np.asarray(labels), np.asarray(images).reshape(len(images), -1)])
    part = path.with_name(path.name + ".part")
    np.savetxt(part, rows, fmt="%d", delimiter=",", header=header, comments="")
    os.replace(part, path)


def write_folder(root: str | Path, images: np.ndarray, labels: np.ndarray, names: list[str]) -> None:
    """``root/<class name>/<index>.png``: one grayscale PNG per image, written with Pillow (matplotlib needs it).

    A file ``<root>.done`` beside the folder marks it complete (inside, it would look like a class).
    """
    from PIL import Image  # lazy: Pillow comes with matplotlib (the [lab] extra), not with autolab itself

    root = Path(root)
    for i, (image, label) in enumerate(zip(np.asarray(images), np.asarray(labels))):
        folder = root / names[int(label)]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image, mode="L").save(folder / f"{i:05d}.png")
    root.with_name(root.name + ".done").write_text(f"{len(images)} images\n")


def mnist_files(images: np.ndarray, labels: np.ndarray, csv_count: int, png_count: int) -> tuple[Path, Path]:
    """The first ``csv_count`` images as ``mnist-N.csv`` and the first ``png_count`` as ``mnist-png-N/<digit>/``,
    written once into ``workdir()``; returns both paths."""
    csv_path = workdir() / f"mnist-{csv_count}.csv"
    if not csv_path.exists():
        write_csv(csv_path, images[:csv_count], labels[:csv_count])
    png_root = workdir() / f"mnist-png-{png_count}"
    if not png_root.with_name(png_root.name + ".done").exists():
        write_folder(png_root, images[:png_count], labels[:png_count], [str(d) for d in range(10)])
    return csv_path, png_root
