"""Measure notebook 07's full-mode training runs outside Jupyter: test accuracy per epoch, minutes, peak memory.

The models, data pipeline and hyperparameters are notebook 07's (LeNet: 8 epochs, SGD lr 0.02 momentum 0.9,
cosine schedule, batch 64; VGG-small: width 16 with BatchNorm, crop+flip augmentation, batch 128, 10 epochs, SGD lr
0.05 momentum 0.9 weight decay 5e-4, cosine schedule). The live dashboard is attached (headless, at its default
refresh), so the time includes its cost, as in the notebook.

    AUTOLAB_DATA=../shared/data python scripts/measure_cifar.py lenet --json lenet.json
    AUTOLAB_DATA=../shared/data python scripts/measure_cifar.py vgg --json vgg.json
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import time

import autolab as torch
import autolab.nn.functional as F
import widgets
from autolab import nn, optim
from autolab.utils.data import DataLoader
from autolab.vision import datasets, transforms

MEAN, STD = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)


class LeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def vgg_small(width: int = 32) -> nn.Module:
    def block(c_in: int, c_out: int) -> list:
        return [
            nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.MaxPool2d(2),
        ]  # fmt: skip

    return nn.Sequential(
        *block(3, width), *block(width, 2 * width), *block(2 * width, 4 * width),
        nn.Flatten(), nn.Linear(4 * width * 4 * 4, 10),
    )  # fmt: skip


def evaluate(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = seen = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            seen += len(y)
    model.train()
    return correct / seen


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", choices=["lenet", "vgg"])
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--json", default=None)
    args = p.parse_args()

    torch.manual_seed(0)
    plain = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    train = datasets.CIFAR10(train=True, transform=plain)
    test_loader = DataLoader(datasets.CIFAR10(train=False, transform=plain), batch_size=128)
    if args.model == "lenet":
        epochs = args.epochs or 8
        model = LeNet()
        loader = DataLoader(train, batch_size=64, shuffle=True)
        optimizer = optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    else:
        epochs = args.epochs or 10
        model = vgg_small(16)
        aug = copy.copy(train)
        aug.transform = transforms.Compose(
            [
                transforms.RandomCrop(32, padding=4),
                transforms.RandomHorizontalFlip(),
                transforms.ToTensor(),
                transforms.Normalize(MEAN, STD),
            ]  # fmt: skip
        )
        loader = DataLoader(aug, batch_size=128, shuffle=True)
        optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

    dash = widgets.dashboard(model, optimizer, nn.CrossEntropyLoss(), loader, None, epochs=epochs)
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    log: list[dict] = []
    started = time.perf_counter()
    train_seconds = [0.0]

    def on_event(event) -> None:
        if event.kind != "epoch":
            return
        schedule.step()
        t = time.perf_counter() - started
        train_seconds[0] = t - sum(e["eval_s"] for e in log)
        t0 = time.perf_counter()
        acc = evaluate(model, test_loader)  # on the training thread, between epochs: the model is consistent
        row = {"epoch": len(log) + 1, "test_accuracy": acc, "train_minutes": train_seconds[0] / 60,
               "eval_s": time.perf_counter() - t0}  # fmt: skip
        log.append(row)
        print(json.dumps(row), flush=True)

    dash.trainer.subscribe(on_event)
    dash.trainer.start()
    dash.trainer.join()
    if dash.trainer.error is not None:
        raise dash.trainer.error
    result = {
        "model": args.model,
        "epochs": epochs,
        "epochs_log": log,
        "final_test_accuracy": log[-1]["test_accuracy"] if log else None,
        "train_minutes": train_seconds[0] / 60,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loadavg_end": list(__import__("os").getloadavg()),
    }
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
