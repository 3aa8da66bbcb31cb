"""A PyTorch-style script over torchvision: save_image writes a folder of PNGs, ImageFolder reads it back
through the deterministic transforms, a small CNN trains on it, make_grid tiles a batch.

Run it with PyTorch + torchvision, or on autolab (autolab run-torch vision_folder.py --root DIR): the printed
lines agree (losses to float rounding).
"""

import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from torchvision.utils import make_grid, save_image


def write_folder(root, per_class=12):
    """Two classes of 20x24 colour images: bright stripes across (class 'across') or down ('down')."""
    rng = np.random.RandomState(0)
    for label, name in enumerate(["across", "down"]):
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(per_class):
            img = rng.rand(3, 20, 24).astype(np.float32) * 0.4
            if label == 0:
                img[:, 4 + i % 8 : 8 + i % 8, :] += 0.6
            else:
                img[:, :, 4 + i % 10 : 8 + i % 10] += 0.6
            save_image(torch.from_numpy(img), os.path.join(root, name, f"{i:02d}.png"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()
    write_folder(args.root)
    transform = transforms.Compose(
        [
            transforms.Grayscale(num_output_channels=1),
            transforms.Pad(2),
            transforms.CenterCrop((22, 22)),
            transforms.ToTensor(),
            transforms.Resize(12, antialias=True),
            transforms.Lambda(lambda t: t * 2),
            transforms.Normalize((0.9,), (0.5,)),
        ]
    )
    ds = datasets.ImageFolder(args.root, transform=transform)
    print("classes", ds.classes, ds.class_to_idx, len(ds), ds.targets[:3], ds.targets[-3:])
    print("first", tuple(ds[0][0].shape), f"{ds[0][0].sum().item():.3f}")
    loader = DataLoader(ds, batch_size=8, shuffle=False, num_workers=2)

    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 5 * 5, 2))
    rng = np.random.RandomState(1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy((rng.randn(*p.shape) * 0.2).astype(np.float32)))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(1, args.epochs + 1):
        total = 0.0
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        print(f"epoch {epoch} loss {total / len(loader):.5f}")

    x, _ = next(iter(loader))
    grid = make_grid(x, nrow=4, padding=1, normalize=True)
    save_image(x, os.path.join(args.root, "grid.png"), nrow=4, normalize=True)
    print(
        "grid", tuple(grid.shape), f"{grid.sum().item():.2f}", os.path.getsize(os.path.join(args.root, "grid.png")) > 0
    )


if __name__ == "__main__":
    main()
