"""Training steps of LeNet and VGG-small, written once against PyTorch's API and run on both libraries.

``lib`` is ``autolab`` or ``torch``: the same code builds the same network, optimizer and loss on either.
One step is ``zero_grad``, forward, cross-entropy, backward, ``SGD(momentum=0.9).step`` on a batch of 64
random 32x32 RGB images.
"""

from __future__ import annotations

import statistics

import numpy as np

import autolab
import autolab.nn
import autolab.optim

from .timing import interleaved_samples

BATCH = 64


def lenet(nn):
    """The tutorial LeNet: conv 3->6 k5, pool, conv 6->16 k5, pool, fc 400->120->84->10."""
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip


def vgg_small(nn):
    """conv 32, conv 32, pool, conv 64, conv 64, pool, fc 4096->512->10; every conv 3x3 with padding 1."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4096, 512), nn.ReLU(), nn.Linear(512, 10),
    )  # fmt: skip


MODELS = {"LeNet": lenet, "VGG-small": vgg_small}


def make_step(lib, build, seed: int = 0):
    """A function that runs one training step of ``build(lib.nn)`` on fixed random data."""
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((BATCH, 3, 32, 32), dtype=np.float32)
    labels = rng.integers(0, 10, BATCH)
    lib.manual_seed(seed)
    model = build(lib.nn)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    x, y = lib.from_numpy(images), lib.from_numpy(labels)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def run(rounds: int = 5) -> list[dict]:
    """Images per second of a training step, autolab against PyTorch, interleaved in this process."""
    try:
        import torch  # lazy: optional (the comparison is skipped without it)

        torch.set_num_threads(2)
    except ImportError:
        torch = None
    rows = []
    for name, build in MODELS.items():
        cands = {}
        cands["autolab"] = make_step(autolab, build)
        if torch is not None:
            cands["torch"] = make_step(torch, build)
        if not cands:
            continue
        for step in cands.values():  # compile / load kernels, allocate: not part of the steady state
            step()
            step()
        samples = interleaved_samples(cands, rounds, target=0.1, pause=0.1)
        times = {k: statistics.median(v) for k, v in samples.items()}
        best = {k: min(v) for k, v in samples.items()}
        row = {"kind": "train step", "case": f"{name} batch {BATCH}", "us": {k: v * 1e6 for k, v in times.items()}}
        row["best_us"] = {k: v * 1e6 for k, v in best.items()}
        row["images_per_s"] = {k: BATCH / v for k, v in times.items()}
        row["best_images_per_s"] = {k: BATCH / v for k, v in best.items()}
        if "autolab" in times and "torch" in times:
            row["ratio_vs_torch"] = times["autolab"] / times["torch"]
            row["best_ratio_vs_torch"] = best["autolab"] / best["torch"]
        rows.append(row)
    return rows
