"""LeNet on CIFAR-10, data-parallel: the script notebook 11 and docs/distributed.md run on 1, 2, ... processes.

    autolab run -n 2 scripts/ddp_cifar10.py --epochs 2          # this machine, 2 processes
    mpiexec -n 2 python scripts/ddp_cifar10.py --epochs 2       # the same, plain MPI
    srun -n 8 python scripts/ddp_cifar10.py --epochs 2          # a Slurm cluster (see docs/distributed.md)

It is an ordinary training loop plus four lines: init_process_group, a DistributedSampler, DistributedDataParallel
and set_epoch. Every rank prints nothing but rank 0, which reports the loss and the test accuracy. The data is
read from $AUTOLAB_DATA (each rank reads its own copy of the files; on a cluster, put them on shared storage).
"""

from __future__ import annotations

import argparse
import time

import autolab as torch
import autolab.distributed as dist
import autolab.nn.functional as F
from autolab import nn, optim
from autolab.nn.parallel import DistributedDataParallel
from autolab.utils.data import DataLoader, Subset
from autolab.utils.data.distributed import DistributedSampler
from autolab.vision import datasets, transforms


class LeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(3, 6, 5), nn.Conv2d(6, 16, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1, self.fc2, self.fc3 = nn.Linear(16 * 5 * 5, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=64, help="images per rank per step")
    p.add_argument("--lr", type=float, default=0.02, help="learning rate for 64 images; scaled by the global batch")
    p.add_argument("--limit", type=int, default=0, help="use only this many training images (0: all 50,000)")
    p.add_argument("--crash-rank", type=int, default=-1, help="make this rank fail (to see what happens)")
    p.add_argument("--crash-step", type=int, default=3)
    args = p.parse_args()

    dist.init_process_group(backend="mpi")  # 1. join the job: MPI says which rank this is
    rank, world = dist.get_rank(), dist.get_world_size()
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)])
    train = datasets.CIFAR10(train=True, download=True, transform=tf)
    test = datasets.CIFAR10(train=False, download=True, transform=tf)
    if args.limit:
        train, test = Subset(train, range(args.limit)), Subset(test, range(max(1, args.limit // 5)))
    sampler = DistributedSampler(train, shuffle=True, seed=0)  # 2. each rank its own share of every epoch
    loader = DataLoader(train, batch_size=args.batch, sampler=sampler)
    torch.manual_seed(0)
    model = DistributedDataParallel(LeNet())  # 3. rank 0's weights everywhere; gradients averaged in backward
    global_batch = args.batch * world
    lr = args.lr * global_batch / 64  # the linear scaling rule: a batch k times larger takes a step k times larger
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    if rank == 0:
        print(
            f"{world} ranks x {args.batch} images = global batch {global_batch}, lr {lr:g}, {len(loader)} steps/epoch"
        )
    start = time.perf_counter()
    step = 0
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)  # 4. a new shuffle each epoch, the same on every rank
        for x, y in loader:
            if rank == args.crash_rank and step == args.crash_step:
                raise RuntimeError(f"rank {rank} crashed on purpose at step {step} (--crash-rank)")
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            step += 1
        schedule.step()
        if rank == 0:
            print(f"epoch {epoch + 1}: last loss {loss.item():.3f}, {time.perf_counter() - start:.1f} s")
    # Evaluation, shared out too: each rank counts its part of the test set, then the counts are summed.
    model.eval()
    counts = torch.zeros(2, dtype=torch.float64)
    with torch.no_grad():
        for x, y in DataLoader(test, batch_size=256, sampler=DistributedSampler(test, shuffle=False)):
            counts += torch.tensor([(model(x).argmax(1) == y).sum().item(), len(y)], dtype=torch.float64)
    dist.all_reduce(counts)
    if rank == 0:
        images = step * global_batch
        seconds = time.perf_counter() - start
        print(
            f"test accuracy {counts[0].item() / counts[1].item():.1%} ({int(counts[1].item())} images, padded to "
            f"a multiple of {world}); {images} training images in {seconds:.1f} s = {images / seconds:.0f} images/s"
        )
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
