"""Checks for notebook 06 (data pipelines): two Datasets, collate, a DataLoader, and normalisation constants.

Each check builds its own small files (a CSV, a folder of PNGs) in a temporary directory, so a student's class
is tested on data whose every pixel is known, and compares with ``autolab.utils.data`` where there is a
built-in to compare with.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np

import autolab
from autolab.utils.data import DataLoader, default_collate

from ..files import write_csv, write_folder
from ._core import Result, close, exercise, fail, ok, to_numpy
from ._quiz import Choice, Number


def _digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(50 + seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    images[:, :4] = 0  # MNIST-like: black borders
    return images, rng.integers(0, 10, n)


def _sample_problem(image: Any, label: Any, want_image: np.ndarray, want_label: int, index: int) -> str:
    """What is wrong with one (image, label) sample, or ''."""
    if isinstance(image, (int, np.integer)) and not isinstance(label, (int, np.integer)):
        return "the sample is (label, image): return (image, label), image first, as every vision dataset does."
    arr = to_numpy(image)
    if arr.shape == (784,):
        return "the image has shape (784,): reshape each row of pixels to (28, 28)."
    if arr.shape != (28, 28):
        return f"the image has shape {arr.shape}; expected (28, 28) (no transform was given)."
    if hasattr(image, "dtype") and str(image.dtype) not in ("uint8", "autolab.uint8"):
        if np.allclose(arr, want_image / 255.0, atol=1e-6):
            return "you scaled the pixels to [0, 1] yourself: hand out uint8 images and let the ToTensor transform scale them."
        return (
            f"the image's dtype is {image.dtype}; keep MNIST's uint8 (np.uint8). ToTensor scales uint8 to [0, 1] "
            "but leaves other dtypes as they are, so float pixels would reach the network as 0..255."
        )
    if not np.array_equal(arr, want_image):
        return f"sample {index}: the pixels are not those of row {index} (did you skip the header line, or the label column?)."
    if isinstance(label, float) or not isinstance(label, (int, np.integer)):
        return f"the label is a {type(label).__name__}; make it an int (the class index), e.g. int(row[0])."
    if int(label) != int(want_label):
        return f"sample {index}: label {label}, expected {want_label}."
    return ""


def _transform_problem(ds: Any) -> str:
    try:
        image, _ = ds[0]
    except TypeError:
        return "pass the transform as the second argument: MyDataset(path, transform=...)."
    if not (isinstance(image, tuple) and image[0] == "transformed"):
        return "the transform was not applied: if self.transform is not None, return self.transform(image)."
    return ""


def _marker(image: Any) -> tuple:
    return ("transformed", np.asarray(image).shape)


@exercise
def csv_dataset(cls: type, seed: int = 0) -> Result:
    """``cls(path, transform=None)``: MNIST rows of a CSV as ``(uint8 image (28, 28), int label)`` samples."""
    images, labels = _digits(7, seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "digits.csv")
        write_csv(path, images, labels)
        ds = cls(path)
        if len(ds) != len(images):
            extra = " Skip the header line." if len(ds) == len(images) + 1 else ""
            return fail(f"len(dataset) is {len(ds)} for a file with {len(images)} images.{extra}")
        for i in (0, 3, 6):
            problem = _sample_problem(*ds[i], images[i], labels[i], i)
            if problem:
                return fail(problem)
        problem = _transform_problem(cls(path, transform=_marker))
        if problem:
            return fail(problem)
    return ok("your CSV dataset: right length, (28, 28) uint8 images, int labels, and the transform applied.")


@exercise
def folder_dataset(cls: type, seed: int = 0) -> Result:
    """``cls(root, transform=None)``: ``root/<class>/<file>.png`` as samples, classes sorted by name."""
    images, labels = _digits(9, seed)
    names = ["seven", "eight", "nine", "zero"]  # not in alphabetical order: the dataset must sort them
    labels = np.random.default_rng(seed).permutation(np.arange(len(images)) % len(names))  # every class used
    classes = sorted(names)
    with tempfile.TemporaryDirectory() as work:
        tmp = os.path.join(work, "images")
        write_folder(tmp, images, labels, names)
        try:
            ds = cls(tmp)
        except ValueError as e:
            if "int" in str(e):
                return fail(
                    "the class folders are names, not numbers: a label is the folder's index in the sorted list "
                    "of folder names, not int(name)."
                )
            raise
        if list(getattr(ds, "classes", [])) != classes:
            return fail(
                f"dataset.classes should be the folder names, sorted: {classes}; got {getattr(ds, 'classes', None)}."
            )
        if len(ds) != len(images):
            return fail(f"len(dataset) is {len(ds)}; the folders hold {len(images)} PNG files.")
        # The order PyTorch's ImageFolder uses: by class, then by file name.
        order = sorted(range(len(images)), key=lambda i: (names[labels[i]], f"{i:05d}.png"))
        for position, i in enumerate(order):
            image, label = ds[position]
            arr = to_numpy(image)
            if arr.shape in ((28, 28, 3), (28, 28, 4)):
                return fail("the image has colour channels: open it as grayscale, Image.open(path).convert('L').")
            problem = _sample_problem(image, label, images[i], classes.index(names[labels[i]]), position)
            if "pixels are not" in problem:
                return fail(
                    f"sample {position} is not the file it should be: list the files of each class folder in sorted "
                    "order (sorted(os.listdir(...))), classes in sorted order too, so every machine gets the same dataset."
                )
            if problem:
                return fail(problem)
        problem = _transform_problem(cls(tmp, transform=_marker))
        if problem:
            return fail(problem)
    return ok("your folder dataset: sorted classes, labels from the folder index, grayscale uint8 images.")


@exercise
def collate(fn: Callable, seed: int = 0) -> Result:
    """``fn(samples)``: a list of ``(image tensor, int label)`` as ``(images (N, ...), labels int64 (N,))``."""

    rng = np.random.default_rng(60 + seed)
    samples = [(autolab.tensor(rng.random((1, 4, 4), dtype=np.float32)), int(rng.integers(0, 10))) for _ in range(5)]
    got = fn(list(samples))
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    want_x, want_y = default_collate(samples)
    if len(got) != 2:
        return fail(f"return two things, (images, labels); got {len(got)}.")
    x, y = got
    if not hasattr(x, "shape") or tuple(x.shape) != tuple(want_x.shape):
        shape = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
        extra = (
            " torch.cat joins along an existing dimension; torch.stack adds a new one." if shape == (5, 4, 4) else ""
        )
        return fail(f"images: got {shape}, expected {tuple(want_x.shape)}.{extra}")
    if not close(x, want_x):
        return fail("the images are not the samples' images, in order.")
    if not hasattr(y, "dtype"):
        return fail(f"labels: got a {type(y).__name__}; make a tensor: torch.tensor(labels).")
    if str(y.dtype) not in ("autolab.int64", "int64"):
        return fail(f"labels have dtype {y.dtype}; class indices must be int64 (what CrossEntropyLoss expects).")
    if not np.array_equal(to_numpy(y), to_numpy(want_y)):
        return fail("the labels are not the samples' labels, in order.")
    return ok("collate stacks the images into (N, 1, 4, 4) and the labels into an int64 tensor, like default_collate.")


class _Numbers:
    """A dataset whose sample i is (tensor([i]), i): batches show which indices they hold."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple:

        return autolab.tensor([float(i)]), int(i)


