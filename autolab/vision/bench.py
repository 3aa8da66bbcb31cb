"""Benchmark of the data pipeline: one shuffled epoch of CIFAR-10 train through the DataLoader.

    python -m autolab.vision.bench [--root DATA_ROOT] [--repeats 3]

DATA_ROOT is a data root as for ``AUTOLAB_DATA`` (it holds cifar-10/cifar-10-batches-bin). Each pipeline
runs ``repeats`` epochs; the best epoch is reported (timings on a shared machine are noisy). The
"per sample" rows run the same transforms one image at a time, which is what the batched path replaces.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from autolab.utils.data import DataLoader, Dataset

from . import transforms as T
from .datasets import CIFAR10, default_root

CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


class _PerSample(Dataset):
    # Hides __getitems__, so the loader fetches and collates one sample at a time.
    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        return self.dataset[i]


def pipelines() -> dict[str, T.Compose]:
    normalize = [T.ToTensor(), T.Normalize(CIFAR_MEAN, CIFAR_STD)]
    return {
        "ToTensor+Normalize": T.Compose(normalize),
        "RandomCrop(32, 4)+Flip+ToTensor+Normalize": T.Compose(
            [T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), *normalize]
        ),
    }


def epoch_rate(dataset, batch_size: int = 64, repeats: int = 3) -> float:
    """Best images/second over ``repeats`` shuffled epochs."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        n = 0
        for images, _labels in loader:
            n += images.shape[0]
        best = min(best, time.perf_counter() - start)
    return n / best


def run(data_root: str | None = None, batch_size: int = 64, repeats: int = 3, per_sample: bool = True) -> list[dict]:
    """Measure every pipeline, batched and (optionally) per sample; returns one dict per row."""
    root = os.path.join(data_root or default_root(), "cifar-10")
    start = time.perf_counter()
    train = CIFAR10(root=root)
    rows = [{"name": "CIFAR10(train) load", "seconds": time.perf_counter() - start}]
    for name, transform in pipelines().items():
        train.transform = transform
        rows.append({"name": f"{name}, batched", "images_per_s": epoch_rate(train, batch_size, repeats)})
        if per_sample:
            rate = epoch_rate(_PerSample(train), batch_size, 1)
            rows.append({"name": f"{name}, per sample", "images_per_s": rate})
    return rows


def format_rows(rows: list[dict]) -> str:
    lines = ["| pipeline (CIFAR-10 train, batch 64, shuffled) | result |", "|---|---|"]
    for row in rows:
        value = f"{row['seconds']:.2f} s" if "seconds" in row else f"{row['images_per_s']:,.0f} img/s"
        lines.append(f"| {row['name']} | {value} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autolab.vision.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=None, help="data root holding cifar-10/ (default: $AUTOLAB_DATA)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(format_rows(run(args.root, args.batch_size, args.repeats)))


if __name__ == "__main__":
    main()
