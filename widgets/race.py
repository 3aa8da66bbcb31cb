"""Optimizers racing on a 2-D loss surface: the model behind ``widgets.optimizer_race`` (no ipywidgets here).

Each racer is a real ``autolab.optim`` optimizer (or a student's subclass of ``Optimizer``) moving one tensor of
two numbers, ``(x, y)``, with gradients from ``loss.backward()``: exactly what happens to every weight of a
network, drawn where it can be seen.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autolab


@dataclass(frozen=True)
class Surface:
    """A function of ``(x, y)``, with where to start, where the minimum is and what to draw."""

    name: str
    title: str
    loss: Callable[[Any, Any], Any]  # works on autolab tensors (autograd) and on numpy grids alike
    start: tuple[float, float]
    minimum: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    lr: float  # a learning rate for the SGD family that tells the story of this surface
    adam_lr: float
    momentum: float = 0.9

    def grid(self, n: int = 240) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xs, ys = np.linspace(*self.xlim, n), np.linspace(*self.ylim, n)
        X, Y = np.meshgrid(xs, ys)
        return xs, ys, self.loss(X, Y)


BOWL_CURVATURES = (1.0, 20.0)  # condition number 20: steep across the bowl, flat along it
BOWL_ANGLE = math.radians(30)  # turned, so no optimizer gets the axes for free


def bowl(x: Any, y: Any) -> Any:
    """``(λ1 u² + λ2 v²) / 2`` with ``(u, v)`` the point turned by 30°: an ill-conditioned quadratic."""
    c, s = math.cos(BOWL_ANGLE), math.sin(BOWL_ANGLE)
    u, v = c * x + s * y, -s * x + c * y
    return 0.5 * (BOWL_CURVATURES[0] * u * u + BOWL_CURVATURES[1] * v * v)


def rosenbrock(x: Any, y: Any) -> Any:
    """``(1 - x)² + 100 (y - x²)²``: a curved valley whose floor is nearly flat; the minimum is at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


SURFACES = {
    "bowl": Surface(
        "bowl",
        "ill-conditioned bowl (curvatures 1 and 20)",
        bowl,
        (-4.0, 2.5),
        (0.0, 0.0),
        (-5, 5),
        (-4, 4),
        0.06,
        0.3,
        0.7,
    ),
    "rosenbrock": Surface(
        "rosenbrock", "Rosenbrock valley", rosenbrock, (-1.5, 2.0), (1.0, 1.0), (-2, 2), (-1, 3), 1e-3, 0.05
    ),
}

# Which sliders each racer follows: plain gradient descent ignores momentum, Adam has its own learning rate.
HPARAM_KEYS = {"lr": "lr", "momentum": "momentum", "adam_lr": "lr"}


@dataclass
class Racer:
    name: str
    color: str
    make: Callable[[list, dict], Any]  # (params, hparams) -> optimizer
    follows: tuple[str, ...]  # slider names this racer listens to: "lr", "momentum", "adam_lr"
    point: Any = None
    optimizer: Any = None
    path: list[tuple[float, float]] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    status: str = "running"  # or "diverged", "converged"


def default_racers(sgd: type | None = None, adam: type | None = None) -> list[Racer]:
    """Gradient descent, momentum, Nesterov (all from ``sgd``) and Adam (from ``adam``)."""
    sgd = sgd or autolab.optim.SGD
    adam = adam or autolab.optim.Adam
    return [
        Racer("gradient descent", "#1f77b4", lambda ps, hp: sgd(ps, lr=hp["lr"]), ("lr",)),
        Racer("momentum", "#ff7f0e", lambda ps, hp: sgd(ps, lr=hp["lr"], momentum=hp["momentum"]), ("lr", "momentum")),
        Racer(
            "Nesterov",
            "#2ca02c",
            lambda ps, hp: sgd(ps, lr=hp["lr"], momentum=hp["momentum"], nesterov=hp["momentum"] > 0),
            ("lr", "momentum"),
        ),
        Racer("Adam", "#d62728", lambda ps, hp: adam(ps, lr=hp["adam_lr"]), ("adam_lr",)),
    ]


class Race:
    """Steps every racer on one surface; thread-safe (a Run button steps it from a background thread)."""

    DIVERGED = 1e6  # |x| or |y| beyond this, or a non-finite loss: that racer stops
    CONVERGED = 1e-10  # loss above the minimum's below this: done

    def __init__(self, surface: str = "bowl", racers: list[Racer] | None = None, **hparams: float) -> None:
        self.surface = SURFACES[surface]
        self.racers = racers if racers is not None else default_racers()
        self.hparams = {"lr": self.surface.lr, "momentum": self.surface.momentum, "adam_lr": self.surface.adam_lr}
        self.hparams.update(hparams)
        self.lock = threading.Lock()
        self.reset()

    @property
    def steps(self) -> int:
        return max(len(r.path) - 1 for r in self.racers)

    def reset(self, surface: str | None = None) -> None:
        """Every racer back to the start, with fresh optimizers built from the current hyperparameters."""
        with self.lock:
            if surface is not None:
                self.surface = SURFACES[surface]
            f_min = float(self.surface.loss(*self.surface.minimum))
            for r in self.racers:
                r.point = autolab.tensor(np.array(self.surface.start, dtype=np.float64), requires_grad=True)
                r.optimizer = r.make([r.point], dict(self.hparams))
                r.path = [tuple(self.surface.start)]
                r.losses = [float(self.surface.loss(*self.surface.start)) - f_min]
                r.status = "running"

    def set_hparams(self, **values: float) -> None:
        """New slider values; each racer takes those it follows at its next step."""
        with self.lock:
            self.hparams.update(values)
            for r in self.racers:
                for name in r.follows:
                    if name in values:
                        for group in r.optimizer.param_groups:
                            group[HPARAM_KEYS[name]] = values[name]

    def step(self, n: int = 1) -> None:
        with self.lock:
            f_min = float(self.surface.loss(*self.surface.minimum))
            for r in self.racers:
                for _ in range(n):
                    if r.status != "running":
                        break
                    r.optimizer.zero_grad()
                    loss = self.surface.loss(r.point[0], r.point[1])
                    loss.backward()
                    with np.errstate(all="ignore"):
                        r.optimizer.step()
                        x, y = (float(v) for v in r.point.detach().numpy())
                        value = float(self.surface.loss(x, y)) - f_min
                    r.path.append((x, y))
                    r.losses.append(value)
                    if not (math.isfinite(value) and abs(x) < self.DIVERGED and abs(y) < self.DIVERGED):
                        r.status = "diverged"
                    elif value < self.CONVERGED:
                        r.status = "converged"

    @property
    def finished(self) -> bool:
        return all(r.status != "running" for r in self.racers)

    def snapshot(self) -> list[tuple[str, str, np.ndarray, np.ndarray, str]]:
        """(name, color, path (n, 2), losses (n,), status) per racer, copied under the lock."""
        with self.lock:
            return [(r.name, r.color, np.array(r.path), np.array(r.losses), r.status) for r in self.racers]


def contour_lines(surface: Surface, count: int = 14) -> list[tuple[float, list[np.ndarray]]]:
    """Contour lines of the surface at log-spaced heights above its minimum: [(level, [(n, 2) arrays])]."""
    import contourpy  # a dependency of matplotlib

    xs, ys, Z = surface.grid()
    f_min = float(surface.loss(*surface.minimum))
    top = float(np.percentile(Z, 90)) - f_min
    levels = f_min + np.geomspace(top * 1e-3, top, count)
    gen = contourpy.contour_generator(xs, ys, Z)
    return [(float(level), list(gen.lines(level))) for level in levels]