def _indices(batches: list) -> list[list[int]]:
    return [[int(v) for v in to_numpy(y).tolist()] for _, y in batches]


@exercise
def loader(cls: type, seed: int = 0) -> Result:
    """``cls(dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=...)``: batches like DataLoader's."""

    n, bs = 10 + seed, 3
    data = _Numbers(n)
    for drop_last in (False, True):
        mine = cls(data, batch_size=bs, shuffle=False, drop_last=drop_last, collate_fn=default_collate)
        theirs = DataLoader(data, batch_size=bs, shuffle=False, drop_last=drop_last)
        if len(mine) != len(theirs):
            return fail(
                f"len(loader) for {n} samples in batches of {bs} with drop_last={drop_last} is {len(mine)}; "
                f"expected {len(theirs)}: {'floor' if drop_last else 'ceil'}({n} / {bs})."
            )
        got, want = _indices(list(mine)), _indices(list(theirs))
        if got != want:
            return fail(f"with shuffle=False, drop_last={drop_last} the batches hold indices {got}; expected {want}.")
    autolab.manual_seed(seed)
    mine = cls(_Numbers(20), batch_size=4, shuffle=True, drop_last=False, collate_fn=default_collate)
    epochs = [sum(_indices(list(mine)), []) for _ in range(2)]
    for epoch in epochs:
        if sorted(epoch) != list(range(20)):
            return fail(
                "with shuffle=True an epoch must visit every sample exactly once (a permutation of the indices)."
            )
    if epochs[0] == list(range(20)):
        return fail("with shuffle=True the order is still 0, 1, 2, ...: draw a random permutation (torch.randperm(n)).")
    if epochs[0] == epochs[1]:
        return fail("both epochs came in the same order: draw a new permutation in __iter__, not once in __init__.")
    return ok("your loader batches, shuffles (a new order each epoch) and drops the last batch like DataLoader.")


