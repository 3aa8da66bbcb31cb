"""A PyTorch-style training script that leans on torch.utils.data: worker processes, samplers, splits, collate.

Run it with PyTorch (python data_workers.py) or on autolab (autolab run-torch data_workers.py): the printed
losses agree. Everything random that would differ between the two libraries' generators is kept out of the
training path (weights come from numpy), so the comparison is exact up to float rounding.
"""

import argparse
import collections

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    Subset,
    TensorDataset,
    get_worker_info,
    random_split,
)

Sample = collections.namedtuple("Sample", ["features", "label"])


class Blobs(Dataset):
    """Two Gaussian blobs in 8 dimensions; a sample is a dict with a namedtuple inside (for default_collate)."""

    def __init__(self, n, seed):
        rng = np.random.RandomState(seed)
        self.labels = rng.randint(0, 2, size=n)
        self.x = (rng.randn(n, 8) + 1.5 * self.labels[:, None]).astype(np.float32)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"sample": Sample(self.x[i], int(self.labels[i])), "index": i}


class Countdown(IterableDataset):
    """Each worker streams its own share of 0..n-1 (the pattern PyTorch's docs show for IterableDataset)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


def seed_worker(worker_id):
    info = get_worker_info()
    assert info.id == worker_id and info.seed == torch.initial_seed()


def init_weights(model, seed=0):
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy((rng.randn(*p.shape) * 0.3).astype(np.float32)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)

    train = ConcatDataset([Blobs(300, seed=1), Blobs(100, seed=2)])
    test = Blobs(200, seed=3)
    parts = random_split(train, [0.75, 0.25], generator=torch.Generator().manual_seed(42))
    print("split sizes", [len(p) for p in parts])
    loader = DataLoader(
        train,
        batch_size=32,
        num_workers=args.workers,
        worker_init_fn=seed_worker,
        persistent_workers=args.workers > 0,
        prefetch_factor=3 if args.workers else None,
    )
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
    init_weights(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(1, args.epochs + 1):
        total, seen = 0.0, 0
        for batch in loader:
            x, y = batch["sample"].features, batch["sample"].label
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(y)
            seen += len(y)
        print(f"epoch {epoch} loss {total / seen:.5f} batches {len(loader)}")

    batches = BatchSampler(SequentialSampler(range(len(test))), batch_size=50, drop_last=False)
    test_loader = DataLoader(Subset(test, list(range(len(test)))), batch_sampler=batches, num_workers=args.workers)
    correct = 0
    with torch.no_grad():
        for batch in test_loader:
            pred = model(batch["sample"].features).argmax(dim=1)
            correct += int((pred == batch["sample"].label).sum().item())
    print(f"test accuracy {100.0 * correct / len(test):.2f}")

    xs = torch.arange(12, dtype=torch.float32).reshape(6, 2)
    pairs = DataLoader(TensorDataset(xs, xs.sum(1)), batch_size=4, num_workers=args.workers)
    print("tensor batches", [b[1].tolist() for b in pairs])
    stream = DataLoader(Countdown(10), batch_size=3, num_workers=args.workers)
    print("stream batches", [b.tolist() for b in stream])


if __name__ == "__main__":
    main()
