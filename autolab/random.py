"""Random numbers. One seeded numpy Generator sits behind every random call (initial weights, dropout,
shuffles), so ``autolab.manual_seed(0)`` makes a whole run repeatable."""

from __future__ import annotations

import numpy as np


class Generator:
    """Like ``torch.Generator``: holds its own random state.

    >>> g = Generator().manual_seed(0)
    >>> int(g.numpy_rng.integers(10))  # the numpy Generator that does the work
    8
    """

    def __init__(self, device: str = "cpu") -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self.numpy_rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.numpy_rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2**63))).initial_seed()

    def get_state(self) -> dict:
        return self.numpy_rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.numpy_rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator: the same seed gives the same weights, dropout masks and shuffles."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def seed() -> int:
    return default_generator.seed()


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The numpy Generator to draw from: the given one, else the global one."""
    return (generator or default_generator).numpy_rng