@exercise
def mean_std(fn: Callable, seed: int = 0) -> Result:
    """``fn(images)``: mean and std of all pixels of a uint8 tensor (N, 28, 28), on ToTensor's [0, 1] scale."""

    rng = np.random.default_rng(70 + seed)
    brightness = rng.uniform(0.2, 1.0, (40, 1, 1))  # images differ, so per-image statistics differ from the total
    images = (rng.beta(0.3, 1.5, (40, 28, 28)) * brightness * 255).astype(np.uint8)
    scaled = images / 255.0
    want = (scaled.mean(), scaled.std())
    got = fn(autolab.tensor(images))
    if got is None:
        return fail("your function returned None: did you forget `return`?")
    mean, std = (float(to_numpy(v)) for v in got)
    if np.isclose(mean, want[0] * 255, rtol=1e-3):
        return fail(f"mean {mean:.2f}: that is on the 0..255 scale; divide by 255 first (ToTensor does).")
    if not np.isclose(mean, want[0], rtol=1e-4):
        return fail(f"mean {mean:.5f}, expected {want[0]:.5f}: the mean of every pixel of every image.")
    if np.isclose(std, want[1], rtol=1e-3):
        return ok(f"mean {want[0]:.4f} and std {want[1]:.4f} of all pixels, on the [0, 1] scale.")
    per_image = scaled.reshape(40, -1)
    if any(np.isclose(std, per_image.mean(axis=1).std(ddof=d), rtol=1e-3) for d in (0, 1)):
        return fail("that is the spread of the per-image means; take the std of all the pixels together.")
    if any(np.isclose(std, per_image.std(axis=1, ddof=d).mean(), rtol=1e-3) for d in (0, 1)):
        return fail("that is the average of per-image stds; take the std of all the pixels together.")
    return fail(f"std {std:.5f}, expected {want[1]:.5f}: the std of every pixel of every image, after / 255.")


@exercise
def batches_quiz(answer: Any, n: int = 50000, batch_size: int = 64) -> Result:
    """How many batches does one epoch of ``n`` samples in batches of ``batch_size`` (drop_last=False) have?"""
    right = -(-n // batch_size)
    return Number(
        right=right,
        rtol=0,
        atol=0.01,
        why=(
            f"ceil({n} / {batch_size}) = {right}: {n // batch_size} full batches and one of {n % batch_size} "
            f"samples. With drop_last=True the short one is dropped: {n // batch_size}."
        ),
        near_misses=(
            (n // batch_size, "that is with drop_last=True; by default the last, shorter batch is kept."),
            (n / batch_size, "a number of batches is a whole number: what happens to the samples left over?"),
            (batch_size, "that is the number of samples per batch, not of batches per epoch."),
        ),
        hint="Divide the number of samples by the batch size, and think about the remainder.",
    ).check(answer)


_WORKERS = Choice(
    right="b",
    options={
        "a": "in two threads of the notebook's process",
        "b": "in two separate worker processes, each with its own copy of the dataset object",
        "c": "in the notebook's process, two samples at a time",
    },
    why=(
        "Each worker is a process: it gets its own copy of the dataset (with fork, pages are shared until "
        "written), builds whole batches, and sends them back through a queue. Processes, not threads, because "
        "Python's GIL lets only one thread run Python code at a time, and __getitem__ is Python code."
    ),
    hints={
        "a": "Threads share one interpreter, and Python's GIL lets one thread at a time run Python code such as "
        "__getitem__: threads would not load two samples at once.",
        "c": "num_workers=0 means 'in the main process'; num_workers=2 starts helpers.",
    },
)


@exercise
def workers_quiz(answer: Any) -> Result:
    """Where does ``__getitem__`` run when ``DataLoader(..., num_workers=2)`` iterates?"""
    return _WORKERS.check(answer)
