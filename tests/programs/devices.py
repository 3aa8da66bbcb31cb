"""A PyTorch-style script that picks its device the way the official examples do, then trains on it.

On a machine without a GPU both PyTorch and autolab choose the CPU; the printed lines agree.
"""

import argparse

import numpy as np
import torch
import torch.backends.cudnn
import torch.nn as nn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-accel", action="store_true")
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()

    use_accel = not args.no_accel and torch.accelerator.is_available()
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")
    print("accelerator", torch.accelerator.is_available(), torch.accelerator.device_count(), use_accel)
    print("device", device, repr(device), device.type, device.index)
    print("cuda", torch.cuda.is_available(), "mps", torch.backends.mps.is_available())
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.deterministic = True
    print("cudnn", torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic)
    indexed = torch.device("cpu", 0)
    print("indexed", str(indexed), repr(indexed), indexed == torch.device("cpu"), indexed == torch.device("cpu:0"))

    rng = np.random.RandomState(0)
    x = torch.from_numpy(rng.randn(64, 4).astype(np.float32))
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1
    model = nn.Linear(4, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    model = model.to(device)
    x, y = x.to(device, non_blocking=True), y.to(device=device, dtype=torch.float32, non_blocking=True)
    print("on", x.device, next(model.parameters()).device, x.is_pinned())
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(1, args.steps + 1):
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 10 == 0:
            print(f"step {step} loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
