"""Training runs broken on purpose, for notebook 08: the student sees the views, not the code, and names the cause.

Each ``mystery_run(n, ...)`` builds the pieces of one training run (model, optimizer, loss, loaders) with one
thing wrong, chosen from ``CAUSES``. The notebook hands them to the dashboard; the check for run ``n`` (in
``autolab.course.checks.debugging``) knows the answer and explains it. The code is here to read afterwards:
every bug below is one that happens in real projects.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import autolab
from autolab import nn, optim
from autolab.utils.data import DataLoader, Subset
from autolab.vision import transforms

CAUSES = {
    "a": "the learning rate is too high",
    "b": "vanishing gradients (a deep stack of sigmoids)",
    "c": "dead ReLUs",
    "d": "the gradients are never cleared (zero_grad is missing)",
    "e": "overfitting: too little data for the model",
    "f": "the inputs are not normalised (wrong scale)",
}

# Run n has the cause ANSWERS[n]. Run 0 is the healthy reference.
ANSWERS = {1: "a", 2: "f", 3: "b", 4: "d", 5: "c", 6: "e"}


@dataclass
class Run:
    """The pieces of a training run; ``parts`` is what ``widgets.dashboard`` takes."""

    number: int
    model: Any
    optimizer: Any
    loss_fn: Any
    train_loader: Any
    val_loader: Any
    epochs: int

    @property
    def parts(self) -> tuple:
        return (self.model, self.optimizer, self.loss_fn, self.train_loader, self.val_loader)


def mlp(depth: int = 2, width: int = 128, activation: Callable[[], Any] = nn.ReLU) -> nn.Sequential:
    """Flatten, then ``depth`` hidden layers of ``width`` units with ``activation``, then 10 outputs."""
    layers: list[Any] = [nn.Flatten()]
    n_in = 28 * 28
    for _ in range(depth):
        layers += [nn.Linear(n_in, width), activation()]
        n_in = width
    layers.append(nn.Linear(n_in, 10))
    return nn.Sequential(*layers)


class _SGDThatForgets(optim.SGD):
    """SGD whose ``zero_grad`` does nothing: what a training loop without ``optimizer.zero_grad()`` amounts to."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        pass


def _pixels_0_to_255(dataset: Any) -> Any:
    """The same images, handed out as floats in 0..255 and then "normalised" with MNIST's mean and std.

    The real-world version: a custom Dataset converts its uint8 pixels to float32 before ``ToTensor``, and
    ``ToTensor`` scales only uint8 images, so ``Normalize((0.1307,), (0.3081,))`` sees values up to 255.
    """

    chain = []  # the Subsets around the image dataset (a split of a split...), outermost first
    while isinstance(dataset, Subset):
        chain.append(dataset.indices)
        dataset = dataset.dataset
    broken = copy.copy(dataset)  # shares the pixels, not the transform
    broken.transform = transforms.Compose(
        [
            transforms.Lambda(lambda image: image.astype(np.float32)),
            transforms.ToTensor(),
            transforms.Normalize((0.1307,), (0.3081,)),
        ]
    )
    for indices in reversed(chain):
        broken = Subset(broken, indices)
    return broken


def mystery_run(number: int, train_set: Any, val_set: Any, fast: bool = False, seed: int = 0) -> Run:
    """Run ``number`` (0 = healthy, 1..6 = broken) on MNIST ``train_set`` / ``val_set`` (normalised images).

    ``fast`` trains on fewer images for fewer epochs (the notebooks' fast mode): the symptoms still show.
    """
    if number not in (0, *ANSWERS):
        raise ValueError(f"there are runs 0 (healthy) to {max(ANSWERS)}, not {number}")
    autolab.manual_seed(seed + number)
    n_train = 2000 if fast else 10000
    epochs = 1 if fast else 2
    train = Subset(train_set, range(min(n_train, len(train_set))))
    val = Subset(val_set, range(min(500 if fast else 5000, len(val_set))))
    model = mlp()
    lr, momentum, make = 0.01, 0.9, optim.SGD
    batch = 64
    if number == 1:  # a: ten times too large a step, and momentum multiplies it
        lr = 1.0
    elif number == 2:  # f: pixels in 0..255 where the network expects about -0.4..2.8
        train, val = _pixels_0_to_255(train), _pixels_0_to_255(val)
    elif number == 3:  # b: eight sigmoid layers: each multiplies the gradient by at most 0.25 on the way back
        model = mlp(depth=8, width=64, activation=nn.Sigmoid)
    elif number == 4:  # d: gradients pile up step after step
        lr, momentum, make = 0.01, 0.0, _SGDThatForgets
    elif number == 5:  # c: a "helpful" initialisation gave every hidden unit a bias of -3
        with autolab.no_grad():
            for layer in model:
                if isinstance(layer, nn.Linear) and layer.out_features != 10:
                    layer.bias.fill_(-3.0)
    elif number == 6:  # e: a model with 270,000 weights and 300 training images
        model = mlp(width=256)
        train = Subset(train_set, range(300))
        epochs = 5 if fast else 30
        batch = 50
    generator = autolab.Generator().manual_seed(seed + number)
    return Run(
        number,
        model,
        make(model.parameters(), lr=lr, momentum=momentum),
        nn.CrossEntropyLoss(),
        DataLoader(train, batch_size=batch, shuffle=True, generator=generator),
        DataLoader(val, batch_size=1000),
        epochs,
    )


def train_step(model: Any, optimizer: Any, loss_fn: Any, x: Any, y: Any) -> float:
    """One correct training step (what notebook 08's exercise asks for); returns the loss as a float."""
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
