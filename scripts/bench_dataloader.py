"""Does ``DataLoader(num_workers=2)`` beat ``num_workers=0``? One CIFAR-10 pipeline, timed both ways.

    python scripts/bench_dataloader.py [--pipeline crop-flip|heavy] [--images 10000] [--workers 0 2] [--repeats 2]

``crop-flip`` is torchvision's usual CIFAR-10 augmentation (RandomCrop(32, padding=4), RandomHorizontalFlip,
ToTensor, Normalize); ``heavy`` adds the costly ones tutorials use (RandomResizedCrop(32), ColorJitter(0.4, 0.4,
0.4, 0.1), RandomRotation(15)). Both run per sample, as PyTorch runs them: the dataset is wrapped so that the
loader calls ``__getitem__`` once per image (autolab's batched ``__getitems__`` path, which only crop-flip has, is
the last row, for reference).
Each setting runs ``repeats`` shuffled epochs over the first ``images`` training images, the settings taking
turns epoch by epoch after one warm-up round; the best epoch of each is reported, starting the workers
included (a fresh loader each epoch).
``--step-ms`` adds that much simulated training work in the main process per batch (time.sleep), to show
the overlap that workers give while the model trains.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from autolab.utils.data import DataLoader, Dataset, Subset
from autolab.vision import transforms as T
from autolab.vision.datasets import CIFAR10, data_root

CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


class PerSample(Dataset):
    """Hides ``__getitems__``: the loader fetches and collates one image at a time, as torchvision does."""

    def __init__(self, dataset):
        self.dataset = dataset

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        return self.dataset[i]


def epoch_seconds(dataset, workers: int, batch_size: int, step_ms: float) -> float:
    """One shuffled epoch, starting the workers included (a fresh loader, as each epoch pays for it)."""
    start = time.perf_counter()
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=workers)
    for _images, _labels in loader:
        if step_ms:
            time.sleep(step_ms / 1000)
    del loader
    return time.perf_counter() - start


def best_interleaved(settings: dict, batch_size: int, repeats: int, step_ms: float) -> dict:
    """Best epoch of each setting, the settings taking turns (one warm-up round first): on a shared machine
    the load changes from minute to minute, and taking turns gives each setting the same conditions."""
    best = dict.fromkeys(settings, float("inf"))
    for r in range(repeats + 1):
        for name, (dataset, workers) in settings.items():
            seconds = epoch_seconds(dataset, workers, batch_size, step_ms)
            if r:
                best[name] = min(best[name], seconds)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--step-ms", type=float, default=0.0)
    parser.add_argument("--pipeline", choices=["crop-flip", "heavy"], default="crop-flip")
    args = parser.parse_args()
    augment = [T.RandomCrop(32, padding=4), T.RandomHorizontalFlip()]
    if args.pipeline == "heavy":
        augment = [T.RandomResizedCrop(32), T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomRotation(15)] + augment[1:]
    transform = T.Compose([*augment, T.ToTensor(), T.Normalize(CIFAR_MEAN, CIFAR_STD)])
    train = CIFAR10(root=os.path.join(data_root().path, "cifar-10"), train=True, transform=transform)
    subset = Subset(train, range(args.images))
    print(
        f"CIFAR-10 train, first {args.images} images, batch {args.batch_size}, pipeline {args.pipeline}: {transform!r}"
        f"\nbest of {args.repeats} epochs, step {args.step_ms} ms/batch"
    )
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    settings = {("per sample (torchvision's way)", w): (PerSample(subset), w) for w in args.workers}
    if transform.batchable:
        settings[("batched `__getitems__` (autolab's fast path)", 0)] = (subset, 0)
    best = best_interleaved(settings, args.batch_size, args.repeats, args.step_ms)
    print("| pipeline | workers | seconds/epoch | images/s |")
    print("|---|---|---|---|")
    for (name, workers), seconds in best.items():
        print(f"| {name} | {workers} | {seconds:.2f} | {args.images / seconds:,.0f} |")


if __name__ == "__main__":
    main()
